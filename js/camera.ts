/**
 * The camera: which part of the drawing the panel shows, and how big. It owns the pan and zoom
 * (mouse, keys, d3-zoom), the panel's height, the first view and Fit, following a step, and where
 * the minimap sits. It reads the drawing (scene.ts) and never changes it, except the SVG's size and
 * the canvas's translation, which are how a zoom and a pan are drawn.
 */
import { select } from "d3-selection";
import { zoom, zoomIdentity, type ZoomBehavior, type ZoomTransform } from "d3-zoom";
import type { Topology } from "./graph";
import { CORNERS, Minimap, type Box, type Corner } from "./minimap";
import { FONT_PT, PT_TO_PX, type Scene } from "./scene";

const MIN_TEXT_PX = 10; // the smallest text the first view and Fit draw
const MIN_SCALE = MIN_TEXT_PX / (FONT_PT * PT_TO_PX);
const START_SCALE = 0.9; // a graph too big to fit starts near here, at the inputs
const MAX_START_SCALE = 1.25; // ... or up to here, if that keeps a record from being cut
export const MARGIN = 8; // px around the drawing inside the panel
const MIN_HEIGHT = 120; // the panel never becomes a strip
const MAX_HEIGHT = 560;

export class Camera {
  private readonly observers: ResizeObserver[] = []; // disconnected by dispose()
  private noteRoom = 0; // px kept free above the drawing in the first view, for a note that goes there
  private laidOut = false; // a first view has been shown: the panel had a width
  private followed: number[] = []; // the current step's values, kept in view
  private viewSize: [number, number] | null = null; // the panel's size, read once per layout, not after each write
  private readonly zoomer: ZoomBehavior<HTMLDivElement, unknown>;
  private transform: ZoomTransform = zoomIdentity;
  private shownScale = 0;
  private scene!: Scene;
  private minimap!: Minimap;
  /** Has the user panned, zoomed or used the minimap since the first view? */
  touched = false;

