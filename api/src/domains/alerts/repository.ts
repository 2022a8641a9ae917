// Alerts of one organisation (migration 0012) as people work them: listed newest first,
// counted for the console's badge, read with their timeline, acknowledged, resolved, reopened,
// assigned and commented. The rule engine (ingest/src/rules) raises, updates and resolves them
// itself as the table's owner; this side changes only what people decide, under row-level
// security: another organisation's alert, or for a user with a department scope one of an asset
// outside it, is not found whatever id is asked for.
//
// A change locks the alert's row first (select ... for update) and checks its state under the
// lock, so of two people acknowledging at once one wins and the other is told (409), and every
// change writes its alert_activity row in the same transaction.
import {
  ALERT_COLUMNS,
  ALERT_FROM,
  type AlertRow,
  type SqlExecutor,
  type SqlParam,
  TenantRepository,
  toAlertRecord,
} from '@fleet/shared/db';
import type { AlertRecord, AlertSeverity, AlertState, RuleKind } from '@fleet/shared/rules';
import { ApiError } from '../../http/errors.ts';
import { type KeysetKey, keysetAt, nextKey } from '../../routes/keyset.ts';
import type { AlertAction } from './schemas.ts';

export interface AlertFilter {
  states?: readonly AlertState[] | undefined;
  severities?: readonly AlertSeverity[] | undefined;
  kind?: RuleKind | undefined;
  assetId?: string | undefined;
  deviceId?: string | undefined;
  ruleId?: string | undefined;
  /** Started at or after, ms. */
  from?: number | undefined;
  /** Started before, ms. */
  to?: number | undefined;
  active?: boolean | undefined;
  includeSuppressed: boolean;
  /** Alerts after this one in the list's order (raised earlier, or as early with a smaller id). */
  after?: KeysetKey | undefined;
}

export interface AlertActivity {
  id: string;
  at: Date;
  action: AlertAction;
  actorId: string | null;
  actorName: string | null;
  note: string | null;
}

export interface AlertSummary {
  total: number;
  bySeverity: Record<AlertSeverity, number>;
  byState: { open: number; acknowledged: number };
}

export type AlertWithActivity = AlertRecord & { activity: AlertActivity[] };

/** What a person did to an alert, and whether it changed anything others should hear of. */
export interface AlertOutcome {
  alert: AlertWithActivity;
  /** False when nothing changed (assigning the assignee it has): nothing to publish. */
  changed: boolean;
}

interface ActivityRow {
  id: string;
  at: Date | string;
  action: AlertAction;
  actor_id: string | null;
  actor_name: string | null;
  note: string | null;
}

const conflict = (message: string) => new ApiError('conflict', message);
const when = (at: string | null) => (at === null ? '' : ` at ${at}`);

async function readAlert(tx: SqlExecutor, id: string, lock = false): Promise<AlertRecord | undefined> {
  const rows = await tx.query<AlertRow>(
    `select ${ALERT_COLUMNS} from ${ALERT_FROM} where a.id = $1${lock ? ' for update of a' : ''}`,
    [id],
  );
  return rows[0] ? toAlertRecord(rows[0]) : undefined;
}

async function readActivity(tx: SqlExecutor, alertId: string): Promise<AlertActivity[]> {
  const rows = await tx.query<ActivityRow>(
    `select x.id::text as id, x.at, x.action, x.actor_id::text as actor_id, u.name as actor_name, x.note
     from alert_activity x left join users u on u.id = x.actor_id
     where x.alert_id = $1 order by x.id`,
    [alertId],
  );
  return rows.map((r) => ({
    id: r.id,
    at: new Date(r.at),
    action: r.action,
    actorId: r.actor_id,
    actorName: r.actor_name,
    note: r.note,
  }));
}

/**
 * A rule switched off or archived: its alerts whose condition still held are ended now (nothing
 * watches the condition any more, so it would never clear) and resolved if nobody had, with the
 * reason on their timelines. In the caller's transaction; the changed alerts, to publish once
 * it commits. Alerts already ended, and resolved ones, are left as they are.
 */
