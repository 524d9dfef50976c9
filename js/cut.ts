/**
 * The depth cut: the last fold, for what module groups and Σ chains leave too big to draw (a
 * learner's own engine over a batch, a long chain of ops). From `CUT_AT` elements on, only the
 * elements nearest the root are drawn, about a screenful, and whatever sits in an open group or
 * Σ (the user opened it); each drawn element whose inputs are hidden gets a "⋯ n values" element
 * under it, and opening that draws the next screenful below it.
 * Keys in `FoldState.expanded`: "^id" opens below the element that holds node `id`; "=id" draws
 * that element and its inputs only (the path `revealCut` draws down to a found value).
 */
import { READABLE_BUDGET, visibleGraph, type Cluster, type Element, type FoldState, type VisibleGraph } from "./fold";
import type { Topology } from "./graph";

/** Views with this many elements or more are cut: Graphviz takes seconds to lay out a thousand. */
export const CUT_AT = 300;
/** In a cut view, an element shows this many of its inputs at first (a Σ's first terms); "⋯" opens the rest. */
const FAN_IN = 4;

/** The elements drawn for `state`: the folded view (`visibleGraph`), cut when it is too big to draw. */
export function drawnGraph(topology: Topology, state: FoldState): VisibleGraph {
  return cutGraph(topology, visibleGraph(topology, state), state);
}

/** The node that names an element in a key: a value itself, a fold's (first) output. */
function anchor(element: Element): number {
  switch (element.kind) {
    case "value":
      return element.id;
    case "sum":
      return element.top;
    case "more":
      return -1;
    default:
      return element.outputs[0];
  }
}

const valuesIn = (element: Element): number =>
  element.kind === "value" ? 1 : element.kind === "more" ? 0 : element.members.length;

function inputLists(n: number, edges: VisibleGraph["edges"]): number[][] {
  const inputs: number[][] = Array.from({ length: n }, () => []);
  for (const [from, to] of edges) inputs[to].push(from);
  return inputs;
}

/** Which elements `state` draws of a view too big to draw whole (1 = drawn). */
function shownElements(topology: Topology, visible: VisibleGraph, state: FoldState, inputs: number[][]): Uint8Array {
  const shown = new Uint8Array(visible.elements.length);
  /**
   * Draw `start` and, breadth first, up to `limit` more of what it depends on; below `start` (and
   * at it, unless `all`), only the first FAN_IN inputs of each element, so a Σ of a hundred terms
   * does not fill the screen with its terms, and the view reaches down instead.
   */
  const admit = (start: number, limit: number, all: boolean): void => {
    let added = 0;
    const queue = [start];
    const seen = new Uint8Array(shown.length);
    shown[start] = seen[start] = 1;
    for (let k = 0; k < queue.length && added < limit; k++) {
      const list = inputs[queue[k]];
      for (const input of (k === 0 && all) || list.length <= FAN_IN ? list : list.slice(0, FAN_IN)) {
        if (added >= limit) break;
        if (seen[input]) continue;
        seen[input] = 1;
        if (!shown[input]) {
          shown[input] = 1;
          added++;
        }
        queue.push(input);
      }
    }
  };
  const root = visible.elementOf[topology.root];
  if (root >= 0) admit(root, READABLE_BUDGET - 1, false);
  visible.clusterOf.forEach((c, e) => {
    if (c >= 0) shown[e] = 1; // what the user opened (a group, a Σ) is drawn whole: the cut is for the rest
  });
  for (const key of state.expanded) {
    const kind = key[0];
    if (kind !== "^" && kind !== "=") continue;
    const e = visible.elementOf[Number(key.slice(1))] ?? -1;
    if (e < 0) continue;
    if (kind === "^") admit(e, READABLE_BUDGET, true);
    else for (const drawn of [e, ...inputs[e]]) shown[drawn] = 1; // the element and what it is made of
  }
  return shown;
}

