// Drivers of one organisation in PostgreSQL (migration 0010). Every statement runs under
// row-level security for that organisation (inTenant), so another organisation's driver is not
// found whatever id is asked for; the composite keys keep a driver's department and user account
// inside the organisation. Erasure (GDPR) blanks the identifying columns in place and redacts
// them in the audit log in the same transaction, so no committed state holds them afterwards.
import { type SqlExecutor, type SqlParam, TenantRepository } from '@fleet/shared/db';
import { ApiError } from '../../http/errors.ts';
import type { DriverIdentity } from './csv.ts';
import type { DriverChanges, DriverSort, DriverStatus, LicenceClass, NewDriver } from './schemas.ts';

export interface CurrentVehicle {
  assignmentId: string;
  vehicleId: string;
  /** Null when the vehicle is outside the caller's department scope. */
  vehicleName: string | null;
  since: Date;
}

export interface Driver {
  id: string;
  name: string;
  employeeNumber: string | null;
  phone: string | null;
  email: string | null;
  licenceNumber: string | null;
  licenceClasses: LicenceClass[];
  /** YYYY-MM-DD. */
  licenceExpiry: string | null;
  departmentId: string | null;
  userId: string | null;
  driverCardId: string | null;
  status: DriverStatus;
  notes: string | null;
  erasedAt: Date | null;
  currentVehicle: CurrentVehicle | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface DriverFilter {
  /** This department and its sub-departments. */
  departmentId?: string | undefined;
  status?: DriverStatus | undefined;
  /** Case-insensitive substring of the name or the employee number. */
  text?: string | undefined;
  /** YYYY-MM-DD: licences expiring before this day (drivers without an expiry are left out). */
  licenceExpiresBefore?: string | undefined;
  sort: DriverSort;
  order: 'asc' | 'desc';
  limit: number;
  offset: number;
}

interface DriverRow {
  id: string;
  name: string;
  employee_number: string | null;
  phone: string | null;
  email: string | null;
  licence_number: string | null;
  licence_classes: LicenceClass[] | string;
  licence_expiry: string | null;
  department_id: string | null;
  user_id: string | null;
  driver_card_id: string | null;
  status: DriverStatus;
  notes: string | null;
  erased_at: Date | string | null;
  created_at: Date | string;
  updated_at: Date | string;
  current_assignment_id: string | null;
  current_vehicle_id: string | null;
  current_vehicle_name: string | null;
  current_since: Date | string | null;
}

/** A driver with the vehicle they have now (at most one: assignments of a driver never overlap). */
const SELECT = `
  select d.id::text as id, d.name, d.employee_number, d.phone, d.email, d.licence_number, d.licence_classes,
    d.licence_expiry::text as licence_expiry, d.department_id::text as department_id, d.user_id::text as user_id,
    d.driver_card_id, d.status, d.notes, d.erased_at, d.created_at, d.updated_at,
    cur.id::text as current_assignment_id, cur.asset_id::text as current_vehicle_id,
    v.name as current_vehicle_name, cur.starts_at as current_since
  from drivers d
  left join driver_assignments cur on cur.driver_id = d.id and cur.starts_at <= now()
    and (cur.ends_at is null or cur.ends_at > now())
  left join assets v on v.id = cur.asset_id`;

/** The columns that identify a person: blanked on erasure, and redacted in the audit log. */
export const IDENTIFYING_COLUMNS = [
  'name',
  'employee_number',
  'phone',
  'email',
  'licence_number',
  'licence_classes',
  'licence_expiry',
  'driver_card_id',
  'notes',
  'user_id',
] as const;

/** PostgreSQL hands text[] back parsed (pg and PGlite alike), but a literal is read as a fallback. */
function textArray(value: string[] | string): string[] {
  if (Array.isArray(value)) return value;
  const inner = value.replace(/^\{|\}$/g, '');
  return inner === '' ? [] : inner.split(',');
}

const at = (value: Date | string) => new Date(value);

export function toDriver(row: DriverRow): Driver {
  return {
    id: row.id,
    name: row.name,
    employeeNumber: row.employee_number,
    phone: row.phone,
    email: row.email,
    licenceNumber: row.licence_number,
    licenceClasses: textArray(row.licence_classes) as LicenceClass[],
    licenceExpiry: row.licence_expiry,
    departmentId: row.department_id,
    userId: row.user_id,
    driverCardId: row.driver_card_id,
    status: row.status,
    notes: row.notes,
    erasedAt: row.erased_at === null ? null : at(row.erased_at),
    currentVehicle:
      row.current_assignment_id === null || row.current_vehicle_id === null || row.current_since === null
        ? null
        : {
            assignmentId: row.current_assignment_id,
            vehicleId: row.current_vehicle_id,
            vehicleName: row.current_vehicle_name,
            since: at(row.current_since),
          },
    createdAt: at(row.created_at),
    updatedAt: at(row.updated_at),
  };
}

export async function selectDriver(tx: SqlExecutor, id: string): Promise<Driver | undefined> {
  const rows = await tx.query<DriverRow>(`${SELECT} where d.id = $1`, [id]);
  return rows[0] ? toDriver(rows[0]) : undefined;
}

/** The driver row locked for this transaction, or a 404 exactly like a driver that does not exist. */
export async function lockDriver(
  tx: SqlExecutor,
  id: string,
): Promise<{ id: string; status: DriverStatus; erased: boolean }> {
  const rows = await tx.query<{ id: string; status: DriverStatus; erased: boolean }>(
    'select id::text as id, status, erased_at is not null as erased from drivers where id = $1 for update',
    [id],
  );
  const row = rows[0];
  if (!row) throw new ApiError('not_found', 'No such driver.');
  return row;
}

/** Ends the driver's ongoing assignment now (deactivation and erasure: the person has left the van). */
async function endOngoing(tx: SqlExecutor, driverId: string): Promise<void> {
  await tx.query(
    `update driver_assignments set ends_at = now()
     where driver_id = $1 and starts_at < now() and (ends_at is null or ends_at > now())`,
    [driverId],
  );
  // One that has not started yet cannot end before it starts: it is dropped (the audit log keeps it).
  await tx.query('delete from driver_assignments where driver_id = $1 and starts_at >= now()', [driverId]);
}

const COLUMN_OF: Record<keyof NewDriver, string> = {
  name: 'name',
  employeeNumber: 'employee_number',
  phone: 'phone',
  email: 'email',
  licenceNumber: 'licence_number',
  licenceClasses: 'licence_classes',
  licenceExpiry: 'licence_expiry',
  departmentId: 'department_id',
  userId: 'user_id',
  driverCardId: 'driver_card_id',
  status: 'status',
  notes: 'notes',
};

const CAST_OF: Partial<Record<keyof NewDriver, string>> = {
  licenceClasses: '::text[]',
  licenceExpiry: '::date',
  departmentId: '::uuid',
  userId: '::uuid',
};

function translate(err: unknown, input: DriverChanges): unknown {
  const { code, constraint } = err as { code?: string; constraint?: string };
  if (code === '23505') {
    if (constraint === 'drivers_org_employee_number_idx')
      return new ApiError('conflict', `Another driver has the employee number "${input.employeeNumber}".`, {
        details: [{ path: 'body.employeeNumber', message: 'taken by another driver' }],
      });
    if (constraint === 'drivers_org_card_idx')
      return new ApiError('conflict', `Another driver has the card ${input.driverCardId}.`, {
        details: [{ path: 'body.driverCardId', message: 'taken by another driver' }],
      });
    if (constraint === 'drivers_org_user_idx')
      return new ApiError('conflict', 'That user account is linked to another driver.', {
        details: [{ path: 'body.userId', message: 'linked to another driver' }],
      });
  }
  // A department or user of another organisation fails the composite key like a missing one.
  if (code === '23503' && constraint === 'drivers_department_fk')
    return new ApiError('validation_failed', 'No such department.', {
      details: [{ path: 'body.departmentId', message: 'no such department in your organisation' }],
    });
  if (code === '23503' && constraint === 'drivers_user_fk')
    return new ApiError('validation_failed', 'No such user account.', {
      details: [{ path: 'body.userId', message: 'no such user in your organisation' }],
    });
  return err;
}

const ORDER: Record<DriverSort, (dir: string) => string> = {
  name: (dir) => `lower(d.name) ${dir}, d.name ${dir}, d.id ${dir}`,
  employeeNumber: (dir) => `upper(d.employee_number) ${dir} nulls last, lower(d.name), d.id`,
  licenceExpiry: (dir) => `d.licence_expiry ${dir} nulls last, lower(d.name), d.id`,
  createdAt: (dir) => `d.created_at ${dir}, d.id ${dir}`,
};

export class Drivers extends TenantRepository {
  /** A page in the asked order; filters are parameters, never SQL text. */
  async page(filter: DriverFilter): Promise<{ items: Driver[]; total: number }> {
    const where: string[] = [];
    const params: SqlParam[] = [];
    const param = (value: SqlParam) => {
      params.push(value);
      return `$${params.length}`;
    };
    let withClause = '';
    if (filter.departmentId !== undefined) {
      withClause = `with recursive sub as (
          select id from departments where id = ${param(filter.departmentId)}
          union all
          select dep.id from departments dep join sub on dep.parent_id = sub.id
        ) `;
      where.push('d.department_id in (select id from sub)');
    }
    if (filter.status !== undefined) where.push(`d.status = ${param(filter.status)}`);
    if (filter.text !== undefined && filter.text.trim() !== '') {
      const like = param(`%${filter.text.trim().replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
      where.push(`(d.name ilike ${like} or d.employee_number ilike ${like})`);
    }
    if (filter.licenceExpiresBefore !== undefined)
      where.push(`d.licence_expiry < ${param(filter.licenceExpiresBefore)}::date`);
    const clause = where.length === 0 ? '' : `where ${where.join(' and ')}`;
    const dir = filter.order === 'desc' ? 'desc' : 'asc';
    return this.tx(async (tx) => {
      const count = await tx.query<{ n: number | string }>(
        `${withClause}select count(*) as n from drivers d ${clause}`,
        params,
      );
      const rows = await tx.query<DriverRow>(
        `${withClause}${SELECT} ${clause} order by ${ORDER[filter.sort](dir)}
         limit ${Math.trunc(filter.limit)} offset ${Math.trunc(filter.offset)}`,
        params,
      );
      return { items: rows.map(toDriver), total: Number(count[0]?.n ?? 0) };
    });
  }

  /** Every driver, erased ones too, by what an import matches a row with (csv.ts). */
  identities(): Promise<DriverIdentity[]> {
    return this.tx((tx) =>
      tx.query<DriverIdentity>(
        `select d.id::text as id, d.employee_number as "employeeNumber", d.driver_card_id as "driverCardId",
                u.email as "userEmail"
         from drivers d left join users u on u.id = d.user_id`,
      ),
    );
  }

  get(id: string): Promise<Driver | undefined> {
    return this.tx((tx) => selectDriver(tx, id));
  }

  async create(input: NewDriver): Promise<Driver> {
    const keys = Object.keys(COLUMN_OF) as (keyof NewDriver)[];
    const values: SqlParam[] = [this.orgId, ...keys.map((k) => input[k])];
    try {
      return await this.tx(async (tx) => {
        const rows = await tx.query<{ id: string }>(
          `insert into drivers (org_id, ${keys.map((k) => COLUMN_OF[k]).join(', ')})
           values ($1, ${keys.map((k, i) => `$${i + 2}${CAST_OF[k] ?? ''}`).join(', ')}) returning id::text as id`,
          values,
        );
        return (await selectDriver(tx, (rows[0] as { id: string }).id)) as Driver;
      });
    } catch (err) {
      throw translate(err, input);
    }
  }

  /** Undefined when there is no such driver; an erased driver is never changed back (409). */
  async update(id: string, changes: DriverChanges): Promise<Driver | undefined> {
    const set = ['updated_at = now()'];
    const params: SqlParam[] = [id];
    for (const key of Object.keys(changes) as (keyof NewDriver)[]) {
      const value = changes[key];
      if (value === undefined) continue;
      params.push(value);
      set.push(`${COLUMN_OF[key]} = $${params.length}${CAST_OF[key] ?? ''}`);
    }
    try {
      return await this.tx(async (tx) => {
        const found = await tx.query<{ erased: boolean }>(
          'select erased_at is not null as erased from drivers where id = $1 for update',
          [id],
        );
        if (!found[0]) return undefined;
        if (found[0].erased)
          throw new ApiError('conflict', "This driver's personal data was erased; it cannot be changed.");
        await tx.query(`update drivers set ${set.join(', ')} where id = $1`, params);
        if (changes.status === 'inactive') await endOngoing(tx, id);
        return selectDriver(tx, id);
      });
    } catch (err) {
      throw translate(err, changes);
    }
  }

  /**
   * Deactivates (the default: the driver stays in history and lists, with no ongoing
   * assignment), or with `purge` deletes a driver who never had an assignment (a record made by
   * mistake). Undefined when there is no such driver.
   */
  async remove(id: string, purge: boolean): Promise<'deactivated' | 'purged' | undefined> {
    return this.tx(async (tx) => {
      const found = await tx.query<{ id: string }>('select id from drivers where id = $1 for update', [id]);
      if (!found[0]) return undefined;
      if (purge) {
        const used = await tx.query<{ n: number | string }>(
          'select count(*) as n from driver_assignments where driver_id = $1',
          [id],
        );
        if (Number(used[0]?.n ?? 0) > 0)
          throw new ApiError(
            'conflict',
            'This driver has assignments, which history and costs count; deactivate the driver instead (or erase their personal data).',
          );
        await tx.query('delete from drivers where id = $1', [id]);
        return 'purged';
      }
      await tx.query(
        "update drivers set status = 'inactive', updated_at = now() where id = $1 and status <> 'inactive'",
        [id],
      );
      await endOngoing(tx, id);
      return 'deactivated';
    });
  }

  /**
   * Erases the driver's personal data (GDPR art. 17): the identifying columns are blanked, the
   * name becomes "Erased driver" and a short id, the account link goes, the ongoing assignment
   * ends; the assignments stay, attributed to the anonymous driver, so trips and costs stay
   * counted. The audit log's copies of those columns are redacted in the same transaction (the
   * erasing update's own entry included). Repeating it is harmless. Undefined: no such driver.
   */
  async erase(id: string): Promise<Driver | undefined> {
    return this.tx(async (tx) => {
      const found = await tx.query<{ id: string }>('select id from drivers where id = $1 for update', [id]);
      if (!found[0]) return undefined;
      await endOngoing(tx, id);
      await tx.query(
        `update drivers set name = 'Erased driver ' || left(id::text, 8), employee_number = null, phone = null,
           email = null, licence_number = null, licence_classes = '{}', licence_expiry = null,
           driver_card_id = null, notes = null, user_id = null, status = 'inactive',
           erased_at = coalesce(erased_at, now()), updated_at = now()
         where id = $1`,
        [id],
      );
      await tx.query('select fleet_audit_redact($1, $2, $3::text[])', [
        'driver',
        id,
        [...IDENTIFYING_COLUMNS],
      ]);
      return selectDriver(tx, id);
    });
  }
}
