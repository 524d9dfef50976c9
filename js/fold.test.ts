import { describe, expect, it } from "vitest";
import { toDot } from "./dot";
import {
  READABLE_BUDGET,
  defaultState,
  reveal,
  visibleGraph,
  type Element,
  type FoldState,
  type VisibleGraph,
} from "./fold";
import type { Topology } from "./graph";
import { NEURON, OPS, node } from "./testing/helpers";
import { mlpTopology } from "./testing/mlp";

const state = (expanded: string[] = [], picks: Record<string, number> = {}): FoldState => ({
  expanded: new Set(expanded),
  picks: new Map(Object.entries(picks)),
});
const named = (visible: VisibleGraph, name: string): Element | undefined =>
  visible.elements.find(
    (e) => (e.kind === "sum" || e.kind === "more" ? e.key : e.kind === "value" ? "" : e.name) === name,
  );

/** Every edge of the topology between drawn nodes, as it must show between their elements. */
function checkEdges(topology: Topology, visible: VisibleGraph): void {
  const edges = new Set(visible.edges.map(([a, b]) => `${a}->${b}`));
  expect(edges.size).toBe(visible.edges.length);
  for (const [a, b] of visible.edges) expect(a).toBeLessThan(b); // topological order
  topology.nodes.forEach((n, id) => {
    for (const input of n.inputs) {
      const [from, to] = [visible.elementOf[input], visible.elementOf[id]];
      if (from >= 0 && to >= 0 && from !== to) expect(edges.has(`${from}->${to}`)).toBe(true);
    }
  });
}

