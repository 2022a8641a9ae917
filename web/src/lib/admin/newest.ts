// Lists reload on every filter change, and answers can arrive out of order: the newest load is
// the one to show, and an older, slower answer (or its error) arriving after it is dropped.

export class NewestLoad {
  #started = 0;

  /**
   * Runs `task`; `apply` gets its value or `fail` its error, only while no later run has
   * started. `extend` runs it as part of the newest load (the next page of the same list), so a
   * new load still overrides it. Resolves to whether the answer was used.
   */
  async run<T>(
    task: () => Promise<T>,
    apply: (value: T) => void,
    fail: (err: unknown) => void,
    extend = false,
  ): Promise<boolean> {
    const mine = extend ? this.#started : ++this.#started;
    try {
      const value = await task();
      if (mine !== this.#started) return false;
      apply(value);
      return true;
    } catch (err) {
      if (mine === this.#started) fail(err);
      return false;
    }
  }
}
