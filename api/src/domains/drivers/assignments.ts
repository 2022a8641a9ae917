// Who drives which vehicle when, for one organisation (migration 0010). Changes lock the vehicle
// row, then the driver row, so two dispatchers handing out the same van (or the same driver)
// at once are serialised; the table's trigger refuses overlaps and non-vehicles for every other
// path (SQLSTATE 23P01 and 23514), which this module turns into 409 and 400. "Now" is the
// database's clock (now(), microseconds), so the assignment that ends and the one that starts
// share one instant.
import { type SqlExecutor, TenantRepository } from '@fleet/shared/db';
import { ApiError } from '../../http/errors.ts';
import { lockDriver } from './repository.ts';
import type { AssignmentSource, NewAssignment } from './schemas.ts';

export interface Assignment {
  id: string;
  driverId: string;
  driverName: string;
  driverErased: boolean;
  vehicleId: string;
  /** Null when the vehicle is outside the caller's department scope. */
  vehicleName: string | null;
  vehiclePlate: string | null;
  startsAt: Date;
  endsAt: Date | null;
  source: AssignmentSource;
  createdAt: Date;
}

interface AssignmentRow {
  id: string;
  driver_id: string;
  driver_name: string;
  driver_erased: boolean;
  vehicle_id: string;
  vehicle_name: string | null;
  vehicle_plate: string | null;
  starts_at: Date | string;
  ends_at: Date | string | null;
  source: AssignmentSource;
  created_at: Date | string;
}

export const ASSIGNMENT_SELECT = `
  select x.id::text as id, x.driver_id::text as driver_id, d.name as driver_name,
    d.erased_at is not null as driver_erased, x.asset_id::text as vehicle_id, v.name as vehicle_name,
    v.plate as vehicle_plate, x.starts_at, x.ends_at, x.source, x.created_at
  from driver_assignments x
  join drivers d on d.id = x.driver_id
  left join assets v on v.id = x.asset_id`;

/** Newest first: the order people read a vehicle's or a driver's history in. */
export const NEWEST_FIRST = 'order by x.starts_at desc, x.id desc';

export function toAssignment(row: AssignmentRow): Assignment {
  return {
    id: row.id,
    driverId: row.driver_id,
    driverName: row.driver_name,
    driverErased: row.driver_erased,
    vehicleId: row.vehicle_id,
    vehicleName: row.vehicle_name,
    vehiclePlate: row.vehicle_plate,
    startsAt: new Date(row.starts_at),
    endsAt: row.ends_at === null ? null : new Date(row.ends_at),
    source: row.source,
    createdAt: new Date(row.created_at),
  };
}

export async function selectAssignments(
  tx: SqlExecutor,
  where: string,
  params: readonly (string | number)[],
  page?: { limit: number; offset: number },
): Promise<Assignment[]> {
  const limit = page ? ` limit ${Math.trunc(page.limit)} offset ${Math.trunc(page.offset)}` : '';
  const rows = await tx.query<AssignmentRow>(
    `${ASSIGNMENT_SELECT} where ${where} ${NEWEST_FIRST}${limit}`,
    params,
  );
  return rows.map(toAssignment);
}

async function selectAssignment(tx: SqlExecutor, id: string): Promise<Assignment> {
  const [found] = await selectAssignments(tx, 'x.id = $1', [id]);
  if (!found) throw new Error(`assignment ${id} vanished inside its own transaction`);
  return found;
}

type VehicleProblem = 'missing' | 'equipment' | 'retired';

/** Locks the asset row; says why it cannot take a driver, if it cannot. */
async function lockVehicle(tx: SqlExecutor, id: string): Promise<VehicleProblem | undefined> {
  const rows = await tx.query<{ kind: string; status: string }>(
    'select kind, status from assets where id = $1 for update',
    [id],
  );
  const row = rows[0];
  if (!row) return 'missing';
  if (row.kind !== 'vehicle') return 'equipment';
  if (row.status === 'retired') return 'retired';
  return undefined;
}

