import { afterEach, describe, expect, it, vi } from "vitest";
import type { Topology } from "./graph";
import { drag, mount, mounted, NEURON, neuronValues, node, record, slider } from "./testing/helpers";

afterEach(() => {
  for (const el of mounted.splice(0)) el.remove();
});

describe("GraphWidget frontend", () => {
  it("draws a record per value and a node per op, with the seed's numbers", async () => {
    const { el } = await mount();
    expect(el.querySelector(".livegrad")!.getAttribute("data-ready")).toBe("true");
    expect(el.querySelectorAll("g.lg-value")).toHaveLength(10);
    expect(el.querySelectorAll("g.lg-op")).toHaveLength(5);
    expect(record(el, "o").textContent).toContain("data 0.7071");
    expect(record(el, "o").textContent).toContain("grad 1.0000");
    expect(record(el, "x1").textContent).toContain("grad -1.5000");
    expect(record(el, "x1").dataset.nodeId).toBe("0");
    const ops = [...el.querySelectorAll<SVGGElement>("g.lg-op")].map((g) => g.dataset.op).sort();
    expect(ops).toEqual(["*", "*", "+", "+", "tanh"]);
  });

  it("reads the topology from the JSON buffer the kernel sends", async () => {
    const bytes = new TextEncoder().encode(JSON.stringify(NEURON));
    const { el } = await mount({ topology: new DataView(bytes.buffer) as unknown as Topology });
    expect(el.querySelectorAll("g.lg-value")).toHaveLength(10);
    expect(record(el, "o").textContent).toContain("data 0.7071");
  });

  it("makes real, labelled range inputs that JupyterLab leaves the arrow keys to", async () => {
    const { el } = await mount();
    const input = slider(el, "x1");
    expect(input.type).toBe("range");
    expect(input.dataset.lmSuppressShortcuts).toBe("true");
    expect(input.value).toBe("2");
    const box = el.querySelector<HTMLInputElement>('input[aria-label="x1 value"]')!;
    expect(box.type).toBe("number");
    expect(box.dataset.lmSuppressShortcuts).toBe("true");
  });

  it("replays the graph at once on a slider move, before the kernel answers", async () => {
    const { el, model } = await mount();
    drag(slider(el, "x1"), 1);
    const want = neuronValues(1);
    expect(record(el, "o").textContent).toContain(`data ${(want.data[9] as number).toFixed(4)}`);
    expect(record(el, "x1").textContent).toContain(`grad ${(want.grad[0] as number).toFixed(4)}`);
    expect(record(el, "w1").textContent).toContain(`grad ${(want.grad[1] as number).toFixed(4)}`);
    expect(model.sent).toEqual([{ type: "set", values: [[0, 1]], ack: expect.stringMatching(/:1$/) }]);
  });

  it("coalesces: one message in flight, then only the newest value of each leaf", async () => {
    const { el, model } = await mount();
    for (let i = 0; i <= 100; i++) drag(slider(el, "x1"), -2 + i * 0.05);
    drag(slider(el, "w1"), 0.5);
    expect(model.sent).toHaveLength(1);
    const first = model.sent[0] as { ack: string };
    model.change("values", neuronValues(-2, first.ack));
    expect(model.sent).toHaveLength(2);
    expect(model.sent[1]).toMatchObject({
      type: "set",
      values: [
        [0, 3],
        [1, 0.5],
      ],
    });
    // The kernel's answer to the first message is older than the page: the page keeps the newer state.
    expect(record(el, "x1").textContent).toContain("data 3.0000");
    // Answers to another view's messages do not release this one's.
    model.change("values", neuronValues(3, "someone-else:1"));
    expect(model.sent).toHaveLength(2);
  });

  it("updates records in place when values change, without laying out again", async () => {
    const { el, model } = await mount();
    const svg = el.querySelector("svg");
    const groups = [...el.querySelectorAll("g.node")];
    const box = record(el, "x1").querySelector("polygon");
    model.change("values", neuronValues(-1));
    expect(el.querySelector("svg")).toBe(svg);
    expect([...el.querySelectorAll("g.node")]).toEqual(groups);
    expect(record(el, "x1").querySelector("polygon")).toBe(box);
    expect(record(el, "x1").textContent).toContain("data -1.0000");
    expect(slider(el, "x1").value).toBe("-1");
  });

  it("colours records by the sign of their gradient and flags inf and nan", async () => {
    const { el, model } = await mount();
    const fill = (label: string) => (record(el, label).querySelector("polygon") as SVGElement).style.fill;
    expect(fill("x1")).toMatch(/^rgba\(230, 57, 70/); // negative: red
    expect(fill("w1")).toMatch(/^rgba\(33, 118, 255/); // positive: blue
    const values = neuronValues(2);
    values.data[9] = "NaN";
    values.grad[0] = "-Infinity";
    model.change("values", values);
    expect(record(el, "o").classList.contains("lg-nonfinite")).toBe(true);
    expect(record(el, "o").textContent).toContain("data nan");
    expect(record(el, "x1").textContent).toContain("grad -inf");
    model.change("values", neuronValues(2));
    expect(el.querySelectorAll(".lg-nonfinite")).toHaveLength(0);
  });

  it("shows labels as text, never as markup", async () => {
    const hostile = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script> | { } " \\';
    const topology: Topology = {
      nodes: [node(hostile), node("</text><b>", "exp", [0])],
      root: 1,
      ops: { exp: { formula: "exp(a)", locals: ["out"] } },
    };
    const { el } = await mount({
      topology,
      values: { data: [0, 1], grad: [1, 1] },
      sliders: [{ id: 0, label: hostile, min: -1, max: 1, step: 0.1, initial: 0 }],
    });
    expect(el.querySelector("img, script, b")).toBeNull();
    expect((window as { __pwned?: number }).__pwned).toBeUndefined();
    expect(record(el, hostile).dataset.label).toBe(hostile);
    expect(record(el, hostile).querySelector("text")!.textContent).toBe(
      hostile.replace(/\s+/g, " ").slice(0, 39) + "…",
    );
    expect(record(el, "</text><b>").querySelector("text")!.textContent).toBe("</text><b>");
    expect(el.querySelector(".lg-slider-label")!.textContent).toBe(hostile);
  });

  it("Reset puts every slider leaf back where it started, through the kernel like a slider", async () => {
    const { el, model } = await mount();
    const reset = el.querySelector<HTMLButtonElement>('button[title^="Put every slider back"]')!;
    expect(reset.textContent).toBe("Reset");
    expect(reset.title).not.toBe("");
    drag(slider(el, "x1"), 1);
    drag(slider(el, "w1"), 0.5);
    model.change("values", { ...neuronValues(1), ack: (model.sent[0] as { ack: string }).ack });
    reset.click();
    expect(slider(el, "x1").value).toBe("2");
    expect(slider(el, "w1").value).toBe("-3");
    expect(record(el, "x1").textContent).toContain("grad -1.5000"); // replayed at once
    expect(record(el, "o").textContent).toContain("data 0.7071");
    // Every slider leaf goes to the kernel, which sets the user's Values, once the move before it is answered.
    expect(model.sent).toHaveLength(2);
    model.change("values", { ...neuronValues(1), ack: (model.sent[1] as { ack: string }).ack });
    expect(model.sent).toHaveLength(3);
    expect(new Map((model.sent[2] as { values: [number, number][] }).values)).toEqual(
      new Map([
        [0, 2],
        [1, -3],
        [3, 0],
        [4, 1],
        [7, 6.8813735870195432],
      ]),
    );
    expect(el.querySelector<HTMLElement>(".livegrad")!.dataset.synced).toBe("false");
  });

  it("moves from_function's input sliders (no node holds them) on Reset and when Python sets them", async () => {
    const sliders = [{ id: -1, label: "x", min: -4, max: 4, step: 0.008, initial: 1, value: 1 }];
    const { el, model } = await mount({ topology: { ...NEURON, replay: false }, sliders });
    drag(slider(el, "x"), 3);
    expect(slider(el, "x").value).toBe("3");
    const ack = (model.sent[0] as { ack: string }).ack;
    model.change("sliders", [{ ...sliders[0], value: 3 }]);
    model.change("values", { ...neuronValues(2), ack });
    el.querySelector<HTMLButtonElement>('button[title^="Put every slider back"]')!.click();
    expect(slider(el, "x").value).toBe("1");
    expect(model.sent[1]).toMatchObject({ type: "set", values: [[-1, 1]] });
    model.change("values", { ...neuronValues(2), ack: (model.sent[1] as { ack: string }).ack });
    model.change("sliders", [{ ...sliders[0], value: -2.5 }]); // w.set(x=-2.5) in Python
    expect(slider(el, "x").value).toBe("-2.5");
    expect(el.querySelector<HTMLInputElement>('input[aria-label="x value"]')!.value).toBe("-2.5");
  });

  it("has no Reset without sliders", async () => {
    const { el } = await mount({ sliders: [] });
    expect(el.querySelector<HTMLButtonElement>('button[title^="Put every slider back"]')!.hidden).toBe(true);
  });

  it("shows the kernel's refusal of a message, and clears it", async () => {
    const { el, model } = await mount();
    const alert = el.querySelector<HTMLElement>("[role=alert]")!;
    expect(alert.hidden).toBe(true);
    model.change("error", "Refused a message from the page: 999 is not the id of a leaf with a slider");
    expect(alert.hidden).toBe(false);
    expect(alert.textContent).toContain("999 is not the id");
    model.change("error", "");
    expect(alert.hidden).toBe(true);
  });

  it("a typed exact value is sent as is; a non-number is refused in place", async () => {
    const { el, model } = await mount();
    const box = el.querySelector<HTMLInputElement>('input[aria-label="b value"]')!;
    box.value = "6.8813735870195432";
    box.dispatchEvent(new Event("change"));
    expect(model.sent).toEqual([expect.objectContaining({ values: [[7, 6.8813735870195432]] })]);
    box.value = "";
    box.dispatchEvent(new Event("change"));
    expect(box.getAttribute("aria-invalid")).toBe("true");
    expect(model.sent).toHaveLength(1);
    model.change("values", { ...neuronValues(2), ack: (model.sent[0] as { ack: string }).ack });
    box.value = "7";
    box.dispatchEvent(new KeyboardEvent("keydown", { key: "Enter" })); // Enter commits too
    expect(model.sent).toHaveLength(2);
    expect(model.sent[1]).toMatchObject({ values: [[7, 7]] });
  });

  it("shows the kernel's refusal to send a graph too large to draw", async () => {
    const { el } = await mount({
      topology: {
        nodes: [],
        root: -1,
        ops: {},
        too_large: { values: 250_001, limit: 250_000, message: "More than 250,000 values: show a part." },
      },
      values: { data: [], grad: [], local: [] },
      sliders: [],
    });
    expect(el.querySelector("svg")).toBeNull();
    expect(el.querySelector(".lg-too-large")!.textContent).toBe("More than 250,000 values: show a part.");
    expect(el.querySelector(".livegrad")!.getAttribute("data-ready")).toBe("true");
  });

  it("removes its listeners when the view goes away", async () => {
    const { model, cleanup } = await mount();
    expect(model.listenerCount()).toBe(12); // eleven (naive and presenting too), and the topology's (a new shape is laid out again)
    cleanup();
    expect(model.listenerCount()).toBe(0);
  });

  it("stops watching the panel's size when the view goes away", async () => {
    const watching = new Set<object>();
    vi.stubGlobal(
      "ResizeObserver",
      class {
        observe(): void {
          watching.add(this);
        }
        unobserve(): void {}
        disconnect(): void {
          watching.delete(this);
        }
      },
    );
    try {
      const { cleanup } = await mount();
      expect(watching.size).toBeGreaterThan(0);
      cleanup();
      expect(watching.size).toBe(0);
    } finally {
      vi.unstubAllGlobals();
    }
  });
});

describe("hover", () => {
  it("shows full precision and the op of the record under the pointer", async () => {
    const { el } = await mount();
    const o = record(el, "o");
    o.querySelector("text")!.dispatchEvent(new Event("pointerover", { bubbles: true }));
    const title = o.querySelector("title")!.textContent!;
    expect(title).toContain("o: tanh of n");
    expect(title).toContain(`data = ${Math.tanh(2 * -3 + 6.8813735870195432)}`);
    expect(title).toContain("grad = 1");
  });
});

describe("the first view", () => {
  /** jsdom lays nothing out: the graph panel gets a width, and the height its style gives it (the CSS's 240 px before). */
  function layOut(width: number): void {
    const isPanel = (el: Element): boolean => el.classList.contains("lg-graph");
    vi.spyOn(Element.prototype, "clientWidth", "get").mockImplementation(function (this: Element) {
      return isPanel(this) ? width : 0;
    });
    vi.spyOn(Element.prototype, "clientHeight", "get").mockImplementation(function (this: Element) {
      return isPanel(this) ? parseFloat((this as HTMLElement).style.height) || 240 : 0;
    });
  }
  const shown = (el: HTMLElement) => ({
    height: el.querySelector<HTMLElement>(".lg-graph")!.style.height,
    pan: el.querySelector<HTMLElement>(".lg-canvas")!.style.transform,
    width: el.querySelector<SVGSVGElement>(".lg-canvas > svg")!.style.width,
  });

  afterEach(() => {
    vi.restoreAllMocks();
    vi.unstubAllGlobals();
  });

  it("is the same whole graph with a step preset from Python, the step's value marked", async () => {
    layOut(1368);
    const plain = shown((await mount()).el);
    expect(plain.height).toMatch(/^\d+px$/);
    const { el } = await mount({ mode: "backward", step: 5 });
    expect(shown(el)).toEqual(plain);
    expect(el.querySelector<SVGGElement>("g.lg-value.lg-current")!.dataset.label).toBe("x1*w1");
  });

  /** Resize observers that run when `resize` is called (jsdom has none). */
  function observeResizes(): { resize: () => void } {
    const resized: (() => void)[] = [];
    vi.stubGlobal(
      "ResizeObserver",
      class {
        constructor(private readonly onResize: () => void) {}
        observe(): void {
          resized.push(this.onResize);
        }
        unobserve(): void {}
        disconnect(): void {}
      },
    );
    return { resize: () => resized.forEach((onResize) => onResize()) };
  }

  it("waits for the panel's width when a preset step is drawn before the page lays the output out", async () => {
    const { resize } = observeResizes();
    layOut(1368);
    const plain = shown((await mount()).el);
    layOut(0);
    const { el } = await mount({ mode: "backward", step: 5 });
    layOut(1368);
    resize();
    expect(shown(el)).toEqual(plain);
    expect(el.querySelector<SVGGElement>("g.lg-value.lg-current")!.dataset.label).toBe("x1*w1");
  });

  it("is still to come when Python sets a step before the page lays the output out", async () => {
    const { resize } = observeResizes();
    layOut(1368);
    const plain = shown((await mount()).el);
    layOut(0);
    const { el, model } = await mount();
    model.change("step", 5);
    layOut(1368);
    resize();
    expect(shown(el)).toEqual(plain);
    expect(el.querySelector<SVGGElement>("g.lg-value.lg-current")!.dataset.label).toBe("x1*w1");
  });
});

describe("trust: what the page says it did not do", () => {
  it("says a graph's gradients were never computed, and runs backward only when asked", async () => {
    const { el, model } = await mount({ values: { ...neuronValues(2), grads_computed: false } });
    const notice = el.querySelector<HTMLElement>(".lg-not-computed")!;
    expect(notice.hidden).toBe(false);
    expect(notice.textContent).toContain("Gradients not computed yet");
    expect(model.sent).toEqual([]); // looking sends nothing
    notice.querySelector("button")!.click();
    expect(model.sent).toEqual([{ type: "backward" }]);
    model.change("values", { ...neuronValues(2), grads_computed: true });
    expect(notice.hidden).toBe(true);
  });

  it("shows Check gradients' verdict in a line, and a leaf it could not judge as not judged", async () => {
    const why = "a kink or rounding here: the one-sided differences disagree, or the value's size swamps the step";
    const { el, model } = await mount({ check_gradients: true });
    const summary = el.querySelector<HTMLElement>(".lg-check-summary")!;
    expect(summary.hidden).toBe(true);
    model.change("gradient_check", {
      leaves: [
        { id: 0, autograd: -1.5, numeric: -1.5, ok: true },
        { id: 1, autograd: 1, numeric: "NaN", ok: true, judged: false, why },
      ],
      locals: [],
      summary: "1/2 leaves match · 1 not judged (a kink or rounding here)",
    });
    expect(summary.hidden).toBe(false);
    expect(summary.textContent).toBe("1/2 leaves match · 1 not judged (a kink or rounding here)");
    const mark = (label: string) => el.querySelector<HTMLElement>(`[data-testid="slider-${label}"] .lg-check`)!;
    expect([mark("x1").textContent, mark("x1").dataset.ok]).toEqual(["✓", "true"]);
    expect([mark("w1").textContent, mark("w1").dataset.ok]).toEqual(["? not judged", "unjudged"]);
    expect(mark("w1").title).toBe(`not judged: ${why}`);
  });
});

describe("a training loop's progress", () => {
  it("draws the root's value at each refresh as a small curve, once there are two", async () => {
    const { el, model } = await mount();
    const curve = el.querySelector<HTMLElement>(".lg-curve")!;
    expect(curve.hidden).toBe(true);
    model.change("values", { ...neuronValues(2), history: { steps: 40, root: [0.9, 0.5, 0.2, 0.1] } });
    expect(curve.hidden).toBe(false);
    expect(curve.textContent).toBe("o over 40 refreshes: 0.9000 → 0.1000");
    const points = curve.querySelector("polyline")!.getAttribute("points")!.split(" ");
    expect(points).toHaveLength(4);
    const ys = points.map((p) => Number(p.split(",")[1]));
    expect(ys).toEqual([...ys].sort((a, b) => a - b)); // going down on screen coordinates: rising y as loss falls
  });
});
