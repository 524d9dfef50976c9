/** The sort's `topo` list, growing as the sort appends: the learner's names, the newest marked. */
export class TopoList {
  readonly element: HTMLDivElement;
  private readonly items: HTMLOListElement;

  constructor() {
    this.element = document.createElement("div");
    this.element.className = "lg-topo";
    this.element.dataset.testid = "topo-list";
    const title = document.createElement("span");
    title.className = "lg-topo-title";
    title.textContent = "topo =";
    this.items = document.createElement("ol");
    this.items.setAttribute("aria-label", "topo");
    this.element.append(title, this.items);
    this.element.hidden = true;
  }

  /** The list so far (names in append order); `newest`: the last was appended at this step. Null hides it. */
  show(names: readonly string[] | null, newest = false): void {
    this.element.hidden = names === null;
    if (names === null) return;
    this.items.replaceChildren(
      ...names.map((name, k) => {
        const item = document.createElement("li");
        item.textContent = name; // text, never markup: a label is the learner's
        if (newest && k === names.length - 1) item.dataset.new = "true";
        return item;
      }),
    );
    this.items.lastElementChild?.scrollIntoView?.({ block: "nearest", inline: "nearest" });
  }
}
