/**
 * The steps of the sort (T) and of the naive backward pass, on the page: their frames (orderframe.ts)
 * drawn on the graph view, with the sort's list (topolist.ts) and the step panel's fault mark. It
 * touches the view's marks, the list and the panel's `data-fault`, and nothing else.
 */
import type { Explainer } from "./explain";
import type { TopologyNode } from "./graph";
import { naiveFrame, sortFrame } from "./orderframe";
import { sortPlan, type NaivePlan, type SortPlan } from "./sort";
import type { Mode } from "./stepper";
import { TopoList } from "./topolist";
import type { GraphView } from "./view";

export class OrderSteps {
  readonly list = new TopoList();
  private sorting: SortPlan | undefined; // the sort's steps: the topology's alone, made once
  private marked = false; // the sort's or the naive pass's marks are on the graph

  constructor(
    private readonly view: GraphView,
    private readonly panel: HTMLElement,
    private readonly nodes: readonly TopologyNode[],
    private readonly root: number,
    private readonly explainer: Explainer,
  ) {}

  /** How many steps the sort takes. */
  sortSteps(): number {
    return (this.sorting ??= sortPlan(this.nodes, this.root)).steps.length;
  }

  /** Draw step `step` of the sort (mode "topo") or of the naive pass (`naive`); the panel's lines, or
   * null when neither is on show (their marks then go). */
  draw(mode: Mode, step: number, naive: NaivePlan | null, data: Float64Array, grad: Float64Array): string[] | null {
    const { view, list, nodes, root, explainer } = this;
    if (step >= 0 && mode === "topo") {
      const frame = sortFrame(nodes, (this.sorting ??= sortPlan(nodes, root)), step, explainer);
      view.update(data, grad, {});
      view.highlight(frame.current, frame.edges);
      view.mark("lg-visited", this.elementsOf(frame.visited), []);
      view.mark("lg-sorted", this.elementsOf(frame.sorted), []);
      view.markOrder(new Map());
      list.show(
        frame.sorted.map((id) => nodes[id].name),
        frame.appended,
      );
      this.panel.dataset.fault = "";
      this.marked = true;
      return frame.lines;
    }
    if (step >= 0 && naive) {
      const frame = naiveFrame(nodes, naive, root, step, explainer);
      view.update(data, frame.grad, frame.pending);
      view.highlight(frame.current, frame.edges);
      view.mark("lg-visited", [], []);
      view.mark("lg-sorted", [], []);
      view.markOrder(frame.wrong);
      list.show(null);
      this.panel.dataset.fault = frame.fault;
      this.marked = true;
      return frame.lines;
    }
    if (this.marked) {
      view.mark("lg-visited", [], []);
      view.mark("lg-sorted", [], []);
      view.markOrder(new Map());
      list.show(null);
      this.panel.dataset.fault = "";
      this.marked = false;
    }
    return null;
  }

  private elementsOf(ids: readonly number[]): number[] {
    return ids.map((id) => this.view.shown.elementOf[id] ?? -1).filter((e) => e >= 0);
  }
}
