/**
 * What the graph shows at a step, worked out apart from the DOM: the numbers, which of them are
 * still pending, the current node and its edges (labelled with local derivative and contribution),
 * and the panel's text. The widget only draws it. A step is one drawn element: a value's card,
 * or a collapsed group, stack or Σ whose values all come at once.
 */
import type { Explainer } from "./explain";
import type { VisibleGraph } from "./fold";
import { formatNumber as f, formatShape } from "./format";
import type { Flows, Local, Topology, TopologyNode } from "./graph";
import type { Mode } from "./stepper";
import { planSteps, sweep, type BackwardStep, type StepPlan, type TraceEdge } from "./trace";
import type { Pending, StepEdge } from "./view";

export interface Frame {
  grad: Float64Array; // the gradients shown (as far as the backward pass has come)
  pending: Pending;
  current: number | null; // the value that sends gradient (backward) or is computed (forward); a folded element's last
  members: number[]; // every value of the current step (one, unless the step is a folded element)
  place: string | null; // where the step is, by name: the folded element ("L1.N3") or the group around a card
  edges: StepEdge[];
  lines: string[];
}

/** How the drawing is folded, for stepping: which element holds each value, and what a folded one is called. */
export interface StepLevel {
  unitOf: ArrayLike<number>; // node -> its drawn element (another call of a stack: the stack), in topological order
  /** A collapsed group, stack or Σ: its name ("L1.N3", "MLP × 100", "Σ") and formula summary; null for a value's card. */
  folded(unit: number): { name: string; summary: string } | null;
  /** The expanded group a value's card is drawn in ("L1.N3"), if any. */
  within?(unit: number): string | null;
}

/**
 * The drawing as steps see it: a value in another call of a stack is stepped with the stack (so
 * the shared parameters' gradients add up over every call); each folded element is named.
 */
export function stepLevel(
  topology: Pick<Topology, "nodes" | "groups">,
  drawing: Pick<VisibleGraph, "elements" | "elementOf" | "clusters" | "clusterOf">,
): StepLevel {
  const { nodes } = topology;
  const groups = topology.groups ?? [];
  const stackOf = new Map<number, number>(); // group call -> the stack element standing for it
  drawing.elements.forEach((e, unit) => {
    if (e.kind === "stack") for (const call of e.calls) stackOf.set(call, unit);
  });
  // Each call's stack element, if a stack stands for it or for a call around it (parents come first).
  const callUnit = new Int32Array(groups.length);
  groups.forEach((call, c) => (callUnit[c] = stackOf.get(c) ?? (call.parent === null ? -1 : callUnit[call.parent])));
  const unitOf = Int32Array.from(drawing.elementOf);
  for (let id = 0; id < unitOf.length; id++) {
    const call = unitOf[id] < 0 ? (nodes[id].group ?? -1) : -1;
    if (call >= 0 && callUnit[call] >= 0) unitOf[id] = callUnit[call];
  }
  return {
    unitOf,
    folded(unit) {
      const e = drawing.elements[unit];
      if (e.kind === "value" || e.kind === "more") return null; // a "⋯" holds no value: no unit is one
      if (e.kind === "sum") return { name: `Σ of ${e.terms} terms`, summary: e.summary };
      if (e.kind === "group") return { name: e.name, summary: e.summary };
      const name = `${e.name} × ${e.calls.length}`; // "MLP = relu(…)" reads "MLP × 100 = relu(…)"
      return { name, summary: e.summary.startsWith(`${e.name} `) ? name + e.summary.slice(e.name.length) : e.summary };
    },
    within(unit) {
      let at = drawing.clusterOf[unit];
      while (at >= 0 && drawing.clusters[at].kind !== "group") at = drawing.clusters[at].parent;
      if (at < 0) return null;
      const { name, stack } = drawing.clusters[at];
      return stack ? `${name}, call ${stack.picked} of ${stack.calls}` : name;
    },
  };
}

export interface FrameInput {
  nodes: readonly TopologyNode[];
  root: number;
  data: Float64Array;
  grad: Float64Array;
  locals: () => readonly (readonly Local[])[]; // each edge's local derivative, asked for only when stepping backward
  flows?: Flows; // a PyTorch graph's tensor steps, as torch's backward ran them
  mode: Mode;
  step: number; // -1: not stepping
  explainer: Explainer;
  plan?: StepPlan; // planSteps(nodes, level?.unitOf): made once per fold, not per frame
  level?: StepLevel; // absent: every value is its own card
}

