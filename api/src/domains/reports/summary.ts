// The fleet summary as arithmetic: each device's trips and stops per day (as QuestDB sums them)
// given to the asset the device was installed on that day, with the asset's fuel, and per
// asset or per day the distance, driving, idling, engine time and utilisation (time in use over
// the organisation's working time in the range). Pure: the repository reads, this adds up.
import type { WorkingHours } from '@fleet/shared';
import { localDayStart, nextDay } from '@fleet/shared/time-zone';
import { workingSecondsBetween } from '@fleet/shared/working-time';

export interface DeviceDay {
  deviceId: string;
  /** YYYY-MM-DD in the organisation's time zone. */
  day: string;
  trips: number;
  distanceM: number;
  durationS: number;
  idleS: number;
  /** Engine on while stopped. */
  stopEngineOnS: number;
  /** Trips' time outside working hours. */
  afterHoursS: number;
}

export interface InstalledWindow {
  deviceId: string;
  assetId: string;
  from: number;
  to: number;
}

export interface SummaryAsset {
  id: string;
  kind: 'vehicle' | 'equipment';
  name: string;
  plate: string | null;
  category: string | null;
  departmentId: string | null;
  departmentName: string | null;
}

export interface SummaryFigures {
  trips: number;
  distanceKm: number;
  drivingS: number;
  idleS: number;
  /** Engine on: trips' time (driving and idling) and idling at stops. */
  engineS: number;
  /** Trips' time outside the organisation's working hours. */
  afterHoursS: number;
  fuelLitres: number;
  /** Time in use over the working time of the range, 0..1 (null: no working time in it). */
  utilisation: number | null;
}

export interface SummaryRow extends SummaryFigures {
  asset?: SummaryAsset;
  day?: string;
}

/** The days from `from` to `to` inclusive. */
export function daysOf(from: string, to: string): string[] {
  const out: string[] = [];
  for (let d = from; d <= to; d = nextDay(d)) out.push(d);
  return out;
}

/** Seconds of working time on a day of the organisation's calendar (a DST day's hours as the clock shows them). */
export function workingSecondsOn(day: string, hours: WorkingHours, timeZone: string): number {
  return workingSecondsBetween(
    localDayStart(day, timeZone),
    localDayStart(nextDay(day), timeZone),
    hours,
    timeZone,
  );
}

const round = (v: number, digits: number) => Math.round(v * 10 ** digits) / 10 ** digits;

function figures(days: readonly DeviceDay[], fuelLitres: number, workingS: number): SummaryFigures {
  let trips = 0;
  let distanceM = 0;
  let durationS = 0;
  let idleS = 0;
  let stopEngineOnS = 0;
  let afterHoursS = 0;
  for (const d of days) {
    afterHoursS += d.afterHoursS;
    trips += d.trips;
    distanceM += d.distanceM;
    durationS += d.durationS;
    idleS += d.idleS;
    stopEngineOnS += d.stopEngineOnS;
  }
  const inUse = durationS + stopEngineOnS;
  return {
    trips,
    distanceKm: round(distanceM / 1000, 3),
    drivingS: round(Math.max(0, durationS - idleS), 1),
    idleS: round(idleS + stopEngineOnS, 1),
    engineS: round(inUse, 1),
    afterHoursS: round(afterHoursS, 1),
    fuelLitres: round(fuelLitres, 3),
    utilisation: workingS > 0 ? round(Math.min(1, inUse / workingS), 4) : null,
  };
}

/** The asset a device was on at noon of a day (or at any time that day, if not at noon). */
function assetOn(windows: readonly InstalledWindow[], dayNoon: number): string | undefined {
  return (
    windows.find((w) => w.from <= dayNoon && w.to > dayNoon)?.assetId ??
    windows.find((w) => w.from < dayNoon + 12 * 3_600_000 && w.to > dayNoon - 12 * 3_600_000)?.assetId
  );
}

export function summarise(input: {
  by: 'asset' | 'day';
  from: string;
  to: string;
  timeZone: string;
  workingHours: WorkingHours;
  assets: readonly SummaryAsset[];
  windows: readonly InstalledWindow[];
  deviceDays: readonly DeviceDay[];
  /** Litres per asset and day. */
  fuel: readonly { assetId: string; day: string; litres: number }[];
}): { rows: SummaryRow[]; totals: SummaryFigures } {
  const days = daysOf(input.from, input.to);
  const workingByDay = new Map(days.map((d) => [d, workingSecondsOn(d, input.workingHours, input.timeZone)]));
  const totalWorking = [...workingByDay.values()].reduce((a, b) => a + b, 0);
  const known = new Set(input.assets.map((a) => a.id));
  const windowsOf = new Map<string, InstalledWindow[]>();
  for (const w of input.windows) {
    const list = windowsOf.get(w.deviceId);
    if (list) list.push(w);
    else windowsOf.set(w.deviceId, [w]);
  }
  // Noon of each day, once: localDayStart formats dates, which is not free 31,000 times.
  const noonOf = new Map<string, number>();
  // Each device-day to its asset; a device on no asset the caller sees counts nowhere.
  const byAsset = new Map<string, DeviceDay[]>();
  const byDay = new Map<string, DeviceDay[]>();
  for (const dd of input.deviceDays) {
    let noon = noonOf.get(dd.day);
    if (noon === undefined) {
      noon = localDayStart(dd.day, input.timeZone) + 12 * 3_600_000;
      noonOf.set(dd.day, noon);
    }
    const assetId = assetOn(windowsOf.get(dd.deviceId) ?? [], noon);
    if (assetId === undefined || !known.has(assetId)) continue;
    const a = byAsset.get(assetId);
    if (a) a.push(dd);
    else byAsset.set(assetId, [dd]);
    const d = byDay.get(dd.day);
    if (d) d.push(dd);
    else byDay.set(dd.day, [dd]);
  }
  const fuelOf = (pick: (f: { assetId: string; day: string }) => boolean) =>
    input.fuel.filter((f) => known.has(f.assetId) && pick(f)).reduce((s, f) => s + f.litres, 0);
  const all = [...byAsset.values()].flat();
  const totals = figures(
    all,
    fuelOf(() => true),
    totalWorking * input.assets.length,
  );
  if (input.by === 'day')
    return {
      rows: days.map((day) => ({
        day,
        ...figures(
          byDay.get(day) ?? [],
          fuelOf((f) => f.day === day),
          (workingByDay.get(day) ?? 0) * input.assets.length,
        ),
      })),
      totals,
    };
  return {
    rows: input.assets.map((asset) => ({
      asset,
      ...figures(
        byAsset.get(asset.id) ?? [],
        fuelOf((f) => f.assetId === asset.id),
        totalWorking,
      ),
    })),
    totals,
  };
}
