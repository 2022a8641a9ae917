import type { TelemetryRecord } from '@fleet/shared';
import { NO_MEASUREMENTS } from '@fleet/shared';
import { describe, expect, it } from 'vitest';
import {
  checkDeviceTime,
  REJECT_REASONS,
  type RejectReason,
  type ValidationPolicy,
  validateTelemetry,
} from '../src/validate.ts';

const NOW = Date.UTC(2025, 5, 15, 12, 0, 0);
const DAY = 86_400_000;
const POLICY: ValidationPolicy = { maxFutureSkewMs: 300_000, maxAgeMs: 30 * DAY };

function record(patch: Partial<TelemetryRecord> = {}): TelemetryRecord {
  return {
    ...NO_MEASUREMENTS,
    tenant: 't1',
    deviceId: 'd1',
    seq: 1,
    ts: NOW - 1000,
    receivedAt: NOW,
    lat: 60.17,
    lon: 24.94,
    speedKmh: 30,
    headingDeg: 90,
    ...patch,
  };
}

const codes = (n: number) => Array.from({ length: n }, (_, i) => `P${String(i).padStart(4, '0')}`);

const REJECT_CASES: [string, Partial<TelemetryRecord>, RejectReason][] = [
  ['seq 0', { seq: 0 }, 'seq_missing'],
  ['negative seq', { seq: -1 }, 'seq_missing'],
  ['NaN seq', { seq: Number.NaN }, 'seq_missing'],
  ['ts 0', { ts: 0 }, 'ts_missing'],
  ['negative ts', { ts: -5 }, 'ts_missing'],
  ['NaN ts', { ts: Number.NaN }, 'ts_missing'],
  ['ts in 1970', { ts: 86_400_000 }, 'ts_too_old'],
  ['ts just past the max age', { ts: NOW - 30 * DAY - 1 }, 'ts_too_old'],
  ['ts next year', { ts: NOW + 365 * DAY }, 'ts_in_future'],
  ['ts far in the future', { ts: 32_503_680_000_000 }, 'ts_in_future'],
  ['ts one ms beyond the skew', { ts: NOW + 300_001 }, 'ts_in_future'],
  ['ts beyond the range of Date (an int64 from the wire)', { ts: 2 ** 62 }, 'ts_in_future'],
  ['ts one ms past the largest Date', { ts: 8.64e15 + 1 }, 'ts_in_future'],
  ['lat 91', { lat: 91 }, 'out_of_range'],
  ['lat -91', { lat: -91 }, 'out_of_range'],
  ['lon 181', { lon: 181 }, 'out_of_range'],
  ['lon -180.5', { lon: -180.5 }, 'out_of_range'],
  ['speed 401', { speedKmh: 401 }, 'out_of_range'],
  ['negative speed', { speedKmh: -1 }, 'out_of_range'],
  ['heading 361', { headingDeg: 361 }, 'out_of_range'],
  ['negative heading', { headingDeg: -0.5 }, 'out_of_range'],
  ['fuel 101 %', { fuelLevelPct: 101 }, 'out_of_range'],
  ['satellites 129', { satellites: 129 }, 'out_of_range'],
  ['rpm 20001', { engineRpm: 20_001 }, 'out_of_range'],
  ['coolant -61 °C', { coolantTempC: -61 }, 'out_of_range'],
  ['NaN lat', { lat: Number.NaN }, 'not_finite'],
  ['Infinity speed', { speedKmh: Number.POSITIVE_INFINITY }, 'not_finite'],
  ['-Infinity altitude', { altitudeM: Number.NEGATIVE_INFINITY }, 'not_finite'],
  ['NaN battery', { batteryV: Number.NaN }, 'not_finite'],
  ['Infinity seq', { seq: Number.POSITIVE_INFINITY }, 'not_finite'],
  ['lat without lon', { lon: undefined }, 'half_position'],
  ['lon without lat', { lat: undefined }, 'half_position'],
  ['DTC lower case', { dtcCodes: ['p0301'] }, 'dtc_invalid'],
  ['DTC wrong letter', { dtcCodes: ['X0301'] }, 'dtc_invalid'],
  ['DTC too short', { dtcCodes: ['P030'] }, 'dtc_invalid'],
  ['DTC too long', { dtcCodes: ['P03011'] }, 'dtc_invalid'],
  ['DTC empty string', { dtcCodes: [''] }, 'dtc_invalid'],
  ['one bad DTC among good ones', { dtcCodes: ['P0301', 'C1234', 'P0301 '] }, 'dtc_invalid'],
  ['more than 32 DTCs', { dtcCodes: codes(33) }, 'dtc_invalid'],
  ['an empty driver card', { driverCardId: '' }, 'driver_card_invalid'],
  ['a driver card of 65 characters', { driverCardId: 'A'.repeat(65) }, 'driver_card_invalid'],
  ['a NUL in a driver card', { driverCardId: '01A2\u0000B3' }, 'driver_card_invalid'],
  ['an escape sequence in a driver card', { driverCardId: '\u001b[31m01A2' }, 'driver_card_invalid'],
  ['a tab inside a driver card', { driverCardId: '01A2\tB3' }, 'driver_card_invalid'],
  ['DEL in a driver card', { driverCardId: '01A2\u007f' }, 'driver_card_invalid'],
  ['a C1 control in a driver card', { driverCardId: '01A2\u0085' }, 'driver_card_invalid'],
  ['a zero-width space in a driver card', { driverCardId: '01A2\u200bB3' }, 'driver_card_invalid'],
  ['a bidi override in a driver card', { driverCardId: '\u202e01A2' }, 'driver_card_invalid'],
];

