/** Navigation over a drawing: search reveals and centres, a click shows paths, the bar offers + slider. */
import { afterEach, describe, expect, it } from "vitest";
import type { SliderSpec } from "./graph";
import { Navigator, type NavigableView } from "./navigate";
import { SliderPanel } from "./sliders";
import { NEURON } from "./testing/helpers";

/** A drawing of the neuron where x2, w2 and x2*w2 are folded into one element until revealed. */
class FakeView implements NavigableView {
  readonly element = document.createElement("div");
  shown = { elementOf: Int32Array.from([0, 1, 2, 3, 3, 3, 4, 5, 6, 7]) };
  centred: number[] = [];
  marks = new Map<string, { elements: number[]; edges: (readonly [number, number])[] }>();
  centreOn(id: number): void {
    this.centred.push(id);
  }
  mark(className: string, elements: Iterable<number>, edges: readonly (readonly [number, number])[]): void {
    this.marks.set(className, { elements: [...elements].sort((a, b) => a - b), edges: [...edges] });
  }
}

const SPECS: SliderSpec[] = ["x1", "w1", "x2", "w2", "b"].map((label) => ({
  id: NEURON.nodes.findIndex((n) => n.label === label),
  label,
  min: -4,
  max: 4,
  step: 0.01,
  initial: 0,
}));

function setUp() {
  const view = new FakeView();
  document.body.append(view.element);
  const sliders = new SliderPanel(SPECS, () => {}, 2); // x1 and w1 shown at first
  document.body.append(sliders.element);
  const revealed: number[] = [];
  const navigator = new Navigator({
    nodes: NEURON.nodes,
    root: NEURON.root,
    view,
    sliders,
    reveal: (id) => {
      revealed.push(id);
      view.shown = { elementOf: Int32Array.from([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]) }; // unfolded
    },
  });
  view.element.append(navigator.search.element);
  return { view, sliders, navigator, revealed };
}
const enter = (input: HTMLInputElement, text: string) => {
  input.value = text;
  input.dispatchEvent(new KeyboardEvent("keydown", { key: "Enter", bubbles: true }));
};

afterEach(() => document.body.replaceChildren());

describe("search over the drawing", () => {
  it("reveals what hides the match, then centres and marks it", async () => {
    const { view, navigator, revealed } = setUp();
    await navigator.search.go(1); // empty: nothing
    enter(navigator.search.input, "w2");
    await Promise.resolve();
    expect(revealed).toEqual([4]);
    expect(view.centred).toEqual([4]);
    expect(view.marks.get("lg-found")).toEqual({ elements: [4], edges: [] });
  });

  it("offers + slider for a leaf without one on show, which adds it", async () => {
    const { sliders, navigator } = setUp();
    enter(navigator.search.input, "w2");
    await Promise.resolve();
    const add = navigator.search.element.querySelector<HTMLButtonElement>('button[aria-label="Add a slider for w2"]')!;
    add.click();
    expect(sliders.shows(4)).toBe(true);
    enter(navigator.search.input, "x1");
    expect(navigator.search.element.querySelector("button")).toBeNull(); // x1's slider is on show already
  });
});

describe("paths from a click", () => {
  it("marks the elements and drawn edges from the value to the output, and says so in the bar", () => {
    const { view, navigator } = setUp();
    navigator.click(4, { altKey: false, shiftKey: false }); // w2, folded in element 3
    expect(view.marks.get("lg-path")).toEqual({
      elements: [3, 4, 6, 7],
      edges: [
        [3, 4],
        [4, 6],
        [6, 7],
      ],
    });
    expect(navigator.bar.hidden).toBe(false);
    expect(navigator.bar.textContent).toContain("w2 reaches o through 5 values");
  });

  it("with Alt or Shift, what the value depends on; the same click again, Escape or the background clear it", () => {
    const { view, navigator } = setUp();
    navigator.click(6, { altKey: true, shiftKey: false });
    expect(view.marks.get("lg-path")!.elements).toEqual([0, 1, 2, 3, 4]);
    expect(navigator.bar.textContent).toContain("x1*w1 + x2*w2 depends on 6 values");
    navigator.click(6, { altKey: false, shiftKey: true });
    expect(view.marks.get("lg-path")!.elements).toEqual([]);
    expect(navigator.bar.hidden).toBe(true);
    navigator.click(6, { altKey: false, shiftKey: false });
    view.element.dispatchEvent(new KeyboardEvent("keydown", { key: "Escape" }));
    expect(view.marks.get("lg-path")!.elements).toEqual([]);
    navigator.click(6, { altKey: false, shiftKey: false });
    const minimap = view.element.appendChild(Object.assign(document.createElement("div"), { className: "lg-minimap" }));
    minimap.dispatchEvent(new MouseEvent("click", { bubbles: true })); // moving the view is no background click
    expect(navigator.bar.hidden).toBe(false);
    view.element.dispatchEvent(new MouseEvent("click", { bubbles: true }));
    expect(navigator.bar.hidden).toBe(true);
  });

  it("says so when a leaf depends on nothing, or the value clicked is the output", () => {
    const { navigator } = setUp();
    navigator.click(0, { altKey: true, shiftKey: false });
    expect(navigator.bar.textContent).toContain("x1 is a leaf: it depends on no other value");
    navigator.click(9, { altKey: false, shiftKey: false });
    expect(navigator.bar.textContent).toContain("o is the output");
  });

  it("marks again on the new drawing after the folds change, and offers + slider for a clicked leaf", () => {
    const { view, sliders, navigator } = setUp();
    navigator.click(3, { altKey: false, shiftKey: false }); // x2
    expect(view.marks.get("lg-path")!.elements).toEqual([3, 4, 6, 7]);
    view.shown = { elementOf: Int32Array.from([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]) };
    navigator.refresh();
    expect(view.marks.get("lg-path")!.elements).toEqual([3, 5, 6, 8, 9]);
    navigator.bar.querySelector<HTMLButtonElement>('button[aria-label="Add a slider for x2"]')!.click();
    expect(sliders.shows(3)).toBe(true);
  });
});