export async function endAlertsOfRule(
  tx: SqlExecutor,
  orgId: string,
  ruleId: string,
  userId: string,
  reason: string,
): Promise<AlertRecord[]> {
  const rows = await tx.query<{ id: string; was_resolved: boolean }>(
    `with ended as (
       select id, state = 'resolved' as was_resolved from alerts where rule_id = $1 and active for update
     )
     update alerts a set active = false, ended_at = greatest(a.started_at, now()),
       state = 'resolved', resolved_at = coalesce(a.resolved_at, now()),
       resolved_by = case when a.state = 'resolved' then a.resolved_by else $2::uuid end, updated_at = now()
     from ended where a.id = ended.id
     returning a.id::text as id, ended.was_resolved`,
    [ruleId, userId],
  );
  const out: AlertRecord[] = [];
  for (const row of rows) {
    await tx.query(
      'insert into alert_activity (org_id, alert_id, action, actor_id, note) values ($1, $2, $3, $4, $5)',
      [orgId, row.id, row.was_resolved ? 'condition_cleared' : 'resolved', userId, reason],
    );
    const alert = await readAlert(tx, row.id);
    if (alert) out.push(alert);
  }
  return out;
}

export class Alerts extends TenantRepository {
  /** Up to `limit` alerts, newest raised first, and the key to go on from when there are more. */
  async page(filter: AlertFilter, limit: number): Promise<{ items: AlertRecord[]; next: KeysetKey | null }> {
    const where = ['a.org_id = $1'];
    const params: SqlParam[] = [this.orgId];
    const param = (value: SqlParam) => {
      params.push(value);
      return `$${params.length}`;
    };
    if (filter.states !== undefined) where.push(`a.state = any(${param(filter.states)}::text[])`);
    if (filter.severities !== undefined) where.push(`a.severity = any(${param(filter.severities)}::text[])`);
    if (filter.kind !== undefined) where.push(`a.kind = ${param(filter.kind)}`);
    if (filter.assetId !== undefined) where.push(`a.asset_id = ${param(filter.assetId)}::uuid`);
    if (filter.deviceId !== undefined) where.push(`a.device_id = ${param(filter.deviceId)}`);
    if (filter.ruleId !== undefined) where.push(`a.rule_id = ${param(filter.ruleId)}::uuid`);
    if (filter.from !== undefined) where.push(`a.started_at >= ${param(new Date(filter.from))}::timestamptz`);
    if (filter.to !== undefined) where.push(`a.started_at < ${param(new Date(filter.to))}::timestamptz`);
    if (filter.active !== undefined) where.push(`a.active = ${param(filter.active)}`);
    if (!filter.includeSuppressed) where.push('a.suppressed_by is null');
    if (filter.after !== undefined)
      where.push(
        `(a.raised_at, a.id) < (${param(filter.after.at)}::timestamptz, ${param(filter.after.id)}::uuid)`,
      );
    // One more than asked tells whether another page exists without counting.
    const rows = await this.tx((tx) =>
      tx.query<AlertRow & { cursor_at: string }>(
        `select ${ALERT_COLUMNS}, ${keysetAt('a.raised_at')} as cursor_at from ${ALERT_FROM}
         where ${where.join(' and ')}
         order by a.raised_at desc, a.id desc
         limit ${Math.trunc(limit) + 1}`,
        params,
      ),
    );
    return {
      items: rows.slice(0, limit).map(toAlertRecord),
      next: nextKey(rows, limit, (r) => ({ at: r.cursor_at, id: r.id })),
    };
  }

  /** Alerts not resolved and not suppressed, by severity and by state. */
  async summary(): Promise<AlertSummary> {
    const rows = await this.tx((tx) =>
      tx.query<{ severity: AlertSeverity; state: 'open' | 'acknowledged'; n: number | string }>(
        `select severity, state, count(*) as n from alerts
         where state <> 'resolved' and suppressed_by is null group by severity, state`,
      ),
    );
    const summary: AlertSummary = {
      total: 0,
      bySeverity: { info: 0, warning: 0, critical: 0 },
      byState: { open: 0, acknowledged: 0 },
    };
    for (const r of rows) {
      const n = Number(r.n);
      summary.total += n;
      summary.bySeverity[r.severity] += n;
      summary.byState[r.state] += n;
    }
    return summary;
  }

  /** The alert and its timeline; undefined when there is none the caller may see. */
  async get(id: string): Promise<AlertWithActivity | undefined> {
    return this.tx(async (tx) => {
      const alert = await readAlert(tx, id);
      return alert && { ...alert, activity: await readActivity(tx, id) };
    });
  }

