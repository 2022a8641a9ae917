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

  #refill(): void {
    const now = this.#now();
    this.#tokens = Math.min(this.#burst, this.#tokens + Math.max(0, now - this.#last) * this.#ratePerMs);
    this.#last = now;
  }

  /** Whether `n` tokens could be taken now, without taking them. */
  available(n = 1): boolean {
    this.#refill();
    return this.#tokens + 1e-9 >= n;
  }

  /** Whether the bucket is full again, as a new one would be. */
  full(): boolean {
    this.#refill();
    return this.#tokens + 1e-9 >= this.#burst;
  }

  /** Takes `n` tokens if there are enough; false means over the rate. */
  take(n = 1): boolean {
    this.#refill();
    // The epsilon absorbs float rounding of the refill (ten 0.1 s steps must make one token).
    if (this.#tokens + 1e-9 < n) return false;
    this.#tokens = Math.max(0, this.#tokens - n);
    return true;
  }
}

/**
 * One token bucket per key (a device id), kept across connections so that reconnecting does not
 * refill a device's budget. A key whose bucket would be full again is forgotten when memory is
 * needed (it would start full anyway), so an endless stream of new keys stays bounded.
 */
export class KeyedTokenBuckets {
  readonly #rate: number;
  readonly #burst: number;
  readonly #now: Clock;
  readonly #maxKeys: number;
  readonly #buckets = new Map<string, { bucket: TokenBucket; lastUsed: number }>();

  constructor(ratePerSecond: number, burst: number, now: Clock = Date.now, maxKeys = 100_000) {
    this.#rate = ratePerSecond;
    this.#burst = burst;
    this.#now = now;
    this.#maxKeys = maxKeys;
  }

  /** Whether `n` tokens could be taken for this key now, without taking them. */
  available(key: string, n = 1): boolean {
    return this.#buckets.get(key)?.bucket.available(n) ?? n <= this.#burst;
  }

  take(key: string, n = 1): boolean {
    const now = this.#now();
    let entry = this.#buckets.get(key);
    if (!entry) {
      if (this.#buckets.size >= this.#maxKeys) this.#forgetRefilled(now);
      entry = { bucket: new TokenBucket(this.#rate, this.#burst, this.#now), lastUsed: now };
      this.#buckets.set(key, entry);
    }
    entry.lastUsed = now;
    return entry.bucket.take(n);
  }

  get size(): number {
    return this.#buckets.size;
  }

  #forgetRefilled(now: number): void {
    const refillMs = (this.#burst / this.#rate) * 1000;
    for (const [key, entry] of this.#buckets) {
      if (now - entry.lastUsed >= refillMs) this.#buckets.delete(key);
    }
    // Still full of busy keys: drop the oldest tenth at once (Map order is insertion order), so
    // the scan above runs once per many new keys, not once per take.
    const keep = Math.floor(this.#maxKeys * 0.9);
    for (const key of this.#buckets.keys()) {
      if (this.#buckets.size <= keep) break;
      this.#buckets.delete(key);
    }
  }
}
