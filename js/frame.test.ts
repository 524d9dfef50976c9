/** The pure part of drawing a step: what a frame shows, without a DOM; and the one reverse sweep. */
import { describe, expect, it } from "vitest";
import { Explainer } from "./explain";
import { frameAt, type FrameInput } from "./frame";
import { toNumbers } from "./format";
import { localDerivatives } from "./replay";
import { NEURON, neuronValues, node, OPS } from "./testing/helpers";
import { backwardSteps, sweep } from "./trace";

function neuronAt(mode: FrameInput["mode"], step: number): ReturnType<typeof frameAt> {
  const values = neuronValues(2);
  const data = toNumbers(values.data);
  return frameAt({
    nodes: NEURON.nodes,
    root: NEURON.root,
    data,
    grad: toNumbers(values.grad),
    locals: () => localDerivatives(NEURON.nodes, data),
    mode,
    step,
    explainer: new Explainer(NEURON, () => data),
  });
}
const pendingIds = (mask: Uint8Array | undefined) => [...(mask ?? [])].flatMap((p, i) => (p ? [i] : []));

describe("a step's frame", () => {
  it("shows every value, nothing pending, when not stepping", () => {
    const frame = neuronAt("backward", -1);
    expect(frame.current).toBeNull();
    expect(frame.edges).toEqual([]);
    expect(frame.pending).toEqual({});
    expect(frame.grad[0]).toBeCloseTo(-1.5, 12);
    expect(frame.lines).toEqual([]);
  });

  it("backward: the sender, the edges it sends along with local derivative and contribution, the rest pending", () => {
    const start = neuronAt("backward", 0);
    expect(start.current).toBe(9);
    expect(pendingIds(start.pending.grad)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
    const last = neuronAt("backward", 5); // x1*w1 (id 2) sends to x1 and w1
    expect(last.current).toBe(2);
    expect(last.edges).toEqual([
      { from: 0, to: 2, label: "× -3.0000 → -1.5000" },
      { from: 1, to: 2, label: "× 2.0000 → +1.0000" },
    ]);
    expect(pendingIds(last.pending.grad)).toEqual([]);
    expect(last.grad[0]).toBeCloseTo(-1.5, 12);
    const fourth = neuronAt("backward", 4); // x2*w2 has sent; x1 and w1 still wait
    expect(pendingIds(fourth.pending.grad)).toEqual([0, 1]);
    expect(fourth.grad[3]).toBeCloseTo(0.5, 12);
  });

  it("forward: the value computed, its inputs, and which values are still to come", () => {
    const first = neuronAt("forward", 1);
    expect(first.current).toBe(2);
    expect(first.edges.map((e) => [e.from, e.to])).toEqual([
      [0, 2],
      [1, 2],
    ]);
    expect(pendingIds(first.pending.data)).toEqual([5, 6, 8, 9]);
    expect(pendingIds(first.pending.grad)).toHaveLength(10);
    expect(first.lines).toEqual(["x1*w1 = x1·w1 = 2.0000·(-3.0000) = -6.0000"]);
    expect(neuronAt("forward", 0).current).toBeNull();
  });
});

describe("the reverse sweep", () => {
  it("run whole, gives what its steps give, and stops where asked", () => {
    const data = toNumbers(neuronValues(0.3).data);
    const locals = localDerivatives(NEURON.nodes, data);
    const grad = new Float64Array(10);
    sweep(NEURON.nodes, locals, NEURON.root, grad);
    const steps = backwardSteps(NEURON.nodes, locals, NEURON.root);
    expect(steps.map((s) => s.node)).toEqual([9, 8, 6, 5, 2]);
    const last = new Map(steps.flatMap((s) => s.edges.map((e) => [e.input, e.after])));
    for (const [id, after] of last) expect(grad[id]).toBe(after);
    const partial = new Float64Array(10);
    const reached = sweep(NEURON.nodes, locals, NEURON.root, partial, 2);
    expect([...reached]).toEqual([0, 0, 0, 0, 0, 0, 1, 1, 1, 1]);
    expect(partial[0]).toBe(0);
  });

  it("adds nothing along a masked edge, even from an infinite gradient", () => {
    const nodes = [node("x"), node("r", "relu", [0]), node("y", "*", [1, 1])];
    const grad = new Float64Array(3);
    const steps: number[] = [];
    sweep(nodes, [[], [null], [Infinity, Infinity]], 2, grad, Infinity, (s) =>
      steps.push(...s.edges.map((e) => e.contribution)),
    );
    expect([...grad]).toEqual([0, Infinity, 1]);
    expect(steps).toEqual([Infinity, Infinity, 0]);
  });
});

describe("the panel's text", () => {
  it("comes from the op table, in names then in numbers, and never repeats a derived name", () => {
    // The names and op text are what Python's graph.py sends for (-cube(x)) ** k.
    const topology = {
      nodes: [
        node("x"),
        node("", "cube", [0], "cube(x)"),
        node("", "neg", [1], "−(cube(x))"),
        node("k"),
        node("", "**", [2, 3], "(−(cube(x)))**k"),
      ],
      root: 4,
      ops: {
        cube: { formula: null, locals: null },
        neg: { formula: "−a", locals: ["−1"] },
        "**": { formula: "a**b", locals: ["b·a**(b − 1)", "out·log(a)"] },
      },
    };
    const data = new Float64Array([1.5, 3.375, -3.375, 2, 11.390625]);
    const explainer = new Explainer(topology, () => data);
    expect(explainer.forward(1)).toBe("cube(x) = cube(1.5000) = 3.3750");
    expect(explainer.forward(2)).toBe("−(cube(x)) = −3.3750 = -3.3750");
    expect(explainer.forward(4)).toBe("(−(cube(x)))**k = (-3.3750)**2.0000 = 11.3906");
    expect(explainer.localText(4, 0)).toBe("k.data·(−(cube(x))).data**(k.data − 1)");
    expect(explainer.localText(4, 1)).toBe("((−(cube(x)))**k).data·log((−(cube(x))).data)");
    expect(explainer.localText(1, 0)).toBe("∂cube(x)/∂x");
  });
});

describe("the gradient check's marks", () => {
  it("fail on a value whose op has a wrong local derivative, naming the edge and both numbers", () => {
    const topology = {
      nodes: [node("x"), node("", "cube", [0], "cube(x)"), node("y", "+", [1, 0])],
      root: 2,
      ops: { cube: { formula: null, locals: null }, "+": OPS["+"] },
    };
    const explainer = new Explainer(topology, () => new Float64Array([1.5, 3.375, 4.875]));
    const marks = explainer.checkMarks([
      { node: 1, index: 0, input: 0, autograd: 4.5, numeric: 6.75, ok: false },
      { node: 2, index: 0, input: 1, autograd: 1, numeric: 1, ok: true },
      { node: 2, index: 1, input: 0, autograd: 1, numeric: 1, ok: true },
    ]);
    expect(marks).toEqual(
      new Map([
        [1, { ok: false, text: "∂cube(x)/∂x: autograd 4.5000, numeric 6.7500" }],
        [2, { ok: true, text: "" }],
      ]),
    );
  });
});
