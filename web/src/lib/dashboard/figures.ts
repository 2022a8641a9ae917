// The dashboard's tiles as plain data: what each shows (the API's figures, or the live ones the
// hub carries: the alerts store's counts, the day's jobs read again after a `jobs` frame, the
// vehicles moving in the live fleet), in words, and where each leads. Pure: no DOM, no runes, so
// the tests run it in Node.
import type { Dashboard, FleetDevice, Job } from '@fleet/api/contract';
import { JOB_STATE_LABELS, JOB_STATES, type JobState } from '@fleet/shared/jobs';
import { MOVING_SPEED_KMH } from '@fleet/shared/live';
import type { AlertSeverity } from '@fleet/shared/rules';
import { monthLabel } from '../costs/format.ts';

/** "Active now", as the API counts it: a record of the last 10 minutes in motion or with the engine on. */
export const ACTIVE_WITHIN_MS = 10 * 60_000;

export type JobCounts = Dashboard['jobs'];
export type AlertCounts = Dashboard['alerts'];

/**
 * Vehicles active now in the live fleet: each vehicle once, when a device on it sent a fix in the
 * last ACTIVE_WITHIN_MS at walking pace or faster or with the ignition on. The hub carries
 * positions only, so a record without a fix counts at the next minute's reload (the API's).
 */
export function activeVehicles(devices: Iterable<FleetDevice>, now: number): number {
  const active = new Set<string>();
  for (const d of devices) {
    const p = d.position;
    if (d.asset?.kind !== 'vehicle' || p === null || d.disabled) continue;
    if (p.ts < now - ACTIVE_WITHIN_MS) continue;
    if ((p.speedKmh ?? 0) >= MOVING_SPEED_KMH || p.ignition === true) active.add(d.asset.id);
  }
  return active.size;
}

/** The day's jobs by state and the late ones, as the API counts them from the same list. */
export function countDayJobs(list: {
  items: readonly Pick<Job, 'state' | 'eta'>[];
  truncated: boolean;
}): JobCounts {
  const today = Object.fromEntries(JOB_STATES.map((s) => [s, 0])) as Record<JobState, number>;
  let late = 0;
  for (const j of list.items) {
    today[j.state]++;
    if (j.eta?.late === true) late++;
  }
  return { today, late, truncated: list.truncated };
}

/** The live alerts store's summary as the dashboard's counts. */
export function alertCounts(summary: {
  total: number;
  bySeverity: Record<AlertSeverity, number>;
}): AlertCounts {
  return { open: { ...summary.bySeverity }, total: summary.total };
}

/** What the page shows: the API's answer with the live figures laid over it where there are any. */
export function shownFigures(
  d: Dashboard,
  live: { activeNow?: number | undefined; alerts?: AlertCounts | undefined; jobs?: JobCounts | undefined },
): Dashboard {
  return {
    ...d,
    vehicles: live.activeNow === undefined ? d.vehicles : { ...d.vehicles, activeNow: live.activeNow },
    alerts: live.alerts ?? d.alerts,
    jobs: live.jobs ?? d.jobs,
  };
}

const km = new Intl.NumberFormat('en-GB', { maximumFractionDigits: 1, minimumFractionDigits: 0 });
const wholeKm = new Intl.NumberFormat('en-GB', { maximumFractionDigits: 0 });

/** "5.2 km", "1,234 km": tenths while they matter. */
export function formatDistanceKm(value: number): string {
  return `${(value >= 100 ? wholeKm : km).format(value)} km`;
}

/** "0 min", "45 min", "3 h 05 min", "1,204 h": engine time as a manager reads it. */
export function formatEngineTime(seconds: number): string {
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `${minutes} min`;
  const h = Math.floor(minutes / 60);
  if (h >= 100) return `${wholeKm.format(Math.round(seconds / 3600))} h`;
  return `${h} h ${String(minutes % 60).padStart(2, '0')} min`;
}

const smallShare = new Intl.NumberFormat('en-GB', { maximumFractionDigits: 1 });

/** "34%", "0.4%" (a tenth while under 10%, so a little use is not "0%"), or "—" without working time (a weekend). */
export function formatUtilisation(value: number | null): string {
  if (value === null) return '—';
  const percent = value * 100;
  return percent < 10 ? `${smallShare.format(percent)}%` : `${Math.round(percent)}%`;
}

/** "€0.18/km" of 0.1834: cents a km, to the tenth of a cent below a euro. */
export function formatCostPerKm(value: number | null, currency: string): string {
  if (value === null) return '—';
  try {
    const f = new Intl.NumberFormat('en-GB', {
      style: 'currency',
      currency,
      minimumFractionDigits: 2,
      maximumFractionDigits: value < 1 ? 3 : 2,
    });
    return `${f.format(value)}/km`;
  } catch {
    return `${value} ${currency}/km`;
  }
}

export const SEVERITY_ORDER: readonly AlertSeverity[] = ['critical', 'warning', 'info'];

export interface CountRow<K extends string> {
  key: K;
  label: string;
  count: number;
}

const SEVERITY_WORDS: Record<AlertSeverity, string> = {
  critical: 'Critical',
  warning: 'Warning',
  info: 'Info',
};

export function severityRows(alerts: AlertCounts): CountRow<AlertSeverity>[] {
  return SEVERITY_ORDER.map((key) => ({ key, label: SEVERITY_WORDS[key], count: alerts.open[key] }));
}

/** The day's jobs in the board's order; cancelled ones only when there are any. */
export function jobRows(jobs: JobCounts): CountRow<JobState>[] {
  return JOB_STATES.filter((s) => s !== 'cancelled' || jobs.today.cancelled > 0).map((key) => ({
    key,
    label: JOB_STATE_LABELS[key],
    count: jobs.today[key],
  }));
}

export function jobsTotal(jobs: JobCounts): number {
  return JOB_STATES.reduce((n, s) => n + jobs.today[s], 0);
}

export interface CostTrend {
  labels: string[];
  values: (number | null)[];
  /** This month's figure (to today), or null without distance. */
  latest: number | null;
  /** The month before this one's, for "was ...". */
  previous: number | null;
}

export function costTrend(points: Dashboard['costPerKm']): CostTrend {
  return {
    labels: points.map((p) => monthLabel(p.month)),
    values: points.map((p) => p.costPerKm),
    latest: points.at(-1)?.costPerKm ?? null,
    previous: points.at(-2)?.costPerKm ?? null,
  };
}

/** The bars the chart draws (lib/charts/cost-per-km.ts): x, the months before this one, this one alone. */
export function trendBars(trend: CostTrend): [number[], (number | null)[], (number | null)[]] {
  const x = trend.labels.map((_, i) => i);
  const last = x.length - 1;
  return [
    x,
    trend.values.map((v, i) => (i === last ? null : v)),
    trend.values.map((v, i) => (i === last ? v : null)),
  ];
}

/** Where each tile leads: its report, with the tile's range where the report takes one. */
export function tileLinks(d: Pick<Dashboard, 'today' | 'month'>) {
  return {
    active: '/',
    today: `/reports/summary?from=${d.today.day}&to=${d.today.day}`,
    month: `/reports/summary?from=${d.month.from}&to=${d.month.to}`,
    utilisation: `/reports/utilisation?from=${d.month.from}&to=${d.month.to}`,
    alerts: '/alerts',
    jobs: `/jobs?day=${d.today.day}`,
    services: '/maintenance',
    costs: '/costs',
  } as const;
}
