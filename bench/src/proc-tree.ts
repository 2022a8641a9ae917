// CPU of a browser's process tree, per process type and per thread, read from /proc: Chromium
// runs as several processes (browser, renderer, GPU, utility) with many named threads, and which
// of them is busy says what limits a page (its main thread, a worker, or WebGL rasterised by
// SwiftShader in the GPU process). Sampling reads /proc; the arithmetic is pure.
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

export interface ThreadTicks {
  /** Chromium process type: browser (no --type), renderer, gpu-process, utility, zygote ... */
  process: string;
  /** 'main' for the process's main thread, else the kernel thread name without trailing digits. */
  thread: string;
  /** utime + stime, clock ticks. */
  ticks: number;
}

/**
 * A process's type from its command line as /proc/<pid>/cmdline gives it: NUL-separated, or
 * space-separated once Chromium rewrote its title (its child processes do).
 */
export function processType(cmdline: string): string {
  const m = /(?:^|[\0 ])--type=([^\0 ]+)/.exec(cmdline);
  return m?.[1] ?? 'browser';
}

/**
 * A thread's display name: 'main' for the process's own thread; numbered threads of a pool
 * (SwiftShader's Thread<01>, ThreadPoolForeg...) under one name.
 */
export function threadName(pid: number, tid: number, comm: string): string {
  if (pid === tid) return 'main';
  const name = comm.trim();
  return name.replace(/<\d+>$/, '<n>').replace(/[\s\d/#:-]+$/, '') || name;
}

/** utime + stime of a /proc stat line (the name in field 2 may hold spaces and parentheses). */
export function statTicks(stat: string): number {
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

function read(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

/** Every process below `root` (not `root` itself). */
export function descendants(root: number): number[] {
  const children = new Map<number, number[]>();
  let entries: string[] = [];
  try {
    entries = readdirSync('/proc').filter((e) => /^\d+$/.test(e));
  } catch {
    return [];
  }
  for (const e of entries) {
    const stat = read(`/proc/${e}/stat`);
    if (!stat) continue;
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    const list = children.get(ppid) ?? [];
    list.push(Number(e));
    children.set(ppid, list);
  }
  const out: number[] = [];
  const queue = [...(children.get(root) ?? [])];
  while (queue.length > 0) {
    const pid = queue.shift() as number;
    out.push(pid);
    queue.push(...(children.get(pid) ?? []));
  }
  return out;
}

function isChromium(pid: number): boolean {
  try {
    return /chrom/i.test(readlinkSync(`/proc/${pid}/exe`));
  } catch {
    return /chrom/i.test(read(`/proc/${pid}/comm`) ?? '');
  }
}

/** Every thread of the Chromium processes below `root`, by tid. */
export function sampleChromiumThreads(root: number): Map<number, ThreadTicks> {
  return sampleThreads(root, (pid, cmdline) => (isChromium(pid) ? processType(cmdline) : undefined));
}

/**
 * Every thread of `root` and the processes below it, by tid, under the label `label` gives its
 * process (from its NUL-separated command line); a process labelled undefined is left out.
 */
export function sampleThreads(
  root: number,
  label: (pid: number, cmdline: string) => string | undefined,
): Map<number, ThreadTicks> {
  const out = new Map<number, ThreadTicks>();
  for (const pid of [root, ...descendants(root)]) {
    const process = label(pid, read(`/proc/${pid}/cmdline`) ?? '');
    if (process === undefined) continue;
    let tids: string[] = [];
    try {
      tids = readdirSync(`/proc/${pid}/task`);
    } catch {
      continue;
    }
    for (const t of tids) {
      const tid = Number(t);
      const stat = read(`/proc/${pid}/task/${t}/stat`);
      if (!stat) continue;
      const comm = read(`/proc/${pid}/task/${t}/comm`) ?? '';
      out.set(tid, { process, thread: threadName(pid, tid, comm), ticks: statTicks(stat) });
    }
  }
  return out;
}

export interface TreeCpu {
  /** % of one core by process type. */
  byProcess: Record<string, number>;
  total: number;
  /** By process type and thread name (threads of the same name added up), busiest first. */
  threads: { process: string; thread: string; cpuPct: number }[];
}

/**
 * CPU between two samples over `seconds`. A thread only in `after` started in between: all its
 * ticks count. A thread gone by `after` is not counted (its last ticks are unknown).
 */
export function cpuBetween(
  before: ReadonlyMap<number, ThreadTicks>,
  after: ReadonlyMap<number, ThreadTicks>,
  seconds: number,
  ticksPerS: number,
): TreeCpu {
  const byProcess: Record<string, number> = {};
  const byThread = new Map<string, { process: string; thread: string; cpuPct: number }>();
  let total = 0;
  if (seconds <= 0) return { byProcess, total, threads: [] };
  for (const [tid, a] of after) {
    const ticks = Math.max(0, a.ticks - (before.get(tid)?.ticks ?? 0));
    const pct = (ticks / ticksPerS / seconds) * 100;
    byProcess[a.process] = (byProcess[a.process] ?? 0) + pct;
    total += pct;
    const key = `${a.process}/${a.thread}`;
    const t = byThread.get(key) ?? { process: a.process, thread: a.thread, cpuPct: 0 };
    t.cpuPct += pct;
    byThread.set(key, t);
  }
  const threads = [...byThread.values()].filter((t) => t.cpuPct > 0).sort((a, b) => b.cpuPct - a.cpuPct);
  return { byProcess, total, threads };
}

/** Every process below `root` with its command line (arguments as /proc/<pid>/cmdline gives them). */
export function descendantCommands(root: number): { pid: number; args: string[] }[] {
  return descendants(root).map((pid) => ({
    pid,
    args: (read(`/proc/${pid}/cmdline`) ?? '').split('\0').filter((a) => a !== ''),
  }));
}
