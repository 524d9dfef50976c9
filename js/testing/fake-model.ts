/** A stand-in for anywidget's model, for tests: traits in a plain object, messages recorded. */
import type { WidgetModel } from "../widget";

type Listener = () => void;

export class FakeModel {
  readonly sent: unknown[] = [];
  private readonly listeners = new Map<string, Set<Listener>>();

  constructor(private readonly state: WidgetModel) {}

  get<K extends keyof WidgetModel>(key: K): WidgetModel[K] {
    return this.state[key];
  }
  set<K extends keyof WidgetModel>(key: K, value: WidgetModel[K]): void {
    this.state[key] = value;
  }
  on(event: string, listener: Listener): void {
    if (!this.listeners.has(event)) this.listeners.set(event, new Set());
    this.listeners.get(event)!.add(listener);
  }
  off(event?: string | null, listener?: Listener | null): void {
    if (event && listener) this.listeners.get(event)?.delete(listener);
  }
  save_changes(): void {}
  send(message: unknown): void {
    this.sent.push(message);
  }
  /** The kernel changes a trait. */
  change<K extends keyof WidgetModel>(key: K, value: WidgetModel[K]): void {
    this.state[key] = value;
    for (const listener of this.listeners.get(`change:${key}`) ?? []) listener();
  }
  listenerCount(): number {
    return [...this.listeners.values()].reduce((n, set) => n + set.size, 0);
  }
}
