/** Numbers in a fixed format, so that record widths do not jump while values change. */

/** The widest text `formatNumber` can produce, used to size records at layout time. */
export const WIDEST_NUMBER = "-0000.0000";

export function formatNumber(x: number): string {
  if (Number.isNaN(x)) return "nan";
  if (!Number.isFinite(x)) return x > 0 ? "inf" : "-inf";
  if (Math.abs(x) < 1e4) {
    const fixed = x.toFixed(4);
    return fixed === "-0.0000" ? "0.0000" : fixed;
  }
  return x.toExponential(3); // at most "-1.235e+308": as wide as the fixed form, give or take
}

/** The kernel sends inf and nan as strings (JSON has neither); Number() reads them back. */
export function toNumbers(values: readonly (number | string)[]): Float64Array {
  return Float64Array.from(values, Number);
}
