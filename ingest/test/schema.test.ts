// The tables the platform creates in the run's real QuestDB: WAL, daily partitions, the dedup
// keys of DESIGN.md, and the retention (TTL) from config, re-applied on every start.

import { randomUUID } from 'node:crypto';
import { QuestDbHttp } from '@fleet/shared/questdb';
import { afterAll, expect, inject, it } from 'vitest';
import { addedColumnsDdl, ensureSchema, TABLES } from '../src/schema.ts';

const questdb = new QuestDbHttp(inject('questdbUrl'));

async function ddl(table: string): Promise<string> {
  const { dataset } = await questdb.exec(`show create table ${table}`);
  return String(dataset[0]?.[0]);
}

afterAll(async () => {
  await ensureSchema(questdb, 90);
});

it('creates every table once, with dedup keys, daily partitions and the retention', async () => {
  await ensureSchema(questdb, 30);
  await ensureSchema(questdb, 30); // idempotent
  // ALTER on a WAL table is applied asynchronously and per table: wait for each one.
  for (const table of Object.values(TABLES)) {
    await expect.poll(() => ddl(table)).toContain('TTL 30 DAYS');
  }
  expect(await ddl(TABLES.telemetry)).toMatch(
    /PARTITION BY DAY TTL 30 DAYS\s+DEDUP UPSERT KEYS\(ts,device_id\);/,
  );
  expect(await ddl(TABLES.events)).toMatch(
    /PARTITION BY DAY TTL 30 DAYS\s+DEDUP UPSERT KEYS\(ts,device_id,kind\);/,
  );
  expect(await ddl(TABLES.rejects)).toMatch(/PARTITION BY DAY TTL 30 DAYS/);
  const wal = (await questdb.rows<{ name: string }>('select name from wal_tables()')).map((r) => r.name);
  expect(wal).toEqual(expect.arrayContaining(Object.values(TABLES)));
});

async function columns(table: string): Promise<Record<string, string>> {
  const rows = await questdb.rows<{ column: string; type: string }>(
    `select "column", type from table_columns('${table}')`,
  );
  return Object.fromEntries(rows.map((r) => [r.column, r.type]));
}

it('telemetry has a driver_card_id VARCHAR column, and a table from before it gets one', async () => {
  await ensureSchema(questdb, 30);
  await expect.poll(async () => (await columns(TABLES.telemetry)).driver_card_id).toBe('VARCHAR');
  // A telemetry table as made before field 25, under a name of its own.
  const legacy = `telemetry_legacy_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
  await questdb.exec(
    `CREATE TABLE ${legacy} (ts TIMESTAMP, tenant SYMBOL, device_id SYMBOL, seq LONG, tamper BOOLEAN, ` +
      'received_at TIMESTAMP) TIMESTAMP(ts) PARTITION BY DAY WAL DEDUP UPSERT KEYS(ts, device_id)',
  );
  try {
    expect((await columns(legacy)).driver_card_id).toBeUndefined();
    const upgrade = addedColumnsDdl({ ...TABLES, telemetry: legacy }).filter((s) => s.includes(legacy));
    expect(upgrade).toEqual([`ALTER TABLE ${legacy} ADD COLUMN IF NOT EXISTS driver_card_id VARCHAR`]);
    for (let i = 0; i < 2; i++) for (const ddl of upgrade) await questdb.exec(ddl); // idempotent
    await expect.poll(async () => (await columns(legacy)).driver_card_id).toBe('VARCHAR');
  } finally {
    await questdb.exec(`DROP TABLE IF EXISTS ${legacy}`);
  }
});

it('a changed retention setting is applied to existing tables', async () => {
  await ensureSchema(questdb, 5);
  await expect.poll(() => ddl(TABLES.telemetry)).toContain('TTL 5 DAYS');
  await ensureSchema(questdb, 0);
  await expect.poll(() => ddl(TABLES.telemetry)).not.toContain('TTL');
});
