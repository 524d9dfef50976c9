/** The sort stepped in the page, the naive order's switch, and presenter mode's keys, on a mounted widget. */
import { afterEach, describe, expect, it } from "vitest";
import { presenterAction } from "./present";
import { mount, mounted, node, OPS, record } from "./testing/helpers";
import { mlpTopology, valuesOf } from "./testing/mlp";

const button = (el: HTMLElement, name: string) =>
  [...el.querySelectorAll<HTMLButtonElement>("button")].find(
    (b) => (b.getAttribute("aria-label") ?? b.textContent) === name,
  )!;
const key = (target: Element, k: string) =>
  target.dispatchEvent(new KeyboardEvent("keydown", { key: k, bubbles: true, cancelable: true }));
const panel = (el: HTMLElement) => el.querySelector<HTMLElement>("[data-testid=step-panel]")!;
const topo = (el: HTMLElement) => [...el.querySelectorAll("[data-testid=topo-list] li")].map((li) => li.textContent);
const counter = (el: HTMLElement) => el.querySelector(".lg-step-count")!.textContent;
const classed = (el: HTMLElement, name: string) =>
  [...el.querySelectorAll<SVGGElement>(`g.lg-value.${name}`)].map((g) => g.dataset.label).sort();

// d = a + a·b with a = x·y: a is computed and used twice (x=2, y=3, b=4: x.grad 15, y.grad 10)
const REUSED = {
  topology: {
    nodes: [node("x"), node("y"), node("a", "*", [0, 1]), node("b"), node("a·b", "*", [2, 3]), node("d", "+", [2, 4])],
    root: 5,
    ops: { "+": OPS["+"], "*": OPS["*"] },
  },
  values: { data: [2, 3, 6, 4, 24, 30], grad: [15, 10, 5, 6, 1, 1], ack: null },
  sliders: [],
};

afterEach(() => {
  for (const el of mounted.splice(0)) el.remove();
});

describe("Step topological sort", () => {
  it("visits, appends and lists the neuron's values as build_topo does, then leads into the backward pass", async () => {
    const { el, model } = await mount();
    button(el, "Step topological sort").click();
    expect(model.get("mode")).toBe("topo");
    expect(counter(el)).toBe("Topological sort: step 0 of 20");
    expect(panel(el).textContent).toContain("build_topo(o) starts at the output");
    const toolbar = el.querySelector(".lg-stepper")!;
    for (let k = 0; k < 5; k++) key(toolbar, "ArrowRight");
    // o, n, x1*w1 + x2*w2, x1*w1, x1 visited; x1 (a leaf) is next appended
    expect(classed(el, "lg-visited")).toEqual(["n", "o", "x1", "x1*w1", "x1*w1 + x2*w2"]);
    key(toolbar, "ArrowRight");
    expect(topo(el)).toEqual(["x1"]);
    expect(el.querySelector("[data-testid=topo-list] li")!.getAttribute("data-new")).toBe("true");
    expect(panel(el).textContent).toContain("appended: a leaf, nothing before it");
    expect(panel(el).textContent).toContain("stack: o → n → (x1*w1 + x2*w2) → (x1*w1) → x1");
    expect(classed(el, "lg-sorted")).toEqual(["x1"]);
    key(toolbar, "End");
    expect(topo(el)).toEqual(["x1", "w1", "x1*w1", "x2", "w2", "x2*w2", "x1*w1 + x2*w2", "b", "n", "o"]);
    expect(panel(el).textContent).toContain("reversed(topo) is the backward pass's order");
    button(el, "Step backward pass").click();
    expect(model.get("mode")).toBe("backward");
    expect(el.querySelector<HTMLElement>("[data-testid=topo-list]")!.hidden).toBe(true);
    expect(classed(el, "lg-sorted")).toEqual([]);
  });

  it("steps a folded model to its end: every value in topo, those inside folds too", async () => {
    const topology = mlpTopology(2, [16, 16, 1]);
    const { el, model } = await mount({ topology, values: valuesOf(topology), sliders: [] });
    button(el, "Step topological sort").click();
    key(el.querySelector(".lg-stepper")!, "End");
    expect(topo(el)).toHaveLength(topology.nodes.length);
    expect(topo(el).at(-1)).toBe(topology.nodes[topology.root].name);
    expect(counter(el)).toBe(`Topological sort: step ${model.get("step")} of ${model.get("step")}`);
    expect(el.querySelectorAll("g.lg-fold.lg-sorted").length).toBeGreaterThan(0); // a folded group holds sorted values
  });
});

