/**
 * The folded view of a graph, apart from the DOM: which module calls, repeated calls and Σ chains
 * are drawn as one element, and which are open. The state is two sets the kernel syncs
 * (`expanded`: group names and Σ keys; `picks`: the call on show in each stack); everything
 * else is worked out here from the topology, in time linear in its size.
 */
import { SIMPLE, substitute } from "./explain";
import type { Group, Topology } from "./graph";

export interface FoldState {
  expanded: ReadonlySet<string>;
  picks: ReadonlyMap<string, number>;
}

export type Element =
  | { kind: "value"; id: number }
  | {
      kind: "group";
      name: string;
      group: number; // the call's index in topology.groups
      members: number[];
      outputs: number[];
      summary: string; // "L1.N3 = relu(Σ w·x + b)"
      expanded: false;
    }
  | {
      kind: "stack"; // a module called n times by the same parent: one element for all of them
      name: string;
      calls: number[]; // group call indexes, in call order
      picked: number; // index into calls of the call on show
      members: number[];
      outputs: number[]; // the picked call's
      summary: string;
      expanded: boolean; // true: the picked call is open (a cluster); this element stands for the other calls
    }
  | { kind: "sum"; key: string; top: number; members: number[]; terms: number; summary: string }
  | { kind: "more"; key: string; values: number }; // what a cut view hides below an element (cut.ts)

/** An open module call or Σ chain: a Graphviz cluster around its elements. */
export interface Cluster {
  kind: "group" | "sum";
  name: string; // the group's name, or the Σ's key "#id"
  group: number; // the call's index in topology.groups; -1 for a Σ
  parent: number; // the enclosing cluster, -1 at top level
  stack?: { calls: number; picked: number }; // the picked call of a stack: which of how many
  summary?: string; // a Σ's: "Σ w·x + b"
}

export interface VisibleGraph {
  elements: Element[]; // topological order
  edges: [from: number, to: number][]; // element indexes, deduplicated
  elementOf: Int32Array; // node id -> element index; -1 when not drawn (another call of a stack)
  clusters: Cluster[]; // parents before children
  clusterOf: Int32Array; // element index -> its innermost cluster, -1 at top level
}

/** Fewer drawn elements than this open at first: a view a learner can read (about a screen or two). */
export const READABLE_BUDGET = 80;
const SUMMARY_CHARS = 48;

/** A Σ chain: `+` nodes each unlabelled and used once by the next, with the private subtrees of its terms. */
interface Chain {
  top: number;
  terms: number[]; // the inputs that are not chain nodes, left to right
  members: number[]; // chain nodes and absorbed nodes
  parent: number; // the chain that absorbed this one's top, -1 if none
  group: number; // the call the chain is computed in, -1 at top level
}

/**
 * What depends on the topology alone, worked out once per topology. The nodes' own fields are
 * copied into typed arrays here: parsed from JSON, the node objects come in many shapes (a label,
 * a group, `shared` or not), and reading them in the passes over every node cost most of the
 * time of the first view of a big graph.
 */
interface Analysis {
  groupOf: Int32Array; // node -> its innermost group call, -1 at top level
  shared: Uint8Array; // 1 for a module's parameter (drawn in the call on show)
  inputStart: Int32Array; // node id's inputs are inputList[inputStart[id] .. inputStart[id + 1]]
  inputList: Int32Array;
  // Runs of node ids, [start, end, call] triples covering every node: `call` is the outermost
  // module call all of the run's nodes are computed in (none a shared parameter), else -1. A
  // folded or hidden call's runs are placed whole: the demo's 99 hidden calls of its stack are
  // 64k of its 66k nodes, which the first view then never visits one by one.
  runs: Int32Array;
  uses: Int32Array; // how many inputs of other nodes each node is
  outputs: Uint8Array; // 1 for a group call's output
  chainOf: Int32Array; // node -> the innermost chain that holds it, -1 if none
  chains: Chain[];
  chainKeys: string[]; // each chain's key, "#<top>"
  siblings: number[][]; // call -> the calls of the same module by the same parent (itself included)
  siblingsOf: Map<string, number[]>; // "parent:module" -> those calls
  summaries: Map<string, string>;
  consumers?: Int32Array[]; // built when reveal needs them
}

