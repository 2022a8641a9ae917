// The fleet list beside the map: each device named by the asset it is on ("Van 12 · ABC-123",
// the device's own name second), search by asset name, plate, device name or id, filter by
// department (with its sub-departments), kind and status, sort by name or by last seen. Plain
// functions over the devices, so 10,000 rows filter in a few ms and the rules are tested
// without a browser.
import type { VehicleStatus } from '@fleet/api/contract';
import { subtree } from '../admin/departments.ts';
import type { Department } from '../api/management.ts';
import {
  type AssetRef,
  type DepartmentSet,
  type DeviceKind,
  type FleetDevice,
  inDepartments,
  parseKind,
} from './fleet.ts';

export const LIST_SORTS = ['name', 'lastSeen'] as const;
export type ListSort = (typeof LIST_SORTS)[number];

export interface ListFilter {
  /** Words that must all appear in the asset's name or plate, the device's name or its id (case-insensitive). */
  query: string;
  /** Only devices on assets of this department and the departments below it. */
  departmentId: string | undefined;
  kind: DeviceKind | undefined;
  /** Statuses shown; empty: all. */
  statuses: ReadonlySet<VehicleStatus>;
  sort: ListSort;
}

export const DEFAULT_FILTER: ListFilter = {
  query: '',
  departmentId: undefined,
  kind: undefined,
  statuses: new Set(),
  sort: 'name',
};

const collator = new Intl.Collator('en', { numeric: true, sensitivity: 'base' });

/** "Van 12 · ABC-123", or the name alone when it has no plate (equipment, a van not registered yet). */
export function assetLabel(asset: Pick<AssetRef, 'name' | 'plate'>): string {
  return asset.plate === null ? asset.name : `${asset.name} · ${asset.plate}`;
}

/** What a row and the card call a device: its asset when it is on one, else its own name. */
export function deviceTitle(d: Pick<FleetDevice, 'name' | 'asset'>): string {
  return d.asset === null ? d.name : assetLabel(d.asset);
}

/** The asset's page in the console. */
export function assetHref(asset: Pick<AssetRef, 'id' | 'kind'>): string {
  return `/${asset.kind === 'vehicle' ? 'vehicles' : 'equipment'}/${encodeURIComponent(asset.id)}`;
}

/** A plate as people compare them, as the API does: no case, spaces or dashes ("abc123"). */
const plateKey = (plate: string) => plate.toLowerCase().replace(/[\s-]/g, '');

/** A word of a search, found in the names and id as typed, or in the plate as a plate key. */
interface SearchWord {
  text: string;
  plate: string;
}

function searchWords(query: string): SearchWord[] {
  return query
    .toLowerCase()
    .split(/\s+/)
    .filter(Boolean)
    .map((text) => ({ text, plate: plateKey(text) }));
}

function matches(
  d: FleetDevice,
  filter: ListFilter,
  words: readonly SearchWord[],
  departments?: DepartmentSet,
): boolean {
  if (filter.kind !== undefined && d.kind !== filter.kind) return false;
  if (filter.statuses.size > 0 && (d.disabled || !filter.statuses.has(d.status))) return false;
  if (!inDepartments(d, departments)) return false;
  if (words.length === 0) return true;
  const a = d.asset;
  const text = `${d.name} ${d.deviceId}${a === null ? '' : ` ${a.name} ${a.plate ?? ''}`}`.toLowerCase();
  const plate = a?.plate ? plateKey(a.plate) : '';
  return words.every((w) => text.includes(w.text) || (w.plate !== '' && plate.includes(w.plate)));
}

/**
 * The devices to list, in order. `departments` is filter.departmentId's subtree
 * (departmentSubtree), which the map and the counts follow too.
 */
export function listDevices(
  devices: Iterable<FleetDevice>,
  filter: ListFilter,
  departments?: DepartmentSet,
): FleetDevice[] {
  const words = searchWords(filter.query);
  const out: FleetDevice[] = [];
  for (const d of devices) if (matches(d, filter, words, departments)) out.push(d);
  const titles = new Map(out.map((d) => [d.deviceId, deviceTitle(d)]));
  const byTitle = (a: FleetDevice, b: FleetDevice) =>
    collator.compare(titles.get(a.deviceId) ?? '', titles.get(b.deviceId) ?? '') ||
    collator.compare(a.name, b.name);
  if (filter.sort === 'lastSeen') {
    // Most recent first; devices never seen last, by what they read as.
    out.sort((a, b) => (b.lastSeenAt ?? -1) - (a.lastSeenAt ?? -1) || byTitle(a, b));
  } else {
    out.sort((a, b) => byTitle(a, b) || a.deviceId.localeCompare(b.deviceId));
  }
  return out;
}

/**
 * The departments a chosen department shows: itself and every one below it in the tree (as the
 * API's `departmentId=` filters). Before the tree has loaded, or for an id not in it, the
 * department alone.
 */
export function departmentSubtree(
  departmentId: string | undefined,
  tree: readonly Department[],
): DepartmentSet {
  return departmentId === undefined ? undefined : subtree(tree, departmentId);
}

const STATUS_NAMES: readonly string[] = ['moving', 'idle', 'stopped', 'offline'];
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The filter from the page's query string (?q=&departmentId=&kind=&status=moving,idle&sort=lastSeen);
 * bad values are ignored.
 */
export function filterFromQuery(params: { get(name: string): string | null }): ListFilter {
  const statuses = new Set(
    (params.get('status') ?? '').split(',').filter((s): s is VehicleStatus => STATUS_NAMES.includes(s)),
  );
  const sort = params.get('sort');
  const departmentId = params.get('departmentId') ?? '';
  return {
    query: (params.get('q') ?? '').slice(0, 100),
    departmentId: UUID.test(departmentId) ? departmentId.toLowerCase() : undefined,
    kind: parseKind(params.get('kind')),
    statuses,
    sort: sort === 'lastSeen' ? 'lastSeen' : 'name',
  };
}

/** The query string for a filter (defaults left out), for links and the address bar. */
export function filterToQuery(filter: ListFilter): URLSearchParams {
  const p = new URLSearchParams();
  if (filter.query.trim()) p.set('q', filter.query.trim());
  if (filter.departmentId) p.set('departmentId', filter.departmentId);
  if (filter.kind) p.set('kind', filter.kind);
  if (filter.statuses.size > 0)
    p.set('status', STATUS_NAMES.filter((s) => filter.statuses.has(s as VehicleStatus)).join(','));
  if (filter.sort !== 'name') p.set('sort', filter.sort);
  return p;
}