describe("fold model", () => {
  it("leaves a graph without groups or chains as it is: the seed neuron", () => {
    const visible = visibleGraph(NEURON, defaultState(NEURON));
    expect(visible.elements).toEqual(NEURON.nodes.map((_, id) => ({ kind: "value", id })));
    expect(visible.clusters).toEqual([]);
    expect(defaultState(NEURON).expanded.size).toBe(0);
    checkEdges(NEURON, visible);
  });

  it("folds a chain of + into one Σ with its terms' private subtrees, and expands it by key", () => {
    // out = relu(((w0·x0 + w1·x1) + w2·x2) + b)
    const t: Topology = {
      nodes: [
        node("x0"),
        node("w0"),
        node("", "*", [1, 0], "w0·x0"),
        node("x1"),
        node("w1"),
        node("", "*", [4, 3], "w1·x1"),
        node("", "+", [2, 5], "s1"),
        node("x2"),
        node("w2"),
        node("", "*", [8, 7], "w2·x2"),
        node("", "+", [6, 9], "s2"),
        node("b"),
        node("", "+", [10, 11], "s3"),
        node("out", "relu", [12]),
      ],
      root: 13,
      ops: OPS,
    };
    const folded = visibleGraph(t, state());
    const sum = named(folded, "#12");
    expect(sum).toMatchObject({ kind: "sum", top: 12, terms: 4, summary: "Σ w·x + b" });
    expect((sum as { members: number[] }).members.sort((a, b) => a - b)).toEqual([2, 5, 6, 9, 10, 12]);
    expect(folded.elements).toHaveLength(9); // 3 x, 3 w, b, Σ, out
    checkEdges(t, folded);
    const open = visibleGraph(t, state(["#12"]));
    expect(open.elements).toHaveLength(14);
    expect(open.clusters).toEqual([{ kind: "sum", name: "#12", group: -1, parent: -1, summary: "Σ w·x + b" }]);
    expect([...open.clusterOf].filter((c) => c === 0)).toHaveLength(6);
  });

  it("keeps a shared value, a labelled value and a single a + b out of a Σ", () => {
    const t: Topology = {
      nodes: [
        node("a"),
        node("", "", [], "2"),
        node("", "*", [0, 1], "a·2"),
        node("", "+", [2, 0], "s1"),
        node("", "+", [3, 2], "s2"), // a·2 used twice: not private
        node("y", "+", [4, 0]),
        node("", "+", [5, 0], "z"), // a single + on a labelled one: no chain
      ],
      root: 6,
      ops: OPS,
    };
    const visible = visibleGraph(t, state());
    const sum = named(visible, "#4") as Extract<Element, { kind: "sum" }>;
    expect(sum.members.sort()).toEqual([3, 4]);
    expect(sum.summary).toBe("Σ a·2 + a");
    expect(visible.elements.filter((e) => e.kind === "value")).toHaveLength(5);
    checkEdges(t, visible);
  });

  it("writes an op of three inputs with no formula whole: PyTorch's layer_norm(x, weight, bias)", () => {
    const t: Topology = {
      nodes: [
        node("x"),
        { ...node("0.weight"), group: 0 },
        { ...node("0.bias"), group: 0 },
        { ...node("", "layer_norm", [0, 1, 2], "layer_norm(x, 0.weight, 0.bias)"), group: 0 },
      ],
      root: 3,
      ops: OPS,
      groups: [{ name: "0", kind: "LayerNorm", parent: null, module: 0, call: 0, inputs: [0], outputs: [3] }],
    };
    expect(named(visibleGraph(t, state()), "0")).toMatchObject({ summary: "0 = layer_norm(x, weight, bias)" });
  });

  it("collapses module calls to one element each, nested, with a summary from the op table", () => {
    const t = mlpTopology(2, [3, 1]);
    const collapsed = visibleGraph(t, state());
    expect(collapsed.elements.map((e) => e.kind)).toEqual(["value", "value", "group"]);
    expect(collapsed.elements[2]).toMatchObject({ name: "MLP", summary: "MLP = L0 → L1" });
    const open = visibleGraph(t, state(["MLP", "L0", "L1"]));
    const neuron = named(open, "L0.N1") as Extract<Element, { kind: "group" }>;
    expect(neuron.summary).toBe("L0.N1 = relu(Σ w·x + b)");
    expect(named(open, "L1.N0")).toMatchObject({ summary: "L1.N0 = Σ w·x + b" });
    expect(named(open, "L0")).toBeUndefined();
    expect(open.clusters.map((c) => [c.name, c.parent])).toEqual([
      ["MLP", -1],
      ["L0", 0],
      ["L1", 0],
    ]);
    // The neuron's parameters are inside its element, with its products and sums.
    const labels = neuron.members.map((id) => t.nodes[id].label).filter(Boolean);
    expect(labels.sort()).toEqual(["L0.N1", "L0.N1.b", "L0.N1.w0", "L0.N1.w1"]);
    checkEdges(t, open);
    const layer = named(visibleGraph(t, state(["MLP"])), "L0");
    expect(layer).toMatchObject({ summary: "L0 = 3 × relu(Σ w·x + b)" });
  });

  it("stacks the calls of one module: one element, the picked call's values, parameters drawn in it", () => {
    const t = mlpTopology(2, [2, 1], 3);
    const folded = visibleGraph(t, state());
    const stack = named(folded, "MLP") as Extract<Element, { kind: "stack" }>;
    expect(stack).toMatchObject({ kind: "stack", calls: [0, 6, 12], picked: 0, expanded: false });
    expect(stack.outputs).toEqual(t.groups![0].outputs);
    // The other samples' inputs feed only hidden calls: not drawn.
    const inputs = folded.elements.filter((e) => e.kind === "value" && t.nodes[e.id].label.startsWith("MLP input"));
    expect(inputs).toHaveLength(2);
    checkEdges(t, folded);

    const picked = visibleGraph(t, state(["MLP", "L0", "L0.N1"], { MLP: 2 }));
    const cluster = picked.clusters.find((c) => c.name === "MLP")!;
    expect(cluster).toMatchObject({ group: 12, stack: { calls: 3, picked: 2 } });
    const others = named(picked, "MLP") as Extract<Element, { kind: "stack" }>;
    expect(others).toMatchObject({ kind: "stack", expanded: true, picked: 2 });
    // The other calls' outputs feed the loss from the stacked element; their insides are not drawn.
    expect(others.members.sort()).toEqual([...t.groups![0].outputs, ...t.groups![6].outputs].sort());
    // Parameters recorded in call 0 are drawn inside call 2's neuron.
    const w = t.nodes.findIndex((n) => n.label === "L0.N1.w0");
    expect(t.nodes[w].group).toBe(t.groups!.findIndex((g) => g.name === "L0.N1"));
    const element = picked.elements[picked.elementOf[w]];
    expect(element).toEqual({ kind: "value", id: w });
    expect(picked.clusters[picked.clusterOf[picked.elementOf[w]]]).toMatchObject({ name: "L0.N1", group: 15 });
    const ownProduct = t.nodes.findIndex((n) => n.op === "*" && n.inputs[0] === w && n.group === 15);
    expect(picked.elementOf[ownProduct]).toBeGreaterThanOrEqual(0);
    const otherProduct = t.nodes.findIndex((n) => n.op === "*" && n.inputs[0] === w && n.group !== 15);
    expect(picked.elementOf[otherProduct]).toBe(-1);
    checkEdges(t, picked);
  });

  it("opens small graphs whole, and big ones one readable level deep: the model's layers, neurons folded", () => {
    const small = mlpTopology(2, [3, 1]);
    expect(visibleGraph(small, defaultState(small)).elements).toHaveLength(small.nodes.length);
    const one = mlpTopology(2, [16, 16, 1]);
    expect(one.nodes.length).toBe(979);
    const level = defaultState(one);
    expect([...level.expanded].sort()).toEqual(["L0", "L1", "L2", "MLP"]);
    const first = visibleGraph(one, level);
    expect(first.elements.length).toBeLessThan(READABLE_BUDGET);
    // A level opens whole or not at all: all 33 neurons are cards, L2's lone neuron too.
    const neurons = first.elements.filter((e) => e.kind === "group" && /^L\d\.N\d+$/.test(e.name));
    expect(neurons).toHaveLength(33);
    expect(named(first, "L1.N3")).toMatchObject({ kind: "group", summary: "L1.N3 = relu(Σ w·x + b)" });
    // A bigger budget opens the next level whole (all 33 neurons), never part of it.
    const roomy = visibleGraph(one, defaultState(one, 300));
    expect(roomy.clusters.filter((c) => /^L\d\.N\d+$/.test(c.name)).length).toBeOneOf([0, 33]);
    const demo = mlpTopology(2, [16, 16, 1], 100);
    const start = performance.now();
    const chosen = defaultState(demo); // the first call also analyses the topology (chains, stacks)
    const middle = performance.now();
    const view = visibleGraph(demo, chosen);
    const end = performance.now();
    // Figures for the report, never asserted: `npx vitest run js/fold.test.ts` prints them.
    console.log(
      `demo topology: ${demo.nodes.length} values; defaultState ${(middle - start).toFixed(0)} ms, ` +
        `then visibleGraph ${(end - middle).toFixed(1)} ms for ${view.elements.length} elements`,
    );
    expect(view.elements.length).toBeLessThan(READABLE_BUDGET);
    expect(named(view, "MLP")).toMatchObject({ kind: "stack", expanded: true, picked: 0 });
    expect([...chosen.expanded].sort()).toEqual(["L0", "L1", "L2", "MLP"]);
    checkEdges(demo, view);
  });

  it("reveals a value: opens what hides it and picks its call", () => {
    const t = mlpTopology(2, [2, 1], 3);
    const target = t.nodes.findIndex((n) => n.op === "relu" && n.label === "L0.N1" && n.group === 15);
    const revealed = reveal(t, state(), target);
    expect([...revealed.expanded].sort()).toEqual(["L0", "L0.N1", "MLP"]);
    expect(revealed.picks.get("MLP")).toBe(2);
    expect(visibleGraph(t, revealed).elements[visibleGraph(t, revealed).elementOf[target]]).toEqual({
      kind: "value",
      id: target,
    });
    // A Σ's term: the chain opened too.
    const demo = mlpTopology(2, [2, 1], 3);
    const relu = demo.nodes.findIndex((n, id) => n.op === "relu" && n.group === undefined && id > 30);
    const shown = reveal(demo, state(), relu);
    expect(visibleGraph(demo, shown).elements[visibleGraph(demo, shown).elementOf[relu]]).toEqual({
      kind: "value",
      id: relu,
    });
    // Another sample's input: its call is picked.
    const input = demo.nodes.findIndex((n, id) => n.label === "MLP input 0" && id > 20);
    expect(visibleGraph(demo, state()).elementOf[input]).toBe(-1);
    const picked = reveal(demo, state(), input);
    expect(visibleGraph(demo, picked).elementOf[input]).toBeGreaterThanOrEqual(0);
  });
});

