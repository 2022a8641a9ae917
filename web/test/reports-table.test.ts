// A report's table sorted by its figures (lib/reports/table.ts), its words (lib/reports/format.ts)
// and its chart's bars (lib/reports/chart.ts): stable, rows without a figure last either way,
// the bars stacked as uPlot draws them.
import { describe, expect, it } from 'vitest';
import { kindsText } from '../src/lib/reports/alerts.ts';
import { chartHeight, chartTick, chartValue, stackReportBars, topRows } from '../src/lib/reports/chart.ts';
import {
  formatHours,
  formatInstant,
  formatKm,
  formatRange,
  formatReportDay,
  formatShare,
  formatShortDay,
} from '../src/lib/reports/format.ts';
import { assetHref, assetLabel, type ReportColumn, sortRows } from '../src/lib/reports/table.ts';
import { categoryLabel } from '../src/lib/reports/visits.ts';

interface Row {
  name: string;
  hours: number | null;
}
const columns: ReportColumn<Row>[] = [
  { key: 'name', label: 'Name', text: (r) => r.name, sortValue: (r) => r.name },
  { key: 'hours', label: 'Hours', text: (r) => formatHours(r.hours), sortValue: (r) => r.hours },
];
const rows: Row[] = [
  { name: 'Van 10', hours: 36_000 },
  { name: 'Van 9', hours: null },
  { name: 'van 2', hours: 3600 },
  { name: 'Kit A', hours: 3600 },
];
const names = (list: Row[]) => list.map((r) => r.name);

describe('sorting a report', () => {
  it('by a figure, not its words; ties keep the API’s order; no figure last either way', () => {
    expect(names(sortRows(rows, columns, 'hours', 'asc'))).toEqual(['van 2', 'Kit A', 'Van 10', 'Van 9']);
    expect(names(sortRows(rows, columns, 'hours', 'desc'))).toEqual(['Van 10', 'van 2', 'Kit A', 'Van 9']);
  });

  it('by a name, numbers in it as numbers, case aside', () => {
    expect(names(sortRows(rows, columns, 'name', 'asc'))).toEqual(['Kit A', 'van 2', 'Van 9', 'Van 10']);
  });

  it('in the API’s order without a sort or with an unknown one', () => {
    expect(sortRows(rows, columns, undefined, 'asc')).toEqual(rows);
    expect(sortRows(rows, columns, 'colour', 'desc')).toEqual(rows);
  });
});

describe('the words', () => {
  it('of durations, shares, distances, days and instants', () => {
    expect(formatHours(45_000)).toBe('12.5 h');
    expect(formatHours(0)).toBe('0.0 h');
    expect(formatHours(null)).toBe('—');
    expect(formatShare(0.424)).toBe('42%');
    expect(formatShare(null)).toBe('—');
    expect(formatKm(1234.46)).toBe('1,234.5 km');
    expect(formatReportDay('2026-12-01')).toBe('Tue 1 Dec 2026');
    expect(formatShortDay('2026-12-01')).toBe('1 Dec');
    expect(formatRange('2026-12-01', '2026-12-31')).toBe('1 Dec 2026 – 31 Dec 2026');
    expect(formatRange('2026-12-01', '2026-12-01')).toBe('1 Dec 2026');
    expect(formatInstant('2026-07-01T12:00:00.000Z', 'Europe/Helsinki')).toBe('1 Jul 2026, 15:00:00');
    expect(formatInstant(null, 'UTC')).toBe('—');
    expect(categoryLabel('client_site')).toBe('Client site');
    expect(kindsText({ overspeed: 1, idling: 3, geofence_exit: 0 })).toMatch(/^.+ 3 · .+ 1$/);
  });

  it('of assets', () => {
    const id = '00000000-0000-4000-8000-00000000000a';
    expect(assetHref({ id, kind: 'equipment' })).toBe(`/equipment/${id}`);
    expect(assetLabel({ name: 'Van 7', plate: 'ABC-123' })).toBe('Van 7 (ABC-123)');
    expect(assetLabel({ name: 'Generator', plate: null })).toBe('Generator');
  });
});

describe('the chart', () => {
  it('stacks the parts from the bottom, the tallest series drawn first', () => {
    const chart = {
      xLabel: 'Asset',
      unit: 'count' as const,
      parts: [
        { key: 'critical', label: 'Critical', color: '#b91c1c' },
        { key: 'warning', label: 'Warning', color: '#b45309' },
        { key: 'info', label: 'Info', color: '#0369a1' },
      ],
      bars: [
        { label: 'Van 1', values: [1, 2, 3] },
        { label: 'Van 2', values: [0, 4, 0] },
      ],
      left: 0,
    };
    expect(stackReportBars(chart)).toEqual({
      data: [
        [0, 1],
        [6, 4],
        [3, 4],
        [1, 0],
      ],
      series: [2, 1, 0],
    });
  });

  it('draws hours of seconds and percent of shares, and says them in words', () => {
    expect(chartHeight('hours', 5400)).toBe(1.5);
    expect(chartHeight('share', 0.25)).toBe(25);
    expect(chartHeight('km', 12)).toBe(12);
    expect(chartValue('hours', 5400)).toBe('1.5 h');
    expect(chartValue('share', 0.25)).toBe('25%');
    expect(chartValue('km', 12)).toBe('12.0 km');
    expect(chartValue('count', 1200)).toBe('1,200');
    expect(chartTick('hours', 12)).toBe('12 h');
    expect(chartTick('share', 40)).toBe('40%');
    expect(chartTick('km', 1500)).toBe('1.5k km');
  });

  it('takes the rows with most, none without any, and says how many are left', () => {
    const list = [5, 0, 9, 3, 9].map((v, i) => ({ i, v }));
    expect(topRows(list, (r) => r.v, 2)).toEqual({ rows: [list[2], list[4]], left: 2 });
    expect(topRows(list, (r) => r.v).rows.map((r) => r.i)).toEqual([2, 4, 0, 3]);
  });
});
