/** The pure part of drawing a step: what a frame shows, without a DOM; and the one reverse sweep. */
import { describe, expect, it } from "vitest";
import { Explainer } from "./explain";
import { visibleGraph } from "./fold";
import { frameAt, stepLevel, type FrameInput, type StepLevel } from "./frame";
import { toNumbers } from "./format";
import type { TopologyNode } from "./graph";
import { forward, localDerivatives } from "./replay";
import { NEURON, neuronValues, node, OPS } from "./testing/helpers";
import { backwardSteps, firstStepOf, planSteps, sweep } from "./trace";

/** The seed neuron at x1 = 2, as the widget hands it to `frameAt`. */
function neuronInput(mode: FrameInput["mode"], step: number): FrameInput {
  const values = neuronValues(2);
  const data = toNumbers(values.data);
  return {
    nodes: NEURON.nodes,
    root: NEURON.root,
    data,
    grad: toNumbers(values.grad),
    locals: () => localDerivatives(NEURON.nodes, data),
    mode,
    step,
    explainer: new Explainer(NEURON, () => data),
  };
}
const neuronAt = (mode: FrameInput["mode"], step: number) => frameAt(neuronInput(mode, step));
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

describe("a PyTorch tensor step", () => {
  // a (3) feeds doubled = a·2 and grown = exp(a); loss = sum(doubled + grown). A tensor's local
  // derivatives are matrices: the kernel tells each input's share and its gradient after, as norms.
  const nodes: TopologyNode[] = [
    { ...node("a"), shape: [3] },
    { ...node("doubled", "*", [0]), shape: [3], backward: "MulBackward0" },
    { ...node("grown", "exp", [0]), shape: [3], backward: "ExpBackward0" },
    { ...node("s", "+", [1, 2]), shape: [3], backward: "AddBackward0" },
    { ...node("loss", "sum", [3]), backward: "SumBackward0" },
  ];
  const flows = [
    null,
    [{ sent: 3.46, after: 10.1 }], // the index order's last step: a's second share
    [{ sent: 7.8, after: 7.8 }],
    [
      { sent: 1.73, after: 1.73 },
      { sent: 1.73, after: 1.73 },
    ],
    [{ sent: 1.73, after: 1.73 }],
  ];
  const locals = nodes.map((n) => n.inputs.map(() => NaN));
  const input = (step: number): FrameInput => ({
    nodes,
    root: 4,
    data: new Float64Array(5),
    grad: new Float64Array(5),
    locals: () => locals,
    flows,
    mode: "backward",
    step,
    explainer: new Explainer({ nodes, root: 4, ops: OPS }, () => new Float64Array(5)),
  });

  it("sums nothing itself: each input's gradient is the kernel's after the step", () => {
    const grad = new Float64Array(5);
    sweep(nodes, locals, 4, grad, Infinity, undefined, undefined, flows);
    expect([...grad]).toEqual([10.1, 1.73, 1.73, 1.73, 1]);
  });

  it("reads as torch runs it: the output's gradient into its backward function, each input's share out", () => {
    expect(frameAt(input(2)).lines).toEqual([
      "s.grad (3, norm 1.7300) goes into AddBackward0, which gives each input its share:",
      "doubled.grad += (3, norm 1.7300)",
      "grown.grad += (3, norm 1.7300)",
    ]);
    const last = frameAt(input(4));
    expect(last.lines).toEqual([
      "doubled.grad (3, norm 1.7300) goes into MulBackward0, which gives each input its share:",
      "a.grad += (3, norm 3.4600)",
      "a.grad: 7.8000 → 10.1000",
    ]);
    expect(last.edges).toEqual([{ from: 0, to: 1, label: "→ norm 3.4600" }]);
  });

  it("folded, tells a tensor input's gradient by its norm after the step: norms do not subtract", () => {
    const unitOf = [0, 1, 1, 1, 2];
    const plan = planSteps(nodes, unitOf);
    const level: StepLevel = { unitOf, folded: (unit) => (unit === 1 ? { name: "block", summary: "" } : null) };
    const frame = frameAt({ ...input(2), plan, level });
    expect(frame.lines).toEqual(["block: its 3 values pass the gradient back at once.", "a.grad = (3, norm 10.1000)"]);
    expect(frame.edges.map((e) => e.label)).toEqual(["→ norm 10.1000"]);
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
    const text = "∂cube(x)/∂x: autograd 4.5000, numeric 6.7500";
    expect(marks).toEqual(
      new Map([
        [1, { ok: false, text, finding: text }],
        [2, { ok: true, text: "", finding: "" }],
      ]),
    );
    // A learner's engine: the note names the input on the graph; the finding, on hover, is the report's sentence.
    const finding = "its backward sets x.grad instead of adding to it (+=): harmless here only because x is used once";
    const learner = explainer.checkMarks([
      { node: 1, index: 0, input: 0, autograd: 1, numeric: 1, ok: false, note: "sets x.grad with =, not +=", finding },
    ]);
    expect(learner.get(1)).toEqual({ ok: false, text: "sets x.grad with =, not +=", finding });
  });
});

