import { rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort, spawnTied, stopChild } from '@fleet/shared';
import { QuestDbHttp } from '@fleet/shared/questdb';
import { BenchRun } from './harness.ts';
import {
  parseBenchArgs,
  parseFlags,
  REPORT_FLAGS,
  readResultsFile,
  reportPaths,
  UsageError,
  wholeNumber,
} from './options.ts';
import { ROOT } from './paths.ts';
import { groupedBarChartSvg } from './plot.ts';
import { machineInfo, ticksPerSecond } from './proc-stats.ts';
import { cpuBetween, sampleThreads, type TreeCpu } from './proc-tree.ts';
import { fmt } from './progress.ts';
import { type Machine, machineLine } from './report.ts';

export const TUNINGS = ['small-host', 'defaults'] as const;
export type Tuning = (typeof TUNINGS)[number];

export interface SmallHostArgs {
  durationS: number;
  warmupS: number;
  tunings: Tuning[];
  out: string;
  render: string | undefined;
}

const HELP = `Usage: npm run bench:small-host -- [options]

Measures what \`npm start\` (70 simulated devices, about 11 messages a second) costs the machine:
CPU per process and thread of the whole stack, and QuestDB's commits, over a window after it
settles. Everything runs on 127.0.0.1 on free ports in a temporary directory.

Options:
  --duration <s>    seconds measured per run (default 60)
  --warmup <s>      seconds after every device connected before measuring (default 30)
  --tuning <list>   small-host, defaults or both comma-separated (default small-host,defaults):
                    the managed QuestDB's QUESTDB_TUNING for each run
  --out <path>      report file (default bench/REPORT.md); raw numbers go to
                    bench/results/small-host.json
  --render <json>   run nothing: rewrite the report section from a results file
  -h, --help        this text

QuestDB settings given as QDB_<KEY> environment variables (e.g. QDB_WAL_APPLY_WORKER_COUNT=1)
reach the managed QuestDB of every run, overriding its tuning; INGEST_* settings (e.g.
INGEST_FLUSH_INTERVAL_MS=50) reach the platform.
`;

const OPTION_SPEC = {
  duration: { type: 'string' },
  warmup: { type: 'string' },
  tuning: { type: 'string' },
  ...REPORT_FLAGS,
} as const;

export function parseSmallHostArgs(argv: string[]): SmallHostArgs | 'help' {
  const v = parseFlags(argv, OPTION_SPEC);
  if (v.help) return 'help';
  let tunings: Tuning[] = [...TUNINGS];
  if (v.tuning !== undefined) {
    const parts = v.tuning.split(',').map((p) => p.trim());
    for (const p of parts) {
      if (!(TUNINGS as readonly string[]).includes(p)) {
        throw new UsageError(`--tuning takes small-host, defaults or both, got ${JSON.stringify(v.tuning)}`);
      }
    }
    tunings = [...new Set(parts)] as Tuning[];
  }
  return {
    durationS: wholeNumber(v.duration, 'duration', 60, 5, 3600),
    warmupS: wholeNumber(v.warmup, 'warmup', 30, 0, 3600),
    tunings,
    ...reportPaths(v, ROOT, 'bench/results/small-host.json'),
  };
}

/** The part of the stack a process is, from its command line (NUL-separated arguments). */
export function stackPart(cmdline: string): string | undefined {
  const args = cmdline.split('\0');
  if (args.some((a) => a === 'io.questdb/io.questdb.ServerMain')) return 'QuestDB';
  const script = args.find((a) => a.endsWith('.ts')) ?? '';
  if (script.endsWith('platform/src/child.ts')) return args.includes('api') ? 'API side' : 'device side';
  if (script.endsWith('platform/src/main.ts')) return 'launcher';
  if (script.endsWith('firmware-sim/src/main.ts')) return 'simulator';
  if (script.endsWith('cli/src/main.ts')) return 'start command';
  return undefined;
}

export interface SmallHostRun {
  tuning: Tuning;
  seconds: number;
  cpu: TreeCpu;
  /** Telemetry rows stored in the window. */
  rows: number;
  /** QuestDB transactions on the telemetry table in the window. */
  commits: number;
  devices: number;
}

export interface SmallHostResults {
  generatedAt: string;
  machine: Machine;
  args: Omit<SmallHostArgs, 'out' | 'render'>;
  runs: SmallHostRun[];
  notes: string[];
}

