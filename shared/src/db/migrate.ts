// Forward-only schema migrations, the same list for PGlite and PostgreSQL, run on every start.
// Written here rather than taken from a library because the maintained migration tools
// (node-pg-migrate, postgres-migrations) drive a `pg` client and cannot run on PGlite; this is
// the small part of them we need: an ordered list, one transaction each, a record of what ran,
// and an advisory lock so two processes starting together do not both migrate.
import type { SqlDatabase } from './database.ts';
import { MIGRATIONS } from './migrations.ts';

export interface Migration {
  id: string;
  sql: string;
}

const LOCK_KEY = 724_001; // arbitrary, constant: the advisory lock of the migrator

export async function migrate(
  db: SqlDatabase,
  migrations: readonly Migration[] = MIGRATIONS,
): Promise<string[]> {
  return db.transaction(async (tx) => {
    await tx.query('select pg_advisory_xact_lock($1)', [LOCK_KEY]);
    await tx.exec(
      'create table if not exists schema_migrations (id text primary key, applied_at timestamptz not null default now())',
    );
    const done = new Set(
      (await tx.query<{ id: string }>('select id from schema_migrations')).map((r) => r.id),
    );
    const applied: string[] = [];
    for (const m of migrations) {
      if (done.has(m.id)) continue;
      await tx.exec(m.sql);
      await tx.query('insert into schema_migrations (id) values ($1)', [m.id]);
      applied.push(m.id);
    }
    return applied;
  });
}