describe('validateTelemetry rejects', () => {
  it.each(REJECT_CASES.map(([label, patch, reason]) => [`${label} -> ${reason}`, patch, reason] as const))(
    '%s',
    (_title, patch, reason) => {
      const verdict = validateTelemetry(record(patch), NOW, POLICY);
      expect(verdict).toMatchObject({ ok: false, reason });
      if (!verdict.ok) {
        expect(verdict.detail.length).toBeGreaterThan(0);
        expect(REJECT_REASONS).toContain(verdict.reason);
      }
    },
  );

  it('names the field and value in an out-of-range detail', () => {
    const v = validateTelemetry(record({ speedKmh: 401 }), NOW, POLICY);
    expect(v.ok).toBe(false);
    if (!v.ok) {
      expect(v.detail).toContain('speedKmh=401');
      expect(v.detail).toContain('km/h');
    }
  });

  it('cuts a long bad DTC in its detail', () => {
    const v = validateTelemetry(record({ dtcCodes: ['Z'.repeat(10_000)] }), NOW, POLICY);
    expect(v.ok).toBe(false);
    if (!v.ok) expect(v.detail.length).toBeLessThan(64);
  });

  it('quotes a bad driver card in its detail, cut and with its control characters escaped', () => {
    const v = validateTelemetry(record({ driverCardId: `\u0000${'X'.repeat(1000)}` }), NOW, POLICY);
    expect(v).toMatchObject({ ok: false, reason: 'driver_card_invalid' });
    if (!v.ok) {
      expect(v.detail).toContain('"\\u0000XXX');
      expect(v.detail).toContain('1001 characters');
      expect(v.detail.length).toBeLessThan(100);
    }
  });

  it('checks seq before time, and time before values', () => {
    expect(validateTelemetry(record({ seq: 0, ts: 0, lat: 999 }), NOW, POLICY)).toMatchObject({
      reason: 'seq_missing',
    });
    expect(validateTelemetry(record({ ts: 0, lat: 999 }), NOW, POLICY)).toMatchObject({
      reason: 'ts_missing',
    });
  });
});

