// Keyset pages, newest first, for the lists that grow without end (the audit log, alerts): the
// cursor is the (time, id) of the last item of a page, opaque to clients, so page 5,000 costs
// what page 1 costs (an offset would read and skip every item before it) and pages stay whole
// while new items arrive. The time is PostgreSQL's own to the microsecond (KEYSET_AT_SQL), so
// two items of one millisecond are told apart by it, not skipped.
// The console's type check loads this module (through the domains' schemas): zod only.
import { z } from 'zod';
import { instant } from './schemas.ts';

/** The position of an item in a list's order: its time to the microsecond and its id. */
export interface KeysetKey {
  /** ISO 8601 in UTC with microseconds, as PostgreSQL stores it. */
  at: string;
  /** The item's id as text (a bigint's digits, a uuid). */
  id: string;
}

/** The SQL of a timestamptz column as a cursor's `at`. */
export const keysetAt = (column: string) =>
  `to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

const KEY_AT = /^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)\.(\d{6})Z$/;
/** The longest cursor any list makes: 27 characters of time, a bar and a uuid, in base64url. */
const CURSOR_MAX_LENGTH = 128;

export function encodeKeysetCursor(key: KeysetKey): string {
  return Buffer.from(`${key.at}|${key.id}`).toString('base64url');
}

/**
 * The key in a cursor, or undefined for anything that is not one this API made. `validId`
 * checks the id the way the list's table would (a cursor reaches SQL: nothing it holds may
 * turn into a 500 there).
 */
export function decodeKeysetCursor(cursor: string, validId: (id: string) => boolean): KeysetKey | undefined {
  if (cursor.length > CURSOR_MAX_LENGTH || !/^[A-Za-z0-9_-]+$/.test(cursor)) return undefined;
  const [at, id, ...rest] = Buffer.from(cursor, 'base64url').toString('latin1').split('|');
  if (at === undefined || id === undefined || rest.length > 0) return undefined;
  if (!validId(id)) return undefined;
  // A date PostgreSQL would refuse (month 13, 25 o'clock) would be a 500 there: checked here.
  if (!KEY_AT.test(at)) return undefined;
  const date = new Date(at);
  if (Number.isNaN(date.getTime()) || date.toISOString().slice(0, 23) !== at.slice(0, 23)) return undefined;
  return { at, id };
}

/** The `cursor` query parameter of a keyset list. */
export function keysetCursorQuery(validId: (id: string) => boolean) {
  return z
    .string()
    .max(CURSOR_MAX_LENGTH, { error: 'not a cursor of this list: pass nextCursor as it came', abort: true })
    .transform((text, ctx) => {
      const key = decodeKeysetCursor(text, validId);
      if (key === undefined) {
        ctx.addIssue({ code: 'custom', message: 'not a cursor of this list: pass nextCursor as it came' });
        return z.NEVER;
      }
      return key;
    })
    .meta({ description: 'nextCursor of the previous page, as it came' });
}

/** Latest instant a filter may name: PostgreSQL's timestamptz and JavaScript's Date both reach it. */
const MAX_TIME_MS = Date.UTC(9999, 11, 31, 23, 59, 59, 999);
/** A time filter of a list: ISO 8601 or epoch milliseconds, before the year 10000. */
export const queryTime = instant.refine((ms) => ms <= MAX_TIME_MS, 'a time before the year 10000');

/** A page's next cursor: one more row than asked was read, and it came. */
export function nextKey<T>(
  rows: readonly T[],
  limit: number,
  keyOf: (row: T) => KeysetKey,
): KeysetKey | null {
  const last = rows[limit - 1];
  return rows.length > limit && last !== undefined ? keyOf(last) : null;
}
