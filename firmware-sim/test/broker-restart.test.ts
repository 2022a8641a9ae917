// The 'broker-restart' scenario end to end: the restart harness stops and starts the real broker
// service (same port, same database, the run's QuestDB) on a short brokerRestartSchedule while
// the device runtime publishes; every record must be stored once, in device-time order.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deviceFilter, startTestPlatform, type TestPlatform, waitForRows } from '../../test/support.ts';
import { type HarnessClock, runBrokerRestarts } from '../src/restart-harness.ts';
import { createFleetRuntime } from '../src/runtime/fleet-runtime.ts';
import { brokerRestartSchedule } from '../src/scenarios.ts';
import { fastRuntimeOptions, StubModel } from './runtime-support.ts';

describe('restart harness (schedule bookkeeping, fake clock)', () => {
  function fakeClock(): HarnessClock & { log: string[] } {
    let now = 1_000;
    const log: string[] = [];
    return {
      log,
      now: () => now,
      sleep: async (ms) => {
        now += Math.max(0, ms);
      },
    };
  }

  it('stops at each scheduled time, stays down for downS, starts again, in time order', async () => {
    const clock = fakeClock();
    const broker = {
      stop: async () => void clock.log.push(`stop@${clock.now()}`),
      start: async () => void clock.log.push(`start@${clock.now()}`),
    };
    const schedule = [
      { atMs: 9_000, downS: 1 },
      { atMs: 5_000, downS: 2 },
    ];
    const records = await runBrokerRestarts(schedule, broker, clock).done;
    expect(clock.log).toEqual(['stop@5000', 'start@7000', 'stop@9000', 'start@10000']);
    expect(records).toEqual([
      { atMs: 5_000, stoppedAtMs: 5_000, startedAtMs: 7_000 },
      { atMs: 9_000, stoppedAtMs: 9_000, startedAtMs: 10_000 },
    ]);
  });

  it('does nothing more once cancelled', async () => {
    const clock = fakeClock();
    let stops = 0;
    const harness = runBrokerRestarts(
      [{ atMs: 5_000, downS: 1 }],
      {
        stop: async () => void stops++,
        start: async () => {},
      },
      clock,
    );
    harness.cancel();
    expect(await harness.done).toEqual([]);
    expect(stops).toBe(0);
  });
});

describe('broker-restart scenario against the real broker and QuestDB', () => {
  let platform: TestPlatform;
  beforeAll(async () => {
    platform = await startTestPlatform();
  });
  afterAll(async () => {
    await platform?.close();
  });

  it('loses nothing across two broker restarts: every record once, in device-time order', async () => {
    const models = [new StubModel(0.1), new StubModel(0.1), new StubModel(0.25)];
    const devices = await Promise.all(
      models.map(async (model) => {
        const d = await platform.provision();
        return { id: d.id, token: d.token, model, firstSeq: 1 };
      }),
    );
    const runtime = createFleetRuntime(
      devices,
      fastRuntimeOptions(`mqtt://127.0.0.1:${platform.service.mqttPort}`),
    );
    const start = Date.now();
    // The preset's timing, shortened: down 1 s at +1 s and +3.5 s.
    const schedule = brokerRestartSchedule(start, start + 5_000, {
      startAfterS: 1,
      durationS: 1,
      everyS: 2.5,
    });
    expect(schedule).toHaveLength(2);
    runtime.start();
    const restarts = await runBrokerRestarts(schedule, {
      stop: () => platform.stopBroker(),
      start: () => platform.startBroker(),
    }).done;
    expect(restarts).toHaveLength(2);
    // Devices came back after each restart and are publishing again.
    const ackedAfterRestarts = runtime.stats().ackedRecords;
    const deadline = Date.now() + 20_000;
    while (runtime.stats().ackedRecords < ackedAfterRestarts + 20 || runtime.stats().connected < 3) {
      if (Date.now() > deadline) throw new Error('devices did not resume after the restarts');
      await new Promise((r) => setTimeout(r, 50));
    }
    const summary = await runtime.stop({ timeoutMs: 10_000 });
    expect(summary).toEqual({ unacked: 0, buffered: 0, drained: true });
    const s = runtime.stats();
    expect(s.disconnects).toBeGreaterThanOrEqual(2 * devices.length);
    expect(s.reconnects).toBeGreaterThanOrEqual(2 * devices.length);
    expect(s.dropped).toBe(0);

    for (const [i, d] of devices.entries()) {
      const model = models[i] as StubModel;
      const expected = model.samples.map((ts, k) => ({ seq: k + 1, tsMs: ts }));
      // Records sampled while the broker was down were buffered and replayed.
      const sampledWhileDown = model.samples.filter((ts) =>
        restarts.some((r) => ts >= r.stoppedAtMs && ts < r.startedAtMs),
      );
      expect(sampledWhileDown.length).toBeGreaterThan(0);
      const rows = await waitForRows<{ seq: number; ts_us: number }>(
        platform.questdb,
        `select seq, cast(ts as long) ts_us from telemetry where ${deviceFilter(d.id)} order by ts`,
        expected.length,
      );
      expect(rows.map((r) => ({ seq: Number(r.seq), tsMs: Number(r.ts_us) / 1000 }))).toEqual(expected);
    }
  });
});
