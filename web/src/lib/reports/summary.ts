// The fleet summary as a report page: per asset or per day of the organisation's calendar, the
// trips, distance, driving, idling, engine hours, after-hours time, fuel entered and utilisation
// (GET /api/v1/reports/summary); a chart of the distance per asset (the 20 that drove most) or
// per day (every day); an asset's trips link to its trips page.
import type { FleetSummary } from '@fleet/api/contract';
import { fleetSummary, REPORT_LIMITS } from '../api/reports.ts';
import { CHART_MAX_BARS, type ReportBars, topRows } from './chart.ts';
import {
  formatCount,
  formatHours,
  formatKm,
  formatLitres,
  formatReportDay,
  formatShare,
  formatShortDay,
} from './format.ts';
import { type ReportContext, type ReportSpec, sortKeysOf } from './spec.ts';
import { assetHref, assetLabel, figureColumn, type ReportColumn, textColumn } from './table.ts';
import { segmentsHref } from './trips.ts';

export type SummaryRow = FleetSummary['rows'][number];
type Figures = FleetSummary['totals'];

const GROUPS = ['asset', 'day'] as const;

/** The figures' columns, the same per asset and per day; each reads a row's or the totals' figure. */
const FIGURES: readonly { key: keyof Figures; label: string; text(f: Figures): string }[] = [
  { key: 'trips', label: 'Trips', text: (f) => formatCount(f.trips) },
  { key: 'distanceKm', label: 'Distance', text: (f) => formatKm(f.distanceKm) },
  { key: 'drivingS', label: 'Driving', text: (f) => formatHours(f.drivingS) },
  { key: 'idleS', label: 'Idling', text: (f) => formatHours(f.idleS) },
  { key: 'engineS', label: 'Engine hours', text: (f) => formatHours(f.engineS) },
  { key: 'afterHoursS', label: 'After hours', text: (f) => formatHours(f.afterHoursS) },
  { key: 'fuelLitres', label: 'Fuel', text: (f) => formatLitres(f.fuelLitres) },
  { key: 'utilisation', label: 'Utilisation', text: (f) => formatShare(f.utilisation) },
];

function columns(by: string | undefined, ctx: ReportContext): ReportColumn<SummaryRow>[] {
  const head =
    by === 'day'
      ? [
          {
            ...textColumn<SummaryRow>('day', 'Day', (r) => r.day),
            text: (r: SummaryRow) => formatReportDay(r.day ?? ''),
          },
        ]
      : [
          textColumn<SummaryRow>(
            'name',
            'Asset',
            (r) => r.asset?.name,
            (r) => (r.asset ? assetHref(r.asset) : undefined),
          ),
          textColumn<SummaryRow>('plate', 'Plate', (r) => r.asset?.plate),
          textColumn<SummaryRow>('department', 'Department', (r) => r.asset?.departmentName),
        ];
  // An asset's trips lead to its trips page over the same days.
  const tripsOf = (r: SummaryRow) => (r.asset ? segmentsHref(r.asset.id, ctx.range) : undefined);
  return [
    ...head,
    ...FIGURES.map((f) => ({
      ...figureColumn<SummaryRow>(f.key, f.label, f.text, (r) => r[f.key]),
      ...(f.key === 'trips' && by !== 'day' ? { href: tripsOf } : {}),
    })),
  ];
}

function chart(answer: FleetSummary, by: string | undefined): ReportBars {
  const parts = [{ key: 'distance', label: 'Distance', color: '#1d4ed8' }];
  const overall = { label: 'In all', values: [answer.totals.distanceKm] };
  if (by === 'day')
    return {
      xLabel: 'Day',
      unit: 'km',
      parts,
      overall,
      bars: answer.rows.map((r) => ({ label: formatShortDay(r.day ?? ''), values: [r.distanceKm] })),
      left: 0,
    };
  const top = topRows(answer.rows, (r) => r.distanceKm, CHART_MAX_BARS);
  return {
    xLabel: 'Asset',
    unit: 'km',
    parts,
    overall,
    bars: top.rows.map((r) => ({ label: r.asset ? assetLabel(r.asset) : '', values: [r.distanceKm] })),
    left: top.left,
  };
}

export const SUMMARY_REPORT: ReportSpec<FleetSummary, SummaryRow> = {
  report: 'summary',
  title: 'Summary',
  noun: (by) => (by === 'day' ? 'days' : 'assets'),
  groups: GROUPS,
  groupLabels: { asset: 'Per asset', day: 'Per day' },
  maxDays: REPORT_LIMITS.maxDays,
  sortKeys: sortKeysOf(GROUPS, columns),
  presets: ['this_month', 'last_month', 'last_3_months'],
  load: fleetSummary,
  rows: (a) => a.rows,
  rowKey: (r) => r.asset?.id ?? r.day ?? '',
  columns,
  footer: (a, by) => ({
    [by === 'day' ? 'day' : 'name']: 'Total',
    ...Object.fromEntries(FIGURES.map((f) => [f.key, f.text(a.totals)])),
  }),
  figures: (a) =>
    FIGURES.filter((f) => f.key !== 'trips').map((f) => ({
      key: f.key,
      label: f.label,
      value: f.text(a.totals),
    })),
  chart,
  note: "From the trips and stops kept as telemetry arrives; a trip counts on the day it starts. Engine hours are driving and idling; after hours is trips' time outside the working hours; fuel is the fill-ups entered; utilisation is engine time over working time.",
};
