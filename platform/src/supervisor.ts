// The launcher's supervision of its children: each side of the platform runs in a process of
// its own, so a crash, a blocked event loop or a memory blow-up on one side does not stop the
// other. A child that dies is started again (restart-policy.ts), the restart and its cause are
// logged and counted, and the launcher relays the bus between the children, serves them the
// embedded database, and merges their metrics for GET /metrics.
import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Logger } from '@fleet/shared';
import { Counter, Gauge, type Registry } from 'prom-client';
import { type ChildRole, childChannel, type IpcChannel, type IpcMessage } from './ipc.ts';
import type { DatabaseServer } from './ipc-database.ts';
import {
  DEFAULT_RESTART_POLICY,
  nextCrashCount,
  type RestartPolicy,
  restartDelayMs,
} from './restart-policy.ts';

const CHILD_ENTRY = fileURLToPath(new URL('./child.ts', import.meta.url));

export interface SupervisorDeps {
  roles: readonly ChildRole[];
  log: Logger;
  registry: Registry;
  /** Environment of every child (config, QUESTDB_URL). */
  env: NodeJS.ProcessEnv;
  /** Serves the embedded database to the children; absent with DATABASE_URL. */
  database?: DatabaseServer;
  policy?: RestartPolicy;
  /** Memory ceiling per child (V8 old space), so a blow-up ends that child, not the machine. */
  maxOldSpaceMb?: number;
}

interface Supervised {
  role: ChildRole;
  process: ChildProcess | undefined;
  channel: IpcChannel | undefined;
  detach: (() => Promise<void>) | undefined;
  startedAt: number;
  crashesInARow: number;
  ready: boolean;
  timer: NodeJS.Timeout | undefined;
}

export interface Supervisor {
  /** Resolves when every child has said it is ready (the first time). */
  ready: Promise<void>;
  /** The pid of a role's current process, for tests and tools. */
  pid(role: ChildRole): number | undefined;
  /** Resolves when the role's process after `afterPid` reports ready. */
  readyAgain(role: ChildRole, afterPid: number | undefined): Promise<number>;
  stop(): Promise<void>;
}

