// Tenant isolation in the database: work for one organisation runs in a transaction under the
// role fleet_tenant with the organisation set as a transaction-local setting, so PostgreSQL's
// row-level security (migration 0002) filters every statement, whatever the SQL says.
import { FleetError } from '../errors.ts';
import { applyAuditActor } from './audit.ts';
import type { SqlDatabase, SqlExecutor } from './database.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function inTenant<T>(db: SqlDatabase, orgId: string, fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
  if (!UUID.test(orgId)) throw new FleetError('invalid_tenant', 'the organisation id is not a uuid');
  return db.transaction(async (tx) => {
    await tx.exec('set local role fleet_tenant');
    await tx.query("select set_config('fleet.org_id', $1, true)", [orgId]);
    await applyAuditActor(tx);
    return fn(tx);
  });
}

/**
 * The base of every repository of one organisation's data: each call runs in `inTenant`, so
 * row-level security filters whatever the SQL says.
 */
export abstract class TenantRepository {
  protected readonly db: SqlDatabase;
  protected readonly orgId: string;

  constructor(db: SqlDatabase, orgId: string) {
    this.db = db;
    this.orgId = orgId;
  }

  protected tx<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    return inTenant(this.db, this.orgId, fn);
  }
}
