import { describe, expect, it } from 'vitest';
import { nextCrashCount, DEFAULT_RESTART_POLICY as policy, restartDelayMs } from '../src/restart-policy.ts';

describe('the restart policy', () => {
  it('restarts at once after a first crash, then backs off while the child keeps dying', () => {
    const delays = [1, 2, 3, 4, 5, 6, 7, 8, 9].map((n) => restartDelayMs(policy, n));
    expect(delays).toEqual([100, 200, 400, 800, 1600, 3200, 6400, 10_000, 10_000]);
  });

  it('counts crashes in a row only while runs are short', () => {
    expect(nextCrashCount(policy, 0, 50)).toBe(1);
    expect(nextCrashCount(policy, 4, 2000)).toBe(5);
    expect(nextCrashCount(policy, 4, policy.stableAfterMs)).toBe(1);
  });
});