describe("stepping the drawn level: a collapsed group is one step", () => {
  // y = relu(x0·w0 + b) · x0, with the neuron N0 (ids 1 to 5) collapsed into one element.
  const GRAPH = {
    nodes: [
      node("x0"),
      node("N0.w0"),
      node("", "*", [0, 1], "x0·N0.w0"),
      node("N0.b"),
      node("", "+", [2, 3], "x0·N0.w0 + N0.b"),
      node("", "relu", [4], "relu(x0·N0.w0 + N0.b)"),
      node("y", "*", [5, 0]),
    ],
    root: 6,
    ops: { "*": OPS["*"], "+": OPS["+"], relu: OPS.relu },
  };
  const DATA = new Float64Array([2, 0.5, 1, 1, 2, 2, 4]);
  const unitOf = Int32Array.from([0, 1, 1, 1, 1, 1, 2]);
  const level = {
    unitOf,
    folded: (unit: number) => (unit === 1 ? { name: "N0", summary: "relu(Σ w·x + b)" } : null),
    within: () => null,
  };
  const plan = planSteps(GRAPH.nodes, unitOf);
  const at = (mode: FrameInput["mode"], step: number, withLevel = true) =>
    frameAt({
      nodes: GRAPH.nodes,
      root: GRAPH.root,
      data: DATA,
      grad: new Float64Array(7),
      locals: () => localDerivatives(GRAPH.nodes, DATA),
      mode,
      step,
      explainer: new Explainer(GRAPH, () => DATA),
      ...(withLevel && { plan, level }),
    });

  it("plans one step per element that computes something, in the elements' order", () => {
    expect(plan.count).toBe(2);
    expect(plan.units).toEqual([1, 2]);
    expect([...plan.forward]).toEqual([0, 0, 1, 0, 1, 1, 2]);
    expect(planSteps(GRAPH.nodes).count).toBe(4); // unfolded: one per computed value
  });

  it("forward: the group's values all come at once, named by the group, its output's number given", () => {
    const first = at("forward", 1);
    expect(first.members).toEqual([2, 4, 5]);
    expect(first.current).toBe(5);
    expect(first.place).toBe("N0");
    expect(pendingIds(first.pending.data)).toEqual([6]);
    expect(first.edges).toEqual([{ from: 0, to: 2, label: "2.0000" }]); // x0 enters; the leaves inside do not
    expect(first.lines).toEqual([
      "N0 = relu(Σ w·x + b): its 3 values computed at once.",
      "relu(x0·N0.w0 + N0.b) = 2.0000",
    ]);
    const second = at("forward", 2);
    expect(second.members).toEqual([6]);
    expect(second.place).toBeNull();
    expect(second.lines).toEqual(["y = (relu(x0·N0.w0 + N0.b))·x0 = 2.0000·2.0000 = 4.0000"]);
  });

  it("backward: y first, then the whole group, which passes x0 its share and fills its leaves' gradients", () => {
    const first = at("backward", 1);
    expect(first.members).toEqual([6]);
    expect(pendingIds(first.pending.grad)).toEqual([1, 2, 3, 4]);
    expect(first.grad[0]).toBe(2); // x0 has y's direct share only
    const group = at("backward", 2);
    expect(group.members).toEqual([2, 4, 5]);
    expect(group.current).toBe(5);
    expect(group.place).toBe("N0");
    expect(pendingIds(group.pending.grad)).toEqual([]);
    expect([...group.grad]).toEqual([3, 4, 2, 2, 2, 2, 1]); // x0: 2 + 0.5 × 2; w0: 2 × 2
    expect(group.edges).toEqual([{ from: 0, to: 2, label: "→ +1.0000" }]);
    expect(group.lines).toEqual([
      "N0 = relu(Σ w·x + b): its 3 values pass the gradient back at once.",
      "x0.grad += +1.0000 = 3.0000",
      "Its leaves' gradients: N0.w0 4.0000, N0.b 2.0000.",
    ]);
  });

  it("names the group a value's card is drawn in, when it is expanded", () => {
    const expanded = {
      unitOf: [0, 1, 2, 3, 4, 5, 6],
      folded: () => null,
      within: (u: number) => (u >= 1 && u <= 5 ? "N0" : null),
    };
    const frame = (step: number) =>
      frameAt({
        nodes: GRAPH.nodes,
        root: 6,
        data: DATA,
        grad: new Float64Array(7),
        locals: () => localDerivatives(GRAPH.nodes, DATA),
        mode: "forward",
        step,
        explainer: new Explainer(GRAPH, () => DATA),
        level: expanded,
      });
    expect([1, 2, 3, 4].map((step) => frame(step).place)).toEqual(["N0", "N0", "N0", null]);
    expect(frame(2).lines).toEqual(["x0·N0.w0 + N0.b = (x0·N0.w0) + N0.b = 1.0000 + 1.0000 = 2.0000"]);
  });

  it("ends, whatever the folding, with the gradients of the whole backward pass", () => {
    const whole = at("backward", 4, false).grad;
    for (const units of [
      [0, 1, 1, 1, 1, 1, 2],
      [0, 0, 0, 0, 0, 0, 0],
      [0, 1, 2, 3, 4, 4, 5],
      [0, 1, 1, 2, 2, 3, 3],
    ]) {
      const unitPlan = planSteps(GRAPH.nodes, units);
      const frame = frameAt({
        nodes: GRAPH.nodes,
        root: 6,
        data: DATA,
        grad: new Float64Array(7),
        locals: () => localDerivatives(GRAPH.nodes, DATA),
        mode: "backward",
        step: unitPlan.count,
        explainer: new Explainer(GRAPH, () => DATA),
        plan: unitPlan,
        level: { unitOf: units, folded: () => ({ name: "G", summary: "" }) },
      });
      expect([...frame.grad]).toEqual([...whole]);
    }
  });

  it("steps the seed neuron exactly as before when every element is a value's card", () => {
    const identity = NEURON.nodes.map((_, i) => i);
    for (const mode of ["forward", "backward"] as const) {
      for (let step = -1; step <= 5; step++) {
        const input = neuronInput(mode, step);
        const level = { unitOf: identity, folded: () => null };
        expect(frameAt({ ...input, plan: planSteps(NEURON.nodes, identity), level })).toEqual(frameAt(input));
      }
    }
  });
});

