// A task run at most once per interval however often it is asked for, and never twice at once:
// the detail page refetches a device's latest values when hub frames say it changed, which may
// be every second. A request while the task runs or too soon after the last run is served by one
// run later (trailing), so the last change is never missed.

export interface ThrottleClock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const realClock: ThrottleClock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

export class Throttle {
  readonly intervalMs: number;
  readonly #task: () => Promise<unknown>;
  readonly #clock: ThrottleClock;
  #lastStart = Number.NEGATIVE_INFINITY;
  #running = false;
  /** A request arrived while running or too early: run again when allowed. */
  #pending = false;
  #timer: unknown;
  #disposed = false;

  constructor(intervalMs: number, task: () => Promise<unknown>, clock: ThrottleClock = realClock) {
    if (!(intervalMs >= 0)) throw new Error(`throttle interval must be >= 0 ms, got ${intervalMs}`);
    this.intervalMs = intervalMs;
    this.#task = task;
    this.#clock = clock;
  }

  /** Whether the task is running now. */
  get running(): boolean {
    return this.#running;
  }

  /** Asks for a run: now if allowed, else once at the earliest allowed time. */
  request(): void {
    if (this.#disposed) return;
    this.#pending = true;
    this.#schedule();
  }

  /** Runs the task now, whatever the interval (a user's "try again"), unless it is running. */
  now(): void {
    if (this.#disposed || this.#running) return;
    this.#pending = true;
    this.#clearTimer();
    this.#run();
  }

  /** No runs from now on; a run under way finishes, its result is the caller's to ignore. */
  dispose(): void {
    this.#disposed = true;
    this.#pending = false;
    this.#clearTimer();
  }

  #schedule(): void {
    if (!this.#pending || this.#running || this.#timer !== undefined || this.#disposed) return;
    const wait = this.#lastStart + this.intervalMs - this.#clock.now();
    if (wait <= 0) {
      this.#run();
      return;
    }
    this.#timer = this.#clock.setTimeout(() => {
      this.#timer = undefined;
      this.#schedule();
    }, wait);
  }

  #run(): void {
    this.#pending = false;
    this.#running = true;
    this.#lastStart = this.#clock.now();
    const done = () => {
      this.#running = false;
      this.#schedule();
    };
    // The task reports its own errors; a throw or rejection must not stop later runs.
    new Promise((resolve) => resolve(this.#task())).then(done, done);
  }

  #clearTimer(): void {
    if (this.#timer === undefined) return;
    this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}
