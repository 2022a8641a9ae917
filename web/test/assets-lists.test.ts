// The asset lists (web/src/lib/assets): the filter in the address bar and back, the query the
// API's own query schema takes, columns that sort only by what the API sorts, the cells and
// facts of a vehicle and an equipment item, and the lookups read page by page.
import type { EquipmentItem, Vehicle } from '@fleet/api/contract';
import { describe, expect, it } from 'vitest';
import {
  EQUIPMENT_SORTS,
  equipmentQuerySchema,
  VEHICLE_SORTS,
  vehicleQuerySchema,
} from '../../api/src/domains/assets/schemas.ts';
import type { Department, Place } from '../src/lib/api/management.ts';
import { collectPages, departmentChoices, nameOf, placeChoices } from '../src/lib/assets/choices.ts';
import { EQUIPMENT } from '../src/lib/assets/equipment.ts';
import {
  assetColumns,
  assetFacts,
  cellText,
  formatMoney,
  formatOffset,
  type ShowContext,
} from '../src/lib/assets/kind.ts';
import {
  apiQuery,
  filterFromQuery,
  filterToQuery,
  narrowed,
  PAGE_LIMIT,
  refine,
} from '../src/lib/assets/list-filter.ts';
import { VEHICLES } from '../src/lib/assets/vehicles.ts';

const DEPT = '5b0f7a52-3f0e-4c55-9d1e-0d0c8a9e0a11';
const PLACE = '9f2d1c3b-1111-4a2b-8c3d-123456789abc';

describe('the filter in the address bar', () => {
  it('reads what a link says and writes it back the same', () => {
    const search = new URLSearchParams({
      departmentId: DEPT,
      status: 'in_workshop',
      q: 'van',
      sort: 'plate',
      order: 'desc',
      page: '3',
    });
    const filter = filterFromQuery(search, VEHICLES);
    expect(filter).toEqual({
      departmentId: DEPT,
      status: 'in_workshop',
      q: 'van',
      list: { sort: 'plate', order: 'desc', limit: PAGE_LIMIT, offset: 2 * PAGE_LIMIT },
    });
    expect(filterToQuery(filter).toString()).toBe(search.toString());
  });

  it('leaves the defaults out', () => {
    const filter = filterFromQuery(new URLSearchParams(), VEHICLES);
    expect(filter).toEqual({
      departmentId: '',
      status: '',
      q: '',
      list: { sort: 'name', order: 'asc', limit: PAGE_LIMIT, offset: 0 },
    });
    expect(filterToQuery(filter).size).toBe(0);
    expect(narrowed(filter)).toBe(false);
  });

  it('drops what the API would refuse instead of sending it', () => {
    const filter = filterFromQuery(
      new URLSearchParams({
        departmentId: 'sales',
        status: 'lost',
        sort: 'category',
        page: '-2',
        q: 'x'.repeat(300),
      }),
      VEHICLES,
    );
    expect(filter.departmentId).toBe('');
    // Lost is an equipment status only.
    expect(filter.status).toBe('');
    expect(filter.list.sort).toBe('name');
    expect(filter.list.offset).toBe(0);
    expect(filter.q).toHaveLength(100);
    expect(
      filterFromQuery(new URLSearchParams({ status: 'lost', sort: 'category' }), EQUIPMENT),
    ).toMatchObject({
      status: 'lost',
      list: { sort: 'category' },
    });
  });

  it('goes back to the first page when the filter changes', () => {
    const filter = filterFromQuery(new URLSearchParams({ page: '4' }), VEHICLES);
    const next = refine(filter, { departmentId: DEPT });
    expect(next.list.offset).toBe(0);
    expect(next.departmentId).toBe(DEPT);
    expect(narrowed(next)).toBe(true);
  });
});

describe('the list query', () => {
  it('is one the API’s own query schema takes, for every status and sort of each kind', () => {
    for (const [kind, schema] of [
      [VEHICLES, vehicleQuerySchema],
      [EQUIPMENT, equipmentQuerySchema],
    ] as const) {
      for (const status of ['', ...kind.statuses])
        for (const sort of kind.sorts) {
          const filter = filterFromQuery(
            new URLSearchParams({ departmentId: DEPT, status, sort, order: 'desc', q: ' van 1 ', page: '2' }),
            kind,
          );
          const query = Object.fromEntries(Object.entries(apiQuery(filter)).map(([k, v]) => [k, String(v)]));
          const parsed = schema.safeParse(query);
          expect([kind.kind, status, sort, parsed.success]).toEqual([kind.kind, status, sort, true]);
          expect(parsed.data).toMatchObject({
            departmentId: DEPT,
            q: 'van 1',
            sort,
            order: 'desc',
            offset: 50,
          });
        }
    }
  });

  it('leaves out status for the API’s default (every status but retired)', () => {
    expect(apiQuery(filterFromQuery(new URLSearchParams(), VEHICLES))).toEqual({
      limit: PAGE_LIMIT,
      offset: 0,
      sort: 'name',
      order: 'asc',
    });
  });
});

const vehicle: Vehicle = {
  id: '0c3f1e4e-6a9b-4c1d-8e2f-3a4b5c6d7e8f',
  kind: 'vehicle',
  name: 'Van 12',
  status: 'in_workshop',
  plate: 'ABC-123',
  vin: '1M8GDM9AXKP042788',
  make: 'Ford',
  model: 'Transit',
  year: 2019,
  fuelType: 'plug_in_hybrid',
  tankCapacityL: 80,
  odometerOffsetKm: 1200,
  engineHoursOffset: -3.5,
  speedLimitKmh: 80,
  licenceClass: null,
  offlineAfterS: null,
  departmentId: DEPT,
  homePlaceId: PLACE,
  notes: null,
  deviceIds: [],
  hasPhoto: false,
  createdAt: '2026-11-01T08:00:00.000Z',
  updatedAt: '2026-11-21T12:30:00.000Z',
  retiredAt: null,
};

