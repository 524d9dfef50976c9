import { describe, expect, it } from "vitest";
import { cardName, formatShape, jsonNumber, toNumbers } from "./format";
import { describeTensor } from "./cardtext";
import { readTopology } from "./graph";

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

describe("a PyTorch tensor's record", () => {
  it("writes its shape as 8×4 after its name, and nothing for a single number", () => {
    expect(formatShape([8, 4])).toBe("8×4");
    expect(formatShape([2, 3, 5])).toBe("2×3×5");
    expect(cardName({ name: "h", shape: [8, 4] })).toBe("h 8×4");
    expect(cardName({ name: "n" })).toBe("n");
  });

  it("reads shapes and torch's backward names from the columns Python sends", () => {
    const node = readTopology({
      columns: {
        label: ["", ""],
        name: ["x", "tanh(x)"],
        op: ["", "tanh"],
        inputs: [[], [0]],
        group: [-1, -1],
        shape: [[8, 4], null],
        backward: ["", "TanhBackward0"],
      },
      exponents: [],
      unknown_ops: [],
      shared: [],
      root: 1,
      ops: {},
    }).nodes;
    expect([node[0].shape, node[0].backward, node[1].shape, node[1].backward]).toEqual([
      [8, 4],
      undefined,
      undefined,
      "TanhBackward0",
    ]);
  });
});

describe("a PyTorch tensor's hover", () => {
  it("sums it up, with every number of a small one", () => {
    const text = describeTensor({ mean: 0.5, std: "NaN", grad_norm: 2, data: [0, 1], grad: [1, "Infinity"] });
    expect(text).toBe("\nmean 0.5000 ± nan, gradient norm 2.0000\ndata [0.0000, 1.0000]\ngrad [1.0000, inf]");
    expect(describeTensor(null)).toBe("");
  });
});
