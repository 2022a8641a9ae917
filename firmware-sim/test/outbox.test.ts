import { describe, expect, it } from 'vitest';
import { Outbox, type SendPolicy } from '../src/runtime/outbox.ts';

interface Rec {
  seq: number;
  tsMs: number;
}

const T0 = 1_780_000_000_000;
const rec = (seq: number): Rec => ({ seq, tsMs: T0 + seq * 1000 });

function filled(capacity: number, from: number, to: number): Outbox<Rec> {
  const box = new Outbox<Rec>(capacity);
  for (let s = from; s <= to; s++) box.push(rec(s));
  return box;
}

const seqs = (entries: readonly Rec[]) => entries.map((e) => e.seq);

describe('Outbox', () => {
  it('sends in seq order and forgets acknowledged batches', () => {
    const box = filled(100, 1, 5);
    const a = box.take(2);
    const b = box.take(2);
    expect(seqs(a?.entries ?? [])).toEqual([1, 2]);
    expect(seqs(b?.entries ?? [])).toEqual([3, 4]);
    expect(box.queued).toBe(1);
    expect(box.inflightRecords).toBe(4);
    expect(box.inflightBatches).toBe(2);
    // PUBACKs may come out of order (group commits): each batch is acknowledged by id.
    expect(box.ack(b?.id ?? 0)).toBe(2);
    expect(box.ack(a?.id ?? 0)).toBe(2);
    expect(box.ack(a?.id ?? 0)).toBe(0); // a second PUBACK for the same batch changes nothing
    expect(box.acked).toBe(4);
    expect(box.inflightRecords).toBe(0);
    expect(seqs(box.snapshot().queued)).toEqual([5]);
  });

  it('puts in-flight batches back at the head, in device-time order, when the connection is lost', () => {
    const box = filled(100, 1, 10);
    const a = box.take(3); // 1..3
    box.take(3); // 4..6
    const c = box.take(2); // 7..8
    box.ack(a?.id ?? 0);
    box.push(rec(11));
    expect(box.requeueAll()).toBe(5);
    expect(box.inflightRecords).toBe(0);
    const { queued } = box.snapshot();
    expect(seqs(queued)).toEqual([4, 5, 6, 7, 8, 9, 10, 11]);
    // Original timestamps and seqs, untouched.
    expect(queued.every((e) => e.tsMs === T0 + e.seq * 1000)).toBe(true);
    expect(c?.entries.map((e) => e.seq)).toEqual([7, 8]);
  });

  it('re-inserts a single failed batch in its place even when a younger one went back first', () => {
    const box = filled(100, 1, 9);
    const a = box.take(3); // 1..3
    const b = box.take(3); // 4..6
    box.nack(b?.id ?? 0);
    box.nack(a?.id ?? 0);
    expect(seqs(box.snapshot().queued)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const c = box.take(4);
    const d = box.take(2);
    box.nack(c?.id ?? 0);
    expect(seqs(box.snapshot().queued)).toEqual([1, 2, 3, 4, 7, 8, 9]);
    box.nack(d?.id ?? 0);
    expect(seqs(box.snapshot().queued)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('is bounded: drops the oldest and counts it', () => {
    const box = new Outbox<Rec>(3);
    let dropped = 0;
    for (let s = 1; s <= 5; s++) dropped += box.push(rec(s));
    expect(dropped).toBe(2);
    expect(box.dropped).toBe(2);
    expect(seqs(box.snapshot().queued)).toEqual([3, 4, 5]);
  });

  it('keeps the bound when re-queued records come back into a full queue', () => {
    const box = filled(4, 1, 4);
    box.take(2); // 1, 2 in flight; the queue has room again
    box.push(rec(5));
    box.push(rec(6)); // queued: 3..6 (full)
    box.requeueAll(); // 1, 2 come back in front; the two oldest go
    expect(seqs(box.snapshot().queued)).toEqual([3, 4, 5, 6]);
    expect(box.dropped).toBe(2);
  });

  it('refuses a seq that does not increase (a device sequence only grows)', () => {
    const box = filled(10, 1, 3);
    expect(() => box.push(rec(3))).toThrow(RangeError);
    expect(() => box.push(rec(2))).toThrow(RangeError);
  });

  it('discards refused records wherever they are, so no re-send repeats them', () => {
    const box = filled(100, 1, 8);
    const a = box.take(4); // 1..4 in flight
    expect(box.discard([2, 3, 6])).toBe(3);
    expect(box.discarded).toBe(3);
    expect(box.inflightRecords).toBe(2);
    box.requeueAll();
    expect(seqs(box.snapshot().queued)).toEqual([1, 4, 5, 7, 8]);
    expect(box.ack(a?.id ?? 0)).toBe(0); // that batch went back to the queue
    expect(box.discard([])).toBe(0);
    expect(box.discard([99])).toBe(0);
  });

  describe('due: when queued records go out', () => {
    const policy: SendPolicy = { batchSize: 5, maxBatchRecords: 50, maxDelayMs: 30_000 };

    it('waits for a full batch', () => {
      const box = filled(1000, 1, 4);
      expect(box.due(T0 + 5_000, policy)).toBe(0);
      box.push(rec(5));
      expect(box.due(T0 + 5_000, policy)).toBe(5);
    });

    it('sends a partial batch once its oldest record has waited maxDelayMs, or on flush', () => {
      const box = filled(1000, 1, 2); // oldest at T0 + 1 s
      expect(box.due(T0 + 30_999, policy)).toBe(0);
      expect(box.due(T0 + 31_000, policy)).toBe(2);
      expect(box.due(T0 + 2_000, policy, true)).toBe(2);
    });

    it('catches up in large messages after a backlog', () => {
      const box = filled(1000, 1, 120);
      expect(box.due(T0, policy)).toBe(50);
      box.take(50);
      box.take(50);
      expect(box.due(T0, policy)).toBe(20);
    });

    it('is 0 for an empty outbox', () => {
      expect(new Outbox<Rec>(1).due(T0, policy, true)).toBe(0);
    });
  });

  it('stays consistent through long runs of pushes, takes, acks and losses', () => {
    // A pseudo-random walk checked against a model: every record is acknowledged exactly once
    // or dropped, and what is held is always in seq order.
    let seed = 7;
    const rnd = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const box = new Outbox<Rec>(50);
    const inflight: number[] = [];
    let next = 1;
    for (let step = 0; step < 5000; step++) {
      const r = rnd();
      if (r < 0.5) box.push(rec(next++));
      else if (r < 0.75) {
        const b = box.take(1 + Math.floor(rnd() * 8));
        if (b) inflight.push(b.id);
      } else if (r < 0.95) {
        const i = Math.floor(rnd() * inflight.length);
        const id = inflight.splice(i, 1)[0];
        if (id !== undefined) box.ack(id);
      } else {
        box.requeueAll();
        inflight.length = 0;
      }
      const { queued, inflight: flying } = box.snapshot();
      expect(box.queued).toBe(queued.length);
      expect(box.inflightRecords).toBe(flying.length);
      expect(box.queued).toBeLessThanOrEqual(50);
      for (let i = 1; i < queued.length; i++) {
        expect((queued[i] as Rec).seq).toBeGreaterThan((queued[i - 1] as Rec).seq);
      }
    }
    box.requeueAll();
    expect(box.acked + box.dropped + box.queued).toBe(next - 1);
  });
});
