import { describe, expect, it } from "vitest";
import { toNumbers } from "./format";
import type { Topology } from "./graph";
import { Replay, renderSaved, StandaloneModel } from "./standalone";
import { NEURON, neuronState as state, neuronValues, node, OPS } from "./testing/helpers";
import widget from "./widget";

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
    toNumbers(got.data).forEach((x, i) => expect(x).toBeCloseTo(Number(want.data[i]), 12));
    toNumbers(got.grad).forEach((g, i) => expect(g).toBeCloseTo(Number(want.grad[i]), 12));
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
    expect(model.get("gradient_check").summary).toBe("5/5 leaves match · a saved page checks the leaves only");
  });

  it("runs backward when the page asks (a graph saved before its backward ran)", async () => {
    const found = { ...neuronValues(2), grad: neuronValues(2).grad.map(() => 0), grads_computed: false };
    const model = new StandaloneModel(state({ values: found }));
    model.send({ type: "backward" });
    await settle();
    const got = model.get("values");
    expect(got.grads_computed).toBe(true);
    toNumbers(got.grad).forEach((g, i) => expect(g).toBeCloseTo(Number(neuronValues(2).grad[i]), 12));
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

  it("blocks every slider of a graph only Python can run, and claims no ✓ for it", async () => {
    const input = { id: -1, label: "x", min: -4, max: 4, step: 0.008, initial: 2, value: 2 };
    const built = new StandaloneModel(state({ topology: { ...NEURON, replay: false }, sliders: [input] }));
    built.send({ type: "set", values: [[-1, 3]], ack: "page:1" });
    await settle();
    expect(built.get("error")).toBe("That slider needs Python: your build function computes this graph.");
    expect(built.get("values").data).toEqual(neuronValues(2).data);
    built.set("check_gradients", true);
    built.save_changes();
    await settle();
    expect(built.get("gradient_check").leaves).toEqual([]);

    const learner = new StandaloneModel(state({ topology: { ...NEURON, replay: false, learner: true } }));
    learner.send({ type: "set", values: [[0, 1]], ack: "page:2" });
    await settle();
    expect(learner.get("error")).toBe("That slider needs Python: your engine's backward computes these gradients.");
    expect(learner.get("values").data).toEqual(neuronValues(2).data);
  });

  it("disables from_function's input sliders on the saved page, saying why", async () => {
    const el = document.createElement("div");
    document.body.append(el);
    const input = { id: -1, label: "x", min: -4, max: 4, step: 0.008, initial: 2, value: 2 };
    await renderSaved(el, state({ topology: { ...NEURON, replay: false }, sliders: [input] }), widget.render as never);
    const note = el.querySelector<HTMLElement>('[data-testid="needs-python"]')!;
    expect(note.textContent).toBe("needs Python");
    expect(note.title).toContain("your build function computes this graph");
    expect(el.querySelector<HTMLInputElement>('input[aria-label="x value"]')!.disabled).toBe(true);
    el.remove();
  });
});
