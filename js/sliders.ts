/**
 * A slider per chosen leaf: a range input to drag, and a number box to type an exact value.
 * At most `limit` show at first, in the kernel's order (the graph's inputs first, then the
 * parameters by module); any other leaf's slider can be added (from its card or from search)
 * and removed again. With more leaves than that, sliders sit under their module's heading.
 */
import { button } from "./dom";
import { formatNumber, roundToStep } from "./format";
import type { GradientCheck, SliderSpec } from "./graph";
import "./navigate.css"; // the navigation parts share one stylesheet

/** How many sliders show at first. */
export const SHOWN_AT_FIRST = 12;

interface Row {
  spec: SliderSpec;
  element: HTMLLabelElement;
  range: HTMLInputElement;
  box: HTMLInputElement;
  check: HTMLSpanElement;
}

export class SliderPanel {
  readonly element: HTMLDivElement;
  private readonly specs = new Map<number, SliderSpec>();
  private readonly order = new Map<number, number>(); // id -> place in the kernel's order
  private readonly rows = new Map<number, Row>(); // the sliders on show
  private readonly sections = new Map<string, HTMLElement>(); // module name -> its heading and rows
  private readonly grouped: boolean;
  private readonly note: HTMLParagraphElement;
  private readonly positions = new Map<number, number>(); // each leaf's number, shown or not
  private checks = new Map<number, GradientCheck>();

  constructor(
    specs: readonly SliderSpec[],
    private readonly onChange: (id: number, value: number) => void,
    limit = SHOWN_AT_FIRST,
  ) {
    this.element = document.createElement("div");
    this.element.className = "lg-sliders";
    this.grouped = specs.length > limit;
    this.element.dataset.grouped = String(this.grouped);
    this.note = document.createElement("p");
    this.note.className = "lg-slider-note";
    if (this.grouped) this.element.append(this.note);
    specs.forEach((spec, i) => {
      this.specs.set(spec.id, spec);
      this.order.set(spec.id, i);
      if (spec.value !== undefined) this.positions.set(spec.id, spec.value);
    });
    for (const spec of specs.slice(0, limit)) this.add(spec.id, false);
    this.tell();
  }

  /** Can leaf `id` have a slider, and is it on show? */
  has(id: number): boolean {
    return this.specs.has(id);
  }
  shows(id: number): boolean {
    return this.rows.has(id);
  }

  /** Show leaf `id`'s slider, in its place in the kernel's order (and its module's section); `focus` moves there. */
  add(id: number, focus = true): void {
    const spec = this.specs.get(id);
    if (!spec) return;
    let row = this.rows.get(id);
    if (!row) {
      row = this.makeRow(spec);
      this.rows.set(id, row);
      const parent = this.grouped ? this.section(spec.group ?? null) : this.element;
      const after = [...parent.querySelectorAll<HTMLElement>(":scope > .lg-slider")].find(
        (other) => this.order.get(Number(other.dataset.id))! > this.order.get(id)!,
      );
      parent.insertBefore(row.element, after ?? null);
      if (parent !== this.element) parent.hidden = false;
      const position = this.positions.get(id) ?? (typeof spec.initial === "number" ? spec.initial : undefined);
      if (position !== undefined) this.moveTo(id, position);
      this.showCheck(row);
      this.tell();
    }
    if (focus) {
      row.element.scrollIntoView?.({ block: "nearest" });
      row.range.focus({ preventScroll: true });
    }
  }

  /** Take leaf `id`'s slider away (its leaf keeps its value). */
  remove(id: number): void {
    const row = this.rows.get(id);
    if (!row) return;
    const section = row.element.parentElement;
    row.element.remove();
    this.rows.delete(id);
    if (section && section !== this.element && !section.querySelector(".lg-slider")) section.hidden = true;
    this.tell();
  }

  /** Beside each slider: does autograd's gradient match the finite difference? */
  showChecks(checks: readonly GradientCheck[]): void {
    this.checks = new Map(checks.map((c) => [c.id, c]));
    for (const row of this.rows.values()) this.showCheck(row);
  }

  /** Move every slider to its leaf's current value (after the kernel or Python changed them). */
  show(data: Float64Array): void {
    for (const id of this.specs.keys()) if (id >= 0 && id < data.length) this.moveTo(id, data[id]); // else an input
  }

  /** Put one slider at `value` (Reset, or an input of from_function that Python moved), unless it is being typed in. */
  moveTo(id: number, value: number): void {
    if (this.specs.has(id)) this.positions.set(id, value);
    const row = this.rows.get(id);
    if (!row || document.activeElement === row.box) return;
    row.range.value = String(value);
    row.box.value = roundToStep(value, row.spec.step);
    row.box.title = String(value); // the exact value, on hover
  }

  /** Say how many show, and how to bring up the others. */
  private tell(): void {
    if (!this.grouped) return;
    this.note.textContent =
      `${this.rows.size} of ${this.specs.size} sliders shown. ` +
      "Add another with “+ slider” on a leaf's card or in Find; remove one with its ×.";
  }

