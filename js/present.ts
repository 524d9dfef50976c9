/**
 * Presenter mode: the widget fills the screen (the Fullscreen API; where the browser refuses, as
 * from Python without a click, it fills the window), with large type and the keyboard in charge.
 * `data-presenting` on the widget's root says which ("fullscreen" or "window"); CSS does the rest.
 */
import { button } from "./dom";

export type PresenterAction =
  | "next"
  | "previous"
  | "first"
  | "last"
  | "play"
  | "zoomIn"
  | "zoomOut"
  | "fit"
  | "sort"
  | "backward"
  | "check"
  | "leave";

const KEYS: Record<string, PresenterAction> = {
  ArrowRight: "next",
  ArrowDown: "next",
  PageDown: "next", // a presentation clicker
  ArrowLeft: "previous",
  ArrowUp: "previous",
  PageUp: "previous",
  Home: "first",
  End: "last",
  " ": "play",
  "+": "zoomIn",
  "=": "zoomIn",
  "-": "zoomOut",
  f: "fit",
  t: "sort",
  b: "backward",
  g: "check",
  Escape: "leave",
};

/** What a key does in presenter mode (letters either case); null: the page's own. */
export function presenterAction(
  event: Pick<KeyboardEvent, "key" | "ctrlKey" | "metaKey" | "altKey">,
): PresenterAction | null {
  if (event.ctrlKey || event.metaKey || event.altKey) return null;
  return KEYS[event.key.length === 1 ? event.key.toLowerCase() : event.key] ?? null;
}

export interface PresenterEvents {
  /** Presenting began or ended (by the button, Escape, the browser leaving full screen, or Python). */
  changed(presenting: boolean): void;
  act(action: PresenterAction): void;
}

export class Presenter {
  readonly button: HTMLButtonElement;
  private presenting = false;
  private home: Comment | null = null; // where the root stands in the notebook while it is lifted out

  constructor(
    private readonly root: HTMLElement,
    private readonly events: PresenterEvents,
  ) {
    this.button = button("Present", "Full screen with large type, for a lecture hall (Escape leaves)", () =>
      this.presenting ? this.leave() : this.enter(true),
    );
    this.button.setAttribute("aria-pressed", "false");
    if (!root.hasAttribute("tabindex")) root.tabIndex = -1;
    document.addEventListener("fullscreenchange", this.onFullscreen);
  }

  /** Present. `asked`: by a click, so full screen may be granted; else (Python) the window is filled. */
  enter(asked: boolean): void {
    if (this.presenting) return;
    this.lift();
    // The keys are the presenter's wherever the focus is (a notebook may take it back after running a
    // cell), and before the view's own arrows pan.
    document.addEventListener("keydown", this.onKey, true);
    this.show("window");
    if (asked && typeof this.root.requestFullscreen === "function") {
      this.root.requestFullscreen().then(
        () => this.presenting && this.show("fullscreen"),
        () => {}, // refused (an iframe without allowfullscreen): the window stays filled
      );
    }
    this.root.focus({ preventScroll: true });
  }

  leave(): void {
    if (!this.presenting) return;
    this.presenting = false;
    document.removeEventListener("keydown", this.onKey, true);
    delete this.root.dataset.presenting;
    delete this.root.dataset.lmSuppressShortcuts;
    this.button.setAttribute("aria-pressed", "false");
    if (document.fullscreenElement === this.root) void document.exitFullscreen?.();
    this.land();
    this.root.focus({ preventScroll: true });
    this.events.changed(false);
  }

  dispose(): void {
    document.removeEventListener("fullscreenchange", this.onFullscreen);
    document.removeEventListener("keydown", this.onKey, true);
    if (document.fullscreenElement === this.root) void document.exitFullscreen?.();
    this.land();
  }

  /**
   * Out of the notebook into the page's body while presenting: a notebook's cells contain their
   * layout (CSS containment), so a fixed box inside one fills the cell, not the window.
   */
  private lift(): void {
    if (this.home || !this.root.parentNode) return;
    this.home = document.createComment("livegrad: presenting");
    this.root.replaceWith(this.home);
    document.body.append(this.root);
  }

  private land(): void {
    this.home?.replaceWith(this.root);
    this.home = null;
  }

  private show(how: "fullscreen" | "window"): void {
    const was = this.presenting;
    this.presenting = true;
    this.root.dataset.presenting = how;
    this.root.dataset.lmSuppressShortcuts = "true"; // JupyterLab's shortcuts wait: the keys are the presenter's
    this.button.setAttribute("aria-pressed", "true");
    if (!was) this.events.changed(true);
  }

  /** The browser left full screen (its own Escape, which the page never sees): presenting ends too. */
  private readonly onFullscreen = (): void => {
    if (this.root.dataset.presenting === "fullscreen" && document.fullscreenElement !== this.root) this.leave();
  };

  private readonly onKey = (event: KeyboardEvent): void => {
    const inRoot = event.target instanceof Node && this.root.contains(event.target);
    if (inRoot && (event.target instanceof HTMLInputElement || event.target instanceof HTMLSelectElement)) return;
    const action = presenterAction(event);
    if (action === null) return;
    event.preventDefault();
    event.stopPropagation();
    if (action === "leave") this.leave();
    else this.events.act(action);
  };
}
