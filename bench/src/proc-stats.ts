// CPU and memory of the processes in a bench run, read from /proc once a second: mean CPU% over
// a phase (100% = one core) and peak RSS.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

let clockTicks: number | undefined;

function ticksPerSecond(): number {
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

/** Busy and total CPU time of the whole machine (all cores), from /proc/stat. */
function readMachine(): { busy: number; total: number } {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
    const v = line.trim().split(/\s+/).slice(1).map(Number);
    const total = v.slice(0, 8).reduce((a, b) => a + b, 0); // up to steal; guest is inside user
    const idle = (v[3] ?? 0) + (v[4] ?? 0);
    return { busy: total - idle, total };
  } catch {
    return { busy: 0, total: 0 };
  }
}

export interface UsageSummary {
  /** Mean CPU over the phase, % of one core. */
  cpuPct: number;
  peakRssMb: number;
}

export interface PhaseUsage {
  /** Busy share of all cores together, %. */
  machineBusyPct: number;
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
  #machineStart = { busy: 0, total: 0 };
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
