// Child processes tied to their parent: when the parent dies, even by kill -9, the kernel
// sends the child SIGTERM (setpriv --pdeathsig), so no orphan keeps ports or data locked.
import { type ChildProcess, type SpawnOptions, spawn, spawnSync } from 'node:child_process';
import { type AddressInfo, connect, createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

let setprivAvailable: boolean | undefined;

export function spawnTied(
  command: string,
  args: readonly string[],
  options: SpawnOptions = {},
): ChildProcess {
  setprivAvailable ??= spawnSync('setpriv', ['--version'], { stdio: 'ignore' }).status === 0;
  return setprivAvailable
    ? spawn('setpriv', ['--pdeathsig', 'SIGTERM', '--', command, ...args], options)
    : spawn(command, args, options);
}

/** Resolves with the exit code (or null when killed by a signal). */
export function exitOf(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

/** SIGTERM, then SIGKILL after `timeoutMs`. */
export async function stopChild(child: ChildProcess, timeoutMs = 15_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = exitOf(child);
  child.kill('SIGTERM');
  if (
    (await Promise.race([exited.then(() => 'exited'), sleep(timeoutMs, undefined, { ref: false })])) !==
    'exited'
  ) {
    child.kill('SIGKILL');
    await exited;
  }
}

/** A TCP port that was free a moment ago on 127.0.0.1 (tests and the bench start servers on it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export function canConnect(port: number, host = '127.0.0.1', timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ port, host });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** Polls until a TCP port accepts connections, the child exits, or the time runs out. */
export async function waitForPort(
  port: number,
  child: ChildProcess | undefined,
  timeoutMs: number,
  host = '127.0.0.1',
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child && (child.exitCode !== null || child.signalCode !== null)) return false;
    if (await canConnect(port, host)) return true;
    await sleep(100);
  }
  return false;
}
