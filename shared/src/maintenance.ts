// Maintenance in plain functions, shared by the device side (the meter tracker and the monitor
// that raises due-service alerts) and the API (the maintenance board, an asset's upcoming
// services): whether a meter reading can be believed, and where an asset stands on a service
// plan. No imports, no clock: the caller says what "now" is.

export const METERS = ['odometer', 'engine_hours'] as const;
export type Meter = (typeof METERS)[number];

export const WORK_ORDER_STATES = ['open', 'in_progress', 'on_hold', 'completed', 'cancelled'] as const;
export type WorkOrderState = (typeof WORK_ORDER_STATES)[number];
/** Unfinished: at most one of these per plan and asset. */
export const OPEN_WORK_ORDER_STATES: readonly WorkOrderState[] = ['open', 'in_progress', 'on_hold'];
export const WORK_ORDER_SOURCES = ['manual', 'service_due', 'alert', 'defect_report'] as const;
export type WorkOrderSource = (typeof WORK_ORDER_SOURCES)[number];
export const WORK_ORDER_PRIORITIES = ['low', 'normal', 'high', 'urgent'] as const;
export type WorkOrderPriority = (typeof WORK_ORDER_PRIORITIES)[number];

export const SERVICE_LEVELS = ['ok', 'due_soon', 'due', 'overdue'] as const;
export type ServiceLevel = (typeof SERVICE_LEVELS)[number];

/** Due-soon and overdue windows a plan gets when it names none: a tenth of the interval, two weeks. */
export const DEFAULT_SOON_FRACTION = 0.1;
export const DEFAULT_SOON_DAYS = 14;

/**
 * Fastest a meter can honestly rise: no road vehicle averages 250 km/h between two readings,
 * and an engine runs at most one hour an hour (5% and a few minutes of slack for clocks).
 */
export const MAX_KM_PER_HOUR = 250;
const KM_SLACK = 1;
const HOURS_RATE_SLACK = 1.05;
const HOURS_SLACK = 0.05;
/** Below the reading before by less than this is rounding in the device, not a meter going back. */
const BACKWARDS_TOLERANCE: Record<Meter, number> = { odometer: 0.05, engine_hours: 0.01 };

export interface MeterReading {
  value: number;
  /** Epoch milliseconds. */
  at: number;
}

/** `stale`: older than the reading it is compared with (buffered history): ignored, not refused. */
export type MeterVerdict = 'ok' | 'stale' | 'backwards' | 'jump';

/** Whether `next` can follow `previous` (the newest reading believed) on the same meter. */
export function checkMeterReading(
  meter: Meter,
  previous: MeterReading | undefined,
  next: MeterReading,
): MeterVerdict {
  if (!Number.isFinite(next.value) || next.value < 0) return 'jump';
  if (previous === undefined) return 'ok';
  if (next.at <= previous.at) return 'stale';
  const rise = next.value - previous.value;
  if (rise < -BACKWARDS_TOLERANCE[meter]) return 'backwards';
  const hours = (next.at - previous.at) / 3_600_000;
  const limit =
    meter === 'odometer' ? hours * MAX_KM_PER_HOUR + KM_SLACK : hours * HOURS_RATE_SLACK + HOURS_SLACK;
  return rise > limit ? 'jump' : 'ok';
}

/** A plan's intervals (null: not by that unit) and its due-soon windows (null: the defaults). */
export interface ServiceInterval {
  km: number | null;
  hours: number | null;
  months: number | null;
  soonKm: number | null;
  soonHours: number | null;
  soonDays: number | null;
}

/** Where the plan's count starts: its last completion on the asset, or when it began to apply. */
export interface ServiceBaseline {
  /** Epoch milliseconds. */
  at: number;
  /** The meters then; null: counted from zero (no service recorded). */
  odometerKm: number | null;
  engineHours: number | null;
}

export interface MeterValues {
  odometerKm: number | null;
  engineHours: number | null;
}

/** Average use a day over the last 30 days (null: not enough readings to say). */
export interface DailyUse {
  kmPerDay: number | null;
  hoursPerDay: number | null;
}

export type ServiceUnit = 'km' | 'hours' | 'time';

export interface ServiceStatus {
  level: ServiceLevel;
  /** The unit that decides the level (the most urgent one); null when no unit applies yet. */
  decidedBy: ServiceUnit | null;
  /** Where the next service falls due in each unit the plan counts. */
  dueOdometerKm: number | null;
  dueEngineHours: number | null;
  /** Epoch milliseconds. */
  dueAt: number | null;
  /** Left until due in each unit (negative: past it). */
  remainingKm: number | null;
  remainingHours: number | null;
  remainingDays: number | null;
  /** When it will fall due at the asset's recent use: the earliest unit; null once due or unknown. */
  forecastAt: number | null;
}

