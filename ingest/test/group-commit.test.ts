import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  BackpressureError,
  type CommitTransport,
  type GroupCommitObserver,
  type GroupCommitOptions,
  GroupCommitWriter,
  RowsRefusedError,
  WriterClosedError,
} from '../src/group-commit.ts';

interface Waiting {
  rows: number[];
  succeed(): void;
  fail(err?: Error): void;
}

/**
 * An in-memory store. `auto` mode answers at once (failing the next `failures` sends);
 * `manual` mode keeps every send hanging until the test settles it.
 */
class FakeTransport implements CommitTransport<number> {
  /** Every send, in call order, including failed ones. */
  readonly calls: number[][] = [];
  /** Sends that succeeded, in completion order. */
  readonly committed: number[][] = [];
  readonly callTimes: number[] = [];
  readonly waiting: Waiting[] = [];
  manual = false;
  failures = 0;
  /** A row the store refuses for what it is: any send holding it fails with RowsRefusedError. */
  poison: number | undefined;
  inFlight = 0;
  maxInFlightSeen = 0;

  send(rows: readonly number[]): Promise<void> {
    const copy = [...rows];
    this.calls.push(copy);
    this.callTimes.push(Date.now());
    this.inFlight++;
    this.maxInFlightSeen = Math.max(this.maxInFlightSeen, this.inFlight);
    const finish = (ok: boolean) => {
      this.inFlight--;
      if (ok) this.committed.push(copy);
    };
    if (this.manual) {
      return new Promise<void>((resolve, reject) => {
        this.waiting.push({
          rows: copy,
          succeed: () => {
            finish(true);
            resolve();
          },
          fail: (err = new Error('store down')) => {
            finish(false);
            reject(err);
          },
        });
      });
    }
    if (this.poison !== undefined && copy.includes(this.poison)) {
      finish(false);
      return Promise.reject(new RowsRefusedError(`row ${this.poison} refused`));
    }
    if (this.failures > 0) {
      this.failures--;
      finish(false);
      return Promise.reject(new Error('store down'));
    }
    finish(true);
    return Promise.resolve();
  }

  /** Settles the oldest hanging send. */
  next(ok = true): number[] {
    const w = this.waiting.shift();
    if (!w) throw new Error('no send is waiting');
    if (ok) w.succeed();
    else w.fail();
    return w.rows;
  }

  get committedRows(): number[] {
    return this.committed.flat();
  }
}

type State = { state: 'pending' | 'resolved' | 'rejected'; error?: unknown };

/** Follows a promise's outcome without leaving a rejection unhandled. */
function track(p: Promise<void>): State {
  const s: State = { state: 'pending' };
  p.then(
    () => {
      s.state = 'resolved';
    },
    (error: unknown) => {
      s.state = 'rejected';
      s.error = error;
    },
  );
  return s;
}

const OPTIONS: GroupCommitOptions = {
  flushIntervalMs: 10,
  maxCommitRows: 1000,
  maxInFlight: 2,
  maxPendingRows: 10_000,
  retryMaxMs: 2000,
};

const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);

