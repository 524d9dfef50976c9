/**
 * A small overview of a graph too big to see whole: every record as a dot-sized box, the output
 * marked, and the part in view as a frame. Click or drag in it to move the view there.
 */

/** A rectangle in the drawing's own pixels (scale 1). */
export interface Box {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

/** Where in the panel the map sits. */
export type Corner = "bottom-right" | "top-right" | "bottom-left" | "top-left";
export const CORNERS: readonly Corner[] = ["bottom-right", "top-right", "bottom-left", "top-left"];

const SVG = "http://www.w3.org/2000/svg";
const WIDTH = 180; // px, at most
const HEIGHT = 110;
const INSET = 6; // px from the panel's sides

export class Minimap {
  readonly element: HTMLDivElement;
  private readonly frame: SVGRectElement;
  private readonly width: number; // px, before the panel's limits (widget.css: 35% by 40% of the panel)
  private readonly height: number;

  constructor(
    private readonly size: readonly [number, number],
    boxes: readonly Box[],
    root: number,
    private readonly moveTo: (x: number, y: number) => void,
  ) {
    const [width, height] = size;
    const scale = Math.min(WIDTH / width, HEIGHT / height);
    this.element = document.createElement("div");
    this.element.className = "lg-minimap";
    this.element.dataset.testid = "minimap";
    this.element.title = "Overview: the frame is what the panel shows; click or drag to move it";
    this.element.setAttribute("aria-hidden", "true"); // the keyboard moves the view from the graph itself
    this.width = Math.max(24, Math.round(width * scale));
    this.height = Math.max(24, Math.round(height * scale));
    this.element.style.width = `${this.width}px`;
    this.element.style.height = `${this.height}px`;
    this.element.hidden = true;
    const svg = document.createElementNS(SVG, "svg");
    svg.setAttribute("viewBox", `0 0 ${width} ${height}`);
    svg.setAttribute("preserveAspectRatio", "xMidYMid meet");
    // One path for every record: a thousand boxes cost one element.
    const records = document.createElementNS(SVG, "path");
    records.setAttribute("class", "lg-minimap-records");
    records.setAttribute(
      "d",
      boxes
        .filter(Boolean)
        .map((b) => `M${b.x0.toFixed(0)} ${b.y0.toFixed(0)}H${b.x1.toFixed(0)}V${b.y1.toFixed(0)}H${b.x0.toFixed(0)}Z`)
        .join(""),
    );
    const output = document.createElementNS(SVG, "rect");
    output.setAttribute("class", "lg-minimap-root");
    const rootBox = boxes[root];
    if (rootBox) {
      const pad = 3 / scale; // visible however small the map
      output.setAttribute("x", String(rootBox.x0 - pad));
      output.setAttribute("y", String(rootBox.y0 - pad));
      output.setAttribute("width", String(rootBox.x1 - rootBox.x0 + 2 * pad));
      output.setAttribute("height", String(rootBox.y1 - rootBox.y0 + 2 * pad));
    }
    this.frame = document.createElementNS(SVG, "rect");
    this.frame.setAttribute("class", "lg-minimap-frame");
    this.frame.setAttribute("vector-effect", "non-scaling-stroke");
    svg.append(records, output, this.frame);
    this.element.append(svg);
    this.element.addEventListener("pointerdown", (event) => {
      event.stopPropagation(); // not a pan of the graph underneath
      this.element.setPointerCapture?.(event.pointerId);
      this.follow(event);
    });
    this.element.addEventListener("pointermove", (event) => {
      if (event.buttons & 1) this.follow(event);
    });
    for (const event of ["wheel", "mousedown", "touchstart"]) {
      this.element.addEventListener(event, (e) => e.stopPropagation()); // not a pan or zoom of the graph underneath
    }
  }

  /** The map's box in a panel of `width` x `height` px when it sits in `corner` (its border included). */
  placeIn(corner: Corner, width: number, height: number): Box {
    const [w, h] = [Math.min(this.width, 0.35 * width) + 2, Math.min(this.height, 0.4 * height) + 2];
    const x0 = corner.endsWith("left") ? INSET : width - INSET - w;
    const y0 = corner.startsWith("top") ? INSET : height - INSET - h;
    return { x0, y0, x1: x0 + w, y1: y0 + h };
  }

  /** Frame the part in view (drawing px), with the map in `corner`; null hides the map (none needed, or no room). */
  show(view: Box | null, corner: Corner = "bottom-right"): void {
    this.element.hidden = view === null;
    if (!view) return;
    if (this.element.dataset.corner !== corner) {
      this.element.dataset.corner = corner;
      const [vertical, horizontal] = corner.split("-");
      this.element.style.top = vertical === "top" ? `${INSET}px` : "";
      this.element.style.bottom = vertical === "bottom" ? `${INSET}px` : "";
      this.element.style.left = horizontal === "left" ? `${INSET}px` : "";
      this.element.style.right = horizontal === "right" ? `${INSET}px` : "";
    }
    this.frame.setAttribute("x", view.x0.toFixed(1));
    this.frame.setAttribute("y", view.y0.toFixed(1));
    this.frame.setAttribute("width", (view.x1 - view.x0).toFixed(1));
    this.frame.setAttribute("height", (view.y1 - view.y0).toFixed(1));
  }

  /** The pointer's place on the map, as a point of the drawing, becomes the view's centre. */
  private follow(event: PointerEvent): void {
    const rect = this.element.getBoundingClientRect();
    const [width, height] = this.size;
    const scale = Math.min(rect.width / width, rect.height / height);
    if (!(scale > 0)) return;
    const x = (event.clientX - rect.left - (rect.width - width * scale) / 2) / scale;
    const y = (event.clientY - rect.top - (rect.height - height * scale) / 2) / scale;
    this.moveTo(Math.max(0, Math.min(width, x)), Math.max(0, Math.min(height, y)));
  }
}
