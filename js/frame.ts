/**
 * What the graph shows at a step, worked out apart from the DOM: the numbers, which of them are
 * still pending, the current node and its edges (labelled with local derivative and contribution),
 * and the panel's text. The widget only draws it.
 */
import type { Explainer } from "./explain";
import { formatNumber as f } from "./format";
import type { Local, TopologyNode } from "./graph";
import type { Mode } from "./stepper";
import { sweep, type BackwardStep } from "./trace";
import type { Pending, StepEdge } from "./view";

export interface Frame {
  grad: Float64Array; // the gradients shown (as far as the backward pass has come)
  pending: Pending;
  current: number | null; // the value that sends gradient (backward) or is computed (forward)
  edges: StepEdge[];
  lines: string[];
}

export interface FrameInput {
  nodes: readonly TopologyNode[];
  root: number;
  data: Float64Array;
  grad: Float64Array;
  locals: () => readonly (readonly Local[])[]; // each edge's local derivative, asked for only when stepping backward
  mode: Mode;
  step: number; // -1: not stepping
  explainer: Explainer;
}

export function frameAt({ nodes, root, data, grad, locals, mode, step, explainer }: FrameInput): Frame {
  if (step < 0) return { grad, pending: {}, current: null, edges: [], lines: [] };
  return mode === "backward"
    ? backwardFrame(nodes, root, locals(), step, explainer)
    : forwardFrame(nodes, data, grad, step, explainer);
}

function backwardFrame(
  nodes: readonly TopologyNode[],
  root: number,
  locals: readonly (readonly Local[])[],
  step: number,
  explainer: Explainer,
): Frame {
  const shown = new Float64Array(nodes.length);
  let current: BackwardStep | null = null;
  const reached = sweep(nodes, locals, root, shown, step, (s) => (current = s));
  const pending = reached.map((r) => 1 - r);
  if (current === null)
    return {
      grad: shown,
      pending: { grad: pending },
      current: root,
      edges: [],
      lines: [explainer.backwardStart(root)],
    };
  const { node, edges } = current as BackwardStep;
  return {
    grad: shown,
    pending: { grad: pending },
    current: node,
    edges: edges.map((e) => ({
      from: e.input,
      to: node,
      label: e.local === null ? "no gradient" : `× ${f(e.local)} → ${signed(e.contribution)}`,
    })),
    lines: explainer.backward(current),
  };
}

function forwardFrame(
  nodes: readonly TopologyNode[],
  data: Float64Array,
  grad: Float64Array,
  step: number,
  explainer: Explainer,
): Frame {
  const pendingData = new Uint8Array(nodes.length);
  let current: number | null = null;
  let made = 0;
  nodes.forEach((node, i) => {
    if (node.inputs.length === 0) return;
    made++;
    if (made > step) pendingData[i] = 1;
    else if (made === step) current = i;
  });
  const pending = { data: pendingData, grad: new Uint8Array(nodes.length).fill(1) };
  if (current === null) {
    return {
      grad,
      pending,
      current,
      edges: [],
      lines: ["The leaves are given. Step on to compute the rest, in topological order."],
    };
  }
  const id: number = current;
  return {
    grad,
    pending,
    current: id,
    edges: nodes[id].inputs.map((input) => ({ from: input, to: id, label: `${f(data[input])}` })),
    lines: [explainer.forward(id)],
  };
}

/** A contribution with its sign, so that it reads as what is added: +0.5000, -1.5000. */
function signed(x: number): string {
  const text = f(x);
  return text.startsWith("-") || text === "nan" ? text : `+${text}`;
}