const DAY_MS = 86_400_000;
const LEVEL_RANK: Record<ServiceLevel, number> = { ok: 0, due_soon: 1, due: 2, overdue: 3 };

export function moreUrgent(a: ServiceLevel, b: ServiceLevel): ServiceLevel {
  return LEVEL_RANK[a] >= LEVEL_RANK[b] ? a : b;
}

export function levelRank(level: ServiceLevel): number {
  return LEVEL_RANK[level];
}

/**
 * One unit's level: due soon within the window before the due value, due from it, overdue once
 * past it by more than the same window (a plan due at 30,000 km with a 1,000 km window is due
 * soon from 29,000, due from 30,000 and overdue from 31,000).
 */
function unitLevel(remaining: number, window: number): ServiceLevel {
  if (remaining > window) return 'ok';
  if (remaining > 0) return 'due_soon';
  if (remaining > -window || (window === 0 && remaining === 0)) return 'due';
  return 'overdue';
}

/** The same moment `months` calendar months later (UTC), clamped to the month's last day. */
export function addMonths(at: number, months: number): number {
  const d = new Date(at);
  const day = d.getUTCDate();
  d.setUTCDate(1);
  d.setUTCMonth(d.getUTCMonth() + months);
  const last = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0)).getUTCDate();
  d.setUTCDate(Math.min(day, last));
  return d.getTime();
}

/** Where an asset stands on one plan now. */
export function serviceStatus(
  interval: ServiceInterval,
  baseline: ServiceBaseline,
  meters: MeterValues,
  use: DailyUse,
  now: number,
): ServiceStatus {
  const status: ServiceStatus = {
    level: 'ok',
    decidedBy: null,
    dueOdometerKm: null,
    dueEngineHours: null,
    dueAt: null,
    remainingKm: null,
    remainingHours: null,
    remainingDays: null,
    forecastAt: null,
  };
  const forecasts: number[] = [];
  const consider = (unit: ServiceUnit, remaining: number, window: number) => {
    const level = unitLevel(remaining, window);
    if (status.decidedBy === null || LEVEL_RANK[level] > LEVEL_RANK[status.level]) {
      status.level = level;
      status.decidedBy = unit;
    }
  };
  if (interval.km !== null) {
    status.dueOdometerKm = (baseline.odometerKm ?? 0) + interval.km;
    if (meters.odometerKm !== null) {
      const remaining = status.dueOdometerKm - meters.odometerKm;
      status.remainingKm = remaining;
      consider('km', remaining, interval.soonKm ?? interval.km * DEFAULT_SOON_FRACTION);
      if (use.kmPerDay !== null && use.kmPerDay > 0 && remaining > 0)
        forecasts.push(now + (remaining / use.kmPerDay) * DAY_MS);
    }
  }
  if (interval.hours !== null) {
    status.dueEngineHours = (baseline.engineHours ?? 0) + interval.hours;
    if (meters.engineHours !== null) {
      const remaining = status.dueEngineHours - meters.engineHours;
      status.remainingHours = remaining;
      consider('hours', remaining, interval.soonHours ?? interval.hours * DEFAULT_SOON_FRACTION);
      if (use.hoursPerDay !== null && use.hoursPerDay > 0 && remaining > 0)
        forecasts.push(now + (remaining / use.hoursPerDay) * DAY_MS);
    }
  }
  if (interval.months !== null) {
    status.dueAt = addMonths(baseline.at, interval.months);
    const remainingDays = (status.dueAt - now) / DAY_MS;
    status.remainingDays = remainingDays;
    consider('time', remainingDays, interval.soonDays ?? DEFAULT_SOON_DAYS);
    if (remainingDays > 0) forecasts.push(status.dueAt);
  }
  if (LEVEL_RANK[status.level] < LEVEL_RANK.due && forecasts.length > 0)
    status.forecastAt = Math.min(...forecasts);
  return status;
}

/**
 * Average use a day from the oldest reading kept within the window to the newest one. Fewer
 * than 24 hours between them says too little (null).
 */
export function dailyUse(oldest: MeterReading | undefined, newest: MeterReading | undefined): number | null {
  if (!oldest || !newest) return null;
  const days = (newest.at - oldest.at) / DAY_MS;
  if (days < 1) return null;
  return Math.max(0, (newest.value - oldest.value) / days);
}
