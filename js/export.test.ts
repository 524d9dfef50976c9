import { Graphviz } from "@hpcc-js/wasm-graphviz";
import { afterEach, describe, expect, it, vi } from "vitest";
import { dotSource, recordText, standaloneSvg } from "./export";
import type { Topology } from "./graph";
import { mount, mounted, NEURON, record, slider, drag } from "./testing/helpers";

afterEach(() => {
  for (const el of mounted.splice(0)) el.remove();
  vi.unstubAllGlobals();
});

const HOSTILE = [
  'a "quoted" label',
  "x|y {z} <port>",
  "back\\slash\\",
  "two\nlines",
  "  spaced  out  ",
  "</script><img src=x onerror=alert(1)>",
  "Unicode: ∂L/∂w · naïve",
];

/** The text Graphviz draws in each record's first field, by node name: the oracle for the escaping. */
async function drawnLabels(dot: string): Promise<Map<string, string>> {
  const svg = (await Graphviz.load()).dot(dot);
  const parsed = new DOMParser().parseFromString(svg, "image/svg+xml");
  const labels = new Map<string, string>();
  for (const group of Array.from(parsed.querySelectorAll("g.node"))) {
    const name = group.querySelector("title")?.textContent ?? "";
    const texts = Array.from(group.querySelectorAll("text")).map((t) => t.textContent ?? "");
    labels.set(name, texts.join("\n"));
  }
  return labels;
}

describe("DOT export", () => {
  it("escapes record fields by draw.py's rules", () => {
    expect(recordText('a "b"')).toBe('a\\ \\"b\\"');
    expect(recordText("{x|y}<p>")).toBe("\\{x\\|y\\}\\<p\\>");
    expect(recordText("a\\b")).toBe("a\\\\b");
    expect(recordText("one\r\ntwo\rthree\nfour")).toBe("one\\ntwo\\nthree\\nfour");
  });

  it("lays the DOT out in the direction Python sends (its Enum trait holds the list of directions)", () => {
    const topology: Topology = { nodes: [{ label: "x", name: "x", op: "", inputs: [] }], root: 0, ops: {} };
    for (const rankdir of ["LR", "TB", "RL", "BT"]) {
      expect(dotSource(topology, Float64Array.of(1), Float64Array.of(0), rankdir)).toMatch(`rankdir=${rankdir};`);
    }
  });

  it("gives Graphviz the real labels, drawn exactly as written", async () => {
    const nodes = HOSTILE.map((label) => ({ label, name: label, op: "", inputs: [] as number[] }));
    nodes.push({ label: "out", name: "out", op: 'my "op"\\', inputs: [0, 1] });
    const topology: Topology = { nodes, root: nodes.length - 1, ops: { 'my "op"\\': { formula: null, locals: null } } };
    const data = Float64Array.from(nodes, (_, i) => i - 0.5);
    const grad = Float64Array.from(nodes, (_, i) => (i === 3 ? NaN : -i));
    const dot = dotSource(topology, data, grad, "LR");
    const drawn = await drawnLabels(dot);
    HOSTILE.forEach((label, i) => {
      const lines = drawn.get(`v${i}`)!.split("\n");
      // Graphviz draws a multi-line field as one text per line; the values follow.
      // Quotes, markup, inner and trailing spaces kept as written; Graphviz itself drops a field's
      // leading spaces (its own dot binary too, whatever the escaping) and may write a space as U+00A0.
      expect(
        lines
          .slice(0, -2)
          .join("\n")
          .replace(/\u00a0/g, " "),
      ).toBe(label.trimStart());
      expect(lines.slice(-2)).toEqual([`data ${(i - 0.5).toFixed(4)}`, `grad ${i === 3 ? "nan" : (-i).toFixed(4)}`]);
    });
    expect(drawn.get(`v${HOSTILE.length}op`)).toBe('my "op"\\');
    expect(dot).toContain(`v0 -> v${HOSTILE.length}op;`);
    expect(dot).toContain(`v1 -> v${HOSTILE.length}op;`);
  });

  it("downloads the current values from the Export DOT button", async () => {
    const { el } = await mount();
    const blobs: Blob[] = [];
    vi.stubGlobal(
      "URL",
      Object.assign(URL, { createObjectURL: (b: Blob) => (blobs.push(b), "blob:x"), revokeObjectURL: () => {} }),
    );
    drag(slider(el, "x1"), 1);
    const exportDot = el.querySelector<HTMLButtonElement>('button[aria-label="Export DOT"]')!;
    exportDot.click();
    expect(blobs).toHaveLength(1);
    const text = await blobs[0].text();
    expect(text).toMatch(/^digraph G \{\n {2}rankdir=LR;/);
    expect(text).toContain(
      `v0 [shape=record label="{x1|data 1.0000|grad ${record(el, "x1").textContent!.match(/grad (\S+)/)![1]}}"];`,
    );
    expect(text).toContain('v9op [label="tanh"];');
    expect(text.match(/shape=record/g)).toHaveLength(NEURON.nodes.length);
  });
});

describe("SVG export", () => {
  it("names its buttons for assistive tools", async () => {
    const { el } = await mount();
    const group = el.querySelector('[role="group"][aria-label="Export"]')!;
    const names = Array.from(group.querySelectorAll("button")).map((b) => b.getAttribute("aria-label"));
    expect(names).toEqual(["Export PNG", "Export SVG", "Export DOT"]);
  });

  it("is a standalone SVG with the labels as text, the colours inlined and a backdrop", async () => {
    const { el } = await mount();
    const svg = el.querySelector<SVGSVGElement>(".lg-graph svg")!;
    const { text, width, height } = standaloneSvg(svg);
    expect(width).toBeGreaterThan(0);
    expect(height).toBeGreaterThan(0);
    const parsed = new DOMParser().parseFromString(text, "image/svg+xml");
    expect(parsed.querySelector("parsererror")).toBeNull();
    const root = parsed.documentElement;
    expect(root.getAttribute("xmlns")).toBe("http://www.w3.org/2000/svg");
    expect(root.getAttribute("width")).toBe(String(width));
    expect(root.firstElementChild!.tagName).toBe("rect");
    const x1 = Array.from(parsed.querySelectorAll("g.lg-value")).find((g) => g.getAttribute("data-label") === "x1")!;
    expect(Array.from(x1.querySelectorAll("text")).map((t) => t.textContent)).toEqual([
      "x1",
      "data 2.0000",
      "grad -1.5000",
    ]);
    // x1's gradient is negative: its record's red fill, set on screen, is written into the file.
    expect(x1.querySelector("polygon, path")!.getAttribute("style")).toMatch(/fill: rgba\(230, 57, 70/);
    expect(parsed.querySelector("script, foreignObject")).toBeNull();
  });
});
