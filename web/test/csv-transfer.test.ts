// The CSV transfer's pure parts: problems read from the API's details, summaries in words, the
// export's query from a list's.
import { describe, expect, it } from 'vitest';
import { exportQuery, importProblems, summaryText } from '../src/lib/admin/csv-transfer.ts';

describe('a refused import', () => {
  it('reads each problem’s row and column from the API’s path', () => {
    expect(
      importProblems([
        { path: 'row 7.vin', message: 'the check digit …' },
        { path: 'row 3', message: 'this row has 7 cells' },
        { path: 'row 1.colour', message: 'no such column' },
        { path: 'query.dryRun', message: 'dryRun is true or false' },
        { path: '', message: 'odd' },
      ]),
    ).toEqual([
      { row: 7, column: 'vin', message: 'the check digit …' },
      { row: 3, column: undefined, message: 'this row has 7 cells' },
      { row: 1, column: 'colour', message: 'no such column' },
      { row: undefined, column: undefined, message: 'query.dryRun: dryRun is true or false' },
      { row: undefined, column: undefined, message: 'odd' },
    ]);
  });
});

describe('what a file does', () => {
  it('says it before and after', () => {
    expect(summaryText({ dryRun: true, rows: 12, created: 10, updated: 2 })).toBe(
      '12 rows: 10 to add, 2 to update',
    );
    expect(summaryText({ dryRun: false, rows: 1, created: 0, updated: 1 })).toBe(
      '1 row imported: 0 added, 1 updated',
    );
    expect(summaryText({ dryRun: false, rows: 12_000, created: 12_000, updated: 0 })).toBe(
      '12,000 rows imported: 12,000 added, 0 updated',
    );
  });

  it('exports every matching record, not the page', () => {
    expect(exportQuery({ departmentId: 'd', q: 'van', limit: 50, offset: 100, sort: 'name' })).toEqual({
      departmentId: 'd',
      q: 'van',
      sort: 'name',
      format: 'csv',
    });
  });
});
