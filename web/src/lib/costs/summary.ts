// The costs table (GET /api/v1/costs/summary) without its markup: each column's value to sort
// by, and the sort itself. Money and per-unit figures are the API's decimal strings and are
// compared as exact decimals (never as floats, which cannot tell 0.1 from 0.10000000000000001
// at twelve digits); rows without a figure (no distance, no engine hours) stay last whichever
// the order, as the management tables do. Unsorted, the rows keep the API's order: the most
// expensive first.
import type { CostFigures, CostSummaryRow } from '@fleet/api/contract';
import type { SortOrder } from '../admin/list-query.ts';
import type { SummaryColumn } from './range.ts';

/** A decimal string ("1079.50", "0.5398", "-3") as an integer of millionths, exactly. */
export function decimalKey(text: string): bigint {
  const m = /^(-?)(\d*)(?:\.(\d*))?$/.exec(text.trim());
  if (!m) return 0n;
  const [, sign = '', whole = '', fraction = ''] = m;
  const value = BigInt(whole || '0') * 1_000_000n + BigInt(fraction.padEnd(6, '0').slice(0, 6) || '0');
  return sign === '-' ? -value : value;
}

type SortKey =
  | { kind: 'text'; value: string | null }
  | { kind: 'decimal'; value: bigint | null }
  | { kind: 'number'; value: number | null };

const decimal = (v: string | null): SortKey => ({
  kind: 'decimal',
  value: v === null ? null : decimalKey(v),
});

/** What a column sorts a row by. */
export function sortKey(row: CostSummaryRow, column: SummaryColumn): SortKey {
  switch (column) {
    case 'name':
      return { kind: 'text', value: row.name };
    case 'plate':
      return { kind: 'text', value: row.plate === '' ? null : row.plate };
    case 'fuel':
    case 'maintenance':
    case 'other':
    case 'total':
      return decimal(row.costs[column]);
    case 'distance':
      return { kind: 'number', value: row.distanceKm };
    case 'costPerKm':
      return decimal(row.costPerKm);
    case 'costPerEngineHour':
      return decimal(row.costPerEngineHour);
    default:
      return { kind: 'number', value: row.consumptionLPer100Km };
  }
}

const collator = new Intl.Collator('en', { sensitivity: 'base', numeric: true });

function compare(a: SortKey, b: SortKey): number {
  if (a.kind === 'text' && b.kind === 'text') return collator.compare(a.value ?? '', b.value ?? '');
  if (a.kind === 'decimal' && b.kind === 'decimal')
    return a.value === b.value ? 0 : (a.value ?? 0n) < (b.value ?? 0n) ? -1 : 1;
  return Number(a.value) - Number(b.value);
}

/** The rows in a column's order; unsorted, as the API sent them. */
export function sortCostRows<R extends CostSummaryRow>(
  rows: readonly R[],
  sort: SummaryColumn | undefined,
  order: SortOrder,
): R[] {
  if (sort === undefined) return [...rows];
  const keyed = rows.map((row, index) => ({ row, index, key: sortKey(row, sort) }));
  keyed.sort((x, y) => {
    const emptyX = x.key.value === null;
    const emptyY = y.key.value === null;
    if (emptyX || emptyY) return emptyX === emptyY ? x.index - y.index : emptyX ? 1 : -1;
    const c = compare(x.key, y.key);
    // Ties keep the API's order (the most expensive first).
    return c === 0 ? x.index - y.index : order === 'asc' ? c : -c;
  });
  return keyed.map((k) => k.row);
}

/** Whether a range had any cost at all (an empty summary says so instead of drawing nothing). */
export const hasCosts = (figures: Pick<CostFigures, 'costs'>): boolean =>
  decimalKey(figures.costs.total) > 0n;
