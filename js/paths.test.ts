/** Paths from a value to the root, and what it depends on: checked on the neuron and against brute force. */
import { describe, expect, it } from "vitest";
import { dependencies, onElements, pathsToRoot } from "./paths";
import { NEURON } from "./testing/helpers";

const ids = (marks: Uint8Array) => [...marks].flatMap((m, i) => (m ? [i] : []));
const label = (id: number) => NEURON.nodes[id].label;

/** A random DAG in topological order (each value's inputs come before it), seeded. */
function randomGraph(size: number, seed: number): { inputs: number[] }[] {
  let s = seed;
  const next = () => (s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  return Array.from({ length: size }, (_, i) =>
    i < 3 || next() < 0.2 ? { inputs: [] } : { inputs: [Math.floor(next() * i), Math.floor(next() * i)] },
  );
}

/** Every value from which `to` can be reached by following the edges forward: by recursion, no sweep. */
function reachesBrute(nodes: { inputs: number[] }[], from: number, to: number): boolean {
  if (from === to) return true;
  return nodes.some((node, j) => node.inputs.includes(from) && reachesBrute(nodes, j, to));
}

describe("paths to the root", () => {
  it("on the neuron: from w1 through its product and the sums to o, and nothing else", () => {
    expect(ids(pathsToRoot(NEURON.nodes, NEURON.root, 1)).map(label)).toEqual([
      "w1",
      "x1*w1",
      "x1*w1 + x2*w2",
      "n",
      "o",
    ]);
    expect(ids(pathsToRoot(NEURON.nodes, NEURON.root, 7)).map(label)).toEqual(["b", "n", "o"]);
    expect(ids(pathsToRoot(NEURON.nodes, NEURON.root, 9))).toEqual([9]);
  });

  it("what o and x2*w2 depend on", () => {
    expect(ids(dependencies(NEURON.nodes, 9))).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(ids(dependencies(NEURON.nodes, 5)).map(label)).toEqual(["x2", "w2", "x2*w2"]);
  });

  it("agrees with brute-force reachability on random graphs", () => {
    for (let seed = 1; seed <= 20; seed++) {
      const nodes = randomGraph(24, seed);
      const root = nodes.length - 1;
      for (const id of [0, 3, 10, 17, root]) {
        const onPath = nodes.map((_, j) => reachesBrute(nodes, id, j) && reachesBrute(nodes, j, root));
        expect(ids(pathsToRoot(nodes, root, id)), `seed ${seed}, from ${id}`).toEqual(
          onPath.flatMap((p, j) => (p ? [j] : [])),
        );
        const below = nodes.map((_, j) => reachesBrute(nodes, j, id));
        expect(ids(dependencies(nodes, id))).toEqual(below.flatMap((p, j) => (p ? [j] : [])));
      }
    }
  });
});

describe("the marked values as drawn", () => {
  it("lists the elements holding them and the drawn edges between them, none inside an element", () => {
    // The neuron drawn with x1, w1 and x1*w1 folded into element 0; every other value its own element.
    const elementOf = Int32Array.from([0, 0, 0, 1, 2, 3, 4, 5, 6, 7]);
    const { elements, edges } = onElements(NEURON.nodes, pathsToRoot(NEURON.nodes, NEURON.root, 1), elementOf);
    expect([...elements].sort()).toEqual([0, 4, 6, 7]);
    expect(edges).toEqual([
      [0, 4],
      [4, 6],
      [6, 7],
    ]);
  });

  it("leaves out values no element draws (another call of a stack)", () => {
    const elementOf = Int32Array.from([-1, -1, -1, 0, 1, 2, 3, 4, 5, 6]);
    const { elements, edges } = onElements(NEURON.nodes, dependencies(NEURON.nodes, 6), elementOf);
    expect([...elements].sort()).toEqual([0, 1, 2, 3]);
    expect(edges).toEqual([
      [0, 2],
      [1, 2],
      [2, 3],
    ]);
  });
});
