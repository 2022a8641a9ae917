import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort, stopChild, waitForPort } from '@fleet/shared';
import { DeviceRegistry, migrate, openDatabase, type SqlDatabase } from '@fleet/shared/db';
import { QuestDbHttp } from '@fleet/shared/questdb';
import { BenchRun } from './harness.ts';
import { parseBenchArgs, parseFlags, reportPaths, UsageError, wholeNumber } from './options.ts';
import { ROOT } from './paths.ts';
import { canPin, machineInfo, pinSelf, spawnNode, UsageMonitor } from './proc-stats.ts';
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
  computeTargets,
  type IngestResults,
  msgsPerBrokerCpuS,
  type PhaseResult,
  renderIngestSection,
  resultsTable,
  targetsTable,
} from './report.ts';
import { settledCount, walState } from './stored-count.ts';
import { checkEncoder, newVehicle, nextBatch } from './telemetry-encoder.ts';

const DRAIN_TIMEOUT_MS = 30_000;
const KEEPALIVE_S = 30;

// ---------------------------------------------------------------------------------------------
// Options

const HELP = `Usage: npm run bench:ingest -- [options]

Benchmarks the ingest path end to end (MQTT QoS 1 -> broker with auth -> QuestDB, PUBACK after
the commit) and compares it with bare aedes. Everything runs on 127.0.0.1 in a temporary
directory that is removed afterwards.

Options:
  --duration <s>       seconds per phase (default 20)
  --connections <n>    device connections (default 50)
  --batch <n>          records per message (default 50)
  --inflight <n>       unacknowledged messages per connection (default 20)
  --rate <msg/s|auto>  message rate of the latency phase: auto = half the measured peak
                       (default), 0 = uncapped, N = N msg/s over all connections
  --workers <n>        load-generator worker threads (default 1)
  --no-pin             do not pin the broker to CPU 0 and the generator to CPU 1
  --out <path>         report file (default bench/REPORT.md); raw numbers go to
                       bench/results/ingest.json
  --profile-dir <dir>  write V8 CPU profiles of the broker and bare aedes there
                       (node --cpu-prof; open them in Chrome DevTools)
  -h, --help           this text

Phases: (a) platform peak, (b) platform latency at the --rate, (c) bare aedes at full speed;
after (a) and (b) the rows in QuestDB are counted and compared with the acknowledged records.
Progress goes to stderr, the final table to stdout.
`;

interface Options {
  durationS: number;
  connections: number;
  batch: number;
  inflight: number;
  rate: 'auto' | number;
  workers: number;
  pin: boolean;
  out: string;
  profileDir: string | undefined;
}

