// Geofence visits as a report page: the time the fleet spent at each place (the stops inside
// it), per place or per place and asset, over at most a month (GET /api/v1/reports/visits); a
// chart of the time at the 20 places (or place and asset pairs) with the most.
import type { VisitsReport, VisitsRow } from '@fleet/api/contract';
import { REPORT_LIMITS, visitsReport } from '../api/reports.ts';
import { CHART_MAX_BARS, type ReportBars, topRows } from './chart.ts';
import { formatCount, formatHours, formatInstant } from './format.ts';
import { type ReportContext, type ReportSpec, sortKeysOf } from './spec.ts';
import { assetHref, assetLabel, figureColumn, type ReportColumn, textColumn } from './table.ts';

const GROUPS = ['place', 'asset'] as const;

/** "Client site" of "client_site". */
export function categoryLabel(category: string): string {
  const words = category.replaceAll('_', ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

const instantSort = (iso: string | null) => (iso === null ? null : Date.parse(iso));

function columns(by: string | undefined, ctx: ReportContext): ReportColumn<VisitsRow>[] {
  const { timeZone } = ctx;
  const instant = (key: 'firstAt' | 'lastAt', label: string): ReportColumn<VisitsRow> => ({
    ...textColumn<VisitsRow>(key, label, (r) => formatInstant(r[key], timeZone)),
    sortValue: (r) => instantSort(r[key]),
  });
  const hours = (key: 'totalS' | 'averageS' | 'longestS', label: string) =>
    figureColumn<VisitsRow>(
      key,
      label,
      (r) => formatHours(r[key]),
      (r) => r[key],
    );
  return [
    textColumn<VisitsRow>('place', 'Place', (r) => r.place.name),
    textColumn<VisitsRow>('category', 'Category', (r) => categoryLabel(r.place.category)),
    by === 'asset'
      ? textColumn<VisitsRow>(
          'asset',
          'Asset',
          (r) => (r.asset ? assetLabel(r.asset) : undefined),
          (r) => (r.asset ? assetHref(r.asset) : undefined),
        )
      : figureColumn<VisitsRow>(
          'assets',
          'Assets',
          (r) => formatCount(r.assets),
          (r) => r.assets,
        ),
    figureColumn<VisitsRow>(
      'visits',
      'Visits',
      (r) => formatCount(r.visits),
      (r) => r.visits,
    ),
    hours('totalS', 'Time there'),
    hours('averageS', 'Average visit'),
    hours('longestS', 'Longest'),
    instant('firstAt', 'First'),
    instant('lastAt', 'Last'),
  ];
}

function chart(answer: VisitsReport, by: string | undefined): ReportBars {
  const top = topRows(answer.rows, (r) => r.totalS, CHART_MAX_BARS);
  return {
    xLabel: by === 'asset' ? 'Place and asset' : 'Place',
    unit: 'hours',
    parts: [{ key: 'time', label: 'Time there', color: '#7c3aed' }],
    overall: { label: 'In all', values: [answer.totals.totalS] },
    bars: top.rows.map((r) => ({
      label: by === 'asset' && r.asset ? `${r.place.name} · ${r.asset.name}` : r.place.name,
      values: [r.totalS],
    })),
    left: top.left,
  };
}

export const VISITS_REPORT: ReportSpec<VisitsReport, VisitsRow> = {
  report: 'visits',
  title: 'Visits',
  noun: (by) => (by === 'asset' ? 'visits by asset' : 'places'),
  groups: GROUPS,
  groupLabels: { place: 'Per place', asset: 'Per place and asset' },
  maxDays: REPORT_LIMITS.visitsMaxDays,
  sortKeys: sortKeysOf(GROUPS, columns),
  presets: ['this_month', 'last_month'],
  load: visitsReport,
  rows: (a) => a.rows,
  rowKey: (r) => `${r.place.id}:${r.asset?.id ?? ''}`,
  columns,
  footer: (a) => ({
    place: 'Total',
    visits: formatCount(a.totals.visits),
    totalS: formatHours(a.totals.totalS),
  }),
  figures: (a) => [
    { key: 'visits', label: 'Visits', value: formatCount(a.totals.visits) },
    { key: 'totalS', label: 'Time at places', value: formatHours(a.totals.totalS) },
  ],
  chart,
  note: 'A visit is a stop inside a place (the smallest place that holds it), from the stops kept as telemetry arrives; first and last are when the first and the last visit began.',
};
