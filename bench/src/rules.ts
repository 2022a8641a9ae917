import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Assets, Installations, newPlaceSchema, newVehicleSchema, Places } from '@fleet/api';
import {
  ensureDemoOrganisation,
  freePort,
  loadConfig,
  openDomainDatabase,
  silentLogger,
} from '@fleet/shared';
import { DeviceRegistry, withAuditActor } from '@fleet/shared/db';
import WebSocket from 'ws';
import { BenchRun, platformProcesses } from './harness.ts';
import { type MetricSample, metricByLabel, metricSum, scrapeMetrics } from './hub-stats.ts';
import { parseBenchArgs, readResultsFile } from './options.ts';
import { ROOT } from './paths.ts';
import { apiJson, login } from './platform-api.ts';
import { lineChartSvg } from './plot.ts';
import { machineInfo, UsageMonitor } from './proc-stats.ts';
import { fmt } from './progress.ts';
import {
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
import {
  type AlertSeen,
  engineShare,
  matchAlerts,
  type WebhookSeen,
  webhookArrivals,
} from './rules-match.ts';
import { estimatedRulesRunS, parseRulesOptions, RULES_HELP, type RulesOptions } from './rules-options.ts';
import {
  parseRulesResults,
  type RulesPhase,
  type RulesResults,
  renderRulesSection,
  rulesLatencyChart,
} from './rules-report.ts';
import {
  BENCH_RULES,
  EPISODE_RECORDS,
  generatePlaces,
  PROBED_KINDS,
  type ProbeTrigger,
  type RulesTrackSpec,
} from './rules-scenario.ts';

const PLACE_SEED = 12;
const KEEPALIVE_S = 60;
const CONNECT_CONCURRENCY = 250;
const INFLIGHT = 2;
const DRAIN_TIMEOUT_MS = 30_000;
const ALL_DAY = { from: '00:00', to: '24:00' };

const run = new BenchRun(10);
const { progress, live } = run;

// ---------------------------------------------------------------------------------------------
// Run state and clean-up

/** The load and listeners of the run, stopped before the platform on the way out. */
const state: { workers: LoadWorker[]; hub?: WebSocket; receiver?: Server } = { workers: [] };

async function stopLoad(): Promise<void> {
  state.hub?.terminate();
  state.receiver?.close();
  await stopLoadWorkers(state.workers);
}

// ---------------------------------------------------------------------------------------------
// Provisioning: the devices and their vans as `npm start` makes them, then the places.

async function provision(
  o: RulesOptions,
  tmp: string,
): Promise<{ orgId: string; devices: BenchDevice[]; placesSeedS: number; vehiclesSeedS: number }> {
  const config = loadConfig({ DATA_DIR: tmp });
  const db = await openDomainDatabase(config, silentLogger());
  try {
    // The devices, each installed on a van of its own, straight through the registry and the
    // asset repositories (the demo company of npm start looks each van up by plate before it
    // creates it, which grows with the fleet; the bench's vans are all new).
    const vehiclesStarted = performance.now();
    const org = await ensureDemoOrganisation(db);
    const registry = new DeviceRegistry(db);
    const assets = new Assets(db, org.id);
    const installations = new Installations(db, org.id);
    const every = Math.max(1, Math.floor(o.devices / o.probes));
    let probe = 0;
    const devices: BenchDevice[] = [];
    await withAuditActor({ kind: 'system', label: 'bench' }, async () => {
      for (let index = 0; index < o.devices; index++) {
        const n = String(index + 1).padStart(5, '0');
        const { device, token } = await registry.provision({
          orgId: org.id,
          name: `rules-bench-${n}`,
          kind: 'vehicle',
        });
        const van = await assets.create(newVehicleSchema.parse({ name: `Bench van ${n}`, plate: `RB-${n}` }));
        await installations.install(van.id, { deviceId: device.id, installedAt: Date.now(), note: null });
        // Probes spread over the fleet (every k-th device), so they share streets evenly.
        const isProbe = index % every === 0 && probe < o.probes;
        devices.push({ id: device.id, token, track: { index, probe: isProbe ? probe++ : undefined } });
        if ((index + 1) % 250 === 0) {
          live(`bench: vans ${fmt(index + 1)}/${fmt(o.devices)}`, index + 1);
          await sleep(0); // let a Ctrl-C through: the embedded database's promises never yield
        }
      }
    });
    const vehiclesSeedS = (performance.now() - vehiclesStarted) / 1000;

    const started = performance.now();
    const { places } = generatePlaces(o.places, PLACE_SEED);
    const repo = new Places(db, org.id);
    await withAuditActor({ kind: 'system', label: 'bench' }, async () => {
      for (const [i, p] of places.entries()) {
        await repo.create(
          newPlaceSchema.parse({
            name: p.name,
            category: p.category,
            speedLimitKmh: p.speedLimitKmh,
            geometry: p.geometry,
          }),
        );
        if ((i + 1) % 250 === 0) {
          live(`bench: places ${fmt(i + 1)}/${fmt(places.length)}`, i + 1);
          await sleep(0);
        }
      }
    });
    return { orgId: org.id, devices, placesSeedS: (performance.now() - started) / 1000, vehiclesSeedS };
  } finally {
    await db.close(); // PGlite allows one process: the platform opens it next
  }
}

// ---------------------------------------------------------------------------------------------
// The hub client and the webhook receiver

class AlertListener {
  readonly opened: AlertSeen[] = [];
  readonly frames: Record<string, number> = {};

  static async open(httpPort: number, token: string): Promise<AlertListener> {
    const listener = new AlertListener();
    const ws = new WebSocket(`ws://127.0.0.1:${httpPort}/ws?token=${encodeURIComponent(token)}`);
    state.hub = ws;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('the hub did not confirm the subscription')), 15_000);
      ws.once('error', reject);
      ws.once('open', () => ws.send(JSON.stringify({ op: 'subscribe', topics: ['alerts'] })));
      ws.on('message', (data) => {
        const at = Date.now();
        const frame = JSON.parse(String(data)) as { type: string; change?: string; alert?: AlertWire };
        if (frame.type === 'subscribed') {
          clearTimeout(timer);
          resolve();
        }
        if (frame.type !== 'alert' || !frame.alert || !frame.change) return;
        listener.frames[frame.change] = (listener.frames[frame.change] ?? 0) + 1;
        if (frame.change === 'opened') listener.opened.push(alertSeen(frame.alert, at));
      });
    });
    ws.on('close', (code) => {
      if (!run.stopping) progress(`bench: the hub closed the alerts client (${code})`);
    });
    return listener;
  }
}

