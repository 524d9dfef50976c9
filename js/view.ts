/**
 * The drawn graph, as the widget sees it: a composition of four rooms, each with its own file.
 * - scene.ts, the drawing: Graphviz's layout (WebAssembly) of the drawn elements, and its index;
 * - camera.ts: the pan and zoom, the first view, Fit, following a step, the minimap's place;
 * - overlays.ts: marks that come and go (the step, its edge labels, paths, check notes);
 * - cardtext.ts: what cards say (numbers, tints, "?" while stepping, hover text).
 * Data flows one way: the widget hands the view folds, values and marks; the view hands the widget
 * only what the user did (`actions`). Every text is set with textContent, never parsed as markup.
 */
import { Graphviz } from "@hpcc-js/wasm-graphviz";
import { Camera, MARGIN } from "./camera";
import { describeTensor, describeValue, writeValues, type Pending } from "./cardtext";
import { drawnGraph } from "./cut";
import { nextTask } from "./dom";
import { toDot } from "./dot";
import type { CheckMark } from "./explain";
import { defaultState, type VisibleGraph } from "./fold";
import type { TensorSummary, Topology } from "./graph";
import type { Box } from "./minimap";
import { Overlays, type StepEdge } from "./overlays";
import { Scene } from "./scene";

const graphviz: Promise<Graphviz> = Graphviz.load(); // starts with the module: the wasm is ready sooner

/** What the view tells the widget: a fold toggled (a group's name or a Σ's key), a stack's call picked, a value clicked. */
export interface ViewActions {
  toggle(key: string): void;
  pick(name: string, call: number): void;
  click?(id: number, event: MouseEvent): void;
}

export class GraphView {
  readonly element: HTMLDivElement;
  private readonly canvas: HTMLDivElement; // moved by pans as a whole, so a pan repaints nothing
  private readonly camera: Camera;
  private scene!: Scene;
  private overlays!: Overlays;
  private data: Float64Array = new Float64Array();
  private grad: Float64Array = new Float64Array();
  private pending: Pending = {};
  /** Per node, what is wrong with its gradient ("zero", "vanishing", "inf", "nan"; PyTorch's graphs). */
  marks: readonly string[] = [];
  /** Per node, a PyTorch tensor's summary (null for a single number), for its hover text. */
  tensors: readonly (TensorSummary | null)[] = [];
  actions: ViewActions = { toggle: () => {}, pick: () => {} };
  private replacing = false; // the drawing is being swapped for a new one

  static async create(
    topology: Topology,
    rankdir: string,
    visible: VisibleGraph = drawnGraph(topology, defaultState(topology)),
  ): Promise<GraphView> {
    const engine = await graphviz;
    const view = new GraphView(topology, rankdir, engine);
    const svgText = view.layout(visible);
    await nextTask(); // the layout and the drawing, each a task of its own: the page stays responsive
    view.load(visible, svgText);
    return view;
  }

  private constructor(
    private readonly topology: Topology,
    private readonly rankdir: string,
    private readonly engine: Graphviz,
  ) {
    this.element = document.createElement("div");
    this.element.className = "lg-graph";
    this.element.tabIndex = 0;
    this.element.dataset.lmSuppressShortcuts = "true"; // the arrow keys pan here, not JupyterLab's notebook
    this.element.setAttribute(
      "aria-label",
      "Graph view: arrow keys pan, + and − zoom, 0 or F fits, End shows the output",
    );
    this.canvas = document.createElement("div");
    this.canvas.className = "lg-canvas";
    this.canvas.addEventListener("pointerover", (event) => this.describe(event.target));
    this.canvas.addEventListener("click", (event) => this.onClick(event));
    this.canvas.addEventListener("keydown", (event) => this.onFoldKey(event));
    this.canvas.addEventListener("focusin", (event) => this.showFocused(event.target as Element));
    this.element.append(this.canvas);
    this.camera = new Camera(this.element, this.canvas, topology, rankdir, inPicker);
  }

