import { randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  DeviceRegistry,
  hashDeviceToken,
  migrate,
  newDeviceToken,
  openDatabase,
  type SqlDatabase,
} from '@fleet/shared/db';
import { QuestDbHttp } from '@fleet/shared/questdb';
import {
  CONNECT_HELP,
  type ConnectOptions,
  idleCapacity,
  parseConnectOptions,
  sourceAddresses,
} from './connect-options.ts';
import {
  type ConnectResults,
  type IdleResult,
  parseConnectResults,
  type ReportResult,
  renderConnectSection,
  type StormResult,
} from './connect-report.ts';
import { BenchRun, platformProcesses } from './harness.ts';
import { counterDelta, metricByLabel, metricSum, scrapeMetrics } from './hub-stats.ts';
import { parseBenchArgs, readResultsFile } from './options.ts';
import { ROOT } from './paths.ts';
import { machineInfo, readProc, UsageMonitor } from './proc-stats.ts';
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
import { settledCount } from './stored-count.ts';

/** Keep-alive of the bench's devices: long, so that phase (b) measures connections, not pings. */
const STORM_KEEPALIVE_S = 60;
const IDLE_KEEPALIVE_S = 600;
const RETRY_AFTER_MS = 1000;
const IDLE_HOLD_S = 20;

const run = new BenchRun(5);
const { progress, live } = run;

/** The provisioning database and the load workers, closed on the way out. */
const state: { db?: SqlDatabase; workers: LoadWorker[] } = { workers: [] };

async function stopWorkers(): Promise<void> {
  await stopLoadWorkers(state.workers);
}

/**
 * The bench's devices, straight into the registry's table in one statement per few thousand:
 * provisioning 50,000 one by one (a transaction, an audit row and a NOTIFY each) would take
 * minutes. Tokens and their SHA-256 are made exactly as DeviceRegistry.provision makes them.
 */
async function provision(dir: string, n: number): Promise<{ orgId: string; devices: BenchDevice[] }> {
  const db = await openDatabase({ pgliteDir: join(dir, 'pg') });
  state.db = db;
  await migrate(db);
  const org = await new DeviceRegistry(db).ensureOrganisation('bench-connect', 'Connect storm');
  const devices: BenchDevice[] = [];
  const CHUNK = 5000;
  for (let from = 0; from < n; from += CHUNK) {
    const ids: string[] = [];
    const names: string[] = [];
    const hashes: string[] = [];
    for (let i = from; i < Math.min(n, from + CHUNK); i++) {
      const id = randomUUID();
      const token = newDeviceToken();
      devices.push({ id, token });
      ids.push(id);
      names.push(`storm-${String(i + 1).padStart(6, '0')}`);
      hashes.push(hashDeviceToken(token));
    }
    await db.query(
      `insert into devices (id, org_id, kind, name, token_hash)
       select id, $1::uuid, 'vehicle', name, token_hash
       from unnest($2::text[], $3::text[], $4::text[]) as t(id, name, token_hash)`,
      [org.id, ids, names, hashes],
    );
    live(`bench: provisioned ${fmt(devices.length)}/${fmt(n)} devices`, devices.length / CHUNK);
  }
  await db.close();
  state.db = undefined;
  return { orgId: org.id, devices };
}

/** The open files limit (soft) of a process, from /proc/<pid>/limits. */
function openFilesLimit(pid: number | 'self'): number {
  const text = readFileSync(`/proc/${pid}/limits`, 'utf8');
  const m = /^Max open files\s+(\d+|unlimited)/m.exec(text);
  return m?.[1] === undefined || m[1] === 'unlimited' ? Number.MAX_SAFE_INTEGER : Number(m[1]);
}

function rssMb(pids: Record<string, number | undefined>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [name, pid] of Object.entries(pids)) {
    if (pid === undefined) continue;
    const p = pid === process.pid ? undefined : readProc(pid);
    const rss = pid === process.pid ? process.memoryUsage.rss() : p?.rssBytes;
    if (rss !== undefined) out[name] = rss / 2 ** 20;
  }
  return out;
}

