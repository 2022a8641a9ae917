// The audit log of one organisation (migration 0008), read under row-level security. The
// database writes it (the fleet_audit trigger); nothing here can add, change or remove an entry,
// and the tenant role could not if it tried. Each filter is served by an index of 0008, newest
// first, so a page reads about `limit` index entries whatever the size of the log (bench:api).
import { type AuditActorKind, jsonColumn, type SqlParam, TenantRepository } from '@fleet/shared/db';
import { keysetAt, nextKey } from '../../routes/keyset.ts';
import type { AuditAction, AuditKey } from './schemas.ts';

export interface AuditFilter {
  entity?: string | undefined;
  entityId?: string | undefined;
  actorId?: string | undefined;
  actorKind?: AuditActorKind | undefined;
  action?: AuditAction | undefined;
  /** ms since the Unix epoch, inclusive. */
  from?: number | undefined;
  /** ms since the Unix epoch, exclusive. */
  to?: number | undefined;
  /** Entries after this one in the log's order (older, or as old with a smaller id). */
  after?: AuditKey | undefined;
}

export interface AuditEntry {
  id: string;
  /** ISO 8601 with microseconds, UTC. */
  at: string;
  actor: {
    kind: AuditActorKind;
    id: string | null;
    label: string;
    email: string | null;
    name: string | null;
  };
  address: string | null;
  entity: string;
  entityId: string;
  action: AuditAction;
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
}

interface AuditRow {
  id: string;
  at: string;
  actor_kind: AuditActorKind;
  actor_id: string | null;
  actor_label: string;
  actor_email: string | null;
  actor_name: string | null;
  address: string | null;
  entity: string;
  entity_id: string;
  action: AuditAction;
  before: Record<string, unknown> | string | null;
  after: Record<string, unknown> | string | null;
}

const json = (v: Record<string, unknown> | string | null) => jsonColumn<Record<string, unknown> | null>(v);

function toEntry(row: AuditRow): AuditEntry {
  return {
    id: String(row.id),
    at: row.at,
    actor: {
      kind: row.actor_kind,
      id: row.actor_id,
      label: row.actor_label,
      email: row.actor_email,
      name: row.actor_name,
    },
    address: row.address,
    entity: row.entity,
    entityId: row.entity_id,
    action: row.action,
    before: json(row.before),
    after: json(row.after),
  };
}

/**
 * The SQL of one page: newest first, `limit` entries. Exported so a test can EXPLAIN exactly
 * what runs. The actor's email and name come from the user; once the user is deleted, from the
 * entry that deleted it (so a GDPR erasure of that user erases them here too).
 */
export function auditPageQuery(
  orgId: string,
  filter: AuditFilter,
  limit: number,
): { text: string; params: SqlParam[] } {
  const where = ['a.org_id = $1'];
  const params: SqlParam[] = [orgId];
  const param = (value: SqlParam) => {
    params.push(value);
    return `$${params.length}`;
  };
  if (filter.entity !== undefined) where.push(`a.entity = ${param(filter.entity)}`);
  if (filter.entityId !== undefined) where.push(`a.entity_id = ${param(filter.entityId)}`);
  if (filter.actorId !== undefined) where.push(`a.actor_id = ${param(filter.actorId)}::uuid`);
  if (filter.actorKind !== undefined) where.push(`a.actor_kind = ${param(filter.actorKind)}`);
  if (filter.action !== undefined) where.push(`a.action = ${param(filter.action)}`);
  if (filter.from !== undefined)
    where.push(`a.at >= ${param(new Date(filter.from).toISOString())}::timestamptz`);
  if (filter.to !== undefined) where.push(`a.at < ${param(new Date(filter.to).toISOString())}::timestamptz`);
  if (filter.after !== undefined)
    where.push(`(a.at, a.id) < (${param(filter.after.at)}::timestamptz, ${param(filter.after.id)}::bigint)`);
  const text = `
    select a.id::text as id,
      ${keysetAt('a.at')} as at,
      a.actor_kind, a.actor_id::text as actor_id, a.actor_label,
      coalesce(u.email, gone.email) as actor_email, coalesce(u.name, gone.name) as actor_name,
      a.address, a.entity, a.entity_id, a.action, a.before, a.after
    from audit_log a
    left join users u on a.actor_kind = 'user' and u.id = a.actor_id
    left join lateral (
      select g.before->>'email' as email, g.before->>'name' as name
      from audit_log g
      where u.id is null and a.actor_kind = 'user' and a.actor_id is not null
        and g.org_id = a.org_id and g.entity = 'user' and g.entity_id = a.actor_id::text
        and g.action = 'delete'
      order by g.at desc, g.id desc
      limit 1
    ) gone on true
    where ${where.join(' and ')}
    order by a.at desc, a.id desc
    limit ${Math.trunc(limit)}`;
  return { text, params };
}

export class AuditLog extends TenantRepository {
  /** Up to `limit` entries, newest first, and the key to go on from when there are more. */
  async page(filter: AuditFilter, limit: number): Promise<{ items: AuditEntry[]; next: AuditKey | null }> {
    // One more than asked tells whether another page exists without counting the log.
    const { text, params } = auditPageQuery(this.orgId, filter, limit + 1);
    const rows = await this.tx((tx) => tx.query<AuditRow>(text, params));
    return {
      items: rows.slice(0, limit).map(toEntry),
      next: nextKey(rows, limit, (r) => ({ at: r.at, id: String(r.id) })),
    };
  }
}
