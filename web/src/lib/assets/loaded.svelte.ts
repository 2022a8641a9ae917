// One thing an asset page loads from the API, as runes: the latest answer, or what went wrong.
// Loads may overlap (a filter changed twice while the first answer was on its way): only the
// newest one's answer or failure is kept, so a slow old answer never replaces a newer list.
import { ApiRequestError, describeError } from '../api/errors.ts';

export class Loaded<T> {
  value = $state() as T;
  /** What the newest load threw, if it failed. */
  failure = $state<unknown>();
  /** Whether a load has finished (answered or failed) at least once. */
  done = $state(false);
  #runs = 0;

  constructor(initial: T) {
    this.value = initial;
  }

  get error(): string | undefined {
    return this.failure === undefined ? undefined : describeError(this.failure);
  }

  /** Whether the newest load was answered 404: no such thing (or not one the user may see). */
  get missing(): boolean {
    return this.failure instanceof ApiRequestError && this.failure.status === 404;
  }

  async run(fetch: () => Promise<T>): Promise<void> {
    const mine = ++this.#runs;
    try {
      const value = await fetch();
      if (mine !== this.#runs) return;
      this.value = value;
      this.failure = undefined;
    } catch (err) {
      if (mine === this.#runs) this.failure = err;
    } finally {
      if (mine === this.#runs) this.done = true;
    }
  }
}