describe('GroupCommitWriter', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  /** Lets timers of `ms` fire and every resulting promise settle. */
  const tick = (ms = 0) => vi.advanceTimersByTimeAsync(ms);

  it('groups rows of many concurrent writes into few sends, in write order', async () => {
    const t = new FakeTransport();
    const w = new GroupCommitWriter(t, OPTIONS);
    const writes = range(0, 200).map((i) => track(w.write([i])));
    expect(t.calls).toHaveLength(0); // nothing is sent before the flush interval
    await tick(OPTIONS.flushIntervalMs);
    expect(writes.every((s) => s.state === 'resolved')).toBe(true);
    expect(t.calls).toHaveLength(1);
    expect(t.committedRows).toEqual(range(0, 200));
    expect(w.pendingRows).toBe(0);
  });

  it('a write resolves only after the send carrying its rows succeeded', async () => {
    const t = new FakeTransport();
    t.manual = true;
    const w = new GroupCommitWriter(t, OPTIONS);
    const a = track(w.write([1, 2]));
    const b = track(w.write([3]));
    await tick(OPTIONS.flushIntervalMs);
    expect(t.calls).toEqual([[1, 2, 3]]);
    await tick(1000);
    expect(a.state).toBe('pending');
    expect(b.state).toBe('pending');
    t.next();
    await tick();
    expect(a.state).toBe('resolved');
    expect(b.state).toBe('resolved');
  });

  it('writes made while a commit is in flight wait for their own commit', async () => {
    const t = new FakeTransport();
    t.manual = true;
    const w = new GroupCommitWriter(t, { ...OPTIONS, maxInFlight: 1 });
    const a = track(w.write([1]));
    await tick(OPTIONS.flushIntervalMs);
    const b = track(w.write([2]));
    await tick(OPTIONS.flushIntervalMs);
    expect(t.calls).toEqual([[1]]); // maxInFlight 1: [2] waits
    t.next();
    await tick();
    expect(a.state).toBe('resolved');
    expect(b.state).toBe('pending');
    await tick(OPTIONS.flushIntervalMs);
    expect(t.calls).toEqual([[1], [2]]);
    t.next();
    await tick();
    expect(b.state).toBe('resolved');
  });

  it('at low load a commit starts once its oldest row has waited the flush interval', async () => {
    const t = new FakeTransport();
    const w = new GroupCommitWriter(t, { ...OPTIONS, flushIntervalMs: 25 });
    const a = track(w.write([1]));
    await tick(24);
    expect(t.calls).toHaveLength(0);
    await tick(1);
    expect(t.calls).toEqual([[1]]);
    expect(a.state).toBe('resolved');
    // The next row starts a wait of its own (the timer does not run while nothing is queued).
    await tick(100);
    const b = track(w.write([2]));
    await tick(24);
    expect(t.calls).toHaveLength(1);
    await tick(1);
    expect(t.calls).toEqual([[1], [2]]);
    expect(b.state).toBe('resolved');
  });

  it('under load the next commit starts when the previous returns and carries all that arrived meanwhile', async () => {
    const t = new FakeTransport();
    t.manual = true;
    const w = new GroupCommitWriter(t, OPTIONS); // maxInFlight 2: only full commits overlap
    const first = track(w.write([0]));
    await tick(OPTIONS.flushIntervalMs);
    expect(t.calls).toEqual([[0]]);
    const later = range(1, 50).map((i) => track(w.write([i])));
    await tick(200); // far past the flush interval: still waiting for the commit in flight
    expect(t.calls).toHaveLength(1);
    t.next();
    await tick(); // due already, so it goes the moment the first one returns
    expect(first.state).toBe('resolved');
    expect(t.calls).toEqual([[0], range(1, 50)]);
    t.next();
    await tick();
    expect(later.every((s) => s.state === 'resolved')).toBe(true);
  });

  it('commits grow with the load while their number stays near one per commit time', async () => {
    // A store that takes 20 ms per commit, written to once per millisecond and once per 10 ms:
    // about one commit per 20 ms either way (a fixed 10 ms timer with two in flight made 100).
    for (const gapMs of [10, 1]) {
      const expectedMax = 1000 / 20 + 2;
      const t = new FakeTransport();
      t.manual = true;
      const w = new GroupCommitWriter(t, { ...OPTIONS, flushIntervalMs: 10 });
      const settle = setInterval(() => {
        // each send answers 20 ms after it started
        while (t.waiting.length > 0 && Date.now() - (t.callTimes[t.committed.length] ?? 0) >= 20) t.next();
      }, 1);
      const writes: Promise<void>[] = [];
      for (let ms = 0; ms < 1000; ms += gapMs) {
        writes.push(w.write([ms]));
        await tick(gapMs);
      }
      await tick(100);
      clearInterval(settle);
      await Promise.all(writes);
      const rowsPerCommit = writes.length / t.calls.length;
      expect(t.calls.length).toBeLessThanOrEqual(expectedMax);
      expect(t.committedRows).toEqual(range(0, 1000).filter((ms) => ms % gapMs === 0));
      if (gapMs === 1) expect(rowsPerCommit).toBeGreaterThanOrEqual(19); // ~20 ms of rows each
      await w.close();
    }
  });

  it('a full commit goes at once even while another is in flight, up to maxInFlight', async () => {
    const t = new FakeTransport();
    t.manual = true;
    const w = new GroupCommitWriter(t, { ...OPTIONS, maxCommitRows: 10, maxInFlight: 2 });
    track(w.write([0]));
    await tick(OPTIONS.flushIntervalMs);
    track(w.write(range(1, 11)));
    await tick();
    expect(t.calls).toEqual([[0], range(1, 11)]);
    track(w.write(range(11, 21)));
    await tick();
    expect(t.calls).toHaveLength(2); // two in flight already
    t.next();
    await tick();
    expect(t.calls).toHaveLength(3);
    while (t.waiting.length > 0) {
      t.next();
      await tick();
    }
  });

  it('does not wait for the flush interval once maxCommitRows are queued', async () => {
    const t = new FakeTransport();
    const w = new GroupCommitWriter(t, { ...OPTIONS, flushIntervalMs: 10_000, maxCommitRows: 10 });
    const s = track(w.write(range(0, 10)));
    await tick(); // no timer needed
    expect(t.calls).toEqual([range(0, 10)]);
    expect(s.state).toBe('resolved');
  });

  it('respects maxCommitRows; an oversized single write goes alone', async () => {
    const t = new FakeTransport();
    const w = new GroupCommitWriter(t, { ...OPTIONS, maxCommitRows: 10, maxInFlight: 16 });
    const writes = [
      ...range(0, 7).map((i) => w.write([i * 3, i * 3 + 1, i * 3 + 2])), // 21 rows in writes of 3
      w.write(range(100, 125)), // 25 rows at once
      w.write([200]),
    ];
    await tick(OPTIONS.flushIntervalMs);
    await Promise.all(writes);
    for (const c of t.calls) {
      if (c.length > 10) expect(c).toEqual(range(100, 125));
    }
    expect(t.calls.filter((c) => c.length > 10)).toHaveLength(1);
    // Writes are never split across sends.
    for (const c of t.calls.filter((c) => c.length <= 10))
      expect(c.length % 3 === 0 || c.includes(200)).toBe(true);
    expect(t.committedRows.sort((a, b) => a - b)).toEqual([...range(0, 21), ...range(100, 125), 200]);
  });

  it('never has more than maxInFlight sends at once', async () => {
    const t = new FakeTransport();
    t.manual = true;
    const w = new GroupCommitWriter(t, { ...OPTIONS, maxCommitRows: 5, maxInFlight: 2 });
    const writes = range(0, 40).map((i) => track(w.write([i])));
    await tick(OPTIONS.flushIntervalMs);
    expect(t.inFlight).toBe(2);
    expect(t.calls).toHaveLength(2);
    while (writes.some((s) => s.state === 'pending')) {
      expect(t.waiting.length).toBeGreaterThan(0);
      t.next();
      await tick(OPTIONS.flushIntervalMs);
      expect(t.inFlight).toBeLessThanOrEqual(2);
    }
    expect(t.maxInFlightSeen).toBe(2);
    expect(t.calls.every((c) => c.length <= 5)).toBe(true);
    expect(t.committedRows).toEqual(range(0, 40));
    expect(w.pendingRows).toBe(0);
  });

  it('keeps writes pending while the store fails, retries with capped backoff, then resolves all in order', async () => {
    const t = new FakeTransport();
    t.failures = 6;
    const failed: number[] = [];
    const recovered: number[] = [];
    const committed: number[] = [];
    const observer: GroupCommitObserver = {
      failed: (_rows, _err, next) => failed.push(next),
      recovered: (ms) => recovered.push(ms),
      committed: (rows) => committed.push(rows),
    };
    const w = new GroupCommitWriter(t, { ...OPTIONS, maxInFlight: 1, retryMaxMs: 300 }, observer);
    const first = range(0, 5).map((i) => track(w.write([i])));
    await tick(OPTIONS.flushIntervalMs);
    expect(t.calls).toHaveLength(1);
    expect(w.healthy).toBe(false);
    expect(w.pendingRows).toBe(5);
    // More writes while it is down: they queue behind the failed rows.
    const later = range(5, 8).map((i) => track(w.write([i])));
    await tick(5_000);
    expect([...first, ...later].every((s) => s.state === 'resolved')).toBe(true);
    expect(failed).toEqual([50, 100, 200, 300, 300, 300]);
    const gaps = t.callTimes.slice(1).map((at, i) => at - (t.callTimes[i] as number));
    expect(gaps).toEqual([50, 100, 200, 300, 300, 300]);
    expect(t.calls).toHaveLength(7);
    expect(t.committedRows).toEqual(range(0, 8)); // no row lost, none twice, order kept
    expect(recovered).toHaveLength(1);
    expect(recovered[0]).toBe(50 + 100 + 200 + 300 + 300 + 300);
    expect(committed).toEqual([8]);
    expect(w.healthy).toBe(true);
    expect(w.pendingRows).toBe(0);
  });

  it('starts the backoff again after a recovery', async () => {
    const t = new FakeTransport();
    const failed: number[] = [];
    const w = new GroupCommitWriter(
      t,
      { ...OPTIONS, maxInFlight: 1 },
      { failed: (_r, _e, n) => failed.push(n) },
    );
    t.failures = 2;
    const a = w.write([1]);
    await tick(1000);
    await a;
    t.failures = 1;
    const b = w.write([2]);
    await tick(1000);
    await b;
    expect(failed).toEqual([50, 100, 50]);
  });

  it('keeps row order when two in-flight commits both fail', async () => {
    const t = new FakeTransport();
    t.manual = true;
    // Full commits (one row each) are the ones that overlap.
    const w = new GroupCommitWriter(t, { ...OPTIONS, maxCommitRows: 1, maxInFlight: 2 });
    const a = track(w.write([1]));
    await tick(OPTIONS.flushIntervalMs); // commit A = [1] in flight
    const b = track(w.write([2]));
    await tick(OPTIONS.flushIntervalMs); // commit B = [2] in flight
    expect(t.calls).toEqual([[1], [2]]);
    t.next(false); // A fails first
    t.next(false); // then B
    await tick(50);
    while (t.waiting.length > 0) t.next(true);
    await tick();
    expect(a.state).toBe('resolved');
    expect(b.state).toBe('resolved');
    expect(t.committedRows).toEqual([1, 2]);
  });

  it('a commit the store refuses is split into its writes: only the offending one fails, the others go in', async () => {
    const t = new FakeTransport();
    t.poison = 7;
    const refused: number[] = [];
    const w = new GroupCommitWriter(t, OPTIONS, { refused: (rows) => refused.push(rows) });
    const writes = range(0, 20).map((i) => track(w.write([i * 2, i * 2 + 1])));
    await tick(OPTIONS.flushIntervalMs);
    await tick(0);
    const states = writes.map((s) => s.state);
    expect(states[3]).toBe('rejected'); // rows 6 and 7
    expect(writes[3]?.error).toBeInstanceOf(RowsRefusedError);
    expect(states.filter((s) => s === 'resolved')).toHaveLength(19);
    expect(t.committedRows.sort((a, b) => a - b)).toEqual(range(0, 40).filter((r) => r !== 6 && r !== 7));
    // Not retried as a whole, and no outage: the writer stays healthy, nothing is left pending.
    expect(refused).toEqual([40, 2]);
    expect(w.healthy).toBe(true);
    expect(w.pendingRows).toBe(0);
    // Later writes are grouped again.
    const later = range(100, 110).map((i) => track(w.write([i])));
    await tick(OPTIONS.flushIntervalMs);
    expect(later.every((s) => s.state === 'resolved')).toBe(true);
    expect(t.calls.at(-1)).toEqual(range(100, 110));
  });

  it('pendingRows and healthy reflect queued, in-flight and failing rows', async () => {
    const t = new FakeTransport();
    t.manual = true;
    const w = new GroupCommitWriter(t, OPTIONS);
    expect(w.pendingRows).toBe(0);
    expect(w.healthy).toBe(true);
    const a = track(w.write([1, 2, 3]));
    expect(w.pendingRows).toBe(3); // queued
    await tick(OPTIONS.flushIntervalMs);
    expect(w.pendingRows).toBe(3); // in flight
    const b = track(w.write([4]));
    expect(w.pendingRows).toBe(4);
    t.next(false);
    await tick();
    expect(w.healthy).toBe(false);
    expect(w.pendingRows).toBe(4); // the failed rows are held, not dropped
    expect(a.state).toBe('pending');
    await tick(OPTIONS.retryMaxMs);
    while (t.waiting.length > 0) t.next(true);
    await tick(OPTIONS.flushIntervalMs);
    while (t.waiting.length > 0) t.next(true);
    await tick();
    expect(a.state).toBe('resolved');
    expect(b.state).toBe('resolved');
    expect(w.healthy).toBe(true);
    expect(w.pendingRows).toBe(0);
  });

  it('refuses a write beyond maxPendingRows at once with BackpressureError', async () => {
    const t = new FakeTransport();
    t.manual = true;
    const w = new GroupCommitWriter(t, { ...OPTIONS, maxPendingRows: 10 });
    const held = track(w.write(range(0, 8)));
    await tick(OPTIONS.flushIntervalMs); // in flight and hanging
    const refused = track(w.write([8, 9, 10]));
    await Promise.resolve();
    await Promise.resolve();
    expect(refused.state).toBe('rejected');
    expect(refused.error).toBeInstanceOf(BackpressureError);
    expect((refused.error as BackpressureError).code).toBe('ingest_backpressure');
    expect((refused.error as Error).message).toContain('8');
    expect(w.pendingRows).toBe(8);
    // Up to the limit is still accepted; one more row is not.
    const fits = track(w.write([8, 9]));
    expect(w.pendingRows).toBe(10);
    const over = track(w.write([10]));
    await tick();
    expect(over.state).toBe('rejected');
    expect(over.error).toBeInstanceOf(BackpressureError);
    while (held.state === 'pending' || fits.state === 'pending') {
      if (t.waiting.length > 0) t.next();
      await tick(OPTIONS.flushIntervalMs);
    }
    expect(w.pendingRows).toBe(0);
    // Once drained, writes are accepted again.
    const again = track(w.write([10]));
    await tick(OPTIONS.flushIntervalMs);
    t.next();
    await tick();
    expect(again.state).toBe('resolved');
    expect(t.committedRows).toEqual(range(0, 11));
  });

  it('an empty write resolves at once without a send', async () => {
    const t = new FakeTransport();
    const w = new GroupCommitWriter(t, OPTIONS);
    await expect(w.write([])).resolves.toBeUndefined();
    await tick(100);
    expect(t.calls).toEqual([]);
  });

  it('drained() resolves when nothing is queued or in flight', async () => {
    const t = new FakeTransport();
    t.manual = true;
    const w = new GroupCommitWriter(t, OPTIONS);
    await expect(w.drained()).resolves.toBeUndefined();
    void w.write([1]);
    const d = track(w.drained());
    await tick(OPTIONS.flushIntervalMs);
    expect(d.state).toBe('pending');
    t.next();
    await tick();
    expect(d.state).toBe('resolved');
  });

  it('close() sends what is queued without waiting for the flush timer, then refuses writes', async () => {
    const t = new FakeTransport();
    const w = new GroupCommitWriter(t, { ...OPTIONS, flushIntervalMs: 60_000 });
    const writes = range(0, 5).map((i) => track(w.write([i])));
    const closed = track(w.close());
    await tick();
    expect(closed.state).toBe('resolved');
    expect(writes.every((s) => s.state === 'resolved')).toBe(true);
    expect(t.committedRows).toEqual(range(0, 5));
    await expect(w.write([9])).rejects.toBeInstanceOf(WriterClosedError);
    await expect(w.close()).resolves.toBeUndefined();
  });

  it('close() waits through a short outage', async () => {
    const t = new FakeTransport();
    t.failures = 2;
    const w = new GroupCommitWriter(t, OPTIONS);
    const a = track(w.write([1, 2]));
    const closed = track(w.close(5_000));
    await tick(1000);
    expect(closed.state).toBe('resolved');
    expect(a.state).toBe('resolved');
    expect(t.committedRows).toEqual([1, 2]);
  });

  it('close() with a store that never recovers rejects the pending writes after its timeout', async () => {
    const t = new FakeTransport();
    t.failures = Number.POSITIVE_INFINITY;
    const w = new GroupCommitWriter(t, OPTIONS);
    const a = track(w.write([1, 2]));
    const b = track(w.write([3]));
    const closed = track(w.close(1_000));
    await tick(900);
    expect(a.state).toBe('pending');
    expect(closed.state).toBe('pending');
    await tick(200);
    expect(closed.state).toBe('resolved');
    expect(a.state).toBe('rejected');
    expect(b.state).toBe('rejected');
    expect(w.pendingRows).toBe(0);
    // No retries after it gave up.
    const calls = t.calls.length;
    await tick(10_000);
    expect(t.calls.length).toBe(calls);
    expect(t.committed).toEqual([]);
  });
});
