// The one normalised telemetry record of the platform and the registry of its fields
// (Traccar's Position and its attribute keys). Nothing downstream of the decoder sees a raw
// payload: storage, live state, rules and the hub all read TelemetryRecord and this registry.

/** A value a device may or may not report. `undefined` means "not reported", never zero. */
type Maybe<T> = T | undefined;

export interface TelemetryRecord {
  tenant: string;
  deviceId: string;
  seq: number;
  /** Device time, ms since the Unix epoch, UTC. */
  ts: number;
  /** Server time the record arrived, ms since the Unix epoch. */
  receivedAt: number;
  /** Undefined when the device had no GPS fix (it sent 0,0). */
  lat: Maybe<number>;
  lon: Maybe<number>;
  speedKmh: Maybe<number>;
  headingDeg: Maybe<number>;
  altitudeM: Maybe<number>;
  hdop: Maybe<number>;
  satellites: Maybe<number>;
  ignition: Maybe<boolean>;
  odometerKm: Maybe<number>;
  engineHours: Maybe<number>;
  fuelLevelPct: Maybe<number>;
  fuelLevelL: Maybe<number>;
  batteryV: Maybe<number>;
  externalV: Maybe<number>;
  engineRpm: Maybe<number>;
  coolantTempC: Maybe<number>;
  engineLoadPct: Maybe<number>;
  dtcCodes: Maybe<string[]>;
  temperatureC: Maybe<number>;
  doorOpen: Maybe<boolean>;
  ptoActive: Maybe<boolean>;
  tamper: Maybe<boolean>;
  /** The driver card in the tracker's reader, trimmed, otherwise as the reader reported it. */
  driverCardId: Maybe<string>;
}

export type TelemetryFieldName = Exclude<keyof TelemetryRecord, 'tenant' | 'deviceId' | 'ts' | 'receivedAt'>;

/** How a field is stored in QuestDB and what range is physically plausible. */
export interface TelemetryField {
  name: TelemetryFieldName;
  column: string;
  type: 'double' | 'float' | 'long' | 'int' | 'boolean' | 'string';
  unit: string;
  /** Inclusive plausibility bounds; a value outside them rejects the record. */
  min?: number;
  max?: number;
}

/**
 * Every measured field, in storage order. Bounds are generous physical limits (a record
 * outside them is a broken sensor or a forged payload), not business thresholds.
 */
export const TELEMETRY_FIELDS: readonly TelemetryField[] = [
  { name: 'seq', column: 'seq', type: 'long', unit: '', min: 1 },
  { name: 'lat', column: 'lat', type: 'double', unit: 'deg', min: -90, max: 90 },
  { name: 'lon', column: 'lon', type: 'double', unit: 'deg', min: -180, max: 180 },
  { name: 'speedKmh', column: 'speed_kmh', type: 'float', unit: 'km/h', min: 0, max: 400 },
  { name: 'headingDeg', column: 'heading_deg', type: 'float', unit: 'deg', min: 0, max: 360 },
  { name: 'altitudeM', column: 'altitude_m', type: 'float', unit: 'm', min: -1000, max: 10000 },
  { name: 'hdop', column: 'hdop', type: 'float', unit: '', min: 0, max: 100 },
  { name: 'satellites', column: 'satellites', type: 'int', unit: '', min: 0, max: 128 },
  { name: 'ignition', column: 'ignition', type: 'boolean', unit: '' },
  { name: 'odometerKm', column: 'odometer_km', type: 'double', unit: 'km', min: 0, max: 10_000_000 },
  { name: 'engineHours', column: 'engine_hours', type: 'double', unit: 'h', min: 0, max: 1_000_000 },
  { name: 'fuelLevelPct', column: 'fuel_level_pct', type: 'float', unit: '%', min: 0, max: 100 },
  { name: 'fuelLevelL', column: 'fuel_level_l', type: 'float', unit: 'L', min: 0, max: 5000 },
  { name: 'batteryV', column: 'battery_v', type: 'float', unit: 'V', min: 0, max: 60 },
  { name: 'externalV', column: 'external_v', type: 'float', unit: 'V', min: 0, max: 60 },
  { name: 'engineRpm', column: 'engine_rpm', type: 'int', unit: 'rpm', min: 0, max: 20_000 },
  { name: 'coolantTempC', column: 'coolant_temp_c', type: 'float', unit: '°C', min: -60, max: 200 },
  { name: 'engineLoadPct', column: 'engine_load_pct', type: 'float', unit: '%', min: 0, max: 100 },
  { name: 'dtcCodes', column: 'dtc_codes', type: 'string', unit: '' },
  { name: 'temperatureC', column: 'temperature_c', type: 'float', unit: '°C', min: -100, max: 200 },
  { name: 'doorOpen', column: 'door_open', type: 'boolean', unit: '' },
  { name: 'ptoActive', column: 'pto_active', type: 'boolean', unit: '' },
  { name: 'tamper', column: 'tamper', type: 'boolean', unit: '' },
  { name: 'driverCardId', column: 'driver_card_id', type: 'string', unit: '' },
];

/** A discrete device event (harsh braking, power cut, ...) after decoding. */
export interface DeviceEventRecord {
  tenant: string;
  deviceId: string;
  seq: number;
  ts: number;
  receivedAt: number;
  /** Upper-case kind name from the protobuf enum, e.g. HARSH_BRAKING; CONNECTED/DISCONNECTED from the broker. */
  kind: string;
  lat: Maybe<number>;
  lon: Maybe<number>;
  speedKmh: Maybe<number>;
  peakG: Maybe<number>;
  buttonId: Maybe<number>;
  firmware: Maybe<string>;
  detail: string;
}

/** Every measured field, none reported: spread it, then set what a record has (tests, bench, simulator). */
export const NO_MEASUREMENTS: Readonly<
  Omit<TelemetryRecord, 'tenant' | 'deviceId' | 'seq' | 'ts' | 'receivedAt'>
> = {
  lat: undefined,
  lon: undefined,
  speedKmh: undefined,
  headingDeg: undefined,
  altitudeM: undefined,
  hdop: undefined,
  satellites: undefined,
  ignition: undefined,
  odometerKm: undefined,
  engineHours: undefined,
  fuelLevelPct: undefined,
  fuelLevelL: undefined,
  batteryV: undefined,
  externalV: undefined,
  engineRpm: undefined,
  coolantTempC: undefined,
  engineLoadPct: undefined,
  dtcCodes: undefined,
  temperatureC: undefined,
  doorOpen: undefined,
  ptoActive: undefined,
  tamper: undefined,
  driverCardId: undefined,
};

// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
const CONTROL_CHARACTERS = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g;

/** Whether text holds a control character other than tab, LF and CR. */
export function hasControlCharacters(text: string): boolean {
  CONTROL_CHARACTERS.lastIndex = 0;
  return CONTROL_CHARACTERS.test(text);
}

/**
 * Device-sent text with its control characters written out as `\u0000`-style escapes (tab, LF
 * and CR stay): a NUL stored in QuestDB made its JSON answers unparseable, and the console has
 * no use for a bell or an escape sequence either.
 */
export function escapeControlCharacters(text: string): string {
  return text.replace(CONTROL_CHARACTERS, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
