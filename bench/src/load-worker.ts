// One load-generator worker: a share of the bench's devices, each an mqtt.js client publishing
// QoS 1 TelemetryBatch messages with at most `inflight` unacknowledged at a time. PUBACK latency
// is measured from the publish call to its callback. Runs only on the main thread's commands
// and stops by itself at the end of each window. The records are the synthetic drive of
// telemetry-encoder.ts (bench:ingest, bench:hub) or, when the connect command carries a track,
// the scripted streets and probe episodes of rules-scenario.ts (bench:rules), whose alerts go
// back to the main thread with the next report.
import { createConnection } from 'node:net';
import { parentPort } from 'node:worker_threads';
import { encodeTelemetryBatch } from '@fleet/proto';
import mqtt, { type IClientOptions, type IClientPublishOptions, MqttClient } from 'mqtt';
import {
  type BenchDevice,
  type ConnectCommand,
  type RunCommand,
  type WorkerCommand,
  type WorkerEvent,
  zeroCounters,
} from './protocol.ts';
import {
  type Area,
  type BenchPlace,
  generatePlaces,
  type ProbeTrigger,
  RulesTrack,
} from './rules-scenario.ts';
import { BatchSource, newVehicle, type Vehicle } from './telemetry-encoder.ts';

if (!parentPort) throw new Error('load-worker.ts runs as a worker thread');
const port = parentPort;

interface Conn {
  device: BenchDevice;
  client: MqttClient;
  topic: string;
  vehicle: Vehicle;
  source: BatchSource | undefined;
  /** bench:rules: the device's scripted reports instead of the synthetic drive. */
  track: RulesTrack | undefined;
  inflight: number;
}

const PUBLISH_OPTIONS: IClientPublishOptions = { qos: 1 };
const TICK_MS = 100;
const CONNECT_TIMEOUT_MS = 30_000;

let conns: Conn[] = [];
let vehicleIndex = 0;
/** Vehicles outlive connections, so seq and ts keep increasing from phase to phase. */
const vehicles = new Map<string, Vehicle>();
const tracks = new Map<string, RulesTrack>();
let world: { key: string; area: Area; places: BenchPlace[] } | undefined;
/** Alerts the probes made due since the last report to the main thread. */
let triggers: ProbeTrigger[] = [];

function trackOf(o: ConnectCommand, device: BenchDevice): RulesTrack | undefined {
  if (!o.track || !device.track) return undefined;
  let track = tracks.get(device.id);
  if (!track) {
    const key = `${o.track.places}:${o.track.placeSeed}`;
    if (world?.key !== key) world = { key, ...generatePlaces(o.track.places, o.track.placeSeed) };
    track = new RulesTrack(device.id, o.track, device.track, world);
    tracks.set(device.id, track);
  }
  return track;
}

function post(event: WorkerEvent, transfer: ArrayBuffer[] = []): void {
  port.postMessage(event, transfer);
}

/** A connection that failed before its CONNACK; `retry` when a storm should try it again. */
class ConnectFailure extends Error {
  readonly retry: boolean;
  constructor(message: string, retry: boolean) {
    super(message);
    this.retry = retry;
  }
}

function connectOne(o: ConnectCommand, device: BenchDevice, localAddress: string | undefined): Promise<Conn> {
  return new Promise((resolve, reject) => {
    const options: IClientOptions = {
      clientId: device.id,
      username: device.id,
      password: device.token,
      keepalive: o.keepaliveS,
      protocolVersion: 4,
      clean: true,
      reconnectPeriod: 0,
      connectTimeout: CONNECT_TIMEOUT_MS,
    };
    // mqtt.js's own TCP stream takes no source address; a stream of ours does.
    const client =
      localAddress === undefined
        ? mqtt.connect(`mqtt://127.0.0.1:${o.port}`, options)
        : new MqttClient(() => createConnection({ host: '127.0.0.1', port: o.port, localAddress }), options);
    const fail = (err: Error & { code?: unknown }) => {
      client.end(true);
      // CONNACK 3 (server unavailable: over the connect rate) and a connection lost before its
      // CONNACK are what a storm meets and tries again; a refused login is a failure.
      const retry = err.code === 3 || !(typeof err.code === 'number');
      reject(new ConnectFailure(`${device.id}: ${err.message}`, retry));
    };
    client.once('error', fail);
    client.once('close', () => fail(new Error('connection closed before CONNACK')));
    client.once('connect', () => {
      client.removeAllListeners('error');
      client.removeAllListeners('close');
      client.on('error', () => {}); // counted through 'close' and publish errors
      let vehicle = vehicles.get(device.id);
      if (!vehicle) {
        vehicle = newVehicle(vehicleIndex++);
        vehicles.set(device.id, vehicle);
      }
      resolve({
        device,
        client,
        topic: `devices/${device.id}/telemetry`,
        vehicle,
        source: undefined,
        track: trackOf(o, device),
        inflight: 0,
      });
    });
  });
}

