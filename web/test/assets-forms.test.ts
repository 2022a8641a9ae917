// The vehicle and equipment forms (web/src/lib/assets): the catalogue the console restates is
// the API's; each field's check gives the API's verdict on the same text (its own schema judges
// side by side), and what the form accepts is the value the API stores; the plate's and VIN's
// rules are left to the API; a change sends only what differs; the API's field errors land at
// their fields.
import { describe, expect, it } from 'vitest';
import { PLATE_MAX_LENGTH } from '../../api/src/domains/assets/identifiers.ts';
import * as api from '../../api/src/domains/assets/schemas.ts';
import { formErrors } from '../src/lib/admin/field-errors.ts';
import { ApiRequestError } from '../src/lib/api/errors.ts';
import {
  ASSET_LIMITS,
  EQUIPMENT_STATUSES,
  FUEL_LABELS,
  FUEL_TYPES,
  STATUS_LABELS,
  VEHICLE_STATUSES,
} from '../src/lib/assets/catalogue.ts';
import { EMPTY_EQUIPMENT, EQUIPMENT_FIELDS, type EquipmentDraft } from '../src/lib/assets/equipment.ts';
import {
  changedFields,
  type Fields,
  fieldLabel,
  fieldNames,
  parseNumber,
  readAll,
  showAll,
} from '../src/lib/assets/fields.ts';
import { EMPTY_VEHICLE, VEHICLE_FIELDS, type VehicleDraft } from '../src/lib/assets/vehicles.ts';

describe('the catalogue', () => {
  it('is the API’s: statuses, fuel types and limits', () => {
    expect(VEHICLE_STATUSES).toEqual(api.VEHICLE_SERVICE_STATUSES);
    expect(EQUIPMENT_STATUSES).toEqual(api.EQUIPMENT_SERVICE_STATUSES);
    expect(FUEL_TYPES).toEqual(api.FUEL_TYPES);
    expect(ASSET_LIMITS).toMatchObject({
      name: api.NAME_MAX_LENGTH,
      notes: api.NOTES_MAX_LENGTH,
      make: api.MAKE_MAX_LENGTH,
      category: api.CATEGORY_MAX_LENGTH,
      serialNumber: api.SERIAL_MAX_LENGTH,
      installationNote: api.NOTE_MAX_LENGTH,
      plate: PLATE_MAX_LENGTH,
      maxMoney: api.MAX_MONEY,
      maxTankL: api.MAX_TANK_L,
      maxOdometerOffsetKm: api.MAX_ODOMETER_OFFSET_KM,
      maxEngineHoursOffset: api.MAX_ENGINE_HOURS_OFFSET,
      minModelYear: api.MIN_MODEL_YEAR,
      minSpeedLimitKmh: api.SPEED_LIMIT_KMH.min,
      maxSpeedLimitKmh: api.SPEED_LIMIT_KMH.max,
      minOfflineAfterS: api.OFFLINE_AFTER_S.min,
      maxOfflineAfterS: api.OFFLINE_AFTER_S.max,
      clockSkewMs: api.CLOCK_SKEW_MS,
    });
    expect(api.vehicleQuerySchema.safeParse({ limit: String(ASSET_LIMITS.maxPage) }).success).toBe(true);
    expect(api.vehicleQuerySchema.safeParse({ limit: String(ASSET_LIMITS.maxPage + 1) }).success).toBe(false);
  });

  it('labels every status and fuel type', () => {
    for (const s of api.EQUIPMENT_SERVICE_STATUSES) expect(STATUS_LABELS[s]).toMatch(/^[A-Z]/);
    for (const f of api.FUEL_TYPES) expect(FUEL_LABELS[f]).toMatch(/^[A-Z]/);
  });

  it('starts a new one with the API’s defaults', () => {
    const { kind, ...defaults } = api.newVehicleSchema.parse({ name: 'x' });
    expect(kind).toBe('vehicle');
    expect({ ...EMPTY_VEHICLE, name: 'x' }).toEqual(
      Object.fromEntries(Object.keys(EMPTY_VEHICLE).map((k) => [k, defaults[k as keyof typeof defaults]])),
    );
    const item = api.newEquipmentSchema.parse({ name: 'x', category: 'y' });
    expect({ ...EMPTY_EQUIPMENT, name: 'x', category: 'y' }).toEqual(
      Object.fromEntries(Object.keys(EMPTY_EQUIPMENT).map((k) => [k, item[k as keyof typeof item]])),
    );
  });

  it('has a field for every key the API takes, and nothing else', () => {
    expect(fieldNames(VEHICLE_FIELDS).sort()).toEqual(Object.keys(api.newVehicleSchema.in.shape).sort());
    expect(fieldNames(EQUIPMENT_FIELDS).sort()).toEqual(Object.keys(api.newEquipmentSchema.in.shape).sort());
  });
});

