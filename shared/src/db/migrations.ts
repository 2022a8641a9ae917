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
    // as `secret:<name>` (the value never recorded, a change shown as "[secret]") or
    // `ignore:<name>` (bookkeeping such as last_login_at, never recorded nor logged alone).
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
      create index audit_log_actor_idx on audit_log (org_id, actor_id, at desc, id desc);
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
              if k = any(secrets) then
                before_row := before_row || jsonb_build_object(k, '[secret]');
                after_row := after_row || jsonb_build_object(k, '[secret]');
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
          foreach k in array secrets loop
            if before_row ? k then before_row := jsonb_set(before_row, array[k], '"[secret]"'); end if;
            if after_row ? k then after_row := jsonb_set(after_row, array[k], '"[secret]"'); end if;
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
            select jsonb_object_agg(e.key, case when e.key = any(fields) then '"[erased]"'::jsonb else e.value end)
            from jsonb_each(a.before) e) end,
          after = case when a.after is null then null else (
            select jsonb_object_agg(e.key, case when e.key = any(fields) then '"[erased]"'::jsonb else e.value end)
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
      create unique index assets_org_plate_idx on assets (org_id, upper(regexp_replace(plate, '[[:space:]-]', '', 'g')))
        where plate is not null;
      create unique index assets_org_vin_idx on assets (org_id, vin) where vin is not null;
      create unique index assets_org_serial_idx on assets (org_id, category, serial_number) where serial_number is not null;
      create index assets_org_kind_name_idx on assets (org_id, kind, lower(name), id);
      create index assets_org_department_idx on assets (org_id, department_id);
      grant select, insert, update, delete on assets to fleet_tenant;
      alter table assets enable row level security;
      create policy tenant_isolation on assets
        using (org_id = nullif(current_setting('fleet.org_id', true), '')::uuid
          and (nullif(current_setting('fleet.scope_department', true), '') is null
               or department_id in (select fleet_scope_departments())))
        with check (org_id = nullif(current_setting('fleet.org_id', true), '')::uuid
          and (nullif(current_setting('fleet.scope_department', true), '') is null
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
        for each row execute function fleet_audit('asset', 'org_id');
      create trigger audit after insert or update or delete on installations
        for each row execute function fleet_audit('installation', 'org_id');
      create trigger audit after insert or update or delete on asset_photos
        for each row execute function fleet_audit('asset_photo', 'org_id', 'secret:bytes');
    `,
  },
];
