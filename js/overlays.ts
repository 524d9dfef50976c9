/**
 * The marks that come and go over a drawing: the step's highlight and its edges' labels, the paths
 * and rings navigation shows, and the notes of Check gradients and of the naive order. It adds
 * classes and texts to the drawing (scene.ts) and places its labels where they cover no record;
 * it asks the camera to keep the step in view and to make room for notes above the top row.
 * Made anew with each drawing.
 */
import type { Camera } from "./camera";
import type { CheckMark } from "./explain";
import type { Box } from "./minimap";
import type { Card } from "./cardtext";
import { SVG, type Scene } from "./scene";

const MAX_FOLLOWED = 8; // a step's edges the view pans to keep in view, beside its current element
export const LABEL_PX = 12; // the edge labels' and notes' font size (widget.css), drawing px
const LABEL_CHAR_PX = 0.6 * LABEL_PX; // the width of one of their characters, about (a monospace font)
/** Below this panel width a gradient-check note is cut to `NARROW_NOTE` characters (the summary line
 * above the graph and the card's hover give it in full): a longer one would run off the panel. */
const NARROW_PX = 600;
const NARROW_NOTE = 34;

/** An edge of the current step: gradient flows from value `to` back into its input `from`. */
export interface StepEdge {
  from: number;
  to: number;
  label?: string;
}

export class Overlays {
  private highlighted = new Map<Element, string>(); // element -> the class the current step gave it
  private marked = new Map<string, Element[]>(); // class -> what mark() gave it (paths, a found value)
  private readonly notes: SVGGElement; // edge labels and gradient-check notes, drawn over the graph
  private edgeLabels: SVGTextElement[] = []; // reused from step to step; those past `labelsShown` detached
  private labelsShown = 0;
  private labelBoxes: Box[] = []; // where the step's edge labels are: a naive-order note keeps off them
  private noteMarks = new Map<string, SVGTextElement[]>(); // a mark's notes (gradient check, naive order), by attribute
  private notesAbove = new Map<string, boolean>(); // ... and whether any needs room above the drawing
  readonly findings = new Map<number, string>(); // element -> what Check gradients found wrong there

  constructor(
    private readonly scene: Scene,
    private readonly camera: Camera,
  ) {
    this.notes = document.createElementNS(SVG, "g");
    this.notes.setAttribute("class", "lg-notes");
    scene.pane.append(this.notes); // last, so its texts are drawn over the records and edges
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
    const card = (id: number): Card | undefined => this.scene.cards[this.scene.visible.elementOf[id] ?? -1];
    if (current !== null) {
      mark(card(current)?.group, "lg-current");
      mark(card(current)?.op, "lg-current");
    }
    const labels: [SVGGElement, string][] = [];
    const { elementOf } = this.scene.visible;
    for (const { from, to, label } of edges) {
      const edge = this.scene.edges.get(`${elementOf[from]}->${elementOf[to]}`) ?? [];
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
    this.camera.follow([current, ...inputs].filter((id): id is number => id !== null));
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
    const { clusters, clusterOf } = this.scene.visible;
    const open = new Set<number>();
    for (const e of elements) {
      const card = this.scene.cards[e];
      if (!card) continue;
      marked.push(card.group);
      if (card.op) marked.push(card.op);
      const edge = this.scene.opEdges.get(e);
      if (edge) marked.push(edge);
      if (openGroups) for (let c = clusterOf[e] ?? -1; c >= 0 && !open.has(c); c = clusters[c].parent) open.add(c);
    }
    for (const c of open) {
      const target = this.scene.folds.get(clusters[c].name)?.target;
      if (target) marked.push(target);
    }
    for (const [from, to] of edges) {
      marked.push(...(this.scene.edges.get(`${from}->${to}`) ?? []));
    }
    for (const element of marked) element.classList.add(className);
    this.marked.set(className, marked);
    this.scene.svg.classList.toggle(`${className}-on`, marked.length > 0);
  }

  /** Mark each checked value (id -> result): data-gradcheck "ok" or "fail", and on a failure a visible note. */
  markGradcheck(results: ReadonlyMap<number, CheckMark>): void {
    // A folded element is marked as its worst value: one failure inside it shows on it.
    const byElement = new Map<number, CheckMark>();
    for (const [id, result] of results) {
      const e = this.scene.visible.elementOf[id] ?? -1;
      if (e >= 0 && byElement.get(e)?.ok !== false) byElement.set(e, result);
    }
    const marks = new Map<number, [string, string | null]>();
    this.findings.clear();
    const room = this.camera.viewWidth() < NARROW_PX ? NARROW_NOTE : Infinity; // a narrow panel: a note that fits it
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
      const e = this.scene.visible.elementOf[id] ?? -1;
      if (e >= 0 && !marks.has(e)) marks.set(e, ["wrong", `✗ grad ${text}`]);
    }
    this.markCards("order", marks);
  }