const analyses = new WeakMap<Topology, Analysis>();

function analyse(topology: Topology): Analysis {
  const known = analyses.get(topology);
  if (known) return known;
  const { nodes } = topology;
  const groups = topology.groups ?? [];
  const n = nodes.length;
  const groupOf = new Int32Array(n);
  const shared = new Uint8Array(n);
  const isPlus = new Uint8Array(n); // an unlabelled +: a link of a Σ chain if used once by the next
  const inputStart = new Int32Array(n + 1);
  const inputs: number[] = [];
  const uses = new Int32Array(n);
  const consumer = new Int32Array(n).fill(-1);
  for (let id = 0; id < n; id++) {
    const node = nodes[id];
    groupOf[id] = node.group ?? -1;
    shared[id] = node.shared ? 1 : 0;
    isPlus[id] = node.op === "+" && !node.label ? 1 : 0;
    for (const input of node.inputs) {
      inputs.push(input);
      uses[input] += 1;
      consumer[input] = id;
    }
    inputStart[id + 1] = inputs.length;
  }
  const inputList = Int32Array.from(inputs);
  const outputs = new Uint8Array(n);
  for (const call of groups) for (const o of call.outputs) outputs[o] = 1;
  const { chainOf, chains } = findChains(nodes, {
    groupOf,
    shared,
    isPlus,
    inputStart,
    inputList,
    uses,
    consumer,
    outputs,
  });
  const siblingsOf = new Map<string, number[]>();
  groups.forEach((call, c) => {
    const key = `${call.parent}:${call.module}`;
    const list = siblingsOf.get(key);
    if (list) list.push(c);
    else siblingsOf.set(key, [c]);
  });
  const siblings = groups.map((call) => siblingsOf.get(`${call.parent}:${call.module}`)!);
  const analysis: Analysis = {
    groupOf,
    shared,
    inputStart,
    inputList,
    runs: callRuns(groups, groupOf, shared),
    uses,
    outputs,
    chainOf,
    chains,
    chainKeys: chains.map((chain) => `#${chain.top}`),
    siblings,
    siblingsOf,
    summaries: new Map(),
  };
  analyses.set(topology, analysis);
  return analysis;
}

/** The `runs` of `Analysis`: consecutive node ids computed in the same outermost call, as [start, end, call]. */
function callRuns(groups: readonly Group[], groupOf: Int32Array, shared: Uint8Array): Int32Array {
  const outermost = Int32Array.from(groups, (call) => call.parent ?? -1);
  outermost.forEach((parent, c) => (outermost[c] = parent < 0 ? c : outermost[parent])); // parents come first
  const runList: number[] = [];
  for (let id = 0; id < groupOf.length; id++) {
    const call = groupOf[id] >= 0 && !shared[id] ? outermost[groupOf[id]] : -1;
    if (runList.length > 0 && runList[runList.length - 1] === call) runList[runList.length - 2] = id + 1;
    else runList.push(id, id + 1, call);
  }
  return Int32Array.from(runList);
}

/** What `findChains` reads of each node (see `analyse`). */
interface NodeFacts {
  groupOf: Int32Array;
  shared: Uint8Array;
  isPlus: Uint8Array;
  inputStart: Int32Array;
  inputList: Int32Array;
  uses: Int32Array;
  consumer: Int32Array;
  outputs: Uint8Array;
}

/** The Σ chains: runs of unlabelled `+`, each used once by the next in the same group, with each
 * term's private subtree; nested where one chain is a term of another. */
