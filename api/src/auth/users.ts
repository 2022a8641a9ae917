// Users of an organisation. Everything an administrator does runs inside `inTenant`, under
// row-level security; only login (which does not yet know the organisation) and the first-start
// bootstrap look users up as the system.
import {
  inAuditedTransaction,
  ORGANISATION_COLUMNS,
  type Organisation,
  type SqlDatabase,
  type SqlExecutor,
  TenantRepository,
} from '@fleet/shared/db';
import { ApiError } from '../http/errors.ts';
import type { Role } from '../permissions.ts';
import { hashPassword } from './passwords.ts';

export interface User {
  id: string;
  orgId: string;
  email: string;
  name: string;
  role: Role;
  /** The department the user belongs to, if any. */
  departmentId: string | null;
  /** Limited to the assets of that department and its sub-departments (enforced by RLS). */
  departmentScope: boolean;
  createdAt: Date;
  disabledAt: Date | null;
  lastLoginAt: Date | null;
}

export interface UserWithHash extends User {
  passwordHash: string;
  /** The user's organisation is suspended by a platform operator: no sign-in, no refresh. */
  organisationSuspended: boolean;
}

interface UserRow {
  id: string;
  org_id: string;
  email: string;
  name: string;
  role: Role;
  password_hash: string;
  department_id: string | null;
  department_scope: boolean;
  created_at: Date | string;
  disabled_at: Date | string | null;
  last_login_at: Date | string | null;
}

const COLUMNS =
  'id::text as id, org_id::text as org_id, email, name, role, password_hash, department_id::text as department_id, department_scope, created_at, disabled_at, last_login_at';

/** The columns of a user with its hash and its organisation's suspension, as the system reads them. */
const WITH_HASH = `${COLUMNS},
  (select suspended_at is not null from organisations o where o.id = users.org_id) as org_suspended`;

function withHash(row: UserRow & { org_suspended: boolean }): UserWithHash {
  return {
    ...toUser(row),
    passwordHash: row.password_hash,
    organisationSuspended: row.org_suspended === true,
  };
}

const date = (v: Date | string | null): Date | null => (v === null ? null : new Date(v));

function toUser(row: UserRow): User {
  return {
    id: row.id,
    orgId: row.org_id,
    email: row.email,
    name: row.name,
    role: row.role,
    departmentId: row.department_id,
    departmentScope: row.department_scope === true,
    createdAt: new Date(row.created_at),
    disabledAt: date(row.disabled_at),
    lastLoginAt: date(row.last_login_at),
  };
}

export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}

function conflictOnDuplicate(err: unknown, email: string): unknown {
  return (err as { code?: string }).code === '23505'
    ? new ApiError('conflict', `A user with the email ${email} already exists.`)
    : err;
}

export interface NewUser {
  email: string;
  name: string;
  role: Role;
  password: string;
  departmentId?: string | null | undefined;
  departmentScope?: boolean | undefined;
}

export interface UserChanges {
  name?: string | undefined;
  role?: Role | undefined;
  password?: string | undefined;
  disabled?: boolean | undefined;
  /** null: no department. */
  departmentId?: string | null | undefined;
  /** true: sees only the assets of their department's subtree; needs a department. */
  departmentScope?: boolean | undefined;
}

/** A scope without a department (users_scope_needs_department) is refused with the field named. */
function scopeNeedsDepartment(err: unknown, path: string): unknown {
  return (err as { code?: string }).code === '23514' &&
    String((err as { message?: string }).message).includes('users_scope_needs_department')
    ? new ApiError('validation_failed', 'A user limited to a department needs a department.', {
        details: [{ path, message: 'a department scope needs a department: set departmentId too' }],
      })
    : err;
}

/** A department of another organisation (or none) is refused like one that does not exist. */
function unknownDepartment(err: unknown): unknown {
  return (err as { code?: string }).code === '23503'
    ? new ApiError('validation_failed', 'No such department.', {
        details: [{ path: 'body.departmentId', message: 'no such department in your organisation' }],
      })
    : err;
}

/**
 * A user who acknowledged, resolved, commented on or is assigned an alert stays: the alert
 * history names who did what (its foreign keys refuse the delete). Disabling signs them out
 * for good and keeps the history; the answer says so.
 */
function actedOnAlerts(err: unknown): unknown {
  const e = err as { code?: string; message?: string; constraint?: string };
  const where = `${e.constraint ?? ''} ${e.message ?? ''}`;
  return e.code === '23503' && /alert/.test(where)
    ? new ApiError(
        'conflict',
        'This user has acted on alerts (acknowledged, resolved, commented on or is assigned one), and the alert history keeps who did what: disable the account instead (PATCH /api/v1/users/{id} with {"disabled": true}), or unassign their alerts first if that is all.',
      )
    : err;
}

/** System-level look-ups, for login and the first start only. */
export class UserDirectory {
  readonly #db: SqlDatabase;
  constructor(db: SqlDatabase) {
    this.#db = db;
  }

