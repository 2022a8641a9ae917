// The audit log page's filters, kept in the address bar (defaults left out) so a link such as a
// driver's "history" opens the same view, and turned into GET /api/v1/audit-log's query. Times
// are typed by the organisation's clock ("2026-11-21T08:00", a datetime-local input's value) and
// sent as instants; `from` is inclusive and `to` exclusive, as the API reads them.
import type { AuditEntry } from '@fleet/api/contract';
import { fromZonedInput } from '../device/range.ts';

export type AuditAction = AuditEntry['action'];
export type ActorKind = AuditEntry['actor']['kind'];

export const AUDIT_ACTIONS: readonly AuditAction[] = ['create', 'update', 'delete'];
export const ACTION_LABELS: Record<AuditAction, string> = {
  create: 'Created',
  update: 'Changed',
  delete: 'Deleted',
};

export const ACTOR_KINDS: readonly ActorKind[] = ['user', 'operator', 'cli', 'system', 'device'];
export const ACTOR_KIND_LABELS: Record<ActorKind, string> = {
  user: 'User',
  operator: 'Platform operator',
  cli: 'Command line',
  system: 'The platform',
  device: 'Device',
};

/**
 * The entities the database's triggers log, by the names they write (shared/src/db/migrations.ts;
 * web/test/audit-filters.test.ts checks every trigger's name is here). Vehicles and equipment
 * are both `asset`.
 */
export const AUDIT_ENTITIES = {
  organisation: 'Organisation',
  user: 'User',
  user_mfa: 'Two-factor sign-in',
  user_recovery_code: 'Recovery code',
  department: 'Department',
  place: 'Place',
  device: 'Device',
  asset: 'Vehicle or equipment',
  asset_photo: 'Vehicle photo',
  installation: 'Installation',
  driver: 'Driver',
  driver_assignment: 'Driver assignment',
  rule: 'Alert rule',
  notification_channel: 'Notification channel',
  service_plan: 'Service plan',
  work_order: 'Work order',
  work_order_line: 'Work order cost line',
  work_order_task: 'Work order checklist item',
  work_order_note: 'Work order note',
  work_order_attachment: 'Work order file',
  cost_entry: 'Cost entry',
  fuel_entry: 'Fuel entry',
  project: 'Project',
  job: 'Job',
  job_asset: 'Job booking',
  job_crew: 'Job crew',
  report_schedule: 'Report schedule',
} as const satisfies Record<string, string>;

export function entityLabel(entity: string): string {
  return (AUDIT_ENTITIES as Record<string, string>)[entity] ?? entity.replaceAll('_', ' ');
}

/** The API's pattern for an entity name (api/src/domains/audit/schemas.ts). */
const ENTITY = /^[a-z][a-z0-9_]{0,39}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const ENTITY_ID_MAX = 200;

export const AUDIT_PAGE_SIZE = 50;

export interface AuditFilter {
  /** "" for every entity. */
  entity: string;
  /** One thing's history (with entity); "" for all. */
  entityId: string;
  /** Changes by one user or operator; "" for anyone. */
  actorId: string;
  actorKind: ActorKind | '';
  action: AuditAction | '';
  /** Wall clock in the organisation's zone, "" for no bound. */
  from: string;
  to: string;
}

export function blankAuditFilter(): AuditFilter {
  return { entity: '', entityId: '', actorId: '', actorKind: '', action: '', from: '', to: '' };
}

const wallClock = (text: string | null) =>
  text !== null && fromZonedInput(text, 'UTC') !== undefined ? text : '';
/** A datetime-local value as the instant (ISO) it names in `timeZone`; undefined for "" or junk. */
const isoAt = (text: string, timeZone: string) => {
  const ms = text === '' ? undefined : fromZonedInput(text, timeZone);
  return ms === undefined ? undefined : new Date(ms).toISOString();
};

/** A filter from the address bar; what the API would refuse is dropped, not sent. */
export function filterFromQuery(params: { get(name: string): string | null }): AuditFilter {
  const entity = params.get('entity') ?? '';
  const entityId = params.get('entityId') ?? '';
  const actorId = params.get('actorId') ?? '';
  const kind = params.get('actorKind');
  const action = params.get('action');
  const known = ENTITY.test(entity);
  return {
    entity: known ? entity : '',
    entityId: known && entityId.length <= ENTITY_ID_MAX ? entityId : '',
    actorId: UUID.test(actorId) ? actorId : '',
    actorKind: ACTOR_KINDS.find((k) => k === kind) ?? '',
    action: AUDIT_ACTIONS.find((a) => a === action) ?? '',
    from: wallClock(params.get('from')),
    to: wallClock(params.get('to')),
  };
}

/** The address bar's query for a filter, empty fields left out. */
export function filterToQuery(filter: AuditFilter): URLSearchParams {
  const p = new URLSearchParams();
  for (const key of ['entity', 'entityId', 'actorId', 'actorKind', 'action', 'from', 'to'] as const)
    if (filter[key] !== '' && (key !== 'entityId' || filter.entity !== '')) p.set(key, filter[key]);
  return p;
}

export type AuditQuery =
  | { ok: true; query: Record<string, string> }
  | { ok: false; problems: Partial<Record<'from' | 'to', string>> };

/** GET /api/v1/audit-log's filters (the JSON pages and the CSV export take the same). */
export function auditQuery(filter: AuditFilter, timeZone: string): AuditQuery {
  const from = isoAt(filter.from, timeZone);
  const to = isoAt(filter.to, timeZone);
  if (from !== undefined && to !== undefined && Date.parse(to) <= Date.parse(from))
    return { ok: false, problems: { to: 'the end comes after the start' } };
  const query: Record<string, string> = {};
  if (filter.entity !== '') {
    query.entity = filter.entity;
    if (filter.entityId !== '') query.entityId = filter.entityId;
  }
  if (filter.actorId !== '') query.actorId = filter.actorId;
  if (filter.actorKind !== '') query.actorKind = filter.actorKind;
  if (filter.action !== '') query.action = filter.action;
  if (from !== undefined) query.from = from;
  if (to !== undefined) query.to = to;
  return { ok: true, query };
}

/** Whether any filter is set (the page offers to clear them). */
export function isFiltered(filter: AuditFilter): boolean {
  return filterToQuery(filter).size > 0;
}
