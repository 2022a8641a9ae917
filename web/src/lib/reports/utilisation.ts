// Utilisation as a report page: per department, category or asset, the share of the
// organisation's working time the assets were in use (engine on), and the assets that sat idle
// (in use under the API's idleBelow of their working time: the kits nobody needs)
// (GET /api/v1/reports/utilisation); a chart of the utilisation of each group.
import type { IdleAsset, UtilisationReport, UtilisationRow } from '@fleet/api/contract';
import { REPORT_LIMITS, utilisationReport } from '../api/reports.ts';
import { CHART_MAX_BARS, type ReportBars } from './chart.ts';
import { formatCount, formatHours, formatShare } from './format.ts';
import { type ReportContext, type ReportSpec, sortKeysOf } from './spec.ts';
import { assetHref, figureColumn, type ReportColumn, textColumn } from './table.ts';

const GROUPS = ['department', 'category', 'asset'] as const;
const GROUP_NOUN: Record<string, string> = { department: 'Department', category: 'Category', asset: 'Asset' };

type Figures = UtilisationReport['totals'];

const FIGURES: readonly { key: keyof Figures; label: string; text(f: Figures): string }[] = [
  { key: 'assets', label: 'Assets', text: (f) => formatCount(f.assets) },
  { key: 'inUseS', label: 'In use', text: (f) => formatHours(f.inUseS) },
  { key: 'workingS', label: 'Working time', text: (f) => formatHours(f.workingS) },
  { key: 'utilisation', label: 'Utilisation', text: (f) => formatShare(f.utilisation) },
  { key: 'idleAssets', label: 'Sitting idle', text: (f) => formatCount(f.idleAssets) },
];

function columns(by: string | undefined, _ctx: ReportContext): ReportColumn<UtilisationRow>[] {
  return [
    textColumn<UtilisationRow>('name', GROUP_NOUN[by ?? 'department'] ?? 'Group', (r) => r.name),
    ...FIGURES.filter((f) => by !== 'asset' || f.key !== 'assets').map((f) =>
      figureColumn<UtilisationRow>(f.key, f.label, f.text, (r) => r[f.key]),
    ),
  ];
}

/** The "sits idle" list: the assets in use under idleBelow of their working time, least used first. */
export const IDLE_COLUMNS: readonly ReportColumn<IdleAsset>[] = [
  textColumn<IdleAsset>(
    'name',
    'Asset',
    (r) => r.asset.name,
    (r) => assetHref(r.asset),
  ),
  textColumn<IdleAsset>('plate', 'Plate', (r) => r.asset.plate),
  textColumn<IdleAsset>('category', 'Category', (r) => r.asset.category),
  textColumn<IdleAsset>('department', 'Department', (r) => r.asset.departmentName),
  figureColumn<IdleAsset>(
    'inUseS',
    'In use',
    (r) => formatHours(r.inUseS),
    (r) => r.inUseS,
  ),
  figureColumn<IdleAsset>(
    'utilisation',
    'Utilisation',
    (r) => formatShare(r.utilisation),
    (r) => r.utilisation,
  ),
];

function chart(answer: UtilisationReport, by: string | undefined): ReportBars {
  const rows = answer.rows.slice(0, CHART_MAX_BARS);
  return {
    xLabel: GROUP_NOUN[by ?? 'department'] ?? 'Group',
    unit: 'share',
    parts: [{ key: 'utilisation', label: 'Utilisation', color: '#0f766e' }],
    overall: { label: 'In all', values: [answer.totals.utilisation ?? 0] },
    bars: rows.map((r) => ({ label: r.name, values: [r.utilisation ?? 0] })),
    left: Math.max(0, answer.rows.length - rows.length),
  };
}

export const UTILISATION_REPORT: ReportSpec<UtilisationReport, UtilisationRow> = {
  report: 'utilisation',
  title: 'Utilisation',
  noun: (by) => (by === 'asset' ? 'assets' : by === 'category' ? 'categories' : 'departments'),
  groups: GROUPS,
  groupLabels: { department: 'Per department', category: 'Per category', asset: 'Per asset' },
  maxDays: REPORT_LIMITS.maxDays,
  sortKeys: sortKeysOf(GROUPS, columns),
  presets: ['this_month', 'last_month', 'last_3_months'],
  load: utilisationReport,
  rows: (a) => a.rows,
  rowKey: (r) => r.key ?? 'none',
  columns,
  footer: (a) => ({ name: 'Total', ...Object.fromEntries(FIGURES.map((f) => [f.key, f.text(a.totals)])) }),
  figures: (a) => FIGURES.map((f) => ({ key: f.key, label: f.label, value: f.text(a.totals) })),
  chart,
  note: "In use is engine time (driving, idling in trips and at stops) within the range; working time is the organisation's working hours in the range for each asset.",
};
