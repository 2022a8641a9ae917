// IANA time zone names, checked in code rather than in SQL: an organisation's zone is read by
// browsers and by Node, whose tz data (ICU) is what must understand it, not the database's.
// No imports: the API's route schemas (and through them the console's type check) load this.

/** The zone of an organisation that has not chosen one. */
export const DEFAULT_TIME_ZONE = 'UTC';

/** The longest name accepted; the longest IANA name is 32 characters. */
export const TIME_ZONE_MAX_LENGTH = 64;

// Area/Location names and the few single-word ones (UTC, GMT, EST5EDT); no spaces, and no
// offsets such as "+02:00", which Intl also accepts but which are not IANA names.
const NAME_SYNTAX = /^[A-Za-z][A-Za-z0-9_+-]*(?:\/[A-Za-z0-9_+-]+)*$/;

/**
 * Whether `name` is an IANA time zone name that Intl understands: the same test the console's
 * formatters pass or throw on. Intl.supportedValuesOf('timeZone') is no such test: V8 (Node 22,
 * Chrome) leaves out UTC and Etc/UTC and lists the old spellings of renamed zones
 * (Asia/Calcutta, Europe/Kiev) instead of the current ones (Asia/Kolkata, Europe/Kyiv), while
 * DateTimeFormat accepts every IANA name and alias. Intl matches names case-insensitively, so
 * "europe/helsinki" is accepted too.
 */
export function isTimeZoneName(name: string): boolean {
  if (name.length > TIME_ZONE_MAX_LENGTH || !NAME_SYNTAX.test(name)) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

/**
 * The name as Intl spells it when only the case differs ("europe/helsinki" → "Europe/Helsinki"),
 * so stored names compare and read the same; aliases (Asia/Kolkata) are kept as given.
 */
export function canonicalTimeZone(name: string): string {
  const resolved = new Intl.DateTimeFormat('en-US', { timeZone: name }).resolvedOptions().timeZone;
  return resolved.toLowerCase() === name.toLowerCase() ? resolved : name;
}

// Calendar days in a time zone, for reports over days and months (costs, and the reports of
// issue 14): Intl knows every zone's offsets, so no time-zone database is bundled.

/** Epoch ms of 00:00 of a calendar day (YYYY-MM-DD) in a time zone. */
export function localDayStart(day: string, timeZone: string): number {
  return localTimeOn(day, 0, timeZone);
}

/**
 * Epoch ms of a wall-clock time (minutes since local midnight, 1440 the next midnight) on a
 * calendar day in a time zone. A time the clocks skip (a spring-forward night) lands an offset
 * change later; one they repeat (autumn) is its first occurrence.
 */
export function localTimeOn(day: string, minutes: number, timeZone: string): number {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  const guess = Date.UTC(y, m - 1, d) + minutes * 60_000;
  // The zone's offset at the guess, then again at the corrected instant (a DST change that night).
  let t = guess - offsetMs(guess, timeZone);
  t = guess - offsetMs(t, timeZone);
  return t;
}

// Building a formatter costs ~40 µs, using one ~2 µs: one per zone, kept (a handful of zones).
const clockFormats = new Map<string, Intl.DateTimeFormat>();
const dayFormats = new Map<string, Intl.DateTimeFormat>();
function formatOf(
  cache: Map<string, Intl.DateTimeFormat>,
  timeZone: string,
  make: () => Intl.DateTimeFormat,
) {
  let f = cache.get(timeZone);
  if (!f) {
    f = make();
    if (cache.size > 500) cache.clear();
    cache.set(timeZone, f);
  }
  return f;
}

function offsetMs(at: number, timeZone: string): number {
  const parts = formatOf(
    clockFormats,
    timeZone,
    () =>
      new Intl.DateTimeFormat('en-GB', {
        timeZone,
        hourCycle: 'h23',
        year: 'numeric',
        month: '2-digit',
        day: '2-digit',
        hour: '2-digit',
        minute: '2-digit',
        second: '2-digit',
      }),
  ).formatToParts(new Date(at));
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  const asUtc = Date.UTC(
    get('year'),
    get('month') - 1,
    get('day'),
    get('hour'),
    get('minute'),
    get('second'),
  );
  return asUtc - Math.floor(at / 1000) * 1000;
}

/** The calendar day (YYYY-MM-DD) of an instant in a time zone. */
export function localDay(at: number, timeZone: string): string {
  return formatOf(
    dayFormats,
    timeZone,
    () => new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }),
  ).format(new Date(at));
}

/**
 * The wall clock of an instant in a zone (to the second), as a Date whose UTC fields read it: for
 * what has no zone of its own, such as a spreadsheet's date.
 */
export function wallClock(at: number, timeZone: string): Date {
  return new Date(Math.floor(at / 1000) * 1000 + offsetMs(at, timeZone));
}

/** The day before a calendar day. */
export function previousDay(day: string): string {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d - 1)).toISOString().slice(0, 10);
}

/** The day after a calendar day. */
export function nextDay(day: string): string {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d + 1)).toISOString().slice(0, 10);
}

/** The months (YYYY-MM) a range of days spans, in order. */
export function monthsBetween(from: string, to: string): string[] {
  const out: string[] = [];
  let [y, m] = from.split('-').map(Number) as [number, number];
  const [ty, tm] = to.split('-').map(Number) as [number, number];
  while (y < ty || (y === ty && m <= tm)) {
    out.push(`${y}-${String(m).padStart(2, '0')}`);
    m++;
    if (m > 12) {
      m = 1;
      y++;
    }
  }
  return out;
}

/**
 * The zone as QuestDB's SQL understands it. QuestDB's zone rules lack the POSIX-style
 * `Etc/GMT+N` zones and read them as UTC without an error; they have no DST, so their fixed
 * offset (sign inverted, as POSIX writes it: Etc/GMT+2 is UTC-02:00) is exact. Other IANA names
 * pass through.
 */
export function questDbTimeZone(timeZone: string): string {
  const m = /^Etc\/GMT([+-])(\d{1,2})$/.exec(timeZone);
  if (!m) return timeZone;
  const sign = m[1] === '+' ? '-' : '+';
  return `${sign}${(m[2] as string).padStart(2, '0')}:00`;
}