describe("the folded view in DOT", () => {
  it("writes the seed neuron as before: no clusters, no rank constraints", () => {
    const dot = toDot(NEURON, visibleGraph(NEURON, defaultState(NEURON)), "LR");
    expect(dot).not.toMatch(/subgraph|rank=same|minlen|newrank/);
    expect(dot.match(/shape=record/g)).toHaveLength(10);
  });

  it("nests open groups as clusters, lines a module's outputs up and keeps parameters beside their ops", () => {
    const t = mlpTopology(2, [3, 1]);
    const visible = visibleGraph(t, state(["MLP", "L0"]));
    const dot = toDot(t, visible, "LR");
    expect(dot).toContain("newrank=true;");
    // MLP's cluster holds L0's: braces nest.
    const mlp = dot.indexOf("subgraph cluster_0 {");
    const l0 = dot.indexOf("subgraph cluster_1 {");
    expect(mlp).toBeGreaterThan(0);
    expect(l0).toBeGreaterThan(mlp);
    const outputs = t.groups![1].outputs.map((o) => `e${visible.elementOf[o]}`);
    expect(dot).toContain(`{rank=same; ${outputs.join("; ")}}`);
    // In the module's order, N0 first: top to bottom when ranks run left to right, else left to right.
    expect(dot).toContain(`${[...outputs].reverse().join(" -> ")} [style=invis];`);
    expect(toDot(t, visible, "TB")).toContain(`${outputs.join(" -> ")} [style=invis];`);
    const b = t.nodes.findIndex((n) => n.label === "L1.N0.b");
    expect(dot).not.toContain(`v${b} ->`); // inside the folded neuron
    const w = t.nodes.findIndex((n) => n.label === "L0.N1.w0");
    const sum = `#${t.groups![3].outputs[0] - 1}`; // the relu's input: the Σ's top
    const open = toDot(t, visibleGraph(t, state(["MLP", "L0", "L0.N1", sum])), "LR");
    const product = t.nodes.findIndex((n) => n.op === "*" && n.inputs[0] === w);
    expect(open).toContain(`v${w} -> v${product}op [minlen=0];`);
    // No label text in the DOT: a folded card's fields are placeholders of the same length.
    expect(dot).not.toContain("L0.N1");
  });
});
