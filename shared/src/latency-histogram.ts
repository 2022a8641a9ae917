// Latency histograms the simulator and the bench share: exact per-millisecond counts that merge
// across processes (sent as [ms, count] pairs) and a summary shape for reports.

/** Percentiles of a latency distribution, ms. */
export interface LatencySummary {
  count: number;
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
  mean: number;
}

/**
 * Latencies in whole milliseconds (Date.now() differences), counted exactly per millisecond up
 * to `limitMs`; larger values count in one overflow bucket (their maximum is kept). Cheap to
 * record, exact percentiles, and small to send between processes as [ms, count] pairs.
 */
export class MsHistogram {
  readonly limitMs: number;
  #counts: Uint32Array;
  #overflow = 0;
  #count = 0;
  #sum = 0;
  #max = 0;

  constructor(limitMs = 60_000) {
    this.limitMs = limitMs;
    this.#counts = new Uint32Array(limitMs + 1);
  }

  get count(): number {
    return this.#count;
  }

  get max(): number {
    return this.#max;
  }

  /** Records `n` values of `ms` (rounded, negative values as 0). */
  record(ms: number, n = 1): void {
    const v = ms > 0 ? Math.round(ms) : 0;
    if (v > this.limitMs) this.#overflow += n;
    else (this.#counts[v] as number) += n;
    this.#count += n;
    this.#sum += v * n;
    if (v > this.#max) this.#max = v;
  }

  /** Nearest-rank percentile: the smallest recorded value with at least p% of the values at or below it. */
  percentile(p: number): number {
    if (this.#count === 0) return 0;
    const rank = Math.max(1, Math.ceil((p / 100) * this.#count));
    let seen = 0;
    const counts = this.#counts;
    for (let ms = 0; ms < counts.length; ms++) {
      seen += counts[ms] as number;
      if (seen >= rank) return ms;
    }
    return this.#max; // in the overflow bucket
  }

  summary(): LatencySummary {
    if (this.#count === 0) return { count: 0, p50: 0, p90: 0, p99: 0, p999: 0, max: 0, mean: 0 };
    return {
      count: this.#count,
      p50: this.percentile(50),
      p90: this.percentile(90),
      p99: this.percentile(99),
      p999: this.percentile(99.9),
      max: this.#max,
      mean: this.#sum / this.#count,
    };
  }

  /** [ms, count] for every value recorded; overflowed values appear at their maximum. */
  toPairs(): [number, number][] {
    const out: [number, number][] = [];
    this.#counts.forEach((n, ms) => {
      if (n > 0) out.push([ms, n]);
    });
    if (this.#overflow > 0) out.push([this.#max, this.#overflow]);
    return out;
  }

  /** Adds the pairs of another histogram (toPairs). */
  addPairs(pairs: readonly (readonly [number, number])[]): void {
    for (const [ms, n] of pairs) this.record(ms, n);
  }

  reset(): void {
    this.#counts.fill(0);
    this.#overflow = 0;
    this.#count = 0;
    this.#sum = 0;
    this.#max = 0;
  }
}
