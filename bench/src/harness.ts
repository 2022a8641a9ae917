// The one runner every bench that starts the platform uses: its progress line, the notes that end
// up in the report, what must be stopped on the way out (in reverse order of starting, also on
// Ctrl-C), the idle-machine check, a temporary data directory with free ports, a managed QuestDB,
// the real platform process (node platform/src/main.ts) with its child processes named, and the
// results file + report section + printed table at the end. A bench keeps only what it measures.
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { freePort, stopChild, waitForPort } from '@fleet/shared';
import { type ManagedQuestDb, type ManagedQuestDbOptions, startManagedQuestDb } from '@fleet/shared/questdb';
import { QUESTDB_JAR, ROOT } from './paths.ts';
import { childEnv, machineBusyPct, runBenchMain, spawnNode, type UsageMonitor } from './proc-stats.ts';
import { descendantCommands } from './proc-tree.ts';
import { createProgress } from './progress.ts';
import { mergeReport } from './report.ts';

/** Above this share of all cores busy before the bench starts, its figures are noted as disturbed. */
const BUSY_BEFORE_PCT = 20;
const PLATFORM_START_TIMEOUT_MS = 90_000;

/** The platform under test: its launcher process, ports, admin password and recent output. */
export interface PlatformUnderTest {
  child: ChildProcess;
  output: string[];
  mqttPort: number;
  httpPort: number;
  adminPassword: string;
}

export interface StartPlatformOptions {
  dataDir: string;
  questdbUrl: string;
  /** Settings on top of the bench defaults (loopback ports, no MQTT over WebSocket, warn logs). */
  env?: Record<string, string>;
  /** Process name in the progress output (default 'platform'). */
  name?: string;
  /** Pin the launcher and its children to this CPU (taskset). */
  cpu?: number;
  /** Write V8 CPU profiles of the launcher and its children there. */
  profileDir?: string;
  /** How long its ports may take to open (default 90 s). */
  startTimeoutMs?: number;
}

export interface BenchResultsFile {
  notes: string[];
}

export interface WriteResultsOptions<R extends BenchResultsFile> {
  results: R;
  jsonPath: string;
  reportPath: string;
  /** Report sections by heading (without '## '); each replaces the section of that name. */
  sections: Array<{ heading: string; markdown: string | undefined }>;
  /** Plots written beside the report (bench/plots/ for bench/REPORT.md), which the sections link. */
  plots?: Array<{ file: string; svg: string }>;
  /** Text printed after the files are written (the section's tables). */
  summary: string;
  /** The summary already lists the notes (default: they are printed after it). */
  summaryHasNotes?: boolean;
}

export class BenchRun {
  readonly notes: string[] = [];
  readonly progress: (line: string) => void;
  /** The live progress line on a terminal; a plain line every few seconds otherwise. */
  readonly live: (line: string, second: number) => void;
  readonly #endProgress: () => void;
  readonly #stops: Array<() => unknown> = [];
  #cleaning: Promise<void> | undefined;

  constructor(progressEveryS: number) {
    const p = createProgress(progressEveryS);
    this.progress = p.line;
    this.live = p.live;
    this.#endProgress = p.end;
  }

  /** Runs main() with signal handling; whatever was registered with onStop() is stopped after it. */
  main(main: () => Promise<number>): void {
    runBenchMain(main, () => this.cleanup(), this.progress);
  }

  /** Something to stop on the way out; the last registered is stopped first. Errors are ignored. */
  onStop(stop: () => unknown): void {
    this.#stops.push(stop);
  }

  /** True once the way out has begun (a closed socket then is expected, not news). */
  get stopping(): boolean {
    return this.#cleaning !== undefined;
  }

