import { afterEach, describe, expect, it, vi } from "vitest";
import { mount, mounted, neuronValues, node, OPS, record } from "./testing/helpers";
import { Stepper } from "./stepper";

const panel = (el: HTMLElement) => el.querySelector<HTMLElement>("[data-testid=step-panel]")!;
const lines = (el: HTMLElement) => [...panel(el).children].map((line) => line.textContent);
const button = (el: HTMLElement, name: string) =>
  [...el.querySelectorAll<HTMLButtonElement>(".lg-stepper button")].find(
    (b) => (b.getAttribute("aria-label") ?? b.textContent) === name,
  )!;
const key = (el: HTMLElement, k: string) =>
  el.querySelector(".lg-stepper")!.dispatchEvent(new KeyboardEvent("keydown", { key: k, bubbles: true }));
const receiving = (el: HTMLElement) =>
  [...el.querySelectorAll<SVGGElement>("g.lg-value.lg-receiving")].map((g) => g.dataset.label).sort();

afterEach(() => {
  vi.useRealTimers();
  for (const el of mounted.splice(0)) el.remove();
});

describe("the stepper's controls", () => {
  it("offers no naive order on a PyTorch tensor graph, and says why", async () => {
    const { el } = await mount();
    expect(button(el, "Naive order").disabled).toBe(false);
    const values = {
      ...neuronValues(2),
      flows: [
        null,
        null,
        [
          [1, 1],
          [2, 2],
        ],
        null,
        null,
        null,
        null,
        null,
        null,
        null,
      ],
    };
    const tensor = await mount({ values });
    expect(button(tensor.el, "Naive order").disabled).toBe(true);
    expect(button(tensor.el, "Naive order").title).toMatch(/local derivatives are matrices/);
  });

  it("names the two passes, and shows the step controls only while stepping, keeping their room", async () => {
    const { el } = await mount();
    const controls = el.querySelector<HTMLElement>(".lg-step-controls")!;
    expect([controls.hidden, controls.style.visibility]).toEqual([false, "hidden"]); // there, unseen: no jump
    expect(button(el, "Step backward pass").title).not.toBe("");
    button(el, "Step backward pass").click();
    expect(controls.style.visibility).toBe("");
    expect(button(el, "Step backward pass").getAttribute("aria-pressed")).toBe("true");
    expect(button(el, "Step forward pass").getAttribute("aria-pressed")).toBe("false");
    expect(el.querySelector(".lg-step-count")!.textContent).toBe("Backward pass: step 0 of 5");
    expect(button(el, "First step").disabled).toBe(true);
    expect(button(el, "Previous step").disabled).toBe(true);
    key(el, "End");
    expect(button(el, "Next step").disabled).toBe(true);
    expect(button(el, "Last step").disabled).toBe(true);
    expect(button(el, "Previous step").disabled).toBe(false);
    button(el, "Done").click();
    expect(controls.style.visibility).toBe("hidden");
  });

  it("gives every button an accessible name and a tooltip", async () => {
    const { el } = await mount();
    const buttons = [...el.querySelectorAll<HTMLButtonElement>("button")];
    expect(buttons.length).toBeGreaterThanOrEqual(10);
    for (const b of buttons) {
      expect((b.getAttribute("aria-label") ?? b.textContent ?? "").trim()).not.toBe("");
      expect(b.title.trim()).not.toBe("");
    }
  });

  it("writes each step into a live region of fixed height", async () => {
    const { el } = await mount();
    expect(panel(el).getAttribute("role")).toBe("status");
    expect([panel(el).hidden, panel(el).dataset.stepping]).toEqual([false, "false"]); // its room kept, a hint in it
    expect(lines(el)).toEqual(["Step forward pass or Step backward pass (→) to see each step's arithmetic here."]);
    const height = panel(el).style.height;
    expect(height).toMatch(/em$/);
    button(el, "Step backward pass").click();
    expect(panel(el).dataset.stepping).toBe("true");
    expect(lines(el)).toHaveLength(1);
    expect(panel(el).style.height).toBe(height);
    key(el, "End");
    expect(lines(el)).toHaveLength(2);
    expect(panel(el).style.height).toBe(height);
    expect(panel(el).dataset.more).toBe("false"); // all its lines in view: no fade at its foot
  });
});

