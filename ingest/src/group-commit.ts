// Group commit: many devices' rows go to QuestDB in one request, and each caller's promise
// resolves only when the request that carried its rows succeeded. This is what lets a PUBACK
// mean "stored" (DESIGN.md, "Where the work happens") at a rate one request per message could
// never reach.
//
// Failure model: a failed commit puts its rows back at the head of the queue and is retried
// with capped exponential backoff, forever; the callers keep waiting (their devices get no
// PUBACK yet). Memory is bounded by `maxPendingRows`: past it, `write` refuses at once with a
// BackpressureError and the broker disconnects the publisher, which keeps and re-sends.
// A commit the store refuses for its content (RowsRefusedError: retrying would fail the same)
// is not retried as it is: its writes are committed one by one, so the one write that holds the
// offending row fails alone (its caller gets the error) and every other device's rows go in.
// Retrying it forever would let one bad row stop every device's PUBACK.
import { FleetError } from '@fleet/shared';

export interface CommitTransport<Row> {
  /** Sends the rows as one request; resolves once they are durable. */
  send(rows: readonly Row[]): Promise<void>;
}

export interface GroupCommitOptions {
  /** Shortest wait of a row for its commit (longer while the previous commit is in flight). */
  flushIntervalMs: number;
  /** Rows in one commit (a single oversized write still goes alone). */
  maxCommitRows: number;
  /** Commits in flight at once; more than one only when full commits are queued. */
  maxInFlight: number;
  /** Rows queued or in flight before `write` refuses. */
  maxPendingRows: number;
  /** Longest pause between retries of a failed commit. */
  retryMaxMs: number;
}

export interface GroupCommitObserver {
  committed?(rows: number, ms: number): void;
  failed?(rows: number, err: unknown, nextRetryMs: number): void;
  /** The store refused a commit for its content (not retried as it was). */
  refused?(rows: number, err: unknown): void;
  recovered?(downForMs: number): void;
}

export class BackpressureError extends FleetError {
  constructor(pending: number) {
    super('ingest_backpressure', `ingest is holding ${pending} rows for the store; try again later`);
  }
}

/** The store refused these rows for what they hold (a retry would fail the same way). */
export class RowsRefusedError extends FleetError {
  constructor(message: string) {
    super('rows_refused', message);
  }
}

export class WriterClosedError extends FleetError {
  constructor() {
    super('ingest_closed', 'the writer is closed');
  }
}

interface PendingWrite<Row> {
  /** Arrival order, so retried writes go back where they were. */
  order: number;
  rows: readonly Row[];
  resolve: () => void;
  reject: (err: unknown) => void;
  /** Committed on its own: it shared a commit the store refused. */
  alone?: boolean;
}

export class GroupCommitWriter<Row> {
  readonly #transport: CommitTransport<Row>;
  readonly #o: GroupCommitOptions;
  readonly #observer: GroupCommitObserver;
  #queue: PendingWrite<Row>[] = [];
  #queuedRows = 0;
  #inFlightRows = 0;
  #inFlight = 0;
  #timer: NodeJS.Timeout | undefined;
  /** The oldest queued row has waited its flush interval. */
  #due = false;
  #retryTimer: NodeJS.Timeout | undefined;
  #retryDelayMs = 0;
  #failingSince: number | undefined;
  #closed = false;
  #nextOrder = 0;
  #idleWaiters: (() => void)[] = [];

  constructor(
    transport: CommitTransport<Row>,
    options: GroupCommitOptions,
    observer: GroupCommitObserver = {},
  ) {
    this.#transport = transport;
    this.#o = options;
    this.#observer = observer;
  }

  /** Rows queued or being sent. */
  get pendingRows(): number {
    return this.#queuedRows + this.#inFlightRows;
  }

  /** False while commits are failing (the store is down or refusing). */
  get healthy(): boolean {
    return this.#failingSince === undefined && this.#retryTimer === undefined;
  }

