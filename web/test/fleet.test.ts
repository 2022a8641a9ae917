import type { FleetDevice } from '@fleet/api/contract';
import type { LivePosition } from '@fleet/shared/live';
import { describe, expect, it } from 'vitest';
import { applyFrame, countByStatus, fleetFromLatest, parseKind } from '../src/lib/fleet/fleet.ts';
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
    ...over,
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
