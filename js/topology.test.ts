/** readTopology: the columns Python sends (graph.py `Graph.topology`) read into one record per node. */
import { afterEach, describe, expect, it } from "vitest";
import { readTopology, type SentTopology, type Topology } from "./graph";
import { mount, mounted, NEURON, record } from "./testing/helpers";

afterEach(() => {
  for (const el of mounted.splice(0)) el.remove();
});

/** A module call of a power and a product, as Python writes it: a shared parameter, a constant power. */
const SENT: SentTopology = {
  columns: {
    label: ["x", "N.w", "", "", "out"],
    name: ["x", "N.w", "x²", "N.w·x²", "out"],
    op: ["", "", "**2", "*", "sin"],
    inputs: [[], [], [0], [1, 2], [3]],
    group: [-1, 0, 0, 0, -1],
  },
  exponents: [[2, 2]],
  unknown_ops: [4],
  shared: [1],
  root: 4,
  ops: { "**2": { formula: "a**2", locals: ["2·a"] }, "*": { formula: "a·b", locals: ["b", "a"] } },
  groups: [{ name: "N", kind: "Neuron", parent: null, module: 0, call: 0, inputs: [0], outputs: [3] }],
};

const READ: Topology = {
  nodes: [
    { label: "x", name: "x", op: "", inputs: [] },
    { label: "N.w", name: "N.w", op: "", inputs: [], group: 0, shared: true },
    { label: "", name: "x²", op: "**2", inputs: [0], group: 0, exponent: 2 },
    { label: "", name: "N.w·x²", op: "*", inputs: [1, 2], group: 0 },
    { label: "out", name: "out", op: "sin", inputs: [3], unknown_op: true },
  ],
  root: 4,
  ops: SENT.ops,
  groups: SENT.groups,
};

const buffer = (value: unknown): DataView => new DataView(new TextEncoder().encode(JSON.stringify(value)).buffer);

describe("readTopology", () => {
  it("reads Python's columns into a record per node, the optional fields only where they apply", () => {
    expect(readTopology(SENT)).toEqual(READ);
    expect(readTopology(buffer(SENT))).toEqual(READ);
    expect(Object.keys(readTopology(SENT))).not.toContain("columns");
  });

  it("keeps a topology already read, and the flags beside the columns", () => {
    expect(readTopology(READ)).toBe(READ);
    expect(readTopology(buffer(NEURON))).toEqual(NEURON);
    expect(readTopology({ ...SENT, replay: false, learner: true })).toEqual({ ...READ, replay: false, learner: true });
  });

  it("draws the seed neuron sent as columns in one JSON buffer, as the kernel sends it", async () => {
    const columns = {
      label: NEURON.nodes.map((n) => n.label),
      name: NEURON.nodes.map((n) => n.name),
      op: NEURON.nodes.map((n) => n.op),
      inputs: NEURON.nodes.map((n) => n.inputs),
      group: NEURON.nodes.map(() => -1),
    };
    const sent = { ...NEURON, nodes: undefined, columns, exponents: [], unknown_ops: [], shared: [] };
    const { el } = await mount({ topology: buffer(sent) as unknown as Topology });
    expect(el.querySelectorAll("g.lg-value")).toHaveLength(10);
    expect(record(el, "o").textContent).toContain("data 0.7071");
  });
});