describe('numbers as people type them', () => {
  it('reads thousands separated by spaces and a decimal comma', () => {
    expect(['12', ' 12.5 ', '1 249,90', '10 000 000', '-3', '+4', '.5', '5.'].map(parseNumber)).toEqual([
      12, 12.5, 1249.9, 10_000_000, -3, 4, 0.5, 5,
    ]);
  });

  it('refuses what is not one number', () => {
    for (const text of ['', 'abc', '1,2,3', '1.2.3', '12 km', '1e5', '0x10', '--1'])
      expect([text, parseNumber(text)]).toEqual([text, undefined]);
  });
});

/** [text typed, what a client would send for it]: the form and the API judge each alike. */
type Case = [text: string, sent: unknown];
const YEAR = new Date().getUTCFullYear();
const long = (n: number) => 'x'.repeat(n);

const VEHICLE_CASES: Partial<Record<keyof VehicleDraft, Case[]>> = {
  name: [
    ['  Van 12 ', '  Van 12 '],
    ['   ', '   '],
    [long(100), long(100)],
    [long(101), long(101)],
  ],
  plate: [
    ['abc -  123', 'abc -  123'],
    ['', ''],
    ['ABCDEFGHIJKLMNOPQRST', 'ABCDEFGHIJKLMNOPQRST'],
    ['ABCDEFGHIJKLMNOPQRSTU', 'ABCDEFGHIJKLMNOPQRSTU'],
  ],
  vin: [
    ['1m8gdm9axkp042788', '1m8gdm9axkp042788'],
    ['1M8GDM9AXKP04278', '1M8GDM9AXKP04278'],
    ['', ''],
  ],
  make: [
    ['  Ford ', '  Ford '],
    ['  ', '  '],
    [long(61), long(61)],
  ],
  model: [[long(60), long(60)]],
  year: [
    ['1899', 1899],
    ['1900', 1900],
    [String(YEAR + 2), YEAR + 2],
    [String(YEAR + 3), YEAR + 3],
    ['2020.5', 2020.5],
    ['twenty', 'twenty'],
    ['', null],
  ],
  fuelType: [
    ['diesel', 'diesel'],
    ['', null],
  ],
  tankCapacityL: [
    ['0', 0],
    ['80', 80],
    ['5000', 5000],
    ['5000.5', 5000.5],
    ['-1', -1],
  ],
  odometerOffsetKm: [
    ['-10000000', -10_000_000],
    ['10000001', 10_000_001],
    ['1 200,5', 1200.5],
    ['', 0],
  ],
  engineHoursOffset: [
    ['1000000', 1_000_000],
    ['1000001', 1_000_001],
  ],
  status: [['in_workshop', 'in_workshop']],
  departmentId: [['', null]],
  notes: [
    [long(2000), long(2000)],
    [long(2001), long(2001)],
  ],
};

const EQUIPMENT_CASES: Partial<Record<keyof EquipmentDraft, Case[]>> = {
  category: [
    ['  camera   kit ', '  camera   kit '],
    [' ', ' '],
    [long(61), long(61)],
  ],
  serialNumber: [
    ['SN-0042', 'SN-0042'],
    [long(101), long(101)],
    ['', ''],
  ],
  replacementValue: [
    ['1249.9', 1249.9],
    ['1 249,90', 1249.9],
    ['12.345', 12.345],
    ['-1', -1],
    ['0', 0],
    ['999999999999.99', 999_999_999_999.99],
    ['1000000000000', 1_000_000_000_000],
    ['', null],
  ],
  status: [['lost', 'lost']],
};

function agreeWithTheApi<B extends object>(
  fields: Fields<B>,
  base: B,
  cases: Partial<Record<keyof B, Case[]>>,
  schema: {
    safeParse(v: unknown): {
      success: boolean;
      data?: unknown;
      error?: { issues: { path: PropertyKey[] }[] };
    };
  },
) {
  const values = showAll(fields, base);
  for (const [field, list] of Object.entries(cases) as [keyof B & string, Case[]][]) {
    for (const [text, sent] of list) {
      const form = readAll(fields, { ...values, [field]: text });
      const answer = schema.safeParse({ ...base, [field]: sent });
      const refusedThere = answer.error?.issues.some((i) => i.path[0] === field) ?? false;
      expect([field, text, form.ok]).toEqual([field, text, !refusedThere]);
      if (form.ok && answer.success)
        expect([field, form.body[field]]).toEqual([field, (answer.data as Record<string, unknown>)[field]]);
      if (!form.ok) expect(Object.keys(form.problems)).toEqual([field]);
    }
  }
}

