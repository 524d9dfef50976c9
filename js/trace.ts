/**
 * The reverse sweep, written once for the page (mirrors src/livegrad/trace.py): the slider's
 * replay runs it whole, the stepper stops it after a given number of steps.
 */
import type { Local, TopologyNode } from "./graph";

export interface TraceEdge {
  input: number;
  local: Local; // null: a masked edge, no gradient reaches the input here
  contribution: number; // local × the node's grad; 0 on a masked edge, which adds nothing
  before: number;
  after: number;
}

export interface BackwardStep {
  node: number;
  grad: number;
  edges: TraceEdge[];
}

/**
 * A fresh backward pass from `root` into `grad`: the ids are a topological order, so going down
 * from the root each computed value's gradient is complete when it passes it on, as local ×
 * grad to each input. Stops after `steps` computed values; `visit` sees each step's edges.
 * Returns which values some edge has reached (the root counts as reached).
 */
export function sweep(
  nodes: readonly TopologyNode[],
  locals: readonly (readonly Local[])[],
  root: number,
  grad: Float64Array,
  steps = Infinity,
  visit?: (step: BackwardStep) => void,
): Uint8Array {
  const reached = new Uint8Array(nodes.length);
  grad.fill(0);
  grad[root] = 1;
  reached[root] = 1;
  let taken = 0;
  for (let i = root; i >= 0 && taken < steps; i--) {
    const { inputs } = nodes[i];
    if (inputs.length === 0) continue;
    taken++;
    const edges: TraceEdge[] | undefined = visit && [];
    for (let k = 0; k < inputs.length; k++) {
      const input = inputs[k];
      const local = locals[i][k];
      const before = grad[input];
      const contribution = local === null ? 0 : local * grad[i];
      if (local !== null) grad[input] = before + contribution;
      reached[input] = 1;
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

/** The computed values, in the order a forward pass makes them. */
export function forwardSteps(nodes: readonly TopologyNode[]): number[] {
  return nodes.flatMap((node, i) => (node.inputs.length > 0 ? [i] : []));
}
