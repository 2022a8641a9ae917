import { NO_MEASUREMENTS, type TelemetryRecord } from '@fleet/shared';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FLAG_WRITE_INTERVAL_MS, MeterTracker } from '../../src/maintenance/meters.ts';
import type { AssetInfo } from '../../src/rules/types.ts';
import { vehicle } from '../rules/support.ts';

const ORG = '00000000-0000-4000-8000-0000000000f1';
const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;
/** Monday 1 June 2026, 08:00 UTC. */
const T0 = Date.UTC(2026, 5, 1, 8);

const VAN = vehicle('asset-van', 'Van', 'ABC-123');
const TRUCK = vehicle('asset-truck', 'Truck', 'XYZ-789');

let seq = 0;
function rec(
  ts: number,
  meters: { odometerKm?: number; engineHours?: number },
  deviceId = 'dev-1',
): TelemetryRecord {
  seq += 1;
  return { ...NO_MEASUREMENTS, tenant: ORG, deviceId, seq, ts, receivedAt: ts, ...meters };
}

/** A tracker fed `readings` of one asset's odometer (device dev-1 unless given). */
function fed(asset: AssetInfo, readings: [at: number, km: number, deviceId?: string][]): MeterTracker {
  const tracker = new MeterTracker();
  for (const [at, km, deviceId] of readings) tracker.observe(rec(at, { odometerKm: km }, deviceId), asset);
  return tracker;
}

describe('MeterTracker readings', () => {
  it('adds the asset’s offsets and remembers the basis', () => {
    const asset = vehicle('asset-1', 'Van', null, { odometerOffsetKm: 1000, engineHoursOffset: 50 });
    const tracker = new MeterTracker();
    tracker.observe(rec(T0, { odometerKm: 200, engineHours: 10 }), asset);
    expect(tracker.current('asset-1', 'odometer')).toEqual({
      value: 1200,
      at: T0,
      source: 'telemetry',
      basis: 'dev-1+1000',
    });
    expect(tracker.current('asset-1', 'engine_hours')).toEqual({
      value: 60,
      at: T0,
      source: 'telemetry',
      basis: 'dev-1+50',
    });
    const { changes } = tracker.drain();
    expect(changes).toHaveLength(2);
    expect(changes[0]).toMatchObject({
      orgId: ORG,
      assetId: 'asset-1',
      meter: 'odometer',
      deviceId: 'dev-1',
    });
    expect(tracker.counts).toEqual({ accepted: 2, flagged: 0, stale: 0 });
  });

  it('leaves a meter alone when the record does not report it', () => {
    const tracker = new MeterTracker();
    tracker.observe(rec(T0, { odometerKm: 100 }), VAN);
    expect(tracker.current(VAN.id, 'engine_hours')).toBeUndefined();
    tracker.observe(rec(T0 + MINUTE, {}), VAN);
    expect(tracker.counts).toEqual({ accepted: 1, flagged: 0, stale: 0 });
  });

  it('flags a backwards reading, keeps the believed one, and accepts good readings after it', () => {
    const tracker = fed(VAN, [[T0, 10_000]]);
    tracker.drain();
    tracker.observe(rec(T0 + MINUTE, { odometerKm: 9_000 }), VAN);
    expect(tracker.current(VAN.id, 'odometer')?.value).toBe(10_000);
    expect(tracker.drain()).toEqual({
      changes: [],
      flagged: [
        {
          orgId: ORG,
          assetId: VAN.id,
          meter: 'odometer',
          value: 9_000,
          at: T0 + MINUTE,
          deviceId: 'dev-1',
          flag: 'backwards',
          previousValue: 10_000,
        },
      ],
    });
    tracker.observe(rec(T0 + 2 * MINUTE, { odometerKm: 10_002 }), VAN);
    expect(tracker.current(VAN.id, 'odometer')?.value).toBe(10_002);
    expect(tracker.counts).toEqual({ accepted: 2, flagged: 1, stale: 0 });
  });

  it('accepts a dip within the rounding tolerance', () => {
    const tracker = fed(VAN, [
      [T0, 10_000],
      [T0 + MINUTE, 9_999.97],
    ]);
    expect(tracker.current(VAN.id, 'odometer')?.value).toBe(9_999.97);
    expect(tracker.counts.flagged).toBe(0);
  });

  it('flags an impossible jump and keeps counting from the believed reading', () => {
    const tracker = fed(VAN, [
      [T0, 10_000],
      [T0 + MINUTE, 12_000],
      [T0 + 2 * MINUTE, 10_003],
    ]);
    expect(tracker.current(VAN.id, 'odometer')).toMatchObject({ value: 10_003, at: T0 + 2 * MINUTE });
    expect(tracker.drain().flagged).toMatchObject([{ flag: 'jump', value: 12_000, previousValue: 10_000 }]);
    expect(tracker.counts).toEqual({ accepted: 2, flagged: 1, stale: 0 });
  });

  it('flags engine hours running faster than the clock', () => {
    const tracker = new MeterTracker();
    tracker.observe(rec(T0, { engineHours: 500 }), VAN);
    tracker.observe(rec(T0 + HOUR, { engineHours: 502 }), VAN);
    expect(tracker.current(VAN.id, 'engine_hours')?.value).toBe(500);
    expect(tracker.drain().flagged).toMatchObject([{ meter: 'engine_hours', flag: 'jump' }]);
  });

  it('ignores and counts readings that are not newer', () => {
    const tracker = fed(VAN, [
      [T0 + 10 * MINUTE, 10_000],
      [T0, 9_000],
      [T0 + 10 * MINUTE, 10_005],
    ]);
    expect(tracker.current(VAN.id, 'odometer')).toMatchObject({ value: 10_000, at: T0 + 10 * MINUTE });
    expect(tracker.counts).toEqual({ accepted: 1, flagged: 0, stale: 2 });
    expect(tracker.drain().flagged).toEqual([]);
  });

  it('keeps assets apart', () => {
    const tracker = new MeterTracker();
    tracker.observe(rec(T0, { odometerKm: 100 }, 'dev-van'), VAN);
    tracker.observe(rec(T0, { odometerKm: 50_000 }, 'dev-truck'), TRUCK);
    tracker.observe(rec(T0 + MINUTE, { odometerKm: 101 }, 'dev-van'), VAN);
    expect(tracker.current(VAN.id, 'odometer')?.value).toBe(101);
    expect(tracker.current(TRUCK.id, 'odometer')?.value).toBe(50_000);
    expect(tracker.counts.flagged).toBe(0);
  });

  it('forgets an asset', () => {
    const tracker = fed(VAN, [[T0, 100]]);
    tracker.forget(VAN.id);
    expect(tracker.current(VAN.id, 'odometer')).toBeUndefined();
  });
});

