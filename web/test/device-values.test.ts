// The device page's value fields and latest values: the field table against the platform's
// telemetry registry, formatting, which rows a device of each kind shows, and live patches
// from hub frames. Pure modules, no browser.
import type { DeviceLatest } from '@fleet/api/contract';
import { TELEMETRY_FIELDS } from '@fleet/shared';
import type { LiveDevice, LivePosition } from '@fleet/shared/live';
import { describe, expect, it } from 'vitest';
import { CHART_FIELDS } from '../../api/src/history.ts';
import {
  CHART_FIELDS_BY_KIND,
  chartFieldsFor,
  formatNumber,
  PRIMARY_VALUES,
  VALUE_FIELD,
  VALUE_FIELDS,
} from '../src/lib/device/fields.ts';
import {
  applyPosition,
  applySnapshot,
  formatAgo,
  formatValue,
  MISSING,
  valueRows,
} from '../src/lib/device/latest.ts';

function latest(over: Partial<DeviceLatest> = {}): DeviceLatest {
  return {
    deviceId: 'van-1',
    position: null,
    status: 'stopped',
    connection: 'online',
    lastSeenAt: 1_000,
    valuesAt: 1_000,
    values: {},
    ...over,
  };
}

function position(over: Partial<LivePosition> = {}): LivePosition {
  return {
    deviceId: 'van-1',
    ts: 2_000,
    lat: 60.17,
    lon: 24.94,
    speedKmh: 42,
    headingDeg: 90,
    ignition: true,
    status: 'moving',
    ...over,
  };
}

describe('the value fields', () => {
  it('cover every measured field of the registry, with its unit', () => {
    const measured = TELEMETRY_FIELDS.filter((f) => !['seq', 'lat', 'lon'].includes(f.name));
    expect(VALUE_FIELDS.map((f) => f.name).sort()).toEqual(measured.map((f) => f.name).sort());
    for (const f of measured) {
      const shown = VALUE_FIELD[f.name as keyof typeof VALUE_FIELD];
      expect(shown.unit, f.name).toBe(f.unit === 'deg' ? '°' : f.unit);
      const text = f.name === 'dtcCodes' ? 'codes' : 'text';
      const type = f.type === 'boolean' ? 'boolean' : f.type === 'string' ? text : 'number';
      expect(shown.type, f.name).toBe(type);
    }
  });

  it('chart only what the API can chart', () => {
    for (const kind of ['vehicle', 'equipment'] as const) {
      for (const f of CHART_FIELDS_BY_KIND[kind]) expect(CHART_FIELDS).toContain(f);
      expect(CHART_FIELDS_BY_KIND[kind][0]).toBe('speedKmh');
    }
    expect(CHART_FIELDS_BY_KIND.vehicle).toEqual(
      expect.arrayContaining(['fuelLevelPct', 'coolantTempC', 'batteryV']),
    );
    expect(CHART_FIELDS_BY_KIND.equipment).toEqual(['speedKmh', 'batteryV', 'temperatureC']);
    // Unknown kind: every chart of either kind, once.
    const all = chartFieldsFor(undefined);
    expect(new Set(all).size).toBe(all.length);
    expect(all).toEqual(
      expect.arrayContaining([...CHART_FIELDS_BY_KIND.vehicle, ...CHART_FIELDS_BY_KIND.equipment]),
    );
  });

  it('format numbers with their decimals, grouped', () => {
    expect(formatNumber(123456.78, 1)).toBe('123,456.8');
    expect(formatNumber(12.6, 2)).toBe('12.6');
    expect(formatNumber(12.625, 2)).toBe('12.63');
    expect(formatNumber(1850.4, 0)).toBe('1,850');
    expect(formatNumber(0, 1)).toBe('0');
  });
});

describe('formatValue', () => {
  it('formats numbers, flags and codes, and says MISSING for anything else', () => {
    expect(formatValue(VALUE_FIELD.speedKmh, 42.34)).toBe('42.3');
    expect(formatValue(VALUE_FIELD.speedKmh, undefined)).toBe(MISSING);
    expect(formatValue(VALUE_FIELD.speedKmh, true)).toBe(MISSING);
    expect(formatValue(VALUE_FIELD.speedKmh, Number.NaN)).toBe(MISSING);
    expect(formatValue(VALUE_FIELD.ignition, true)).toBe('On');
    expect(formatValue(VALUE_FIELD.ignition, false)).toBe('Off');
    expect(formatValue(VALUE_FIELD.ignition, 1)).toBe(MISSING);
    expect(formatValue(VALUE_FIELD.doorOpen, true)).toBe('Open');
    expect(formatValue(VALUE_FIELD.dtcCodes, ['P0301', 'P0420'])).toBe('P0301, P0420');
    expect(formatValue(VALUE_FIELD.dtcCodes, [])).toBe('None');
    expect(formatValue(VALUE_FIELD.dtcCodes, 'P0301' as unknown as string[])).toBe(MISSING);
    expect(formatValue(VALUE_FIELD.driverCardId, '01:A2:B3')).toBe('01:A2:B3');
    expect(formatValue(VALUE_FIELD.driverCardId, '')).toBe(MISSING);
    expect(formatValue(VALUE_FIELD.driverCardId, ['01A2'])).toBe(MISSING);
  });
});