const OPTION_SPEC = {
  duration: { type: 'string' },
  connections: { type: 'string' },
  batch: { type: 'string' },
  inflight: { type: 'string' },
  rate: { type: 'string' },
  workers: { type: 'string' },
  pin: { type: 'boolean', default: true },
  out: { type: 'string' },
  'profile-dir': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

function parseOptions(argv: string[]): Options | 'help' {
  const values = parseFlags(argv, OPTION_SPEC, { allowNegative: true });
  if (values.help) return 'help';
  const rateRaw = values.rate?.trim();
  if (rateRaw !== undefined && rateRaw !== 'auto' && !/^\d+$/.test(rateRaw)) {
    throw new UsageError(
      `--rate must be 'auto' or a whole number of messages per second, got ${JSON.stringify(rateRaw)}`,
    );
  }
  return {
    durationS: wholeNumber(values.duration, 'duration', 20, 1, 3600),
    connections: wholeNumber(values.connections, 'connections', 50, 1, 5000),
    // INGEST_MAX_RECORDS_PER_BATCH defaults to 2000; a bigger batch would only be rejected.
    batch: wholeNumber(values.batch, 'batch', 50, 1, 2000),
    // mqtt.js has 65535 message ids per connection; far fewer are sensible.
    inflight: wholeNumber(values.inflight, 'inflight', 20, 1, 10_000),
    rate:
      rateRaw === undefined || rateRaw === 'auto' ? 'auto' : wholeNumber(rateRaw, 'rate', 0, 0, 10_000_000),
    workers: wholeNumber(values.workers, 'workers', 1, 1, 8),
    pin: values.pin ?? true,
    out: reportPaths(values, ROOT, 'bench/results/ingest.json').out,
    profileDir: values['profile-dir'] === undefined ? undefined : resolve(values['profile-dir']),
  };
}

// ---------------------------------------------------------------------------------------------
// Small helpers

const run = new BenchRun(5);
const { progress } = run;

// ---------------------------------------------------------------------------------------------
// The run

/** The provisioning database and the load workers of the run, closed on the way out. */
const state: { db?: SqlDatabase; workers: LoadWorker[] } = { workers: [] };

async function stopWorkers(): Promise<void> {
  await stopLoadWorkers(state.workers);
}

async function provision(dir: string, n: number): Promise<{ orgId: string; devices: BenchDevice[] }> {
  const db = await openDatabase({ pgliteDir: join(dir, 'pg') });
  state.db = db;
  await migrate(db);
  const registry = new DeviceRegistry(db);
  const org = await registry.ensureOrganisation('bench', 'Benchmark');
  const devices: BenchDevice[] = [];
  for (let i = 0; i < n; i++) {
    const { device, token } = await registry.provision({
      orgId: org.id,
      name: `bench-${String(i + 1).padStart(4, '0')}`,
      kind: 'vehicle',
    });
    devices.push({ id: device.id, token });
  }
  await db.close();
  state.db = undefined;
  return { orgId: org.id, devices };
}

/** The broker's environment: this process's, without any platform setting, plus the bench's. */
/** The platform's settings on top of the bench defaults: high enough that no rate limit caps the bench. */
const BROKER_SETTINGS = {
  MQTT_DEVICE_MSG_RATE: '100000',
  MQTT_DEVICE_MSG_BURST: '100000',
  MQTT_CONNECT_RATE: '100000',
  MQTT_CONNECT_BURST: '100000',
};

const connectWorkers = (port: number) => connectLoadWorkers(state.workers, port, KEEPALIVE_S);
const disconnectWorkers = () => disconnectLoadWorkers(state.workers);

interface PhaseSpec {
  key: PhaseResult['key'];
  title: string;
  label: string;
  rate: number;
  o: Options;
  monitor: UsageMonitor;
}

async function runPhase(spec: PhaseSpec): Promise<Omit<PhaseResult, 'stored' | 'recordsPerSStored'>> {
  const { o, monitor } = spec;
  const histogram = newLatencyHistogram();
  const record = (latencyUs: Float64Array) => recordLatencies(histogram, latencyUs);
  for (const w of state.workers) {
    w.counters = undefined;
    w.onLatency = record;
  }
  const totalDevices = state.workers.reduce((n, w) => n + w.devices.length, 0);
  const startedAt = performance.now();
  const endAt = Date.now() + o.durationS * 1000;
  monitor.start();
  const done = Promise.all(
    state.workers.map((w) =>
      w.request(
        {
          type: 'run',
          phase: spec.key,
          endAt,
          rate: spec.rate === 0 ? 0 : (spec.rate * w.devices.length) / totalDevices,
          inflight: o.inflight,
          batch: o.batch,
          drainTimeoutMs: DRAIN_TIMEOUT_MS,
        },
        'done',
      ),
    ),
  );

  // One progress line per second of the window.
  const timeline: PhaseResult['timeline'] = [];
  let lastDone = 0;
  let usage: ReturnType<UsageMonitor['stop']> | undefined;
  const ticker = (async () => {
    for (let s = 1; s <= o.durationS; s++) {
      const wait = startedAt + s * 1000 - performance.now();
      if (wait > 0) await sleep(wait);
      const c = sumCounters(state.workers.map((w) => w.counters));
      const doneNow = c.acked + c.drained;
      const rate = doneNow - lastDone;
      lastDone = doneNow;
      const p99 = histogram.count > 0 ? histogram.percentile(99) / 1000 : 0;
      timeline.push({ s, msgsPerS: rate, p99Ms: p99 });
      const cpu = monitor.recentCpuPct();
      const cpuText = ['broker', 'generator', 'questdb']
        .filter((k) => cpu[k] !== undefined)
        .map((k) => `${k} ${Math.round(cpu[k] ?? 0)}%`)
        .join(' ');
      progress(
        `[${spec.label}] ${String(s).padStart(3)}s  ${fmt(rate).padStart(7)} msg/s  ` +
          `acked ${fmt(doneNow).padStart(9)}  p99 ${p99.toFixed(1)} ms  ${cpuText ? `cpu: ${cpuText}` : ''}`,
      );
    }
    usage = monitor.stop();
  })();
  const answers = await done;
  await ticker;
  for (const w of state.workers) w.onLatency = undefined;

  const c = sumCounters(answers.map((a) => a.counters));
  const unacked = answers.reduce((n, a) => n + a.unacked, 0);
  if (unacked > 0)
    progress(`[${spec.label}] ${fmt(unacked)} messages got no PUBACK within the drain timeout`);
  const durationS = o.durationS;
  return {
    key: spec.key,
    title: spec.title,
    durationS,
    rateCap: spec.rate === 0 ? null : spec.rate,
    sent: c.sent,
    acked: c.acked,
    drained: c.drained,
    unacked,
    errors: c.errors,
    disconnects: c.disconnects,
    missedSlots: c.missedSlots,
    msgsPerS: c.acked / durationS,
    recordsPerSAcked: c.ackedRecords / durationS,
    latencyMs: summarizeHistogram(histogram),
    usage: usage ?? monitor.stop(),
    timeline,
    maxTsLeadMs: Math.max(0, ...answers.map((a) => a.maxTsLeadMs)),
  };
}

async function main(): Promise<number> {
  const o = parseBenchArgs(() => parseOptions(process.argv.slice(2)), HELP);
  if (typeof o === 'number') return o;

  checkEncoder(o.batch);
  const payloadBytes = nextBatch(newVehicle(0), o.batch, Date.now()).length;
  const { notes } = run;
  const pin = o.pin && canPin();
  if (o.pin && !pin)
    notes.push('CPU pinning was asked for but is not available (needs 2 cores and taskset).');
  if (o.connections * o.inflight * o.batch > 400_000) {
    progress(
      'warning: connections x inflight x batch exceeds 80% of INGEST_MAX_PENDING_ROWS (500,000): ' +
        'the broker may refuse publishes with ingest_backpressure',
    );
  }

  const tmp = run.tempDir('fleet-bench-');
  // QuestDB first, so it is not pinned to the generator's CPU (children inherit affinity).
  const barePort = await freePort();
  const questdb = await run.startQuestDb(tmp);
  run.onStop(() => state.db?.close());
  const q = new QuestDbHttp(questdb.httpUrl);
  if (pin) pinSelf(1);

  progress(`bench: provisioning ${o.connections} devices`);
  const { orgId, devices } = await provision(tmp, o.connections);

  // The platform process (broker + ingest + API): its API listens too, on a port of its own.
  const broker = await run.startPlatform({
    name: 'broker',
    dataDir: tmp,
    questdbUrl: questdb.httpUrl,
    env: BROKER_SETTINGS,
    ...(pin ? { cpu: 0 } : {}),
    ...(o.profileDir ? { profileDir: o.profileDir } : {}),
    startTimeoutMs: 60_000,
  });
  const { mqttPort } = broker;
  run.onStop(stopWorkers);
  const brokerPid = broker.child.pid as number;

  const monitor = new UsageMonitor();
  monitor.watchPid('broker', brokerPid);
  monitor.watchSelf('generator');
  monitor.watchPid('questdb', questdb.pid);

  state.workers.push(...startLoadWorkers(devices, o.workers));
  await connectWorkers(mqttPort);
  progress(`bench: ${devices.length} devices connected to the platform`);

  const phases: PhaseResult[] = [];
  const txnsBefore = (await walState(q, 'telemetry'))?.txns ?? 0;

  // (a) platform peak
  const peak = await runPhase({
    key: 'platform-peak',
    title: '(a) platform peak',
    label: 'a platform peak',
    rate: 0,
    o,
    monitor,
  });
  const afterPeak = await settledCount(q, orgId, progress, 'a platform peak');
  const peakAcked = peak.acked * o.batch + peak.drained * o.batch;
  phases.push({
    ...peak,
    recordsPerSStored: afterPeak.rows / peak.durationS,
    stored: {
      rows: afterPeak.rows,
      ackedRecords: peakAcked,
      rejects: afterPeak.rejects,
      commits: afterPeak.txns === undefined ? null : afterPeak.txns - txnsBefore,
      settleMs: afterPeak.settleMs,
      settled: afterPeak.settled,
      matches: afterPeak.rows === peakAcked && afterPeak.rejects === 0,
    },
  });

  // (b) platform latency at half the peak (or the given rate)
  const rate = o.rate === 'auto' ? Math.max(1, Math.round(peak.msgsPerS / 2)) : o.rate;
  const latency = await runPhase({
    key: 'platform-latency',
    title: `(b) platform at ${rate === 0 ? 'full speed' : `${fmt(rate)} msg/s`}`,
    label: 'b platform latency',
    rate,
    o,
    monitor,
  });
  const afterLatency = await settledCount(q, orgId, progress, 'b platform latency');
  const latencyAcked = (latency.acked + latency.drained) * o.batch;
  const latencyRows = afterLatency.rows - afterPeak.rows;
  const latencyRejects = afterLatency.rejects - afterPeak.rejects;
  phases.push({
    ...latency,
    recordsPerSStored: latencyRows / latency.durationS,
    stored: {
      rows: latencyRows,
      ackedRecords: latencyAcked,
      rejects: latencyRejects,
      commits:
        afterLatency.txns === undefined || afterPeak.txns === undefined
          ? null
          : afterLatency.txns - afterPeak.txns,
      settleMs: afterLatency.settleMs,
      settled: afterLatency.settled,
      matches: latencyRows === latencyAcked && latencyRejects === 0,
    },
  });
  if (latency.missedSlots > 0) {
    notes.push(
      `(b) fell short of its rate: ${fmt(latency.missedSlots)} message slots found every connection at its in-flight cap.`,
    );
  }

  await disconnectWorkers();
  monitor.unwatch('broker');
  monitor.unwatch('questdb');
  await stopChild(broker.child);
  await questdb.stop();

  // (c) bare aedes, same load at full speed
  progress('bench: starting bare aedes');
  const bare = spawnNode('bare', ['bench/src/bare-broker.ts', String(barePort)], {
    cwd: ROOT,
    env: { ...process.env },
    cpu: pin ? 0 : undefined,
    profileDir: o.profileDir,
    log: progress,
  });
  run.onStop(() => stopChild(bare.child, 5000));
  if (!(await waitForPort(barePort, bare.child, 30_000))) {
    throw new Error(`bare aedes did not start:\n${bare.output.slice(-30).join('\n')}`);
  }
  monitor.watchPid('broker', bare.child.pid as number);
  await connectWorkers(barePort);
  const bareResult = await runPhase({
    key: 'bare-aedes',
    title: '(c) bare aedes',
    label: 'c bare aedes',
    rate: 0,
    o,
    monitor,
  });
  phases.push({ ...bareResult, recordsPerSStored: null, stored: null });
  await disconnectWorkers();
  await stopChild(bare.child, 5000);

  // Honest notes on what the numbers mean.
  for (const p of phases) {
    if (p.stored && !p.stored.matches) {
      notes.push(
        `${p.title}: ${fmt(p.stored.rows)} rows stored for ${fmt(p.stored.ackedRecords)} acknowledged records` +
          ` (${fmt(p.stored.rows - p.stored.ackedRecords)} difference, ${fmt(p.stored.rejects)} rejects,` +
          ` ${fmt(p.unacked)} messages never acknowledged${p.stored.settled ? '' : ', count not settled'}).`,
      );
    }
    if (p.errors + p.disconnects > 0) {
      notes.push(`${p.title}: ${p.errors} publish errors, ${p.disconnects} connections lost.`);
    }
  }
  const bareGen = bareResult.usage.processes.generator?.cpuPct ?? 0;
  const bareBroker = bareResult.usage.processes.broker?.cpuPct ?? 0;
  if (bareGen >= 85 && bareBroker < 85) {
    const peakPerCpu = msgsPerBrokerCpuS(phases[0] as PhaseResult);
    const barePerCpu = msgsPerBrokerCpuS(phases.at(-1) as PhaseResult);
    notes.push(
      `(c) was limited by the load generator (${bareGen.toFixed(0)}% of its core) while bare aedes used ` +
        `${bareBroker.toFixed(0)}% of its own: bare aedes can do more than the table shows, so the platform/bare ratio ` +
        `flatters the platform.` +
        (peakPerCpu !== null && barePerCpu !== null
          ? ` Per broker CPU-second: platform ${fmt(peakPerCpu)} msgs, bare aedes ${fmt(barePerCpu)} msgs (${(peakPerCpu / barePerCpu).toFixed(3)}x).`
          : ''),
    );
  }
  const lead = Math.max(...phases.filter((p) => p.stored !== null).map((p) => p.maxTsLeadMs));
  if (lead > 10_000) {
    notes.push(
      `Record timestamps are unique per device (ts = max(now, previous + 1 ms), as the table deduplicates on (ts, device_id)); ` +
        `at this rate they ran up to ${(lead / 1000).toFixed(1)} s ahead of the clock (limit: INGEST_MAX_FUTURE_SKEW_S, 300 s).`,
    );
  }

  const results: IngestResults = {
    bench: 'ingest',
    date: new Date().toISOString(),
    machine: machineInfo(),
    parameters: {
      durationS: o.durationS,
      connections: o.connections,
      batch: o.batch,
      inflight: o.inflight,
      rate: o.rate,
      workers: state.workers.length,
      pinned: pin,
      payloadBytes,
    },
    phases,
    targets: computeTargets(phases, o.batch),
    notes,
  };

  run.writeResults({
    results,
    jsonPath: join(ROOT, 'bench/results/ingest.json'),
    reportPath: o.out,
    sections: [{ heading: 'Ingest', markdown: renderIngestSection(results) }],
    summary: `${resultsTable(results)}\n\n${targetsTable(results)}`,
  });
  return 0;
}

run.main(main);
