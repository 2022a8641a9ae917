// The fleet list's rules without a browser: rows named by their asset, search, filters (the
// department with its subtree), sort, the query string, the virtual window of rows, and "… ago".
import { describe, expect, it } from 'vitest';
import type { Department } from '../src/lib/api/management.ts';
import type { AssetRef, FleetDevice } from '../src/lib/fleet/fleet.ts';
import {
  assetHref,
  assetLabel,
  DEFAULT_FILTER,
  departmentSubtree,
  deviceTitle,
  filterFromQuery,
  filterToQuery,
  type ListFilter,
  listDevices,
} from '../src/lib/fleet/fleet-list.ts';
import { scrollToRow, virtualWindow } from '../src/lib/fleet/virtual-window.ts';
import { formatAgo } from '../src/lib/relative-time.ts';

function device(name: string, over: Partial<FleetDevice> = {}): FleetDevice {
  return {
    deviceId: `id-${name.toLowerCase().replace(/\s+/g, '-')}`,
    name,
    kind: 'vehicle',
    disabled: false,
    position: null,
    status: 'stopped',
    connection: 'online',
    lastSeenAt: null,
    asset: null,
    ...over,
  };
}

const fleet = [
  device('Van 10', { status: 'moving', lastSeenAt: 5_000 }),
  device('Van 2', { status: 'idle', lastSeenAt: 9_000 }),
  device('Crane A', { kind: 'equipment', status: 'offline', lastSeenAt: 1_000 }),
  device('Van 1', { status: 'moving', disabled: true }),
  device('Truck', { status: 'stopped', lastSeenAt: 9_000 }),
];
const names = (ds: FleetDevice[]) => ds.map((d) => d.name);

describe('listDevices', () => {
  it('sorts by name with numbers in numeric order', () => {
    expect(names(listDevices(fleet, DEFAULT_FILTER))).toEqual([
      'Crane A',
      'Truck',
      'Van 1',
      'Van 2',
      'Van 10',
    ]);
  });

  it('sorts by last seen, newest first, never-seen last, ties by name', () => {
    expect(names(listDevices(fleet, { ...DEFAULT_FILTER, sort: 'lastSeen' }))).toEqual([
      'Truck',
      'Van 2',
      'Van 10',
      'Crane A',
      'Van 1',
    ]);
  });

  it('searches every word in the name or the id, ignoring case', () => {
    expect(names(listDevices(fleet, { ...DEFAULT_FILTER, query: 'VAN 1' }))).toEqual(['Van 1', 'Van 10']);
    expect(names(listDevices(fleet, { ...DEFAULT_FILTER, query: 'id-crane' }))).toEqual(['Crane A']);
    expect(names(listDevices(fleet, { ...DEFAULT_FILTER, query: '  ' }))).toHaveLength(5);
    expect(listDevices(fleet, { ...DEFAULT_FILTER, query: 'nothing like it' })).toEqual([]);
  });

  it('filters by kind and by statuses; disabled devices match no status', () => {
    expect(names(listDevices(fleet, { ...DEFAULT_FILTER, kind: 'equipment' }))).toEqual(['Crane A']);
    expect(names(listDevices(fleet, { ...DEFAULT_FILTER, statuses: new Set(['moving', 'idle']) }))).toEqual([
      'Van 2',
      'Van 10',
    ]);
  });

  it('filters 10,000 devices', () => {
    const many = Array.from({ length: 10_000 }, (_, i) => device(`Van ${i}`, { lastSeenAt: i }));
    const found = listDevices(many, { ...DEFAULT_FILTER, query: 'van 99' });
    expect(found).toHaveLength(many.filter((d) => d.name.includes('99')).length);
    expect(found[0]?.name).toBe('Van 99'); // numeric order: 99 before 199
  });
});

const PRODUCTION = '00000000-0000-4000-8000-00000000000a';
const LIGHTING = '00000000-0000-4000-8000-00000000000b';
const OFFICE = '00000000-0000-4000-8000-00000000000c';
function department(id: string, parentId: string | null, path: string[]): Department {
  return { id, parentId, name: path.at(-1) ?? '', path, users: 0, createdAt: '2026-01-01T00:00:00.000Z' };
}
/** In path order, as GET /api/v1/departments lists them. */
const TREE = [
  department(OFFICE, null, ['Office']),
  department(PRODUCTION, null, ['Production']),
  department(LIGHTING, PRODUCTION, ['Production', 'Lighting']),
];
function asset(name: string, plate: string | null, departmentId: string | null): AssetRef {
  return {
    id: `10000000-0000-4000-8000-${String(name.length).padStart(12, '0')}`,
    kind: 'vehicle',
    name,
    plate,
    departmentId,
  };
}
const placed = [
  device('Tracker 1', { asset: asset('Van 12', 'ABC-123', LIGHTING), status: 'moving' }),
  device('Tracker 2', { asset: asset('Truck 3', 'XYZ 789', PRODUCTION), status: 'idle' }),
  device('Tracker 3', { asset: asset('Office car', null, OFFICE) }),
  device('Spare tracker'),
];