async function connectAll(o: ConnectCommand): Promise<void> {
  const started = performance.now();
  const storm = o.retryAfterMs !== undefined;
  const deadline = started + (o.deadlineMs ?? Number.POSITIVE_INFINITY);
  const connackUs: number[] = [];
  let retries = 0;
  const made: Conn[] = [];
  let firstError: string | undefined;
  let failed = 0;
  const progress = storm
    ? setInterval(() => post({ type: 'connect-progress', connected: made.length, retries }), 250)
    : undefined;

  /** One device: tried again after refusals (a storm) until it connects or the deadline passes. */
  const connectDevice = async (device: BenchDevice, index: number): Promise<void> => {
    const localAddress = o.localAddresses?.[index % o.localAddresses.length];
    for (;;) {
      const t0 = performance.now();
      try {
        made.push(await connectOne(o, device, localAddress));
        if (storm) connackUs.push((performance.now() - t0) * 1000);
        return;
      } catch (err) {
        const failure = err instanceof ConnectFailure ? err : new ConnectFailure(String(err), false);
        const pause = (o.retryAfterMs ?? 0) * (0.5 + Math.random());
        if (!storm || !failure.retry || performance.now() + pause > deadline) {
          firstError ??= failure.message;
          failed++;
          return;
        }
        retries++;
        await new Promise((r) => setTimeout(r, pause));
      }
    }
  };

  // A sliding window of at most `concurrency` attempts at once (default: all at once).
  const limit = Math.max(1, o.concurrency ?? o.devices.length);
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < o.devices.length) {
      const i = next++;
      await connectDevice(o.devices[i] as BenchDevice, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, o.devices.length) }, lane));
  if (progress) clearInterval(progress);
  conns = made;
  // A storm reports what it made by its deadline; otherwise every device must connect.
  if (firstError !== undefined && !storm) {
    await disconnectAll();
    post({ type: 'connected', ok: false, error: firstError });
    return;
  }
  const latencies = Float64Array.from(connackUs);
  post(
    {
      type: 'connected',
      ok: true,
      ms: performance.now() - started,
      ...(storm ? { connackUs: latencies, retries, failed, ...(firstError ? { firstError } : {}) } : {}),
    },
    [latencies.buffer as ArrayBuffer],
  );
}

async function disconnectAll(): Promise<void> {
  const closing = conns.map(
    (c) =>
      new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          c.client.end(true);
          resolve();
        }, 5000);
        c.client.end(false, {}, () => {
          clearTimeout(timer);
          resolve();
        });
      }),
  );
  conns = [];
  await Promise.all(closing);
}

let abortRun: (() => void) | undefined;

