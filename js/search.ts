/**
 * Find a value by name or label: the toolbar's search field. Matches rank exact label, then
 * exact name (then either ignoring case); only when none is exact, a prefix, then a substring
 * (ignoring case), each in the graph's order. The
 * field's Enter shows the best match, Enter again the next one (Shift+Enter the one before);
 * what happened is said in a polite live region. The index is built once per topology, at the
 * first query (not while the graph is first drawn), so a query over 65,818 values is one pass
 * over ready lower-cased strings.
 */
import type { TopologyNode } from "./graph";

export class SearchIndex {
  private lowered: [labels: string[], names: string[]] | null = null;

  constructor(private readonly nodes: readonly Pick<TopologyNode, "label" | "name">[]) {}

  /** Every value matching `query`, best first. */
  find(query: string): number[] {
    const text = query.trim();
    if (text === "") return [];
    const lower = text.toLowerCase();
    const ranks: number[][] = [[], [], [], [], [], []];
    const { nodes } = this;
    const [labels, names] = (this.lowered ??= [
      nodes.map((n) => n.label.toLowerCase()),
      nodes.map((n) => n.name.toLowerCase()),
    ]);
    for (let id = 0; id < nodes.length; id++) {
      const label = labels[id];
      const name = names[id];
      if (nodes[id].label === text) ranks[0].push(id);
      else if (nodes[id].name === text) ranks[1].push(id);
      else if (label === lower || name === lower) ranks[2].push(id);
      else if (label.startsWith(lower) || name.startsWith(lower)) ranks[3].push(id);
      else if (label.includes(lower)) ranks[4].push(id);
      else if (name.includes(lower)) ranks[5].push(id);
    }
    // An exact match is what was meant: the thousands of formulas that merely contain it are noise.
    const exact = [...ranks[0], ...ranks[1], ...ranks[2]];
    return exact.length > 0 ? exact : [...ranks[3], ...ranks[4], ...ranks[5]];
  }
}

export interface SearchEvents {
  /** Show value `id`: reveal what hides it, lay out, scroll to it, highlight it. */
  show(id: number): Promise<void> | void;
  /** The query was cleared (Escape, or an empty field): take the highlight away. */
  clear(): void;
  /** Buttons offered beside the match (a leaf's "+ slider"), if any. */
  actions?(id: number): HTMLElement[];
}

export class SearchBox {
  readonly element: HTMLSpanElement;
  readonly input: HTMLInputElement;
  readonly status: HTMLSpanElement;
  private readonly actions: HTMLSpanElement;
  private query = "";
  private matches: number[] = [];
  private at = -1;

  constructor(
    private readonly index: SearchIndex,
    private readonly nodes: readonly Pick<TopologyNode, "label" | "name">[],
    private readonly events: SearchEvents,
  ) {
    this.element = document.createElement("span");
    this.element.className = "lg-search";
    this.input = document.createElement("input");
    this.input.type = "search";
    this.input.setAttribute("aria-label", "Find a value by name or label");
    this.input.placeholder = "Find…";
    this.input.title = "Type a name or label, then Enter (again for the next match, Shift+Enter for the one before)";
    this.input.dataset.lmSuppressShortcuts = "true"; // JupyterLab would take the keys otherwise
    this.input.spellcheck = false;
    this.input.autocomplete = "off";
    this.status = document.createElement("span");
    this.status.className = "lg-search-status";
    this.status.setAttribute("role", "status");
    this.status.setAttribute("aria-live", "polite");
    this.input.addEventListener("keydown", (event) => this.onKey(event));
    this.input.addEventListener("input", () => {
      if (this.input.value.trim() === "") this.reset();
    });
    this.actions = document.createElement("span");
    this.actions.className = "lg-search-actions";
    this.element.append(this.input, this.status, this.actions);
  }

  /** The value on show, if any. */
  get current(): number | null {
    return this.at >= 0 ? this.matches[this.at] : null;
  }

  private onKey(event: KeyboardEvent): void {
    if (event.key === "Escape") {
      event.preventDefault();
      event.stopPropagation();
      this.input.value = "";
      this.reset();
      return;
    }
    if (event.key !== "Enter" || event.isComposing) return;
    event.preventDefault();
    event.stopPropagation();
    void this.go(event.shiftKey ? -1 : 1);
  }

  /** The next (or previous) match of the field's query; a new query starts from its best match. */
  async go(direction: 1 | -1): Promise<void> {
    const query = this.input.value.trim();
    if (query === "") return this.reset();
    if (query !== this.query) {
      this.query = query;
      this.matches = this.index.find(query);
      this.at = direction === 1 ? 0 : this.matches.length - 1;
    } else if (this.matches.length > 0) {
      this.at = (this.at + direction + this.matches.length) % this.matches.length;
    }
    if (this.matches.length === 0) {
      this.at = -1;
      this.input.setAttribute("aria-invalid", "true");
      this.status.textContent = `No value is named or labelled “${query}”.`;
      this.actions.replaceChildren();
      this.events.clear();
      return;
    }
    this.input.removeAttribute("aria-invalid");
    const id = this.matches[this.at];
    const { label, name } = this.nodes[id];
    const count = this.matches.length;
    this.status.textContent = `${count === 1 ? "1 match" : `${this.at + 1} of ${count}`}: ${label || name}`;
    this.actions.replaceChildren(...(this.events.actions?.(id) ?? []));
    await this.events.show(id);
  }

  private reset(): void {
    this.query = "";
    this.matches = [];
    this.at = -1;
    this.input.removeAttribute("aria-invalid");
    this.status.textContent = "";
    this.actions.replaceChildren();
    this.events.clear();
  }
}
