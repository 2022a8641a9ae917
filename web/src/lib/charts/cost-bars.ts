// uPlot options for a stacked cost chart (lib/costs/chart.ts says how the stacks are made): one
// bar per asset, department or month, the parts in their colours, the names under the bars, the
// currency on the y axis from 0, and a legend that reads the hovered bar's amounts as the API
// wrote them (exact), not the heights drawn.
import type uPlot from 'uplot';
import { axisLabel, STACK_ORDER, type StackedBars } from '../costs/chart.ts';
import { formatAmount, formatCompactAmount } from '../costs/format.ts';
import { type CostPart, PART_COLORS, PART_LABELS } from '../costs/labels.ts';
import { AXIS, barAxis, barFrame, barPaths } from './bars.ts';
import { withAlpha } from './uplot-options.ts';

export interface BarLayout {
  width: number;
  height: number;
  currency: string;
  /** What a bar is, for the legend: "Vehicle", "Department", "Month". */
  xLabel: string;
  /** What the legend says while no bar is hovered: the range's totals, the server's. */
  overall?: { label: string; costs: Record<CostPart | 'total', string> } | undefined;
}

export function costBarOptions(bars: StackedBars, layout: BarLayout): uPlot.Options {
  const { currency, overall } = layout;
  const n = bars.labels.length;
  const paths = barPaths();
  return {
    ...barFrame(layout, n),
    series: [
      {
        // The hovered bar and its total (the server's): "Van 7 (ABC-123), €1,079.50".
        label: layout.xLabel,
        value: (_u, v) => {
          const total = v === null ? undefined : bars.totals[v];
          if (v !== null && total !== undefined)
            return `${bars.labels[v] ?? ''}, ${formatAmount(total, currency)}`;
          return overall ? `${overall.label}, ${formatAmount(overall.costs.total, currency)}` : '—';
        },
      },
      ...STACK_ORDER.map((part) => ({
        label: PART_LABELS[part],
        stroke: PART_COLORS[part],
        fill: withAlpha(PART_COLORS[part], 0.9),
        width: 0,
        ...(paths ? { paths } : {}),
        points: { show: false },
        value: (_u: uPlot, _v: number | null, _series: number, idx: number | null) => {
          const amount = idx === null ? overall?.costs[part] : bars.amounts[part][idx];
          return amount === undefined ? '—' : formatAmount(amount, currency);
        },
      })),
    ],
    axes: [
      barAxis(n, (i, max) => axisLabel(bars.labels, i, max)),
      {
        ...AXIS,
        size: 64,
        values: (_u, splits) => splits.map((v) => formatCompactAmount(v, currency)),
      },
    ],
  };
}