interface AlertWire {
  id: string;
  ruleName: string | null;
  kind: string;
  deviceId: string | null;
  startedAt: string;
  raisedAt: string;
}

const alertSeen = (a: AlertWire, at: number): AlertSeen => ({
  id: a.id,
  ruleName: a.ruleName,
  kind: a.kind,
  deviceId: a.deviceId,
  startedAt: Date.parse(a.startedAt),
  raisedAt: Date.parse(a.raisedAt),
  at,
});

/** docs/notifications.md, "Checking the signature". */
function signatureOk(secret: string, headers: Record<string, unknown>, raw: Buffer): boolean {
  const timestamp = headers['x-fleet-timestamp'];
  const signature = headers['x-fleet-signature'];
  if (typeof timestamp !== 'string' || !/^\d{1,12}$/.test(timestamp) || typeof signature !== 'string')
    return false;
  if (Math.abs(Date.now() / 1000 - Number(timestamp)) > 300) return false;
  const expected = Buffer.from(
    `v1=${createHmac('sha256', secret).update(`${timestamp}.`).update(raw).digest('hex')}`,
  );
  const given = Buffer.from(signature);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

async function startReceiver(): Promise<{ url: string; hooks: WebhookSeen[]; setSecret(s: string): void }> {
  const hooks: WebhookSeen[] = [];
  let secret = '';
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const at = Date.now();
      res.writeHead(204).end(); // answer first, then look (as docs/notifications.md asks)
      const raw = Buffer.concat(chunks);
      const ok = signatureOk(secret, req.headers, raw);
      try {
        const body = JSON.parse(raw.toString('utf8')) as { type: string; alerts: AlertWire[] };
        hooks.push({
          at,
          type: body.type,
          signatureOk: ok,
          alerts: body.alerts.map((a) => alertSeen(a, at)),
        });
      } catch {
        hooks.push({ at, type: 'unreadable', signatureOk: false, alerts: [] });
      }
    });
  });
  state.receiver = server;
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${port}/fleet-hook`, hooks, setSecret: (s) => (secret = s) };
}

// ---------------------------------------------------------------------------------------------
// Metrics of the platform

interface Counters {
  stored: number;
  evaluated: number;
  changes: Record<string, number>;
  ruleErrors: number;
  writes: number;
  writeSeconds: number;
  lagP99Ms: number | null;
  lagMaxMs: number | null;
}

function counters(s: MetricSample[]): Counters {
  const ingest = { process: 'ingest' };
  const has = s.some((x) => x.name === 'nodejs_eventloop_lag_p99_seconds' && x.labels.process === 'ingest');
  return {
    stored: metricSum(s, 'fleet_ingest_records_total', { outcome: 'stored' }),
    evaluated: metricSum(s, 'fleet_rules_records_total'),
    changes: metricByLabel(s, 'fleet_rules_alert_changes_total', 'change'),
    ruleErrors: metricSum(s, 'fleet_rules_errors_total'),
    writes: metricSum(s, 'fleet_rules_write_seconds_count'),
    writeSeconds: metricSum(s, 'fleet_rules_write_seconds_sum'),
    lagP99Ms: has ? metricSum(s, 'nodejs_eventloop_lag_p99_seconds', ingest) * 1000 : null,
    lagMaxMs: has ? metricSum(s, 'nodejs_eventloop_lag_max_seconds', ingest) * 1000 : null,
  };
}

// ---------------------------------------------------------------------------------------------
// Phases

interface RunContext {
  o: RulesOptions;
  httpPort: number;
  monitor: UsageMonitor;
  alerts: AlertListener;
  hooks: WebhookSeen[];
  triggers: ProbeTrigger[];
  puback: ReturnType<typeof newLatencyHistogram>;
  notes: string[];
}

async function measure(
  ctx: RunContext,
  key: RulesPhase['key'],
  title: string,
  rules: number,
): Promise<{ phase: RulesPhase; from: number; to: number }> {
  const { o, monitor } = ctx;
  const before = counters(await scrapeMetrics(ctx.httpPort)); // also resets the loop-delay window
  const c0 = sumCounters(state.workers.map((w) => w.counters));
  ctx.puback.reset();
  const from = Date.now();
  const t0 = performance.now();
  monitor.start();
  const alertsBefore = ctx.alerts.opened.length;
  const hooksBefore = ctx.hooks.length;
  let lastAcked = c0.acked;
  for (let s = 1; s <= o.durationS; s++) {
    const wait = t0 + s * 1000 - performance.now();
    if (wait > 0) await sleep(wait);
    const c = sumCounters(state.workers.map((w) => w.counters));
    const cpu = monitor.recentCpuPct();
    live(
      `[${title}] ${s}/${o.durationS} s · acked ${fmt(c.acked - lastAcked)}/s · alerts ${fmt(ctx.alerts.opened.length - alertsBefore)} · webhooks ${fmt(ctx.hooks.length - hooksBefore)} · CPU device side ${fmt(cpu.ingest ?? 0)}% api ${fmt(cpu.api ?? 0)}% launcher ${fmt(cpu.launcher ?? 0)}% questdb ${fmt(cpu.questdb ?? 0)}% publisher ${fmt(cpu.publisher ?? 0)}%`,
      s,
    );
    lastAcked = c.acked;
  }
  const usage = monitor.stop();
  const elapsedS = (performance.now() - t0) / 1000;
  const to = Date.now();
  const after = counters(await scrapeMetrics(ctx.httpPort));
  const c1 = sumCounters(state.workers.map((w) => w.counters));
  const acked = c1.acked - c0.acked;
  // A saturated device side may not answer the launcher's metrics request in time: then its
  // counters are missing from /metrics, and the acknowledged records (a PUBACK means stored) count.
  const storedDelta = after.stored - before.stored;
  const stored = storedDelta > 0 ? storedDelta : acked;
  if (storedDelta <= 0 && acked > 0)
    ctx.notes.push(
      `${title}: the device side's counters were missing from /metrics (it did not answer the launcher in time); records per CPU second are counted from the PUBACKs instead.`,
    );
  const deviceSideCpuS = ((usage.processes.ingest?.cpuPct ?? 0) / 100) * elapsedS;
  const writes = after.writes - before.writes;
  const changes: Record<string, number> = {};
  for (const k of new Set([...Object.keys(before.changes), ...Object.keys(after.changes)]))
    changes[k] = (after.changes[k] ?? 0) - (before.changes[k] ?? 0);
  const phase: RulesPhase = {
    key,
    title,
    rules,
    durationS: elapsedS,
    sentPerS: (c1.sent - c0.sent) / elapsedS,
    ackedPerS: acked / elapsedS,
    storedRecords: stored,
    storedPerS: stored / elapsedS,
    pubackMs: summarizeHistogram(ctx.puback),
    usage,
    deviceSideCpuS,
    cpuUsPerRecord: stored > 0 ? (deviceSideCpuS / stored) * 1e6 : 0,
    loopLagP99Ms: after.lagP99Ms,
    loopLagMaxMs: after.lagMaxMs,
    evaluated: after.evaluated - before.evaluated,
    alertChanges: changes,
    ruleErrors: after.ruleErrors - before.ruleErrors,
    writes,
    writeMeanMs: writes > 0 ? ((after.writeSeconds - before.writeSeconds) / writes) * 1000 : null,
  };
  progress(
    `[${title}] ${fmt(phase.ackedPerS)} records/s acked, ${fmt(phase.storedPerS)} stored, device side ${fmt(usage.processes.ingest?.cpuPct ?? 0)}% CPU = ${phase.cpuUsPerRecord.toFixed(1)} µs per record, PUBACK p99 ${fmt(phase.pubackMs.p99)} ms`,
  );
  return { phase, from, to };
}