function assignable(driver: { status: string; erased: boolean }): void {
  if (driver.erased)
    throw new ApiError('conflict', "This driver's personal data was erased; they cannot be assigned.");
  if (driver.status !== 'active')
    throw new ApiError('conflict', 'This driver is inactive; make them active to assign them.');
}

/** The trigger's refusals as the API's errors; anything else as it is. */
function translate(err: unknown, endsAtPath: string): unknown {
  const { code, message, constraint } = err as { code?: string; message?: string; constraint?: string };
  if (code === '23P01')
    return new ApiError(
      'conflict',
      message?.startsWith('driver')
        ? 'The driver has another assignment in that time.'
        : 'The vehicle has another driver in that time.',
    );
  if (code === '23514' && constraint === 'driver_assignments_check')
    return new ApiError('validation_failed', 'An assignment ends after it starts.', {
      details: [{ path: endsAtPath, message: 'an assignment ends after it starts' }],
    });
  return err;
}

export interface AssignmentPage {
  items: Assignment[];
  total: number;
}

export class DriverAssignments extends TenantRepository {
  /** Books a driver on a vehicle for a time (default from now, open-ended); 409 if it overlaps. */
  async create(driverId: string, input: NewAssignment): Promise<Assignment> {
    try {
      return await this.tx(async (tx) => {
        // The driver first, so another organisation's driver is a 404 whatever the body says.
        await this.driverExists(tx, driverId);
        const problem = await lockVehicle(tx, input.vehicleId);
        if (problem !== undefined)
          throw new ApiError('validation_failed', 'That is not a vehicle that can take a driver.', {
            details: [
              {
                path: 'body.vehicleId',
                message:
                  problem === 'missing'
                    ? 'no such vehicle in your organisation'
                    : problem === 'equipment'
                      ? 'an equipment item: only vehicles take drivers'
                      : 'the vehicle is retired',
              },
            ],
          });
        assignable(await lockDriver(tx, driverId));
        const rows = await tx.query<{ id: string }>(
          `insert into driver_assignments (org_id, driver_id, asset_id, starts_at, ends_at, source)
           values ($1, $2, $3, coalesce($4::timestamptz, now()), $5::timestamptz, 'manual') returning id::text as id`,
          [this.orgId, driverId, input.vehicleId, input.startsAt ?? null, input.endsAt],
        );
        return selectAssignment(tx, (rows[0] as { id: string }).id);
      });
    } catch (err) {
      throw translate(err, 'body.endsAt');
    }
  }

  /**
   * The driver takes the vehicle now: the vehicle's current assignment and the driver's current
   * one (on another vehicle) end at this instant and the new one starts at it, in one
   * transaction. Already so: the current assignment, `created` false.
   */
  async assignNow(
    vehicleId: string,
    driverId: string,
  ): Promise<{ assignment: Assignment; created: boolean }> {
    try {
      return await this.tx(async (tx) => {
        const problem = await lockVehicle(tx, vehicleId);
        if (problem === 'missing' || problem === 'equipment')
          throw new ApiError('not_found', 'No such vehicle.');
        const exists = await tx.query<{ id: string }>('select id from drivers where id = $1', [driverId]);
        if (!exists[0])
          throw new ApiError('validation_failed', 'No such driver.', {
            details: [{ path: 'body.driverId', message: 'no such driver in your organisation' }],
          });
        if (problem === 'retired')
          throw new ApiError('conflict', 'The vehicle is retired; it takes no drivers.');
        assignable(await lockDriver(tx, driverId));
        const current = await tx.query<{ id: string; driver_id: string }>(
          `select id::text as id, driver_id::text as driver_id from driver_assignments
           where asset_id = $1 and starts_at <= now() and (ends_at is null or ends_at > now())`,
          [vehicleId],
        );
        if (current[0]?.driver_id === driverId)
          return { assignment: await selectAssignment(tx, current[0].id), created: false };
        await tx.query(
          `update driver_assignments set ends_at = now()
           where (asset_id = $1 or driver_id = $2) and starts_at < now() and (ends_at is null or ends_at > now())`,
          [vehicleId, driverId],
        );
        const rows = await tx.query<{ id: string }>(
          `insert into driver_assignments (org_id, driver_id, asset_id, starts_at, source)
           values ($1, $2, $3, now(), 'manual') returning id::text as id`,
          [this.orgId, driverId, vehicleId],
        );
        return { assignment: await selectAssignment(tx, (rows[0] as { id: string }).id), created: true };
      });
    } catch (err) {
      throw translate(err, 'body');
    }
  }

