// An audit entry's change as rows people read: one row per field, its value before and after.
// The database logs rows by their column names (employee_number) and values as JSON: a create
// has only after, a delete only before, an update only the fields that changed (migration
// 0008). Values are shown as they are: "[secret]" (a secret was set; never its value) and
// "[erased]" (personal data erased on request) are the log's words, not the console's.
import type { AuditEntry } from '@fleet/api/contract';
import { formatDateTime } from '../time.ts';

export interface ChangeRow {
  field: string;
  /** Undefined: the field had no value before (a create) or has none after (a delete). */
  before: string | undefined;
  after: string | undefined;
}

/** Keys every row has, which the entry itself already says (its id, organisation, times). */
const BOOKKEEPING = new Set(['id', 'org_id', 'created_at', 'updated_at']);

/** PostgreSQL's timestamptz as to_jsonb writes it: 2026-11-21T08:00:00.123456+00:00. */
const TIMESTAMP = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/;

const isEmpty = (v: unknown) =>
  v === null || v === undefined || v === '' || (Array.isArray(v) && v.length === 0);

/** "employee_number" → "employee number". */
export function fieldLabel(key: string): string {
  return key.replaceAll('_', ' ');
}

/** One value as text: times in the organisation's zone, lists joined, null as "—". */
export function valueText(value: unknown, timeZone: string): string {
  if (value === null || value === undefined) return '—';
  if (typeof value === 'string') {
    if (TIMESTAMP.test(value)) {
      const ms = Date.parse(value);
      if (Number.isFinite(ms)) return formatDateTime(ms, timeZone);
    }
    return value === '' ? '""' : value;
  }
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  if (Array.isArray(value))
    return value.length === 0 ? '—' : value.map((v) => valueText(v, timeZone)).join(', ');
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/**
 * The rows of an entry, in the log's field order. An update lists each changed field; a create
 * or a delete lists the fields that had a value (empty ones say nothing there), bookkeeping left out.
 */
export function changeRows(
  entry: Pick<AuditEntry, 'action' | 'before' | 'after'>,
  timeZone: string,
): ChangeRow[] {
  const before = entry.before ?? {};
  const after = entry.after ?? {};
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])];
  const rows: ChangeRow[] = [];
  for (const key of keys) {
    if (entry.action !== 'update' && (BOOKKEEPING.has(key) || isEmpty(before[key] ?? after[key]))) continue;
    rows.push({
      field: fieldLabel(key),
      before: entry.before === null ? undefined : valueText(before[key], timeZone),
      after: entry.after === null ? undefined : valueText(after[key], timeZone),
    });
  }
  return rows;
}

/** Who made a change, as two lines: the person (or what it was made as) and their email. */
export function actorLines(actor: AuditEntry['actor']): { who: string; detail: string | undefined } {
  if (actor.kind === 'user' || actor.kind === 'operator') {
    const who = actor.name ?? actor.email ?? actor.label;
    return { who, detail: actor.email !== null && actor.email !== who ? actor.email : undefined };
  }
  return { who: actor.label, detail: undefined };
}
