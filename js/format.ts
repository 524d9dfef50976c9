/** Numbers in a fixed format, so that record widths do not jump while values change. */
import type { Numbers } from "./graph";

/** A tensor's shape as a record writes it: "8×4" (a single number has none). */
export function formatShape(shape: readonly number[]): string {
  return shape.length ? shape.join("×") : "scalar";
}

/** A card's name line: the value's name, and a tensor's shape after it ("h 8×4"). */
export function cardName(node: { name: string; shape?: readonly number[] }): string {
  return node.shape ? `${node.name} ${formatShape(node.shape)}` : node.name;
}

/** What a gradient mark from the kernel means, in a few words (hover text). */
export const GRADIENT_MARKS: Record<string, string> = {
  zero: "the gradient is exactly 0 everywhere: nothing reaches this value (a dead unit?)",
  vanishing: "the gradient is vanishing (every element below 1e-7)",
  inf: "the gradient holds inf",
  nan: "the gradient holds nan",
};

/** The widest text `formatNumber` can produce, used to size records at layout time. */
export const WIDEST_NUMBER = "-0000.0000";

/**
 * Four decimals; a non-zero value too small for them in scientific notation ("3.2e-07"), so it
 * never reads as zero; from 1e4 on, four significant digits ("1.235e+04"). At most 10 characters.
 */
export function formatNumber(x: number): string {
  if (Number.isNaN(x)) return "nan";
  if (!Number.isFinite(x)) return x > 0 ? "inf" : "-inf";
  if (x === 0) return "0.0000";
  const size = Math.abs(x);
  const fixed = x.toFixed(4);
  if (size >= 1e4 || fixed.length > 10) return scientific(x, size < 1e100 ? 3 : 2); // "-10000.0000" is too wide
  return /^-?0\.0000$/.test(fixed) ? scientific(x, 1) : fixed;
}

/** Python's style of exponent, at least two digits: 3.2e-07, 1.235e+04. */
function scientific(x: number, digits: number): string {
  const [mantissa, exponent] = x.toExponential(digits).split("e");
  const sign = exponent[0];
  return `${mantissa}e${sign}${exponent.slice(1).padStart(2, "0")}`;
}

/** A slider's value as its step can tell it apart: no more decimals than the step has. */
export function roundToStep(x: number, step: number): string {
  if (!Number.isFinite(x) || !(step > 0)) return String(x);
  const decimals = Math.min(12, Math.max(0, Math.ceil(-Math.log10(step) - 1e-9)));
  return String(Number(x.toFixed(decimals)));
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1; // every browser in use

/**
 * Numbers as the kernel sends them: a JSON list, where inf and nan are strings (JSON has neither) that
 * Number() reads back, or a binary buffer of float64 little-endian (big graphs), which arrives as a DataView.
 */
export function toNumbers(values: Numbers): Float64Array {
  if (!(values instanceof DataView)) return Float64Array.from(values, Number);
  const end = values.byteOffset + values.byteLength - (values.byteLength % 8);
  if (LITTLE_ENDIAN) return new Float64Array(values.buffer.slice(values.byteOffset, end)); // one native copy
  const numbers = new Float64Array(values.byteLength / 8);
  for (let i = 0; i < numbers.length; i++) numbers[i] = values.getFloat64(8 * i, true);
  return numbers;
}

/** JSON has no inf or nan: the strings JavaScript's Number() reads back (as graph.py's json_number). */
export function jsonNumber(x: number): number | string {
  if (Number.isFinite(x)) return x;
  return Number.isNaN(x) ? "NaN" : x > 0 ? "Infinity" : "-Infinity";
}
