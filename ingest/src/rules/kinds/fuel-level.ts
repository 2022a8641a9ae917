// The fuel level as fuel_drop and refuel read it: a moving median of the last few readings
// (tank slosh and a noisy sender swing a raw reading by several percent; the median drops those
// swings where a mean would smear them into the level), and the highest or lowest smoothed
// level within the rule's window, kept as a monotonic deque: a few points of memory, not every
// reading of the last hours, since memory is checkpointed.
import type { TelemetryRecord } from '@fleet/shared';

/** One smoothed reading: device time, level in %, and litres when the device reports them. */
export interface FuelPoint {
  t: number;
  pct: number;
  l?: number;
}

export interface SmoothingMemory {
  readings?: number[];
  litres?: number[];
}

/** Standing still for the theft check: under 3 km/h, or no speed while the ignition is not on. */
export function stationary(record: TelemetryRecord): boolean {
  return record.speedKmh === undefined ? record.ignition !== true : record.speedKmh < 3;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

function push(buffer: number[] | undefined, value: number, size: number): number[] {
  const next = buffer ? [...buffer, value] : [value];
  return next.length > size ? next.slice(next.length - size) : next;
}

/** The record's smoothed level (undefined when it reports none); updates the memory's buffers. */
export function smoothedLevel(
  memory: SmoothingMemory,
  record: TelemetryRecord,
  readings: number,
): FuelPoint | undefined {
  const pct = record.fuelLevelPct;
  if (pct === undefined || !Number.isFinite(pct)) return undefined;
  memory.readings = push(memory.readings, pct, readings);
  const point: FuelPoint = { t: record.ts, pct: round1(median(memory.readings)) };
  if (record.fuelLevelL !== undefined && Number.isFinite(record.fuelLevelL)) {
    memory.litres = push(memory.litres, record.fuelLevelL, readings);
    point.l = round1(median(memory.litres));
  }
  return point;
}

/** More points than this in a window (a slow, steady change) are thinned, the ends kept. */
const MAX_DEQUE = 128;

/**
 * Adds a point to a deque that holds, oldest first, the candidates for the window's highest
 * ('max') or lowest ('min') level: the front is the extreme of the last `windowMs`.
 */
export function slide(
  deque: readonly FuelPoint[] | undefined,
  point: FuelPoint,
  windowMs: number,
  extreme: 'max' | 'min',
): FuelPoint[] {
  const beats = (a: number, b: number) => (extreme === 'max' ? a >= b : a <= b);
  const out = (deque ?? []).filter((p) => p.t >= point.t - windowMs && p.t <= point.t);
  while (out.length > 0 && beats(point.pct, (out[out.length - 1] as FuelPoint).pct)) out.pop();
  out.push(point);
  if (out.length <= MAX_DEQUE) return out;
  return out.filter((_, i) => i === 0 || i === out.length - 1 || i % 2 === 0);
}

export const round1 = (n: number) => Math.round(n * 10) / 10;

/** Litres between two points: the device's own litres when both have them, else from the tank size. */
export function litresBetween(
  from: FuelPoint,
  to: FuelPoint,
  tankCapacityL: number | null,
): number | undefined {
  if (from.l !== undefined && to.l !== undefined) return round1(to.l - from.l);
  if (tankCapacityL !== null) return round1(((to.pct - from.pct) / 100) * tankCapacityL);
  return undefined;
}