  /** Ends an assignment at `endsAt` (default now). 404: no such assignment; 409: already over. */
  async end(id: string, endsAt: Date | undefined): Promise<Assignment> {
    try {
      return await this.tx(async (tx) => {
        const rows = await tx.query<{ starts_at: Date | string; over: boolean; valid: boolean }>(
          `select starts_at, (ends_at is not null and ends_at <= now()) as over,
             coalesce($2::timestamptz, now()) > starts_at as valid
           from driver_assignments where id = $1 for update`,
          [id, endsAt ?? null],
        );
        const row = rows[0];
        if (!row) throw new ApiError('not_found', 'No such assignment.');
        if (row.over) throw new ApiError('conflict', 'This assignment has already ended.');
        if (!row.valid)
          throw new ApiError('validation_failed', 'An assignment ends after it starts.', {
            details: [
              {
                path: 'query.endsAt',
                message: `an assignment ends after it starts (${new Date(row.starts_at).toISOString()})`,
              },
            ],
          });
        await tx.query(
          'update driver_assignments set ends_at = coalesce($2::timestamptz, now()) where id = $1',
          [id, endsAt ?? null],
        );
        return selectAssignment(tx, id);
      });
    } catch (err) {
      throw translate(err, 'query.endsAt');
    }
  }

  async forDriver(driverId: string, page: { limit: number; offset: number }): Promise<AssignmentPage> {
    return this.tx(async (tx) => {
      await this.driverExists(tx, driverId);
      return this.pageOf(tx, 'x.driver_id = $1', driverId, page);
    });
  }

  async forVehicle(vehicleId: string, page: { limit: number; offset: number }): Promise<AssignmentPage> {
    return this.tx(async (tx) => {
      await this.vehicleExists(tx, vehicleId);
      return this.pageOf(tx, 'x.asset_id = $1', vehicleId, page);
    });
  }

  /** The vehicle's ongoing assignment, if any; 404 when there is no such vehicle. */
  async currentOfVehicle(vehicleId: string): Promise<Assignment | undefined> {
    return this.tx(async (tx) => {
      await this.vehicleExists(tx, vehicleId);
      const [current] = await selectAssignments(
        tx,
        'x.asset_id = $1 and x.starts_at <= now() and (x.ends_at is null or x.ends_at > now())',
        [vehicleId],
      );
      return current;
    });
  }

  private async pageOf(
    tx: SqlExecutor,
    where: string,
    id: string,
    page: { limit: number; offset: number },
  ): Promise<AssignmentPage> {
    const count = await tx.query<{ n: number | string }>(
      `select count(*) as n from driver_assignments x where ${where}`,
      [id],
    );
    return { items: await selectAssignments(tx, where, [id], page), total: Number(count[0]?.n ?? 0) };
  }

  private async driverExists(tx: SqlExecutor, id: string): Promise<void> {
    const rows = await tx.query<{ id: string }>('select id from drivers where id = $1', [id]);
    if (!rows[0]) throw new ApiError('not_found', 'No such driver.');
  }

  private async vehicleExists(tx: SqlExecutor, id: string): Promise<void> {
    const rows = await tx.query<{ id: string }>("select id from assets where id = $1 and kind = 'vehicle'", [
      id,
    ]);
    if (!rows[0]) throw new ApiError('not_found', 'No such vehicle.');
  }
}
