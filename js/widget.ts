/**
 * livegrad's GraphWidget frontend (anywidget). The kernel sends the topology once and the
 * values on every change; a slider replays the graph here at once (built-in ops), sends the
 * new leaf value to the kernel, and the kernel's answer, the authority, follows.
 */
import type { AnyModel, RenderProps } from "@anywidget/types";
import { button, nextTask } from "./dom";
import { Explainer } from "./explain";
import { exportButtons } from "./export";
import { drawnGraph, revealCut } from "./cut";
import { defaultState, reveal, type FoldState } from "./fold";
import { toNumbers } from "./format";
import { frameAt, stepLevel } from "./frame";
import {
  readTopology,
  type GradientReport,
  type Local,
  type SentTopology,
  type SliderSpec,
  type Topology,
  type Values,
} from "./graph";
import { backward, canReplay, forward, localDerivatives } from "./replay";
import { CoalescingSender } from "./sender";
import { SliderPanel } from "./sliders";
import { Stepper, type Mode } from "./stepper";
import { legend } from "./legend";
import { LossCurve } from "./curve";
import { Navigator } from "./navigate";
import { firstStepOf, planSteps } from "./trace";
import { naiveFrame, sortFrame } from "./orderframe";
import { Presenter, type PresenterAction } from "./present";
import { naivePlan, sortPlan, type NaivePlan, type SortPlan } from "./sort";
import { StackBar } from "./stackbar";
import { TopoList } from "./topolist";
import { GraphView } from "./view";
import "./widget.css";

export interface WidgetModel {
  topology: Topology | SentTopology | DataView; // a JSON buffer from the kernel (see readTopology)
  values: Values;
  sliders: SliderSpec[];
  rankdir: string;
  error: string;
  mode: Mode;
  step: number;
  naive: boolean; // the backward pass in micrograd #64's naive order
  presenting: boolean;
  check_gradients: boolean;
  gradient_check: GradientReport; // empty lists while check_gradients is off
  expanded: string[] | null; // open groups (names) and Σ chains ("#id"); null: the page chooses and writes it back
  picks: Record<string, number>; // stack name -> the call on show
}

/** Draws the widget, and draws it again when the kernel sends a graph of a new shape (from_function). */
async function render(props: RenderProps<WidgetModel>): Promise<() => void> {
  let stop = await draw(props);
  let closed = false;
  let queue = Promise.resolve();
  const relayout = (): void => {
    queue = queue.then(async () => {
      if (closed) return;
      stop();
      stop = () => {};
      props.el.replaceChildren();
      const next = await draw(props);
      if (closed) next();
      else stop = next;
    });
  };
  props.model.on("change:topology", relayout);
  return () => {
    closed = true;
    props.model.off("change:topology", relayout);
    stop();
  };
}

