import { KeyedTokenBuckets, TokenBucket } from '@fleet/shared';
import { describe, expect, it } from 'vitest';

/** A clock the test moves by hand. */
function fakeClock(start = 1_000_000) {
  let now = start;
  return {
    now: () => now,
    advance(ms: number) {
      now += ms;
    },
  };
}

/** How many single tokens can be taken right now. */
function drain(bucket: TokenBucket, max = 10_000): number {
  let n = 0;
  while (n < max && bucket.take()) n++;
  return n;
}

describe('TokenBucket', () => {
  it('starts full: allows a burst, then refuses', () => {
    const clock = fakeClock();
    const bucket = new TokenBucket(10, 5, clock.now);
    expect(drain(bucket)).toBe(5);
    expect(bucket.take()).toBe(false);
  });

  it('refills at the configured rate', () => {
    const clock = fakeClock();
    const bucket = new TokenBucket(10, 5, clock.now); // one token per 100 ms
    drain(bucket);
    clock.advance(99);
    expect(bucket.take()).toBe(false);
    clock.advance(1);
    expect(bucket.take()).toBe(true);
    expect(bucket.take()).toBe(false);
    clock.advance(300);
    expect(drain(bucket)).toBe(3);
  });

  it('accumulates fractional refill across calls without losing a token to rounding', () => {
    const clock = fakeClock();
    const bucket = new TokenBucket(1, 1, clock.now); // one token per second
    drain(bucket);
    for (let i = 0; i < 9; i++) {
      clock.advance(100);
      expect(bucket.take()).toBe(false);
    }
    clock.advance(100);
    expect(bucket.take()).toBe(true);
  });

  it('never holds more than the burst, however long it idles', () => {
    const clock = fakeClock();
    const bucket = new TokenBucket(100, 3, clock.now);
    drain(bucket);
    clock.advance(3_600_000);
    expect(drain(bucket)).toBe(3);
    // Idle again without taking anything in between: still capped.
    clock.advance(60_000);
    bucket.take(0);
    clock.advance(60_000);
    expect(drain(bucket)).toBe(3);
  });

  it('sustains exactly the rate over a long run', () => {
    const clock = fakeClock();
    const bucket = new TokenBucket(50, 10, clock.now);
    let allowed = 0;
    // Try 1000 times per second for 10 s.
    for (let t = 0; t < 10_000; t++) {
      if (bucket.take()) allowed++;
      clock.advance(1);
    }
    // burst + 10 s at 50/s (within one token of rounding)
    expect(allowed).toBeGreaterThanOrEqual(10 + 500 - 1);
    expect(allowed).toBeLessThanOrEqual(10 + 500);
  });

  it('takes n tokens at once, or none', () => {
    const clock = fakeClock();
    const bucket = new TokenBucket(10, 10, clock.now);
    expect(bucket.take(7)).toBe(true);
    expect(bucket.take(4)).toBe(false); // only 3 left; nothing is taken
    expect(bucket.take(3)).toBe(true);
    expect(bucket.take(1)).toBe(false);
    expect(bucket.take(11)).toBe(false);
    clock.advance(10_000);
    expect(bucket.take(11)).toBe(false); // more than the burst is never possible
    expect(bucket.take(10)).toBe(true);
  });

  it('uses the real clock by default', () => {
    const bucket = new TokenBucket(1, 2);
    expect(bucket.take()).toBe(true);
    expect(bucket.take()).toBe(true);
    expect(bucket.take()).toBe(false);
  });
});

describe('KeyedTokenBuckets', () => {
  it('keeps one budget per key across uses, so a device cannot refill it by reconnecting', () => {
    let now = 0;
    const buckets = new KeyedTokenBuckets(1, 3, () => now);
    expect([1, 2, 3, 4].map(() => buckets.take('dev-1'))).toEqual([true, true, true, false]);
    expect(buckets.take('dev-2')).toBe(true);
    now += 1000;
    expect([buckets.take('dev-1'), buckets.take('dev-1')]).toEqual([true, false]);
  });

  it('stays bounded under a stream of new keys, forgetting refilled ones first', () => {
    let now = 0;
    const buckets = new KeyedTokenBuckets(10, 10, () => now, 100);
    for (let i = 0; i < 50; i++) buckets.take('busy');
    for (let i = 0; i < 1000; i++) {
      now += 1;
      buckets.take(`k${i}`);
    }
    expect(buckets.size).toBeLessThanOrEqual(100);
  });
});