describe('MeterTracker flag writes', () => {
  it('writes a refused reading at most once per interval per asset and meter, counting each', () => {
    const tracker = new MeterTracker();
    tracker.observe(rec(T0, { odometerKm: 10_000, engineHours: 500 }, 'dev-van'), VAN);
    tracker.observe(rec(T0, { odometerKm: 20_000 }, 'dev-truck'), TRUCK);
    tracker.drain();
    // A broken odometer and engine-hours meter on the van, and the truck's odometer, every minute.
    for (let i = 1; i <= 25; i++) {
      tracker.observe(rec(T0 + i * MINUTE, { odometerKm: 5_000, engineHours: 100 }, 'dev-van'), VAN);
      tracker.observe(rec(T0 + i * MINUTE, { odometerKm: 1 }, 'dev-truck'), TRUCK);
    }
    const written = tracker.drain().flagged.map((f) => `${f.assetId} ${f.meter} ${(f.at - T0) / MINUTE}`);
    // At 1, 11 and 21 minutes: FLAG_WRITE_INTERVAL_MS apart, each asset and meter on its own.
    expect(FLAG_WRITE_INTERVAL_MS).toBe(10 * MINUTE);
    expect(written.sort()).toEqual(
      [
        `${VAN.id} odometer 1`,
        `${VAN.id} odometer 11`,
        `${VAN.id} odometer 21`,
        `${VAN.id} engine_hours 1`,
        `${VAN.id} engine_hours 11`,
        `${VAN.id} engine_hours 21`,
        `${TRUCK.id} odometer 1`,
        `${TRUCK.id} odometer 11`,
        `${TRUCK.id} odometer 21`,
      ].sort(),
    );
    expect(tracker.counts).toEqual({ accepted: 3, flagged: 75, stale: 0 });
  });

  // A meter flapping between two values (two ECUs answering) must not write every refused
  // reading: an accepted reading in between does not reset the throttle.
  it('keeps to the interval when good and refused readings alternate', () => {
    const readings: [number, number][] = [];
    for (let i = 0; i < 20; i++)
      readings.push([T0 + i * 2000, 10_000 + i * 0.01], [T0 + i * 2000 + 1000, 5_000]);
    const tracker = fed(VAN, readings);
    expect(tracker.counts).toEqual({ accepted: 20, flagged: 20, stale: 0 });
    expect(tracker.drain().flagged).toHaveLength(1);
  });
});

