// What the platform holds about one driver, gathered for a subject access request (GDPR art. 15)
// in one transaction, so the profile, the assignments and the audit entries agree with each
// other: the driver's row, the linked user account, every assignment with its vehicle, and
// every audit entry about the driver or their assignments.
import { inTenant, jsonColumn, type SqlDatabase, type SqlExecutor } from '@fleet/shared/db';
import { type Assignment, selectAssignments } from './assignments.ts';
import { type Driver, selectDriver } from './repository.ts';

export interface AuditEntry {
  id: string;
  at: Date;
  /** Who made the change, as the log names them (an email, `cli:...`, `system`). */
  actor: string;
  entity: string;
  entityId: string;
  action: 'create' | 'update' | 'delete';
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
}

export interface PersonalData {
  driver: Driver;
  userAccount: { id: string; email: string; name: string; role: string } | null;
  assignments: Assignment[];
  auditLog: AuditEntry[];
}

type Json = Record<string, unknown> | null;
const json = (value: Json | string): Json => jsonColumn<Json>(value);

/** Changes to the driver and to their assignments, oldest first. */
export async function driverAuditEntries(tx: SqlExecutor, driverId: string): Promise<AuditEntry[]> {
  const rows = await tx.query<{
    id: string;
    at: Date | string;
    actor_label: string;
    entity: string;
    entity_id: string;
    action: AuditEntry['action'];
    before: Json | string;
    after: Json | string;
  }>(
    `select id::text as id, at, actor_label, entity, entity_id, action, before, after from audit_log
     where (entity = 'driver' and entity_id = $1)
        or (entity = 'driver_assignment'
            and entity_id in (select id::text from driver_assignments where driver_id = $1::uuid))
     order by at, id`,
    [driverId],
  );
  return rows.map((r) => ({
    id: r.id,
    at: new Date(r.at),
    actor: r.actor_label,
    entity: r.entity,
    entityId: r.entity_id,
    action: r.action,
    before: json(r.before),
    after: json(r.after),
  }));
}

/** Undefined when there is no such driver in the organisation. */
export function driverPersonalData(
  db: SqlDatabase,
  orgId: string,
  driverId: string,
): Promise<PersonalData | undefined> {
  return inTenant(db, orgId, async (tx) => {
    const driver = await selectDriver(tx, driverId);
    if (!driver) return undefined;
    const users =
      driver.userId === null
        ? []
        : await tx.query<{ id: string; email: string; name: string; role: string }>(
            'select id::text as id, email, name, role from users where id = $1',
            [driver.userId],
          );
    return {
      driver,
      userAccount: users[0] ?? null,
      assignments: await selectAssignments(tx, 'x.driver_id = $1', [driverId]),
      auditLog: await driverAuditEntries(tx, driverId),
    };
  });
}
