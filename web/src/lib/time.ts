// Times on screen are in the organisation's time zone: an IANA name that administrators set
// (PATCH /api/v1/organisation) and every user reads from GET /api/v1/me. Pages take it from
// `session.timeZone` (lib/session), which is the browser's zone only until /me has loaded.

export function browserTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string, withDate: boolean): Intl.DateTimeFormat {
  const key = `${timeZone}|${withDate}`;
  let f = formatters.get(key);
  if (!f) {
    // en-GB: a 24-hour clock and day-month order, which dispatch logs read best.
    f = new Intl.DateTimeFormat('en-GB', {
      timeZone,
      hourCycle: 'h23',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      ...(withDate ? { year: 'numeric', month: 'short', day: 'numeric' } : {}),
    });
    formatters.set(key, f);
  }
  return f;
}

/** "14:05:09" in `timeZone`. */
export function formatClock(ms: number, timeZone: string): string {
  return formatter(timeZone, false).format(ms);
}

/** "21 Nov 2026, 14:05:09" in `timeZone`. */
export function formatDateTime(ms: number, timeZone: string): string {
  return formatter(timeZone, true).format(ms);
}

const dayFormatters = new Map<string, Intl.DateTimeFormat>();

/** "21 Nov 2026" in `timeZone`: for due dates and forecasts, where the hour means nothing. */
export function formatDate(ms: number, timeZone: string): string {
  let f = dayFormatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-GB', { timeZone, year: 'numeric', month: 'short', day: 'numeric' });
    dayFormatters.set(timeZone, f);
  }
  return f.format(ms);
}

// Wall-clock days and times typed into a form (a fill-up "on 3 Nov at 07:45") are the
// organisation's, as a fuel card's statement is; the API takes instants. The zone's offset comes
// from Intl, so no time-zone database is bundled (as @fleet/shared/time-zone does for days).

const partsFormatters = new Map<string, Intl.DateTimeFormat>();

function wallClock(
  ms: number,
  timeZone: string,
): Record<'year' | 'month' | 'day' | 'hour' | 'minute', number> {
  let f = partsFormatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-GB', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
    });
    partsFormatters.set(timeZone, f);
  }
  const parts = f.formatToParts(ms);
  const get = (type: Intl.DateTimeFormatPartTypes) => Number(parts.find((p) => p.type === type)?.value);
  return {
    year: get('year'),
    month: get('month'),
    day: get('day'),
    hour: get('hour'),
    minute: get('minute'),
  };
}

const pad = (n: number) => String(n).padStart(2, '0');

/** The calendar day (YYYY-MM-DD) and the clock (HH:MM) of an instant in `timeZone`. */
export function zonedDayTime(ms: number, timeZone: string): { day: string; time: string } {
  const w = wallClock(ms, timeZone);
  return { day: `${w.year}-${pad(w.month)}-${pad(w.day)}`, time: `${pad(w.hour)}:${pad(w.minute)}` };
}

/**
 * The instant of a wall-clock day and time (YYYY-MM-DD, HH:MM) in `timeZone`; undefined when
 * either is no such day or time. In the hour a clock skips (spring forward) the time is read
 * with the offset before the change, as most clocks and fuel card terminals do.
 */
export function zonedInstant(day: string, time: string, timeZone: string): number | undefined {
  const d = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  const t = /^([01]?\d|2[0-3])[:.]([0-5]\d)$/.exec(time.trim());
  if (!d || !t) return undefined;
  const [y, m, dd] = [Number(d[1]), Number(d[2]), Number(d[3])];
  const asUtc = Date.UTC(y, m - 1, dd, Number(t[1]), Number(t[2]));
  const check = new Date(Date.UTC(y, m - 1, dd));
  if (check.getUTCMonth() !== m - 1 || check.getUTCDate() !== dd) return undefined;
  // The zone's offset at a first guess, then at the corrected instant (a change that night).
  const offset = (at: number) => {
    const w = wallClock(at, timeZone);
    return Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute) - Math.floor(at / 60_000) * 60_000;
  };
  const first = asUtc - offset(asUtc);
  return asUtc - offset(first);
}
