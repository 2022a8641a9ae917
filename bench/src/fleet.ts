// npm run bench:fleet -- [options]
//
// The platform under a simulated fleet: a managed QuestDB, the real platform process
// (node platform/src/main.ts) and the device simulator (firmware-sim/src/main.ts, the same program as
// `npm run sim`) in a process of its own, every device reporting once a second. Per fleet size:
// connect, warm up, measure records/s produced / acknowledged / stored, the devices' PUBACK
// latency, CPU and memory per process. Then k6 runs the console's journeys (bench/k6) while a
// smaller fleet reports. Writes bench/REPORT.md ('## Fleet', '## k6'), bench/plots/*.svg and
// bench/results/fleet.json. See bench/README.md.
import type { ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { prepareSimulatedFleet } from '@fleet/cli/sim-fleet';
import { type FleetStatusRecord, fleetStatusRecordSchema } from '@fleet/firmware-sim';
import { loadConfig, MsHistogram, spawnTied, stopChild } from '@fleet/shared';
import { QuestDbHttp } from '@fleet/shared/questdb';
import { estimatedFleetRunS, FLEET_HELP, type FleetOptions, parseFleetOptions } from './fleet-options.ts';
import {
  type FleetPhaseResult,
  type FleetResults,
  fleetCharts,
  fleetResultsTable,
  type K6Run,
  k6Table,
  parseFleetResults,
  parseK6Summary,
  renderFleetSection,
  renderK6Section,
} from './fleet-report.ts';
import { BenchRun } from './harness.ts';
import { metricSum, scrapeMetrics } from './hub-stats.ts';
import { parseBenchArgs, readResultsFile } from './options.ts';
import { ROOT } from './paths.ts';
import { groupedBarChartSvg, lineChartSvg } from './plot.ts';
import { childEnv, machineInfo, spawnNode, UsageMonitor } from './proc-stats.ts';
import { fmt } from './progress.ts';
import { countRows, settledCount } from './stored-count.ts';

const K6_BIN = join(ROOT, 'vendor/k6/k6');
const REPORT_EVERY_S = 1;
const SIM_STOP_TIMEOUT_MS = 45_000;

// ---------------------------------------------------------------------------------------------
// Progress: one live line on a terminal, a plain line every 10 s otherwise.

const run = new BenchRun(10);
const { progress, live } = run;

// ---------------------------------------------------------------------------------------------
// The simulator process, read through its JSON status lines

class SimulatorProcess {
  readonly child: ChildProcess;
  readonly output: string[];
  latest: FleetStatusRecord | undefined;
  badLines = 0;
  /** PUBACK latencies of the records received while `measuring`. */
  readonly window = new MsHistogram();
  measuring = false;
  /** Settles once the process exited and its output was read to the end (its last record). */
  readonly closed: Promise<void>;

  constructor(devices: number, ctx: RunContext) {
    const args = [
      'firmware-sim/src/main.ts',
      `--vehicles=${devices}`,
      '--equipment=0',
      `--report-every=${REPORT_EVERY_S}`,
      '--status=json',
      `--credentials=${ctx.credentialsPath}`,
      `--mqtt=mqtt://127.0.0.1:${ctx.mqttPort}`,
      '--seed=1',
    ];
    const { child, output } = spawnNode('sim', args, {
      cwd: ROOT,
      env: childEnv({ DATA_DIR: ctx.tmp, LOG_LEVEL: 'warn' }),
      log: progress,
      echoLines: 10,
      stdoutLine: (line) => this.#onLine(line),
    });
    this.child = child;
    this.output = output;
    this.closed = new Promise((res) => child.once('close', () => res()));
  }

  #onLine(line: string): void {
    let record: FleetStatusRecord;
    try {
      record = fleetStatusRecordSchema.parse(JSON.parse(line));
    } catch {
      this.badLines++;
      if (this.badLines <= 3) progress(`[sim] not a status record: ${line.slice(0, 200)}`);
      return;
    }
    this.latest = record;
    if (this.measuring) this.window.addPairs(record.ackLatencyPairs);
  }

  async stop(): Promise<void> {
    await stopChild(this.child, SIM_STOP_TIMEOUT_MS);
    await this.closed;
  }
}

