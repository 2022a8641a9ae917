// The bodies, queries and answers of the asset routes: vehicles and equipment items (one table,
// migration 0009), the installations of devices on them, and their telemetry asked by asset.
// Text is trimmed and "" means none; every message names what is wrong in the fleet's words.
import { z } from 'zod';
import {
  deviceEventSchema,
  deviceIdParam,
  deviceLatestSchema,
  listFormat,
  telemetrySeriesSchema,
  trackSchema,
} from '../../routes/schemas.ts';
import { LICENCE_CLASSES, type LicenceClass } from '../drivers/schemas.ts';
import { checkPlate, checkVin } from './identifiers.ts';

export const ASSET_KINDS = ['vehicle', 'equipment'] as const;
export type AssetKind = (typeof ASSET_KINDS)[number];

/** Whether a vehicle is in service; retired ones keep their history and leave the default lists. */
export const VEHICLE_SERVICE_STATUSES = ['active', 'in_workshop', 'retired'] as const;
/** An equipment item may also be lost (a kit that did not come back from a job). */
export const EQUIPMENT_SERVICE_STATUSES = ['active', 'in_workshop', 'retired', 'lost'] as const;
export type AssetServiceStatus = (typeof EQUIPMENT_SERVICE_STATUSES)[number];

export const FUEL_TYPES = [
  'petrol',
  'diesel',
  'electric',
  'hybrid',
  'plug_in_hybrid',
  'lpg',
  'cng',
  'hydrogen',
  'other',
] as const;
export type FuelType = (typeof FUEL_TYPES)[number];

export const NAME_MAX_LENGTH = 100;
export const NOTES_MAX_LENGTH = 2000;
export const MAKE_MAX_LENGTH = 60;
export const CATEGORY_MAX_LENGTH = 60;
export const SERIAL_MAX_LENGTH = 100;
export const NOTE_MAX_LENGTH = 500;
/** numeric(14, 2): twelve digits before the point. */
export const MAX_MONEY = 999_999_999_999.99;
export const MAX_TANK_L = 5000;
export const MAX_ODOMETER_OFFSET_KM = 10_000_000;
export const MAX_ENGINE_HOURS_OFFSET = 1_000_000;
export const MIN_MODEL_YEAR = 1900;
/** A vehicle's own speed limit (speeding rules), km/h: the bounds of migration 0012's check. */
export const SPEED_LIMIT_KMH = { min: 5, max: 300 } as const;
/** An asset's own "no data for this long is offline" (offline rules), seconds: 1 min .. 30 days. */
export const OFFLINE_AFTER_S = { min: 60, max: 2_592_000 } as const;

/** A clock difference between a client and the API that an "installed at" may be ahead by. */
export const CLOCK_SKEW_MS = 60_000;

export const vehicleServiceStatus = z
  .enum(VEHICLE_SERVICE_STATUSES, { error: `status is one of ${VEHICLE_SERVICE_STATUSES.join(', ')}` })
  .meta({ id: 'VehicleServiceStatus' });
export const equipmentServiceStatus = z
  .enum(EQUIPMENT_SERVICE_STATUSES, { error: `status is one of ${EQUIPMENT_SERVICE_STATUSES.join(', ')}` })
  .meta({ id: 'EquipmentServiceStatus' });
export const fuelType = z
  .enum(FUEL_TYPES, { error: `fuelType is one of ${FUEL_TYPES.join(', ')}` })
  .meta({ id: 'FuelType' });

const name = z
  .string({ error: 'a name is text' })
  .trim()
  .min(1, `a name is 1..${NAME_MAX_LENGTH} characters`)
  .max(NAME_MAX_LENGTH, `a name is 1..${NAME_MAX_LENGTH} characters`);

/** Optional text: trimmed, "" or null for none. */
function optionalText(what: string, max: number) {
  return z
    .string({ error: `${what} is text (or null)` })
    .trim()
    .max(max, `${what} is at most ${max} characters`)
    .transform((t) => (t === '' ? null : t))
    .nullable();
}

/** The longest text a plate or VIN field takes before it is checked (so no check runs on megabytes). */
const RAW_ID_MAX = 100;

