import { afterEach, describe, expect, it } from "vitest";
import { formatNumber } from "./format";
import type { Topology } from "./graph";
import { mount, mounted } from "./testing/helpers";
import { mlpTopology, valuesOf } from "./testing/mlp";
import type { WidgetState } from "./widget";

afterEach(() => {
  for (const el of mounted.splice(0)) el.remove();
});

function state(topology: Topology, overrides: Partial<WidgetState> = {}): Partial<WidgetState> {
  return { topology, values: valuesOf(topology), sliders: [], ...overrides };
}

const group = (el: HTMLElement, name: string): SVGGElement | undefined =>
  [...el.querySelectorAll<SVGGElement>("[data-group]")].find((g) => g.dataset.group === name);
const sum = (el: HTMLElement): SVGGElement | null => el.querySelector<SVGGElement>('[data-fold="sum"]');
const press = (target: Element, key: string): void => {
  target.dispatchEvent(new KeyboardEvent("keydown", { key, bubbles: true }));
};

describe("folded graphs in the widget", () => {
  it("draws the seed neuron as before: no folds, and writes the chosen view back to the model", async () => {
    const { el, model } = await mount();
    expect(el.querySelectorAll("[data-group], [data-fold]")).toHaveLength(0);
    expect(el.querySelectorAll("g.lg-value")).toHaveLength(10);
    expect(model.get("expanded")).toEqual([]);
  });

  it("opens a big graph folded, under 300 elements, and saves that view", async () => {
    const topology = mlpTopology(2, [16, 16, 1]);
    // A slider per leaf, as the kernel sends them: the inputs first, then the parameters by module.
    const sliders = topology.nodes.flatMap((node, id) => {
      if (node.op !== "") return [];
      const group = node.label.includes(".") ? node.label.slice(0, node.label.lastIndexOf(".")) : null;
      return [{ id, label: node.label || node.name, min: -2, max: 2, step: 0.01, initial: 0, group }];
    });
    sliders.sort((a, b) => Number(a.group !== null) - Number(b.group !== null));
    const { el, model } = await mount(state(topology, { sliders }));
    const drawn = el.querySelectorAll("g.lg-value, g.lg-fold").length;
    expect(drawn).toBeLessThan(300);
    expect(drawn).toBeGreaterThan(20);
    expect(model.get("expanded")).toEqual(expect.arrayContaining(["MLP", "L0", "L1", "L2"]));
    expect(group(el, "L1.N3")!.getAttribute("aria-expanded")).toBe("false");
    // The contract: one element per name carries data-group, and it is the drawn group (L0.N0's
    // sliders show under their module's heading, which must not carry it too).
    const carriers = [...el.querySelectorAll<HTMLElement | SVGElement>("[data-group]")];
    expect(el.querySelector(".lg-slider-heading")?.textContent).toBe("Inputs");
    expect(carriers.map((g) => g.dataset.group)).toContain("L0.N0");
    expect(new Set(carriers.map((g) => g.dataset.group)).size).toBe(carriers.length);
    for (const carrier of carriers) expect(carrier.closest(".lg-graph")).not.toBeNull();
    expect(el.querySelector(".livegrad")!.getAttribute("data-ready")).toBe("true");
  });

  it("toggles a group on click and on Enter, in place, saving `expanded`", async () => {
    const topology = mlpTopology(2, [2, 1]);
    const { el, model } = await mount(state(topology, { expanded: [] }));
    const mlp = group(el, "MLP")!;
    expect(mlp.getAttribute("aria-expanded")).toBe("false");
    expect(mlp.getAttribute("tabindex")).toBe("0");
    expect(mlp.getAttribute("role")).toBe("button");
    expect(mlp.textContent).toContain("MLP = L0 → L1");
    expect(el.querySelectorAll("g.lg-value")).toHaveLength(2); // the inputs
    mlp.dispatchEvent(new MouseEvent("click", { bubbles: true }));
    expect(model.get("expanded")).toEqual(["MLP"]);
    const open = group(el, "MLP")!;
    expect(open.getAttribute("aria-expanded")).toBe("true");
    expect(open.classList.contains("lg-cluster-header")).toBe(true); // the header alone, not the cluster's space
    expect(open.closest(".lg-cluster")).not.toBeNull();
    expect(el.querySelectorAll("[data-group]")).toHaveLength(3); // MLP's header, L0, L1
    group(el, "L0")!.focus();
    press(group(el, "L0")!, "Enter");
    expect(model.get("expanded")).toEqual(["MLP", "L0"]);
    expect(group(el, "L0")!.getAttribute("aria-expanded")).toBe("true");
    expect(document.activeElement).toBe(group(el, "L0")); // the keyboard stays on what it opened
    const neuron = group(el, "L0.N1")!;
    expect(neuron.getAttribute("aria-expanded")).toBe("false");
    // A folded neuron shows its output's numbers.
    const out = topology.nodes.findIndex((n) => n.label === "L0.N1" && n.op === "relu");
    const values = valuesOf(topology);
    expect(neuron.textContent).toContain(`data ${formatNumber(values.data[out] as number)}`);
    expect(neuron.textContent).toContain(`grad ${formatNumber(values.grad[out] as number)}`);
    // Enter on the open header folds it again.
    press(group(el, "L0")!, "Enter");
    expect(model.get("expanded")).toEqual(["MLP"]);
    expect(group(el, "L0")!.getAttribute("aria-expanded")).toBe("false");
    expect(group(el, "L0.N1")).toBeUndefined();
  });

  it("lays out again when Python changes `expanded` or `picks`", async () => {
    const topology = mlpTopology(2, [2, 1], 3);
    const { el, model } = await mount(state(topology, { expanded: [] }));
    expect(group(el, "MLP")!.textContent).toContain("MLP × 3");
    expect(el.querySelector("[data-stack]")).toBeNull();
    model.change("expanded", ["MLP", "L1"]);
    expect(group(el, "MLP")!.getAttribute("aria-expanded")).toBe("true");
    expect(group(el, "MLP")!.textContent).toContain("call 0 of 3");
    expect(el.querySelector<SVGGElement>("[data-stack]")!.dataset.stack).toBe("MLP");
    expect(group(el, "L1")!.getAttribute("aria-expanded")).toBe("true");
    model.change("picks", { MLP: 2 });
    expect(group(el, "MLP")!.textContent).toContain("call 2 of 3");
    // Call 2's values are the ones drawn now: its inputs, and its neuron's output on the folded card.
    const drawn = [...el.querySelectorAll<SVGGElement>("g.lg-value")].map((g) => Number(g.dataset.nodeId));
    for (const input of topology.groups![12].inputs) expect(drawn).toContain(input);
    for (const input of topology.groups![0].inputs) expect(drawn).not.toContain(input);
    const out = topology.groups![17].outputs[0];
    expect(group(el, "L1.N0")!.textContent).toContain(`data ${formatNumber(valuesOf(topology).data[out] as number)}`);
  });

  it("picks a stack's call from its number input, keeping the stack where it was", async () => {
    const topology = mlpTopology(2, [2, 1], 3);
    const { el, model } = await mount(state(topology, { expanded: [] }));
    const input = group(el, "MLP")!.querySelector<HTMLInputElement>("input[type=number]")!;
    expect(input.getAttribute("aria-label")).toBe("MLP: the call on show, 0 to 2");
    input.dispatchEvent(new MouseEvent("click", { bubbles: true })); // a click in the picker does not toggle
    expect(group(el, "MLP")!.getAttribute("aria-expanded")).toBe("false");
    input.focus();
    input.value = "1";
    input.dispatchEvent(new Event("change"));
    expect(model.get("picks")).toEqual({ MLP: 1 });
    const picked = group(el, "MLP")!.querySelector<HTMLInputElement>("input[type=number]")!;
    expect(picked.value).toBe("1");
    expect(document.activeElement).toBe(picked);
    // The old drawing's picker (Chrome fires change when a focused input is removed) does nothing.
    input.value = "2";
    input.dispatchEvent(new Event("change"));
    expect(model.get("picks")).toEqual({ MLP: 1 });
    const inputs = topology.groups![6].inputs;
    const drawn = [...el.querySelectorAll<SVGGElement>("g.lg-value")]
      .filter((g) => g.dataset.label!.startsWith("MLP input"))
      .map((g) => Number(g.dataset.nodeId));
    expect(drawn.sort()).toEqual(inputs); // call 1's inputs, not call 0's
    picked.value = "7";
    picked.dispatchEvent(new Event("change"));
    expect(model.get("picks")).toEqual({ MLP: 1 }); // out of range: refused, shown back
    expect(picked.value).toBe("1");
  });

  it("folds and opens a Σ by its key", async () => {
    const topology = mlpTopology(2, [2, 1], 3);
    const { el, model } = await mount(state(topology, { expanded: ["MLP"] }));
    const chains = [...el.querySelectorAll<SVGGElement>('[data-fold="sum"]')];
    expect(chains).toHaveLength(2); // the data loss and the regularisation
    const chain = chains.find((g) => g.textContent!.includes("Σ relu(MLP·c + 1) + 0"))!;
    expect(chains.find((g) => g !== chain)!.textContent).toContain("Σ w·w + Σ b·b");
    const key = chain.dataset.key!;
    expect(key).toMatch(/^#\d+$/);
    expect(chain.getAttribute("aria-expanded")).toBe("false");
    chain.dispatchEvent(new MouseEvent("click", { bubbles: true }));
    expect(model.get("expanded")).toEqual(["MLP", key]);
    const open = [...el.querySelectorAll<SVGGElement>('[data-fold="sum"]')].find((g) => g.dataset.key === key)!;
    expect(open.getAttribute("aria-expanded")).toBe("true");
    expect(sum(el)).not.toBeNull();
  });

  it("keeps the element acted on where it was on screen", async () => {
    const topology = mlpTopology(2, [3, 1]);
    const { el } = await mount(state(topology, { expanded: ["MLP"] }));
    const graph = el.querySelector<HTMLElement>(".lg-graph")!;
    Object.defineProperty(graph, "clientWidth", { value: 800 });
    Object.defineProperty(graph, "clientHeight", { value: 400 });
    const before = group(el, "L1")!;
    const rectOf = (g: SVGGElement): number[] =>
      (g.querySelector("polygon")!.getAttribute("points") ?? "")
        .split(/[\s,]+/)
        .slice(0, 2)
        .map(Number);
    const canvas = el.querySelector<HTMLElement>(".lg-canvas")!;
    const screen = (g: SVGGElement): number[] => {
      // Graphviz's translation and pt -> px, then the canvas's pan and the svg's scale.
      const svg = el.querySelector<SVGSVGElement>(".lg-canvas > svg")!;
      const scale = parseFloat(svg.style.width) / Number(svg.getAttribute("viewBox")!.split(" ")[2]);
      const shift = /translate\(([-\d.]+)[ ,]+([-\d.]+)\)/.exec(
        svg.querySelector("g.graph")!.getAttribute("transform")!,
      )!;
      const pan = /translate\(([-\d.]+)px, ([-\d.]+)px\)/.exec(canvas.style.transform)!;
      const xs = (g.querySelector("polygon")!.getAttribute("points") ?? "").split(/[\s,]+/).map(Number);
      const x = Math.min(...xs.filter((_, i) => i % 2 === 0));
      const y = Math.min(...xs.filter((_, i) => i % 2 === 1));
      return [(x + Number(shift[1])) * scale + Number(pan[1]), (y + Number(shift[2])) * scale + Number(pan[2])];
    };
    expect(rectOf(before)).toHaveLength(2);
    const [x, y] = screen(before);
    before.dispatchEvent(new MouseEvent("click", { bubbles: true }));
    expect(group(el, "L1")!.getAttribute("aria-expanded")).toBe("true");
    const after = group(el, "L1")!.closest<SVGGElement>(".lg-cluster")!;
    const [x2, y2] = screen(after);
    expect(Math.abs(x2 - x)).toBeLessThan(1);
    expect(Math.abs(y2 - y)).toBeLessThan(1);
  });
});
