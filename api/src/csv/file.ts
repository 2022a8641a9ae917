// A CSV file as the bulk imports read it, and the CSV the exports write. csv-parse reads the
// file (quotes, doubled quotes, line breaks inside quotes, a byte order mark); this module adds
// what people's spreadsheets need: the delimiter told from the header (Excel in a Finnish or
// German locale saves with ";"), headers compared as people write them ("Fuel type" is
// fuel_type), rows numbered as the spreadsheet shows them (the header is row 1), and every
// problem of the file's shape named at once instead of the first only.
import { CsvError, parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';

/** One problem of an imported file: the row as a spreadsheet numbers it, the column if one. */
export interface FileProblem {
  row: number;
  column?: string | undefined;
  message: string;
}

export interface CsvRecord {
  /** 2 for the first row after the header. */
  row: number;
  /** The cells by normalised header; every header of the file is present. */
  cells: Map<string, string>;
}

export interface CsvFile {
  /** The normalised headers, in the file's order. */
  headers: string[];
  records: CsvRecord[];
}

/**
 * A file that could be read, with the problems of its shape (a doubled header, a row with too
 * many cells: those rows are left out of `records`), or one that could not be read at all.
 */
export type ReadResult =
  | { ok: true; file: CsvFile; problems: FileProblem[] }
  | { ok: false; problems: FileProblem[] };

export interface ReadLimits {
  maxRows: number;
  /** The longest a cell may be before it is read (no schema needs megabytes of one field). */
  maxCellLength: number;
}

/** "Fuel type", " fuel-type ", "FUEL_TYPE" are all fuel_type. */
export function normaliseHeader(text: string): string {
  return text
    .trim()
    .toLowerCase()
    .replace(/[\s-]+/g, '_');
}

const DELIMITERS = [',', ';', '\t'] as const;

/** The delimiter of the header line: the candidate it has most of, outside quotes (comma on a tie). */
export function detectDelimiter(text: string): string {
  const counts = new Map<string, number>(DELIMITERS.map((d) => [d, 0]));
  let quoted = false;
  for (const c of text) {
    if (c === '"') quoted = !quoted;
    else if (!quoted && (c === '\n' || c === '\r')) break;
    else if (!quoted && counts.has(c)) counts.set(c, (counts.get(c) ?? 0) + 1);
  }
  let best = ',';
  for (const d of DELIMITERS) if ((counts.get(d) ?? 0) > (counts.get(best) ?? 0)) best = d;
  return best;
}

/** Reads a whole file, or says every problem of its shape (not of its values: the schemas do that). */
export function readCsv(text: string, limits: ReadLimits): ReadResult {
  const body = text.replace(/^\uFEFF/, '');
  if (body.trim() === '') return fail({ row: 1, message: 'the file is empty: it needs a header row' });
  let rows: string[][];
  try {
    rows = parse(body, {
      delimiter: detectDelimiter(body),
      relax_column_count: true,
      skip_empty_lines: true,
      // A row of the limit's cells at their longest, with room for quotes and delimiters.
      max_record_size: limits.maxCellLength * 64,
    }) as string[][];
  } catch (err) {
    if (err instanceof CsvError) return fail({ row: csvErrorRow(err), message: csvErrorMessage(err) });
    throw err;
  }
  const [header, ...data] = rows;
  if (header === undefined) return fail({ row: 1, message: 'the file is empty: it needs a header row' });
  const problems: FileProblem[] = [];
  const headers = header.map(normaliseHeader);
  const seen = new Map<string, number>();
  headers.forEach((h, i) => {
    if (h === '') problems.push({ row: 1, message: `column ${i + 1} has no header` });
    else if (seen.has(h)) problems.push({ row: 1, column: h, message: 'this column is in the file twice' });
    seen.set(h, i);
  });
  // Trailing empty cells (a spreadsheet's "a,b,,") are not a column count problem.
  const records: CsvRecord[] = [];
  data.forEach((cells, index) => {
    const row = index + 2;
    const used = trimTrailingEmpty(cells);
    if (used.length > headers.length) {
      problems.push({
        row,
        message: `this row has ${used.length} cells and the header ${headers.length}: a delimiter too many, or a value that needs quotes`,
      });
      return;
    }
    const map = new Map<string, string>();
    headers.forEach((h, i) => {
      map.set(h, cells[i] ?? '');
    });
    for (const [h, value] of map)
      if (value.length > limits.maxCellLength)
        problems.push({ row, column: h, message: `a cell is at most ${limits.maxCellLength} characters` });
    records.push({ row, cells: map });
  });
  if (data.length === 0) problems.push({ row: 2, message: 'the file has a header and no rows' });
  if (data.length > limits.maxRows)
    return fail({
      row: limits.maxRows + 2,
      message: `a file is at most ${limits.maxRows.toLocaleString('en')} rows; this one has ${data.length.toLocaleString('en')}: split it`,
    });
  return { ok: true, file: { headers, records }, problems };
}

function fail(problem: FileProblem): ReadResult {
  return { ok: false, problems: [problem] };
}

function trimTrailingEmpty(cells: string[]): string[] {
  let end = cells.length;
  while (end > 0 && (cells[end - 1] ?? '').trim() === '') end--;
  return cells.slice(0, end);
}

function csvErrorRow(err: CsvError): number {
  const lines = (err as CsvError & { lines?: unknown }).lines;
  return typeof lines === 'number' && lines > 0 ? lines : 1;
}

/** csv-parse's message without its option names, in words for a spreadsheet user. */
function csvErrorMessage(err: CsvError): string {
  switch (err.code) {
    case 'CSV_QUOTE_NOT_CLOSED':
      return 'a quote (") opens a cell and is never closed';
    case 'CSV_INVALID_CLOSING_QUOTE':
      return 'a quote (") inside a cell must be doubled ("") or the cell quoted';
    case 'CSV_MAX_RECORD_SIZE':
      return 'a row is far longer than any row of this kind can be';
    default:
      return `the file cannot be read as CSV (${err.code})`;
  }
}

/**
 * Rows as CSV for spreadsheets: the byte order mark on the first chunk (Excel reads UTF-8
 * without it as the local code page, and Finnish names have ä and ö), RFC 4180's CRLF, and an
 * apostrophe before a cell that starts with = + - @ tab or CR (OWASP's CSV injection advice),
 * so a spreadsheet shows such a value as text instead of running it.
 */
export function writeCsv(columns: readonly string[], rows: readonly string[][], first = true): string {
  return stringify(rows as string[][], {
    bom: first,
    header: first,
    columns: [...columns],
    escape_formulas: true,
    // Naming a delimiter turns off quoting of bare \n and \r unless asked (csv-stringify 6.9),
    // and a name with a line break must stay one cell.
    record_delimiter: 'windows',
    quote_record_delimiter: true,
  });
}