describe("stepping a stack of repeated calls", () => {
  // s = x0·p + x1·p: module M called twice (its parameter p shared), drawn as "M × 2".
  const TOPOLOGY = {
    nodes: [
      node("x0"),
      node("x1"),
      { ...node("p"), group: 0, shared: true as const },
      { ...node("", "*", [0, 2], "x0·p"), group: 0 },
      { ...node("", "*", [1, 2], "x1·p"), group: 1 },
      node("s", "+", [3, 4]),
    ],
    root: 5,
    ops: { "*": OPS["*"], "+": OPS["+"] },
    groups: [
      { name: "M", kind: "M", parent: null, module: 0, call: 0, inputs: [0], outputs: [3] },
      { name: "M", kind: "M", parent: null, module: 0, call: 1, inputs: [1], outputs: [4] },
    ],
  };
  const DATA = new Float64Array([2, 3, 0.5, 1, 1.5, 2.5]);
  const frame = (level: StepLevel, mode: FrameInput["mode"], step: number) =>
    frameAt({
      nodes: TOPOLOGY.nodes,
      root: 5,
      data: DATA,
      grad: new Float64Array(6),
      locals: () => localDerivatives(TOPOLOGY.nodes, DATA),
      mode,
      step,
      explainer: new Explainer(TOPOLOGY, () => DATA),
      plan: planSteps(TOPOLOGY.nodes, level.unitOf),
      level,
    });

  it("collapsed: every call is one step, and the shared parameter's gradient sums over both calls", () => {
    const level = stepLevel(TOPOLOGY, visibleGraph(TOPOLOGY, { expanded: new Set(), picks: new Map() }));
    expect(level.unitOf[4]).toBe(level.unitOf[3]); // call 1, not drawn, steps with the stack
    expect(level.unitOf[2]).toBe(level.unitOf[3]); // p, drawn inside the collapsed stack
    expect(level.folded(level.unitOf[3])).toEqual({ name: "M × 2", summary: expect.stringMatching(/^M × 2 = /) });
    const stack = frame(level, "backward", 2);
    expect(stack.members).toEqual([3, 4]);
    expect(stack.place).toBe("M × 2");
    expect([...stack.grad]).toEqual([0.5, 0.5, 5, 1, 1, 1]); // p: x0 + x1
    expect(stack.lines[0]).toBe("M × 2 = x·p: its 2 values pass the gradient back at once.");
    expect(frame(level, "forward", 1).lines).toEqual([
      "M × 2 = x·p: its 2 values computed at once.",
      "x0·p = 1.0000",
      "x1·p = 1.5000",
    ]);
  });

  it("expanded on call 1: its values step one by one, named by the call; call 0 steps with the stack", () => {
    const drawing = visibleGraph(TOPOLOGY, { expanded: new Set(["M"]), picks: new Map([["M", 1]]) });
    const level = stepLevel(TOPOLOGY, drawing);
    expect(drawing.elements[level.unitOf[3]].kind).toBe("stack"); // call 0, not drawn, steps with the stack
    expect([1, 2, 3].map((step) => frame(level, "forward", step).place)).toEqual(["M × 2", "M, call 1 of 2", null]);
    expect(frame(level, "backward", 3).grad[2]).toBe(5);
  });
});

