// What the cost charts draw, without uPlot (its types need the DOM, so the tests run this in
// Node): one stacked bar per asset, department or month, fuel at the bottom, maintenance on it,
// other costs on top. uPlot draws bars from a baseline, not stacks, so each series is the top of
// its part (fuel; fuel + maintenance; the total) and the tallest is drawn first, the shorter
// over it. Heights are Number() of the API's strings, as a picture needs no more; what the
// legend and the table say are the strings themselves, exact, and the tops of the stacks are
// the server's totals.
import type { CostFigures, CostMonth, CostSummaryRow } from '@fleet/api/contract';
import { monthLabel } from './format.ts';
import type { CostPart } from './labels.ts';
import { decimalKey } from './summary.ts';

/** One bar: what it is called and its costs as the API gave them. */
export interface CostBar {
  label: string;
  costs: CostFigures['costs'];
}

/** The series in the order uPlot draws them: each the top of its part, the tallest first. */
export const STACK_ORDER = ['other', 'maintenance', 'fuel'] as const satisfies readonly CostPart[];

export interface StackedBars {
  labels: string[];
  /** uPlot's AlignedData: the bars' places (0, 1, ...), then the tops in STACK_ORDER. */
  data: [x: number[], other: number[], maintenance: number[], fuel: number[]];
  /** Each part's amount per bar, as the API wrote it, for the legend. */
  amounts: Record<CostPart, string[]>;
  totals: string[];
}

export function stackedBars(bars: readonly CostBar[]): StackedBars {
  const part = (p: CostPart) => bars.map((b) => b.costs[p]);
  const fuel = bars.map((b) => Number(b.costs.fuel));
  const maintenance = bars.map((b, i) => (fuel[i] ?? 0) + Number(b.costs.maintenance));
  return {
    labels: bars.map((b) => b.label),
    data: [bars.map((_, i) => i), bars.map((b) => Number(b.costs.total)), maintenance, fuel],
    amounts: { fuel: part('fuel'), maintenance: part('maintenance'), other: part('other') },
    totals: bars.map((b) => b.costs.total),
  };
}

/** At most this many bars in the costs page's chart: past some 20 the names cannot be read. */
export const CHART_MAX_BARS = 20;

/** A summary row's bar label: the vehicle's name with its plate, or the department's name. */
export function rowLabel(row: Pick<CostSummaryRow, 'name' | 'plate'>): string {
  return row.plate ? `${row.name} (${row.plate})` : row.name;
}

/**
 * The costs page's bars: the rows that cost anything, most expensive first (the API's order),
 * at most `max` of them; `left` says how many more rows cost something and are in the table only.
 */
export function summaryBars(
  rows: readonly CostSummaryRow[],
  max = CHART_MAX_BARS,
): { bars: CostBar[]; left: number } {
  const costly = rows.filter((r) => decimalKey(r.costs.total) > 0n);
  return {
    bars: costly.slice(0, max).map((r) => ({ label: rowLabel(r), costs: r.costs })),
    left: Math.max(0, costly.length - max),
  };
}

/** An asset's months as bars, oldest first (as the API lists them), every month of the range. */
export function monthBars(months: readonly CostMonth[]): CostBar[] {
  return months.map((m) => ({ label: monthLabel(m.month), costs: m.costs }));
}

/**
 * A bar's label on the axis: short enough to stand under a bar; months without the year except
 * in January and at the first bar ("Nov 2025", "Dec", "Jan 2026").
 */
export function axisLabel(labels: readonly string[], index: number, maxLength = 14): string {
  const label = labels[index] ?? '';
  const month = /^([A-Z][a-z]{2}) (\d{4})$/.exec(label);
  if (month) return index === 0 || month[1] === 'Jan' ? label : (month[1] as string);
  return label.length <= maxLength ? label : `${label.slice(0, maxLength - 1)}…`;
}