type StepFrame = Omit<Frame, "place">;

const MOST_LINES = 5; // a folded element's inputs or outputs listed in the panel; the rest counted

export function frameAt(input: FrameInput): Frame {
  const { nodes, grad, mode, step, level } = input;
  if (step < 0) return { grad, pending: {}, current: null, members: [], place: null, edges: [], lines: [] };
  const plan = input.plan ?? planSteps(nodes, level?.unitOf);
  const frame = mode === "backward" ? backwardFrame(input, plan) : forwardFrame(input, plan);
  const unit = step === 0 ? (mode === "backward" ? level?.unitOf[input.root] : undefined) : unitAt(plan, mode, step);
  const place = level && unit !== undefined ? (level.folded(unit)?.name ?? level.within?.(unit) ?? null) : null;
  return { ...frame, place };
}

/** The element of step `step` (1..count): the forward pass takes them in order, the backward pass from the end. */
const unitAt = (plan: StepPlan, mode: Mode, step: number): number =>
  plan.units[mode === "forward" ? step - 1 : plan.count - step];

/** An edge's label at a backward step: local derivative and contribution; a tensor's share by its norm. */
function edgeLabel(e: TraceEdge, input: TopologyNode): string {
  if (e.local === null) return "no gradient";
  if (e.tensor) return input.shape ? `→ norm ${f(e.contribution)}` : `→ ${signed(e.contribution)}`;
  return `× ${f(e.local)} → ${signed(e.contribution)}`;
}

function backwardFrame({ nodes, root, locals, flows, step, explainer, level }: FrameInput, plan: StepPlan): StepFrame {
  const shown = new Float64Array(nodes.length);
  const unit = step > 0 ? unitAt(plan, "backward", step) : -1;
  const folded = step > 0 ? (level?.folded(unit) ?? null) : null;
  const sent: BackwardStep[] = []; // a value card's step: its one value's edges
  const reached = sweep(nodes, locals(), root, shown, step, folded ? undefined : (s) => sent.push(s), plan, flows);
  const pending = { grad: new Uint8Array(nodes.length) };
  for (let i = 0; i < nodes.length; i++) pending.grad[i] = reached[i] ^ 1; // a plain loop: 65,818 values a step
  if (step === 0)
    return { grad: shown, pending, current: root, members: [root], edges: [], lines: [explainer.backwardStart(root)] };
  if (!folded) {
    const [{ node, edges }] = sent;
    return {
      grad: shown,
      pending,
      current: node,
      members: [node],
      edges: edges.map((e) => ({
        from: e.input,
        to: node,
        label: edgeLabel(e, nodes[e.input]),
      })),
      lines: explainer.backward(sent[0]),
    };
  }
  // A folded element (a stack's may hold 63,360 values): what it passed to each outside input is
  // that input's gradient now less one step before, so no edge of it needs an object of its own.
  const before = new Float64Array(nodes.length);
  sweep(nodes, locals(), root, before, step - 1, undefined, plan, flows);
  const members: number[] = [];
  for (let i = 0; i < nodes.length; i++)
    if (plan.forward[i] > 0 && plan.count + 1 - plan.forward[i] === step) members.push(i);
  const seen = new Uint8Array(nodes.length);
  const inputs: [input: number, to: number][] = []; // outside the element, each with the first member it feeds
  const leaves: number[] = []; // its own leaves (a module's parameters)
  for (const member of members) {
    for (const input of nodes[member].inputs) {
      if (seen[input]) continue;
      seen[input] = 1;
      if (level!.unitOf[input] !== unit) inputs.push([input, member]);
      else if (nodes[input].inputs.length === 0) leaves.push(input);
    }
  }
  const sum = (input: number): number => shown[input] - before[input];
  // A PyTorch tensor's gradient is told by its norm, and norms do not subtract: its gradient before and after.
  const shapeOf = (input: number): readonly number[] | undefined => (flows ? nodes[input].shape : undefined);
  const passed = (input: number): string => {
    const shape = shapeOf(input);
    const name = explainer.name(input);
    if (!shape) return `${name}.grad += ${signed(sum(input))}` + (before[input] === 0 ? "" : ` = ${f(shown[input])}`);
    if (before[input] === 0) return `${name}.grad = (${formatShape(shape)}, norm ${f(shown[input])})`;
    return `${name}.grad: norm ${f(before[input])} → ${f(shown[input])}`;
  };
  const lines = [`${title(folded)}: its ${count(members.length, "value")} pass the gradient back at once.`];
  lines.push(
    ...listed(
      inputs.map(([input]) => passed(input)),
      "more inputs",
    ),
  );
  if (leaves.length > 0)
    lines.push(
      `Its leaves' gradients: ${leaves
        .slice(0, MOST_LINES)
        .map((id) => `${explainer.name(id)} ${f(shown[id])}`)
        .join(", ")}${leaves.length > MOST_LINES ? `, and ${leaves.length - MOST_LINES} more` : ""}.`,
    );
  return {
    grad: shown,
    pending,
    current: members[members.length - 1],
    members,
    edges: labelFew(
      inputs.map(([input, to]) => ({
        from: input,
        to,
        label: shapeOf(input) ? `→ norm ${f(shown[input])}` : `→ ${signed(sum(input))}`,
      })),
    ),
    lines,
  };
}