interface Platform {
  mqttPort: number;
  httpPort: number;
  pids: { launcher: number; device: number; api: number | undefined; questdb: number };
}

async function stormConnect(
  p: Platform,
  devices: BenchDevice[],
  o: ConnectOptions,
  keepaliveS: number,
  label: string,
): Promise<{
  connected: number;
  connectS: number;
  connackUs: Float64Array[];
  retries: number;
  failed: number;
}> {
  state.workers.push(...startLoadWorkers(devices, o.workers));
  const started = performance.now();
  const connecting = connectLoadWorkers(state.workers, p.mqttPort, keepaliveS, {
    concurrency: o.window,
    localAddresses: sourceAddresses(devices.length),
    retryAfterMs: RETRY_AFTER_MS,
    deadlineMs: o.connectTimeoutS * 1000,
  });
  let done = false;
  const answers = connecting.finally(() => {
    done = true;
  });
  for (let s = 1; !done; s++) {
    await Promise.race([sleep(1000), answers.catch(() => {})]);
    if (done) break;
    const c = state.workers.reduce((n, w) => n + w.connectProgress.connected, 0);
    const r = state.workers.reduce((n, w) => n + w.connectProgress.retries, 0);
    live(`[${label}] ${s} s · connected ${fmt(c)}/${fmt(devices.length)} · retried ${fmt(r)}`, s);
  }
  const result = await answers;
  const connectS = (performance.now() - started) / 1000;
  const out = {
    connected: 0,
    connectS,
    connackUs: result.flatMap((a) => (a.connackUs ? [a.connackUs] : [])),
    retries: result.reduce((n, a) => n + (a.retries ?? 0), 0),
    failed: result.reduce((n, a) => n + (a.failed ?? 0), 0),
  };
  out.connected = out.connackUs.reduce((n, l) => n + l.length, 0);
  const firstError = result.find((a) => a.firstError)?.firstError;
  progress(
    `[${label}] ${fmt(out.connected)} of ${fmt(devices.length)} connected in ${connectS.toFixed(1)} s (${fmt(out.retries)} retried${out.failed > 0 ? `, ${fmt(out.failed)} failed: ${firstError}` : ''})`,
  );
  return out;
}

async function refusalsNow(httpPort: number): Promise<{ refusals: Record<string, number>; lookups: number }> {
  const m = await scrapeMetrics(httpPort);
  return {
    refusals: metricByLabel(m, 'fleet_mqtt_refusals_total', 'reason'),
    lookups: metricSum(m, 'fleet_mqtt_auth_lookups_total'),
  };
}

function watchAll(monitor: UsageMonitor, p: Platform): void {
  monitor.watchPid('launcher', p.pids.launcher);
  monitor.watchPid('device side', p.pids.device);
  if (p.pids.api !== undefined) monitor.watchPid('api side', p.pids.api);
  monitor.watchPid('questdb', p.pids.questdb);
  monitor.watchSelf('generator');
}

async function runStorm(p: Platform, devices: BenchDevice[], o: ConnectOptions): Promise<StormResult> {
  const monitor = new UsageMonitor();
  watchAll(monitor, p);
  const before = await refusalsNow(p.httpPort);
  monitor.start();
  const storm = await stormConnect(p, devices, o, STORM_KEEPALIVE_S, 'a storm');
  const usage = monitor.stop();
  const after = await refusalsNow(p.httpPort);
  const h = newLatencyHistogram();
  for (const l of storm.connackUs) recordLatencies(h, l);
  return {
    devices: devices.length,
    connected: storm.connected,
    connectS: storm.connectS,
    connackMs: summarizeHistogram(h),
    retries: storm.retries,
    refusals: counterDelta(before.refusals, after.refusals),
    registryLookups: after.lookups - before.lookups,
    usage,
  };
}

