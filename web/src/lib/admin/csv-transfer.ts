// The pure parts of a list page's CSV export and import (CsvTransfer.svelte): the problems of a
// refused file as rows of a table, and what a checked file would do, in words.
import type { ImportSummary } from '@fleet/api/contract';
import type { ErrorDetail } from '../api/errors.ts';

/** The lists that import (and, but for fuel entries, export) as CSV, by their collection's path. */
export type CsvCollection = 'vehicles' | 'equipment' | 'drivers' | 'fuel-entries';

export interface ImportProblem {
  /** As a spreadsheet numbers it (the header is row 1); undefined for a problem of the request. */
  row: number | undefined;
  column: string | undefined;
  message: string;
}

/** The API names each problem `row 7.vin` or `row 3` (api/src/csv/routes.ts). */
export function importProblems(details: readonly ErrorDetail[]): ImportProblem[] {
  return details.map((d) => {
    const m = /^row (\d+)(?:\.(.+))?$/.exec(d.path);
    if (m === null)
      return {
        row: undefined,
        column: undefined,
        message: d.path === '' ? d.message : `${d.path}: ${d.message}`,
      };
    return { row: Number(m[1]), column: m[2], message: d.message };
  });
}

const count = (n: number, one: string, many: string) => `${n.toLocaleString('en')} ${n === 1 ? one : many}`;

/** "12 rows: 10 to add, 2 to update" (checked) or "10 added, 2 updated" (imported). */
export function summaryText(summary: ImportSummary): string {
  const rows = count(summary.rows, 'row', 'rows');
  return summary.dryRun
    ? `${rows}: ${summary.created.toLocaleString('en')} to add, ${summary.updated.toLocaleString('en')} to update`
    : `${rows} imported: ${summary.created.toLocaleString('en')} added, ${summary.updated.toLocaleString('en')} updated`;
}

/** The export's query: the list's filters without its page, as CSV. */
export function exportQuery(
  query: Readonly<Record<string, string | number | boolean | undefined>>,
): Record<string, string | number | boolean | undefined> {
  const { limit: _limit, offset: _offset, ...filters } = query;
  return { ...filters, format: 'csv' };
}
