/**
 * A page saved by `GraphWidget.save_html`: the widget with no kernel and no server. The page
 * carries the widget's own bundle (widget.js, imported here from a blob: URL, as anywidget does)
 * and this small script, whose model stands in for the kernel. It answers slider messages by replaying the graph's ops in the
 * page (js/replay.ts), and checks gradients with central differences on that replay (the rule
 * of Python's `gradcheck`). Ops of the user's own cannot be replayed: their values stay as saved,
 * and the sliders of leaves they depend on are disabled and say why; so are all sliders of a graph
 * only Python can run (topology.replay false: a learner's engine, or from_function's build).
 */
import { readTopology, type GradientCheck, type Local, type TopologyNode, type Values } from "./graph";
import { jsonNumber, toNumbers } from "./format";
import { backward, canReplay, forward, localDerivatives } from "./replay";
import { sweep } from "./trace";
import type { WidgetModel, WidgetState } from "./widget";

type Render = (props: { model: unknown; el: HTMLElement }) => Promise<unknown>;

type Listener = () => void;
type Key = keyof WidgetModel;

/** Python's `gradcheck` defaults: step eps·max(1, |x|), match when |a − n| ≤ atol + rtol·|n|. */
const EPS = 1e-6;
const RTOL = 1e-4;
const ATOL = 1e-6;

/** The graph's arithmetic, replayed in the page: the part of a kernel a saved page needs. */
export class Replay {
  /** Ids of leaves that reach an op the page cannot replay, with that op's name. */
  readonly blocked = new Map<number, string>();
  private readonly frozen: TopologyNode[]; // unreplayable nodes as leaves: their saved value stays
  private readonly complete: boolean;
  private readonly savedLocals: Local[][];

  constructor(
    private readonly nodes: readonly TopologyNode[],
    private readonly root: number,
    saved: Values,
    replayable = true, // false: a learner's engine or a rebuilt graph (topology.replay), which only Python can run
  ) {
    const replays = (node: TopologyNode): boolean => node.inputs.length === 0 || (replayable && canReplay([node]));
    this.complete = replayable && canReplay(nodes);
    this.frozen = nodes.map((node) => (replays(node) ? node : { ...node, op: "", inputs: [] }));
    this.savedLocals = (saved.local ?? []).map((row) => row.map((d) => (d === null ? null : Number(d))));
    const reaches: (string | undefined)[] = nodes.map((node) => (replays(node) ? undefined : node.op));
    for (let i = nodes.length - 1; i >= 0; i--) {
      if (reaches[i] === undefined) continue;
      for (const input of nodes[i].inputs) reaches[input] ??= reaches[i];
    }
    nodes.forEach((node, i) => {
      const op = reaches[i];
      if (node.inputs.length === 0 && op !== undefined) this.blocked.set(i, op);
    });
  }

  /** Forward from the leaves in `data` (in place), then a fresh backward: the new gradients. */
  run(data: Float64Array): Float64Array {
    forward(this.frozen, data);
    if (this.complete) {
      const grad = new Float64Array(data.length);
      backward(this.nodes, data, grad, this.root);
      return grad;
    }
    const grad = new Float64Array(data.length);
    sweep(this.nodes, this.locals(data), this.root, grad);
    return grad;
  }

  /** Each edge's local derivative: replayed, or as saved for an op the page cannot replay. */
  locals(data: Float64Array): Local[][] {
    const replayed = localDerivatives(this.frozen, data);
    return replayed.map((row, i) => (this.frozen[i] === this.nodes[i] ? row : this.savedLocals[i]));
  }

  /** The root's value for `data` with leaf `id` set to `x` (`data` is left as it was). */
  rootAt(data: Float64Array, id: number, x: number): number {
    const probe = Float64Array.from(data);
    probe[id] = x;
    forward(this.frozen, probe);
    return probe[this.root];
  }