describe('MeterTracker day samples', () => {
  it('marks the first believed reading of each UTC day', () => {
    const tracker = new MeterTracker();
    const samples: boolean[] = [];
    for (const at of [T0, T0 + HOUR, Date.UTC(2026, 5, 2, 0, 0, 1), Date.UTC(2026, 5, 2, 23), T0 + 3 * DAY]) {
      tracker.observe(rec(at, { odometerKm: 1000 + (at - T0) / HOUR }), VAN);
      samples.push(...tracker.drain().changes.map((c) => c.daySample));
    }
    expect(samples).toEqual([true, false, true, false, true]);
  });

  it('does not spend the sample on a refused reading', () => {
    const tracker = fed(VAN, [[T0, 10_000]]);
    tracker.drain();
    tracker.observe(rec(T0 + DAY, { odometerKm: 1 }), VAN);
    tracker.observe(rec(T0 + DAY + MINUTE, { odometerKm: 10_100 }), VAN);
    expect(tracker.drain().changes).toMatchObject([{ daySample: true, reading: { value: 10_100 } }]);
  });

  it('keeps a sample owed when a newer reading replaces it before the drain', () => {
    const tracker = fed(VAN, [
      [T0, 1000],
      [T0 + HOUR, 1050],
    ]);
    const { changes } = tracker.drain();
    expect(changes).toHaveLength(1);
    expect(changes[0]).toMatchObject({ daySample: true, reading: { value: 1050, at: T0 + HOUR } });
  });

  it('counts a loaded reading as the day’s sample', () => {
    const tracker = new MeterTracker();
    tracker.load(ORG, VAN.id, 'odometer', { value: 1000, at: T0, source: 'telemetry', basis: 'dev-1+0' });
    tracker.observe(rec(T0 + HOUR, { odometerKm: 1050 }), VAN);
    expect(tracker.drain().changes).toMatchObject([{ daySample: false }]);
    tracker.observe(rec(T0 + DAY, { odometerKm: 1100 }), VAN);
    expect(tracker.drain().changes).toMatchObject([{ daySample: true }]);
  });
});

describe('MeterTracker drain and restore', () => {
  it('drains everything once', () => {
    const tracker = fed(VAN, [
      [T0, 10_000],
      [T0 + MINUTE, 1],
    ]);
    expect(tracker.pending).toBe(2);
    const first = tracker.drain();
    expect(first.changes).toHaveLength(1);
    expect(first.flagged).toHaveLength(1);
    expect(tracker.pending).toBe(0);
    expect(tracker.drain()).toEqual({ changes: [], flagged: [] });
  });

  it('puts a failed drain back', () => {
    const tracker = fed(VAN, [
      [T0, 10_000],
      [T0 + MINUTE, 1],
    ]);
    const drained = tracker.drain();
    tracker.restore(drained);
    expect(tracker.drain()).toEqual(drained);
  });

  it('restores behind newer changes, keeping the day sample owed', () => {
    const tracker = fed(VAN, [
      [T0, 10_000],
      [T0 + MINUTE, 1],
    ]);
    const failed = tracker.drain();
    expect(failed.changes[0]?.daySample).toBe(true);
    tracker.observe(rec(T0 + 2 * MINUTE, { odometerKm: 10_001 }), VAN);
    tracker.observe(rec(T0 + 20 * MINUTE, { odometerKm: 2 }), VAN);
    tracker.restore(failed);
    const { changes, flagged } = tracker.drain();
    // The newer reading stands, owing the sample the failed drain carried.
    expect(changes).toHaveLength(1);
    expect(changes[0]).toMatchObject({ daySample: true, reading: { value: 10_001, at: T0 + 2 * MINUTE } });
    // The failed drain's refused readings go first.
    expect(flagged.map((f) => f.value)).toEqual([1, 2]);
  });
});

