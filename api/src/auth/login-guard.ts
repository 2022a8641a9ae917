// Failed logins are limited per account and per client address within a sliding window, so
// neither guessing one account's password nor spraying many accounts from one address works.
// While a key is over its limit every attempt is refused, right password or not.

export interface LoginGuardLimits {
  maxPerAccount: number;
  maxPerAddress: number;
  windowMs: number;
}

/** Keys tracked at most; past this the oldest are forgotten (bounded memory under a spray). */
const MAX_KEYS = 100_000;

export class LoginGuard {
  readonly #limits: LoginGuardLimits;
  readonly #now: () => number;
  readonly #failures = new Map<string, number[]>();

  constructor(limits: LoginGuardLimits, now: () => number = Date.now) {
    this.#limits = limits;
    this.#now = now;
  }

  #recent(key: string): number[] {
    const cutoff = this.#now() - this.#limits.windowMs;
    const times = (this.#failures.get(key) ?? []).filter((t) => t > cutoff);
    if (times.length === 0) this.#failures.delete(key);
    else this.#failures.set(key, times);
    return times;
  }

  /** Milliseconds until an attempt is allowed again; 0 when it is allowed now. */
  retryAfterMs(account: string, address: string): number {
    let wait = 0;
    for (const [key, max] of [
      [`a:${account}`, this.#limits.maxPerAccount],
      [`ip:${address}`, this.#limits.maxPerAddress],
    ] as const) {
      const times = this.#recent(key);
      if (times.length >= max) {
        const oldest = times[times.length - max] ?? this.#now();
        wait = Math.max(wait, oldest + this.#limits.windowMs - this.#now());
      }
    }
    return Math.max(0, wait);
  }

  recordFailure(account: string, address: string): void {
    const at = this.#now();
    for (const key of [`a:${account}`, `ip:${address}`]) {
      const times = this.#failures.get(key) ?? [];
      times.push(at);
      this.#failures.delete(key); // re-insert: Map order is the eviction order
      this.#failures.set(key, times);
    }
    while (this.#failures.size > MAX_KEYS) {
      const oldest = this.#failures.keys().next().value;
      if (oldest === undefined) break;
      this.#failures.delete(oldest);
    }
  }

  /** A successful login clears the account's failures (not the address's). */
  recordSuccess(account: string): void {
    this.#failures.delete(`a:${account}`);
  }
}