  /** Resolves when the rows are committed. Throws BackpressureError at once when full. */
  write(rows: readonly Row[]): Promise<void> {
    if (this.#closed) return Promise.reject(new WriterClosedError());
    if (rows.length === 0) return Promise.resolve();
    if (this.pendingRows + rows.length > this.#o.maxPendingRows) {
      return Promise.reject(new BackpressureError(this.pendingRows));
    }
    return new Promise<void>((resolve, reject) => {
      this.#queue.push({ order: this.#nextOrder++, rows, resolve, reject });
      this.#queuedRows += rows.length;
      if (this.#queuedRows >= this.#o.maxCommitRows) this.#pump();
      else if (!this.#due) {
        this.#timer ??= setTimeout(() => {
          this.#timer = undefined;
          this.#due = true;
          this.#pump();
        }, this.#o.flushIntervalMs);
      }
    });
  }

  /** Starts the commits that are due (see the header for when that is). */
  #pump(): void {
    if (this.#retryTimer !== undefined) return; // a failed commit waits first; it keeps the order
    while (this.#queue.length > 0 && this.#inFlight < this.#o.maxInFlight) {
      const full = this.#queuedRows >= this.#o.maxCommitRows;
      const due = (this.#due || this.#closed) && this.#inFlight === 0;
      if (!full && !due) break;
      void this.#commit(this.#takeGroup());
    }
    if (this.#queue.length === 0) {
      // The next row starts its own wait.
      this.#due = false;
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
    this.#notifyIdle();
  }

  #takeGroup(): PendingWrite<Row>[] {
    const group: PendingWrite<Row>[] = [];
    let rows = 0;
    while (this.#queue.length > 0) {
      const next = this.#queue[0] as PendingWrite<Row>;
      if (group.length > 0 && (next.alone || rows + next.rows.length > this.#o.maxCommitRows)) break;
      this.#queue.shift();
      group.push(next);
      rows += next.rows.length;
      if (next.alone) break;
    }
    this.#queuedRows -= rows;
    return group;
  }

  async #commit(group: PendingWrite<Row>[]): Promise<void> {
    const rows = group.length === 1 ? (group[0] as PendingWrite<Row>).rows : group.flatMap((w) => w.rows);
    this.#inFlight++;
    this.#inFlightRows += rows.length;
    const started = performance.now();
    try {
      await this.#transport.send(rows);
      this.#inFlight--;
      this.#inFlightRows -= rows.length;
      if (this.#failingSince !== undefined) {
        this.#observer.recovered?.(Date.now() - this.#failingSince);
        this.#failingSince = undefined;
      }
      this.#retryDelayMs = 0;
      this.#observer.committed?.(rows.length, performance.now() - started);
      for (const w of group) w.resolve();
    } catch (err) {
      this.#inFlight--;
      this.#inFlightRows -= rows.length;
      if (err instanceof RowsRefusedError) {
        this.#refused(group, err);
        return;
      }
      this.#failingSince ??= Date.now();
      this.#requeue(group);
      this.#queuedRows += rows.length;
      this.#retryDelayMs = Math.min(this.#o.retryMaxMs, Math.max(50, this.#retryDelayMs * 2));
      this.#observer.failed?.(rows.length, err, this.#retryDelayMs);
      if (this.#closed && this.#closeDeadlinePassed()) {
        this.#rejectAll(err);
        return;
      }
      if (this.#retryTimer === undefined) {
        this.#retryTimer = setTimeout(() => {
          this.#retryTimer = undefined;
          this.#pump();
        }, this.#retryDelayMs);
      }
    }
    this.#pump();
  }

  /** A commit the store refused: its one write fails, or its writes go again one by one. */
  #refused(group: PendingWrite<Row>[], err: RowsRefusedError): void {
    const rows = group.reduce((n, w) => n + w.rows.length, 0);
    this.#observer.refused?.(rows, err);
    if (group.length === 1) (group[0] as PendingWrite<Row>).reject(err);
    else {
      for (const w of group) w.alone = true;
      this.#requeue(group);
      this.#queuedRows += rows;
    }
    this.#pump();
  }

  /** Puts a failed group back in arrival order (another failed commit may be queued already). */
  #requeue(group: PendingWrite<Row>[]): void {
    const merged: PendingWrite<Row>[] = [];
    let i = 0;
    let j = 0;
    while (i < group.length || j < this.#queue.length) {
      const a = group[i];
      const b = this.#queue[j];
      if (b === undefined || (a !== undefined && a.order < b.order)) {
        merged.push(a as PendingWrite<Row>);
        i++;
      } else {
        merged.push(b);
        j++;
      }
    }
    this.#queue = merged;
    this.#due = true; // these rows have waited already
  }

  #closeDeadline = 0;
  #closeDeadlinePassed(): boolean {
    return Date.now() > this.#closeDeadline;
  }

  #rejectAll(err: unknown): void {
    clearTimeout(this.#retryTimer);
    this.#retryTimer = undefined;
    const waiting = this.#queue;
    this.#queue = [];
    this.#queuedRows = 0;
    for (const w of waiting) w.reject(err);
    this.#notifyIdle();
  }

  #notifyIdle(): void {
    if (this.pendingRows > 0 || this.#inFlight > 0) return;
    const waiters = this.#idleWaiters;
    this.#idleWaiters = [];
    for (const w of waiters) w();
  }

  /** Resolves when nothing is queued or in flight. */
  drained(): Promise<void> {
    if (this.pendingRows === 0 && this.#inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  /**
   * Stops taking writes and commits what is queued, retrying for up to `timeoutMs`; what is
   * still unwritten then is rejected (its devices got no PUBACK and will re-send).
   */
  async close(timeoutMs = 10_000): Promise<void> {
    if (this.#closed) return this.drained();
    this.#closed = true;
    this.#closeDeadline = Date.now() + timeoutMs;
    this.#pump();
    const timeout = new Promise<'timeout'>((r) => setTimeout(r, timeoutMs, 'timeout').unref());
    if ((await Promise.race([this.drained(), timeout])) === 'timeout') {
      this.#rejectAll(new WriterClosedError());
    }
  }
}
