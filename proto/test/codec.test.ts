// The generated codec against its schema, the encoders, and the enum helpers.
import { execFileSync, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  Command,
  CommandKind,
  commandKindFromName,
  commandKindName,
  DeviceEvent,
  DeviceEventKind,
  decodeCommand,
  decodeDeviceEvent,
  decodeTelemetryBatch,
  deviceEventKindFromName,
  deviceEventKindName,
  encodeCommand,
  encodeDeviceEvent,
  encodeTelemetryBatch,
  fleet,
  MESSAGE_FIELDS,
  Telemetry,
  TelemetryBatch,
  type TelemetryInput,
  type TelemetryMessage,
} from '../src/index.ts';
import { f32, PROTO_DIR, REPO_DIR, verifyTelemetry } from './helpers.ts';

const LIMITS = { maxBytes: 64 * 1024, maxRecords: 1000 };

describe('generated codec is in sync with the schema', () => {
  it('node proto/scripts/generate.ts --check passes', () => {
    const result = spawnSync(process.execPath, [join(PROTO_DIR, 'scripts', 'generate.ts'), '--check'], {
      cwd: REPO_DIR,
      encoding: 'utf8',
    });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('up to date');
  }, 60_000);

  it('the generate script refuses unknown arguments', () => {
    const result = spawnSync(process.execPath, [join(PROTO_DIR, 'scripts', 'generate.ts'), '--chek'], {
      encoding: 'utf8',
    });
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('usage');
  });

  // protoc comes from Debian's protobuf-compiler, which .ci/run installs: a missing protoc fails.
  it('the .bin fixtures are what encode-fixtures.sh produces with protoc', () => {
    const out = execFileSync('bash', [join(PROTO_DIR, 'scripts', 'encode-fixtures.sh'), '--check'], {
      encoding: 'utf8',
    });
    expect(out).toContain('up to date');
  }, 60_000);

  it('index.ts maps exactly the fields of the generated classes', () => {
    const fieldsOf = (cls: { prototype: object }) =>
      Object.getOwnPropertyNames(cls.prototype).filter((n) => n !== 'constructor' && !n.startsWith('_'));
    expect(fieldsOf(fleet.v1.Telemetry)).toEqual([...MESSAGE_FIELDS.Telemetry]);
    expect(fieldsOf(fleet.v1.DeviceEvent)).toEqual([...MESSAGE_FIELDS.DeviceEvent]);
    expect(fieldsOf(fleet.v1.Command)).toEqual([...MESSAGE_FIELDS.Command]);
  });

  it('re-exports the generated classes', () => {
    expect(Telemetry).toBe(fleet.v1.Telemetry);
    expect(TelemetryBatch).toBe(fleet.v1.TelemetryBatch);
    expect(DeviceEvent).toBe(fleet.v1.DeviceEvent);
    expect(Command).toBe(fleet.v1.Command);
  });
});