export function startSupervisor(deps: SupervisorDeps): Supervisor {
  const { log, registry } = deps;
  const policy = deps.policy ?? DEFAULT_RESTART_POLICY;
  const restarts = new Counter({
    name: 'fleet_process_restarts_total',
    help: 'Child processes of the platform started again after they died, by role and cause',
    labelNames: ['role', 'cause'],
    registers: [registry],
  });
  const up = new Gauge({
    name: 'fleet_process_up',
    help: 'Whether each child process of the platform is running and ready (1) or not (0)',
    labelNames: ['role'],
    registers: [registry],
  });
  const children = new Map<ChildRole, Supervised>();
  const readyWaiters: { role: ChildRole; afterPid: number | undefined; resolve(pid: number): void }[] = [];
  let stopping = false;
  let nextMetricsId = 1;
  let resolveReady: () => void = () => {};
  const ready = new Promise<void>((resolve) => {
    resolveReady = resolve;
  });

  /** The other children that are ready (they answer requests). */
  function others(role: ChildRole): Supervised[] {
    return [...children.values()].filter((c) => c.role !== role && c.ready && c.channel);
  }

  /** The other children whose process runs, ready or still starting: bus events reach them. */
  function peers(role: ChildRole): Supervised[] {
    return [...children.values()].filter((c) => c.role !== role && c.channel && c.process?.connected);
  }

  /** Asks the other children for their metrics (at most 1.5 s) and adds the launcher's own. */
  async function collectMetrics(requester: ChildRole): Promise<unknown[]> {
    const ask = (channel: IpcChannel) =>
      new Promise<unknown[]>((resolve) => {
        const id = nextMetricsId++;
        const stopListening = channel.onMessage((m) => {
          if (m.t !== 'metrics-reply' || m.id !== id) return;
          clearTimeout(timer);
          stopListening();
          resolve(Array.isArray(m.metrics) ? m.metrics : []);
        });
        const timer = setTimeout(() => {
          stopListening();
          resolve([]);
        }, 1500);
        channel.send({ t: 'metrics-request', id });
      });
    const replies = await Promise.all(others(requester).flatMap((c) => (c.channel ? [ask(c.channel)] : [])));
    return [...replies.flat(), await registry.getMetricsAsJSON()];
  }

  function onMessage(child: Supervised, message: IpcMessage): void {
    if (message.t === 'bus') {
      for (const other of peers(child.role)) other.channel?.send(message);
    } else if (message.t === 'ready') {
      child.ready = true;
      up.set({ role: child.role }, 1);
      log.info({ role: child.role, pid: child.process?.pid }, 'child ready');
      for (let i = readyWaiters.length - 1; i >= 0; i--) {
        const w = readyWaiters[i];
        if (w && w.role === child.role && child.process?.pid !== w.afterPid && child.process?.pid) {
          readyWaiters.splice(i, 1);
          w.resolve(child.process.pid);
        }
      }
      if ([...children.values()].every((c) => c.ready)) resolveReady();
    } else if (message.t === 'metrics-request') {
      const id = message.id;
      collectMetrics(child.role).then(
        (metrics) => child.channel?.send({ t: 'metrics-reply', id, metrics }),
        () => child.channel?.send({ t: 'metrics-reply', id, metrics: [] }),
      );
    }
  }

  function start(child: Supervised): void {
    child.timer = undefined;
    const execArgv = [...process.execArgv];
    if (deps.maxOldSpaceMb !== undefined) execArgv.push(`--max-old-space-size=${deps.maxOldSpaceMb}`);
    const proc = fork(CHILD_ENTRY, [child.role], {
      env: deps.env,
      execArgv,
      serialization: 'advanced',
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    child.process = proc;
    child.channel = childChannel(proc);
    child.ready = false;
    child.startedAt = Date.now();
    const stopListening = child.channel.onMessage((m) => {
      try {
        onMessage(child, m);
      } catch (err) {
        log.error({ err, role: child.role }, 'launcher could not handle a message of a child');
      }
    });
    const detachDb = deps.database?.attach(child.channel, child.role);
    child.detach = async () => {
      stopListening();
      await detachDb?.();
    };
    proc.on('error', (err) => log.error({ err, role: child.role }, 'child process error'));
    proc.once('exit', (code, signal) => {
      up.set({ role: child.role }, 0);
      child.ready = false;
      void child.detach?.();
      if (stopping) return;
      const ranForMs = Date.now() - child.startedAt;
      child.crashesInARow = nextCrashCount(policy, child.crashesInARow, ranForMs);
      const delay = restartDelayMs(policy, child.crashesInARow);
      const cause = signal ?? `exit ${code}`;
      restarts.inc({ role: child.role, cause: signal ?? (code === 0 ? 'exit' : 'crash') });
      log.error(
        {
          role: child.role,
          pid: proc.pid,
          cause,
          ranForMs,
          restartInMs: delay,
          crashesInARow: child.crashesInARow,
        },
        'child process died; starting it again',
      );
      child.timer = setTimeout(() => start(child), delay);
    });
  }

  for (const role of deps.roles) {
    const child: Supervised = {
      role,
      process: undefined,
      channel: undefined,
      detach: undefined,
      startedAt: 0,
      crashesInARow: 0,
      ready: false,
      timer: undefined,
    };
    children.set(role, child);
    up.set({ role }, 0);
    start(child);
  }

  return {
    ready,
    pid: (role) => children.get(role)?.process?.pid,
    readyAgain(role, afterPid) {
      const child = children.get(role);
      const pid = child?.process?.pid;
      if (child?.ready && pid !== undefined && pid !== afterPid) return Promise.resolve(pid);
      return new Promise((resolve) => readyWaiters.push({ role, afterPid, resolve }));
    },
    async stop() {
      stopping = true;
      await Promise.all(
        [...children.values()].map(async (child) => {
          if (child.timer) clearTimeout(child.timer);
          const proc = child.process;
          if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
          const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
          proc.kill('SIGTERM');
          const timer = setTimeout(() => proc.kill('SIGKILL'), 15_000);
          await exited;
          clearTimeout(timer);
          await child.detach?.();
        }),
      );
    },
  };
}
