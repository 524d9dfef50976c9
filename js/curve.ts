/**
 * The root's value at each `w.refresh()` of a training loop, drawn as a small curve beside the step
 * count: progress at a glance, with the page's own SVG (no chart library). Owns its element only;
 * the widget hands it `values.history` whenever values arrive.
 */
import { formatNumber } from "./format";
import type { History } from "./graph";

const WIDTH = 160;
const HEIGHT = 36;

export class LossCurve {
  readonly element: HTMLElement;
  private readonly line: SVGPolylineElement;
  private readonly text: HTMLSpanElement;

  constructor() {
    this.element = document.createElement("figure");
    this.element.className = "lg-curve";
    this.element.hidden = true;
    const svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
    svg.setAttribute("viewBox", `0 0 ${WIDTH} ${HEIGHT}`);
    svg.setAttribute("width", String(WIDTH));
    svg.setAttribute("height", String(HEIGHT));
    svg.setAttribute("aria-hidden", "true");
    this.line = document.createElementNS("http://www.w3.org/2000/svg", "polyline");
    svg.append(this.line);
    this.text = document.createElement("figcaption");
    this.element.append(svg, this.text);
  }

  /** Draw `history` (absent: no training yet, nothing shown). Non-finite values are left out of the line. */
  show(history: History | undefined, name: string): void {
    const values = (history?.root ?? []).map(Number);
    this.element.hidden = !history || values.length < 2;
    if (this.element.hidden || !history) return;
    const finite = values.filter(Number.isFinite);
    const low = Math.min(...finite);
    const high = Math.max(...finite);
    const span = high - low || 1;
    const points = values.flatMap((v, i) =>
      Number.isFinite(v)
        ? [
            `${((i / (values.length - 1)) * WIDTH).toFixed(1)},${(HEIGHT - 2 - ((v - low) / span) * (HEIGHT - 4)).toFixed(1)}`,
          ]
        : [],
    );
    this.line.setAttribute("points", points.join(" "));
    const last = values[values.length - 1];
    this.text.textContent = `${name} over ${history.steps} refreshes: ${formatNumber(values[0])} → ${formatNumber(last)}`;
    this.element.setAttribute("aria-label", this.text.textContent);
  }
}
