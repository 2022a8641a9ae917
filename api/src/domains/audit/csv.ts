// The audit log as CSV, for spreadsheets and auditors, written as every export is (csv/file.ts:
// formula injection escaped, since labels, ids and addresses come from clients).
import { writeCsv } from '../../csv/file.ts';
import type { AuditEntry } from './repository.ts';

export const AUDIT_CSV_COLUMNS = [
  'at',
  'actor_kind',
  'actor',
  'address',
  'entity',
  'entity_id',
  'action',
  'before',
  'after',
] as const;

/** Who, as one cell: the user's email, else what the change was made as (cli:alice@host) and the id. */
export function actorCell(actor: AuditEntry['actor']): string {
  if (actor.email !== null) return actor.email;
  return actor.id === null ? actor.label : `${actor.label} ${actor.id}`;
}

function row(e: AuditEntry): string[] {
  return [
    e.at,
    e.actor.kind,
    actorCell(e.actor),
    e.address ?? '',
    e.entity,
    e.entityId,
    e.action,
    e.before === null ? '' : JSON.stringify(e.before),
    e.after === null ? '' : JSON.stringify(e.after),
  ];
}

/** One chunk of the export: the first carries the byte order mark and the header row. */
export function auditCsv(entries: readonly AuditEntry[], first: boolean): string {
  return writeCsv(AUDIT_CSV_COLUMNS, entries.map(row), first);
}
