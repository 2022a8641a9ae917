// Vehicles and equipment items of one organisation (migration 0009), and the installations of
// devices on them. Every statement runs in inTenant: row-level security keeps other
// organisations out and, for a user with a department scope, every asset outside their
// department's subtree, whatever the SQL says. Installations are reached through their asset
// (a join), so the scope covers them too. Column names come from the constant table below,
// values always travel as parameters.
import { type SqlExecutor, type SqlParam, TenantRepository } from '@fleet/shared/db';
import { RowRefused } from '../../csv/import.ts';
import { ApiError } from '../../http/errors.ts';
import type { LicenceClass } from '../drivers/schemas.ts';
import type {
  AssetChanges,
  AssetKind,
  AssetServiceStatus,
  AssetSort,
  FuelType,
  NewAsset,
} from './schemas.ts';

export interface Asset {
  id: string;
  kind: AssetKind;
  name: string;
  status: AssetServiceStatus;
  departmentId: string | null;
  homePlaceId: string | null;
  notes: string | null;
  plate: string | null;
  vin: string | null;
  make: string | null;
  model: string | null;
  year: number | null;
  fuelType: FuelType | null;
  tankCapacityL: number | null;
  odometerOffsetKm: number;
  engineHoursOffset: number;
  category: string | null;
  serialNumber: string | null;
  replacementValue: number | null;
  speedLimitKmh: number | null;
  offlineAfterS: number | null;
  licenceClass: LicenceClass | null;
  /** The organisation's currency, in which replacementValue is. */
  currency: string;
  /** Devices installed on it now, first installed first. */
  deviceIds: string[];
  hasPhoto: boolean;
  createdAt: Date;
  updatedAt: Date;
  retiredAt: Date | null;
}

/** New assets written by one statement of an import. */
const IMPORT_BATCH = 500;

/** What tells assets apart: for an import to find the one a row updates. */
export interface AssetIdentity {
  id: string;
  plate: string | null;
  vin: string | null;
  category: string | null;
  serialNumber: string | null;
}

export interface AssetFilter {
  /** This department and its sub-departments. */
  departmentId?: string | undefined;
  /** Undefined: every status but retired. */
  status?: AssetServiceStatus | undefined;
  homePlaceId?: string | undefined;
  /** Equipment: the category, any case. */
  category?: string | undefined;
  /** Part of the name, plate, VIN or serial number. */
  q?: string | undefined;
  sort: AssetSort;
  order: 'asc' | 'desc';
  limit: number;
  offset: number;
}

/** An asset's field and its column: the only way a name reaches SQL text. */
const COLUMN_OF = {
  name: 'name',
  status: 'status',
  departmentId: 'department_id',
  homePlaceId: 'home_place_id',
  notes: 'notes',
  plate: 'plate',
  vin: 'vin',
  make: 'make',
  model: 'model',
  year: 'year',
  fuelType: 'fuel_type',
  tankCapacityL: 'tank_capacity_l',
  odometerOffsetKm: 'odometer_offset_km',
  engineHoursOffset: 'engine_hours_offset',
  category: 'category',
  serialNumber: 'serial_number',
  replacementValue: 'replacement_value',
  speedLimitKmh: 'speed_limit_kmh',
  offlineAfterS: 'offline_after_s',
  licenceClass: 'licence_class',
} as const satisfies Record<keyof AssetChanges, string>;
type Field = keyof typeof COLUMN_OF;
const FIELDS = Object.keys(COLUMN_OF) as Field[];

/** Sort keys and their SQL; plate and serial compare as people do (case, spaces ignored). */
const SORT_SQL: Record<AssetSort, string> = {
  name: 'lower(a.name)',
  plate: 'a.plate_key',
  year: 'a.year',
  createdAt: 'a.created_at',
  updatedAt: 'a.updated_at',
  category: 'lower(a.category)',
  serialNumber: 'lower(a.serial_number)',
  replacementValue: 'a.replacement_value',
};

