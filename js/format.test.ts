import { describe, expect, it } from "vitest";
import { jsonNumber, toNumbers } from "./format";

describe("numbers through JSON", () => {
  it("jsonNumber and toNumbers are inverses, inf and nan included (JSON has neither)", () => {
    const xs = [1.5, -0.25, 0, Infinity, -Infinity, NaN];
    const sent = JSON.parse(JSON.stringify(xs.map(jsonNumber))) as (number | string)[];
    expect(sent).toEqual([1.5, -0.25, 0, "Infinity", "-Infinity", "NaN"]);
    expect(Array.from(toNumbers(sent))).toEqual(xs);
  });
});
