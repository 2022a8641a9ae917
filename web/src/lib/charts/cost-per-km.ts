// uPlot options for the dashboard's cost-per-km trend: one small bar per month (a month with no
// distance measured has no bar, not a zero), the months before this one lighter than this one
// (which runs to today only) and the month names under the bars. No legend: the tile says this
// month's and last month's figures in words, and the figures are listed beside the chart for screen readers.
import uPlot from 'uplot';
import type { CostTrend } from '../dashboard/figures.ts';
import { withAlpha } from './uplot-options.ts';

const BAR = '#1d4ed8';

export function costPerKmOptions(trend: CostTrend, layout: { width: number; height: number }): uPlot.Options {
  const n = trend.labels.length;
  const paths = uPlot.paths.bars?.({ size: [0.7, 40], align: 0 });
  const indices = trend.labels.map((_, i) => i);
  const bars = (color: string) => ({
    stroke: color,
    fill: color,
    width: 0,
    points: { show: false },
    ...(paths ? { paths } : {}),
  });
  return {
    width: layout.width,
    height: layout.height,
    cursor: { show: false },
    legend: { show: false },
    scales: {
      x: { time: false, range: () => [-0.5, Math.max(0.5, n - 0.5)] },
      y: { range: (_u, _min, max) => [0, max > 0 ? max * 1.15 : 1] },
    },
    series: [
      { label: 'Month' },
      { ...bars(withAlpha(BAR, 0.45)), label: 'Cost per km' },
      // This month on its own, full strength.
      { ...bars(BAR), label: 'This month' },
    ],
    axes: [
      {
        stroke: '#475569',
        grid: { show: false },
        ticks: { show: false },
        splits: () => indices,
        values: (_u, splits) => splits.map((i) => (trend.labels[i] ?? '').slice(0, 3)),
        size: 22,
        font: '11px system-ui',
      },
      { show: false },
    ],
  };
}
