// Time ranges of the detail page's history playback: the presets, and a custom range typed in
// two datetime-local inputs. Those inputs hold a wall-clock time without a zone; the page reads
// and writes them in the time zone it shows every other time in (which need not be the
// browser's), so the conversion is done here with Intl rather than by the Date parser.

export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;
/** The API's longest range per request (api/src/routes/history.ts, MAX_RANGE_DAYS). */
export const MAX_RANGE_DAYS = 31;

export interface TimeRange {
  /** ms since the epoch, inclusive. */
  from: number;
  /** ms since the epoch, exclusive. */
  to: number;
}

export const RANGE_PRESETS = [
  { id: '1h', label: 'Last 1 h', ms: HOUR_MS },
  { id: '6h', label: 'Last 6 h', ms: 6 * HOUR_MS },
  { id: '24h', label: 'Last 24 h', ms: DAY_MS },
] as const;
export type RangePresetId = (typeof RANGE_PRESETS)[number]['id'];

/** The range of a preset ending now (`to` one ms past now: the API's `to` is exclusive). */
export function presetRange(id: RangePresetId, now: number): TimeRange {
  const preset = RANGE_PRESETS.find((p) => p.id === id);
  if (!preset) throw new Error(`unknown range preset ${id}`);
  return { from: now - preset.ms, to: now + 1 };
}

const partFormats = new Map<string, Intl.DateTimeFormat>();

function partsFormat(timeZone: string): Intl.DateTimeFormat {
  let f = partFormats.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    partFormats.set(timeZone, f);
  }
  return f;
}

interface WallClock {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

function wallClock(ms: number, timeZone: string): WallClock {
  const out: Record<string, number> = {};
  for (const p of partsFormat(timeZone).formatToParts(ms))
    if (p.type !== 'literal') out[p.type] = Number(p.value);
  return {
    year: out.year ?? 1970,
    month: out.month ?? 1,
    day: out.day ?? 1,
    hour: out.hour ?? 0,
    minute: out.minute ?? 0,
    second: out.second ?? 0,
  };
}

/** How far `timeZone`'s wall clock is ahead of UTC at instant `ms` (ms; whole seconds). */
export function zoneOffsetMs(ms: number, timeZone: string): number {
  const w = wallClock(ms, timeZone);
  const asUtc = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);
  return asUtc - Math.floor(ms / 1000) * 1000;
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** The value of a datetime-local input showing instant `ms` in `timeZone`: "2026-11-21T08:05". */
export function toZonedInput(ms: number, timeZone: string): string {
  const w = wallClock(ms, timeZone);
  return `${pad(w.year, 4)}-${pad(w.month)}-${pad(w.day)}T${pad(w.hour)}:${pad(w.minute)}`;
}

const INPUT = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?$/;

/**
 * The instant a datetime-local value names in `timeZone`; undefined when it is not one. A wall
 * time that occurs twice (clocks going back) is the first; one skipped by clocks going forward
 * is read with the offset in force before the change (03:30 on a night the clocks go from 03:00
 * to 04:00 is 04:30).
 */
export function fromZonedInput(text: string, timeZone: string): number | undefined {
  const m = INPUT.exec(text.trim());
  if (!m) return undefined;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map((v) => Number(v ?? 0)) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 59)
    return undefined;
  const asUtc = Date.UTC(year, month - 1, day, hour, minute, second);
  // Date.UTC rolls 31 Feb over into March: the date must come back as typed.
  if (new Date(asUtc).getUTCDate() !== day) return undefined;
  // Two candidate offsets: the zone's an hour or so either side of the time. Prefer the earlier
  // instant whose wall clock matches; else (a skipped time) the offset in force before it.
  const before = zoneOffsetMs(asUtc - DAY_MS / 2, timeZone);
  const after = zoneOffsetMs(asUtc + DAY_MS / 2, timeZone);
  const candidates = [asUtc - Math.max(before, after), asUtc - Math.min(before, after)];
  for (const c of candidates) if (c + zoneOffsetMs(c, timeZone) === asUtc) return c;
  return asUtc - before;
}

export type RangeCheck =
  | { ok: true; range: TimeRange }
  | { ok: false; field: 'from' | 'to'; message: string };

/** Checks a custom range as the API would, plus that it has begun by `now`. */
export function checkCustomRange(
  fromText: string,
  toText: string,
  timeZone: string,
  now: number,
): RangeCheck {
  const from = fromZonedInput(fromText, timeZone);
  if (from === undefined) return { ok: false, field: 'from', message: 'Enter the start date and time.' };
  const to = fromZonedInput(toText, timeZone);
  if (to === undefined) return { ok: false, field: 'to', message: 'Enter the end date and time.' };
  if (to <= from) return { ok: false, field: 'to', message: 'The end must be after the start.' };
  if (to - from > MAX_RANGE_DAYS * DAY_MS)
    return { ok: false, field: 'to', message: `A range may span at most ${MAX_RANGE_DAYS} days.` };
  if (from > now) return { ok: false, field: 'from', message: 'The start is in the future.' };
  return { ok: true, range: { from, to } };
}

/** "1 h", "6 h", "2 d 3 h", "45 min": the length of a range. */
export function formatSpan(ms: number): string {
  const min = Math.round(ms / 60_000);
  if (min < 60) return `${min} min`;
  const h = Math.floor(min / 60);
  const restMin = min % 60;
  if (h < 24) return restMin === 0 ? `${h} h` : `${h} h ${restMin} min`;
  const d = Math.floor(h / 24);
  return h % 24 === 0 ? `${d} d` : `${d} d ${h % 24} h`;
}