const COLUMNS = `a.id::text as id, a.kind, a.name, a.status, a.department_id::text as department_id,
  a.home_place_id::text as home_place_id, a.notes, a.plate, a.vin, a.make, a.model, a.year, a.fuel_type,
  a.tank_capacity_l, a.odometer_offset_km, a.engine_hours_offset, a.category, a.serial_number,
  a.replacement_value::text as replacement_value, a.speed_limit_kmh, a.offline_after_s, a.licence_class, a.created_at, a.updated_at, a.retired_at,
  (select o.currency from organisations o where o.id = a.org_id) as currency,
  array(select i.device_id from installations i
        where i.asset_id = a.id and i.removed_at is null order by i.installed_at, i.device_id) as device_ids,
  exists (select 1 from asset_photos p where p.asset_id = a.id) as has_photo`;

interface AssetRow {
  id: string;
  kind: AssetKind;
  name: string;
  status: AssetServiceStatus;
  department_id: string | null;
  home_place_id: string | null;
  notes: string | null;
  plate: string | null;
  vin: string | null;
  make: string | null;
  model: string | null;
  year: number | null;
  fuel_type: FuelType | null;
  tank_capacity_l: number | null;
  odometer_offset_km: number;
  engine_hours_offset: number;
  category: string | null;
  serial_number: string | null;
  replacement_value: string | null;
  speed_limit_kmh: number | null;
  offline_after_s: number | null;
  licence_class: LicenceClass | null;
  currency: string | null;
  device_ids: string[] | string | null;
  has_photo: boolean;
  created_at: Date | string;
  updated_at: Date | string;
  retired_at: Date | string | null;
}

const date = (v: Date | string | null): Date | null => (v === null ? null : new Date(v));
const numberOrNull = (v: number | string | null): number | null => (v === null ? null : Number(v));

/** text[] comes back as an array from both drivers; parsed by hand should one answer '{a,b}'. */
function textArray(v: string[] | string | null): string[] {
  if (v === null) return [];
  if (Array.isArray(v)) return v;
  const inner = v.replace(/^\{|\}$/g, '');
  return inner === '' ? [] : inner.split(',').map((s) => s.replace(/^"|"$/g, ''));
}

function toAsset(row: AssetRow): Asset {
  return {
    id: row.id,
    kind: row.kind,
    name: row.name,
    status: row.status,
    departmentId: row.department_id,
    homePlaceId: row.home_place_id,
    notes: row.notes,
    plate: row.plate,
    vin: row.vin,
    make: row.make,
    model: row.model,
    year: numberOrNull(row.year),
    fuelType: row.fuel_type,
    tankCapacityL: numberOrNull(row.tank_capacity_l),
    odometerOffsetKm: Number(row.odometer_offset_km),
    engineHoursOffset: Number(row.engine_hours_offset),
    category: row.category,
    serialNumber: row.serial_number,
    replacementValue: numberOrNull(row.replacement_value),
    speedLimitKmh: numberOrNull(row.speed_limit_kmh),
    offlineAfterS: numberOrNull(row.offline_after_s),
    licenceClass: row.licence_class,
    currency: row.currency ?? 'EUR',
    deviceIds: textArray(row.device_ids),
    hasPhoto: row.has_photo === true,
    createdAt: new Date(row.created_at),
    updatedAt: new Date(row.updated_at),
    retiredAt: date(row.retired_at),
  };
}

/** What the database stores for a field: money as exact decimal text. */
function stored(field: Field, value: unknown): SqlParam {
  if (value === undefined || value === null) return null;
  if (field === 'replacementValue') return String(value);
  return value as SqlParam;
}

const LABEL: Record<AssetKind, string> = { vehicle: 'vehicle', equipment: 'equipment item' };
export const notFound = (kind: AssetKind | undefined) =>
  new ApiError('not_found', kind === undefined ? 'No such asset.' : `No such ${LABEL[kind]}.`);

const fieldError = (path: string, message: string, summary = message) =>
  new ApiError('validation_failed', `${summary[0]?.toUpperCase() ?? ''}${summary.slice(1)}.`, {
    details: [{ path, message }],
  });

/** SQLSTATE and constraint of a driver error (pg and PGlite both carry them). */
function sqlError(err: unknown): { code: string; constraint: string } {
  const e = err as { code?: unknown; constraint?: unknown; message?: unknown };
  const message = typeof e.message === 'string' ? e.message : '';
  const constraint =
    typeof e.constraint === 'string' ? e.constraint : (/"([a-z0-9_]+)"/.exec(message)?.[1] ?? '');
  return { code: typeof e.code === 'string' ? e.code : '', constraint };
}

