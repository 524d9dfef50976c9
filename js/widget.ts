/**
 * livegrad's GraphWidget frontend (anywidget). The kernel sends the topology once and the
 * values on every change; a slider replays the graph here at once (built-in ops), sends the
 * new leaf value to the kernel, and the kernel's answer, the authority, follows.
 */
import type { AnyModel, RenderProps } from "@anywidget/types";
import { toNumbers } from "./format";
import { drawnNodeCount, MAX_DRAWN_NODES } from "./graph";
import type { SliderSpec, Topology, Values } from "./graph";
import { backward, canReplay, forward } from "./replay";
import { CoalescingSender } from "./sender";
import { SliderPanel } from "./sliders";
import { GraphView } from "./view";
import "./widget.css";

export interface WidgetModel {
  topology: Topology;
  values: Values;
  sliders: SliderSpec[];
  rankdir: string;
  error: string;
}

async function render({ model, el }: RenderProps<WidgetModel>): Promise<() => void> {
  const started = performance.now();
  const root = document.createElement("div");
  root.className = "livegrad";
  const notice = document.createElement("div");
  notice.className = "lg-error";
  notice.setAttribute("role", "alert");
  root.append(notice);
  el.append(root);

  const showError = (): void => {
    notice.textContent = model.get("error");
    notice.hidden = !model.get("error");
  };
  showError();
  model.on("change:error", showError);

  const topology = model.get("topology");
  const drawn = drawnNodeCount(topology);
  if (drawn > MAX_DRAWN_NODES) {
    const message = document.createElement("p");
    message.className = "lg-too-large";
    message.textContent =
      `This graph has ${topology.nodes.length.toLocaleString()} values (${drawn.toLocaleString()} drawn nodes), ` +
      `more than the ${MAX_DRAWN_NODES.toLocaleString()} that can be laid out without freezing the page. ` +
      "Draw a smaller part of it, for example the loss of a single input.";
    root.append(message);
    root.dataset.ready = "true";
    return () => model.off("change:error", showError);
  }

  const view = await GraphView.create(topology, model.get("rankdir"));
  const replayable = canReplay(topology.nodes);
  let values = model.get("values");
  let data = toNumbers(values.data);
  let grad = toNumbers(values.grad);

  const sender = new CoalescingSender((message) => model.send(message), crypto.randomUUID());
  const sliders = new SliderPanel(model.get("sliders"), (id, value) => {
    if (replayable) {
      data[id] = value;
      forward(topology.nodes, data);
      backward(topology.nodes, data, grad, topology.root);
      view.update(data, grad);
    }
    sender.submit(id, value);
    root.dataset.synced = "false";
  });

  const onValues = (): void => {
    values = model.get("values");
    sender.acknowledge(values.ack);
    root.dataset.synced = String(!sender.busy); // "true": Python holds what the page shows
    if (sender.busy && replayable) return; // the page already shows a newer position than this answer
    data = toNumbers(values.data);
    grad = toNumbers(values.grad);
    view.update(data, grad);
    if (!sender.busy) sliders.show(data);
  };
  model.on("change:values", onValues);

  const toolbar = document.createElement("div");
  toolbar.className = "lg-toolbar";
  const fit = document.createElement("button");
  fit.type = "button";
  fit.textContent = "Fit";
  fit.title = "Show the whole graph (scroll to zoom, drag to pan)";
  fit.addEventListener("click", () => view.fit());
  toolbar.append(fit);

  root.append(toolbar, view.element, sliders.element);
  view.update(data, grad);
  sliders.show(data);
  requestAnimationFrame(() => view.showRoot());
  root.dataset.synced = "true";
  root.dataset.ready = "true";
  performance.measure("livegrad render", { start: started }); // layout and drawing, for devtools

  return () => {
    model.off("change:values", onValues);
    model.off("change:error", showError);
  };
}

export type Model = AnyModel<WidgetModel>;
export default { render };
