/** The shapes of what the kernel sends: topology once, values on every change. */

export interface TopologyNode {
  label: string;
  op: string; // "" for a leaf
  inputs: number[]; // ids of the values this one is computed from
  exponent?: number; // set for a constant power ("**2")
}

export interface Topology {
  nodes: TopologyNode[];
  root: number;
  too_large?: { values: number; drawn: number }; // the kernel declined to send a graph this big
}

export interface Values {
  data: (number | string)[];
  grad: (number | string)[];
  local?: (number | string)[][]; // per node, d node / d input for each input
  ack?: string | null; // which frontend message these values answer
}

export interface SliderSpec {
  id: number;
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
