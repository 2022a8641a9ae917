// Device time for the whole simulated fleet (one clock, not one per device).
//
// device time = min(start + elapsed * compression, wall clock), and never less than it was.
// - `elapsed` comes from the monotonic clock, so a wall-clock step (NTP) cannot make devices
//   jump; the wall clock is only the ceiling.
// - The ceiling keeps every timestamp at or behind the host's clock: the platform refuses
//   records more than INGEST_MAX_FUTURE_SKEW_S (300 s) ahead of its own clock. A compressed run
//   therefore starts in the past and, once it has caught up, goes on at real time.
// - The max() keeps it monotonic even if the wall clock steps back.

export interface DeviceClockOptions {
  /** Device time at start, ms since the epoch (must not be ahead of the wall clock). */
  startMs: number;
  /** Device seconds per wall second. */
  compression: number;
  wallNow: () => number;
  monoNow: () => number;
}

export class DeviceClock {
  readonly startMs: number;
  readonly compression: number;
  readonly #wallNow: () => number;
  readonly #monoNow: () => number;
  readonly #mono0: number;
  #last: number;

  constructor(o: DeviceClockOptions) {
    const wall = o.wallNow();
    if (o.startMs > wall) {
      throw new RangeError(
        `device start time ${new Date(o.startMs).toISOString()} is ahead of the wall clock ${new Date(wall).toISOString()}`,
      );
    }
    if (!(o.compression > 0)) throw new RangeError(`time compression must be > 0: ${o.compression}`);
    this.startMs = o.startMs;
    this.compression = o.compression;
    this.#wallNow = o.wallNow;
    this.#monoNow = o.monoNow;
    this.#mono0 = o.monoNow();
    this.#last = Math.floor(o.startMs);
  }

  /** Device time now, ms since the epoch (integer). */
  now(): number {
    const scaled = this.startMs + (this.#monoNow() - this.#mono0) * this.compression;
    const t = Math.floor(Math.min(scaled, this.#wallNow()));
    if (t > this.#last) this.#last = t;
    return this.#last;
  }

  /** True once device time has reached the wall clock (a compressed run then goes at 1x). */
  caughtUp(): boolean {
    return this.startMs + (this.#monoNow() - this.#mono0) * this.compression >= this.#wallNow();
  }
}
