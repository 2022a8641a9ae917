// CPU and memory of the processes in a bench run, read from /proc once a second: mean CPU% over
// a phase (100% = one core) and peak RSS. Also the process plumbing the benches share: CPU
// pinning, spawning Node children with their output kept, the machine description.
import { type ChildProcess, type StdioOptions, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { cpus, release, totalmem } from 'node:os';
import { createInterface } from 'node:readline';
import { settings, spawnTied } from '@fleet/shared';
import type { Machine } from './report.ts';

let clockTicks: number | undefined;

export function ticksPerSecond(): number {
  if (clockTicks === undefined) {
    const out = spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' });
    const n = Number.parseInt(out.stdout ?? '', 10);
    clockTicks = Number.isInteger(n) && n > 0 ? n : 100;
  }
  return clockTicks;
}

export interface CpuMem {
  /** CPU seconds (user + system) since the process started. */
  cpuS: number;
  rssBytes: number;
}

/** One process's CPU time and RSS; undefined once it is gone. */
export function readProc(pid: number): CpuMem | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: split after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // After the name: state is index 0, so utime (field 14) is 11 and stime (field 15) is 12.
    const ticks = Number(fields[11]) + Number(fields[12]);
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const rssKb = Number(/^VmRSS:\s+(\d+)\s+kB/m.exec(status)?.[1] ?? 0);
    return { cpuS: ticks / ticksPerSecond(), rssBytes: rssKb * 1024 };
  } catch {
    return undefined;
  }
}

function readSelf(): CpuMem {
  const u = process.cpuUsage(); // every thread of this process, workers included
  return { cpuS: (u.user + u.system) / 1e6, rssBytes: process.memoryUsage.rss() };
}

/**
 * Busy and total CPU time of the whole machine (all cores), from /proc/stat, and the part of the
 * busy time spent in interrupts (irq + softirq: e.g. the kernel moving loopback TCP traffic),
 * which is not charged to any process.
 */
function readMachine(): { busy: number; total: number; irq: number } {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
    const v = line.trim().split(/\s+/).slice(1).map(Number);
    const total = v.slice(0, 8).reduce((a, b) => a + b, 0); // up to steal; guest is inside user
    const idle = (v[3] ?? 0) + (v[4] ?? 0);
    return { busy: total - idle, total, irq: (v[5] ?? 0) + (v[6] ?? 0) };
  } catch {
    return { busy: 0, total: 0, irq: 0 };
  }
}

