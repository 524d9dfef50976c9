/**
 * Slider changes to the kernel, coalesced: at most one message in flight; while it is,
 * the newest value of each leaf waits, and goes as soon as the kernel answers. A fast
 * drag never builds a backlog, and the last position always reaches the kernel.
 */

export interface SetMessage {
  type: "set";
  values: [id: number, value: number][];
  ack: string;
}

export class CoalescingSender {
  private inFlight: string | null = null;
  private readonly pending = new Map<number, number>();
  private sent = 0;

  constructor(
    private readonly send: (message: SetMessage) => void,
    private readonly client: string,
  ) {}

  /** New values for some leaves (one slider, or every slider on Reset). */
  submit(values: Iterable<readonly [id: number, value: number]>): void {
    for (const [id, value] of values) this.pending.set(id, value);
    if (this.inFlight === null) this.flush();
  }

  /** The kernel answered `ack`; send what waited meanwhile. Answers to others are ignored. */
  acknowledge(ack: string | null | undefined): void {
    if (ack === null || ack === undefined || ack !== this.inFlight) return;
    this.inFlight = null;
    if (this.pending.size > 0) this.flush();
  }

  /** True while the kernel has not yet seen the newest values. */
  get busy(): boolean {
    return this.inFlight !== null;
  }

  private flush(): void {
    this.inFlight = `${this.client}:${++this.sent}`;
    this.send({ type: "set", values: [...this.pending], ack: this.inFlight });
    this.pending.clear();
  }
}
