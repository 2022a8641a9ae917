// Intervals driven by the runtime's one tick, a hashed timer wheel: every connection's mqtt.js
// keep-alive runs on it (mqtt.js takes a `{ set, clear }` timer as `timerVariant`), so 10,000
// devices add no timers of their own. Cancelled entries are dropped lazily when their bucket
// comes up, so clear() is O(1) and a tick costs only what is due.

interface Entry {
  fn: () => void;
  everyTicks: number;
  dueTick: number;
}

export class TickTimers {
  readonly tickMs: number;
  #tick = 0;
  #nextId = 1;
  readonly #entries = new Map<number, Entry>();
  readonly #buckets = new Map<number, number[]>();

  constructor(tickMs: number) {
    this.tickMs = tickMs;
  }

  /** Live intervals. */
  get size(): number {
    return this.#entries.size;
  }

  /** Calls `fn` every `ms` (rounded up to whole ticks, at least one) until cleared. */
  setInterval(fn: () => void, ms: number): number {
    const everyTicks = Math.max(1, Math.ceil((Number.isFinite(ms) ? ms : 0) / this.tickMs));
    const id = this.#nextId++;
    const entry: Entry = { fn, everyTicks, dueTick: this.#tick + everyTicks };
    this.#entries.set(id, entry);
    this.#file(id, entry.dueTick);
    return id;
  }

  clearInterval(id: number): void {
    this.#entries.delete(id);
  }

  /** Runs everything due up to and including tick `tick` (ticks may be skipped under load). */
  advance(tick: number): void {
    while (this.#tick < tick) {
      this.#tick++;
      const bucket = this.#buckets.get(this.#tick);
      if (!bucket) continue;
      this.#buckets.delete(this.#tick);
      for (const id of bucket) {
        const entry = this.#entries.get(id);
        if (!entry || entry.dueTick !== this.#tick) continue; // cleared, or re-filed
        entry.dueTick = this.#tick + entry.everyTicks;
        this.#file(id, entry.dueTick);
        entry.fn();
      }
    }
  }

  /** Drops every interval. */
  clear(): void {
    this.#entries.clear();
    this.#buckets.clear();
  }

  #file(id: number, tick: number): void {
    const bucket = this.#buckets.get(tick);
    if (bucket) bucket.push(id);
    else this.#buckets.set(tick, [id]);
  }
}
