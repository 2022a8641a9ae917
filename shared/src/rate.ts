// A token bucket with an injectable clock: per-device message rates, connection rates.
export type Clock = () => number;

export class TokenBucket {
  readonly #ratePerMs: number;
  readonly #burst: number;
  readonly #now: Clock;
  #tokens: number;
  #last: number;

  /** `ratePerSecond` tokens refill each second, up to `burst` held at once. */
  constructor(ratePerSecond: number, burst: number, now: Clock = Date.now) {
    this.#ratePerMs = ratePerSecond / 1000;
    this.#burst = burst;
    this.#now = now;
    this.#tokens = burst;
    this.#last = now();
  }

  /** Takes `n` tokens if there are enough; false means over the rate. */
  take(n = 1): boolean {
    const now = this.#now();
    this.#tokens = Math.min(this.#burst, this.#tokens + (now - this.#last) * this.#ratePerMs);
    this.#last = now;
    // The epsilon absorbs float rounding of the refill (ten 0.1 s steps must make one token).
    if (this.#tokens + 1e-9 < n) return false;
    this.#tokens = Math.max(0, this.#tokens - n);
    return true;
  }
}
