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
  readFlows,
  readTopology,
  type Flows,
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
import { OrderSteps } from "./ordersteps";
import { Presenter, type PresenterAction } from "./present";
import { naivePlan, type NaivePlan } from "./sort";
import { StackBar } from "./stackbar";
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
  el.append(root);
  const events = new Listeners(model);
  root.append(errorNotice(model, events));
  const topology = readTopology(model.get("topology"));
  performance.measure("livegrad topology", { start: started });
  if (topology.too_large) {
    const message = document.createElement("p");
    message.className = "lg-too-large";
    message.textContent = topology.too_large.message; // written by Python, which knows the limit
    root.append(message);
    root.dataset.ready = "true";
    return () => events.stop();
  }
  await nextTask(); // the page paints what it has (the toolbar's place) before the folds are worked out
  const folding = performance.now();
  const fold = readFold(model) ?? defaultState(topology);
  if (!Array.isArray(model.get("expanded"))) writeFold(model, fold);
  const first = drawnGraph(topology, fold);
  performance.measure("livegrad folds", { start: folding });
  await nextTask();
  const view = await GraphView.create(topology, model.get("rankdir"), first);
  const page = new Page(model, root, topology, view, fold, events);
  performance.measure("livegrad render", { start: started }); // layout and drawing, for devtools
  return () => page.close();
}

/** The model's listeners this page added, removed together when it closes. */
class Listeners {
  private readonly added: [event: string, listener: () => void][] = [];
  constructor(private readonly model: Model) {}
  on(event: string, listener: () => void): void {
    this.model.on(event, listener);
    this.added.push([event, listener]);
  }
  stop(): void {
    for (const [event, listener] of this.added) this.model.off(event, listener);
  }
}

/** The kernel's errors, said above everything else. */
function errorNotice(model: Model, events: Listeners): HTMLDivElement {
  const notice = document.createElement("div");
  notice.className = "lg-error";
  notice.setAttribute("role", "alert");
  const show = (): void => {
    notice.textContent = model.get("error");
    notice.hidden = !model.get("error");
  };
  show();
  events.on("change:error", show);
  return notice;
}

/** The folds as the model holds them; null when it holds none yet (or not a list). */
function readFold(model: Model): FoldState | null {
  const expanded = model.get("expanded");
  if (!Array.isArray(expanded)) return null;
  const picks = model.get("picks");
  const entries = picks && typeof picks === "object" ? Object.entries(picks) : [];
  return {
    expanded: new Set(expanded.filter((name) => typeof name === "string")),
    picks: new Map(entries.filter((entry): entry is [string, number] => typeof entry[1] === "number")),
  };
}

function writeFold(model: Model, fold: FoldState): void {
  model.set("expanded", [...fold.expanded]);
  model.set("picks", Object.fromEntries(fold.picks));
  model.save_changes();
}

/**
 * A drawn widget: the model's state on the page, and the user's actions back to the model. It holds
 * what the page shows (folds, numbers, the step) and composes the parts that show it: the graph view,
 * the stepper, the sliders, navigation, the toolbar, the notices.
 */
class Page {
  private readonly replayable: boolean; // the page can replay the ops itself (not a learner's engine)
  private readonly nodes: Topology["nodes"];
  private readonly rootId: number;
  private values: Values;
  private data: Float64Array;
  private grad: Float64Array;
  private flows: Flows | undefined; // a PyTorch graph's tensor steps, read once per values message
  private locals: Local[][] | null = null; // each edge's local derivative: worked out when stepping needs it
  private level: ReturnType<typeof stepLevel>; // a step is one drawn element
  private plan: ReturnType<typeof planSteps>;
  private stepMembers: number[] = []; // the values of the step on show
  private readonly explainer: Explainer;
  private stopFollowing = (): void => {}; // keeping the root in view, until the user takes over
  private naivePass: NaivePlan | null | undefined; // the naive pass: from the local derivatives, made again as they change
  private readonly orders: OrderSteps;
  private readonly stackBar: StackBar;
  private readonly stepper: Stepper;
  private readonly sender: CoalescingSender;
  private readonly sliders: SliderPanel;
  private readonly navigator: Navigator;
  private readonly curve = new LossCurve(); // a training loop's progress: the root at each w.refresh()
  private readonly checkSummary = statusLine("lg-check-summary");
  private readonly notComputed: HTMLParagraphElement;
  private readonly check: HTMLButtonElement;
  private readonly presenter: Presenter;
  private readonly roomView = (): void => this.view.textAtLeast(PRESENTER_TEXT_PX); // again as the screen resizes