describe('valueRows', () => {
  it("lists a vehicle's primary values first, absent ones as MISSING, then what else it reports", () => {
    const rows = valueRows({ speedKmh: 42, fuelLevelPct: 63.25, engineRpm: 1850, ignition: true }, 'vehicle');
    expect(rows.map((r) => r.name)).toEqual([...PRIMARY_VALUES.vehicle, 'ignition', 'engineRpm']);
    const byName = Object.fromEntries(rows.map((r) => [r.name, r]));
    expect(byName.speedKmh).toMatchObject({ text: '42', unit: 'km/h', present: true });
    expect(byName.fuelLevelPct).toMatchObject({ text: '63.3', unit: '%', present: true });
    expect(byName.coolantTempC).toMatchObject({ text: MISSING, unit: '', present: false });
    // A vehicle that reports but lists no trouble codes has none.
    expect(byName.dtcCodes).toMatchObject({ text: 'None', present: true });
    expect(byName.engineRpm).toMatchObject({ text: '1,850', unit: 'rpm' });
  });

  it('says nothing about trouble codes of a device that has not reported at all', () => {
    const rows = valueRows({}, 'vehicle');
    expect(rows.every((r) => !r.present)).toBe(true);
    expect(rows.find((r) => r.name === 'dtcCodes')?.text).toBe(MISSING);
  });

  it("shows a tag's battery and sensor, and no vehicle values", () => {
    const rows = valueRows({ speedKmh: 0, batteryV: 3.612, temperatureC: -18.2, tamper: false }, 'equipment');
    expect(rows.map((r) => [r.name, r.text, r.unit])).toEqual([
      ['speedKmh', '0', 'km/h'],
      ['batteryV', '3.61', 'V'],
      ['temperatureC', '-18.2', '°C'],
      ['tamper', 'Closed', ''],
    ]);
  });

  it('lists only reported values when the kind is unknown', () => {
    expect(valueRows({ batteryV: 12.4 }, undefined).map((r) => r.name)).toEqual(['batteryV']);
  });
});

describe('live patches', () => {
  it('applies a newer position: values, status, position, last seen', () => {
    const next = applyPosition(latest({ values: { speedKmh: 0, fuelLevelPct: 50 } }), position(), 5_000);
    expect(next.status).toBe('moving');
    expect(next.position?.ts).toBe(2_000);
    expect(next.values).toEqual({ speedKmh: 42, fuelLevelPct: 50, headingDeg: 90, ignition: true });
    expect(next.valuesAt).toBe(2_000);
    expect(next.lastSeenAt).toBe(5_000);
  });

  it('keeps values the position does not carry, and never writes null', () => {
    const next = applyPosition(
      latest({ values: { speedKmh: 10, ignition: false } }),
      position({ speedKmh: null, ignition: null, headingDeg: null }),
      5_000,
    );
    expect(next.values).toEqual({ speedKmh: 10, ignition: false });
  });

  it('ignores a late fix but notes that the device was heard from', () => {
    const base = latest({ position: position({ ts: 3_000, speedKmh: 50 }), values: { speedKmh: 50 } });
    const next = applyPosition(base, position({ ts: 2_000, speedKmh: 5, status: 'stopped' }), 9_000);
    expect(next.position?.ts).toBe(3_000);
    expect(next.values.speedKmh).toBe(50);
    expect(next.status).toBe(base.status);
    expect(next.lastSeenAt).toBe(9_000);
  });

  it('moves the position but not the values when the values are newer', () => {
    const next = applyPosition(latest({ valuesAt: 4_000, values: { speedKmh: 7 } }), position(), 5_000);
    expect(next.position?.ts).toBe(2_000);
    expect(next.values.speedKmh).toBe(7);
    expect(next.valuesAt).toBe(4_000);
  });

  it('applies a snapshot of the device', () => {
    const d: LiveDevice = {
      deviceId: 'van-1',
      position: position({ ts: 4_000 }),
      status: 'offline',
      connection: 'offline',
      lastSeenAt: 3_500,
    };
    const next = applySnapshot(latest({ position: position({ ts: 3_000 }) }), d);
    expect(next).toMatchObject({ status: 'offline', connection: 'offline', lastSeenAt: 3_500 });
    expect(next.position?.ts).toBe(4_000);
    // An older snapshot position does not replace a newer one.
    expect(applySnapshot(latest({ position: position({ ts: 9_000 }) }), d).position?.ts).toBe(9_000);
  });
});

describe('formatAgo', () => {
  it('says how long ago, in the largest sensible units', () => {
    const now = 1_000_000_000;
    expect(formatAgo(now, now)).toBe('just now');
    expect(formatAgo(now + 5_000, now)).toBe('just now');
    expect(formatAgo(now - 12_400, now)).toBe('12 s ago');
    expect(formatAgo(now - 5 * 60_000 - 1, now)).toBe('5 min ago');
    expect(formatAgo(now - 3 * 3_600_000, now)).toBe('3 h ago');
    expect(formatAgo(now - (3 * 60 + 5) * 60_000, now)).toBe('3 h 5 min ago');
    expect(formatAgo(now - 2 * 86_400_000, now)).toBe('2 d ago');
    expect(formatAgo(now - 52 * 3_600_000, now)).toBe('2 d 4 h ago');
  });
});
