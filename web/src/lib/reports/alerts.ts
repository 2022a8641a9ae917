// Alerts per asset as a report page: the alerts that started in the range for each asset, by
// severity and by kind, how many are still open and the mean time to resolve the others
// (GET /api/v1/reports/alerts); a chart of the 20 assets with the most, stacked by severity.
import type { AlertsReport, AlertsReportRow } from '@fleet/api/contract';
import type { AlertSeverity } from '@fleet/shared/rules';
import { kindLabel, SEVERITY_LABELS } from '../alerts/labels.ts';
import { SEVERITY_COLORS } from '../alerts/severity-style.ts';
import { alertsReport, REPORT_LIMITS } from '../api/reports.ts';
import { CHART_MAX_BARS, type ReportBars, topRows } from './chart.ts';
import { formatCount, formatHours } from './format.ts';
import { type ReportContext, type ReportSpec, sortKeysOf } from './spec.ts';
import { assetHref, figureColumn, type ReportColumn, textColumn } from './table.ts';

/** The most serious first, as a reader scans them; the chart stacks them from the bottom. */
const SEVERITIES: readonly AlertSeverity[] = ['critical', 'warning', 'info'];

/** "Overspeed 3 · Geofence exit 1": the kinds of a row, the most frequent first. */
export function kindsText(byKind: Readonly<Record<string, number>>): string {
  return Object.entries(byKind)
    .filter(([, n]) => n > 0)
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .map(([kind, n]) => `${kindLabel(kind)} ${n}`)
    .join(' · ');
}

function columns(_by: string | undefined, _ctx: ReportContext): ReportColumn<AlertsReportRow>[] {
  const count = (key: string, label: string, value: (r: AlertsReportRow) => number) =>
    figureColumn<AlertsReportRow>(key, label, (r) => formatCount(value(r)), value);
  return [
    textColumn<AlertsReportRow>(
      'name',
      'Asset',
      (r) => r.asset.name,
      (r) => assetHref(r.asset),
    ),
    textColumn<AlertsReportRow>('plate', 'Plate', (r) => r.asset.plate),
    ...SEVERITIES.map((s) => count(s, SEVERITY_LABELS[s], (r) => r.bySeverity[s])),
    count('total', 'Total', (r) => r.total),
    count('open', 'Open', (r) => r.open),
    figureColumn<AlertsReportRow>(
      'meanTimeToResolveS',
      'Mean time to resolve',
      (r) => formatHours(r.meanTimeToResolveS),
      (r) => r.meanTimeToResolveS,
    ),
    { ...textColumn<AlertsReportRow>('kinds', 'Kinds', (r) => kindsText(r.byKind)), sortable: false },
  ];
}

function chart(answer: AlertsReport): ReportBars {
  const top = topRows(answer.rows, (r) => r.total, CHART_MAX_BARS);
  return {
    xLabel: 'Asset',
    unit: 'count',
    parts: SEVERITIES.map((s) => ({ key: s, label: SEVERITY_LABELS[s], color: SEVERITY_COLORS[s] })),
    overall: { label: 'In all', values: SEVERITIES.map((s) => answer.totals.bySeverity[s]) },
    bars: top.rows.map((r) => ({ label: r.asset.name, values: SEVERITIES.map((s) => r.bySeverity[s]) })),
    left: top.left,
  };
}

export const ALERTS_REPORT: ReportSpec<AlertsReport, AlertsReportRow> = {
  report: 'alerts',
  title: 'Alerts',
  noun: () => 'assets',
  groups: [],
  groupLabels: {},
  maxDays: REPORT_LIMITS.maxDays,
  sortKeys: sortKeysOf([], columns),
  presets: ['this_month', 'last_month', 'last_3_months'],
  load: alertsReport,
  rows: (a) => a.rows,
  rowKey: (r) => r.asset.id,
  columns,
  footer: (a) => ({
    name: 'Total',
    ...Object.fromEntries(SEVERITIES.map((s) => [s, formatCount(a.totals.bySeverity[s])])),
    total: formatCount(a.totals.total),
    open: formatCount(a.totals.open),
  }),
  figures: (a) => [
    { key: 'total', label: 'Alerts', value: formatCount(a.totals.total) },
    ...SEVERITIES.map((s) => ({
      key: s,
      label: SEVERITY_LABELS[s],
      value: formatCount(a.totals.bySeverity[s]),
    })),
    { key: 'open', label: 'Still open', value: formatCount(a.totals.open) },
  ],
  chart,
  note: 'The alerts that started in the range, by the asset they are about; open counts those not resolved yet (open or acknowledged); the mean time to resolve is over the resolved ones.',
};
