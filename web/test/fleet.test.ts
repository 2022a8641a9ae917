import type { LivePosition } from '@fleet/shared/live';
import { describe, expect, it } from 'vitest';
import {
  type AssetRef,
  applyFrame,
  countByStatus,
  devicesIn,
  type FleetDevice,
  fleetFromLatest,
  inDepartments,
  parseKind,
  reloadedFleet,
} from '../src/lib/fleet/fleet.ts';
import { formatClock, formatDateTime } from '../src/lib/time.ts';

function device(id: string, over: Partial<FleetDevice> = {}): FleetDevice {
  return {
    deviceId: id,
    name: id,
    kind: 'vehicle',
    disabled: false,
    position: null,
    status: 'offline',
    connection: 'unknown',
    lastSeenAt: null,
    asset: null,
    ...over,
  };
}

const SALES = '00000000-0000-4000-8000-000000000001';
const OFFICE = '00000000-0000-4000-8000-000000000002';
function asset(name: string, departmentId: string | null, plate: string | null = null): AssetRef {
  return {
    id: `10000000-0000-4000-8000-${name.padStart(12, '0')}`,
    kind: 'vehicle',
    name,
    plate,
    departmentId,
  };
}

function position(deviceId: string, ts: number, over: Partial<LivePosition> = {}): LivePosition {
  return {
    deviceId,
    ts,
    lat: 60.17,
    lon: 24.94,
    speedKmh: 20,
    headingDeg: 0,
    ignition: true,
    status: 'moving',
    ...over,
  };
}

describe('countByStatus', () => {
  const devices = [
    device('a', { status: 'moving' }),
    device('b', { status: 'moving' }),
    device('c', { status: 'idle' }),
    device('d', { status: 'stopped', kind: 'equipment' }),
    device('e', { status: 'offline', kind: 'equipment' }),
    device('f', { status: 'moving', disabled: true }),
  ];

  it('counts each status, disabled devices apart', () => {
    expect(countByStatus(devices)).toEqual({
      total: 6,
      disabled: 1,
      moving: 2,
      idle: 1,
      stopped: 1,
      offline: 1,
    });
  });

  it('counts one kind', () => {
    expect(countByStatus(devices, 'equipment')).toEqual({
      total: 2,
      disabled: 0,
      moving: 0,
      idle: 0,
      stopped: 1,
      offline: 1,
    });
    expect(countByStatus([])).toEqual({ total: 0, disabled: 0, moving: 0, idle: 0, stopped: 0, offline: 0 });
  });

  it('counts the devices on assets of some departments, of one kind or all', () => {
    const placed = [
      device('a', { status: 'moving', asset: asset('1', SALES) }),
      device('b', { status: 'idle', asset: asset('2', SALES), kind: 'equipment' }),
      device('c', { status: 'moving', asset: asset('3', OFFICE) }),
      device('d', { status: 'moving', asset: asset('4', null) }),
      device('e', { status: 'moving' }),
    ];
    expect(countByStatus(placed, undefined, new Set([SALES]))).toMatchObject({
      total: 2,
      moving: 1,
      idle: 1,
    });
    expect(countByStatus(placed, 'vehicle', new Set([SALES, OFFICE]))).toMatchObject({ total: 2, moving: 2 });
    expect(countByStatus(placed, undefined, undefined)).toMatchObject({ total: 5, moving: 4 });
  });
});

describe('departments', () => {
  it('keep the devices on assets of theirs; a device on no asset, or an asset of none, is in none', () => {
    const onSales = device('a', { asset: asset('1', SALES) });
    const loose = device('b');
    const homeless = device('c', { asset: asset('2', null) });
    expect(inDepartments(onSales, new Set([SALES]))).toBe(true);
    expect(inDepartments(onSales, new Set([OFFICE]))).toBe(false);
    expect(inDepartments(loose, new Set([SALES]))).toBe(false);
    expect(inDepartments(homeless, new Set([SALES]))).toBe(false);
    for (const d of [onSales, loose, homeless]) expect(inDepartments(d, undefined)).toBe(true);
    expect([...devicesIn([onSales, loose, homeless], new Set([SALES]))]).toEqual([onSales]);
    expect([...devicesIn([onSales, loose], undefined)]).toEqual([onSales, loose]);
  });
});

