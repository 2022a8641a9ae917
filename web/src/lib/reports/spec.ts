// One report page's description, without markup: what it asks the API, its groupings, its
// table's columns and totals, the figures over the table and the chart. ReportPage.svelte draws
// any of them, so the report pages are one line each and read the same way. The specs of the
// fleet's reports are summary.ts, utilisation.ts, visits.ts and alerts.ts; trips.ts is one
// asset's trips and stops (scope 'asset': the page asks for the asset first, and has no
// schedules, since the API mails only the fleet's reports).
import type { ApiClient, DownloadedFile } from '../api/client.ts';
import { REPORT_NAMES, type ReportFile, type ReportName, type ReportQuery } from '../api/reports.ts';
import type { DayRange, RangePreset } from '../costs/range.ts';
import type { ReportBars } from './chart.ts';
import type { ReportColumn } from './table.ts';
import type { ReportView, ViewRules } from './view.ts';

/** What the texts of a report need beyond its rows. */
export interface ReportContext {
  timeZone: string;
  /** The days the page shows, for links that keep them (a summary row to the asset's trips). */
  range?: DayRange | undefined;
}

/** A report page's name: the fleet's reports the API schedules, and an asset's trips and stops. */
export type ReportPageName = ReportName | 'trips';

/** The report's name as the schedules know it, if they do. */
export function scheduledReport(name: ReportPageName): ReportName | undefined {
  return REPORT_NAMES.find((n) => n === name);
}

/** One figure over the table: "Distance 1,234.5 km". */
export interface ReportFigure {
  key: string;
  label: string;
  value: string;
}

export interface ReportSpec<A, R, N extends ReportPageName = ReportName> extends ViewRules {
  report: N;
  title: string;
  /** What the table lists, for its caption and the empty table: "assets", "places". */
  noun(by: string | undefined): string;
  /** The table's caption; "<title> per <noun>" unless said. */
  caption?(by: string | undefined): string;
  /** Each grouping's words in the picker: { asset: 'Per asset', day: 'Per day' }. */
  groupLabels: Readonly<Record<string, string>>;
  /** The grouping picker's label; "Grouping" unless said. */
  groupLabel?: string;
  /** A report of one asset: what the page says until one is chosen. */
  assetPrompt?: string;
  presets: readonly RangePreset[];
  /** The API's query of a view; reportQuery's range, grouping and filters unless said. */
  query?(view: ReportView, ctx: ReportContext): ReportQuery;
  /** A word on the view the figures do not say (a range cut short), if any. */
  warning?(view: ReportView, ctx: ReportContext): string | undefined;
  load(api: ApiClient, query: ReportQuery, signal?: AbortSignal): Promise<A>;
  /** The view as a file; the report's route with `format` unless said. */
  download?(api: ApiClient, query: ReportQuery, format: ReportFile): Promise<DownloadedFile>;
  rows(answer: A): readonly R[];
  rowKey(row: R): string;
  columns(by: string | undefined, ctx: ReportContext): readonly ReportColumn<R>[];
  /** The totals row, by column key (the server's totals, never summed here). */
  footer(answer: A, by: string | undefined): Readonly<Record<string, string>>;
  figures(answer: A): readonly ReportFigure[];
  chart(answer: A, by: string | undefined): ReportBars;
  /** How the figures are made, in a sentence under the table. */
  note: string;
}

/** The keys of a report's columns in every grouping: what the address's `sort` may name. */
export function sortKeysOf(
  groups: readonly string[],
  columns: (by: string | undefined, ctx: ReportContext) => readonly { key: string }[],
): string[] {
  const ctx = { timeZone: 'UTC' };
  const all = groups.length === 0 ? [columns(undefined, ctx)] : groups.map((g) => columns(g, ctx));
  return [...new Set(all.flat().map((c) => c.key))];
}

/** The reports' tabs, in the order a manager reads them. */
export const REPORT_TABS = [
  { href: '/reports/summary', label: 'Summary' },
  { href: '/reports/utilisation', label: 'Utilisation' },
  { href: '/reports/visits', label: 'Visits' },
  { href: '/reports/alerts', label: 'Alerts' },
  { href: '/reports/trips', label: 'Trips' },
] as const;
