// Driving licences as the drivers pages show them: the EU categories (Directive 2006/126/EC, as
// the API lists them, api/src/domains/drivers/schemas.ts; web/test/drivers-licence.test.ts checks
// they agree) and how near the expiry is. The expiry is the last valid day, so a licence that
// expires today is still valid today; the day is the organisation's, not the browser's.
import type { Driver } from '@fleet/api/contract';
import { toZonedInput } from '../device/range.ts';

export type LicenceClass = Driver['licenceClasses'][number];

export const LICENCE_CLASSES: readonly LicenceClass[] = [
  'AM',
  'A1',
  'A2',
  'A',
  'B',
  'BE',
  'C1',
  'C1E',
  'C',
  'CE',
  'D1',
  'D1E',
  'D',
  'DE',
];

const DAY_MS = 86_400_000;

/** The calendar day ("2026-11-21") it is in `timeZone`: licences expire by the organisation's day. */
export function todayIn(timeZone: string, now = Date.now()): string {
  return toZonedInput(now, timeZone).slice(0, 10);
}

/** A calendar day plus whole days ("2026-12-30" + 3 is "2027-01-02"). */
export function addDays(day: string, days: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
}

/** Whole days from `from` to `to` (both "YYYY-MM-DD"): negative when `to` is earlier. */
export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS);
}

/** A licence that expires within this many days is flagged for renewal. */
export const EXPIRY_WARNING_DAYS = 30;

export type ExpiryState =
  | { state: 'none' }
  | { state: 'valid' | 'expiring'; daysLeft: number }
  | { state: 'expired'; daysAgo: number };

/** How a licence's expiry stands on `today` (both "YYYY-MM-DD"). */
export function expiryState(expiry: string | null, today: string): ExpiryState {
  if (expiry === null) return { state: 'none' };
  const daysLeft = daysBetween(today, expiry);
  if (daysLeft < 0) return { state: 'expired', daysAgo: -daysLeft };
  return { state: daysLeft <= EXPIRY_WARNING_DAYS ? 'expiring' : 'valid', daysLeft };
}

/** The warning beside an expiry, or undefined when there is nothing to say. */
export function expiryWarning(s: ExpiryState): string | undefined {
  switch (s.state) {
    case 'expired':
      return s.daysAgo === 1 ? 'expired yesterday' : `expired ${s.daysAgo} days ago`;
    case 'expiring':
      if (s.daysLeft === 0) return 'expires today';
      return s.daysLeft === 1 ? 'expires tomorrow' : `expires in ${s.daysLeft} days`;
    default:
      return undefined;
  }
}

/**
 * The `licenceExpiresBefore` day that lists the licences to renew: those expired and those that
 * expire within the warning window (the API's bound is exclusive).
 */
export function renewalCutoff(today: string): string {
  return addDays(today, EXPIRY_WARNING_DAYS + 1);
}

/** Classes in the licence's own order, whatever order they were ticked in. */
export function sortClasses(classes: readonly LicenceClass[]): LicenceClass[] {
  return LICENCE_CLASSES.filter((c) => classes.includes(c));
}

const dayFormat = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'UTC',
  day: 'numeric',
  month: 'short',
  year: 'numeric',
});

/** "14 Mar 2027" for "2027-03-14": a calendar day, the same in every zone. */
export function formatDay(day: string): string {
  const ms = Date.parse(`${day}T00:00:00Z`);
  return Number.isFinite(ms) ? dayFormat.format(ms) : day;
}