  constructor(
    private readonly model: Model,
    private readonly root: HTMLDivElement,
    private readonly topology: Topology,
    private readonly view: GraphView,
    private fold: FoldState,
    private readonly events: Listeners,
  ) {
    this.nodes = topology.nodes;
    this.rootId = topology.root;
    this.replayable = topology.replay !== false && canReplay(topology.nodes);
    this.values = model.get("values");
    this.data = toNumbers(this.values.data);
    this.grad = toNumbers(this.values.grad);
    this.flows = readFlows(this.values.flows);
    view.marks = this.values.marks ?? []; // PyTorch's graphs: where gradients die, and tensors' summaries
    view.tensors = this.values.tensors ?? [];
    this.level = stepLevel(topology, view.shown);
    this.plan = planSteps(this.nodes, this.level.unitOf);
    this.explainer = new Explainer(topology, () => this.data);
    this.stackBar = new StackBar(topology, (name, call) => view.actions.pick(name, call));
    this.stackBar.update(view.shown.elements);
    view.actions = {
      toggle: (key) => {
        const expanded = new Set(this.fold.expanded);
        if (!expanded.delete(key)) expanded.add(key);
        this.setFold({ expanded, picks: this.fold.picks }, key);
      },
      pick: (name, call) =>
        this.setFold({ expanded: this.fold.expanded, picks: new Map(this.fold.picks).set(name, call) }, name),
      click: (id, event) => this.navigator.click(id, event),
    };
    this.stepper = this.makeStepper();
    if (this.values.flows?.some(Boolean)) this.stepper.withoutNaive(TENSOR_NAIVE);
    this.orders = new OrderSteps(view, this.stepper.panel, this.nodes, this.rootId, this.explainer);
    this.sender = new CoalescingSender((message) => model.send(message), crypto.randomUUID());
    this.sliders = new SliderPanel(model.get("sliders"), (id, value) => this.move([[id, value]]));
    this.navigator = new Navigator({
      nodes: this.nodes,
      root: this.rootId,
      view,
      sliders: this.sliders,
      reveal: (id) => {
        const next = revealCut(topology, reveal(topology, this.fold, id), id);
        if (!sameFold(next, this.fold)) this.setFold(next, null);
      },
    });
    this.notComputed = this.notComputedNotice();
    this.check = button(
      "Check gradients",
      "Compare each gradient with a finite difference, and each op's local derivatives on the graph",
      () => {
        model.set("check_gradients", !model.get("check_gradients"));
        model.save_changes();
        this.showCheckState();
      },
    );
    this.presenter = this.makePresenter();
    this.listen();
    this.assemble();
  }

  private listen(): void {
    const { events, model } = this;
    events.on("change:expanded", () => this.onFold());
    events.on("change:picks", () => this.onFold());
    events.on("change:values", () => this.onValues());
    events.on("change:sliders", () => {
      if (!this.sender.busy) this.showSliders(); // else the page already shows a newer position
    });
    for (const event of ["change:step", "change:mode", "change:naive"]) events.on(event, () => this.draw());
    events.on("change:gradient_check", () => this.onChecks());
    events.on("change:check_gradients", () => this.showCheckState());
    events.on("change:presenting", () =>
      model.get("presenting") ? this.presenter.enter(false) : this.presenter.leave(),
    );
  }

  /** Put the parts on the page, draw the first view, and say the page is ready. */
  private assemble(): void {
    const { root, model, view } = this;
    const controls = document.createElement("div");
    controls.className = "lg-controls"; // groups that wrap as wholes
    controls.append(this.toolbar(), this.stepper.element, legend());
    // The curve goes under the graph: appearing once training starts, it moves nothing above it.
    root.append(controls, this.notComputed, this.checkSummary, this.stepper.panel, this.orders.list.element);
    root.append(this.stackBar.element, view.element, this.curve.element, this.sliders.element);
    this.curve.show(this.values.history, this.nodes[this.rootId].name);
    this.showCheckState();
    this.draw();
    this.sliders.show(this.data);
    this.onChecks();
    this.stopFollowing = view.showFirstView(); // with a step preset from Python too, which it keeps in view
    if (model.get("presenting")) this.presenter.enter(false);
    root.dataset.synced = "true";
    root.dataset.ready = "true";
  }

  close(): void {
    this.presenter.dispose();
    window.removeEventListener("resize", this.roomView);
    this.stepper.stop();
    this.stopFollowing();
    this.view.dispose();
    this.events.stop();
  }