const item: EquipmentItem = {
  id: '1c3f1e4e-6a9b-4c1d-8e2f-3a4b5c6d7e8f',
  kind: 'equipment',
  name: 'Camera kit 4',
  status: 'lost',
  category: 'camera kit',
  serialNumber: null,
  replacementValue: 1249.9,
  currency: 'EUR',
  offlineAfterS: 3600,
  departmentId: null,
  homePlaceId: null,
  notes: 'Left at the studio?',
  deviceIds: ['d1'],
  hasPhoto: false,
  createdAt: '2026-11-01T08:00:00.000Z',
  updatedAt: '2026-11-21T12:30:00.000Z',
  retiredAt: '2026-11-21T12:30:00.000Z',
};

const context: ShowContext = {
  timeZone: 'Europe/Helsinki',
  department: (id) => (id === DEPT ? 'Production › Lighting' : ''),
  place: (id) => (id === PLACE ? 'North depot' : ''),
};

describe('the columns', () => {
  it('sort by what the API sorts, and the list by nothing else', () => {
    expect([...VEHICLES.sorts].sort()).toEqual([...VEHICLE_SORTS].sort());
    expect([...EQUIPMENT.sorts].sort()).toEqual([...EQUIPMENT_SORTS].sort());
    for (const kind of [VEHICLES, EQUIPMENT]) {
      const columns = assetColumns(kind);
      expect(new Set(columns.map((c) => c.key)).size).toBe(columns.length);
    }
  });

  it('show a vehicle’s and an item’s own cells, and the department and time every asset has', () => {
    expect(assetColumns(VEHICLES).map((c) => c.label)).toEqual([
      'Name',
      'Plate',
      'Make and model',
      'Year',
      'Department',
      'Status',
      'Devices',
      'Updated',
    ]);
    expect(
      ['plate', 'model', 'year', 'department', 'updatedAt'].map((k) =>
        cellText(VEHICLES, vehicle, k, context),
      ),
    ).toEqual(['ABC-123', 'Ford Transit', '2019', 'Production › Lighting', '21 Nov 2026, 14:30:00']);
    expect(
      ['category', 'serialNumber', 'replacementValue', 'department'].map((k) =>
        cellText(EQUIPMENT, item, k, context),
      ),
    ).toEqual(['camera kit', '', '€1,249.90', '']);
  });
});

describe('the facts of the detail page', () => {
  it('a vehicle’s', () => {
    expect(Object.fromEntries(assetFacts(VEHICLES, vehicle, context))).toEqual({
      Plate: 'ABC-123',
      VIN: '1M8GDM9AXKP042788',
      'Make and model': 'Ford Transit',
      'Model year': '2019',
      Fuel: 'Plug-in hybrid',
      'Tank capacity': '80 l',
      'Odometer offset': '+1,200 km',
      'Engine-hours offset': '-3.5 h',
      'Licence needed': 'B (a car licence)',
      Department: 'Production › Lighting',
      'Home place': 'North depot',
      Notes: '—',
      Added: '1 Nov 2026, 10:00:00',
      Updated: '21 Nov 2026, 14:30:00',
    });
  });

  it('an item’s, retired', () => {
    expect(Object.fromEntries(assetFacts(EQUIPMENT, item, context))).toEqual({
      Category: 'camera kit',
      'Serial number': '—',
      'Replacement value': '€1,249.90',
      Department: '—',
      'Home place': '—',
      Notes: 'Left at the studio?',
      Added: '1 Nov 2026, 10:00:00',
      Updated: '21 Nov 2026, 14:30:00',
      Retired: '21 Nov 2026, 14:30:00',
    });
  });

  it('formats money and offsets', () => {
    expect(formatMoney(0, 'SEK')).toBe('SEK\u00a00.00');
    // A code Intl cannot take at all: the number and the code.
    expect(formatMoney(12, 'EURO')).toBe('12.00 EURO');
    expect([formatOffset(0, 'km'), formatOffset(-12.25, 'h')]).toEqual(['0 km', '-12.3 h']);
  });
});

describe('the lookups', () => {
  it('reads every page of a list, and stops at the last', async () => {
    const all = Array.from({ length: 1203 }, (_, i) => i);
    const asked: number[] = [];
    const items = await collectPages(async ({ limit, offset }) => {
      asked.push(offset);
      return { items: all.slice(offset, offset + limit), total: all.length, limit, offset };
    }, 500);
    expect(items).toEqual(all);
    expect(asked).toEqual([0, 500, 1000]);
    expect(
      await collectPages(async (q) => ({ items: all.slice(0, q.limit), total: 99_999, ...q }), 10, 3),
    ).toHaveLength(30);
  });

  it('offers departments in tree order with their paths, and places by name', () => {
    const d = (id: string, path: string[]): Department => ({
      id,
      parentId: null,
      name: path.at(-1) ?? '',
      path,
      users: 0,
      createdAt: '',
    });
    expect(departmentChoices([d('a', ['Production']), d('b', ['Production', 'Lighting'])])).toEqual([
      { value: 'a', label: 'Production' },
      { value: 'b', label: 'Production › Lighting' },
    ]);
    const p = (id: string, name: string) => ({ id, name }) as Place;
    expect(placeChoices([p('1', 'south depot'), p('2', 'North depot')]).map((c) => c.label)).toEqual([
      'North depot',
      'south depot',
    ]);
    expect([nameOf([p('1', 'Depot')], '1'), nameOf([], '1'), nameOf([], null)]).toEqual(['Depot', '', '']);
  });
});
