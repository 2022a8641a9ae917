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
  {
    // The audit log: one row per created, changed or deleted row of an audited table, written by
    // the database (the trigger below) in the same transaction as the change, so no code path
    // can change a row unlogged. Who and from where come from the transaction's settings
    // (shared/src/db/audit.ts). An update keeps only the fields that changed, before and after.
    // Trigger arguments: the entity's name, the column holding the organisation, then columns
    // as `secret:<name>` (the value never recorded, a change shown as "[secret]"; null stays
    // null, so setting or clearing one shows) or `ignore:<name>` (bookkeeping such as
    // last_login_at, never recorded nor logged alone). Columns named like secrets (*_hash,
    // *_secret, *_token, password, *_key, *_ciphertext) are secrets whether listed or not.
    // Append-only: the tenant role may read its organisation's entries and nothing else; the
    // function is SECURITY DEFINER so it can write them. The one other way in is
    // fleet_audit_redact, for erasing a person's data on request (GDPR), which keeps the entry
    // and replaces the named fields' values.
    id: '0008_audit_log',
    sql: `
      create table audit_log (
        id bigint generated always as identity primary key,
        org_id uuid not null, -- no foreign key: entries outlive what they describe
        at timestamptz not null default clock_timestamp(),
        actor_kind text not null,
        actor_id uuid,
        actor_label text not null,
        address text,
        entity text not null,
        entity_id text not null,
        action text not null check (action in ('create', 'update', 'delete')),
        before jsonb,
        after jsonb
      );
      create index audit_log_org_at_idx on audit_log (org_id, at desc, id desc);
      create index audit_log_entity_idx on audit_log (org_id, entity, entity_id, at desc, id desc);
      -- "every change to vehicles": the index above cannot give one entity's entries in time order.
      create index audit_log_entity_at_idx on audit_log (org_id, entity, at desc, id desc);
      create index audit_log_actor_idx on audit_log (org_id, actor_id, at desc, id desc);
      -- What operators or the CLI did: rare among a million user entries, a scan without it.
      create index audit_log_actor_kind_idx on audit_log (org_id, actor_kind, at desc, id desc);
      grant select on audit_log to fleet_tenant;
      alter table audit_log enable row level security;
      create policy tenant_isolation on audit_log
        using (org_id = nullif(current_setting('fleet.org_id', true), '')::uuid);

      create function fleet_audit() returns trigger
      language plpgsql security definer set search_path = public, pg_catalog as $fn$
      declare
        entity text := tg_argv[0];
        org_column text := tg_argv[1];
        secrets text[] := '{}';
        ignored text[] := '{}';
        old_row jsonb;
        new_row jsonb;
        before_row jsonb;
        after_row jsonb;
        row_id text;
        k text;
        i int;
        kind text := coalesce(nullif(current_setting('fleet.actor_kind', true), ''), 'system');
        -- Columns named like secrets are kept out even when a trigger forgets to list them (a
        -- column added later, such as an MFA secret): a wrong guess hides a value, never leaks one.
        secret_name text := '(^|_)(hash|hashes|secret|secrets|token|tokens|password|key|ciphertext)$';
      begin
        for i in 2 .. coalesce(array_upper(tg_argv, 1), 1) loop
          if tg_argv[i] like 'secret:%' then secrets := secrets || substr(tg_argv[i], 8);
          elsif tg_argv[i] like 'ignore:%' then ignored := ignored || substr(tg_argv[i], 8);
          end if;
        end loop;
        if tg_op <> 'INSERT' then old_row := to_jsonb(old) - ignored; end if;
        if tg_op <> 'DELETE' then new_row := to_jsonb(new) - ignored; end if;
        row_id := coalesce(new_row, old_row)->>'id';
        if tg_op = 'UPDATE' then
          before_row := '{}';
          after_row := '{}';
          for k in select key from jsonb_each(new_row) loop
            if (new_row->k) is distinct from (old_row->k) and k <> 'updated_at' then
              if k = any(secrets) or k ~ secret_name then
                -- Whether a secret was set stays visible (null), its value never.
                before_row := before_row || jsonb_build_object(k,
                  case when old_row->k = 'null'::jsonb then null else '[secret]' end);
                after_row := after_row || jsonb_build_object(k,
                  case when new_row->k = 'null'::jsonb then null else '[secret]' end);
              else
                before_row := before_row || jsonb_build_object(k, old_row->k);
                after_row := after_row || jsonb_build_object(k, new_row->k);
              end if;
            end if;
          end loop;
          if after_row = '{}' then return null; end if;
        else
          before_row := old_row;
          after_row := new_row;
          for k in select key from jsonb_each(coalesce(new_row, old_row)) loop
            if (k = any(secrets) or k ~ secret_name) and coalesce(new_row, old_row)->k <> 'null'::jsonb then
              if before_row is not null then before_row := jsonb_set(before_row, array[k], '"[secret]"'); end if;
              if after_row is not null then after_row := jsonb_set(after_row, array[k], '"[secret]"'); end if;
            end if;
          end loop;
        end if;
        insert into audit_log (org_id, actor_kind, actor_id, actor_label, address, entity, entity_id, action, before, after)
        values (
          (coalesce(new_row, old_row)->>org_column)::uuid,
          kind,
          nullif(current_setting('fleet.actor_id', true), '')::uuid,
          coalesce(nullif(current_setting('fleet.actor_label', true), ''), kind),
          nullif(current_setting('fleet.actor_address', true), ''),
          entity,
          row_id,
          case tg_op when 'INSERT' then 'create' when 'UPDATE' then 'update' else 'delete' end,
          case when tg_op = 'INSERT' then null else before_row end,
          case when tg_op = 'DELETE' then null else after_row end
        );
        return null;
      end
      $fn$;

      -- Erasure on request: the named fields of one entity's entries become "[erased]".
      create function fleet_audit_redact(target_entity text, target_id text, fields text[]) returns bigint
      language plpgsql security definer set search_path = public, pg_catalog as $fn$
      declare
        org uuid := nullif(current_setting('fleet.org_id', true), '')::uuid;
        n bigint;
      begin
        if org is null then raise exception 'fleet_audit_redact runs inside an organisation'; end if;
        update audit_log a set
          before = case when a.before is null then null else (
            select coalesce(jsonb_object_agg(e.key, case when e.key = any(fields) then '"[erased]"'::jsonb else e.value end), '{}')
            from jsonb_each(a.before) e) end,
          after = case when a.after is null then null else (
            select coalesce(jsonb_object_agg(e.key, case when e.key = any(fields) then '"[erased]"'::jsonb else e.value end), '{}')
            from jsonb_each(a.after) e) end
        where a.org_id = org and a.entity = target_entity and a.entity_id = target_id;
        get diagnostics n = row_count;
        return n;
      end
      $fn$;
      revoke all on function fleet_audit_redact(text, text, text[]) from public;
      grant execute on function fleet_audit_redact(text, text, text[]) to fleet_tenant;

      create trigger audit after insert or update or delete on organisations
        for each row execute function fleet_audit('organisation', 'id');
      create trigger audit after insert or update or delete on users
        for each row execute function fleet_audit('user', 'org_id', 'secret:password_hash', 'ignore:last_login_at');
      create trigger audit after insert or update or delete on devices
        for each row execute function fleet_audit('device', 'org_id', 'secret:token_hash');
      create trigger audit after insert or update or delete on departments
        for each row execute function fleet_audit('department', 'org_id');
      create trigger audit after insert or update or delete on places
        for each row execute function fleet_audit('place', 'org_id');
    `,
  },
  {
    // Assets: what the business owns and tracks, apart from the devices that report for them.
    // One table for vehicles and equipment items (kind), so installations, assignments, work
    // orders and costs reference one key; the kind's own columns are checked per kind. Plates
    // are unique per organisation as people compare them (case, spaces and dashes ignored).
    // Installation history: a device is on one asset from a time to a time (removed_at null:
    // still there); one open installation per device, and the times of one device never
    // overlap (checked by the repository under a lock of the device row, and by the trigger).
    // Department scope: a user with users.department_scope sees only the assets of their
    // department and its sub-departments; inTenant sets fleet.scope_department for them, and
    // the policy below filters every statement on assets, so no query can forget it.
    id: '0009_assets_installations',
    sql: `
      alter table places add constraint places_org_id_key unique (org_id, id);
      alter table devices add constraint devices_org_id_key unique (org_id, id);
      alter table users add column department_scope boolean not null default false;
      alter table users add constraint users_scope_needs_department
        check (not department_scope or department_id is not null);

      create function fleet_scope_departments() returns setof uuid
      language sql stable as $fn$
        with recursive sub as (
          select id from departments
          where id = nullif(current_setting('fleet.scope_department', true), '')::uuid
          union all
          select d.id from departments d join sub on d.parent_id = sub.id
        )
        select id from sub
      $fn$;

      create table assets (
        id uuid primary key default gen_random_uuid(),
        org_id uuid not null references organisations(id),
        kind text not null check (kind in ('vehicle', 'equipment')),
        name text not null check (char_length(name) between 1 and 100),
        status text not null default 'active' check (status in ('active', 'in_workshop', 'retired', 'lost')),
        department_id uuid,
        home_place_id uuid,
        notes text check (char_length(notes) <= 2000),
        -- vehicles
        plate text check (char_length(plate) between 1 and 20),
        -- The plate as people compare it: no case, spaces or dashes (unique, searched, sorted by).
        plate_key text generated always as (upper(regexp_replace(plate, '[[:space:]-]', '', 'g'))) stored,
        vin text check (vin ~ '^[A-HJ-NPR-Z0-9]{17}$'),
        make text check (char_length(make) between 1 and 60),
        model text check (char_length(model) between 1 and 60),
        year int check (year between 1900 and 2100),
        fuel_type text check (fuel_type in
          ('petrol', 'diesel', 'electric', 'hybrid', 'plug_in_hybrid', 'lpg', 'cng', 'hydrogen', 'other')),
        tank_capacity_l double precision check (tank_capacity_l > 0 and tank_capacity_l <= 5000),
        odometer_offset_km double precision not null default 0 check (abs(odometer_offset_km) <= 10000000),
        engine_hours_offset double precision not null default 0 check (abs(engine_hours_offset) <= 1000000),
        -- equipment
        category text check (char_length(category) between 1 and 60),
        serial_number text check (char_length(serial_number) between 1 and 100),
        replacement_value numeric(14, 2) check (replacement_value >= 0),
        created_at timestamptz not null default now(),
        updated_at timestamptz not null default now(),
        retired_at timestamptz,
        unique (org_id, id),
        foreign key (org_id, department_id) references departments (org_id, id),
        foreign key (org_id, home_place_id) references places (org_id, id),
        check (kind = 'vehicle' or (plate is null and vin is null and make is null and model is null
          and year is null and fuel_type is null and tank_capacity_l is null)),
        check (kind = 'equipment' or (category is null and serial_number is null and replacement_value is null)),
        check ((status = 'retired') = (retired_at is not null))
      );
      create unique index assets_org_plate_idx on assets (org_id, plate_key) where plate_key is not null;
      create unique index assets_org_vin_idx on assets (org_id, vin) where vin is not null;
      create unique index assets_org_serial_idx on assets (org_id, category, serial_number) where serial_number is not null;
      create index assets_org_kind_name_idx on assets (org_id, kind, lower(name), id);
      create index assets_org_department_idx on assets (org_id, department_id);
      grant select, insert, update, delete on assets to fleet_tenant;
      alter table assets enable row level security;
      -- The settings are read once per statement ((select ...) is an InitPlan), not once per row:
      -- a vehicle list over 10,000 assets on PGlite took half the CPU time (bench:api).
      create policy tenant_isolation on assets
        using (org_id = (select nullif(current_setting('fleet.org_id', true), '')::uuid)
          and ((select nullif(current_setting('fleet.scope_department', true), '')) is null
               or department_id in (select fleet_scope_departments())))
        with check (org_id = (select nullif(current_setting('fleet.org_id', true), '')::uuid)
          and ((select nullif(current_setting('fleet.scope_department', true), '')) is null
               or department_id in (select fleet_scope_departments())));

      create table installations (
        id uuid primary key default gen_random_uuid(),
        org_id uuid not null references organisations(id),
        device_id text not null,
        asset_id uuid not null,
        installed_at timestamptz not null,
        removed_at timestamptz,
        note text check (char_length(note) <= 500),
        created_at timestamptz not null default now(),
        foreign key (org_id, device_id) references devices (org_id, id),
        foreign key (org_id, asset_id) references assets (org_id, id),
        check (removed_at is null or removed_at > installed_at)
      );
      create unique index installations_open_device_idx on installations (device_id) where removed_at is null;
      create index installations_device_idx on installations (org_id, device_id, installed_at);
      create index installations_asset_idx on installations (org_id, asset_id, installed_at);
      create function fleet_installation_no_overlap() returns trigger
      language plpgsql as $fn$
      begin
        if exists (
          select 1 from installations i
          where i.device_id = new.device_id and i.id <> new.id
            and i.installed_at < coalesce(new.removed_at, 'infinity'::timestamptz)
            and coalesce(i.removed_at, 'infinity'::timestamptz) > new.installed_at
        ) then
          raise exception 'device % is installed elsewhere in that time', new.device_id
            using errcode = '23P01';
        end if;
        return new;
      end
      $fn$;
      create trigger installations_no_overlap before insert or update on installations
        for each row execute function fleet_installation_no_overlap();
      grant select, insert, update, delete on installations to fleet_tenant;
      alter table installations enable row level security;
      create policy tenant_isolation on installations
        using (org_id = nullif(current_setting('fleet.org_id', true), '')::uuid)
        with check (org_id = nullif(current_setting('fleet.org_id', true), '')::uuid);

      create table asset_photos (
        id uuid primary key default gen_random_uuid(),
        asset_id uuid not null unique references assets(id) on delete cascade,
        org_id uuid not null references organisations(id),
        content_type text not null check (content_type in ('image/jpeg', 'image/png', 'image/webp')),
        bytes bytea not null check (octet_length(bytes) between 1 and 2097152),
        updated_at timestamptz not null default now()
      );
      grant select, insert, update, delete on asset_photos to fleet_tenant;
      alter table asset_photos enable row level security;
      create policy tenant_isolation on asset_photos
        using (org_id = nullif(current_setting('fleet.org_id', true), '')::uuid)
        with check (org_id = nullif(current_setting('fleet.org_id', true), '')::uuid);

      create trigger audit after insert or update or delete on assets
        for each row execute function fleet_audit('asset', 'org_id', 'ignore:plate_key');
      create trigger audit after insert or update or delete on installations
        for each row execute function fleet_audit('installation', 'org_id');
      create trigger audit after insert or update or delete on asset_photos
        for each row execute function fleet_audit('asset_photo', 'org_id', 'secret:bytes');
    `,
  },
  {
    // People who drive: drivers and crew, and who drove which vehicle when. A driver may be
    // linked to a user account of the same organisation (composite key, so never another's) and
    // carries the card id (RFID / iButton) a tracker may read, for automatic assignment.
    // Employee numbers and card ids are unique per organisation as people compare them (case
    // ignored). Erasure on request (GDPR) blanks the identifying columns and sets erased_at; the
    // check below keeps an erased row blank, and the assignments stay so trips and costs count.
    // Assignments: a driver on a vehicle from a time to a time (ends_at null: ongoing); the
    // times of one vehicle and of one driver never overlap, and only vehicles take drivers
    // (checked by the repository under row locks, and by the trigger for every other path).
    id: '0010_drivers_assignments',
    sql: `
      alter table users add constraint users_org_id_key unique (org_id, id);

      create table drivers (
        id uuid primary key default gen_random_uuid(),
        org_id uuid not null references organisations(id),
        name text not null check (char_length(name) between 1 and 100),
        employee_number text check (char_length(employee_number) between 1 and 40),
        phone text check (phone ~ '^\\+[1-9][0-9]{3,14}$'),
        email text check (email = lower(email) and char_length(email) between 3 and 254),
        licence_number text check (char_length(licence_number) between 1 and 40),
        licence_classes text[] not null default '{}' check (licence_classes <@ array[
          'AM', 'A1', 'A2', 'A', 'B', 'BE', 'C1', 'C1E', 'C', 'CE', 'D1', 'D1E', 'D', 'DE']::text[]),
        licence_expiry date,
        department_id uuid,
        user_id uuid,
        driver_card_id text check (driver_card_id ~ '^[0-9A-Z]{1,64}$'),
        status text not null default 'active' check (status in ('active', 'inactive')),
        notes text check (char_length(notes) <= 2000),
        created_at timestamptz not null default now(),
        updated_at timestamptz not null default now(),
        erased_at timestamptz,
        unique (org_id, id),
        constraint drivers_department_fk foreign key (org_id, department_id) references departments (org_id, id),
        constraint drivers_user_fk foreign key (org_id, user_id) references users (org_id, id)
          on delete set null (user_id),
        check (erased_at is null or (status = 'inactive' and employee_number is null and phone is null
          and email is null and licence_number is null and licence_classes = '{}' and licence_expiry is null
          and user_id is null and driver_card_id is null and notes is null))
      );
      create unique index drivers_org_employee_number_idx on drivers (org_id, upper(employee_number))
        where employee_number is not null;
      create unique index drivers_org_card_idx on drivers (org_id, driver_card_id) where driver_card_id is not null;
      create unique index drivers_org_user_idx on drivers (org_id, user_id) where user_id is not null;
      create index drivers_org_name_idx on drivers (org_id, lower(name), id);
      create index drivers_org_department_idx on drivers (org_id, department_id);
      create index drivers_org_licence_expiry_idx on drivers (org_id, licence_expiry);
      grant select, insert, update, delete on drivers to fleet_tenant;
      alter table drivers enable row level security;
      create policy tenant_isolation on drivers
        using (org_id = nullif(current_setting('fleet.org_id', true), '')::uuid)
        with check (org_id = nullif(current_setting('fleet.org_id', true), '')::uuid);

      create table driver_assignments (
        id uuid primary key default gen_random_uuid(),
        org_id uuid not null references organisations(id),
        driver_id uuid not null,
        asset_id uuid not null,
        starts_at timestamptz not null,
        ends_at timestamptz,
        source text not null default 'manual' check (source in ('manual', 'driver_card')),
        created_at timestamptz not null default now(),
        constraint driver_assignments_driver_fk foreign key (org_id, driver_id) references drivers (org_id, id),
        constraint driver_assignments_asset_fk foreign key (org_id, asset_id) references assets (org_id, id),
        check (ends_at is null or ends_at > starts_at)
      );
      create unique index driver_assignments_open_asset_idx on driver_assignments (asset_id) where ends_at is null;
      create unique index driver_assignments_open_driver_idx on driver_assignments (driver_id) where ends_at is null;
      create index driver_assignments_asset_idx on driver_assignments (org_id, asset_id, starts_at desc);
      create index driver_assignments_driver_idx on driver_assignments (org_id, driver_id, starts_at desc);
      create function fleet_driver_assignment_check() returns trigger
      language plpgsql as $fn$
      begin
        -- The kind only on a new vehicle: ending an assignment must work for anyone who sees it.
        if (tg_op = 'INSERT' or new.asset_id <> old.asset_id) and not exists (
          select 1 from assets a where a.org_id = new.org_id and a.id = new.asset_id and a.kind = 'vehicle'
        ) then
          raise exception 'asset % is not a vehicle', new.asset_id using errcode = '23514';
        end if;
        if exists (
          select 1 from driver_assignments x
          where x.asset_id = new.asset_id and x.id <> new.id
            and x.starts_at < coalesce(new.ends_at, 'infinity'::timestamptz)
            and coalesce(x.ends_at, 'infinity'::timestamptz) > new.starts_at
        ) then
          raise exception 'vehicle % has another driver in that time', new.asset_id using errcode = '23P01';
        end if;
        if exists (
          select 1 from driver_assignments x
          where x.driver_id = new.driver_id and x.id <> new.id
            and x.starts_at < coalesce(new.ends_at, 'infinity'::timestamptz)
            and coalesce(x.ends_at, 'infinity'::timestamptz) > new.starts_at
        ) then
          raise exception 'driver % drives another vehicle in that time', new.driver_id using errcode = '23P01';
        end if;
        return new;
      end
      $fn$;
      create trigger driver_assignments_check before insert or update on driver_assignments
        for each row execute function fleet_driver_assignment_check();
      grant select, insert, update, delete on driver_assignments to fleet_tenant;
      alter table driver_assignments enable row level security;
      create policy tenant_isolation on driver_assignments
        using (org_id = nullif(current_setting('fleet.org_id', true), '')::uuid)
        with check (org_id = nullif(current_setting('fleet.org_id', true), '')::uuid);

      create trigger audit after insert or update or delete on drivers
        for each row execute function fleet_audit('driver', 'org_id');
      create trigger audit after insert or update or delete on driver_assignments
        for each row execute function fleet_audit('driver_assignment', 'org_id');
    `,
  },
  {
    // Multi-factor sign-in (api/src/domains/mfa). Secrets live in tables of their own, never in
    // users, and are audited with the secret columns masked: the log records enrolment, removal
    // and spent recovery codes, never a secret or a hash (spent TOTP steps are bookkeeping). The
    // TOTP secret is AES-256-GCM ciphertext under a key derived from the API's signing key, so the
    // database alone yields no usable secret; recovery codes are SHA-256 hashes of 80-bit codes.
    // Both reference the user with the organisation in the key (users_org_id_key, also added by
    // 0010), so no row can point at another organisation's user. Administrators may require MFA of
    // the organisation's administrators (the one organisations column they may set here).
    id: '0011_mfa',
    sql: `
      do $$ begin
        if not exists (select from pg_constraint where conrelid = 'users'::regclass and conname = 'users_org_id_key') then
          alter table users add constraint users_org_id_key unique (org_id, id);
        end if;
      end $$;
      alter table organisations add column mfa_required_for_admins boolean not null default false;
      grant update (mfa_required_for_admins) on organisations to fleet_tenant;

      create table user_mfa (
        id uuid primary key default gen_random_uuid(),
        org_id uuid not null references organisations(id),
        user_id uuid not null unique,
        method text not null default 'totp' check (method = 'totp'),
        secret_ciphertext bytea not null check (octet_length(secret_ciphertext) between 30 and 256),
        created_at timestamptz not null default now(),
        confirmed_at timestamptz,
        last_used_step bigint check (last_used_step >= 0),
        foreign key (org_id, user_id) references users (org_id, id) on delete cascade,
        check (confirmed_at is null or last_used_step is not null)
      );
      create table user_recovery_codes (
        id uuid primary key default gen_random_uuid(),
        org_id uuid not null references organisations(id),
        user_id uuid not null,
        code_hash text not null check (code_hash ~ '^[0-9a-f]{64}$'),
        created_at timestamptz not null default now(),
        used_at timestamptz,
        unique (user_id, code_hash),
        foreign key (org_id, user_id) references users (org_id, id) on delete cascade
      );
      grant select, insert, update, delete on user_mfa, user_recovery_codes to fleet_tenant;
      alter table user_mfa enable row level security;
      alter table user_recovery_codes enable row level security;
      create policy tenant_isolation on user_mfa
        using (org_id = nullif(current_setting('fleet.org_id', true), '')::uuid)
        with check (org_id = nullif(current_setting('fleet.org_id', true), '')::uuid);
      create policy tenant_isolation on user_recovery_codes
        using (org_id = nullif(current_setting('fleet.org_id', true), '')::uuid)
        with check (org_id = nullif(current_setting('fleet.org_id', true), '')::uuid);

      create trigger audit after insert or update or delete on user_mfa
        for each row execute function fleet_audit('user_mfa', 'org_id', 'secret:secret_ciphertext', 'ignore:last_used_step');
      create trigger audit after insert or update or delete on user_recovery_codes
        for each row execute function fleet_audit('user_recovery_code', 'org_id', 'secret:code_hash');
    `,
  },
  {
    // Rules and alerts (issue 12). A rule is one kind from the catalogue (shared/src/rules.ts)
    // with its checked parameters, a scope and an optional schedule; rules are archived, never
    // deleted, so every alert keeps the rule that raised it. An alert is one episode of a rule on
    // one asset (its episode_key, unique, makes raising it again a no-op: the engine replays
    // records after a restart). alert_activity is an alert's timeline (the engine's and people's
    // steps); rule_states is the engine's checkpoint (each rule's memory per device), read back
    // on start. Speed limits and offline thresholds of assets and places feed the rules. The
    // engine in the ingest tier follows changes to what it reads through NOTIFY on
    // fleet_rule_context (one notice per organisation and transaction: PostgreSQL folds
    // identical payloads).
    id: '0012_rules_alerts',
    sql: `
      alter table assets add column speed_limit_kmh double precision check (speed_limit_kmh between 5 and 300);
      alter table assets add column offline_after_s int check (offline_after_s between 60 and 2592000);
      alter table places add column speed_limit_kmh double precision check (speed_limit_kmh between 5 and 300);

      create table rules (
        id uuid primary key default gen_random_uuid(),
        org_id uuid not null references organisations(id),
        name text not null check (char_length(name) between 1 and 100),
        kind text not null check (char_length(kind) between 1 and 40),
        severity text not null check (severity in ('info', 'warning', 'critical')),
        enabled boolean not null default true,
        params jsonb not null default '{}' check (jsonb_typeof(params) = 'object'),
        scope jsonb not null default '{}' check (jsonb_typeof(scope) = 'object'),
        schedule jsonb check (schedule is null or jsonb_typeof(schedule) = 'object'),
        created_at timestamptz not null default now(),
        updated_at timestamptz not null default now(),
        archived_at timestamptz,
        unique (org_id, id)
      );
      create unique index rules_org_name_idx on rules (org_id, lower(name)) where archived_at is null;

      create table alerts (
        id uuid primary key default gen_random_uuid(),
        org_id uuid not null references organisations(id),
        rule_id uuid,
        kind text not null,
        severity text not null check (severity in ('info', 'warning', 'critical')),
        title text not null check (char_length(title) between 1 and 300),
        device_id text,
        asset_id uuid,
        place_id uuid,
        episode_key text not null check (char_length(episode_key) between 1 and 400),
        state text not null default 'open' check (state in ('open', 'acknowledged', 'resolved')),
        active boolean not null,
        started_at timestamptz not null,
        ended_at timestamptz,
        raised_at timestamptz not null default now(),
        late boolean not null default false,
        lat double precision check (lat between -90 and 90),
        lon double precision check (lon between -180 and 180),
        details jsonb not null default '{}' check (jsonb_typeof(details) = 'object'),
        suppressed_by uuid references alerts(id),
        acknowledged_at timestamptz,
        acknowledged_by uuid,
        resolved_at timestamptz,
        resolved_by uuid,
        assignee_id uuid,
        updated_at timestamptz not null default now(),
        unique (org_id, id),
        unique (org_id, episode_key),
        foreign key (org_id, rule_id) references rules (org_id, id),
        foreign key (org_id, asset_id) references assets (org_id, id),
        foreign key (org_id, acknowledged_by) references users (org_id, id),
        foreign key (org_id, resolved_by) references users (org_id, id),
        foreign key (org_id, assignee_id) references users (org_id, id),
        check ((state = 'resolved') = (resolved_at is not null)),
        check (ended_at is null or ended_at >= started_at)
      );
      create index alerts_org_raised_idx on alerts (org_id, raised_at desc, id desc);
      create index alerts_org_open_idx on alerts (org_id, state, severity) where state <> 'resolved';
      create index alerts_org_asset_idx on alerts (org_id, asset_id, started_at desc);
      create index alerts_org_device_idx on alerts (org_id, device_id, started_at desc);

      create table alert_activity (
        id bigint generated always as identity primary key,
        org_id uuid not null references organisations(id),
        alert_id uuid not null,
        at timestamptz not null default now(),
        action text not null check (action in
          ('opened', 'updated', 'condition_cleared', 'reactivated', 'acknowledged', 'resolved', 'reopened',
           'assigned', 'unassigned', 'commented', 'suppressed')),
        -- null: the rule engine
        actor_id uuid,
        note text check (char_length(note) <= 4000),
        foreign key (org_id, alert_id) references alerts (org_id, id) on delete cascade,
        foreign key (org_id, actor_id) references users (org_id, id)
      );
      create index alert_activity_alert_idx on alert_activity (alert_id, id);

      create table rule_states (
        org_id uuid not null references organisations(id),
        rule_id uuid not null,
        device_id text not null,
        state jsonb not null check (jsonb_typeof(state) = 'object'),
        updated_at timestamptz not null default now(),
        primary key (rule_id, device_id),
        foreign key (org_id, rule_id) references rules (org_id, id) on delete cascade
      );
      -- Where the engine's checkpoint stands: every record received before evaluated_through
      -- has been evaluated; later ones are evaluated again from QuestDB on start.
      create table rule_engine_checkpoints (
        name text primary key check (char_length(name) between 1 and 100),
        evaluated_through timestamptz not null,
        updated_at timestamptz not null default now()
      );

      grant select, insert, update on rules to fleet_tenant;
      grant select, update on alerts to fleet_tenant;
      grant select, insert on alert_activity to fleet_tenant;
      grant select on rule_states to fleet_tenant;
      alter table rules enable row level security;
      alter table alerts enable row level security;
      alter table alert_activity enable row level security;
      alter table rule_states enable row level security;
      create policy tenant_isolation on rules
        using (org_id = (select nullif(current_setting('fleet.org_id', true), '')::uuid))
        with check (org_id = (select nullif(current_setting('fleet.org_id', true), '')::uuid));
      -- A user limited to a department sees the alerts of its assets only (as the assets policy).
      create policy tenant_isolation on alerts
        using (org_id = (select nullif(current_setting('fleet.org_id', true), '')::uuid)
          and ((select nullif(current_setting('fleet.scope_department', true), '')) is null
               or asset_id in (select id from assets)))
        with check (org_id = (select nullif(current_setting('fleet.org_id', true), '')::uuid));
      create policy tenant_isolation on alert_activity
        using (org_id = (select nullif(current_setting('fleet.org_id', true), '')::uuid)
          and alert_id in (select id from alerts))
        with check (org_id = (select nullif(current_setting('fleet.org_id', true), '')::uuid));
      create policy tenant_isolation on rule_states
        using (org_id = (select nullif(current_setting('fleet.org_id', true), '')::uuid));

      create trigger audit after insert or update or delete on rules
        for each row execute function fleet_audit('rule', 'org_id');

      create function fleet_rule_context_changed() returns trigger
      language plpgsql as $fn$
      declare
        org uuid;
      begin
        if tg_table_name = 'organisations' then
          org := new.id;
        elsif tg_op = 'DELETE' then
          org := old.org_id;
        else
          org := new.org_id;
        end if;
        perform pg_notify('fleet_rule_context', org::text);
        return null;
      end
      $fn$;
      create trigger rule_context after insert or update or delete on rules
        for each row execute function fleet_rule_context_changed();
      create trigger rule_context after insert or update or delete on places
        for each row execute function fleet_rule_context_changed();
      create trigger rule_context after insert or update or delete on assets
        for each row execute function fleet_rule_context_changed();
      create trigger rule_context after insert or update or delete on installations
        for each row execute function fleet_rule_context_changed();
      create trigger rule_context after insert or update or delete on departments
        for each row execute function fleet_rule_context_changed();
      create trigger rule_context after update on organisations
        for each row execute function fleet_rule_context_changed();
    `,
  },
  {
    // Notifications (issue 12): channels (a webhook or a list of email addresses, with what they
    // want to hear about), an outbox of what is owed to each, and the log of every delivery
    // attempt (api/src/domains/notifications). The outbox is filled by the database itself, in the
    // transaction that opens or resolves an alert, whichever process or role writes it (the rule
    // engine writes as the table owner, people as fleet_tenant): no alert change can commit
    // without its notifications, nor notify without committing. The trigger is SECURITY DEFINER so
    // it reads every channel of the alert's organisation and writes the outbox, which tenants only
    // read (and put back to pending: "send again"). Suppressed alerts (explained by another one)
    // are never queued; one suppressed after it was queued is skipped by the dispatcher, which
    // checks again when it sends. A harsh-driving alert waits at least 15 s: the crash that
    // suppresses it may arrive seconds later. Rows of one channel, kind and event are grouped
    // (group_key) when the channel has a window, so a fleet-wide power cut is one message. The
    // dispatcher follows NOTIFY fleet_notifications (payload: the organisation) and also polls.
    id: '0013_notifications',
    sql: `
      create table notification_channels (
        id uuid primary key default gen_random_uuid(),
        org_id uuid not null references organisations(id),
        name text not null check (char_length(name) between 1 and 100),
        kind text not null check (kind in ('webhook', 'email')),
        enabled boolean not null default true,
        url text check (char_length(url) <= 2000 and url ~ '^https?://'),
        secret_ciphertext bytea check (octet_length(secret_ciphertext) between 30 and 256),
        email_to text[] check (cardinality(email_to) between 1 and 20),
        min_severity text not null default 'warning' check (min_severity in ('info', 'warning', 'critical')),
        kinds text[] not null default '{}' check (cardinality(kinds) <= 50),
        events text[] not null default '{opened}'
          check (cardinality(events) between 1 and 2 and events <@ array['opened', 'resolved']::text[]),
        notify_late boolean not null default true,
        group_window_s int not null default 0 check (group_window_s between 0 and 3600),
        created_at timestamptz not null default now(),
        updated_at timestamptz not null default now(),
        unique (org_id, id),
        check ((kind = 'webhook') = (url is not null and secret_ciphertext is not null)),
        check ((kind = 'email') = (email_to is not null))
      );
      create unique index notification_channels_org_name_idx on notification_channels (org_id, lower(name));

      create table notification_outbox (
        id bigint generated always as identity primary key,
        org_id uuid not null references organisations(id),
        channel_id uuid not null,
        alert_id uuid not null,
        event text not null check (event in ('opened', 'resolved')),
        created_at timestamptz not null default now(),
        -- Not sent before this (the channel's grouping window); also where the 24 h of retries start.
        not_before timestamptz not null default now(),
        -- channel:kind:event when the channel groups; null: sent alone.
        group_key text,
        state text not null default 'pending'
          check (state in ('pending', 'sending', 'delivered', 'dead', 'skipped')),
        attempts int not null default 0 check (attempts >= 0),
        -- While sending: when the claim lapses (a dispatcher that died mid-send).
        next_attempt_at timestamptz not null default now(),
        last_status int,
        last_error text check (char_length(last_error) <= 2000),
        delivered_at timestamptz,
        foreign key (org_id, channel_id) references notification_channels (org_id, id) on delete cascade,
        foreign key (org_id, alert_id) references alerts (org_id, id) on delete cascade
      );
      create index notification_outbox_due_idx on notification_outbox (state, next_attempt_at);
      create index notification_outbox_group_idx on notification_outbox (group_key, next_attempt_at)
        where state = 'pending';
      create index notification_outbox_channel_idx on notification_outbox (channel_id, id);
      create index notification_outbox_alert_idx on notification_outbox (org_id, alert_id);

      create table notification_deliveries (
        id bigint generated always as identity primary key,
        org_id uuid not null references organisations(id),
        channel_id uuid not null,
        type text not null check (type in ('alert.opened', 'alert.resolved', 'test')),
        outbox_ids bigint[] not null default '{}',
        attempted_at timestamptz not null default now(),
        -- HTTP status of a webhook, the SMTP reply code of an email; null: no answer.
        status_code int,
        -- null: delivered.
        error text check (char_length(error) <= 2000),
        duration_ms int not null check (duration_ms >= 0),
        -- The x-fleet-id header (and the payload's id) of this attempt.
        request_id text not null check (char_length(request_id) between 1 and 100),
        foreign key (org_id, channel_id) references notification_channels (org_id, id) on delete cascade
      );
      create index notification_deliveries_channel_idx on notification_deliveries (channel_id, id desc);
      create index notification_deliveries_at_idx on notification_deliveries (attempted_at);

      grant select, insert, update, delete on notification_channels to fleet_tenant;
      grant select on notification_outbox, notification_deliveries to fleet_tenant;
      grant update (state, attempts, not_before, next_attempt_at) on notification_outbox to fleet_tenant;
      alter table notification_channels enable row level security;
      alter table notification_outbox enable row level security;
      alter table notification_deliveries enable row level security;
      create policy tenant_isolation on notification_channels
        using (org_id = (select nullif(current_setting('fleet.org_id', true), '')::uuid))
        with check (org_id = (select nullif(current_setting('fleet.org_id', true), '')::uuid));
      create policy tenant_isolation on notification_outbox
        using (org_id = (select nullif(current_setting('fleet.org_id', true), '')::uuid))
        with check (org_id = (select nullif(current_setting('fleet.org_id', true), '')::uuid));
      create policy tenant_isolation on notification_deliveries
        using (org_id = (select nullif(current_setting('fleet.org_id', true), '')::uuid));

      create trigger audit after insert or update or delete on notification_channels
        for each row execute function fleet_audit('notification_channel', 'org_id', 'secret:secret_ciphertext');

      create function fleet_alert_notifications() returns trigger
      language plpgsql security definer set search_path = public, pg_catalog as $fn$
      declare
        alert_event text;
        queued int;
      begin
        if tg_op = 'INSERT' then
          alert_event := 'opened';
        elsif new.state = 'resolved' and old.state <> 'resolved' then
          alert_event := 'resolved';
        else
          return null;
        end if;
        if new.suppressed_by is not null then return null; end if;
        insert into notification_outbox (org_id, channel_id, alert_id, event, not_before, group_key)
        select new.org_id, c.id, new.id, alert_event,
          now() + make_interval(secs => case when new.kind = 'harsh_driving'
            then greatest(c.group_window_s, 15) else c.group_window_s end),
          case when c.group_window_s > 0 then c.id::text || ':' || new.kind || ':' || alert_event end
        from notification_channels c
        where c.org_id = new.org_id
          and c.enabled
          and alert_event = any(c.events)
          and (cardinality(c.kinds) = 0 or new.kind = any(c.kinds))
          and array_position(array['info', 'warning', 'critical'], new.severity)
              >= array_position(array['info', 'warning', 'critical'], c.min_severity)
          and (not new.late or c.notify_late);
        get diagnostics queued = row_count;
        if queued > 0 then perform pg_notify('fleet_notifications', new.org_id::text); end if;
        return null;
      end
      $fn$;
      create trigger notifications after insert or update of state, active on alerts
        for each row execute function fleet_alert_notifications();
    `,
  },
  {
    // Maintenance (issue 13). Meters: asset_meters holds each asset's current odometer and
    // engine hours as the platform believes them (telemetry plus the asset's offsets, or a
    // person's reading), written by the device side's meter tracker at most every few seconds
    // per asset; meter_readings is their history: manual readings, readings taken at a work
    // order's completion, one telemetry sample per asset and meter a day (the 30-day use the
    // forecasts need), and readings refused as going backwards or jumping (flag set, never used).
    // Service plans: what is done every N km, engine hours and/or months, to which assets (ids,
    // kinds, equipment categories), with a "due soon" window in each unit. Work orders: one job
    // in the workshop on one asset, perhaps for a plan (completing it resets the plan's next due
    // values: the newest completed work order of a plan and asset is its baseline), an alert
    // (a DTC) or a defect report. At most one unfinished work order per plan and asset (the
    // partial unique index). Money is integer minor units with its currency, never floating
    // point. The monitor of due services on the device side follows NOTIFY fleet_maintenance.
    id: '0014_maintenance',
    sql: `
      create table asset_meters (
        asset_id uuid primary key,
        org_id uuid not null references organisations(id),
        odometer_km double precision check (odometer_km >= 0 and odometer_km < 100000000),
        odometer_at timestamptz,
        odometer_source text check (odometer_source in ('telemetry', 'manual', 'work_order')),
        -- For telemetry: the device and offset the value came through ("device-id+offset"); a
        -- new one (a device swapped, an offset corrected) starts the meter again from its reading.
        odometer_basis text check (char_length(odometer_basis) <= 200),
        engine_hours double precision check (engine_hours >= 0 and engine_hours < 10000000),
        engine_hours_at timestamptz,
        engine_hours_source text check (engine_hours_source in ('telemetry', 'manual', 'work_order')),
        engine_hours_basis text check (char_length(engine_hours_basis) <= 200),
        updated_at timestamptz not null default now(),
        foreign key (org_id, asset_id) references assets (org_id, id) on delete cascade,
        check ((odometer_km is null) = (odometer_at is null)),
        check ((engine_hours is null) = (engine_hours_at is null))
      );
      create index asset_meters_org_idx on asset_meters (org_id);

      create table meter_readings (
        id bigint generated always as identity primary key,
        org_id uuid not null references organisations(id),
        asset_id uuid not null,
        meter text not null check (meter in ('odometer', 'engine_hours')),
        value double precision not null check (value >= 0 and value < 100000000),
        read_at timestamptz not null,
        source text not null check (source in ('telemetry', 'manual', 'work_order')),
        device_id text,
        -- Refused: it went below the reading before it, or rose faster than the asset can.
        flag text check (flag in ('backwards', 'jump')),
        -- What it was compared with, when flagged.
        previous_value double precision,
        note text check (char_length(note) <= 500),
        entered_by uuid,
        created_at timestamptz not null default now(),
        foreign key (org_id, asset_id) references assets (org_id, id) on delete cascade,
        foreign key (org_id, entered_by) references users (org_id, id)
      );
      create index meter_readings_asset_idx on meter_readings (org_id, asset_id, meter, read_at desc);
      create index meter_readings_flagged_idx on meter_readings (org_id, read_at desc) where flag is not null;

      create table service_plans (
        id uuid primary key default gen_random_uuid(),
        org_id uuid not null references organisations(id),
        name text not null check (char_length(name) between 1 and 100),
        description text check (char_length(description) <= 2000),
        items text[] not null default '{}' check (cardinality(items) <= 100),
        interval_km double precision check (interval_km > 0 and interval_km <= 1000000),
        interval_hours double precision check (interval_hours > 0 and interval_hours <= 100000),
        interval_months int check (interval_months between 1 and 240),
        soon_km double precision check (soon_km >= 0),
        soon_hours double precision check (soon_hours >= 0),
        soon_days int check (soon_days between 0 and 365),
        -- {"assetIds": [...], "assetKinds": ["vehicle"], "categories": ["Generator"]}: any match applies.
        applies_to jsonb not null default '{}' check (jsonb_typeof(applies_to) = 'object'),
        -- The monitor opens a work order by itself once the service is due soon (or due).
        auto_work_order text check (auto_work_order in ('due_soon', 'due')),
        created_at timestamptz not null default now(),
        updated_at timestamptz not null default now(),
        archived_at timestamptz,
        unique (org_id, id),
        check (coalesce(interval_km, interval_hours, interval_months) is not null),
        check (soon_km is null or (interval_km is not null and soon_km < interval_km)),
        check (soon_hours is null or (interval_hours is not null and soon_hours < interval_hours))
      );
      create unique index service_plans_org_name_idx on service_plans (org_id, lower(name)) where archived_at is null;

      create table work_order_counters (
        org_id uuid primary key references organisations(id),
        last_number int not null check (last_number > 0)
      );

      create table work_orders (
        id uuid primary key default gen_random_uuid(),
        org_id uuid not null references organisations(id),
        -- The number people say (WO-42), counted per organisation.
        number int not null check (number > 0),
        asset_id uuid not null,
        plan_id uuid,
        source text not null check (source in ('manual', 'service_due', 'alert', 'defect_report')),
        alert_id uuid,
        driver_id uuid,
        title text not null check (char_length(title) between 1 and 200),
        description text check (char_length(description) <= 4000),
        priority text not null default 'normal' check (priority in ('low', 'normal', 'high', 'urgent')),
        state text not null default 'open'
          check (state in ('open', 'in_progress', 'on_hold', 'completed', 'cancelled')),
        assignee_id uuid,
        due_on date,
        dtc_code text check (dtc_code ~ '^[PCBU][0-3][0-9A-F]{3}$'),
        dtc_description text check (char_length(dtc_description) <= 300),
        currency text not null check (currency ~ '^[A-Z]{3}$'),
        odometer_km double precision check (odometer_km >= 0 and odometer_km < 100000000),
        engine_hours double precision check (engine_hours >= 0 and engine_hours < 10000000),
        started_at timestamptz,
        completed_at timestamptz,
        cancelled_at timestamptz,
        resolution text check (char_length(resolution) <= 4000),
        created_by uuid,
        created_at timestamptz not null default now(),
        updated_at timestamptz not null default now(),
        unique (org_id, id),
        unique (org_id, number),
        foreign key (org_id, asset_id) references assets (org_id, id),
        foreign key (org_id, plan_id) references service_plans (org_id, id),
        foreign key (org_id, alert_id) references alerts (org_id, id),
        foreign key (org_id, driver_id) references drivers (org_id, id),
        foreign key (org_id, assignee_id) references users (org_id, id),
        foreign key (org_id, created_by) references users (org_id, id),
        check ((state = 'completed') = (completed_at is not null)),
        check ((state = 'cancelled') = (cancelled_at is not null)),
        check (source <> 'alert' or alert_id is not null)
      );
      create unique index work_orders_open_plan_idx on work_orders (org_id, asset_id, plan_id)
        where plan_id is not null and state in ('open', 'in_progress', 'on_hold');
      create index work_orders_org_state_idx on work_orders (org_id, state, created_at desc);
      create index work_orders_asset_idx on work_orders (org_id, asset_id, created_at desc);
      create index work_orders_baseline_idx on work_orders (org_id, asset_id, plan_id, completed_at desc)
        where state = 'completed' and plan_id is not null;

      create table work_order_lines (
        id uuid primary key default gen_random_uuid(),
        org_id uuid not null references organisations(id),
        work_order_id uuid not null,
        kind text not null check (kind in ('part', 'labour', 'other')),
        description text not null check (char_length(description) between 1 and 200),
        part_number text check (char_length(part_number) between 1 and 60),
        -- Pieces, litres or hours (labour), to three decimals.
        quantity numeric(12, 3) not null check (quantity > 0),
        unit_cost_minor bigint not null check (unit_cost_minor >= 0 and unit_cost_minor < 100000000000),
        created_at timestamptz not null default now(),
        foreign key (org_id, work_order_id) references work_orders (org_id, id) on delete cascade
      );
      create index work_order_lines_order_idx on work_order_lines (work_order_id, created_at);

      create table work_order_tasks (
        id uuid primary key default gen_random_uuid(),
        org_id uuid not null references organisations(id),
        work_order_id uuid not null,
        position int not null check (position >= 0),
        label text not null check (char_length(label) between 1 and 200),
        done boolean not null default false,
        done_at timestamptz,
        done_by uuid,
        foreign key (org_id, work_order_id) references work_orders (org_id, id) on delete cascade,
        foreign key (org_id, done_by) references users (org_id, id),
        check (done = (done_at is not null))
      );
      create index work_order_tasks_order_idx on work_order_tasks (work_order_id, position);

      create table work_order_notes (
        id uuid primary key default gen_random_uuid(),
        org_id uuid not null references organisations(id),
        work_order_id uuid not null,
        author_id uuid,
        body text not null check (char_length(body) between 1 and 4000),
        created_at timestamptz not null default now(),
        foreign key (org_id, work_order_id) references work_orders (org_id, id) on delete cascade,
        foreign key (org_id, author_id) references users (org_id, id)
      );
      create index work_order_notes_order_idx on work_order_notes (work_order_id, created_at);

      create table work_order_attachments (
        id uuid primary key default gen_random_uuid(),
        org_id uuid not null references organisations(id),
        work_order_id uuid not null,
        file_name text not null check (char_length(file_name) between 1 and 200),
        content_type text not null check (content_type in
          ('image/jpeg', 'image/png', 'image/webp', 'application/pdf', 'text/plain')),
        bytes bytea not null check (octet_length(bytes) between 1 and 5242880),
        uploaded_by uuid,
        created_at timestamptz not null default now(),
        foreign key (org_id, work_order_id) references work_orders (org_id, id) on delete cascade,
        foreign key (org_id, uploaded_by) references users (org_id, id)
      );
      create index work_order_attachments_order_idx on work_order_attachments (work_order_id, created_at);

      grant select, insert, update on asset_meters, work_order_counters to fleet_tenant;
      alter table work_order_counters enable row level security;
      create policy tenant_isolation on work_order_counters
        using (org_id = (select nullif(current_setting('fleet.org_id', true), '')::uuid))
        with check (org_id = (select nullif(current_setting('fleet.org_id', true), '')::uuid));
      grant select, insert on meter_readings to fleet_tenant;
      grant select, insert, update on service_plans to fleet_tenant;
      grant select, insert, update on work_orders to fleet_tenant;
      grant select, insert, update, delete on work_order_lines, work_order_tasks, work_order_attachments to fleet_tenant;
      grant select, insert on work_order_notes to fleet_tenant;
      alter table asset_meters enable row level security;
      alter table meter_readings enable row level security;
      alter table service_plans enable row level security;
      alter table work_orders enable row level security;
      alter table work_order_lines enable row level security;
      alter table work_order_tasks enable row level security;
      alter table work_order_notes enable row level security;
      alter table work_order_attachments enable row level security;
      -- Meters and work orders follow their asset: a department-scoped user sees those of the
      -- assets the assets policy lets them see.
      create policy tenant_isolation on asset_meters
        using (org_id = (select nullif(current_setting('fleet.org_id', true), '')::uuid)
          and asset_id in (select id from assets))
        with check (org_id = (select nullif(current_setting('fleet.org_id', true), '')::uuid)
          and asset_id in (select id from assets));
      create policy tenant_isolation on meter_readings
        using (org_id = (select nullif(current_setting('fleet.org_id', true), '')::uuid)
          and asset_id in (select id from assets))
        with check (org_id = (select nullif(current_setting('fleet.org_id', true), '')::uuid)
          and asset_id in (select id from assets));
      create policy tenant_isolation on service_plans
        using (org_id = (select nullif(current_setting('fleet.org_id', true), '')::uuid))
        with check (org_id = (select nullif(current_setting('fleet.org_id', true), '')::uuid));
      create policy tenant_isolation on work_orders
        using (org_id = (select nullif(current_setting('fleet.org_id', true), '')::uuid)
          and asset_id in (select id from assets))
        with check (org_id = (select nullif(current_setting('fleet.org_id', true), '')::uuid)
          and asset_id in (select id from assets));
      create policy tenant_isolation on work_order_lines
        using (org_id = (select nullif(current_setting('fleet.org_id', true), '')::uuid)
          and work_order_id in (select id from work_orders))
        with check (org_id = (select nullif(current_setting('fleet.org_id', true), '')::uuid)
          and work_order_id in (select id from work_orders));
      create policy tenant_isolation on work_order_tasks
        using (org_id = (select nullif(current_setting('fleet.org_id', true), '')::uuid)
          and work_order_id in (select id from work_orders))
        with check (org_id = (select nullif(current_setting('fleet.org_id', true), '')::uuid)
          and work_order_id in (select id from work_orders));
      create policy tenant_isolation on work_order_notes
        using (org_id = (select nullif(current_setting('fleet.org_id', true), '')::uuid)
          and work_order_id in (select id from work_orders))
        with check (org_id = (select nullif(current_setting('fleet.org_id', true), '')::uuid)
          and work_order_id in (select id from work_orders));
      create policy tenant_isolation on work_order_attachments
        using (org_id = (select nullif(current_setting('fleet.org_id', true), '')::uuid)
          and work_order_id in (select id from work_orders))
        with check (org_id = (select nullif(current_setting('fleet.org_id', true), '')::uuid)
          and work_order_id in (select id from work_orders));

      create trigger audit after insert or update or delete on service_plans
        for each row execute function fleet_audit('service_plan', 'org_id');
      create trigger audit after insert or update or delete on work_orders
        for each row execute function fleet_audit('work_order', 'org_id');
      create trigger audit after insert or update or delete on work_order_lines
        for each row execute function fleet_audit('work_order_line', 'org_id');
      create trigger audit after insert or update or delete on work_order_tasks
        for each row execute function fleet_audit('work_order_task', 'org_id');
      create trigger audit after insert or update or delete on work_order_notes
        for each row execute function fleet_audit('work_order_note', 'org_id');
      create trigger audit after insert or update or delete on work_order_attachments
        for each row execute function fleet_audit('work_order_attachment', 'org_id', 'secret:bytes');

      -- The due-service monitor (device side) reloads an organisation's plans, baselines and
      -- manual meters when they change, whoever changed them.
      create function fleet_maintenance_changed() returns trigger
      language plpgsql as $fn$
      begin
        if tg_op = 'DELETE' then
          perform pg_notify('fleet_maintenance', old.org_id::text);
        else
          perform pg_notify('fleet_maintenance', new.org_id::text);
        end if;
        return null;
      end
      $fn$;
      create trigger maintenance_context after insert or update or delete on service_plans
        for each row execute function fleet_maintenance_changed();
      create trigger maintenance_context after insert or update of state, plan_id, asset_id, completed_at,
          odometer_km, engine_hours or delete on work_orders
        for each row execute function fleet_maintenance_changed();
      create trigger maintenance_context after insert on meter_readings
        for each row when (new.source <> 'telemetry')
        execute function fleet_maintenance_changed();
      create trigger maintenance_context after insert or update or delete on assets
        for each row execute function fleet_maintenance_changed();
    `,
  },
  {
    // Costs (issue 13): fuel entries (by hand, from a CSV file, or a refuel the rule engine saw,
    // confirmed by a person: one entry per refuel alert) and other costs (tolls, insurance, tyres,
    // leases ...) of an asset or a department, and later a project (project_id has no foreign key
    // until jobs exist). Money is integer minor units with its currency. A partial fill-up is
    // kept for the costs and left out of consumption figures (its litres count with the next
    // full one, as Fleetio does). A department-scoped user reaches the costs of their subtree.
    id: '0015_costs',
    sql: `
      create table fuel_entries (
        id uuid primary key default gen_random_uuid(),
        org_id uuid not null references organisations(id),
        asset_id uuid not null,
        filled_at timestamptz not null,
        litres numeric(10, 3) not null check (litres > 0 and litres <= 5000),
        total_minor bigint not null check (total_minor >= 0 and total_minor < 100000000000),
        currency text not null check (currency ~ '^[A-Z]{3}$'),
        odometer_km double precision check (odometer_km >= 0 and odometer_km < 100000000),
        partial boolean not null default false,
        station text check (char_length(station) between 1 and 200),
        source text not null check (source in ('manual', 'csv', 'refuel_alert')),
        alert_id uuid,
        note text check (char_length(note) <= 1000),
        created_by uuid,
        created_at timestamptz not null default now(),
        updated_at timestamptz not null default now(),
        unique (org_id, id),
        foreign key (org_id, asset_id) references assets (org_id, id),
        foreign key (org_id, alert_id) references alerts (org_id, id),
        foreign key (org_id, created_by) references users (org_id, id),
        check ((source = 'refuel_alert') = (alert_id is not null))
      );
      create unique index fuel_entries_alert_idx on fuel_entries (org_id, alert_id) where alert_id is not null;
      create index fuel_entries_asset_idx on fuel_entries (org_id, asset_id, filled_at);
      create index fuel_entries_org_idx on fuel_entries (org_id, filled_at);

      create table cost_entries (
        id uuid primary key default gen_random_uuid(),
        org_id uuid not null references organisations(id),
        asset_id uuid,
        department_id uuid,
        project_id uuid,
        category text not null check (category in
          ('toll', 'insurance', 'tyres', 'lease', 'parking', 'fine', 'registration', 'tax', 'cleaning', 'repair', 'other')),
        incurred_on date not null,
        amount_minor bigint not null check (amount_minor >= 0 and amount_minor < 100000000000),
        currency text not null check (currency ~ '^[A-Z]{3}$'),
        description text check (char_length(description) <= 500),
        created_by uuid,
        created_at timestamptz not null default now(),
        updated_at timestamptz not null default now(),
        unique (org_id, id),
        foreign key (org_id, asset_id) references assets (org_id, id),
        foreign key (org_id, department_id) references departments (org_id, id),
        foreign key (org_id, created_by) references users (org_id, id),
        check (asset_id is not null or department_id is not null or project_id is not null)
      );
      create index cost_entries_asset_idx on cost_entries (org_id, asset_id, incurred_on);
      create index cost_entries_org_idx on cost_entries (org_id, incurred_on);

      grant select, insert, update, delete on fuel_entries, cost_entries to fleet_tenant;
      alter table fuel_entries enable row level security;
      alter table cost_entries enable row level security;
      create policy tenant_isolation on fuel_entries
        using (org_id = (select nullif(current_setting('fleet.org_id', true), '')::uuid)
          and asset_id in (select id from assets))
        with check (org_id = (select nullif(current_setting('fleet.org_id', true), '')::uuid)
          and asset_id in (select id from assets));
      create policy tenant_isolation on cost_entries
        using (org_id = (select nullif(current_setting('fleet.org_id', true), '')::uuid)
          and (asset_id is null or asset_id in (select id from assets))
          and (department_id is null
               or (select nullif(current_setting('fleet.scope_department', true), '')) is null
               or department_id in (select fleet_scope_departments())))
        with check (org_id = (select nullif(current_setting('fleet.org_id', true), '')::uuid)
          and (asset_id is null or asset_id in (select id from assets))
          and (department_id is null
               or (select nullif(current_setting('fleet.scope_department', true), '')) is null
               or department_id in (select fleet_scope_departments())));

      create trigger audit after insert or update or delete on fuel_entries
        for each row execute function fleet_audit('fuel_entry', 'org_id');
      create trigger audit after insert or update or delete on cost_entries
        for each row execute function fleet_audit('cost_entry', 'org_id');
    `,
  },
  {
    // Projects and jobs (issue 14). A project (client, budget, dates, department) has jobs; a
    // job is work at a place in a time window with the vehicles, equipment and crew it needs,
    // planned -> dispatched -> en route -> on site -> completed (or cancelled). People dispatch,
    // complete and cancel; the device side's job tracker (ingest/src/jobs) moves a dispatched job
    // en route when an assigned vehicle leaves its depot, and on site when one enters the job's
    // place. Every state change is a job event (who or which vehicle, when). Jobs are numbered
    // per organisation (JOB-7) like work orders. Bookings may overlap while planned; the API
    // reports the conflicts and refuses to dispatch over them unless told to. Vehicles get the
    // licence class needed to drive them, for the crew check. Jobs are organisation-wide (a
    // dispatcher plans for every department); a scoped user sees the assets of their subtree in
    // them only. cost_entries.project_id (0015) gets its foreign key.
    id: '0016_projects_jobs',
    sql: `
      alter table assets add column licence_class text check (licence_class in
        ('AM', 'A1', 'A2', 'A', 'B', 'BE', 'C1', 'C1E', 'C', 'CE', 'D1', 'D1E', 'D', 'DE'));
      alter table assets add constraint assets_licence_class_vehicle check (kind = 'vehicle' or licence_class is null);

      create table projects (
        id uuid primary key default gen_random_uuid(),
        org_id uuid not null references organisations(id),
        name text not null check (char_length(name) between 1 and 100),
        code text check (char_length(code) between 1 and 40),
        client text check (char_length(client) between 1 and 200),
        department_id uuid,
        budget_minor bigint check (budget_minor >= 0 and budget_minor < 100000000000),
        currency text not null check (currency ~ '^[A-Z]{3}$'),
        starts_on date,
        ends_on date,
        status text not null default 'active' check (status in ('active', 'completed', 'cancelled')),
        notes text check (char_length(notes) <= 2000),
        created_by uuid,
        created_at timestamptz not null default now(),
        updated_at timestamptz not null default now(),
        unique (org_id, id),
        foreign key (org_id, department_id) references departments (org_id, id),
        foreign key (org_id, created_by) references users (org_id, id),
        check (starts_on is null or ends_on is null or ends_on >= starts_on)
      );
      create unique index projects_org_name_idx on projects (org_id, lower(name));
      create unique index projects_org_code_idx on projects (org_id, upper(code)) where code is not null;
      alter table cost_entries add constraint cost_entries_project_fk
        foreign key (org_id, project_id) references projects (org_id, id);
      create index cost_entries_project_idx on cost_entries (org_id, project_id, incurred_on) where project_id is not null;

      create table job_counters (
        org_id uuid primary key references organisations(id),
        last_number int not null check (last_number > 0)
      );

      create table jobs (
        id uuid primary key default gen_random_uuid(),
        org_id uuid not null references organisations(id),
        number int not null check (number > 0),
        project_id uuid,
        title text not null check (char_length(title) between 1 and 200),
        place_id uuid not null,
        starts_at timestamptz not null,
        ends_at timestamptz not null,
        state text not null default 'planned'
          check (state in ('planned', 'dispatched', 'en_route', 'on_site', 'completed', 'cancelled')),
        notes text check (char_length(notes) <= 4000),
        dispatched_at timestamptz,
        en_route_at timestamptz,
        on_site_at timestamptz,
        completed_at timestamptz,
        cancelled_at timestamptz,
        cancel_reason text check (char_length(cancel_reason) <= 500),
        created_by uuid,
        created_at timestamptz not null default now(),
        updated_at timestamptz not null default now(),
        unique (org_id, id),
        unique (org_id, number),
        foreign key (org_id, project_id) references projects (org_id, id),
        foreign key (org_id, place_id) references places (org_id, id),
        foreign key (org_id, created_by) references users (org_id, id),
        check (ends_at > starts_at),
        check (ends_at - starts_at <= interval '31 days'),
        check ((state = 'completed') = (completed_at is not null)),
        check ((state = 'cancelled') = (cancelled_at is not null)),
        check (state = 'planned' or state = 'cancelled' or dispatched_at is not null)
      );
      create index jobs_org_window_idx on jobs (org_id, starts_at, ends_at);
      create index jobs_org_state_idx on jobs (org_id, state, starts_at);
      create index jobs_project_idx on jobs (org_id, project_id, starts_at) where project_id is not null;

      -- What a job books: vehicles and equipment items, and people (a driver drives one of the
      -- job's vehicles; crew ride along).
      create table job_assets (
        id uuid primary key default gen_random_uuid(),
        org_id uuid not null references organisations(id),
        job_id uuid not null,
        asset_id uuid not null,
        unique (job_id, asset_id),
        foreign key (org_id, job_id) references jobs (org_id, id) on delete cascade,
        foreign key (org_id, asset_id) references assets (org_id, id)
      );
      create index job_assets_asset_idx on job_assets (org_id, asset_id);

      create table job_crew (
        id uuid primary key default gen_random_uuid(),
        org_id uuid not null references organisations(id),
        job_id uuid not null,
        driver_id uuid not null,
        role text not null default 'crew' check (role in ('driver', 'crew')),
        vehicle_id uuid,
        unique (job_id, driver_id),
        foreign key (org_id, job_id) references jobs (org_id, id) on delete cascade,
        foreign key (org_id, driver_id) references drivers (org_id, id),
        foreign key (job_id, vehicle_id) references job_assets (job_id, asset_id),
        check ((role = 'driver') = (vehicle_id is not null))
      );
      create index job_crew_driver_idx on job_crew (org_id, driver_id);

      create table job_events (
        id bigint generated always as identity primary key,
        org_id uuid not null references organisations(id),
        job_id uuid not null,
        from_state text,
        to_state text not null,
        source text not null check (source in ('user', 'telemetry')),
        user_id uuid,
        -- The vehicle whose telemetry moved it on.
        asset_id uuid,
        at timestamptz not null,
        note text check (char_length(note) <= 1000),
        foreign key (org_id, job_id) references jobs (org_id, id) on delete cascade,
        foreign key (org_id, user_id) references users (org_id, id)
      );
      create index job_events_job_idx on job_events (job_id, id);

      grant select, insert, update on projects, jobs, job_counters to fleet_tenant;
      grant select, insert, update, delete on job_assets, job_crew to fleet_tenant;
      grant select, insert on job_events to fleet_tenant;
      alter table projects enable row level security;
      alter table job_counters enable row level security;
      alter table jobs enable row level security;
      alter table job_assets enable row level security;
      alter table job_crew enable row level security;
      alter table job_events enable row level security;
      create policy tenant_isolation on projects
        using (org_id = (select nullif(current_setting('fleet.org_id', true), '')::uuid))
        with check (org_id = (select nullif(current_setting('fleet.org_id', true), '')::uuid));
      create policy tenant_isolation on job_counters
        using (org_id = (select nullif(current_setting('fleet.org_id', true), '')::uuid))
        with check (org_id = (select nullif(current_setting('fleet.org_id', true), '')::uuid));
      create policy tenant_isolation on jobs
        using (org_id = (select nullif(current_setting('fleet.org_id', true), '')::uuid))
        with check (org_id = (select nullif(current_setting('fleet.org_id', true), '')::uuid));
      create policy tenant_isolation on job_assets
        using (org_id = (select nullif(current_setting('fleet.org_id', true), '')::uuid))
        with check (org_id = (select nullif(current_setting('fleet.org_id', true), '')::uuid));
      create policy tenant_isolation on job_crew
        using (org_id = (select nullif(current_setting('fleet.org_id', true), '')::uuid))
        with check (org_id = (select nullif(current_setting('fleet.org_id', true), '')::uuid));
      create policy tenant_isolation on job_events
        using (org_id = (select nullif(current_setting('fleet.org_id', true), '')::uuid))
        with check (org_id = (select nullif(current_setting('fleet.org_id', true), '')::uuid));

      create trigger audit after insert or update or delete on projects
        for each row execute function fleet_audit('project', 'org_id');
      create trigger audit after insert or update or delete on jobs
        for each row execute function fleet_audit('job', 'org_id');
      create trigger audit after insert or update or delete on job_assets
        for each row execute function fleet_audit('job_asset', 'org_id');
      create trigger audit after insert or update or delete on job_crew
        for each row execute function fleet_audit('job_crew', 'org_id');

      -- The job tracker (device side) reloads an organisation's active jobs when they change,
      -- whoever changed them, and when a vehicle's depot or an installation moves.
      create function fleet_jobs_changed() returns trigger
      language plpgsql as $fn$
      begin
        if tg_op = 'DELETE' then
          perform pg_notify('fleet_jobs', old.org_id::text);
        else
          perform pg_notify('fleet_jobs', new.org_id::text);
        end if;
        return null;
      end
      $fn$;
      create trigger jobs_context after insert or update of state, place_id, starts_at, ends_at or delete on jobs
        for each row execute function fleet_jobs_changed();
      create trigger jobs_context after insert or update or delete on job_assets
        for each row execute function fleet_jobs_changed();
      create trigger jobs_context after insert or update or delete on installations
        for each row execute function fleet_jobs_changed();
      create trigger jobs_context after update of home_place_id on assets
        for each row execute function fleet_jobs_changed();
      create trigger jobs_context after update of geometry, radius_m on places
        for each row execute function fleet_jobs_changed();
    `,
  },
  {
    // Trips and stops (issue 14): each device's trip detector state (shared/src/trips.ts, a few
    // hundred bytes), checkpointed by the device side so a restart goes on where it stood. The
    // trips and stops themselves are in QuestDB (ingest/src/schema.ts), by device.
    id: '0017_trip_detector_states',
    sql: `
      create table trip_detector_states (
        device_id text primary key,
        org_id uuid not null references organisations(id),
        state jsonb not null check (jsonb_typeof(state) = 'object'),
        updated_at timestamptz not null default now()
      );
      create index trip_detector_states_org_idx on trip_detector_states (org_id);
    `,
  },
  {
    // The estimated arrival of each en-route job (issue 14), written by the device side's job
    // tracker every half minute or when it moves by a minute: a table of its own, not audited
    // (the audit log would get a row per job per half minute) and never read back by the tracker.
    id: '0018_job_etas',
    sql: `
      create table job_etas (
        job_id uuid primary key,
        org_id uuid not null references organisations(id),
        asset_id uuid not null,
        eta_at timestamptz not null,
        distance_km double precision not null check (distance_km >= 0),
        computed_at timestamptz not null,
        updated_at timestamptz not null default now(),
        foreign key (org_id, job_id) references jobs (org_id, id) on delete cascade,
        foreign key (org_id, asset_id) references assets (org_id, id)
      );
      grant select on job_etas to fleet_tenant;
      alter table job_etas enable row level security;
      create policy tenant_isolation on job_etas
        using (org_id = (select nullif(current_setting('fleet.org_id', true), '')::uuid));
    `,
  },
  {
    // Report schedules (issue 14): a report (summary, utilisation, visits, alerts) with its
    // grouping and filters, mailed weekly or monthly as CSV or XLSX by the API's scheduler
    // (api/src/domains/report-schedules). next_run_at is the scheduled time of the next run (its
    // period follows from it); attempt_at when a scheduler may next take it: claiming sets it a
    // lease ahead (for update skip locked, so two API processes never both send), a failed send
    // a minute ahead, a finished run to the next next_run_at. attempts counts the tries of the
    // current run. A schedule reports what its creator saw: scope_department_id is their
    // department scope when they created it (null: the whole organisation), and the policy hides
    // it from users whose scope does not contain it. No foreign key on it: a department that is
    // deleted leaves a scope that matches nothing, never a wider one. The scheduler's bookkeeping
    // is not audited; people's changes are.
    id: '0019_report_schedules',
    sql: `
      create table report_schedules (
        id uuid primary key default gen_random_uuid(),
        org_id uuid not null references organisations(id),
        name text not null check (char_length(name) between 1 and 100),
        report text not null check (report in ('summary', 'utilisation', 'visits', 'alerts')),
        params jsonb not null default '{}' check (jsonb_typeof(params) = 'object'),
        cadence text not null check (cadence in ('weekly', 'monthly')),
        format text not null check (format in ('csv', 'xlsx')),
        recipients text[] not null check (cardinality(recipients) between 1 and 20),
        enabled boolean not null default true,
        scope_department_id uuid,
        created_by uuid,
        next_run_at timestamptz not null,
        attempt_at timestamptz not null,
        attempts int not null default 0 check (attempts >= 0),
        last_run_at timestamptz,
        last_error text check (char_length(last_error) <= 2000),
        created_at timestamptz not null default now(),
        updated_at timestamptz not null default now(),
        unique (org_id, id),
        foreign key (org_id, created_by) references users (org_id, id) on delete set null (created_by)
      );
      create index report_schedules_org_idx on report_schedules (org_id, lower(name), id);
      create index report_schedules_due_idx on report_schedules (attempt_at) where enabled;

      grant select, insert, update, delete on report_schedules to fleet_tenant;
      alter table report_schedules enable row level security;
      create policy tenant_isolation on report_schedules
        using (org_id = (select nullif(current_setting('fleet.org_id', true), '')::uuid)
          and ((select nullif(current_setting('fleet.scope_department', true), '')) is null
               or scope_department_id in (select fleet_scope_departments())))
        with check (org_id = (select nullif(current_setting('fleet.org_id', true), '')::uuid)
          and ((select nullif(current_setting('fleet.scope_department', true), '')) is null
               or scope_department_id in (select fleet_scope_departments())));
      create trigger audit after insert or update or delete on report_schedules
        for each row execute function fleet_audit('report_schedule', 'org_id', 'ignore:next_run_at',
          'ignore:attempt_at', 'ignore:attempts', 'ignore:last_run_at', 'ignore:last_error');
    `,
  },
];
