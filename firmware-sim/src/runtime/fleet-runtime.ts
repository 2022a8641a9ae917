// The fleet runtime: many simulated devices in one process on ONE shared tick.
//
// Each tick (tickMs, default 100 ms):
//   1. advance the timer wheel (every connection's keep-alive);
//   2. visit one slot of the device wheel: with visitTicks = 10 a tenth of the fleet, so each
//      device is visited once a second: connectivity hook, model steps up to device time,
//      records sampled at their scheduled times, sends;
//   3. open connections from the connect ramp: at most connectRate per second, none for a while
//      after a CONNACK 3, and at most a window of attempts awaiting their CONNACK. The window
//      works like TCP's congestion window: it doubles per window of quick CONNACKs, halves on
//      congestion (a CONNACK 3, a timeout, or a CONNACK slower than a quarter of the timeout),
//      then grows by one per window. A busy platform answers CONNECTs slowly (measured: ~60/s
//      while it ingests 6,000 devices), and 500 waiting attempts would only time out.
// Nothing else schedules work: no per-device timers, no closure per record. PUBACKs, commands
// and closes arrive as mqtt.js callbacks on each device's link.
//
// Stopping: no more visits; every connected device sends what it holds (batches not waited
// for) and its PUBACKs are awaited up to a timeout; then every connection is closed with a
// DISCONNECT and the tick stops, leaving no timer behind.
import { MsHistogram } from '@fleet/shared';
import mqtt, { type MqttClient, type Timer } from 'mqtt';
import type { ConnectivityHook, RuntimeModel } from './contract.ts';
import { DeviceClock } from './device-clock.ts';
import { DeviceLink, type LinkContext } from './device-link.ts';
import { parseRuntimeOptions, type RuntimeOptions, type RuntimeOptionsInput } from './options.ts';
import { TickTimers } from './tick-timers.ts';
import {
  type DeviceStatus,
  type LinkState,
  type RuntimeCounters,
  type RuntimeEventName,
  type RuntimeEvents,
  zeroCounters,
} from './types.ts';

export interface SimulatedDevice {
  id: string;
  token: string;
  /** A DeviceModel of ../device-model.ts (or anything with the methods the runtime drives). */
  model: RuntimeModel;
  /** Default: the model's own `connectivity`, if it has one. */
  connectivity?: ConnectivityHook;
  /**
   * First seq of this run. Default: the wall clock in ms when the runtime is created, so seq
   * keeps increasing across runs without any state (see README: a device makes far fewer than
   * 1,000 records per wall second, so a run never reaches the next run's start).
   */
  firstSeq?: number;
}

/** A snapshot for status lines and metrics: cumulative counters plus gauges. */
export interface RuntimeStats extends RuntimeCounters {
  devices: number;
  /** Devices by connection state. */
  states: Record<LinkState, number>;
  /** Devices connected now (state online). */
  connected: number;
  /** Records and events sent and not yet acknowledged. */
  unacked: number;
  /** Records and events waiting to be sent (offline, backing off, or batching). */
  buffered: number;
  /** Device time, ms since the epoch. */
  deviceTimeMs: number;
  timeCompression: number;
  /** How late the last tick ran, ms: large values mean the simulator itself is the bottleneck. */
  tickLagMs: number;
  /** Connection attempts allowed to await their CONNACK at once now (adaptive, see above). */
  connectWindow: number;
  /** Telemetry records each device may hold (outboxCapacity within fleetBufferRecords). */
  outboxCapacity: number;
  /** Wall-clock ms of the snapshot. */
  atMs: number;
}

export interface StopSummary {
  /** Records and events still unacknowledged or unsent when the connections closed (lost). */
  unacked: number;
  buffered: number;
  /** True when every connected device's outbox emptied before the timeout. */
  drained: boolean;
}

export interface FleetRuntime {
  /** Starts the tick. Devices connect through the ramp over the first seconds. */
  start(): void;
  /** Flushes and awaits PUBACKs up to `timeoutMs` (default 10 s), then disconnects everything. */
  stop(options?: { timeoutMs?: number }): Promise<StopSummary>;
  stats(): RuntimeStats;
  /**
   * PUBACK latencies (ms from publish to PUBACK) since the last call, as [ms, count] pairs
   * (MsHistogram.toPairs); each call starts a new interval. One consumer: the status reporter.
   */
  takeAckLatencies(): [number, number][];
  device(id: string): DeviceStatus | undefined;
  /** Subscribes to runtime events; returns the unsubscribe function. */
  on<K extends RuntimeEventName>(type: K, listener: (event: RuntimeEvents[K]) => void): () => void;
  readonly options: RuntimeOptions;
}

export interface RuntimeDeps {
  random?: () => number;
  /** Wall clock, ms since the epoch. */
  wallNow?: () => number;
  /** Monotonic clock, ms. */
  monoNow?: () => number;
  /** Creates an MQTT client (default mqtt.connect). */
  connect?: (url: string, options: mqtt.IClientOptions) => MqttClient;
}

