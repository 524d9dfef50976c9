/**
 * The drawn graph: laid out once per topology by Graphviz (WebAssembly), then updated in
 * place. Every text is set with textContent, never parsed as markup. The view is a window
 * onto the drawing, panned and zoomed (mouse, keyboard, minimap) but never below a scale
 * where the text is still readable, unless the user zooms out on purpose.
 */
import { Graphviz } from "@hpcc-js/wasm-graphviz";
import { select } from "d3-selection";
import { zoom, zoomIdentity, type ZoomBehavior, type ZoomTransform } from "d3-zoom";
import { nextTask } from "./dom";
import { clusterHeader, foldFields, moreText, opText, toDot, shownLabel } from "./dot";
import { drawnGraph } from "./cut";
import { defaultState, type Element as Folded, type VisibleGraph } from "./fold";
import { formatNumber } from "./format";
import type { Topology } from "./graph";
import type { CheckMark } from "./explain";
import { CORNERS, Minimap, type Box, type Corner } from "./minimap";

const graphviz: Promise<Graphviz> = Graphviz.load(); // starts with the module: the wasm is ready sooner

const PT_TO_PX = 4 / 3;
const FONT_PT = 10; // the records' font size in the DOT text (dot.ts)
const CHAR_PT = 6; // the width of one of its characters (Courier)
const MIN_TEXT_PX = 10; // the smallest text the first view and Fit draw
const MIN_SCALE = MIN_TEXT_PX / (FONT_PT * PT_TO_PX);
const START_SCALE = 0.9; // a graph too big to fit starts near here, at the inputs
const MAX_START_SCALE = 1.25; // ... or up to here, if that keeps a record from being cut
const MARGIN = 8; // px around the drawing inside the panel
const MIN_HEIGHT = 120; // the panel never becomes a strip
const MAX_HEIGHT = 560;
const SVG = "http://www.w3.org/2000/svg";
const MAX_FOLLOWED = 8; // a step's edges the view pans to keep in view, beside its current element
const LABEL_PX = 12; // the edge labels' and notes' font size (widget.css), drawing px
const LABEL_CHAR_PX = 0.6 * LABEL_PX; // the width of one of their characters, about (a monospace font)

/** While stepping, values not yet computed: they show "?" rather than a misleading number. */
export interface Pending {
  data?: Uint8Array;
  grad?: Uint8Array;
}

/** An edge of the current step: gradient flows from value `to` back into its input `from`. */
export interface StepEdge {
  from: number;
  to: number;
  label?: string;
}

/** A drawn element's record: a value's, or a folded group's, stack's or Σ's. */
interface Card {
  group: SVGGElement;
  box: SVGElement | null;
  data: SVGTextElement | null;
  grad: SVGTextElement | null;
  title: SVGTitleElement;
  op: SVGGElement | null;
  shows: number; // the node whose numbers it shows (a folded element: its first output), -1 none
  shown: [data: string, grad: string, fill: string, nonFinite: boolean, pending: boolean];
}

/** Below this panel width a gradient-check note is cut to `NARROW_NOTE` characters (the summary line
 * above the graph and the card's hover give it in full): a longer one would run off the panel. */
const NARROW_PX = 600;
const NARROW_NOTE = 34;

/** What the view tells the widget: a fold toggled (a group's name or a Σ's key), a stack's call picked, a value clicked. */
export interface ViewActions {
  toggle(key: string): void;
  pick(name: string, call: number): void;
  click?(id: number, event: MouseEvent): void;
}

