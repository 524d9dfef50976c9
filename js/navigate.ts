/**
 * Finding one's way in a big graph, on top of the drawing: the search field (Enter shows the
 * match, expanding what hides it), the paths a click on a value shows (to the output, or with
 * Alt or Shift what it depends on), and a bar over the drawing that says what is highlighted,
 * offers a leaf's "+ slider", and clears (so does Escape, or a click on the background).
 */
import { button } from "./dom";
import type { TopologyNode } from "./graph";
import { onElements, pathSet, type PathKind } from "./paths";
import { SearchBox, SearchIndex } from "./search";
import type { SliderPanel } from "./sliders";
import "./navigate.css";

/** What navigation needs of the drawing. */
export interface NavigableView {
  readonly element: HTMLElement;
  readonly shown: { elementOf: ArrayLike<number> }; // node id -> drawn element, -1 if not drawn
  /** Pan so that value `id`'s element is in the panel's centre. */
  centreOn(id: number): void;
  /** Mark drawn elements and edges (element indexes) with `className`, taking it from everything else. */
  mark(
    className: string,
    elements: Iterable<number>,
    edges: readonly (readonly [number, number])[],
    openGroups?: boolean,
  ): void;
}

export interface NavigatorHost {
  nodes: readonly TopologyNode[];
  root: number;
  view: NavigableView;
  sliders: SliderPanel;
  /** Expand whatever hides value `id` and lay the graph out again (nothing if it is drawn). */
  reveal(id: number): void | Promise<void>;
}

const FOUND = "lg-found";
const PATH = "lg-path";

export class Navigator {
  readonly search: SearchBox;
  readonly bar: HTMLDivElement; // over the drawing's top left: what is highlighted, and what to do with it
  private readonly text: HTMLSpanElement;
  private readonly actions: HTMLSpanElement;
  private found: number | null = null;
  private selected: { id: number; kind: PathKind } | null = null;

  constructor(private readonly host: NavigatorHost) {
    const { nodes, view } = host;
    this.search = new SearchBox(new SearchIndex(nodes), nodes, {
      show: (id) => this.find(id),
      clear: () => {
        this.found = null;
        this.refresh();
      },
      actions: (id) => this.sliderButton(id),
    });
    this.bar = document.createElement("div");
    this.bar.className = "lg-navbar";
    this.bar.setAttribute("role", "status");
    this.bar.setAttribute("aria-live", "polite");
    this.text = document.createElement("span");
    this.actions = document.createElement("span");
    this.actions.className = "lg-navbar-actions";
    this.bar.append(this.text, this.actions);
    this.bar.hidden = true;
    view.element.append(this.bar);
    view.element.addEventListener("keydown", (event) => {
      if (event.key === "Escape" && this.selected) {
        event.preventDefault();
        this.select(null);
      }
    });
    view.element.addEventListener("click", (event) => {
      const target = event.target as Element | null;
      if (this.bar.contains(target) || target?.closest?.("g.node, g.cluster, select, button, input, .lg-minimap"))
        return;
      this.select(null); // the background
    });
  }

  /** A click on value `id`'s card: its paths to the output, or with Alt or Shift what it depends on; again: off. */
  click(id: number, event: Pick<MouseEvent, "altKey" | "shiftKey">): void {
    const kind: PathKind = event.altKey || event.shiftKey ? "depends-on" : "to-root";
    const same = this.selected?.id === id && this.selected.kind === kind;
    this.select(same ? null : { id, kind });
  }

  /** Mark again what is highlighted, on the drawing as it is now (after the folds changed). */
  refresh(): void {
    const { nodes, root, view } = this.host;
    const { elementOf } = view.shown;
    const foundAt = this.found === null ? -1 : elementOf[this.found];
    view.mark(FOUND, foundAt >= 0 ? [foundAt] : [], []);
    if (!this.selected) {
      view.mark(PATH, [], []);
      this.bar.hidden = true;
      return;
    }
    const { id, kind } = this.selected;
    const marked = pathSet(nodes, root, id, kind);
    const { elements, edges } = onElements(nodes, marked, elementOf);
    view.mark(PATH, elements, edges, true);
    let count = 0;
    for (const m of marked) count += m;
    this.text.textContent = this.sentence(id, kind, count);
    const clear = button("×", "Clear the highlight (Escape)", () => this.select(null), "Clear the highlight");
    this.actions.replaceChildren(...this.sliderButton(id), clear);
    this.bar.hidden = false;
  }

  /** What the highlight shows, in words: "w reaches loss through 5 values". */
  private sentence(id: number, kind: PathKind, count: number): string {
    const { nodes, root } = this.host;
    const name = nodes[id].label || nodes[id].name;
    // Not toLocaleString: its first call loads Intl's data, a tenth of a second on a click.
    const many = (n: number): string => `${String(n).replace(/\B(?=(\d{3})+$)/g, ",")} value${n === 1 ? "" : "s"}`;
    if (kind === "depends-on")
      return count === 1 ? `${name} is a leaf: it depends on no other value` : `${name} depends on ${many(count - 1)}`;
    return id === root
      ? `${name} is the output`
      : `${name} reaches ${nodes[root].name || "the output"} through ${many(count)}`;
  }

  /** Highlight `selected`'s paths, or (null) none. */
  select(selected: { id: number; kind: PathKind } | null): void {
    this.selected = selected;
    this.refresh();
  }

  private async find(id: number): Promise<void> {
    this.found = id;
    await this.host.reveal(id);
    this.host.view.element.scrollIntoView?.({ block: "nearest" }); // the panel itself, if the page scrolled away
    this.host.view.centreOn(id);
    this.refresh();
  }

  /** "+ slider" for a leaf that can have one and has none on show. */
  private sliderButton(id: number): HTMLButtonElement[] {
    const { sliders, nodes } = this.host;
    if (!sliders.has(id) || sliders.shows(id)) return [];
    const name = nodes[id].label || nodes[id].name;
    const add = button("+ slider", `Add a slider for ${name} below the graph`, () => {
      sliders.add(id);
      add.remove();
    });
    add.setAttribute("aria-label", `Add a slider for ${name}`);
    return [add];
  }
}
