/**
 * Which values a click on one of them points at, as sets: its paths to the root (every value it
 * flows into on the way there), or, with a modifier key, everything it depends on. Pure and
 * linear in the graph's size: the ids are a topological order, so one sweep each way does it.
 */
import type { TopologyNode } from "./graph";

export type PathKind = "to-root" | "depends-on";

/** Per graph and root, the values that flow into the root: worked out on the first click, not on each. */
const intoRoot = new WeakMap<object, Map<number, Uint8Array>>();

function flowsInto(nodes: readonly Pick<TopologyNode, "inputs">[], root: number): Uint8Array {
  const byRoot = intoRoot.get(nodes) ?? new Map<number, Uint8Array>();
  intoRoot.set(nodes, byRoot);
  let below = byRoot.get(root);
  if (!below) {
    below = new Uint8Array(nodes.length);
    below[root] = 1;
    for (let i = root; i >= 0; i--) if (below[i]) for (const input of nodes[i].inputs) below[input] = 1;
    byRoot.set(root, below);
  }
  return below;
}

/** Values on some path from `id` to `root` (both included): what `id` flows into, that reaches the root. */
export function pathsToRoot(nodes: readonly Pick<TopologyNode, "inputs">[], root: number, id: number): Uint8Array {
  const below = flowsInto(nodes, root);
  const marked = new Uint8Array(nodes.length);
  if (!below[id]) return marked;
  marked[id] = 1;
  for (let i = id + 1; i <= root; i++) {
    if (!below[i]) continue;
    for (const input of nodes[i].inputs) if (marked[input]) marked[i] = 1;
  }
  return marked;
}

/** `id` and every value it is computed from, down to the leaves. */
export function dependencies(nodes: readonly Pick<TopologyNode, "inputs">[], id: number): Uint8Array {
  const marked = new Uint8Array(nodes.length);
  marked[id] = 1;
  for (let i = id; i >= 0; i--) if (marked[i]) for (const input of nodes[i].inputs) marked[input] = 1;
  return marked;
}

export function pathSet(
  nodes: readonly Pick<TopologyNode, "inputs">[],
  root: number,
  id: number,
  kind: PathKind,
): Uint8Array {
  return kind === "to-root" ? pathsToRoot(nodes, root, id) : dependencies(nodes, id);
}

/**
 * The marked values as the drawing shows them: the elements holding one (`elementOf`: node id ->
 * element index, -1 when not drawn) and the drawn edges [from, to] between elements that carry
 * a marked value into a marked value. Inside one element an edge is not drawn, so it is not listed.
 */
export function onElements(
  nodes: readonly Pick<TopologyNode, "inputs">[],
  marked: Uint8Array,
  elementOf: ArrayLike<number>,
): { elements: Set<number>; edges: [from: number, to: number][] } {
  const elements = new Set<number>();
  const edges = new Map<string, [number, number]>();
  for (let id = 0; id < marked.length; id++) {
    const to = elementOf[id];
    if (!marked[id] || to < 0) continue;
    elements.add(to);
    for (const input of nodes[id].inputs) {
      const from = elementOf[input];
      if (marked[input] && from >= 0 && from !== to) edges.set(`${from}>${to}`, [from, to]);
    }
  }
  return { elements, edges: [...edges.values()] };
}
