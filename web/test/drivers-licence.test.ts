// Driving licences on the drivers pages (lib/drivers/licence.ts): the EU classes are the API's,
// in the licence's order, and the expiry warns within 30 days and once the last valid day has
// passed, by the organisation's calendar.
import { describe, expect, it } from 'vitest';
import { LICENCE_CLASSES as API_CLASSES } from '../../api/src/domains/drivers/schemas.ts';
import {
  addDays,
  daysBetween,
  EXPIRY_WARNING_DAYS,
  expiryState,
  expiryWarning,
  formatDay,
  LICENCE_CLASSES,
  renewalCutoff,
  sortClasses,
  todayIn,
} from '../src/lib/drivers/licence.ts';

describe('licence classes', () => {
  it('are the API’s, in its order', () => {
    expect(LICENCE_CLASSES).toEqual(API_CLASSES);
  });

  it('are put in the licence’s order whatever order they were ticked in', () => {
    expect(sortClasses(['CE', 'B', 'C', 'AM'])).toEqual(['AM', 'B', 'C', 'CE']);
    expect(sortClasses([])).toEqual([]);
  });
});

describe('licence expiry', () => {
  const today = '2026-11-21';
  const cases: [expiry: string | null, state: string, warning: string | undefined][] = [
    [null, 'none', undefined],
    ['2027-11-21', 'valid', undefined],
    ['2026-12-22', 'valid', undefined], // 31 days
    ['2026-12-21', 'expiring', 'expires in 30 days'],
    ['2026-11-22', 'expiring', 'expires tomorrow'],
    ['2026-11-21', 'expiring', 'expires today'], // the last valid day is still valid
    ['2026-11-20', 'expired', 'expired yesterday'],
    ['2026-10-01', 'expired', 'expired 51 days ago'],
  ];

  it.each(cases)('%s on 2026-11-21 is %s', (expiry, state, warning) => {
    const s = expiryState(expiry, today);
    expect(s.state).toBe(state);
    expect(expiryWarning(s)).toBe(warning);
  });

  it('counts days across a year end', () => {
    expect(expiryState('2027-01-05', '2026-12-30')).toEqual({ state: 'expiring', daysLeft: 6 });
  });

  it('lists for renewal what expires within the window (the API’s bound is exclusive)', () => {
    expect(EXPIRY_WARNING_DAYS).toBe(30);
    expect(renewalCutoff(today)).toBe('2026-12-22');
  });

  it('shows a day as people read it, the same in every zone', () => {
    expect(formatDay('2027-03-14')).toBe('14 Mar 2027');
    expect(formatDay('not a day')).toBe('not a day');
  });
});

describe('calendar days', () => {
  it('says which day it is in the organisation’s zone, not the browser’s', () => {
    const ms = Date.parse('2026-11-21T23:30:00Z');
    expect(todayIn('UTC', ms)).toBe('2026-11-21');
    expect(todayIn('Europe/Helsinki', ms)).toBe('2026-11-22');
    expect(todayIn('America/Los_Angeles', ms)).toBe('2026-11-21');
  });

  it('adds days and counts them across months, years and leap days', () => {
    expect(addDays('2026-12-30', 3)).toBe('2027-01-02');
    expect(addDays('2028-02-28', 1)).toBe('2028-02-29');
    expect(addDays('2026-03-01', -1)).toBe('2026-02-28');
    expect(daysBetween('2026-12-30', '2027-01-02')).toBe(3);
    expect(daysBetween('2026-03-29', '2026-03-28')).toBe(-1);
    expect(daysBetween('2026-11-21', '2026-11-21')).toBe(0);
  });
});