const LINK_CLOSE_TIMEOUT_MS = 2000;
const INITIAL_CONNECT_WINDOW = 64;
const MIN_CONNECT_WINDOW = 8;
/** A tick later than this many periods is not caught up tick by tick: the schedule restarts. */
const MAX_TICK_CATCH_UP = 20;

export function createFleetRuntime(
  devices: readonly SimulatedDevice[],
  input: RuntimeOptionsInput,
  deps: RuntimeDeps = {},
): FleetRuntime {
  const options = parseRuntimeOptions(input);
  const random = deps.random ?? Math.random;
  const wallNow = deps.wallNow ?? Date.now;
  const monoNow = deps.monoNow ?? (() => performance.now());
  const connectClient = deps.connect ?? ((url, o) => mqtt.connect(url, o));

  const ids = new Set<string>();
  for (const d of devices) {
    if (ids.has(d.id)) throw new Error(`device ${d.id} is listed twice`);
    ids.add(d.id);
  }

  const counters = zeroCounters();
  const ackLatency = new MsHistogram();
  const timers = new TickTimers(options.tickMs);
  const mqttTimer = {
    set: (fn: () => void, ms?: number) => timers.setInterval(fn, ms ?? 0),
    clear: (id: number) => timers.clearInterval(id),
  } as unknown as Timer; // mqtt.js types `set` after worker-timers' (Function, ...args)
  const clock = new DeviceClock({
    startMs: options.deviceStartMs ?? wallNow(),
    compression: options.timeCompression,
    wallNow,
    monoNow,
  });
  const listeners = new Map<RuntimeEventName, Set<(event: never) => void>>();

  let deviceNow = clock.startMs;
  let flushing = false;
  let connecting = 0;
  let connectWindow = Math.min(options.maxConnecting, INITIAL_CONNECT_WINDOW);
  let slowStartUntil = options.maxConnecting; // TCP's ssthresh
  let lastShrinkAt = Number.NEGATIVE_INFINITY;
  let busyUntil = 0;

  const ctx: LinkContext = {
    options,
    sendPolicy: {
      batchSize: options.batchSize,
      maxBatchRecords: options.maxBatchRecords,
      maxDelayMs: options.maxBatchDelayS * 1000,
    },
    outboxCapacity: Math.max(
      1,
      Math.min(options.outboxCapacity, Math.floor(options.fleetBufferRecords / Math.max(1, devices.length))),
    ),
    counters,
    ackLatency,
    timer: mqttTimer,
    random,
    wallNow,
    deviceNow: () => deviceNow,
    get flushing() {
      return flushing;
    },
    emit(type, event) {
      const set = listeners.get(type);
      if (!set) return;
      for (const l of set) (l as (e: typeof event) => void)(event);
    },
    connectSettled(outcome) {
      connecting--;
      if (outcome === 'ok') {
        const step = connectWindow < slowStartUntil ? 1 : 1 / connectWindow;
        connectWindow = Math.min(options.maxConnecting, connectWindow + step);
      } else if (outcome === 'congested') {
        // One halving per second: a burst of slow answers is one congestion signal, not fifty.
        const now = monoNow();
        if (now - lastShrinkAt >= 1000) {
          lastShrinkAt = now;
          connectWindow = Math.max(MIN_CONNECT_WINDOW, connectWindow / 2);
          slowStartUntil = connectWindow;
        }
      }
    },
    serverBusy() {
      busyUntil = Math.max(busyUntil, wallNow() + options.busyPauseMs * (0.5 + random() * 0.5));
    },
    connect: connectClient,
  };

  const defaultFirstSeq = wallNow();
  const links = devices.map(
    (d) =>
      new DeviceLink(
        {
          id: d.id,
          token: d.token,
          model: d.model,
          connectivity: d.connectivity,
          firstSeq: d.firstSeq ?? defaultFirstSeq,
        },
        ctx,
        clock.startMs,
      ),
  );
  const byId = new Map(links.map((l) => [l.id, l]));

  // The connect ramp: a FIFO of links waiting for a connection slot, and a token bucket.
  let rampQueue: DeviceLink[] = [];
  let rampHead = 0;
  let rampTokens = 0;
  const rampBurst = Math.max(1, (options.connectRate * options.tickMs * 2) / 1000);

  let started = false;
  let running = false;
  let stopped = false;
  let tickTimer: NodeJS.Timeout | undefined;
  let tickCount = 0;
  let nextTickAt = 0;
  let lastTickAt = 0;
  let tickLagMs = 0;
  let stopping: Promise<StopSummary> | undefined;
  let drainCheck: (() => void) | undefined;

  function openConnections(wall: number, elapsedMs: number): void {
    rampTokens = Math.min(rampBurst, rampTokens + (elapsedMs * options.connectRate) / 1000);
    if (wall < busyUntil) return;
    while (rampHead < rampQueue.length && rampTokens >= 1 && connecting < Math.floor(connectWindow)) {
      const link = rampQueue[rampHead++] as DeviceLink;
      if (link.state !== 'queued') continue; // went offline while queued, or queued twice
      rampTokens -= 1;
      connecting++;
      link.connect();
    }
    if (rampHead === rampQueue.length) {
      rampQueue = [];
      rampHead = 0;
    } else if (rampHead > 1024 && rampHead * 2 > rampQueue.length) {
      rampQueue = rampQueue.slice(rampHead);
      rampHead = 0;
    }
  }

  function tick(): void {
    const mono = monoNow();
    const elapsed = lastTickAt === 0 ? options.tickMs : mono - lastTickAt;
    lastTickAt = mono;
    tickLagMs = Math.max(0, mono - nextTickAt);
    tickCount++;
    try {
      timers.advance(tickCount);
      deviceNow = clock.now();
      const wall = wallNow();
      if (running) {
        const slots = options.visitTicks;
        for (let i = tickCount % slots; i < links.length; i += slots) {
          const link = links[i] as DeviceLink;
          if (link.visit(deviceNow, wall)) {
            link.state = 'queued';
            rampQueue.push(link);
          }
        }
        openConnections(wall, elapsed);
      } else if (flushing) {
        for (const link of links) link.pump();
        drainCheck?.();
      }
    } catch (err) {
      // A bug in one visit must not stop the fleet's clock; surface it like a model error.
      counters.modelErrors++;
      ctx.emit('model-error', { deviceId: '', error: err });
    }
    if (!running && !flushing) return;
    nextTickAt += options.tickMs;
    const now = monoNow();
    if (now - nextTickAt > options.tickMs * MAX_TICK_CATCH_UP) nextTickAt = now + options.tickMs;
    tickTimer = setTimeout(tick, Math.max(0, nextTickAt - now));
  }

  function stats(): RuntimeStats {
    const states: Record<LinkState, number> = {
      idle: 0,
      offline: 0,
      waiting: 0,
      queued: 0,
      connecting: 0,
      online: 0,
      stopped: 0,
    };
    let unacked = 0;
    let buffered = 0;
    for (const l of links) {
      states[l.state]++;
      unacked += l.telemetry.inflightRecords + l.events.inflightRecords;
      buffered += l.telemetry.queued + l.events.queued;
    }
    return {
      ...counters,
      devices: links.length,
      states,
      connected: states.online,
      unacked,
      buffered,
      deviceTimeMs: deviceNow,
      timeCompression: options.timeCompression,
      tickLagMs,
      connectWindow: Math.floor(connectWindow),
      outboxCapacity: ctx.outboxCapacity,
      atMs: wallNow(),
    };
  }

  function heldTotals(): { unacked: number; buffered: number } {
    const s = stats();
    return { unacked: s.unacked, buffered: s.buffered };
  }

  async function shutdown(timeoutMs: number): Promise<StopSummary> {
    const wasRunning = running;
    running = false;
    let drained = true;
    if (wasRunning) {
      // Flush: keep ticking (keep-alives, sends) without visits until every connected device
      // has nothing queued or in flight, or the time is up.
      flushing = true;
      const deadline = monoNow() + timeoutMs;
      drained = await new Promise<boolean>((resolve) => {
        drainCheck = () => {
          const busy = links.some((l) => (l.state === 'online' || l.state === 'connecting') && !l.drained);
          if (!busy) resolve(true);
          else if (monoNow() >= deadline) resolve(false);
        };
        drainCheck();
      });
      drainCheck = undefined;
    }
    const held = heldTotals();
    // Closing a link re-queues what it had in flight, so count before closing.
    await Promise.all(links.map((l) => l.close(LINK_CLOSE_TIMEOUT_MS)));
    flushing = false;
    if (tickTimer) clearTimeout(tickTimer);
    tickTimer = undefined;
    timers.clear();
    rampQueue = [];
    rampHead = 0;
    stopped = true;
    return { ...held, drained };
  }

  return {
    options,
    start() {
      if (started) throw new Error('the fleet runtime was started already');
      started = true;
      running = true;
      lastTickAt = 0;
      nextTickAt = monoNow();
      tickTimer = setTimeout(tick, 0);
    },
    stop(o = {}) {
      if (stopped) return Promise.resolve({ ...heldTotals(), drained: true });
      stopping ??= shutdown(o.timeoutMs ?? 10_000);
      return stopping;
    },
    stats,
    takeAckLatencies() {
      const pairs = ackLatency.toPairs();
      ackLatency.reset();
      return pairs;
    },
    device(id) {
      return byId.get(id)?.status();
    },
    on(type, listener) {
      let set = listeners.get(type);
      if (!set) {
        set = new Set();
        listeners.set(type, set);
      }
      const entry = listener as (event: never) => void;
      set.add(entry);
      return () => {
        set.delete(entry);
      };
    },
  };
}