  /** Graphviz's drawing of `visible` (SVG text). */
  private layout(visible: VisibleGraph): string {
    const started = performance.now();
    const svgText = this.engine.dot(toDot(this.topology, visible, this.rankdir));
    performance.measure("livegrad layout", { start: started });
    return svgText;
  }

  /** Draw `visible` (laid out as `svgText`) in place of the current drawing. */
  private load(visible: VisibleGraph, svgText = this.layout(visible)): void {
    const started = performance.now();
    // Removing a focused picker fires its change event (Chrome): the old drawing's events are not acted on.
    this.scene = new Scene(svgText, this.topology, visible, (name, call) => {
      if (!this.replacing) this.actions.pick(name, call);
    });
    this.camera.load(this.scene);
    this.overlays = new Overlays(this.scene, this.camera);
    this.replacing = true;
    this.canvas.replaceChildren(this.scene.svg);
    this.replacing = false;
    this.camera.redraw();
    performance.measure("livegrad drawing", { start: started });
  }

  /** The drawn elements (what the stepper and search walk). */
  get shown(): VisibleGraph {
    return this.scene.visible;
  }

  /**
   * Draw `visible` instead (the folds changed). The element the user acted on (`anchor`, a group's
   * name or a Σ's key) stays where it was on screen; without one, the view stays where it is.
   */
  relayout(visible: VisibleGraph, anchor: string | null = null): void {
    const before = anchor === null ? undefined : this.scene.folds.get(anchor)?.box;
    const screen = before && this.camera.toScreen(before.x0, before.y0);
    // Keyboard focus stays on what was acted on: its toggle, or its stack's picker.
    const focused = this.canvas.contains(document.activeElement) ? document.activeElement : null;
    const picker = (focused as HTMLElement | null)?.dataset?.picks;
    const toggle = (focused as SVGElement | null)?.dataset?.toggle;
    this.load(visible);
    if (picker) this.pickerOf(picker)?.focus({ preventScroll: true });
    else if (toggle) this.scene.folds.get(toggle)?.target.focus({ preventScroll: true });
    this.camera.settle(screen, anchor === null ? undefined : this.scene.folds.get(anchor)?.box);
    this.update(this.data, this.grad, this.pending);
  }

  /** Where a value's element (by node id) or a group's or Σ's (by name or key) is, in panel px; null if not drawn. */
  elementRect(target: number | string): Box | null {
    const box = this.scene.boxFor(target);
    if (!box) return null;
    const [x0, y0] = this.camera.toScreen(box.x0, box.y0);
    const [x1, y1] = this.camera.toScreen(box.x1, box.y1);
    return { x0, y0, x1, y1 };
  }

  /** Pan (keeping the scale) so that a value's element, or a group's or Σ's, is in the panel's centre. */
  centreOn(target: number | string): void {
    const box = this.scene.boxFor(target);
    if (box) this.camera.centreAt((box.x0 + box.x1) / 2, (box.y0 + box.y1) / 2, true);
  }

  /** The number input that picks the call a stack shows. */
  pickerOf(name: string): HTMLInputElement | undefined {
    return this.scene.pickerOf(name);
  }

  /** Draw new values into the existing records: no layout, only the texts and colours that changed. */
  update(data: Float64Array, grad: Float64Array, pending: Pending = {}): void {
    this.data = data;
    this.grad = grad;
    this.pending = pending;
    writeValues(this.scene.cards, data, grad, pending, this.marks);
  }

  /** Mark the current step's value, its edges (labelled) and what they reach, and keep them in view. */
  highlight(current: number | null, edges: readonly StepEdge[] = []): void {
    this.overlays.highlight(current, edges);
  }

  /** Navigation's marks: elements and edges (element indexes) given `className` (see `Overlays.mark`). */
  mark(
    className: string,
    elements: Iterable<number>,
    edges: readonly (readonly [number, number])[],
    openGroups = false,
  ): void {
    this.overlays.mark(className, elements, edges, openGroups);
  }

  /** Mark each checked value (id -> result): data-gradcheck "ok" or "fail", and on a failure a visible note. */
  markGradcheck(results: ReadonlyMap<number, CheckMark>): void {
    this.overlays.markGradcheck(results);
  }

