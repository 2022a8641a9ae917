// Jittered exponential backoff for reconnecting devices (pure). Jitter matters more than the
// curve: 10,000 devices dropped by one broker restart must not come back in the same second,
// which the broker would answer with CONNACK 3 (MQTT_CONNECT_RATE) and start the storm again.

export interface BackoffPolicy {
  /** Ceiling of the first delay, ms. */
  initialMs: number;
  /** Largest ceiling, ms. */
  maxMs: number;
  /** Growth of the ceiling per failed attempt (>= 1). */
  multiplier: number;
  /**
   * Fraction of the ceiling that is random, 0..1: the delay is uniform in
   * [ceiling * (1 - jitter), ceiling]. 1 is "full jitter", 0 none.
   */
  jitter: number;
}

/** Network failures, timeouts, CONNACK 3 (server busy or over the connection rate). */
export const CONNECT_BACKOFF: BackoffPolicy = { initialMs: 1000, maxMs: 60_000, multiplier: 2, jitter: 0.5 };

/**
 * CONNACK 2, 4 and 5: the broker refused this device (bad client id or keep-alive, wrong or
 * unknown credentials, disabled). Retrying sooner cannot help, so it retries slowly; it still
 * retries, as a real tracker does, so an enabled device comes back by itself.
 */
export const REFUSED_BACKOFF: BackoffPolicy = {
  initialMs: 30_000,
  maxMs: 600_000,
  multiplier: 2,
  jitter: 0.5,
};

export function checkBackoffPolicy(policy: BackoffPolicy): BackoffPolicy {
  const { initialMs, maxMs, multiplier, jitter } = policy;
  if (!(initialMs > 0) || !Number.isFinite(initialMs))
    throw new RangeError(`backoff initialMs: ${initialMs}`);
  if (!(maxMs >= initialMs) || !Number.isFinite(maxMs))
    throw new RangeError(`backoff maxMs (${maxMs}) must be >= initialMs (${initialMs})`);
  if (!(multiplier >= 1) || !Number.isFinite(multiplier))
    throw new RangeError(`backoff multiplier: ${multiplier}`);
  if (!(jitter >= 0 && jitter <= 1)) throw new RangeError(`backoff jitter must be within 0..1: ${jitter}`);
  return policy;
}

/** The largest delay of retry number `attempt` (0 = the first retry). */
export function backoffCeilingMs(policy: BackoffPolicy, attempt: number): number {
  const n = Math.max(0, Math.floor(attempt));
  // multiplier ** n overflows to Infinity for large n, which min() turns into maxMs.
  return Math.min(policy.maxMs, policy.initialMs * policy.multiplier ** n);
}

/**
 * The delay before retry number `attempt` (0 = the first retry), in ms. `random` returns values
 * in [0, 1), like Math.random.
 */
export function backoffDelayMs(
  policy: BackoffPolicy,
  attempt: number,
  random: () => number = Math.random,
): number {
  const ceiling = backoffCeilingMs(policy, attempt);
  const r = Math.min(1, Math.max(0, random()));
  return Math.max(1, Math.round(ceiling * (1 - policy.jitter * r)));
}
