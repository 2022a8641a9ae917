// One device's outbox (pure): records waiting to be sent and records sent but not yet
// acknowledged, like a tracker's flash buffer. A record leaves only when the platform's PUBACK
// says it is stored (DESIGN.md: a PUBACK means stored) or when the platform refused it (a
// REJECT_NOTICE names its seq: re-sending it would be refused again, forever).
//
// Invariants:
// - the queue is sorted by seq, and seq increases with device time, so whatever is sent (first
//   sends, re-sends after a lost connection, a replay after a tunnel) leaves in device-time order
//   with the seq and timestamp it was recorded with;
// - in-flight batches are contiguous slices taken from the head of the queue; on a lost
//   connection they go back to the head (`requeueAll`), each in its place by seq;
// - the queue holds at most `capacity` records; when full the oldest record is dropped and
//   counted (a tracker overwrites its oldest flash pages).
//
// Entries are opaque to the outbox beyond seq and tsMs: the device link keeps each record
// already encoded, so a re-send costs a copy, not an encode.

export interface OutboxEntry {
  readonly seq: number;
  readonly tsMs: number;
}

export interface OutboxBatch<E extends OutboxEntry> {
  readonly id: number;
  readonly entries: readonly E[];
}

/** When the queued records go out (see `Outbox.due`). */
export interface SendPolicy {
  /** Records per message in live operation: a message goes out once this many are queued. */
  batchSize: number;
  /** Largest message while catching up (a backlog after a tunnel or a lost connection). */
  maxBatchRecords: number;
  /** A queued record waits at most this long (device time, ms) for its batch to fill. */
  maxDelayMs: number;
}

// The consumed slots before the head still reference old records; they are released when the
// queue empties and otherwise once they are both many and a quarter of what is queued, which
// costs at most four copies per record (amortised) and bounds the stale slots.
const COMPACT_MIN_HEAD = 64;

export class Outbox<E extends OutboxEntry> {
  readonly capacity: number;
  /** Records dropped because the queue was full (oldest first). */
  dropped = 0;
  /** Records acknowledged (stored by the platform). */
  acked = 0;
  /** Records removed because the platform refused them (`discard`). */
  discarded = 0;