describe('the vehicle form', () => {
  const base: VehicleDraft = { ...EMPTY_VEHICLE, name: 'Van 12' };

  it('gives the API’s verdict on each field, and the value it stores', () => {
    agreeWithTheApi(VEHICLE_FIELDS, base, VEHICLE_CASES, api.newVehicleSchema);
  });

  it('leaves the plate’s and VIN’s own rules to the API, which names the field', () => {
    for (const [field, text] of [
      ['plate', 'ABC#123'],
      ['vin', '1M8GDM9A1KP042788'],
      ['vin', 'WVWZZZ1JZXW00000I'],
    ] as const) {
      expect(readAll(VEHICLE_FIELDS, { ...showAll(VEHICLE_FIELDS, base), [field]: text }).ok).toBe(true);
      const answer = api.newVehicleSchema.safeParse({ ...base, [field]: text });
      expect(answer.error?.issues.map((i) => i.path)).toEqual([[field]]);
    }
  });

  it('names every problem at once', () => {
    const values = { ...showAll(VEHICLE_FIELDS, EMPTY_VEHICLE), year: '1800', tankCapacityL: 'lots' };
    const read = readAll(VEHICLE_FIELDS, values);
    expect(read.ok ? {} : read.problems).toEqual({
      name: 'a name is needed',
      year: 'a model year is at least 1900',
      tankCapacityL: 'a tank capacity is a number of litres',
    });
  });

  it('sends a new vehicle the API takes as it is', () => {
    const read = readAll(VEHICLE_FIELDS, {
      ...showAll(VEHICLE_FIELDS, EMPTY_VEHICLE),
      name: 'Van 7',
      plate: 'xyz-789',
      year: '2021',
      fuelType: 'diesel',
      tankCapacityL: '80',
    });
    if (!read.ok) throw new Error(JSON.stringify(read.problems));
    expect(read.body).toEqual({
      ...EMPTY_VEHICLE,
      name: 'Van 7',
      plate: 'XYZ-789',
      year: 2021,
      fuelType: 'diesel',
      tankCapacityL: 80,
    });
    const { kind, ...stored } = api.newVehicleSchema.parse(read.body);
    expect(kind).toBe('vehicle');
    expect(stored).toMatchObject(read.body);
  });

  it('shows a vehicle back as it was, and a change sends only the fields that differ', () => {
    const vehicle: VehicleDraft = {
      ...EMPTY_VEHICLE,
      name: 'Van 3',
      plate: 'ABC-123',
      vin: '1M8GDM9AXKP042788',
      make: 'Ford',
      model: 'Transit',
      year: 2019,
      fuelType: 'diesel',
      tankCapacityL: 80,
      odometerOffsetKm: 1200.5,
      status: 'in_workshop',
      notes: 'Roof rack.\nTow bar.',
    };
    const values = showAll(VEHICLE_FIELDS, vehicle);
    const same = readAll(VEHICLE_FIELDS, { ...values, plate: 'abc-123' });
    if (!same.ok) throw new Error('refused');
    expect(changedFields(VEHICLE_FIELDS, same.body, vehicle)).toEqual({});
    const edited = readAll(VEHICLE_FIELDS, { ...values, year: '2020', make: '', notes: 'Roof rack.' });
    if (!edited.ok) throw new Error('refused');
    const changes = changedFields(VEHICLE_FIELDS, edited.body, vehicle);
    expect(changes).toEqual({ year: 2020, make: null, notes: 'Roof rack.' });
    expect(api.vehicleChangesSchema.safeParse(changes).success).toBe(true);
  });
});

describe('the equipment form', () => {
  const base: EquipmentDraft = { ...EMPTY_EQUIPMENT, name: 'Camera kit 4', category: 'camera kit' };

  it('gives the API’s verdict on each field, and the value it stores', () => {
    agreeWithTheApi(EQUIPMENT_FIELDS, base, EQUIPMENT_CASES, api.newEquipmentSchema);
  });

  it('needs a name and a category, and words a value of more than cents', () => {
    const read = readAll(EQUIPMENT_FIELDS, {
      ...showAll(EQUIPMENT_FIELDS, EMPTY_EQUIPMENT),
      replacementValue: '9.999',
    });
    expect(read.ok ? {} : read.problems).toEqual({
      name: 'a name is needed',
      category: 'a category is needed',
      replacementValue: 'a replacement value has at most 2 decimals',
    });
  });

  it('labels the value with the organisation’s currency, and other units as they are', () => {
    expect(fieldLabel(EQUIPMENT_FIELDS.replacementValue, 'SEK')).toBe('Replacement value (SEK)');
    expect(fieldLabel(VEHICLE_FIELDS.tankCapacityL, 'SEK')).toBe('Tank capacity (l)');
    expect(fieldLabel(VEHICLE_FIELDS.name, 'SEK')).toBe('Name');
  });
});

describe('the API’s field errors', () => {
  const names = fieldNames(VEHICLE_FIELDS);

  it('land at the VIN for a check digit, and at the plate for a taken plate', () => {
    const digit = new ApiRequestError(400, 'validation_failed', 'Invalid body.', {
      details: [
        { path: 'body.vin', message: 'the check digit (9th character) of this VIN should be X, not 1' },
      ],
    });
    expect(formErrors(digit, names).fields).toEqual({
      vin: 'the check digit (9th character) of this VIN should be X, not 1',
    });
    const taken = new ApiRequestError(409, 'conflict', 'A vehicle with the plate ABC-123 already exists.', {
      details: [{ path: 'body.plate', message: 'another vehicle of the organisation has this plate' }],
    });
    expect(formErrors(taken, names, { conflict: 'plate' })).toEqual({
      fields: { plate: 'another vehicle of the organisation has this plate' },
      form: 'A vehicle with the plate ABC-123 already exists.',
    });
  });
});
