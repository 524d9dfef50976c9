/** The shapes of what the kernel sends: topology once, values on every change. */

/** The root's value at each `w.refresh()` of a training loop (the curve under the graph draws it). */
export interface History {
  steps: number; // how many refreshes so far
  root: (number | string)[]; // the root's value at evenly spaced ones among them, oldest first
}

export interface TopologyNode {
  label: string;
  name: string; // the display name: the label, a constant's number, or a short expression
  op: string; // "" for a leaf
  inputs: number[]; // ids of the values this one is computed from
  exponent?: number; // set for a constant power ("**2")
  unknown_op?: boolean; // a learner's op livegrad does not know: not re-evaluated, its leaves get no slider
  group?: number; // index in Topology.groups of its innermost module call; absent: top level
  shared?: true; // a module's parameter, used by every call of that module: drawn in the call on show
  shape?: number[]; // a PyTorch tensor of more than one number: its shape (the record reads "8×4")
  backward?: string; // PyTorch's name for the node's backward ("TanhBackward0")
}

/**
 * One call of an nn Module (livegrad.nn records them): a group of the values it computed.
 * Parents come before their children in Topology.groups.
 */
export interface Group {
  name: string; // the module path used in parameter labels: "L1.N3", "L1", "MLP"; "#2", "#3"... for a namesake
  kind: string; // the module's class name: "Neuron", "Layer", "MLP", a user's "Block"
  parent: number | null; // index of the enclosing call in Topology.groups; null: top level
  module: number; // index of the distinct module object: calls of one module share it
  call: number; // 0-based index among the parent's calls of this same module (a stack's picker)
  inputs: number[]; // ids of the values it received (those in the graph)
  outputs: number[]; // ids of the values it returned (those in the graph)
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
  // Module calls, parents first; [] for a learner's graph or one built without modules. Python always
  // sends it (optional only for the tests' hand-written topologies).
  groups?: Group[];
  // The kernel declined to send a graph this big: values counted until it passed `limit` (so at least
  // that many), and `message`, what to do instead, shown as it is.
  too_large?: { values: number; limit: number; message: string };
  replay?: false; // the page must not replay the ops: a learner's engine, or a graph rebuilt by a function
  learner?: true; // the nodes are a learner's own objects (livegrad.foreign)
}

/**
 * The topology as Python sends it (graph.py `Graph.topology`): per node, one list per field, indexed
 * by node id, which the kernel encodes and the page parses several times faster than a record per
 * node. `group` is -1 at top level; constant powers, ops livegrad does not know and shared
 * parameters are listed by id. `readTopology` turns it into `Topology`.
 */
export interface SentTopology extends Omit<Topology, "nodes"> {
  columns: {
    label: string[];
    name: string[];
    op: string[];
    inputs: number[][];
    group: number[];
    shape?: (number[] | null)[]; // PyTorch's graphs only
    backward?: string[];
  };
  exponents: [number, number][]; // [id, exponent] of each constant power ("**2")
  unknown_ops: number[];
  shared: number[];
}

/**
 * The topology as the kernel sends it (one JSON buffer, a DataView here), as a saved page holds it
 * (the columns, parsed), or already read (the tests' hand-written topologies).
 */
export function readTopology(sent: Topology | SentTopology | DataView): Topology {
  const parsed: Topology | SentTopology = sent instanceof DataView ? JSON.parse(new TextDecoder().decode(sent)) : sent;
  if (!("columns" in parsed)) return parsed;
  const { columns, exponents, unknown_ops, shared, ...rest } = parsed;
  const { label, name, op, inputs, group, shape, backward } = columns;
  const nodes: TopologyNode[] = new Array(name.length);
  for (let i = 0; i < name.length; i++) {
    const node: TopologyNode = { label: label[i], name: name[i], op: op[i], inputs: inputs[i] };
    if (group[i] >= 0) node.group = group[i];
    if (shape?.[i]) node.shape = shape[i] as number[];
    if (backward?.[i]) node.backward = backward[i];
    nodes[i] = node;
  }
  for (const [i, exponent] of exponents) nodes[i].exponent = exponent;
  for (const i of unknown_ops) nodes[i].unknown_op = true;
  for (const i of shared) nodes[i].shared = true;
  return { ...rest, nodes };
}