function forwardFrame({ nodes, data, grad, step, explainer, level }: FrameInput, plan: StepPlan): StepFrame {
  const pendingData = new Uint8Array(nodes.length);
  const members: number[] = [];
  for (let i = 0; i < nodes.length; i++) {
    const k = plan.forward[i];
    if (k > step) pendingData[i] = 1;
    else if (k === step && k > 0) members.push(i);
  }
  const pending = { data: pendingData, grad: new Uint8Array(nodes.length).fill(1) };
  if (members.length === 0) {
    return {
      grad,
      pending,
      current: null,
      members,
      edges: [],
      lines: ["The leaves are given. Step on to compute the rest, in topological order."],
    };
  }
  const unit = unitAt(plan, "forward", step);
  const folded = level?.folded(unit);
  const id = members[members.length - 1];
  if (!folded) {
    return {
      grad,
      pending,
      current: id,
      members,
      edges: nodes[id].inputs.map((input) => ({ from: input, to: id, label: `${f(data[input])}` })),
      lines: [explainer.forward(id)],
    };
  }
  const inside = (node: number): boolean => level!.unitOf[node] === unit;
  const edges = new Map<number, StepEdge>(); // one per outside input
  for (const member of members)
    for (const input of nodes[member].inputs)
      if (!inside(input) && !edges.has(input)) edges.set(input, { from: input, to: member, label: f(data[input]) });
  const used = new Uint8Array(nodes.length);
  for (const m of members) for (const input of nodes[m].inputs) used[input] = 1;
  const outputs = members.filter((m) => !used[m]); // what leaves the element
  const lines = [`${title(folded)}: its ${count(members.length, "value")} computed at once.`];
  lines.push(
    ...listed(
      outputs.map((o) => `${nodes[o].name} = ${f(data[o])}`),
      "more outputs",
    ),
  );
  return { grad, pending, current: id, members, edges: labelFew([...edges.values()]), lines };
}

/** "L1.N3 = relu(Σ w·x + b)", whether or not the summary already starts with the name. */
function title({ name, summary }: { name: string; summary: string }): string {
  if (!summary || summary === name) return name;
  return summary.startsWith(`${name} `) ? summary : `${name} = ${summary}`;
}

/** Labels on as many edges as the panel lists: hundreds of labels would only cover the drawing. */
function labelFew(edges: StepEdge[]): StepEdge[] {
  return edges.length <= MOST_LINES
    ? edges
    : edges.map((e, k) => (k < MOST_LINES - 1 ? e : { from: e.from, to: e.to }));
}

function listed(lines: string[], more: string): string[] {
  return lines.length <= MOST_LINES
    ? lines
    : [...lines.slice(0, MOST_LINES - 1), `… and ${lines.length - MOST_LINES + 1} ${more}`];
}

const count = (n: number, word: string): string => `${n} ${word}${n === 1 ? "" : "s"}`;

/** A contribution with its sign, so that it reads as what is added: +0.5000, -1.5000. */
export function signed(x: number): string {
  const text = f(x);
  return text.startsWith("-") || text === "nan" ? text : `+${text}`;
}
