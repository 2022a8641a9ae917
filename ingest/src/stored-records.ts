// Stored rows back as the records the pipeline stored (the telemetry and events tables of
// schema.ts): for the live state's seed, the API's history and the rule engine's catch-up after
// a restart. QuestDB BOOLEAN columns have no null: a flag the device never sent reads back false.
import {
  type DeviceEventRecord,
  TELEMETRY_FIELDS,
  type TelemetryField,
  type TelemetryRecord,
} from '@fleet/shared';
import type { QuestDbHttp } from '@fleet/shared/questdb';
import { TABLES } from './schema.ts';

/** The select list telemetryFromRow reads, in its order. */
export const TELEMETRY_SELECT = `ts::long / 1000 t, received_at::long / 1000 r, tenant, device_id, ${TELEMETRY_FIELDS.map((f) => f.column).join(', ')}`;

const num = (v: unknown) => (typeof v === 'number' ? v : undefined);
const str = (v: unknown) => (typeof v === 'string' ? v : undefined);

/** How a stored value comes back as a TelemetryRecord value (undefined for null). */
function fromStored(field: TelemetryField, value: unknown): unknown {
  if (value === null || value === undefined) return undefined;
  // dtc_codes is stored comma-joined (ilp.ts); an empty list is not stored at all.
  if (field.name === 'dtcCodes')
    return typeof value === 'string' && value !== '' ? value.split(',') : undefined;
  if (field.type === 'boolean') return typeof value === 'boolean' ? value : undefined;
  if (field.type === 'string') return typeof value === 'string' ? value : undefined;
  return typeof value === 'number' ? value : undefined;
}

export function telemetryFromRow(row: readonly unknown[]): TelemetryRecord {
  const ts = num(row[0]) ?? 0;
  const record: Record<string, unknown> = {
    tenant: str(row[2]) ?? '',
    deviceId: str(row[3]) ?? '',
    ts,
    receivedAt: num(row[1]) ?? ts,
  };
  TELEMETRY_FIELDS.forEach((f, k) => {
    record[f.name] = fromStored(f, row[4 + k]);
  });
  record.seq ??= 0;
  // Every key of TelemetryRecord is set above: the registry lists all of its fields.
  return record as unknown as TelemetryRecord;
}

export const EVENT_SELECT =
  'ts::long / 1000 t, received_at::long / 1000 r, tenant, device_id, kind, seq, lat, lon, speed_kmh, peak_g, button_id, firmware, detail';

export function eventFromRow(row: readonly unknown[]): DeviceEventRecord {
  const ts = num(row[0]) ?? 0;
  return {
    ts,
    receivedAt: num(row[1]) ?? ts,
    tenant: str(row[2]) ?? '',
    deviceId: str(row[3]) ?? '',
    kind: str(row[4]) ?? '',
    seq: num(row[5]) ?? 0,
    lat: num(row[6]),
    lon: num(row[7]),
    speedKmh: num(row[8]),
    peakG: num(row[9]),
    buttonId: num(row[10]),
    firmware: str(row[11]),
    detail: str(row[12]) ?? '',
  };
}

const literal = (ms: number) => {
  if (!Number.isFinite(ms)) throw new RangeError('a time in ms');
  return `'${new Date(Math.trunc(ms)).toISOString()}'`;
};

/**
 * Records and events that arrived after `receivedAfter` (server time) and were measured after
 * `measuredAfter` (device time bounds the partitions scanned), in arrival order, at most `limit` each.
 */
export async function readArrivedSince(
  q: QuestDbHttp,
  receivedAfter: number,
  measuredAfter: number,
  limit: number,
): Promise<{ telemetry: TelemetryRecord[]; events: DeviceEventRecord[] }> {
  const where = `ts > ${literal(measuredAfter)} AND received_at > ${literal(receivedAfter)}`;
  const [t, e] = await Promise.all([
    q.exec(
      `SELECT ${TELEMETRY_SELECT} FROM ${TABLES.telemetry} WHERE ${where} ORDER BY received_at LIMIT ${limit}`,
    ),
    q.exec(`SELECT ${EVENT_SELECT} FROM ${TABLES.events} WHERE ${where} ORDER BY received_at LIMIT ${limit}`),
  ]);
  return { telemetry: t.dataset.map(telemetryFromRow), events: e.dataset.map(eventFromRow) };
}