// ---------------------------------------------------------------------------------------------
// Run state and clean-up

interface RunContext {
  o: FleetOptions;
  tmp: string;
  credentialsPath: string;
  mqttPort: number;
  httpPort: number;
  monitor: UsageMonitor;
  notes: string[];
}

/** The simulator and the k6 run of the phase that runs now, stopped first on the way out. */
const state: { sim?: SimulatorProcess; k6?: ChildProcess } = {};

function stopLoad(): Promise<unknown> {
  const steps: Promise<unknown>[] = [];
  if (state.k6) steps.push(stopChild(state.k6, 5000));
  if (state.sim) steps.push(state.sim.stop());
  return Promise.allSettled(steps);
}

async function storedCounter(httpPort: number): Promise<number> {
  return metricSum(await scrapeMetrics(httpPort), 'fleet_ingest_records_total', { outcome: 'stored' });
}

/** Starts the simulator with `devices` devices and waits until all are connected (or the timeout). */
async function startFleet(ctx: RunContext, devices: number, label: string): Promise<{ connectS: number }> {
  const started = performance.now();
  const sim = new SimulatorProcess(devices, ctx);
  state.sim = sim;
  const deadline = started + ctx.o.connectTimeoutS * 1000;
  let second = 0;
  while ((sim.latest?.connected ?? 0) < devices) {
    if (sim.child.exitCode !== null)
      throw new Error(`the simulator exited (${sim.child.exitCode}):\n${sim.output.slice(-20).join('\n')}`);
    if (performance.now() > deadline) {
      const text = `${label}: only ${fmt(sim.latest?.connected ?? 0)} of ${fmt(devices)} devices connected within ${ctx.o.connectTimeoutS} s; measured with those.`;
      progress(`bench: ${text}`);
      ctx.notes.push(text);
      break;
    }
    await sleep(1000);
    second++;
    const s = sim.latest;
    live(
      `[${label}] connecting: ${fmt(s?.connected ?? 0)}/${fmt(devices)} · ${fmt(s?.connecting ?? 0)} in the ramp · refused ${fmt(s?.refused ?? 0)} busy ${fmt(s?.busy ?? 0)}`,
      second,
    );
  }
  const connectS = (performance.now() - started) / 1000;
  progress(`[${label}] ${fmt(sim.latest?.connected ?? 0)} devices connected in ${connectS.toFixed(0)} s`);
  return { connectS };
}

async function stopFleet(): Promise<FleetStatusRecord | undefined> {
  const sim = state.sim;
  if (!sim) return undefined;
  await sim.stop();
  state.sim = undefined;
  return sim.latest; // the simulator writes a last record as it stops
}

