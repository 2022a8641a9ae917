// Reconnect delays for the live hub: exponential with "equal jitter" (half fixed, half random),
// capped. The fixed half keeps a client from hammering a server that accepts and drops at once;
// the random half spreads a whole control room reconnecting after a platform restart.

export interface BackoffOptions {
  /** Delay ceiling of the first retry, ms. */
  baseMs: number;
  /** Largest delay, ms. */
  maxMs: number;
}

export const HUB_BACKOFF: BackoffOptions = { baseMs: 500, maxMs: 30_000 };

/** The delay before retry number `attempt` (0 for the first), ms. */
export function backoffDelay(
  attempt: number,
  options: BackoffOptions = HUB_BACKOFF,
  random = Math.random,
): number {
  const exponent = Math.min(Math.max(0, Math.floor(attempt)), 30);
  const ceiling = Math.min(options.maxMs, options.baseMs * 2 ** exponent);
  const r = Math.min(Math.max(random(), 0), 1);
  return Math.round(ceiling / 2 + (r * ceiling) / 2);
}
