/** Navigation in the mounted widget, on folded MLPs: search, paths, + slider, and stepping the drawn level. */
import { afterEach, describe, expect, it } from "vitest";
import type { SliderSpec, Topology } from "./graph";
import { mount, mounted } from "./testing/helpers";
import { mlpTopology, valuesOf } from "./testing/mlp";

afterEach(() => {
  for (const el of mounted.splice(0)) el.remove();
});

/** A slider per labelled leaf, in the kernel's order: inputs, then parameters by module. */
function slidersOf(topology: Topology): SliderSpec[] {
  return topology.nodes.flatMap((node, id) => {
    if (node.inputs.length > 0 || !node.label) return [];
    const group = node.group === undefined ? null : topology.groups![node.group].name;
    return [{ id, label: node.label, group, min: -2, max: 2, step: 0.01, initial: 0 }];
  });
}

async function mountMlp(sizes: number[], expanded: string[] | null = null) {
  const topology = mlpTopology(2, sizes);
  return mount({ topology, values: valuesOf(topology), sliders: slidersOf(topology), expanded, picks: {} });
}

const card = (el: HTMLElement, label: string) =>
  [...el.querySelectorAll<SVGGElement>("g.lg-value")].find((g) => g.dataset.label === label);
const group = (el: HTMLElement, name: string) =>
  [...el.querySelectorAll<SVGGElement>("[data-group]")].find((g) => g.dataset.group === name)!;
const search = (el: HTMLElement) =>
  el.querySelector<HTMLInputElement>('input[type="search"][aria-label="Find a value by name or label"]')!;
const enter = (input: HTMLInputElement, text: string) => {
  input.value = text;
  input.dispatchEvent(new KeyboardEvent("keydown", { key: "Enter", bubbles: true }));
};
const click = (target: Element, init: MouseEventInit = {}) =>
  target.dispatchEvent(new MouseEvent("click", { bubbles: true, ...init }));

describe("search in the widget", () => {
  it("is in the toolbar; Enter expands what hides the match and rings its card", async () => {
    const { el, model } = await mountMlp([16, 16, 1]);
    expect(card(el, "L1.N3.b")).toBeUndefined(); // folded away at first
    const input = search(el);
    expect(input.closest(".lg-toolbar")).not.toBeNull();
    enter(input, "L1.N3.b");
    await Promise.resolve();
    expect(model.get("expanded")).toEqual(expect.arrayContaining(["MLP", "L1", "L1.N3"]));
    expect(card(el, "L1.N3.b")!.classList.contains("lg-found")).toBe(true);
    expect(el.querySelectorAll(".lg-found")).toHaveLength(1);
    expect(el.querySelector(".lg-search-status")!.textContent).toBe("1 match: L1.N3.b");
  });

  it("says politely when nothing matches", async () => {
    const { el } = await mountMlp([2, 1]);
    enter(search(el), "L9.N9");
    const status = el.querySelector(".lg-search-status")!;
    expect(status.getAttribute("aria-live")).toBe("polite");
    expect(status.textContent).toBe("No value is named or labelled “L9.N9”.");
  });
});

describe("paths and + slider in the widget", () => {
  it("a click on a card fades all but its paths to the output; Escape clears", async () => {
    const { el } = await mountMlp([2, 1], ["MLP", "L0", "L0.N1", "L1", "L1.N0"]);
    const w = card(el, "L0.N1.w0")!;
    click(w);
    const svg = el.querySelector("svg")!;
    expect(svg.classList.contains("lg-path-on")).toBe(true);
    expect(w.classList.contains("lg-path")).toBe(true);
    expect(group(el, "L0.N0").classList.contains("lg-path")).toBe(false); // another neuron, collapsed
    expect(card(el, "L1.N0")!.classList.contains("lg-path")).toBe(true); // the output
    const bar = el.querySelector<HTMLElement>(".lg-navbar")!;
    expect(bar.hidden).toBe(false);
    expect(bar.textContent).toMatch(/^L0\.N1\.w0 reaches L1\.N0 through \d+ values/);
    el.querySelector(".lg-graph")!.dispatchEvent(new KeyboardEvent("keydown", { key: "Escape", bubbles: true }));
    expect(svg.classList.contains("lg-path-on")).toBe(false);
    expect(bar.hidden).toBe(true);
  });

  it("starting a pass takes the paths' highlight away: the step is what is highlighted then", async () => {
    const { el } = await mountMlp([2, 1], ["MLP", "L0", "L0.N1", "L1", "L1.N0"]);
    click(card(el, "L0.N1.w0")!);
    expect(el.querySelector("svg")!.classList.contains("lg-path-on")).toBe(true);
    click([...el.querySelectorAll("button")].find((b) => b.textContent === "Step forward pass")!);
    expect(el.querySelector("svg")!.classList.contains("lg-path-on")).toBe(false);
    expect(el.querySelector<HTMLElement>(".lg-navbar")!.hidden).toBe(true);
  });

  it("joins a fully connected layer's edges at one junction, and a path runs through both of its pieces", async () => {
    const { el } = await mountMlp([4, 4, 1], ["MLP", "L0", "L1"]);
    expect(el.querySelectorAll("g.node.lg-bus")).toHaveLength(1); // L0's 4 outputs into L1's 4 neurons
    // x0, x1 -> L0's neurons (8, too few to join), L0 -> junction -> L1 (4 + 4, not 16), L1 -> L2 (4).
    expect(el.querySelectorAll("g.edge")).toHaveLength(8 + 4 + 4 + 4);
    click(el.querySelector("g.lg-value")!); // an input: its paths reach everything downstream
    expect(el.querySelectorAll("g.edge.lg-path")).toHaveLength(4 + 4 + 4 + 4);
  });

  it("with Alt, what the value depends on", async () => {
    const { el } = await mountMlp([2, 1], ["MLP", "L0", "L0.N1", "L1", "L1.N0"]);
    click(card(el, "L1.N0")!, { altKey: true });
    expect(card(el, "L0.N1.w0")!.classList.contains("lg-path")).toBe(true);
    expect(group(el, "L0.N0").classList.contains("lg-path")).toBe(true); // collapsed: marked as a whole
  });

  it("shows twelve sliders at first, and a leaf's card offers + slider for its own", async () => {
    const { el } = await mountMlp([16, 16, 1], null);
    const ranges = () => [...el.querySelectorAll("input[type=range]")].map((r) => r.getAttribute("aria-label"));
    expect(ranges()).toHaveLength(12);
    enter(search(el), "L1.N3.b");
    await Promise.resolve();
    click(card(el, "L1.N3.b")!);
    const add = el.querySelector<HTMLButtonElement>('.lg-navbar button[aria-label="Add a slider for L1.N3.b"]')!;
    click(add);
    expect(ranges()).toContain("L1.N3.b");
    expect(el.querySelector('.lg-slider-group[data-module="L1.N3"] h4')!.textContent).toBe("L1.N3");
  });
});

