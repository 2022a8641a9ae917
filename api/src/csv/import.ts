// A bulk import as a plan: every row of the file turned into the body the API's own schema
// takes (so a row is checked exactly as a POST or PATCH of it would be), matched to the record
// it updates by the domain's key (a plate, an employee number), and every problem of every row
// named at once. Nothing is written here: the routes write a plan only when it has no problem,
// in one transaction, so a file with one bad row imports nothing.
import type { z } from 'zod';
import { type CsvFile, type FileProblem, normaliseHeader, readCsv } from './file.ts';

/** How a cell's text becomes the value of the body's field. */
export type CellKind =
  /** Given to the schema as written (it trims; "" is none where the field is optional). */
  | 'text'
  /** A number; "12,5" is 12.5 (a decimal comma); blank is null. */
  | 'number'
  /** One of the schema's words, as people write them: "In workshop" is in_workshop; blank is null. */
  | 'choice'
  /** Several of the schema's codes, upper case: "b, C1" or "B C1" is ["B", "C1"]; blank is none. */
  | 'list'
  /** A calendar day, YYYY-MM-DD or D.M.YYYY; blank is null. */
  | 'date'
  /** The name of a record of another table (a department's path, a place's name); blank is null. */
  | 'reference';

/** Another table's records by what people write for them, and back. */
export interface ReferenceTable {
  /** The record's id, or what is wrong with the text. */
  resolve(text: string): { ok: true; id: string } | { ok: false; message: string };
  /** What the export writes for the record. */
  label(id: string): string;
}

export interface CsvColumn<Item> {
  /** The normalised header: plate, fuel_type, department; `id` is the record's id (ID_HEADER). */
  header: string;
  /** The field of the body it fills: plate, fuelType, departmentId. */
  field: string;
  kind: CellKind;
  /** For references: which table (the route builds the tables before it plans). */
  table?: string;
  /**
   * A blank cell leaves the field out (the record keeps it; a new one gets the default) instead
   * of clearing it: for fields that cannot be none (an odometer offset is 0, not null).
   */
  blankKeeps?: boolean;
  /** The cell the export writes. */
  write(item: Item, tables: ReadonlyMap<string, ReferenceTable>): string;
}

export interface ImportSpec<Item, New, Changes> {
  /** In people's words: "vehicle". */
  label: string;
  columns: readonly CsvColumn<Item>[];
  /** Headers a row that adds a record needs (a new record cannot be made without them). */
  required: readonly string[];
  newSchema: z.ZodType<New>;
  changesSchema: z.ZodType<Changes>;
  /**
   * What matches a row to an existing record, from the row's cells (undefined: no key, a new
   * record), and the header to name when two rows of the file have the same one.
   */
  key: { header: string; of(cells: ReadonlyMap<string, string>): string | undefined };
  /** Other values unique in the organisation, checked across the file and against the records. */
  uniques?: readonly { header: string; of(cells: ReadonlyMap<string, string>): string | undefined }[];
}

/**
 * What is in the organisation now, for matching: the ids (a file's `id` column, as the export
 * writes it, matches first), key → id, and per unique header its values → id.
 */
export interface Existing {
  ids: ReadonlySet<string>;
  byKey: ReadonlyMap<string, string>;
  uniques?: ReadonlyMap<string, ReadonlyMap<string, string>>;
}

export interface PlannedCreate<New> {
  row: number;
  value: New;
}
export interface PlannedUpdate<Changes> {
  row: number;
  id: string;
  value: Changes;
}

export type ImportPlan<New, Changes> =
  | { ok: true; rows: number; creates: PlannedCreate<New>[]; updates: PlannedUpdate<Changes>[] }
  | { ok: false; problems: FileProblem[] };

/** A row of an import the database refused as it was written, with the client's error for it. */
export class RowRefused extends Error {
  readonly row: number;
  readonly refusal: unknown;
  constructor(row: number, refusal: unknown) {
    super(`row ${row} refused`);
    this.row = row;
    this.refusal = refusal;
  }
}

