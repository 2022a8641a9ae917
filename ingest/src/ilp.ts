// InfluxDB line protocol (ILP) for our three tables, written as text and sent to QuestDB's
// HTTP /write endpoint: one request per group commit, answered only after the WAL commit.
//
// Why not @questdb/nodejs-client: its buffer writes every column name character by character
// (writeEscaped -> Buffer.write per char). Profiled at ingest saturation, that was about two
// thirds of the broker's CPU (bench/REPORT.md). Our column names are constants, so their
// escaping is done once here, and a row becomes one template string.
import {
  type DeviceEventRecord,
  escapeControlCharacters,
  TELEMETRY_FIELDS,
  type TelemetryRecord,
} from '@fleet/shared';
import type { RejectRecord, StoredRow, StoredSegment } from './rows.ts';
import { TABLES } from './schema.ts';

const NEEDS_KEY_ESCAPE = /[ ,=\n\r\\]/;
const NEEDS_STRING_ESCAPE = /["\\\n\r]/;

/** A symbol (tag) value: spaces, commas, equals, newlines and backslashes are escaped. */
export function escapeSymbol(value: string): string {
  if (!NEEDS_KEY_ESCAPE.test(value)) return value;
  return value.replace(/[ ,=\n\r\\]/g, (c) => `\\${c}`);
}

/**
 * A string field value, quoted. Control characters are written out as escapes first: QuestDB
 * stores a NUL as is, and then its JSON answers for that row cannot be parsed.
 */
export function quoteString(raw: string): string {
  const value = escapeControlCharacters(raw);
  if (!NEEDS_STRING_ESCAPE.test(value)) return `"${value}"`;
  return `"${value.replace(/["\\\n\r]/g, (c) => `\\${c}`)}"`;
}

/** Each field's formatter; a non-finite number is left out (stored as null). */
type Field = (value: unknown) => string | undefined;
const float: Field = (v) => (typeof v === 'number' && Number.isFinite(v) ? String(v) : undefined);
const int: Field = (v) => (typeof v === 'number' && Number.isSafeInteger(v) ? `${v}i` : undefined);
const bool: Field = (v) => (typeof v === 'boolean' ? (v ? 't' : 'f') : undefined);
const text: Field = (v) =>
  Array.isArray(v)
    ? v.length > 0
      ? quoteString(v.join(','))
      : undefined
    : typeof v === 'string'
      ? quoteString(v)
      : undefined;

const FORMAT: Record<(typeof TELEMETRY_FIELDS)[number]['type'], Field> = {
  double: float,
  float,
  long: int,
  int,
  boolean: bool,
  string: text,
};

const TELEMETRY_COLUMNS = TELEMETRY_FIELDS.map((f) => ({
  name: f.name,
  key: `${f.column}=`,
  format: FORMAT[f.type],
}));

/** Joins `key=value` pairs, leaving out the absent ones. */
function fields(pairs: (string | undefined)[]): string {
  let out = '';
  for (const p of pairs) {
    if (p === undefined) continue;
    out = out === '' ? p : `${out},${p}`;
  }
  return out;
}

function pair(key: string, value: string | undefined): string | undefined {
  return value === undefined ? undefined : key + value;
}

/** Timestamps are sent in microseconds (`/write?precision=u`). */
const us = (ms: number) => Math.round(ms * 1000);

export function telemetryLine(r: TelemetryRecord): string {
  const values: (string | undefined)[] = [];
  for (const c of TELEMETRY_COLUMNS) values.push(pair(c.key, c.format(r[c.name])));
  values.push(`received_at=${us(r.receivedAt)}t`);
  return `${TABLES.telemetry},tenant=${escapeSymbol(r.tenant)},device_id=${escapeSymbol(r.deviceId)} ${fields(values)} ${us(r.ts)}\n`;
}

export function eventLine(e: DeviceEventRecord): string {
  const values = fields([
    `seq=${e.seq}i`,
    pair('lat=', float(e.lat)),
    pair('lon=', float(e.lon)),
    pair('speed_kmh=', float(e.speedKmh)),
    pair('peak_g=', float(e.peakG)),
    pair('button_id=', int(e.buttonId)),
    pair('firmware=', text(e.firmware)),
    `detail=${quoteString(e.detail)}`,
    `received_at=${us(e.receivedAt)}t`,
  ]);
  return `${TABLES.events},tenant=${escapeSymbol(e.tenant)},device_id=${escapeSymbol(e.deviceId)},kind=${escapeSymbol(e.kind)} ${values} ${us(e.ts)}\n`;
}

/** The latest device time a TIMESTAMP column takes (year 3000); later ones stay in `detail`. */
const MAX_TS_MS = 32503680000000;

export function rejectLine(r: RejectRecord): string {
  const deviceTs =
    r.deviceTs !== undefined && r.deviceTs > 0 && r.deviceTs < MAX_TS_MS ? r.deviceTs : undefined;
  const values = fields([
    `detail=${quoteString(r.detail)}`,
    pair('seq=', int(r.seq)),
    deviceTs === undefined ? undefined : `device_ts=${us(deviceTs)}t`,
    `payload_bytes=${r.payloadBytes}i`,
    `rejected_records=${r.rejectedRecords}i`,
    `reasons=${quoteString(r.reasons)}`,
    `unstored_before=${r.unstoredBefore}i`,
    `payload_b64=${quoteString(Buffer.from(r.payloadSample).toString('base64'))}`,
  ]);
  return `${TABLES.rejects},tenant=${escapeSymbol(r.tenant)},device_id=${escapeSymbol(r.deviceId)},topic=${r.topic},reason=${r.reason} ${values} ${us(r.receivedAt)}\n`;
}

export function segmentLine(s: StoredSegment): string {
  const g = s.segment;
  const head = `${g.kind === 'trip' ? TABLES.trips : TABLES.stops},tenant=${escapeSymbol(s.tenant)},device_id=${escapeSymbol(s.deviceId)}`;
  const flags = [
    `open=${s.open ? 't' : 'f'}`,
    `deleted=${s.deleted ? 't' : 'f'}`,
    `written_at=${us(s.writtenAt)}t`,
  ];
  let values: (string | undefined)[];
  if (!('endTs' in g)) values = flags;
  else if (g.kind === 'trip')
    values = [
      `end_ts=${us(g.endTs)}t`,
      pair('start_lat=', float(g.start.lat)),
      pair('start_lon=', float(g.start.lon)),
      pair('end_lat=', float(g.end.lat)),
      pair('end_lon=', float(g.end.lon)),
      pair('distance_m=', float(g.distanceM)),
      pair('duration_s=', float(g.durationS)),
      pair('max_speed_kmh=', float(g.maxSpeedKmh)),
      pair('avg_speed_kmh=', float(g.avgSpeedKmh)),
      pair('idle_s=', float(g.idleS)),
      pair('odometer_start_km=', float(g.odometerStartKm)),
      pair('odometer_end_km=', float(g.odometerEndKm)),
      pair('driver_card_id=', text(g.driverCardId)),
      pair('points=', int(g.points)),
      pair('jumps=', int(g.jumps)),
      pair('after_hours_s=', float(s.afterHoursS)),
      ...flags,
    ];
  else
    values = [
      `end_ts=${us(g.endTs)}t`,
      pair('lat=', float(g.lat)),
      pair('lon=', float(g.lon)),
      pair('duration_s=', float(g.durationS)),
      pair('engine_on_s=', float(g.engineOnS)),
      pair('points=', int(g.points)),
      ...flags,
    ];
  return `${head} ${fields(values)} ${us(g.startTs)}\n`;
}

export function rowLine(row: StoredRow): string {
  if (row.table === 'telemetry') return telemetryLine(row.record);
  if (row.table === 'events') return eventLine(row.event);
  if (row.table === 'rejects') return rejectLine(row.reject);
  return segmentLine(row.segment);
}

export function encodeRows(rows: readonly StoredRow[]): Buffer {
  let body = '';
  for (const row of rows) body += rowLine(row);
  return Buffer.from(body, 'utf8');
}
