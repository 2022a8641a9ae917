// The settings of an organisation beyond its name and time zone: working hours per weekday
// (after-hours rules read them, in the organisation's time zone), the distance unit and the
// currency its people read figures in. Pure checks with no imports: the API's route schemas
// (and through them the console's type check) load this, and so will the rules.

export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

/** One stretch of working time within a day, as local times "HH:MM" (to may be "24:00"). */
export interface WorkingInterval {
  from: string;
  to: string;
}

/** Per weekday the working intervals, in order; [] is a day off. */
export type WorkingHours = Record<Weekday, WorkingInterval[]>;

export const DISTANCE_UNITS = ['km', 'mi'] as const;
export type DistanceUnit = (typeof DISTANCE_UNITS)[number];

export const DEFAULT_WORKING_HOURS: WorkingHours = {
  mon: [{ from: '08:00', to: '17:00' }],
  tue: [{ from: '08:00', to: '17:00' }],
  wed: [{ from: '08:00', to: '17:00' }],
  thu: [{ from: '08:00', to: '17:00' }],
  fri: [{ from: '08:00', to: '17:00' }],
  sat: [],
  sun: [],
};

/** At most this many intervals per day (split shifts, a lunch break). */
export const MAX_INTERVALS_PER_DAY = 4;

const LOCAL_TIME = /^([01][0-9]|2[0-3]):[0-5][0-9]$|^24:00$/;

/** Minutes since midnight of a valid "HH:MM". */
export function minutesOf(time: string): number {
  return Number(time.slice(0, 2)) * 60 + Number(time.slice(3, 5));
}

/** What is wrong with one day's intervals, or undefined when they are fine. */
export function workingDayProblem(intervals: readonly WorkingInterval[]): string | undefined {
  if (intervals.length > MAX_INTERVALS_PER_DAY) return `at most ${MAX_INTERVALS_PER_DAY} intervals a day`;
  let previousEnd = -1;
  for (const { from, to } of intervals) {
    if (!LOCAL_TIME.test(from) || from === '24:00') return `"${from}" is not a time from 00:00 to 23:59`;
    if (!LOCAL_TIME.test(to)) return `"${to}" is not a time from 00:01 to 24:00`;
    const start = minutesOf(from);
    const end = minutesOf(to);
    if (end <= start) return `${from}-${to} ends before it starts`;
    if (start < previousEnd) return `${from}-${to} overlaps or precedes the interval before it`;
    previousEnd = end;
  }
  return undefined;
}

/**
 * Whether `code` is an ISO 4217 currency this runtime knows (Intl), e.g. EUR, SEK, USD: the
 * code must be one Intl can format, since that is what shows it to people.
 */
export function isCurrencyCode(code: string): boolean {
  if (!/^[A-Z]{3}$/.test(code)) return false;
  try {
    return Intl.supportedValuesOf('currency').includes(code);
  } catch {
    return false;
  }
}