function findChains(nodes: Topology["nodes"], facts: NodeFacts): { chainOf: Int32Array; chains: Chain[] } {
  const { groupOf, shared, isPlus, inputStart, inputList, uses, consumer, outputs } = facts;
  const n = nodes.length;
  const plus = (id: number): boolean => id >= 0 && isPlus[id] === 1;
  // next[v]: the chain node v feeds, when v continues a chain into it.
  const next = new Int32Array(n).fill(-1);
  for (let v = 0; v < n; v++) {
    const u = consumer[v];
    if (plus(v) && uses[v] === 1 && plus(u) && groupOf[u] === groupOf[v] && !outputs[v]) next[v] = u;
  }
  const chainOf = new Int32Array(n).fill(-1);
  const chains: Chain[] = [];
  for (let top = 0; top < n; top++) {
    if (!plus(top) || next[top] !== -1) continue;
    // In order: a left-deep chain ((t0 + t1) + t2) lists t0, t1, t2.
    const chainNodes: number[] = [];
    const terms: number[] = [];
    const todo = [top];
    while (todo.length > 0) {
      const v = todo.pop()!;
      if (v < 0) {
        terms.push(~v);
        continue;
      }
      chainNodes.push(v);
      for (let k = inputStart[v + 1] - 1; k >= inputStart[v]; k--) {
        const input = inputList[k];
        todo.push(next[input] === v ? input : ~input);
      }
    }
    if (chainNodes.length < 2) continue; // a single a + b stays as it is
    const index = chains.length;
    const group = groupOf[top];
    const chain: Chain = { top, terms, members: chainNodes, parent: -1, group };
    chains.push(chain);
    for (const v of chainNodes) chainOf[v] = index;
    // Each term's private subtree: unlabelled values used only there, not a group's output.
    const walk = [...terms];
    while (walk.length > 0) {
      const v = walk.pop()!;
      if (nodes[v].label || uses[v] !== 1 || outputs[v] || groupOf[v] !== group || shared[v]) continue;
      const inner = chainOf[v];
      if (inner !== -1) {
        if (chains[inner].top === v && chains[inner].parent === -1 && inner !== index) chains[inner].parent = index;
        continue;
      }
      chainOf[v] = index;
      chain.members.push(v);
      for (let k = inputStart[v]; k < inputStart[v + 1]; k++) walk.push(inputList[k]);
    }
  }
  return { chainOf, chains };
}

const clamp = (k: number, n: number): number => Math.max(0, Math.min(n - 1, Math.trunc(k) || 0));

const HIDDEN = -1;
const OPEN = -2;
const VALUE = -2; // a node's place: drawn as its own card

/**
 * The elements drawn for `state`: collapsed groups, stacks and Σ chains as one element each.
 * Summaries are written when first read (they are cached): working out the first view counts
 * the elements of views that are never drawn.
 */
export function visibleGraph(topology: Topology, state: FoldState): VisibleGraph {
  const known = firstViews.get(state);
  if (known?.topology === topology) return known.visible;
  const folding = new Folding(topology, state);
  folding.placeCalls();
  folding.placeNodes();
  return folding.drawn();
}

/**
 * One fold state worked out, in three passes: which calls are open, collapsed, stacked or hidden
 * (`placeCalls`); where each node goes, its own card, a collapsed element's or nowhere (`placeNodes`);
 * the drawn elements and edges in topological order (`drawn`). Made and dropped by `visibleGraph`.
 */
class Folding {
  private readonly a: Analysis;
  private readonly groups: Group[];
  private readonly clusters: Cluster[] = [];
  // Slots: the elements that stand for more than one node, before they are put in order.
  private readonly slots: Element[] = [];
  private readonly slotCluster: number[] = [];
  private readonly callPlace: Int32Array; // OPEN, HIDDEN or the slot of a collapsed element
  private readonly callCluster: Int32Array;
  private readonly othersOut: [call: number, slot: number][] = []; // a stack's calls not on show
  private readonly counterparts: Int32Array;
  private readonly chainClusters = new Map<number, number>();
  private readonly sumSlots = new Map<number, number>();
  private readonly place: Int32Array; // per node: HIDDEN, VALUE or a slot
  private readonly valueCluster: Int32Array;

  constructor(
    private readonly topology: Topology,
    private readonly state: FoldState,
  ) {
    this.a = analyse(topology);
    this.groups = topology.groups ?? [];
    this.callPlace = new Int32Array(this.groups.length);
    this.callCluster = new Int32Array(this.groups.length).fill(-1);
    this.counterparts = new Int32Array(this.groups.length).fill(-2);
    this.place = new Int32Array(topology.nodes.length);
    this.valueCluster = new Int32Array(topology.nodes.length).fill(-1);
  }

  private newSlot(element: Element, cluster: number): number {
    this.slots.push(element);
    this.slotCluster.push(cluster);
    return this.slots.length - 1;
  }

  /** The call of `call`'s stack on show (the index among its siblings). */
  private picked(call: number): number {
    return clamp(this.state.picks.get(this.groups[call].name) ?? 0, this.a.siblings[call].length);
  }

