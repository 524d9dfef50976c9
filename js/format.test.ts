import { describe, expect, it } from "vitest";
import { jsonNumber, toNumbers } from "./format";

describe("numbers through JSON", () => {
  it("jsonNumber and toNumbers are inverses, inf and nan included (JSON has neither)", () => {
    const xs = [1.5, -0.25, 0, Infinity, -Infinity, NaN];
    const sent = JSON.parse(JSON.stringify(xs.map(jsonNumber))) as (number | string)[];
    expect(sent).toEqual([1.5, -0.25, 0, "Infinity", "-Infinity", "NaN"]);
    expect(Array.from(toNumbers(sent))).toEqual(xs);
  });

  it("toNumbers reads a binary buffer of float64 little-endian, as the kernel sends big graphs", () => {
    const xs = [1.5, -0.25, 0, Infinity, -Infinity, NaN, 5e-324];
    const bytes = new ArrayBuffer(8 + 8 * xs.length); // the view starts 8 bytes in, as a buffer inside a message may
    const view = new DataView(bytes, 8, 8 * xs.length);
    xs.forEach((x, i) => view.setFloat64(8 * i, x, true));
    new DataView(bytes).setFloat64(0, 7, true); // read by a decoder that ignored the view's offset
    expect(Array.from(toNumbers(view))).toEqual(xs);
  });
});