export const PARTS = ['QuestDB', 'device side', 'API side', 'launcher', 'simulator', 'start command'];

const pct = (n: number | undefined) => `${(n ?? 0).toFixed(1)}%`;

export function renderSmallHostSection(r: SmallHostResults, plotPath: string): string {
  const lines = [
    '## Small host',
    '',
    `Produced by \`npm run bench:small-host\` (bench/src/small-host.ts) on ${r.generatedAt}: \`npm start\` as a user runs it (the launcher, its device and API sides, the managed QuestDB and the simulated fleet), ${r.args.warmupS} s after every device connected, then CPU read from /proc over ${r.args.durationS} s. 100% = one core; the machine has ${r.machine.cores}. Target (issue 15): the whole stack under 25% of one core.`,
    '',
    machineLine(r.machine),
    '',
    `| QuestDB tuning | devices | rows/s | commits/s | rows per commit | whole stack | ${PARTS.join(' | ')} |`,
    `| --- | ---: | ---: | ---: | ---: | ---: | ${PARTS.map(() => '---:').join(' | ')} |`,
  ];
  for (const run of r.runs) {
    const perS = (n: number) => (run.seconds > 0 ? n / run.seconds : 0);
    lines.push(
      `| ${run.tuning} | ${fmt(run.devices)} | ${perS(run.rows).toFixed(1)} | ${perS(run.commits).toFixed(1)} | ${run.commits > 0 ? (run.rows / run.commits).toFixed(1) : '-'} | **${pct(run.cpu.total)}** | ${PARTS.map((p) => pct(run.cpu.byProcess[p])).join(' | ')} |`,
    );
  }
  lines.push('', `![CPU of each part of the stack, by QuestDB tuning](${plotPath})`, '');
  for (const run of r.runs) {
    const top = run.cpu.threads.filter((t) => t.process === 'QuestDB').slice(0, 8);
    lines.push(
      `- QuestDB's busiest threads with \`${run.tuning}\`: ${top.map((t) => `${t.thread} ${pct(t.cpuPct)}`).join(', ') || 'none'}.`,
    );
  }
  lines.push(...r.notes.map((n) => `- ${n}`), '');
  return lines.join('\n');
}

// ---------------------------------------------------------------------------------------------

const run = new BenchRun(10);

