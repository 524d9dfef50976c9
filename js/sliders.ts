/** A slider per chosen leaf: a range input to drag, and a number box to type an exact value. */
import { formatNumber, roundToStep } from "./format";
import type { GradientCheck, SliderSpec } from "./graph";

interface Row {
  spec: SliderSpec;
  range: HTMLInputElement;
  box: HTMLInputElement;
  check: HTMLSpanElement;
}

export class SliderPanel {
  readonly element: HTMLDivElement;
  private readonly rows = new Map<number, Row>();

  constructor(specs: readonly SliderSpec[], onChange: (id: number, value: number) => void) {
    this.element = document.createElement("div");
    this.element.className = "lg-sliders";
    for (const spec of specs) {
      const row = document.createElement("label");
      row.className = "lg-slider";
      row.dataset.testid = `slider-${spec.label}`;
      const name = document.createElement("span");
      name.className = "lg-slider-label";
      name.textContent = spec.label;
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
        onChange(spec.id, value);
      });
      const commit = (): void => {
        const value = box.value.trim() === "" ? NaN : Number(box.value);
        if (!Number.isFinite(value)) {
          box.setAttribute("aria-invalid", "true");
          return;
        }
        box.removeAttribute("aria-invalid");
        range.value = String(value);
        onChange(spec.id, value);
      };
      range.addEventListener("keydown", (event) => nudge(event, range, spec));
      box.addEventListener("change", commit); // on leaving the box
      box.addEventListener("keydown", (event) => {
        if (event.key === "Enter") commit(); // browsers fire no change event on Enter here
      });
      const check = document.createElement("span");
      check.className = "lg-check";
      if (spec.value !== undefined) range.value = box.value = String(spec.value);
      row.append(name, range, box, check);
      this.element.append(row);
      this.rows.set(spec.id, { spec, range, box, check });
    }
  }

  /** Beside each slider: does autograd's gradient match the finite difference? */
  showChecks(checks: readonly GradientCheck[]): void {
    const byId = new Map(checks.map((c) => [c.id, c]));
    for (const [id, { check }] of this.rows) {
      const result = byId.get(id);
      check.dataset.ok = result ? String(result.ok) : "";
      check.textContent = !result ? "" : result.ok ? "✓" : `✗ numeric ${formatNumber(Number(result.numeric))}`;
      check.title = !result
        ? ""
        : `autograd ${Number(result.autograd)}, finite difference ${Number(result.numeric)}` +
          (result.ok ? "" : ": they do not match; is this op's local derivative right?");
    }
  }

  /** Move every slider to its leaf's current value (after the kernel or Python changed them). */
  show(data: Float64Array): void {
    for (const [id, { spec, range, box }] of this.rows) {
      if (document.activeElement === box || !(id >= 0 && id < data.length)) continue; // typing, or an input
      range.value = String(data[id]);
      box.value = roundToStep(data[id], spec.step);
      box.title = String(data[id]); // the exact value, on hover
    }
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
