import { describe, expect, it } from 'vitest';
import { MsHistogram } from '../src/latency-histogram.ts';

describe('MsHistogram', () => {
  it('gives nearest-rank percentiles, max and mean', () => {
    const h = new MsHistogram();
    for (let ms = 1; ms <= 100; ms++) h.record(ms);
    expect(h.summary()).toEqual({ count: 100, p50: 50, p90: 90, p99: 99, p999: 100, max: 100, mean: 50.5 });
    expect(new MsHistogram().summary()).toEqual({
      count: 0,
      p50: 0,
      p90: 0,
      p99: 0,
      p999: 0,
      max: 0,
      mean: 0,
    });
  });

  it('rounds, clamps negatives to 0, and keeps the max of overflowing values', () => {
    const h = new MsHistogram(10);
    h.record(-3);
    h.record(2.4);
    h.record(2.6);
    h.record(500);
    expect(h.toPairs()).toEqual([
      [0, 1],
      [2, 1],
      [3, 1],
      [500, 1],
    ]);
    expect(h.percentile(100)).toBe(500);
    expect(h.max).toBe(500);
  });

  it('merges through pairs (one process to another) without changing the figures', () => {
    const a = new MsHistogram();
    const b = new MsHistogram();
    const all = new MsHistogram();
    for (let i = 0; i < 1000; i++) {
      const v = (i * 37) % 211;
      (i % 2 === 0 ? a : b).record(v);
      all.record(v);
    }
    const merged = new MsHistogram();
    merged.addPairs(a.toPairs());
    merged.addPairs(b.toPairs());
    expect(merged.summary()).toEqual(all.summary());
    merged.reset();
    expect(merged.count).toBe(0);
  });
});
