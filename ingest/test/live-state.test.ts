import type { TelemetryRecord } from '@fleet/shared';
import { NO_MEASUREMENTS } from '@fleet/shared';
import { describe, expect, it } from 'vitest';
import { InMemoryLiveState } from '../src/live-state.ts';

const T0 = 1_750_000_000_000;

function rec(patch: Partial<TelemetryRecord> & { deviceId: string; ts: number }): TelemetryRecord {
  return {
    ...NO_MEASUREMENTS,
    tenant: 't1',
    seq: 1,
    receivedAt: T0 + 10_000,
    lat: 60,
    lon: 25,
    speedKmh: 10,
    headingDeg: 0,
    ignition: true,
    ...patch,
  };
}

describe('InMemoryLiveState', () => {
  it('a first record with a fix creates the position and returns it', async () => {
    const live = new InMemoryLiveState();
    const r = rec({ deviceId: 'd1', ts: T0, seq: 7, lat: 60.1, lon: 24.9, speedKmh: 42, headingDeg: 180 });
    const advanced = await live.applyTelemetry([r]);
    expect(advanced).toEqual([
      {
        tenant: 't1',
        deviceId: 'd1',
        ts: T0,
        receivedAt: r.receivedAt,
        lat: 60.1,
        lon: 24.9,
        speedKmh: 42,
        headingDeg: 180,
        ignition: true,
        seq: 7,
      },
    ]);
    const s = await live.get('d1');
    expect(s?.position).toEqual(advanced[0]);
    expect(s?.latest).toBe(r);
    expect(s?.lastSeenAt).toBe(r.receivedAt);
    expect(s?.status).toBe('unknown');
  });

  it('a newer device time advances the position and is returned', async () => {
    const live = new InMemoryLiveState();
    await live.applyTelemetry([rec({ deviceId: 'd1', ts: T0, lat: 60 })]);
    const advanced = await live.applyTelemetry([rec({ deviceId: 'd1', ts: T0 + 1000, lat: 61, seq: 2 })]);
    expect(advanced).toHaveLength(1);
    expect(advanced[0]).toMatchObject({ deviceId: 'd1', ts: T0 + 1000, lat: 61, seq: 2 });
    expect((await live.get('d1'))?.position?.lat).toBe(61);
  });

  it('an older (replayed) record updates lastSeenAt but does not move the position or return it', async () => {
    const live = new InMemoryLiveState();
    await live.applyTelemetry([rec({ deviceId: 'd1', ts: T0, lat: 60, receivedAt: T0 + 1 })]);
    const replay = rec({ deviceId: 'd1', ts: T0 - 3_600_000, lat: 59, seq: 0, receivedAt: T0 + 5000 });
    expect(await live.applyTelemetry([replay])).toEqual([]);
    const s = await live.get('d1');
    expect(s?.lastSeenAt).toBe(T0 + 5000);
    expect(s?.position?.lat).toBe(60);
    expect(s?.position?.ts).toBe(T0);
    expect(s?.latest?.ts).toBe(T0);
  });

  it('a record with the same device time does not move the position', async () => {
    const live = new InMemoryLiveState();
    await live.applyTelemetry([rec({ deviceId: 'd1', ts: T0, lat: 60 })]);
    expect(await live.applyTelemetry([rec({ deviceId: 'd1', ts: T0, lat: 62 })])).toEqual([]);
    expect((await live.get('d1'))?.position?.lat).toBe(60);
  });

  it('lastSeenAt never goes backwards', async () => {
    const live = new InMemoryLiveState();
    await live.applyTelemetry([rec({ deviceId: 'd1', ts: T0, receivedAt: T0 + 9000 })]);
    await live.applyTelemetry([rec({ deviceId: 'd1', ts: T0 + 1, receivedAt: T0 + 1000 })]);
    expect((await live.get('d1'))?.lastSeenAt).toBe(T0 + 9000);
  });

  it('several records of one device in one call return only the newest, in any order', async () => {
    const live = new InMemoryLiveState();
    const advanced = await live.applyTelemetry([
      rec({ deviceId: 'd1', ts: T0 + 2000, lat: 62, seq: 3 }),
      rec({ deviceId: 'd1', ts: T0, lat: 60, seq: 1 }),
      rec({ deviceId: 'd1', ts: T0 + 3000, lat: 63, seq: 4 }),
      rec({ deviceId: 'd1', ts: T0 + 1000, lat: 61, seq: 2 }),
    ]);
    expect(advanced).toHaveLength(1);
    expect(advanced[0]).toMatchObject({ ts: T0 + 3000, lat: 63, seq: 4 });
    expect((await live.get('d1'))?.position?.seq).toBe(4);
  });

  it('returns one position per device that advanced', async () => {
    const live = new InMemoryLiveState();
    await live.applyTelemetry([rec({ deviceId: 'd3', ts: T0 + 10_000 })]);
    const advanced = await live.applyTelemetry([
      rec({ deviceId: 'd1', ts: T0 }),
      rec({ deviceId: 'd2', ts: T0 }),
      rec({ deviceId: 'd1', ts: T0 + 1 }),
      rec({ deviceId: 'd3', ts: T0 }), // older than what d3 has
    ]);
    expect(advanced.map((p) => [p.deviceId, p.ts]).sort()).toEqual([
      ['d1', T0 + 1],
      ['d2', T0],
    ]);
  });

  it('records without a fix do not create a position, but do update latest', async () => {
    const live = new InMemoryLiveState();
    const noFix = rec({ deviceId: 'd1', ts: T0, lat: undefined, lon: undefined, batteryV: 12.4 });
    expect(await live.applyTelemetry([noFix])).toEqual([]);
    const s = await live.get('d1');
    expect(s?.position).toBeUndefined();
    expect(s?.latest).toBe(noFix);
    expect(s?.lastSeenAt).toBe(noFix.receivedAt);
  });

  it('a newer record without a fix keeps the last position', async () => {
    const live = new InMemoryLiveState();
    await live.applyTelemetry([rec({ deviceId: 'd1', ts: T0, lat: 60 })]);
    const noFix = rec({ deviceId: 'd1', ts: T0 + 1000, lat: undefined, lon: undefined });
    expect(await live.applyTelemetry([noFix])).toEqual([]);
    const s = await live.get('d1');
    expect(s?.position?.lat).toBe(60);
    expect(s?.latest).toBe(noFix);
    // An older fix arriving after that still counts against the position's own time.
    const lateFix = rec({ deviceId: 'd1', ts: T0 + 500, lat: 60.5 });
    expect(await live.applyTelemetry([lateFix])).toHaveLength(1);
    expect((await live.get('d1'))?.latest).toBe(noFix);
  });

  it('status follows `at`, not arrival order', async () => {
    const live = new InMemoryLiveState();
    await live.applyStatus({ tenant: 't1', deviceId: 'd1', status: 'online', at: T0 + 100 });
    expect((await live.get('d1'))?.status).toBe('online');
    await live.applyStatus({ tenant: 't1', deviceId: 'd1', status: 'offline', at: T0 + 50 });
    let s = await live.get('d1');
    expect(s?.status).toBe('online');
    expect(s?.statusAt).toBe(T0 + 100);
    await live.applyStatus({
      tenant: 't1',
      deviceId: 'd1',
      status: 'offline',
      at: T0 + 200,
      reason: 'timeout',
    });
    s = await live.get('d1');
    expect(s?.status).toBe('offline');
    expect(s?.statusAt).toBe(T0 + 200);
  });

  it('status and telemetry share one state per device', async () => {
    const live = new InMemoryLiveState();
    await live.applyStatus({ tenant: 't1', deviceId: 'd1', status: 'online', at: T0 });
    await live.applyTelemetry([rec({ deviceId: 'd1', ts: T0 })]);
    const s = await live.get('d1');
    expect(s?.status).toBe('online');
    expect(s?.position).toBeDefined();
    expect(await live.list('t1')).toHaveLength(1);
  });

  it('get of an unknown device is undefined', async () => {
    expect(await new InMemoryLiveState().get('nobody')).toBeUndefined();
  });

  it('list() returns the devices of one tenant only', async () => {
    const live = new InMemoryLiveState();
    await live.applyTelemetry([
      rec({ tenant: 't1', deviceId: 'a1', ts: T0 }),
      rec({ tenant: 't2', deviceId: 'b1', ts: T0 }),
      rec({ tenant: 't1', deviceId: 'a2', ts: T0, lat: undefined, lon: undefined }),
    ]);
    await live.applyStatus({ tenant: 't2', deviceId: 'b2', status: 'online', at: T0 });
    expect((await live.list('t1')).map((s) => s.deviceId).sort()).toEqual(['a1', 'a2']);
    expect((await live.list('t2')).map((s) => s.deviceId).sort()).toEqual(['b1', 'b2']);
    expect(await live.list('t3')).toEqual([]);
    for (const s of await live.list('t2')) expect(s.tenant).toBe('t2');
  });
});
