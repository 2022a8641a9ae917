// One export layer for every report and list that leaves as a file: a table is declared once
// (columns with a CSV name, a heading, a type and how to read the value from a row) and rendered
// to CSV (through csv/file.ts writeCsv, so a cell starting with = + - @ stays text) or to XLSX
// (write-excel-file: docs/decisions.md, "XLSX export"). In a spreadsheet numbers are numbers,
// durations hours with two decimals, shares percentages, days and times real dates (the
// organisation's wall clock, as spreadsheets have no zones), under a bold, frozen header row.
import type { SqlDatabase } from '@fleet/shared/db';
import { inTenant } from '@fleet/shared/db';
import { wallClock } from '@fleet/shared/time-zone';
import writeExcelFile, { type Cell, type Row } from 'write-excel-file/node';
import { z } from 'zod';
import { writeCsv } from '../../csv/file.ts';

export const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
export const CSV_TYPE = 'text/csv; charset=utf-8';

/** A route's `alternatives` when it answers files too (documented, not validated). */
export const FILE_ALTERNATIVES = {
  'text/csv': z.string(),
  [XLSX_TYPE]: z.string().meta({ format: 'binary' }),
};

/**
 * What a column holds, and so how each format writes it:
 * - text: as it is;
 * - number: a number (`digits` decimals shown in a spreadsheet, all of them in CSV);
 * - hours: seconds in the row, hours with 2 decimals in the file;
 * - share: 0..1, a percentage in a spreadsheet;
 * - day: YYYY-MM-DD; instant: an ISO timestamp (CSV keeps it in UTC, a spreadsheet shows the
 *   organisation's wall clock);
 * - boolean: true/false.
 */
export type ColumnType = 'text' | 'number' | 'hours' | 'share' | 'day' | 'instant' | 'boolean';

type ValueOf<T extends ColumnType> = T extends 'text' | 'day' | 'instant'
  ? string | null
  : T extends 'boolean'
    ? boolean | null
    : number | null;

export interface ReportColumn<R, T extends ColumnType = ColumnType> {
  /** The CSV header: snake_case, stable for scripts that read the file. */
  name: string;
  /** The spreadsheet's heading, in words. */
  header: string;
  type: T;
  value(row: R): ValueOf<T>;
  /** Decimals shown for a number column in a spreadsheet (default: as stored). */
  digits?: number;
  /** Column width in characters (default: from the heading and type). */
  width?: number;
}

/** A column of any type over rows R (the helpers below keep each column's value typed). */
export type AnyColumn<R> = { [T in ColumnType]: ReportColumn<R, T> }[ColumnType];

export interface ReportTable<R> {
  /** The sheet's name (at most 31 characters, no []:*?/\). */
  sheet: string;
  /** The organisation's time zone: the wall clock instants are shown in. */
  timeZone: string;
  columns: readonly AnyColumn<R>[];
  rows: readonly R[];
}

export const text = <R>(name: string, header: string, value: (r: R) => string | null, width?: number) =>
  col<R, 'text'>({ name, header, type: 'text', value, ...(width === undefined ? {} : { width }) });
export const number = <R>(name: string, header: string, value: (r: R) => number | null, digits?: number) =>
  col<R, 'number'>({ name, header, type: 'number', value, ...(digits === undefined ? {} : { digits }) });
export const hours = <R>(name: string, header: string, seconds: (r: R) => number | null) =>
  col<R, 'hours'>({ name, header, type: 'hours', value: seconds });
export const share = <R>(name: string, header: string, value: (r: R) => number | null) =>
  col<R, 'share'>({ name, header, type: 'share', value });
export const day = <R>(name: string, header: string, value: (r: R) => string | null) =>
  col<R, 'day'>({ name, header, type: 'day', value });
export const instant = <R>(name: string, header: string, value: (r: R) => string | null) =>
  col<R, 'instant'>({ name, header, type: 'instant', value });
export const boolean = <R>(name: string, header: string, value: (r: R) => boolean | null) =>
  col<R, 'boolean'>({ name, header, type: 'boolean', value });

