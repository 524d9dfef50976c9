/** Shared by the frontend's tests: the seed neuron as the kernel sends it, and a mounted widget. */
import { FakeModel } from "./fake-model";
import type { Topology, Values } from "./graph";
import widget, { type WidgetModel } from "./widget";

// The seed neuron, as the kernel sends it (ids in topological order).
export const NEURON: Topology = {
  nodes: [
    { label: "x1", op: "", inputs: [] },
    { label: "w1", op: "", inputs: [] },
    { label: "x1*w1", op: "*", inputs: [0, 1] },
    { label: "x2", op: "", inputs: [] },
    { label: "w2", op: "", inputs: [] },
    { label: "x2*w2", op: "*", inputs: [3, 4] },
    { label: "x1*w1 + x2*w2", op: "+", inputs: [2, 5] },
    { label: "b", op: "", inputs: [] },
    { label: "n", op: "+", inputs: [6, 7] },
    { label: "o", op: "tanh", inputs: [8] },
  ],
  root: 9,
};
const B = 6.8813735870195432;

export function neuronValues(x1: number, ack: string | null = null): Values {
  const n = x1 * -3 + 0 * 1 + B;
  const o = Math.tanh(n);
  const dn = 1 - o * o;
  return {
    data: [x1, -3, x1 * -3, 0, 1, 0, x1 * -3, B, n, o],
    grad: [-3 * dn, x1 * dn, dn, 1 * dn, 0, dn, dn, dn, dn, 1],
    local: [[], [], [-3, x1], [], [], [1, 0], [1, 1], [], [1, 1], [dn]],
    ack,
  };
}

export const mounted: HTMLElement[] = [];

export async function mount(overrides: Partial<WidgetModel> = {}) {
  const model = new FakeModel({
    topology: NEURON,
    values: neuronValues(2),
    sliders: ["x1", "w1", "x2", "w2", "b"].map((label) => ({
      id: NEURON.nodes.findIndex((n) => n.label === label),
      label,
      min: -4,
      max: 8,
      step: 0.01,
    })),
    rankdir: "LR",
    error: "",
    mode: "backward",
    step: -1,
    check_gradients: false,
    gradient_check: [],
    ...overrides,
  });
  const el = document.createElement("div");
  document.body.append(el);
  mounted.push(el);
  const props = { model, el } as unknown as Parameters<typeof widget.render>[0];
  const cleanup = await widget.render(props);
  return { model, el, cleanup: cleanup as () => void };
}

// Found by comparing attributes, not by selector text, so any label works (jsdom has no CSS.escape).
export const record = (el: HTMLElement, label: string) =>
  [...el.querySelectorAll<SVGGElement>("g.lg-value")].find((g) => g.dataset.label === label)!;
export const slider = (el: HTMLElement, label: string) =>
  [...el.querySelectorAll<HTMLInputElement>("input[type=range]")].find(
    (input) => input.getAttribute("aria-label") === label,
  )!;

export function drag(input: HTMLInputElement, value: number): void {
  input.value = String(value);
  input.dispatchEvent(new Event("input", { bubbles: true }));
}