  /** Each call: open (a cluster), collapsed into a slot of its own or its stack's, or hidden inside one. */
  placeCalls(): void {
    const { topology, a, groups, callPlace, callCluster, clusters } = this;
    const stackSlots = new Map<string, number>();
    groups.forEach((call, c) => {
      const above = call.parent === null ? OPEN : callPlace[call.parent];
      if (above !== OPEN) {
        callPlace[c] = above === HIDDEN ? HIDDEN : above;
        return;
      }
      const cluster = call.parent === null ? -1 : callCluster[call.parent];
      const open = this.state.expanded.has(call.name);
      const open_ = (stack?: Cluster["stack"]): void => {
        callPlace[c] = OPEN;
        clusters.push({ kind: "group", name: call.name, group: c, parent: cluster, ...(stack && { stack }) });
        callCluster[c] = clusters.length - 1;
      };
      const calls = a.siblings[c];
      if (calls.length < 2) {
        if (open) open_();
        else
          callPlace[c] = this.newSlot(
            {
              kind: "group",
              name: call.name,
              group: c,
              members: [],
              outputs: call.outputs,
              get summary() {
                return `${call.name} = ${summaryOf(topology, a, c)}`;
              },
              expanded: false,
            },
            cluster,
          );
        return;
      }
      const key = `${call.parent}:${call.module}`;
      const pick = this.picked(c);
      let slot = stackSlots.get(key);
      if (slot === undefined) {
        const shown = calls[pick];
        slot = this.newSlot(
          {
            kind: "stack",
            name: call.name,
            calls,
            picked: pick,
            members: [],
            outputs: groups[shown].outputs,
            get summary() {
              return `${call.name} = ${summaryOf(topology, a, shown)}`;
            },
            expanded: open,
          },
          cluster,
        );
        stackSlots.set(key, slot);
      }
      if (calls[pick] !== c) {
        callPlace[c] = HIDDEN; // its outputs are drawn as the stack's (below)
        this.othersOut.push([c, slot]);
      } else if (open) open_({ calls: calls.length, picked: pick });
      else callPlace[c] = slot;
    });
  }

  /** A module's parameters, recorded in its first call, are drawn in the call on show: that call. */
  private counterpart(g: number): number {
    if (this.counterparts[g] !== -2) return this.counterparts[g];
    const { parent, module } = this.groups[g];
    const list = this.a.siblingsOf.get(`${parent === null ? null : this.counterpart(parent)}:${module}`);
    const found = !list ? g : list.length < 2 ? list[0] : list[this.picked(list[0])];
    this.counterparts[g] = found;
    return found;
  }

  /** The cluster of open Σ chain `k` (made on first use, inside its parent's). */
  private chainCluster(k: number): number {
    const known = this.chainClusters.get(k);
    if (known !== undefined) return known;
    const { topology, a } = this;
    const chain = a.chains[k];
    const parent =
      chain.parent >= 0 ? this.chainCluster(chain.parent) : chain.group >= 0 ? this.callCluster[chain.group] : -1;
    this.clusters.push({
      kind: "sum",
      name: `#${chain.top}`,
      group: -1,
      parent,
      get summary() {
        return sumSummary(topology, a, k);
      },
    });
    this.chainClusters.set(k, this.clusters.length - 1);
    return this.clusters.length - 1;
  }

  /** The slot of collapsed Σ chain `k` (made on first use). */
  private sumSlot(k: number): number {
    let slot = this.sumSlots.get(k);
    if (slot === undefined) {
      const { topology, a } = this;
      const chain = a.chains[k];
      const cluster =
        chain.parent >= 0 ? this.chainCluster(chain.parent) : chain.group >= 0 ? this.callCluster[chain.group] : -1;
      slot = this.newSlot(
        {
          kind: "sum",
          key: `#${chain.top}`,
          top: chain.top,
          members: [],
          terms: chain.terms.length,
          get summary() {
            return sumSummary(topology, a, k);
          },
        },
        cluster,
      );
      this.sumSlots.set(k, slot);
    }
    return slot;
  }

