import type { TelemetryRecord } from '@fleet/shared';

/** Every measured field of a TelemetryRecord, none reported: spread it, then set what a test needs. */
export const NO_MEASUREMENTS: Omit<TelemetryRecord, 'tenant' | 'deviceId' | 'seq' | 'ts' | 'receivedAt'> = {
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
};