  /** Cards' `data-<attribute>` (element -> value) and a note beside each that has one; the last marks go. */
  private markCards(attribute: "gradcheck" | "order", marks: ReadonlyMap<number, [string, string | null]>): void {
    for (const node of this.scene.cards) delete node.group.dataset[attribute];
    for (const note of this.noteMarks.get(attribute) ?? []) note.remove();
    const drawn: SVGTextElement[] = [];
    const taken: Box[] = attribute === "order" ? [...this.labelBoxes] : []; // marked at a step, beside its labels
    let above = false;
    for (const [e, [value, text]] of marks) {
      const node = this.scene.cards[e];
      if (!node) continue;
      node.group.dataset[attribute] = value;
      if (text === null) continue;
      const note = this.note(text, 0, 0, `lg-${attribute}-note`);
      if (this.placeNote(note, this.scene.boxes[e], taken)) above = true;
      this.notes.append(note);
      drawn.push(note);
    }
    this.noteMarks.set(attribute, drawn);
    this.notesAbove.set(attribute, above);
    this.camera.keepRoomAbove([...this.notesAbove.values()].some(Boolean) ? LABEL_PX + 4 : 0);
  }

  /** Draw `labels` on their edges, reusing the text elements of the last step. */
  private showEdgeLabels(labels: readonly [SVGGElement, string][]): void {
    const taken: Box[] = [];
    labels.forEach(([edge, text], i) => {
      const label = (this.edgeLabels[i] ??= this.note("", 0, 0, "lg-edge-label"));
      const [spot, shown] = this.labelPlace(edge, text, taken);
      const [x, y] = this.scene.toLayout(...spot);
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
      this.scene.fromLayout(Number(numbers[2 * i]), Number(numbers[2 * i + 1])),
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
    const [width, height] = this.scene.size;
    const spots = candidates.map((spot) => [spot, this.textBox(text, spot)] as const);
    const region = {
      x0: Math.min(...spots.map(([, b]) => b.x0)),
      x1: Math.max(...spots.map(([, b]) => b.x1)),
      y0: Math.min(...spots.map(([, b]) => b.y0)),
      y1: Math.max(...spots.map(([, b]) => b.y1)),
    };
    const near = [...this.scene.boxes, ...this.scene.opBoxes].filter((b) => overlaps(region, b)).concat(taken); // a few of thousands
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
   * left, else above the whole drawing. Failing that, above it. Room is kept above the drawing
   * (`keepRoomAbove`) for a note there, so it is never cut off.
   */
  private placeNote(note: SVGTextElement, box: Box, taken: Box[]): boolean {
    const text = note.textContent ?? "";
    const half = (text.length * LABEL_CHAR_PX) / 2;
    const across = [(box.x0 + box.x1) / 2, box.x0 + half, box.x1 - half];
    const candidates = [box.y0 - 4, box.y1 + LABEL_PX].flatMap((y) => across.map((x) => [x, y] as [number, number]));
    const middle = (box.y0 + box.y1 + LABEL_PX) / 2; // then beside it, right or left
    candidates.push([box.x1 + 4 + half, middle], [box.x0 - 4 - half, middle]);
    const centre = Math.max(half, Math.min(this.scene.size[0] - half, (box.x0 + box.x1) / 2));
    const overAll: [number, number] = [centre, -4]; // above the whole drawing, in its record's column: covers no record
    const overAllFree = !taken.some((b) => overlaps(this.textBox(text, overAll), b));
    const spot = this.freeSpot(text, candidates, taken) ?? (overAllFree ? overAll : [centre, box.y0 - 4]);
    taken.push(this.textBox(text, spot));
    const [x, y] = this.scene.toLayout(...spot);
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
}

function overlaps(a: Box, b: Box | undefined): boolean {
  return !!b && a.x1 > b.x0 && a.x0 < b.x1 && a.y1 > b.y0 && a.y0 < b.y1;
}

function setIfChanged(element: Element, name: string, value: string): void {
  if (element.getAttribute(name) !== value) element.setAttribute(name, value);
}
