// The costs table's sort and the charts' stacks (lib/costs/summary.ts, chart.ts): decimals
// compared exactly, rows without a figure last, and bars whose stacks end at the server's totals
// while the legend reads the server's strings.
import type { CostSummaryRow } from '@fleet/api/contract';
import { describe, expect, it } from 'vitest';
import { axisLabel, monthBars, rowLabel, stackedBars, summaryBars } from '../src/lib/costs/chart.ts';
import { decimalKey, hasCosts, sortCostRows } from '../src/lib/costs/summary.ts';

const figures = {
  byCategory: {},
  distanceKm: null,
  engineHours: null,
  costPerKm: null,
  costPerEngineHour: null,
  fuelLitres: 0,
  consumptionLPer100Km: null,
};
const row = (name: string, total: string, extra: Partial<CostSummaryRow> = {}): CostSummaryRow => ({
  id: name,
  kind: 'vehicle',
  name,
  plate: null,
  ...figures,
  costs: { fuel: '0.00', maintenance: '0.00', other: total, total },
  ...extra,
});

describe('exact decimals', () => {
  it('as integers of millionths', () => {
    expect(decimalKey('1079.50')).toBe(1_079_500_000n);
    expect(decimalKey('0.5398')).toBe(539_800n);
    expect(decimalKey('-3')).toBe(-3_000_000n);
    expect(decimalKey('999999999999.9999')).toBe(999_999_999_999_999_900n);
    // Apart by a ten-thousandth at twelve digits: a double cannot tell these apart.
    expect(Number('999999999999.9999') === Number('999999999999.9998')).toBe(false);
    expect(decimalKey('999999999999.9999') > decimalKey('999999999999.9998')).toBe(true);
  });

  it('say whether a range cost anything', () => {
    expect(hasCosts({ costs: { fuel: '0.00', maintenance: '0.00', other: '0.00', total: '0.00' } })).toBe(
      false,
    );
    expect(hasCosts({ costs: { fuel: '0.01', maintenance: '0.00', other: '0.00', total: '0.01' } })).toBe(
      true,
    );
  });
});

describe('the table’s sort', () => {
  const rows = [
    row('Van 2', '1079.50', { plate: 'ABC-2', costPerKm: '0.5398', distanceKm: 2000 }),
    row('van 10', '239.50', { plate: 'ABC-10', costPerKm: '10.50' }),
    row('Crane', '1079.50'),
    row('Van 1', '80.05', { costPerKm: '9.99', distanceKm: 76 }),
  ];
  const names = (r: CostSummaryRow[]) => r.map((x) => x.name);

  it('keeps the API’s order unsorted', () => {
    expect(names(sortCostRows(rows, undefined, 'asc'))).toEqual(['Van 2', 'van 10', 'Crane', 'Van 1']);
  });

  it('sorts money and per-km figures as decimals, ties in the API’s order', () => {
    expect(names(sortCostRows(rows, 'total', 'asc'))).toEqual(['Van 1', 'van 10', 'Van 2', 'Crane']);
    expect(names(sortCostRows(rows, 'total', 'desc'))).toEqual(['Van 2', 'Crane', 'van 10', 'Van 1']);
    // As text "10.50" would come before "9.99"; as decimals 0.5398 < 9.99 < 10.50.
    expect(names(sortCostRows(rows, 'costPerKm', 'asc'))).toEqual(['Van 2', 'Van 1', 'van 10', 'Crane']);
  });

  it('keeps rows without a figure last whichever the order, and names in people’s order', () => {
    expect(names(sortCostRows(rows, 'costPerKm', 'desc'))).toEqual(['van 10', 'Van 1', 'Van 2', 'Crane']);
    expect(names(sortCostRows(rows, 'distance', 'desc'))).toEqual(['Van 2', 'Van 1', 'van 10', 'Crane']);
    expect(names(sortCostRows(rows, 'name', 'asc'))).toEqual(['Crane', 'Van 1', 'Van 2', 'van 10']);
    expect(names(sortCostRows(rows, 'plate', 'asc'))).toEqual(['Van 2', 'van 10', 'Crane', 'Van 1']);
  });
});

describe('the stacked bars', () => {
  const costs = { fuel: '239.50', maintenance: '540.00', other: '300.00', total: '1079.50' };

  it('are the tops of the parts, the tallest drawn first, ending at the server’s total', () => {
    const bars = stackedBars([
      { label: 'Van 2', costs },
      { label: 'Van 1', costs: { fuel: '0.10', maintenance: '0.20', other: '0.00', total: '0.30' } },
    ]);
    expect(bars.labels).toEqual(['Van 2', 'Van 1']);
    const [x, other, maintenance, fuel] = bars.data;
    expect(x).toEqual([0, 1]);
    expect(fuel).toEqual([239.5, 0.1]);
    expect(maintenance).toEqual([779.5, 0.1 + 0.2]);
    // The top is the server's total, not the float sum 0.30000000000000004.
    expect(other).toEqual([1079.5, 0.3]);
    expect(bars.amounts.maintenance).toEqual(['540.00', '0.20']);
    expect(bars.totals).toEqual(['1079.50', '0.30']);
  });

  it('show the costly rows of a summary, most expensive first, at most so many', () => {
    const rows = [
      row('A', '30.00'),
      row('B', '20.00', { plate: 'B-1' }),
      row('C', '10.00'),
      row('D', '0.00'),
    ];
    expect(summaryBars(rows, 2)).toEqual({
      bars: [
        { label: 'A', costs: rows[0]?.costs },
        { label: 'B (B-1)', costs: rows[1]?.costs },
      ],
      left: 1,
    });
    expect(summaryBars(rows).left).toBe(0);
    expect(summaryBars(rows).bars).toHaveLength(3);
    expect(rowLabel({ name: 'No department', plate: null })).toBe('No department');
  });

  it('every month of an asset, by name, the year where it changes', () => {
    const month = (m: string) => ({ month: m, ...figures, costs });
    const bars = monthBars([month('2025-11'), month('2025-12'), month('2026-01'), month('2026-02')]);
    const labels = bars.map((b) => b.label);
    expect(labels).toEqual(['Nov 2025', 'Dec 2025', 'Jan 2026', 'Feb 2026']);
    expect(labels.map((_, i) => axisLabel(labels, i))).toEqual(['Nov 2025', 'Dec', 'Jan 2026', 'Feb']);
    expect(axisLabel(['Refrigerated truck 12 (ABC-123)'], 0)).toBe('Refrigerated …');
  });
});