  /** Each node: its own card (VALUE), a collapsed element's slot, or HIDDEN. */
  placeNodes(): void {
    const { topology, a, callPlace, place } = this;
    const n = topology.nodes.length;
    const { inputStart, inputList, runs } = a;
    const chainShut = new Uint8Array(a.chains.length);
    for (let k = 0; k < chainShut.length; k++) chainShut[k] = this.state.expanded.has(a.chainKeys[k]) ? 0 : 1;
    const placeNode = (id: number): void => {
      let g = a.groupOf[id];
      if (g >= 0 && a.shared[id]) g = this.counterpart(g);
      const where = g < 0 ? OPEN : callPlace[g];
      if (where !== OPEN) {
        place[id] = where;
        return;
      }
      let collapsed = -1;
      for (let k = a.chainOf[id]; k >= 0; k = a.chains[k].parent) if (chainShut[k]) collapsed = k;
      if (collapsed >= 0) place[id] = this.sumSlot(collapsed);
      else {
        place[id] = VALUE;
        const k = a.chainOf[id];
        this.valueCluster[id] = k >= 0 ? this.chainCluster(k) : g >= 0 ? this.callCluster[g] : -1;
      }
    };
    for (let r = 0; r < runs.length; r += 3) {
      const whole = runs[r + 2] < 0 ? OPEN : callPlace[runs[r + 2]];
      if (whole !== OPEN) place.fill(whole, runs[r], runs[r + 1]);
      else for (let id = runs[r]; id < runs[r + 1]; id++) placeNode(id);
    }
    for (const [call, slot] of this.othersOut)
      for (const o of this.groups[call].outputs) if (place[o] === HIDDEN) place[o] = slot;
    // A value that feeds only what is not drawn (another call's input) is not drawn either.
    const used = new Uint8Array(n);
    for (let id = n - 1; id >= 0; id--) {
      if (place[id] === VALUE && id !== topology.root && a.uses[id] > 0 && !used[id]) place[id] = HIDDEN;
      if (place[id] !== HIDDEN) for (let k = inputStart[id]; k < inputStart[id + 1]; k++) used[inputList[k]] = 1;
    }
  }

  /** The drawn elements in order of their first node, then in topological order, with their edges. */
  drawn(): VisibleGraph {
    const { place, slots } = this;
    const n = this.topology.nodes.length;
    const { inputStart, inputList } = this.a;
    const found: Element[] = [];
    const foundCluster: number[] = [];
    const slotElement = new Int32Array(slots.length).fill(-1);
    const elementOf = new Int32Array(n).fill(-1);
    for (let id = 0; id < n; id++) {
      const p = place[id];
      if (p === HIDDEN) continue;
      if (p === VALUE) {
        found.push({ kind: "value", id });
        foundCluster.push(this.valueCluster[id]);
        elementOf[id] = found.length - 1;
        continue;
      }
      if (slotElement[p] === -1) {
        found.push(slots[p]);
        foundCluster.push(this.slotCluster[p]);
        slotElement[p] = found.length - 1;
      }
      elementOf[id] = slotElement[p];
      (slots[p] as { members: number[] }).members.push(id);
    }
    const seen = new Set<number>();
    const pairs: [number, number][] = [];
    const m = found.length;
    for (let id = 0; id < n; id++) {
      const to = elementOf[id];
      if (to < 0) continue;
      for (let k = inputStart[id]; k < inputStart[id + 1]; k++) {
        const from = elementOf[inputList[k]];
        if (from < 0 || from === to || seen.has(from * m + to)) continue;
        seen.add(from * m + to);
        pairs.push([from, to]);
      }
    }
    const order = topologicalOrder(m, pairs);
    const rank = new Int32Array(m);
    order.forEach((e, i) => (rank[e] = i));
    for (let id = 0; id < n; id++) if (elementOf[id] >= 0) elementOf[id] = rank[elementOf[id]];
    return {
      elements: order.map((e) => found[e]),
      edges: pairs.map(([from, to]) => [rank[from], rank[to]]),
      elementOf,
      clusters: this.clusters,
      clusterOf: Int32Array.from(order, (e) => foundCluster[e]),
    };
  }
}

/**
 * Kahn's algorithm taking the smallest ready index first: an order that is already topological
 * (every graph without folds) stays as it is, so the layout does not change. A cycle (never made
 * by nn) keeps the rest in found order.
 */
