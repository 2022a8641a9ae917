// npm run bench:k6 -- [options]
//
// The k6 device scripts (bench/k6/devices-{storm,steady,burst}.js: one device journey, every VU a
// device over MQTT through the project's k6 extension k6/x/fleetmqtt) against the real platform
// (node platform/src/main.ts at its defaults) with a managed QuestDB, the devices provisioned as
// `npm start` provisions its simulated fleet. Per script: k6 with --summary-export, CPU per
// process, then the rows counted in QuestDB. Writes '## k6 devices' in bench/REPORT.md and
// bench/results/k6-devices.json. See bench/README.md.
import { type ChildProcess, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { prepareSimulatedFleet, simCredentialsPath } from '@fleet/cli/sim-fleet';
import { loadConfig, spawnTied, stopChild } from '@fleet/shared';
import { QuestDbHttp } from '@fleet/shared/questdb';
import { parseK6Summary } from './fleet-report.ts';
import { BenchRun, watchPlatform } from './harness.ts';
import { metricSum, scrapeMetrics } from './hub-stats.ts';
import {
  burstMessages,
  estimatedK6DevicesRunS,
  K6_DEVICES_HELP,
  type K6DeviceScript,
  type K6DevicesOptions,
  parseK6DevicesOptions,
} from './k6-devices-options.ts';
import {
  type K6DeviceScriptResult,
  type K6DevicesResults,
  k6DevicesTable,
  parseK6DevicesResults,
  readK6Summary,
  renderK6DevicesSection,
} from './k6-devices-report.ts';
import { parseBenchArgs, readResultsFile } from './options.ts';
import { ROOT } from './paths.ts';
import { machineInfo, UsageMonitor } from './proc-stats.ts';
import { fmt } from './progress.ts';
import { countRows, settledCount } from './stored-count.ts';

const K6_BIN = join(ROOT, 'vendor/k6/k6');
/** The broker's per-device message burst (MQTT_DEVICE_MSG_BURST's default). */
const DEVICE_MSG_BURST = 200;

const run = new BenchRun(10);
const { progress, live } = run;
/** The k6 process of the script that runs now, stopped first on the way out. */
let k6Child: ChildProcess | undefined;

/** Builds vendor/k6/k6 with the extension unless it is already built from these sources. */
function ensureK6(): string {
  progress('bench: npm run k6:build (skips when vendor/k6/k6 is up to date)');
  const build = spawnSync('bash', [join(ROOT, 'scripts/build-k6.sh')], { cwd: ROOT, stdio: 'inherit' });
  if (build.status !== 0) throw new Error('building k6 with k6/x/fleetmqtt failed (scripts/build-k6.sh)');
  const version = spawnSync(K6_BIN, ['version'], { encoding: 'utf8' });
  if (!/k6\/x\/fleetmqtt/.test(version.stdout ?? ''))
    throw new Error(`${K6_BIN} has no k6/x/fleetmqtt:\n${version.stdout}`);
  return `${(version.stdout.split('\n')[0] ?? 'k6').replace(/\s*\(.*$/, '').trim()} with k6/x/fleetmqtt`;
}

interface RunContext {
  o: K6DevicesOptions;
  tmp: string;
  orgId: string;
  credentialsPath: string;
  mqttPort: number;
  httpPort: number;
  questdb: QuestDbHttp;
  monitor: UsageMonitor;
  notes: string[];
}

const SCRIPT_FILES: Record<K6DeviceScript, string> = {
  storm: 'bench/k6/devices-storm.js',
  steady: 'bench/k6/devices-steady.js',
  burst: 'bench/k6/devices-burst.js',
};

function scriptEnv(o: K6DevicesOptions, script: K6DeviceScript): Record<string, string> {
  switch (script) {
    case 'storm':
      return { SPREAD_S: String(o.spreadS), HOLD_S: String(o.holdS) };
    case 'steady':
      return { DURATION_S: String(o.durationS) };
    case 'burst':
      return { BACKLOG: String(o.backlog), BATCH: String(o.batch), INFLIGHT: String(o.inflight) };
  }
}

function scriptShape(o: K6DevicesOptions, script: K6DeviceScript): string {
  switch (script) {
    case 'storm':
      return `${fmt(o.devices)} devices connecting within ${o.spreadS} s, then 1 record/s each`;
    case 'steady':
      return `${fmt(o.devices)} devices, 1 record/s each, ${o.durationS} s measured`;
    case 'burst':
      return `${fmt(o.devices)} devices replaying ${fmt(o.backlog)} records each, ${o.batch} per message, ${o.inflight} in flight`;
  }
}

async function storedCounter(httpPort: number): Promise<number> {
  return metricSum(await scrapeMetrics(httpPort), 'fleet_ingest_records_total', { outcome: 'stored' });
}

async function runScript(ctx: RunContext, script: K6DeviceScript): Promise<K6DeviceScriptResult | undefined> {
  const { o } = ctx;
  const file = SCRIPT_FILES[script];
  const summaryPath = join(ctx.tmp, `k6-${script}-summary.json`);
  const rowsBefore = await countRows(ctx.questdb, 'telemetry', ctx.orgId);
  progress(`[${script}] ${file}: ${scriptShape(o, script)}; k6 first initialises ${fmt(o.devices)} VUs`);
  const env = {
    DEVICES_FILE: ctx.credentialsPath,
    DEVICES: String(o.devices),
    MQTT_PORT: String(ctx.mqttPort),
    BASE_URL: `http://127.0.0.1:${ctx.httpPort}`,
    ...scriptEnv(o, script),
  };
  const args = [
    'run',
    '--no-color',
    `--summary-export=${summaryPath}`,
    '--summary-trend-stats=avg,med,p(95),p(99),max',
    ...Object.entries(env).flatMap(([k, v]) => ['-e', `${k}=${v}`]),
    file,
  ];
  const child = spawnTied(K6_BIN, args, {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, K6_NO_USAGE_REPORT: 'true' },
  });
  k6Child = child;
  const tail: string[] = [];
  let k6Status = '';
  for (const stream of [child.stdout, child.stderr]) {
    if (!stream) continue;
    createInterface({ input: stream }).on('line', (line) => {
      tail.push(line);
      if (tail.length > 60) tail.shift();
      // k6's own progress ("running (0m12.0s), 2000/2000 VUs, ...") and its warnings.
      const running = /running \((\d+m[\d.]+s)\), (\d+\/\d+ VUs), (.*)$/.exec(line);
      if (running) k6Status = `${running[1]} ${running[2]}, ${running[3]}`;
      else if (/level=(warning|error)/.test(line) && tail.filter((l) => l === line).length === 1)
        progress(`[${script}] k6: ${line.slice(0, 300)}`);
    });
  }
  const exited = new Promise<number>((res) => child.once('exit', (c) => res(c ?? 1)));
  ctx.monitor.watchPid('k6', child.pid as number);
  ctx.monitor.start();
  let exitCode: number | undefined;
  let second = 0;
  let lastStored = await storedCounter(ctx.httpPort).catch(() => 0);
  void exited.then((c) => {
    exitCode = c;
  });
  while (exitCode === undefined) {
    await sleep(1000);
    second++;
    const stored = await storedCounter(ctx.httpPort).catch(() => lastStored);
    const cpu = ctx.monitor.recentCpuPct();
    live(
      `[${script}] ${second} s · stored ${fmt(stored - lastStored)}/s · CPU device side ${fmt(cpu['device side'] ?? 0)}% API side ${fmt(cpu['API side'] ?? 0)}% questdb ${fmt(cpu.questdb ?? 0)}% k6 ${fmt(cpu.k6 ?? 0)}%${k6Status ? ` · k6: ${k6Status}` : ''}`,
      second,
    );
    lastStored = stored;
  }
  const usage = ctx.monitor.stop();
  ctx.monitor.unwatch('k6');
  k6Child = undefined;
  if (!existsSync(summaryPath)) {
    ctx.notes.push(
      `${script}: k6 wrote no summary (exit code ${exitCode}): ${tail.slice(-8).join(' | ').slice(0, 800)}`,
    );
    progress(`[${script}] k6 failed (exit ${exitCode}):\n${tail.slice(-20).join('\n')}`);
    return undefined;
  }
  const text = readFileSync(summaryPath, 'utf8');
  const s = readK6Summary(text);
  const run = parseK6Summary(text, file, script, exitCode);
  progress(`[${script}] k6 exited ${exitCode}; counting the rows in QuestDB`);
  // QuestDB can stop answering under a burst (its HTTP server busy); keep k6's figures then.
  const counted = await settledCount(ctx.questdb, ctx.orgId, progress, script).catch((err: unknown) => {
    ctx.notes.push(`${script}: the rows could not be counted: ${(err as Error).message}`);
    return { rows: rowsBefore, rejects: 0, txns: undefined, settleMs: 0, settled: false };
  });
  const recordsAcked = s.count('mqtt_records_acked');
  const rate = s.rate('mqtt_records_acked');
  const runS = rate > 0 ? recordsAcked / rate : 0;
  const rowsStored = counted.rows - rowsBefore;
  const connected = s.count('fleet_devices_connected');
  const measured = script === 'burst' ? 'mqtt_puback_ms' : 'mqtt_puback_ms{phase:measure}';
  const result: K6DeviceScriptResult = {
    script,
    file,
    exitCode,
    shape: scriptShape(o, script),
    devices: o.devices,
    connected,
    connectedByS: connected > 0 ? (s.trend('fleet_connected_at_s')?.max ?? null) : null,
    connectMs: s.count('mqtt_connects') > 0 ? s.trend('mqtt_connect_ms') : null,
    connectFailures: s.count('mqtt_connect_failures'),
    reconnects: s.count('fleet_reconnects'),
    pubackMs: s.count('mqtt_pubacks') > 0 ? (s.trend(measured) ?? s.trend('mqtt_puback_ms')) : null,
    published: s.count('mqtt_publishes'),
    pubacks: s.count('mqtt_pubacks'),
    publishErrors: s.count('mqtt_publish_errors'),
    recordsAcked,
    runS,
    recordsAckedPerS: rate,
    rowsStored,
    rowsStoredPerS: runS > 0 ? rowsStored / runS : 0,
    storeSettled: counted.settled,
    usage: { ...usage.processes, machine: { cpuPct: usage.machineBusyPct, peakRssMb: 0 } },
    thresholdsPassed: s.thresholdsPassed && exitCode === 0,
    metrics: run.metrics,
  };
  if (!counted.settled) {
    // counted above, or not at all
  } else if (rowsStored < recordsAcked)
    ctx.notes.push(
      `${script}: **${fmt(recordsAcked - rowsStored)} records acknowledged but not in QuestDB** (${fmt(rowsStored)} rows for ${fmt(recordsAcked)} acknowledged).`,
    );
  else if (rowsStored > recordsAcked)
    ctx.notes.push(
      `${script}: ${fmt(rowsStored - recordsAcked)} more rows than PUBACKs counted: records stored whose PUBACK had not arrived when k6 stopped its VUs.`,
    );
  if (counted.rejects > 0)
    ctx.notes.push(`${script}: ${fmt(counted.rejects)} rejects in QuestDB (whole run so far).`);
  progress(
    `[${script}] ${fmt(result.connected)}/${fmt(o.devices)} connected (last at ${result.connectedByS?.toFixed(1) ?? 'n/a'} s), PUBACK p50/p99 ${result.pubackMs ? `${result.pubackMs.med.toFixed(1)}/${result.pubackMs.p99.toFixed(1)}` : 'n/a'} ms, ${fmt(recordsAcked)} records acked (${fmt(rate)}/s), ${fmt(rowsStored)} rows stored, thresholds ${result.thresholdsPassed ? 'pass' : 'FAIL'}`,
  );
  return result;
}

