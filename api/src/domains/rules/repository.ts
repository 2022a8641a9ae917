// Rules of one organisation in PostgreSQL (migration 0012). Every statement runs in inTenant, so
// another organisation's rule is not found whatever id is asked for. A rule is never deleted:
// DELETE archives it (archived_at), so the alerts it raised keep their rule and its name; an
// archived rule is gone from every route and its name is free again.
//
// The scope's ids are checked here, in the transaction that writes them: departments and places
// of the organisation, assets that are not retired and that the caller sees. A caller with a
// department scope (currentDepartmentScope) writes only rules that watch assets of their
// subtree: named departments inside it, assets the assets policy shows them, and {} becomes
// their own department, never the whole organisation.
import type { AlertRecord } from '@fleet/shared';
import {
  currentDepartmentScope,
  jsonColumn as json,
  type SqlExecutor,
  type SqlParam,
  TenantRepository,
} from '@fleet/shared/db';
import type { AlertSeverity, RuleKind, RuleSchedule, RuleScope } from '@fleet/shared/rules';
import { ApiError, type ErrorDetail } from '../../http/errors.ts';
import { endAlertsOfRule } from '../alerts/repository.ts';
import { departmentSubtree } from '../assets/repository.ts';
import { type NewRule, paramIssues, placeScopeIssues, type RuleChanges } from './schemas.ts';

export interface Rule {
  id: string;
  name: string;
  kind: RuleKind;
  severity: AlertSeverity;
  enabled: boolean;
  params: Record<string, unknown>;
  scope: RuleScope;
  schedule: RuleSchedule | null;
  createdAt: Date;
  updatedAt: Date;
}

/** A changed rule, and its alerts that ended with it (switched off): to publish once committed. */
export interface RuleChangeOutcome {
  rule: Rule;
  endedAlerts: AlertRecord[];
}

export interface RuleFilter {
  kind?: RuleKind | undefined;
  enabled?: boolean | undefined;
  /** Case-insensitive substring of the name. */
  nameContains?: string | undefined;
  limit: number;
  offset: number;
}

interface RuleRow {
  id: string;
  name: string;
  kind: RuleKind;
  severity: AlertSeverity;
  enabled: boolean;
  params: Record<string, unknown> | string;
  scope: Partial<RuleScope> | string;
  schedule: RuleSchedule | string | null;
  created_at: Date | string;
  updated_at: Date | string;
}

const COLUMNS =
  'id::text as id, name, kind, severity, enabled, params, scope, schedule, created_at, updated_at';

function toRule(row: RuleRow): Rule {
  const scope = json(row.scope);
  return {
    id: row.id,
    name: row.name,
    kind: row.kind,
    severity: row.severity,
    enabled: row.enabled,
    params: json(row.params),
    scope: {
      departmentIds: scope.departmentIds ?? [],
      assetIds: scope.assetIds ?? [],
      placeIds: scope.placeIds ?? [],
      placeCategories: scope.placeCategories ?? [],
    },
    schedule: row.schedule === null ? null : json(row.schedule),
    createdAt: new Date(row.created_at),
    updatedAt: new Date(row.updated_at),
  };
}

const invalid = (details: ErrorDetail[]) =>
  new ApiError('validation_failed', `Invalid body: ${details[0]?.message ?? 'bad value'}`, {
    details: details.slice(0, 20),
  });

const issuesToDetails = (issues: { path: PropertyKey[]; message: string }[]): ErrorDetail[] =>
  issues.map((i) => ({ path: ['body', ...i.path.map(String)].join('.'), message: i.message }));

function translate(err: unknown, name: string | undefined): unknown {
  if ((err as { code?: string }).code === '23505')
    return new ApiError('conflict', `A rule named "${name}" already exists (names are unique in any case).`, {
      details: [{ path: 'body.name', message: 'another rule of the organisation has this name' }],
    });
  return err;
}

const unique = (ids: readonly string[]) => [...new Set(ids.map((id) => id.toLowerCase()))];

/** The ids of `ids` that the query finds, as a set. */
async function found(tx: SqlExecutor, sql: string, ids: readonly string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const rows = await tx.query<{ id: string }>(sql, [unique(ids)]);
  return new Set(rows.map((r) => r.id));
}

/**
 * The scope as it is stored: ids lower-cased and each once, every one checked; a scoped caller's
 * {} is their own department. Throws a 400 naming each id that is wrong (`body.scope.assetIds.2`).
 */