async function runReports(
  p: Platform,
  o: ConnectOptions,
  q: QuestDbHttp,
  orgId: string,
): Promise<ReportResult> {
  const monitor = new UsageMonitor();
  watchAll(monitor, p);
  const h = newLatencyHistogram();
  for (const w of state.workers) w.onLatency = (l) => recordLatencies(h, l);
  const storedBefore = (await settledCount(q, orgId, progress, 'a reports')).rows;
  const endAt = Date.now() + o.reportS * 1000;
  monitor.start();
  // One record a second per device: each worker paces its own devices (protocol.ts RunCommand).
  const running = Promise.all(
    state.workers.map((w) =>
      w.request(
        {
          type: 'run',
          phase: 'reports',
          endAt,
          rate: w.devices.length,
          inflight: 1,
          batch: 1,
          drainTimeoutMs: 15_000,
        },
        'done',
      ),
    ),
  );
  let finished = false;
  void running.finally(() => {
    finished = true;
  });
  for (let s = 1; !finished; s++) {
    await Promise.race([sleep(1000), running.catch(() => {})]);
    const c = sumCounters(state.workers.map((w) => w.counters));
    const cpu = monitor.recentCpuPct();
    live(
      `[a reports] ${Math.min(s, o.reportS)}/${o.reportS} s · acked ${fmt(c.acked)} · p99 so far ${fmt(summarizeHistogram(h).p99)} ms · CPU device side ${fmt(cpu['device side'] ?? 0)}% questdb ${fmt(cpu.questdb ?? 0)}% generator ${fmt(cpu.generator ?? 0)}%`,
      s,
    );
  }
  const done = await running;
  const usage = monitor.stop();
  const c = sumCounters(done.map((d) => d.counters));
  const stored = await settledCount(q, orgId, progress, 'a reports');
  const result: ReportResult = {
    seconds: o.reportS,
    sent: c.sent,
    acked: c.acked,
    errors: c.errors,
    disconnects: c.disconnects,
    unackedAtEnd: done.reduce((n, d) => n + d.unacked, 0),
    pubackMs: summarizeHistogram(h),
    storedRows: stored.rows - storedBefore,
    ackedRecords: c.ackedRecords + c.drainedRecords,
    usage,
  };
  progress(
    `[a reports] ${fmt(result.acked)} acked, PUBACK p50/p99 ${fmt(result.pubackMs.p50)}/${fmt(result.pubackMs.p99)} ms, ${fmt(result.storedRows)} stored for ${fmt(result.ackedRecords)} acked records`,
  );
  return result;
}

async function runIdle(
  p: Platform,
  devices: BenchDevice[],
  o: ConnectOptions,
  notes: string[],
): Promise<IdleResult> {
  const limits = { generator: openFilesLimit('self'), broker: openFilesLimit(p.pids.device) };
  const capacity = idleCapacity(o.idle, limits);
  if (capacity.cappedBy)
    notes.push(
      `Phase (b) asked for ${fmt(o.idle)} idle connections and held ${fmt(capacity.connections)}: the ${capacity.cappedBy}'s open files limit is ${fmt(limits[capacity.cappedBy])} (ulimit -Hn here; raising it needs CAP_SYS_RESOURCE, which this machine's root does not have), and each connection is a socket on both ends.`,
    );
  const pids = { 'device side': p.pids.device, launcher: p.pids.launcher, 'api side': p.pids.api };
  await sleep(3000); // the storm's disconnects settle
  const before = rssMb(pids);
  const storm = await stormConnect(p, devices.slice(0, capacity.connections), o, IDLE_KEEPALIVE_S, 'b idle');
  const held: Record<string, number> = { ...before };
  for (let s = 1; s <= IDLE_HOLD_S; s++) {
    await sleep(1000);
    for (const [k, v] of Object.entries(rssMb(pids))) held[k] = Math.max(held[k] ?? 0, v);
    live(
      `[b idle] holding ${fmt(storm.connected)} · ${s}/${IDLE_HOLD_S} s · device side ${fmt(held['device side'] ?? 0)} MB`,
      s,
    );
  }
  const perConn =
    storm.connected > 0
      ? (((held['device side'] ?? 0) - (before['device side'] ?? 0)) * 1024) / storm.connected
      : 0;
  progress(
    `[b idle] ${fmt(storm.connected)} held: device side ${fmt(before['device side'] ?? 0)} -> ${fmt(held['device side'] ?? 0)} MB (${perConn.toFixed(1)} KB each), launcher ${fmt(held.launcher ?? 0)} MB`,
  );
  return {
    asked: o.idle,
    held: storm.connected,
    cappedBy: capacity.cappedBy,
    openFilesLimit: limits,
    connectS: storm.connectS,
    holdS: IDLE_HOLD_S,
    rssMb: { before, held },
    deviceSideKbPerConnection: perConn,
  };
}

