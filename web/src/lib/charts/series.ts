// A TelemetrySeries (GET /devices/{id}/telemetry: bucket times and avg/min/max per field) as the
// aligned arrays uPlot draws: [x, avg, min, max], x in ms. Where the device did not report for a
// while, buckets stay null and the chart shows a gap instead of a line across it. A short run of
// empty buckets between two values (a tag reporting every 15 minutes, 5-minute buckets) becomes
// undefined instead, which uPlot joins over: otherwise a sparse reporter is drawn as dots. Pure:
// no DOM, no uPlot (its types need the DOM), so the tests run it in Node.
import type { TelemetrySeries } from '@fleet/api/contract';

/** null: no value, drawn as a gap; undefined: no value, joined over (a short pause). */
export type Values = (number | null | undefined)[];

/** uPlot's AlignedData for one field: [x (ms), avg, min, max]. */
export type FieldData = [x: number[], avg: Values, min: Values, max: Values];

const clean = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/** The longest silence drawn as a line rather than a gap: 4 buckets, and at least 20 minutes. */
export function maxJoinedGapMs(bucketMs: number): number {
  return Math.max(4 * bucketMs, 20 * 60_000);
}

/**
 * `values` with each run of nulls between two values at most `maxGapMs` apart (in `x`) turned
 * into undefined. Runs at either end, and longer ones, stay null.
 */
export function joinShortGaps(x: readonly number[], values: Values, maxGapMs: number): Values {
  const out = [...values];
  let prev = -1; // index of the last value seen
  for (let i = 0; i < out.length; i++) {
    if (out[i] === null || out[i] === undefined) continue;
    if (prev >= 0 && i - prev > 1 && (x[i] as number) - (x[prev] as number) <= maxGapMs) {
      for (let k = prev + 1; k < i; k++) out[k] = undefined;
    }
    prev = i;
  }
  return out;
}

/** One field's arrays, as long as `ts`; undefined when the series does not hold the field. */
export function fieldData(series: TelemetrySeries, field: string): FieldData | undefined {
  const s = series.fields[field];
  if (!s) return undefined;
  const n = series.ts.length;
  const x = [...series.ts];
  const maxGap = maxJoinedGapMs(series.bucketMs);
  const column = (values: readonly (number | null)[]): Values =>
    joinShortGaps(
      x,
      Array.from({ length: n }, (_, i) => clean(values[i])),
      maxGap,
    );
  return [x, column(s.avg), column(s.min), column(s.max)];
}

export interface FieldSummary {
  /** Buckets with a value. */
  buckets: number;
  min: number;
  max: number;
  /** The average of the bucket averages (each bucket weighs the same). */
  mean: number;
  /** The newest bucket's average and its time. */
  last: number;
  lastTs: number;
}

/** What a chart's caption says; undefined when the field has no value in the range. */
export function summarise(data: FieldData): FieldSummary | undefined {
  const [x, avg, min, max] = data;
  let buckets = 0;
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  let sum = 0;
  let last = 0;
  let lastTs = 0;
  for (let i = 0; i < x.length; i++) {
    const a = avg[i];
    if (a === null || a === undefined) continue;
    buckets++;
    sum += a;
    lo = Math.min(lo, min[i] ?? a);
    hi = Math.max(hi, max[i] ?? a);
    last = a;
    lastTs = x[i] as number;
  }
  if (buckets === 0) return undefined;
  return { buckets, min: lo, max: hi, mean: sum / buckets, last, lastTs };
}

/** Whether any field of the series has a value at all. */
export function seriesHasData(series: TelemetrySeries): boolean {
  return Object.values(series.fields).some((s) => s.avg.some((v) => clean(v) !== null));
}

/**
 * The y range a chart shows: the data's, padded by 10% of its span and at least `minSpan` tall
 * (a flat line is not drawn as noise), anchored at `floor` (0 for speeds, percentages, rpm) and
 * capped at `ceiling` (100 for percentages) when the data lies within them.
 */
export function yRange(
  dataMin: number | null,
  dataMax: number | null,
  options: { floor?: number; ceiling?: number; minSpan?: number } = {},
): [number, number] {
  const minSpan = options.minSpan ?? 1;
  const { floor, ceiling } = options;
  if (dataMin === null || dataMax === null || !Number.isFinite(dataMin) || !Number.isFinite(dataMax)) {
    const lo = floor ?? 0;
    return [lo, ceiling ?? lo + minSpan];
  }
  const low = Math.min(dataMin, dataMax);
  const high = Math.max(dataMin, dataMax);
  const pad = (high - low) * 0.1;
  let lo = low - pad;
  let hi = high + pad;
  if (hi - lo < minSpan) {
    const mid = (low + high) / 2;
    lo = mid - minSpan / 2;
    hi = mid + minSpan / 2;
  }
  if (floor !== undefined && low >= floor) {
    hi = Math.max(hi, floor + minSpan);
    lo = floor;
  }
  if (ceiling !== undefined && high <= ceiling && hi > ceiling) hi = ceiling;
  return [lo, hi];
}

/**
 * Indices of values with a gap (null) or the end of the data either side: a line cannot draw
 * them (there is nothing to join), so the chart marks them with a dot instead.
 */
export function isolatedIndices(values: Values): number[] {
  const out: number[] = [];
  for (let i = 0; i < values.length; i++) {
    if (values[i] === null || values[i] === undefined) continue;
    const before = i > 0 ? values[i - 1] : null;
    const after = i < values.length - 1 ? values[i + 1] : null;
    if (before === null && after === null) out.push(i);
  }
  return out;
}
