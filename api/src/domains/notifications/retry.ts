// When a failed delivery is tried again: 30 s after the first failure, doubling, at most an hour
// apart, for 24 hours from when the notification became due; then it is a dead letter (kept,
// shown in the delivery log, and sent again on request). The jitter spreads the retries of many
// notifications that failed together (a receiver that was down) so they do not return as one wave.

export const FIRST_RETRY_MS = 30_000;
export const MAX_RETRY_MS = 3_600_000;
export const GIVE_UP_AFTER_MS = 24 * 3_600_000;
/** The share of a delay that is random: a delay is between 75% and 100% of its step. */
const JITTER = 0.25;

/** The wait after the `attempts`-th failed attempt (1 for the first), ms. */
export function retryDelayMs(attempts: number, random: () => number = Math.random): number {
  const exponent = Math.max(0, Math.min(attempts - 1, 30));
  const step = Math.min(MAX_RETRY_MS, FIRST_RETRY_MS * 2 ** exponent);
  return Math.round(step * (1 - JITTER * Math.min(1, Math.max(0, random()))));
}