function run(cmd: RunCommand): Promise<void> {
  return new Promise((resolveRun) => {
    const counters = zeroCounters();
    let latencies: number[] = [];
    let outstanding = 0;
    let running = true;
    let finished = false;
    let maxTsLeadMs = 0;
    const endPerf = performance.now() + (cmd.endAt - Date.now());
    const { batch, inflight, rate } = cmd;

    const takeLatencies = (): Float64Array => {
      const out = Float64Array.from(latencies);
      latencies = [];
      return out;
    };

    for (const c of conns) {
      if (!c.track && c.source?.records !== batch) c.source = new BatchSource(c.vehicle, batch);
    }

    const payloadOf = (c: Conn, now: number): Buffer => {
      if (!c.track) return (c.source as BatchSource).next(now);
      const next = c.track.nextRecord(now);
      if (next.triggers.length > 0) triggers.push(...next.triggers);
      return Buffer.from(encodeTelemetryBatch([next.record]));
    };
    const takeTriggers = (): ProbeTrigger[] => {
      const out = triggers;
      triggers = [];
      return out;
    };

    const publish = (c: Conn): void => {
      const now = Date.now();
      const payload = payloadOf(c, now);
      const lead = (c.track?.lastTs ?? c.vehicle.lastTs) - now;
      if (lead > maxTsLeadMs) maxTsLeadMs = lead;
      c.inflight++;
      outstanding++;
      counters.sent++;
      const t0 = performance.now();
      c.client.publish(c.topic, payload, PUBLISH_OPTIONS, (err) => {
        const t1 = performance.now();
        c.inflight--;
        outstanding--;
        if (err) counters.errors++;
        else {
          latencies.push((t1 - t0) * 1000);
          if (t1 <= endPerf) {
            counters.acked++;
            counters.ackedRecords += batch;
          } else {
            counters.drained++;
            counters.drainedRecords += batch;
          }
        }
        if (running) {
          if (rate === 0 && !err) fill(c);
        } else if (outstanding === 0) finish();
      });
    };

    const fill = (c: Conn): void => {
      while (running && c.inflight < inflight && c.client.connected) {
        if (performance.now() >= endPerf) {
          stop();
          return;
        }
        publish(c);
      }
    };

    const onClose = () => {
      counters.disconnects++;
    };
    for (const c of conns) c.client.on('close', onClose);

    // Paced runs: a token bucket over all of this worker's connections, served round-robin.
    let pacer: NodeJS.Timeout | undefined;
    if (rate > 0) {
      let tokens = 0;
      let last = performance.now();
      let next = 0;
      const burst = Math.max(1, rate * 0.01); // at most 10 ms of messages at once
      const pace = () => {
        if (!running) return;
        const now = performance.now();
        if (now >= endPerf) {
          stop();
          return;
        }
        tokens += ((now - last) * rate) / 1000;
        last = now;
        let scanned = 0;
        while (tokens >= 1 && scanned < conns.length) {
          const c = conns[next] as Conn;
          next = (next + 1) % conns.length;
          if (c.inflight < inflight && c.client.connected) {
            publish(c);
            tokens -= 1;
            scanned = 0;
          } else scanned++;
        }
        if (tokens > burst) {
          counters.missedSlots += Math.floor(tokens - burst);
          tokens = burst;
        }
        pacer = setTimeout(pace, 1);
      };
      pacer = setTimeout(pace, 0);
    }

    const ticker = setInterval(() => {
      const latencyUs = takeLatencies();
      post({ type: 'tick', counters: { ...counters }, latencyUs, triggers: takeTriggers() }, [
        latencyUs.buffer as ArrayBuffer,
      ]);
    }, TICK_MS);
    const endTimer = setTimeout(() => stop(), Math.max(0, endPerf - performance.now()));
    let drainTimer: NodeJS.Timeout | undefined;

    function stop(): void {
      if (!running) return;
      running = false;
      clearTimeout(endTimer);
      if (pacer) clearTimeout(pacer);
      if (outstanding === 0) finish();
      else drainTimer = setTimeout(finish, cmd.drainTimeoutMs);
    }

    function finish(): void {
      if (finished) return;
      finished = true;
      running = false;
      clearTimeout(endTimer);
      if (pacer) clearTimeout(pacer);
      if (drainTimer) clearTimeout(drainTimer);
      clearInterval(ticker);
      for (const c of conns) c.client.off('close', onClose);
      abortRun = undefined;
      const latencyUs = takeLatencies();
      const lastSeq: Record<string, number> = {};
      for (const c of conns) lastSeq[c.device.id] = c.track?.seq ?? c.vehicle.seq;
      post(
        {
          type: 'done',
          counters: { ...counters },
          latencyUs,
          triggers: takeTriggers(),
          unacked: outstanding,
          maxTsLeadMs,
          lastSeq,
        },
        [latencyUs.buffer as ArrayBuffer],
      );
      resolveRun();
    }

    abortRun = () => {
      running = false;
      finish();
    };

    if (rate === 0) for (const c of conns) fill(c);
  });
}

port.on('message', (cmd: WorkerCommand) => {
  const fail = (err: unknown) =>
    post({ type: 'error', error: err instanceof Error ? (err.stack ?? err.message) : String(err) });
  switch (cmd.type) {
    case 'connect':
      connectAll(cmd).catch(fail);
      break;
    case 'run':
      run(cmd).catch(fail);
      break;
    case 'disconnect':
      disconnectAll().then(() => post({ type: 'disconnected' }), fail);
      break;
    case 'abort':
      abortRun?.();
      for (const c of conns) c.client.end(true);
      conns = [];
      post({ type: 'disconnected' });
      break;
  }
});
