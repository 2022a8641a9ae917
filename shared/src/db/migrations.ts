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
  {
    // Users, login sessions, and tenant isolation in the database itself: every
    // organisation-owned table has row-level security keyed on the organisation that
    // `inTenant` sets per transaction, under the role fleet_tenant (the table owner and
    // superusers bypass RLS, so tenant work must not run as them).
    id: '0002_users_sessions_tenant_isolation',
    sql: `
      create table users (
        id uuid primary key default gen_random_uuid(),
        org_id uuid not null references organisations(id),
        email text not null unique check (email = lower(email) and char_length(email) between 3 and 254),
        name text not null check (char_length(name) between 1 and 100),
        role text not null check (role in ('admin', 'dispatcher', 'fleet_manager', 'mechanic', 'viewer')),
        password_hash text not null,
        created_at timestamptz not null default now(),
        disabled_at timestamptz,
        last_login_at timestamptz
      );
      create index users_org_idx on users (org_id);
      create table sessions (
        id uuid primary key default gen_random_uuid(),
        org_id uuid not null references organisations(id),
        user_id uuid not null references users(id) on delete cascade,
        refresh_hash text not null unique,
        previous_refresh_hash text,
        created_at timestamptz not null default now(),
        last_used_at timestamptz not null default now(),
        expires_at timestamptz not null,
        revoked_at timestamptz,
        user_agent text,
        address text
      );
      create index sessions_user_idx on sessions (user_id);
      create index sessions_previous_refresh_idx on sessions (previous_refresh_hash);
      do $$ begin
        if not exists (select from pg_roles where rolname = 'fleet_tenant') then
          create role fleet_tenant nologin;
        end if;
      exception when duplicate_object or unique_violation then null; -- created meanwhile by another database of the same server
      end $$;
      grant fleet_tenant to current_user;
      grant select on organisations to fleet_tenant;
      grant select, insert, update, delete on devices, users, sessions to fleet_tenant;
      alter table organisations enable row level security;
      alter table devices enable row level security;
      alter table users enable row level security;
      alter table sessions enable row level security;
      create policy tenant_isolation on organisations
        using (id = nullif(current_setting('fleet.org_id', true), '')::uuid);
      create policy tenant_isolation on devices
        using (org_id = nullif(current_setting('fleet.org_id', true), '')::uuid)
        with check (org_id = nullif(current_setting('fleet.org_id', true), '')::uuid);
      create policy tenant_isolation on users
        using (org_id = nullif(current_setting('fleet.org_id', true), '')::uuid)
        with check (org_id = nullif(current_setting('fleet.org_id', true), '')::uuid);
      create policy tenant_isolation on sessions
        using (org_id = nullif(current_setting('fleet.org_id', true), '')::uuid)
        with check (org_id = nullif(current_setting('fleet.org_id', true), '')::uuid);
    `,
  },
  {
    // Each organisation's time zone, in which the console shows times: an IANA name, checked in
    // code (shared/src/time-zone.ts), not here, because it is Intl in Node and the browsers that
    // must understand it, not the database's tz data. Administrators change the organisation's
    // name and zone as the tenant, so fleet_tenant may update those two columns (row-level
    // security keeps it to its own organisation).
    id: '0003_organisation_time_zone',
    sql: `
      alter table organisations add column time_zone text not null default 'UTC';
      grant update (name, time_zone) on organisations to fleet_tenant;
    `,
  },
  {
    // An email is unique per organisation, not across the installation: with a global unique
    // key, one organisation's admin learned (409) that an address existed in another, and could
    // take an address so the other organisation could never add it. Login finds the account by
    // email and password (and the organisation's slug when one address has several accounts).
    id: '0004_user_email_per_organisation',
    sql: `
      alter table users drop constraint users_email_key;
      create unique index users_org_email_idx on users (org_id, email);
      create index users_email_idx on users (email);
    `,
  },
  {
    // Organisations as a platform operator runs them: settings beyond the name and time zone
    // (working hours per weekday, read by after-hours rules; distance unit; currency), and
    // suspension (its users cannot sign in, its devices get CONNACK 5). Platform operators are
    // not members of any organisation: their table has no organisation and no tenant grants.
    id: '0005_organisation_settings_operators',
    sql: `
      alter table organisations
        add column working_hours jsonb not null default '{"mon":[{"from":"08:00","to":"17:00"}],"tue":[{"from":"08:00","to":"17:00"}],"wed":[{"from":"08:00","to":"17:00"}],"thu":[{"from":"08:00","to":"17:00"}],"fri":[{"from":"08:00","to":"17:00"}],"sat":[],"sun":[]}',
        add column distance_unit text not null default 'km' check (distance_unit in ('km', 'mi')),
        add column currency text not null default 'EUR' check (currency ~ '^[A-Z]{3}$'),
        add column suspended_at timestamptz;
      grant update (working_hours, distance_unit, currency) on organisations to fleet_tenant;
      create table platform_operators (
        id uuid primary key default gen_random_uuid(),
        email text not null unique check (email = lower(email) and char_length(email) between 3 and 254),
        name text not null check (char_length(name) between 1 and 100),
        password_hash text not null,
        created_at timestamptz not null default now(),
        disabled_at timestamptz
      );
    `,
  },
  {
    // Departments: a tree per organisation (Production > Lighting). The parent is referenced
    // with the organisation in the key, so no department can hang below another organisation's
    // (a plain foreign key is checked past row-level security). Users belong to at most one.
    id: '0006_departments',
    sql: `
      create table departments (
        id uuid primary key default gen_random_uuid(),
        org_id uuid not null references organisations(id),
        parent_id uuid,
        name text not null check (char_length(name) between 1 and 100),
        created_at timestamptz not null default now(),
        unique (org_id, id),
        unique nulls not distinct (org_id, parent_id, name),
        foreign key (org_id, parent_id) references departments (org_id, id),
        check (parent_id is null or parent_id <> id)
      );
      create index departments_parent_idx on departments (org_id, parent_id);
      alter table users add column department_id uuid;
      alter table users add constraint users_department_fk
        foreign key (org_id, department_id) references departments (org_id, id);
      grant select, insert, update, delete on departments to fleet_tenant;
      alter table departments enable row level security;
      create policy tenant_isolation on departments
        using (org_id = nullif(current_setting('fleet.org_id', true), '')::uuid)
        with check (org_id = nullif(current_setting('fleet.org_id', true), '')::uuid);
    `,
  },
  {
    // Places: depots, client and job sites as named circles or polygons (checked in
    // api/src/domains/places/geometry.ts). The geometry is GeoJSON: a Polygon, or a circle's
    // centre Point with radius_m, so rules test circles exactly. No PostGIS (not available on
    // every install): the box columns and their index are the prefilter, the exact test runs in
    // code. Names are unique per organisation in any case ("Depot" and "depot" are one place).
    id: '0007_places',
    sql: `
      create table places (
        id uuid primary key default gen_random_uuid(),
        org_id uuid not null references organisations(id),
        name text not null check (char_length(name) between 1 and 100),
        category text not null check (category in
          ('depot', 'client_site', 'job_site', 'workshop', 'fuel_station', 'parking', 'restricted_area', 'other')),
        address text check (char_length(address) between 1 and 500),
        geometry jsonb not null check (
          geometry->>'type' in ('Point', 'Polygon') and jsonb_typeof(geometry->'coordinates') = 'array'),
        radius_m double precision check (radius_m between 10 and 50000),
        min_lat double precision not null check (min_lat between -90 and 90),
        min_lon double precision not null check (min_lon between -180 and 180),
        max_lat double precision not null check (max_lat between -90 and 90),
        max_lon double precision not null check (max_lon between -180 and 180),
        created_at timestamptz not null default now(),
        updated_at timestamptz not null default now(),
        check ((geometry->>'type' = 'Point') = (radius_m is not null)),
        check (min_lat <= max_lat and min_lon <= max_lon)
      );
      create unique index places_org_name_idx on places (org_id, lower(name));
      create index places_org_bbox_idx on places (org_id, min_lat, max_lat, min_lon, max_lon);
      grant select, insert, update, delete on places to fleet_tenant;
      alter table places enable row level security;
      create policy tenant_isolation on places
        using (org_id = nullif(current_setting('fleet.org_id', true), '')::uuid)
        with check (org_id = nullif(current_setting('fleet.org_id', true), '')::uuid);
    `,
  },
];