/** `visible` as drawn: whole below `CUT_AT` elements, else cut (see the module's comment). */
function cutGraph(topology: Topology, visible: VisibleGraph, state: FoldState): VisibleGraph {
  const { elements, edges, clusters, clusterOf } = visible;
  const n = elements.length;
  if (n < CUT_AT) return visible;
  const inputs = inputLists(n, edges);
  const shown = shownElements(topology, visible, state, inputs);

  // Each drawn element's hidden cone: the values it depends on through hidden elements only.
  const hidden = new Float64Array(n);
  const stamp = new Int32Array(n).fill(-1);
  for (let e = 0; e < n; e++) {
    if (!shown[e]) continue;
    const walk = inputs[e].filter((input) => !shown[input]);
    let values = 0;
    while (walk.length > 0) {
      const h = walk.pop()!;
      if (stamp[h] === e) continue;
      stamp[h] = e;
      values += valuesIn(elements[h]);
      for (const input of inputs[h]) if (!shown[input] && stamp[input] !== e) walk.push(input);
    }
    hidden[e] = values;
  }

  // Clusters that still hold a drawn element, parents before children as before.
  const keep = new Uint8Array(clusters.length);
  for (let e = 0; e < n; e++)
    if (shown[e]) for (let c = clusterOf[e]; c >= 0 && !keep[c]; c = clusters[c].parent) keep[c] = 1;
  const clusterIndex = new Int32Array(clusters.length).fill(-1);
  const keptClusters: Cluster[] = [];
  clusters.forEach((cluster, c) => {
    if (!keep[c]) return;
    clusterIndex[c] = keptClusters.length;
    keptClusters.push({ ...cluster, parent: cluster.parent >= 0 ? clusterIndex[cluster.parent] : -1 });
  });
  const clusterAt = (c: number): number => (c >= 0 ? clusterIndex[c] : -1);

  // The drawn elements in their order, each "⋯" just before the element it stands under.
  const index = new Int32Array(n).fill(-1);
  const drawn: Element[] = [];
  const drawnCluster: number[] = [];
  const drawnEdges: [number, number][] = [];
  for (let e = 0; e < n; e++) {
    if (!shown[e]) continue;
    if (hidden[e] > 0) {
      drawn.push({ kind: "more", key: `^${anchor(elements[e])}`, values: hidden[e] });
      drawnCluster.push(clusterAt(clusterOf[e]));
      drawnEdges.push([drawn.length - 1, drawn.length]);
    }
    index[e] = drawn.length;
    drawn.push(elements[e]);
    drawnCluster.push(clusterAt(clusterOf[e]));
  }
  for (const [from, to] of edges) if (shown[from] && shown[to]) drawnEdges.push([index[from], index[to]]);
  const elementOf = visible.elementOf.map((e) => (e >= 0 ? index[e] : -1));
  return {
    elements: drawn,
    edges: drawnEdges,
    elementOf,
    clusters: keptClusters,
    clusterOf: Int32Array.from(drawnCluster),
  };
}

/**
 * `state` with what the cut hides of node `id` drawn: the element holding it opened below, and the
 * elements on a shortest path from the root down to it drawn one each, so it shows joined to the
 * root (unless that path alone is too long to draw; then only its end: what the value feeds).
 */
export function revealCut(topology: Topology, state: FoldState, id: number): FoldState {
  const visible = visibleGraph(topology, state);
  const target = visible.elementOf[id];
  if (visible.elements.length < CUT_AT || target < 0) return state;
  const inputs = inputLists(visible.elements.length, visible.edges);
  if (shownElements(topology, visible, state, inputs)[target]) return state;
  const root = visible.elementOf[topology.root];
  const from = new Int32Array(visible.elements.length).fill(-1);
  const queue = [root];
  from[root] = root;
  for (let k = 0; k < queue.length && from[target] < 0; k++) {
    for (const input of inputs[queue[k]]) {
      if (from[input] < 0) {
        from[input] = queue[k];
        queue.push(input);
      }
    }
  }
  const expanded = new Set([...state.expanded].filter((key) => key[0] !== "=")); // this path replaces the last one's
  expanded.add(`^${anchor(visible.elements[target])}`);
  const path: number[] = [];
  for (let e = from[target]; e >= 0 && e !== root; e = from[e]) path.push(e);
  // The path runs from the target up: one too long to draw is drawn near the target (what it feeds).
  for (const e of path.length < CUT_AT / 2 ? path : path.slice(0, CUT_AT / 4))
    expanded.add(`=${anchor(visible.elements[e])}`);
  return { expanded, picks: state.picks };
}
