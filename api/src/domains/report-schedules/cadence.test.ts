// When scheduled reports go out and what they cover, across the DST changes of Europe/Helsinki
// (clocks forward at 03:00 on the last Sunday of March, back at 04:00 on the last Sunday of
// October), across a year's end and a leap day.
import { localDay } from '@fleet/shared/time-zone';
import { describe, expect, it } from 'vitest';
import { nextRunAfter, periodOf } from './cadence.ts';

const HEL = 'Europe/Helsinki';
const iso = (ms: number) => new Date(ms).toISOString();
const at = (text: string) => Date.parse(text);

describe('weekly runs: Monday 06:00 local', () => {
  it.each([
    // Winter (EET, +02:00): 06:00 is 04:00 UTC.
    ['2026-11-25T10:00:00Z', '2026-11-30T04:00:00.000Z'],
    // A Monday before 06:00 runs that morning; at 06:00 exactly, the next week.
    ['2026-11-30T03:59:59Z', '2026-11-30T04:00:00.000Z'],
    ['2026-11-30T04:00:00Z', '2026-12-07T04:00:00.000Z'],
    // The week the clocks go forward (Sunday 29 March 2026): Monday is summer time, 03:00 UTC.
    ['2026-03-28T12:00:00Z', '2026-03-30T03:00:00.000Z'],
    ['2026-03-29T00:30:00Z', '2026-03-30T03:00:00.000Z'],
    // The run before it is still winter time.
    ['2026-03-20T12:00:00Z', '2026-03-23T04:00:00.000Z'],
    // The week the clocks go back (Sunday 25 October 2026): Monday is winter time again.
    ['2026-10-25T00:30:00Z', '2026-10-26T04:00:00.000Z'],
    ['2026-10-25T01:30:00Z', '2026-10-26T04:00:00.000Z'],
    ['2026-10-18T12:00:00Z', '2026-10-19T03:00:00.000Z'],
    // Over the year's end.
    ['2026-12-30T12:00:00Z', '2027-01-04T04:00:00.000Z'],
  ])('after %s: %s', (after, next) => {
    expect(iso(nextRunAfter('weekly', at(after), HEL))).toBe(next);
  });

  it('is the local Monday, not the UTC one: 23:30 UTC on a Sunday is already Monday in Helsinki', () => {
    // 2026-11-29T23:30Z is Monday 01:30 in Helsinki: the run is that morning.
    expect(iso(nextRunAfter('weekly', at('2026-11-29T23:30:00Z'), HEL))).toBe('2026-11-30T04:00:00.000Z');
    expect(iso(nextRunAfter('weekly', at('2026-11-29T23:30:00Z'), 'UTC'))).toBe('2026-11-30T06:00:00.000Z');
  });

  it('reports the Monday to Sunday before, whatever the clocks did in it', () => {
    expect(periodOf('weekly', at('2026-11-30T04:00:00Z'), HEL)).toEqual({
      from: '2026-11-23',
      to: '2026-11-29',
    });
    expect(periodOf('weekly', at('2026-03-30T03:00:00Z'), HEL)).toEqual({
      from: '2026-03-23',
      to: '2026-03-29',
    });
    expect(periodOf('weekly', at('2026-10-26T04:00:00Z'), HEL)).toEqual({
      from: '2026-10-19',
      to: '2026-10-25',
    });
    expect(periodOf('weekly', at('2027-01-04T04:00:00Z'), HEL)).toEqual({
      from: '2026-12-28',
      to: '2027-01-03',
    });
    // Sent by hand on a Thursday: the last complete week.
    expect(periodOf('weekly', at('2026-12-03T14:00:00Z'), HEL)).toEqual({
      from: '2026-11-23',
      to: '2026-11-29',
    });
  });
});

describe('monthly runs: the 1st at 06:00 local', () => {
  it.each([
    ['2026-03-15T12:00:00Z', '2026-04-01T03:00:00.000Z'],
    ['2026-03-01T03:59:00Z', '2026-03-01T04:00:00.000Z'],
    ['2026-10-01T03:00:00Z', '2026-11-01T04:00:00.000Z'],
    ['2026-12-31T23:00:00Z', '2027-01-01T04:00:00.000Z'],
    ['2027-01-01T04:00:00Z', '2027-02-01T04:00:00.000Z'],
  ])('after %s: %s', (after, next) => {
    expect(iso(nextRunAfter('monthly', at(after), HEL))).toBe(next);
  });

  it('reports the calendar month before', () => {
    expect(periodOf('monthly', at('2026-04-01T03:00:00Z'), HEL)).toEqual({
      from: '2026-03-01',
      to: '2026-03-31',
    });
    expect(periodOf('monthly', at('2026-11-01T04:00:00Z'), HEL)).toEqual({
      from: '2026-10-01',
      to: '2026-10-31',
    });
    expect(periodOf('monthly', at('2027-01-01T04:00:00Z'), HEL)).toEqual({
      from: '2026-12-01',
      to: '2026-12-31',
    });
    expect(periodOf('monthly', at('2028-03-01T04:00:00Z'), HEL)).toEqual({
      from: '2028-02-01',
      to: '2028-02-29',
    });
  });

  it('runs each month once, a year of them in order, at 06:00 on the local clock', () => {
    let t = at('2026-01-15T00:00:00Z');
    const runs: string[] = [];
    for (let i = 0; i < 12; i++) {
      t = nextRunAfter('monthly', t, HEL);
      runs.push(
        `${localDay(t, HEL)} ${new Date(t).toLocaleTimeString('en-GB', { timeZone: HEL, hour: '2-digit', minute: '2-digit' })}`,
      );
    }
    expect(runs).toEqual([
      ...['02', '03', '04', '05', '06', '07', '08', '09', '10', '11', '12'].map((m) => `2026-${m}-01 06:00`),
      '2027-01-01 06:00',
    ]);
  });
});