describe("a folded step with many inputs", () => {
  it("lists and labels a few of them, counts the rest, and still marks every edge", () => {
    // s = Σ of 8 products w_i·x_i, folded into one Σ element (unit 16); the leaves are their own cards.
    const nodes: TopologyNode[] = [];
    for (let i = 0; i < 8; i++) nodes.push(node(`w${i}`), node(`x${i}`));
    const products = Array.from(
      { length: 8 },
      (_, i) => nodes.push(node("", "*", [2 * i, 2 * i + 1], `w${i}·x${i}`)) - 1,
    );
    let total = products[0];
    for (const p of products.slice(1)) total = nodes.push(node("", "+", [total, p], "Σ")) - 1;
    const unitOf = nodes.map((_, id) => (id < 16 ? id : 16));
    const data = Float64Array.from(nodes, (_, id) => (id < 16 ? 1 : 0));
    forward(nodes, data);
    const frame = frameAt({
      nodes,
      root: total,
      data,
      grad: new Float64Array(nodes.length),
      locals: () => localDerivatives(nodes, data),
      mode: "backward",
      step: 1,
      explainer: new Explainer({ nodes, root: total, ops: OPS }, () => data),
      level: { unitOf, folded: () => ({ name: "Σ of 8 terms", summary: "Σ w·x" }) },
    });
    expect(frame.edges).toHaveLength(16);
    expect(frame.edges.filter((e) => e.label)).toHaveLength(4);
    expect(frame.lines).toHaveLength(1 + 5 + 0); // the title, four inputs and "… and 12 more inputs"
    expect(frame.lines.at(-1)).toBe("… and 12 more inputs");
  });
});

describe("where a pass goes on when the folds change", () => {
  const nodes = [node("a"), node("b", "*", [0, 0]), node("c", "+", [1, 0]), node("d", "*", [2, 2])];
  const folded = planSteps(nodes, [0, 1, 1, 2]); // b and c in one element
  const open = planSteps(nodes); // every value a step

  it("expanding steps inside, at the element's first value in the pass's direction", () => {
    expect(firstStepOf(open, "forward", [1, 2])).toBe(1); // b is computed first
    expect(firstStepOf(open, "backward", [1, 2])).toBe(2); // c passes back first, after d
  });

  it("collapsing steps onto the element; a leaf alone is no step", () => {
    expect(firstStepOf(folded, "forward", [2])).toBe(1);
    expect(firstStepOf(folded, "backward", [2])).toBe(2);
    expect(firstStepOf(folded, "backward", [0])).toBeNull();
  });
});
