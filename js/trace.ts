/**
 * The passes as steps, built in the page from the graph and each edge's local derivative
 * (mirrors src/livegrad/trace.py), so that stepping needs no kernel round trip.
 */
import type { TopologyNode } from "./graph";

export interface TraceEdge {
  input: number;
  local: number;
  contribution: number;
  before: number;
  after: number;
}

export interface BackwardStep {
  node: number;
  grad: number;
  edges: TraceEdge[];
}

/** The steps of a fresh backward pass from `root`: each computed value passing its gradient on. */
export function backwardSteps(
  nodes: readonly TopologyNode[],
  locals: readonly number[][],
  root: number,
): BackwardStep[] {
  const grad = new Float64Array(nodes.length);
  grad[root] = 1;
  const steps: BackwardStep[] = [];
  for (let i = root; i >= 0; i--) {
    if (nodes[i].inputs.length === 0) continue;
    const edges = nodes[i].inputs.map((input, k) => {
      const local = locals[i][k];
      const contribution = local * grad[i];
      const before = grad[input];
      grad[input] = before + contribution;
      return { input, local, contribution, before, after: grad[input] };
    });
    steps.push({ node: i, grad: grad[i], edges });
  }
  return steps;
}

/** The computed values, in the order a forward pass makes them. */
export function forwardSteps(nodes: readonly TopologyNode[]): number[] {
  return nodes.flatMap((node, i) => (node.inputs.length > 0 ? [i] : []));
}

/** The gradients after the first `count` backward steps, and which are still pending (none arrived). */
export function gradientsAfter(
  steps: readonly BackwardStep[],
  count: number,
  size: number,
  root: number,
): { grad: Float64Array; pending: Uint8Array } {
  const grad = new Float64Array(size);
  const pending = new Uint8Array(size).fill(1);
  grad[root] = 1;
  pending[root] = 0;
  for (const step of steps.slice(0, count)) {
    for (const edge of step.edges) {
      grad[edge.input] = edge.after;
      pending[edge.input] = 0;
    }
  }
  return { grad, pending };
}
