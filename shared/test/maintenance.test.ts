import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  addMonths,
  checkMeterReading,
  type DailyUse,
  dailyUse,
  levelRank,
  type MeterValues,
  moreUrgent,
  type ServiceBaseline,
  type ServiceInterval,
  serviceStatus,
} from '../src/maintenance.ts';

const HOUR = 3_600_000;
const DAY = 86_400_000;
/** Thursday 1 January 2026, midnight UTC. */
const T0 = Date.UTC(2026, 0, 1);

const NO_USE: DailyUse = { kmPerDay: null, hoursPerDay: null };
const START: ServiceBaseline = { at: T0, odometerKm: 0, engineHours: 0 };

function interval(patch: Partial<ServiceInterval>): ServiceInterval {
  return { km: null, hours: null, months: null, soonKm: null, soonHours: null, soonDays: null, ...patch };
}

function meters(odometerKm: number | null, engineHours: number | null = null): MeterValues {
  return { odometerKm, engineHours };
}

describe('checkMeterReading', () => {
  const at = (value: number, t: number) => ({ value, at: t });

  it('accepts the first reading of a meter', () => {
    expect(checkMeterReading('odometer', undefined, at(123_456, T0))).toBe('ok');
    expect(checkMeterReading('engine_hours', undefined, at(0, T0))).toBe('ok');
  });

  it('calls NaN, negative and infinite values a jump, with or without a reading before', () => {
    for (const value of [Number.NaN, -1, -0.001, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) {
      expect(checkMeterReading('odometer', undefined, at(value, T0))).toBe('jump');
      expect(checkMeterReading('engine_hours', at(10, T0), at(value, T0 + HOUR))).toBe('jump');
      // Validity is checked before time: an invalid value is never just "stale".
      expect(checkMeterReading('odometer', at(10, T0), at(value, T0 - HOUR))).toBe('jump');
    }
  });

  it('accepts a normal rise', () => {
    expect(checkMeterReading('odometer', at(1000, T0), at(1080, T0 + HOUR))).toBe('ok');
    expect(checkMeterReading('engine_hours', at(500, T0), at(500.9, T0 + HOUR))).toBe('ok');
    expect(checkMeterReading('odometer', at(1000, T0), at(1000, T0 + HOUR))).toBe('ok');
  });

  it('calls a reading at the same time or older stale, whatever its value', () => {
    expect(checkMeterReading('odometer', at(1000, T0), at(1010, T0))).toBe('stale');
    expect(checkMeterReading('odometer', at(1000, T0), at(900, T0 - 1))).toBe('stale');
    expect(checkMeterReading('engine_hours', at(10, T0), at(99_999, T0 - DAY))).toBe('stale');
  });

  it('allows the odometer to go back by up to 0.05 km (device rounding), not more', () => {
    // 0.05 - 0 is exact in floating point: the tolerance itself is allowed.
    expect(checkMeterReading('odometer', at(0.05, T0), at(0, T0 + 1000))).toBe('ok');
    expect(checkMeterReading('odometer', at(0.050001, T0), at(0, T0 + 1000))).toBe('backwards');
    expect(checkMeterReading('odometer', at(1000, T0), at(999.97, T0 + 1000))).toBe('ok');
    expect(checkMeterReading('odometer', at(1000, T0), at(999.9, T0 + 1000))).toBe('backwards');
    expect(checkMeterReading('odometer', at(1000, T0), at(0, T0 + DAY))).toBe('backwards');
  });

  it('allows engine hours to go back by up to 0.01 h only', () => {
    expect(checkMeterReading('engine_hours', at(0.01, T0), at(0, T0 + 1000))).toBe('ok');
    expect(checkMeterReading('engine_hours', at(0.010001, T0), at(0, T0 + 1000))).toBe('backwards');
    expect(checkMeterReading('engine_hours', at(100, T0), at(99.995, T0 + 1000))).toBe('ok');
    // What is rounding for an odometer is a meter going back for engine hours.
    expect(checkMeterReading('odometer', at(100, T0), at(99.97, T0 + 1000))).toBe('ok');
    expect(checkMeterReading('engine_hours', at(100, T0), at(99.97, T0 + 1000))).toBe('backwards');
  });

  it('calls an odometer rise over 250 km/h plus 1 km a jump', () => {
    expect(checkMeterReading('odometer', at(0, T0), at(251, T0 + HOUR))).toBe('ok');
    expect(checkMeterReading('odometer', at(0, T0), at(251.001, T0 + HOUR))).toBe('jump');
    expect(checkMeterReading('odometer', at(10_000, T0), at(10_501, T0 + 2 * HOUR))).toBe('ok');
    expect(checkMeterReading('odometer', at(10_000, T0), at(10_502, T0 + 2 * HOUR))).toBe('jump');
    // A millisecond apart: only the 1 km slack.
    expect(checkMeterReading('odometer', at(500, T0), at(501, T0 + 1))).toBe('ok');
    expect(checkMeterReading('odometer', at(500, T0), at(502, T0 + 1))).toBe('jump');
  });

  it('calls an engine-hours rise over 1.05 h an hour plus 0.05 h a jump', () => {
    expect(checkMeterReading('engine_hours', at(0, T0), at(1.1, T0 + HOUR))).toBe('ok');
    expect(checkMeterReading('engine_hours', at(0, T0), at(1.11, T0 + HOUR))).toBe('jump');
    expect(checkMeterReading('engine_hours', at(200, T0), at(210.5, T0 + 10 * HOUR))).toBe('ok');
    expect(checkMeterReading('engine_hours', at(200, T0), at(210.6, T0 + 10 * HOUR))).toBe('jump');
    expect(checkMeterReading('engine_hours', at(200, T0), at(200.05, T0 + 1))).toBe('ok');
    expect(checkMeterReading('engine_hours', at(200, T0), at(200.06, T0 + 1))).toBe('jump');
  });

  it('is stale exactly when the next reading is not newer (finite, non-negative values)', () => {
    const value = fc.double({ min: 0, max: 1e8, noNaN: true, noDefaultInfinity: true });
    const time = fc.integer({ min: 0, max: 4_000_000_000_000 });
    fc.assert(
      fc.property(
        fc.constantFrom('odometer' as const, 'engine_hours' as const),
        value,
        time,
        value,
        time,
        (meter, pv, pt, nv, nt) => {
          const verdict = checkMeterReading(meter, { value: pv, at: pt }, { value: nv, at: nt });
          expect(verdict === 'stale').toBe(nt <= pt);
        },
      ),
      { seed: 1, numRuns: 2000 },
    );
  });
});

describe('serviceStatus by kilometres', () => {
  const plan = interval({ km: 30_000, soonKm: 1000 });
  const at = (odometerKm: number) => serviceStatus(plan, START, meters(odometerKm), NO_USE, T0);

  it('moves through the levels at the window boundaries (due soon from 29,000, overdue from 31,000)', () => {
    expect(at(0).level).toBe('ok');
    expect(at(28_999.9).level).toBe('ok');
    expect(at(29_000).level).toBe('due_soon');
    expect(at(29_999.9).level).toBe('due_soon');
    expect(at(30_000).level).toBe('due');
    expect(at(30_999.9).level).toBe('due');
    expect(at(31_000).level).toBe('overdue');
    expect(at(90_000).level).toBe('overdue');
  });

  it('says where and how far the service is, decided by km', () => {
    const s = at(29_400);
    expect(s).toMatchObject({
      level: 'due_soon',
      decidedBy: 'km',
      dueOdometerKm: 30_000,
      remainingKm: 600,
      dueEngineHours: null,
      dueAt: null,
      remainingHours: null,
      remainingDays: null,
    });
    expect(at(31_500).remainingKm).toBe(-1500);
  });

  it('counts from the baseline odometer', () => {
    const s = serviceStatus(
      plan,
      { at: T0, odometerKm: 12_000, engineHours: null },
      meters(41_500),
      NO_USE,
      T0,
    );
    expect(s.dueOdometerKm).toBe(42_000);
    expect(s.remainingKm).toBe(500);
    expect(s.level).toBe('due_soon');
  });

  it('counts from zero when the baseline has no meters', () => {
    const both = interval({ km: 10_000, hours: 400 });
    const s = serviceStatus(
      both,
      { at: T0, odometerKm: null, engineHours: null },
      meters(100, 10),
      NO_USE,
      T0,
    );
    expect(s.dueOdometerKm).toBe(10_000);
    expect(s.dueEngineHours).toBe(400);
    expect(s.remainingKm).toBe(9900);
    expect(s.remainingHours).toBe(390);
  });

  it('uses a tenth of the interval as the window when the plan names none', () => {
    const p = interval({ km: 10_000 });
    const level = (km: number) => serviceStatus(p, START, meters(km), NO_USE, T0).level;
    expect(level(8999)).toBe('ok');
    expect(level(9000)).toBe('due_soon');
    expect(level(10_000)).toBe('due');
    expect(level(10_999)).toBe('due');
    expect(level(11_000)).toBe('overdue');
  });

  it('with a zero window: ok until due, due exactly at it, overdue past it', () => {
    const p = interval({ km: 10_000, soonKm: 0 });
    const level = (km: number) => serviceStatus(p, START, meters(km), NO_USE, T0).level;
    expect(level(9999.9)).toBe('ok');
    expect(level(10_000)).toBe('due');
    expect(level(10_000.1)).toBe('overdue');
  });

  it('ignores the km unit when the odometer is unknown (the due point is still given)', () => {
    const s = serviceStatus(plan, START, meters(null), NO_USE, T0);
    expect(s).toMatchObject({ level: 'ok', decidedBy: null, dueOdometerKm: 30_000, remainingKm: null });
    expect(s.forecastAt).toBeNull();
  });
});

describe('serviceStatus by engine hours', () => {
  const baseline: ServiceBaseline = { at: T0, odometerKm: null, engineHours: 1000 };
  const level = (p: ServiceInterval, hours: number) =>
    serviceStatus(p, baseline, meters(null, hours), NO_USE, T0).level;

  it('moves through the levels at the window boundaries', () => {
    const p = interval({ hours: 500, soonHours: 25 });
    expect(level(p, 1474.9)).toBe('ok');
    expect(level(p, 1475)).toBe('due_soon');
    expect(level(p, 1500)).toBe('due');
    expect(level(p, 1524.9)).toBe('due');
    expect(level(p, 1525)).toBe('overdue');
    const s = serviceStatus(p, baseline, meters(null, 1480), NO_USE, T0);
    expect(s).toMatchObject({
      decidedBy: 'hours',
      dueEngineHours: 1500,
      remainingHours: 20,
      dueOdometerKm: null,
    });
  });

  it('uses a tenth of the interval by default', () => {
    const p = interval({ hours: 500 });
    expect(level(p, 1449)).toBe('ok');
    expect(level(p, 1450)).toBe('due_soon');
    expect(level(p, 1550)).toBe('overdue');
  });

  it('ignores the hours unit when engine hours are unknown', () => {
    const s = serviceStatus(interval({ hours: 500 }), baseline, meters(99_999, null), NO_USE, T0);
    expect(s).toMatchObject({ level: 'ok', decidedBy: null, dueEngineHours: 1500, remainingHours: null });
  });
});

describe('serviceStatus by months', () => {
  const baseline: ServiceBaseline = { at: Date.UTC(2026, 0, 15, 12), odometerKm: null, engineHours: null };
  const due = Date.UTC(2026, 6, 15, 12);
  const at = (p: ServiceInterval, now: number) => serviceStatus(p, baseline, meters(null), NO_USE, now);

  it('falls due the same moment months later, due soon 14 days before by default', () => {
    const p = interval({ months: 6 });
    expect(at(p, T0).dueAt).toBe(due);
    expect(at(p, due - 14 * DAY - 1).level).toBe('ok');
    expect(at(p, due - 14 * DAY).level).toBe('due_soon');
    expect(at(p, due - 1).level).toBe('due_soon');
    expect(at(p, due).level).toBe('due');
    expect(at(p, due + 14 * DAY - 1).level).toBe('due');
    expect(at(p, due + 14 * DAY).level).toBe('overdue');
  });

  it('uses the plan’s own window and says how many days are left', () => {
    const p = interval({ months: 6, soonDays: 30 });
    expect(at(p, due - 31 * DAY).level).toBe('ok');
    expect(at(p, due - 30 * DAY).level).toBe('due_soon');
    const s = at(p, due - 10 * DAY);
    expect(s).toMatchObject({ decidedBy: 'time', remainingDays: 10, dueOdometerKm: null, remainingKm: null });
    expect(at(p, due + 3 * DAY).remainingDays).toBe(-3);
    expect(at(p, due + 30 * DAY).level).toBe('overdue');
  });

  it('counts even with no meters at all', () => {
    expect(at(interval({ months: 1 }), due).level).toBe('overdue');
  });
});

describe('serviceStatus with several units', () => {
  const p = interval({ km: 30_000, soonKm: 1000, hours: 1000, soonHours: 50, months: 12 });
  const due = addMonths(T0, 12);

  it('takes the most urgent unit', () => {
    // km due soon, hours and time ok.
    expect(serviceStatus(p, START, meters(29_500, 100), NO_USE, T0)).toMatchObject({
      level: 'due_soon',
      decidedBy: 'km',
    });
    // Hours due, km due soon.
    expect(serviceStatus(p, START, meters(29_500, 1000), NO_USE, T0)).toMatchObject({
      level: 'due',
      decidedBy: 'hours',
    });
    // Time overdue beats km due soon.
    expect(serviceStatus(p, START, meters(29_500, 10), NO_USE, due + 20 * DAY)).toMatchObject({
      level: 'overdue',
      decidedBy: 'time',
    });
    // All ok: the first unit counted names it.
    expect(serviceStatus(p, START, meters(100, 10), NO_USE, T0)).toMatchObject({
      level: 'ok',
      decidedBy: 'km',
    });
  });

  it('keeps the earlier unit (km, hours, time) on a tie of levels', () => {
    const s = serviceStatus(p, START, meters(29_900, 960), NO_USE, due - 2 * DAY);
    expect(s.level).toBe('due_soon');
    expect(s.decidedBy).toBe('km');
  });

  it('fills in every unit it counts', () => {
    const s = serviceStatus(p, START, meters(10_000, 250), NO_USE, T0);
    expect(s).toMatchObject({
      dueOdometerKm: 30_000,
      dueEngineHours: 1000,
      dueAt: due,
      remainingKm: 20_000,
      remainingHours: 750,
      remainingDays: 365,
    });
  });

  it('ignores a unit whose meter is unknown and decides by the others', () => {
    const s = serviceStatus(p, START, meters(null, 990), NO_USE, T0);
    expect(s).toMatchObject({
      level: 'due_soon',
      decidedBy: 'hours',
      remainingKm: null,
      dueOdometerKm: 30_000,
    });
  });

  it('is ok with no unit decided when no meter is known and no months are counted', () => {
    const s = serviceStatus(interval({ km: 1000, hours: 100 }), START, meters(null, null), NO_USE, T0);
    expect(s).toMatchObject({ level: 'ok', decidedBy: null, forecastAt: null });
  });
});

describe('serviceStatus forecast', () => {
  const km = interval({ km: 30_000, soonKm: 1000 });

  it('forecasts from the daily km', () => {
    const s = serviceStatus(km, START, meters(29_000), { kmPerDay: 100, hoursPerDay: null }, T0);
    expect(s.level).toBe('due_soon');
    expect(s.forecastAt).toBe(T0 + 10 * DAY);
  });

  it('has no forecast when the use is unknown or zero', () => {
    expect(serviceStatus(km, START, meters(20_000), NO_USE, T0).forecastAt).toBeNull();
    expect(
      serviceStatus(km, START, meters(20_000), { kmPerDay: 0, hoursPerDay: 5 }, T0).forecastAt,
    ).toBeNull();
  });

  it('takes the earliest unit', () => {
    const p = interval({ km: 30_000, hours: 1000 });
    const use = { kmPerDay: 200, hoursPerDay: 10 };
    // km: 10,000 left at 200 a day = 50 days; hours: 200 left at 10 a day = 20 days.
    expect(serviceStatus(p, START, meters(20_000, 800), use, T0).forecastAt).toBe(T0 + 20 * DAY);
    // A month from T0 (31 days) comes before 40 days of hours and 50 of km.
    const withTime = interval({ km: 30_000, hours: 1000, months: 1 });
    const slower = { kmPerDay: 200, hoursPerDay: 5 };
    expect(serviceStatus(withTime, START, meters(20_000, 800), slower, T0).forecastAt).toBe(addMonths(T0, 1));
  });

  it('forecasts a months plan at its due date without any use', () => {
    const s = serviceStatus(interval({ months: 6 }), START, meters(null), NO_USE, T0);
    expect(s.forecastAt).toBe(Date.UTC(2026, 6, 1));
  });

  it('has no forecast once due, even when another unit still has room', () => {
    const use = { kmPerDay: 100, hoursPerDay: 5 };
    expect(serviceStatus(km, START, meters(30_000), use, T0).forecastAt).toBeNull();
    expect(serviceStatus(km, START, meters(35_000), use, T0).forecastAt).toBeNull();
    const p = interval({ km: 30_000, hours: 1000 });
    const s = serviceStatus(p, START, meters(10_000, 1000), use, T0);
    expect(s.level).toBe('due');
    expect(s.forecastAt).toBeNull();
  });
});

describe('serviceStatus properties', () => {
  const positive = (max: number) => fc.double({ min: 0.001, max, noNaN: true, noDefaultInfinity: true });
  const meter = (max: number) =>
    fc.option(fc.double({ min: 0, max, noNaN: true, noDefaultInfinity: true }), { nil: null });
  // Plans as the database allows them: positive intervals, windows below the interval, 1-240 months.
  const plans = fc
    .record({
      km: fc.option(positive(1_000_000), { nil: null }),
      hours: fc.option(positive(100_000), { nil: null }),
      months: fc.option(fc.integer({ min: 1, max: 240 }), { nil: null }),
      soonKmFraction: fc.option(fc.double({ min: 0, max: 0.999, noNaN: true }), { nil: null }),
      soonHoursFraction: fc.option(fc.double({ min: 0, max: 0.999, noNaN: true }), { nil: null }),
      soonDays: fc.option(fc.integer({ min: 0, max: 365 }), { nil: null }),
    })
    .map(
      (r): ServiceInterval => ({
        km: r.km,
        hours: r.hours,
        months: r.months,
        soonKm: r.km === null || r.soonKmFraction === null ? null : r.km * r.soonKmFraction,
        soonHours: r.hours === null || r.soonHoursFraction === null ? null : r.hours * r.soonHoursFraction,
        soonDays: r.soonDays,
      }),
    );
  const baselines = fc.record({
    at: fc.integer({ min: Date.UTC(2000, 0, 1), max: Date.UTC(2040, 0, 1) }),
    odometerKm: meter(2_000_000),
    engineHours: meter(200_000),
  });
  const uses = fc.record({ kmPerDay: meter(2000), hoursPerDay: meter(24) });
  const nows = fc.integer({ min: Date.UTC(2000, 0, 1), max: Date.UTC(2060, 0, 1) });

  it('never throws and gives consistent fields', () => {
    fc.assert(
      fc.property(
        plans,
        baselines,
        fc.record({ odometerKm: meter(5_000_000), engineHours: meter(500_000) }),
        uses,
        nows,
        (p, b, m, use, now) => {
          const s = serviceStatus(p, b, m, use, now);
          expect(levelRank(s.level)).toBeGreaterThanOrEqual(0);
          expect(s.dueOdometerKm === null).toBe(p.km === null);
          expect(s.dueEngineHours === null).toBe(p.hours === null);
          expect(s.dueAt === null).toBe(p.months === null);
          if (s.decidedBy === null) expect(s.level).toBe('ok');
          if (levelRank(s.level) >= levelRank('due')) expect(s.forecastAt).toBeNull();
        },
      ),
      { seed: 1, numRuns: 1000 },
    );
  });

  it('never gets less urgent as the odometer rises', () => {
    fc.assert(
      fc.property(
        plans,
        baselines,
        fc.double({ min: 0, max: 5_000_000, noNaN: true }),
        fc.double({ min: 0, max: 5_000_000, noNaN: true }),
        meter(500_000),
        nows,
        (p, b, x, y, hours, now) => {
          const [low, high] = x <= y ? [x, y] : [y, x];
          const before = serviceStatus(p, b, { odometerKm: low, engineHours: hours }, NO_USE, now);
          const after = serviceStatus(p, b, { odometerKm: high, engineHours: hours }, NO_USE, now);
          expect(levelRank(after.level)).toBeGreaterThanOrEqual(levelRank(before.level));
        },
      ),
      { seed: 1, numRuns: 2000 },
    );
  });
});

describe('levels', () => {
  it('ranks ok < due_soon < due < overdue and picks the more urgent', () => {
    expect(['ok', 'due_soon', 'due', 'overdue'].map((l) => levelRank(l as 'ok'))).toEqual([0, 1, 2, 3]);
    expect(moreUrgent('due_soon', 'overdue')).toBe('overdue');
    expect(moreUrgent('due', 'ok')).toBe('due');
    expect(moreUrgent('due', 'due')).toBe('due');
  });
});

describe('addMonths', () => {
  const iso = (t: number) => new Date(t).toISOString();

  it('clamps to the last day of a shorter month', () => {
    expect(iso(addMonths(Date.UTC(2026, 0, 31), 1))).toBe('2026-02-28T00:00:00.000Z');
    expect(iso(addMonths(Date.UTC(2024, 0, 31), 1))).toBe('2024-02-29T00:00:00.000Z');
    expect(iso(addMonths(Date.UTC(2026, 2, 31), 1))).toBe('2026-04-30T00:00:00.000Z');
    expect(iso(addMonths(Date.UTC(2025, 7, 31), 6))).toBe('2026-02-28T00:00:00.000Z');
  });

  it('handles leap days over 12, 24 and 48 months', () => {
    const leapDay = Date.UTC(2024, 1, 29, 8, 30);
    expect(iso(addMonths(leapDay, 12))).toBe('2025-02-28T08:30:00.000Z');
    expect(iso(addMonths(leapDay, 24))).toBe('2026-02-28T08:30:00.000Z');
    expect(iso(addMonths(leapDay, 48))).toBe('2028-02-29T08:30:00.000Z');
  });

  it('keeps the day and time of day, across year ends', () => {
    expect(iso(addMonths(Date.UTC(2025, 11, 15, 23, 59, 59, 999), 1))).toBe('2026-01-15T23:59:59.999Z');
    expect(iso(addMonths(Date.UTC(2026, 4, 10, 6), 12))).toBe('2027-05-10T06:00:00.000Z');
    expect(iso(addMonths(Date.UTC(2026, 4, 10, 6), 0))).toBe('2026-05-10T06:00:00.000Z');
    // A clamped date does not remember the day it came from.
    expect(iso(addMonths(addMonths(Date.UTC(2026, 0, 31), 1), 1))).toBe('2026-03-28T00:00:00.000Z');
  });

  it('agrees with a month count done by hand', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: Date.UTC(1990, 0, 1), max: Date.UTC(2090, 0, 1) }),
        fc.integer({ min: 0, max: 240 }),
        (at, months) => {
          const from = new Date(at);
          const index = from.getUTCFullYear() * 12 + from.getUTCMonth() + months;
          const year = Math.floor(index / 12);
          const month = index % 12;
          const last = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
          const expected = Date.UTC(year, month, Math.min(from.getUTCDate(), last)) + (at % DAY);
          expect(addMonths(at, months)).toBe(expected);
        },
      ),
      { seed: 1, numRuns: 2000 },
    );
  });
});

describe('dailyUse', () => {
  const r = (value: number, at: number) => ({ value, at });

  it('is null without two readings a day apart', () => {
    expect(dailyUse(undefined, r(10, T0))).toBeNull();
    expect(dailyUse(r(10, T0), undefined)).toBeNull();
    expect(dailyUse(r(0, T0), r(500, T0 + DAY - 1))).toBeNull();
    expect(dailyUse(r(0, T0), r(0, T0))).toBeNull();
  });

  it('averages over the days between them', () => {
    expect(dailyUse(r(1000, T0), r(1120, T0 + DAY))).toBe(120);
    expect(dailyUse(r(1000, T0), r(1300, T0 + 2 * DAY))).toBe(150);
    expect(dailyUse(r(50, T0), r(56, T0 + 30 * DAY))).toBeCloseTo(0.2, 10);
  });

  it('clamps a fall to zero', () => {
    expect(dailyUse(r(1000, T0), r(900, T0 + 3 * DAY))).toBe(0);
  });
});
