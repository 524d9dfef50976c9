/**
 * Export buttons: the drawing as SVG or PNG as it is on screen (the values, the step's highlights,
 * the zoom, the theme's colours), and the graph's DOT source with the real labels, for Graphviz.
 * All made in the page and handed over as downloads: no kernel, no network.
 */
import { button } from "./dom";
import { formatNumber } from "./format";
import type { Topology } from "./graph";

/** The SVG properties the widget's stylesheet sets; inlined so the file looks the same anywhere. */
const STYLED = [
  "fill",
  "fill-opacity",
  "stroke",
  "stroke-width",
  "stroke-dasharray",
  "stroke-opacity",
  "font-family",
  "font-size",
  "font-weight",
  "font-style",
  "text-anchor",
  "visibility",
];
const SVG_NS = "http://www.w3.org/2000/svg";
const PT_TO_PX = 4 / 3;

/**
 * `text` as literal content of a Graphviz record field, by the rules of draw.py's `record_text`:
 * the metacharacters \ { } | < > " escaped, spaces escaped (fields trim them), newlines as \n.
 */
export function recordText(text: string): string {
  return text
    .replace(/([\\{}|<>"])/g, "\\$1")
    .replace(/ /g, "\\ ")
    .replace(/\r\n?/g, "\n")
    .replace(/\n/g, "\\n");
}

/** `text` inside a DOT double-quoted string that Graphviz shows as is (an op's name). */
function quoted(text: string): string {
  return `"${text
    .replace(/\\/g, "\\\\")
    .replace(/"/g, '\\"')
    .replace(/\r\n?|\n/g, "\\n")}"`;
}

/** The graph as DOT, in draw_dot's style: a record per value (label | data | grad), a node per op. */
export function dotSource(topology: Topology, data: Float64Array, grad: Float64Array, rankdir: string): string {
  const lines = ["digraph G {", `  rankdir=${rankdir};`]; // Python's Enum trait has checked it
  topology.nodes.forEach((node, i) => {
    const fields = `${recordText(node.label)}|data ${formatNumber(data[i])}|grad ${formatNumber(grad[i])}`;
    lines.push(`  v${i} [shape=record label="{${fields}}"];`);
    if (!node.op) return;
    lines.push(`  v${i}op [label=${quoted(node.op)}];`, `  v${i}op -> v${i};`);
    for (const input of node.inputs) lines.push(`  v${input} -> v${i}op;`);
  });
  lines.push("}");
  return lines.join("\n") + "\n";
}

/** The first ancestor's background colour that is not transparent (what the drawing sits on). */
function backdrop(element: Element): string {
  for (let e: Element | null = element; e; e = e.parentElement) {
    const colour = getComputedStyle(e).backgroundColor;
    if (colour && colour !== "transparent" && !/^rgba\(.*,\s*0\)$/.test(colour)) return colour;
  }
  return "white";
}

/**
 * A standalone copy of the drawing: the computed styles written onto each element (only where
 * they differ from the parent's, to stay small), a backdrop of the theme's colour, a fixed size.
 */
export function standaloneSvg(svg: SVGSVGElement): { text: string; width: number; height: number } {
  const copy = svg.cloneNode(true) as SVGSVGElement;
  const originals = [svg, ...Array.from(svg.querySelectorAll("*"))];
  const copies = [copy, ...Array.from(copy.querySelectorAll("*"))];
  const computed = new Map<Element, CSSStyleDeclaration>();
  const style = (e: Element): CSSStyleDeclaration => {
    if (!computed.has(e)) computed.set(e, getComputedStyle(e));
    return computed.get(e)!;
  };
  originals.forEach((original, k) => {
    const target = copies[k] as SVGElement;
    const own = style(original);
    const parent = original === svg ? null : original.parentElement && style(original.parentElement);
    for (const property of STYLED) {
      const value = own.getPropertyValue(property);
      if (value && (!parent || parent.getPropertyValue(property) !== value)) target.style.setProperty(property, value);
    }
  });
  const [, , w, h] = (svg.getAttribute("viewBox") ?? "0 0 100 100").split(/[\s,]+/).map(Number);
  const width = Math.ceil((w || 100) * PT_TO_PX);
  const height = Math.ceil((h || 100) * PT_TO_PX);
  copy.removeAttribute("style");
  copy.setAttribute("xmlns", SVG_NS);
  copy.setAttribute("width", String(width));
  copy.setAttribute("height", String(height));
  const [x, y] = (svg.getAttribute("viewBox") ?? "0 0").split(/[\s,]+/).map(Number);
  const background = document.createElementNS(SVG_NS, "rect");
  for (const [name, value] of [
    ["x", x || 0],
    ["y", y || 0],
    ["width", w || 100],
    ["height", h || 100],
    ["fill", backdrop(svg)],
  ] as const)
    background.setAttribute(name, String(value));
  copy.insertBefore(background, copy.firstChild);
  const fontFamily = style(svg).getPropertyValue("font-family");
  if (fontFamily) copy.style.setProperty("font-family", fontFamily);
  return { text: new XMLSerializer().serializeToString(copy), width, height };
}

/** The SVG drawn onto a canvas at `scale` times its size, as PNG. */
async function toPng(svg: { text: string; width: number; height: number }, scale = 2): Promise<Blob> {
  const url = URL.createObjectURL(new Blob([svg.text], { type: "image/svg+xml" }));
  try {
    const image = new Image();
    image.src = url;
    await image.decode();
    const canvas = document.createElement("canvas");
    canvas.width = svg.width * scale;
    canvas.height = svg.height * scale;
    const context = canvas.getContext("2d")!;
    context.scale(scale, scale);
    context.drawImage(image, 0, 0, svg.width, svg.height);
    return await new Promise<Blob>((resolve, reject) =>
      canvas.toBlob((blob) => (blob ? resolve(blob) : reject(new Error("the canvas gave no PNG"))), "image/png"),
    );
  } finally {
    URL.revokeObjectURL(url);
  }
}

function download(name: string, blob: Blob): void {
  const link = document.createElement("a");
  link.href = URL.createObjectURL(blob);
  link.download = name;
  link.style.display = "none";
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(link.href), 60_000);
}

/** The three export buttons, in a group: what they export is read when clicked. */
export function exportButtons(
  view: HTMLElement,
  topology: Topology,
  values: () => [data: Float64Array, grad: Float64Array],
  rankdir: string,
): HTMLElement {
  const drawing = (): SVGSVGElement => view.querySelector("svg") as SVGSVGElement;
  const group = document.createElement("span");
  group.className = "lg-export";
  group.setAttribute("role", "group");
  group.setAttribute("aria-label", "Export");
  group.title = "Export the drawing (as shown) or the graph's DOT source";
  // At the toolbar's end; on a narrow screen it wraps inside itself rather than overflowing the toolbar.
  Object.assign(group.style, {
    display: "inline-flex",
    flexWrap: "wrap",
    justifyContent: "flex-end",
    gap: "4px",
    alignItems: "center",
    marginLeft: "auto",
    minWidth: "0",
  });
  const caption = document.createElement("span");
  caption.textContent = "Export";
  caption.style.opacity = "0.7";
  group.append(caption);
  group.append(
    button(
      "PNG",
      "Download the drawing as a PNG image, as shown",
      () => {
        toPng(standaloneSvg(drawing())).then((png) => download("livegrad-graph.png", png), console.error);
      },
      "Export PNG",
    ),
    button(
      "SVG",
      "Download the drawing as an SVG file, as shown",
      () => {
        download("livegrad-graph.svg", new Blob([standaloneSvg(drawing()).text], { type: "image/svg+xml" }));
      },
      "Export SVG",
    ),
    button(
      "DOT",
      "Download the graph's Graphviz (DOT) source, with its labels and values",
      () => {
        const [data, grad] = values();
        download(
          "livegrad-graph.gv",
          new Blob([dotSource(topology, data, grad, rankdir)], { type: "text/vnd.graphviz" }),
        );
      },
      "Export DOT",
    ),
  );
  return group;
}