async function measure(tuning: Tuning, args: SmallHostArgs): Promise<SmallHostRun> {
  const say = run.progress;
  const tmp = run.tempDir('fleet-small-host-');
  const ports = {
    MQTT_PORT: await freePort(),
    MQTT_WS_PORT: await freePort(),
    HTTP_PORT: await freePort(),
    QUESTDB_HTTP_PORT: await freePort(),
    QUESTDB_PG_PORT: await freePort(),
  };
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    DATA_DIR: join(tmp, 'data'),
    FLEET_ADMIN_PASSWORD: 'small-host-bench',
    QUESTDB_TUNING: tuning,
    // QuestDB's defaults log every commit; the small-host tuning logs errors only.
    QUESTDB_LOG_LEVEL: tuning === 'defaults' ? 'info' : 'error',
    ...Object.fromEntries(Object.entries(ports).map(([k, v]) => [k, String(v)])),
    // QuestDB's own overrides (QDB_<KEY>) and the group commit's settings (INGEST_*), to try a
    // setting without editing the code.
    ...Object.fromEntries(
      Object.entries(process.env).filter(([k]) => k.startsWith('QDB_') || k.startsWith('INGEST_')),
    ),
  };
  say(`bench: starting npm start with QUESTDB_TUNING=${tuning}`);
  const stack = spawnTied(process.execPath, [join(ROOT, 'cli/src/main.ts'), 'start'], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  run.onStop(() => stopChild(stack, 30_000));
  let devices = 0;
  let wanted = 0;
  const output: string[] = [];
  const onLine = (chunk: Buffer) => {
    for (const line of chunk.toString('utf8').split('\n')) {
      if (line.trim() === '') continue;
      output.push(line);
      if (output.length > 50) output.shift();
      const m = /devices (\d+)\/(\d+) connected/.exec(line);
      if (m) {
        devices = Number(m[1]);
        wanted = Number(m[2]);
      }
    }
  };
  stack.stdout?.on('data', onLine);
  stack.stderr?.on('data', onLine);
  const deadline = Date.now() + 300_000;
  while (!(wanted > 0 && devices === wanted)) {
    if (stack.exitCode !== null) throw new Error(`npm start exited:\n${output.join('\n')}`);
    if (Date.now() > deadline) throw new Error(`devices did not connect within 300 s:\n${output.join('\n')}`);
    await sleep(500);
  }
  const connected = devices;
  say(`bench: ${connected} devices connected; settling for ${args.warmupS} s`);
  await sleep(args.warmupS * 1000);
  const questdb = new QuestDbHttp(`http://127.0.0.1:${ports.QUESTDB_HTTP_PORT}`);
  const telemetryTxn = async () => {
    const r = await questdb.exec("select name, writerTxn from wal_tables() where name = 'telemetry'");
    return Number(r.dataset[0]?.[1] ?? 0);
  };
  const rowCount = async () =>
    Number((await questdb.exec('select count() from telemetry')).dataset[0]?.[0] ?? 0);
  const pid = stack.pid as number;
  const label = (p: number, cmdline: string) =>
    stackPart(cmdline) ?? (p === pid ? 'start command' : undefined);
  const txn0 = await telemetryTxn();
  const rows0 = await rowCount();
  const before = sampleThreads(pid, label);
  const t0 = performance.now();
  for (let s = 1; s <= args.durationS; s++) {
    await sleep(1000);
    run.live(`bench: ${tuning}: measuring ${s}/${args.durationS} s`, s);
  }
  const after = sampleThreads(pid, label);
  const seconds = (performance.now() - t0) / 1000;
  const cpu = cpuBetween(before, after, seconds, ticksPerSecond());
  const commits = (await telemetryTxn()) - txn0;
  const rows = (await rowCount()) - rows0;
  await stopChild(stack, 30_000);
  rmSync(tmp, { recursive: true, force: true });
  say(`bench: ${tuning}: whole stack ${pct(cpu.total)} of a core, QuestDB ${pct(cpu.byProcess.QuestDB)}`);
  return { tuning, seconds, cpu, rows, commits, devices: connected };
}

async function main(): Promise<number> {
  const args = parseBenchArgs(() => parseSmallHostArgs(process.argv.slice(2)), HELP);
  if (typeof args === 'number') return args;
  if (args.render !== undefined) {
    const results = readResultsFile(args.render, parseSmallHostResults);
    if (!results) return 2;
    await writeResults(results, args.render, args.out);
    return 0;
  }
  await run.checkQuiet();
  const runs: SmallHostRun[] = [];
  for (const tuning of args.tunings) runs.push(await measure(tuning, args));
  const results: SmallHostResults = {
    generatedAt: new Date().toISOString(),
    machine: machineInfo(),
    args: { durationS: args.durationS, warmupS: args.warmupS, tunings: args.tunings },
    runs,
    notes: run.notes,
  };
  await writeResults(results, join(ROOT, 'bench/results/small-host.json'), args.out);
  return 0;
}

/** The results file of an earlier run; notes default to none (files written before they existed). */
export function parseSmallHostResults(text: string): SmallHostResults {
  const r = JSON.parse(text) as Partial<SmallHostResults>;
  if (!r || !Array.isArray(r.runs) || !r.machine || !r.args) throw new Error('not a small-host results file');
  return { ...(r as SmallHostResults), notes: Array.isArray(r.notes) ? r.notes : [] };
}

async function writeResults(results: SmallHostResults, jsonPath: string, reportPath: string): Promise<void> {
  const svg = await groupedBarChartSvg({
    title: '`npm start` at rest: CPU per part of the stack (100% = one core)',
    xTitle: 'QuestDB tuning (1 = small-host, 2 = defaults)',
    yTitle: '% of one core',
    points: results.runs.flatMap((r) =>
      PARTS.map((part) => ({
        x: TUNINGS.indexOf(r.tuning) + 1,
        y: r.cpu.byProcess[part] ?? 0,
        series: part,
      })),
    ),
  });
  const section = renderSmallHostSection(results, 'plots/small-host-cpu.svg');
  run.writeResults({
    results,
    jsonPath,
    reportPath,
    sections: [{ heading: 'Small host', markdown: section }],
    plots: [{ file: 'small-host-cpu.svg', svg }],
    summary: section,
    summaryHasNotes: true,
  });
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(import.meta.filename)) run.main(main);
