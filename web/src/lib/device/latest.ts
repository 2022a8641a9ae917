// The latest state of one device as the detail page shows it: GET /devices/{id}/latest, patched
// by the hub's frames between two fetches (positions carry speed, ignition and status; the
// device's snapshot and status frames its connection), and turned into labelled rows.
import type { DeviceLatest } from '@fleet/api/contract';
import type { DeviceKind, LiveDevice, LivePosition } from '@fleet/shared/live';
import {
  formatNumber,
  PRIMARY_VALUES,
  VALUE_FIELDS,
  type ValueField,
  type ValueFieldName,
} from './fields.ts';

export const MISSING = '—';

export interface ValueRow {
  name: ValueFieldName;
  label: string;
  /** The value as text, MISSING when not reported. */
  text: string;
  /** Shown after the value; '' when it has none or the value is missing. */
  unit: string;
  present: boolean;
}

type Value = DeviceLatest['values'][string] | undefined;

/** One value as text (without its unit), or MISSING when absent or of an unexpected type. */
export function formatValue(field: ValueField, value: Value): string {
  switch (field.type) {
    case 'number':
      return typeof value === 'number' && Number.isFinite(value)
        ? formatNumber(value, field.digits)
        : MISSING;
    case 'boolean':
      return typeof value === 'boolean' ? (value ? field.on : field.off) : MISSING;
    case 'codes':
      if (!Array.isArray(value)) return MISSING;
      return value.length === 0 ? field.none : value.join(', ');
    case 'text':
      return typeof value === 'string' && value !== '' ? value : MISSING;
  }
}

/**
 * The rows for a device: its kind's primary values always (MISSING when absent), every other
 * value it reports after them, in VALUE_FIELDS order. Active trouble codes never read "—": a
 * vehicle reports none by leaving them out, so an absent list with other values is "None".
 */
export function valueRows(values: DeviceLatest['values'], kind: DeviceKind | undefined): ValueRow[] {
  const primary = new Set<ValueFieldName>(kind ? PRIMARY_VALUES[kind] : []);
  const reported = Object.keys(values).length > 0;
  const rows: ValueRow[] = [];
  for (const field of VALUE_FIELDS) {
    let value: Value = values[field.name];
    if (field.type === 'codes' && value === undefined && reported && primary.has(field.name)) value = [];
    if (value === undefined && !primary.has(field.name)) continue;
    const text = formatValue(field, value);
    const present = text !== MISSING;
    rows.push({ name: field.name, label: field.label, text, unit: present ? field.unit : '', present });
  }
  // Primary first, the rest after them, each group in VALUE_FIELDS order.
  return [...rows.filter((r) => primary.has(r.name)), ...rows.filter((r) => !primary.has(r.name))];
}

/**
 * A live position applied to the latest state: newer device time only (late fixes do not undo
 * newer values). The server received it at `at` (the frame's time), so the device was seen then.
 */
export function applyPosition(latest: DeviceLatest, p: LivePosition, at: number): DeviceLatest {
  const lastSeenAt = Math.max(latest.lastSeenAt ?? 0, at);
  if (latest.position && p.ts < latest.position.ts) return { ...latest, lastSeenAt };
  const values = { ...latest.values };
  if (p.speedKmh !== null) values.speedKmh = p.speedKmh;
  if (p.headingDeg !== null) values.headingDeg = p.headingDeg;
  if (p.ignition !== null) values.ignition = p.ignition;
  const newer = latest.valuesAt === null || p.ts >= latest.valuesAt;
  return {
    ...latest,
    position: p,
    status: p.status,
    lastSeenAt,
    ...(newer ? { values, valuesAt: p.ts } : {}),
  };
}

/** The device's entry of a hub snapshot applied: status, connection, last seen, position. */
export function applySnapshot(latest: DeviceLatest, d: LiveDevice): DeviceLatest {
  const next: DeviceLatest = {
    ...latest,
    status: d.status,
    connection: d.connection,
    lastSeenAt: d.lastSeenAt,
  };
  if (d.position && (!latest.position || d.position.ts >= latest.position.ts)) next.position = d.position;
  return next;
}

/** "just now", "12 s ago", "5 min ago", "3 h 5 min ago", "2 d 4 h ago". */
export function formatAgo(ms: number, now: number): string {
  const s = Math.floor((now - ms) / 1000);
  if (s < 1) return 'just now';
  if (s < 60) return `${s} s ago`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ago`;
  const h = Math.floor(m / 60);
  if (h < 24) return m % 60 === 0 ? `${h} h ago` : `${h} h ${m % 60} min ago`;
  const d = Math.floor(h / 24);
  return h % 24 === 0 ? `${d} d ago` : `${d} d ${h % 24} h ago`;
}