function topologicalOrder(count: number, edges: readonly [number, number][]): number[] {
  const indegree = new Int32Array(count);
  const start = new Int32Array(count + 1);
  for (const [from, to] of edges) {
    indegree[to] += 1;
    start[from + 1] += 1;
  }
  for (let i = 0; i < count; i++) start[i + 1] += start[i];
  const targets = new Int32Array(edges.length);
  const fill = start.slice(0, count);
  for (const [from, to] of edges) targets[fill[from]++] = to;
  const heap = new MinHeap(count);
  for (let i = 0; i < count; i++) if (indegree[i] === 0) heap.push(i);
  const order: number[] = [];
  const placed = new Uint8Array(count);
  while (heap.size > 0) {
    const e = heap.pop();
    order.push(e);
    placed[e] = 1;
    for (let k = start[e]; k < start[e + 1]; k++) if (--indegree[targets[k]] === 0) heap.push(targets[k]);
  }
  if (order.length < count) for (let i = 0; i < count; i++) if (!placed[i]) order.push(i);
  return order;
}

class MinHeap {
  private readonly items: Int32Array;
  size = 0;
  constructor(capacity: number) {
    this.items = new Int32Array(Math.max(1, capacity));
  }
  push(x: number): void {
    const h = this.items;
    let i = this.size++;
    while (i > 0 && h[(i - 1) >> 1] > x) {
      h[i] = h[(i - 1) >> 1];
      i = (i - 1) >> 1;
    }
    h[i] = x;
  }
  pop(): number {
    const h = this.items;
    const top = h[0];
    const last = h[--this.size];
    let i = 0;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= this.size) break;
      if (child + 1 < this.size && h[child + 1] < h[child]) child++;
      if (h[child] >= last) break;
      h[i] = h[child];
      i = child;
    }
    h[i] = last;
    return top;
  }
}

/** The view defaultState chose, by the state it returned: the widget draws it next, and need not work it out again. */
const firstViews = new WeakMap<FoldState, { topology: Topology; visible: VisibleGraph }>();

/** Every group name and Σ key: the fully expanded view. */
function everything(topology: Topology): string[] {
  const a = analyse(topology);
  const names = new Set((topology.groups ?? []).map((g) => g.name));
  return [...names, ...a.chains.map((c) => `#${c.top}`)];
}

/** How deep an element sits: the clusters around it. */
function depthOf(visible: VisibleGraph, element: number): number {
  let depth = 0;
  for (let c = visible.clusterOf[element]; c >= 0; c = visible.clusters[c].parent) depth++;
  return depth;
}

const foldName = (element: Element): string | null =>
  element.kind === "group" || (element.kind === "stack" && !element.expanded)
    ? element.name
    : element.kind === "sum"
      ? element.key
      : null;

/**
 * The first view: everything when that draws fewer than `budget` elements (the neuron as it always
 * looked); else, from all collapsed, one level at a time, outermost first: all the groups at the
 * shallowest folded depth open together, then all its Σ chains together, each when the view stays
 * under the budget. A level opens whole or not at all, so no layer shows some neurons open and
 * others shut, and the first view reads as one level of the model (MLP > L0, L1, L2, neurons folded).
 */
export function defaultState(topology: Topology, budget = READABLE_BUDGET): FoldState {
  const picks = new Map<string, number>();
  const chosen = (state: FoldState, visible: VisibleGraph): FoldState => {
    firstViews.set(state, { topology, visible });
    return state;
  };
  const expanded = new Set<string>();
  let visible = visibleGraph(topology, { expanded, picks });
  if (visible.elements.length >= budget) return chosen({ expanded, picks }, visible); // opening never draws fewer
  const all = { expanded: new Set(everything(topology)), picks };
  const whole = visibleGraph(topology, all);
  if (whole.elements.length < budget) return chosen(all, whole);
  const tried = new Set<string>();
  for (;;) {
    let depth = Infinity;
    const candidates: [name: string, depth: number, sum: boolean][] = [];
    visible.elements.forEach((element, i) => {
      const name = foldName(element);
      if (name === null || tried.has(name)) return;
      const d = depthOf(visible, i);
      depth = Math.min(depth, d);
      candidates.push([name, d, element.kind === "sum"]);
    });
    if (candidates.length === 0) return chosen({ expanded, picks }, visible);
    for (const sums of [false, true]) {
      const names = candidates.filter(([, d, sum]) => d === depth && sum === sums).map(([name]) => name);
      if (names.length === 0) continue;
      for (const name of names) {
        tried.add(name);
        expanded.add(name);
      }
      const next = visibleGraph(topology, { expanded, picks });
      if (next.elements.length < budget) visible = next;
      else for (const name of names) expanded.delete(name);
    }
  }
}

