// The audit log as CSV, for spreadsheets and auditors. csv-stringify quotes what needs quoting
// (commas, quotes, line breaks) and, with escape_formulas, puts an apostrophe before a cell
// that starts with = + - @ tab or CR (OWASP's CSV injection advice), so a spreadsheet shows such
// a value as text instead of running it: labels, ids and addresses come from clients.
import { stringify } from 'csv-stringify/sync';
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

/**
 * One chunk of the export. The first chunk carries the byte order mark (Excel reads UTF-8
 * without it as the local code page, and Finnish names have ä and ö) and the header row.
 */
export function auditCsv(entries: readonly AuditEntry[], first: boolean): string {
  return stringify(entries.map(row), {
    bom: first,
    header: first,
    columns: [...AUDIT_CSV_COLUMNS],
    escape_formulas: true,
    // RFC 4180's CRLF. Naming a delimiter turns off quoting of bare \n and \r unless asked
    // (csv-stringify 6.9), and a name with a line break must stay one cell.
    record_delimiter: 'windows',
    quote_record_delimiter: true,
  });
}
