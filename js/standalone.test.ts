import { describe, expect, it } from "vitest";
import type { Topology } from "./graph";
import { Replay, StandaloneModel } from "./standalone";
import { neuronState as state, neuronValues, node, OPS } from "./testing/helpers";

const settle = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

describe("the saved page's stand-in for the kernel", () => {
  it("answers a slider message later, with its ack and the replayed values", async () => {
    const model = new StandaloneModel(state());
    let changes = 0;
    model.on("change:values", () => changes++);
    model.send({ type: "set", values: [[0, 1]], ack: "page:1" });
    expect(changes).toBe(0); // never inside the sender's own call
    await settle();
    expect(changes).toBe(1);
    const want = neuronValues(1);
    const got = model.get("values");
    expect(got.ack).toBe("page:1");
    got.data.forEach((x, i) => expect(Number(x)).toBeCloseTo(Number(want.data[i]), 12));
    got.grad.forEach((g, i) => expect(Number(g)).toBeCloseTo(Number(want.grad[i]), 12));
  });

  it("refuses a malformed message with an error, still answering its ack", async () => {
    const model = new StandaloneModel(state());
    model.send({ type: "set", values: [[9, 1]], ack: "page:2" }); // 9 is not a slider leaf
    model.send({ type: "set", values: [[0, "x"]], ack: "page:3" });
    await settle();
    expect(model.get("error")).toMatch(/Refused a message/);
    expect(model.get("values").ack).toBe("page:3");
    expect(model.get("values").data).toEqual(neuronValues(2).data);
  });

  it("checks gradients with central differences, in Python's shape", async () => {
    const model = new StandaloneModel(state());
    model.set("check_gradients", true);
    model.save_changes();
    await settle();
    const checks = model.get("gradient_check").leaves;
    expect(checks.map((c) => c.id)).toEqual([0, 1, 3, 4, 7]);
    const analytic = neuronValues(2).grad;
    for (const check of checks) {
      expect(check.ok).toBe(true);
      expect(Number(check.numeric)).toBeCloseTo(Number(analytic[check.id]), 6);
    }
  });

  it("keeps an op it cannot replay as saved, and blocks only the leaves that feed it", () => {
    // y = cube(x) * w + c, with cube an op of the user's own (3 x² as its local derivative).
    const topology: Topology = {
      nodes: [
        node("x"),
        node("", "cube", [0], "cube(x)"),
        node("w"),
        node("", "*", [1, 2], "cube(x)·w"),
        node("c"),
        node("y", "+", [3, 4]),
      ],
      root: 5,
      ops: { cube: { formula: null, locals: null }, "*": OPS["*"], "+": OPS["+"] },
    };
    const saved = {
      data: [1.5, 3.375, -2, -6.75, 0.5, -6.25],
      grad: [],
      local: [[], [6.75], [], [-2, 3.375], [], [1, 1]],
    };
    const replay = new Replay(topology.nodes, topology.root, saved);
    expect([...replay.blocked]).toEqual([[0, "cube"]]);
    const data = Float64Array.from(saved.data);
    data[2] = 3; // w moves
    const grad = replay.run(data);
    expect(data[1]).toBe(3.375); // the cube as saved
    expect(data[5]).toBeCloseTo(3.375 * 3 + 0.5, 12);
    expect(grad[0]).toBeCloseTo(6.75 * 3, 12); // through the cube's saved local derivative
    expect(grad[2]).toBeCloseTo(3.375, 12);
    expect(replay.check(data, grad, [0, 2, 4]).map((c) => c.id)).toEqual([2, 4]);
  });
});
