// What a report's chart draws, without uPlot (its types need the DOM, so the tests run this in
// Node): one bar per asset, day, group or place, of one figure or of parts stacked (alerts by
// severity). uPlot draws bars from a baseline, not stacks, so each series is the top of its part
// and the tallest is drawn first, the shorter over it. The legend reads each bar's figures in
// words; what no bar is hovered over, the report's totals (the server's).
import { formatCount, formatHours, formatKm, formatShare } from './format.ts';

/** What the y axis counts: distance (km), time (seconds, drawn as hours), a share (0..1, as %), a count. */
export type ChartUnit = 'km' | 'hours' | 'share' | 'count';

export interface ChartPart {
  key: string;
  label: string;
  color: string;
}

export interface ChartBar {
  label: string;
  /** One figure per part, in the unit's own terms (seconds for hours, 0..1 for shares). */
  values: readonly number[];
}

export interface ReportBars {
  /** The chart's heading ("Distance per day"); the report's title unless said. */
  title?: string | undefined;
  /** What a bar is, for the legend: "Asset", "Day", "Department", "Place". */
  xLabel: string;
  unit: ChartUnit;
  /** Bottom first. */
  parts: readonly ChartPart[];
  bars: readonly ChartBar[];
  /** The legend while no bar is hovered: the report's totals. */
  overall?: { label: string; values: readonly number[] } | undefined;
  /** Rows left out of the chart (in the table only). */
  left: number;
}

/** At most this many bars: past some 20 the names cannot be read (days are all drawn). */
export const CHART_MAX_BARS = 20;

/** A figure in words, in the chart's unit. */
export function chartValue(unit: ChartUnit, value: number): string {
  switch (unit) {
    case 'km':
      return formatKm(value);
    case 'hours':
      return formatHours(value);
    case 'share':
      return formatShare(value);
    default:
      return formatCount(value);
  }
}

/** A figure as drawn: hours of seconds, percent of a share. */
export function chartHeight(unit: ChartUnit, value: number): number {
  if (unit === 'hours') return value / 3600;
  if (unit === 'share') return value * 100;
  return value;
}

/** The y axis's tick in words ("12 h", "40%", "120 km", "3"). */
export function chartTick(unit: ChartUnit, height: number): string {
  const n = new Intl.NumberFormat('en-GB', { maximumFractionDigits: 1, notation: 'compact' }).format(height);
  return unit === 'hours' ? `${n} h` : unit === 'share' ? `${n}%` : unit === 'km' ? `${n} km` : n;
}

export interface StackedReportBars {
  /** uPlot's AlignedData: the bars' places (0, 1, ...), then the tops of the parts, the tallest (the last part) first. */
  data: [x: number[], ...tops: number[][]];
  /** The part each series after x stands for, in the order of `data`. */
  series: number[];
}

export function stackReportBars(chart: ReportBars): StackedReportBars {
  const x = chart.bars.map((_, i) => i);
  const tops = chart.parts.map((_, p) =>
    chart.bars.map((b) => b.values.slice(0, p + 1).reduce((sum, v) => sum + chartHeight(chart.unit, v), 0)),
  );
  const series = chart.parts.map((_, p) => p).reverse();
  return { data: [x, ...series.map((p) => tops[p] ?? [])], series };
}

/** The rows with most of `value` first, at most `max`: the chart's bars, and how many are left out. */
export function topRows<R>(
  rows: readonly R[],
  value: (r: R) => number,
  max = CHART_MAX_BARS,
): { rows: R[]; left: number } {
  const shown = rows
    .map((r, i) => ({ r, i, v: value(r) }))
    .filter((x) => x.v > 0)
    .sort((a, b) => b.v - a.v || a.i - b.i);
  return { rows: shown.slice(0, max).map((x) => x.r), left: Math.max(0, shown.length - max) };
}
