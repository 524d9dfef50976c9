/** The shapes of what the kernel sends: topology once, values on every change. */

export interface TopologyNode {
  label: string;
  op: string; // "" for a leaf
  inputs: number[]; // ids of the values this one is computed from
  exponent?: number; // set for a constant power ("**2")
  unknown_op?: boolean; // a learner's op livegrad does not know: not re-evaluated, its leaves get no slider
}

export interface Topology {
  nodes: TopologyNode[];
  root: number;
  too_large?: { values: number; drawn: number }; // the kernel declined to send a graph this big
  replay?: false; // the page must not replay the ops: a learner's engine, or a graph rebuilt by a function
  learner?: true; // the nodes are a learner's own objects (livegrad.foreign)
}

export interface Values {
  data: (number | string)[];
  grad: (number | string)[];
  local?: (number | string)[][]; // per node, d node / d input for each input
  ack?: string | null; // which frontend message these values answer
}

export interface SliderSpec {
  id: number; // a leaf's node id; below 0, an input of from_function (no node holds its number)
  value?: number; // an input's number: where its slider starts
  label: string;
  min: number;
  max: number;
  step: number;
}

export interface GradientCheck {
  id: number;
  autograd: number | string;
  numeric: number | string;
  ok: boolean;
}