export class GraphView {
  readonly element: HTMLDivElement;
  private readonly canvas: HTMLDivElement; // moved by pans as a whole, so a pan repaints nothing
  private readonly observers: ResizeObserver[] = []; // disconnected by dispose()
  private noteRoom = 0; // px kept free above the drawing in the first view, for a note that goes there
  private laidOut = false; // a first view has been shown: the panel had a width
  private followed: number[] = []; // the current step's values, kept in view (highlight)
  private viewSize: [number, number] | null = null; // the panel's size, read once per layout, not after each write
  private readonly zoomer: ZoomBehavior<HTMLDivElement, unknown>;
  private transform: ZoomTransform = zoomIdentity;
  private data: Float64Array = new Float64Array();
  private grad: Float64Array = new Float64Array();
  private pending: Pending = {};
  // One layout's drawing, replaced whole when the folds change (load).
  private svg!: SVGSVGElement;
  private pane!: SVGGElement;
  private shownScale = 0;
  private offset: [number, number] = [0, 0]; // Graphviz's own translation of its drawing, in pt
  private size: [number, number] = [0, 0]; // the drawing at scale 1, px
  private visible!: VisibleGraph;
  private cards: Card[] = []; // per drawn element
  private boxes: Box[] = []; // each element's record in drawing px
  private opBoxes: Box[] = []; // each op's ellipse in drawing px: labels keep off them too
  // "3->5": the edge from element 3 into element 5 (its op); two pieces when it runs through a junction
  private edges = new Map<string, SVGGElement[]>();
  private folds = new Map<string, { target: SVGGElement; box: Box }>(); // group name or Σ key -> what toggles it
  private highlighted = new Map<Element, string>(); // element -> the class the current step gave it
  private opEdges = new Map<number, SVGGElement>(); // element -> the edge from its op into it
  private marked = new Map<string, Element[]>(); // class -> what mark() gave it (paths, a found value)
  private notes!: SVGGElement; // edge labels and gradient-check notes, drawn over the graph
  private edgeLabels: SVGTextElement[] = []; // reused from step to step; those past `labelsShown` detached
  private labelsShown = 0;
  private labelBoxes: Box[] = []; // where the step's edge labels are: a naive-order note keeps off them
  private noteMarks = new Map<string, SVGTextElement[]>(); // a mark's notes (gradient check, naive order), by attribute
  private notesAbove = new Map<string, boolean>(); // ... and whether any needs room above the drawing
  private readonly findings = new Map<number, string>(); // element -> what Check gradients found wrong there
  private minimap!: Minimap;
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
    this.zoomer = zoom<HTMLDivElement, unknown>()
      .scaleExtent([0.05, 4])
      // A stack's picker takes its own clicks and keys: no pan starts there.
      .filter((event) => (!event.ctrlKey || event.type === "wheel") && !event.button && !inPicker(event.target))
      .extent(() => [
        [0, 0],
        [this.viewWidth(), this.viewHeight()],
      ])
      .on("zoom", (event) => {
        if (event.sourceEvent) this.touched = true;
        this.show(event.transform);
      });
    select(this.element).call(this.zoomer).on("dblclick.zoom", null);
    this.element.addEventListener("keydown", (event) => this.onKey(event));
    // Focus moving to a fold or a picker off screen (Tab) makes the browser scroll the panel, though
    // it hides its overflow: that scroll becomes a pan, so the drawing and the zoom stay in step.
    this.element.addEventListener("scroll", () => {
      const { scrollLeft: dx, scrollTop: dy } = this.element;
      if (dx === 0 && dy === 0) return;
      this.element.scrollLeft = 0;
      this.element.scrollTop = 0;
      this.touched = true;
      this.apply(this.transform.translate(-dx / this.transform.k, -dy / this.transform.k));
    });
    this.canvas = document.createElement("div");
    this.canvas.className = "lg-canvas";
    this.canvas.addEventListener("pointerover", (event) => this.describe(event.target));
    this.canvas.addEventListener("click", (event) => this.onClick(event));
    this.canvas.addEventListener("keydown", (event) => this.onFoldKey(event));
    this.canvas.addEventListener("focusin", (event) => this.showFocused(event.target as Element));
    this.element.append(this.canvas);
    if (typeof ResizeObserver !== "undefined") {
      this.observe(() => (this.viewSize = null));
    }
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
    // Graphviz's output holds no user text (labels are placeholders), so the HTML parser, much
    // faster than the XML one on a large drawing, can read it without risk. Its comments name
    // internal ids, so they go (the pattern spells "-{2}": the bundle, inlined into saved pages,
    // must hold no comment opener).
    const template = document.createElement("template");
    template.innerHTML = svgText.slice(svgText.indexOf("<svg")).replace(/<!-{2}[^]*?-{2}>/g, "");
    this.svg = template.content.querySelector("svg") as SVGSVGElement;
    const [, , width, height] = viewBox(this.svg);
    this.size = [width * PT_TO_PX, height * PT_TO_PX];
    for (const name of ["width", "height"]) this.svg.removeAttribute(name); // show() sizes it to the zoom
    this.svg.setAttribute("role", "graphics-document");
    const { topology } = this;
    const rootName = topology.nodes[topology.root].name;
    const folded = visible.elements.length < topology.nodes.length ? `, ${visible.elements.length} drawn` : "";
    this.svg.setAttribute(
      "aria-label",
      `Computation graph of ${rootName || "the output"}: ${topology.nodes.length} values${folded}, each with its data and grad`,
    );
    this.pane = this.svg.querySelector("g.graph") as SVGGElement; // Graphviz's root group
    const shift = /translate\(\s*([-\d.e]+)[\s,]+([-\d.e]+)\s*\)/.exec(this.pane.getAttribute("transform") ?? "");
    this.offset = shift ? [Number(shift[1]), Number(shift[2])] : [0, 0];
    this.visible = visible;
    this.cards = [];
    this.boxes = [];
    this.opBoxes = [];
    this.edges = new Map();
    this.folds = new Map();
    this.highlighted = new Map();
    this.opEdges = new Map();
    this.marked = new Map();
    this.edgeLabels = [];
    this.labelsShown = 0;
    this.labelBoxes = [];
    this.noteMarks = new Map();
    this.notesAbove = new Map();
    this.indexNodes();
    this.notes = document.createElementNS(SVG, "g");
    this.notes.setAttribute("class", "lg-notes");
    this.pane.append(this.notes); // last, so its texts are drawn over the records and edges
    const root = visible.elementOf[topology.root];
    const minimap = new Minimap(this.size, this.boxes, root, (x, y) => this.centreAt(x, y, true));
    if (this.minimap) this.minimap.element.replaceWith(minimap.element);
    else this.element.append(minimap.element);
    this.minimap = minimap;
    this.zoomer.translateExtent([
      [-40, -40],
      [this.size[0] + 40, this.size[1] + 40],
    ]);
    // Removing a focused picker fires its change event (Chrome): the old drawing's events are not acted on.
    this.replacing = true;
    this.canvas.replaceChildren(this.svg);
    this.replacing = false;
    this.shownScale = 0;
    this.show(this.transform);
    performance.measure("livegrad drawing", { start: started });
  }

  /** The drawn elements (what the stepper and search walk). */
  get shown(): VisibleGraph {
    return this.visible;
  }

  /**
   * Draw `visible` instead (the folds changed). The element the user acted on (`anchor`, a group's
   * name or a Σ's key) stays where it was on screen; without one, the view stays where it is.
   */
  relayout(visible: VisibleGraph, anchor: string | null = null): void {
    const before = anchor === null ? undefined : this.folds.get(anchor)?.box;
    const screen = before && this.transform.apply([before.x0, before.y0]);
    // Keyboard focus stays on what was acted on: its toggle, or its stack's picker.
    const focused = this.canvas.contains(document.activeElement) ? document.activeElement : null;
    const picker = (focused as HTMLElement | null)?.dataset?.picks;
    const toggle = (focused as SVGElement | null)?.dataset?.toggle;
    this.load(visible);
    if (picker) this.pickerOf(picker)?.focus({ preventScroll: true });
    else if (toggle) this.folds.get(toggle)?.target.focus({ preventScroll: true });
    const after = anchor === null ? undefined : this.folds.get(anchor)?.box;
    const k = this.transform.k;
    if (screen && after) {
      this.touched = true;
      const tallest = Math.min(MAX_HEIGHT, Math.max(MIN_HEIGHT, window.innerHeight * 0.7));
      const wanted = Math.min(tallest, Math.ceil(this.size[1] * k + 2 * MARGIN));
      if (wanted > this.viewHeight()) this.setHeight(wanted);
      this.apply(zoomIdentity.translate(screen[0] - after.x0 * k, screen[1] - after.y0 * k).scale(k));
    } else if (this.touched) this.apply(this.transform);
    else this.firstView(false);
    this.update(this.data, this.grad, this.pending);
  }

  /** Where a value's element (by node id) or a group's or Σ's (by name or key) is, in panel px; null if not drawn. */
  elementRect(target: number | string): Box | null {
    const box = this.boxFor(target);
    if (!box) return null;
    const [x0, y0] = this.transform.apply([box.x0, box.y0]);
    const [x1, y1] = this.transform.apply([box.x1, box.y1]);
    return { x0, y0, x1, y1 };
  }

  /** Pan (keeping the scale) so that a value's element, or a group's or Σ's, is in the panel's centre. */
  centreOn(target: number | string): void {
    const box = this.boxFor(target);
    if (box) this.centreAt((box.x0 + box.x1) / 2, (box.y0 + box.y1) / 2, true);
  }

  /** The number input that picks the call a stack shows. */
  pickerOf(name: string): HTMLInputElement | undefined {
    return [...this.canvas.querySelectorAll<HTMLInputElement>(".lg-picker input")].find(
      (i) => i.dataset.picks === name,
    );
  }

  private boxFor(target: number | string): Box | undefined {
    if (typeof target === "string") return this.folds.get(target)?.box;
    return this.boxes[this.visible.elementOf[target] ?? -1];
  }

  /** Has the user panned, zoomed or used the minimap since the first view? */
  private touched = false;

  /** Draw new values into the existing records: no layout, only the texts and colours that changed. */
  update(data: Float64Array, grad: Float64Array, pending: Pending = {}): void {
    this.data = data;
    this.grad = grad;
    this.pending = pending;
    let largest = 0;
    grad.forEach((g, i) => {
      if (Number.isFinite(g) && !pending.grad?.[i]) largest = Math.max(largest, Math.abs(g));
    });
    for (const node of this.cards) {
      const i = node.shows;
      if (i < 0 || !node.data || !node.grad) continue;
      const dataPending = pending.data?.[i] === 1;
      const gradPending = pending.grad?.[i] === 1;
      const dataText = `data ${dataPending ? "?" : formatNumber(data[i])}`;
      const gradText = `grad ${gradPending ? "?" : formatNumber(grad[i])}`;
      const fill = gradPending ? "" : gradientFill(grad[i], largest);
      const nonFinite = (!dataPending && !Number.isFinite(data[i])) || (!gradPending && !Number.isFinite(grad[i]));
      const isPending = dataPending || gradPending;
      const [shownData, shownGrad, shownFill, shownNonFinite, shownPending] = node.shown;
      if (dataText !== shownData) node.data.textContent = dataText;
      if (gradText !== shownGrad) node.grad.textContent = gradText;
      if (fill !== shownFill && node.box) node.box.style.fill = fill;
      if (nonFinite !== shownNonFinite) node.group.classList.toggle("lg-nonfinite", nonFinite);
      if (isPending !== shownPending) node.group.classList.toggle("lg-pending", isPending);
      node.shown = [dataText, gradText, fill, nonFinite, isPending];
    }
  }

  /**
   * Mark the node of the current step and its op (lg-current), the edges of the step (lg-active,
   * each with its label drawn on it) and the values they reach (lg-receiving), and keep them in view.
   */
  highlight(current: number | null, edges: readonly StepEdge[] = []): void {
    // Only what differs from the last step is touched: a step restyles a handful of elements,
    // whatever the graph's size (and the same step drawn twice costs no style or layout at all).
    const marks = new Map<Element, string>();
    const mark = (element: Element | null | undefined, name: string): void => {
      if (element && !marks.has(element)) marks.set(element, name);
    };
    const card = (id: number): Card | undefined => this.cards[this.visible.elementOf[id] ?? -1];
    if (current !== null) {
      mark(card(current)?.group, "lg-current");
      mark(card(current)?.op, "lg-current");
    }
    const labels: [SVGGElement, string][] = [];
    const { elementOf } = this.visible;
    for (const { from, to, label } of edges) {
      const edge = this.edges.get(`${elementOf[from]}->${elementOf[to]}`) ?? [];
      for (const piece of edge) mark(piece, "lg-active");
      mark(card(from)?.group, "lg-receiving");
      if (edge.length > 0 && label) labels.push([edge[0], label]);
    }
    for (const [element, name] of this.highlighted) {
      if (marks.get(element) !== name) element.classList.remove(name);
    }
    for (const [element, name] of marks) {
      if (this.highlighted.get(element) !== name) element.classList.add(name);
    }
    this.highlighted = marks;
    this.showEdgeLabels(labels);
    // A folded element's step may reach hundreds of inputs all over the drawing: then only it is kept in view.
    const inputs = edges.length <= MAX_FOLLOWED ? edges.map((e) => e.from) : [];
    this.followed = [current, ...inputs].filter((id): id is number => id !== null);
    // Before the first view (a step preset from Python) there is nothing to pan: the first view shows it.
    if (this.laidOut) this.reveal(this.followed);
  }

  /**
   * Give drawn elements (their cards, ops and, with `openGroups`, the open groups around them) and
   * edges, by element index, the class `className`, taking it from what had it; while any has it, the drawing has
   * `${className}-on` (the paths a click shows fade the rest). Navigation's marks, apart from the step's.
   */
  mark(
    className: string,
    elements: Iterable<number>,
    edges: readonly (readonly [number, number])[],
    openGroups = false,
  ): void {
    for (const element of this.marked.get(className) ?? []) element.classList.remove(className);
    const marked: Element[] = [];
    const { clusters, clusterOf } = this.visible;
    const open = new Set<number>();
    for (const e of elements) {
      const card = this.cards[e];
      if (!card) continue;
      marked.push(card.group);
      if (card.op) marked.push(card.op);
      const edge = this.opEdges.get(e);
      if (edge) marked.push(edge);
      if (openGroups) for (let c = clusterOf[e] ?? -1; c >= 0 && !open.has(c); c = clusters[c].parent) open.add(c);
    }
    for (const c of open) {
      const target = this.folds.get(clusters[c].name)?.target;
      if (target) marked.push(target);
    }
    for (const [from, to] of edges) {
      marked.push(...(this.edges.get(`${from}->${to}`) ?? []));
    }
    for (const element of marked) element.classList.add(className);
    this.marked.set(className, marked);
    this.svg.classList.toggle(`${className}-on`, marked.length > 0);
  }

  /** Mark each checked value (id -> result): data-gradcheck "ok" or "fail", and on a failure a visible note. */
  markGradcheck(results: ReadonlyMap<number, CheckMark>): void {
    // A folded element is marked as its worst value: one failure inside it shows on it.
    const byElement = new Map<number, CheckMark>();
    for (const [id, result] of results) {
      const e = this.visible.elementOf[id] ?? -1;
      if (e >= 0 && byElement.get(e)?.ok !== false) byElement.set(e, result);
    }
    const marks = new Map<number, [string, string | null]>();
    this.findings.clear();
    const room = this.viewWidth() < NARROW_PX ? NARROW_NOTE : Infinity; // a narrow panel: a note that fits it
    for (const [e, { ok, text, finding }] of byElement) {
      marks.set(e, ok ? ["ok", null] : ["fail", `✗ ${text.length > room ? `${text.slice(0, room - 1)}…` : text}`]);
      if (!ok) this.findings.set(e, finding); // hovering the card repeats the finding in full (describe)
    }
    this.markCards("gradcheck", marks);
  }

  /** Mark each gradient the naive order gets wrong (id -> "what it got, right what"): data-order="wrong" and a note. */
  markOrder(wrong: ReadonlyMap<number, string>): void {
    const marks = new Map<number, [string, string | null]>();
    for (const [id, text] of wrong) {
      const e = this.visible.elementOf[id] ?? -1;
      if (e >= 0 && !marks.has(e)) marks.set(e, ["wrong", `✗ grad ${text}`]);
    }
    this.markCards("order", marks);
  }

  /** Cards' `data-<attribute>` (element -> value) and a note beside each that has one; the last marks go. */
  private markCards(attribute: "gradcheck" | "order", marks: ReadonlyMap<number, [string, string | null]>): void {
    for (const node of this.cards) delete node.group.dataset[attribute];
    for (const note of this.noteMarks.get(attribute) ?? []) note.remove();
    const drawn: SVGTextElement[] = [];
    const taken: Box[] = attribute === "order" ? [...this.labelBoxes] : []; // marked at a step, beside its labels
    let above = false;
    for (const [e, [value, text]] of marks) {
      const node = this.cards[e];
      if (!node) continue;
      node.group.dataset[attribute] = value;
      if (text === null) continue;
      const note = this.note(text, 0, 0, `lg-${attribute}-note`);
      if (this.placeNote(note, this.boxes[e], taken)) above = true;
      this.notes.append(note);
      drawn.push(note);
    }
    this.noteMarks.set(attribute, drawn);
    this.notesAbove.set(attribute, above);
    const room = [...this.notesAbove.values()].some(Boolean) ? LABEL_PX + 4 : 0;
    if (room !== this.noteRoom) {
      this.noteRoom = room;
      if (this.touched) this.show(this.transform);
      else this.firstView(false);
    }
  }

  /** Zoom by `factor` about the panel's centre (presenter mode's + and -). */
  zoomBy(factor: number): void {
    this.touched = true;
    select(this.element).call(this.zoomer.scaleBy, factor);
  }

  /**
   * Presenter mode's view: the whole graph, centred, if it fits with the records' text at least `px`
   * high (and at most half as large again); else that size, the current step's value kept in view.
   */
  textAtLeast(px: number): void {
    const least = px / (FONT_PT * PT_TO_PX);
    const [gw, gh] = this.size;
    const [w, h] = [this.viewWidth(), this.viewHeight()];
    const whole = Math.min((w - 2 * MARGIN) / gw, (h - 2 * MARGIN) / gh, 1.5 * least);
    this.touched = true;
    if (whole >= least) {
      this.apply(zoomIdentity.translate((w - gw * whole) / 2, (h - gh * whole) / 2).scale(whole));
      return;
    }
    if (this.transform.k !== least) this.zoomBy(least / this.transform.k);
    this.reveal([this.followed[0] ?? this.topology.root]); // the step's own value: its path may not fit
  }

  /** Back to a readable overview: the whole graph if it fits at a readable size, else as much as does. */
  fit(): void {
    this.touched = false;
    this.firstView(true);
  }

  /** Stop watching the panel's size: the view is being removed (or drawn again). */
  dispose(): void {
    for (const observer of this.observers.splice(0)) observer.disconnect();
  }

  private observe(onResize: () => void): void {
    const observer = new ResizeObserver(onResize);
    observer.observe(this.element);
    this.observers.push(observer);
  }

  /**
   * Show the first view now and again whenever the panel's width changes (notebook outputs settle
   * their size after the first frame), until the user pans, zooms or steps; a step already on show
   * (preset from Python) is kept in view within it. Returns a stop function.
   */
  showFirstView(): () => void {
    const show = (): void => {
      this.firstView(false);
      this.reveal(this.followed); // a step preset before the view was drawn, within it
    };
    show();
    const stop = (): void => {
      if (this.laidOut) this.touched = true; // else the first view is still to come
    };
    if (typeof ResizeObserver === "undefined") return stop;
    let width = this.viewWidth();
    this.observe(() => {
      this.viewSize = null;
      if (this.viewWidth() === width) return;
      width = this.viewWidth();
      if (this.touched) this.show(this.transform);
      else show();
    });
    return stop;
  }

  /** Pan (keeping the scale) so that the records of `ids` are in view; nothing if they already are. */
  reveal(ids: readonly number[]): void {
    const boxes = ids.map((id) => this.boxes[this.visible.elementOf[id] ?? -1]).filter(Boolean);
    if (boxes.length === 0 || this.viewWidth() === 0) return;
    this.touched = true;
    const t = this.transform;
    const x0 = Math.min(...boxes.map((b) => b.x0));
    const x1 = Math.max(...boxes.map((b) => b.x1));
    const y0 = Math.min(...boxes.map((b) => b.y0));
    const y1 = Math.max(...boxes.map((b) => b.y1));
    const [w, h] = [this.viewWidth(), this.viewHeight()];
    const inside = t.applyX(x0) >= 0 && t.applyX(x1) <= w && t.applyY(y0) >= 0 && t.applyY(y1) <= h;
    if (!inside) this.centreAt((x0 + x1) / 2, (y0 + y1) / 2, false);
  }

  /** The first view: whole and centred if that is readable, else from the inputs at a readable size. */
  private firstView(keepCentre: boolean): void {
    const width = this.viewWidth();
    if (width === 0) return; // not in a page yet (or not laid out): the resize observer comes back
    this.laidOut = true;
    const [gw, gh] = this.size;
    const tallest = Math.min(MAX_HEIGHT, Math.max(MIN_HEIGHT, window.innerHeight * 0.7));
    const room = this.noteRoom;
    const whole = Math.min(1, (width - 2 * MARGIN) / gw, (tallest - 2 * MARGIN - room) / gh);
    if (whole >= MIN_SCALE) {
      const height = Math.max(MIN_HEIGHT, Math.ceil(gh * whole + 2 * MARGIN + room));
      this.setHeight(height);
      this.apply(zoomIdentity.translate((width - gw * whole) / 2, (height - gh * whole + room) / 2).scale(whole));
      return;
    }
    if (keepCentre) {
      const [cx, cy] = this.transform.invert([width / 2, this.viewHeight() / 2]);
      this.setHeight(tallest);
      this.apply(zoomIdentity.translate(width / 2 - cx * MIN_SCALE, tallest / 2 - cy * MIN_SCALE).scale(MIN_SCALE));
      this.bringOutputIn();
      return;
    }
    // How many drawn elements each drawn leaf feeds (a parameter feeds every call of a stack, drawn or
    // not); the graph's own inputs, labelled leaves outside every module, before any parameter.
    const uses = this.visible.elements.map(() => 0);
    for (const [from] of this.visible.edges) uses[from] += 1;
    const inputs = this.visible.elements.map((e, i) => {
      const node = e.kind === "value" ? this.topology.nodes[e.id] : null;
      if (!node || node.inputs.length > 0) return 0;
      return uses[i] + (node.label && node.group === undefined ? this.visible.elements.length : 0);
    });
    const { k, x, y, height } = startAtInputs(this.boxes, inputs, this.size, width, tallest, this.rankdir);
    this.setHeight(Math.max(MIN_HEIGHT, Math.round(height)));
    this.apply(zoomIdentity.translate(x, y).scale(k));
    this.bringOutputIn();
  }

  /** Go to the output (the root): what a learner looks for first. */
  goToOutput(): void {
    this.reveal([this.topology.root]);
  }

  /**
   * Pan the least that brings the output's record in view, at the same scale and cutting no record if it can:
   * a view that starts at the inputs keeps as many of them as it can, and always shows the output.
   */
  private bringOutputIn(): void {
    const box = this.boxes[this.visible.elementOf[this.topology.root] ?? -1];
    if (!box) return;
    const t = this.transform;
    const boxes = this.boxes.filter((b): b is Box => b !== undefined);
    const margin = 4 / t.k; // close to the edge if need be: a margin wider than the gaps between records cuts one
    const [w, h] = [this.viewWidth() / t.k, this.viewHeight() / t.k];
    let [x, y] = [-t.x / t.k, -t.y / t.k]; // the view's top left corner, in drawing px
    /** The view's start along one axis: the output inside it, the fewest records cut that show across it,
     * nearest where it is (so nothing moves when nothing needs to). */
    const start = (now: number, extent: number, low: number, high: number, spans: [number, number][]): number =>
      bestWindow(spans, extent, now, high + margin - extent, low - margin);
    const across = (from: number, to: number, a: number, b: number): boolean => b > from && a < to;
    for (const axis of ["x", "y", "x", "y"] as const) {
      if (axis === "y") {
        const shown = boxes.filter((b) => across(x, x + w, b.x0, b.x1)).map((b): [number, number] => [b.y0, b.y1]);
        y = start(y, h, box.y0, box.y1, shown);
      } else {
        const shown = boxes.filter((b) => across(y, y + h, b.y0, b.y1)).map((b): [number, number] => [b.x0, b.x1]);
        x = start(x, w, box.x0, box.x1, shown);
      }
    }
    if (x !== -t.x / t.k || y !== -t.y / t.k) this.apply(zoomIdentity.translate(-x * t.k, -y * t.k).scale(t.k));
  }

  private centreAt(x: number, y: number, byUser: boolean): void {
    if (byUser) this.touched = true;
    const k = this.transform.k;
    this.apply(zoomIdentity.translate(this.viewWidth() / 2 - x * k, this.viewHeight() / 2 - y * k).scale(k));
  }

  private apply(transform: ZoomTransform): void {
    select(this.element).call(this.zoomer.transform, transform);
  }

  /** Draw the drawing under `transform` (drawing px -> panel px), and the minimap's window. */
  private show(transform: ZoomTransform): void {
    this.transform = transform;
    // A zoom resizes the drawing (its viewBox scales it); a pan only moves it, which the browser
    // does without painting it again: that keeps stepping through a big graph fast.
    if (transform.k !== this.shownScale) {
      this.svg.style.width = `${this.size[0] * transform.k}px`;
      this.svg.style.height = `${this.size[1] * transform.k}px`;
      this.shownScale = transform.k;
    }
    this.canvas.style.transform = `translate(${transform.x}px, ${transform.y}px)`;
    const [w, h] = [this.viewWidth(), this.viewHeight()];
    const [x0, y0] = transform.invert([0, 0]);
    const [x1, y1] = transform.invert([w, h]);
    const [gw, gh] = this.size;
    const whole = w === 0 || (x0 <= 0 && y0 <= 0 && x1 >= gw && y1 >= gh);
    // The first view hides no record: the map takes a corner where it covers none, or waits,
    // hidden, until the user moves the view. After that it stays in its usual corner.
    const corner = whole ? null : this.touched ? "bottom-right" : this.freeCorner(transform, w, h);
    this.minimap.show(corner === null ? null : { x0, y0, x1, y1 }, corner ?? undefined);
    // Where it does cover a record (the user moved the view), it lets the record show through until hovered.
    this.minimap.element.dataset.covers = String(corner !== null && !this.clears(corner, transform, w, h));
  }

  /** The first corner where the minimap covers no record shown under `transform`, if any. */
  private freeCorner(transform: ZoomTransform, width: number, height: number): Corner | null {
    return CORNERS.find((corner) => this.clears(corner, transform, width, height)) ?? null;
  }

  /** Whether the minimap in `corner` leaves every record shown under `transform` uncovered. */
  private clears(corner: Corner, transform: ZoomTransform, width: number, height: number): boolean {
    const map = this.minimap.placeIn(corner, width, height);
    return !this.boxes.some((b) => {
      if (!b) return false;
      const [x0, y0] = transform.apply([b.x0, b.y0]);
      const [x1, y1] = transform.apply([b.x1, b.y1]);
      return x1 > map.x0 - 2 && x0 < map.x1 + 2 && y1 > map.y0 - 2 && y0 < map.y1 + 2;
    });
  }

  private onKey(event: KeyboardEvent): void {
    if (event.target !== this.element || event.ctrlKey || event.metaKey || event.altKey) return;
    const step = (event.shiftKey ? 0.5 : 0.15) * Math.min(this.viewWidth(), this.viewHeight());
    const selection = select(this.element);
    const actions: Record<string, () => void> = {
      ArrowLeft: () => selection.call(this.zoomer.translateBy, step / this.transform.k, 0),
      ArrowRight: () => selection.call(this.zoomer.translateBy, -step / this.transform.k, 0),
      ArrowUp: () => selection.call(this.zoomer.translateBy, 0, step / this.transform.k),
      ArrowDown: () => selection.call(this.zoomer.translateBy, 0, -step / this.transform.k),
      "+": () => selection.call(this.zoomer.scaleBy, 1.25),
      "=": () => selection.call(this.zoomer.scaleBy, 1.25),
      "-": () => selection.call(this.zoomer.scaleBy, 0.8),
      "0": () => this.fit(),
      f: () => this.fit(),
      F: () => this.fit(),
      End: () => this.goToOutput(),
      o: () => this.goToOutput(),
      O: () => this.goToOutput(),
    };
    const action = actions[event.key];
    if (!action) return;
    event.preventDefault();
    event.stopPropagation();
    this.touched = true;
    action();
  }

  private viewWidth(): number {
    return this.panelSize()[0];
  }

  private viewHeight(): number {
    return this.panelSize()[1];
  }

  /**
   * The panel's size, read again only after it changed (a resize, a new height): a step or a pan
   * writes styles and then asks where things are, and a read there would force a layout each time.
   */
  private panelSize(): [number, number] {
    if (this.viewSize) return this.viewSize;
    const size: [number, number] = [this.element.clientWidth, this.element.clientHeight];
    if (typeof ResizeObserver !== "undefined" && size[0] > 0) this.viewSize = size;
    return size;
  }

  private setHeight(height: number): void {
    this.element.style.height = `${height}px`;
    this.viewSize = null;
  }

  /** A point of the drawing (px) in Graphviz's own coordinates (pt, inside its translation). */
  private toLayout(x: number, y: number): [number, number] {
    return [x / PT_TO_PX - this.offset[0], y / PT_TO_PX - this.offset[1]];
  }

  /** Find each element's record, op, edges and cluster in Graphviz's drawing, and give them their texts. */
  private indexNodes(): void {
    const { nodes } = this.topology;
    const { elements, elementOf, clusters } = this.visible;
    const elementNamed = (name: string): number =>
      name[0] === "v" ? elementOf[Number(name.slice(1))] : Number(name.slice(1));
    const edgeName = /^([veb]\d+)->([ve]\d+|b\d+)(?:op)?$/;
    const intoBus = new Map<string, [from: number, edge: SVGGElement][]>(); // a junction's incoming edges
    const outOfBus = new Map<string, [to: number, edge: SVGGElement][]>();
    for (const edge of Array.from(this.svg.querySelectorAll<SVGGElement>("g.edge"))) {
      const title = edge.querySelector("title")?.textContent ?? "";
      const fromOp = /^([ve]\d+)op->\1$/.exec(title); // "v5op->v5"
      if (fromOp) this.opEdges.set(elementNamed(fromOp[1]), edge);
      const match = edgeName.exec(title);
      if (!match || match[1] === match[2]) continue;
      const [, from, to] = match;
      if (to[0] === "b") intoBus.set(to, [...(intoBus.get(to) ?? []), [elementNamed(from), edge]]);
      else if (from[0] === "b") outOfBus.set(from, [...(outOfBus.get(from) ?? []), [elementNamed(to), edge]]);
      else this.edges.set(`${elementNamed(from)}->${elementNamed(to)}`, [edge]);
    }
    for (const [bus, ins] of intoBus) {
      for (const [to, out] of outOfBus.get(bus) ?? []) {
        for (const [from, edge] of ins) this.edges.set(`${from}->${to}`, [edge, out]);
      }
    }
    const opGroups = new Map<number, SVGGElement>();
    for (const group of Array.from(this.svg.querySelectorAll<SVGGElement>("g.node"))) {
      const title = group.querySelector("title") as SVGTitleElement | null;
      const match = /^([ve])(\d+)(op)?$/.exec(title?.textContent ?? "");
      if (!title || !match) continue;
      const texts = group.querySelectorAll<SVGTextElement>("text");
      const box = group.querySelector<SVGPolygonElement>("polygon");
      if (match[1] === "e") {
        const e = Number(match[2]);
        this.boxes[e] = this.boxOf(box);
        this.cards[e] = this.foldCard(elements[e] as Exclude<Folded, { kind: "value" }>, e, group, texts, title, box);
        continue;
      }
      const id = Number(match[2]);
      const node = nodes[id];
      if (match[3]) {
        group.classList.add("lg-op");
        group.dataset.op = node.op;
        texts[0].textContent = opText(node);
        if (node.unknown_op) group.dataset.unknownOp = "true";
        title.textContent = this.describeOp(id);
        opGroups.set(id, group);
        const ellipse = group.querySelector("ellipse");
        const [cx, cy, rx, ry] = ["cx", "cy", "rx", "ry"].map((name) => Number(ellipse?.getAttribute(name)));
        if ([cx, cy, rx, ry].every(Number.isFinite)) {
          const [x0, y0] = [(cx - rx + this.offset[0]) * PT_TO_PX, (cy - ry + this.offset[1]) * PT_TO_PX];
          this.opBoxes.push({ x0, y0, x1: x0 + 2 * rx * PT_TO_PX, y1: y0 + 2 * ry * PT_TO_PX });
        }
        continue;
      }
      const name = node.name;
      group.classList.add("lg-value");
      group.dataset.nodeId = String(id);
      group.dataset.label = node.label;
      group.dataset.name = name;
      texts[0].textContent = shownLabel(name);
      texts[0].classList.add("lg-name");
      title.textContent = name;
      const e = elementOf[id];
      this.boxes[e] = this.boxOf(box);
      this.cards[e] = {
        group,
        box,
        data: texts[1],
        grad: texts[2],
        title,
        op: null,
        shows: id,
        shown: ["", "", "", false, false],
      };
    }
    for (const [id, group] of opGroups) {
      const card = this.cards[elementOf[id]];
      if (card) card.op = group;
    }
    for (const group of Array.from(this.svg.querySelectorAll<SVGGElement>("g.cluster"))) {
      const match = /^cluster_(\d+)$/.exec(group.querySelector("title")?.textContent ?? "");
      const cluster = match && clusters[Number(match[1])];
      if (!cluster) continue;
      group.classList.add("lg-cluster");
      const text = group.querySelector("text");
      if (!text) continue;
      // The header alone is the toggle (a click in the cluster's open space pans, as anywhere else):
      // its text over a box as wide, so that its centre is on it.
      const header = document.createElementNS(SVG, "g");
      header.setAttribute("class", "lg-cluster-header");
      const words = clusterHeader(cluster);
      const [x, y] = ["x", "y"].map((name) => Number(text.getAttribute(name)));
      const width = Array.from(words).length * CHAR_PT + 4;
      const start = text.getAttribute("text-anchor") === "middle" ? x - width / 2 : x - 2;
      const back = document.createElementNS(SVG, "rect");
      for (const [name, value] of [
        ["x", start],
        ["y", y - FONT_PT],
        ["width", width],
        ["height", FONT_PT + 4],
      ])
        back.setAttribute(name as string, (value as number).toFixed(1));
      text.textContent = words;
      text.replaceWith(header);
      header.append(back, text);
      this.makeToggle(header, cluster.kind === "sum" ? "sum" : "group", cluster.name, true);
      header.setAttribute("aria-label", cluster.kind === "sum" ? (cluster.summary ?? "Σ") : cluster.name);
      const title = document.createElementNS(SVG, "title");
      title.textContent = `${cluster.kind === "sum" ? "This sum" : cluster.name}, open: click or press Enter to fold it`;
      header.prepend(title);
      this.folds.set(cluster.name, { target: header, box: this.boxOf(group.querySelector("polygon")) });
    }
    // Graphviz titles the graph and every edge by internal names (G, v0->v2op): none may show.
    for (const title of Array.from(this.svg.querySelectorAll("title"))) {
      if (!title.parentElement?.matches("g.node, .lg-cluster-header")) title.remove();
    }
  }

  /** A folded element's record: its texts, its toggle, and a stack's picker. */
  private foldCard(
    element: Exclude<Folded, { kind: "value" }>,
    e: number,
    group: SVGGElement,
    texts: NodeListOf<SVGTextElement>,
    title: SVGTitleElement,
    box: SVGPolygonElement | null,
  ): Card {
    if (element.kind === "more") return this.moreCard(element, group, texts, title, box);
    const outputs = element.kind === "sum" ? [element.top] : element.outputs;
    const fields = foldFields(element, outputs.length);
    fields.forEach((text, i) => {
      if (texts[i] && !text.startsWith("data ") && !text.startsWith("grad ")) texts[i].textContent = text;
    });
    texts[0]?.classList.add("lg-name");
    group.classList.add("lg-fold", `lg-fold-${element.kind}`);
    const key = element.kind === "sum" ? element.key : element.name;
    if (element.kind === "stack" && element.expanded) {
      group.dataset.stack = element.name; // the open call's cluster carries data-group
      this.makeToggle(group, "stack", element.name, true);
      group.setAttribute("aria-label", `${element.name}: ${element.calls.length - 1} other calls; fold the stack`);
    } else {
      this.makeToggle(group, element.kind === "sum" ? "sum" : "group", key, false);
      group.setAttribute(
        "aria-label",
        element.kind === "stack" ? `${element.name} × ${element.calls.length}` : element.summary,
      );
      this.folds.set(key, { target: group, box: this.boxes[e] });
    }
    if (element.kind === "stack") {
      const row = [...texts].findIndex((t) => t.textContent?.startsWith("call "));
      if (row >= 0) this.addPicker(group, texts[row], element);
    }
    const what =
      element.kind === "sum"
        ? `${element.terms} terms`
        : element.kind === "stack"
          ? `${element.calls.length} calls`
          : "";
    title.textContent = `${element.summary}${what ? ` (${what})` : ""}\n${element.kind === "stack" && element.expanded ? "Click or press Enter to fold" : "Click or press Enter to open"}`;
    const last = texts.length;
    const numbers = fields.length >= 2 && fields[fields.length - 1].startsWith("grad ");
    return {
      group,
      box,
      data: numbers ? texts[last - 2] : null,
      grad: numbers ? texts[last - 1] : null,
      title,
      op: null,
      shows: numbers ? outputs[0] : -1,
      shown: ["", "", "", false, false],
    };
  }

  /** A cut view's "⋯": a button that draws what is hidden below the element it stands under. */
  private moreCard(
    element: Extract<Folded, { kind: "more" }>,
    group: SVGGElement,
    texts: NodeListOf<SVGTextElement>,
    title: SVGTitleElement,
    box: SVGPolygonElement | null,
  ): Card {
    const text = moreText(element.values);
    if (texts[0]) texts[0].textContent = text;
    group.classList.add("lg-fold", "lg-fold-more");
    this.makeToggle(group, "more", element.key, false);
    group.setAttribute("aria-label", `Show ${text.slice(2)}`);
    title.textContent = `This graph is too big to draw whole: ${text.slice(2)} are hidden below.\nClick or press Enter to draw them`;
    return { group, box, data: null, grad: null, title, op: null, shows: -1, shown: ["", "", "", false, false] };
  }

  /** Make `group` a button that opens or folds `key` (data-group, or data-fold="sum"/"more" with data-key). */
  private makeToggle(
    group: SVGGElement,
    kind: "group" | "sum" | "stack" | "more",
    key: string,
    expanded: boolean,
  ): void {
    if (kind === "group") group.dataset.group = key;
    else if (kind === "sum" || kind === "more") {
      group.dataset.fold = kind;
      group.dataset.key = key;
    }
    group.dataset.toggle = key;
    group.setAttribute("role", "button");
    group.setAttribute("tabindex", "0");
    group.setAttribute("aria-expanded", String(expanded));
  }

  /** "call [k] (0–n−1)": a number input over the stack's picker row. */
  private addPicker(group: SVGGElement, row: SVGTextElement, element: Extract<Folded, { kind: "stack" }>): void {
    const n = element.calls.length;
    const x = Number(row.getAttribute("x"));
    const y = Number(row.getAttribute("y"));
    const width = (Array.from(row.textContent ?? "").length + 2) * 6;
    const object = document.createElementNS(SVG, "foreignObject");
    object.setAttribute("x", (x - width / 2).toFixed(1));
    object.setAttribute("y", (y - 10).toFixed(1));
    object.setAttribute("width", width.toFixed(1));
    object.setAttribute("height", "13");
    object.setAttribute("class", "lg-picker");
    const label = document.createElement("label");
    const input = document.createElement("input");
    input.type = "number";
    input.min = "0";
    input.max = String(n - 1);
    input.step = "1";
    input.value = String(element.picked);
    input.dataset.lmSuppressShortcuts = "true";
    input.dataset.picks = element.name;
    input.setAttribute("aria-label", `${element.name}: the call on show, 0 to ${n - 1}`);
    input.addEventListener("change", () => {
      if (this.replacing || !input.isConnected) return;
      const call = Math.round(Number(input.value));
      if (Number.isInteger(call) && call >= 0 && call < n && call !== element.picked)
        this.actions.pick(element.name, call);
      else input.value = String(element.picked);
    });
    input.addEventListener("keydown", (event) => {
      event.stopPropagation(); // Enter commits the number; it does not toggle the card
      if (event.key === "Enter") input.dispatchEvent(new Event("change"));
    });
    label.append("call ", input, ` (0–${n - 1})`);
    object.append(label);
    row.textContent = "";
    group.append(object);
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
    this.touched = true;
    this.apply(this.transform.translate(dx / this.transform.k, dy / this.transform.k));
  }

  private onFoldKey(event: KeyboardEvent): void {
    const target = event.target as Element | null;
    if ((event.key !== "Enter" && event.key !== " ") || !(target as SVGElement | null)?.dataset?.toggle) return;
    event.preventDefault();
    event.stopPropagation();
    this.actions.toggle((target as SVGElement).dataset.toggle as string);
  }

  /** A record's box in drawing px, from its polygon's points (pt, inside Graphviz's translation). */
  private boxOf(polygon: SVGPolygonElement | null): Box {
    const numbers = (polygon?.getAttribute("points") ?? "")
      .split(/[\s,]+/)
      .filter(Boolean)
      .map(Number);
    const xs = numbers.filter((_, i) => i % 2 === 0).map((x) => (x + this.offset[0]) * PT_TO_PX);
    const ys = numbers.filter((_, i) => i % 2 === 1).map((y) => (y + this.offset[1]) * PT_TO_PX);
    return { x0: Math.min(...xs), x1: Math.max(...xs), y0: Math.min(...ys), y1: Math.max(...ys) };
  }

  /** Draw `labels` on their edges, reusing the text elements of the last step. */
  private showEdgeLabels(labels: readonly [SVGGElement, string][]): void {
    const taken: Box[] = [];
    labels.forEach(([edge, text], i) => {
      const label = (this.edgeLabels[i] ??= this.note("", 0, 0, "lg-edge-label"));
      const [spot, shown] = this.labelPlace(edge, text, taken);
      const [x, y] = this.toLayout(...spot);
      if (label.textContent !== shown) label.textContent = shown;
      setIfChanged(label, "x", x.toFixed(1));
      setIfChanged(label, "y", y.toFixed(1));
      if (i >= this.labelsShown) this.notes.append(label);
    });
    for (const label of this.edgeLabels.slice(labels.length, this.labelsShown)) label.remove();
    this.labelsShown = labels.length;
    this.labelBoxes = taken;
  }

  /**
   * Where an edge's label goes (drawing px, its baseline's centre): on the edge, or just above or
   * below it, as near its middle as can be while the text covers no record, op and other label
   * (`taken`, to which it is added). A short edge between two records often has no room for the
   * whole label: then it shows only the contribution ("→ +0.0013", the step panel has the rest),
   * and failing that the whole label on the edge's middle (the halo keeps it readable).
   */
  private labelPlace(edge: SVGGElement, text: string, taken: Box[]): [[number, number], string] {
    const numbers = (edge.querySelector("path")?.getAttribute("d") ?? "").match(/-?[\d.]+(e-?\d+)?/g) ?? [];
    const p = Array.from({ length: Math.floor(numbers.length / 2) }, (_, i) =>
      [0, 1].map((k) => (Number(numbers[2 * i + k]) + this.offset[k]) * PT_TO_PX),
    );
    const points: number[][] = []; // along the spline (M p0 C p1 p2 p3 C ...), in drawing px
    for (let s = 0; s + 3 < p.length; s += 3) {
      for (let t = 0; t < 1; t += 0.125) {
        const u = 1 - t;
        const [a, b, c, d] = [u * u * u, 3 * u * u * t, 3 * u * t * t, t * t * t];
        points.push([0, 1].map((k) => a * p[s][k] + b * p[s + 1][k] + c * p[s + 2][k] + d * p[s + 3][k]));
      }
    }
    if (points.length === 0) return [[p[0]?.[0] ?? 0, p[0]?.[1] ?? 0], text];
    const middle = Math.floor(points.length / 2);
    const byDistance = points.map((_, i) => i).sort((i, j) => Math.abs(i - middle) - Math.abs(j - middle));
    // On the edge, or the text starting or ending there, or a line or two above or below.
    const around = (half: number): [number, number][] =>
      [-4, -4 - LABEL_PX, LABEL_PX + 2, -4 - 2 * LABEL_PX, 2 * LABEL_PX + 2].flatMap((dy) =>
        byDistance.flatMap((i) =>
          [0, half, -half].map((dx) => [points[i][0] + dx, points[i][1] + dy] as [number, number]),
        ),
      );
    const short = text.includes("→") ? text.slice(text.indexOf("→")) : text;
    for (const shown of [text, short]) {
      const spot = this.freeSpot(shown, around((shown.length * LABEL_CHAR_PX) / 2), taken);
      if (spot) {
        taken.push(this.textBox(shown, spot));
        return [spot, shown];
      }
    }
    return [[points[middle][0], points[middle][1] - 4], text];
  }

  /** The first of `candidates` (a text's baseline centre, drawing px) where `text` covers no record and nothing `taken`, inside the drawing. */
  private freeSpot(
    text: string,
    candidates: readonly [number, number][],
    taken: readonly Box[],
  ): [number, number] | null {
    const [width, height] = this.size;
    const overlaps = (a: Box, b: Box | undefined): boolean =>
      !!b && a.x1 > b.x0 && a.x0 < b.x1 && a.y1 > b.y0 && a.y0 < b.y1;
    const spots = candidates.map((spot) => [spot, this.textBox(text, spot)] as const);
    const region = {
      x0: Math.min(...spots.map(([, b]) => b.x0)),
      x1: Math.max(...spots.map(([, b]) => b.x1)),
      y0: Math.min(...spots.map(([, b]) => b.y0)),
      y1: Math.max(...spots.map(([, b]) => b.y1)),
    };
    const near = [...this.boxes, ...this.opBoxes].filter((b) => overlaps(region, b)).concat(taken); // a few of thousands
    for (const [spot, box] of spots) {
      if (box.x0 < 0 || box.y0 < 0 || box.x1 > width || box.y1 > height) continue;
      if (!near.some((b) => overlaps(box, b))) return spot;
    }
    return null;
  }

  /** The box a note or label takes (drawing px): its ink, about, with its baseline centred at `spot`. */
  private textBox(text: string, [x, y]: readonly [number, number]): Box {
    const half = (text.length * LABEL_CHAR_PX) / 2;
    return { x0: x - half, x1: x + half, y0: y - 0.85 * LABEL_PX, y1: y + 3 };
  }

  /**
   * A note (gradient check, naive order) beside its record where it covers no other record nor a
   * label in `taken`: above it, else below, centred or aligned with either side, else to its right or
   * left. Failing that, above it, with room kept above the drawing
   * (`noteRoom`) when the record is in the top row, so the note is never cut off.
   */
  private placeNote(note: SVGTextElement, box: Box, taken: Box[]): boolean {
    const text = note.textContent ?? "";
    const half = (text.length * LABEL_CHAR_PX) / 2;
    const across = [(box.x0 + box.x1) / 2, box.x0 + half, box.x1 - half];
    const candidates = [box.y0 - 4, box.y1 + LABEL_PX].flatMap((y) => across.map((x) => [x, y] as [number, number]));
    const middle = (box.y0 + box.y1 + LABEL_PX) / 2; // then beside it, right or left
    candidates.push([box.x1 + 4 + half, middle], [box.x0 - 4 - half, middle]);
    const free = this.freeSpot(text, candidates, taken);
    const centre = Math.max(half, Math.min(this.size[0] - half, (box.x0 + box.x1) / 2));
    const spot = free ?? [centre, box.y0 - 4];
    taken.push(this.textBox(text, spot));
    const [x, y] = this.toLayout(...spot);
    note.setAttribute("x", x.toFixed(1));
    note.setAttribute("y", y.toFixed(1));
    return spot[1] - LABEL_PX < 0; // above the drawing: needs room there
  }

  private note(text: string, x: number, y: number, className: string): SVGTextElement {
    const note = document.createElementNS(SVG, "text");
    note.setAttribute("class", className);
    note.setAttribute("x", x.toFixed(2));
    note.setAttribute("y", y.toFixed(2));
    note.setAttribute("text-anchor", "middle");
    note.textContent = text;
    return note;
  }

  /** Hover text with full precision, written only for the node under the pointer. */
  private describe(target: EventTarget | null): void {
    const group = (target as Element | null)?.closest?.("g.lg-value") as SVGGElement | null;
    const id = Number(group?.dataset.nodeId);
    const node = this.topology.nodes[id];
    const elements = this.cards[this.visible.elementOf[id] ?? -1];
    if (!node || !elements) return;
    const made = node.op ? this.describeOp(id) : "a leaf";
    const finding = this.findings.get(this.visible.elementOf[id] ?? -1);
    elements.title.textContent =
      `${node.name}: ${made}\ndata = ${this.data[id]}\ngrad = ${this.grad[id]}` +
      (node.label ? "" : " (unlabelled)") +
      (finding ? `\n✗ ${finding}` : "");
  }

  /** "tanh of n: tanh(a)", the op, its inputs by name and the op's formula when the kernel sent one. */
  private describeOp(id: number): string {
    const node = this.topology.nodes[id];
    const inputs = node.inputs.map((i) => this.topology.nodes[i].name || "(unnamed)");
    const formula = (this.topology as { ops?: Record<string, { formula: string | null }> }).ops?.[node.op]?.formula;
    const made = `${node.op} of ${inputs.join(", ")}`;
    if (node.unknown_op)
      return (
        `${made}\nlivegrad does not know the op "${node.op}": this value stays as your engine computed it, ` +
        "and the leaves that feed it have no slider"
      );
    if (!formula) return made;
    const names = inputs.map((name, k) => `${"ab"[k] ?? "?"} = ${name}`).join(", ");
    return `${made}\n${node.op}: ${formula}, with ${names}`;
  }
}