  /** Draw with other folds; `anchor` (what the user acted on) keeps its place on screen. */
  private refold(next: FoldState, anchor: string | null): void {
    const { model, view, topology } = this;
    this.fold = next;
    const visible = drawnGraph(topology, next);
    view.relayout(visible, anchor);
    this.stackBar.update(visible.elements);
    this.level = stepLevel(topology, view.shown);
    this.plan = planSteps(this.nodes, this.level.unitOf);
    this.navigator.refresh();
    const step = model.get("step");
    const goOn = step > 0 ? firstStepOf(this.plan, model.get("mode"), this.stepMembers) : null;
    if (goOn !== null && goOn !== step) {
      model.set("step", goOn); // the pass goes on inside what was expanded, or onto what was collapsed
      model.save_changes();
    }
    this.draw();
    this.onChecks();
  }

  /** The user's own change of folds (a toggle, a pick, a search that reveals a value): drawn and saved. */
  private setFold(next: FoldState, anchor: string | null): void {
    this.refold(next, anchor);
    writeFold(this.model, this.fold);
  }

  /** Python's expand, collapse or pick: drawn, and what it opened or picked brought into view. */
  private onFold(): void {
    const next = readFold(this.model);
    const fold = this.fold;
    if (!next || sameFold(next, fold)) return;
    const opened = [...next.expanded].filter((name) => !fold.expanded.has(name));
    const picked = [...next.picks].filter(([name, call]) => fold.picks.get(name) !== call).map(([name]) => name);
    this.refold(next, null);
    const shown = [...opened, ...picked].pop();
    if (shown !== undefined) this.view.centreOn(shown);
  }

  /** The page's own local derivatives when it can replay the ops, else the kernel's. */
  private localsNow(): Local[][] {
    return (this.locals ??= this.replayable
      ? localDerivatives(this.nodes, this.data)
      : (this.values.local ?? []).map((row) => row.map((d) => (d === null ? null : Number(d)))));
  }

  /** The naive pass: null where it would take too many steps. */
  private naiveNow(): NaivePlan | null {
    if (this.naivePass === undefined) this.naivePass = naivePlan(this.nodes, this.localsNow(), this.rootId);
    return this.naivePass;
  }

  private forgetLocals(): void {
    this.locals = null;
    this.naivePass = undefined;
  }

  /** The records as the current step shows them (or every value, when not stepping). */
  private draw(): void {
    const { model, nodes, rootId, view } = this;
    const mode = model.get("mode");
    const naiveOn = model.get("naive") === true && mode === "backward";
    const naive = naiveOn ? this.naiveNow() : null; // null too where it would take too many steps
    const count = mode === "topo" ? this.orders.sortSteps() : naive ? naive.steps.length : this.plan.count;
    const step = Math.min(model.get("step"), count);
    if (step >= 0) this.stopFollowing(); // the current step is what must be in view now
    const ordered = this.orders.draw(mode, step, naive, this.data, this.grad);
    if (ordered) {
      this.stepMembers = [];
      this.stepper.show(mode, step, count, ordered, null, naiveOn);
      return;
    }
    const { data, grad, flows, explainer, plan, level } = this;
    const locals = (): Local[][] => this.localsNow();
    const frame = frameAt({ nodes, root: rootId, data, grad, locals, flows, mode, step, explainer, plan, level });
    this.stepMembers = frame.members;
    view.update(data, frame.grad, frame.pending);
    view.highlight(frame.current, frame.edges);
    const lines =
      naiveOn && step >= 0
        ? [
            "The naive order would pass gradients too many times on a graph this size: the right order is shown.",
            ...frame.lines,
          ]
        : frame.lines;
    this.stepper.show(mode, step, plan.count, lines, frame.place, naiveOn);
  }

  private makeStepper(): Stepper {
    const { model } = this;
    return new Stepper({
      go: (mode, step) => {
        if (model.get("step") < 0) this.navigator.select(null); // a pass starts: the step is what is highlighted now
        model.set("mode", mode);
        model.set("step", step);
        model.save_changes();
        this.draw();
      },
      naive: (on) => {
        if (model.get("step") < 0) this.navigator.select(null);
        model.set("naive", on);
        if (on || model.get("mode") === "backward") {
          model.set("mode", "backward"); // the switch shows at once what it changes: the backward pass, from its start
          model.set("step", 0);
        }
        model.save_changes();
        this.draw();
      },
    });
  }

  /** Leaves moved by the user: shown at once when the page can replay the graph, and sent to the kernel. */
  private move(moves: readonly (readonly [id: number, value: number])[]): void {
    if (moves.length === 0) return;
    if (this.replayable) {
      for (const [id, value] of moves) this.data[id] = value;
      forward(this.nodes, this.data);
      backward(this.nodes, this.data, this.grad, this.rootId);
      this.forgetLocals();
      this.draw(); // keeps the step index, with the new numbers
    }
    this.sender.submit(moves);
    this.root.dataset.synced = "false";
  }

