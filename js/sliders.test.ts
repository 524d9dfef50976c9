/** Sliders that scale: twelve at first in the kernel's order, added and removed, grouped by module. */
import { afterEach, describe, expect, it, vi } from "vitest";
import type { SliderSpec } from "./graph";
import { SliderPanel } from "./sliders";

/** The specs of an MLP(2, [3, 1]): two inputs, then per neuron its weights and bias. */
function mlpSpecs(): SliderSpec[] {
  const specs: SliderSpec[] = [];
  const leaf = (label: string, group: string | null) =>
    specs.push({ id: specs.length, label, group, min: -4, max: 4, step: 0.01, initial: specs.length / 10 });
  leaf("x0", null);
  leaf("x1", null);
  for (const [layer, fanIn, width] of [
    ["L1", 2, 3],
    ["L2", 3, 1],
  ] as const) {
    for (let n = 0; n < width; n++) {
      for (let w = 0; w < fanIn; w++) leaf(`${layer}.N${n}.w${w}`, `${layer}.N${n}`);
      leaf(`${layer}.N${n}.b`, `${layer}.N${n}`);
    }
  }
  return specs; // 2 inputs + 3 × 3 + 4 = 15 leaves
}
const ranges = (panel: SliderPanel) =>
  [...panel.element.querySelectorAll<HTMLInputElement>("input[type=range]")].map((r) => r.getAttribute("aria-label"));
const headings = (panel: SliderPanel) =>
  [...panel.element.querySelectorAll<HTMLElement>("section:not([hidden]) > h4")].map((h) => h.textContent);

afterEach(() => document.body.replaceChildren());

describe("a few leaves", () => {
  it("shows every slider, ungrouped, with no remove buttons (the neuron looks as before)", () => {
    const specs = mlpSpecs().slice(0, 5);
    const panel = new SliderPanel(specs, () => {});
    expect(ranges(panel)).toEqual(["x0", "x1", "L1.N0.w0", "L1.N0.w1", "L1.N0.b"]);
    expect(panel.element.querySelector("section, button, .lg-slider-note")).toBeNull();
  });
});

describe("many leaves", () => {
  it("shows the first twelve in the kernel's order, under their modules' headings, and says how to get the rest", () => {
    const panel = new SliderPanel(mlpSpecs(), () => {});
    expect(ranges(panel)).toEqual(
      mlpSpecs()
        .slice(0, 12)
        .map((s) => s.label),
    );
    expect(headings(panel)).toEqual(["Inputs", "L1.N0", "L1.N1", "L1.N2", "L2.N0"]);
    expect(panel.element.querySelector(".lg-slider-note")!.textContent).toMatch(
      /^12 of 15 sliders shown\. Add another/,
    );
    expect(panel.shows(11)).toBe(true);
    expect(panel.shows(12)).toBe(false);
    expect(panel.has(12)).toBe(true);
    expect(panel.has(99)).toBe(false);
  });

  it("adds a leaf's slider under its module, in order, at the leaf's current value, focused; a heading comes back", () => {
    const moved = vi.fn();
    const panel = new SliderPanel(mlpSpecs(), moved);
    panel.remove(11); // L2.N0 now has no slider on show
    expect(headings(panel)).toEqual(["Inputs", "L1.N0", "L1.N1", "L1.N2"]);
    document.body.append(panel.element);
    const data = Float64Array.from({ length: 15 }, (_, i) => i / 4);
    panel.show(data);
    panel.add(14); // L2.N0.b
    panel.add(12); // L2.N0.w1 goes before it, in the kernel's order
    panel.add(11);
    expect(ranges(panel).slice(-3)).toEqual(["L2.N0.w0", "L2.N0.w1", "L2.N0.b"]);
    expect(headings(panel)).toEqual(["Inputs", "L1.N0", "L1.N1", "L1.N2", "L2.N0"]);
    const added = panel.element.querySelector<HTMLInputElement>('input[aria-label="L2.N0.w1"]')!;
    expect(Number(added.value)).toBe(3);
    panel.add(12); // twice is once
    expect(ranges(panel).filter((label) => label === "L2.N0.w1")).toHaveLength(1);
    expect(document.activeElement).toBe(added);
    expect(panel.element.querySelector(".lg-slider-note")!.textContent).toMatch(/^14 of 15/);
    added.value = "1.5";
    added.dispatchEvent(new Event("input"));
    expect(moved).toHaveBeenCalledWith(12, 1.5);
  });

  it("removes a slider with its × (named for its leaf), and a module left without sliders loses its heading", () => {
    const panel = new SliderPanel(mlpSpecs(), () => {});
    const remove = panel.element.querySelector<HTMLButtonElement>('button[aria-label="Remove the slider of L1.N2.b"]')!;
    remove.click();
    expect(ranges(panel)).not.toContain("L1.N2.b");
    expect(headings(panel)).toEqual(["Inputs", "L1.N0", "L1.N1", "L1.N2", "L2.N0"]); // L1.N2.w0, w1 remain
    panel.remove(8);
    panel.remove(9);
    expect(headings(panel)).toEqual(["Inputs", "L1.N0", "L1.N1", "L2.N0"]);
    panel.add(9);
    expect(headings(panel)).toEqual(["Inputs", "L1.N0", "L1.N1", "L1.N2", "L2.N0"]);
  });

  it("keeps a hidden slider's position and check, and shows them when it is added", () => {
    const panel = new SliderPanel(mlpSpecs(), () => {});
    panel.moveTo(13, 2.5);
    panel.showChecks([{ id: 13, autograd: 1, numeric: 1.2, ok: false }]);
    panel.add(13);
    const row = panel.element.querySelector<HTMLElement>('[data-testid="slider-L2.N0.w2"]')!;
    expect(row.querySelector<HTMLInputElement>("input[type=range]")!.value).toBe("2.5");
    expect(row.querySelector<HTMLElement>(".lg-check")!.dataset.ok).toBe("false");
  });
});