/** The state with whatever hides node `id` opened (and a stack's pick moved to its call). */
export function reveal(topology: Topology, state: FoldState, id: number): FoldState {
  const a = analyse(topology);
  const groups = topology.groups ?? [];
  const expanded = new Set(state.expanded);
  const picks = new Map(state.picks);
  const open = (target: number): void => {
    const node = topology.nodes[target];
    for (let c = node.group ?? -1; c >= 0; c = groups[c].parent ?? -1) {
      expanded.add(groups[c].name);
      const calls = a.siblings[c];
      if (calls.length > 1 && !node.shared) picks.set(groups[c].name, calls.indexOf(c));
    }
    for (let k = a.chainOf[target]; k >= 0; k = a.chains[k].parent) expanded.add(`#${a.chains[k].top}`);
  };
  open(id);
  // A value only another call uses (its input) shows once that call is on show.
  let target = id;
  for (let tries = 0; tries < 4 && visibleGraph(topology, { expanded, picks }).elementOf[id] < 0; tries++) {
    const consumers = consumersOf(topology, a)[target];
    if (!consumers || consumers.length === 0) break;
    target = consumers[0];
    open(target);
  }
  return { expanded, picks };
}

function consumersOf(topology: Topology, a: Analysis): Int32Array[] {
  if (a.consumers) return a.consumers;
  const lists: number[][] = topology.nodes.map(() => []);
  topology.nodes.forEach((node, id) => node.inputs.forEach((input) => lists[input].push(id)));
  a.consumers = lists.map((list) => Int32Array.from(list));
  return a.consumers;
}

// ---- Summaries: written from the op table's formulas, so no op is described twice. ----

const MARK = "\u0001"; // where a constant stands in a term's shape, while terms are compared

/** A parameter's short name: "L1.N3.w0" -> "w". */
function shortName(label: string): string {
  const last = label.split(".").pop() ?? label;
  return last.replace(/\d+$/, "").trim() || label;
}

function cut(text: string): string {
  const chars = Array.from(text);
  return chars.length > SUMMARY_CHARS ? chars.slice(0, SUMMARY_CHARS - 1).join("") + "…" : text;
}

/** Is node `id` computed inside call `c` (or inside one of its calls)? c = -1: the top level. */
function inside(topology: Topology, id: number, c: number): boolean {
  const groups = topology.groups ?? [];
  let g = topology.nodes[id].group ?? -1;
  if (c < 0) return g < 0;
  for (; g >= 0; g = groups[g].parent ?? -1) if (g === c) return true;
  return false;
}

/**
 * Node `id` as an expression inside call `c` (-1: top level): the call's inputs read x,
 * parameters by their short name, a Σ chain as its shape, values from elsewhere "…".
 * Constants go to `constants` (and read MARK) when it is given.
 */
function expression(
  topology: Topology,
  a: Analysis,
  id: number,
  c: number,
  depth: number,
  constants: string[] | null,
): string {
  const node = topology.nodes[id];
  const groups = topology.groups ?? [];
  if (c >= 0 && groups[c].inputs.includes(id)) return "x";
  if (node.inputs.length === 0) {
    if (node.label) return shortName(node.label);
    if (constants) {
      constants.push(node.name);
      return MARK;
    }
    return node.name;
  }
  if (!inside(topology, id, c)) {
    // An output of a call inside this one reads as that call's name.
    for (let g = node.group ?? -1; g >= 0; g = groups[g].parent ?? -1) {
      if (groups[g].parent === (c < 0 ? null : c)) return groups[g].outputs.includes(id) ? groups[g].name : "…";
    }
    return "…";
  }
  if (depth > 0 && node.label) return shortName(node.label);
  const k = a.chainOf[id];
  if (k >= 0 && a.chains[k].top === id) return sumShape(topology, a, a.chains[k].terms, c);
  // A labelled + on a Σ (a linear neuron's output): one sum, "Σ w·x + b".
  const below = node.op === "+" ? node.inputs.findIndex((i) => a.chains[a.chainOf[i]]?.top === i) : -1;
  if (below >= 0) {
    const terms = [...a.chains[a.chainOf[node.inputs[below]]].terms, ...node.inputs.filter((_, j) => j !== below)];
    return sumShape(topology, a, terms, c);
  }
  if (depth >= 4) return "…";
  const parts = node.inputs.map((input) => expression(topology, a, input, c, depth + 1, constants));
  const formula = topology.ops[node.op]?.formula;
  if (!formula) return `${node.op}(${parts.join(", ")})`; // an op without a formula, of any arity (addmm)
  const [x, y] = parts;
  return substitute(formula, { a: x, ...(y !== undefined && { b: y }) }, (word) => needsParens(node.op, word));
}

