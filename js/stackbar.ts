/**
 * The stacks' bar: for each stack drawn (a module or function called many times by one parent, drawn
 * as one card: "MLP × 100"), the call on show as a control where the eye goes, above the graph and at
 * the page's own size whatever the zoom: "MLP × 100: sample 17 of 100", with ◀ and ▶ and a number box,
 * all keyboard operable. Calls that receive only leaves (a model run on each data point) are
 * "samples"; others are "calls". Numbers are 1-based for reading; the picks it reports are 0-based.
 *
 * Owns its element only. It reads the drawn elements and the topology's groups, and says what the
 * user picked through `pick`; the widget draws the result.
 */
import type { Element as Drawn } from "./fold";
import type { Topology } from "./graph";

type Stack = Extract<Drawn, { kind: "stack" }>;

/** Stacks shown in the bar at most (the outermost first): more would push the graph down the page. */
export const MAX_ROWS = 3;

export class StackBar {
  readonly element = document.createElement("div");

  constructor(
    private readonly topology: Topology,
    private readonly pick: (name: string, call: number) => void,
  ) {
    this.element.className = "lg-stacks";
    this.element.hidden = true;
  }

  /** Show the drawn stacks (elements in topological order; the last stacks are nearest the output). */
  update(elements: readonly Drawn[]): void {
    const stacks = elements.filter((e): e is Stack => e.kind === "stack");
    const focused = this.element.contains(document.activeElement) ? (document.activeElement as HTMLElement) : null;
    const name = focused?.closest<HTMLElement>("[data-stack-bar]")?.dataset.stackBar;
    const role = focused?.dataset.role;
    this.element.replaceChildren(
      ...stacks
        .slice(-MAX_ROWS)
        .reverse()
        .map((stack) => this.row(stack)),
    );
    this.element.hidden = stacks.length === 0;
    if (name === undefined) return; // focus stays on what was acted on, in the new row
    const row = [...this.element.querySelectorAll<HTMLElement>("[data-stack-bar]")].find(
      (r) => r.dataset.stackBar === name,
    );
    row?.querySelector<HTMLElement>(`[data-role="${role}"]`)?.focus({ preventScroll: true });
  }

  private row(stack: Stack): HTMLDivElement {
    const n = stack.calls.length;
    const noun = this.takesLeavesOnly(stack) ? "sample" : "call";
    const row = document.createElement("div");
    row.className = "lg-stack-row";
    row.dataset.stackBar = stack.name;
    const title = document.createElement("span");
    title.className = "lg-stack-name";
    title.textContent = `${stack.name} × ${n}:`;
    const go = (to: number): void => {
      if (to >= 0 && to < n && to !== stack.picked) this.pick(stack.name, to);
    };
    const step = (text: string, by: number, role: string): HTMLButtonElement => {
      const button = document.createElement("button");
      button.type = "button";
      button.textContent = text;
      button.dataset.role = role;
      button.setAttribute("aria-label", `${by < 0 ? "Previous" : "Next"} ${noun} of ${stack.name}`);
      button.disabled = by < 0 ? stack.picked === 0 : stack.picked === n - 1;
      button.addEventListener("click", () => go(stack.picked + by));
      return button;
    };
    const box = document.createElement("input");
    box.type = "number";
    box.min = "1";
    box.max = String(n);
    box.step = "1";
    box.value = String(stack.picked + 1);
    box.dataset.role = "box";
    box.setAttribute("aria-label", `${stack.name}: the ${noun} on show, 1 to ${n}`);
    const commit = (): void => {
      const shown = Math.round(Number(box.value));
      if (Number.isInteger(shown) && shown >= 1 && shown <= n) go(shown - 1);
      else box.value = String(stack.picked + 1);
    };
    box.addEventListener("change", commit); // on leaving the box
    box.addEventListener("keydown", (event) => {
      if (event.key === "Enter") commit(); // browsers fire no change event on Enter here
    });
    const label = document.createElement("label");
    label.append(`${noun} `, box, ` of ${n}`);
    row.append(title, step("◀", -1, "previous"), label, step("▶", 1, "next"));
    return row;
  }

  /** Whether every call of the stack received leaves only (a data point each): its calls are samples. */
  private takesLeavesOnly(stack: Stack): boolean {
    const { groups = [], nodes } = this.topology;
    return stack.calls.every((c) => {
      const inputs = groups[c]?.inputs ?? [];
      return inputs.length > 0 && inputs.every((i) => nodes[i].inputs.length === 0);
    });
  }
}