async function runFleetPhase(
  ctx: RunContext,
  devices: number,
): Promise<FleetPhaseResult & { acked: number }> {
  const label = `${fmt(devices)} devices`;
  const { connectS } = await startFleet(ctx, devices, label);
  const sim = state.sim as SimulatorProcess;
  for (let s = 1; s <= ctx.o.warmupS; s++) {
    await sleep(1000);
    live(`[${label}] warm-up ${s}/${ctx.o.warmupS} s`, s);
  }

  ctx.monitor.watchPid('simulator', sim.child.pid as number);
  const start = sim.latest as FleetStatusRecord;
  const storedBefore = await storedCounter(ctx.httpPort);
  const t0 = performance.now();
  sim.window.reset();
  sim.measuring = true;
  ctx.monitor.start();
  for (let s = 1; s <= ctx.o.durationS; s++) {
    await sleep(1000);
    const cpu = ctx.monitor.recentCpuPct();
    const l = sim.latest;
    live(
      `[${label}] ${s}/${ctx.o.durationS} s · connected ${fmt(l?.connected ?? 0)} · acked ${fmt(((l?.ackedRecords ?? 0) - start.ackedRecords) / s)}/s · unacked ${fmt(l?.unacked ?? 0)} · CPU platform ${fmt(cpu.platform ?? 0)}% questdb ${fmt(cpu.questdb ?? 0)}% sim ${fmt(cpu.simulator ?? 0)}%`,
      s,
    );
  }
  const usage = ctx.monitor.stop();
  sim.measuring = false;
  const end = sim.latest as FleetStatusRecord;
  const storedAfter = await storedCounter(ctx.httpPort);
  const elapsedS = (performance.now() - t0) / 1000;
  ctx.monitor.unwatch('simulator');
  const simS = Math.max(0.001, (end.at - start.at) / 1000);

  const final = await stopFleet();
  const result: FleetPhaseResult & { acked: number } = {
    devices,
    connected: start.connected,
    connectS,
    windowS: simS,
    producedPerS: (end.records - start.records) / simS,
    sentPerS: (end.sentRecords - start.sentRecords) / simS,
    ackedPerS: (end.ackedRecords - start.ackedRecords) / simS,
    storedPerS: (storedAfter - storedBefore) / elapsedS,
    pubackMs: sim.window.summary(),
    disconnects: end.disconnects - start.disconnects,
    dropped: end.dropped - start.dropped,
    unackedAtEnd: end.unacked,
    simTickLagMs: end.tickLagMs,
    usage,
    acked: final?.ackedRecords ?? end.ackedRecords,
  };
  if (final && final.unacked + final.buffered > 0)
    ctx.notes.push(
      `${label}: the simulator stopped with ${fmt(final.unacked)} unacknowledged and ${fmt(final.buffered)} buffered records (not sent, so not counted as acknowledged).`,
    );
  progress(
    `[${label}] ${fmt(result.ackedPerS)} records/s acked, ${fmt(result.storedPerS)} stored, PUBACK p50/p99 ${fmt(result.pubackMs.p50)}/${fmt(result.pubackMs.p99)} ms`,
  );
  return result;
}

// ---------------------------------------------------------------------------------------------
// k6

async function runK6(ctx: RunContext, password: string): Promise<K6Run[]> {
  const runs: K6Run[] = [];
  for (const script of ['bench/k6/api.js', 'bench/k6/hub.js']) {
    const summaryPath = join(ctx.tmp, `${script.replace(/\W+/g, '-')}-summary.json`);
    progress(`[k6] ${script}, profile ${ctx.o.k6Profile}`);
    const child = spawnTied(
      K6_BIN,
      [
        'run',
        '--no-color',
        '--quiet',
        `--summary-export=${summaryPath}`,
        '--summary-trend-stats=avg,med,p(95),p(99),max',
        '-e',
        `BASE_URL=http://127.0.0.1:${ctx.httpPort}`,
        '-e',
        `PASSWORD=${password}`,
        '-e',
        `PROFILE=${ctx.o.k6Profile}`,
        script,
      ],
      { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, K6_NO_USAGE_REPORT: 'true' } },
    );
    state.k6 = child;
    const tail: string[] = [];
    for (const stream of [child.stdout, child.stderr])
      stream?.on('data', (chunk: Buffer) => {
        tail.push(...chunk.toString('utf8').split('\n'));
        if (tail.length > 40) tail.splice(0, tail.length - 40);
      });
    const code = await new Promise<number>((res) => child.once('exit', (c) => res(c ?? 1)));
    state.k6 = undefined;
    if (!existsSync(summaryPath)) {
      ctx.notes.push(`k6 ${script} wrote no summary (exit code ${code}): ${tail.slice(-5).join(' ').trim()}`);
      continue;
    }
    const run = parseK6Summary(readFileSync(summaryPath, 'utf8'), script, ctx.o.k6Profile, code);
    progress(
      `[k6] ${script}: ${fmt(run.iterations)} iterations, exit ${code}${code === 99 ? ' (a threshold failed)' : ''}`,
    );
    runs.push(run);
  }
  return runs;
}

// ---------------------------------------------------------------------------------------------

