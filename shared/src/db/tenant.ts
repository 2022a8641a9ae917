// Tenant isolation in the database: work for one organisation runs in a transaction under the
// role fleet_tenant with the organisation set as a transaction-local setting, so PostgreSQL's
// row-level security (migration 0002) filters every statement, whatever the SQL says.
import { AsyncLocalStorage } from 'node:async_hooks';
import { FleetError } from '../errors.ts';
import { applyAuditActor } from './audit.ts';
import type { SqlDatabase, SqlExecutor } from './database.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

// The department scope of the caller (users.department_scope, migration 0009): the HTTP server
// runs a scoped user's request inside `withDepartmentScope`, and every inTenant transaction of
// that request sets fleet.scope_department, which the assets policy filters on. Carried like
// the audit actor, so no repository can forget to pass it.
const scope = new AsyncLocalStorage<string | undefined>();

/** Runs `fn` with (or, given undefined, without) a department scope for inTenant. */
export function withDepartmentScope<T>(departmentId: string | undefined, fn: () => T): T {
  if (departmentId !== undefined && !UUID.test(departmentId))
    throw new FleetError('invalid_scope', 'the scope department id is not a uuid');
  return scope.run(departmentId, fn);
}

/** The department the current work is limited to, if any. */
export function currentDepartmentScope(): string | undefined {
  return scope.getStore();
}

// A transaction that the repositories' own transactions join (a bulk import: many creates and
// updates that land together or not at all), so a repository need not know it runs in one.
interface Joined {
  db: SqlDatabase;
  orgId: string;
  tx: SqlExecutor;
}
const joined = new AsyncLocalStorage<Joined>();

/**
 * Runs `fn` in one tenant transaction that every inTenant of this database and organisation
 * inside it joins: all of their writes commit together, and a throw anywhere rolls all back.
 */
export function inOneTenantTransaction<T>(
  db: SqlDatabase,
  orgId: string,
  fn: (tx: SqlExecutor) => Promise<T>,
): Promise<T> {
  return inTenant(db, orgId, (tx) => joined.run({ db, orgId, tx }, () => fn(tx)));
}

export function inTenant<T>(db: SqlDatabase, orgId: string, fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
  if (!UUID.test(orgId)) throw new FleetError('invalid_tenant', 'the organisation id is not a uuid');
  const outer = joined.getStore();
  if (outer !== undefined && outer.db === db && outer.orgId === orgId) return fn(outer.tx);
  return db.transaction(async (tx) => {
    await tx.exec('set local role fleet_tenant');
    // Always both, in one round trip: '' is "no scope" to the policy.
    await tx.query(
      "select set_config('fleet.org_id', $1, true), set_config('fleet.scope_department', $2, true)",
      [orgId, scope.getStore() ?? ''],
    );
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