const plate = z
  .string({ error: 'a plate is text (or null)' })
  .max(RAW_ID_MAX, 'a plate is 1..20 characters')
  .transform((text, ctx) => {
    if (text.trim() === '') return null;
    const checked = checkPlate(text);
    if (checked.ok) return checked.plate;
    ctx.addIssue({ code: 'custom', message: checked.message });
    return z.NEVER;
  })
  .nullable()
  .meta({
    description:
      'licence plate; stored trimmed and upper-cased, unique in the organisation ignoring spaces and dashes',
    example: 'ABC-123',
  });

const vin = z
  .string({ error: 'a VIN is text (or null)' })
  .max(RAW_ID_MAX, 'a VIN is 17 characters')
  .transform((text, ctx) => {
    if (text.trim() === '') return null;
    const checked = checkVin(text);
    if (checked.ok) return checked.vin;
    ctx.addIssue({ code: 'custom', message: checked.message });
    return z.NEVER;
  })
  .nullable()
  .meta({
    description:
      'vehicle identification number (ISO 3779): 17 characters without I, O, Q; the check digit (9th) is checked for North American (1-5) and Chinese (L) VINs',
    example: '1M8GDM9AXKP042788',
  });

const year = z
  .number({ error: 'a model year is a number (or null)' })
  .int('a model year is a whole number')
  .min(MIN_MODEL_YEAR, `a model year is ${MIN_MODEL_YEAR} or later`)
  .refine((y) => y <= new Date().getUTCFullYear() + 2, 'a model year is at most two years ahead')
  .nullable();

const tankCapacity = z
  .number({ error: 'a tank capacity is a number of litres (or null)' })
  .gt(0, 'a tank capacity is more than 0 litres')
  .max(MAX_TANK_L, `a tank capacity is at most ${MAX_TANK_L} litres`)
  .nullable();

const offset = (what: string, max: number, unit: string) =>
  z
    .number({ error: `${what} is a number of ${unit}` })
    .min(-max, `${what} is within ±${max} ${unit}`)
    .max(max, `${what} is within ±${max} ${unit}`);

const odometerOffset = offset('an odometer offset', MAX_ODOMETER_OFFSET_KM, 'km').meta({
  description: "km added to the device's odometer to match the dashboard",
});
const engineHoursOffset = offset('an engine-hours offset', MAX_ENGINE_HOURS_OFFSET, 'hours').meta({
  description: "hours added to the device's engine hours to match the dashboard",
});

/** Money in the organisation's currency: 0 or more, whole cents (numeric(14, 2) in the table). */
const money = z
  .number({ error: 'a replacement value is a number (or null)' })
  .min(0, 'a replacement value is 0 or more')
  .max(MAX_MONEY, `a replacement value is at most ${MAX_MONEY}`)
  // The shortest text of a JSON number is what the client wrote: 12.5 is "12.5", 0.125 is not cents.
  .refine((v) => /^\d+(\.\d{1,2})?$/.test(String(v)), 'a replacement value has at most two decimals (cents)')
  .nullable()
  .meta({ description: "in the organisation's currency (see `currency`)", example: 1249.9 });

const licenceClass = z
  .enum(LICENCE_CLASSES, { error: `a licence class is one of ${LICENCE_CLASSES.join(', ')}` })
  .nullable()
  .meta({ description: 'the driving licence class it needs (EU categories); null: a car licence, B' });

const speedLimitKmh = z
  .number({ error: 'a speed limit is a number of km/h (or null)' })
  .min(SPEED_LIMIT_KMH.min, `a speed limit is ${SPEED_LIMIT_KMH.min}..${SPEED_LIMIT_KMH.max} km/h`)
  .max(SPEED_LIMIT_KMH.max, `a speed limit is ${SPEED_LIMIT_KMH.min}..${SPEED_LIMIT_KMH.max} km/h`)
  .nullable()
  .meta({ description: "km/h: speeding rules use it instead of the rule's own limit; null: the rule's" });

const offlineAfterS = z
  .number({ error: 'offlineAfterS is a number of seconds (or null)' })
  .int('offlineAfterS is whole seconds')
  .min(
    OFFLINE_AFTER_S.min,
    `offlineAfterS is ${OFFLINE_AFTER_S.min}..${OFFLINE_AFTER_S.max} seconds (1 min..30 days)`,
  )
  .max(
    OFFLINE_AFTER_S.max,
    `offlineAfterS is ${OFFLINE_AFTER_S.min}..${OFFLINE_AFTER_S.max} seconds (1 min..30 days)`,
  )
  .nullable()
  .meta({
    description: "seconds without data before offline rules call it offline; null: the rule's own afterS",
  });