  private onValues(): void {
    const { model, sender, root } = this;
    this.values = model.get("values");
    this.showComputed();
    this.curve.show(this.values.history, this.nodes[this.rootId].name);
    sender.acknowledge(this.values.ack);
    root.dataset.synced = String(!sender.busy); // "true": Python holds what the page shows
    if (sender.busy && this.replayable) return; // the page already shows a newer position than this answer
    this.data = toNumbers(this.values.data);
    this.grad = toNumbers(this.values.grad);
    this.flows = readFlows(this.values.flows);
    this.view.marks = this.values.marks ?? [];
    this.view.tensors = this.values.tensors ?? [];
    this.forgetLocals();
    this.draw();
    if (!sender.busy) this.showSliders();
  }

  /** Every slider where Python holds its number: a leaf's data, or an input of from_function's `value`. */
  private showSliders(): void {
    this.sliders.show(this.data);
    for (const { id, value } of this.model.get("sliders"))
      if (typeof value === "number") this.sliders.moveTo(id, value);
  }

  private onChecks(): void {
    const { leaves, locals: edges, summary } = this.model.get("gradient_check");
    this.sliders.showChecks(leaves);
    this.view.markGradcheck(this.explainer.checkMarks(edges));
    this.checkSummary.textContent = summary ?? "";
    this.checkSummary.hidden = !summary;
  }

  private showCheckState(): void {
    this.check.setAttribute("aria-pressed", String(this.model.get("check_gradients")));
  }

  /** Looking changes nothing: a graph whose backward never ran shows its grads as found, and says so. */
  private notComputedNotice(): HTMLParagraphElement {
    const notice = statusLine("lg-not-computed");
    notice.hidden = false;
    notice.append(
      "Gradients not computed yet: backward() has not run on this graph, so every grad is as you left it. ",
      button(
        "Run backward",
        "Run forward and backward on your graph (it changes its grads, as your backward() would)",
        () => this.model.send({ type: "backward" }),
      ),
    );
    notice.hidden = this.model.get("values").grads_computed !== false;
    return notice;
  }

  private showComputed(): void {
    this.notComputed.hidden = this.model.get("values").grads_computed !== false;
  }

  /** Find, Fit, Output, Reset, Check gradients, Present, and the exports. */
  private toolbar(): HTMLDivElement {
    const { model, view, sliders } = this;
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
      this.move(moves);
      for (const [id, value] of moves) sliders.moveTo(id, value); // from_function's inputs too: no node holds them
    });
    reset.hidden = specs.length === 0;
    toolbar.append(this.navigator.search.element, fit, output, reset, this.check, this.presenter.button);
    toolbar.append(exportButtons(view.element, this.topology, () => [this.data, this.grad], model.get("rankdir")));
    return toolbar;
  }

  /** Presenter mode: full screen, large type, its keys. */
  private makePresenter(): Presenter {
    const { model, view, stepper } = this;
    const keys: Record<PresenterAction, () => void> = {
      next: () => stepper.press("next"),
      previous: () => stepper.press("previous"),
      first: () => stepper.press("first"),
      last: () => stepper.press("last"),
      play: () => stepper.press("play"),
      sort: () => stepper.press("topo"),
      backward: () => stepper.press("backward"),
      check: () => this.check.click(),
      zoomIn: () => view.zoomBy(1.25),
      zoomOut: () => view.zoomBy(0.8),
      fit: () => view.fit(),
      leave: () => this.presenter.leave(),
    };
    return new Presenter(this.root, {
      changed: (on) => {
        if (on) window.addEventListener("resize", this.roomView);
        else window.removeEventListener("resize", this.roomView);
        if (model.get("presenting") !== on) {
          model.set("presenting", on);
          model.save_changes();
        }
        // Once the page has its new size: records large enough for the back of the room, or the usual view.
        requestAnimationFrame(() => (on ? this.roomView() : view.fit()));
      },
      act: (action) => keys[action](),
    });
  }
}

/** A status line (a live region) of the page: the check's summary, the gradients notice. */
function statusLine(className: string): HTMLParagraphElement {
  const line = document.createElement("p");
  line.className = className;
  line.setAttribute("role", "status");
  return line;
}

const TENSOR_NAIVE =
  "A PyTorch tensor graph has no naive order to show: its local derivatives are matrices, and its gradients are torch's";
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
