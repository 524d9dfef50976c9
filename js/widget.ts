/**
 * livegrad's GraphWidget frontend (anywidget). The kernel sends the topology once and the
 * values on every change; a slider replays the graph here at once (built-in ops), sends the
 * new leaf value to the kernel, and the kernel's answer, the authority, follows.
 */
import type { AnyModel, RenderProps } from "@anywidget/types";
import { button } from "./dom";
import { Explainer } from "./explain";
import { exportButtons } from "./export";
import { toNumbers } from "./format";
import type { GradientCheck, SliderSpec, Topology, Values } from "./graph";
import { backward, canReplay, forward, localDerivatives } from "./replay";
import { CoalescingSender } from "./sender";
import { SliderPanel } from "./sliders";
import { Stepper, type Mode } from "./stepper";
import { backwardSteps, forwardSteps, gradientsAfter, type BackwardStep } from "./trace";
import { legend } from "./legend";
import { GraphView } from "./view";
import "./widget.css";

export interface WidgetModel {
  topology: Topology;
  values: Values;
  sliders: SliderSpec[];
  rankdir: string;
  error: string;
  mode: Mode;
  step: number;
  check_gradients: boolean;
  gradient_check: GradientCheck[];
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
  const listeners: [event: string, listener: () => void][] = [];
  const listen = (event: string, listener: () => void): void => {
    model.on(event, listener);
    listeners.push([event, listener]);
  };
  const stopListening = (): void => {
    for (const [event, listener] of listeners) model.off(event, listener);
  };

  const showError = (): void => {
    notice.textContent = model.get("error");
    notice.hidden = !model.get("error");
  };
  showError();
  listen("change:error", showError);

  const topology = model.get("topology");
  if (topology.too_large) {
    const { values: count, drawn } = topology.too_large;
    const message = document.createElement("p");
    message.className = "lg-too-large";
    message.textContent =
      `This graph has ${count.toLocaleString("en")} values (${drawn.toLocaleString("en")} drawn nodes): too many ` +
      "to lay out in the page without freezing it. Draw a smaller part, for example the loss of a single input.";
    root.append(message);
    root.dataset.ready = "true";
    return stopListening;
  }

  const view = await GraphView.create(topology, model.get("rankdir"));
  const replayable = canReplay(topology.nodes);
  let values = model.get("values");
  let data = toNumbers(values.data);
  let grad = toNumbers(values.grad);
  let trace: BackwardStep[] | null = null; // built when first needed, dropped when values change
  const { nodes, root: rootId } = topology;
  const computed = forwardSteps(nodes);
  const explainer = new Explainer(nodes, () => data);
  /** Each edge's local derivative, for the stepper: the page's own when it can replay the ops, else the kernel's. */
  const localDerivativesNow = (): number[][] =>
    replayable ? localDerivatives(nodes, data) : (values.local ?? []).map((row) => row.map(Number));
  let stopFollowing = (): void => {}; // keeping the root in view, until the user takes over

  /** The records as the current step shows them (or every value, when not stepping). */
  const draw = (): void => {
    const mode = model.get("mode");
    const step = Math.min(model.get("step"), computed.length);
    if (step < 0) {
      view.update(data, grad);
      view.highlight(null);
      stepper.show(mode, -1, computed.length, []);
      return;
    }
    stopFollowing(); // the current step is what must be in view now
    if (mode === "backward") {
      trace ??= backwardSteps(nodes, localDerivativesNow(), rootId);
      const shown = gradientsAfter(trace, step, nodes.length, rootId);
      const current = step > 0 ? trace[step - 1] : null;
      view.update(data, shown.grad, { grad: shown.pending });
      view.highlight(
        current?.node ?? rootId,
        current?.edges.map((e) => ({ from: e.input, to: current.node })),
      );
      stepper.show(
        mode,
        step,
        computed.length,
        current ? explainer.backward(current) : [explainer.backwardStart(rootId)],
      );
    } else {
      const pendingData = new Uint8Array(nodes.length);
      for (const id of computed.slice(step)) pendingData[id] = 1;
      const current = step > 0 ? computed[step - 1] : null;
      view.update(data, grad, { data: pendingData, grad: new Uint8Array(nodes.length).fill(1) });
      view.highlight(current, current === null ? [] : nodes[current].inputs.map((i) => ({ from: i, to: current })));
      const lines =
        current === null
          ? ["The leaves are given. Step on to compute the rest, in topological order."]
          : [explainer.forward(current)];
      stepper.show(mode, step, computed.length, lines);
    }
  };
  const stepper = new Stepper({
    go: (mode, step) => {
      model.set("mode", mode);
      model.set("step", step);
      model.save_changes();
      draw();
    },
  });

  const sender = new CoalescingSender((message) => model.send(message), crypto.randomUUID());
  const sliders = new SliderPanel(model.get("sliders"), (id, value) => {
    if (replayable) {
      data[id] = value;
      forward(nodes, data);
      backward(nodes, data, grad, rootId);
      trace = null;
      draw(); // keeps the step index, with the new numbers
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
    trace = null;
    draw();
    if (!sender.busy) sliders.show(data);
  };
  listen("change:values", onValues);
  listen("change:step", draw);
  listen("change:mode", draw);
  const onChecks = (): void => sliders.showChecks(model.get("gradient_check"));
  listen("change:gradient_check", onChecks);

  const toolbar = document.createElement("div");
  toolbar.className = "lg-toolbar";
  const fit = button("Fit", "Fit the graph to the panel at a readable size (scroll to zoom, drag to pan)", () =>
    view.fit(),
  );
  const check = button("Check gradients", "Compare each slider leaf's gradient with a finite difference", () => {
    model.set("check_gradients", !model.get("check_gradients"));
    model.save_changes();
    showCheckState();
  });
  const showCheckState = (): void => check.setAttribute("aria-pressed", String(model.get("check_gradients")));
  showCheckState();
  listen("change:check_gradients", showCheckState);
  toolbar.append(fit, check);
  toolbar.append(exportButtons(view.element, topology, () => [data, grad], model.get("rankdir")));

  const controls = document.createElement("div");
  controls.className = "lg-controls"; // groups that wrap as wholes
  controls.append(toolbar, stepper.element, legend());
  root.append(controls, stepper.panel, view.element, sliders.element);
  draw();
  sliders.show(data);
  onChecks();
  if (model.get("step") < 0) stopFollowing = view.showFirstView();
  root.dataset.synced = "true";
  root.dataset.ready = "true";
  performance.measure("livegrad render", { start: started }); // layout and drawing, for devtools

  return () => {
    stepper.stop();
    stopFollowing();
    stopListening();
  };
}

export type Model = AnyModel<WidgetModel>;
export default { render };
