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
  o: Required<Omit<ManagedQuestDbOptions, 'jarPath' | 'rootDir' | 'readyTimeoutMs'>>,
): string {
  return [
    '# Written by the fleet platform on every start; edit the settings (QUESTDB_*) instead.',
    `http.bind.to=${o.host}:${o.httpPort}`,
    `pg.net.bind.to=${o.host}:${o.pgPort}`,
    'http.min.enabled=false',
    'line.tcp.enabled=false',
    'line.udp.enabled=false',
    'telemetry.enabled=false',
    `shared.worker.count=${o.workers}`,
    `cairo.commit.mode=${o.commitMode}`,
    '',
  ].join('\n');
}

export async function startManagedQuestDb(options: ManagedQuestDbOptions): Promise<ManagedQuestDb> {
  const o = {
    host: '127.0.0.1',
    workers: 2,
    heapMb: 1024,
    commitMode: 'nosync' as const,
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