/** The column an export writes first and an import matches by before the key. */
export const ID_HEADER = 'id';

export const IMPORT_LIMITS = { maxRows: 10_000, maxCellLength: 2_000 } as const;

/** Undoes the export's formula escape: the apostrophe it puts before = + - @ tab and CR. */
function unescapeCell(text: string): string {
  return /^'[=+\-@\t\r]/.test(text) ? text.slice(1) : text;
}

type Converted = { ok: true; value: unknown; keep?: boolean } | { ok: false; message: string };

function convert<Item>(
  column: CsvColumn<Item>,
  raw: string,
  tables: ReadonlyMap<string, ReferenceTable>,
): Converted {
  const text = unescapeCell(raw).trim();
  if (text === '' && column.blankKeeps) return { ok: true, value: undefined, keep: true };
  switch (column.kind) {
    case 'text':
      return { ok: true, value: unescapeCell(raw) };
    case 'number': {
      if (text === '') return { ok: true, value: null };
      const plain = text.replace(/\s/g, '');
      // Only a number as people write one; anything else goes to the schema, which says what it wants.
      return /^[+-]?\d+([.,]\d+)?$/.test(plain)
        ? { ok: true, value: Number(plain.replace(',', '.')) }
        : { ok: true, value: text };
    }
    case 'choice':
      return { ok: true, value: text === '' ? null : text.toLowerCase().replace(/[\s-]+/g, '_') };
    case 'list':
      return {
        ok: true,
        value:
          text === ''
            ? []
            : text
                .split(/[\s,;|]+/)
                .filter((part) => part !== '')
                .map((part) => part.toUpperCase()),
      };
    case 'date': {
      if (text === '') return { ok: true, value: null };
      const dotted = /^(\d{1,2})\.(\d{1,2})\.(\d{4})$/.exec(text);
      if (dotted === null) return { ok: true, value: text };
      const [, day, month, year] = dotted;
      return { ok: true, value: `${year}-${(month ?? '').padStart(2, '0')}-${(day ?? '').padStart(2, '0')}` };
    }
    case 'reference': {
      if (text === '') return { ok: true, value: null };
      const table = column.table === undefined ? undefined : tables.get(column.table);
      if (table === undefined) throw new Error(`no reference table ${column.table} for ${column.header}`);
      const found = table.resolve(text);
      return found.ok ? { ok: true, value: found.id } : found;
    }
  }
}

/** The headers a spec reads, for messages. */
export function columnList(spec: { columns: readonly { header: string }[] }): string {
  return spec.columns.map((c) => c.header).join(', ');
}

/** Reads the file and plans the import of every row, or names every problem. */
export function planImport<Item, New, Changes>(
  text: string,
  spec: ImportSpec<Item, New, Changes>,
  existing: Existing,
  tables: ReadonlyMap<string, ReferenceTable>,
): ImportPlan<New, Changes> {
  const read = readCsv(text, IMPORT_LIMITS);
  if (!read.ok) return read;
  const plan = planRows(read.file, spec, existing, tables);
  if (plan.ok && read.problems.length === 0) return plan;
  // In the order a person goes through the file: by row, then column.
  const position = (p: FileProblem) =>
    p.column === undefined ? -1 : read.file.headers.lastIndexOf(p.column);
  const problems = [...read.problems, ...(plan.ok ? [] : plan.problems)].sort(
    (a, b) => a.row - b.row || position(a) - position(b),
  );
  return { ok: false, problems };
}