  /**
   * The users with this email, in every organisation (an email is unique per organisation, so
   * one address can belong to several), at most `limit`; optionally only in the organisation
   * with this slug.
   */
  async findByEmail(
    email: string,
    options: { organisationSlug?: string | undefined; limit?: number } = {},
  ): Promise<UserWithHash[]> {
    const rows = await this.#db.query<UserRow & { org_suspended: boolean }>(
      `select ${WITH_HASH} from users where email = $1
         and ($3::text is null or org_id = (select id from organisations where slug = $3))
       order by created_at limit $2`,
      [normaliseEmail(email), options.limit ?? 10, options.organisationSlug ?? null],
    );
    return rows.map(withHash);
  }

  async findById(id: string): Promise<UserWithHash | undefined> {
    const rows = await this.#db.query<UserRow & { org_suspended: boolean }>(
      `select ${WITH_HASH} from users where id = $1`,
      [id],
    );
    const row = rows[0];
    return row ? withHash(row) : undefined;
  }

  async count(): Promise<number> {
    const rows = await this.#db.query<{ n: number | string }>('select count(*) as n from users');
    return Number(rows[0]?.n ?? 0);
  }

  async recordLogin(userId: string): Promise<void> {
    await this.#db.query('update users set last_login_at = now() where id = $1', [userId]);
  }

  /** Creates a user as the system (first-start administrator). */
  async create(orgId: string, input: NewUser): Promise<User> {
    // In a transaction that names the caller (operator, CLI), so the audit log says who made it.
    return inAuditedTransaction(this.#db, (tx) => insertUser(tx, orgId, input));
  }
}

async function insertUser(tx: SqlExecutor, orgId: string, input: NewUser): Promise<User> {
  const email = normaliseEmail(input.email);
  const hash = await hashPassword(input.password);
  try {
    const rows = await tx.query<UserRow>(
      `insert into users (org_id, email, name, role, password_hash, department_id, department_scope)
       values ($1, $2, $3, $4, $5, $6, $7) returning ${COLUMNS}`,
      [
        orgId,
        email,
        input.name.trim(),
        input.role,
        hash,
        input.departmentId ?? null,
        input.departmentScope ?? false,
      ],
    );
    return toUser(rows[0] as UserRow);
  } catch (err) {
    throw scopeNeedsDepartment(unknownDepartment(conflictOnDuplicate(err, email)), 'body.departmentScope');
  }
}

/** One organisation's users, every statement under row-level security. */
export class TenantUsers extends TenantRepository {
  /** The organisation itself, as row-level security lets the tenant see it. */
  async organisation(): Promise<Organisation | undefined> {
    const rows = await this.tx((tx) =>
      tx.query<Organisation>(`select ${ORGANISATION_COLUMNS} from organisations`),
    );
    return rows[0];
  }

  /** Users by email; with a department, its members and those of its sub-departments. */
  async list(filter: { departmentId?: string | undefined } = {}): Promise<User[]> {
    const rows = await this.tx((tx) =>
      filter.departmentId === undefined
        ? tx.query<UserRow>(`select ${COLUMNS} from users order by email`)
        : tx.query<UserRow>(
            `with recursive sub as (
               select id from departments where id = $1
               union all
               select d.id from departments d join sub on d.parent_id = sub.id
             )
             select ${COLUMNS} from users where department_id in (select id from sub) order by email`,
            [filter.departmentId],
          ),
    );
    return rows.map(toUser);
  }

  async get(id: string): Promise<User | undefined> {
    const rows = await this.tx((tx) => tx.query<UserRow>(`select ${COLUMNS} from users where id = $1`, [id]));
    return rows[0] ? toUser(rows[0]) : undefined;
  }

  create(input: NewUser): Promise<User> {
    return this.tx((tx) => insertUser(tx, this.orgId, input));
  }

  /**
   * Applies changes; refuses to leave the organisation without an active administrator, so
   * nobody can lock everyone out by mistake.
   */
  async update(id: string, changes: UserChanges): Promise<User | undefined> {
    const hash = changes.password === undefined ? undefined : await hashPassword(changes.password);
    return this.tx(async (tx) => {
      const rows = await tx
        .query<UserRow>(
          `update users set
           name = coalesce($2, name),
           role = coalesce($3, role),
           password_hash = coalesce($4, password_hash),
           disabled_at = case when $5::boolean is null then disabled_at
                              when $5::boolean then coalesce(disabled_at, now()) else null end,
           department_id = case when $7 then $6::uuid else department_id end,
           department_scope = coalesce($8::boolean, department_scope)
         where id = $1 returning ${COLUMNS}`,
          [
            id,
            changes.name?.trim() ?? null,
            changes.role ?? null,
            hash ?? null,
            changes.disabled ?? null,
            changes.departmentId ?? null,
            changes.departmentId !== undefined,
            changes.departmentScope ?? null,
          ],
        )
        .catch((err: unknown) => {
          // Named where the request went wrong: a scope asked for, or a department taken away.
          throw scopeNeedsDepartment(
            unknownDepartment(err),
            changes.departmentScope === true ? 'body.departmentScope' : 'body.departmentId',
          );
        });
      if (!rows[0]) return undefined;
      await assertAnAdminRemains(tx);
      return toUser(rows[0]);
    });
  }

  /** Deletes a user; returns the ids of the sessions that went with it, or undefined if none such. */
  async remove(id: string): Promise<string[] | undefined> {
    return this.tx(async (tx) => {
      const sessions = await tx.query<{ id: string }>(
        'select id::text as id from sessions where user_id = $1',
        [id],
      );
      const rows = await tx
        .query<{ id: string }>('delete from users where id = $1 returning id::text as id', [id])
        .catch((err: unknown) => {
          throw actedOnAlerts(err);
        });
      if (rows.length === 0) return undefined;
      await assertAnAdminRemains(tx);
      return sessions.map((s) => s.id);
    });
  }
}

async function assertAnAdminRemains(tx: SqlExecutor): Promise<void> {
  const rows = await tx.query<{ n: number | string }>(
    "select count(*) as n from users where role = 'admin' and disabled_at is null",
  );
  if (Number(rows[0]?.n ?? 0) === 0) {
    throw new ApiError('conflict', 'The organisation must keep at least one active administrator.');
  }
}
