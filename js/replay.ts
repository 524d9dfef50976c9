/**
 * The engine's built-in ops replayed in the browser, so a slider moves the records at once,
 * before the kernel confirms. Mirrors src/livegrad/ops.py: same forward rules, same local
 * derivatives, same IEEE conventions (JavaScript numbers are IEEE doubles already).
 */
import type { Local, TopologyNode } from "./graph";
import { sweep } from "./trace";

type Unary = [forward: (a: number) => number, local: (a: number, out: number) => Local];
type Binary = [forward: (a: number, b: number) => number, local: (a: number, b: number, out: number) => [Local, Local]];

/** IEEE 754's pow, as Python's: JavaScript's Math.pow gives NaN for 1 ** ±inf, (-1) ** ±inf and 1 ** NaN. */
const pow = (a: number, b: number): number => (a === 1 || (a === -1 && Math.abs(b) === Infinity) ? 1 : Math.pow(a, b));
const powLocalBase = (a: number, b: number): Local => (b === 0 ? null : b * pow(a, b - 1));
const powLocalExponent = (a: number, out: number, b: number): number => (a === 0 && b >= 0 ? 0 : out * Math.log(a));
const sigmoid = (a: number): number => {
  if (a >= 0) return 1 / (1 + Math.exp(-a));
  const e = Math.exp(a);
  return e / (1 + e);
};

const UNARY: Record<string, Unary> = {
  neg: [(a) => -a, () => -1],
  tanh: [Math.tanh, (_a, out) => 1 - out * out],
  exp: [Math.exp, (_a, out) => out],
  log: [Math.log, (a) => 1 / a],
  relu: [(a) => (a < 0 ? 0 : a), (a) => (a <= 0 ? null : 1)],
  sigmoid: [sigmoid, (_a, out) => out * (1 - out)],
};

const BINARY: Record<string, Binary> = {
  "+": [(a, b) => a + b, () => [1, 1]],
  "-": [(a, b) => a - b, () => [1, -1]],
  "*": [(a, b) => a * b, (a, b) => [b, a]],
  "/": [(a, b) => a / b, (_a, b, out) => [1 / b, -out / b]],
  "**": [pow, (a, b, out) => [powLocalBase(a, b), powLocalExponent(a, out, b)]],
};

function unaryOf(node: TopologyNode): Unary | undefined {
  if (node.exponent !== undefined) {
    const p = node.exponent;
    return [(a) => pow(a, p), (a) => powLocalBase(a, p)];
  }
  return UNARY[node.op];
}

/** True when every op of the graph is a built-in one the browser can replay. */
export function canReplay(nodes: readonly TopologyNode[]): boolean {
  return nodes.every(
    (n) =>
      n.op === "" ||
      (n.inputs.length === 1 && unaryOf(n) !== undefined) ||
      (n.inputs.length === 2 && BINARY[n.op] !== undefined),
  );
}

/** Recompute every interior value from its inputs, in topological order (ids are that order). */
export function forward(nodes: readonly TopologyNode[], data: Float64Array): void {
  nodes.forEach((node, i) => {
    const [a, b] = node.inputs;
    if (a === undefined) return;
    data[i] = b === undefined ? unaryOf(node)![0](data[a]) : BINARY[node.op][0](data[a], data[b]);
  });
}

/** A fresh backward pass from `root`: grad[i] = d root / d value i. */
export function backward(nodes: readonly TopologyNode[], data: Float64Array, grad: Float64Array, root: number): void {
  sweep(nodes, localDerivatives(nodes, data), root, grad);
}

/** d value / d input for every edge: what the stepper needs to replay backward step by step. */
export function localDerivatives(nodes: readonly TopologyNode[], data: Float64Array): Local[][] {
  return nodes.map((node, i) => {
    const [a, b] = node.inputs;
    if (a === undefined) return [];
    if (b === undefined) return [unaryOf(node)![1](data[a], data[i])];
    return BINARY[node.op][1](data[a], data[b], data[i]);
  });
}