async function draw({ model, el }: RenderProps<WidgetModel>): Promise<() => void> {
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

  const topology = readTopology(model.get("topology"));
  performance.measure("livegrad topology", { start: started });
  if (topology.too_large) {
    const message = document.createElement("p");
    message.className = "lg-too-large";
    message.textContent = topology.too_large.message; // written by Python, which knows the limit
    root.append(message);
    root.dataset.ready = "true";
    return stopListening;
  }

  /** The folds as the model holds them; null when it holds none yet (or not a list). */
  const readFold = (): FoldState | null => {
    const expanded = model.get("expanded");
    if (!Array.isArray(expanded)) return null;
    const picks = model.get("picks");
    const entries = picks && typeof picks === "object" ? Object.entries(picks) : [];
    return {
      expanded: new Set(expanded.filter((name) => typeof name === "string")),
      picks: new Map(entries.filter((entry): entry is [string, number] => typeof entry[1] === "number")),
    };
  };
  await nextTask(); // the page paints what it has (the toolbar's place) before the folds are worked out
  const folding = performance.now();
  let fold = readFold() ?? defaultState(topology);
  const saveFold = (): void => {
    model.set("expanded", [...fold.expanded]);
    model.set("picks", Object.fromEntries(fold.picks));
    model.save_changes();
  };
  if (!Array.isArray(model.get("expanded"))) saveFold();
  const first = drawnGraph(topology, fold);
  performance.measure("livegrad folds", { start: folding });
  await nextTask();
  const view = await GraphView.create(topology, model.get("rankdir"), first);
  view.marks = model.get("values").marks ?? [];
  view.tensors = model.get("values").tensors ?? [];
  const stackBar = new StackBar(topology, (name, call) => view.actions.pick(name, call));
  stackBar.update(first.elements);
  /** Draw with other folds; `anchor` (what the user acted on) keeps its place on screen. */
  const refold = (next: FoldState, anchor: string | null): void => {
    fold = next;
    const visible = drawnGraph(topology, fold);
    view.relayout(visible, anchor);
    stackBar.update(visible.elements);
    level = stepLevel(topology, view.shown);
    plan = planSteps(nodes, level.unitOf);
    navigator.refresh();
    const step = model.get("step");
    const goOn = step > 0 ? firstStepOf(plan, model.get("mode"), stepMembers) : null;
    if (goOn !== null && goOn !== step) {
      model.set("step", goOn); // the pass goes on inside what was expanded, or onto what was collapsed
      model.save_changes();
    }
    draw();
    onChecks();
  };
  /** The user's own change of folds (a toggle, a pick, a search that reveals a value): drawn and saved. */
  const setFold = (next: FoldState, anchor: string | null): void => {
    refold(next, anchor);
    saveFold();
  };
  view.actions = {
    toggle: (key) => {
      const expanded = new Set(fold.expanded);
      if (!expanded.delete(key)) expanded.add(key);
      setFold({ expanded, picks: fold.picks }, key);
    },
    pick: (name, call) => setFold({ expanded: fold.expanded, picks: new Map(fold.picks).set(name, call) }, name),
  };
  /** Python's expand, collapse or pick: drawn, and what it opened or picked brought into view. */
  const onFold = (): void => {
    const next = readFold();
    if (!next || sameFold(next, fold)) return;
    const opened = [...next.expanded].filter((name) => !fold.expanded.has(name));
    const picked = [...next.picks].filter(([name, call]) => fold.picks.get(name) !== call).map(([name]) => name);
    refold(next, null);
    const shown = [...opened, ...picked].pop();
    if (shown !== undefined) view.centreOn(shown);
  };
  listen("change:expanded", onFold);
  listen("change:picks", onFold);
  const replayable = topology.replay !== false && canReplay(topology.nodes); // not a learner's engine
  let values = model.get("values");
  let data = toNumbers(values.data);
  let grad = toNumbers(values.grad);
  let locals: Local[][] | null = null; // each edge's local derivative: worked out when stepping needs it
  const { nodes, root: rootId } = topology;
  let level = stepLevel(topology, view.shown); // a step is one drawn element
  let plan = planSteps(nodes, level.unitOf);
  let stepMembers: number[] = []; // the values of the step on show
  const explainer = new Explainer(topology, () => data);
  /** The page's own local derivatives when it can replay the ops, else the kernel's. */
  const localsNow = (): Local[][] =>
    (locals ??= replayable
      ? localDerivatives(nodes, data)
      : (values.local ?? []).map((row) => row.map((d) => (d === null ? null : Number(d)))));
  let stopFollowing = (): void => {}; // keeping the root in view, until the user takes over
  let sorting: SortPlan | undefined; // the sort's steps: the topology's alone, made once
  let naivePass: NaivePlan | null | undefined; // the naive pass: from the local derivatives, made again as they change
  const naiveNow = (): NaivePlan | null =>
    naivePass === undefined ? (naivePass = naivePlan(nodes, localsNow(), rootId)) : naivePass;
  const forgetLocals = (): void => {
    locals = null;
    naivePass = undefined;
  };
  const topoList = new TopoList();
  let orderMarks = false; // the sort's or the naive pass's marks are on the graph
  const elementsOf = (ids: readonly number[]): number[] =>
    ids.map((id) => view.shown.elementOf[id] ?? -1).filter((e) => e >= 0);
  /** Steps of the sort (T) and of the naive backward pass: their own frames, and their marks on the graph. */
  const drawOrder = (mode: Mode, step: number, naive: NaivePlan | null): string[] | null => {
    if (step >= 0 && mode === "topo") {
      const frame = sortFrame(nodes, (sorting ??= sortPlan(nodes, rootId)), step, explainer);
      view.update(data, grad, {});
      view.highlight(frame.current, frame.edges);
      view.mark("lg-visited", elementsOf(frame.visited), []);
      view.mark("lg-sorted", elementsOf(frame.sorted), []);
      view.markOrder(new Map());
      topoList.show(
        frame.sorted.map((id) => nodes[id].name),
        frame.appended,
      );
      stepper.panel.dataset.fault = "";
      orderMarks = true;
      return frame.lines;
    }
    if (step >= 0 && naive) {
      const frame = naiveFrame(nodes, naive, rootId, step, explainer);
      view.update(data, frame.grad, frame.pending);
      view.highlight(frame.current, frame.edges);
      view.mark("lg-visited", [], []);
      view.mark("lg-sorted", [], []);
      view.markOrder(frame.wrong);
      topoList.show(null);
      stepper.panel.dataset.fault = frame.fault;
      orderMarks = true;
      return frame.lines;
    }
    if (orderMarks) {
      view.mark("lg-visited", [], []);
      view.mark("lg-sorted", [], []);
      view.markOrder(new Map());
      topoList.show(null);
      stepper.panel.dataset.fault = "";
      orderMarks = false;
    }
    return null;
  };

  /** The records as the current step shows them (or every value, when not stepping). */
  const draw = (): void => {
    const mode = model.get("mode");
    const naiveOn = model.get("naive") === true && mode === "backward";
    const naive = naiveOn ? naiveNow() : null; // null too where it would take too many steps
    const count =
      mode === "topo" ? (sorting ??= sortPlan(nodes, rootId)).steps.length : naive ? naive.steps.length : plan.count;
    const step = Math.min(model.get("step"), count);
    if (step >= 0) stopFollowing(); // the current step is what must be in view now
    const ordered = drawOrder(mode, step, naive);
    if (ordered) {
      stepMembers = [];
      stepper.show(mode, step, count, ordered, null, naiveOn);
      return;
    }
    const frame = frameAt({ nodes, root: rootId, data, grad, locals: localsNow, mode, step, explainer, plan, level });
    stepMembers = frame.members;
    view.update(data, frame.grad, frame.pending);
    view.highlight(frame.current, frame.edges);
    const lines =
      naiveOn && step >= 0
        ? [
            "The naive order would pass gradients too many times on a graph this size: the right order is shown.",
            ...frame.lines,
          ]
        : frame.lines;
    stepper.show(mode, step, plan.count, lines, frame.place, naiveOn);
  };
  const stepper = new Stepper({
    go: (mode, step) => {
      if (model.get("step") < 0) navigator.select(null); // a pass starts: the step is what is highlighted now
      model.set("mode", mode);
      model.set("step", step);
      model.save_changes();
      draw();
    },
    naive: (on) => {
      if (model.get("step") < 0) navigator.select(null);
      model.set("naive", on);
      if (on || model.get("mode") === "backward") {
        model.set("mode", "backward"); // the switch shows at once what it changes: the backward pass, from its start
        model.set("step", 0);
      }
      model.save_changes();
      draw();
    },
  });

  const sender = new CoalescingSender((message) => model.send(message), crypto.randomUUID());
  /** Leaves moved by the user: shown at once when the page can replay the graph, and sent to the kernel. */
  const move = (moves: readonly (readonly [id: number, value: number])[]): void => {
    if (moves.length === 0) return;
    if (replayable) {
      for (const [id, value] of moves) data[id] = value;
      forward(nodes, data);
      backward(nodes, data, grad, rootId);
      forgetLocals();
      draw(); // keeps the step index, with the new numbers
    }
    sender.submit(moves);
    root.dataset.synced = "false";
  };
  const sliders = new SliderPanel(model.get("sliders"), (id, value) => move([[id, value]]));
  const navigator = new Navigator({
    nodes,
    root: rootId,
    view,
    sliders,
    reveal: (id) => {
      const next = revealCut(topology, reveal(topology, fold, id), id);
      if (!sameFold(next, fold)) setFold(next, null);
    },
  });
  view.actions.click = (id, event) => navigator.click(id, event);

  const onValues = (): void => {
    values = model.get("values");
    showComputed();
    curve.show(values.history, topology.nodes[rootId].name);
    sender.acknowledge(values.ack);
    root.dataset.synced = String(!sender.busy); // "true": Python holds what the page shows
    if (sender.busy && replayable) return; // the page already shows a newer position than this answer
    data = toNumbers(values.data);
    grad = toNumbers(values.grad);
    view.marks = values.marks ?? [];
    view.tensors = values.tensors ?? [];
    forgetLocals();
    draw();
    if (!sender.busy) showSliders();
  };
  /** Every slider where Python holds its number: a leaf's data, or an input of from_function's `value`. */
  const showSliders = (): void => {
    sliders.show(data);
    for (const { id, value } of model.get("sliders")) if (typeof value === "number") sliders.moveTo(id, value);
  };
  listen("change:values", onValues);
  listen("change:sliders", () => {
    if (!sender.busy) showSliders(); // else the page already shows a newer position
  });
  listen("change:step", draw);
  listen("change:mode", draw);
  listen("change:naive", draw);
  const curve = new LossCurve(); // a training loop's progress: the root at each w.refresh()
  const checkSummary = document.createElement("p");
  checkSummary.className = "lg-check-summary";
  checkSummary.setAttribute("role", "status");
  const onChecks = (): void => {
    const { leaves, locals: edges, summary } = model.get("gradient_check");
    sliders.showChecks(leaves);
    view.markGradcheck(explainer.checkMarks(edges));
    checkSummary.textContent = summary ?? "";
    checkSummary.hidden = !summary;
  };
  listen("change:gradient_check", onChecks);

  // Looking changes nothing: a graph whose backward never ran shows its grads as found, and says so.
  const notComputed = document.createElement("p");
  notComputed.className = "lg-not-computed";
  notComputed.setAttribute("role", "status");
  notComputed.append(
    "Gradients not computed yet: backward() has not run on this graph, so every grad is as you left it. ",
    button(
      "Run backward",
      "Run forward and backward on your graph (it changes its grads, as your backward() would)",
      () => model.send({ type: "backward" }),
    ),
  );
  const showComputed = (): void => {
    notComputed.hidden = model.get("values").grads_computed !== false;
  };
  showComputed(); // and on every change of values (onValues)

  const toolbar = document.createElement("div");
  toolbar.className = "lg-toolbar";
  const fit = button("Fit", "Fit the graph to the panel at a readable size (scroll to zoom, drag to pan)", () =>
    view.fit(),
  );
  const output = button("Output", "Go to the output, the value this graph computes (O, with the graph focused)", () =>
    view.goToOutput(),
  );
  const specs = model.get("sliders");
  const reset = button("Reset", "Put every slider back where it was when the widget was made", () => {
    // A leaf that started at inf or nan (sent as a string) stays where it is: the kernel takes finite values only.
    const moves = specs.flatMap(({ id, initial }) => (typeof initial === "number" ? [[id, initial] as const] : []));
    move(moves);
    for (const [id, value] of moves) sliders.moveTo(id, value); // from_function's inputs too: no node holds them
  });
  reset.hidden = specs.length === 0;
  const check = button(
    "Check gradients",
    "Compare each gradient with a finite difference, and each op's local derivatives on the graph",
    () => {
      model.set("check_gradients", !model.get("check_gradients"));
      model.save_changes();
      showCheckState();
    },
  );
  const showCheckState = (): void => check.setAttribute("aria-pressed", String(model.get("check_gradients")));
  showCheckState();
  listen("change:check_gradients", showCheckState);
  const keys: Record<PresenterAction, () => void> = {
    next: () => stepper.press("next"),
    previous: () => stepper.press("previous"),
    first: () => stepper.press("first"),
    last: () => stepper.press("last"),
    play: () => stepper.press("play"),
    sort: () => stepper.press("topo"),
    backward: () => stepper.press("backward"),
    check: () => check.click(),
    zoomIn: () => view.zoomBy(1.25),
    zoomOut: () => view.zoomBy(0.8),
    fit: () => view.fit(),
    leave: () => presenter.leave(),
  };
  const roomView = (): void => view.textAtLeast(PRESENTER_TEXT_PX); // again when the screen's size changes
  const presenter = new Presenter(root, {
    changed: (on) => {
      if (on) window.addEventListener("resize", roomView);
      else window.removeEventListener("resize", roomView);
      if (model.get("presenting") !== on) {
        model.set("presenting", on);
        model.save_changes();
      }
      // Once the page has its new size: records large enough for the back of the room, or the usual view.
      requestAnimationFrame(() => (on ? roomView() : view.fit()));
    },
    act: (action) => keys[action](),
  });
  listen("change:presenting", () => (model.get("presenting") ? presenter.enter(false) : presenter.leave()));
  toolbar.append(navigator.search.element, fit, output, reset, check, presenter.button);
  toolbar.append(exportButtons(view.element, topology, () => [data, grad], model.get("rankdir")));

  const controls = document.createElement("div");
  controls.className = "lg-controls"; // groups that wrap as wholes
  controls.append(toolbar, stepper.element, legend());
  // The curve goes under the graph: appearing once training starts, it moves nothing above it.
  root.append(controls, notComputed, checkSummary, stepper.panel, topoList.element, stackBar.element, view.element);
  root.append(curve.element, sliders.element);
  curve.show(values.history, topology.nodes[rootId].name);
  draw();
  sliders.show(data);
  onChecks();
  stopFollowing = view.showFirstView(); // with a step preset from Python too, which it keeps in view
  if (model.get("presenting")) presenter.enter(false);
  root.dataset.synced = "true";
  root.dataset.ready = "true";
  performance.measure("livegrad render", { start: started }); // layout and drawing, for devtools

  return () => {
    presenter.dispose();
    window.removeEventListener("resize", roomView);
    stepper.stop();
    stopFollowing();
    view.dispose();
    stopListening();
  };
}

const PRESENTER_TEXT_PX = 24; // records' text in presenter mode, at least: readable from the back of a room

function sameFold(a: FoldState, b: FoldState): boolean {
  return (
    a.expanded.size === b.expanded.size &&
    [...a.expanded].every((name) => b.expanded.has(name)) &&
    a.picks.size === b.picks.size &&
    [...a.picks].every(([name, call]) => b.picks.get(name) === call)
  );
}

/** The state with its topology parsed: as a saved page holds it (columns), and as the tests write it. */
export type WidgetState = Omit<WidgetModel, "topology"> & { topology: Topology | SentTopology };

export type Model = AnyModel<WidgetModel>;
export default { render };
