// What the asset pages know of the API's vehicles and equipment items: the statuses, fuel types
// and limits of api/src/domains/assets/schemas.ts and identifiers.ts. The bundle imports only
// types from the API (docs/decisions.md, "Console management pages"), so the limits are restated
// here and the lists come from the label tables of the contract's types;
// web/test/assets-forms.test.ts checks each one equals the API's.
import type { EquipmentItem, Vehicle } from '@fleet/api/contract';

export type VehicleServiceStatus = Vehicle['status'];
export type EquipmentServiceStatus = EquipmentItem['status'];
export type FuelType = NonNullable<Vehicle['fuelType']>;
export type LicenceClass = NonNullable<Vehicle['licenceClass']>;

/** The API's limits, by the field they bound. */
export const ASSET_LIMITS = {
  name: 100,
  notes: 2000,
  /** make and model */
  make: 60,
  category: 60,
  serialNumber: 100,
  installationNote: 500,
  plate: 20,
  vin: 17,
  maxMoney: 999_999_999_999.99,
  maxTankL: 5000,
  maxOdometerOffsetKm: 10_000_000,
  maxEngineHoursOffset: 1_000_000,
  minModelYear: 1900,
  /** A vehicle's own speed limit, km/h (SPEED_LIMIT_KMH). */
  minSpeedLimitKmh: 5,
  maxSpeedLimitKmh: 300,
  /** An asset's own offline threshold, seconds (OFFLINE_AFTER_S): 1 min .. 30 days. */
  minOfflineAfterS: 60,
  maxOfflineAfterS: 2_592_000,
  /** A model year may be this many years after the current one. */
  modelYearsAhead: 2,
  /** The longest page a list answers. */
  maxPage: 500,
  /** How far ahead of the API's clock an installation time may be (CLOCK_SKEW_MS). */
  clockSkewMs: 60_000,
} as const;

export const STATUS_LABELS: Record<EquipmentServiceStatus, string> = {
  active: 'Active',
  in_workshop: 'In workshop',
  retired: 'Retired',
  lost: 'Lost',
};

export const FUEL_LABELS: Record<FuelType, string> = {
  petrol: 'Petrol',
  diesel: 'Diesel',
  electric: 'Electric',
  hybrid: 'Hybrid',
  plug_in_hybrid: 'Plug-in hybrid',
  lpg: 'LPG',
  cng: 'CNG',
  hydrogen: 'Hydrogen',
  other: 'Other',
};

// The lists, in the API's order, from the label tables: a Record names every member of the
// contract's type once, so a status or fuel type the API adds fails the type check here.
export const EQUIPMENT_STATUSES = Object.keys(STATUS_LABELS) as EquipmentServiceStatus[];
/** A vehicle is never lost (the API refuses it). */
export const VEHICLE_STATUSES = EQUIPMENT_STATUSES.filter((s): s is VehicleServiceStatus => s !== 'lost');
export const FUEL_TYPES = Object.keys(FUEL_LABELS) as FuelType[];

/** EU licence categories (Directive 2006/126/EC), in the order a licence lists them. */
const LICENCE_CLASS_ORDER: Record<LicenceClass, number> = {
  AM: 0,
  A1: 1,
  A2: 2,
  A: 3,
  B: 4,
  BE: 5,
  C1: 6,
  C1E: 7,
  C: 8,
  CE: 9,
  D1: 10,
  D1E: 11,
  D: 12,
  DE: 13,
};
export const VEHICLE_LICENCE_CLASSES = Object.keys(LICENCE_CLASS_ORDER) as LicenceClass[];
export const LICENCE_CLASS_LABELS = Object.fromEntries(
  VEHICLE_LICENCE_CLASSES.map((c) => [c, `Class ${c}`]),
) as Record<LicenceClass, string>;
