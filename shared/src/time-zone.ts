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