function planRows<Item, New, Changes>(
  file: CsvFile,
  spec: ImportSpec<Item, New, Changes>,
  existing: Existing,
  tables: ReadonlyMap<string, ReferenceTable>,
): ImportPlan<New, Changes> {
  const problems: FileProblem[] = [];
  const byHeader = new Map(spec.columns.map((c) => [normaliseHeader(c.header), c]));
  for (const header of new Set(file.headers))
    if (header !== '' && !byHeader.has(header))
      problems.push({
        row: 1,
        column: header,
        message: `no such column; the columns of a ${spec.label} are: ${columnList(spec)}`,
      });
  if (problems.length > 0) return { ok: false, problems };
  const missing = spec.required.filter((h) => !file.headers.includes(h));

  const byField = new Map(spec.columns.map((c) => [c.field, c.header]));
  const seenIds = new Map<string, number>();
  const seenKeys = new Map<string, number>();
  const seenUniques = new Map<string, Map<string, number>>();
  const creates: PlannedCreate<New>[] = [];
  const updates: PlannedUpdate<Changes>[] = [];
  for (const { row, cells } of file.records) {
    const before = problems.length;
    const problem = (column: string | undefined, message: string) => problems.push({ row, column, message });
    const body: Record<string, unknown> = {};
    for (const header of file.headers) {
      const column = byHeader.get(header);
      // The id matches (below), and a column without a header is already a problem of the file.
      if (header === ID_HEADER || column === undefined) continue;
      const converted = convert(column, cells.get(header) ?? '', tables);
      if (!converted.ok) problem(header, converted.message);
      else if (!converted.keep) body[column.field] = converted.value;
    }
    let id: string | undefined;
    const idCell = (cells.get(ID_HEADER) ?? '').trim().toLowerCase();
    if (idCell !== '') {
      const first = seenIds.get(idCell);
      if (first !== undefined) problem(ID_HEADER, `the same id as row ${first}`);
      seenIds.set(idCell, row);
      if (existing.ids.has(idCell)) id = idCell;
      else
        problem(ID_HEADER, `no ${spec.label} with this id in your organisation (leave it blank to add one)`);
    }
    const key = spec.key.of(cells);
    if (key !== undefined) {
      const first = seenKeys.get(key);
      if (first !== undefined) problem(spec.key.header, `the same ${spec.key.header} as row ${first}`);
      else seenKeys.set(key, row);
      const owner = existing.byKey.get(key);
      if (idCell === '') id = owner;
      else if (owner !== undefined && id !== undefined && owner !== id)
        problem(spec.key.header, `another ${spec.label} of the organisation has this ${spec.key.header}`);
    }
    for (const unique of spec.uniques ?? []) {
      const value = unique.of(cells);
      if (value === undefined) continue;
      const seen = seenUniques.get(unique.header) ?? new Map<string, number>();
      seenUniques.set(unique.header, seen);
      const first = seen.get(value);
      if (first !== undefined) problem(unique.header, `the same ${unique.header} as row ${first}`);
      else seen.set(value, row);
      const owner = existing.uniques?.get(unique.header)?.get(value);
      if (owner !== undefined && owner !== id)
        problem(unique.header, `another ${spec.label} of the organisation has this ${unique.header}`);
    }
    if (id === undefined && missing.length > 0) {
      // Only rows that add a record need every required column; updates change what is there.
      problem(
        undefined,
        `a new ${spec.label} needs ${missing.join(' and ')}: the file has no ${missing.join(' or ')} column, and the row matches no ${spec.label} by id or ${spec.key.header}`,
      );
      continue;
    }
    const parsed = id === undefined ? spec.newSchema.safeParse(body) : spec.changesSchema.safeParse(body);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        const field = issue.path[0];
        problem(typeof field === 'string' ? (byField.get(field) ?? field) : undefined, issue.message);
      }
      continue;
    }
    if (problems.length > before) continue;
    if (id === undefined) creates.push({ row, value: parsed.data as New });
    else updates.push({ row, id, value: parsed.data as Changes });
  }
  if (problems.length > 0) return { ok: false, problems };
  return { ok: true, rows: file.records.length, creates, updates };
}

/** The export: a header row of the spec's columns, then one row per record. */
export function exportRows<Item>(
  columns: readonly CsvColumn<Item>[],
  items: readonly Item[],
  tables: ReadonlyMap<string, ReferenceTable>,
): { headers: string[]; rows: string[][] } {
  return {
    headers: columns.map((c) => c.header),
    rows: items.map((item) => columns.map((c) => c.write(item, tables))),
  };
}
