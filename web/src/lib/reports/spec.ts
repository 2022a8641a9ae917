// One report page's description, without markup: what it asks the API, its groupings, its
// table's columns and totals, the figures over the table and the chart. ReportPage.svelte draws
// any of them, so the four report pages are one line each and read the same way. The four specs
// are summary.ts, utilisation.ts, visits.ts and alerts.ts.
import type { ApiClient } from '../api/client.ts';
import type { ReportName, ReportQuery } from '../api/reports.ts';
import type { RangePreset } from '../costs/range.ts';
import type { ReportBars } from './chart.ts';
import type { ReportColumn } from './table.ts';
import type { ViewRules } from './view.ts';

/** What the texts of a report need beyond its rows. */
export interface ReportContext {
  timeZone: string;
}

/** One figure over the table: "Distance 1,234.5 km". */
export interface ReportFigure {
  key: string;
  label: string;
  value: string;
}

export interface ReportSpec<A, R> extends ViewRules {
  report: ReportName;
  title: string;
  /** What the table lists, for its caption and the empty table: "assets", "places". */
  noun(by: string | undefined): string;
  /** Each grouping's words in the picker: { asset: 'Per asset', day: 'Per day' }. */
  groupLabels: Readonly<Record<string, string>>;
  presets: readonly RangePreset[];
  load(api: ApiClient, query: ReportQuery, signal?: AbortSignal): Promise<A>;
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
] as const;
