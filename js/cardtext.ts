/**
 * What a card says: its numbers (written in place on every change, only where they changed), its
 * tint, its pending marks ("?" while stepping), and its hover text. It writes into the cards the
 * drawing made (scene.ts) and touches nothing else.
 */
import { GRADIENT_MARKS, formatNumber, formatShape } from "./format";
import type { TensorSummary, Topology } from "./graph";

/** A drawn element's record: a value's, or a folded group's, stack's or Σ's. */
export interface Card {
  group: SVGGElement;
  box: SVGElement | null;
  data: SVGTextElement | null;
  grad: SVGTextElement | null;
  title: SVGTitleElement;
  op: SVGGElement | null;
  shows: number; // the node whose numbers it shows (a folded element: its first output), -1 none
  shown: [data: string, grad: string, fill: string, nonFinite: boolean, pending: boolean];
}

/** While stepping, values not yet computed: they show "?" rather than a misleading number. */
export interface Pending {
  data?: Uint8Array;
  grad?: Uint8Array;
}

/** Draw new values into the cards: only the texts and colours that changed. */
export function writeValues(
  cards: readonly Card[],
  data: Float64Array,
  grad: Float64Array,
  pending: Pending,
  marks: readonly string[] = [],
): void {
  let largest = 0;
  grad.forEach((g, i) => {
    if (Number.isFinite(g) && !pending.grad?.[i]) largest = Math.max(largest, Math.abs(g));
  });
  for (const node of cards) {
    const i = node.shows;
    if (i < 0 || !node.data || !node.grad) continue;
    const dataPending = pending.data?.[i] === 1;
    const gradPending = pending.grad?.[i] === 1;
    const dataText = `data ${dataPending ? "?" : formatNumber(data[i])}`;
    const gradText = `grad ${gradPending ? "?" : formatNumber(grad[i])}`;
    const fill = gradPending ? "" : gradientFill(grad[i], largest);
    const nonFinite = (!dataPending && !Number.isFinite(data[i])) || (!gradPending && !Number.isFinite(grad[i]));
    const isPending = dataPending || gradPending;
    const [shownData, shownGrad, shownFill, shownNonFinite, shownPending] = node.shown;
    if (dataText !== shownData) node.data.textContent = dataText;
    if (gradText !== shownGrad) node.grad.textContent = gradText;
    if (fill !== shownFill && node.box) node.box.style.fill = fill;
    if (nonFinite !== shownNonFinite) node.group.classList.toggle("lg-nonfinite", nonFinite);
    if (isPending !== shownPending) node.group.classList.toggle("lg-pending", isPending);
    node.shown = [dataText, gradText, fill, nonFinite, isPending];
    const mark = gradPending ? "" : (marks[i] ?? "");
    if ((node.group.dataset.mark ?? "") !== mark) {
      if (mark) node.group.dataset.mark = mark;
      else delete node.group.dataset.mark;
    }
  }
}

/** Blue for a positive gradient, red for a negative one, stronger as it grows; none for exactly 0. */
export function gradientFill(grad: number, largest: number): string {
  if (!Number.isFinite(grad) || grad === 0 || largest === 0) return "";
  const strength = 0.12 + 0.45 * Math.sqrt(Math.min(1, Math.abs(grad) / largest));
  return grad > 0 ? `rgba(33, 118, 255, ${strength.toFixed(3)})` : `rgba(230, 57, 70, ${strength.toFixed(3)})`;
}

/** A value's hover text with full precision (and what Check gradients found there, if anything). */
export function describeValue(
  topology: Topology,
  id: number,
  data: Float64Array,
  grad: Float64Array,
  finding: string | undefined,
  mark = "",
): string {
  const node = topology.nodes[id];
  const made = node.op ? describeOp(topology, id) : "a leaf";
  const tensor = node.shape ? ` (a ${formatShape(node.shape)} tensor: data is its mean, grad its norm)` : "";
  return (
    `${node.name}: ${made}\ndata = ${data[id]}\ngrad = ${grad[id]}` +
    (node.label ? "" : " (unlabelled)") +
    tensor +
    (mark ? `\n⚠ ${GRADIENT_MARKS[mark] ?? mark}` : "") +
    (finding ? `\n✗ ${finding}` : "")
  );
}

/** A PyTorch tensor's summary for its hover text: mean and spread, gradient norm, every number if small. */
export function describeTensor(summary: TensorSummary | null): string {
  if (!summary) return "";
  const n = (x: number | string | null): string => (x === null ? "—" : formatNumber(Number(x)));
  const all = (xs: (number | string)[] | undefined): string => (xs ? `[${xs.map(n).join(", ")}]` : "");
  const lines = [`\nmean ${n(summary.mean)} ± ${n(summary.std)}, gradient norm ${n(summary.grad_norm)}`];
  if (summary.data) lines.push(`data ${all(summary.data)}`, `grad ${all(summary.grad)}`);
  return lines.join("\n");
}

/** "tanh of n: tanh(a)", the op, its inputs by name and the op's formula when the kernel sent one. */
export function describeOp(topology: Topology, id: number): string {
  const node = topology.nodes[id];
  const inputs = node.inputs.map((i) => topology.nodes[i].name || "(unnamed)");
  const formula = (topology as { ops?: Record<string, { formula: string | null }> }).ops?.[node.op]?.formula;
  const made = `${node.op} of ${inputs.join(", ")}` + (node.backward ? ` (PyTorch's backward: ${node.backward})` : "");
  if (node.unknown_op)
    return (
      `${made}\nlivegrad does not know the op "${node.op}": this value stays as your engine computed it, ` +
      "and the leaves that feed it have no slider"
    );
  if (!formula) return made;
  const names = inputs.map((name, k) => `${"ab"[k] ?? "?"} = ${name}`).join(", ");
  return `${made}\n${node.op}: ${formula}, with ${names}`;
}
