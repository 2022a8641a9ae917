// A report's table as data: each column says how a row reads in it (the words shown) and what it
// sorts by (the figure itself, not its words: "9.5 h" before "10.0 h"), and where a name links.
// Sorting is stable (rows the same in a column keep the API's order) and puts rows without a
// figure last either way. Pure, so the tests run it in Node.
import type { Column } from '../admin/columns.ts';
import type { SortOrder } from '../admin/list-query.ts';

export interface ReportColumn<R> extends Column<string> {
  text(row: R): string;
  sortValue(row: R): number | string | null;
  /** Where the cell links (an asset's page), if anywhere. */
  href?(row: R): string | undefined;
}

const collator = new Intl.Collator('en-GB', { numeric: true, sensitivity: 'base' });

function compare(a: number | string | null, b: number | string | null): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return collator.compare(String(a), String(b));
}

/** `rows` by the column `sort` (undefined or unknown: as they are), stable, rows without a figure last. */
export function sortRows<R>(
  rows: readonly R[],
  columns: readonly ReportColumn<R>[],
  sort: string | undefined,
  order: SortOrder,
): R[] {
  const column = columns.find((c) => c.key === sort);
  if (!column) return [...rows];
  const sign = order === 'desc' ? -1 : 1;
  return rows
    .map((row, index) => ({ row, index, value: column.sortValue(row) }))
    .sort((a, b) => {
      if (a.value === null || b.value === null)
        return a.value === b.value ? a.index - b.index : a.value === null ? 1 : -1;
      return sign * compare(a.value, b.value) || a.index - b.index;
    })
    .map((x) => x.row);
}

/** An asset's page in the console. */
export function assetHref(asset: { id: string; kind: 'vehicle' | 'equipment' }): string {
  return `/${asset.kind === 'vehicle' ? 'vehicles' : 'equipment'}/${asset.id}`;
}

/** "Van 7 (ABC-123)", or the name alone without a plate. */
export function assetLabel(asset: { name: string; plate: string | null }): string {
  return asset.plate ? `${asset.name} (${asset.plate})` : asset.name;
}

/** A column of figures: aligned right, sorted by the figure itself. */
export function figureColumn<R>(
  key: string,
  label: string,
  text: (row: R) => string,
  sortValue: (row: R) => number | null,
): ReportColumn<R> {
  return { key, label, sortable: true, align: 'end', text, sortValue };
}

/** A column of words (a name, a plate, a department), sorted by them; `href` where a cell links. */
export function textColumn<R>(
  key: string,
  label: string,
  value: (row: R) => string | null | undefined,
  href?: (row: R) => string | undefined,
): ReportColumn<R> {
  return {
    key,
    label,
    sortable: true,
    text: (row) => value(row) ?? '',
    sortValue: (row) => value(row) ?? null,
    ...(href === undefined ? {} : { href }),
  };
}
