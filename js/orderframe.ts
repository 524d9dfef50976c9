/**
 * What the graph shows at a step of the sort or of the naive backward pass (js/sort.ts), apart
 * from the DOM, as frame.ts does for the two passes: the current node, the edges to draw, the
 * marks, and the panel's lines. One step is one value (the sort is about values, not folds).
 */
import type { Explainer } from "./explain";
import { formatNumber as f } from "./format";
import { signed } from "./frame";
import type { TopologyNode } from "./graph";
import { stackAt, whyOf, type NaivePlan, type SortPlan } from "./sort";
import type { Pending, StepEdge } from "./view";

export interface SortFrame {
  current: number;
  edges: StepEdge[]; // the recursion stack, as the path descended from the root
  visited: number[];
  sorted: number[]; // the topo list so far, in append order
  appended: boolean; // this step appended `current`
  lines: string[];
}

/** Step `step` of the sort: 0 is the call on the root, before anything is visited; k is the plan's k-th step. */
export function sortFrame(
  nodes: readonly TopologyNode[],
  plan: SortPlan,
  step: number,
  explainer: Explainer,
): SortFrame {
  const name = (id: number) => explainer.name(id);
  const root = plan.steps[0].node;
  if (step <= 0)
    return {
      current: root,
      edges: [],
      visited: [],
      sorted: [],
      appended: false,
      lines: [`topo = [], visited = {}; build_topo(${name(root)}) starts at the output. Step on to visit.`],
    };
  const at = plan.steps[Math.min(step, plan.steps.length) - 1];
  const stack = stackAt(plan, at);
  const visited: number[] = [];
  for (let k = 0; k < step && k < plan.steps.length; k++)
    if (plan.steps[k].kind === "visit") visited.push(plan.steps[k].node);
  const lines = [whyOf(nodes, at, name), `stack: ${stack.map(name).join(" → ")}`];
  if (step >= plan.steps.length)
    lines.push(
      `reversed(topo) is the backward pass's order: ${name(root)} first, each value after every value it feeds. ` +
        "Step backward pass (B) goes on from here.",
    );
  return {
    current: at.node,
    edges: stack.slice(1).map((id, k) => ({ from: id, to: stack[k] })),
    visited,
    sorted: plan.order.slice(0, at.topo),
    appended: at.kind === "append",
    lines,
  };
}

export interface NaiveFrame {
  grad: Float64Array;
  pending: Pending;
  current: number;
  edges: StepEdge[];
  lines: string[];
  fault: "" | "early" | "again";
  wrong: Map<number, string>; // at the end: each wrong gradient, with the right one ("✗ 18 ≠ 15")
}

/** Step `step` of micrograd #64's naive backward pass: the gradients as far as it has come. */
export function naiveFrame(
  nodes: readonly TopologyNode[],
  pass: NaivePlan,
  root: number,
  step: number,
  explainer: Explainer,
): NaiveFrame {
  const grad = new Float64Array(nodes.length);
  const reached = new Uint8Array(nodes.length);
  grad[root] = 1;
  reached[root] = 1;
  const taken = Math.min(step, pass.steps.length);
  for (let k = 0; k < taken; k++)
    for (const e of pass.steps[k].edges) {
      grad[e.input] = e.after;
      reached[e.input] = 1;
    }
  const pending = { grad: reached.map((r) => r ^ 1) };
  const wrong = new Map<number, string>();
  if (taken === 0)
    return { grad, pending, current: root, edges: [], lines: [explainer.backwardStart(root)], fault: "", wrong };
  const now = pass.steps[taken - 1];
  const me = explainer.name(now.node);
  const lines = explainer.backward(now);
  if (now.fault === "early")
    lines.unshift(
      `⚠ ${me} passes on ${f(now.grad)} before all of its gradient has arrived (it will be ${f(pass.right[now.node])})`,
    );
  if (now.fault === "again")
    lines.unshift(`⚠ ${me} passes its gradient on again: what it passed before is counted twice`);
  if (taken === pass.steps.length) {
    for (const id of pass.wrong) wrong.set(id, `${f(pass.grads[id])}, right ${f(pass.right[id])}`);
    lines.push(
      pass.wrong.length === 0
        ? "Every gradient is right: no computed value is used twice here, so the naive order happens to work."
        : `✗ ${pass.wrong.length} wrong: ${pass.wrong.map((id) => `${explainer.name(id)}.grad ${f(pass.grads[id])} (right ${f(pass.right[id])})`).join(", ")}. ` +
            "A value must pass its gradient on once, after all of it has arrived: in reversed(topo) order.",
    );
  }
  return {
    grad,
    pending,
    current: now.node,
    edges: now.edges.map((e) => ({
      from: e.input,
      to: now.node,
      label: e.local === null ? "no gradient" : `× ${f(e.local)} → ${signed(e.contribution)}`,
    })),
    lines,
    fault: now.fault,
    wrong,
  };
}