async function checkedScope(tx: SqlExecutor, scope: RuleScope): Promise<RuleScope> {
  const department = currentDepartmentScope();
  const details: ErrorDetail[] = [];
  const subtree = department === undefined ? undefined : new Set(await departmentSubtree(tx, department));
  const departments = await found(
    tx,
    'select id::text as id from departments where id = any($1::uuid[])',
    scope.departmentIds,
  );
  scope.departmentIds.forEach((id, i) => {
    const key = id.toLowerCase();
    if (!departments.has(key))
      details.push({
        path: `body.scope.departmentIds.${i}`,
        message: 'no such department in your organisation',
      });
    else if (subtree !== undefined && !subtree.has(key))
      details.push({
        path: `body.scope.departmentIds.${i}`,
        message: 'outside your department scope: give your department or one below it',
      });
  });
  // The assets policy hides the assets outside a scoped caller's subtree: they are not found.
  const assets = await found(
    tx,
    "select id::text as id from assets where id = any($1::uuid[]) and status <> 'retired'",
    scope.assetIds,
  );
  scope.assetIds.forEach((id, i) => {
    if (!assets.has(id.toLowerCase()))
      details.push({
        path: `body.scope.assetIds.${i}`,
        message:
          department === undefined
            ? 'no such vehicle or equipment item in your organisation (retired ones are not watched)'
            : 'no such vehicle or equipment item in your department scope (retired ones are not watched)',
      });
  });
  const places = await found(
    tx,
    'select id::text as id from places where id = any($1::uuid[])',
    scope.placeIds,
  );
  scope.placeIds.forEach((id, i) => {
    if (!places.has(id.toLowerCase()))
      details.push({ path: `body.scope.placeIds.${i}`, message: 'no such place in your organisation' });
  });
  if (details.length > 0) throw invalid(details);
  const stored = {
    departmentIds: unique(scope.departmentIds),
    assetIds: unique(scope.assetIds),
    placeIds: unique(scope.placeIds),
    placeCategories: [...new Set(scope.placeCategories)],
  };
  if (department !== undefined && stored.departmentIds.length === 0 && stored.assetIds.length === 0)
    stored.departmentIds = [department];
  return stored;
}

/** Whether a stored rule watches only assets of the scoped caller's subtree (true for an unscoped caller). */
async function withinCallerScope(tx: SqlExecutor, scope: RuleScope): Promise<boolean> {
  const department = currentDepartmentScope();
  if (department === undefined) return true;
  if (scope.departmentIds.length === 0 && scope.assetIds.length === 0) return false;
  const subtree = new Set(await departmentSubtree(tx, department));
  if (!scope.departmentIds.every((id) => subtree.has(id))) return false;
  const assets = await found(
    tx,
    'select id::text as id from assets where id = any($1::uuid[])',
    scope.assetIds,
  );
  return scope.assetIds.every((id) => assets.has(id));
}

const outsideScope = () =>
  new ApiError(
    'forbidden',
    'This rule watches assets outside your department scope: someone without a department scope can change it.',
  );

async function getRule(tx: SqlExecutor, id: string, lock = false): Promise<Rule | undefined> {
  const rows = await tx.query<RuleRow>(
    `select ${COLUMNS} from rules where id = $1 and archived_at is null${lock ? ' for update' : ''}`,
    [id],
  );
  return rows[0] ? toRule(rows[0]) : undefined;
}

export class Rules extends TenantRepository {
  /** A page by name; filters are parameters, never SQL text. */
  async page(filter: RuleFilter): Promise<{ items: Rule[]; total: number }> {
    const where = ['archived_at is null'];
    const params: SqlParam[] = [];
    const param = (value: SqlParam) => {
      params.push(value);
      return `$${params.length}`;
    };
    if (filter.kind !== undefined) where.push(`kind = ${param(filter.kind)}`);
    if (filter.enabled !== undefined) where.push(`enabled = ${param(filter.enabled)}`);
    if (filter.nameContains !== undefined && filter.nameContains !== '')
      where.push(`name ilike ${param(`%${filter.nameContains.replace(/[\\%_]/g, (c) => `\\${c}`)}%`)}`);
    const clause = where.join(' and ');
    return this.tx(async (tx) => {
      const count = await tx.query<{ n: number | string }>(
        `select count(*) as n from rules where ${clause}`,
        params,
      );
      const rows = await tx.query<RuleRow>(
        `select ${COLUMNS} from rules where ${clause} order by lower(name), id
         limit ${Math.trunc(filter.limit)} offset ${Math.trunc(filter.offset)}`,
        params,
      );
      return { items: rows.map(toRule), total: Number(count[0]?.n ?? 0) };
    });
  }

