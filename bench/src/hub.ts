// npm run bench:hub -- [options]
//
// End-to-end benchmark of the live hub: a managed QuestDB, the real platform process
// (node platform/src/main.ts: broker + ingest + API + WebSocket hub), MQTT devices publishing
// positions from a worker thread of this process, and N WebSocket clients in a receiver child
// process (hub-receiver.ts). Measures, per client count and rate, positions/s published and
// delivered, frames/s and bytes/s, and the latency from the MQTT publish to the WebSocket frame.
// Writes bench/REPORT.md (section '## Hub') and bench/results/hub.json. See bench/README.md.
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { DEMO_ORGANISATION, MsHistogram, settings, stopChild } from '@fleet/shared';
import { DeviceRegistry, migrate, openDatabase } from '@fleet/shared/db';
import { BenchRun } from './harness.ts';
import { frameEncodingFigures } from './hub-encoding.ts';
import { estimatedRunS, HUB_HELP, type HubOptions, parseHubOptions } from './hub-options.ts';
import type { EnsureCommand, ReceiverCommand, ReceiverEvent, ReceiverPhaseStats } from './hub-protocol.ts';
import {
  type HubPhaseResult,
  type HubResults,
  hubResultsTable,
  hubTargetsTable,
  mbPerS,
  parseHubResults,
  renderHubSection,
  withDerived,
} from './hub-report.ts';
import { counterDelta, type MetricSample, metricByLabel, metricSum, scrapeMetrics } from './hub-stats.ts';
import { parseBenchArgs, readResultsFile } from './options.ts';
import { ROOT } from './paths.ts';
import { login } from './platform-api.ts';
import { canPin, kernelThreads, machineInfo, pinSelf, spawnNode, UsageMonitor } from './proc-stats.ts';
import { descendants } from './proc-tree.ts';
import { fmt } from './progress.ts';
import {
  AnswerWaiter,
  type BenchDevice,
  connectLoadWorkers,
  disconnectLoadWorkers,
  type LoadWorker,
  newLatencyHistogram,
  recordLatencies,
  startLoadWorkers,
  stopLoadWorkers,
  sumCounters,
  summarizeHistogram,
} from './protocol.ts';
import { checkEncoder, newVehicle, nextBatch } from './telemetry-encoder.ts';

const DRAIN_TIMEOUT_MS = 30_000;
const KEEPALIVE_S = 30;
const CONNECT_CONCURRENCY = 50;
const CONNECT_TIMEOUT_MS = 60_000;

// ---------------------------------------------------------------------------------------------
// Progress: one live line on a terminal, a plain line every 5 s otherwise.

const run = new BenchRun(5);
const { progress, live } = run;

// ---------------------------------------------------------------------------------------------
// The receiver process

type ReceiverAnswer<T extends ReceiverEvent['type']> = Extract<ReceiverEvent, { type: T }>;

class Receivers {
  readonly child: ChildProcess;
  readonly output: string[];
  last: ReceiverAnswer<'tick'> | undefined;
  #ready: Promise<void>;
  readonly #answers = new AnswerWaiter<ReceiverEvent>();

