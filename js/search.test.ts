/** The search field: ranking, cycling through matches, and saying so when nothing matches. */
import { afterEach, describe, expect, it, vi } from "vitest";
import { SearchBox, SearchIndex } from "./search";
import { node } from "./testing/helpers";

const NODES = [
  node("x1"),
  node("L1.N3.w0"),
  node("L1.N3.b"),
  node("", "+", [1, 2], "L1.N3.b + x"),
  node("l1.n3.B"),
  node("b"),
  node("", "*", [0, 5], "x1*b"),
  node("L1.N30.b"),
];
const index = new SearchIndex(NODES);
const labels = (ids: number[]) => ids.map((id) => NODES[id].label || NODES[id].name);

describe("ranking matches", () => {
  it("puts the exact label first, then exact name, then either in any case; without those, prefixes, then substrings", () => {
    expect(labels(index.find("L1.N3.b"))).toEqual(["L1.N3.b", "l1.n3.B"]); // not "L1.N3.b + x"
    expect(labels(index.find("b"))).toEqual(["b"]);
    expect(labels(index.find(".b"))).toEqual(["L1.N3.b", "l1.n3.B", "L1.N30.b", "L1.N3.b + x"]);
    expect(labels(index.find("B + "))).toEqual(["L1.N3.b + x"]);
    expect(labels(index.find("x1*b"))).toEqual(["x1*b"]); // an unlabelled value, by its name
    expect(labels(index.find("  L1.N3 "))).toEqual(["L1.N3.w0", "L1.N3.b", "L1.N3.b + x", "l1.n3.B", "L1.N30.b"]);
    expect(index.find("")).toEqual([]);
    expect(index.find("zz")).toEqual([]);
  });

  it("finds a label among 65,818 values, and the best match is the exact one", () => {
    const many = Array.from({ length: 65_818 }, (_, i) => node(i % 7 === 0 ? `v${i}` : "", "", [], `#${i}`));
    many[40_000] = node("L1.N3.b");
    many[50_000] = node("L1.N3.bias");
    const index = new SearchIndex(many);
    expect(index.find("L1.N3.b")).toEqual([40_000]);
    expect(index.find("l1.n3.bi")).toEqual([50_000]);
  });
});

describe("the search field", () => {
  afterEach(() => document.body.replaceChildren());

  function field() {
    const shown: number[] = [];
    const events = { show: vi.fn((id: number) => void shown.push(id)), clear: vi.fn() };
    const box = new SearchBox(index, NODES, events);
    document.body.append(box.element);
    const type = (text: string) => {
      box.input.value = text;
      box.input.dispatchEvent(new Event("input"));
    };
    const key = (key: string, shiftKey = false) =>
      box.input.dispatchEvent(new KeyboardEvent("keydown", { key, shiftKey, bubbles: true, cancelable: true }));
    return { box, events, shown, type, key };
  }

  it("is a search input named for what it does", () => {
    const { box } = field();
    expect(box.input.type).toBe("search");
    expect(box.input.getAttribute("aria-label")).toBe("Find a value by name or label");
    expect(box.status.getAttribute("aria-live")).toBe("polite");
  });

  it("shows the best match on Enter, the next on Enter again, wrapping, and the one before on Shift+Enter", async () => {
    const { box, shown, type, key } = field();
    type("L1.N3");
    key("Enter");
    expect(shown).toEqual([1]);
    expect(box.status.textContent).toBe("1 of 5: L1.N3.w0");
    key("Enter");
    key("Enter");
    key("Enter");
    key("Enter");
    key("Enter");
    expect(shown).toEqual([1, 2, 3, 4, 7, 1]);
    key("Enter", true);
    expect(shown).toEqual([1, 2, 3, 4, 7, 1, 7]);
    expect(box.current).toBe(7);
    type("x1");
    key("Enter");
    expect(shown.at(-1)).toBe(0); // a new query starts again from its best match
    expect(box.status.textContent).toBe("1 match: x1");
  });

  it("says politely when nothing matches, marks the field, and shows nothing", () => {
    const { box, events, type, key } = field();
    type("w9");
    key("Enter");
    expect(events.show).not.toHaveBeenCalled();
    expect(events.clear).toHaveBeenCalled();
    expect(box.status.textContent).toBe("No value is named or labelled “w9”.");
    expect(box.input.getAttribute("aria-invalid")).toBe("true");
    type("w0");
    key("Enter");
    expect(box.input.hasAttribute("aria-invalid")).toBe(false);
    expect(box.status.textContent).toBe("1 match: L1.N3.w0");
  });

  it("Escape empties the field and takes the highlight away", () => {
    const { box, events, type, key } = field();
    type("x1");
    key("Enter");
    key("Escape");
    expect(box.input.value).toBe("");
    expect(box.status.textContent).toBe("");
    expect(box.current).toBeNull();
    expect(events.clear).toHaveBeenCalledTimes(1);
  });

  it("offers the actions the widget gives for the match (a leaf's + slider)", () => {
    const shown: number[] = [];
    const add = document.createElement("button");
    add.textContent = "+ slider";
    const box = new SearchBox(index, NODES, {
      show: (id) => void shown.push(id),
      clear: () => {},
      actions: (id) => (NODES[id].op === "" ? [add] : []),
    });
    box.input.value = "x"; // no exact match: x1, then x1*b by its name
    void box.go(1);
    expect(box.element.contains(add)).toBe(true);
    void box.go(1); // x1*b: computed, no slider
    expect(box.element.contains(add)).toBe(false);
  });
});