/** Database refusals as the client's errors, naming the field. */
function translate(err: unknown, input: Partial<NewAsset>): unknown {
  const { code, constraint } = sqlError(err);
  if (code === '23505') {
    if (constraint.includes('plate'))
      return new ApiError('conflict', `A vehicle with the plate ${input.plate} already exists.`, {
        details: [{ path: 'body.plate', message: 'another vehicle of the organisation has this plate' }],
      });
    if (constraint.includes('vin'))
      return new ApiError('conflict', `A vehicle with the VIN ${input.vin} already exists.`, {
        details: [{ path: 'body.vin', message: 'another vehicle of the organisation has this VIN' }],
      });
    if (constraint.includes('serial'))
      return new ApiError(
        'conflict',
        `An item of the category "${input.category ?? ''}" with the serial number ${input.serialNumber} already exists.`,
        {
          details: [
            { path: 'body.serialNumber', message: 'another item of this category has this serial number' },
          ],
        },
      );
  }
  // A scoped user writing an asset outside their department's subtree: the policy's WITH CHECK.
  if (code === '42501' || (code === '' && /row-level security/.test(String((err as Error).message))))
    return fieldError(
      'body.departmentId',
      'outside your department scope: give your department or one below it',
      'the department is outside your department scope',
    );
  if (code === '23503') {
    if (constraint.includes('department'))
      return fieldError('body.departmentId', 'no such department in your organisation', 'no such department');
    if (constraint.includes('place'))
      return fieldError('body.homePlaceId', 'no such place in your organisation', 'no such place');
  }
  return err;
}

/** A department of the organisation (another's, or none, is "no such department"). */
async function checkReferences(tx: SqlExecutor, input: Partial<NewAsset>): Promise<void> {
  if (input.departmentId) {
    const rows = await tx.query('select 1 from departments where id = $1', [input.departmentId]);
    if (rows.length === 0)
      throw fieldError('body.departmentId', 'no such department in your organisation', 'no such department');
  }
  if (input.homePlaceId) {
    const rows = await tx.query('select 1 from places where id = $1', [input.homePlaceId]);
    if (rows.length === 0)
      throw fieldError('body.homePlaceId', 'no such place in your organisation', 'no such place');
  }
}