async function waitLive(label: string, seconds: number): Promise<void> {
  for (let s = 1; s <= seconds; s++) {
    await sleep(1000);
    const c = sumCounters(state.workers.map((w) => w.counters));
    live(`[${label}] ${s}/${seconds} s · acked ${fmt(c.acked)} records so far`, s);
  }
}

// ---------------------------------------------------------------------------------------------

async function main(): Promise<number> {
  const o = parseBenchArgs(() => parseRulesOptions(process.argv.slice(2), ROOT), RULES_HELP);
  if (typeof o === 'number') return o;
  if (o.render !== undefined) {
    const results = readResultsFile(o.render, parseRulesResults);
    if (!results) return 2;
    await writeResults(results, o.render, o.out);
    return 0;
  }

  const { notes } = run;
  progress(
    `bench: about ${Math.ceil(estimatedRulesRunS(o) / 60)} min for ${fmt(o.devices)} devices, ${fmt(o.places)} places, 20 rules`,
  );
  const loadBefore = loadavg();
  const busyBefore = await run.checkQuiet();
  const tmp = run.tempDir('fleet-rules-bench-');
  const questdb = await run.startQuestDb(tmp);

  progress(`bench: provisioning ${fmt(o.devices)} devices on vehicles and ${fmt(o.places)} places`);
  const { devices, placesSeedS, vehiclesSeedS } = await provision(o, tmp);
  progress(
    `bench: ${fmt(o.devices)} devices on vans in ${vehiclesSeedS.toFixed(0)} s, ${fmt(o.places)} places in ${placesSeedS.toFixed(0)} s`,
  );

  const platform = await run.startPlatform({
    dataDir: tmp,
    questdbUrl: questdb.httpUrl,
    env: {
      // The hub closes a socket when its token expires: outlive the run.
      AUTH_ACCESS_TOKEN_TTL_S: '86400',
      // Connecting 10,000 devices is not what is measured.
      MQTT_CONNECT_RATE: '100000',
      MQTT_CONNECT_BURST: '100000',
    },
    startTimeoutMs: 120_000,
  });
  const { mqttPort, httpPort, adminPassword: password } = platform;
  run.onStop(stopLoad);
  const token = await login(httpPort, password);

  // Working hours all day: after-hours use is evaluated on every record and never holds.
  await apiJson(httpPort, token, 'PATCH', '/api/v1/organisation', {
    workingHours: Object.fromEntries(
      ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map((d) => [d, [ALL_DAY]]),
    ),
  });
  const ruleIds: string[] = [];
  for (const r of BENCH_RULES) {
    const created = await apiJson<{ id: string }>(httpPort, token, 'POST', '/api/v1/rules', {
      name: r.name,
      kind: r.kind,
      severity: r.severity,
      enabled: false,
      params: r.params,
      ...(r.placeCategories ? { scope: { placeCategories: r.placeCategories } } : {}),
    });
    ruleIds.push(created.id);
  }
  const receiver = await startReceiver();
  const channel = await apiJson<{ secret: string }>(
    httpPort,
    token,
    'POST',
    '/api/v1/notification-channels',
    {
      kind: 'webhook',
      name: 'bench receiver',
      url: receiver.url,
      minSeverity: 'info',
      kinds: PROBED_KINDS,
      events: ['opened'],
    },
  );
  receiver.setSecret(channel.secret);
  const alerts = await AlertListener.open(httpPort, token);
  progress(
    `bench: ${ruleIds.length} rules created (off), a webhook channel, the hub's alerts topic subscribed`,
  );

  const children = platformProcesses(platform.child.pid as number);
  if (children.deviceSide === undefined || children.apiSide === undefined)
    throw new Error('could not find the platform processes (child.ts ingest / api) below the launcher');
  const monitor = new UsageMonitor();
  monitor.watchPid('ingest', children.deviceSide);
  monitor.watchPid('api', children.apiSide);
  monitor.watchPid('launcher', platform.child.pid as number);
  monitor.watchPid('questdb', questdb.pid);
  monitor.watchSelf('publisher');

  const track: RulesTrackSpec = { places: o.places, placeSeed: PLACE_SEED, probeEveryS: o.probeEveryS };
  state.workers.push(...startLoadWorkers(devices, 1));
  const connectStarted = performance.now();
  const connecting = connectLoadWorkers(state.workers, mqttPort, KEEPALIVE_S, {
    concurrency: CONNECT_CONCURRENCY,
    track,
  });
  const timeout = sleep(o.connectTimeoutS * 1000).then(() => {
    throw new Error(`the devices did not connect within ${o.connectTimeoutS} s`);
  });
  await Promise.race([connecting, timeout]);
  const connectS = (performance.now() - connectStarted) / 1000;
  progress(`bench: ${fmt(devices.length)} devices connected over MQTT in ${connectS.toFixed(0)} s`);

  const ctx: RunContext = {
    o,
    httpPort,
    monitor,
    alerts,
    hooks: receiver.hooks,
    triggers: [],
    puback: newLatencyHistogram(),
    notes,
  };
  for (const w of state.workers) {
    w.onTriggers = (t) => ctx.triggers.push(...t);
    w.onLatency = (us) => recordLatencies(ctx.puback, us);
  }
  // One run over every phase: the load never pauses between them, and goes on after the last
  // window until every episode begun in it is complete (the engine's tick would otherwise open a
  // speeding alert of a probe gone quiet at 130 km/h, which the probe never announced).
  const totalS = o.warmupS + 2 * o.durationS + o.settleS + EPISODE_RECORDS + 10;
  const running = Promise.all(
    state.workers.map((w) =>
      w.request(
        {
          type: 'run',
          phase: 'rules',
          endAt: Date.now() + totalS * 1000,
          rate: w.devices.length,
          inflight: INFLIGHT,
          batch: 1,
          drainTimeoutMs: DRAIN_TIMEOUT_MS,
        },
        'done',
      ),
    ),
  );

  await waitLive('warm-up', o.warmupS);
  const off = await measure(ctx, 'rules-off', 'rules off', 0);
  progress('bench: switching the 20 rules on');
  for (const id of ruleIds) await apiJson(httpPort, token, 'PATCH', `/api/v1/rules/${id}`, { enabled: true });
  await waitLive('settle', o.settleS);
  const on = await measure(ctx, 'rules-on', '20 rules on', ruleIds.length);
  await running;
  progress(`bench: waiting ${o.drainS} s for late alerts and webhooks`);
  await waitLive('drain', o.drainS);
  await disconnectLoadWorkers(state.workers);

  const after = platformProcesses(platform.child.pid as number);
  if (after.deviceSide !== children.deviceSide || after.apiSide !== children.apiSide)
    notes.push(
      'A platform process was started again during the run (its pid changed): CPU figures are partial.',
    );

  const hub = matchAlerts(ctx.triggers, alerts.opened, on.from, on.to);
  const arrivals = webhookArrivals(receiver.hooks);
  const webhooks = matchAlerts(ctx.triggers, arrivals, on.from, on.to);
  const results: RulesResults = {
    bench: 'rules',
    date: new Date().toISOString(),
    machine: machineInfo(),
    before: { loadAvg: loadBefore, busyPct: busyBefore },
    parameters: {
      devices: o.devices,
      places: o.places,
      probes: o.probes,
      probeEveryS: o.probeEveryS,
      durationS: o.durationS,
      warmupS: o.warmupS,
      settleS: o.settleS,
      drainS: o.drainS,
      rules: BENCH_RULES.map((r) => ({ name: r.name, kind: r.kind })),
      placesSeedS,
      connectS,
    },
    phases: [off.phase, on.phase],
    engine:
      engineShare(
        { cpuS: off.phase.deviceSideCpuS, records: off.phase.storedRecords },
        { cpuS: on.phase.deviceSideCpuS, records: on.phase.storedRecords },
      ) ?? null,
    hub,
    webhooks: {
      ...webhooks,
      requests: receiver.hooks.length,
      badSignatures: receiver.hooks.filter((h) => !h.signatureOk).length,
      alertsCarried: arrivals.length,
    },
    frames: alerts.frames,
    triggers: ctx.triggers.length,
    notes,
  };
  await writeResults(results, join(ROOT, `bench/results/rules-${o.devices}.json`), o.out);
  return 0;
}

/** Writes the results file, the plot and the report section, and prints the section. */
async function writeResults(results: RulesResults, jsonPath: string, reportPath: string): Promise<void> {
  const chart = rulesLatencyChart(results);
  const section = renderRulesSection(results, 'plots');
  run.writeResults({
    results,
    jsonPath,
    reportPath,
    sections: [{ heading: 'Rules', markdown: section }],
    plots: chart ? [{ file: 'rules-latency.svg', svg: await lineChartSvg(chart) }] : [],
    summary: section,
    summaryHasNotes: true,
  });
}

run.main(main);
