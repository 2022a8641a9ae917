import { describe, expect, it } from 'vitest';
import { backoffDelay, HUB_BACKOFF } from '../src/lib/live/backoff.ts';

describe('backoffDelay', () => {
  const options = { baseMs: 500, maxMs: 30_000 };

  it('doubles the ceiling per attempt, between half of it and all of it', () => {
    for (const [attempt, ceiling] of [
      [0, 500],
      [1, 1000],
      [2, 2000],
      [5, 16_000],
    ] as const) {
      expect(backoffDelay(attempt, options, () => 0)).toBe(ceiling / 2);
      expect(backoffDelay(attempt, options, () => 1)).toBe(ceiling);
      expect(backoffDelay(attempt, options, () => 0.5)).toBe(ceiling * 0.75);
    }
  });

  it('is capped, however many attempts failed', () => {
    expect(backoffDelay(6, options, () => 1)).toBe(30_000);
    expect(backoffDelay(1000, options, () => 1)).toBe(30_000);
    expect(backoffDelay(Number.POSITIVE_INFINITY, options, () => 1)).toBe(30_000);
  });

  it('never retries at once, so a server that drops every connection is not hammered', () => {
    for (let attempt = 0; attempt < 20; attempt++)
      expect(backoffDelay(attempt, HUB_BACKOFF, () => 0)).toBeGreaterThanOrEqual(HUB_BACKOFF.baseMs / 2);
  });

  it('spreads clients with the same attempt count (jitter)', () => {
    const delays = new Set(Array.from({ length: 50 }, () => backoffDelay(4, options)));
    expect(delays.size).toBeGreaterThan(10);
    for (const d of delays) {
      expect(d).toBeGreaterThanOrEqual(4000);
      expect(d).toBeLessThanOrEqual(8000);
    }
  });

  it('treats negative or fractional attempts and out-of-range randomness safely', () => {
    expect(backoffDelay(-3, options, () => 0)).toBe(250);
    expect(backoffDelay(1.7, options, () => 0)).toBe(500);
    expect(backoffDelay(0, options, () => 7)).toBe(500);
    expect(backoffDelay(0, options, () => -1)).toBe(250);
  });
});
