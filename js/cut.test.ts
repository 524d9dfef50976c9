import { afterEach, describe, expect, it } from "vitest";
import { CUT_AT, drawnGraph, revealCut } from "./cut";
import { READABLE_BUDGET, visibleGraph, type FoldState, type VisibleGraph } from "./fold";
import type { Topology } from "./graph";
import { mount, mounted, node, OPS } from "./testing/helpers";
import { mlpTopology, valuesOf } from "./testing/mlp";

afterEach(() => {
  for (const el of mounted.splice(0)) el.remove();
});

const state = (expanded: string[] = []): FoldState => ({ expanded: new Set(expanded), picks: new Map() });

/** x, then `length` tanh nodes each of the one before: a graph no group or Σ folds. */
function chain(length: number): Topology {
  const nodes = [node("x")];
  for (let i = 1; i <= length; i++) nodes.push(node("", "tanh", [i - 1], `t${i}`));
  return { nodes, root: length, ops: { tanh: OPS.tanh }, groups: [] };
}

/** A full binary tree of `*` nodes over 2^depth leaves, the root at the end: wide, not deep. */
function tree(depth: number): Topology {
  const nodes = Array.from({ length: 2 ** depth }, (_, i) => node(`x${i}`));
  let level = nodes.map((_, i) => i);
  while (level.length > 1) {
    const next: number[] = [];
    for (let i = 0; i < level.length; i += 2) {
      nodes.push(node("", "*", [level[i], level[i + 1]], `p${nodes.length}`));
      next.push(nodes.length - 1);
    }
    level = next;
  }
  return { nodes, root: nodes.length - 1, ops: { "*": OPS["*"] }, groups: [] };
}

/** Σ w_i·x_i over `terms` terms, as sum() builds it: one Σ element with 2 × terms labelled inputs. */
function dot(terms: number): Topology {
  const nodes = [];
  for (let i = 0; i < terms; i++) nodes.push(node(`w${i}`), node(`x${i}`), node("", "*", [3 * i, 3 * i + 1], `p${i}`));
  let sum = 2;
  for (let i = 1; i < terms; i++) {
    nodes.push(node("", "+", [sum, 3 * i + 2], `s${i}`));
    sum = nodes.length - 1;
  }
  return { nodes, root: sum, ops: { "+": OPS["+"], "*": OPS["*"] }, groups: [] };
}

const drawnIds = (drawn: VisibleGraph): number[] => drawn.elements.flatMap((e) => (e.kind === "value" ? [e.id] : []));
const mores = (drawn: VisibleGraph) => drawn.elements.filter((e) => e.kind === "more");

/** What a brute force says a drawn value depends on through hidden values only. */
function hiddenBelow(topology: Topology, drawn: VisibleGraph, id: number): number {
  const seen = new Set<number>();
  const walk = topology.nodes[id].inputs.filter((i) => drawn.elementOf[i] < 0);
  while (walk.length > 0) {
    const v = walk.pop()!;
    if (seen.has(v)) continue;
    seen.add(v);
    for (const input of topology.nodes[v].inputs) if (drawn.elementOf[input] < 0) walk.push(input);
  }
  return seen.size;
}

