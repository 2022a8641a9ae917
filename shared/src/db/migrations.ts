// The schema of the domain database, in order. Never edit a migration that has shipped:
// add a new one. Both PGlite and PostgreSQL run exactly this SQL.
import type { Migration } from './migrate.ts';

export const MIGRATIONS: readonly Migration[] = [
  {
    id: '0001_organisations_devices',
    sql: `
      create table organisations (
        id uuid primary key default gen_random_uuid(),
        slug text not null unique check (slug ~ '^[a-z0-9][a-z0-9-]{0,62}$'),
        name text not null,
        created_at timestamptz not null default now()
      );
      create table devices (
        id text primary key check (char_length(id) between 3 and 64),
        org_id uuid not null references organisations(id),
        kind text not null check (kind in ('vehicle', 'equipment')),
        name text not null check (char_length(name) between 1 and 100),
        token_hash text not null,
        created_at timestamptz not null default now(),
        disabled_at timestamptz,
        unique (org_id, name)
      );
      create index devices_org_idx on devices (org_id);
    `,
  },
];