/** Is `target` inside a stack's picker (which takes its own clicks, keys and drags)? */
function inPicker(target: EventTarget | null): boolean {
  return !!(target as Element | null)?.closest?.(".lg-picker");
}

function setIfChanged(element: Element, name: string, value: string): void {
  if (element.getAttribute(name) !== value) element.setAttribute(name, value);
}

function viewBox(svg: SVGSVGElement): number[] {
  const box = (svg.getAttribute("viewBox") ?? "0 0 100 100").split(/[\s,]+/).map(Number);
  return box.length === 4 && box.every(Number.isFinite) ? box : [0, 0, 100, 100];
}

/**
 * The first view of a graph too big to show whole and readable: the inputs' end of the ranks at
 * the panel's start, at a scale between MIN_SCALE and a little over 1 (near START_SCALE) chosen
 * so that the panel's edges fall between records, not through them; across, centred on the
 * leaves that feed the most values (a network's data inputs, not each neuron's own weights).
 * `uses[id]` counts the values a leaf feeds (0 for a computed value). Boxes are in drawing px;
 * returns the transform (drawing px -> panel px) and the panel's height.
 */
export function startAtInputs(
  boxes: readonly (Box | undefined)[],
  uses: readonly number[],
  size: readonly [number, number],
  width: number,
  tallest: number,
  rankdir: string,
): { k: number; x: number; y: number; height: number } {
  const across = rankdir === "LR" || rankdir === "RL"; // the ranks run across the panel
  const reversed = rankdir === "RL" || rankdir === "BT";
  const [along, wide] = across ? size : [size[1], size[0]];
  // In (a, c) coordinates: a along the ranks from the inputs, c across them.
  const placed = boxes.flatMap((b, id) => {
    if (!b) return [];
    const [a0, a1, c0, c1] = across ? [b.x0, b.x1, b.y0, b.y1] : [b.y0, b.y1, b.x0, b.x1];
    return [{ id, a0: reversed ? along - a1 : a0, a1: reversed ? along - a0 : a1, c0, c1 }];
  });
  const alongRoom = (across ? width : tallest) - MARGIN;
  const wanted = alongRoom / START_SCALE;
  const edge = bestCut(
    placed.map((b) => [b.a0, b.a1]),
    wanted,
    alongRoom / MAX_START_SCALE,
    alongRoom / MIN_SCALE,
  );
  const k = alongRoom / edge;
  const inView = placed.filter((b) => b.a0 < edge);
  const most = Math.max(0, ...inView.map((b) => uses[b.id]));
  const focus = most > 0 ? inView.filter((b) => uses[b.id] === most) : inView;
  const crossRoom = (across ? tallest : width) - 2 * MARGIN;
  const shown = crossRoom / k; // drawing px visible across
  let top = -MARGIN / k;
  let crossExtent = Math.min(crossRoom + 2 * MARGIN, wide * k + 2 * MARGIN);
  if (wide > shown && focus.length > 0) {
    const low = Math.min(...focus.map((b) => b.c0));
    const high = Math.max(...focus.map((b) => b.c1));
    const centred = high - low <= shown ? (low + high) / 2 - shown / 2 : low - MARGIN / k;
    const target = Math.max(0, Math.min(wide - shown, centred));
    const spans = inView.map((b) => [b.c0, b.c1] as [number, number]);
    // The panel's edge moves to cut no record, but never so far that the first input leaves the view
    // (a folded model's inputs can sit far apart, at the top and the bottom of a tall layer).
    const fits = high - low <= shown;
    const lowest = fits ? Math.max(target - shown / 4, high - shown) : target - shown / 4;
    top = bestCut(spans, target, Math.min(lowest, target), Math.max(target, Math.min(target + shown / 4, low)));
    const end = across ? bestCut(spans, top + shown, top + 0.5 * shown, top + shown) : top + shown;
    const margin = top <= 0 ? MARGIN : 0; // room to breathe at the drawing's own edge; elsewhere the edge sits in a gap
    crossExtent = (end - top) * k + margin;
    top -= margin / k;
  }
  const alongStart = reversed ? (across ? width : tallest) - MARGIN - along * k : MARGIN;
  return across
    ? { k, x: alongStart, y: -top * k, height: crossExtent }
    : { k, x: -top * k, y: alongStart, height: tallest };
}