  /** Stops everything registered, once, in reverse order. */
  cleanup(): Promise<void> {
    this.#cleaning ??= (async () => {
      this.#endProgress();
      for (const stop of this.#stops.reverse()) {
        try {
          await stop();
        } catch {
          // best effort on the way out
        }
      }
    })();
    return this.#cleaning;
  }

  /** Warns (and notes for the report) when the machine is busy before the bench starts anything. */
  async checkQuiet(): Promise<number> {
    const busy = await machineBusyPct(2000);
    if (busy > BUSY_BEFORE_PCT) {
      const text = `the machine was already ${busy.toFixed(0)}% busy (all cores) before the bench started anything: other load distorts these figures.`;
      this.progress(`bench: warning: ${text}`);
      this.notes.push(`Before the run ${text}`);
    }
    return busy;
  }

  /** A temporary directory, removed on the way out. */
  tempDir(prefix: string): string {
    const dir = mkdtempSync(join(tmpdir(), prefix));
    this.onStop(() => rmSync(dir, { recursive: true, force: true }));
    this.progress(`bench: temp dir ${dir}`);
    return dir;
  }

  /** A managed QuestDB on free ports under dir/questdb, stopped on the way out. */
  async startQuestDb(
    dir: string,
    extra: Partial<Omit<ManagedQuestDbOptions, 'jarPath' | 'rootDir' | 'httpPort' | 'pgPort'>> = {},
  ): Promise<ManagedQuestDb> {
    const [httpPort, pgPort] = await Promise.all([freePort(), freePort()]);
    this.progress('bench: starting QuestDB');
    const questdb = await startManagedQuestDb({
      jarPath: QUESTDB_JAR,
      rootDir: join(dir, 'questdb'),
      httpPort,
      pgPort,
      ...extra,
    });
    this.onStop(() => questdb.stop());
    return questdb;
  }

  /**
   * The real platform on free loopback ports, stopped on the way out; resolves once its MQTT and
   * HTTP ports accept connections.
   */
  async startPlatform(o: StartPlatformOptions): Promise<PlatformUnderTest> {
    const [httpPort, mqttPort] = await Promise.all([freePort(), freePort()]);
    const adminPassword = randomBytes(18).toString('base64url');
    const name = o.name ?? 'platform';
    this.progress(`bench: starting the ${name}`);
    const spawned = spawnNode(name, ['platform/src/main.ts'], {
      cwd: ROOT,
      env: childEnv({
        DATA_DIR: o.dataDir,
        QUESTDB_URL: o.questdbUrl,
        MQTT_HOST: '127.0.0.1',
        MQTT_PORT: String(mqttPort),
        MQTT_WS_ENABLED: 'false',
        HTTP_HOST: '127.0.0.1',
        HTTP_PORT: String(httpPort),
        FLEET_ADMIN_PASSWORD: adminPassword,
        AUTH_JWT_SECRET: randomBytes(32).toString('base64url'),
        LOG_LEVEL: 'warn',
        LOG_FORMAT: 'json',
        ...o.env,
      }),
      cpu: o.cpu,
      profileDir: o.profileDir,
      log: this.progress,
    });
    this.onStop(() => stopChild(spawned.child));
    for (const port of [mqttPort, httpPort]) {
      if (!(await waitForPort(port, spawned.child, o.startTimeoutMs ?? PLATFORM_START_TIMEOUT_MS)))
        throw new Error(`the ${name} did not start:\n${spawned.output.slice(-30).join('\n')}`);
    }
    return { ...spawned, mqttPort, httpPort, adminPassword };
  }

  /** Writes the results file and the report sections, then prints the summary and the notes. */
  writeResults<R extends BenchResultsFile>(o: WriteResultsOptions<R>): void {
    mkdirSync(dirname(o.jsonPath), { recursive: true });
    mkdirSync(dirname(o.reportPath), { recursive: true });
    writeFileSync(o.jsonPath, `${JSON.stringify(o.results, null, 2)}\n`);
    const plotsDir = join(dirname(o.reportPath), 'plots');
    if (o.plots && o.plots.length > 0) {
      mkdirSync(plotsDir, { recursive: true });
      for (const plot of o.plots) writeFileSync(join(plotsDir, plot.file), plot.svg);
    }
    for (const { heading, markdown } of o.sections) {
      if (markdown !== undefined) writeFileSync(o.reportPath, mergeReport(o.reportPath, markdown, heading));
    }
    const plots = o.plots && o.plots.length > 0 ? `, ${relative(process.cwd(), plotsDir)}/` : '';
    this.progress(
      `bench: wrote ${relative(process.cwd(), o.reportPath)}${plots} and ${relative(process.cwd(), o.jsonPath)}`,
    );
    process.stdout.write(`${o.summary}\n`);
    if (!o.summaryHasNotes && o.results.notes.length > 0)
      process.stdout.write(`\n${o.results.notes.map((n) => `- ${n}`).join('\n')}\n`);
  }
}

/** The platform's processes by role: the launcher, its device side (broker + ingest) and API side. */
export interface PlatformProcesses {
  launcher: number;
  deviceSide: number | undefined;
  apiSide: number | undefined;
}

/** Finds the device side and API side the launcher forked (platform/src/supervisor.ts). */
export function platformProcesses(launcher: number): PlatformProcesses {
  const found: PlatformProcesses = { launcher, deviceSide: undefined, apiSide: undefined };
  for (const p of descendantCommands(launcher)) {
    const role = p.args[p.args.findIndex((a) => a.endsWith('child.ts')) + 1];
    if (role === 'ingest') found.deviceSide = p.pid;
    if (role === 'api') found.apiSide = p.pid;
  }
  return found;
}

/** Watches the launcher, device side and API side (and QuestDB when given) in one monitor. */
export function watchPlatform(
  monitor: UsageMonitor,
  launcher: number,
  questdbPid?: number,
): PlatformProcesses {
  const p = platformProcesses(launcher);
  monitor.watchPid('launcher', launcher);
  if (p.deviceSide !== undefined) monitor.watchPid('device side', p.deviceSide);
  if (p.apiSide !== undefined) monitor.watchPid('API side', p.apiSide);
  if (questdbPid !== undefined) monitor.watchPid('questdb', questdbPid);
  return p;
}
