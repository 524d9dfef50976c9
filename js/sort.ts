/**
 * Why backward needs a topological order, worked out in the page from the topology alone (so a
 * saved page steps it too); mirrors src/livegrad/order.py, which tests/test_order.py checks this
 * against. `sortPlan` is the lecture's depth-first `build_topo`, one call or append a step, inputs
 * in argument order; `naivePlan` is micrograd #64's recursive backward, which passes a node's
 * gradient on once per path from the root.
 */
import type { Local, TopologyNode } from "./graph";
import { sweep, type BackwardStep } from "./trace";

export type SortKind = "visit" | "skip" | "append";

export interface SortStep {
  kind: SortKind; // visit: first call on a node; skip: a call on a node visited already; append: joins topo
  node: number;
  frame: number; // its call, in SortPlan.frames: the recursion stack is the chain of parents
  topo: number; // how many of SortPlan.order are in the list at this step
}

export interface SortPlan {
  steps: SortStep[];
  order: number[]; // ids in append order: the whole topo list at the end
  frames: { node: number; parent: number }[]; // one per call of build_topo; parent -1 for the root's
}

/** Every step of `build_topo(root)`, iteratively (a graph of any depth), as `topo_trace` lists them. */
export function sortPlan(nodes: readonly TopologyNode[], root: number): SortPlan {
  const steps: SortStep[] = [];
  const order: number[] = [];
  const frames: SortPlan["frames"] = [];
  const visited = new Uint8Array(nodes.length);
  const stack: [frame: number, next: number][] = []; // calls under way, each with its next input's index
  const call = (node: number, parent: number): void => {
    const frame = frames.push({ node, parent }) - 1;
    if (visited[node]) {
      steps.push({ kind: "skip", node, frame, topo: order.length });
      return;
    }
    visited[node] = 1;
    steps.push({ kind: "visit", node, frame, topo: order.length });
    stack.push([frame, 0]);
  };
  call(root, -1);
  while (stack.length > 0) {
    const top = stack[stack.length - 1];
    const { node } = frames[top[0]];
    if (top[1] < nodes[node].inputs.length) {
      call(nodes[node].inputs[top[1]++], top[0]);
      continue;
    }
    stack.pop();
    order.push(node);
    steps.push({ kind: "append", node, frame: top[0], topo: order.length });
  }
  return { steps, order, frames };
}

/** The recursion stack at a step: node ids from the root down to the step's node. */
export function stackAt(plan: SortPlan, step: SortStep): number[] {
  const ids: number[] = [];
  for (let f = step.frame; f >= 0; f = plan.frames[f].parent) ids.push(plan.frames[f].node);
  return ids.reverse();
}

/** The step in a sentence, in the learner's names (the same words as `topo_trace`'s `why`). */
export function whyOf(nodes: readonly TopologyNode[], step: SortStep, name: (id: number) => string): string {
  const inputs = nodes[step.node].inputs;
  const me = name(step.node);
  if (step.kind === "skip") return `${me} is visited already: build_topo returns at once`;
  if (step.kind === "visit")
    return inputs.length > 0
      ? `visit ${me}: mark it visited, then build_topo on its inputs ${listed(inputs, name)}`
      : `visit ${me}: mark it visited; a leaf, no inputs`;
  return inputs.length > 0
    ? `appended after its inputs ${listed(inputs, name)}`
    : "appended: a leaf, nothing before it";
}

function listed(ids: readonly number[], name: (id: number) => string): string {
  const shown = [...new Set(ids)].map(name);
  return shown.length === 1 ? shown[0] : `${shown.slice(0, -1).join(", ")} and ${shown[shown.length - 1]}`;
}

/** Early: a node's first pass, before all of its gradient has arrived; again: a second pass of what it passed before. */
export type Fault = "" | "early" | "again";

export interface NaiveStep extends BackwardStep {
  fault: Fault;
}

export interface NaivePlan {
  steps: NaiveStep[];
  grads: Float64Array; // what the naive pass leaves, by node id
  right: Float64Array; // what the topological pass gives
  wrong: number[]; // ids whose gradient the naive pass gets wrong
}

/** Most gradient passes the page runs the naive order for: it runs once per path, which multiply with reuse. */
export const MAX_NAIVE_CALLS = 100_000;

/**
 * The naive pass from `root` (fresh gradients: 0, the root's 1), depth first with each input once
 * per call (`for child in v._prev`, a set), beside the right answer; null where it would pass
 * gradients more than `limit` times.
 */
export function naivePlan(
  nodes: readonly TopologyNode[],
  locals: readonly (readonly Local[])[],
  root: number,
  limit = MAX_NAIVE_CALLS,
): NaivePlan | null {
  const paths = new Float64Array(nodes.length); // calls per node: its paths from the root
  paths[root] = 1;
  let calls = 0;
  for (let i = root; i >= 0; i--) {
    if (nodes[i].inputs.length === 0) continue;
    calls += paths[i];
    for (const input of new Set(nodes[i].inputs)) paths[input] += paths[i];
  }
  if (calls > limit) return null;
  const right = new Float64Array(nodes.length);
  sweep(nodes, locals, root, right);
  const grads = new Float64Array(nodes.length);
  grads[root] = 1;
  const passed = new Uint8Array(nodes.length);
  const steps: NaiveStep[] = [];
  const pending = [root];
  while (pending.length > 0) {
    const node = pending.pop()!;
    const { inputs } = nodes[node];
    if (inputs.length === 0) continue;
    const grad = grads[node];
    const edges = inputs.map((input, k) => {
      const local = locals[node][k];
      const before = grads[input];
      const contribution = local === null ? 0 : local * grad;
      grads[input] = before + contribution;
      return { input, local, contribution, before, after: grads[input] };
    });
    steps.push({ node, grad, edges, fault: passed[node] ? "again" : same(grad, right[node]) ? "" : "early" });
    passed[node] = 1;
    pending.push(...[...new Set(inputs)].reverse());
  }
  const wrong: number[] = [];
  grads.forEach((g, i) => {
    if (!same(g, right[i])) wrong.push(i);
  });
  return { steps, grads, right, wrong };
}

/** Equal up to the rounding of adding the same contributions in another order (as order.py's `_same`). */
function same(a: number, b: number): boolean {
  if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) && Number.isNaN(b);
  if (a === b) return true;
  return Math.abs(a - b) <= Math.max(1e-9 * Math.max(Math.abs(a), Math.abs(b)), 1e-12);
}
