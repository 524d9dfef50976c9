/**
 * The engine's built-in ops replayed in the browser, so a slider moves the records at once,
 * before the kernel confirms. Mirrors src/livegrad/ops.py: same forward rules, same local
 * derivatives, same IEEE conventions (JavaScript numbers are IEEE doubles already).
 *
 * A graph is compiled once into a plan (an op code and input indexes per node, in typed arrays),
 * so a replay of 65k values allocates nothing per node and backward costs about what forward does.
 */
import type { Local, TopologyNode } from "./graph";

/**
 * ops.power: IEEE 754's pow as Python's (JavaScript's Math.pow gives NaN for 1 ** ±inf, (-1) ** ±inf and
 * 1 ** NaN), except that (-inf) ** p is NaN for a finite non-integer p, as for any negative base.
 */
const pow = (a: number, b: number): number => {
  if (a === 1 || (a === -1 && Math.abs(b) === Infinity)) return 1;
  if (a === -Infinity && Number.isFinite(b) && !Number.isInteger(b)) return NaN;
  return Math.pow(a, b);
};
const powLocalBase = (a: number, b: number): Local => (b === 0 ? null : b * pow(a, b - 1));
const powLocalExponent = (a: number, out: number, b: number): number => (a === 0 && b >= 0 ? 0 : out * Math.log(a));
const sigmoid = (a: number): number => {
  if (a >= 0) return 1 / (1 + Math.exp(-a));
  const e = Math.exp(a);
  return e / (1 + e);
};

// Op codes. POWC is a constant power ("**2"): one input, its exponent in the plan.
const LEAF = 0;
const UNARY = ["neg", "tanh", "exp", "log", "relu", "sigmoid"];
const BINARY = ["+", "-", "*", "/", "**"];
const [NEG, TANH, EXP, LOG, RELU, SIGMOID] = [1, 2, 3, 4, 5, 6];
const [ADD, SUB, MUL, DIV, POW] = [7, 8, 9, 10, 11];
const POWC = 12;
const UNKNOWN = 13;

/** The forward rule of op `code` on inputs a and b (b unused by unary ops; the exponent for POWC). */
function apply(code: number, a: number, b: number): number {
  switch (code) {
    case NEG:
      return -a;
    case TANH:
      return Math.tanh(a);
    case EXP:
      return Math.exp(a);
    case LOG:
      return Math.log(a);
    case RELU:
      return a < 0 ? 0 : a;
    case SIGMOID:
      return sigmoid(a);
    case ADD:
      return a + b;
    case SUB:
      return a - b;
    case MUL:
      return a * b;
    case DIV:
      return a / b;
    case POW:
    case POWC:
      return pow(a, b);
  }
  throw new Error(`op code ${code} cannot be replayed`);
}

/** d out / d input k of op `code` (null: a masked edge, no gradient reaches the input). */
function local(code: number, k: number, a: number, b: number, out: number): Local {
  switch (code) {
    case NEG:
      return -1;
    case TANH:
      return 1 - out * out;
    case EXP:
      return out;
    case LOG:
      return 1 / a;
    case RELU:
      return a <= 0 ? null : 1;
    case SIGMOID:
      return out * (1 - out);
    case POWC:
      return powLocalBase(a, b);
    case ADD:
      return 1;
    case SUB:
      return k === 0 ? 1 : -1;
    case MUL:
      return k === 0 ? b : a;
    case DIV:
      return k === 0 ? 1 / b : -out / b;
    case POW:
      return k === 0 ? powLocalBase(a, b) : powLocalExponent(a, out, b);
  }
  throw new Error(`op code ${code} cannot be replayed`);
}

/** A graph compiled for replay: per node its op code, its inputs (-1: none) and a constant power's exponent (else 0). */
interface Plan {
  code: Uint8Array;
  a: Int32Array;
  b: Int32Array;
  exponent: Float64Array;
}

const plans = new WeakMap<readonly TopologyNode[], Plan>();

function planOf(nodes: readonly TopologyNode[]): Plan {
  const known = plans.get(nodes);
  if (known) return known;
  const n = nodes.length;
  const plan: Plan = {
    code: new Uint8Array(n),
    a: new Int32Array(n).fill(-1),
    b: new Int32Array(n).fill(-1),
    exponent: new Float64Array(n),
  };
  nodes.forEach((node, i) => {
    const { inputs } = node;
    if (inputs.length === 0) return;
    plan.a[i] = inputs[0];
    if (inputs.length === 1 && node.exponent !== undefined) {
      plan.code[i] = POWC;
      plan.exponent[i] = node.exponent;
    } else if (inputs.length === 1 && UNARY.includes(node.op)) plan.code[i] = 1 + UNARY.indexOf(node.op);
    else if (inputs.length === 2 && BINARY.includes(node.op)) {
      plan.code[i] = ADD + BINARY.indexOf(node.op);
      plan.b[i] = inputs[1];
    } else plan.code[i] = UNKNOWN;
  });
  plans.set(nodes, plan);
  return plan;
}

/** True when every op of the graph is a built-in one the browser can replay. */
export function canReplay(nodes: readonly TopologyNode[]): boolean {
  return !planOf(nodes).code.includes(UNKNOWN);
}

/** Recompute every interior value from its inputs, in topological order (ids are that order). */
export function forward(nodes: readonly TopologyNode[], data: Float64Array): void {
  const { code, a, b, exponent } = planOf(nodes);
  for (let i = 0; i < code.length; i++) {
    const c = code[i];
    if (c === LEAF) continue;
    data[i] = apply(c, data[a[i]], b[i] < 0 ? exponent[i] : data[b[i]]);
  }
}

/**
 * A fresh backward pass from `root`: grad[i] = d root / d value i. The sweep of trace.ts, on the
 * plan: going down from the root each value's gradient is complete when it passes it on, as
 * local × grad to each input (a masked edge passes nothing).
 */
export function backward(nodes: readonly TopologyNode[], data: Float64Array, grad: Float64Array, root: number): void {
  const { code, a, b, exponent } = planOf(nodes);
  grad.fill(0);
  grad[root] = 1;
  for (let i = root; i >= 0; i--) {
    const c = code[i];
    if (c === LEAF) continue;
    const g = grad[i];
    const x = data[a[i]];
    const y = b[i] < 0 ? exponent[i] : data[b[i]];
    const first = local(c, 0, x, y, data[i]);
    if (first !== null) grad[a[i]] += first * g;
    if (b[i] < 0) continue;
    const second = local(c, 1, x, y, data[i]);
    if (second !== null) grad[b[i]] += second * g;
  }
}

/** d value / d input for every edge: what the stepper needs to replay backward step by step. */
export function localDerivatives(nodes: readonly TopologyNode[], data: Float64Array): Local[][] {
  const { code, a, b, exponent } = planOf(nodes);
  return nodes.map((_, i) => {
    const c = code[i];
    if (c === LEAF) return [];
    const x = data[a[i]];
    const y = b[i] < 0 ? exponent[i] : data[b[i]];
    const first = local(c, 0, x, y, data[i]);
    return b[i] < 0 ? [first] : [first, local(c, 1, x, y, data[i])];
  });
}
