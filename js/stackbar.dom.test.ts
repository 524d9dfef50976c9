/** The stacks' bar in the mounted widget: "sample k of n" above the graph, ◀ ▶ and a number box. */
import { afterEach, describe, expect, it } from "vitest";
import type { Topology } from "./graph";
import { mount, mounted } from "./testing/helpers";
import { mlpTopology, valuesOf } from "./testing/mlp";

afterEach(() => {
  for (const el of mounted.splice(0)) el.remove();
});

const mountMlp = (topology: Topology, picks = {}) =>
  mount({ topology, values: valuesOf(topology), sliders: [], expanded: [], picks });

describe("the stacks' bar", () => {
  it("says which sample is on show where the eye goes, and steps through them", async () => {
    const topology = mlpTopology(2, [2, 1], 3);
    const { el, model } = await mountMlp(topology);
    const bar = el.querySelector<HTMLElement>(".lg-stacks")!;
    expect(bar.hidden).toBe(false);
    expect(bar.compareDocumentPosition(el.querySelector(".lg-graph")!) & Node.DOCUMENT_POSITION_FOLLOWING).toBeTruthy();
    expect(bar.textContent).toBe("MLP × 3:◀sample  of 3▶"); // the MLP runs on each data point: samples
    const box = bar.querySelector<HTMLInputElement>("input")!;
    expect(box.value).toBe("1");
    expect(box.getAttribute("aria-label")).toBe("MLP: the sample on show, 1 to 3");
    const previous = bar.querySelector<HTMLButtonElement>('[aria-label="Previous sample of MLP"]')!;
    const next = bar.querySelector<HTMLButtonElement>('[aria-label="Next sample of MLP"]')!;
    expect(previous.disabled).toBe(true);
    next.focus();
    next.click();
    expect(model.get("picks")).toEqual({ MLP: 1 });
    const again = el.querySelector<HTMLElement>(".lg-stacks")!;
    expect(again.querySelector("input")!.value).toBe("2");
    expect(document.activeElement?.getAttribute("aria-label")).toBe("Next sample of MLP"); // focus kept
    const number = again.querySelector<HTMLInputElement>("input")!;
    number.value = "3";
    number.dispatchEvent(new Event("change"));
    expect(model.get("picks")).toEqual({ MLP: 2 });
    expect(el.querySelector<HTMLButtonElement>('[aria-label="Next sample of MLP"]')!.disabled).toBe(true);
    const last = el.querySelector<HTMLInputElement>(".lg-stacks input")!;
    last.value = "9";
    last.dispatchEvent(new Event("change"));
    expect(model.get("picks")).toEqual({ MLP: 2 }); // out of range: refused, shown back
    expect(last.value).toBe("3");
  });

  it("follows Python's pick, and is hidden where no stack is drawn", async () => {
    const { el, model } = await mountMlp(mlpTopology(2, [2, 1], 3));
    model.change("picks", { MLP: 2 });
    await Promise.resolve();
    expect(el.querySelector<HTMLInputElement>(".lg-stacks input")!.value).toBe("3");
    const single = await mountMlp(mlpTopology(2, [2, 1], 1));
    expect(single.el.querySelector<HTMLElement>(".lg-stacks")!.hidden).toBe(true);
  });
});