  /** Mark each gradient the naive order gets wrong (id -> "what it got, right what"). */
  markOrder(wrong: ReadonlyMap<number, string>): void {
    this.overlays.markOrder(wrong);
  }

  /** Zoom by `factor` about the panel's centre (presenter mode's + and -). */
  zoomBy(factor: number): void {
    this.camera.zoomBy(factor);
  }

  /** Presenter mode's view: the whole graph if its text is at least `px` high, else that size (see `Camera`). */
  textAtLeast(px: number): void {
    this.camera.textAtLeast(px);
  }

  /** Back to a readable overview: the whole graph if it fits at a readable size, else as much as does. */
  fit(): void {
    this.camera.fit();
  }

  /** Stop watching the panel's size: the view is being removed (or drawn again). */
  dispose(): void {
    this.camera.dispose();
  }

  /** Show the first view, and again as the panel's width settles, until the user moves it; returns a stop function. */
  showFirstView(): () => void {
    return this.camera.showFirstView();
  }

  /** Pan (keeping the scale) so that the records of `ids` are in view; nothing if they already are. */
  reveal(ids: readonly number[]): void {
    this.camera.reveal(ids);
  }

  /** Go to the output (the root): what a learner looks for first. */
  goToOutput(): void {
    this.camera.goToOutput();
  }

  /** A click on a fold toggles it; on a value's card, the widget hears of it. */
  private onClick(event: MouseEvent): void {
    const target = event.target as Element | null;
    if (inPicker(target)) return;
    const fold = target?.closest?.("[data-toggle]") as SVGGElement | null;
    if (fold) {
      this.actions.toggle(fold.dataset.toggle as string);
      return;
    }
    const value = target?.closest?.("g.lg-value") as SVGGElement | null;
    if (value && this.actions.click) this.actions.click(Number(value.dataset.nodeId), event);
  }

  /** Pan so that what has the keyboard focus (a fold, a picker) is in the panel. */
  private showFocused(target: Element): void {
    const r = target.getBoundingClientRect();
    const p = this.element.getBoundingClientRect();
    if (r.width === 0 || p.width === 0) return; // not laid out (or not in a page)
    const shift = (low: number, high: number, from: number, to: number): number =>
      low < from ? from - low + MARGIN : high > to ? Math.max(to - high - MARGIN, from - low + MARGIN) : 0;
    const dx = shift(r.left, r.right, p.left, p.right);
    const dy = shift(r.top, r.bottom, p.top, p.bottom);
    if (dx === 0 && dy === 0) return;
    this.camera.panBy(dx, dy);
  }

  private onFoldKey(event: KeyboardEvent): void {
    const target = event.target as Element | null;
    if ((event.key !== "Enter" && event.key !== " ") || !(target as SVGElement | null)?.dataset?.toggle) return;
    event.preventDefault();
    event.stopPropagation();
    this.actions.toggle((target as SVGElement).dataset.toggle as string);
  }

  /** Hover text with full precision, written only for the node under the pointer. */
  private describe(target: EventTarget | null): void {
    const group = (target as Element | null)?.closest?.("g.lg-value") as SVGGElement | null;
    const id = Number(group?.dataset.nodeId);
    const card = this.scene.cardOf(id);
    if (!this.topology.nodes[id] || !card) return;
    const finding = this.overlays.findings.get(this.scene.visible.elementOf[id] ?? -1);
    const tensor = this.tensors[id] ?? null;
    card.title.textContent =
      describeValue(this.topology, id, this.data, this.grad, finding, this.marks[id]) + describeTensor(tensor);
  }
}

/** Is `target` inside a stack's picker (which takes its own clicks, keys and drags)? */
function inPicker(target: EventTarget | null): boolean {
  return !!(target as Element | null)?.closest?.(".lg-picker");
}

export { gradientFill } from "./cardtext";
export { bestCut, bestWindow, startAtInputs } from "./camera";
export type { Pending } from "./cardtext";
export type { StepEdge } from "./overlays";
