import { describe, expect, it } from "vitest";
import { naivePlan, sortPlan, stackAt, whyOf } from "./sort";
import { NEURON, neuronValues, node } from "./testing/helpers";

const { nodes, root } = NEURON;
const name = (id: number) => nodes[id].name;

describe("the sort's steps", () => {
  it("walk the neuron as the lecture's build_topo does, inputs in argument order", () => {
    const plan = sortPlan(nodes, root);
    expect(plan.order.map(name)).toEqual(["x1", "w1", "x1*w1", "x2", "w2", "x2*w2", "x1*w1 + x2*w2", "b", "n", "o"]);
    expect(plan.steps).toHaveLength(2 * nodes.length); // a tree: every call is a first visit
    expect(plan.steps.slice(0, 4).map((s) => [s.kind, name(s.node)])).toEqual([
      ["visit", "o"],
      ["visit", "n"],
      ["visit", "x1*w1 + x2*w2"],
      ["visit", "x1*w1"],
    ]);
    const firstAppend = plan.steps.find((s) => s.kind === "append")!;
    expect(stackAt(plan, firstAppend).map(name)).toEqual(["o", "n", "x1*w1 + x2*w2", "x1*w1", "x1"]);
    expect(whyOf(nodes, firstAppend, name)).toBe("appended: a leaf, nothing before it");
    const sum = plan.steps.find((s) => s.kind === "append" && name(s.node) === "x1*w1 + x2*w2")!;
    expect(whyOf(nodes, sum, name)).toBe("appended after its inputs x1*w1 and x2*w2");
    expect(plan.order.slice(0, sum.topo).at(-1)).toBe(sum.node);
    expect(whyOf(nodes, plan.steps[1], name)).toBe(
      "visit n: mark it visited, then build_topo on its inputs x1*w1 + x2*w2 and b",
    );
  });

  it("skip a value reached a second time (b = a + a)", () => {
    const plan = sortPlan([node("a"), node("b", "+", [0, 0])], 1);
    expect(plan.steps.map((s) => [s.kind, s.node, s.topo])).toEqual([
      ["visit", 1, 0],
      ["visit", 0, 0],
      ["append", 0, 1],
      ["skip", 0, 1],
      ["append", 1, 2],
    ]);
    expect(stackAt(plan, plan.steps[3])).toEqual([1, 0]);
    expect(whyOf([node("a"), node("b", "+", [0, 0])], plan.steps[3], (i) => "ab"[i])).toBe(
      "a is visited already: build_topo returns at once",
    );
  });

  it("work at any depth, where the recursive build_topo stops near 1,000 calls", () => {
    const chain = [node("x"), ...Array.from({ length: 20000 }, (_, i) => node(`t${i}`, "tanh", [i]))];
    const plan = sortPlan(chain, chain.length - 1);
    expect(plan.order).toEqual(chain.map((_, i) => i));
    expect(stackAt(plan, plan.steps[chain.length - 1])).toHaveLength(chain.length);
  });
});

describe("the naive order", () => {
  it("is right on a tree: no step is marked, no gradient wrong", () => {
    const locals = neuronValues(2).local!.map((row) => row.map(Number));
    const pass = naivePlan(nodes, locals, root)!;
    expect(pass.wrong).toEqual([]);
    expect(pass.steps.every((s) => s.fault === "")).toBe(true);
    expect([...pass.grads]).toEqual([...pass.right]);
  });

  it("passes a reused value's gradient on early and again, and gets what lies below it wrong", () => {
    // x=2, y=3, a = x·y, b=4, a·b, d = a + a·b: d = xy(1 + b), so x.grad = 15 and y.grad = 10
    const graph = [
      node("x"),
      node("y"),
      node("a", "*", [0, 1]),
      node("b"),
      node("ab", "*", [2, 3]),
      node("d", "+", [2, 4]),
    ];
    const locals = [[], [], [3, 2], [], [4, 6], [1, 1]];
    const pass = naivePlan(graph, locals, 5)!;
    expect(pass.steps.map((s) => [graph[s.node].label, s.grad, s.fault])).toEqual([
      ["d", 1, ""],
      ["a", 1, "early"],
      ["ab", 1, ""],
      ["a", 5, "again"],
    ]);
    expect([pass.right[0], pass.right[1]]).toEqual([15, 10]);
    expect([pass.grads[0], pass.grads[1]]).toEqual([18, 12]);
    expect(pass.wrong).toEqual([0, 1]);
  });

  it("refuses a graph where it would pass gradients too many times", () => {
    // v = v + tanh(v), 30 times: v reaches the root by two paths a level, 2^30 in all
    const graph = [node("x")];
    for (let i = 0; i < 30; i++) {
      const v = graph.length - 1;
      graph.push(node(`t${i}`, "tanh", [v]), node(`v${i}`, "+", [v, v + 1]));
    }
    const locals = graph.map((n) => n.inputs.map(() => 1));
    expect(naivePlan(graph, locals, graph.length - 1)).toBeNull();
    expect(naivePlan(graph.slice(0, 9), locals, 8)!.steps).toHaveLength(2 + 4 + 8 + 16);
  });
});