  /** Open to acknowledged, by this user. */
  acknowledge(id: string, userId: string): Promise<AlertOutcome | undefined> {
    return this.change(id, userId, async (tx, alert) => {
      if (alert.state === 'acknowledged')
        throw conflict(`The alert was acknowledged already${when(alert.acknowledgedAt)}.`);
      if (alert.state === 'resolved')
        throw conflict(`The alert is resolved${when(alert.resolvedAt)}: reopen it to acknowledge it.`);
      await tx.query(
        `update alerts set state = 'acknowledged', acknowledged_at = now(), acknowledged_by = $2,
           updated_at = now() where id = $1`,
        [id, userId],
      );
      return { action: 'acknowledged', note: null };
    });
  }

  /** Open or acknowledged to resolved, by this user, with an optional note. */
  resolve(id: string, userId: string, note: string | null): Promise<AlertOutcome | undefined> {
    return this.change(id, userId, async (tx, alert) => {
      if (alert.state === 'resolved')
        throw conflict(`The alert is resolved already${when(alert.resolvedAt)}.`);
      await tx.query(
        `update alerts set state = 'resolved', resolved_at = now(), resolved_by = $2, updated_at = now()
         where id = $1`,
        [id, userId],
      );
      return { action: 'resolved', note };
    });
  }

  /**
   * Resolved back to open: resolved and acknowledged are cleared, so it is worked again from the
   * start (the timeline keeps who did what before).
   */
  reopen(id: string, userId: string): Promise<AlertOutcome | undefined> {
    return this.change(id, userId, async (tx, alert) => {
      if (alert.state !== 'resolved')
        throw conflict(`The alert is ${alert.state}, not resolved: only a resolved alert can be reopened.`);
      await tx.query(
        `update alerts set state = 'open', resolved_at = null, resolved_by = null, acknowledged_at = null,
           acknowledged_by = null, updated_at = now() where id = $1`,
        [id],
      );
      return { action: 'reopened', note: null };
    });
  }

  /** Assigns the alert to an active user of the organisation, or to nobody. */
  assign(id: string, userId: string, assigneeId: string | null): Promise<AlertOutcome | undefined> {
    return this.change(id, userId, async (tx, alert) => {
      if (alert.assigneeId === assigneeId) return undefined;
      let name: string | null = null;
      if (assigneeId !== null) {
        const users = await tx.query<{ name: string }>(
          'select name from users where id = $1 and disabled_at is null',
          [assigneeId],
        );
        if (!users[0])
          throw new ApiError('validation_failed', 'No such active user in your organisation.', {
            details: [{ path: 'body.assigneeId', message: 'no such active user in your organisation' }],
          });
        name = users[0].name;
      }
      await tx.query('update alerts set assignee_id = $2, updated_at = now() where id = $1', [
        id,
        assigneeId,
      ]);
      return assigneeId === null ? { action: 'unassigned', note: null } : { action: 'assigned', note: name };
    });
  }

  /** A comment on the alert's timeline. */
  comment(id: string, userId: string, body: string): Promise<AlertOutcome | undefined> {
    return this.change(id, userId, async (tx) => {
      // updated_at too: a console showing the alert sees that its timeline grew.
      await tx.query('update alerts set updated_at = now() where id = $1', [id]);
      return { action: 'commented', note: body };
    });
  }

  /**
   * Locks the alert, lets `apply` check and change it (undefined: nothing to do), writes the
   * activity row and reads the alert back, all in one transaction. Undefined: no such alert.
   */
  private async change(
    id: string,
    userId: string,
    apply: (
      tx: SqlExecutor,
      alert: AlertRecord,
    ) => Promise<{ action: AlertAction; note: string | null } | undefined>,
  ): Promise<AlertOutcome | undefined> {
    return this.tx(async (tx) => {
      const current = await readAlert(tx, id, true);
      if (!current) return undefined;
      const done = await apply(tx, current);
      if (done !== undefined)
        await tx.query(
          'insert into alert_activity (org_id, alert_id, action, actor_id, note) values ($1, $2, $3, $4, $5)',
          [this.orgId, id, done.action, userId, done.note],
        );
      const alert = (await readAlert(tx, id)) as AlertRecord;
      return { alert: { ...alert, activity: await readActivity(tx, id) }, changed: done !== undefined };
    });
  }
}
