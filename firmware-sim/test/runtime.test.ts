// The device runtime against the real platform: mqtt.js devices on the runtime's shared tick ->
// the broker with its hooks -> ingest -> the run's QuestDB. Simple stub models, no timing
// assertions: each case waits for a state and then checks what QuestDB stored.
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { CommandKind } from '@fleet/proto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { deviceFilter, startTestPlatform, type TestPlatform, waitForRows } from '../../test/support.ts';
import { createFleetRuntime, type FleetRuntime, type SimulatedDevice } from '../src/runtime/fleet-runtime.ts';
import type { RuntimeOptionsInput } from '../src/runtime/options.ts';
import { fastRuntimeOptions, StubModel } from './runtime-support.ts';

/** A device driving through a tunnel: the test switches its network off and on. */
class TunnelModel extends StubModel {
  open = true;
  connectivity(): boolean {
    return this.open;
  }
}

let platform: TestPlatform;
let url: string;

beforeAll(async () => {
  platform = await startTestPlatform();
  url = `mqtt://127.0.0.1:${platform.service.mqttPort}`;
});
afterAll(async () => {
  await platform?.close();
});

function options(extra: Partial<RuntimeOptionsInput> = {}): RuntimeOptionsInput {
  return fastRuntimeOptions(url, extra);
}

