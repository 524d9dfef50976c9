/**
 * The drawing: Graphviz's SVG for the drawn elements, and its index (each element's card, box, op,
 * edges and fold toggle), made once per layout. It owns the SVG's structure and the texts that never
 * change (names, fold summaries, the stacks' pickers); it knows nothing of the view's pan and zoom,
 * of the numbers (cardtext.ts writes them) or of the step's marks (overlays.ts).
 */
import { clusterHeader, foldFields, moreText, opText, shownLabel } from "./dot";
import { cardName } from "./format";
import type { Element as Folded, VisibleGraph } from "./fold";
import type { Topology } from "./graph";
import type { Box } from "./minimap";
import { describeOp, type Card } from "./cardtext";

export const PT_TO_PX = 4 / 3;
export const FONT_PT = 10; // the records' font size in the DOT text (dot.ts)
const CHAR_PT = 6; // the width of one of its characters (Courier)
export const SVG = "http://www.w3.org/2000/svg";

export class Scene {
  readonly svg: SVGSVGElement;
  readonly pane: SVGGElement; // Graphviz's root group
  readonly size: [number, number]; // the drawing at scale 1, px
  private readonly offset: [number, number]; // Graphviz's own translation of its drawing, in pt
  readonly cards: Card[] = []; // per drawn element
  readonly boxes: Box[] = []; // each element's record in drawing px
  readonly opBoxes: Box[] = []; // each op's ellipse in drawing px: labels keep off them too
  readonly edges = new Map<string, SVGGElement[]>(); // "from->to" (element indexes) -> its path(s)
  readonly folds = new Map<string, { target: SVGGElement; box: Box }>(); // group name or Σ key -> what toggles it
  readonly opEdges = new Map<number, SVGGElement>(); // element -> the edge from its op into it

  /** Parse Graphviz's `svgText` for `visible` and index it; `pick` hears a stack's picker. */
  constructor(
    svgText: string,
    private readonly topology: Topology,
    readonly visible: VisibleGraph,
    private readonly pick: (name: string, call: number) => void,
  ) {
    // Graphviz's output holds no user text (labels are placeholders), so the HTML parser, much
    // faster than the XML one on a large drawing, can read it without risk. Its comments name
    // internal ids, so they go (the pattern spells "-{2}": the bundle, inlined into saved pages,
    // must hold no comment opener).
    const template = document.createElement("template");
    template.innerHTML = svgText.slice(svgText.indexOf("<svg")).replace(/<!-{2}[^]*?-{2}>/g, "");
    this.svg = template.content.querySelector("svg") as SVGSVGElement;
    const [, , width, height] = viewBox(this.svg);
    this.size = [width * PT_TO_PX, height * PT_TO_PX];
    for (const name of ["width", "height"]) this.svg.removeAttribute(name); // the camera sizes it to the zoom
    this.svg.setAttribute("role", "graphics-document");
    const rootName = topology.nodes[topology.root].name;
    const folded = visible.elements.length < topology.nodes.length ? `, ${visible.elements.length} drawn` : "";
    this.svg.setAttribute(
      "aria-label",
      `Computation graph of ${rootName || "the output"}: ${topology.nodes.length} values${folded}, each with its data and grad`,
    );
    this.pane = this.svg.querySelector("g.graph") as SVGGElement;
    const shift = /translate\(\s*([-\d.e]+)[\s,]+([-\d.e]+)\s*\)/.exec(this.pane.getAttribute("transform") ?? "");
    this.offset = shift ? [Number(shift[1]), Number(shift[2])] : [0, 0];
    this.indexNodes();
  }

  /** Where a value's element (by node id) or a group's or Σ's (by name or key) is, drawing px. */
  boxFor(target: number | string): Box | undefined {
    if (typeof target === "string") return this.folds.get(target)?.box;
    return this.boxes[this.visible.elementOf[target] ?? -1];
  }

  /** The card of a value's element (by node id), if drawn. */
  cardOf(id: number): Card | undefined {
    return this.cards[this.visible.elementOf[id] ?? -1];
  }

  /** The number input that picks the call a stack shows. */
  pickerOf(name: string): HTMLInputElement | undefined {
    return [...this.svg.querySelectorAll<HTMLInputElement>(".lg-picker input")].find((i) => i.dataset.picks === name);
  }

  /** A point of the drawing (px) in Graphviz's own coordinates (pt, inside its translation). */
  toLayout(x: number, y: number): [number, number] {
    return [x / PT_TO_PX - this.offset[0], y / PT_TO_PX - this.offset[1]];
  }

  /** A point of Graphviz's own coordinates (pt, inside its translation) in drawing px. */
  fromLayout(x: number, y: number): [number, number] {
    return [(x + this.offset[0]) * PT_TO_PX, (y + this.offset[1]) * PT_TO_PX];
  }

  /** Find each element's record, op, edges and cluster in Graphviz's drawing, and give them their texts. */
  private indexNodes(): void {
    this.indexEdges();
    this.indexCards();
    this.indexClusters();
    // Graphviz titles the graph and every edge by internal names (G, v0->v2op): none may show.
    for (const title of Array.from(this.svg.querySelectorAll("title"))) {
      if (!title.parentElement?.matches("g.node, .lg-cluster-header")) title.remove();
    }
  }

  /** An element's index from its Graphviz name: "v12" is value 12's, "e3" drawn element 3. */
  private elementNamed(name: string): number {
    return name[0] === "v" ? this.visible.elementOf[Number(name.slice(1))] : Number(name.slice(1));
  }

  /** Each edge between drawn elements (through a junction "b…" if it has one), and each op's edge into its value. */
  private indexEdges(): void {
    const elementNamed = (name: string): number => this.elementNamed(name);
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
  }

  /** Each element's card (its record's texts and box) and each op's ellipse, given their texts. */
  private indexCards(): void {
    const { nodes } = this.topology;
    const { elements, elementOf } = this.visible;
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
        title.textContent = describeOp(this.topology, id);
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
      texts[0].textContent = shownLabel(cardName(node));
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
  }

  /** Each open group's or Σ's frame, its header made the toggle that folds it. */
  private indexClusters(): void {
    const { clusters } = this.visible;
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
      if (!input.isConnected) return;
      const call = Math.round(Number(input.value));
      if (Number.isInteger(call) && call >= 0 && call < n && call !== element.picked) this.pick(element.name, call);
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
}

function viewBox(svg: SVGSVGElement): number[] {
  const box = (svg.getAttribute("viewBox") ?? "0 0 100 100").split(/[\s,]+/).map(Number);
  return box.length === 4 && box.every(Number.isFinite) ? box : [0, 0, 100, 100];
}