/** d node / d input for one edge; null when no gradient reaches the input there (relu where a <= 0). */
export type Local = number | null;

/**
 * What a PyTorch tensor step passed to one input (torch's vector-Jacobian product) and that input's
 * gradient after it, each as one number (a norm, or a one-number tensor's value): a local derivative
 * of a tensor is a matrix, so the page is told the sums rather than left to make them.
 */
export interface Flow {
  sent: number;
  after: number;
}

/** Per node, per input, its flow (null: no gradient reached the input there); null for a scalar step. */
export type Flows = readonly (readonly (Flow | null)[] | null)[];

/** A PyTorch graph's flows as sent (each [sent, after], inf and nan as strings), read as numbers. */
export function readFlows(sent: Values["flows"]): Flows | undefined {
  return sent?.map((row) => row && row.map((flow) => flow && { sent: Number(flow[0]), after: Number(flow[1]) }));
}

/** Numbers from the kernel: a JSON list (inf and nan as strings), or float64 little-endian bytes. */
export type Numbers = readonly (number | string)[] | DataView;

export interface Values {
  data: Numbers;
  grad: Numbers;
  local?: (number | string | null)[][]; // per node, d node / d input for each input; absent when the page replays the ops
  ack?: string | null; // which frontend message these values answer
  grads_computed?: boolean; // false: no backward has run on the graph (the root's grad is 0): grads are as found
  history?: History; // the root's value at each w.refresh() of a training loop (2 or more), for the curve
  marks?: string[]; // PyTorch's graphs: per node, "zero", "vanishing", "inf", "nan" or "" (its gradient)
  tensors?: (TensorSummary | null)[]; // PyTorch's graphs: per tensor of more than one number, its summary
  flows?: (((number | string)[] | null)[] | null)[]; // PyTorch's graphs: per tensor step, per input, [sent, after]
}

/** A PyTorch tensor's numbers summed up (torchgraph.py `_summary`); every number of a small one. */
export interface TensorSummary {
  mean: number | string | null;
  std: number | string | null;
  grad_norm: number | string | null;
  data?: (number | string)[];
  grad?: (number | string)[];
}

export interface SliderSpec {
  id: number; // a leaf's node id; below 0, an input of from_function (no node holds its number)
  value?: number; // an input's number: where its slider starts
  label: string;
  min: number;
  max: number;
  step: number;
  initial: number | string; // the leaf's value when the widget was made: where Reset puts it back
  group?: string | null; // the module group name of the leaf ("L1.N3"); null for an input or a top-level leaf
}

export interface GradientCheck {
  id: number;
  autograd: number | string;
  numeric: number | string;
  ok: boolean; // no mismatch found
  judged?: boolean; // false: no difference could judge it here (a kink, a pole, an op livegrad cannot re-run)
  why?: string; // why it was not judged
}

/** One edge's local derivative, checked by a central difference of its op's forward. */
export interface LocalCheck {
  node: number; // the computed value
  index: number; // which of its inputs
  input: number;
  autograd: number | string;
  numeric: number | string;
  ok: boolean;
  note?: string; // a learner's engine: what is wrong with that node's own backward, naming the input
  finding?: string; // the same in a sentence, as Python's report says it (shown on hover)
  judged?: boolean;
  why?: string;
}

/** What Check gradients found: per slider leaf, and per edge of each computed value. */
export interface GradientReport {
  leaves: GradientCheck[];
  locals: LocalCheck[];
  summary?: string; // the verdict in a line ("5/5 leaves match · …"); "" while the check is off
}
