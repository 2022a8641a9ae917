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