describe('encoders', () => {
  it('round-trips a record with every field set', () => {
    const record: TelemetryMessage = {
      seq: Number.MAX_SAFE_INTEGER,
      tsMs: -1,
      lat: -89.999999,
      lon: 179.999999,
      speedKmh: f32(250.5),
      headingDeg: f32(359.75),
      altitudeM: f32(-12.5),
      hdop: f32(25.5),
      satellites: 0xffffffff,
      ignition: false,
      odometerKm: 1e9 + 0.5,
      engineHours: 0.125,
      fuelLevelPct: f32(100),
      fuelLevelL: f32(0.5),
      batteryV: f32(3.25),
      externalV: f32(24.5),
      engineRpm: 8000,
      coolantTempC: f32(-40),
      engineLoadPct: f32(99.5),
      dtcCodes: ['P0001', 'U3FFF', 'Ünïcödé ✓'],
      temperatureC: f32(85.25),
      doorOpen: true,
      ptoActive: false,
      tamper: true,
      driverCardId: '01A2B3C4D5E6F7',
    };
    const decoded = decodeTelemetryBatch(encodeTelemetryBatch([record, record]), LIMITS);
    expect(decoded.ok).toBe(true);
    if (!decoded.ok) return;
    expect(decoded.value).toHaveLength(2);
    for (const got of decoded.value) verifyTelemetry(got, record);
  });

  it('carries a driver card as field 25, and a record without one is the old bytes', () => {
    const without = encodeTelemetryBatch([{ seq: 1, tsMs: 2 }]);
    const withCard = encodeTelemetryBatch([{ seq: 1, tsMs: 2, driverCardId: 'B0B' }]);
    // Field 25, wire type 2: the tag is the varint 202 (0xca 0x01), then length 3 and "B0B".
    expect([...withCard.subarray(without.length)]).toEqual([0xca, 0x01, 0x03, 0x42, 0x30, 0x42]);
    expect(withCard[1]).toBe((without[1] ?? 0) + 6);
    expect([...withCard.subarray(2, without.length)]).toEqual([...without.subarray(2)]);
    const decoded = decodeTelemetryBatch(withCard, LIMITS);
    expect(decoded.ok && decoded.value[0]?.driverCardId).toBe('B0B');
    expect(() => encodeTelemetryBatch([{ seq: 1, tsMs: 2, driverCardId: 7 as unknown as string }])).toThrow(
      TypeError,
    );
  });

  it('fills implicit defaults and leaves absent optionals absent', () => {
    const decoded = decodeTelemetryBatch(encodeTelemetryBatch([{ seq: 1, tsMs: 2 }]), LIMITS);
    expect(decoded).toEqual({
      ok: true,
      value: [{ seq: 1, tsMs: 2, lat: 0, lon: 0, speedKmh: 0, headingDeg: 0, dtcCodes: [] }],
    });
  });

  it('round-trips events and commands', () => {
    const event = {
      seq: 12,
      tsMs: 1732200000000,
      kind: DeviceEventKind.BUTTON,
      buttonId: 2,
      lat: 0,
      detail: 'panic button',
    };
    expect(decodeDeviceEvent(encodeDeviceEvent(event), LIMITS)).toEqual({ ok: true, value: event });
    const cmd = {
      id: 'c1',
      tsMs: 5,
      kind: CommandKind.REJECT_NOTICE,
      rejectSeq: [1, 2 ** 40, 3],
      rejectReason: '',
    };
    expect(decodeCommand(encodeCommand(cmd), LIMITS)).toEqual({ ok: true, value: cmd });
  });

  it('returns exact standalone Uint8Arrays', () => {
    const bytes = encodeTelemetryBatch([{ seq: 1, tsMs: 1 }]);
    expect(Object.getPrototypeOf(bytes)).toBe(Uint8Array.prototype);
    expect(bytes.byteOffset).toBe(0);
    expect(bytes.buffer.byteLength).toBe(bytes.byteLength);
    expect(encodeTelemetryBatch([])).toEqual(new Uint8Array(0));
  });

  it('encodes only known fields', () => {
    const sneaky = { seq: 1, tsMs: 1, $unknowns: [new Uint8Array([0x08, 0x63])], extra: 'x' };
    expect(encodeTelemetryBatch([sneaky as TelemetryInput])).toEqual(
      encodeTelemetryBatch([{ seq: 1, tsMs: 1 }]),
    );
  });

  it.each([
    ['a negative seq', { seq: -1, tsMs: 0 }, RangeError],
    ['a fractional seq', { seq: 1.5, tsMs: 0 }, RangeError],
    ['an unsafe seq', { seq: 2 ** 53, tsMs: 0 }, RangeError],
    ['a NaN tsMs', { seq: 1, tsMs: Number.NaN }, RangeError],
    ['satellites above uint32', { seq: 1, tsMs: 0, satellites: 2 ** 32 }, RangeError],
    ['a string speed', { seq: 1, tsMs: 0, speedKmh: '5' }, TypeError],
    ['a non-array dtcCodes', { seq: 1, tsMs: 0, dtcCodes: 'P0301' }, TypeError],
    ['a non-string dtc code', { seq: 1, tsMs: 0, dtcCodes: [301] }, TypeError],
    ['a non-object record', 42, TypeError],
  ])('encodeTelemetryBatch throws on %s', (_name, record, error) => {
    expect(() => encodeTelemetryBatch([record as unknown as TelemetryInput])).toThrow(error);
  });

  it('encodeDeviceEvent and encodeCommand validate too', () => {
    expect(() => encodeDeviceEvent({ seq: 1, tsMs: 1, kind: 1.5 })).toThrow(TypeError);
    expect(() => encodeDeviceEvent({ seq: 1, tsMs: 1, kind: 1, buttonId: -1 })).toThrow(RangeError);
    expect(() => encodeCommand({ id: 'x', tsMs: 1, kind: 1, rejectSeq: [1, -2] })).toThrow(RangeError);
    expect(() => encodeCommand({ id: 7 as unknown as string, tsMs: 1, kind: 1 })).toThrow(TypeError);
    expect(() => encodeTelemetryBatch('nope' as unknown as TelemetryInput[])).toThrow(TypeError);
  });
});

describe('enum helpers', () => {
  it('names DeviceEvent kinds', () => {
    expect(deviceEventKindName(5)).toBe('HARSH_BRAKING');
    expect(deviceEventKindName(0)).toBe('KIND_UNSPECIFIED');
    expect(deviceEventKindName(9)).toBe('BUTTON');
    expect(DeviceEventKind.HARSH_BRAKING).toBe(5);
    for (const unknown of [10, 42, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(deviceEventKindName(unknown)).toBe('UNKNOWN');
    }
  });

  it('maps DeviceEvent names back to values', () => {
    for (let kind = 0; kind <= 9; kind++) {
      expect(deviceEventKindFromName(deviceEventKindName(kind))).toBe(kind);
    }
    for (const name of ['UNKNOWN', 'harsh_braking', '', 'toString', '__proto__', 'constructor', '5']) {
      expect(deviceEventKindFromName(name)).toBeUndefined();
    }
  });

  it('names Command kinds and maps them back', () => {
    expect(commandKindName(4)).toBe('REJECT_NOTICE');
    expect(commandKindName(2)).toBe('SET_REPORT_INTERVAL');
    expect(commandKindName(99)).toBe('UNKNOWN');
    expect(commandKindFromName('REBOOT')).toBe(1);
    expect(commandKindFromName('hasOwnProperty')).toBeUndefined();
    expect(CommandKind.REJECT_NOTICE).toBe(4);
  });
});
