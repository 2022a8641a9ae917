// uPlot options for a stacked cost chart (lib/costs/chart.ts says how the stacks are made): one
// bar per asset, department or month, the parts in their colours, the names under the bars, the
// currency on the y axis from 0, and a legend that reads the hovered bar's amounts as the API
// wrote them (exact), not the heights drawn.
import uPlot from 'uplot';
import { axisLabel, STACK_ORDER, type StackedBars } from '../costs/chart.ts';
import { formatAmount, formatCompactAmount } from '../costs/format.ts';
import { type CostPart, PART_COLORS, PART_LABELS } from '../costs/labels.ts';
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

const AXIS = {
  stroke: '#475569',
  grid: { stroke: '#e2e8f0', width: 1 },
  ticks: { stroke: '#cbd5e1', width: 1 },
};

/** About the width of a character of the axis's labels (12 px system-ui), in CSS px. */
const CHAR_PX = 7.5;
/** The most a tilted label keeps of its name. */
const TILTED_CHARS = 14;

export function costBarOptions(bars: StackedBars, layout: BarLayout): uPlot.Options {
  const { currency, overall } = layout;
  const n = bars.labels.length;
  const paths = uPlot.paths.bars?.({ size: [0.6, 56], align: 0 });
  // Asked again at each size: a label stands flat under its bar while it fits its slot (names in
  // full when there is room), and tilts, cut to TILTED_CHARS, when the bars get narrow.
  const longest = Math.max(
    0,
    ...bars.labels.map((_, i) => axisLabel(bars.labels, i, Number.POSITIVE_INFINITY).length),
  );
  const fits = (u: uPlot) => Math.floor((u.width - 70) / Math.max(1, n) / CHAR_PX) - 1;
  const tilt = (u: uPlot) => longest > fits(u) && fits(u) < TILTED_CHARS;
  const chars = (u: uPlot) => (tilt(u) ? TILTED_CHARS : Math.max(6, fits(u)));
  const indices = bars.labels.map((_, i) => i);
  return {
    width: layout.width,
    height: layout.height,
    cursor: { drag: { x: false, y: false }, points: { show: false } },
    legend: { live: true },
    scales: {
      // Each bar in the middle of its slot: half a slot of room either side.
      x: { time: false, range: () => [-0.5, Math.max(0.5, n - 0.5)] },
      y: { range: (_u, _min, max) => [0, max > 0 ? max * 1.08 : 1] },
    },
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
      {
        ...AXIS,
        grid: { show: false },
        splits: () => indices,
        values: (u, splits) => splits.map((i) => axisLabel(bars.labels, i, chars(u))),
        rotate: (u) => (tilt(u) ? -40 : 0),
        size: (u) => (tilt(u) ? 84 : 36),
      },
      {
        ...AXIS,
        size: 64,
        values: (_u, splits) => splits.map((v) => formatCompactAmount(v, currency)),
      },
    ],
  };
}
