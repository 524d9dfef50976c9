/**
 * The reverse sweep, written once for the page (mirrors src/livegrad/trace.py): the slider's
 * replay runs it whole, the stepper stops it after a given number of steps.
 */
import type { Flows, Local, TopologyNode } from "./graph";
import type { Mode } from "./stepper";

export interface TraceEdge {
  input: number;
  local: Local; // null: a masked edge, no gradient reaches the input here
  contribution: number; // local × the node's grad; 0 on a masked edge, which adds nothing
  before: number;
  after: number;
  tensor?: true; // a PyTorch tensor step: contribution and after are torch's, each one number (a norm)
}

export interface BackwardStep {
  node: number;
  grad: number;
  edges: TraceEdge[];
}

/**
 * The steps of a pass at the level the graph is drawn: each step is one drawn element (a
 * value's card, or a collapsed group, stack or Σ holding many values), in the elements'
 * topological order; an element that computes nothing (a leaf's card) is not a step.
 */
export interface StepPlan {
  count: number;
  forward: Int32Array; // node -> the forward step that computes it (1..count); 0 for a leaf
  units: number[]; // forward step k (1-based) -> its element, at units[k - 1]
}

/**
 * The plan for `unitOf` (node -> its element's index, every node one; elements in topological
 * order), or, without it, one step per computed value as the seed neuron has always stepped.
 */
export function planSteps(nodes: readonly TopologyNode[], unitOf?: ArrayLike<number>): StepPlan {
  const forward = new Int32Array(nodes.length);
  const units: number[] = [];
  if (!unitOf) {
    nodes.forEach((node, i) => {
      if (node.inputs.length > 0) forward[i] = units.push(i);
    });
    return { count: units.length, forward, units };
  }
  let most = -1;
  for (let i = 0; i < nodes.length; i++) most = Math.max(most, unitOf[i]);
  const stepOf = new Int32Array(most + 1); // unit -> its step; first 1 for "computes something"
  const computed = Uint8Array.from(nodes, (node) => (node.inputs.length > 0 ? 1 : 0));
  for (let i = 0; i < nodes.length; i++) if (computed[i]) stepOf[unitOf[i]] = 1;
  for (let unit = 0; unit <= most; unit++) if (stepOf[unit]) stepOf[unit] = units.push(unit);
  for (let i = 0; i < nodes.length; i++) if (computed[i]) forward[i] = stepOf[unitOf[i]];
  return { count: units.length, forward, units };
}

/**
 * Where a pass goes on after the folds change: the first step of `plan` that takes any of
 * `members` (the values of the step on show before), so expanding a group steps inside it and
 * collapsing one steps onto it. Null when none of them is computed.
 */
export function firstStepOf(plan: StepPlan, mode: Mode, members: readonly number[]): number | null {
  let first = Infinity;
  for (const m of members) {
    const k = plan.forward[m];
    if (k > 0) first = Math.min(first, mode === "forward" ? k : plan.count + 1 - k);
  }
  return first === Infinity ? null : first;
}

/** The backward step at which computed value `node` passes its gradient on (1..count). */
export const backwardStepOf = (plan: StepPlan, node: number): number => plan.count + 1 - plan.forward[node];

/**
 * A fresh backward pass from `root` into `grad`: the ids are a topological order, so going down
 * from the root each computed value's gradient is complete when it passes it on, as local ×
 * grad to each input. Stops after `steps` steps (one per computed value, or per element of
 * `plan`: the values of the steps not yet taken are skipped, in whatever order they lie);
 * `visit` sees each value's edges (with a plan, only those of step `steps`). Returns which values
 * some edge has reached (the root counts).
 */
export function sweep(
  nodes: readonly TopologyNode[],
  locals: readonly (readonly Local[])[],
  root: number,
  grad: Float64Array,
  steps = Infinity,
  visit?: (step: BackwardStep) => void,
  plan?: StepPlan,
  flows?: Flows,
): Uint8Array {
  const reached = new Uint8Array(nodes.length);
  grad.fill(0);
  grad[root] = 1;
  reached[root] = 1;
  let taken = 0;
  for (let i = root; i >= 0 && (plan || taken < steps); i--) {
    const { inputs } = nodes[i];
    if (inputs.length === 0 || (plan && backwardStepOf(plan, i) > steps)) continue;
    taken++;
    // With a plan, only the values of the step shown are visited: their edges are all a frame needs.
    const edges: TraceEdge[] | undefined = visit && (!plan || backwardStepOf(plan, i) === steps) ? [] : undefined;
    const flow = flows?.[i];
    for (let k = 0; k < inputs.length; k++) {
      const input = inputs[k];
      const before = grad[input];
      reached[input] = 1;
      if (flow) {
        const sent = flow[k];
        if (sent) grad[input] = sent.after;
        edges?.push({
          input,
          local: sent ? NaN : null,
          contribution: sent?.sent ?? 0,
          before,
          after: grad[input],
          tensor: true,
        });
        continue;
      }
      const local = locals[i][k];
      const contribution = local === null ? 0 : local * grad[i];
      if (local !== null) grad[input] = before + contribution;
      edges?.push({ input, local, contribution, before, after: grad[input] });
    }
    if (edges) visit!({ node: i, grad: grad[i], edges });
  }
  return reached;
}

/** Every step of a fresh backward pass from `root`: each computed value passing its gradient on. */
export function backwardSteps(
  nodes: readonly TopologyNode[],
  locals: readonly (readonly Local[])[],
  root: number,
): BackwardStep[] {
  const steps: BackwardStep[] = [];
  sweep(nodes, locals, root, new Float64Array(nodes.length), Infinity, (step) => steps.push(step));
  return steps;
}
