// The dashboard's arithmetic over what the other domains read: the fleet now from the live state
// of the devices installed on each asset, the fleet summary of today out of the month's, today's
// jobs by state, the months of the cost trend. Pure: no database, no clock.
import type { LiveDeviceState } from '@fleet/ingest';
import { classifyStatus, MOVING_SPEED_KMH } from '@fleet/shared';
import { JOB_STATES, type JobState } from '@fleet/shared/jobs';
import type { InstalledWindow, SummaryAsset } from '../reports/summary.ts';

/** "Active now": a record of the last 10 minutes (device time) in motion or with the engine on. */
export const ACTIVE_WITHIN_MS = 10 * 60_000;

export interface KindCounts {
  total: number;
  online: number;
  activeNow: number;
}

/**
 * Each asset once, by the devices installed on it now: online when any of them was heard from
 * within the offline window or is connected (the map's status logic); active when any of them
 * sent, since it was installed and in the last ACTIVE_WITHIN_MS, a record at walking pace or
 * faster (the map's "moving": GPS drift shows a parked van at 1 km/h) or with the ignition on.
 */
export function fleetNow(input: {
  assets: readonly Pick<SummaryAsset, 'id' | 'kind'>[];
  windows: readonly InstalledWindow[];
  states: readonly LiveDeviceState[];
  now: number;
  offlineAfterMs: number;
}): Record<'vehicle' | 'equipment', KindCounts> {
  const { now, offlineAfterMs } = input;
  const stateOf = new Map(input.states.map((s) => [s.deviceId, s]));
  const online = new Set<string>();
  const active = new Set<string>();
  for (const w of input.windows) {
    if (w.from > now || w.to <= now) continue;
    const s = stateOf.get(w.deviceId);
    if (!s) continue;
    const r = s.latest;
    const status = classifyStatus(
      { lastSeenAt: s.lastSeenAt, speedKmh: r?.speedKmh, ignition: r?.ignition },
      now,
      offlineAfterMs,
    );
    if (s.status === 'online' || status !== 'offline') online.add(w.assetId);
    if (
      r !== undefined &&
      r.ts >= Math.max(w.from, now - ACTIVE_WITHIN_MS) &&
      ((r.speedKmh ?? 0) >= MOVING_SPEED_KMH || r.ignition === true)
    )
      active.add(w.assetId);
  }
  const counts = {
    vehicle: { total: 0, online: 0, activeNow: 0 },
    equipment: { total: 0, online: 0, activeNow: 0 },
  };
  for (const a of input.assets) {
    const c = counts[a.kind];
    c.total++;
    if (online.has(a.id)) c.online++;
    if (active.has(a.id)) c.activeNow++;
  }
  return counts;
}

/** The summary input of a range cut to one of its days (the month's read gives today's too). */
export function dayOf<I extends { deviceDays: readonly { day: string }[]; fuel: readonly { day: string }[] }>(
  input: I,
  day: string,
): I {
  return {
    ...input,
    deviceDays: input.deviceDays.filter((d) => d.day === day),
    fuel: input.fuel.filter((f) => f.day === day),
  };
}

export type JobCounts = Record<JobState, number>;

/** The day's jobs by state, and how many of them are late by their ETA. */
export function countJobs(jobs: readonly { state: JobState; eta: { late: boolean } | null }[]): {
  today: JobCounts;
  late: number;
} {
  const today = Object.fromEntries(JOB_STATES.map((s) => [s, 0])) as JobCounts;
  let late = 0;
  for (const j of jobs) {
    today[j.state]++;
    if (j.eta?.late === true) late++;
  }
  return { today, late };
}

/** The `n` calendar months up to the one of `day` (YYYY-MM-DD), oldest first, as YYYY-MM. */
export function monthsUpTo(day: string, n: number): string[] {
  const y = Number(day.slice(0, 4));
  const m = Number(day.slice(5, 7)) - 1;
  return Array.from({ length: n }, (_, i) => {
    const k = y * 12 + m - (n - 1 - i);
    return `${Math.floor(k / 12)}-${String((k % 12) + 1).padStart(2, '0')}`;
  });
}

/** "0.5398" as a number for the trend's bars; null stays null. */
export function perKm(text: string | null): number | null {
  if (text === null) return null;
  const n = Number(text);
  return Number.isFinite(n) ? n : null;
}
