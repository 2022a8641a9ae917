// The tables the platform creates in the run's real QuestDB: WAL, daily partitions, the dedup
// keys of DESIGN.md, and the retention (TTL) from config, re-applied on every start.
import { QuestDbHttp } from '@fleet/shared/questdb';
import { afterAll, expect, inject, it } from 'vitest';
import { ensureSchema, TABLES } from '../src/schema.ts';

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

it('a changed retention setting is applied to existing tables', async () => {
  await ensureSchema(questdb, 5);
  await expect.poll(() => ddl(TABLES.telemetry)).toContain('TTL 5 DAYS');
  await ensureSchema(questdb, 0);
  await expect.poll(() => ddl(TABLES.telemetry)).not.toContain('TTL');
});