describe("stepping through the backward pass", () => {
  it("starts at the root with every other gradient pending, not zero", async () => {
    const { el, model } = await mount();
    button(el, "Step backward pass").click();
    expect(model.get("step")).toBe(0);
    expect(model.get("mode")).toBe("backward");
    expect(record(el, "o").textContent).toContain("grad 1.0000");
    expect(record(el, "x1").textContent).toContain("grad ?");
    expect(record(el, "x1").classList.contains("lg-pending")).toBe(true);
    expect(record(el, "o").classList.contains("lg-current")).toBe(true);
    expect(lines(el)).toEqual(["o.grad = 1 (d o / d o). Step on to pass it back."]);
  });

  it("each step lands its chain-rule contributions, in the op table's words and the nodes' names", async () => {
    const { el, model } = await mount();
    button(el, "Step backward pass").click();
    button(el, "Next step").click(); // tanh passes o.grad to n
    expect(lines(el)).toEqual(["n.grad += (1 − o.data²) × o.grad = 0.5000 × 1.0000 = 0.5000"]);
    expect(record(el, "n").textContent).toContain("grad 0.5000");
    expect(record(el, "x1").textContent).toContain("grad ?");
    expect(el.querySelectorAll(".edge.lg-active")).toHaveLength(1);
    expect(receiving(el)).toEqual(["n"]);
    expect(record(el, "o").classList.contains("lg-current")).toBe(true);
    for (let i = 0; i < 3; i++) key(el, "ArrowRight"); // +, +, then x2*w2 (reverse topological order)
    expect(model.get("step")).toBe(4);
    expect(lines(el)).toEqual([
      "x2.grad += w2.data × (x2*w2).grad = 1.0000 × 0.5000 = 0.5000",
      "w2.grad += x2.data × (x2*w2).grad = 0.0000 × 0.5000 = 0.0000",
    ]);
    expect(receiving(el)).toEqual(["w2", "x2"]);
    expect(record(el, "x2").textContent).toContain("grad 0.5000");
    expect(record(el, "x1").textContent).toContain("grad ?");
    key(el, "End");
    expect(model.get("step")).toBe(5);
    expect(lines(el)).toEqual([
      "x1.grad += w1.data × (x1*w1).grad = -3.0000 × 0.5000 = -1.5000",
      "w1.grad += x1.data × (x1*w1).grad = 2.0000 × 0.5000 = 1.0000",
    ]);
    expect(receiving(el)).toEqual(["w1", "x1"]);
    expect(record(el, "x1*w1").classList.contains("lg-current")).toBe(true);
    expect(record(el, "x1").textContent).toContain("grad -1.5000");
    expect(el.querySelectorAll(".lg-pending")).toHaveLength(0);
    key(el, "Home");
    expect(model.get("step")).toBe(0);
    key(el, "ArrowLeft");
    expect(model.get("step")).toBe(0);
  });

  it("shows a second contribution accumulating", async () => {
    const { el } = await mount({
      topology: { nodes: [node("a"), node("b", "+", [0, 0])], root: 1, ops: { "+": OPS["+"] } },
      values: { data: [1, 2], grad: [2, 1], local: [[], [1, 1]] },
      sliders: [{ id: 0, label: "a", min: -2, max: 2, step: 0.1, initial: 1 }],
    });
    button(el, "Step backward pass").click();
    key(el, "ArrowRight");
    expect(lines(el)).toEqual([
      "a.grad += 1 × b.grad = 1.0000 × 1.0000 = 1.0000",
      "a.grad += 1 × b.grad = 1.0000 × 1.0000 = 1.0000",
      "a.grad = 1.0000 + 1.0000 = 2.0000",
    ]);
    expect(record(el, "a").textContent).toContain("grad 2.0000");
  });

  it("names unlabelled values as the kernel does, never by an id", async () => {
    // 2 * x + x*x, unlabelled but for x: the names are the kernel's (derived from the op table).
    const { el } = await mount({
      topology: {
        nodes: [
          node("", "", [], "2"),
          node("x"),
          node("", "*", [0, 1], "2·x"),
          node("", "*", [1, 1], "x·x"),
          node("", "+", [2, 3], "(2·x) + (x·x)"),
        ],
        root: 4,
        ops: { "*": OPS["*"], "+": OPS["+"] },
      },
      values: { data: [2, 3, 6, 9, 15], grad: [3, 8, 1, 1, 1], local: [[], [], [3, 2], [3, 3], [1, 1]] },
      sliders: [{ id: 1, label: "x", min: -4, max: 4, step: 0.01, initial: 3 }],
    });
    button(el, "Step backward pass").click();
    key(el, "ArrowRight");
    expect(lines(el)).toEqual(
      [
        "(x·x).grad += 1 × ((2·x) + (x·x)).grad = 1.0000 × 1.0000 = 1.0000",
        "(2·x).grad += 1 × ((2·x) + (x·x)).grad = 1.0000 × 1.0000 = 1.0000",
      ].reverse(),
    );
    key(el, "End");
    expect(lines(el)).toEqual([
      "2.grad += x.data × (2·x).grad = 3.0000 × 1.0000 = 3.0000",
      "x.grad += 2 × (2·x).grad = 2.0000 × 1.0000 = 2.0000",
      "x.grad = 6.0000 + 2.0000 = 8.0000",
    ]);
    expect(panel(el).textContent).not.toMatch(/#\d/);
    button(el, "Step forward pass").click();
    key(el, "End");
    expect(lines(el)).toEqual(["(2·x) + (x·x) = 6.0000 + 9.0000 = 15.0000"]);
  });

  it("shows a masked edge honestly: no gradient, and no 0 × inf = nan", async () => {
    // y = gate(relu(x), big), gate a custom op (so the kernel's locals are used): relu is flat at x = -1,
    // so x gets nothing even though r's grad is infinite.
    const { el } = await mount({
      topology: {
        nodes: [node("x"), node("r", "relu", [0]), node("big"), node("y", "gate", [1, 2])],
        root: 3,
        ops: { relu: OPS.relu, gate: { formula: null, locals: null } },
      },
      values: {
        data: [-1, 0, "Infinity", "NaN"],
        grad: [0, "Infinity", "NaN", 1],
        local: [[], [null], [], ["Infinity", 0]],
      },
      sliders: [],
    });
    button(el, "Step backward pass").click();
    key(el, "End");
    expect(lines(el)).toEqual(["x.grad += 0 (relu passes no gradient to x here)"]);
    expect(record(el, "x").textContent).toContain("grad 0.0000");
    expect(record(el, "x").classList.contains("lg-nonfinite")).toBe(false);
    expect(receiving(el)).toEqual(["x"]);
  });

  it("writes a generic derivative for a custom op without formulas", async () => {
    const { el } = await mount({
      topology: { nodes: [node("x"), node("y", "cube", [0])], root: 1, ops: { cube: { formula: null, locals: null } } },
      values: { data: [1.5, 3.375], grad: [4.5, 1], local: [[], [4.5]] },
      sliders: [{ id: 0, label: "x", min: -4, max: 4, step: 0.01, initial: 1.5 }],
    });
    button(el, "Step backward pass").click();
    key(el, "End");
    expect(lines(el)).toEqual(["x.grad += ∂y/∂x × y.grad = 4.5000 × 1.0000 = 4.5000"]);
    button(el, "Step forward pass").click();
    key(el, "End");
    expect(lines(el)).toEqual(["y = cube(x) = cube(1.5000) = 3.3750"]);
  });

  it("follows Python's step and mode, and keeps the step when a slider moves", async () => {
    const { el, model } = await mount();
    model.change("step", 5);
    expect(record(el, "x1").textContent).toContain("grad -1.5000");
    const x1 = [...el.querySelectorAll<HTMLInputElement>("input[type=range]")][0];
    x1.value = "1";
    x1.dispatchEvent(new Event("input"));
    expect(model.get("step")).toBe(5);
    const want = neuronValues(1);
    expect(record(el, "x1").textContent).toContain(`grad ${(want.grad[0] as number).toFixed(4)}`);
    expect(lines(el)[0]).toBe(
      `x1.grad += w1.data × (x1*w1).grad = -3.0000 × ${(want.grad[2] as number).toFixed(4)} = ${(want.grad[0] as number).toFixed(4)}`,
    );
    model.change("step", 4);
    expect(record(el, "x1").textContent).toContain("grad ?");
    model.change("step", -1);
    expect(el.querySelectorAll(".lg-pending")).toHaveLength(0);
    expect(el.querySelectorAll(".lg-current, .lg-receiving")).toHaveLength(0);
    expect(panel(el).dataset.stepping).toBe("false");
  });

  it("plays at the chosen speed and stops at the end", async () => {
    const { el, model } = await mount();
    vi.useFakeTimers();
    button(el, "Step backward pass").click();
    button(el, "Play or pause").click();
    expect(model.get("step")).toBe(0);
    vi.advanceTimersByTime(500 * 10);
    expect(model.get("step")).toBe(5);
    expect(button(el, "Play or pause").textContent).toBe("Play");
  });
});

describe("stepping through the forward pass", () => {
  it("computes values in topological order, each op's formula in names then in numbers", async () => {
    const { el, model } = await mount();
    button(el, "Step forward pass").click();
    expect(record(el, "o").textContent).toContain("data ?");
    expect(record(el, "x1").textContent).toContain("data 2.0000");
    key(el, "ArrowRight");
    expect(model.get("mode")).toBe("forward");
    expect(lines(el)).toEqual(["x1*w1 = x1·w1 = 2.0000·(-3.0000) = -6.0000"]);
    expect(receiving(el)).toEqual(["w1", "x1"]);
    expect(record(el, "x1*w1").classList.contains("lg-current")).toBe(true);
    key(el, "ArrowRight");
    key(el, "ArrowRight");
    expect(lines(el)).toEqual(["x1*w1 + x2*w2 = (x1*w1) + (x2*w2) = (-6.0000) + 0.0000 = -6.0000"]);
    key(el, "End");
    expect(lines(el)).toEqual(["o = tanh(n) = tanh(0.8814) = 0.7071"]);
    expect(record(el, "o").textContent).toContain("data 0.7071");
  });
});

describe("the gradient check", () => {
  it("marks each slider leaf, and on the graph the value whose op has a wrong local derivative", async () => {
    const { el, model } = await mount();
    [...el.querySelectorAll<HTMLButtonElement>(".lg-toolbar button")]
      .find((b) => b.textContent === "Check gradients")!
      .click();
    expect(model.get("check_gradients")).toBe(true);
    const ok = (node: number, index: number, input: number) => ({
      node,
      index,
      input,
      autograd: 1,
      numeric: 1,
      ok: true,
    });
    model.change("gradient_check", {
      leaves: [
        { id: 0, autograd: -1.5, numeric: -1.5000000001, ok: true },
        { id: 1, autograd: 7, numeric: 1.0, ok: false },
      ],
      locals: [
        ok(2, 0, 0),
        { node: 2, index: 1, input: 1, autograd: 7, numeric: 2, ok: false },
        ok(5, 0, 3),
        ok(9, 0, 8),
      ],
    });
    const checks = [...el.querySelectorAll<HTMLElement>(".lg-check")];
    expect(checks[0].textContent).toBe("✓");
    expect(checks[1].textContent).toBe("✗ numeric 1.0000");
    expect(checks[1].title).toContain("do not match");
    expect([...el.querySelectorAll<SVGGElement>('[data-gradcheck="fail"]')].map((g) => g.dataset.label)).toEqual([
      "x1*w1",
    ]);
    expect(record(el, "o").dataset.gradcheck).toBe("ok");
    model.change("gradient_check", { leaves: [], locals: [] });
    expect(el.querySelectorAll("[data-gradcheck]")).toHaveLength(0);
  });
});

describe("the mode buttons in a narrow output", () => {
  it("keep their whole accessible name while the words Step and pass may give way", () => {
    const stepper = new Stepper({ start: () => {}, go: () => {}, leave: () => {}, naive: () => {} } as never);
    const forward = [...stepper.element.querySelectorAll("button")].find((b) => b.textContent === "Step forward pass")!;
    expect(forward.getAttribute("aria-label")).toBe("Step forward pass");
    expect([...forward.querySelectorAll(".lg-wide")].map((s) => s.textContent)).toEqual(["Step ", " pass"]);
    const topo = [...stepper.element.querySelectorAll("button")].find(
      (b) => b.textContent === "Step topological sort",
    )!;
    expect([...topo.querySelectorAll(".lg-wide")].map((s) => s.textContent)).toEqual(["Step "]);
  });
});
