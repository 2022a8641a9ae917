// Validation of decoded records: pure functions, plain inputs and outputs. A record that fails
// is never dropped silently: the pipeline stores it in telemetry_rejects with the reason here.
import { type DeviceEventRecord, TELEMETRY_FIELDS, type TelemetryRecord } from '@fleet/shared';

/** The reject reasons of the ingest tier: the catalogue of codes stored and counted. */
export const REJECT_REASONS = [
  // whole payload
  'payload_too_large',
  'too_many_records',
  'malformed_protobuf',
  'nesting_too_deep',
  'empty_batch',
  // one record
  'seq_missing',
  'seq_out_of_range',
  'ts_missing',
  'ts_in_future',
  'ts_too_old',
  'not_finite',
  'out_of_range',
  'half_position',
  'dtc_invalid',
  'driver_card_invalid',
  'duplicate_ts',
  'unknown_event_kind',
  // the store
  'store_refused',
] as const;
export type RejectReason = (typeof REJECT_REASONS)[number];

export interface ValidationPolicy {
  /** A record more than this far ahead of the server clock is rejected. */
  maxFutureSkewMs: number;
  /** A record older than this is rejected. */
  maxAgeMs: number;
}

export type Verdict = { ok: true } | { ok: false; reason: RejectReason; detail: string };

const OK: Verdict = { ok: true };
const DTC_PATTERN = /^[PCBU][0-9A-F]{4}$/;
const MAX_DTC_CODES = 32;
/** Longest driver card id, in characters (drivers.driver_card_id holds up to 64 as well). */
export const MAX_DRIVER_CARD_CHARS = 64;
/**
 * What a card id may not hold: controls (C0, DEL, C1), format characters (zero-width, bidi
 * overrides: an id that reads as another) and line separators. Refused like a bad DTC code,
 * not escaped: an id is matched, and an escaped one would never match the card it came from.
 */
const NOT_PRINTABLE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u;

/** Checks device time against the server clock; shared by telemetry and events. */
/** A device time for a message: ISO when representable (int64 ms can exceed Date's range). */
function describeTs(ts: number): string {
  const d = new Date(ts);
  return Number.isFinite(d.getTime()) ? d.toISOString() : `ts_ms=${ts}`;
}

export function checkDeviceTime(ts: number, now: number, policy: ValidationPolicy): Verdict {
  if (!Number.isFinite(ts) || ts <= 0) return { ok: false, reason: 'ts_missing', detail: `ts_ms=${ts}` };
  if (ts > now + policy.maxFutureSkewMs) {
    return {
      ok: false,
      reason: 'ts_in_future',
      detail: `${describeTs(ts)} is ahead of the server clock`,
    };
  }
  if (ts < now - policy.maxAgeMs) {
    return {
      ok: false,
      reason: 'ts_too_old',
      detail: `${describeTs(ts)} is older than the accepted age`,
    };
  }
  return OK;
}

export function validateTelemetry(record: TelemetryRecord, now: number, policy: ValidationPolicy): Verdict {
  if (!(record.seq >= 1)) return { ok: false, reason: 'seq_missing', detail: `seq=${record.seq}` };
  const time = checkDeviceTime(record.ts, now, policy);
  if (!time.ok) return time;
  if ((record.lat === undefined) !== (record.lon === undefined)) {
    return { ok: false, reason: 'half_position', detail: 'lat and lon must come together' };
  }
  for (const field of TELEMETRY_FIELDS) {
    const value = record[field.name];
    if (typeof value !== 'number') continue;
    if (!Number.isFinite(value)) return { ok: false, reason: 'not_finite', detail: `${field.name}=${value}` };
    if ((field.min !== undefined && value < field.min) || (field.max !== undefined && value > field.max)) {
      return {
        ok: false,
        reason: 'out_of_range',
        detail:
          `${field.name}=${value} outside ${field.min ?? '-inf'}..${field.max ?? 'inf'} ${field.unit}`.trim(),
      };
    }
  }
  if (record.dtcCodes) {
    if (record.dtcCodes.length > MAX_DTC_CODES) {
      return {
        ok: false,
        reason: 'dtc_invalid',
        detail: `${record.dtcCodes.length} codes (max ${MAX_DTC_CODES})`,
      };
    }
    const bad = record.dtcCodes.find((c) => !DTC_PATTERN.test(c));
    if (bad !== undefined)
      return { ok: false, reason: 'dtc_invalid', detail: `code ${JSON.stringify(bad.slice(0, 16))}` };
  }
  const card = record.driverCardId;
  if (card !== undefined) {
    const chars = [...card].length;
    if (chars < 1 || chars > MAX_DRIVER_CARD_CHARS || NOT_PRINTABLE.test(card)) {
      return {
        ok: false,
        reason: 'driver_card_invalid',
        detail: `driverCardId ${JSON.stringify(card.slice(0, 16))}${chars > 16 ? '...' : ''} (${chars} characters; 1..${MAX_DRIVER_CARD_CHARS} printable ones)`,
      };
    }
  }
  return OK;
}

/** Limits of the numbers a device event carries (its columns, and what is physically possible). */
const EVENT_LIMITS = [
  { name: 'lat', min: -90, max: 90, unit: 'deg' },
  { name: 'lon', min: -180, max: 180, unit: 'deg' },
  { name: 'speedKmh', min: 0, max: 400, unit: 'km/h' },
  { name: 'peakG', min: 0, max: 100, unit: 'g' },
  { name: 'buttonId', min: 0, max: 65_535, unit: '' },
] as const satisfies readonly { name: keyof DeviceEventRecord; min: number; max: number; unit: string }[];

/** The values of a device event, as validateTelemetry checks a record's. */
export function validateDeviceEvent(event: DeviceEventRecord): Verdict {
  if ((event.lat === undefined) !== (event.lon === undefined)) {
    return { ok: false, reason: 'half_position', detail: 'lat and lon must come together' };
  }
  for (const limit of EVENT_LIMITS) {
    const value = event[limit.name];
    if (typeof value !== 'number') continue;
    if (!Number.isFinite(value)) return { ok: false, reason: 'not_finite', detail: `${limit.name}=${value}` };
    if (value < limit.min || value > limit.max) {
      return {
        ok: false,
        reason: 'out_of_range',
        detail: `${limit.name}=${value} outside ${limit.min}..${limit.max} ${limit.unit}`.trim(),
      };
    }
  }
  return OK;
}
