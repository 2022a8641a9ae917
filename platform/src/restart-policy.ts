// When a child that died is started again: at once the first time, then with a doubling delay
// while it keeps dying (a crash loop must not spin a core), back to at once after it has run
// for a while. Pure, so the policy is tested with plain numbers.

export interface RestartPolicy {
  /** The delay after a first crash, doubled per crash in a row. */
  initialDelayMs: number;
  maxDelayMs: number;
  /** A child that ran at least this long before dying starts over at the initial delay. */
  stableAfterMs: number;
}

export const DEFAULT_RESTART_POLICY: RestartPolicy = {
  initialDelayMs: 100,
  maxDelayMs: 10_000,
  stableAfterMs: 30_000,
};

/** The delay before the next start, given how many crashes in a row came before this one. */
export function restartDelayMs(policy: RestartPolicy, crashesInARow: number): number {
  if (crashesInARow <= 1) return policy.initialDelayMs;
  return Math.min(policy.maxDelayMs, policy.initialDelayMs * 2 ** (crashesInARow - 1));
}

/** Crashes in a row after one that ended a run of `ranForMs`. */
export function nextCrashCount(policy: RestartPolicy, previous: number, ranForMs: number): number {
  return ranForMs >= policy.stableAfterMs ? 1 : previous + 1;
}
