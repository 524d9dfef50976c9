/** The shapes of what the kernel sends: topology once, values on every change. */

export interface TopologyNode {
  label: string;
  name: string; // the display name: the label, a constant's number, or a short expression
  op: string; // "" for a leaf
  inputs: number[]; // ids of the values this one is computed from
  exponent?: number; // set for a constant power ("**2")
  unknown_op?: boolean; // a learner's op livegrad does not know: not re-evaluated, its leaves get no slider
}

/** An op's text, from the op table: the forward and each input's local derivative, in `a`, `b`, `out`. */
export interface OpText {
  formula: string | null;
  locals: string[] | null;
}

export interface Topology {
  nodes: TopologyNode[];
  root: number;
  ops: Record<string, OpText>; // each op of the graph once
  too_large?: { values: number; drawn: number }; // the kernel declined to send a graph this big
  replay?: false; // the page must not replay the ops: a learner's engine, or a graph rebuilt by a function
  learner?: true; // the nodes are a learner's own objects (livegrad.foreign)
}

/** d node / d input for one edge; null when no gradient reaches the input there (relu where a <= 0). */
export type Local = number | null;

export interface Values {
  data: (number | string)[];
  grad: (number | string)[];
  local?: (number | string | null)[][]; // per node, d node / d input for each input
  ack?: string | null; // which frontend message these values answer
}

export interface SliderSpec {
  id: number; // a leaf's node id; below 0, an input of from_function (no node holds its number)
  value?: number; // an input's number: where its slider starts
  label: string;
  min: number;
  max: number;
  step: number;
  initial: number | string; // the leaf's value when the widget was made: where Reset puts it back
  group?: string | null; // the module group of the leaf (L1.N3); none for the graph's inputs
}

export interface GradientCheck {
  id: number;
  autograd: number | string;
  numeric: number | string;
  ok: boolean;
}

/** One edge's local derivative, checked by a central difference of its op's forward. */
export interface LocalCheck {
  node: number; // the computed value
  index: number; // which of its inputs
  input: number;
  autograd: number | string;
  numeric: number | string;
  ok: boolean;
  note?: string; // a learner's engine: what is wrong with that node's own backward, in their terms
}

/** What Check gradients found: per slider leaf, and per edge of each computed value. */
export interface GradientReport {
  leaves: GradientCheck[];
  locals: LocalCheck[];
}