function col<R, T extends ColumnType>(c: ReportColumn<R, T>): ReportColumn<R, T> {
  return c;
}

const hoursOf = (seconds: number) => Math.round((seconds / 3600) * 100) / 100;

function csvCell<R>(c: AnyColumn<R>, row: R): string {
  const v = c.value(row);
  if (v === null) return '';
  if (c.type === 'hours') return String(hoursOf(v as number));
  return String(v);
}

export function renderCsv<R>(table: ReportTable<R>): string {
  return writeCsv(
    table.columns.map((c) => c.name),
    table.rows.map((r) => table.columns.map((c) => csvCell(c, r))),
  );
}

// Spreadsheet dates have no zone: instants are shown on the organisation's wall clock.
export { wallClock };

function xlsxCell<R>(c: AnyColumn<R>, row: R, timeZone: string): Cell {
  const v = c.value(row);
  if (v === null) return null;
  switch (c.type) {
    case 'text':
      // Always a string cell: "=1+1" in a name stays text, never a formula.
      return { type: String, value: v as string };
    case 'number':
      return {
        type: Number,
        value: v as number,
        ...(c.digits === undefined ? {} : { format: c.digits === 0 ? '0' : `0.${'0'.repeat(c.digits)}` }),
      };
    case 'hours':
      return { type: Number, value: hoursOf(v as number), format: '0.00' };
    case 'share':
      return { type: Number, value: v as number, format: '0.0%' };
    case 'day':
      return { type: Date, value: new Date(`${v as string}T00:00:00Z`), format: 'yyyy-mm-dd' };
    case 'instant':
      return { type: Date, value: wallClock(Date.parse(v as string), timeZone), format: 'yyyy-mm-dd hh:mm' };
    case 'boolean':
      return { type: Boolean, value: v as boolean };
  }
}

const WIDTH_OF: Record<ColumnType, number> = {
  text: 18,
  number: 10,
  hours: 10,
  share: 10,
  day: 12,
  instant: 17,
  boolean: 8,
};

export async function renderXlsx<R>(table: ReportTable<R>): Promise<Buffer> {
  // Times are the organisation's wall clock: the heading says whose.
  const head: Row = table.columns.map((c) => ({
    type: String,
    value: c.type === 'instant' ? `${c.header} (${table.timeZone})` : c.header,
    fontWeight: 'bold' as const,
  }));
  const body: Row[] = table.rows.map((r) => table.columns.map((c) => xlsxCell(c, r, table.timeZone)));
  return writeExcelFile([head, ...body], {
    sheet: table.sheet.replace(/[[\]:*?/\\]/g, ' ').slice(0, 31),
    columns: table.columns.map((c) => ({
      width: c.width ?? Math.max(WIDTH_OF[c.type], c.header.length + 2),
    })),
    stickyRowsCount: 1,
  }).toBuffer();
}

export type FileFormat = 'csv' | 'xlsx';

export interface FileReply {
  status: 200;
  raw: string | Uint8Array;
  contentType: string;
  headers: Record<string, string>;
  /** The file's name, as the Content-Disposition gives it. */
  filename: string;
}

/** A table as a downloadable file: `<stem>.csv` or `<stem>.xlsx`. */
export async function fileReply<R>(
  table: ReportTable<R>,
  format: FileFormat,
  stem: string,
): Promise<FileReply> {
  const filename = `${stem.replace(/[^\w.-]+/g, '-')}.${format}`;
  return {
    status: 200,
    raw: format === 'csv' ? renderCsv(table) : await renderXlsx(table),
    contentType: format === 'csv' ? CSV_TYPE : XLSX_TYPE,
    headers: { 'content-disposition': `attachment; filename="${filename}"` },
    filename,
  };
}

/** The organisation's time zone, which a spreadsheet's times are shown in. */
export async function timeZoneOf(db: SqlDatabase, orgId: string): Promise<string> {
  const rows = await inTenant(db, orgId, (tx) =>
    tx.query<{ time_zone: string }>('select time_zone from organisations where id = $1::uuid', [orgId]),
  );
  return rows[0]?.time_zone ?? 'UTC';
}
