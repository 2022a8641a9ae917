// When a scheduled report goes out and which days it reports, in the organisation's calendar:
// weekly on Monday at 06:00 for the previous Monday to Sunday, monthly on the 1st at 06:00 for
// the previous calendar month. 06:00 is never a time the clocks skip or repeat in zones that
// change at night (Europe changes at 01:00 UTC: 03:00/04:00 in Helsinki), and localTimeOn moves
// a skipped one forward anyway. Pure.
import { localDay, localTimeOn } from '@fleet/shared/time-zone';
import { weekdayOf } from '@fleet/shared/working-time';
import type { Cadence } from './schemas.ts';

/** Minutes after local midnight a scheduled report is sent. */
export const RUN_AT_MINUTES = 6 * 60;

const addDays = (day: string, n: number) =>
  new Date(Date.parse(`${day}T12:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);
const WEEK_INDEX = { mon: 0, tue: 1, wed: 2, thu: 3, fri: 4, sat: 5, sun: 6 } as const;

/** The Monday of the week a day is in. */
function mondayOf(day: string): string {
  return addDays(day, -WEEK_INDEX[weekdayOf(day)]);
}

/** The 1st of the month a day is in, moved by whole months. */
function firstOfMonth(day: string, months = 0): string {
  const [y, m] = day.split('-').map(Number) as [number, number];
  return new Date(Date.UTC(y, m - 1 + months, 1)).toISOString().slice(0, 10);
}

/** The first run strictly after an instant. */
export function nextRunAfter(cadence: Cadence, after: number, timeZone: string): number {
  const today = localDay(after, timeZone);
  // This period's run day, then the next period's: one of them is after `after`.
  const candidates =
    cadence === 'weekly'
      ? [mondayOf(today), addDays(mondayOf(today), 7)]
      : [firstOfMonth(today), firstOfMonth(today, 1)];
  for (const day of candidates) {
    const at = localTimeOn(day, RUN_AT_MINUTES, timeZone);
    if (at > after) return at;
  }
  // Unreachable: the second candidate is at least a day after today.
  throw new Error(`no ${cadence} run after ${new Date(after).toISOString()} in ${timeZone}`);
}

/**
 * The days a run at an instant reports, both included: the whole week (Monday to Sunday) or
 * calendar month before the one the instant falls in. A run sent now ("send now") reports the
 * last complete period.
 */
export function periodOf(cadence: Cadence, runAt: number, timeZone: string): { from: string; to: string } {
  const day = localDay(runAt, timeZone);
  if (cadence === 'weekly') {
    const monday = mondayOf(day);
    return { from: addDays(monday, -7), to: addDays(monday, -1) };
  }
  const first = firstOfMonth(day);
  return { from: firstOfMonth(day, -1), to: addDays(first, -1) };
}