/** Parentheses only where precedence needs them: none in a sum, around a sum in a product. */
function needsParens(op: string, word: string): boolean {
  if (SIMPLE.test(word) || word === MARK || op === "+") return false;
  if (op !== "*") return true;
  let depth = 0;
  for (let i = 0; i < word.length; i++) {
    const ch = word[i];
    if (ch === "(" || ch === "[") depth++;
    else if (ch === ")" || ch === "]") depth--;
    else if (depth === 0 && (ch === "+" || ch === "−" || ch === "-") && word[i - 1] === " ") return true;
  }
  return false;
}

/** A Σ's terms by shape, the commonest first: "Σ w·x + b"; a constant that differs between terms reads c. */
function sumShape(topology: Topology, a: Analysis, terms: readonly number[], c: number): string {
  const shapes = new Map<string, { count: number; constants: string[] }>();
  for (const term of terms) {
    const constants: string[] = [];
    const shape = expression(topology, a, term, c, 1, constants);
    const known = shapes.get(shape);
    if (!known) shapes.set(shape, { count: 1, constants });
    else {
      known.count += 1;
      known.constants.forEach((value, i) => {
        if (value !== constants[i]) known.constants[i] = "c";
      });
    }
  }
  return [...shapes]
    .sort((x, y) => y[1].count - x[1].count)
    .map(([shape, { count, constants }]) => {
      let i = 0;
      const text = shape.replace(new RegExp(MARK, "g"), () => constants[i++] ?? "c");
      return count > 1 ? `Σ ${text}` : text;
    })
    .join(" + ");
}

function sumSummary(topology: Topology, a: Analysis, k: number): string {
  const key = `#${a.chains[k].top}`;
  let text = a.summaries.get(key);
  if (text === undefined) {
    text = cut(sumShape(topology, a, a.chains[k].terms, a.chains[k].group));
    a.summaries.set(key, text);
  }
  return text;
}

/**
 * What a call computes, right of its "=": its output's expression ("relu(Σ w·x + b)"); for a call
 * made only of calls, "16 × relu(Σ w·x + b)" when they all compute the same, else their names in order.
 */
function summaryOf(topology: Topology, a: Analysis, c: number): string {
  const key = String(c);
  const known = a.summaries.get(key);
  if (known !== undefined) return known;
  const groups = topology.groups ?? [];
  const call = groups[c];
  const outputs = call.outputs.filter((o) => (topology.nodes[o].group ?? -1) === c);
  let text: string;
  if (outputs.length === 0) {
    const children = groups.flatMap((g, i) => (g.parent === c ? [i] : []));
    const firsts = children.filter((i) => a.siblings[i][0] === i); // a stack once
    const parts = firsts.map((i) => summaryOf(topology, a, i));
    const count = children.length;
    if (count === 0) text = "…";
    else if (parts.every((p) => p === parts[0]) && count > 1) text = `${count} × ${parts[0]}`;
    else if (count === 1) text = parts[0];
    else
      text = firsts
        .map((i) => (a.siblings[i].length > 1 ? `${groups[i].name} × ${a.siblings[i].length}` : groups[i].name))
        .join(" → ");
  } else {
    const parts = call.outputs.map((o) => expression(topology, a, o, c, 0, null));
    text = parts.length === 1 ? parts[0] : `[${parts.join(", ")}]`;
  }
  text = cut(text);
  a.summaries.set(key, text);
  return text;
}
