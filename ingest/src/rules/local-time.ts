// Local wall-clock time in an organisation's (or a rule schedule's) time zone, for working hours
// and schedules. Intl's tz data decides DST and offsets, so a Helsinki 08:00 is 06:00 UTC in
// winter and 05:00 UTC in summer without a table of our own. This runs for every record of
// every after-hours or scheduled rule, and formatToParts costs microseconds, so formatters are
// cached per zone and answers per zone and UTC minute (every zone's offset is whole minutes
// since the 1970s; the historic second offsets before that are rounded to the minute's start).
import { minutesOf, type Weekday, type WorkingHours } from '@fleet/shared';

export interface LocalTime {
  weekday: Weekday;
  /** Minutes since local midnight, 0..1439. */
  minutes: number;
}

const WEEKDAY_OF: Record<string, Weekday> = {
  Mon: 'mon',
  Tue: 'tue',
  Wed: 'wed',
  Thu: 'thu',
  Fri: 'fri',
  Sat: 'sat',
  Sun: 'sun',
};

const formatters = new Map<string, Intl.DateTimeFormat>();
const answers = new Map<string, LocalTime>();
/** A few thousand devices report within the same minutes; a bound keeps odd inputs from growing it. */
const MAX_ANSWERS = 20_000;
const MINUTE_MS = 60_000;

function formatterOf(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    // h23: midnight is 00, not 24 (hour12: false gives "24" in some ICU versions).
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      weekday: 'short',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/** The weekday and minutes since midnight at `ts` (ms since the epoch) in `timeZone` (IANA). */
export function localTime(ts: number, timeZone: string): LocalTime {
  const minute = Math.floor(ts / MINUTE_MS);
  const cacheKey = `${timeZone}|${minute}`;
  const cached = answers.get(cacheKey);
  if (cached) return cached;
  let weekday: Weekday = 'mon';
  let hour = 0;
  let min = 0;
  for (const part of formatterOf(timeZone).formatToParts(minute * MINUTE_MS)) {
    if (part.type === 'weekday') weekday = WEEKDAY_OF[part.value] ?? weekday;
    else if (part.type === 'hour') hour = Number(part.value) % 24;
    else if (part.type === 'minute') min = Number(part.value);
  }
  const answer: LocalTime = { weekday, minutes: hour * 60 + min };
  if (answers.size >= MAX_ANSWERS) answers.clear();
  answers.set(cacheKey, answer);
  return answer;
}

/**
 * Whether `ts` falls within the working intervals of its local weekday: from inclusive, to
 * exclusive, "24:00" the end of the day. A day with no intervals is a day off.
 */
export function withinHours(hours: WorkingHours, timeZone: string, ts: number): boolean {
  const { weekday, minutes } = localTime(ts, timeZone);
  for (const { from, to } of hours[weekday] ?? []) {
    if (minutes >= minutesOf(from) && minutes < minutesOf(to)) return true;
  }
  return false;
}