const departmentId = z
  .uuid({ error: 'a department id is a uuid (or null)' })
  .nullable()
  .meta({ description: 'the department the asset belongs to; null: none' });
const homePlaceId = z
  .uuid({ error: 'a place id is a uuid (or null)' })
  .nullable()
  .meta({ description: 'where the asset lives when it is not out (a depot); null: none' });

const category = z
  .string({ error: 'a category is text' })
  .trim()
  .min(1, `a category is 1..${CATEGORY_MAX_LENGTH} characters`)
  .max(CATEGORY_MAX_LENGTH, `a category is 1..${CATEGORY_MAX_LENGTH} characters`)
  .transform((t) => t.replace(/\s+/g, ' '))
  .meta({ description: 'free text, e.g. "camera kit", "generator", "trailer"', example: 'camera kit' });

const serialNumber = optionalText('a serial number', SERIAL_MAX_LENGTH).meta({
  description: 'unique in the organisation within its category',
});

/** What the repository writes: every column of the kind, null where none. */
export interface NewAsset {
  kind: AssetKind;
  name: string;
  status: AssetServiceStatus;
  departmentId: string | null;
  homePlaceId: string | null;
  notes: string | null;
  plate: string | null;
  vin: string | null;
  make: string | null;
  model: string | null;
  year: number | null;
  fuelType: FuelType | null;
  tankCapacityL: number | null;
  odometerOffsetKm: number;
  engineHoursOffset: number;
  category: string | null;
  serialNumber: string | null;
  replacementValue: number | null;
  /** Vehicles only. */
  speedLimitKmh: number | null;
  offlineAfterS: number | null;
  /** Vehicles only: the licence class needed to drive it. */
  licenceClass: LicenceClass | null;
}

/** Fields to change; absent ones stay. */
export type AssetChanges = Partial<Omit<NewAsset, 'kind'>>;

const vehicleFields = {
  name,
  plate: plate.optional(),
  vin: vin.optional(),
  make: optionalText('a make', MAKE_MAX_LENGTH).optional(),
  model: optionalText('a model', MAKE_MAX_LENGTH).optional(),
  year: year.optional(),
  fuelType: fuelType.nullable().optional(),
  tankCapacityL: tankCapacity.optional(),
  odometerOffsetKm: odometerOffset.optional(),
  engineHoursOffset: engineHoursOffset.optional(),
  speedLimitKmh: speedLimitKmh.optional(),
  licenceClass: licenceClass.optional(),
  offlineAfterS: offlineAfterS.optional(),
  departmentId: departmentId.optional(),
  homePlaceId: homePlaceId.optional(),
  status: vehicleServiceStatus.optional(),
  notes: optionalText('notes', NOTES_MAX_LENGTH).optional(),
};

const equipmentFields = {
  name,
  category,
  serialNumber: serialNumber.optional(),
  replacementValue: money.optional(),
  offlineAfterS: offlineAfterS.optional(),
  departmentId: departmentId.optional(),
  homePlaceId: homePlaceId.optional(),
  status: equipmentServiceStatus.optional(),
  notes: optionalText('notes', NOTES_MAX_LENGTH).optional(),
};

const NONE = {
  plate: null,
  vin: null,
  make: null,
  model: null,
  year: null,
  fuelType: null,
  tankCapacityL: null,
  odometerOffsetKm: 0,
  engineHoursOffset: 0,
  category: null,
  serialNumber: null,
  replacementValue: null,
  speedLimitKmh: null,
  licenceClass: null,
  offlineAfterS: null,
  departmentId: null,
  homePlaceId: null,
  notes: null,
} as const;

/** Keeps the keys that were sent: PATCH changes only those. */
function present<T extends Record<string, unknown>>(body: T): Partial<T> {
  return Object.fromEntries(Object.entries(body).filter(([, v]) => v !== undefined)) as Partial<T>;
}

