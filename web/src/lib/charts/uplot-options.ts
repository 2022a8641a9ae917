// uPlot options for one telemetry chart of the device page: time on x in the page's time zone
// (24-hour clock), the bucket average as a line with the min-max band around it, the unit on
// the y axis, gaps where the device did not report (isolated buckets drawn as dots), and the
// cursor synchronised across the page's charts.
import uPlot from 'uplot';
import { formatNumber } from '../device/fields.ts';
import { formatClock, formatDateTime } from '../time.ts';
import { type FieldData, isolatedIndices, yRange } from './series.ts';
import type { ChartSpec } from './style.ts';

export interface ChartLayout {
  width: number;
  height: number;
  timeZone: string;
  /** Charts with the same key move their cursors together. */
  syncKey: string;
}

const AXIS = {
  stroke: '#475569',
  grid: { stroke: '#e2e8f0', width: 1 },
  ticks: { stroke: '#cbd5e1', width: 1 },
};

/** `#rrggbb` with an alpha (0..1). */
export function withAlpha(hex: string, alpha: number): string {
  return `${hex}${Math.round(alpha * 255)
    .toString(16)
    .padStart(2, '0')}`;
}

export function chartOptions(spec: ChartSpec, data: FieldData, layout: ChartLayout): uPlot.Options {
  const { timeZone } = layout;
  const value = (v: number | null | undefined): string =>
    v === null || v === undefined ? '—' : `${formatNumber(v, spec.digits)} ${spec.unit}`.trim();
  const isolated = isolatedIndices(data[1]);
  const edge = { stroke: withAlpha(spec.color, 0.35), width: 1, points: { show: false } };
  return {
    width: layout.width,
    height: layout.height,
    ms: 1,
    tzDate: (ts) => uPlot.tzDate(new Date(ts), timeZone),
    cursor: { sync: { key: layout.syncKey }, drag: { x: false, y: false } },
    legend: { live: true },
    scales: {
      x: { time: true },
      y: { range: (_u, min, max) => yRange(min, max, spec) },
    },
    series: [
      { label: 'Time', value: (_u, v) => (v === null ? '—' : formatDateTime(v, timeZone)) },
      {
        label: 'avg',
        stroke: spec.color,
        width: 2,
        value: (_u, v) => value(v),
        points: {
          show: false,
          size: 6,
          fill: spec.color,
          filter: () => (isolated.length > 0 ? isolated : null),
        },
      },
      { label: 'min', value: (_u, v) => value(v), ...edge },
      { label: 'max', value: (_u, v) => value(v), ...edge },
    ],
    bands: [{ series: [3, 2], fill: withAlpha(spec.color, 0.15) }],
    axes: [
      {
        ...AXIS,
        values: (_u, splits) => splits.map((v) => formatClock(v, timeZone).slice(0, 5)),
      },
      {
        ...AXIS,
        label: spec.unit,
        labelSize: 18,
        size: 52,
        values: (_u, splits) => splits.map((v) => formatNumber(v, spec.digits)),
      },
    ],
  };
}
