// How the device detail page names, formats and groups a device's measured values: one entry per
// field of the platform's telemetry registry (TELEMETRY_FIELDS in shared/src/telemetry.ts, a
// module without imports, so the console bundles it), whose units it shows. Pure: no DOM, no runes.
import type { DeviceKind } from '@fleet/shared/live';
import { TELEMETRY_FIELDS } from '@fleet/shared/telemetry';

/** The measured fields of a TelemetryRecord that /devices/{id}/latest may return. */
export type ValueFieldName =
  | 'speedKmh'
  | 'headingDeg'
  | 'altitudeM'
  | 'hdop'
  | 'satellites'
  | 'ignition'
  | 'odometerKm'
  | 'engineHours'
  | 'fuelLevelPct'
  | 'fuelLevelL'
  | 'batteryV'
  | 'externalV'
  | 'engineRpm'
  | 'coolantTempC'
  | 'engineLoadPct'
  | 'dtcCodes'
  | 'temperatureC'
  | 'doorOpen'
  | 'ptoActive'
  | 'tamper'
  | 'driverCardId';

export type ValueField =
  | {
      name: ValueFieldName;
      type: 'number';
      label: string;
      /** As shown: the registry's unit, with ° for degrees. */
      unit: string;
      /** Decimal places shown. */
      digits: number;
    }
  | { name: ValueFieldName; type: 'boolean'; label: string; unit: ''; on: string; off: string }
  | { name: ValueFieldName; type: 'codes'; label: string; unit: ''; none: string }
  | { name: ValueFieldName; type: 'text'; label: string; unit: '' };

/** The registry's unit of a field, as shown (° for degrees). */
export function unitOf(name: ValueFieldName): string {
  const unit = TELEMETRY_FIELDS.find((f) => f.name === name)?.unit ?? '';
  return unit === 'deg' ? '°' : unit;
}

const num = (name: ValueFieldName, label: string, digits: number): ValueField => ({
  name,
  type: 'number',
  label,
  unit: unitOf(name),
  digits,
});
const flag = (name: ValueFieldName, label: string, on: string, off: string): ValueField => ({
  name,
  type: 'boolean',
  label,
  unit: '',
  on,
  off,
});

/** Every value field, in the order the page lists them. */
export const VALUE_FIELDS: readonly ValueField[] = [
  num('speedKmh', 'Speed', 1),
  flag('ignition', 'Ignition', 'On', 'Off'),
  num('fuelLevelPct', 'Fuel', 1),
  num('fuelLevelL', 'Fuel volume', 1),
  num('batteryV', 'Device battery', 2),
  num('externalV', 'Supply voltage', 2),
  num('coolantTempC', 'Coolant', 1),
  num('temperatureC', 'Temperature', 1),
  num('odometerKm', 'Odometer', 1),
  num('engineHours', 'Engine hours', 1),
  num('engineRpm', 'Engine speed', 0),
  num('engineLoadPct', 'Engine load', 1),
  { name: 'dtcCodes', type: 'codes', label: 'Trouble codes (DTC)', unit: '', none: 'None' },
  flag('doorOpen', 'Door', 'Open', 'Closed'),
  flag('ptoActive', 'Power take-off', 'Engaged', 'Off'),
  flag('tamper', 'Tamper switch', 'Tripped', 'Closed'),
  { name: 'driverCardId', type: 'text', label: 'Driver card', unit: '' },
  num('headingDeg', 'Heading', 0),
  num('altitudeM', 'Altitude', 0),
  num('satellites', 'Satellites', 0),
  num('hdop', 'HDOP', 1),
];

export const VALUE_FIELD: Readonly<Record<ValueFieldName, ValueField>> = Object.fromEntries(
  VALUE_FIELDS.map((f) => [f.name, f]),
) as Record<ValueFieldName, ValueField>;

/**
 * The values each kind of device is expected to report: listed with "—" when absent. Others are
 * listed only when the device reports them (a tag's door contact, a vehicle's engine load).
 * Vehicles: a GPS/OBD tracker; equipment: a battery tag (firmware-sim/src/equipment-model.ts).
 */
export const PRIMARY_VALUES: Readonly<Record<DeviceKind, readonly ValueFieldName[]>> = {
  vehicle: [
    'speedKmh',
    'fuelLevelPct',
    'batteryV',
    'externalV',
    'coolantTempC',
    'odometerKm',
    'engineHours',
    'dtcCodes',
  ],
  equipment: ['speedKmh', 'batteryV'],
};

/** Chart fields (the API's CHART_FIELDS) the detail page draws for each kind, in order. */
export type ChartFieldName =
  | 'speedKmh'
  | 'fuelLevelPct'
  | 'coolantTempC'
  | 'externalV'
  | 'batteryV'
  | 'engineRpm'
  | 'temperatureC';

export const CHART_FIELDS_BY_KIND: Readonly<Record<DeviceKind, readonly ChartFieldName[]>> = {
  vehicle: ['speedKmh', 'fuelLevelPct', 'coolantTempC', 'externalV', 'batteryV', 'engineRpm'],
  // Every tag reports its battery; temperature tags (cold chain) their probe as well.
  equipment: ['speedKmh', 'batteryV', 'temperatureC'],
};

/** The charts of a device whose kind is not known (its record failed to load): every one. */
export function chartFieldsFor(kind: DeviceKind | undefined): readonly ChartFieldName[] {
  if (kind) return CHART_FIELDS_BY_KIND[kind];
  return [...new Set([...CHART_FIELDS_BY_KIND.vehicle, ...CHART_FIELDS_BY_KIND.equipment])];
}

const numberFormats = new Map<number, Intl.NumberFormat>();

/** A number with `digits` decimals (fewer when they are zeros), grouped: "123,456.7". */
export function formatNumber(value: number, digits: number): string {
  let f = numberFormats.get(digits);
  if (!f) {
    f = new Intl.NumberFormat('en-GB', { maximumFractionDigits: digits });
    numberFormats.set(digits, f);
  }
  return f.format(value);
}
