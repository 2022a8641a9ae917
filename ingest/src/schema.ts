// The QuestDB tables of the ingest tier, created by the platform on start (DESIGN.md, QuestDB).
// Columns of `telemetry` come from the one field registry, so a new field is added in one place.
import { TELEMETRY_FIELDS, type TelemetryField } from '@fleet/shared';
import type { QuestDbHttp } from '@fleet/shared/questdb';

export const TABLES = {
  telemetry: 'telemetry',
  events: 'device_events',
  rejects: 'telemetry_rejects',
  trips: 'trips',
  stops: 'stops',
} as const;

const COLUMN_TYPES: Record<TelemetryField['type'], string> = {
  double: 'DOUBLE',
  float: 'FLOAT',
  long: 'LONG',
  int: 'INT',
  boolean: 'BOOLEAN',
  string: 'VARCHAR',
};

export function telemetryDdl(): string {
  const columns = TELEMETRY_FIELDS.map((f) => `${f.column} ${COLUMN_TYPES[f.type]}`).join(', ');
  return `CREATE TABLE IF NOT EXISTS ${TABLES.telemetry} (
    ts TIMESTAMP, tenant SYMBOL CAPACITY 256 CACHE, device_id SYMBOL CAPACITY 65536 CACHE,
    ${columns}, received_at TIMESTAMP
  ) TIMESTAMP(ts) PARTITION BY DAY WAL DEDUP UPSERT KEYS(ts, device_id)`;
}

export function eventsDdl(): string {
  return `CREATE TABLE IF NOT EXISTS ${TABLES.events} (
    ts TIMESTAMP, tenant SYMBOL CAPACITY 256 CACHE, device_id SYMBOL CAPACITY 65536 CACHE,
    kind SYMBOL CAPACITY 64 CACHE, seq LONG, lat DOUBLE, lon DOUBLE, speed_kmh FLOAT, peak_g FLOAT,
    button_id INT, firmware VARCHAR, detail VARCHAR, received_at TIMESTAMP
  ) TIMESTAMP(ts) PARTITION BY DAY WAL DEDUP UPSERT KEYS(ts, device_id, kind)`;
}

/** Rejects are keyed by arrival time: the device time of a rejected record may be the problem. */
export function rejectsDdl(): string {
  return `CREATE TABLE IF NOT EXISTS ${TABLES.rejects} (
    ts TIMESTAMP, tenant SYMBOL CAPACITY 256 CACHE, device_id SYMBOL CAPACITY 65536 CACHE,
    topic SYMBOL CAPACITY 8 CACHE, reason SYMBOL CAPACITY 128 CACHE, detail VARCHAR, seq LONG,
    device_ts TIMESTAMP, payload_bytes INT, payload_b64 VARCHAR,
    rejected_records INT, reasons VARCHAR, unstored_before INT
  ) TIMESTAMP(ts) PARTITION BY DAY WAL`;
}

/**
 * Trips and stops, keyed by their start: a segment rewritten (the one in progress, then closed;
 * or recomputed after late records) replaces its row, and one that a recomputation no longer
 * finds is replaced by a row with `deleted` set (QuestDB has no DELETE). `open`: the segment in
 * progress as it stood when written.
 */
export function tripsDdl(): string {
  return `CREATE TABLE IF NOT EXISTS ${TABLES.trips} (
    ts TIMESTAMP, tenant SYMBOL CAPACITY 256 CACHE, device_id SYMBOL CAPACITY 65536 CACHE,
    end_ts TIMESTAMP, start_lat DOUBLE, start_lon DOUBLE, end_lat DOUBLE, end_lon DOUBLE,
    distance_m DOUBLE, duration_s DOUBLE, max_speed_kmh DOUBLE, avg_speed_kmh DOUBLE, idle_s DOUBLE,
    odometer_start_km DOUBLE, odometer_end_km DOUBLE, driver_card_id VARCHAR, points INT, jumps INT,
    after_hours_s DOUBLE, open BOOLEAN, deleted BOOLEAN, written_at TIMESTAMP
  ) TIMESTAMP(ts) PARTITION BY DAY WAL DEDUP UPSERT KEYS(ts, device_id)`;
}

export function stopsDdl(): string {
  return `CREATE TABLE IF NOT EXISTS ${TABLES.stops} (
    ts TIMESTAMP, tenant SYMBOL CAPACITY 256 CACHE, device_id SYMBOL CAPACITY 65536 CACHE,
    end_ts TIMESTAMP, lat DOUBLE, lon DOUBLE, duration_s DOUBLE, engine_on_s DOUBLE, points INT,
    open BOOLEAN, deleted BOOLEAN, written_at TIMESTAMP
  ) TIMESTAMP(ts) PARTITION BY DAY WAL DEDUP UPSERT KEYS(ts, device_id)`;
}

/** Columns added to tables made by an earlier version (QuestDB has no migrations of its own). */
const ADDED_COLUMNS: { table: keyof typeof TABLES; column: string; type: string }[] = [
  { table: 'rejects', column: 'rejected_records', type: 'INT' },
  { table: 'rejects', column: 'reasons', type: 'VARCHAR' },
  { table: 'rejects', column: 'unstored_before', type: 'INT' },
  // Telemetry field 25: VARCHAR, not SYMBOL (docs/decisions.md, "People and drivers").
  { table: 'telemetry', column: 'driver_card_id', type: COLUMN_TYPES.string },
  // A trip's time outside working hours (issue 14's summary).
  { table: 'trips', column: 'after_hours_s', type: 'DOUBLE' },
];

/** The statements that bring tables made by an earlier version up to date; each is idempotent. */
export function addedColumnsDdl(tables: Record<keyof typeof TABLES, string> = TABLES): string[] {
  return ADDED_COLUMNS.map(
    (c) => `ALTER TABLE ${tables[c.table]} ADD COLUMN IF NOT EXISTS ${c.column} ${c.type}`,
  );
}

/** Creates the tables if needed and applies the retention (QuestDB TTL drops whole day partitions). */
export async function ensureSchema(questdb: QuestDbHttp, retentionDays: number): Promise<void> {
  for (const ddl of [telemetryDdl(), eventsDdl(), rejectsDdl(), tripsDdl(), stopsDdl()])
    await questdb.exec(ddl);
  for (const ddl of addedColumnsDdl()) await questdb.exec(ddl);
  for (const table of Object.values(TABLES)) {
    await questdb.exec(`ALTER TABLE ${table} SET TTL ${retentionDays} DAYS`);
  }
}