async function until(what: string, cond: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

interface StoredRow extends Record<string, unknown> {
  seq: number;
  ts_us: number;
}

/** The device's rows in device-time order. */
async function stored(deviceId: string, min: number): Promise<StoredRow[]> {
  return waitForRows<StoredRow>(
    platform.questdb,
    `select seq, cast(ts as long) ts_us from telemetry where ${deviceFilter(deviceId)} order by ts`,
    min,
  );
}

/** Every sampled record stored exactly once, in device-time order, with its seq and timestamp. */
async function expectStoredOnce(deviceId: string, model: StubModel, skipSeq: number[] = []): Promise<void> {
  const expected = model.samples
    .map((ts, i) => ({ seq: i + 1, tsMs: ts }))
    .filter((r) => !skipSeq.includes(r.seq));
  const rows = await stored(deviceId, expected.length);
  expect(rows.map((r) => ({ seq: Number(r.seq), tsMs: Number(r.ts_us) / 1000 }))).toEqual(expected);
}

async function provisioned(models: StubModel[], extra: Partial<SimulatedDevice>[] = []) {
  return Promise.all(
    models.map(async (model, i) => {
      const d = await platform.provision();
      return { id: d.id, token: d.token, model, firstSeq: 1, ...extra[i] } satisfies SimulatedDevice;
    }),
  );
}

describe('fleet runtime against the real broker and QuestDB', () => {
  let runtime: FleetRuntime | undefined;
  afterEach(async () => {
    await runtime?.stop({ timeoutMs: 1000 });
    runtime = undefined;
  });

  it('publishes every record of a few devices into QuestDB once', async () => {
    const models = [new StubModel(), new StubModel(), new StubModel(0.15)];
    const devices = await provisioned(models);
    runtime = createFleetRuntime(devices, options({ batchSize: 3, maxBatchDelayS: 0.3 }));
    runtime.start();
    await until('every device sampled 15 records', () => models.every((m) => m.samples.length >= 15));
    const summary = await runtime.stop();
    expect(summary).toEqual({ unacked: 0, buffered: 0, drained: true });
    const s = runtime.stats();
    expect(s.records).toBe(models.reduce((n, m) => n + m.samples.length, 0));
    expect(s.ackedRecords).toBe(s.records);
    expect(s.dropped).toBe(0);
    expect(s.states.stopped).toBe(3);
    // One PUBACK latency per acknowledged message, then the interval starts again.
    const latencies = runtime.takeAckLatencies();
    expect(latencies.reduce((n, [, count]) => n + count, 0)).toBe(s.acks);
    expect(latencies.every(([ms]) => ms >= 0 && ms < 10_000)).toBe(true);
    expect(runtime.takeAckLatencies()).toEqual([]);
    for (const [i, d] of devices.entries()) await expectStoredOnce(d.id, models[i] as StubModel);
  });

  it('buffers while offline and replays every record once, in device-time order, after reconnecting', async () => {
    const tunnelModel = new TunnelModel();
    const cutModel = new TunnelModel();
    const [inTunnel, cutOff] = await provisioned([tunnelModel, cutModel]);
    if (!inTunnel || !cutOff) throw new Error('provisioning failed');
    runtime = createFleetRuntime([inTunnel, cutOff], options({ batchSize: 2, maxBatchRecords: 5 }));
    const rt = runtime;
    rt.start();
    await until('both connected', () => rt.stats().connected === 2);
    await until('some records stored', () => tunnelModel.samples.length >= 5 && cutModel.samples.length >= 5);

    // The broker drops a connection (as on a restart).
    expect(platform.service.broker.disconnect(cutOff.id)).toBe(true);
    await until('it is back', () => rt.stats().reconnects === 1 && rt.device(cutOff.id)?.state === 'online');

    // Into the tunnel: no network, the devices keep recording.
    tunnelModel.open = false;
    cutModel.open = false;
    const before = tunnelModel.samples.length;
    await until('offline', () => rt.stats().states.offline === 2);
    await until('records recorded offline', () => tunnelModel.samples.length >= before + 20);
    expect(rt.device(inTunnel.id)?.buffered).toBeGreaterThanOrEqual(15);
    expect(rt.device(inTunnel.id)?.unacked).toBe(0);

    // Out of the tunnel. The second device loses its connection again the moment it has sent
    // the first messages of its replay (unacknowledged): they must be re-sent, in order.
    let cutDuringReplay = 0;
    const off = rt.on('connected', (e) => {
      if (e.deviceId !== cutOff.id || cutDuringReplay > 0) return;
      cutDuringReplay = rt.device(cutOff.id)?.unacked ?? 0;
      platform.service.broker.disconnect(cutOff.id);
    });
    tunnelModel.open = true;
    cutModel.open = true;
    await until('both replayed their buffers', () =>
      [inTunnel.id, cutOff.id].every((id) => {
        const d = rt.device(id);
        return d?.state === 'online' && d.buffered + d.unacked <= 2;
      }),
    );
    off();
    expect(cutDuringReplay).toBeGreaterThanOrEqual(10); // maxInflight 4 x up to 5 records
    await until('a few live records after the replay', () => tunnelModel.samples.length >= before + 30);
    expect((await rt.stop()).drained).toBe(true);

    const s = rt.stats();
    expect(s.disconnects).toBeGreaterThanOrEqual(2);
    expect(s.reconnects).toBeGreaterThanOrEqual(4);
    expect(s.sentRecords).toBeGreaterThan(s.records); // the cut replay was sent twice
    expect(s.dropped).toBe(0);
    await expectStoredOnce(inTunnel.id, tunnelModel);
    await expectStoredOnce(cutOff.id, cutModel);
  });

  it('obeys a REJECT_NOTICE: the refused record is counted and never re-sent', async () => {
    const model = new StubModel(0.1, 5);
    const [device] = await provisioned([model]);
    if (!device) throw new Error('provisioning failed');
    runtime = createFleetRuntime([device], options({ batchSize: 1 }));
    const rt = runtime;
    const notices: number[][] = [];
    rt.on('rejected', (e) => notices.push(e.seqs));
    rt.start();
    await until('the notice arrived', () => model.commands.some((c) => c.kind === CommandKind.REJECT_NOTICE));
    await until('more records after it', () => model.samples.length >= 12);
    await rt.stop();

    const notice = model.commands.find((c) => c.kind === CommandKind.REJECT_NOTICE);
    expect(notice?.rejectSeq).toEqual([5]);
    expect(notice?.rejectReason).toBe('out_of_range');
    expect(notices).toEqual([[5]]);
    const s = rt.stats();
    expect(s.rejected).toBe(1);
    expect(s.commands).toBe(1);
    // Every record went out exactly once: no resend loop.
    expect(s.sentRecords).toBe(model.samples.length);
    expect(s.messages).toBe(model.samples.length);
    await expectStoredOnce(device.id, model, [5]);
    const rejects = await waitForRows<{ seq: number; reason: string }>(
      platform.questdb,
      `select seq, reason from telemetry_rejects where ${deviceFilter(device.id)}`,
      1,
    );
    expect(rejects).toEqual([{ seq: 5, reason: 'out_of_range' }]);
  });

  it('backs a disabled device off for a long time and keeps the rest of the fleet running', async () => {
    const disabledModel = new StubModel();
    const healthyModel = new StubModel();
    const [doomed, healthy] = await provisioned([disabledModel, healthyModel]);
    if (!doomed || !healthy) throw new Error('provisioning failed');
    runtime = createFleetRuntime([doomed, healthy], options());
    const rt = runtime;
    const failures: (number | undefined)[] = [];
    rt.on('connect-failed', (e) => {
      if (e.deviceId === doomed.id) failures.push(e.code);
    });
    rt.start();
    await until('both connected', () => rt.stats().connected === 2);

    await platform.registry.setDisabled(doomed.id, true);
    await until('refused as disabled', () => rt.device(doomed.id)?.lastRefusal === 5);
    const status = rt.device(doomed.id);
    expect(status?.state).toBe('waiting');
    // The refused backoff (30 s ceiling, jitter 0.5), not the 100..400 ms network one.
    expect((status?.retryAt ?? 0) - Date.now()).toBeGreaterThan(10_000);
    expect(failures).toEqual([5]);

    const acked = rt.stats().ackedRecords;
    await until('the healthy device goes on', () => rt.stats().ackedRecords >= acked + 10);
    expect(rt.stats().connected).toBe(1);
    expect(rt.device(healthy.id)?.state).toBe('online');
    expect(failures).toEqual([5]); // still one attempt: it is not hammering the broker
    expect(rt.stats().refused).toBe(1);
    // The disabled device keeps recording into its outbox; it is held, not lost, at stop.
    const summary = await rt.stop();
    expect(summary.drained).toBe(true);
    expect(summary.buffered).toBeGreaterThan(0);
    await platform.registry.setDisabled(doomed.id, false);
  });

  it('leaves nothing behind after stop: a process running it exits by itself', async () => {
    const device = await platform.provision();
    const dir = await mkdtemp(join(tmpdir(), 'fleet-sim-exit-'));
    const runtimePath = resolve(import.meta.dirname, '../src/runtime/fleet-runtime.ts');
    const script = join(dir, 'run.ts');
    await writeFile(
      script,
      `import { createFleetRuntime } from ${JSON.stringify(runtimePath)};
const model = {
  kind: 'vehicle', step() {}, reportIntervalS: () => 0.1, drainEvents: () => [], onCommand: () => '',
  sample: (t) => ({ tsMs: t, lat: 60.17, lon: 24.94, speedKmh: 10, headingDeg: 0 }),
};
const rt = createFleetRuntime([{ id: process.env.ID, token: process.env.TOKEN, model, firstSeq: 1 }],
  { url: process.env.URL, tickMs: 20, visitTicks: 1, minReportIntervalS: 0.05 });
rt.start();
while (rt.stats().ackedRecords < 5) await new Promise((r) => setTimeout(r, 20));
const summary = await rt.stop();
console.log(JSON.stringify(summary));
`,
    );
    try {
      const child = spawn(process.execPath, [script], {
        env: { ...process.env, ID: device.id, TOKEN: device.token, URL: url },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      let err = '';
      child.stdout.on('data', (b: Buffer) => {
        out += b.toString();
      });
      child.stderr.on('data', (b: Buffer) => {
        err += b.toString();
      });
      const code = await new Promise<number | null>((done) => {
        const kill = setTimeout(() => child.kill('SIGKILL'), 25_000);
        child.on('exit', (c) => {
          clearTimeout(kill);
          done(c);
        });
      });
      expect({ code, err: err.slice(0, 2000) }).toEqual({ code: 0, err: '' });
      expect(JSON.parse(out)).toEqual({ unacked: 0, buffered: 0, drained: true });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
