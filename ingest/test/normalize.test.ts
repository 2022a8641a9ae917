import {
  DeviceEventKind,
  type DeviceEventMessage,
  decodeTelemetryBatch,
  encodeTelemetryBatch,
  type TelemetryMessage,
} from '@fleet/proto';
import { describe, expect, it } from 'vitest';
import { type DeviceSession, toDeviceEventRecord, toTelemetryRecord } from '../src/normalize.ts';

const SESSION: DeviceSession = { tenant: 'tenant-a', deviceId: 'dev-a' };
const RECEIVED = 1_750_000_000_500;
const TS = 1_750_000_000_000;

function msg(patch: Partial<TelemetryMessage> = {}): TelemetryMessage {
  return { seq: 5, tsMs: TS, lat: 60.17, lon: 24.94, speedKmh: 50, headingDeg: 270, ...patch };
}

/** A message as protobufjs may hand it over: absent optional fields as null. */
function withNulls(fields: string[]): TelemetryMessage {
  const m: Record<string, unknown> = { ...msg() };
  for (const f of fields) m[f] = null;
  return m as unknown as TelemetryMessage;
}

const OPTIONAL_FIELDS = [
  'altitudeM',
  'hdop',
  'satellites',
  'ignition',
  'odometerKm',
  'engineHours',
  'fuelLevelPct',
  'fuelLevelL',
  'batteryV',
  'externalV',
  'engineRpm',
  'coolantTempC',
  'engineLoadPct',
  'temperatureC',
  'doorOpen',
  'ptoActive',
  'tamper',
  'driverCardId',
] as const;

describe('toTelemetryRecord', () => {
  it('maps every field and takes device id and tenant from the session', () => {
    const r = toTelemetryRecord(
      msg({
        altitudeM: 12.5,
        hdop: 0.9,
        satellites: 11,
        ignition: true,
        odometerKm: 123_456.7,
        engineHours: 3000.5,
        fuelLevelPct: 55,
        fuelLevelL: 40,
        batteryV: 4.1,
        externalV: 13.8,
        engineRpm: 2100,
        coolantTempC: 90,
        engineLoadPct: 35,
        dtcCodes: ['P0301', 'U0100'],
        temperatureC: -18,
        doorOpen: false,
        ptoActive: true,
        tamper: false,
        driverCardId: '01A2B3',
      }),
      SESSION,
      RECEIVED,
    );
    expect(r).toEqual({
      tenant: 'tenant-a',
      deviceId: 'dev-a',
      seq: 5,
      ts: TS,
      receivedAt: RECEIVED,
      lat: 60.17,
      lon: 24.94,
      speedKmh: 50,
      headingDeg: 270,
      altitudeM: 12.5,
      hdop: 0.9,
      satellites: 11,
      ignition: true,
      odometerKm: 123_456.7,
      engineHours: 3000.5,
      fuelLevelPct: 55,
      fuelLevelL: 40,
      batteryV: 4.1,
      externalV: 13.8,
      engineRpm: 2100,
      coolantTempC: 90,
      engineLoadPct: 35,
      dtcCodes: ['P0301', 'U0100'],
      temperatureC: -18,
      doorOpen: false,
      ptoActive: true,
      tamper: false,
      driverCardId: '01A2B3',
    });
  });

  it('trims a driver card (readers pad to a width) and keeps the rest for validation', () => {
    const card = (driverCardId: string) =>
      toTelemetryRecord(msg({ driverCardId }), SESSION, RECEIVED).driverCardId;
    expect(card('  01A2B3\t\r\n')).toBe('01A2B3');
    expect(card('01:a2 b3')).toBe('01:a2 b3');
    expect(card('   ')).toBe('');
    expect(card('01\u0000A2')).toBe('01\u0000A2');
    expect(toTelemetryRecord(msg(), SESSION, RECEIVED).driverCardId).toBeUndefined();
  });

  it('never takes device id or tenant from the message', () => {
    const forged = { ...msg(), deviceId: 'someone-else', tenant: 'other-tenant' } as TelemetryMessage;
    const r = toTelemetryRecord(forged, SESSION, RECEIVED);
    expect(r.deviceId).toBe('dev-a');
    expect(r.tenant).toBe('tenant-a');
  });

  it('0,0 ("null island") means no position; the other values stay', () => {
    const r = toTelemetryRecord(msg({ lat: 0, lon: 0, speedKmh: 0, batteryV: 12.1 }), SESSION, RECEIVED);
    expect(r.lat).toBeUndefined();
    expect(r.lon).toBeUndefined();
    expect(r.batteryV).toBe(12.1);
    expect(r.speedKmh).toBe(0);
  });

  it('a zero on only one axis is a real place', () => {
    expect(toTelemetryRecord(msg({ lat: 0, lon: 24.9 }), SESSION, RECEIVED)).toMatchObject({
      lat: 0,
      lon: 24.9,
    });
    expect(toTelemetryRecord(msg({ lat: 51.5, lon: 0 }), SESSION, RECEIVED)).toMatchObject({
      lat: 51.5,
      lon: 0,
    });
  });

  it('turns null optional fields into undefined, never 0 or false', () => {
    const r = toTelemetryRecord(withNulls([...OPTIONAL_FIELDS, 'dtcCodes']), SESSION, RECEIVED);
    for (const f of OPTIONAL_FIELDS) expect(r[f], f).toBeUndefined();
    expect(r.dtcCodes).toBeUndefined();
  });

  it('keeps present zeros and false of optional fields', () => {
    const r = toTelemetryRecord(
      msg({ satellites: 0, ignition: false, fuelLevelPct: 0, tamper: false }),
      SESSION,
      RECEIVED,
    );
    expect(r.satellites).toBe(0);
    expect(r.ignition).toBe(false);
    expect(r.fuelLevelPct).toBe(0);
    expect(r.tamper).toBe(false);
  });

  it('an empty DTC list is undefined; a present one is a copy', () => {
    expect(toTelemetryRecord(msg({ dtcCodes: [] }), SESSION, RECEIVED).dtcCodes).toBeUndefined();
    const codes = ['P0301'];
    const r = toTelemetryRecord(msg({ dtcCodes: codes }), SESSION, RECEIVED);
    expect(r.dtcCodes).toEqual(['P0301']);
    expect(r.dtcCodes).not.toBe(codes);
  });

  it('absent seq and ts become 0 (so validation rejects them)', () => {
    const m = { lat: 1, lon: 2, speedKmh: 0, headingDeg: 0 } as TelemetryMessage;
    const r = toTelemetryRecord(m, SESSION, RECEIVED);
    expect(r.seq).toBe(0);
    expect(r.ts).toBe(0);
  });

  it('normalises records decoded from the wire', () => {
    const bytes = encodeTelemetryBatch([
      { seq: 1, tsMs: TS, lat: 0, lon: 0 },
      { seq: 2, tsMs: TS + 1000, lat: 60.5, lon: 25.5, speedKmh: 12, ignition: false },
    ]);
    const decoded = decodeTelemetryBatch(bytes, { maxBytes: 1 << 20, maxRecords: 10 });
    expect(decoded.ok).toBe(true);
    if (!decoded.ok) return;
    const [noFix, fix] = decoded.value.map((m) => toTelemetryRecord(m, SESSION, RECEIVED));
    expect(noFix).toMatchObject({ seq: 1, ts: TS, lat: undefined, lon: undefined, ignition: undefined });
    expect(noFix?.dtcCodes).toBeUndefined();
    expect(noFix?.altitudeM).toBeUndefined();
    expect(fix).toMatchObject({ seq: 2, ts: TS + 1000, lat: 60.5, lon: 25.5, speedKmh: 12, ignition: false });
  });
});

