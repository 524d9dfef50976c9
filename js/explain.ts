/** The arithmetic of one step, in the user's own labels: what the stepper's panel shows. */
import { formatNumber as f } from "./format";
import type { TopologyNode } from "./graph";
import type { BackwardStep } from "./trace";

export class Explainer {
  constructor(
    private readonly nodes: readonly TopologyNode[],
    private readonly data: () => Float64Array,
  ) {}

  /** A value's name: its label (parenthesised if it is an expression), a constant's number, or #id. */
  name(id: number): string {
    const { label, inputs } = this.nodes[id];
    if (label) return /^[\p{L}\p{N}_.]+$/u.test(label) ? label : `(${label})`;
    return inputs.length === 0 ? f(this.data()[id]) : `#${id}`;
  }

  private d(id: number): string {
    const node = this.nodes[id];
    return node.label || node.inputs.length > 0 ? `${this.name(id)}.data` : this.name(id);
  }

  /** d node / d input k, as an expression: `w1.data` for x1 in x1*w1. */
  localExpression(id: number, k: number): string {
    const node = this.nodes[id];
    const [a, b] = node.inputs;
    if (node.exponent !== undefined) return `${node.exponent}·${this.d(a)}^${node.exponent - 1}`;
    switch (node.op) {
      case "+":
        return "1";
      case "-":
        return k === 0 ? "1" : "-1";
      case "*":
        return this.d(k === 0 ? b : a);
      case "/":
        return k === 0 ? `1/${this.d(b)}` : `-${this.d(id)}/${this.d(b)}`;
      case "**":
        return k === 0 ? `${this.d(b)}·${this.d(a)}^(${this.d(b)}-1)` : `${this.d(id)}·ln ${this.d(a)}`;
      case "neg":
        return "-1";
      case "tanh":
        return `(1 - ${this.d(id)}²)`;
      case "exp":
        return this.d(id);
      case "log":
        return `1/${this.d(a)}`;
      case "relu":
        return `[${this.d(a)} > 0]`;
      case "sigmoid":
        return `${this.d(id)}·(1 - ${this.d(id)})`;
      default:
        return `∂${this.name(id)}/∂${this.name(node.inputs[k])}`;
    }
  }

  backward(step: BackwardStep): string[] {
    const lines: string[] = [];
    step.edges.forEach((edge, k) => {
      const target = this.name(edge.input);
      lines.push(
        `${target}.grad += ${this.localExpression(step.node, k)} × ${this.name(step.node)}.grad = ` +
          `${f(edge.local)} × ${f(step.grad)} = ${f(edge.contribution)}`,
      );
      if (edge.before !== 0)
        lines.push(`${target}.grad = ${f(edge.before)} + ${f(edge.contribution)} = ${f(edge.after)}`);
    });
    return lines;
  }

  backwardStart(root: number): string {
    return `${this.name(root)}.grad = 1 (d ${this.name(root)} / d ${this.name(root)}). Step on to pass it back.`;
  }

  forward(id: number): string {
    const node = this.nodes[id];
    const data = this.data();
    const [a, b] = node.inputs;
    const symbol = { "*": "×", "/": "÷", "-": "−", "+": "+", "**": "^" }[node.op];
    if (b !== undefined && symbol) {
      return `${this.name(id)} = ${this.name(a)} ${symbol} ${this.name(b)} = ${f(data[a])} ${symbol} ${f(data[b])} = ${f(data[id])}`;
    }
    if (node.exponent !== undefined) {
      return `${this.name(id)} = ${this.name(a)}^${node.exponent} = ${f(data[a])}^${node.exponent} = ${f(data[id])}`;
    }
    const args = node.inputs.map((i) => this.name(i)).join(", ");
    const values = node.inputs.map((i) => f(data[i])).join(", ");
    return `${this.name(id)} = ${node.op}(${args}) = ${node.op}(${values}) = ${f(data[id])}`;
  }
}
