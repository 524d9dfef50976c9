import { afterEach, describe, expect, it } from "vitest";
import { formatNumber, roundToStep } from "./format";
import { mount, mounted, neuronValues, record, slider } from "./testing/helpers";
import { GraphView, gradientFill, bestCut, bestWindow, startAtInputs } from "./view";
import { NEURON } from "./testing/helpers";

afterEach(() => {
  for (const el of mounted.splice(0)) el.remove();
});

async function neuronView(): Promise<GraphView> {
  const view = await GraphView.create(NEURON, "LR");
  const values = neuronValues(2);
  view.update(Float64Array.from(values.data as number[]), Float64Array.from(values.grad as number[]));
  return view;
}

describe("numbers", () => {
  it("never shows a non-zero value as zero, and keeps to the record's width", () => {
    expect(formatNumber(3.2e-7)).toBe("3.2e-07");
    expect(formatNumber(-4.96e-5)).toBe("-5.0e-05");
    expect(formatNumber(0)).toBe("0.0000");
    expect(formatNumber(-0)).toBe("0.0000");
    expect(formatNumber(0.00005)).toBe("0.0001");
    expect(formatNumber(-6)).toBe("-6.0000");
    expect(formatNumber(12345.678)).toBe("1.235e+04");
    expect(formatNumber(-1.7976931348623157e308)).toBe("-1.80e+308");
    expect(formatNumber(-5e-324)).toBe("-4.9e-324");
    for (const x of [3.2e-7, -9999.99999, -1.2345e-300, 1e300, -1e-5, 123.456]) {
      expect(formatNumber(x).length).toBeLessThanOrEqual(10);
    }
  });

  it("rounds a slider's value to its step", () => {
    expect(roundToStep(6.8813735870195432, 0.0275)).toBe("6.88");
    expect(roundToStep(2.8000000000000003, 0.008)).toBe("2.8");
    expect(roundToStep(3, 1)).toBe("3");
    expect(roundToStep(0.123456, 0.001)).toBe("0.123");
  });

  it("tints no record whose gradient is exactly zero, and every other one", () => {
    expect(gradientFill(0, 1)).toBe("");
    expect(gradientFill(3.2e-7, 1)).toMatch(/^rgba\(33, 118, 255/);
    expect(gradientFill(-1, 1)).toMatch(/^rgba\(230, 57, 70/);
  });
});

describe("names and titles", () => {
  it("names each record by the kernel's display name, falling back to the label", async () => {
    const topology = {
      nodes: [
        { label: "a", name: "a", op: "", inputs: [] },
        { label: "", name: "2", op: "", inputs: [] },
        { label: "", name: "a·2", op: "*", inputs: [0, 1] },
      ],
      root: 2,
      ops: { "*": { formula: "a·b", locals: ["b", "a"] } },
    };
    const { el } = await mount({ topology, values: { data: [3, 2, 6], grad: [2, 3, 1] }, sliders: [] });
    const names = [...el.querySelectorAll<SVGGElement>("g.lg-value")].map((g) => [
      g.dataset.name,
      g.querySelector("text")!.textContent,
    ]);
    expect(names).toEqual([
      ["a", "a"],
      ["2", "2"],
      ["a·2", "a·2"],
    ]);
    const product = el.querySelector<SVGGElement>('g.lg-value[data-name="a·2"]')!;
    product.querySelector("text")!.dispatchEvent(new Event("pointerover", { bubbles: true }));
    const title = product.querySelector("title")!.textContent!;
    expect(title).toContain("a·2: * of a, 2");
    expect(title).toContain("*: a·b, with a = a, b = 2");
    expect(title).toContain("data = 6");
  });

  it("lets no internal id reach a title, and labels the drawing by its output", async () => {
    const { el } = await mount();
    const titles = [
      ...[...el.querySelectorAll("title")].map((t) => t.textContent!),
      ...[...el.querySelectorAll("[title]")].map((e) => e.getAttribute("title")!),
    ];
    expect(titles.length).toBeGreaterThan(10);
    expect(titles.filter((t) => /^(v\d+(op)?|v\d+->v\d+(op)?|G)$/.test(t.trim()))).toEqual([]);
    expect(el.querySelector(".lg-graph")!.innerHTML).not.toMatch(/<!--/);
    const svg = el.querySelector(".lg-canvas > svg")!;
    expect(svg.getAttribute("role")).toBe("graphics-document");
    expect(svg.getAttribute("aria-label")).toMatch(/^Computation graph of o:/);
    expect(el.querySelector(".lg-graph")!.getAttribute("data-lm-suppress-shortcuts")).toBe("true");
  });

  it("has a legend for the gradient colours and the inf/nan style", async () => {
    const { el } = await mount();
    const legend = el.querySelector('[data-testid="legend"]')!;
    expect(legend.textContent).toContain("grad > 0");
    expect(legend.textContent).toContain("grad < 0");
    expect(legend.textContent).toContain("inf / nan");
  });
});

describe("stepping marks", () => {
  it("marks the sender, the receivers and the labelled edges, and clears them", async () => {
    const view = await neuronView();
    view.highlight(2, [
      { from: 0, to: 2, label: "local -3.0000 → -1.5000" },
      { from: 1, to: 2, label: "local 2.0000 → +1.0000" },
    ]);
    const svg = view.element;
    const current = svg.querySelectorAll(".lg-current");
    expect([...current].map((e) => e.classList.contains("lg-value") || e.classList.contains("lg-op"))).toEqual([
      true,
      true,
    ]);
    const receiving = [...svg.querySelectorAll<SVGGElement>(".lg-receiving")].map((g) => g.dataset.label);
    expect(receiving).toEqual(["x1", "w1"]);
    expect(svg.querySelectorAll(".edge.lg-active")).toHaveLength(2);
    const labels = [...svg.querySelectorAll(".lg-edge-label")].map((t) => t.textContent);
    // The whole label, or where a short edge has no room for it, its contribution.
    expect(labels[0]).toMatch(/^(local -3\.0000 )?→ -1\.5000$/);
    expect(labels[1]).toMatch(/^(local 2\.0000 )?→ \+1\.0000$/);
    view.highlight(null);
    expect(svg.querySelectorAll(".lg-current, .lg-receiving, .lg-active, .lg-edge-label")).toHaveLength(0);
  });

  it("reuses the labels from step to step and touches nothing when a step is drawn again", async () => {
    const view = await neuronView();
    const step = [
      { from: 0, to: 2, label: "× -3.0000 → -1.5000" },
      { from: 1, to: 2, label: "× 2.0000 → +1.0000" },
    ];
    view.highlight(2, step);
    const labels = [...view.element.querySelectorAll(".lg-edge-label")];
    const changes = new MutationObserver(() => {});
    changes.observe(view.element, { subtree: true, attributes: true, childList: true, characterData: true });
    view.highlight(2, step);
    expect(changes.takeRecords()).toEqual([]);
    view.highlight(8, [{ from: 7, to: 8, label: "× 1.0000 → +0.5000" }]);
    expect(view.element.querySelector(".lg-edge-label")).toBe(labels[0]);
    expect(view.element.querySelectorAll(".lg-edge-label")).toHaveLength(1);
    changes.disconnect();
  });

  it("puts edge labels and gradient-check notes where they cover no record", async () => {
    const view = await neuronView();
    const records = [...view.element.querySelectorAll("g.lg-value > polygon")].map((p) => {
      const n = p
        .getAttribute("points")!
        .split(/[\s,]+/)
        .map(Number);
      const [xs, ys] = [n.filter((_, i) => i % 2 === 0), n.filter((_, i) => i % 2 === 1)];
      return { x0: Math.min(...xs), x1: Math.max(...xs), y0: Math.min(...ys), y1: Math.max(...ys) };
    });
    const covered = (text: Element): number => {
      // Graphviz pt, as the polygons; the texts are 9 pt, about 0.62 of that wide per character.
      const [x, y] = [Number(text.getAttribute("x")), Number(text.getAttribute("y"))];
      const half = (text.textContent!.length * 0.6 * 9) / 2 - 0.5; // the positions are rounded to 0.1
      return records.filter((r) => x + half > r.x0 && x - half < r.x1 && y + 2 > r.y0 && y - 7 < r.y1).length;
    };
    // Every backward step of the neuron, each edge labelled as the stepper does.
    const { nodes } = NEURON;
    for (const [to, node] of nodes.entries()) {
      const edges = node.inputs.map((from) => ({ from, to, label: "× -1.0000 → +0.0013" }));
      view.highlight(to, edges);
      for (const label of view.element.querySelectorAll(".lg-edge-label")) {
        expect([to, label.textContent, covered(label)]).toEqual([to, label.textContent, 0]);
      }
    }
    const top = records.reduce((best, r, id) => (r.y0 < records[best].y0 ? id : best), 0);
    const text = "∂x/∂y: autograd 4.5000, numeric 6.7500";
    view.markGradcheck(new Map([[top, { ok: false, text, finding: text }]]));
    expect(covered(view.element.querySelector(".lg-gradcheck-note")!)).toBe(0);
  });

  it("marks a failed gradient check on its value with both numbers, and clears it", async () => {
    const view = await neuronView();
    view.markGradcheck(
      new Map([
        [9, { ok: false, text: "autograd 2.0000 ≠ numeric 0.5000", finding: "o's backward is wrong" }],
        [8, { ok: true, text: "", finding: "" }],
      ]),
    );
    const el = view.element;
    expect(el.querySelector<SVGGElement>('[data-gradcheck="fail"]')!.dataset.label).toBe("o");
    expect(el.querySelector<SVGGElement>('[data-gradcheck="ok"]')!.dataset.label).toBe("n");
    expect(el.querySelector(".lg-gradcheck-note")!.textContent).toBe("✗ autograd 2.0000 ≠ numeric 0.5000");
    const marked = el.querySelector<SVGGElement>('[data-gradcheck="fail"]')!;
    marked.querySelector("text")!.dispatchEvent(new Event("pointerover", { bubbles: true }));
    expect(marked.querySelector("title")!.textContent).toContain("\n✗ o's backward is wrong"); // hover repeats it
    view.markGradcheck(new Map());
    expect(el.querySelectorAll("[data-gradcheck], .lg-gradcheck-note")).toHaveLength(0);
    marked.querySelector("text")!.dispatchEvent(new Event("pointerover", { bubbles: true }));
    expect(marked.querySelector("title")!.textContent).not.toContain("✗");
  });
});

describe("the first view of a big graph", () => {
  it("finds the free position nearest a target, else the one that cuts fewest", () => {
    const spans: [number, number][] = [
      [0, 10],
      [20, 30],
      [25, 40],
    ];
    expect(bestCut(spans, 5, 0, 50)).toBe(11);
    expect(bestCut(spans, 26, 0, 50)).toBe(19);
    expect(bestCut(spans, 45, 0, 50)).toBe(45);
    const crowded: [number, number][] = [
      [0, 10],
      [5, 15],
      [14, 30],
    ];
    expect(bestCut(crowded, 8, 0, 24)).toBe(11); // no free place: the nearest that cuts only one
  });

  it("starts at the inputs, readable, with no record cut by the panel's edges", () => {
    // Four ranks of records 130 px wide, 60 px apart, each rank ten records of 50 px high with 10 px gaps.
    const boxes = Array.from({ length: 40 }, (_, i) => {
      const rank = Math.floor(i / 10);
      const row = i % 10;
      return { x0: rank * 190, x1: rank * 190 + 130, y0: row * 60, y1: row * 60 + 50 };
    });
    const uses = boxes.map((_, i) => (i === 8 ? 10 : i < 10 ? 1 : 0)); // leaf 8 is the data input
    const { k, x, y, height } = startAtInputs(boxes, uses, [700, 590], 420, 400, "LR");
    expect(k).toBeGreaterThanOrEqual(0.75);
    expect(k).toBeLessThanOrEqual(1.25);
    expect(x).toBe(8);
    const input = boxes[8];
    expect(y + input.y0 * k).toBeGreaterThanOrEqual(0);
    expect(y + input.y1 * k).toBeLessThanOrEqual(height);
    expect(height).toBeLessThanOrEqual(400);
    for (const b of boxes) {
      const [left, right, top, bottom] = [x + b.x0 * k, x + b.x1 * k, y + b.y0 * k, y + b.y1 * k];
      const crossesX = left < 420 && right > 420;
      const crossesY = (top < 0 && bottom > 0) || (top < height && bottom > height);
      expect(crossesX || (crossesY && left < 420)).toBe(false);
    }
  });
});

describe("keyboard", () => {
  it("moves a slider by 1/100 of its range per arrow key, by its step with Shift", async () => {
    const { el } = await mount();
    const x1 = slider(el, "x1"); // -4 ... 8, step 0.01
    for (let i = 0; i < 10; i++) x1.dispatchEvent(new KeyboardEvent("keydown", { key: "ArrowRight", bubbles: true }));
    expect(Number(x1.value)).toBeCloseTo(3.2, 10);
    expect(record(el, "x1").textContent).toContain("data 3.2000");
    x1.dispatchEvent(new KeyboardEvent("keydown", { key: "ArrowLeft", shiftKey: true, bubbles: true }));
    expect(Number(x1.value)).toBeCloseTo(3.19, 10);
    expect(el.querySelector<HTMLInputElement>('input[aria-label="x1 value"]')!.value).toBe("3.19");
  });
});

describe("where the view starts so the output is in it", () => {
  it("cuts no record at either edge when it can, and moves the least", () => {
    const spans: [number, number][] = [
      [0, 10],
      [20, 30],
      [40, 50],
    ];
    expect(bestWindow(spans, 25, 0, 0, 30)).toBe(11); // 11..36: past the first record, before the third
    expect(bestWindow(spans, 100, 0, -10, 5)).toBe(-1); // just before the first record: all of them whole
    expect(bestWindow(spans, 10, 0, 30, 20)).toBe(25); // narrower than what must be seen: centred
  });
});
