// Vehicles and equipment items as CSV: the columns of the export and the import (one list, so
// an exported file imports back), and what matches a row to the asset it updates: its id if the
// file has one, else a vehicle's plate (as people compare plates) or an item's category and
// serial number. Rows are checked by the same schemas as POST and PATCH.
import type { CsvColumn, Existing, ImportSpec } from '../../csv/import.ts';
import type { ReferenceName } from '../../csv/references.ts';
import { checkPlate, checkVin, plateKey } from './identifiers.ts';
import type { Asset, AssetIdentity } from './repository.ts';
import {
  type AssetChanges,
  equipmentChangesSchema,
  type NewAsset,
  newEquipmentSchema,
  newVehicleSchema,
  vehicleChangesSchema,
} from './schemas.ts';

export const DEPARTMENTS = 'departments' satisfies ReferenceName;
export const PLACES = 'places' satisfies ReferenceName;

const text = (v: string | null) => v ?? '';
const number = (v: number | null) => (v === null ? '' : String(v));

const id: CsvColumn<Asset> = { header: 'id', field: 'id', kind: 'text', write: (a) => a.id };
const name: CsvColumn<Asset> = { header: 'name', field: 'name', kind: 'text', write: (a) => a.name };
const place = {
  department: {
    header: 'department',
    field: 'departmentId',
    kind: 'reference',
    table: DEPARTMENTS,
    write: (a, tables) =>
      a.departmentId === null ? '' : (tables.get(DEPARTMENTS)?.label(a.departmentId) ?? ''),
  },
  homePlace: {
    header: 'home_place',
    field: 'homePlaceId',
    kind: 'reference',
    table: PLACES,
    write: (a, tables) => (a.homePlaceId === null ? '' : (tables.get(PLACES)?.label(a.homePlaceId) ?? '')),
  },
} satisfies Record<string, CsvColumn<Asset>>;
const status: CsvColumn<Asset> = {
  header: 'status',
  field: 'status',
  kind: 'choice',
  blankKeeps: true,
  write: (a) => a.status,
};
const offlineAfter: CsvColumn<Asset> = {
  header: 'offline_after_s',
  field: 'offlineAfterS',
  kind: 'number',
  write: (a) => number(a.offlineAfterS),
};
const notes: CsvColumn<Asset> = {
  header: 'notes',
  field: 'notes',
  kind: 'text',
  write: (a) => text(a.notes),
};

export const VEHICLE_COLUMNS: readonly CsvColumn<Asset>[] = [
  id,
  name,
  { header: 'plate', field: 'plate', kind: 'text', write: (a) => text(a.plate) },
  { header: 'vin', field: 'vin', kind: 'text', write: (a) => text(a.vin) },
  { header: 'make', field: 'make', kind: 'text', write: (a) => text(a.make) },
  { header: 'model', field: 'model', kind: 'text', write: (a) => text(a.model) },
  { header: 'year', field: 'year', kind: 'number', write: (a) => number(a.year) },
  { header: 'fuel_type', field: 'fuelType', kind: 'choice', write: (a) => text(a.fuelType) },
  {
    header: 'tank_capacity_l',
    field: 'tankCapacityL',
    kind: 'number',
    write: (a) => number(a.tankCapacityL),
  },
  {
    header: 'odometer_offset_km',
    field: 'odometerOffsetKm',
    kind: 'number',
    blankKeeps: true,
    write: (a) => String(a.odometerOffsetKm),
  },
  {
    header: 'engine_hours_offset',
    field: 'engineHoursOffset',
    kind: 'number',
    blankKeeps: true,
    write: (a) => String(a.engineHoursOffset),
  },
  {
    header: 'speed_limit_kmh',
    field: 'speedLimitKmh',
    kind: 'number',
    write: (a) => number(a.speedLimitKmh),
  },
  { header: 'licence_class', field: 'licenceClass', kind: 'choice', write: (a) => text(a.licenceClass) },
  offlineAfter,
  place.department,
  place.homePlace,
  status,
  notes,
];

export const EQUIPMENT_COLUMNS: readonly CsvColumn<Asset>[] = [
  id,
  name,
  { header: 'category', field: 'category', kind: 'text', write: (a) => text(a.category) },
  { header: 'serial_number', field: 'serialNumber', kind: 'text', write: (a) => text(a.serialNumber) },
  {
    header: 'replacement_value',
    field: 'replacementValue',
    kind: 'number',
    write: (a) => number(a.replacementValue),
  },
  offlineAfter,
  place.department,
  place.homePlace,
  status,
  notes,
];

/** A plate as the unique index compares it, if the cell holds a valid one. */
function plateOf(cells: ReadonlyMap<string, string>): string | undefined {
  const checked = checkPlate(cells.get('plate') ?? '');
  return (cells.get('plate') ?? '').trim() !== '' && checked.ok ? plateKey(checked.plate) : undefined;
}

function vinOf(cells: ReadonlyMap<string, string>): string | undefined {
  const checked = checkVin(cells.get('vin') ?? '');
  return checked.ok ? checked.vin : undefined;
}

/** The category as the schema stores it (trimmed, spaces collapsed), with the serial number. */
const serialKey = (category: string, serial: string) =>
  `${category.trim().replace(/\s+/g, ' ')}\u0000${serial.trim()}`;

function serialOf(cells: ReadonlyMap<string, string>): string | undefined {
  const category = cells.get('category') ?? '';
  const serial = cells.get('serial_number') ?? '';
  return category.trim() === '' || serial.trim() === '' ? undefined : serialKey(category, serial);
}

export const vehicleImport: ImportSpec<Asset, NewAsset, AssetChanges> = {
  label: 'vehicle',
  columns: VEHICLE_COLUMNS,
  required: ['name'],
  newSchema: newVehicleSchema,
  changesSchema: vehicleChangesSchema,
  key: { header: 'plate', of: plateOf },
  uniques: [{ header: 'vin', of: vinOf }],
};

export const equipmentImport: ImportSpec<Asset, NewAsset, AssetChanges> = {
  label: 'equipment item',
  columns: EQUIPMENT_COLUMNS,
  required: ['name', 'category'],
  newSchema: newEquipmentSchema,
  changesSchema: equipmentChangesSchema,
  key: { header: 'serial_number', of: serialOf },
};

/** The organisation's assets of a kind as the import matches them. */
export function existingAssets(identities: readonly AssetIdentity[]): Existing {
  const byKey = new Map<string, string>();
  const vins = new Map<string, string>();
  for (const a of identities) {
    if (a.plate !== null) byKey.set(plateKey(a.plate), a.id);
    if (a.category !== null && a.serialNumber !== null)
      byKey.set(serialKey(a.category, a.serialNumber), a.id);
    if (a.vin !== null) vins.set(a.vin, a.id);
  }
  return { ids: new Set(identities.map((a) => a.id)), byKey, uniques: new Map([['vin', vins]]) };
}
