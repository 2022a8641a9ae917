// QuestDB as a managed child process: the embedded default runs it from the pinned jar with
// its data under DATA_DIR/questdb, and stops it with the platform. Used by `npm start` and by
// the test setup, so both run the same server the same way.
import { type ChildProcess, spawnSync } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { FleetError } from '../errors.ts';
import { spawnTied } from '../process.ts';

export interface ManagedQuestDbOptions {
  jarPath: string;
  rootDir: string;
  httpPort: number;
  pgPort: number;
  host?: string;
  workers?: number;
  heapMb?: number;
  commitMode?: 'nosync' | 'async' | 'sync';
  /** `error` (default): errors and advisories only; `info`: QuestDB's full log. */
  logLevel?: 'info' | 'error';
  /** `small-host` (default): pools and idle behaviour sized for a few cores; `defaults`: QuestDB's own. */
  tuning?: 'small-host' | 'defaults';
  readyTimeoutMs?: number;
}

export interface ManagedQuestDb {
  readonly httpUrl: string;
  readonly pid: number;
  /** Resolves with the exit code when the process ends, however it ends. */
  readonly exited: Promise<number | null>;
  stop(timeoutMs?: number): Promise<void>;
}

export class QuestDbStartError extends FleetError {}

export function javaAvailable(): boolean {
  return spawnSync('java', ['-version'], { stdio: 'ignore' }).status === 0;
}

function serverConf(
  o: Required<Omit<ManagedQuestDbOptions, 'jarPath' | 'rootDir' | 'readyTimeoutMs' | 'logLevel'>>,
): string {
  const common = [
    '# Written by the fleet platform on every start; edit the settings (QUESTDB_*) instead.',
    `http.bind.to=${o.host}:${o.httpPort}`,
    `pg.net.bind.to=${o.host}:${o.pgPort}`,
    'http.min.enabled=false',
    'line.tcp.enabled=false',
    'line.udp.enabled=false',
    'telemetry.enabled=false',
    `cairo.commit.mode=${o.commitMode}`,
  ];
  if (o.tuning === 'defaults') return [...common, `shared.worker.count=${o.workers}`, ''].join('\n');
  return [
    ...common,
    // Sized for a small host (issue 15). Each pool defaults to one thread per core; the
    // network pool parses ILP at high load, so it keeps `workers`; writes and WAL apply are
    // one thread each (one table takes most rows, and its apply is serial anyway).
    `shared.network.worker.count=${o.workers}`,
    `shared.query.worker.count=${o.workers}`,
    'shared.write.worker.count=1',
    'wal.apply.worker.count=1',
    // An idle worker spins 10 times, then naps 1 ms at a time until its idle count passes the
    // sleep threshold, then sleeps `sleep.timeout` ms at a time. QuestDB's defaults (nap after
    // 7,000, sleep after 10,000) keep every thread waking 1,000 times a second for 3 s after
    // any work, so a trickle of commits every ~100 ms never lets one sleep: 10-20% of a core per
    // thread with almost nothing arriving (measured, bench/REPORT.md "Small host"). Napping
    // after 100 and sleeping after 300 idle rounds (~0.2 s) lets them rest between commits;
    // under load they never go idle, so throughput is unchanged.
    ...workerIdle('shared.worker', 10, 100, 300, 10),
    ...workerIdle('wal.apply.worker', 10, 100, 300, 20),
    '',
  ].join('\n');
}

function workerIdle(prefix: string, spin: number, nap: number, sleep: number, sleepMs: number): string[] {
  return [
    `${prefix}.yield.threshold=${spin}`,
    `${prefix}.nap.threshold=${nap}`,
    `${prefix}.sleep.threshold=${sleep}`,
    `${prefix}.sleep.timeout=${sleepMs}`,
  ];
}

/**
 * conf/log.conf: QuestDB logs several INFO lines per WAL commit and apply, which kept its
 * logging thread at ~11% of a core for 11 messages a second. `info` keeps them (to diagnose).
 */
function logConf(level: 'info' | 'error'): string {
  const levels = level === 'info' ? 'INFO,ERROR,CRITICAL,ADVISORY' : 'ERROR,CRITICAL,ADVISORY';
  return [
    '# Written by the fleet platform on every start; set QUESTDB_LOG_LEVEL instead.',
    'writers=stdout',
    'w.stdout.class=io.questdb.log.LogConsoleWriter',
    `w.stdout.level=${levels}`,
    '',
  ].join('\n');
}

