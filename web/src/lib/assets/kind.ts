// What the asset pages need to know of a kind of asset (vehicles.ts, equipment.ts): its words,
// its route, its statuses and sorts, its own columns and facts, its form, and the API calls that
// list, read, add, change and retire one. The list page, the detail page and the form
// (AssetListPage, AssetDetailPage, AssetEditor) are written once against this.

import type { EquipmentItem, Vehicle } from '@fleet/api/contract';
import type { CsvCollection } from '../admin/csv-transfer.ts';
import type { ApiClient } from '../api/client.ts';
import { formatDateTime } from '../time.ts';
import type { FieldName, Fields } from './fields.ts';

export type Asset = Vehicle | EquipmentItem;

export interface AssetPage<A> {
  items: A[];
  total: number;
  limit: number;
  offset: number;
}

/** What a cell or a fact needs beyond the asset: names of what it refers to, and how to show times. */
export interface ShowContext {
  timeZone: string;
  department(id: string | null): string;
  place(id: string | null): string;
}

/** A column of the list, as DataTable.svelte takes it (written here: .ts modules do not import .svelte). */
export interface ListColumn {
  key: string;
  label: string;
  sortable?: boolean;
  align?: 'start' | 'end';
}

/** A column of the kind's own, between the name and the department. */
export interface KindColumn<A> extends ListColumn {
  text(asset: A): string;
}

/** A kind of asset `A` whose form edits a body `B`: every field of `B` is one of `A` (an asset is its own draft). */
export interface AssetKind<A extends Asset & B, B> {
  kind: A['kind'];
  /** "vehicle", "equipment item": in "Add a vehicle", "No such vehicle". */
  noun: string;
  /** "Vehicles", "Equipment": the page's heading and the list's caption. */
  title: string;
  /** The list page; a detail page is `${path}/${id}`. */
  path: string;
  /** The API's collection, for its CSV export and import. */
  collection: CsvCollection;
  statuses: readonly A['status'][];
  sorts: readonly string[];
  columns: readonly KindColumn<A>[];
  /** The detail page's facts of the kind's own, before the department. */
  facts(asset: A): [label: string, text: string][];
  fields: Fields<B>;
  /** A new one's values. */
  empty: B;
  /** The field a 409 without details is about (the API names the field itself today). */
  conflict: FieldName<B>;
  list(api: ApiClient, query: Record<string, string | number>): Promise<AssetPage<A>>;
  get(api: ApiClient, id: string): Promise<A>;
  create(api: ApiClient, body: B): Promise<A>;
  update(api: ApiClient, id: string, changes: Partial<B>): Promise<A>;
  retire(api: ApiClient, id: string): Promise<A>;
}

/** Every column of a kind's list: the name, the kind's own, then what every asset has. */
export function assetColumns(kind: { columns: readonly ListColumn[] }): ListColumn[] {
  return [
    { key: 'name', label: 'Name', sortable: true },
    ...kind.columns.map(({ key, label, sortable, align }) => ({
      key,
      label,
      ...(sortable === undefined ? {} : { sortable }),
      ...(align === undefined ? {} : { align }),
    })),
    { key: 'department', label: 'Department' },
    { key: 'status', label: 'Status' },
    { key: 'devices', label: 'Devices' },
    { key: 'updatedAt', label: 'Updated', sortable: true },
  ];
}

/**
 * What a kind's list sorts by: its sortable columns, and the time it was added (the API's sorts;
 * web/test/assets-lists.test.ts checks them). Written once, so a column that sorts is a sort.
 */
export function sortsOf(columns: readonly ListColumn[]): string[] {
  return [
    ...assetColumns({ columns })
      .filter((c) => c.sortable)
      .map((c) => c.key),
    'createdAt',
  ];
}

/** The text of a cell that is plain text (the name, status and devices are drawn by the page). */
export function cellText<A extends Asset>(
  kind: Pick<AssetKind<A, unknown>, 'columns'>,
  asset: A,
  key: string,
  ctx: ShowContext,
): string {
  if (key === 'department') return ctx.department(asset.departmentId);
  if (key === 'updatedAt') return formatDateTime(Date.parse(asset.updatedAt), ctx.timeZone);
  return kind.columns.find((c) => c.key === key)?.text(asset) ?? '';
}

/** The detail page's facts: the kind's own, then what every asset has. */
export function assetFacts<A extends Asset>(
  kind: Pick<AssetKind<A, unknown>, 'facts'>,
  asset: A,
  ctx: ShowContext,
): [label: string, text: string][] {
  const when = (iso: string) => formatDateTime(Date.parse(iso), ctx.timeZone);
  return [
    ...kind.facts(asset),
    ['Department', ctx.department(asset.departmentId) || '—'],
    ['Home place', ctx.place(asset.homePlaceId) || '—'],
    ['Notes', asset.notes ?? '—'],
    ['Added', when(asset.createdAt)],
    ['Updated', when(asset.updatedAt)],
    ...(asset.retiredAt === null ? [] : [['Retired', when(asset.retiredAt)] as [string, string]]),
  ];
}

/** "€1,249.90": a value in the organisation's currency. */
export function formatMoney(value: number, currency: string): string {
  try {
    return new Intl.NumberFormat('en-GB', { style: 'currency', currency }).format(value);
  } catch {
    // A code Intl does not know: the number and the code.
    return `${value.toFixed(2)} ${currency}`;
  }
}

/** "+1,200 km": an offset added to what the device counts. */
export function formatOffset(value: number, unit: string): string {
  const text = new Intl.NumberFormat('en-GB', { maximumFractionDigits: 1 }).format(value);
  return `${value > 0 ? '+' : ''}${text} ${unit}`;
}

/** Empty for none, for a fact: "—". */
export const orDash = (text: string | null | undefined): string =>
  text === null || text === undefined || text === '' ? '—' : text;
