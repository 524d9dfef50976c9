import { afterEach, describe, expect, it, vi } from "vitest";
import { Replay } from "./standalone";
import { drag, mount, mounted, NEURON, neuronValues, record, slider } from "./testing/helpers";

afterEach(() => {
  for (const el of mounted.splice(0)) el.remove();
});

describe("a learner's engine, and a graph rebuilt by a function", () => {
  it("does not replay a learner's graph: the records wait for their engine's numbers", async () => {
    const { el, model } = await mount({ topology: { ...NEURON, replay: false, learner: true } });
    drag(slider(el, "x1"), 1);
    expect(model.sent).toHaveLength(1);
    expect(record(el, "x1").textContent).toContain("data 2.0000"); // not livegrad's replay
    const theirs = { ...neuronValues(1, (model.sent[0] as { ack: string }).ack), grad: Array(10).fill(0.25) };
    model.change("values", theirs);
    expect(record(el, "x1").textContent).toContain("data 1.0000");
    expect(record(el, "x1").textContent).toContain("grad 0.2500"); // whatever their backward gave
  });

  it("an input slider starts at its number and keeps its place; no node holds it", async () => {
    const sliders = [{ id: -1, label: "x", min: -4, max: 4, step: 0.01, initial: 1.5, value: 1.5 }];
    const { el, model } = await mount({ topology: { ...NEURON, replay: false }, sliders });
    const input = slider(el, "x");
    expect(input.value).toBe("1.5");
    drag(input, 0.5);
    expect(model.sent).toEqual([{ type: "set", values: [[-1, 0.5]], ack: expect.stringMatching(/:1$/) }]);
    model.change("values", neuronValues(2, (model.sent[0] as { ack: string }).ack));
    expect(input.value).toBe("0.5");
  });

  it("lays the graph out again when the kernel sends a new shape", async () => {
    const { el, model } = await mount({ topology: { ...NEURON, replay: false } });
    expect(el.querySelectorAll("g.lg-value")).toHaveLength(10);
    const grown = {
      ...NEURON,
      nodes: [...NEURON.nodes, { label: "p", name: "p", op: "*", inputs: [9, 9] }],
      root: 10,
      replay: false as const,
    };
    const values = neuronValues(2);
    model.change("values", { ...values, data: [...values.data, 0.5], grad: [...values.grad, 1], local: [] });
    model.change("topology", grown);
    await vi.waitFor(() => expect(el.querySelectorAll("g.lg-value")).toHaveLength(11));
    expect(el.querySelectorAll(".livegrad")).toHaveLength(1);
    expect(record(el, "p").textContent).toContain("data 0.5000");
  });
});

describe("an op livegrad does not know", () => {
  it("is said on its node", async () => {
    const nodes = NEURON.nodes.map((n) => (n.op === "tanh" ? { ...n, op: "Tanh2", unknown_op: true } : n));
    const { el } = await mount({ topology: { ...NEURON, nodes, replay: false, learner: true } });
    const op = el.querySelector<SVGGElement>('g.lg-op[data-unknown-op="true"]')!;
    expect(op.dataset.op).toBe("Tanh2");
    expect(op.querySelector("text")!.textContent).toBe("Tanh2 ?");
    expect(op.querySelector("title")!.textContent).toContain('livegrad does not know the op "Tanh2"');
    expect(el.querySelectorAll('g.lg-op[data-unknown-op="true"]')).toHaveLength(1);
  });
});

describe("a saved page of a learner's graph", () => {
  it("replays nothing: every slider needs their engine, in Python", () => {
    const leaves = NEURON.nodes.flatMap((n, i) => (n.inputs.length === 0 ? [i] : []));
    expect(new Replay(NEURON.nodes, NEURON.root, neuronValues(2), false).blocked.size).toBe(leaves.length);
    expect(new Replay(NEURON.nodes, NEURON.root, neuronValues(2)).blocked.size).toBe(0);
  });
});

describe("Check gradients on a learner's graph", () => {
  it("marks the node with what is wrong in its own backward", async () => {
    const note = "backward sets = instead of +=";
    const locals = [
      { node: 2, index: 0, input: 0, autograd: -3, numeric: -3, ok: false, note },
      { node: 2, index: 1, input: 1, autograd: 2, numeric: 2, ok: false, note }, // said once
    ];
    const { el } = await mount({
      topology: { ...NEURON, replay: false, learner: true },
      check_gradients: true,
      gradient_check: { leaves: [], locals },
    });
    const marked = el.querySelector<SVGGElement>('[data-gradcheck="fail"]')!;
    expect(marked.dataset.label).toBe("x1*w1");
    expect(el.querySelector(".lg-gradcheck-note")!.textContent).toBe(`✗ ${note}`);
  });
});
