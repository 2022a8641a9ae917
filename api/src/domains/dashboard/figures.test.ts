// The dashboard's arithmetic as tables: which assets are online and active now (by the devices
// installed on them now, their records since), today cut out of the month's summary input,
// jobs by state and late, and the months of the cost trend across a new year.
import type { LiveDeviceState } from '@fleet/ingest';
import { NO_MEASUREMENTS } from '@fleet/shared';
import { describe, expect, it } from 'vitest';
import { countJobs, dayOf, fleetNow, monthsUpTo, perKm } from './figures.ts';

const NOW = Date.parse('2026-12-03T12:00:00Z');
const MIN = 60_000;
const OFFLINE = 5 * MIN;

function state(
  deviceId: string,
  s: { seenAgo?: number; ts?: number; speedKmh?: number; ignition?: boolean; connected?: boolean },
): LiveDeviceState {
  const ts = s.ts ?? NOW - (s.seenAgo ?? 0);
  return {
    tenant: 'org',
    deviceId,
    position: undefined,
    latest: {
      ...NO_MEASUREMENTS,
      tenant: 'org',
      deviceId,
      seq: 1,
      ts,
      receivedAt: NOW - (s.seenAgo ?? 0),
      speedKmh: s.speedKmh,
      ignition: s.ignition,
    },
    lastSeenAt: NOW - (s.seenAgo ?? 0),
    status: s.connected ? 'online' : 'offline',
    statusAt: undefined,
  };
}
const now = (deviceId: string, assetId: string, from = NOW - 60 * MIN) => ({
  deviceId,
  assetId,
  from,
  to: Number.POSITIVE_INFINITY,
});

describe('fleetNow', () => {
  it.each([
    ['moving a minute ago', { seenAgo: MIN, speedKmh: 40 }, { online: 1, activeNow: 1 }],
    ['engine on, standing', { seenAgo: MIN, speedKmh: 0, ignition: true }, { online: 1, activeNow: 1 }],
    [
      'GPS drift at 1 km/h, engine off',
      { seenAgo: MIN, speedKmh: 1, ignition: false },
      { online: 1, activeNow: 0 },
    ],
    ['parked, heard from', { seenAgo: MIN, speedKmh: 0, ignition: false }, { online: 1, activeNow: 0 }],
    ['moving 11 minutes ago, silent since', { seenAgo: 11 * MIN, speedKmh: 50 }, { online: 0, activeNow: 0 }],
    ['silent but connected', { seenAgo: 20 * MIN, connected: true }, { online: 1, activeNow: 0 }],
    // A buffer replayed now: heard from, but its newest record is an hour old.
    ['replaying an old drive', { seenAgo: 0, ts: NOW - 60 * MIN, speedKmh: 50 }, { online: 1, activeNow: 0 }],
  ] as const)('a van %s', (_, s, expected) => {
    const counts = fleetNow({
      assets: [{ id: 'van', kind: 'vehicle' }],
      windows: [now('d1', 'van')],
      states: [state('d1', s)],
      now: NOW,
      offlineAfterMs: OFFLINE,
    });
    expect(counts.vehicle).toEqual({ total: 1, ...expected });
  });

  it('counts each asset once, by the devices on it now and their records since installed', () => {
    const counts = fleetNow({
      assets: [
        { id: 'van1', kind: 'vehicle' },
        { id: 'van2', kind: 'vehicle' },
        { id: 'van3', kind: 'vehicle' },
        { id: 'van4', kind: 'vehicle' },
        { id: 'gen', kind: 'equipment' },
        { id: 'kit', kind: 'equipment' },
      ],
      windows: [
        // Two moving trackers on van 1: one van.
        now('a', 'van1'),
        now('b', 'van1'),
        // Van 2's tracker moved to van 3 a minute ago: its drive before that is van 2's past.
        { deviceId: 'c', assetId: 'van2', from: NOW - 60 * MIN, to: NOW - MIN },
        now('c', 'van3', NOW - MIN),
        // Installed on van 4 from tomorrow: not yet.
        now('d', 'van4', NOW + 86_400_000),
        now('e', 'gen'),
        // A device of another asset nobody asked about (out of the caller's scope).
        now('x', 'elsewhere'),
      ],
      states: [
        state('a', { seenAgo: MIN, speedKmh: 30 }),
        state('b', { seenAgo: MIN, speedKmh: 30 }),
        state('c', { seenAgo: 0, ts: NOW - 2 * MIN, speedKmh: 30 }),
        state('d', { seenAgo: 0, speedKmh: 30 }),
        state('e', { seenAgo: 2 * MIN, ignition: true }),
        state('x', { seenAgo: 0, speedKmh: 30 }),
      ],
      now: NOW,
      offlineAfterMs: OFFLINE,
    });
    expect(counts.vehicle).toEqual({ total: 4, online: 2, activeNow: 1 });
    expect(counts.equipment).toEqual({ total: 2, online: 1, activeNow: 1 });
  });

  it('is all zeros for an empty fleet', () => {
    const counts = fleetNow({ assets: [], windows: [], states: [], now: NOW, offlineAfterMs: OFFLINE });
    expect(counts).toEqual({
      vehicle: { total: 0, online: 0, activeNow: 0 },
      equipment: { total: 0, online: 0, activeNow: 0 },
    });
  });
});

describe('dayOf', () => {
  it('keeps the device-days and fill-ups of one day, and the rest of the input as it is', () => {
    const input = {
      timeZone: 'Europe/Helsinki',
      deviceDays: [
        { deviceId: 'a', day: '2026-12-02', trips: 1 },
        { deviceId: 'a', day: '2026-12-03', trips: 2 },
      ],
      fuel: [
        { assetId: 'van', day: '2026-12-01', litres: 40 },
        { assetId: 'van', day: '2026-12-03', litres: 20 },
      ],
    };
    expect(dayOf(input, '2026-12-03')).toEqual({
      timeZone: 'Europe/Helsinki',
      deviceDays: [{ deviceId: 'a', day: '2026-12-03', trips: 2 }],
      fuel: [{ assetId: 'van', day: '2026-12-03', litres: 20 }],
    });
  });
});

describe('countJobs', () => {
  it('counts every state, zeros included, and the late by their ETA', () => {
    expect(
      countJobs([
        { state: 'planned', eta: null },
        { state: 'en_route', eta: { late: true } },
        { state: 'en_route', eta: { late: false } },
        { state: 'cancelled', eta: null },
      ]),
    ).toEqual({
      today: { planned: 1, dispatched: 0, en_route: 2, on_site: 0, completed: 0, cancelled: 1 },
      late: 1,
    });
  });
});

describe('monthsUpTo', () => {
  it.each([
    ['2026-12-03', 6, ['2026-07', '2026-08', '2026-09', '2026-10', '2026-11', '2026-12']],
    ['2027-02-28', 4, ['2026-11', '2026-12', '2027-01', '2027-02']],
    ['2027-01-01', 1, ['2027-01']],
    [
      '2027-03-31',
      12,
      [
        ...['04', '05', '06', '07', '08', '09', '10', '11', '12'].map((m) => `2026-${m}`),
        '2027-01',
        '2027-02',
        '2027-03',
      ],
    ],
  ] as const)('%s, %i months', (day, n, months) => {
    expect(monthsUpTo(day, n)).toEqual(months);
  });
});

describe('perKm', () => {
  it.each([
    ['0.5398', 0.5398],
    ['12.0000', 12],
    [null, null],
  ] as const)('%s', (text, n) => {
    expect(perKm(text)).toBe(n);
  });
});
