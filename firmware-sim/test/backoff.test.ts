import { describe, expect, it } from 'vitest';
import {
  type BackoffPolicy,
  backoffCeilingMs,
  backoffDelayMs,
  CONNECT_BACKOFF,
  checkBackoffPolicy,
  REFUSED_BACKOFF,
} from '../src/runtime/backoff.ts';

const policy: BackoffPolicy = { initialMs: 1000, maxMs: 30_000, multiplier: 2, jitter: 0.5 };

describe('backoff', () => {
  it('grows exponentially up to the cap', () => {
    expect([0, 1, 2, 3, 4, 5, 6].map((a) => backoffCeilingMs(policy, a))).toEqual([
      1000, 2000, 4000, 8000, 16_000, 30_000, 30_000,
    ]);
    // Far beyond: no overflow, no NaN.
    expect(backoffCeilingMs(policy, 10_000)).toBe(30_000);
    expect(backoffCeilingMs(policy, -3)).toBe(1000);
  });

  it('jitters within [ceiling * (1 - jitter), ceiling]', () => {
    expect(backoffDelayMs(policy, 3, () => 0)).toBe(8000);
    expect(backoffDelayMs(policy, 3, () => 0.999_999)).toBe(4000);
    expect(backoffDelayMs(policy, 3, () => 0.5)).toBe(6000);
    for (let i = 0; i < 1000; i++) {
      const d = backoffDelayMs(policy, 2);
      expect(d).toBeGreaterThanOrEqual(2000);
      expect(d).toBeLessThanOrEqual(4000);
    }
  });

  it('spreads a fleet reconnecting at once', () => {
    const delays = Array.from({ length: 10_000 }, () => backoffDelayMs(CONNECT_BACKOFF, 0));
    const perSecondBucket = new Map<number, number>();
    for (const d of delays) {
      const b = Math.floor(d / 100);
      perSecondBucket.set(b, (perSecondBucket.get(b) ?? 0) + 1);
    }
    // 500..1000 ms: five 100 ms buckets, none holding more than a third of the fleet.
    expect(Math.max(...perSecondBucket.values())).toBeLessThan(10_000 / 3);
  });

  it('without jitter is deterministic; a delay is never 0', () => {
    const exact = { ...policy, jitter: 0 };
    expect(backoffDelayMs(exact, 1, () => 0.7)).toBe(2000);
    expect(backoffDelayMs({ ...policy, initialMs: 0.1, jitter: 1 }, 0, () => 0.999)).toBeGreaterThanOrEqual(
      1,
    );
  });

  it('retries refused devices (CONNACK 4/5) far more slowly than network failures', () => {
    expect(backoffCeilingMs(REFUSED_BACKOFF, 0)).toBeGreaterThanOrEqual(10 * CONNECT_BACKOFF.initialMs);
    expect(REFUSED_BACKOFF.maxMs).toBeGreaterThan(CONNECT_BACKOFF.maxMs);
  });

  it('refuses nonsense policies', () => {
    expect(() => checkBackoffPolicy({ ...policy, initialMs: 0 })).toThrow(/initialMs/);
    expect(() => checkBackoffPolicy({ ...policy, maxMs: 10 })).toThrow(/maxMs/);
    expect(() => checkBackoffPolicy({ ...policy, multiplier: 0.5 })).toThrow(/multiplier/);
    expect(() => checkBackoffPolicy({ ...policy, jitter: 2 })).toThrow(/jitter/);
    expect(checkBackoffPolicy(CONNECT_BACKOFF)).toBe(CONNECT_BACKOFF);
  });
});