  /** The section of module `group` (the graph's inputs: "Inputs"), made on first use, in the kernel's order. */
  private section(group: string | null): HTMLElement {
    const key = group ?? "";
    let section = this.sections.get(key);
    if (!section) {
      section = document.createElement("section");
      section.className = "lg-slider-group";
      section.dataset.module = key; // not data-group: that names a drawn group's element (the contract)
      const heading = document.createElement("h4");
      heading.className = "lg-slider-heading";
      heading.textContent = group ?? "Inputs";
      section.setAttribute("aria-label", group === null ? "Sliders of the inputs" : `Sliders of ${group}`);
      section.append(heading);
      this.sections.set(key, section);
      // Sections follow the order of their first leaf among all the specs.
      const first = (name: string): number =>
        Math.min(...[...this.specs.values()].filter((s) => (s.group ?? "") === name).map((s) => this.order.get(s.id)!));
      const place = first(key);
      const after = [...this.sections.entries()].filter(([k]) => k !== key && first(k) > place).map(([, s]) => s);
      const next = after.sort((a, b) => first(a.dataset.module!) - first(b.dataset.module!))[0];
      this.element.insertBefore(section, next ?? null);
    }
    return section;
  }

  private showCheck({ spec, check }: Row): void {
    const result = this.checks.get(spec.id);
    const judged = result?.judged !== false; // a leaf nothing could judge is never shown as a match
    check.dataset.ok = !result ? "" : judged ? String(result.ok) : "unjudged";
    check.textContent = !result
      ? ""
      : !judged
        ? "? not judged"
        : result.ok
          ? "✓"
          : `✗ numeric ${formatNumber(Number(result.numeric))}`;
    check.title = !result
      ? ""
      : !judged
        ? `not judged: ${result.why ?? "no finite difference here"}`
        : `autograd ${Number(result.autograd)}, finite difference ${Number(result.numeric)}` +
          (result.ok ? "" : ": they do not match; is this op's local derivative right?");
  }

  private makeRow(spec: SliderSpec): Row {
    const element = document.createElement("label");
    element.className = "lg-slider";
    element.dataset.testid = `slider-${spec.label}`;
    element.dataset.id = String(spec.id);
    const name = document.createElement("span");
    name.className = "lg-slider-label";
    name.textContent = spec.label;
    name.title = spec.label;
    const range = input("range", spec.label);
    range.min = String(spec.min);
    range.max = String(spec.max);
    range.step = String(spec.step);
    const box = input("number", `${spec.label} value`);
    box.step = "any";
    range.addEventListener("input", () => {
      const value = Number(range.value);
      box.value = roundToStep(value, spec.step);
      box.title = String(value);
      box.removeAttribute("aria-invalid");
      this.positions.set(spec.id, value);
      this.onChange(spec.id, value);
    });
    const commit = (): void => {
      const value = box.value.trim() === "" ? NaN : Number(box.value);
      if (!Number.isFinite(value)) {
        box.setAttribute("aria-invalid", "true");
        return;
      }
      box.removeAttribute("aria-invalid");
      range.value = String(value);
      this.positions.set(spec.id, value);
      this.onChange(spec.id, value);
    };
    range.addEventListener("keydown", (event) => nudge(event, range, spec));
    box.addEventListener("change", commit); // on leaving the box
    box.addEventListener("keydown", (event) => {
      if (event.key === "Enter") commit(); // browsers fire no change event on Enter here
    });
    const check = document.createElement("span");
    check.className = "lg-check";
    element.append(name, range, box, check);
    if (this.grouped) {
      const remove = button(
        "×",
        "Remove this slider (the leaf keeps its value)",
        () => this.remove(spec.id),
        `Remove the slider of ${spec.label}`,
      );
      remove.className = "lg-slider-remove";
      element.append(remove);
    }
    return { spec, element, range, box, check };
  }
}

/**
 * Arrow keys move a slider by 1/100 of its range, so ten presses visibly change the graph
 * (with Shift, by its own step, for fine work); the browser's default is one step, often 1/1000.
 */
function nudge(event: KeyboardEvent, range: HTMLInputElement, spec: SliderSpec): void {
  const direction = { ArrowRight: 1, ArrowUp: 1, ArrowLeft: -1, ArrowDown: -1 }[event.key];
  if (direction === undefined || event.altKey || event.ctrlKey || event.metaKey) return;
  event.preventDefault();
  const amount = event.shiftKey ? spec.step : Math.max(spec.step, (spec.max - spec.min) / 100);
  const before = range.value;
  range.value = String(Math.min(spec.max, Math.max(spec.min, Number(range.value) + direction * amount)));
  if (range.value !== before) range.dispatchEvent(new Event("input", { bubbles: true }));
}

function input(type: "range" | "number", label: string): HTMLInputElement {
  const element = document.createElement("input");
  element.type = type;
  element.setAttribute("aria-label", label);
  element.dataset.lmSuppressShortcuts = "true"; // JupyterLab would take the arrow keys otherwise
  return element;
}
