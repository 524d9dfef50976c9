/**
 * The arithmetic of one step, in the nodes' names, written from the op table's text (each op's
 * formula and local derivatives in `a`, `b`, `out`): no per-op code here.
 */
import { formatNumber as f, formatShape } from "./format";
import type { LocalCheck, Topology } from "./graph";
import type { BackwardStep } from "./trace";

export const SIMPLE = /^[\p{L}\p{N}_.]+$/u; // a name that needs no parentheses around it
const NUMBER = /^-?\d+(\.\d+)?(e[-+]?\d+)?$/;

/**
 * `text` with the whole words a, b and out replaced, in one pass. A replacement that `needsParens`
 * is parenthesised unless it stands as an argument already (`f(a)`, `f(a, b)`), as Python's names are.
 */
export function substitute(
  text: string,
  words: Record<string, string>,
  needsParens: (word: string) => boolean,
): string {
  return text.replace(/\b(a|b|out)\b/g, (token, _word, at: number) => {
    const word = words[token];
    if (word === undefined) return token;
    const before = text.slice(0, at).trimEnd().slice(-1);
    const after = text
      .slice(at + token.length)
      .trimStart()
      .slice(0, 1);
    const argument = (before === "(" || before === ",") && (after === ")" || after === ",");
    return needsParens(word) && !argument ? `(${word})` : word;
  });
}

export class Explainer {
  constructor(
    private readonly topology: Topology,
    private readonly data: () => Float64Array,
  ) {}

  /** A value's name, parenthesised when it is an expression: `(x1*w1 + x2*w2)`. */
  name(id: number): string {
    const { name } = this.topology.nodes[id];
    return SIMPLE.test(name) ? name : `(${name})`;
  }

  /** A value as it enters a formula: `w1.data`, `(x1*w1).data`; a constant leaf as its number. */
  private operand(id: number): string {
    const node = this.topology.nodes[id];
    return node.inputs.length === 0 && !node.label && NUMBER.test(node.name) ? node.name : `${this.name(id)}.data`;
  }

  /** d node / d its k-th input as text: `w1.data` for x1 in x1·w1, `1 − o.data²` for tanh. */
  localText(id: number, k: number): string {
    const node = this.topology.nodes[id];
    const text = this.topology.ops[node.op]?.locals?.[k];
    if (text === undefined) return `∂${node.name}/∂${this.topology.nodes[node.inputs[k]].name}`;
    const [a, b] = node.inputs;
    const words: Record<string, string> = { a: this.operand(a), out: this.operand(id) };
    if (b !== undefined) words.b = this.operand(b);
    return substitute(text, words, () => false);
  }

  /** One step of the backward pass: each input's contribution, and the sum where it accumulates. */
  backward(step: BackwardStep): string[] {
    if (step.edges.some((edge) => edge.tensor)) return this.tensorBackward(step);
    const lines: string[] = [];
    const node = this.topology.nodes[step.node];
    step.edges.forEach((edge, k) => {
      const target = this.name(edge.input);
      if (edge.local === null) {
        lines.push(`${target}.grad += 0 (${node.op} passes no gradient to ${target} here)`);
        return;
      }
      const local = this.localText(step.node, k);
      const factor = SIMPLE.test(local.replace(/^[-−]/, "")) || local.startsWith("∂") ? local : `(${local})`;
      lines.push(
        `${target}.grad += ${factor} × ${this.name(step.node)}.grad = ` +
          `${f(edge.local)} × ${f(step.grad)} = ${f(edge.contribution)}`,
      );
      if (edge.before !== 0)
        lines.push(`${target}.grad = ${f(edge.before)} + ${f(edge.contribution)} = ${f(edge.after)}`);
    });
    return lines;
  }

  /**
   * A PyTorch tensor step: its local derivatives are matrices, so it reads as torch runs it, the
   * output's gradient into the op's backward function, each input's share out, told by its norm.
   */
  private tensorBackward(step: BackwardStep): string[] {
    const node = this.topology.nodes[step.node];
    const size = (id: number): string => {
      const { shape } = this.topology.nodes[id];
      return shape ? `${formatShape(shape)}, norm ` : "";
    };
    const lines = [
      `${this.name(step.node)}.grad (${size(step.node)}${f(step.grad)}) goes into ${node.backward ?? node.op}, ` +
        "which gives each input its share:",
    ];
    for (const edge of step.edges) {
      const target = this.name(edge.input);
      if (edge.local === null) {
        lines.push(`${target}.grad += nothing (no gradient flows to ${target})`);
        continue;
      }
      lines.push(`${target}.grad += (${size(edge.input)}${f(edge.contribution)})`);
      if (edge.before !== 0) lines.push(`${target}.grad: ${f(edge.before)} → ${f(edge.after)}`);
    }
    return lines;
  }

  backwardStart(root: number): string {
    const name = this.name(root);
    return `${name}.grad = 1 (d ${name} / d ${name}). Step on to pass it back.`;
  }

  /** One step of the forward pass: the formula in names, then in numbers (a custom op without one: `f(x)`). */
  forward(id: number): string {
    const node = this.topology.nodes[id];
    const data = this.data();
    const formula =
      this.topology.ops[node.op]?.formula ?? `${node.op}(${["a", "b"].slice(0, node.inputs.length).join(", ")})`;
    const [a, b] = node.inputs;
    const names = substitute(
      formula,
      { a: this.topology.nodes[a].name, ...(b !== undefined && { b: this.topology.nodes[b].name }) },
      (name) => !SIMPLE.test(name),
    );
    const numbers = substitute(formula, { a: f(data[a]), ...(b !== undefined && { b: f(data[b]) }) }, (number) =>
      number.startsWith("-"),
    );
    const named = names === node.name ? "" : ` = ${names}`; // an unlabelled value's name is its formula already
    return `${node.name}${named} = ${numbers} = ${f(data[id])}`;
  }

  /** The gradient check on the graph: per computed value, ok, and for a failure which edge and by how much. */
  checkMarks(checks: readonly LocalCheck[]): Map<number, CheckMark> {
    const marks = new Map<number, CheckMark>();
    for (const check of checks) {
      const mark = marks.get(check.node) ?? { ok: true, text: "", finding: "" };
      if (!check.ok) {
        const { nodes } = this.topology;
        const edge = `∂${nodes[check.node].name}/∂${nodes[check.input].name}`;
        const found =
          check.note ?? `${edge}: autograd ${f(Number(check.autograd))}, numeric ${f(Number(check.numeric))}`;
        if (!mark.text.split("; ").includes(found)) mark.text = mark.ok ? found : `${mark.text}; ${found}`;
        const said = check.finding ?? found;
        if (!mark.finding.split("\n").includes(said)) mark.finding = mark.ok ? said : `${mark.finding}\n${said}`;
        mark.ok = false;
      }
      marks.set(check.node, mark);
    }
    return marks;
  }
}

/** A computed value's verdict: its note on the graph (naming the input whose gradient is wrong) and,
 * on hover, the finding in full. */
export interface CheckMark {
  ok: boolean;
  text: string;
  finding: string;
}