describe('toDeviceEventRecord', () => {
  const event = (patch: Partial<DeviceEventMessage> = {}): DeviceEventMessage => ({
    seq: 9,
    tsMs: TS,
    kind: DeviceEventKind.HARSH_BRAKING,
    detail: '',
    ...patch,
  });

  it('maps the fields, names the kind and takes identity from the session', () => {
    const forged = {
      ...event({ lat: 60, lon: 25, peakG: 0.6 }),
      deviceId: 'x',
      tenant: 'y',
    } as DeviceEventMessage;
    const r = toDeviceEventRecord(forged, SESSION, RECEIVED);
    expect(r).toEqual({
      tenant: 'tenant-a',
      deviceId: 'dev-a',
      seq: 9,
      ts: TS,
      receivedAt: RECEIVED,
      kind: 'HARSH_BRAKING',
      lat: 60,
      lon: 25,
      speedKmh: undefined,
      peakG: 0.6,
      buttonId: undefined,
      firmware: undefined,
      detail: '',
    });
  });

  it('names an unknown kind UNKNOWN', () => {
    expect(toDeviceEventRecord(event({ kind: 999 }), SESSION, RECEIVED).kind).toBe('UNKNOWN');
  });

  it('bounds firmware and detail text', () => {
    const r = toDeviceEventRecord(
      event({ firmware: 'f'.repeat(200), detail: 'd'.repeat(5000) }),
      SESSION,
      RECEIVED,
    );
    expect(r.firmware).toHaveLength(64);
    expect(r.detail).toHaveLength(500);
  });

  it('turns null optional fields into undefined', () => {
    const m = {
      ...event(),
      lat: null,
      lon: null,
      buttonId: null,
      firmware: null,
    } as unknown as DeviceEventMessage;
    const r = toDeviceEventRecord(m, SESSION, RECEIVED);
    expect(r.lat).toBeUndefined();
    expect(r.lon).toBeUndefined();
    expect(r.buttonId).toBeUndefined();
    expect(r.firmware).toBeUndefined();
  });
});