describe('rows named by their asset', () => {
  it('read "asset · plate", or the asset alone, or the device when it is on none', () => {
    expect(placed.map(deviceTitle)).toEqual([
      'Van 12 · ABC-123',
      'Truck 3 · XYZ 789',
      'Office car',
      'Spare tracker',
    ]);
    expect(assetLabel({ name: 'Kit', plate: null })).toBe('Kit');
    expect(assetHref({ id: 'a b', kind: 'vehicle' })).toBe('/vehicles/a%20b');
    expect(assetHref({ id: 'x', kind: 'equipment' })).toBe('/equipment/x');
  });

  it('sort by what they read as', () => {
    expect(listDevices(placed, DEFAULT_FILTER).map(deviceTitle)).toEqual([
      'Office car',
      'Spare tracker',
      'Truck 3 · XYZ 789',
      'Van 12 · ABC-123',
    ]);
  });

  it('are found by plate (without case, spaces or dashes), asset name, device name or id', () => {
    const found = (query: string) => names(listDevices(placed, { ...DEFAULT_FILTER, query }));
    for (const q of ['ABC-123', 'abc123', 'abc 123', 'Van 12', 'tracker 1', 'id-tracker-1'])
      expect(found(q), q).toEqual(['Tracker 1']);
    expect(found('xyz789')).toEqual(['Tracker 2']);
    expect(found('xyz-789')).toEqual(['Tracker 2']);
    expect(found('office')).toEqual(['Tracker 3']);
    expect(found('tracker')).toHaveLength(4);
  });
});

describe('the department filter', () => {
  const shown = (departmentId: string | undefined, tree = TREE) =>
    names(listDevices(placed, { ...DEFAULT_FILTER, departmentId }, departmentSubtree(departmentId, tree)));

  it('keeps the devices on assets of the department and of every one below it', () => {
    expect(shown(PRODUCTION)).toEqual(['Tracker 2', 'Tracker 1']);
    expect(shown(LIGHTING)).toEqual(['Tracker 1']);
    expect(shown(OFFICE)).toEqual(['Tracker 3']);
    expect(shown(undefined)).toHaveLength(4);
    expect(departmentSubtree(undefined, TREE)).toBeUndefined();
    expect(departmentSubtree(PRODUCTION, TREE)).toEqual(new Set([PRODUCTION, LIGHTING]));
  });

  it('keeps the department alone until the tree is loaded, and combines with the other filters', () => {
    expect(shown(PRODUCTION, [])).toEqual(['Tracker 2']);
    const filter: ListFilter = { ...DEFAULT_FILTER, departmentId: PRODUCTION, statuses: new Set(['moving']) };
    expect(names(listDevices(placed, filter, departmentSubtree(PRODUCTION, TREE)))).toEqual(['Tracker 1']);
  });
});

describe('the filter in the query string', () => {
  it('round-trips, leaving defaults out', () => {
    const filter: ListFilter = {
      query: 'van',
      departmentId: LIGHTING,
      kind: 'vehicle' as const,
      statuses: new Set(['idle', 'moving'] as const),
      sort: 'lastSeen' as const,
    };
    const query = filterToQuery(filter);
    expect(query.toString()).toBe(
      `q=van&departmentId=${LIGHTING}&kind=vehicle&status=moving%2Cidle&sort=lastSeen`,
    );
    expect(filterFromQuery(query)).toEqual(filter);
    expect(filterToQuery(DEFAULT_FILTER).toString()).toBe('');
  });

  it('ignores garbage', () => {
    const f = filterFromQuery(
      new URLSearchParams({
        q: 'x'.repeat(500),
        kind: 'spaceship',
        status: 'moving,flying,,<script>',
        sort: 'random',
        departmentId: 'sales; drop table',
      }),
    );
    expect(f.departmentId).toBeUndefined();
    expect(f.query).toHaveLength(100);
    expect(f.kind).toBeUndefined();
    expect([...f.statuses]).toEqual(['moving']);
    expect(f.sort).toBe('name');
  });
});

describe('virtualWindow', () => {
  it('renders only the rows on screen plus the overscan', () => {
    const w = virtualWindow(10_000, 50, 5_000, 500, 5);
    expect(w).toEqual({ start: 95, end: 116, offset: 4_750, height: 500_000 });
  });

  it('clamps at both ends and handles short and empty lists', () => {
    expect(virtualWindow(10_000, 50, -100, 500, 5).start).toBe(0);
    const end = virtualWindow(10_000, 50, 10_000_000, 500, 5);
    expect(end.end).toBe(10_000);
    expect(virtualWindow(3, 50, 0, 500).end).toBe(3);
    expect(virtualWindow(0, 50, 0, 500)).toEqual({ start: 0, end: 0, offset: 0, height: 0 });
    expect(() => virtualWindow(10, 0, 0, 500)).toThrow(/row height/);
  });

  it('scrolls a row into view only when it is not', () => {
    expect(scrollToRow(10, 50, 0, 200)).toBe(350); // below: bottom-aligned
    expect(scrollToRow(2, 50, 300, 200)).toBe(100); // above: top-aligned
    expect(scrollToRow(7, 50, 300, 200)).toBe(300); // visible: unchanged
  });
});

describe('formatAgo', () => {
  it.each([
    [0, '0 s ago'],
    [59_400, '59 s ago'],
    [60_000, '1 min ago'],
    [3_599_000, '59 min ago'],
    [3_600_000, '1 h ago'],
    [47 * 3_600_000, '47 h ago'],
    [72 * 3_600_000, '3 d ago'],
    [-5_000, '0 s ago'], // a clock slightly ahead never shows a negative age
  ])('%i ms → %s', (age, text) => {
    expect(formatAgo(1_000_000_000_000 - age, 1_000_000_000_000)).toBe(text);
  });
});
