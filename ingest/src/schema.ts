// The QuestDB tables of the ingest tier, created by the platform on start (DESIGN.md, QuestDB).
// Columns of `telemetry` come from the one field registry, so a new field is added in one place.
import { TELEMETRY_FIELDS, type TelemetryField } from '@fleet/shared';
import type { QuestDbHttp } from '@fleet/shared/questdb';

export const TABLES = {
  telemetry: 'telemetry',
  events: 'device_events',
  rejects: 'telemetry_rejects',
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

/** Columns added to tables made by an earlier version (QuestDB has no migrations of its own). */
const ADDED_COLUMNS: { table: keyof typeof TABLES; column: string; type: string }[] = [
  { table: 'rejects', column: 'rejected_records', type: 'INT' },
  { table: 'rejects', column: 'reasons', type: 'VARCHAR' },
  { table: 'rejects', column: 'unstored_before', type: 'INT' },
  // Telemetry field 25: VARCHAR, not SYMBOL (docs/decisions.md, "People and drivers").
  { table: 'telemetry', column: 'driver_card_id', type: COLUMN_TYPES.string },
];

/** The statements that bring tables made by an earlier version up to date; each is idempotent. */
export function addedColumnsDdl(tables: Record<keyof typeof TABLES, string> = TABLES): string[] {
  return ADDED_COLUMNS.map(
    (c) => `ALTER TABLE ${tables[c.table]} ADD COLUMN IF NOT EXISTS ${c.column} ${c.type}`,
  );
}

/** Creates the tables if needed and applies the retention (QuestDB TTL drops whole day partitions). */
export async function ensureSchema(questdb: QuestDbHttp, retentionDays: number): Promise<void> {
  for (const ddl of [telemetryDdl(), eventsDdl(), rejectsDdl()]) await questdb.exec(ddl);
  for (const ddl of addedColumnsDdl()) await questdb.exec(ddl);
  for (const table of Object.values(TABLES)) {
    await questdb.exec(`ALTER TABLE ${table} SET TTL ${retentionDays} DAYS`);
  }
}