describe('loading /fleet/latest', () => {
  it('holds every device with its asset, null when on none', () => {
    const fleet = fleetFromLatest({
      at: 0,
      devices: [device('a', { asset: asset('1', SALES, 'ABC-123') }), device('b')],
    });
    expect(fleet.get('a')?.asset).toMatchObject({ name: '1', plate: 'ABC-123', departmentId: SALES });
    expect(fleet.get('b')?.asset).toBeNull();
  });

  it('takes names and assets from a reload, but never a position older than one held', () => {
    const fleet = fleetFromLatest({
      at: 0,
      devices: [
        device('a', { position: position('a', 100), status: 'moving', lastSeenAt: 100 }),
        device('b', { position: position('b', 100), status: 'moving', lastSeenAt: 100 }),
        device('gone'),
      ],
    });
    // A live frame after the reload was asked for, before it answered.
    applyFrame(fleet, { type: 'positions', at: 300, positions: [position('a', 300, { status: 'idle' })] });
    const next = reloadedFleet(fleet, {
      at: 200,
      devices: [
        device('a', { name: 'A', position: position('a', 200), status: 'moving', lastSeenAt: 200 }),
        device('b', {
          position: position('b', 200, { status: 'stopped' }),
          status: 'stopped',
          lastSeenAt: 200,
          asset: asset('9', OFFICE),
        }),
        device('new'),
      ],
    });
    expect(next.get('a')).toMatchObject({
      name: 'A',
      position: { ts: 300 },
      status: 'idle',
      lastSeenAt: 300,
    });
    expect(next.get('b')).toMatchObject({ position: { ts: 200 }, status: 'stopped', asset: { name: '9' } });
    expect([...next.keys()]).toEqual(['a', 'b', 'new']);
  });
});

describe('applyFrame', () => {
  it('moves devices on positions and ignores unknown devices', () => {
    const fleet = fleetFromLatest({ at: 0, devices: [device('a'), device('b')] });
    const changed = applyFrame(fleet, {
      type: 'positions',
      at: 100,
      positions: [position('a', 50), position('zz', 50)],
    });
    expect(changed).toBe(true);
    expect(fleet.get('a')).toMatchObject({ status: 'moving', lastSeenAt: 100, position: { ts: 50 } });
    expect(fleet.has('zz')).toBe(false);
    expect(countByStatus(fleet.values())).toMatchObject({ moving: 1, offline: 1 });
  });

  it('never moves a device back to an older record (a replayed buffer)', () => {
    const fleet = fleetFromLatest({
      at: 0,
      devices: [device('a', { position: position('a', 500), status: 'moving' })],
    });
    expect(
      applyFrame(fleet, {
        type: 'positions',
        at: 600,
        positions: [position('a', 400, { status: 'stopped' })],
      }),
    ).toBe(false);
    expect(fleet.get('a')?.status).toBe('moving');
  });

  it('takes a snapshot as the truth and follows connection changes', () => {
    const fleet = fleetFromLatest({
      at: 0,
      devices: [device('a', { status: 'moving', connection: 'online' })],
    });
    applyFrame(fleet, {
      type: 'snapshot',
      topic: 'positions',
      at: 9,
      devices: [{ deviceId: 'a', position: null, status: 'offline', connection: 'offline', lastSeenAt: 3 }],
    });
    expect(fleet.get('a')).toMatchObject({ status: 'offline', connection: 'offline', lastSeenAt: 3 });
    expect(
      applyFrame(fleet, { type: 'status', deviceId: 'a', connection: 'online', at: 10, reason: null }),
    ).toBe(true);
    expect(fleet.get('a')?.connection).toBe('online');
    expect(
      applyFrame(fleet, { type: 'status', deviceId: 'a', connection: 'online', at: 11, reason: null }),
    ).toBe(false);
    expect(applyFrame(fleet, { type: 'pong', at: 12 })).toBe(false);
  });
});

describe('parseKind', () => {
  it('takes the two kinds and nothing else', () => {
    expect(parseKind('vehicle')).toBe('vehicle');
    expect(parseKind('equipment')).toBe('equipment');
    expect(parseKind('Vehicle')).toBeUndefined();
    expect(parseKind(null)).toBeUndefined();
  });
});

describe('times', () => {
  it('formats in the given time zone', () => {
    const t = Date.parse('2026-11-21T22:05:09Z');
    expect(formatClock(t, 'UTC')).toBe('22:05:09');
    expect(formatClock(t, 'Europe/Helsinki')).toBe('00:05:09');
    expect(formatDateTime(t, 'Europe/Helsinki')).toBe('22 Nov 2026, 00:05:09');
  });
});
