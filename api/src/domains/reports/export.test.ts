// The export layer: one table declaration rendered as CSV (formulas escaped, hours with two
// decimals, empty cells for nothing) and as XLSX read back with read-excel-file (numbers as
// numbers, days and times as dates on the organisation's wall clock, text that looks like a
// formula still text).
import { readSheet } from 'read-excel-file/node';
import { describe, expect, it } from 'vitest';
import {
  boolean,
  CSV_TYPE,
  day,
  fileReply,
  hours,
  instant,
  number,
  type ReportTable,
  renderCsv,
  renderXlsx,
  share,
  text,
  wallClock,
  XLSX_TYPE,
} from './export.ts';

interface Row {
  name: string;
  km: number;
  busyS: number | null;
  share: number | null;
  day: string;
  at: string;
  open: boolean;
}

const table: ReportTable<Row> = {
  sheet: 'Vans: week/48',
  timeZone: 'Europe/Helsinki',
  columns: [
    text('asset', 'Asset', (r) => r.name),
    number('distance_km', 'Distance (km)', (r) => r.km, 1),
    hours('busy_h', 'Busy (h)', (r) => r.busyS),
    share('utilisation', 'Utilisation', (r) => r.share),
    day('day', 'Day', (r) => r.day),
    instant('started_at', 'Started', (r) => r.at),
    boolean('open', 'Open', (r) => r.open),
  ],
  rows: [
    {
      name: 'Van 1',
      km: 12.345,
      busyS: 5400,
      share: 0.25,
      day: '2026-11-30',
      at: '2026-11-30T06:15:00.000Z',
      open: false,
    },
    {
      name: '=HYPERLINK("http://x")',
      km: 0,
      busyS: null,
      share: null,
      day: '2026-07-01',
      at: '2026-07-01T05:00:00.000Z',
      open: true,
    },
  ],
};

describe('CSV', () => {
  it('has the columns by name, hours with two decimals, nothing as empty, formulas escaped', () => {
    const lines = renderCsv(table)
      .replace(/^\uFEFF/, '')
      .split('\r\n');
    expect(lines[0]).toBe('asset,distance_km,busy_h,utilisation,day,started_at,open');
    expect(lines[1]).toBe('Van 1,12.345,1.5,0.25,2026-11-30,2026-11-30T06:15:00.000Z,false');
    // csv-stringify's escape_formulas: a leading quote keeps a spreadsheet from running it.
    expect(lines[2]).toBe(`"'=HYPERLINK(""http://x"")",0,,,2026-07-01,2026-07-01T05:00:00.000Z,true`);
  });
});

describe('XLSX', () => {
  it('reads back as numbers, dates and text under a header row', async () => {
    // A spreadsheet keeps dates as fractional days: read back to the nearest second.
    const rows = (await readSheet(await renderXlsx(table))).map((row) =>
      row.map((v) => (v instanceof Date ? new Date(Math.round(v.getTime() / 1000) * 1000) : v)),
    );
    expect(rows[0]).toEqual([
      'Asset',
      'Distance (km)',
      'Busy (h)',
      'Utilisation',
      'Day',
      'Started (Europe/Helsinki)',
      'Open',
    ]);
    // 06:15 UTC is 08:15 in Helsinki in winter, 05:00 UTC is 08:00 in summer.
    expect(rows[1]).toEqual([
      'Van 1',
      12.345,
      1.5,
      0.25,
      new Date('2026-11-30T00:00:00Z'),
      new Date('2026-11-30T08:15:00Z'),
      false,
    ]);
    expect(rows[2]).toEqual([
      '=HYPERLINK("http://x")',
      0,
      null,
      null,
      new Date('2026-07-01T00:00:00Z'),
      new Date('2026-07-01T08:00:00Z'),
      true,
    ]);
  });

  it('is a file reply with its type and name', async () => {
    const xlsx = await fileReply(table, 'xlsx', 'summary 2026-11-30/2026-12-06');
    expect(xlsx.contentType).toBe(XLSX_TYPE);
    expect(xlsx.headers['content-disposition']).toBe(
      'attachment; filename="summary-2026-11-30-2026-12-06.xlsx"',
    );
    // A ZIP archive (PK\x03\x04), as every .xlsx is.
    expect(Buffer.from(xlsx.raw as Uint8Array).subarray(0, 4)).toEqual(Buffer.from([0x50, 0x4b, 0x03, 0x04]));
    const csv = await fileReply(table, 'csv', 'x');
    expect(csv.contentType).toBe(CSV_TYPE);
    expect(typeof csv.raw).toBe('string');
  });

  it('shows times on the wall clock across a DST change', () => {
    // Helsinki leaves summer time at 04:00 EEST on 25 October 2026 (01:00 UTC).
    expect(wallClock(Date.parse('2026-10-25T00:30:00Z'), 'Europe/Helsinki').toISOString()).toBe(
      '2026-10-25T03:30:00.000Z',
    );
    expect(wallClock(Date.parse('2026-10-25T01:30:00Z'), 'Europe/Helsinki').toISOString()).toBe(
      '2026-10-25T03:30:00.000Z',
    );
  });
});
