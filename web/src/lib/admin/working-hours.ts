// Editing an organisation's working hours: intervals per weekday, checked with the same
// function the API's schema uses (@fleet/shared/organisation-settings), so the form refuses
// exactly what the API would and says it the same way.
import {
  MAX_INTERVALS_PER_DAY,
  minutesOf,
  WEEKDAYS,
  type Weekday,
  type WorkingHours,
  type WorkingInterval,
  workingDayProblem,
} from '@fleet/shared/organisation-settings';

export { MAX_INTERVALS_PER_DAY, WEEKDAYS, type Weekday, type WorkingHours, type WorkingInterval };

export const WEEKDAY_LABELS: Record<Weekday, string> = {
  mon: 'Monday',
  tue: 'Tuesday',
  wed: 'Wednesday',
  thu: 'Thursday',
  fri: 'Friday',
  sat: 'Saturday',
  sun: 'Sunday',
};

export function copyHours(hours: WorkingHours): WorkingHours {
  return Object.fromEntries(WEEKDAYS.map((d) => [d, hours[d].map((i) => ({ ...i }))])) as WorkingHours;
}

const hhmm = (minutes: number) =>
  `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;

/**
 * The interval a new row starts with: an hour after the day's last one ends, for an hour, or
 * 08:00-17:00 on a day off; undefined when the day has its 4 or no time is left.
 */
export function nextInterval(day: readonly WorkingInterval[]): WorkingInterval | undefined {
  if (day.length >= MAX_INTERVALS_PER_DAY) return undefined;
  const last = day[day.length - 1];
  if (last === undefined) return { from: '08:00', to: '17:00' };
  const end = /^\d\d:\d\d$/.test(last.to) ? minutesOf(last.to) : Number.NaN;
  if (!Number.isFinite(end) || end >= 24 * 60 - 1) return undefined;
  const from = Math.min(end + 60, 24 * 60 - 1);
  const to = Math.min(from + 60, 24 * 60);
  return { from: hhmm(from), to: hhmm(to) };
}

/** Each day's problem as the API words it; an empty object when every day is fine. */
export function hoursProblems(hours: WorkingHours): Partial<Record<Weekday, string>> {
  const out: Partial<Record<Weekday, string>> = {};
  for (const day of WEEKDAYS) {
    const problem = workingDayProblem(hours[day]);
    if (problem !== undefined) out[day] = problem;
  }
  return out;
}

/** Same hours, whatever the object's key order. */
export function sameHours(a: WorkingHours, b: WorkingHours): boolean {
  return WEEKDAYS.every(
    (d) =>
      a[d].length === b[d].length && a[d].every((i, n) => i.from === b[d][n]?.from && i.to === b[d][n]?.to),
  );
}

/** "08:00–17:00, 18:00–20:00", or "Closed". */
export function describeDay(day: readonly WorkingInterval[]): string {
  return day.length === 0 ? 'Closed' : day.map((i) => `${i.from}–${i.to}`).join(', ');
}