  // The queue is #queue[#head..]; the head advances instead of shifting the array.
  #queue: E[] = [];
  #head = 0;
  readonly #inflight = new Map<number, E[]>();
  #inflightRecords = 0;
  #nextBatchId = 1;
  #lastPushedSeq = Number.NEGATIVE_INFINITY;

  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`outbox capacity: ${capacity}`);
    this.capacity = capacity;
  }

  /** Records waiting to be sent. */
  get queued(): number {
    return this.#queue.length - this.#head;
  }

  /** Records sent and not yet acknowledged. */
  get inflightRecords(): number {
    return this.#inflightRecords;
  }

  /** Messages sent and not yet acknowledged. */
  get inflightBatches(): number {
    return this.#inflight.size;
  }

  /** True when nothing is queued or in flight. */
  get empty(): boolean {
    return this.queued === 0 && this.#inflightRecords === 0;
  }

  /** The oldest record waiting to be sent. */
  oldest(): E | undefined {
    return this.#queue[this.#head];
  }

  /**
   * Appends a new record. Its seq must be greater than every seq pushed before (a device's
   * sequence only grows). Returns how many old records were dropped to make room (0 or 1).
   */
  push(entry: E): number {
    if (!(entry.seq > this.#lastPushedSeq)) {
      throw new RangeError(`outbox: seq ${entry.seq} pushed after ${this.#lastPushedSeq}`);
    }
    this.#lastPushedSeq = entry.seq;
    this.#queue.push(entry);
    return this.#trim();
  }

  /**
   * How many queued records to send now (0: not yet): a full batch, everything up to
   * `maxBatchRecords` when more than a batch waits (catching up), or whatever waits once the
   * oldest record has waited `maxDelayMs` or when `flush` is set (stopping, a position request).
   */
  due(nowMs: number, policy: SendPolicy, flush = false): number {
    const queued = this.queued;
    if (queued === 0) return 0;
    const limit = Math.max(policy.batchSize, policy.maxBatchRecords);
    if (queued >= policy.batchSize) return Math.min(queued, limit);
    const oldest = this.#queue[this.#head];
    if (flush || (oldest !== undefined && oldest.tsMs + policy.maxDelayMs <= nowMs)) {
      return Math.min(queued, limit);
    }
    return 0;
  }

  /** Moves up to `max` records from the head of the queue into a new in-flight batch. */
  take(max: number): OutboxBatch<E> | undefined {
    const n = Math.min(Math.floor(max), this.queued);
    if (!(n >= 1)) return undefined;
    const entries = this.#queue.slice(this.#head, this.#head + n);
    this.#head += n;
    this.#compact();
    const id = this.#nextBatchId++;
    this.#inflight.set(id, entries);
    this.#inflightRecords += n;
    return { id, entries };
  }

  /** The platform stored batch `id`: forget it. Returns the records acknowledged (0 if unknown). */
  ack(id: number): number {
    const entries = this.#inflight.get(id);
    if (!entries) return 0;
    this.#inflight.delete(id);
    this.#inflightRecords -= entries.length;
    this.acked += entries.length;
    return entries.length;
  }

  /**
   * Batch `id` was not acknowledged and will not be (its connection is gone): its records go
   * back into the queue, in seq order. Returns how many; may drop the oldest if over capacity.
   */
  nack(id: number): number {
    const entries = this.#inflight.get(id);
    if (!entries) return 0;
    this.#inflight.delete(id);
    this.#inflightRecords -= entries.length;
    this.#insertSorted(entries);
    this.#trim();
    return entries.length;
  }

  /** The connection is gone: every in-flight batch goes back to the queue. Returns the records. */
  requeueAll(): number {
    if (this.#inflight.size === 0) return 0;
    // Oldest batch first, so each lands in front of the younger ones already re-queued.
    const batches = [...this.#inflight.values()].sort((a, b) => (a[0]?.seq ?? 0) - (b[0]?.seq ?? 0));
    this.#inflight.clear();
    this.#inflightRecords = 0;
    let n = 0;
    for (const entries of batches) {
      this.#insertSorted(entries);
      n += entries.length;
    }
    this.#trim();
    return n;
  }

  /**
   * The platform refused these records (REJECT_NOTICE): remove them wherever they are, so that
   * no re-send repeats them. Returns how many were still held (usually 0: a refused record is
   * acknowledged like any other, the notice comes after).
   */
  discard(seqs: Iterable<number>): number {
    const drop = new Set(seqs);
    if (drop.size === 0) return 0;
    let removed = 0;
    const live = this.#queue.slice(this.#head);
    const kept = live.filter((e) => !drop.has(e.seq));
    removed += live.length - kept.length;
    this.#queue = kept;
    this.#head = 0;
    for (const [id, entries] of this.#inflight) {
      const left = entries.filter((e) => !drop.has(e.seq));
      if (left.length === entries.length) continue;
      removed += entries.length - left.length;
      this.#inflightRecords -= entries.length - left.length;
      if (left.length === 0) this.#inflight.delete(id);
      else this.#inflight.set(id, left);
    }
    this.discarded += removed;
    return removed;
  }

  /** Every record held, in seq order (for tests and diagnostics; allocates). */
  snapshot(): { queued: E[]; inflight: E[] } {
    const inflight = [...this.#inflight.values()].flat().sort((a, b) => a.seq - b.seq);
    return { queued: this.#queue.slice(this.#head), inflight };
  }

  #insertSorted(entries: readonly E[]): void {
    const first = entries[0];
    if (first === undefined) return;
    // Binary search for the first queued record with a larger seq.
    let lo = this.#head;
    let hi = this.#queue.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.#queue[mid] as E).seq < first.seq) lo = mid + 1;
      else hi = mid;
    }
    if (lo === this.#head && this.#head >= entries.length) {
      // The usual case (re-queued in front of everything): reuse the free slots before the head.
      this.#head -= entries.length;
      for (let i = 0; i < entries.length; i++) this.#queue[this.#head + i] = entries[i] as E;
      return;
    }
    this.#queue.splice(lo, 0, ...entries);
  }

  #trim(): number {
    const over = this.queued - this.capacity;
    if (over <= 0) return 0;
    this.#head += over;
    this.dropped += over;
    this.#compact();
    return over;
  }

  #compact(): void {
    if (this.#head === this.#queue.length) {
      this.#queue.length = 0;
      this.#head = 0;
    } else if (this.#head >= COMPACT_MIN_HEAD && this.#head * 4 >= this.queued) {
      this.#queue = this.#queue.slice(this.#head);
      this.#head = 0;
    }
  }
}