export const newVehicleSchema = z
  .strictObject(vehicleFields)
  .transform((b): NewAsset => ({ ...NONE, status: 'active', ...present(b), kind: 'vehicle', name: b.name }))
  .meta({ id: 'NewVehicle', description: 'A vehicle: only the name is required' });

export const vehicleChangesSchema = z
  .strictObject({ ...vehicleFields, name: name.optional() })
  .refine((b) => Object.keys(b).length > 0, 'nothing to change: give at least one field')
  .transform((b): AssetChanges => present(b))
  .meta({ id: 'VehicleChanges', description: 'Fields to change; absent ones stay, null clears one' });

export const newEquipmentSchema = z
  .strictObject(equipmentFields)
  .transform(
    (b): NewAsset => ({
      ...NONE,
      status: 'active',
      ...present(b),
      kind: 'equipment',
      name: b.name,
      category: b.category,
    }),
  )
  .meta({ id: 'NewEquipmentItem', description: 'An equipment item: name and category are required' });

export const equipmentChangesSchema = z
  .strictObject({ ...equipmentFields, name: name.optional(), category: category.optional() })
  .refine((b) => Object.keys(b).length > 0, 'nothing to change: give at least one field')
  .transform((b): AssetChanges => present(b))
  .meta({ id: 'EquipmentItemChanges', description: 'Fields to change; absent ones stay, null clears one' });

// --- lists ------------------------------------------------------------------------------------

export const SORT_ORDERS = ['asc', 'desc'] as const;
export const VEHICLE_SORTS = ['name', 'plate', 'year', 'createdAt', 'updatedAt'] as const;
export const EQUIPMENT_SORTS = [
  'name',
  'category',
  'serialNumber',
  'replacementValue',
  'createdAt',
  'updatedAt',
] as const;
export type AssetSort = (typeof VEHICLE_SORTS)[number] | (typeof EQUIPMENT_SORTS)[number];

const listFields = {
  departmentId: z.uuid().optional().meta({ description: 'this department and its sub-departments' }),
  homePlaceId: z.uuid().optional(),
  q: z
    .string()
    .max(NAME_MAX_LENGTH)
    .optional()
    .meta({ description: 'part of the name (any case), and of the plate, VIN or serial number' }),
  order: z.enum(SORT_ORDERS).default('asc'),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  offset: z.coerce.number().int().min(0).max(10_000_000).default(0),
  format: listFormat,
};

export const vehicleQuerySchema = z
  .strictObject({
    ...listFields,
    status: vehicleServiceStatus.optional().meta({
      description: 'absent: every vehicle but the retired ones; retired ones list with status=retired',
    }),
    sort: z.enum(VEHICLE_SORTS).default('name'),
  })
  .meta({ id: 'VehicleQuery' });

export const equipmentQuerySchema = z
  .strictObject({
    ...listFields,
    status: equipmentServiceStatus.optional().meta({
      description: 'absent: every item but the retired ones; retired ones list with status=retired',
    }),
    category: z
      .string()
      .trim()
      .max(CATEGORY_MAX_LENGTH)
      .optional()
      .meta({ description: 'exactly, any case' }),
    sort: z.enum(EQUIPMENT_SORTS).default('name'),
  })
  .meta({ id: 'EquipmentQuery' });

// --- answers ----------------------------------------------------------------------------------

const common = {
  id: z.uuid(),
  name: z.string(),
  departmentId: z.uuid().nullable(),
  homePlaceId: z.uuid().nullable(),
  notes: z.string().nullable(),
  deviceIds: z.array(z.string()).meta({ description: 'devices installed on it now, first installed first' }),
  hasPhoto: z.boolean().meta({ description: 'vehicles: GET …/photo has one' }),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
  retiredAt: z.iso.datetime().nullable(),
  offlineAfterS: z
    .number()
    .int()
    .nullable()
    .meta({ description: "seconds without data before offline rules call it offline; null: the rule's" }),
};

export const vehicleSchema = z
  .object({
    ...common,
    kind: z.literal('vehicle'),
    status: vehicleServiceStatus,
    plate: z.string().nullable(),
    vin: z.string().nullable(),
    make: z.string().nullable(),
    model: z.string().nullable(),
    year: z.number().int().nullable(),
    fuelType: fuelType.nullable(),
    tankCapacityL: z.number().nullable(),
    odometerOffsetKm: z.number(),
    engineHoursOffset: z.number(),
    speedLimitKmh: z
      .number()
      .nullable()
      .meta({ description: "km/h: speeding rules use it instead of the rule's limit; null: the rule's" }),
    licenceClass: z
      .enum(LICENCE_CLASSES)
      .nullable()
      .meta({ description: 'the driving licence class it needs; null: a car licence, B' }),
  })
  .meta({ id: 'Vehicle' });