describe('MeterTracker basis', () => {
  it('starts again without a flag when another device reports on the asset', () => {
    const tracker = fed(VAN, [
      [T0, 150_000, 'dev-old'],
      [T0 + HOUR, 12, 'dev-new'],
      [T0 + 2 * HOUR, 80, 'dev-new'],
    ]);
    expect(tracker.current(VAN.id, 'odometer')).toEqual({
      value: 80,
      at: T0 + 2 * HOUR,
      source: 'telemetry',
      basis: 'dev-new+0',
    });
    expect(tracker.counts).toEqual({ accepted: 3, flagged: 0, stale: 0 });
    expect(tracker.drain().changes).toMatchObject([{ deviceId: 'dev-new' }]);
  });

  it('starts again when the offset changes', () => {
    const tracker = new MeterTracker();
    tracker.observe(rec(T0, { odometerKm: 1000 }), VAN);
    const corrected = { ...VAN, odometerOffsetKm: -600 };
    tracker.observe(rec(T0 + MINUTE, { odometerKm: 1000 }), corrected);
    expect(tracker.current(VAN.id, 'odometer')).toMatchObject({ value: 400, basis: 'dev-1+-600' });
    expect(tracker.counts.flagged).toBe(0);
    // The engine-hours basis is its own: unchanged offset, checked as before.
    tracker.observe(rec(T0 + 2 * MINUTE, { engineHours: 100 }), corrected);
    tracker.observe(rec(T0 + 3 * MINUTE, { engineHours: 90 }), corrected);
    expect(tracker.counts.flagged).toBe(1);
  });

  it('still ignores an older reading on a new basis', () => {
    const tracker = fed(VAN, [
      [T0, 1000, 'dev-old'],
      [T0 - MINUTE, 5, 'dev-new'],
    ]);
    expect(tracker.current(VAN.id, 'odometer')?.value).toBe(1000);
    expect(tracker.counts.stale).toBe(1);
  });

  // A new device with the old negative offset reads below zero: believed, it would be refused by
  // asset_meters (odometer_km >= 0) and, in one transaction with every other asset's, block them all.
  it('does not believe a negative value on a new basis', () => {
    const tracker = new MeterTracker();
    tracker.observe(rec(T0, { odometerKm: 51_000 }, 'dev-old'), { ...VAN, odometerOffsetKm: -1000 });
    tracker.observe(rec(T0 + HOUR, { odometerKm: 3 }, 'dev-new'), { ...VAN, odometerOffsetKm: -1000 });
    expect(tracker.current(VAN.id, 'odometer')?.value).toBe(50_000);
    expect(tracker.counts.flagged).toBe(1);
    expect(tracker.drain().changes.every((c) => c.reading.value >= 0)).toBe(true);
  });

  it('checks telemetry against a manual reading (no basis)', () => {
    const tracker = new MeterTracker();
    tracker.load(ORG, VAN.id, 'odometer', { value: 50_000, at: T0, source: 'manual', basis: null });
    tracker.observe(rec(T0 + HOUR, { odometerKm: 40_000 }), VAN);
    expect(tracker.current(VAN.id, 'odometer')).toMatchObject({ value: 50_000, source: 'manual' });
    expect(tracker.drain().flagged).toMatchObject([{ flag: 'backwards', previousValue: 50_000 }]);
    tracker.observe(rec(T0 + 2 * HOUR, { odometerKm: 50_060 }), VAN);
    expect(tracker.current(VAN.id, 'odometer')).toMatchObject({ value: 50_060, source: 'telemetry' });
  });
});