  /** Autograd against a central difference for each leaf in `ids` the page can replay. */
  check(data: Float64Array, grad: Float64Array, ids: readonly number[]): GradientCheck[] {
    return ids
      .filter((id) => !this.blocked.has(id))
      .map((id) => {
        const h = EPS * Math.max(1, Math.abs(data[id]));
        const numeric = (this.rootAt(data, id, data[id] + h) - this.rootAt(data, id, data[id] - h)) / (2 * h);
        const autograd = grad[id];
        const compared = { id, autograd: jsonNumber(autograd), numeric: jsonNumber(numeric) };
        if (!Number.isFinite(numeric) && !Number.isNaN(autograd)) {
          return {
            ...compared,
            ok: true,
            judged: false,
            why: "the difference is not finite here (a pole or an overflow)",
          };
        }
        const error = Math.abs(autograd - numeric);
        const ok = error <= ATOL + RTOL * Math.abs(numeric) || (Number.isNaN(error) && Number.isNaN(autograd));
        return { ...compared, ok };
      });
  }
}

/**
 * anywidget's model (get, set, on, off, save_changes, send) with the kernel's part done here:
 * a slider message is answered by new `values` carrying its `ack`, as Python answers it, and
 * `check_gradients` fills `gradient_check` in the shape Python sends.
 */
export class StandaloneModel {
  readonly replay: Replay;
  /** The sliders this page cannot answer, each with why it needs Python. */
  readonly blocked = new Map<number, string>();
  private readonly listeners = new Map<string, Set<Listener>>();
  private data: Float64Array;
  private saved: boolean;

  private readonly state: WidgetModel;

  constructor(state: WidgetState) {
    const topology = readTopology(state.topology); // a saved page holds Python's columns
    this.state = { ...state, topology };
    const { nodes, root } = topology;
    const replayable = topology.replay !== false;
    this.replay = new Replay(nodes, root, state.values, replayable);
    for (const { id } of state.sliders) {
      const op = this.replay.blocked.get(id);
      if (!replayable)
        this.blocked.set(
          id,
          id < 0 ? "your build function computes this graph" : "your engine's backward computes these gradients",
        );
      else if (op !== undefined) this.blocked.set(id, `this leaf feeds op '${op}', which a saved page cannot replay`);
    }
    this.data = toNumbers(state.values.data);
    this.saved = state.check_gradients;
  }

  get<K extends Key>(key: K): WidgetModel[K] {
    return this.state[key];
  }

  /** As Backbone does: store, then tell the listeners of that key if it changed. */
  set<K extends Key>(key: K, value: WidgetModel[K]): void {
    if (Object.is(this.state[key], value)) return;
    this.state[key] = value;
    for (const listener of [...(this.listeners.get(`change:${key}`) ?? [])]) listener();
  }

  on(event: string, listener: Listener): void {
    if (!this.listeners.has(event)) this.listeners.set(event, new Set());
    this.listeners.get(event)!.add(listener);
  }

  off(event?: string | null, listener?: Listener | null): void {
    if (!event) this.listeners.clear();
    else if (!listener) this.listeners.delete(event);
    else this.listeners.get(event)?.delete(listener);
  }

  /** What the kernel does when the page saves its traits: (un)check the gradients. */
  save_changes(): void {
    if (this.state.check_gradients === this.saved) return;
    this.saved = this.state.check_gradients;
    queueMicrotask(() => this.checkGradients());
  }

  /** A slider message, answered later like a kernel's: never inside the sender's own call. */
  send(message: unknown): void {
    queueMicrotask(() => this.answer(message));
  }

  private answer(message: unknown): void {
    const { type, values, ack } = (message ?? {}) as { type?: unknown; values?: unknown; ack?: unknown };
    const ids = new Set(this.state.sliders.map((s) => s.id));
    const valid =
      type === "set" &&
      Array.isArray(values) &&
      values.every(
        (pair) => Array.isArray(pair) && ids.has(pair[0]) && typeof pair[1] === "number" && Number.isFinite(pair[1]),
      );
    const acked = typeof ack === "string" ? ack : null;
    if (type === "backward") return this.sendValues(acked); // Run backward: the chain rule over the page's locals
    if (!valid) {
      this.set("error", "Refused a message from the page: expected {type: 'set', values: [[id, number], ...]}");
      this.set("values", { ...this.state.values, ack: acked });
      return;
    }
    const refused = (values as [number, number][]).find(([id]) => this.blocked.has(id));
    for (const [id, x] of values as [number, number][]) if (!this.blocked.has(id)) this.data[id] = x;
    this.set("error", refused ? `That slider needs Python: ${this.blocked.get(refused[0])}.` : "");
    this.sendValues(acked);
  }