export const equipmentSchema = z
  .object({
    ...common,
    kind: z.literal('equipment'),
    status: equipmentServiceStatus,
    category: z.string(),
    serialNumber: z.string().nullable(),
    replacementValue: z.number().nullable(),
    currency: z.string().meta({ description: "the organisation's currency (ISO 4217) of replacementValue" }),
  })
  .meta({ id: 'EquipmentItem' });

const page = <T extends z.ZodType>(item: T, id: string) =>
  z
    .object({
      items: z.array(item),
      total: z.number().int(),
      limit: z.number().int(),
      offset: z.number().int(),
    })
    .meta({ id });

export const vehiclePageSchema = page(vehicleSchema, 'VehiclePage');
export const equipmentPageSchema = page(equipmentSchema, 'EquipmentPage');

// --- installations ----------------------------------------------------------------------------

/** An instant in a body: ISO 8601 with a zone (Z or an offset). */
const instantBody = (what: string) =>
  z.iso
    .datetime({ offset: true, error: `${what} is an ISO 8601 time with a zone, e.g. 2026-11-21T08:00:00Z` })
    .transform((text) => Date.parse(text))
    .refine((ms) => ms >= Date.UTC(1990, 0, 1), `${what} is not before 1990`)
    .refine((ms) => ms <= Date.now() + CLOCK_SKEW_MS, `${what} is not in the future`);

export const newInstallationSchema = z
  .strictObject({
    deviceId: deviceIdParam.shape.id,
    installedAt: instantBody('installedAt').optional().meta({ description: 'default: now' }),
    note: optionalText('a note', NOTE_MAX_LENGTH).optional(),
  })
  .meta({
    id: 'NewInstallation',
    description:
      'A device is fitted to this asset. If it is still on another asset, that installation ends at the same instant (a tracker moved to another van).',
  });

export const endInstallationSchema = z
  .strictObject({ removedAt: instantBody('removedAt').optional().meta({ description: 'default: now' }) })
  .meta({ id: 'EndInstallation' });

export const installationSchema = z
  .object({
    id: z.uuid(),
    assetId: z.uuid(),
    assetKind: z.enum(ASSET_KINDS),
    assetName: z.string(),
    deviceId: z.string(),
    deviceName: z.string(),
    installedAt: z.iso.datetime(),
    removedAt: z.iso.datetime().nullable().meta({ description: 'null: still installed' }),
    note: z.string().nullable(),
  })
  .meta({ id: 'Installation' });

export const installationListSchema = z
  .object({ items: z.array(installationSchema).meta({ description: 'newest first' }) })
  .meta({ id: 'InstallationList' });

// --- telemetry by asset -----------------------------------------------------------------------

const assetIdentity = {
  assetId: z.uuid(),
  deviceIds: z
    .array(z.string())
    .meta({ description: 'the devices whose installations on the asset overlap the range' }),
};

export const assetTrackSchema = trackSchema
  .omit({ deviceId: true })
  .extend(assetIdentity)
  .meta({ id: 'AssetTrack', description: 'Positions of every device while it was installed on the asset' });

export const assetTelemetrySeriesSchema = telemetrySeriesSchema
  .omit({ deviceId: true })
  .extend(assetIdentity)
  .meta({ id: 'AssetTelemetrySeries' });

export const assetEventListSchema = z
  .object({ ...assetIdentity, items: z.array(deviceEventSchema) })
  .meta({ id: 'AssetEventList' });

export const assetLatestSchema = deviceLatestSchema
  .omit({ deviceId: true })
  .extend({
    assetId: z.uuid(),
    deviceIds: z.array(z.string()).meta({ description: 'the devices installed now' }),
  })
  .meta({
    id: 'AssetLatest',
    description:
      "The newest position and values of the devices installed now, since they were installed; a vehicle's odometerKm and engineHours include its offsets",
  });
