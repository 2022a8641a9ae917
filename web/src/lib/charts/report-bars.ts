// uPlot options for a report's bar chart (lib/reports/chart.ts says what the bars are): one bar
// per asset, day, group or place, one figure or parts stacked in their colours, the unit on the
// y axis from 0 (a share to 100% at least), and a legend that reads the hovered bar's figures in
// words, or the report's totals while none is.
import type uPlot from 'uplot';
import { axisLabel } from '../costs/chart.ts';
import { chartTick, chartValue, type ReportBars, type StackedReportBars } from '../reports/chart.ts';
import { AXIS, barAxis, barFrame, barPaths } from './bars.ts';
import { withAlpha } from './uplot-options.ts';

export function reportBarOptions(
  chart: ReportBars,
  stacked: StackedReportBars,
  layout: { width: number; height: number },
): uPlot.Options {
  const labels = chart.bars.map((b) => b.label);
  const n = labels.length;
  const paths = barPaths();
  const { unit, overall } = chart;
  const sum = (values: readonly number[]) => values.reduce((a, v) => a + v, 0);
  return {
    ...barFrame(layout, n, unit === 'share' ? 100 : 0),
    series: [
      {
        // The hovered bar and its figure (the sum of its parts): "Van 7 (ABC-123), 123.4 km".
        label: chart.xLabel,
        value: (_u, v) => {
          const bar = v === null ? undefined : chart.bars[v];
          if (bar) return `${bar.label}, ${chartValue(unit, sum(bar.values))}`;
          return overall ? `${overall.label}, ${chartValue(unit, sum(overall.values))}` : '—';
        },
      },
      ...stacked.series.map((p) => {
        const part = chart.parts[p] ?? { key: '', label: '', color: '#475569' };
        return {
          label: part.label,
          stroke: part.color,
          fill: withAlpha(part.color, 0.9),
          width: 0,
          ...(paths ? { paths } : {}),
          points: { show: false },
          value: (_u: uPlot, _v: number | null, _series: number, idx: number | null) => {
            const value = idx === null ? overall?.values[p] : chart.bars[idx]?.values[p];
            return value === undefined ? '—' : chartValue(unit, value);
          },
        };
      }),
    ],
    axes: [
      barAxis(n, (i, max) => axisLabel(labels, i, max)),
      { ...AXIS, size: 64, values: (_u, splits) => splits.map((v) => chartTick(unit, v)) },
    ],
  };
}