async function main(): Promise<number> {
  const o = parseBenchArgs(() => parseFleetOptions(process.argv.slice(2), ROOT), FLEET_HELP);
  if (typeof o === 'number') return o;

  if (o.render !== undefined) {
    const results = readResultsFile(o.render, parseFleetResults);
    if (!results) return 2;
    await writeResults(results, o.render, o.out);
    return 0;
  }

  const { notes } = run;
  progress(
    `bench: about ${Math.ceil(estimatedFleetRunS(o) / 60)} min for fleets of ${o.devices.map(fmt).join(', ')}`,
  );
  await run.checkQuiet();
  const k6Available = existsSync(K6_BIN);
  if (o.k6Devices > 0 && !k6Available)
    notes.push('k6 was not run: vendor/k6/k6 is missing (build it with `npm run k6:build`, about 2 min).');

  const tmp = run.tempDir('fleet-bench-');
  const questdb = await run.startQuestDb(tmp);
  const largest = Math.max(...o.devices, o.k6Devices);
  progress(`bench: provisioning ${fmt(largest)} simulated vehicles`);
  const config = loadConfig({ DATA_DIR: tmp });
  const { orgId } = await prepareSimulatedFleet(config, { vehicles: largest, equipment: 0 });

  const platform = await run.startPlatform({ dataDir: tmp, questdbUrl: questdb.httpUrl });
  const { mqttPort, httpPort, adminPassword: password } = platform;
  run.onStop(stopLoad);

  const monitor = new UsageMonitor();
  monitor.watchPid('platform', platform.child.pid as number);
  monitor.watchPid('questdb', questdb.pid);
  const ctx: RunContext = {
    o,
    tmp,
    credentialsPath: join(tmp, 'sim', 'credentials.json'),
    mqttPort,
    httpPort,
    monitor,
    notes,
  };

  const phases: FleetPhaseResult[] = [];
  let acked = 0;
  for (const devices of o.devices) {
    const { acked: phaseAcked, ...phase } = await runFleetPhase(ctx, devices);
    acked += phaseAcked;
    phases.push(phase);
  }

  let k6: FleetResults['k6'];
  if (o.k6Devices > 0 && k6Available) {
    await startFleet(ctx, o.k6Devices, `k6 with ${fmt(o.k6Devices)} devices`);
    const runs = await runK6(ctx, password);
    const final = await stopFleet();
    acked += final?.ackedRecords ?? 0;
    k6 = { devices: o.k6Devices, runs };
  } else if (o.k6Devices > 0) {
    k6 = { devices: o.k6Devices, runs: [] };
  }

  progress('bench: counting the rows in QuestDB');
  const q = new QuestDbHttp(questdb.httpUrl);
  const stored = await settledCount(q, orgId, progress, 'stored check');
  // The simulator's acknowledged count includes its device events (their own table); the
  // CONNECTED/DISCONNECTED rows there are the broker's, not the devices'.
  const events = await countRows(q, 'device_events', orgId, "kind not in ('CONNECTED', 'DISCONNECTED')");

  const results: FleetResults = {
    bench: 'fleet',
    date: new Date().toISOString(),
    machine: machineInfo(),
    parameters: {
      devices: o.devices,
      durationS: o.durationS,
      warmupS: o.warmupS,
      reportEveryS: REPORT_EVERY_S,
      k6Devices: o.k6Devices,
      k6Profile: o.k6Profile,
    },
    phases,
    storedCheck: { rows: stored.rows, eventRows: events, rejects: stored.rejects, ackedRecords: acked },
    ...(k6 ? { k6 } : {}),
    notes,
  };
  await writeResults(results, join(ROOT, 'bench/results/fleet.json'), o.out);
  return 0;
}

/** Writes the results file, the plots and the report sections, and prints the tables. */
async function writeResults(results: FleetResults, jsonPath: string, reportPath: string): Promise<void> {
  const plots = await Promise.all(
    fleetCharts(results).map(async (chart) => ({
      file: chart.file,
      svg: chart.kind === 'line' ? await lineChartSvg(chart.spec) : await groupedBarChartSvg(chart.spec),
    })),
  );
  const k6Runs = results.k6 && results.k6.runs.length > 0 ? `\n\n${k6Table(results.k6.runs)}` : '';
  run.writeResults({
    results,
    jsonPath,
    reportPath,
    sections: [
      { heading: 'Fleet', markdown: renderFleetSection(results, 'plots') },
      { heading: 'k6', markdown: renderK6Section(results) },
    ],
    plots,
    summary: `${fleetResultsTable(results)}${k6Runs}`,
  });
}

run.main(main);
