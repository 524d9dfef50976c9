/** Shared by the frontend's tests: the seed neuron as the kernel sends it, and a mounted widget. */
import { FakeModel } from "./fake-model";
import type { Topology, Values } from "../graph";
import widget, { type WidgetState } from "../widget";

/** The op table's text for the ops these tests use, as the kernel sends it. */
export const OPS: Topology["ops"] = {
  "+": { formula: "a + b", locals: ["1", "1"] },
  "*": { formula: "a·b", locals: ["b", "a"] },
  tanh: { formula: "tanh(a)", locals: ["1 − out²"] },
  relu: { formula: "relu(a)", locals: ["1 if a > 0 else 0"] },
};

/** A value as the kernel sends it; its name is its label unless given. */
export const node = (label: string, op = "", inputs: number[] = [], name = label) => ({ label, name, op, inputs });

// The seed neuron, as the kernel sends it (ids in topological order).
export const NEURON: Topology = {
  nodes: [
    node("x1"),
    node("w1"),
    node("x1*w1", "*", [0, 1]),
    node("x2"),
    node("w2"),
    node("x2*w2", "*", [3, 4]),
    node("x1*w1 + x2*w2", "+", [2, 5]),
    node("b"),
    node("n", "+", [6, 7]),
    node("o", "tanh", [8]),
  ],
  root: 9,
  ops: { "+": OPS["+"], "*": OPS["*"], tanh: OPS.tanh },
};
const B = 6.8813735870195432;

/** Values as a small graph's are sent: JSON lists. */
export function neuronValues(
  x1: number,
  ack: string | null = null,
): Values & { data: (number | string)[]; grad: (number | string)[] } {
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

/** The neuron's widget state as the kernel would send it, a slider per leaf. */
export function neuronState(overrides: Partial<WidgetState> = {}): WidgetState {
  return {
    topology: NEURON,
    values: neuronValues(2),
    sliders: ["x1", "w1", "x2", "w2", "b"].map((label) => {
      const id = NEURON.nodes.findIndex((n) => n.label === label);
      return { id, label, min: -4, max: 8, step: 0.01, initial: neuronValues(2).data[id] as number };
    }),
    rankdir: "LR",
    error: "",
    mode: "backward",
    step: -1,
    naive: false,
    presenting: false,
    check_gradients: false,
    gradient_check: { leaves: [], locals: [] },
    expanded: null,
    picks: {},
    ...overrides,
  };
}

export async function mount(overrides: Partial<WidgetState> = {}) {
  const model = new FakeModel(neuronState(overrides));
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