/**
 * The position in [low, high] that cuts the fewest `spans` (a pixel to spare on each side), the
 * nearest `target` among those: where to put a panel's edge so that it cuts no record, or as few as can be.
 */
export function bestCut(
  spans: readonly (readonly [number, number])[],
  target: number,
  low: number,
  high: number,
): number {
  const near = spans.filter(([a, b]) => b >= low - 1 && a <= high + 1);
  const candidates = [target, low, high, ...near.flatMap(([a, b]) => [a - 1, b + 1])].filter(
    (p) => p >= low && p <= high,
  );
  const cuts = (p: number): number => near.filter(([a, b]) => a - 1 < p && p < b + 1).length;
  let best = Math.min(high, Math.max(low, target));
  let fewest = cuts(best);
  for (const p of candidates) {
    const count = cuts(p);
    if (count < fewest || (count === fewest && Math.abs(p - target) < Math.abs(best - target))) {
      [best, fewest] = [p, count];
    }
  }
  return best;
}

/**
 * Where a window `extent` long should start, between `low` and `high` (a start in that range keeps what
 * must be seen inside it), nearest `target`: the start that cuts the fewest spans (records) at either
 * of its two edges.
 */
export function bestWindow(
  spans: readonly (readonly [number, number])[],
  extent: number,
  target: number,
  low: number,
  high: number,
): number {
  if (high < low) return (low + high) / 2; // larger than the window: centred
  const cuts = (p: number): number =>
    spans.filter(([a, b]) => (a - 1 < p && p < b + 1) || (a - 1 < p + extent && p + extent < b + 1)).length;
  const candidates = [target, low, high, ...spans.flatMap(([a, b]) => [a - 1, b + 1, a - 1 - extent, b + 1 - extent])];
  let best = Math.min(high, Math.max(low, target));
  let fewest = cuts(best);
  for (const p of candidates) {
    if (p < low || p > high) continue;
    const count = cuts(p);
    if (count < fewest || (count === fewest && Math.abs(p - target) < Math.abs(best - target))) {
      [best, fewest] = [p, count];
    }
  }
  return best;
}

/** Blue for a positive gradient, red for a negative one, stronger as it grows; none for exactly 0. */
export function gradientFill(grad: number, largest: number): string {
  if (!Number.isFinite(grad) || grad === 0 || largest === 0) return "";
  const strength = 0.12 + 0.45 * Math.sqrt(Math.min(1, Math.abs(grad) / largest));
  return grad > 0 ? `rgba(33, 118, 255, ${strength.toFixed(3)})` : `rgba(230, 57, 70, ${strength.toFixed(3)})`;
}