  /** `element` is the panel (it takes the pointer and the keys); `canvas`, inside it, carries the drawing. */
  constructor(
    private readonly element: HTMLDivElement,
    private readonly canvas: HTMLDivElement,
    private readonly topology: Topology,
    private readonly rankdir: string,
    inPicker: (target: EventTarget | null) => boolean,
  ) {
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
      this.panBy(-dx, -dy);
    });
    if (typeof ResizeObserver !== "undefined") {
      this.observe(() => (this.viewSize = null));
    }
  }

  /** A new drawing: its minimap, the pan's limits, and the current transform drawn on it. */
  load(scene: Scene): void {
    this.scene = scene;
    const root = scene.visible.elementOf[this.topology.root];
    const minimap = new Minimap(scene.size, scene.boxes, root, (x, y) => this.centreAt(x, y, true));
    if (this.minimap) this.minimap.element.replaceWith(minimap.element);
    else this.element.append(minimap.element);
    this.minimap = minimap;
    this.zoomer.translateExtent([
      [-40, -40],
      [scene.size[0] + 40, scene.size[1] + 40],
    ]);
    this.shownScale = 0;
  }

  /** After a new drawing: `anchor`'s box (drawing px) back where it was on screen (`screen`), or, without
   * one, the view where it was (the user's) or the first view (untouched). */
  settle(screen: [number, number] | undefined, after: Box | undefined): void {
    const k = this.transform.k;
    if (screen && after) {
      this.touched = true;
      const tallest = Math.min(MAX_HEIGHT, Math.max(MIN_HEIGHT, window.innerHeight * 0.7));
      const wanted = Math.min(tallest, Math.ceil(this.scene.size[1] * k + 2 * MARGIN));
      if (wanted > this.viewHeight()) this.setHeight(wanted);
      this.apply(zoomIdentity.translate(screen[0] - after.x0 * k, screen[1] - after.y0 * k).scale(k));
    } else if (this.touched) this.apply(this.transform);
    else this.firstView(false);
  }

  /** Draw the current view on a new drawing. */
  redraw(): void {
    this.show(this.transform);
  }

  /** Where drawing px are on screen (panel px). */
  toScreen(x: number, y: number): [number, number] {
    return this.transform.apply([x, y]);
  }

  /** Move the view by (dx, dy) panel px: the user's own move. */
  panBy(dx: number, dy: number): void {
    this.touched = true;
    this.apply(this.transform.translate(dx / this.transform.k, dy / this.transform.k));
  }

  /** Keep a step's values (by node id) in view, now and when the first view comes. */
  follow(ids: number[]): void {
    this.followed = ids;
    // Before the first view (a step preset from Python) there is nothing to pan: the first view shows it.
    if (this.laidOut) this.reveal(ids);
  }

  /** Room above the drawing for notes placed there (px); the view makes it. */
  keepRoomAbove(room: number): void {
    if (room === this.noteRoom) return;
    this.noteRoom = room;
    if (this.touched) this.show(this.transform);
    else this.firstView(false);
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
    const [gw, gh] = this.scene.size;
    const [w, h] = [this.viewWidth(), this.viewHeight()];
    const whole = Math.min((w - 2 * MARGIN) / gw, (h - 2 * MARGIN) / gh, 1.5 * least);
    this.touched = true;
    if (whole >= least) {
      this.apply(zoomIdentity.translate((w - gw * whole) / 2, (h - gh * whole) / 2).scale(whole));
      return;
    }
    if (this.transform.k !== least) this.zoomBy(least / this.transform.k);
    this.reveal([this.followed[0] ?? this.topology.root]); // the step's own value: its path may not fit
    this.apply(this.clamped(this.transform));
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
    const boxes = ids.map((id) => this.scene.boxes[this.scene.visible.elementOf[id] ?? -1]).filter(Boolean);
    if (boxes.length === 0 || this.viewWidth() === 0) return;
    this.touched = true;
    const t = this.transform;
    const x0 = Math.min(...boxes.map((b) => b.x0));
    const x1 = Math.max(...boxes.map((b) => b.x1));
    const y0 = Math.min(...boxes.map((b) => b.y0));
    const y1 = Math.max(...boxes.map((b) => b.y1));
    const [w, h] = [this.viewWidth(), this.viewHeight()];
    const inside = t.applyX(x0) >= 0 && t.applyX(x1) <= w && t.applyY(y0) >= 0 && t.applyY(y1) <= h;
    if (!inside)
      this.apply(
        this.clamped(zoomIdentity.translate(w / 2 - ((x0 + x1) / 2) * t.k, h / 2 - ((y0 + y1) / 2) * t.k).scale(t.k)),
      );
  }

  /**
   * `t` moved the least that puts no empty band on one side of the panel while records are cut on the
   * other: never past the drawing's edge where the drawing is larger than the panel, centred where smaller.
   */
  private clamped(t: ZoomTransform): ZoomTransform {
    const along = (at: number, size: number, view: number): number => {
      const drawn = size * t.k;
      return drawn + 2 * MARGIN <= view ? (view - drawn) / 2 : Math.min(MARGIN, Math.max(view - MARGIN - drawn, at));
    };
    const [gw, gh] = this.scene.size;
    return zoomIdentity.translate(along(t.x, gw, this.viewWidth()), along(t.y, gh, this.viewHeight())).scale(t.k);
  }

  /** The first view: whole and centred if that is readable, else from the inputs at a readable size. */
  firstView(keepCentre: boolean): void {
    const width = this.viewWidth();
    if (width === 0) return; // not in a page yet (or not laid out): the resize observer comes back
    this.laidOut = true;
    const [gw, gh] = this.scene.size;
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
    const uses = this.scene.visible.elements.map(() => 0);
    for (const [from] of this.scene.visible.edges) uses[from] += 1;
    const inputs = this.scene.visible.elements.map((e, i) => {
      const node = e.kind === "value" ? this.topology.nodes[e.id] : null;
      if (!node || node.inputs.length > 0) return 0;
      return uses[i] + (node.label && node.group === undefined ? this.scene.visible.elements.length : 0);
    });
    const { k, x, y, height } = startAtInputs(this.scene.boxes, inputs, this.scene.size, width, tallest, this.rankdir);
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
    const box = this.scene.boxes[this.scene.visible.elementOf[this.topology.root] ?? -1];
    if (!box) return;
    const t = this.transform;
    const boxes = this.scene.boxes.filter((b): b is Box => b !== undefined);
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

  centreAt(x: number, y: number, byUser: boolean): void {
    if (byUser) this.touched = true;
    const k = this.transform.k;
    this.apply(zoomIdentity.translate(this.viewWidth() / 2 - x * k, this.viewHeight() / 2 - y * k).scale(k));
  }

  apply(transform: ZoomTransform): void {
    select(this.element).call(this.zoomer.transform, transform);
  }

  /** Draw the drawing under `transform` (drawing px -> panel px), and the minimap's window. */
  show(transform: ZoomTransform): void {
    this.transform = transform;
    // A zoom resizes the drawing (its viewBox scales it); a pan only moves it, which the browser
    // does without painting it again: that keeps stepping through a big graph fast.
    if (transform.k !== this.shownScale) {
      this.scene.svg.style.width = `${this.scene.size[0] * transform.k}px`;
      this.scene.svg.style.height = `${this.scene.size[1] * transform.k}px`;
      this.shownScale = transform.k;
    }
    this.canvas.style.transform = `translate(${transform.x}px, ${transform.y}px)`;
    const [w, h] = [this.viewWidth(), this.viewHeight()];
    const [x0, y0] = transform.invert([0, 0]);
    const [x1, y1] = transform.invert([w, h]);
    const [gw, gh] = this.scene.size;
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
    return !this.scene.boxes.some((b) => {
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

  viewWidth(): number {
    return this.panelSize()[0];
  }

  viewHeight(): number {
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

  setHeight(height: number): void {
    this.element.style.height = `${height}px`;
    this.viewSize = null;
  }
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