describe("Naive order", () => {
  it("steps the backward pass as #64's recursion does, marks the early and repeated passes, and the wrong gradients", async () => {
    const { el, model } = await mount(REUSED);
    const naive = button(el, "Naive order");
    naive.click();
    expect(naive.getAttribute("aria-pressed")).toBe("true");
    expect(model.get("naive")).toBe(true);
    expect(counter(el)).toBe("Backward pass, naive order: step 0 of 4");
    const toolbar = el.querySelector(".lg-stepper")!;
    key(toolbar, "ArrowRight");
    expect(panel(el).dataset.fault).toBe("");
    key(toolbar, "ArrowRight"); // a passes on 1 before a·b's 4 has arrived
    expect(panel(el).dataset.fault).toBe("early");
    expect(panel(el).textContent).toContain(
      "⚠ a passes on 1.0000 before all of its gradient has arrived (it will be 5.0000)",
    );
    expect(el.querySelectorAll("[data-order=wrong]")).toHaveLength(0); // not before the pass is over
    key(toolbar, "End");
    expect(panel(el).dataset.fault).toBe("again");
    const wrong = [...el.querySelectorAll<SVGGElement>("[data-order=wrong]")].map((g) => g.dataset.label).sort();
    expect(wrong).toEqual(["x", "y"]);
    const notes = [...el.querySelectorAll(".lg-order-note")].map((n) => n.textContent).sort();
    expect(notes).toEqual(["✗ grad 12.0000, right 10.0000", "✗ grad 18.0000, right 15.0000"]);
    expect(record(el, "x").textContent).toContain("grad 18.0000");
    naive.click(); // back to the right order: the same pass, every gradient right
    expect(counter(el)).toBe("Backward pass: step 0 of 3");
    key(toolbar, "End");
    expect(el.querySelectorAll("[data-order=wrong]")).toHaveLength(0);
    expect(record(el, "x").textContent).toContain("grad 15.0000");
  });
});

describe("Presenter mode", () => {
  it("maps the keys: arrows step, space plays, + and - zoom, F fits, T, B and G start the sort, the pass and the check", () => {
    const press = (key: string, more = {}) =>
      presenterAction({ key, ctrlKey: false, metaKey: false, altKey: false, ...more });
    expect(["ArrowRight", "ArrowLeft", " ", "+", "-", "F", "f", "T", "b", "G", "Escape"].map((k) => press(k))).toEqual([
      "next",
      "previous",
      "play",
      "zoomIn",
      "zoomOut",
      "fit",
      "fit",
      "sort",
      "backward",
      "check",
      "leave",
    ]);
    expect(press("t", { ctrlKey: true })).toBeNull(); // the browser's and the notebook's own shortcuts stay theirs
    expect(press("x")).toBeNull();
  });

  it("fills the window where full screen is not granted, drives the stepping from the keyboard, and Escape leaves", async () => {
    const { el, model } = await mount();
    const root = el.querySelector<HTMLElement>(".livegrad")!;
    button(el, "Present").click();
    expect(root.dataset.presenting).toBe("window"); // jsdom has no Fullscreen API
    expect(model.get("presenting")).toBe(true);
    key(root, "t");
    expect(model.get("mode")).toBe("topo");
    key(root, "ArrowRight");
    key(root, "ArrowRight");
    expect(model.get("step")).toBe(2);
    key(root, "ArrowLeft");
    expect(model.get("step")).toBe(1);
    key(root, "B");
    expect([model.get("mode"), model.get("step")]).toEqual(["backward", 0]);
    key(root, "g");
    expect(model.get("check_gradients")).toBe(true);
    key(root, "Escape");
    expect(root.dataset.presenting).toBeUndefined();
    expect(model.get("presenting")).toBe(false);
    key(root, "ArrowRight"); // no longer the presenter's
    expect(model.get("step")).toBe(0);
  });

  it("starts from Python (w.present()) and leaves when Python says so", async () => {
    const { el, model } = await mount();
    const root = el.querySelector<HTMLElement>(".livegrad")!;
    model.change("presenting", true);
    expect(root.dataset.presenting).toBe("window");
    model.change("presenting", false);
    expect(root.dataset.presenting).toBeUndefined();
  });
});