async function main(): Promise<number> {
  const o = parseBenchArgs(() => parseConnectOptions(process.argv.slice(2), ROOT), CONNECT_HELP);
  if (typeof o === 'number') return o;
  if (o.render !== undefined) {
    const results = readResultsFile(o.render, parseConnectResults);
    if (!results) return 2;
    writeResults(results, o.render, o.out);
    return 0;
  }

  const { notes } = run;
  const tmp = run.tempDir('fleet-connect-');
  const questdb = await run.startQuestDb(tmp);
  run.onStop(() => state.db?.close());
  const q = new QuestDbHttp(questdb.httpUrl);

  const total = Math.max(o.devices, o.idle);
  progress(`bench: provisioning ${fmt(total)} devices`);
  const { orgId, devices } = await provision(tmp, total);

  if (o.profileDir) mkdirSync(o.profileDir, { recursive: true });
  const platform = await run.startPlatform({
    dataDir: tmp,
    questdbUrl: questdb.httpUrl,
    env:
      o.connectRate > 0
        ? { MQTT_CONNECT_RATE: String(o.connectRate), MQTT_CONNECT_BURST: String(o.connectRate) }
        : {},
    ...(o.profileDir ? { profileDir: o.profileDir } : {}),
    startTimeoutMs: 120_000,
  });
  const { mqttPort, httpPort } = platform;
  run.onStop(stopWorkers);
  const launcher = platform.child.pid as number;
  const children = platformProcesses(launcher);
  if (children.deviceSide === undefined) throw new Error('the device side process was not found');
  const p: Platform = {
    mqttPort,
    httpPort,
    pids: { launcher, device: children.deviceSide, api: children.apiSide, questdb: questdb.pid },
  };
  await sleep(3000); // start-up work (seeding, rule loads) out of the way

  const storm = await runStorm(p, devices.slice(0, o.devices), o);
  const report = o.reportS > 0 && storm.connected > 0 ? await runReports(p, o, q, orgId) : undefined;
  await disconnectLoadWorkers(state.workers).catch(() => {});
  await stopWorkers();
  const idle = o.idle > 0 ? await runIdle(p, devices, o, notes) : undefined;
  await stopWorkers();

  const results: ConnectResults = {
    bench: 'connect',
    date: new Date().toISOString(),
    machine: machineInfo(),
    parameters: {
      devices: o.devices,
      reportS: o.reportS,
      idle: o.idle,
      workers: o.workers,
      window: o.window,
      connectRate: o.connectRate,
    },
    storm,
    report,
    idle,
    notes,
  };
  writeResults(results, join(ROOT, 'bench/results/connect.json'), o.out);
  return 0;
}

function writeResults(results: ConnectResults, jsonPath: string, reportPath: string): void {
  const section = renderConnectSection(results);
  run.writeResults({
    results,
    jsonPath,
    reportPath,
    sections: [{ heading: 'Connect storm', markdown: section }],
    summary: section,
    summaryHasNotes: true,
  });
}

run.main(main);