/** Pids of the kernel threads whose name starts with `prefix` (e.g. 'ksoftirqd/'); [] off Linux. */
export function kernelThreads(prefix: string): { pid: number; name: string }[] {
  const out: { pid: number; name: string }[] = [];
  let entries: string[] = [];
  try {
    entries = readdirSync('/proc').filter((e) => /^\d+$/.test(e));
  } catch {
    return out;
  }
  for (const e of entries) {
    try {
      const name = readFileSync(`/proc/${e}/comm`, 'utf8').trim();
      if (name.startsWith(prefix)) out.push({ pid: Number(e), name });
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

/** How busy the whole machine is over `ms` milliseconds, % of all cores (before a run: is it quiet?). */
export async function machineBusyPct(ms = 1000): Promise<number> {
  const a = readMachine();
  await new Promise((resolve) => setTimeout(resolve, ms));
  const b = readMachine();
  const total = b.total - a.total;
  return total > 0 ? ((b.busy - a.busy) / total) * 100 : 0;
}

export interface UsageSummary {
  /** Mean CPU over the phase, % of one core. */
  cpuPct: number;
  peakRssMb: number;
}

export interface PhaseUsage {
  /** Busy share of all cores together, %. */
  machineBusyPct: number;
  /** Time in interrupts (irq + softirq), % of one core; not part of any process's CPU. */
  interruptsPct?: number;
  processes: Record<string, UsageSummary>;
}

interface Target {
  read: () => CpuMem | undefined;
  startCpu: number | undefined;
  lastCpu: number | undefined;
  peakRss: number;
}

/** Samples named processes once a second between start() and stop(). */
export class UsageMonitor {
  readonly #targets = new Map<string, Target>();
  #timer: NodeJS.Timeout | undefined;
  #startedAt = 0;
  #machineStart = { busy: 0, total: 0, irq: 0 };
  #cpuHistory: { t: number; cpu: Record<string, number> }[] = [];
  #lastSample: { t: number; cpu: Record<string, number> } | undefined;

  /** Watches a child process by pid. */
  watchPid(name: string, pid: number): void {
    this.#targets.set(name, {
      read: () => readProc(pid),
      startCpu: undefined,
      lastCpu: undefined,
      peakRss: 0,
    });
  }

  /** Watches this process (the load generator, all its threads). */
  watchSelf(name: string): void {
    this.#targets.set(name, { read: readSelf, startCpu: undefined, lastCpu: undefined, peakRss: 0 });
  }

  unwatch(name: string): void {
    this.#targets.delete(name);
  }

  start(): void {
    this.#startedAt = performance.now();
    this.#machineStart = readMachine();
    this.#cpuHistory = [];
    for (const t of this.#targets.values()) {
      const s = t.read();
      t.startCpu = s?.cpuS;
      t.lastCpu = s?.cpuS;
      t.peakRss = s?.rssBytes ?? 0;
    }
    this.#lastSample = { t: this.#startedAt, cpu: this.#cpuNow() };
    this.#timer = setInterval(() => this.#sample(), 1000);
    this.#timer.unref();
  }

  #cpuNow(): Record<string, number> {
    const cpu: Record<string, number> = {};
    for (const [name, t] of this.#targets) if (t.lastCpu !== undefined) cpu[name] = t.lastCpu;
    return cpu;
  }

  #sample(): void {
    for (const t of this.#targets.values()) {
      const s = t.read();
      if (!s) continue;
      t.lastCpu = s.cpuS;
      if (s.rssBytes > t.peakRss) t.peakRss = s.rssBytes;
    }
    const now = { t: performance.now(), cpu: this.#cpuNow() };
    if (this.#lastSample) this.#cpuHistory.push(now);
    this.#lastSample = now;
  }

  /** CPU% of each target over the last second (for the progress line). */
  recentCpuPct(): Record<string, number> {
    const h = this.#cpuHistory;
    const b = h.at(-1);
    const a = h.at(-2);
    const out: Record<string, number> = {};
    if (!a || !b) return out;
    for (const [name, cpu] of Object.entries(b.cpu)) {
      const before = a.cpu[name];
      if (before !== undefined) out[name] = ((cpu - before) / ((b.t - a.t) / 1000)) * 100;
    }
    return out;
  }

  stop(): PhaseUsage {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
    this.#sample();
    const seconds = (performance.now() - this.#startedAt) / 1000;
    const machine = readMachine();
    const dTotal = machine.total - this.#machineStart.total;
    const usage: PhaseUsage = {
      machineBusyPct: dTotal > 0 ? ((machine.busy - this.#machineStart.busy) / dTotal) * 100 : 0,
      interruptsPct:
        seconds > 0 ? ((machine.irq - this.#machineStart.irq) / ticksPerSecond() / seconds) * 100 : 0,
      processes: {},
    };
    for (const [name, t] of this.#targets) {
      if (t.startCpu === undefined || t.lastCpu === undefined || seconds <= 0) continue;
      usage.processes[name] = {
        cpuPct: ((t.lastCpu - t.startCpu) / seconds) * 100,
        peakRssMb: t.peakRss / 2 ** 20,
      };
    }
    return usage;
  }
}

// ---------------------------------------------------------------------------------------------
// Process plumbing

/** Whether CPU pinning is possible: two or more cores and taskset. */
export function canPin(): boolean {
  // cpus(), not availableParallelism(): the latter shrinks to 1 once this process is pinned.
  return cpus().length >= 2 && spawnSync('taskset', ['-V'], { stdio: 'ignore' }).status === 0;
}

/** Pins every thread of this process (and what it spawns from now on) to one CPU. */
export function pinSelf(cpu: number): void {
  const r = spawnSync('taskset', ['-a', '-p', '-c', String(cpu), String(process.pid)], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`taskset failed: ${r.stderr}`);
}

/** This process's environment without any platform setting (shared/src/config.ts), plus `extra`. */
export function childEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const key of Object.keys(settings)) delete env[key];
  return { ...env, ...extra };
}

export interface SpawnNodeOptions {
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** Pin the child to this CPU (taskset); undefined: inherit this process's affinity. */
  cpu?: number | undefined;
  /** Write a V8 CPU profile there (node --cpu-prof). */
  profileDir?: string | undefined;
  /** Open an IPC channel (child.send / process.send). */
  ipc?: boolean;
  /** Where the child's first lines of output are echoed. */
  log: (line: string) => void;
  /** How many lines to echo (default 40). */
  echoLines?: number;
  /** Takes every stdout line instead of the echo and the kept output (a child that speaks JSON). */
  stdoutLine?: (line: string) => void;
}

/** Spawns a Node child, pinned to one CPU when asked, its output kept (last 500 lines) and echoed. */
export function spawnNode(
  name: string,
  script: string[],
  o: SpawnNodeOptions,
): { child: ChildProcess; output: string[] } {
  const args =
    o.profileDir === undefined ? script : ['--cpu-prof', `--cpu-prof-dir=${o.profileDir}`, ...script];
  const command = o.cpu === undefined ? process.execPath : 'taskset';
  const fullArgs = o.cpu === undefined ? args : ['-c', String(o.cpu), process.execPath, ...args];
  const stdio: StdioOptions = o.ipc ? ['ignore', 'pipe', 'pipe', 'ipc'] : ['ignore', 'pipe', 'pipe'];
  const child = spawnTied(command, fullArgs, { cwd: o.cwd, env: o.env, stdio });
  const output: string[] = [];
  const echoLines = o.echoLines ?? 40;
  let echoed = 0;
  const { stdoutLine } = o;
  if (stdoutLine && child.stdout) createInterface({ input: child.stdout }).on('line', stdoutLine);
  for (const stream of stdoutLine ? [child.stderr] : [child.stdout, child.stderr]) {
    if (!stream) continue;
    createInterface({ input: stream }).on('line', (line) => {
      output.push(line);
      if (output.length > 500) output.shift();
      if (echoed < echoLines) {
        echoed++;
        o.log(`[${name}] ${line.slice(0, 400)}`);
        if (echoed === echoLines) o.log(`[${name}] (further output not shown)`);
      }
    });
  }
  return { child, output };
}

/** The machine the bench ran on. */
export function machineInfo(): Machine {
  let cpuModel = 'unknown';
  try {
    cpuModel =
      /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1]?.trim() ?? cpuModel;
  } catch {
    // not Linux
  }
  return {
    cores: cpus().length,
    cpuModel,
    memoryGb: totalmem() / 2 ** 30,
    node: process.versions.node,
    kernel: release(),
  };
}

/**
 * Runs a bench's main(): cleans up (children, temp dirs) however it ends, Ctrl-C included, and
 * exits with main's code (1 on failure, 130 when interrupted).
 */
export function runBenchMain(
  main: () => Promise<number>,
  cleanup: () => Promise<void>,
  progress: (line: string) => void,
): void {
  let interrupted = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (interrupted) process.exit(130);
    interrupted = true;
    progress(`bench: ${signal}, stopping`);
    cleanup().finally(() => process.exit(130));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  main().then(
    async (code) => {
      if (interrupted) return;
      await cleanup();
      process.exit(code);
    },
    async (err: unknown) => {
      // After Ctrl-C the run fails as its workers go away; the signal handler reports and exits.
      if (interrupted) return;
      progress(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
      await cleanup();
      process.exit(1);
    },
  );
}