  /** Forward and backward replayed from the leaves, answered as the kernel answers: new values, then the check. */
  private sendValues(acked: string | null): void {
    const grad = this.replay.run(this.data);
    this.set("values", {
      data: Array.from(this.data, jsonNumber),
      grad: Array.from(grad, jsonNumber),
      local: this.replay.locals(this.data).map((row) => row.map((d) => (d === null ? null : jsonNumber(d)))),
      grads_computed: true,
      ack: acked,
    });
    this.checkGradients();
  }

  private checkGradients(): void {
    if (!this.state.check_gradients) {
      this.set("gradient_check", { leaves: [], locals: [], summary: "" });
      return;
    }
    const ids = this.state.sliders
      .map((s) => s.id)
      .filter((id) => !this.blocked.has(id)) // no ✓ for what only Python computes
      .sort((a, b) => a - b);
    const leaves = this.replay.check(this.data, toNumbers(this.state.values.grad), ids);
    const matched = leaves.filter((c) => c.ok && c.judged !== false).length;
    const unjudged = leaves.filter((c) => c.judged === false).length;
    const summary =
      `${matched}/${leaves.length} leaves match` +
      (unjudged ? ` · ${unjudged} not judged` : "") +
      " · a saved page checks the leaves only"; // see the README
    this.set("gradient_check", { leaves, locals: [], summary });
  }
}

/** Disable the sliders the page cannot answer, and say why beside each. */
function markBlocked(el: HTMLElement, model: StandaloneModel): void {
  const rows = el.querySelectorAll<HTMLElement>(".lg-slider");
  model.get("sliders").forEach((spec, k) => {
    const reason = model.blocked.get(spec.id);
    const row = rows[k];
    if (reason === undefined || !row) return;
    const inputs = Array.from(row.querySelectorAll("input"));
    for (const input of inputs) input.disabled = true;
    const note = document.createElement("span");
    note.className = "lg-needs-python";
    note.dataset.testid = "needs-python";
    note.textContent = "needs Python";
    note.title = `Needs Python: ${reason}; moving it needs the live widget.`;
    row.title = note.title;
    inputs.find((input) => input.type === "range")?.replaceWith(note); // the note takes the slider's place
  });
}

/** Render the saved widget into `el` from the state the page carries, with the widget's `render`. */
export async function renderSaved(el: HTMLElement, state: WidgetState, render: Render): Promise<StandaloneModel> {
  const model = new StandaloneModel(state);
  await render({ model, el });
  markBlocked(el, model);
  return model;
}

/** The page's start: the widget's module from its inlined text, then the saved state drawn. */
async function start(source: string, state: WidgetState, target: HTMLElement): Promise<void> {
  const url = URL.createObjectURL(new Blob([source], { type: "text/javascript" }));
  const widget = (await import(/* @vite-ignore */ url)) as { default: { render: Render } };
  const model = await renderSaved(target, state, widget.default.render);
  (window as unknown as { livegrad?: StandaloneModel }).livegrad = model; // for the curious, and for tests
}

const page = typeof document === "undefined" ? null : document;
const [esm, saved, target] = ["livegrad-esm", "livegrad-state", "livegrad"].map((id) => page?.getElementById(id));
if (esm && saved && target) {
  start(esm.textContent ?? "", JSON.parse(saved.textContent ?? "{}") as WidgetState, target).catch((error) => {
    target.textContent = `This saved livegrad page could not start: ${error}`;
  });
}