/** `like` text matching a part, its wildcards escaped. */
const containing = (text: string) => `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

export class Assets extends TenantRepository {
  /** A page of one kind; filters are parameters, the sort a key of SORT_SQL. */
  async page(kind: AssetKind, filter: AssetFilter): Promise<{ items: Asset[]; total: number }> {
    const where = ['a.kind = $1'];
    const params: SqlParam[] = [kind];
    const param = (value: SqlParam) => {
      params.push(value);
      return `$${params.length}`;
    };
    const departmentId = filter.departmentId;
    where.push(filter.status === undefined ? "a.status <> 'retired'" : `a.status = ${param(filter.status)}`);
    if (filter.homePlaceId !== undefined) where.push(`a.home_place_id = ${param(filter.homePlaceId)}`);
    if (filter.category !== undefined && filter.category !== '')
      where.push(`lower(a.category) = lower(${param(filter.category)})`);
    const q = filter.q?.trim();
    if (q !== undefined && q !== '') {
      const like = param(containing(q));
      const compact = q.replace(/[\s-]/g, '');
      const parts = [`a.name ilike ${like}`, `a.vin ilike ${like}`, `a.serial_number ilike ${like}`];
      if (compact !== '') parts.push(`a.plate_key like upper(${param(containing(compact))})`);
      where.push(`(${parts.join(' or ')})`);
    }
    const direction = filter.order === 'desc' ? 'desc' : 'asc';
    const order = `${SORT_SQL[filter.sort]} ${direction} nulls last, a.id ${direction}`;
    return this.tx(async (tx) => {
      if (departmentId !== undefined) {
        // The subtree first, as a list: with it the planner reads the department index for the
        // count instead of every asset (a recursive CTE is estimated at 161 rows; bench:api).
        const subtree = await departmentSubtree(tx, departmentId);
        if (subtree.length === 0) return { items: [], total: 0 };
        where.push(`a.department_id = any(${param(subtree)}::uuid[])`);
      }
      const clause = where.join(' and ');
      const count = await tx.query<{ n: number | string }>(
        `select count(*) as n from assets a where ${clause}`,
        params,
      );
      const total = Number(count[0]?.n ?? 0);
      if (total <= filter.offset) return { items: [], total };
      const rows = await tx.query<AssetRow>(
        `select ${COLUMNS} from assets a where ${clause} order by ${order}
         limit ${Math.trunc(filter.limit)} offset ${Math.trunc(filter.offset)}`,
        params,
      );
      return { items: rows.map(toAsset), total };
    });
  }

  /** Every asset of a kind the caller sees, retired too, by what an import matches it by. */
  async identities(kind: AssetKind): Promise<AssetIdentity[]> {
    return this.tx((tx) =>
      tx.query<AssetIdentity>(
        `select id::text as id, plate, vin, category, serial_number as "serialNumber"
         from assets where kind = $1`,
        [kind],
      ),
    );
  }

  /** One asset, of this kind if given; undefined when not visible (another org, out of scope, none). */
  async get(kind: AssetKind | undefined, id: string): Promise<Asset | undefined> {
    return this.tx((tx) => getAsset(tx, kind, id));
  }

  async create(input: NewAsset): Promise<Asset> {
    try {
      return await this.tx(async (tx) => {
        await checkReferences(tx, input);
        const columns = ['org_id', 'kind', ...FIELDS.map((f) => COLUMN_OF[f])];
        const values: SqlParam[] = [this.orgId, input.kind, ...FIELDS.map((f) => stored(f, input[f]))];
        const retired = input.status === 'retired';
        const rows = await tx.query<{ id: string }>(
          `insert into assets (${columns.join(', ')}, retired_at)
           values (${values.map((_, i) => `$${i + 1}`).join(', ')}, ${retired ? 'now()' : 'null'})
           returning id::text as id`,
          values,
        );
        return (await getAsset(tx, input.kind, (rows[0] as { id: string }).id)) as Asset;
      });
    } catch (err) {
      throw translate(err, input);
    }
  }

  /** Undefined when there is no such asset of this kind (visible to the caller). */
  async update(kind: AssetKind, id: string, changes: AssetChanges): Promise<Asset | undefined> {
    try {
      return await this.tx(async (tx) => {
        const current = await getAsset(tx, kind, id);
        if (!current) return undefined;
        await checkReferences(tx, changes);
        const set = ['updated_at = now()'];
        const params: SqlParam[] = [id, kind];
        for (const f of FIELDS) {
          if (!(f in changes) || changes[f] === undefined) continue;
          params.push(stored(f, changes[f]));
          set.push(`${COLUMN_OF[f]} = $${params.length}`);
        }
        if (changes.status !== undefined)
          set.push(
            changes.status === 'retired' ? 'retired_at = coalesce(retired_at, now())' : 'retired_at = null',
          );
        await tx.query(`update assets set ${set.join(', ')} where id = $1 and kind = $2`, params);
        if (changes.status === 'retired') await endOpenInstallations(tx, id, new Date());
        return getAsset(tx, kind, id);
      });
    } catch (err) {
      throw translate(err, changes);
    }
  }

  /**
   * Writes the rows of a planned import (csv/import.ts) in the caller's transaction, fast: 500
   * rows to a statement (updates grouped by the fields they change), without reading them back.
   * The database's own checks (foreign keys, the scope policy, unique indexes) still decide; a
   * refused batch is rolled back to its savepoint and written again row by row, so the row it
   * refuses is thrown as a RowRefused naming it.
   */
  async importRows(
    kind: AssetKind,
    creates: readonly { row: number; value: NewAsset }[],
    updates: readonly { row: number; id: string; value: AssetChanges }[],
  ): Promise<void> {
    const columns = ['org_id', 'kind', ...FIELDS.map((f) => COLUMN_OF[f]), 'retired_at'];
    const valuesOf = (input: NewAsset): SqlParam[] => [
      this.orgId,
      kind,
      ...FIELDS.map((f) => stored(f, input[f])),
      input.status === 'retired' ? new Date() : null,
    ];
    const insert = (tx: SqlExecutor, rows: readonly { value: NewAsset }[]) => {
      const params: SqlParam[] = [];
      const tuples = rows.map(({ value }) => {
        const start = params.length;
        params.push(...valuesOf(value));
        return `(${columns.map((_, i) => `$${start + i + 1}`).join(', ')})`;
      });
      return tx.query(`insert into assets (${columns.join(', ')}) values ${tuples.join(', ')}`, params);
    };
    const updateOne = async (tx: SqlExecutor, u: (typeof updates)[number]) => {
      const set = ['updated_at = now()'];
      const params: SqlParam[] = [u.id, kind];
      for (const f of FIELDS) {
        if (!(f in u.value) || u.value[f] === undefined) continue;
        params.push(stored(f, u.value[f]));
        set.push(`${COLUMN_OF[f]} = $${params.length}`);
      }
      if (u.value.status !== undefined)
        set.push(
          u.value.status === 'retired' ? 'retired_at = coalesce(retired_at, now())' : 'retired_at = null',
        );
      try {
        const done = await tx.query(
          `update assets set ${set.join(', ')} where id = $1 and kind = $2 returning id`,
          params,
        );
        if (done.length === 0) throw notFound(kind);
        if (u.value.status === 'retired') await endOpenInstallations(tx, u.id, new Date());
      } catch (err) {
        throw new RowRefused(u.row, translate(err, u.value));
      }
    };
    // Rows that change the same fields (a file's columns) go as one statement per batch.
    const groups = new Map<string, (typeof updates)[number][]>();
    for (const u of updates) {
      const key = FIELDS.filter((f) => u.value[f] !== undefined).join(',');
      groups.set(key, [...(groups.get(key) ?? []), u]);
    }
    await this.tx(async (tx) => {
      for (const [key, rows] of groups) {
        const fields = key === '' ? [] : (key.split(',') as Field[]);
        for (let i = 0; i < rows.length; i += IMPORT_BATCH) {
          const batch = rows.slice(i, i + IMPORT_BATCH);
          await tx.exec('savepoint import_batch');
          try {
            await updateBatch(tx, kind, fields, batch);
            await tx.exec('release savepoint import_batch');
          } catch {
            // Which row? Again one by one, from before the batch.
            await tx.exec('rollback to savepoint import_batch');
            for (const u of batch) await updateOne(tx, u);
          }
        }
      }
      for (let i = 0; i < creates.length; i += IMPORT_BATCH) {
        const batch = creates.slice(i, i + IMPORT_BATCH);
        await tx.exec('savepoint import_batch');
        try {
          await insert(tx, batch);
          await tx.exec('release savepoint import_batch');
        } catch {
          await tx.exec('rollback to savepoint import_batch');
          for (const c of batch)
            await insert(tx, [c]).catch((err: unknown) => {
              throw new RowRefused(c.row, translate(err, c.value));
            });
        }
      }
    });
  }

  /**
   * Retires an asset: status retired, retired_at set (kept if it was already retired), and the
   * devices on it come off at that instant. Its history stays. Undefined when there is none.
   */
  async retire(kind: AssetKind, id: string, at = new Date()): Promise<Asset | undefined> {
    return this.tx(async (tx) => {
      const rows = await tx.query<{ id: string }>(
        `update assets set status = 'retired', retired_at = coalesce(retired_at, $3), updated_at = now()
         where id = $1 and kind = $2 returning id::text as id`,
        [id, kind, at],
      );
      if (rows.length === 0) return undefined;
      await endOpenInstallations(tx, id, at);
      return getAsset(tx, kind, id);
    });
  }
}

/** A department and every department below it (none when it is not the organisation's). */
export async function departmentSubtree(tx: SqlExecutor, departmentId: string): Promise<string[]> {
  const rows = await tx.query<{ id: string }>(
    `with recursive sub as (
       select id from departments where id = $1
       union all
       select d.id from departments d join sub on d.parent_id = sub.id
     ) select id::text as id from sub`,
    [departmentId],
  );
  return rows.map((r) => r.id);
}

async function getAsset(
  tx: SqlExecutor,
  kind: AssetKind | undefined,
  id: string,
): Promise<Asset | undefined> {
  const rows = await tx.query<AssetRow>(
    `select ${COLUMNS} from assets a where a.id = $1 and ($2::text is null or a.kind = $2)`,
    [id, kind ?? null],
  );
  return rows[0] ? toAsset(rows[0]) : undefined;
}

/** Ends the asset's open installations at `at` (never at or before their start). */
/** The SQL type of each field, for reading a batch of changes out of JSON. */
const SQL_TYPE: Record<Field, string> = {
  name: 'text',
  status: 'text',
  departmentId: 'uuid',
  homePlaceId: 'uuid',
  notes: 'text',
  plate: 'text',
  vin: 'text',
  make: 'text',
  model: 'text',
  year: 'int',
  fuelType: 'text',
  tankCapacityL: 'double precision',
  odometerOffsetKm: 'double precision',
  engineHoursOffset: 'double precision',
  category: 'text',
  serialNumber: 'text',
  replacementValue: 'numeric',
  speedLimitKmh: 'double precision',
  offlineAfterS: 'int',
  licenceClass: 'text',
};

/** One statement for a batch of imported rows that change the same fields; retiring ends their installations. */
async function updateBatch(
  tx: SqlExecutor,
  kind: AssetKind,
  fields: readonly Field[],
  rows: readonly { id: string; value: AssetChanges }[],
): Promise<void> {
  const records = rows.map((r) => ({
    id: r.id,
    ...Object.fromEntries(fields.map((f) => [COLUMN_OF[f], stored(f, r.value[f])])),
  }));
  const set = ['updated_at = now()', ...fields.map((f) => `${COLUMN_OF[f]} = v.${COLUMN_OF[f]}`)];
  if (fields.includes('status'))
    set.push("retired_at = case when v.status = 'retired' then coalesce(a.retired_at, now()) end");
  const shape = ['id uuid', ...fields.map((f) => `${COLUMN_OF[f]} ${SQL_TYPE[f]}`)].join(', ');
  const done = await tx.query<{ id: string }>(
    `update assets a set ${set.join(', ')}
     from jsonb_to_recordset($1::jsonb) as v(${shape})
     where a.id = v.id and a.kind = $2
     returning a.id::text as id, a.status`,
    [JSON.stringify(records), kind],
  );
  if (done.length !== rows.length) throw new Error('an imported row matched no asset');
  if (fields.includes('status')) {
    const retired = rows.filter((r) => r.value.status === 'retired').map((r) => r.id);
    if (retired.length > 0)
      await tx.query(
        `update installations set removed_at = greatest(now(), installed_at + interval '1 millisecond')
         where asset_id = any($1::uuid[]) and removed_at is null`,
        [retired],
      );
  }
}

async function endOpenInstallations(tx: SqlExecutor, assetId: string, at: Date): Promise<void> {
  await tx.query(
    `update installations set removed_at = greatest($2::timestamptz, installed_at + interval '1 millisecond')
     where asset_id = $1 and removed_at is null`,
    [assetId, at],
  );
}

// ---------------------------------------------------------------------------------------------
// Installations

export interface Installation {
  id: string;
  assetId: string;
  assetKind: AssetKind;
  assetName: string;
  deviceId: string;
  deviceName: string;
  installedAt: Date;
  removedAt: Date | null;
  note: string | null;
}

interface InstallationRow {
  id: string;
  asset_id: string;
  asset_kind: AssetKind;
  asset_name: string;
  device_id: string;
  device_name: string;
  installed_at: Date | string;
  removed_at: Date | string | null;
  note: string | null;
}

/** The installations visible to the caller: joined to their asset, so the scope applies. */
const INSTALLATIONS = `select i.id::text as id, i.asset_id::text as asset_id, a.kind as asset_kind,
    a.name as asset_name, i.device_id, d.name as device_name, i.installed_at, i.removed_at, i.note
  from installations i join assets a on a.id = i.asset_id join devices d on d.id = i.device_id`;

function toInstallation(row: InstallationRow): Installation {
  return {
    id: row.id,
    assetId: row.asset_id,
    assetKind: row.asset_kind,
    assetName: row.asset_name,
    deviceId: row.device_id,
    deviceName: row.device_name,
    installedAt: new Date(row.installed_at),
    removedAt: date(row.removed_at),
    note: row.note,
  };
}

/** A device's window on an asset, ms, `to` exclusive (Infinity: still installed). */
export interface InstallationWindow {
  deviceId: string;
  from: number;
  to: number;
}

/** The asset a device is installed on now, as the live map and fleet list show it. */
export interface InstalledAsset {
  id: string;
  kind: AssetKind;
  name: string;
  plate: string | null;
  departmentId: string | null;
}

/** Most installations one history answer lists (a device moved daily for three years). */
export const MAX_INSTALLATIONS_LISTED = 1000;

const iso = (ms: number) => new Date(ms).toISOString();

export class Installations extends TenantRepository {
  /**
   * Installs a device on an asset from `installedAt`. A device still open on another asset comes
   * off it at that same instant, in the same transaction (a tracker moved to another van); the
   * device row is locked first, so two moves of one device run one after the other.
   */
  async install(
    assetId: string,
    input: { deviceId: string; installedAt: number; note: string | null },
  ): Promise<Installation> {
    return this.tx(async (tx) => {
      const asset = await getAsset(tx, undefined, assetId);
      if (!asset) throw notFound(undefined);
      if (asset.status === 'retired')
        throw new ApiError(
          'conflict',
          `The ${LABEL[asset.kind]} is retired: nothing can be installed on it.`,
        );
      const device = await tx.query('select id from devices where id = $1 for update', [input.deviceId]);
      if (device.length === 0)
        throw fieldError('body.deviceId', 'no such device in your organisation', 'no such device');
      const open = await tx.query<{
        id: string;
        asset_id: string;
        installed_at: Date | string;
        visible: boolean;
      }>(
        `select i.id::text as id, i.asset_id::text as asset_id, i.installed_at,
                exists (select 1 from assets a where a.id = i.asset_id) as visible
         from installations i where i.device_id = $1 and i.removed_at is null`,
        [input.deviceId],
      );
      const current = open[0];
      if (current) {
        const since = new Date(current.installed_at).getTime();
        if (current.asset_id === assetId)
          throw new ApiError(
            'conflict',
            `The device is already installed on this asset (since ${iso(since)}).`,
            {
              details: [{ path: 'body.deviceId', message: 'already installed here' }],
            },
          );
        if (!current.visible)
          throw new ApiError(
            'conflict',
            'The device is installed on an asset outside your department scope.',
            {
              details: [
                { path: 'body.deviceId', message: 'installed on an asset outside your department scope' },
              ],
            },
          );
        if (input.installedAt <= since)
          throw new ApiError(
            'conflict',
            `The device has been on its current asset since ${iso(since)}: a move must come later.`,
            { details: [{ path: 'body.installedAt', message: `must be after ${iso(since)}` }] },
          );
        await tx.query('update installations set removed_at = $2 where id = $1', [
          current.id,
          new Date(input.installedAt),
        ]);
      }
      const rows = await tx
        .query<{ id: string }>(
          `insert into installations (org_id, device_id, asset_id, installed_at, note)
           values ($1, $2, $3, $4, $5) returning id::text as id`,
          [this.orgId, input.deviceId, assetId, new Date(input.installedAt), input.note],
        )
        .catch((err: unknown) => {
          if (sqlError(err).code === '23P01')
            throw new ApiError('conflict', 'The device was installed on another asset during that time.', {
              details: [
                { path: 'body.installedAt', message: 'overlaps an earlier installation of the device' },
              ],
            });
          throw err;
        });
      return (await getInstallation(tx, (rows[0] as { id: string }).id)) as Installation;
    });
  }

  /** Ends an open installation; undefined when there is no such installation (visible). */
  async end(id: string, removedAt: number): Promise<Installation | undefined> {
    return this.tx(async (tx) => {
      const found = await getInstallation(tx, id);
      if (!found) return undefined;
      if (found.removedAt !== null)
        throw new ApiError('conflict', `The installation ended at ${found.removedAt.toISOString()}.`);
      if (removedAt <= found.installedAt.getTime())
        throw fieldError(
          'body.removedAt',
          `must be after installedAt (${found.installedAt.toISOString()})`,
          'the device cannot come off before it went on',
        );
      await tx.query('update installations set removed_at = $2 where id = $1', [id, new Date(removedAt)]);
      return getInstallation(tx, id);
    });
  }

  /** An asset's installations, newest first; undefined when the asset is not visible. */
  async ofAsset(assetId: string): Promise<Installation[] | undefined> {
    return this.tx(async (tx) => {
      if (!(await getAsset(tx, undefined, assetId))) return undefined;
      const rows = await tx.query<InstallationRow>(
        `${INSTALLATIONS} where i.asset_id = $1 order by i.installed_at desc, i.id limit ${MAX_INSTALLATIONS_LISTED}`,
        [assetId],
      );
      return rows.map(toInstallation);
    });
  }

  /** A device's installations on the assets the caller sees, newest first; undefined: no such device. */
  async ofDevice(deviceId: string): Promise<Installation[] | undefined> {
    return this.tx(async (tx) => {
      if ((await tx.query('select 1 from devices where id = $1', [deviceId])).length === 0) return undefined;
      const rows = await tx.query<InstallationRow>(
        `${INSTALLATIONS} where i.device_id = $1 order by i.installed_at desc, i.id limit ${MAX_INSTALLATIONS_LISTED}`,
        [deviceId],
      );
      return rows.map(toInstallation);
    });
  }

  /**
   * The asset and its devices' windows that meet [from, to), clipped to it: what telemetry
   * by asset reads. Undefined when the asset is not visible.
   */
  async windows(
    assetId: string,
    range: { from: number; to: number },
  ): Promise<{ asset: Asset; windows: InstallationWindow[] } | undefined> {
    return this.tx(async (tx) => {
      const asset = await getAsset(tx, undefined, assetId);
      if (!asset) return undefined;
      const rows = await tx.query<{
        device_id: string;
        installed_at: Date | string;
        removed_at: Date | string | null;
      }>(
        `select device_id, installed_at, removed_at from installations
         where asset_id = $1 and installed_at < $3 and (removed_at is null or removed_at > $2)
         order by installed_at, device_id`,
        [assetId, new Date(range.from), new Date(range.to)],
      );
      const windows = rows.map((r) => ({
        deviceId: r.device_id,
        from: Math.max(range.from, new Date(r.installed_at).getTime()),
        to: Math.min(
          range.to,
          r.removed_at === null ? Number.POSITIVE_INFINITY : new Date(r.removed_at).getTime(),
        ),
      }));
      return { asset, windows: windows.filter((w) => w.to > w.from) };
    });
  }

  /**
   * The asset and its open installations (device, since when): what its latest state reads.
   * Undefined when the asset is not visible.
   */
  async current(
    assetId: string,
  ): Promise<{ asset: Asset; open: { deviceId: string; since: number }[] } | undefined> {
    return this.tx(async (tx) => {
      const asset = await getAsset(tx, undefined, assetId);
      if (!asset) return undefined;
      const rows = await tx.query<{ device_id: string; installed_at: Date | string }>(
        `select device_id, installed_at from installations where asset_id = $1 and removed_at is null
         order by installed_at, device_id`,
        [assetId],
      );
      return {
        asset,
        open: rows.map((r) => ({ deviceId: r.device_id, since: new Date(r.installed_at).getTime() })),
      };
    });
  }

  /**
   * Every device installed now on an asset the caller sees, with that asset; with a department,
   * only assets of its subtree. The scope's filter is the assets policy, in this very query.
   */
  async installedAssets(departmentId?: string): Promise<Map<string, InstalledAsset>> {
    const rows = await this.tx((tx) =>
      tx.query<{
        device_id: string;
        id: string;
        kind: AssetKind;
        name: string;
        plate: string | null;
        department_id: string | null;
      }>(
        `${
          departmentId === undefined
            ? ''
            : `with recursive sub as (
                 select id from departments where id = $1
                 union all
                 select d.id from departments d join sub on d.parent_id = sub.id
               ) `
        }select i.device_id, a.id::text as id, a.kind, a.name, a.plate, a.department_id::text as department_id
         from installations i join assets a on a.id = i.asset_id
         where i.removed_at is null${departmentId === undefined ? '' : ' and a.department_id in (select id from sub)'}`,
        departmentId === undefined ? [] : [departmentId],
      ),
    );
    return new Map(
      rows.map((r) => [
        r.device_id,
        { id: r.id, kind: r.kind, name: r.name, plate: r.plate, departmentId: r.department_id },
      ]),
    );
  }
}

async function getInstallation(tx: SqlExecutor, id: string): Promise<Installation | undefined> {
  const rows = await tx.query<InstallationRow>(`${INSTALLATIONS} where i.id = $1`, [id]);
  return rows[0] ? toInstallation(rows[0]) : undefined;
}
