import { button } from "./dom";

/**
 * Controls for stepping through a pass: which pass, then first / previous / play / next / last
 * at a chosen speed, and the keyboard (arrows, Home, End, space) while focused. The step
 * controls work only while stepping, but keep their place, and the panel below, which says what each
 * step computes, is always there (a hint while not stepping): starting to step moves nothing on the page.
 */

export type Mode = "backward" | "forward" | "topo";

export interface StepperEvents {
  /** The user asked for `step` (clamped by the caller) in `mode`; -1 leaves stepping. */
  go(mode: Mode, step: number): void;
  /** The user switched the backward pass to the naive order (micrograd #64's) or back. */
  naive(on: boolean): void;
}

const SPEEDS = [0.5, 1, 2, 4, 8];
const PASS: Record<Mode, string> = { forward: "Forward pass", backward: "Backward pass", topo: "Topological sort" };
// The most lines a step writes: two inputs, each with its contribution and the sum it lands in.
const PANEL_LINES = 4;
const HINT = "Step forward pass or Step backward pass (→) to see each step's arithmetic here.";

export class Stepper {
  readonly element: HTMLDivElement;
  readonly panel: HTMLDivElement;
  private readonly counter: HTMLSpanElement;
  private readonly controls: HTMLSpanElement; // what only works while stepping
  private readonly playButton: HTMLButtonElement;
  private readonly modeButtons: Record<Mode, HTMLButtonElement>;
  private readonly naiveButton: HTMLButtonElement;
  private readonly towardStart: HTMLButtonElement[];
  private readonly towardEnd: HTMLButtonElement[];
  private readonly speed: HTMLSelectElement;
  private timer: ReturnType<typeof setInterval> | undefined;
  private mode: Mode = "backward";
  private naive = false;
  private step = -1;
  private count = 0;

  constructor(private readonly events: StepperEvents) {
    this.element = document.createElement("div");
    this.element.className = "lg-stepper";
    this.element.tabIndex = 0;
    this.element.setAttribute("role", "toolbar");
    this.element.setAttribute("aria-label", "Step through the passes");
    this.element.dataset.lmSuppressShortcuts = "true"; // the arrow keys are ours while focused
    this.modeButtons = {
      forward: modeButton("Step forward pass", "Compute the values one at a time, inputs first (→ to step)", () =>
        this.start("forward"),
      ),
      backward: modeButton(
        "Step backward pass",
        "Pass the gradient back one value at a time, from the output (→ to step)",
        () => this.start("backward"),
      ),
      topo: modeButton(
        "Step topological sort",
        "Walk build_topo from the output: visit, skip what is visited, append a value after its inputs (T)",
        () => this.start("topo"),
      ),
    };
    this.naiveButton = button(
      "Naive order",
      "Step the backward pass as a recursive backward() would, without the sort (micrograd #64): see what goes wrong",
      () => this.events.naive(!this.naive),
    );
    const first = button("|◀", "First step (Home)", () => this.goTo(0), "First step");
    const previous = button("◀", "Previous step (←)", () => this.goTo(this.step - 1), "Previous step");
    this.playButton = button("Play", "Play or pause (space)", () => this.togglePlay(), "Play or pause");
    const next = button("▶", "Next step (→)", () => this.goTo(this.step + 1), "Next step");
    const last = button("▶|", "Last step (End)", () => this.goTo(this.count), "Last step");
    this.towardStart = [first, previous];
    this.towardEnd = [next, last];
    const done = button("Done", "Stop stepping: show every value", () => this.leave());
    this.speed = document.createElement("select");
    this.speed.setAttribute("aria-label", "Steps per second");
    this.speed.title = "Steps per second while playing";
    for (const value of SPEEDS) this.speed.append(new Option(`${value}/s`, String(value), value === 2, value === 2));
    this.speed.addEventListener("change", () => this.timer !== undefined && this.play());
    this.counter = document.createElement("span");
    this.counter.className = "lg-step-count";
    this.controls = document.createElement("span");
    this.controls.className = "lg-step-controls";
    this.controls.append(first, previous, this.playButton, next, last, this.speed, this.counter, done);
    const modes = document.createElement("span");
    modes.className = "lg-step-modes";
    modes.append(this.modeButtons.forward, this.modeButtons.backward, this.modeButtons.topo, this.naiveButton);
    this.element.append(modes, this.controls);
    this.element.addEventListener("keydown", (event) => this.onKey(event));
    this.panel = document.createElement("div");
    this.panel.className = "lg-panel";
    this.panel.dataset.testid = "step-panel";
    this.panel.setAttribute("role", "status"); // a live region: each step is read out
    this.panel.setAttribute("aria-label", "Step");
    // A fixed height, so that the graph below does not jump as steps write more or fewer lines.
    this.panel.style.boxSizing = "content-box";
    this.panel.style.height = `${PANEL_LINES * 1.3}em`;
    this.panel.style.lineHeight = "1.3";
    this.panel.style.overflowY = "auto";
    // Lines past the panel's fade out at its foot (data-more) until they are scrolled to.
    this.panel.addEventListener("scroll", () => {
      const { scrollTop, clientHeight, scrollHeight } = this.panel;
      this.panel.dataset.more = String(scrollTop + clientHeight < scrollHeight - 1);
    });
    this.show("backward", -1, 0, []);
  }

