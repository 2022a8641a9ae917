// An organisation's working time between two instants: its weekly working hours laid on the
// calendar of its time zone (Intl decides DST, so 08:00 in Helsinki is 06:00 UTC in winter and
// 05:00 in summer). After-hours use of a vehicle and the working time that utilisation divides
// by are both measured with it, so a report's "after hours" and "working time" never disagree.
import { minutesOf, WEEKDAYS, type Weekday, type WorkingHours } from './organisation-settings.ts';
import { localDay, localTimeOn, nextDay } from './time-zone.ts';

/** The weekday of a calendar day (YYYY-MM-DD): the same in every zone. */
export function weekdayOf(day: string): Weekday {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  // getUTCDay: 0 is Sunday; WEEKDAYS starts on Monday.
  return WEEKDAYS[(new Date(Date.UTC(y, m - 1, d)).getUTCDay() + 6) % 7] as Weekday;
}

/** The working intervals (epoch ms, start inclusive, end exclusive) overlapping [from, to), clipped to it. */
export function workingIntervalsBetween(
  from: number,
  to: number,
  hours: WorkingHours,
  timeZone: string,
): [number, number][] {
  const out: [number, number][] = [];
  if (!(to > from)) return out;
  // Every local day the range touches: intervals lie within their day (24:00 at the latest).
  const last = localDay(to, timeZone);
  for (let day = localDay(from, timeZone); day <= last; day = nextDay(day)) {
    for (const i of hours[weekdayOf(day)] ?? []) {
      const start = Math.max(from, localTimeOn(day, minutesOf(i.from), timeZone));
      const end = Math.min(to, localTimeOn(day, minutesOf(i.to), timeZone));
      if (end > start) out.push([start, end]);
    }
  }
  return out;
}

/** Seconds of working time within [from, to). */
export function workingSecondsBetween(
  from: number,
  to: number,
  hours: WorkingHours,
  timeZone: string,
): number {
  let ms = 0;
  for (const [start, end] of workingIntervalsBetween(from, to, hours, timeZone)) ms += end - start;
  return ms / 1000;
}

/** Seconds of [from, to) outside working time. */
export function afterHoursSecondsBetween(
  from: number,
  to: number,
  hours: WorkingHours,
  timeZone: string,
): number {
  if (!(to > from)) return 0;
  return (to - from) / 1000 - workingSecondsBetween(from, to, hours, timeZone);
}