describe('validateTelemetry accepts', () => {
  it.each<[string, Partial<TelemetryRecord>]>([
    ['a plain record', {}],
    [
      'a record with no position',
      { lat: undefined, lon: undefined, speedKmh: undefined, headingDeg: undefined },
    ],
    ['a record with no position but other values', { lat: undefined, lon: undefined, batteryV: 12.6 }],
    ['ts exactly at the future skew', { ts: NOW + 300_000 }],
    ['ts within the skew', { ts: NOW + 299_000 }],
    ['ts exactly at the max age', { ts: NOW - 30 * DAY }],
    ['a replayed record a week old', { ts: NOW - 7 * DAY }],
    [
      'the range limits themselves',
      { lat: -90, lon: 180, speedKmh: 400, headingDeg: 360, fuelLevelPct: 100 },
    ],
    ['zero values', { speedKmh: 0, headingDeg: 0, fuelLevelPct: 0, engineRpm: 0, satellites: 0 }],
    ['negative where allowed', { altitudeM: -400, coolantTempC: -40, temperatureC: -99 }],
    ['booleans', { ignition: false, doorOpen: true, ptoActive: false, tamper: true }],
    ['valid DTCs of every system', { dtcCodes: ['P0301', 'C1234', 'B0ABC', 'U0100'] }],
    ['exactly 32 DTCs', { dtcCodes: codes(32) }],
    ['an empty DTC list', { dtcCodes: [] }],
    ['a large seq', { seq: Number.MAX_SAFE_INTEGER }],
    ['a driver card', { driverCardId: '01A2B3C4D5E6F7' }],
    ['a driver card as a label writes it', { driverCardId: '01:a2:b3 c4-d5.e6' }],
    ['a one-character driver card', { driverCardId: '7' }],
    ['a driver card of exactly 64 characters', { driverCardId: 'A'.repeat(64) }],
    ['64 characters outside the BMP', { driverCardId: '🚚'.repeat(64) }],
  ])('%s', (_label, patch) => {
    expect(validateTelemetry(record(patch), NOW, POLICY)).toEqual({ ok: true });
  });

  it('a zero skew policy accepts now and refuses one ms later', () => {
    const strict = { maxFutureSkewMs: 0, maxAgeMs: DAY };
    expect(validateTelemetry(record({ ts: NOW }), NOW, strict).ok).toBe(true);
    expect(validateTelemetry(record({ ts: NOW + 1 }), NOW, strict)).toMatchObject({ reason: 'ts_in_future' });
  });
});

describe('checkDeviceTime', () => {
  it('is the rule events share', () => {
    expect(checkDeviceTime(NOW, NOW, POLICY)).toEqual({ ok: true });
    expect(checkDeviceTime(0, NOW, POLICY)).toMatchObject({ ok: false, reason: 'ts_missing' });
    expect(checkDeviceTime(Number.POSITIVE_INFINITY, NOW, POLICY)).toMatchObject({
      ok: false,
      reason: 'ts_missing',
    });
    expect(checkDeviceTime(NOW + DAY, NOW, POLICY)).toMatchObject({ ok: false, reason: 'ts_in_future' });
    expect(checkDeviceTime(NOW - 31 * DAY, NOW, POLICY)).toMatchObject({ ok: false, reason: 'ts_too_old' });
  });

  it('never throws, even for a time a Date cannot hold', () => {
    for (const ts of [8.64e15 + 1, 1e16, 2 ** 62, Number.MAX_VALUE]) {
      let verdict: ReturnType<typeof checkDeviceTime> | undefined;
      expect(() => {
        verdict = checkDeviceTime(ts, NOW, POLICY);
      }, String(ts)).not.toThrow();
      expect(verdict).toMatchObject({ ok: false, reason: 'ts_in_future' });
    }
  });

  it('gives an ISO time in the detail', () => {
    const v = checkDeviceTime(NOW + DAY, NOW, POLICY);
    expect(v.ok).toBe(false);
    if (!v.ok) expect(v.detail).toContain(new Date(NOW + DAY).toISOString());
  });
});