async function main(): Promise<number> {
  const o = parseBenchArgs(() => parseK6DevicesOptions(process.argv.slice(2), ROOT), K6_DEVICES_HELP);
  if (typeof o === 'number') return o;
  if (o.render !== undefined) {
    const results = readResultsFile(o.render, parseK6DevicesResults);
    if (!results) return 2;
    writeResults(results, o.render, o.out);
    return 0;
  }

  const { notes } = run;
  if (o.scripts.includes('burst') && burstMessages(o) > DEVICE_MSG_BURST)
    notes.push(
      `burst: ${burstMessages(o)} messages per device is more than the broker's per-device burst (MQTT_DEVICE_MSG_BURST=${DEVICE_MSG_BURST}); a device faster than MQTT_DEVICE_MSG_RATE is cut off by the flood protection.`,
    );
  const k6 = ensureK6();
  progress(
    `bench: about ${Math.ceil(estimatedK6DevicesRunS(o) / 60)} min for ${o.scripts.join(', ')} with ${fmt(o.devices)} devices`,
  );
  await run.checkQuiet();
  const tmp = run.tempDir('fleet-bench-k6-');
  const questdb = await run.startQuestDb(tmp);
  progress(`bench: provisioning ${fmt(o.devices)} devices (as npm start provisions its simulated fleet)`);
  const config = loadConfig({ DATA_DIR: tmp });
  const provisionStarted = performance.now();
  const { orgId } = await prepareSimulatedFleet(config, { vehicles: o.devices, equipment: 0 });
  const provisionS = (performance.now() - provisionStarted) / 1000;
  progress(`bench: provisioned in ${provisionS.toFixed(0)} s`);
  notes.push(
    `Provisioning ${fmt(o.devices)} devices with their demo company (prepareSimulatedFleet) took ${provisionS.toFixed(0)} s before the platform started.`,
  );

  const platform = await run.startPlatform({ dataDir: tmp, questdbUrl: questdb.httpUrl });
  const { mqttPort, httpPort } = platform;
  run.onStop(() => k6Child && stopChild(k6Child, 10_000));

  const monitor = new UsageMonitor();
  watchPlatform(monitor, platform.child.pid as number, questdb.pid);
  const ctx: RunContext = {
    o,
    tmp,
    orgId,
    credentialsPath: simCredentialsPath(config),
    mqttPort,
    httpPort,
    questdb: new QuestDbHttp(questdb.httpUrl),
    monitor,
    notes,
  };
  const scripts: K6DeviceScriptResult[] = [];
  for (const script of o.scripts) {
    const r = await runScript(ctx, script).catch((err: unknown) => {
      notes.push(`${script} failed: ${(err as Error).message}`);
      return undefined;
    });
    if (r) scripts.push(r);
    if (platform.child.exitCode !== null) {
      notes.push(
        `the platform exited (${platform.child.exitCode}) during ${script}: ${platform.output.slice(-5).join(' | ')}`,
      );
      break;
    }
  }

  const results: K6DevicesResults = {
    bench: 'k6-devices',
    date: new Date().toISOString(),
    machine: machineInfo(),
    k6,
    parameters: {
      devices: o.devices,
      durationS: o.durationS,
      holdS: o.holdS,
      spreadS: o.spreadS,
      backlog: o.backlog,
      batch: o.batch,
      inflight: o.inflight,
    },
    scripts,
    notes,
  };
  writeResults(results, join(ROOT, 'bench/results/k6-devices.json'), o.out);
  return scripts.length === o.scripts.length ? 0 : 1;
}

function writeResults(results: K6DevicesResults, jsonPath: string, reportPath: string): void {
  run.writeResults({
    results,
    jsonPath,
    reportPath,
    sections: [{ heading: 'k6 devices', markdown: renderK6DevicesSection(results) }],
    summary: k6DevicesTable(results),
  });
}

run.main(main);
