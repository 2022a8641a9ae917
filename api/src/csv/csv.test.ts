// The CSV file reader and the import planner without a network: what the export writes reads
// back cell for cell whatever the cells hold (generated), the reader never throws on any text,
// delimiters are told from the header, and a plan names problems by row and column.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { detectDelimiter, normaliseHeader, readCsv, writeCsv } from './file.ts';
import { type CsvColumn, type ImportSpec, planImport } from './import.ts';
import { referenceTable } from './references.ts';

const LIMITS = { maxRows: 100, maxCellLength: 200 };
const SEED = 20261202;

describe('the file reader', () => {
  it('reads back what the export writes, whatever the cells hold', () => {
    const cell = fc.string({ maxLength: 20, unit: 'grapheme' });
    fc.assert(
      fc.property(
        fc.array(fc.array(cell, { minLength: 3, maxLength: 3 }), { minLength: 1, maxLength: 8 }),
        (rows) => {
          const text = writeCsv(['a', 'b', 'c'], rows);
          const read = readCsv(text, LIMITS);
          if (!read.ok) throw new Error(JSON.stringify(read.problems));
          // Rows of only blank cells are blank lines to a spreadsheet; the export's formula escape
          // is undone by the import (import.ts), not by the reader.
          const kept = rows.filter((r) => r.some((c) => c !== ''));
          const escaped = (c: string) => (/^[=+\-@\t\r]/.test(c) ? `'${c}` : c);
          expect(read.file.records.map((r) => [...r.cells.values()])).toEqual(
            kept.map((r) => r.map(escaped)),
          );
        },
      ),
      { numRuns: 300, seed: SEED },
    );
  });

  it('never throws, whatever the text', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (text) => {
        const read = readCsv(text, LIMITS);
        expect(read.problems.every((p) => p.row >= 1 && p.message !== '')).toBe(true);
      }),
      { numRuns: 2_000, seed: SEED },
    );
  });

  it('tells the delimiter from the header, outside quotes', () => {
    expect(detectDelimiter('name;plate\nA;B')).toBe(';');
    expect(detectDelimiter('name,plate')).toBe(',');
    expect(detectDelimiter('name\tplate')).toBe('\t');
    expect(detectDelimiter('"a;b;c",plate\n')).toBe(',');
    expect(detectDelimiter('name')).toBe(',');
  });

  it('compares headers as people write them', () => {
    expect(normaliseHeader(' Fuel type ')).toBe('fuel_type');
    expect(normaliseHeader('FUEL-TYPE')).toBe('fuel_type');
  });

  it('ignores trailing empty cells but names a row with a cell too many', () => {
    const read = readCsv('a,b\n1,2,,\n1,2,3\n', LIMITS);
    expect(read.ok && read.file.records.map((r) => r.row)).toEqual([2]);
    expect(read.problems).toEqual([
      { row: 3, message: expect.stringMatching(/^this row has 3 cells and the header 2/) },
    ]);
  });
});

interface Thing {
  id: string;
  name: string;
  size: number | null;
}
const columns: CsvColumn<Thing>[] = [
  { header: 'id', field: 'id', kind: 'text', write: (t) => t.id },
  { header: 'name', field: 'name', kind: 'text', write: (t) => t.name },
  { header: 'size', field: 'size', kind: 'number', write: (t) => String(t.size ?? '') },
  { header: 'kind', field: 'kind', kind: 'choice', blankKeeps: true, write: () => '' },
  { header: 'owner', field: 'ownerId', kind: 'reference', table: 'owners', write: () => '' },
];
const body = {
  name: z.string().trim().min(1, 'a name is 1..10 characters').max(10, 'a name is 1..10 characters'),
  size: z.number({ error: 'a size is a number' }).int('a size is whole').nullable().optional(),
  kind: z.enum(['big_box', 'small'], { error: 'a kind is big_box or small' }).optional(),
  ownerId: z.string().nullable().optional(),
};
const spec: ImportSpec<Thing, unknown, unknown> = {
  label: 'thing',
  columns,
  required: ['name'],
  newSchema: z.strictObject(body),
  changesSchema: z.strictObject({ ...body, name: body.name.optional() }),
  key: { header: 'name', of: (cells) => cells.get('name')?.trim().toLowerCase() || undefined },
};
const owners = referenceTable(
  'owner',
  [
    { id: '00000000-0000-4000-8000-000000000001', names: ['ann'], label: 'Ann' },
    { id: '00000000-0000-4000-8000-000000000002', names: ['bob'], label: 'Bob' },
    { id: '00000000-0000-4000-8000-000000000003', names: ['bob'], label: 'Bob' },
  ],
  'give its id',
);
const tables = new Map([['owners', owners]]);
const existing = {
  ids: new Set(['00000000-0000-4000-8000-00000000000a']),
  byKey: new Map([['old', '00000000-0000-4000-8000-00000000000a']]),
};

describe('an import plan', () => {
  it('turns cells into the body the schema takes: numbers, choices, references, blanks', () => {
    const plan = planImport('name,size,kind,owner\nBox,"12",Big box,ann\nOld,,,\n', spec, existing, tables);
    expect(plan).toEqual({
      ok: true,
      rows: 2,
      creates: [
        {
          row: 2,
          value: { name: 'Box', size: 12, kind: 'big_box', ownerId: '00000000-0000-4000-8000-000000000001' },
        },
      ],
      // A blank kind keeps the record's; a blank size clears it.
      updates: [
        {
          row: 3,
          id: '00000000-0000-4000-8000-00000000000a',
          value: { name: 'Old', size: null, ownerId: null },
        },
      ],
    });
  });

  it('names each problem by row and column, in the file’s order', () => {
    const plan = planImport(
      'name,size,kind,owner\nBox,1.5,,\n,x,huge,bob\nBox,,,carl\n',
      spec,
      existing,
      tables,
    );
    expect(plan.ok ? [] : plan.problems).toEqual([
      { row: 2, column: 'size', message: 'a size is whole' },
      { row: 3, column: 'name', message: 'a name is 1..10 characters' },
      { row: 3, column: 'size', message: 'a size is a number' },
      { row: 3, column: 'kind', message: 'a kind is big_box or small' },
      { row: 3, column: 'owner', message: '2 owners are named "bob": give its id' },
      { row: 4, column: 'name', message: 'the same name as row 2' },
      { row: 4, column: 'owner', message: 'no owner named "carl" in your organisation' },
    ]);
  });

  it('undoes the export’s formula escape, so an exported negative number imports as one', () => {
    const plan = planImport("name,size\nNeg,'-5\nEq,'=1\n", spec, existing, tables);
    expect(plan.ok ? [] : plan.problems).toEqual([{ row: 3, column: 'size', message: 'a size is a number' }]);
    const ok = planImport("name,size\n'=Sum,'-5\n", spec, existing, tables);
    expect(ok.ok && ok.creates[0]?.value).toEqual({ name: '=Sum', size: -5 });
  });
});