describe('MeterTracker load', () => {
  it('takes a newer reading and ignores one that is not newer', () => {
    const tracker = fed(VAN, [[T0 + HOUR, 1000]]);
    tracker.load(ORG, VAN.id, 'odometer', { value: 900, at: T0, source: 'manual', basis: null });
    expect(tracker.current(VAN.id, 'odometer')).toMatchObject({ value: 1000, source: 'telemetry' });
    tracker.load(ORG, VAN.id, 'odometer', { value: 950, at: T0 + HOUR, source: 'manual', basis: null });
    expect(tracker.current(VAN.id, 'odometer')?.value).toBe(1000);
    tracker.load(ORG, VAN.id, 'odometer', {
      value: 990,
      at: T0 + 2 * HOUR,
      source: 'work_order',
      basis: null,
    });
    expect(tracker.current(VAN.id, 'odometer')).toMatchObject({ value: 990, source: 'work_order' });
  });

  it('is not a change to write', () => {
    const tracker = new MeterTracker();
    tracker.load(ORG, VAN.id, 'engine_hours', { value: 10, at: T0, source: 'manual', basis: null });
    expect(tracker.pending).toBe(0);
    expect(tracker.counts).toEqual({ accepted: 0, flagged: 0, stale: 0 });
  });
});

describe('MeterTracker properties', () => {
  const TOLERANCE = { odometer: 0.05, engine_hours: 0.01 } as const;
  // Each step moves the clock (sometimes back) and the meters by rounding noise, driving, a
  // glitch or a reset; a meter is sometimes not reported.
  const delta = (drive: number) =>
    fc.option(
      fc.oneof(
        fc.double({ min: -0.1, max: 0.1, noNaN: true }),
        fc.double({ min: 0, max: drive, noNaN: true }),
        fc.double({ min: -10_000, max: 10_000, noNaN: true }),
        fc.constant(Number.NEGATIVE_INFINITY),
      ),
      { nil: undefined },
    );
  const steps = fc.array(
    fc.record({
      dtMs: fc.oneof(
        { weight: 1, arbitrary: fc.integer({ min: -HOUR, max: 0 }) },
        { weight: 4, arbitrary: fc.integer({ min: 1, max: 2 * HOUR }) },
      ),
      km: delta(300),
      hours: delta(1.5),
      deviceId: fc.constantFrom('dev-1', 'dev-1', 'dev-1', 'dev-2'),
    }),
    { maxLength: 60 },
  );

  /** Turns steps into records: meters as the device reports them (never below zero). */
  function records(
    list: { dtMs: number; km?: number; hours?: number; deviceId: string }[],
  ): TelemetryRecord[] {
    let ts = T0;
    let km = 10_000;
    let hours = 500;
    return list.map((s) => {
      ts += s.dtMs;
      if (s.km !== undefined) km = Math.max(0, km + s.km);
      if (s.hours !== undefined) hours = Math.max(0, hours + s.hours);
      return rec(
        ts,
        {
          odometerKm: s.km === undefined ? undefined : km,
          engineHours: s.hours === undefined ? undefined : hours,
        },
        s.deviceId,
      );
    });
  }

  it('never lets a meter fall by more than the tolerance on the same basis, nor go back in time', () => {
    fc.assert(
      fc.property(steps, (list) => {
        const tracker = new MeterTracker();
        for (const r of records(list)) {
          const before = {
            odometer: tracker.current(VAN.id, 'odometer'),
            engine_hours: tracker.current(VAN.id, 'engine_hours'),
          };
          tracker.observe(r, VAN);
          for (const meter of ['odometer', 'engine_hours'] as const) {
            const was = before[meter];
            const now = tracker.current(VAN.id, meter);
            if (was === undefined || now === was) continue;
            expect(now?.at).toBeGreaterThan(was.at);
            if (now?.basis === was.basis)
              expect(now?.value).toBeGreaterThanOrEqual(was.value - TOLERANCE[meter]);
          }
        }
      }),
      { seed: 1, numRuns: 500 },
    );
  });

  it('counts every meter value observed exactly once', () => {
    fc.assert(
      fc.property(steps, (list) => {
        const tracker = new MeterTracker();
        const rs = records(list);
        for (const r of rs) tracker.observe(r, VAN);
        const observed = rs.reduce(
          (n, r) => n + (r.odometerKm === undefined ? 0 : 1) + (r.engineHours === undefined ? 0 : 1),
          0,
        );
        const { accepted, flagged, stale } = tracker.counts;
        expect(accepted + flagged + stale).toBe(observed);
      }),
      { seed: 1, numRuns: 500 },
    );
  });
});
