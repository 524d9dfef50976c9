import { afterEach, describe, expect, it, vi } from "vitest";
import { mount, mounted, neuronValues, record } from "./test-helpers";

const panel = (el: HTMLElement) => el.querySelector<HTMLElement>("[data-testid=step-panel]")!;
const button = (el: HTMLElement, name: string) =>
  [...el.querySelectorAll<HTMLButtonElement>(".lg-stepper button")].find((b) => b.getAttribute("aria-label") === name)!;
const key = (el: HTMLElement, k: string) =>
  el.querySelector(".lg-stepper")!.dispatchEvent(new KeyboardEvent("keydown", { key: k, bubbles: true }));

afterEach(() => {
  vi.useRealTimers();
  for (const el of mounted.splice(0)) el.remove();
});

describe("stepping through the backward pass", () => {
  it("starts at the root with every other gradient pending, not zero", async () => {
    const { el, model } = await mount();
    button(el, "Step through the backward pass").click();
    expect(model.get("step")).toBe(0);
    expect(model.get("mode")).toBe("backward");
    expect(record(el, "o").textContent).toContain("grad 1.0000");
    expect(record(el, "x1").textContent).toContain("grad ?");
    expect(record(el, "x1").classList.contains("lg-pending")).toBe(true);
    expect(record(el, "o").classList.contains("lg-current")).toBe(true);
    expect(panel(el).textContent).toContain("o.grad = 1");
  });

  it("each step lands its chain-rule contributions, in the user's labels", async () => {
    const { el, model } = await mount();
    button(el, "Step through the backward pass").click();
    button(el, "Next step").click(); // tanh passes o.grad to n
    expect(panel(el).textContent).toBe("n.grad += (1 - o.data²) × o.grad = 0.5000 × 1.0000 = 0.5000");
    expect(record(el, "n").textContent).toContain("grad 0.5000");
    expect(record(el, "x1").textContent).toContain("grad ?");
    expect(el.querySelectorAll(".edge.lg-active")).toHaveLength(1);
    for (let i = 0; i < 3; i++) key(el, "ArrowRight"); // +, +, then x2*w2 (reverse topological order)
    expect(model.get("step")).toBe(4);
    expect(panel(el).textContent).toContain("x2.grad += w2.data × (x2*w2).grad = 1.0000 × 0.5000 = 0.5000");
    expect(record(el, "x2").textContent).toContain("grad 0.5000");
    expect(record(el, "x1").textContent).toContain("grad ?");
    key(el, "End");
    expect(model.get("step")).toBe(5);
    expect(panel(el).textContent).toContain("x1.grad += w1.data × (x1*w1).grad = -3.0000 × 0.5000 = -1.5000");
    expect(panel(el).textContent).toContain("w1.grad += x1.data × (x1*w1).grad = 2.0000 × 0.5000 = 1.0000");
    expect(record(el, "x1").textContent).toContain("grad -1.5000");
    expect(el.querySelectorAll(".lg-pending")).toHaveLength(0);
    key(el, "Home");
    expect(model.get("step")).toBe(0);
    key(el, "ArrowLeft");
    expect(model.get("step")).toBe(0);
  });

  it("shows a second contribution accumulating", async () => {
    const { el } = await mount({
      topology: {
        nodes: [
          { label: "a", op: "", inputs: [] },
          { label: "b", op: "+", inputs: [0, 0] },
        ],
        root: 1,
      },
      values: { data: [1, 2], grad: [2, 1], local: [[], [1, 1]] },
      sliders: [{ id: 0, label: "a", min: -2, max: 2, step: 0.1 }],
    });
    button(el, "Step through the backward pass").click();
    key(el, "ArrowRight");
    expect(panel(el).textContent).toContain("a.grad = 1.0000 + 1.0000 = 2.0000");
    expect(record(el, "a").textContent).toContain("grad 2.0000");
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
    model.change("step", 4);
    expect(record(el, "x1").textContent).toContain("grad ?");
    model.change("step", -1);
    expect(el.querySelectorAll(".lg-pending")).toHaveLength(0);
    expect(panel(el).hidden).toBe(true);
  });

  it("plays at the chosen speed and stops at the end", async () => {
    const { el, model } = await mount();
    vi.useFakeTimers();
    button(el, "Play or pause").click();
    expect(model.get("step")).toBe(0);
    vi.advanceTimersByTime(500 * 10);
    expect(model.get("step")).toBe(5);
    expect(button(el, "Play or pause").textContent).toBe("Play");
  });
});

describe("stepping through the forward pass", () => {
  it("computes values in topological order with each op's arithmetic", async () => {
    const { el, model } = await mount();
    button(el, "Step through the forward pass").click();
    expect(record(el, "o").textContent).toContain("data ?");
    expect(record(el, "x1").textContent).toContain("data 2.0000");
    key(el, "ArrowRight");
    expect(model.get("mode")).toBe("forward");
    expect(panel(el).textContent).toBe("(x1*w1) = x1 × w1 = 2.0000 × -3.0000 = -6.0000");
    key(el, "End");
    expect(panel(el).textContent).toBe("o = tanh(n) = tanh(0.8814) = 0.7071");
    expect(record(el, "o").textContent).toContain("data 0.7071");
  });
});

describe("the gradient check", () => {
  it("marks each slider leaf, a mismatch clearly", async () => {
    const { el, model } = await mount();
    [...el.querySelectorAll<HTMLButtonElement>(".lg-toolbar button")]
      .find((b) => b.textContent === "Check gradients")!
      .click();
    expect(model.get("check_gradients")).toBe(true);
    model.change("gradient_check", [
      { id: 0, autograd: -1.5, numeric: -1.5000000001, ok: true },
      { id: 1, autograd: 7, numeric: 1.0, ok: false },
    ]);
    const checks = [...el.querySelectorAll<HTMLElement>(".lg-check")];
    expect(checks[0].textContent).toBe("✓");
    expect(checks[1].textContent).toBe("✗ numeric 1.0000");
    expect(checks[1].title).toContain("do not match");
  });
});
