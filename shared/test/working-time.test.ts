import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_WORKING_HOURS, type WorkingHours } from '../src/organisation-settings.ts';
import { localDayStart, localTimeOn } from '../src/time-zone.ts';
import {
  afterHoursSecondsBetween,
  weekdayOf,
  workingIntervalsBetween,
  workingSecondsBetween,
} from '../src/working-time.ts';

const HEL = 'Europe/Helsinki';
const H = 3_600_000;

describe('working time', () => {
  it('knows the weekday of a calendar day in every zone', () => {
    expect(weekdayOf('2026-12-07')).toBe('mon');
    expect(weekdayOf('2026-12-06')).toBe('sun');
    expect(weekdayOf('2024-02-29')).toBe('thu');
  });

  it('lays 08:00-17:00 on Helsinki time in winter and in summer', () => {
    // Monday 7 December 2026 (UTC+2): 06:00-15:00 UTC.
    const winter = workingIntervalsBetween(
      Date.parse('2026-12-07T00:00:00Z'),
      Date.parse('2026-12-08T00:00:00Z'),
      DEFAULT_WORKING_HOURS,
      HEL,
    );
    expect(winter).toEqual([[Date.parse('2026-12-07T06:00:00Z'), Date.parse('2026-12-07T15:00:00Z')]]);
    // Monday 8 June 2026 (UTC+3): 05:00-14:00 UTC.
    const summer = workingIntervalsBetween(
      Date.parse('2026-06-08T00:00:00Z'),
      Date.parse('2026-06-09T00:00:00Z'),
      DEFAULT_WORKING_HOURS,
      HEL,
    );
    expect(summer).toEqual([[Date.parse('2026-06-08T05:00:00Z'), Date.parse('2026-06-08T14:00:00Z')]]);
  });

  it('keeps nine working hours on the days the clocks change', () => {
    // Monday after the spring-forward Sunday (29 March 2026) and the autumn one (25 October).
    for (const day of ['2026-03-30', '2026-10-26']) {
      const from = localDayStart(day, HEL);
      expect(workingSecondsBetween(from, from + 30 * H, DEFAULT_WORKING_HOURS, HEL)).toBe(9 * 3600);
    }
    // A 24-hour working Sunday on the spring-forward day has 23 hours.
    const always: WorkingHours = { ...DEFAULT_WORKING_HOURS, sun: [{ from: '00:00', to: '24:00' }] };
    const sunday = localDayStart('2026-03-29', HEL);
    expect(workingSecondsBetween(sunday, localDayStart('2026-03-30', HEL), always, HEL)).toBe(23 * 3600);
    const autumn = localDayStart('2026-10-25', HEL);
    expect(workingSecondsBetween(autumn, localDayStart('2026-10-26', HEL), always, HEL)).toBe(25 * 3600);
  });

  it('counts a late drive as after hours only past 17:00', () => {
    // Monday 16:30 to 18:15 Helsinki time: 30 min working, 75 min after hours.
    const from = localTimeOn('2026-12-07', 16 * 60 + 30, HEL);
    const to = localTimeOn('2026-12-07', 18 * 60 + 15, HEL);
    expect(afterHoursSecondsBetween(from, to, DEFAULT_WORKING_HOURS, HEL)).toBe(75 * 60);
    // A weekend drive is after hours throughout; an empty or reversed range is none.
    const sat = localTimeOn('2026-12-05', 10 * 60, HEL);
    expect(afterHoursSecondsBetween(sat, sat + H, DEFAULT_WORKING_HOURS, HEL)).toBe(3600);
    expect(afterHoursSecondsBetween(to, from, DEFAULT_WORKING_HOURS, HEL)).toBe(0);
  });

  it('splits any range into working and after-hours time that add up to it', () => {
    const start = Date.parse('2026-01-01T00:00:00Z');
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 365 * 24 * 60 }),
        fc.integer({ min: 0, max: 5 * 24 * 60 }),
        fc.constantFrom(HEL, 'UTC', 'America/New_York', 'Asia/Kolkata'),
        (offsetMin, lengthMin, zone) => {
          const from = start + offsetMin * 60_000;
          const to = from + lengthMin * 60_000;
          const working = workingSecondsBetween(from, to, DEFAULT_WORKING_HOURS, zone);
          const after = afterHoursSecondsBetween(from, to, DEFAULT_WORKING_HOURS, zone);
          expect(working).toBeGreaterThanOrEqual(0);
          expect(after).toBeGreaterThanOrEqual(0);
          expect(working + after).toBeCloseTo(lengthMin * 60, 6);
          // At most 9 h of a day, 5 days a week.
          expect(working).toBeLessThanOrEqual((Math.ceil(lengthMin / 1440) + 1) * 9 * 3600);
        },
      ),
      { seed: 1404, numRuns: 400 },
    );
  });
});
