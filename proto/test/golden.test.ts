// Golden fixtures: binaries encoded by protoc (the reference implementation) from the .txtpb files
// in proto/fixtures, decoded by our codec field by field, and re-encoded byte for byte.
import { describe, expect, it } from 'vitest';
import {
  type CommandMessage,
  type DecodeResult,
  type DeviceEventMessage,
  decodeCommand,
  decodeDeviceEvent,
  decodeTelemetryBatch,
  encodeCommand,
  encodeDeviceEvent,
  encodeTelemetryBatch,
  type TelemetryMessage,
} from '../src/index.ts';
import { f32, fixture, verifyCommand, verifyDeviceEvent, verifyTelemetry } from './helpers.ts';

const LIMITS = { maxBytes: 64 * 1024, maxRecords: 1000 };

function value<T>(result: DecodeResult<T>): T {
  if (!result.ok) throw new Error(`expected ok, got ${result.reason}: ${result.detail}`);
  return result.value;
}

const TRACKER_FULL: TelemetryMessage[] = [
  {
    seq: 1001,
    tsMs: 1732200000000,
    lat: 52.520008,
    lon: 13.404954,
    speedKmh: f32(48.5),
    headingDeg: f32(271.25),
    altitudeM: f32(34.5),
    hdop: f32(0.9),
    satellites: 11,
    ignition: true,
    odometerKm: 123456.7,
    engineHours: 2345.25,
    fuelLevelPct: f32(62.5),
    fuelLevelL: f32(37.5),
    batteryV: f32(4.1),
    externalV: f32(13.8),
    engineRpm: 2150,
    coolantTempC: f32(88),
    engineLoadPct: f32(41.5),
    dtcCodes: ['P0301', 'P0420'],
    temperatureC: f32(21.5),
    doorOpen: false,
    ptoActive: false,
    tamper: false,
    driverCardId: '01:A2:B3:C4:D5:E6',
  },
  {
    seq: 1002,
    tsMs: 1732200001000,
    lat: -33.86882,
    lon: 151.209296,
    speedKmh: f32(0.5),
    headingDeg: f32(0.25),
    altitudeM: 0,
    hdop: 0,
    satellites: 0,
    ignition: false,
    odometerKm: 0,
    engineHours: 0,
    fuelLevelPct: 0,
    fuelLevelL: 0,
    batteryV: 0,
    externalV: 0,
    engineRpm: 0,
    coolantTempC: f32(-40),
    engineLoadPct: 0,
    dtcCodes: [],
    temperatureC: f32(-18.75),
    doorOpen: true,
    ptoActive: true,
    tamper: true,
    driverCardId: '',
  },
  {
    seq: 4294967297,
    tsMs: 1732200002000,
    lat: 40.7128,
    lon: -74.006,
    speedKmh: f32(112.3),
    headingDeg: f32(359.9),
    ignition: true,
    dtcCodes: [],
  },
];

const OBD_MINIMAL: TelemetryMessage[] = [
  {
    seq: 7,
    tsMs: 1700000000123,
    lat: 48.137154,
    lon: 11.576124,
    speedKmh: 30,
    headingDeg: 90,
    dtcCodes: [],
  },
];

const EQUIPMENT_TAG: TelemetryMessage[] = [
  {
    seq: 310,
    tsMs: 1732190000000,
    lat: 0,
    lon: 0,
    speedKmh: 0,
    headingDeg: 0,
    batteryV: f32(3.55),
    dtcCodes: [],
    temperatureC: f32(-21.5),
    doorOpen: false,
    tamper: false,
  },
  {
    seq: 311,
    tsMs: 1732190060000,
    lat: 51.9225,
    lon: 4.47917,
    speedKmh: 0,
    headingDeg: 0,
    batteryV: f32(3.5),
    dtcCodes: [],
    temperatureC: f32(-4.25),
    doorOpen: true,
    tamper: true,
  },
];

const EVENT_HARSH_BRAKING: DeviceEventMessage = {
  seq: 1003,
  tsMs: 1732200001500,
  kind: 5,
  lat: 52.5201,
  lon: 13.4051,
  speedKmh: f32(62.5),
  peakG: f32(0.62),
  detail: 'decel 6.1 m/s2 over 800 ms',
};

const EVENT_BOOT: DeviceEventMessage = {
  seq: 1,
  tsMs: 1732100000000,
  kind: 1,
  firmware: 'tracker-fw 2.4.1',
  detail: 'cold start, reset reason: power-on',
};