describe("stepping the drawn level in the widget", () => {
  const stepTo = (el: HTMLElement, mode: "forward" | "backward", steps: number) => {
    click([...el.querySelectorAll("button")].find((b) => b.textContent === `Step ${mode} pass`)!);
    const next = el.querySelector<HTMLButtonElement>('button[aria-label="Next step"]')!;
    for (let i = 0; i < steps; i++) click(next);
  };

  it("a collapsed MLP is one step, named; expanded, its neurons are steps of their own", async () => {
    const { el, model } = await mountMlp([2, 1], []);
    stepTo(el, "backward", 1);
    const counter = el.querySelector(".lg-step-count")!;
    expect(counter.textContent).toBe("Backward pass: step 1 of 1 · in MLP");
    const panel = el.querySelector('[data-testid="step-panel"]')!;
    expect(panel.textContent).toMatch(/^MLP = .*: its \d+ values pass the gradient back at once\./);
    expect(panel.textContent).not.toMatch(/#\d/);
    model.change("expanded", ["MLP", "L0", "L1"]);
    expect(counter.textContent).toMatch(/^Backward pass: step 1 of 3 · in L1\.N0$/);
    model.change("expanded", ["MLP", "L0", "L0.N1", "L1"]);
    stepTo(el, "forward", 1);
    expect(counter.textContent).toMatch(/^Forward pass: step 1 of \d+ · in L0\.N0$/);
  });

  it("fades the step panel's foot while it has lines out of view, until they are scrolled to", async () => {
    const topology = mlpTopology(6, [1]); // a collapsed MLP of six inputs: one step passing to all six
    const { el } = await mount({
      topology,
      values: valuesOf(topology),
      sliders: slidersOf(topology),
      expanded: [],
      picks: {},
    });
    stepTo(el, "backward", 1);
    const panel = el.querySelector<HTMLElement>('[data-testid="step-panel"]')!;
    expect(panel.textContent).toMatch(/^MLP = .*: its \d+ values pass the gradient back at once\./);
    // More lines than the panel shows: its foot fades until they are scrolled to.
    expect(panel.children.length).toBeGreaterThan(4);
    expect(panel.dataset.more).toBe("true");
    const size = (name: string, px: number) => Object.defineProperty(panel, name, { value: px, configurable: true });
    size("clientHeight", 68);
    size("scrollHeight", 17 * panel.children.length);
    panel.scrollTop = 17 * panel.children.length - 68;
    size("scrollTop", 17 * panel.children.length - 68); // jsdom does not scroll: the scrolled-to-the-end position
    panel.dispatchEvent(new Event("scroll"));
    expect(panel.dataset.more).toBe("false");
    size("scrollTop", 0);
    panel.dispatchEvent(new Event("scroll"));
    expect(panel.dataset.more).toBe("true");
  });

  it("keeps the pass where it was when another group is expanded, and steps inside the one expanded", async () => {
    const { el, model } = await mountMlp([2, 1], ["MLP", "L0", "L1"]);
    stepTo(el, "backward", 3);
    const counter = el.querySelector(".lg-step-count")!;
    const place = /in (L0\.N\d)$/.exec(counter.textContent!)![1];
    const other = place === "L0.N0" ? "L0.N1" : "L0.N0"; // stepped before it
    model.change("expanded", ["MLP", "L0", "L1", other]);
    expect(counter.textContent).toMatch(new RegExp(`^Backward pass: step \\d+ of \\d+ · in ${place}$`));
    expect(counter.textContent).not.toContain("step 3 of");
    expect(model.get("step")).toBeGreaterThan(3);
    model.change("expanded", ["MLP", "L0", "L1", other, place]);
    expect(counter.textContent).toMatch(new RegExp(`· in ${place}$`)); // now a value inside it
    expect(el.querySelector('[data-testid="step-panel"]')!.textContent).not.toMatch(/its \d+ values/);
  });
});