  /** Undefined when there is no such rule (in this organisation, not archived). */
  async get(id: string): Promise<Rule | undefined> {
    return this.tx((tx) => getRule(tx, id));
  }

  async create(input: NewRule): Promise<Rule> {
    try {
      return await this.tx(async (tx) => {
        const scope = await checkedScope(tx, input.scope);
        const rows = await tx.query<RuleRow>(
          `insert into rules (org_id, name, kind, severity, enabled, params, scope, schedule)
           values ($1, $2, $3, $4, $5, $6::jsonb, $7::jsonb, $8::jsonb) returning ${COLUMNS}`,
          [
            this.orgId,
            input.name,
            input.kind,
            input.severity,
            input.enabled,
            JSON.stringify(input.params),
            JSON.stringify(scope),
            input.schedule === null ? null : JSON.stringify(input.schedule),
          ],
        );
        return toRule(rows[0] as RuleRow);
      });
    } catch (err) {
      throw translate(err, input.name);
    }
  }

  /**
   * Undefined when there is no such rule. Parameters are checked against the rule's kind and
   * replace the stored ones (absent ones take their defaults); a scope replaces the stored one.
   */
  async update(id: string, changes: RuleChanges, actorId: string): Promise<RuleChangeOutcome | undefined> {
    try {
      return await this.tx(async (tx) => {
        const current = await getRule(tx, id, true);
        if (!current) return undefined;
        if (!(await withinCallerScope(tx, current.scope))) throw outsideScope();
        const issues = changes.scope === undefined ? [] : placeScopeIssues(current.kind, changes.scope);
        let params: unknown;
        if (changes.params !== undefined) {
          const checked = paramIssues(current.kind, changes.params);
          if ('issues' in checked) issues.unshift(...checked.issues);
          else params = checked.params;
        }
        if (issues.length > 0) throw invalid(issuesToDetails(issues));
        const set = ['updated_at = now()'];
        const values: SqlParam[] = [id];
        const param = (value: SqlParam) => {
          values.push(value);
          return `$${values.length}`;
        };
        if (changes.name !== undefined) set.push(`name = ${param(changes.name)}`);
        if (changes.severity !== undefined) set.push(`severity = ${param(changes.severity)}`);
        if (changes.enabled !== undefined) set.push(`enabled = ${param(changes.enabled)}`);
        if (params !== undefined) set.push(`params = ${param(JSON.stringify(params))}::jsonb`);
        if (changes.scope !== undefined)
          set.push(`scope = ${param(JSON.stringify(await checkedScope(tx, changes.scope)))}::jsonb`);
        if (changes.schedule !== undefined)
          set.push(
            `schedule = ${param(changes.schedule === null ? null : JSON.stringify(changes.schedule))}::jsonb`,
          );
        const rows = await tx.query<RuleRow>(
          `update rules set ${set.join(', ')} where id = $1 returning ${COLUMNS}`,
          values,
        );
        if (!rows[0]) return undefined;
        const switchedOff = current.enabled && changes.enabled === false;
        const endedAlerts = switchedOff
          ? await endAlertsOfRule(tx, this.orgId, id, actorId, 'the rule was switched off')
          : [];
        return { rule: toRule(rows[0]), endedAlerts };
      });
    } catch (err) {
      throw translate(err, changes.name);
    }
  }

  /**
   * Archives the rule (it stops running, its alerts keep it, those still active end); undefined
   * when there is no such rule.
   */
  async archive(id: string, actorId: string): Promise<{ endedAlerts: AlertRecord[] } | undefined> {
    return this.tx(async (tx) => {
      const current = await getRule(tx, id, true);
      if (!current) return undefined;
      if (!(await withinCallerScope(tx, current.scope))) throw outsideScope();
      // enabled too: whichever column a reader of rules looks at, an archived rule does not run.
      await tx.query(
        'update rules set archived_at = now(), enabled = false, updated_at = now() where id = $1',
        [id],
      );
      return { endedAlerts: await endAlertsOfRule(tx, this.orgId, id, actorId, 'the rule was archived') };
    });
  }
}