const COMMAND_REJECT: CommandMessage = {
  id: 'cmd-01JD3Z8Q5V6W7X8Y9Z0A1B2C3D',
  tsMs: 1732200005000,
  kind: 4,
  rejectReason: 'timestamp_out_of_range',
  rejectSeq: [1001, 1002, 4294967297],
};

const COMMAND_REPORT_INTERVAL: CommandMessage = {
  id: 'cmd-2',
  tsMs: 1732200006000,
  kind: 2,
  reportIntervalS: 30,
  rejectSeq: [],
};

const BATCHES: [string, TelemetryMessage[]][] = [
  ['tracker-full.bin', TRACKER_FULL],
  ['obd-minimal.bin', OBD_MINIMAL],
  ['equipment-tag.bin', EQUIPMENT_TAG],
];
const EVENTS: [string, DeviceEventMessage][] = [
  ['event-harsh-braking.bin', EVENT_HARSH_BRAKING],
  ['event-boot.bin', EVENT_BOOT],
];
const COMMANDS: [string, CommandMessage][] = [
  ['command-reject.bin', COMMAND_REJECT],
  ['command-report-interval.bin', COMMAND_REPORT_INTERVAL],
];

describe('golden TelemetryBatch fixtures', () => {
  it.each(BATCHES)('%s decodes to exactly the expected records', (name, expected) => {
    const records = value(decodeTelemetryBatch(fixture(name), LIMITS));
    expect(records).toHaveLength(expected.length);
    expected.forEach((want, i) => {
      verifyTelemetry(records[i], want);
    });
  });

  it.each(BATCHES)('%s re-encodes to the same bytes as protoc', (name) => {
    const bytes = fixture(name);
    expect(encodeTelemetryBatch(value(decodeTelemetryBatch(bytes, LIMITS)))).toEqual(bytes);
  });

  it('decodes the same from a Node Buffer as from a plain Uint8Array', () => {
    const bytes = fixture('tracker-full.bin');
    expect(value(decodeTelemetryBatch(Buffer.from(bytes), LIMITS))).toEqual(
      value(decodeTelemetryBatch(bytes, LIMITS)),
    );
  });

  it('keeps present-but-zero optional fields and omits absent ones', () => {
    const [full, zeros, sparse] = value(decodeTelemetryBatch(fixture('tracker-full.bin'), LIMITS));
    expect(Object.hasOwn(full ?? {}, 'satellites')).toBe(true);
    expect(zeros?.satellites).toBe(0);
    expect(zeros?.ignition).toBe(false);
    expect(Object.hasOwn(sparse ?? {}, 'satellites')).toBe(false);
    expect(Object.hasOwn(sparse ?? {}, 'altitudeM')).toBe(false);
    // A present empty card id is kept apart from no card at all (the ingest refuses the former).
    expect(zeros?.driverCardId).toBe('');
    expect(Object.hasOwn(sparse ?? {}, 'driverCardId')).toBe(false);
  });

  it('payloads from before driver_card_id (field 25) decode as before, without it', () => {
    for (const name of ['obd-minimal.bin', 'equipment-tag.bin']) {
      for (const record of value(decodeTelemetryBatch(fixture(name), LIMITS)))
        expect(Object.hasOwn(record, 'driverCardId'), name).toBe(false);
    }
  });

  it('decodes 64-bit fields to numbers, not Long objects', () => {
    const [, , record] = value(decodeTelemetryBatch(fixture('tracker-full.bin'), LIMITS));
    expect(typeof record?.seq).toBe('number');
    expect(record?.seq).toBe(2 ** 32 + 1);
    expect(typeof record?.tsMs).toBe('number');
  });
});

describe('golden DeviceEvent fixtures', () => {
  it.each(EVENTS)('%s decodes to exactly the expected event', (name, expected) => {
    verifyDeviceEvent(value(decodeDeviceEvent(fixture(name), LIMITS)), expected);
  });

  it.each(EVENTS)('%s re-encodes to the same bytes as protoc', (name) => {
    const bytes = fixture(name);
    expect(encodeDeviceEvent(value(decodeDeviceEvent(bytes, LIMITS)))).toEqual(bytes);
  });
});

describe('golden Command fixtures', () => {
  it.each(COMMANDS)('%s decodes to exactly the expected command', (name, expected) => {
    verifyCommand(value(decodeCommand(fixture(name), LIMITS)), expected);
  });

  it.each(COMMANDS)('%s re-encodes to the same bytes as protoc', (name) => {
    const bytes = fixture(name);
    expect(encodeCommand(value(decodeCommand(bytes, LIMITS)))).toEqual(bytes);
  });
});
