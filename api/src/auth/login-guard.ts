// Failed logins are limited so that guessing does not work, and so that an attacker cannot turn
// the limit against real users (OWASP's "device cookie" scheme):
// - an account or a client address over its failures within the window is refused (429) for
//   attempts from an unknown browser: one without a device cookie for that account;
// - a browser that signed in to the account before carries a device cookie, and its attempts
//   skip those two limits; each device cookie has its own failure limit instead, so a stolen
//   cookie buys only a handful of guesses. A user whose account is under attack, or who sits
//   behind the same proxy as an attacker, still signs in from a browser they used before.
// Client addresses are the proxy's forwarded ones only from HTTP_TRUSTED_PROXIES.
import { ApiError } from '../http/errors.ts';

export interface LoginGuardLimits {
  maxPerAccount: number;
  maxPerAddress: number;
  windowMs: number;
}

/** One login attempt as the guard sees it. */
export interface LoginAttempt {
  account: string;
  address: string;
  /** The id of a valid device cookie for this account, when the browser sent one. */
  deviceKey?: string | undefined;
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

  /** The limits that apply to this attempt: its device cookie's, or the account's and address's. */
  #keys(attempt: LoginAttempt): [string, number][] {
    if (attempt.deviceKey !== undefined) return [[`d:${attempt.deviceKey}`, this.#limits.maxPerAccount]];
    return [
      [`a:${attempt.account}`, this.#limits.maxPerAccount],
      [`ip:${attempt.address}`, this.#limits.maxPerAddress],
    ];
  }

  /** Milliseconds until this attempt is allowed; 0 when it is allowed now. */
  retryAfterMs(attempt: LoginAttempt): number {
    let wait = 0;
    for (const [key, max] of this.#keys(attempt)) {
      const times = this.#recent(key);
      if (times.length >= max) {
        const oldest = times[times.length - max] ?? this.#now();
        wait = Math.max(wait, oldest + this.#limits.windowMs - this.#now());
      }
    }
    return Math.max(0, wait);
  }

  /** Throws the 429 (with Retry-After) when this attempt must wait; returns when it may go on. */
  check(attempt: LoginAttempt): void {
    const wait = this.retryAfterMs(attempt);
    if (wait > 0) {
      throw new ApiError('too_many_requests', 'Too many failed logins; wait and try again.', {
        headers: { 'retry-after': String(Math.ceil(wait / 1000)) },
      });
    }
  }

  recordFailure(attempt: LoginAttempt): void {
    const at = this.#now();
    // A failure from a known browser still counts against the account for unknown ones.
    const keys = this.#keys(attempt).map(([k]) => k);
    if (attempt.deviceKey !== undefined) keys.push(`a:${attempt.account}`);
    for (const key of keys) {
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

  /** A successful login clears the account's and the device cookie's failures (not the address's). */
  recordSuccess(attempt: LoginAttempt): void {
    this.#failures.delete(`a:${attempt.account}`);
    if (attempt.deviceKey !== undefined) this.#failures.delete(`d:${attempt.deviceKey}`);
  }
}