  /** No naive order for this graph (`why`, on the disabled button). */
  withoutNaive(why: string): void {
    this.naiveButton.disabled = true;
    this.naiveButton.title = why;
  }

  /** Reflect the state the widget is in (set by the user, Python, or a new trace); `place` names the step's element. */
  show(
    mode: Mode,
    step: number,
    count: number,
    lines: readonly string[],
    place: string | null = null,
    naive = false,
  ): void {
    this.mode = mode;
    this.naive = naive;
    this.naiveButton.setAttribute("aria-pressed", String(naive));
    this.step = step;
    this.count = count;
    const stepping = step >= 0;
    this.element.dataset.stepping = String(stepping);
    for (const [name, button] of Object.entries(this.modeButtons)) {
      button.setAttribute("aria-pressed", String(stepping && name === mode));
    }
    this.controls.style.visibility = stepping ? "" : "hidden"; // its room kept: the graph below never jumps
    for (const button of this.towardStart) button.disabled = step <= 0;
    for (const button of this.towardEnd) button.disabled = step >= count;
    // Where the step is, by name ("in L1.N3"): on a big graph the step's own text may not say.
    const where = place === null ? "" : ` · in ${place}`;
    const pass = mode === "backward" && naive ? "Backward pass, naive order" : PASS[mode];
    this.counter.textContent = stepping ? `${pass}: step ${step} of ${count}${where}` : "";
    this.counter.title = this.counter.textContent; // in full: its box has a fixed width, so nothing reflows
    this.panel.dataset.stepping = String(stepping);
    const shown = stepping ? lines : [HINT];
    this.panel.replaceChildren(
      ...shown.map((line) => Object.assign(document.createElement("div"), { textContent: line })),
    );
    this.panel.scrollTop = 0;
    this.panel.dataset.more = String(lines.length > PANEL_LINES);
    if (stepping && step >= count) this.pause();
  }

  stop(): void {
    this.pause();
  }

  /** Presenter mode's keys: T, B and the arrows, space, Home and End, as the toolbar's own keys do. */
  press(key: "topo" | "backward" | "next" | "previous" | "first" | "last" | "play"): void {
    if (key === "topo" || key === "backward") this.start(key);
    else if (key === "play") this.togglePlay();
    else if (key === "next") this.onKey(new KeyboardEvent("keydown", { key: "ArrowRight" }));
    else this.goTo({ previous: this.step - 1, first: 0, last: this.count }[key]);
  }

  private start(mode: Mode): void {
    this.pause();
    this.events.go(mode, 0);
  }

  private goTo(step: number): void {
    this.events.go(this.mode, Math.max(0, Math.min(step, this.count)));
  }

  private leave(): void {
    this.pause();
    this.events.go(this.mode, -1);
  }

  private togglePlay(): void {
    if (this.timer !== undefined) this.pause();
    else this.play();
  }

  private play(): void {
    this.pause();
    if (this.step < 0 || this.step >= this.count) this.events.go(this.mode, 0);
    this.playButton.textContent = "Pause";
    this.timer = setInterval(() => this.goTo(this.step + 1), 1000 / Number(this.speed.value));
  }

  private pause(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    this.playButton.textContent = "Play";
  }

  private onKey(event: KeyboardEvent): void {
    if (event.target instanceof HTMLSelectElement) return;
    const actions: Record<string, () => void> = {
      ArrowRight: () => (this.step < 0 ? this.start(this.mode) : this.goTo(this.step + 1)),
      ArrowLeft: () => this.goTo(this.step - 1),
      Home: () => this.goTo(0),
      End: () => this.goTo(this.count),
      " ": () => this.togglePlay(),
    };
    const action = actions[event.key];
    if (!action) return;
    event.preventDefault();
    event.stopPropagation();
    action();
  }
}

/** A mode's button whose words "Step" and "pass" give way in a narrow output (the CSS hides `.lg-wide`
 * there), so the modes fit one row; its accessible name stays whole at every width. */
function modeButton(text: string, title: string, onClick: () => void): HTMLButtonElement {
  const element = button(text, title, onClick, text);
  const [, step, words, pass] = /^(Step )(.*?)( pass)?$/.exec(text) ?? [];
  const wide = (part: string): HTMLSpanElement => {
    const span = document.createElement("span");
    span.className = "lg-wide";
    span.textContent = part;
    return span;
  };
  if (step) element.replaceChildren(wide(step), words, ...(pass ? [wide(pass)] : []));
  return element;
}