  constructor(cpu: number | undefined) {
    const { child, output } = spawnNode('receivers', ['bench/src/hub-receiver.ts'], {
      cwd: ROOT,
      env: { ...process.env },
      cpu,
      ipc: true,
      log: progress,
    });
    this.child = child;
    this.output = output;
    this.#ready = this.#answers.expect('ready').then(() => {});
    child.on('message', (e: ReceiverEvent) => this.#onEvent(e));
    child.on('error', (err) => this.#answers.fail(err));
    child.on('exit', (code, signal) =>
      this.#answers.fail(new Error(`the receiver process exited (${signal ?? `code ${code}`})`)),
    );
  }

  ready(): Promise<void> {
    return this.#ready;
  }

  #onEvent(e: ReceiverEvent): void {
    if (e.type === 'tick') {
      this.last = e;
      return;
    }
    if (e.type === 'error') this.#answers.fail(new Error(`receiver: ${e.error}`));
    else this.#answers.deliver(e);
  }

  post(cmd: ReceiverCommand): void {
    if (!this.#answers.dead && this.child.connected) this.child.send(cmd);
  }

  request<T extends ReceiverEvent['type']>(cmd: ReceiverCommand, answer: T): Promise<ReceiverAnswer<T>> {
    return this.#answers.expect(answer, () => this.child.send(cmd));
  }
}

// ---------------------------------------------------------------------------------------------
// The run's resources, released by cleanup() however the run ends

interface RunState {
  tmp?: string;
  receivers?: Receivers;
  workers: LoadWorker[];
}

const state: RunState = { workers: [] };

/** The load workers and the receivers, stopped before the platform on the way out. */
async function stopLoad(): Promise<void> {
  await stopLoadWorkers(state.workers);
  if (state.receivers) await stopChild(state.receivers.child, 5000);
}

/** Devices of the `demo` organisation, provisioned straight into the registry (PGlite). */
async function provision(dir: string, n: number): Promise<BenchDevice[]> {
  const db = await openDatabase({ pgliteDir: join(dir, 'pg') });
  try {
    await migrate(db);
    const registry = new DeviceRegistry(db);
    const org = await registry.ensureOrganisation(DEMO_ORGANISATION, 'Demo organisation');
    const devices: BenchDevice[] = [];
    for (let i = 0; i < n; i++) {
      const { device, token } = await registry.provision({
        orgId: org.id,
        name: `hub-bench-${String(i + 1).padStart(5, '0')}`,
        kind: 'vehicle',
      });
      devices.push({ id: device.id, token });
    }
    return devices;
  } finally {
    await db.close(); // PGlite allows one process: the platform opens it next
  }
}

/** The platform's settings on top of the bench defaults (harness.ts). */
function platformSettingsFor(o: HubOptions): Record<string, string> {
  return {
    // The hub closes a socket when its token expires: outlive the run.
    AUTH_ACCESS_TOKEN_TTL_S: '86400',
    // High enough that no rate limit caps the bench.
    MQTT_DEVICE_MSG_RATE: '100000',
    MQTT_DEVICE_MSG_BURST: '100000',
    MQTT_CONNECT_RATE: '100000',
    MQTT_CONNECT_BURST: '100000',
    ...(o.tickMs === undefined ? {} : { HUB_TICK_MS: String(o.tickMs) }),
    ...o.platformSettings,
  };
}

/** A setting's value as the platform will see it: the bench's override or the default. */
function settingValue(
  env: Record<string, string>,
  name: 'HUB_TICK_MS' | 'HUB_COALESCE_BYTES' | 'HUB_MAX_BUFFER_BYTES',
) {
  return settings[name].schema.parse(env[name]);
}

interface HubCounters {
  positionsOnBus: number;
  framesSent: number;
  coalesced: number;
  closed: Record<string, number>;
  lagP99Ms: number | null;
  lagMaxMs: number | null;
}

function hubCounters(samples: MetricSample[]): HubCounters {
  const has = (name: string) => samples.some((s) => s.name === name);
  return {
    positionsOnBus: metricSum(samples, 'fleet_ingest_positions_published_total'),
    framesSent: metricSum(samples, 'fleet_ws_frames_sent_total', { type: 'positions' }),
    coalesced: metricSum(samples, 'fleet_ws_frames_dropped_total', { reason: 'coalesced' }),
    closed: metricByLabel(samples, 'fleet_ws_closed_total', 'reason'),
    lagP99Ms: has('nodejs_eventloop_lag_p99_seconds')
      ? metricSum(samples, 'nodejs_eventloop_lag_p99_seconds') * 1000
      : null,
    lagMaxMs: has('nodejs_eventloop_lag_max_seconds')
      ? metricSum(samples, 'nodejs_eventloop_lag_max_seconds') * 1000
      : null,
  };
}

// ---------------------------------------------------------------------------------------------
// Phases

interface RunContext {
  o: HubOptions;
  wsUrl: string;
  httpPort: number;
  monitor: UsageMonitor;
  receivers: Receivers;
  tickMs: number;
  /** Notes gathered while running (connection retries ...). */
  notes: string[];
}

/** How a phase's clients listen: the frame format, and the viewport (devices in it) or none. */
interface Listening {
  format: 'json' | 'columns';
  viewportVehicles: number | undefined;
}

/**
 * A box around the bench fleet's centre holding about `vehicles` of `devices` devices: the fleet
 * starts at a distance from Helsinki drawn evenly from 0..0.075° (telemetry-encoder's newVehicle),
 * so the share within a radius is proportional to the radius, and a square of the same area as
 * that circle holds about the same share.
 */
function benchViewport(vehicles: number, devices: number): NonNullable<EnsureCommand['viewport']> {
  const r = 0.075;
  const share = Math.min(1, vehicles / devices);
  const a = share * r * Math.sqrt(Math.PI);
  const cosLat = Math.cos((60.17 * Math.PI) / 180);
  const halfLon = a / 2 / cosLat;
  return {
    bbox: [24.94 - halfLon, 60.17 - a / 2, 24.94 + halfLon, 60.17 + a / 2],
    zoom: 13,
    jitterDeg: a / 20,
  };
}

async function ensureClients(ctx: RunContext, n: number, how: Listening): Promise<void> {
  const closedBefore = hubCounters(await scrapeMetrics(ctx.httpPort)).closed;
  const r = await ctx.receivers.request(
    {
      type: 'ensure',
      url: ctx.wsUrl,
      clients: n,
      sample: ctx.o.sample,
      concurrency: CONNECT_CONCURRENCY,
      timeoutMs: CONNECT_TIMEOUT_MS,
      format: how.format,
      ...(how.viewportVehicles === undefined
        ? {}
        : { viewport: benchViewport(how.viewportVehicles, ctx.o.devices) }),
    },
    'ensured',
  );
  if (r.open !== n) {
    throw new Error(
      `only ${r.open} of ${n} WebSocket clients are open (${r.failed} failed attempts): ${r.failures.join('; ')}`,
    );
  }
  if (r.failed > 0) {
    const serverSide = counterDelta(closedBefore, hubCounters(await scrapeMetrics(ctx.httpPort)).closed);
    const text =
      `${r.failed} WebSocket connection attempt${r.failed === 1 ? '' : 's'} failed and ${r.failed === 1 ? 'was' : 'were'} retried while opening ${fmt(n)} clients: ${r.failures.join('; ')}` +
      ` (fleet_ws_closed_total meanwhile: ${JSON.stringify(serverSide)})`;
    progress(`bench: ${text}`);
    ctx.notes.push(`${text}.`);
  }
  if (r.opened > 0 || r.closed > 0) {
    progress(
      `bench: ${fmt(n)} WebSocket client${n === 1 ? '' : 's'} open (${fmt(r.opened)} connected, ${fmt(r.closed)} closed in ${(r.ms / 1000).toFixed(1)} s)`,
    );
  }
}

/** Unmeasured load: warms the JIT, the hub's state and QuestDB's tables before measuring. */
async function warmUp(ctx: RunContext, rate: number): Promise<void> {
  if (ctx.o.warmupS <= 0) return;
  progress(`bench: warm-up, ${ctx.o.warmupS} s at ${fmt(rate)} positions/s`);
  await publish(ctx, rate, Date.now() + ctx.o.warmupS * 1000, 'warm-up');
}

function publish(ctx: RunContext, rate: number, endAt: number, phase: string) {
  const total = state.workers.reduce((n, w) => n + w.devices.length, 0);
  return Promise.all(
    state.workers.map((w) =>
      w.request(
        {
          type: 'run',
          phase,
          endAt,
          rate: (rate * w.devices.length) / total,
          inflight: ctx.o.inflight,
          batch: 1,
          drainTimeoutMs: DRAIN_TIMEOUT_MS,
        },
        'done',
      ),
    ),
  );
}

async function runPhase(
  ctx: RunContext,
  clients: number,
  rate: number,
  how: Listening,
): Promise<HubPhaseResult> {
  const { o, monitor, receivers } = ctx;
  const watching = how.viewportVehicles === undefined ? '' : ` viewport ~${fmt(how.viewportVehicles)}`;
  const title = `${fmt(clients)} client${clients === 1 ? '' : 's'}${watching} @ ${fmt(rate)}/s ${how.format}`;
  await ensureClients(ctx, clients, how);
  const puback = newLatencyHistogram();
  for (const w of state.workers) {
    w.counters = undefined;
    w.onLatency = (us) => recordLatencies(puback, us);
  }
  const before = hubCounters(await scrapeMetrics(ctx.httpPort)); // also resets the loop-lag window
  const start = Date.now();
  const end = start + o.durationS * 1000;
  const startedAt = performance.now();
  receivers.post({ type: 'window', start, end });
  monitor.start();
  const done = publish(ctx, rate, end, title);

  // One sample per second of the window, shown as progress.
  const timeline: HubPhaseResult['timeline'] = [];
  let usage: ReturnType<UsageMonitor['stop']> | undefined;
  const ticker = (async () => {
    let lastAcked = 0;
    let lastTick = receivers.last;
    for (let s = 1; s <= o.durationS; s++) {
      const wait = startedAt + s * 1000 - performance.now();
      if (wait > 0) await sleep(wait);
      const c = sumCounters(state.workers.map((w) => w.counters));
      const acked = c.acked + c.drained;
      // The receiver reports once a second on its own clock; no new report means its event loop
      // did not get to its timer (it is saturated), and the figures stay empty for that second.
      const r = receivers.last;
      const fresh = r !== undefined && r !== lastTick;
      // Per second since the previous report (after a gap, that covers several seconds).
      const spanS = fresh && lastTick !== undefined ? Math.max(0.1, (r.at - lastTick.at) / 1000) : 1;
      const frames = fresh ? (r.frames - (lastTick?.frames ?? 0)) / spanS : 0;
      const bytes = fresh ? (r.bytes - (lastTick?.bytes ?? 0)) / spanS : 0;
      const entry: HubPhaseResult['timeline'][number] = {
        s,
        ackedPerS: acked - lastAcked,
        framesPerS: fresh ? frames : null,
        mbPerS: fresh ? bytes / 1e6 : null,
        p50Ms: fresh && r.samples > 0 ? r.p50Ms : null,
        p99Ms: fresh && r.samples > 0 ? r.p99Ms : null,
      };
      if (fresh) lastTick = r;
      lastAcked = acked;
      timeline.push(entry);
      const cpu = monitor.recentCpuPct();
      const cpuText = ['platform', 'questdb', 'publisher', 'receivers']
        .filter((k) => cpu[k] !== undefined)
        .map((k) => `${k} ${Math.round(cpu[k] ?? 0)}%`)
        .join(' ');
      live(
        `[${title}] ${String(s).padStart(3)}/${o.durationS}s  ${fmt(entry.ackedPerS).padStart(6)} pos/s acked  ` +
          (fresh
            ? `${fmt(frames).padStart(6)} frames/s  ${mbPerS(bytes)} MB/s  latency p50 ${entry.p50Ms ?? '-'} p99 ${entry.p99Ms ?? '-'} ms  `
            : '(no report from the receivers this second)  ') +
          `open ${fmt(r?.open ?? 0)}  cpu: ${cpuText}`,
        s,
      );
    }
    usage = monitor.stop();
  })();
  const answers = await done;
  await ticker;
  for (const w of state.workers) w.onLatency = undefined;
  // Frames still on their way: a tick, the send and some slack.
  await sleep(Math.max(2 * ctx.tickMs, 300) + 700);
  const stats: ReceiverPhaseStats = (await receivers.request({ type: 'collect' }, 'collected')).stats;
  const after = hubCounters(await scrapeMetrics(ctx.httpPort));

  const c = sumCounters(answers.map((a) => a.counters));
  const unacked = answers.reduce((n, a) => n + a.unacked, 0);
  const durationS = o.durationS;
  const latency = new MsHistogram();
  latency.addPairs(stats.latency);
  const stored = c.acked + c.drained;
  const perSample = stats.sampleClients > 0 ? stats.samplePositions / stats.sampleClients : 0;
  const result: HubPhaseResult = {
    key: `clients-${clients}-rate-${rate}-${how.format}${how.viewportVehicles === undefined ? '' : `-viewport-${how.viewportVehicles}`}`,
    title,
    format: how.format,
    ...(how.viewportVehicles === undefined ? {} : { viewportVehicles: how.viewportVehicles }),
    clients,
    rate,
    durationS,
    publish: {
      sent: c.sent,
      acked: c.acked,
      drained: c.drained,
      unacked,
      errors: c.errors,
      disconnects: c.disconnects,
      missedSlots: c.missedSlots,
      sentPerS: c.sent / durationS,
      ackedPerS: c.acked / durationS,
      pubackMs: summarizeHistogram(puback),
    },
    hub: {
      positionsOnBus: after.positionsOnBus - before.positionsOnBus,
      framesSent: after.framesSent - before.framesSent,
      coalesced: after.coalesced - before.coalesced,
      closed: counterDelta(before.closed, after.closed),
      loopLagP99Ms: after.lagP99Ms,
      loopLagMaxMs: after.lagMaxMs,
    },
    received: {
      clients: stats.clients,
      sampleClients: stats.sampleClients,
      frames: stats.frames,
      framesThroughEnd: stats.framesThroughCollect,
      framesPerS: stats.frames / durationS,
      framesPerSPerClient: stats.clients > 0 ? stats.frames / durationS / stats.clients : 0,
      perClientFramesPerS: {
        min: stats.perClientFrames.min / durationS,
        p50: stats.perClientFrames.p50 / durationS,
        max: stats.perClientFrames.max / durationS,
      },
      otherFrames: stats.otherFrames,
      bytes: stats.bytes,
      bytesPerS: stats.bytes / durationS,
      bytesPerFrame:
        stats.frames + stats.otherFrames > 0 ? stats.bytes / (stats.frames + stats.otherFrames) : 0,
      positionsPerSPerClient: perSample / durationS,
      positionsPerFrame: stats.sampleFrames > 0 ? stats.samplePositions / stats.sampleFrames : 0,
      deliveredPct: stored > 0 ? (perSample / stored) * 100 : 0,
      closed: stats.closed,
      errors: stats.errors,
      openAtEnd: stats.openAtEnd,
      ahead: stats.ahead,
    },
    latencyMs: latency.summary(),
    receiver: {
      loopDelayP99Ms: stats.loopDelayP99Ms,
      loopDelayMaxMs: stats.loopDelayMaxMs,
      loopUtilization: stats.loopUtilization,
    },
    usage: usage ?? monitor.stop(),
    timeline,
  };
  const l = result.latencyMs;
  progress(
    `[${title}] ${fmt(result.publish.ackedPerS)} positions/s acked, ${result.received.framesPerSPerClient.toFixed(1)} frames/s per client, ` +
      `${mbPerS(result.received.bytesPerS)} MB/s, latency p50 ${l.p50} / p99 ${l.p99} / max ${l.max} ms` +
      (result.hub.coalesced > 0 ? `, ${fmt(result.hub.coalesced)} frames coalesced` : '') +
      (Object.keys(result.received.closed).length > 0
        ? `, clients closed: ${JSON.stringify(result.received.closed)}`
        : ''),
  );
  return result;
}

// ---------------------------------------------------------------------------------------------

async function main(): Promise<number> {
  const o = parseBenchArgs(() => parseHubOptions(process.argv.slice(2), ROOT), HUB_HELP);
  if (typeof o === 'number') return o;

  if (o.render !== undefined) {
    const results = readResultsFile(o.render, (text) => withDerived(parseHubResults(text)));
    if (!results) return 2;
    writeResults(results, o.render, o.out);
    return 0;
  }

  checkEncoder(1);
  const payloadBytes = nextBatch(newVehicle(0), 1, Date.now()).length;
  const pin = o.pin && canPin();
  const preNotes = run.notes;
  if (o.pin && !pin)
    preNotes.push('CPU pinning was asked for but is not available (needs 2 cores and taskset).');
  progress(`bench: about ${Math.ceil(estimatedRunS(o) / 60)} min for ${o.clients.length} client counts`);
  await run.checkQuiet();
  const tmp = run.tempDir('fleet-hub-bench-');
  // QuestDB first, so it is not pinned (children inherit this process's affinity).
  const questdb = await run.startQuestDb(tmp);
  if (pin) pinSelf(1);

  progress(`bench: provisioning ${fmt(o.devices)} devices`);
  const devices = await provision(tmp, o.devices);

  const env = platformSettingsFor(o);
  const platform = await run.startPlatform({
    dataDir: tmp,
    questdbUrl: questdb.httpUrl,
    env,
    ...(pin ? { cpu: 0 } : {}),
    ...(o.profileDir ? { profileDir: o.profileDir } : {}),
  });
  const { mqttPort, httpPort, adminPassword: password } = platform;
  run.onStop(stopLoad);
  const token = await login(httpPort, password);

  state.receivers = new Receivers(undefined); // inherits CPU 1 when pinned
  await state.receivers.ready();

  const monitor = new UsageMonitor();
  monitor.watchPid('platform', platform.child.pid as number);
  // The launcher forks the platform's sides (platform/src/supervisor.ts): the hub runs in the
  // API child, so each child is watched by its role, not only the launcher.
  for (const pid of descendants(platform.child.pid as number)) {
    let cmdline = '';
    try {
      cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
    } catch {
      continue;
    }
    const role = /child\.ts\s+(\S+)/.exec(cmdline)?.[1];
    if (role) monitor.watchPid(`platform:${role}`, pid);
  }
  monitor.watchPid('questdb', questdb.pid);
  monitor.watchSelf('publisher');
  monitor.watchPid('receivers', state.receivers.child.pid as number);
  // The kernel's softirq threads carry part of the loopback traffic when it is heavy.
  for (const k of kernelThreads('ksoftirqd/')) monitor.watchPid(k.name, k.pid);

  state.workers.push(...startLoadWorkers(devices, o.workers));
  await connectLoadWorkers(state.workers, mqttPort, KEEPALIVE_S);
  progress(`bench: ${fmt(devices.length)} devices connected over MQTT`);

  const tickMs = settingValue(env, 'HUB_TICK_MS');
  const ctx: RunContext = {
    o,
    wsUrl: `ws://127.0.0.1:${httpPort}/ws?token=${encodeURIComponent(token)}`,
    httpPort,
    monitor,
    receivers: state.receivers,
    tickMs,
    notes: preNotes,
  };
  const phases: HubPhaseResult[] = [];
  for (const clients of o.clients) {
    for (const format of o.formats) {
      const how: Listening = { format, viewportVehicles: undefined };
      await ensureClients(ctx, clients, how);
      await warmUp(ctx, o.lowRate > 0 ? o.lowRate : o.rate);
      for (const rate of o.lowRate > 0 ? [o.lowRate, o.rate] : [o.rate]) {
        phases.push(await runPhase(ctx, clients, rate, how));
      }
    }
  }
  for (const clients of o.viewportClients) {
    for (const format of o.formats) {
      const how: Listening = { format, viewportVehicles: o.viewportVehicles };
      await ensureClients(ctx, clients, how);
      await warmUp(ctx, o.rate);
      phases.push(await runPhase(ctx, clients, o.rate, how));
    }
  }

  await state.receivers.request({ type: 'close-all' }, 'closed-all');
  await disconnectLoadWorkers(state.workers);

  const layout = pin
    ? 'platform process pinned to CPU 0; the bench process (publisher worker) and the receiver process pinned to CPU 1; QuestDB unpinned (both CPUs)'
    : 'no CPU pinning';
  const results: HubResults = withDerived({
    bench: 'hub',
    date: new Date().toISOString(),
    machine: machineInfo(),
    parameters: {
      clients: o.clients,
      rate: o.rate,
      lowRate: o.lowRate,
      devices: o.devices,
      durationS: o.durationS,
      warmupS: o.warmupS,
      sample: o.sample,
      inflight: o.inflight,
      workers: state.workers.length,
      tickMs,
      coalesceBytes: settingValue(env, 'HUB_COALESCE_BYTES'),
      maxBufferBytes: settingValue(env, 'HUB_MAX_BUFFER_BYTES'),
      pinned: pin,
      payloadBytes,
      platformSettings: o.platformSettings,
      formats: o.formats,
      viewportClients: o.viewportClients,
      viewportVehicles: o.viewportVehicles,
    },
    layout,
    encoding: frameEncodingFigures(),
    phases,
    targets: [],
    runNotes: preNotes,
    notes: [],
  });
  writeResults(results, join(ROOT, 'bench/results/hub.json'), o.out);
  return 0;
}

/** Writes the results file and the report section, and prints the tables. */
function writeResults(results: HubResults, jsonPath: string, reportPath: string): void {
  run.writeResults({
    results,
    jsonPath,
    reportPath,
    sections: [{ heading: 'Hub', markdown: renderHubSection(results) }],
    summary: `${hubResultsTable(results)}\n\n${hubTargetsTable(results)}`,
  });
}

run.main(main);
