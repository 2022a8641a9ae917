// The cost figures as plain functions: meters between two moments, consumption from full
// fill-up to full fill-up with partial ones carried, cost per unit, and calendar days in a zone.

import { localDay, localDayStart, monthsBetween, nextDay } from '@fleet/shared/time-zone';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { consumption, costFigures, meterAt, meterDelta, moneyPer } from './figures.ts';

const DAY = 86_400_000;

describe('meters between two moments', () => {
  const readings = [
    { value: 1000, at: 0 },
    { value: 1100, at: DAY },
    { value: 1300, at: 3 * DAY },
  ];
  it('take the newest reading at or before each end', () => {
    expect(meterAt(readings, DAY + 1)).toBe(1100);
    expect(meterAt(readings, -1)).toBe(1000); // nothing that early: the first after
    expect(meterDelta(readings, DAY, 3 * DAY)).toBe(200);
    expect(meterDelta(readings, 0, 10 * DAY)).toBe(300);
  });
  it('say nothing without two readings or none in the range', () => {
    expect(meterDelta([{ value: 5, at: 0 }], 0, DAY)).toBeNull();
    expect(meterDelta(readings, 5 * DAY, 6 * DAY)).toBeNull();
  });
  it('never go negative, whatever the readings', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            value: fc.double({ min: 0, max: 1e6, noNaN: true }),
            at: fc.integer({ min: 0, max: 100 * DAY }),
          }),
        ),
        fc.integer({ min: 0, max: 100 * DAY }),
        fc.integer({ min: 0, max: 100 * DAY }),
        (rs, a, b) => {
          const sorted = [...rs].sort((x, y) => x.at - y.at);
          const d = meterDelta(sorted, Math.min(a, b), Math.max(a, b));
          expect(d === null || d >= 0).toBe(true);
        },
      ),
      { seed: 1, numRuns: 1000 },
    );
  });
});

describe('consumption', () => {
  it('is the fuel after a full tank up to the next full one over the distance between them', () => {
    const c = consumption([
      { odometerKm: 10_000, litres: 50, partial: false, at: 1 },
      { odometerKm: 10_300, litres: 10, partial: true, at: 2 },
      { odometerKm: 10_600, litres: 35, partial: false, at: 3 },
    ]);
    // 10 + 35 litres over 600 km.
    expect(c).toEqual({ litres: 45, distanceKm: 600, lPer100Km: 7.5 });
  });
  it('needs a full fill-up at both ends; fill-ups without an odometer are left out', () => {
    expect(consumption([{ odometerKm: 100, litres: 40, partial: false, at: 1 }])).toBeNull();
    expect(
      consumption([
        { odometerKm: 100, litres: 40, partial: true, at: 1 },
        { odometerKm: 500, litres: 40, partial: true, at: 2 },
      ]),
    ).toBeNull();
    expect(
      consumption([
        { odometerKm: 100, litres: 40, partial: false, at: 1 },
        { odometerKm: null, litres: 20, partial: false, at: 2 },
        { odometerKm: 600, litres: 30, partial: false, at: 3 },
      ]),
    ).toEqual({ litres: 30, distanceKm: 500, lPer100Km: 6 });
  });
});

describe('money per unit and the figures', () => {
  it('divide once, at the end, to four decimals', () => {
    expect(moneyPer(18_340n, 1000, 'EUR')).toBe('0.1834');
    expect(moneyPer(100n, 0, 'EUR')).toBeNull();
    expect(moneyPer(100n, null, 'EUR')).toBeNull();
    expect(moneyPer(1000n, 10, 'JPY')).toBe('100.0000');
  });
  it('add fuel, maintenance and other costs exactly', () => {
    const f = costFigures(
      {
        fuelMinor: 10n,
        maintenanceMinor: 20n,
        otherMinor: 0n,
        byCategory: new Map([['toll', 0n]]),
        distanceKm: 3,
        engineHours: null,
        fuelLitres: 0.1 + 0.2,
        fills: [],
      },
      'EUR',
    );
    expect(f.costs).toEqual({ fuel: '0.10', maintenance: '0.20', other: '0.00', total: '0.30' });
    expect(f.costPerKm).toBe('0.1000');
    expect(f.fuelLitres).toBe(0.3);
  });
});

describe('calendar days in a time zone', () => {
  it('start at local midnight, across daylight saving changes', () => {
    expect(new Date(localDayStart('2026-12-01', 'Europe/Helsinki')).toISOString()).toBe(
      '2026-11-30T22:00:00.000Z',
    );
    expect(new Date(localDayStart('2026-07-01', 'Europe/Helsinki')).toISOString()).toBe(
      '2026-06-30T21:00:00.000Z',
    );
    // The night summer time begins (29 March 2026 in the EU): midnight is still +02:00.
    expect(new Date(localDayStart('2026-03-29', 'Europe/Helsinki')).toISOString()).toBe(
      '2026-03-28T22:00:00.000Z',
    );
    expect(localDay(localDayStart('2026-03-30', 'Europe/Helsinki'), 'Europe/Helsinki')).toBe('2026-03-30');
    expect(localDayStart('2026-12-01', 'UTC')).toBe(Date.UTC(2026, 11, 1));
  });
  it('round-trip for any day and zone', () => {
    fc.assert(
      fc.property(
        fc.date({ min: new Date('2000-01-01'), max: new Date('2099-12-31'), noInvalidDate: true }),
        fc.constantFrom(
          'UTC',
          'Europe/Helsinki',
          'America/New_York',
          'Asia/Kolkata',
          'Pacific/Chatham',
          'Australia/Lord_Howe',
        ),
        (d, tz) => {
          const day = d.toISOString().slice(0, 10);
          expect(localDay(localDayStart(day, tz), tz)).toBe(day);
        },
      ),
      { seed: 1, numRuns: 500 },
    );
  });
  it('count days and months', () => {
    expect(nextDay('2026-12-31')).toBe('2027-01-01');
    expect(nextDay('2028-02-28')).toBe('2028-02-29');
    expect(monthsBetween('2026-11-15', '2027-02-01')).toEqual(['2026-11', '2026-12', '2027-01', '2027-02']);
  });
});