export async function startManagedQuestDb(options: ManagedQuestDbOptions): Promise<ManagedQuestDb> {
  const o = {
    host: '127.0.0.1',
    workers: 2,
    heapMb: 1024,
    commitMode: 'nosync' as const,
    logLevel: 'error' as const,
    tuning: 'small-host' as const,
    readyTimeoutMs: 90_000,
    ...options,
  };
  const jar = resolve(o.jarPath);
  if (!existsSync(jar)) {
    throw new QuestDbStartError(
      'questdb_jar_missing',
      `QuestDB jar not found at ${jar}. Run \`npm run questdb:fetch\` (needs Maven) or set QUESTDB_JAR.`,
    );
  }
  if (!javaAvailable()) {
    throw new QuestDbStartError(
      'java_missing',
      'QuestDB needs Java 17 or newer on PATH (Debian: apt-get install openjdk-17-jre-headless), ' +
        'or point QUESTDB_URL at an external QuestDB.',
    );
  }
  const root = resolve(o.rootDir);
  mkdirSync(join(root, 'conf'), { recursive: true });
  writeFileSync(join(root, 'conf', 'server.conf'), serverConf(o));
  writeFileSync(join(root, 'conf', 'log.conf'), logConf(o.logLevel));
  killStale(root);

  const javaArgs = [
    '--add-exports',
    'java.base/jdk.internal.math=io.questdb',
    `-Xmx${o.heapMb}m`,
    '-p',
    jar,
    '-m',
    'io.questdb/io.questdb.ServerMain',
    '-d',
    root,
  ];
  const logPath = join(root, 'questdb.log');
  const log = createWriteStream(logPath, { flags: 'a' });
  const child: ChildProcess = spawnTied('java', javaArgs, { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  const pid = child.pid;
  if (pid === undefined) throw new QuestDbStartError('questdb_start_failed', 'could not spawn java');
  writeFileSync(join(root, 'questdb.pid'), String(pid));

  const exited = new Promise<number | null>((res) => {
    child.once('exit', (code) => {
      rmSync(join(root, 'questdb.pid'), { force: true });
      res(code);
    });
  });
  const httpUrl = `http://${o.host}:${o.httpPort}`;
  const stop = async (timeoutMs = 20_000) => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const done = await Promise.race([
      exited.then(() => true),
      sleep(timeoutMs, undefined, { ref: false }).then(() => false),
    ]);
    if (!done) {
      child.kill('SIGKILL');
      await exited;
    }
  };

  let exitedEarly = false;
  void exited.then(() => {
    exitedEarly = true;
  });
  const deadline = Date.now() + o.readyTimeoutMs;
  while (!(await isQuestDbReady(httpUrl))) {
    if (exitedEarly) {
      throw new QuestDbStartError(
        'questdb_start_failed',
        `QuestDB exited during start-up:\n${tail(logPath)}`,
      );
    }
    if (Date.now() > deadline) {
      await stop();
      throw new QuestDbStartError(
        'questdb_start_failed',
        `QuestDB was not ready within ${o.readyTimeoutMs} ms:\n${tail(logPath)}`,
      );
    }
    await sleep(200);
  }
  return { httpUrl, pid, exited, stop };
}

export async function isQuestDbReady(httpUrl: string): Promise<boolean> {
  try {
    const res = await fetch(`${httpUrl}/exec?query=${encodeURIComponent('select 1')}`, {
      signal: AbortSignal.timeout(2000),
    });
    await res.arrayBuffer();
    return res.ok;
  } catch {
    return false;
  }
}

/** A QuestDB left behind by a parent that could not stop it (no setpriv): stop it now. */
function killStale(root: string): void {
  const pidFile = join(root, 'questdb.pid');
  if (!existsSync(pidFile)) return;
  const pid = Number.parseInt(readFileSync(pidFile, 'utf8'), 10);
  rmSync(pidFile, { force: true });
  if (!Number.isInteger(pid)) return;
  try {
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    if (cmdline.includes('io.questdb') && cmdline.includes(root)) process.kill(pid, 'SIGKILL');
  } catch {
    // not running any more
  }
}

function tail(path: string, lines = 30): string {
  try {
    return readFileSync(path, 'utf8').split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}
