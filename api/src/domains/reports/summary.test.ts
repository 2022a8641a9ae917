// The fleet summary's arithmetic without a database: device-days to the asset the device was on,
// working time by weekday in the organisation's zone, utilisation capped at 1, per asset and per day.
import { DEFAULT_WORKING_HOURS } from '@fleet/shared';
import { localDayStart } from '@fleet/shared/time-zone';
import { describe, expect, it } from 'vitest';
import { type DeviceDay, daysOf, type SummaryAsset, summarise, workingSecondsOn } from './summary.ts';

const TZ = 'Europe/Helsinki';
const asset = (id: string): SummaryAsset => ({
  id,
  kind: 'vehicle',
  name: id,
  plate: null,
  category: null,
  departmentId: null,
  departmentName: null,
});
const dd = (deviceId: string, day: string, km: number, hours: number, idleH = 0, afterH = 0): DeviceDay => ({
  deviceId,
  day,
  trips: 2,
  distanceM: km * 1000,
  durationS: hours * 3600,
  idleS: idleH * 3600,
  stopEngineOnS: 0,
  afterHoursS: afterH * 3600,
});

describe('working time', () => {
  it('follows the weekday of the local day: 9 h on a Monday, none on a Saturday', () => {
    expect(workingSecondsOn('2026-11-30', DEFAULT_WORKING_HOURS, TZ)).toBe(9 * 3600);
    expect(workingSecondsOn('2026-12-05', DEFAULT_WORKING_HOURS, TZ)).toBe(0);
    // The Monday after the clocks went forward still has its nine hours.
    expect(workingSecondsOn('2026-03-30', DEFAULT_WORKING_HOURS, TZ)).toBe(9 * 3600);
    expect(daysOf('2026-11-29', '2026-12-02')).toEqual([
      '2026-11-29',
      '2026-11-30',
      '2026-12-01',
      '2026-12-02',
    ]);
  });
});

describe('the fleet summary', () => {
  // A tracker moved from van A to van B at noon on Tuesday.
  const moved = localDayStart('2026-12-01', TZ) + 12 * 3_600_000;
  const input = {
    from: '2026-11-30',
    to: '2026-12-02',
    timeZone: TZ,
    workingHours: DEFAULT_WORKING_HOURS,
    assets: [asset('A'), asset('B'), asset('C')],
    windows: [
      { deviceId: 'd1', assetId: 'A', from: 0, to: moved },
      { deviceId: 'd1', assetId: 'B', from: moved, to: Number.POSITIVE_INFINITY },
      { deviceId: 'd9', assetId: 'elsewhere', from: 0, to: Number.POSITIVE_INFINITY },
    ],
    deviceDays: [
      dd('d1', '2026-11-30', 100, 4, 1),
      dd('d1', '2026-12-01', 50, 2, 0, 0.5),
      dd('d1', '2026-12-02', 30, 30),
      dd('d9', '2026-12-01', 999, 9),
    ],
    fuel: [
      { assetId: 'A', day: '2026-11-30', litres: 40 },
      { assetId: 'elsewhere', day: '2026-11-30', litres: 99 },
    ],
  };

  it('gives each device-day to the asset the device was on, and leaves out assets the caller does not see', () => {
    const { rows, totals } = summarise({ ...input, by: 'asset' });
    const byId = Object.fromEntries(rows.map((r) => [r.asset?.id, r]));
    expect(byId.A).toMatchObject({
      distanceKm: 100,
      drivingS: 3 * 3600,
      idleS: 3600,
      engineS: 4 * 3600,
      fuelLitres: 40,
    });
    // On the day of the move the installation at noon decides: van B.
    expect(byId.B).toMatchObject({ distanceKm: 80, trips: 4, afterHoursS: 1800 });
    expect(byId.A?.afterHoursS).toBe(0);
    expect(byId.C).toMatchObject({ distanceKm: 0, trips: 0, utilisation: 0 });
    expect(totals.distanceKm).toBe(180);
    expect(totals.fuelLitres).toBe(40);
    // 27 h of working time in the three days; van B's 32 h of engine time caps at 1.
    expect(byId.A?.utilisation).toBeCloseTo(4 / 27, 4);
    expect(byId.B?.utilisation).toBe(1);
  });

  it('sums per day, every day of the range present', () => {
    const { rows } = summarise({ ...input, by: 'day' });
    expect(rows.map((r) => [r.day, r.distanceKm])).toEqual([
      ['2026-11-30', 100],
      ['2026-12-01', 50],
      ['2026-12-02', 30],
    ]);
    const weekend = summarise({ ...input, from: '2026-12-05', to: '2026-12-06', by: 'day' });
    expect(weekend.rows.every((r) => r.utilisation === null)).toBe(true);
  });
});