describe("the depth cut", () => {
  it("leaves a view under CUT_AT elements whole", () => {
    const topology = chain(CUT_AT - 2);
    expect(drawnGraph(topology, state())).toEqual(visibleGraph(topology, state()));
  });

  it("draws a long chain's last screenful, with a ⋯ element counting what is hidden below", () => {
    const topology = chain(2000);
    const drawn = drawnGraph(topology, state());
    const ids = drawnIds(drawn);
    expect(ids).toHaveLength(READABLE_BUDGET);
    expect(ids).toContain(topology.root);
    expect(Math.min(...ids)).toBe(2001 - READABLE_BUDGET);
    const [more] = mores(drawn);
    expect(mores(drawn)).toHaveLength(1);
    expect(more).toEqual({ kind: "more", key: `^${2001 - READABLE_BUDGET}`, values: 2001 - READABLE_BUDGET });
    // The ⋯ feeds the lowest drawn value; every other edge joins drawn values as the topology does.
    const at = drawn.elements.indexOf(more);
    expect(drawn.edges).toContainEqual([at, drawn.elementOf[2001 - READABLE_BUDGET]]);
    for (const [from, to] of drawn.edges) {
      const [a, b] = [drawn.elements[from], drawn.elements[to]];
      if (a.kind === "value" && b.kind === "value") expect(topology.nodes[b.id].inputs).toContain(a.id);
      expect(from).toBeLessThan(to); // still in topological order
    }
    expect(drawn.elementOf[0]).toBe(-1);
  });

  it("opens the next screenful below a ⋯ when its key is expanded", () => {
    const topology = chain(2000);
    const key = (mores(drawnGraph(topology, state()))[0] as { key: string }).key;
    const drawn = drawnGraph(topology, state([key]));
    const ids = drawnIds(drawn);
    expect(ids).toHaveLength(2 * READABLE_BUDGET);
    expect(Math.min(...ids)).toBe(2001 - 2 * READABLE_BUDGET);
    expect(mores(drawn)).toEqual([
      { kind: "more", key: `^${2001 - 2 * READABLE_BUDGET}`, values: 2001 - 2 * READABLE_BUDGET },
    ]);
  });

  it("counts each ⋯ as a brute force does, on a wide graph with many cut points", () => {
    const topology = tree(10); // 2,047 values
    const drawn = drawnGraph(topology, state());
    expect(drawn.elements.length).toBeLessThan(CUT_AT);
    expect(mores(drawn).length).toBeGreaterThan(10);
    drawn.edges.forEach(([from, to]) => {
      const e = drawn.elements[from];
      const target = drawn.elements[to];
      if (e.kind === "more" && target.kind === "value") expect(e.values).toBe(hiddenBelow(topology, drawn, target.id));
    });
  });

  it("shows a wide element's first inputs only, and all of them (a screenful) once its ⋯ opens", () => {
    const topology = dot(200); // one Σ over 400 labelled leaves
    const drawn = drawnGraph(topology, state());
    expect(drawn.elements.map((e) => e.kind)).toEqual(["value", "value", "value", "value", "more", "sum"]);
    expect(mores(drawn)[0]).toMatchObject({ values: 396 });
    const opened = drawnGraph(topology, state([(mores(drawn)[0] as { key: string }).key]));
    expect(drawnIds(opened)).toHaveLength(4 + READABLE_BUDGET);
  });

  it("draws whole what the user opened: a layer with all its neurons open stays drawn", () => {
    const topology = mlpTopology(2, [16, 16, 1]);
    const names = ["MLP", "L0", "L1", "L2", ...Array.from({ length: 16 }, (_, i) => `L1.N${i}`)];
    const visible = visibleGraph(topology, state(names));
    expect(visible.elements.length).toBeGreaterThanOrEqual(CUT_AT);
    const drawn = drawnGraph(topology, state(names));
    const inLayer = (graph: VisibleGraph) =>
      graph.elements.filter((e) => e.kind === "value" && topology.nodes[e.id].name.startsWith("L1.N")).length;
    expect(inLayer(drawn)).toBe(inLayer(visible));
    expect(drawn.clusters).toHaveLength(visible.clusters.length);
  });

  it("reveals a deep value joined to the root by its path, when the path is short", () => {
    const topology = tree(10);
    const next = revealCut(topology, state(), 5); // the leaf x5, ten levels down
    const drawn = drawnGraph(topology, next);
    expect(drawn.elementOf[5]).toBeGreaterThanOrEqual(0);
    // Every value on the way from the root down to x5 is drawn.
    for (let v = 5; v !== topology.root;) {
      const consumer = topology.nodes.findIndex((n) => n.inputs.includes(v));
      expect(drawn.elementOf[consumer]).toBeGreaterThanOrEqual(0);
      v = consumer;
    }
    expect(drawn.elements.length).toBeLessThan(CUT_AT);
  });

  it("draws one search's path at a time: the next search's path replaces it", () => {
    const topology = tree(10);
    const first = revealCut(topology, state(), 5);
    const second = revealCut(topology, first, 1000);
    const paths = (s: FoldState) => [...s.expanded].filter((key) => key.startsWith("="));
    expect(paths(first).length).toBeGreaterThan(0);
    expect(paths(second)).toEqual(paths(revealCut(topology, state(), 1000))); // only the second path
    expect(second.expanded.has("^5")).toBe(true); // what was opened below a found value stays open
    expect(drawnGraph(topology, second).elementOf[1000]).toBeGreaterThanOrEqual(0);
  });

  it("reveals a value at the far end of a long chain on its own, still under CUT_AT elements", () => {
    const topology = chain(2000);
    const next = revealCut(topology, state(), 3);
    const drawn = drawnGraph(topology, next);
    expect(drawn.elementOf[3]).toBeGreaterThanOrEqual(0);
    expect(drawn.elementOf[topology.root]).toBeGreaterThanOrEqual(0);
    expect(drawn.elements.length).toBeLessThan(CUT_AT);
    for (let id = 3; id < 3 + CUT_AT / 4; id++) expect(drawn.elementOf[id]).toBeGreaterThanOrEqual(0); // what t3 feeds
    expect(revealCut(topology, next, 3)).toBe(next); // already drawn: nothing to change
  });
});

describe("the depth cut in the widget", () => {
  it("draws a 2,000-op chain cut, and a click on ⋯ draws more of it", async () => {
    const topology = chain(2000);
    const { el, model } = await mount({ topology, values: valuesOf(topology), sliders: [] });
    expect(el.querySelectorAll("g.lg-value")).toHaveLength(READABLE_BUDGET);
    const more = el.querySelector<SVGGElement>('[data-fold="more"]')!;
    expect(more.getAttribute("aria-expanded")).toBe("false");
    expect(more.getAttribute("role")).toBe("button");
    expect(more.textContent).toContain(`⋯ ${(2001 - READABLE_BUDGET).toLocaleString("en-US")} more values`);
    more.dispatchEvent(new MouseEvent("click", { bubbles: true }));
    expect(el.querySelectorAll("g.lg-value")).toHaveLength(2 * READABLE_BUDGET);
    expect(model.get("expanded")).toEqual([`^${2001 - READABLE_BUDGET}`]);
    expect(el.querySelector(".livegrad")!.getAttribute("data-ready")).toBe("true");
  });
});
