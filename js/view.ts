/**
 * The drawn graph: laid out once per topology by Graphviz (WebAssembly), then updated in
 * place. Every text is set with textContent, never parsed as markup.
 */
import { Graphviz } from "@hpcc-js/wasm-graphviz";
import { select } from "d3-selection";
import { zoom, zoomIdentity, type ZoomBehavior } from "d3-zoom";
import { opText, toDot, shownLabel } from "./dot";
import { formatNumber } from "./format";
import type { Topology } from "./graph";

const graphviz: Promise<Graphviz> = Graphviz.load(); // starts with the module: the wasm is ready sooner

const PT_TO_PX = 4 / 3;
const MIN_READABLE_SCALE = 0.75; // below this, records scroll rather than shrink (until "Fit")

/** While stepping, values not yet computed: they show "?" rather than a misleading number. */
export interface Pending {
  data?: Uint8Array;
  grad?: Uint8Array;
}

interface ValueElements {
  group: SVGGElement;
  box: SVGElement | null;
  data: SVGTextElement;
  grad: SVGTextElement;
  title: SVGTitleElement | null;
  op: SVGGElement | null;
  shown: [data: string, grad: string, fill: string, nonFinite: boolean, pending: boolean];
}

export class GraphView {
  readonly element: HTMLDivElement;
  private readonly svg: SVGSVGElement;
  private readonly values: ValueElements[] = [];
  private readonly edges = new Map<string, SVGGElement>(); // "v3->v5op": the edge from value 3 into 5's op
  private highlighted: Element[] = [];
  private readonly zoomer: ZoomBehavior<SVGSVGElement, unknown>;
  private data: Float64Array = new Float64Array();
  private grad: Float64Array = new Float64Array();

  static async create(topology: Topology, rankdir: string): Promise<GraphView> {
    const layoutEngine = await graphviz;
    const started = performance.now();
    const svgText = layoutEngine.dot(toDot(topology, rankdir));
    performance.measure("livegrad layout", { start: started });
    return new GraphView(topology, svgText);
  }

  private constructor(
    private readonly topology: Topology,
    svgText: string,
  ) {
    this.element = document.createElement("div");
    this.element.className = "lg-graph";
    // Graphviz's output holds no user text (labels are placeholders), so the HTML parser, much
    // faster than the XML one on a large drawing, can read it without risk.
    const template = document.createElement("template");
    template.innerHTML = svgText.slice(svgText.indexOf("<svg"));
    this.svg = template.content.querySelector("svg") as SVGSVGElement;
    this.sizeToFit();
    this.indexNodes();
    const pane = this.svg.querySelector("g.graph") as SVGGElement; // Graphviz's root group
    const placed = pane.getAttribute("transform") ?? "";
    this.zoomer = zoom<SVGSVGElement, unknown>()
      .scaleExtent([0.05, 40])
      .extent(() => {
        const [, , w, h] = this.viewBox();
        return [
          [0, 0],
          [w, h],
        ];
      })
      .on("zoom", (event) => pane.setAttribute("transform", `${event.transform} ${placed}`));
    select(this.svg).call(this.zoomer);
    this.svg.addEventListener("pointerover", (event) => this.describe(event.target));
    this.element.append(this.svg);
  }

  /** Draw new values into the existing records: no layout, only the texts and colours that changed. */
  update(data: Float64Array, grad: Float64Array, pending: Pending = {}): void {
    this.data = data;
    this.grad = grad;
    let largest = 0;
    grad.forEach((g, i) => {
      if (Number.isFinite(g) && !pending.grad?.[i]) largest = Math.max(largest, Math.abs(g));
    });
    this.values.forEach((node, i) => {
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
    });
  }

  /** Mark the node of the current step, its op, and the edges of that step. */
  highlight(node: number | null, edges: readonly (readonly [from: number, to: number])[] = []): void {
    for (const element of this.highlighted) element.classList.remove("lg-current", "lg-active");
    this.highlighted = [];
    const mark = (element: Element | null | undefined, name: string): void => {
      if (!element) return;
      element.classList.add(name);
      this.highlighted.push(element);
    };
    if (node !== null) {
      mark(this.values[node]?.group, "lg-current");
      mark(this.values[node]?.op, "lg-current");
      this.reveal(node);
    }
    for (const [from, to] of edges) mark(this.edges.get(`v${from}->v${to}op`), "lg-active");
  }

  /** The whole graph in view, however small; or back to readable size and scrolling. */
  fit(): void {
    this.element.classList.toggle("lg-fit");
    select(this.svg).call(this.zoomer.transform, zoomIdentity);
  }

