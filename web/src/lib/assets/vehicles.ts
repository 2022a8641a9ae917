// Vehicles as the asset pages show them: the list's own columns (plate, make and model, year),
// the facts of the detail page, and the form of every field POST /api/v1/vehicles takes.
import type { NewVehicle, Vehicle } from '@fleet/api/contract';
import {
  FUEL_LABELS,
  FUEL_TYPES,
  ASSET_LIMITS as L,
  LICENCE_CLASS_LABELS,
  STATUS_LABELS,
  VEHICLE_LICENCE_CLASSES,
  VEHICLE_STATUSES,
} from './catalogue.ts';
import {
  blank,
  type Fields,
  oneOf,
  oneOfOrNone,
  optionalNumber,
  optionalText,
  reference,
  requiredText,
  zeroOrNumber,
} from './fields.ts';
import { type AssetKind, formatOffset, type KindColumn, orDash, sortsOf } from './kind.ts';

/** Every field of a new vehicle, none left out: what the form edits. */
export type VehicleDraft = { [K in keyof NewVehicle]-?: Exclude<NewVehicle[K], undefined> };

const upper = (text: string) => text.toUpperCase();

export const VEHICLE_FIELDS: Fields<VehicleDraft> = {
  name: requiredText({ label: 'Name', what: 'a name', max: L.name }),
  plate: optionalText({
    label: 'Plate',
    what: 'a plate',
    max: L.plate,
    // As the API stores it (identifiers.ts, checkPlate): inner spaces collapsed, upper case.
    normalise: (t) => upper(t.replace(/\s+/g, ' ')),
  }),
  vin: optionalText({ label: 'VIN', what: 'a VIN', max: L.vin, exactly: L.vin, normalise: upper }),
  make: optionalText({ label: 'Make', what: 'a make', max: L.make }),
  model: optionalText({ label: 'Model', what: 'a model', max: L.make }),
  year: optionalNumber({
    label: 'Model year',
    what: 'a model year',
    kind: 'a number such as 2021',
    integer: true,
    min: L.minModelYear,
    max: (now) => now.getUTCFullYear() + L.modelYearsAhead,
  }),
  fuelType: oneOfOrNone({ label: 'Fuel', options: FUEL_TYPES, labels: FUEL_LABELS, none: 'Not given' }),
  tankCapacityL: optionalNumber({
    label: 'Tank capacity',
    unit: 'l',
    what: 'a tank capacity',
    kind: 'a number of litres',
    min: 0,
    above: true,
    max: L.maxTankL,
  }),
  odometerOffsetKm: zeroOrNumber({
    label: 'Odometer offset',
    unit: 'km',
    hint: "added to the device's odometer to match the dashboard",
    what: 'an odometer offset',
    kind: 'a number of km',
    min: -L.maxOdometerOffsetKm,
    max: L.maxOdometerOffsetKm,
    rangeProblem: `an odometer offset is within ±${L.maxOdometerOffsetKm.toLocaleString('en-GB')} km`,
  }),
  engineHoursOffset: zeroOrNumber({
    label: 'Engine-hours offset',
    unit: 'h',
    hint: "added to the device's engine hours",
    what: 'an engine-hours offset',
    kind: 'a number of hours',
    min: -L.maxEngineHoursOffset,
    max: L.maxEngineHoursOffset,
    rangeProblem: `an engine-hours offset is within ±${L.maxEngineHoursOffset.toLocaleString('en-GB')} h`,
  }),
  speedLimitKmh: optionalNumber({
    label: 'Speed limit',
    unit: 'km/h',
    hint: "speeding rules use it instead of their own limit; empty: the rule's",
    what: 'a speed limit',
    kind: 'a number of km/h',
    min: L.minSpeedLimitKmh,
    max: L.maxSpeedLimitKmh,
    rangeProblem: `a speed limit is ${L.minSpeedLimitKmh}..${L.maxSpeedLimitKmh} km/h`,
  }),
  offlineAfterS: optionalNumber({
    label: 'Offline after',
    unit: 's',
    hint: "no data for this long is offline; empty: the offline rule's own time",
    what: 'an offline time',
    kind: 'a number of seconds',
    integer: true,
    min: L.minOfflineAfterS,
    max: L.maxOfflineAfterS,
    rangeProblem: `an offline time is ${L.minOfflineAfterS}..${L.maxOfflineAfterS.toLocaleString('en-GB')} s (1 min to 30 days)`,
  }),
  licenceClass: oneOfOrNone({
    label: 'Licence needed',
    options: VEHICLE_LICENCE_CLASSES,
    labels: LICENCE_CLASS_LABELS,
    none: 'A car licence (B)',
  }),
  departmentId: reference({ label: 'Department', source: 'departments', none: 'None' }),
  homePlaceId: reference({ label: 'Home place', source: 'places', none: 'None' }),
  status: oneOf({ label: 'Status', options: VEHICLE_STATUSES, labels: STATUS_LABELS }),
  notes: optionalText({ label: 'Notes', what: 'notes', max: L.notes, multiline: true }),
};

export const EMPTY_VEHICLE: VehicleDraft = blank(VEHICLE_FIELDS, { name: '', status: 'active' });

/** "Ford Transit", "Ford", or "" */
export const makeAndModel = (v: Pick<Vehicle, 'make' | 'model'>): string =>
  [v.make, v.model].filter((x) => x !== null && x !== '').join(' ');

const VEHICLE_COLUMNS: KindColumn<Vehicle>[] = [
  { key: 'plate', label: 'Plate', sortable: true, text: (v) => v.plate ?? '' },
  { key: 'model', label: 'Make and model', text: makeAndModel },
  {
    key: 'year',
    label: 'Year',
    sortable: true,
    align: 'end',
    text: (v) => (v.year === null ? '' : String(v.year)),
  },
];

export const VEHICLES: AssetKind<Vehicle, VehicleDraft> = {
  kind: 'vehicle',
  noun: 'vehicle',
  title: 'Vehicles',
  path: '/vehicles',
  collection: 'vehicles',
  statuses: VEHICLE_STATUSES,
  columns: VEHICLE_COLUMNS,
  sorts: sortsOf(VEHICLE_COLUMNS),
  facts: (v) => [
    ['Plate', orDash(v.plate)],
    ['VIN', orDash(v.vin)],
    ['Make and model', orDash(makeAndModel(v))],
    ['Model year', v.year === null ? '—' : String(v.year)],
    ['Fuel', v.fuelType === null ? '—' : FUEL_LABELS[v.fuelType]],
    ['Tank capacity', v.tankCapacityL === null ? '—' : `${v.tankCapacityL} l`],
    ['Odometer offset', formatOffset(v.odometerOffsetKm, 'km')],
    ['Engine-hours offset', formatOffset(v.engineHoursOffset, 'h')],
    ['Licence needed', v.licenceClass === null ? 'B (a car licence)' : v.licenceClass],
  ],
  fields: VEHICLE_FIELDS,
  empty: EMPTY_VEHICLE,
  conflict: 'plate',
  list: (api, query) => api.call('GET /api/v1/vehicles', { query }),
  get: (api, id) => api.call('GET /api/v1/vehicles/{id}', { params: { id } }),
  create: (api, body) => api.call('POST /api/v1/vehicles', { body }),
  update: (api, id, body) => api.call('PATCH /api/v1/vehicles/{id}', { params: { id }, body }),
  retire: (api, id) => api.call('DELETE /api/v1/vehicles/{id}', { params: { id } }),
};