  /**
   * Keep value `id` in the middle of the view while the page settles the widget's size (notebook
   * outputs resize after the first frame), until the user first pans, zooms or scrolls.
   */
  followUntilTouched(id: number): () => void {
    this.reveal(id, true);
    if (typeof ResizeObserver === "undefined") return () => {};
    const follow = new ResizeObserver(() => this.reveal(id, true));
    follow.observe(this.element);
    const stop = (): void => follow.disconnect();
    for (const event of ["pointerdown", "wheel", "keydown"]) this.element.addEventListener(event, stop, { once: true });
    return stop;
  }

  /** Scroll value `id` into the middle of the view; only if it is out of view, unless `always`. */
  reveal(id: number, always = false): void {
    const group = this.values[id]?.group;
    if (!group) return;
    const view = this.element.getBoundingClientRect();
    const node = group.getBoundingClientRect();
    const inside =
      node.left >= view.left && node.right <= view.right && node.top >= view.top && node.bottom <= view.bottom;
    if (inside && !always) return;
    this.element.scrollLeft += node.left + node.width / 2 - (view.left + view.width / 2);
    this.element.scrollTop += node.top + node.height / 2 - (view.top + view.height / 2);
  }

  private viewBox(): number[] {
    const box = (this.svg.getAttribute("viewBox") ?? "0 0 100 100").split(/[\s,]+/).map(Number);
    return box.length === 4 && box.every(Number.isFinite) ? box : [0, 0, 100, 100];
  }

  private sizeToFit(): void {
    const [, , width, height] = this.viewBox();
    this.svg.removeAttribute("width");
    this.svg.removeAttribute("height");
    // The height follows the viewBox's aspect ratio; the container scrolls what does not fit.
    const natural = width * PT_TO_PX;
    this.svg.style.width = `max(100%, ${Math.round(natural * MIN_READABLE_SCALE)}px)`;
    this.svg.style.maxWidth = `${Math.ceil(natural)}px`;
    this.svg.style.aspectRatio = `${width} / ${height}`;
  }

  private indexNodes(): void {
    const { nodes } = this.topology;
    for (const edge of Array.from(this.svg.querySelectorAll<SVGGElement>("g.edge"))) {
      this.edges.set(edge.querySelector("title")?.textContent ?? "", edge);
    }
    const opGroups = new Map<number, SVGGElement>();
    for (const group of Array.from(this.svg.querySelectorAll<SVGGElement>("g.node"))) {
      const name = group.querySelector("title")?.textContent ?? "";
      const match = /^v(\d+)(op)?$/.exec(name);
      if (!match) continue;
      const id = Number(match[1]);
      const node = nodes[id];
      const texts = group.querySelectorAll<SVGTextElement>("text");
      if (match[2]) {
        group.classList.add("lg-op");
        group.dataset.op = node.op;
        texts[0].textContent = opText(node);
        if (node.unknown_op) {
          group.dataset.unknownOp = "true";
          const title = group.querySelector("title");
          if (title)
            title.textContent =
              `livegrad does not know the op "${node.op}": this value stays as your engine computed it, ` +
              "and the leaves that feed it have no slider";
        }
        opGroups.set(id, group);
        continue;
      }
      group.classList.add("lg-value");
      group.dataset.nodeId = String(id);
      group.dataset.label = node.label;
      texts[0].textContent = shownLabel(node.label);
      this.values[id] = {
        group,
        box: group.querySelector("polygon, path"),
        data: texts[1],
        grad: texts[2],
        title: group.querySelector<SVGTitleElement>("title"),
        op: null,
        shown: ["", "", "", false, false],
      };
    }
    for (const [id, group] of opGroups) if (this.values[id]) this.values[id].op = group;
  }

  /** Hover text with full precision, written only for the node under the pointer. */
  private describe(target: EventTarget | null): void {
    const group = (target as Element | null)?.closest?.("g.lg-value") as SVGGElement | null;
    const id = Number(group?.dataset.nodeId);
    const node = this.topology.nodes[id];
    const elements = this.values[id];
    if (!node || !elements?.title) return;
    const made = node.op ? `${node.op} of ${node.inputs.map((i) => this.name(i)).join(", ")}` : "leaf";
    elements.title.textContent = `${node.label || "(unlabelled)"}: ${made}\ndata = ${this.data[id]}\ngrad = ${this.grad[id]}`;
  }

  private name(id: number): string {
    return this.topology.nodes[id].label || `#${id}`;
  }
}

/** Blue for a positive gradient, red for a negative one, stronger as it grows. */
function gradientFill(grad: number, largest: number): string {
  if (!Number.isFinite(grad) || grad === 0 || largest === 0) return "";
  const strength = 0.12 + 0.45 * Math.sqrt(Math.min(1, Math.abs(grad) / largest));
  return grad > 0 ? `rgba(33, 118, 255, ${strength.toFixed(3)})` : `rgba(230, 57, 70, ${strength.toFixed(3)})`;
}
