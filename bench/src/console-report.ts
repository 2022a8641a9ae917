// The console bench's results: their shape (also written as bench/results/console.json), the
// statistics it computes from what the page recorded, the '## Console' section of the report and
// its plot. Pure functions of the results, so an earlier run can be rendered again (--render).
import { z } from 'zod';
import type { DualAxisSpec } from './plot.ts';
import { type Machine, machineLine, machineSchema } from './report.ts';

/** The issue's target: frames per second with 10,000 live devices. */
export const TARGET_FPS = 30;
export const TARGET_DEVICES = 10_000;
/** ...with at most this share of the window's time in frames slower than TARGET_FPS. */
export const MAX_SLOW_TIME_PCT = 10;

// ---------------------------------------------------------------------------------------------
// Statistics

const summarySchema = z.object({
  count: z.number(),
  p50: z.number(),
  p95: z.number(),
  p99: z.number(),
  max: z.number(),
  mean: z.number(),
});
export type Summary = z.infer<typeof summarySchema>;

/** Nearest-rank percentile of sorted values (0 for none). */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1] as number;
}

export function summarize(values: readonly number[]): Summary {
  const sorted = [...values].sort((a, b) => a - b);
  const sum = sorted.reduce((a, b) => a + b, 0);
  return {
    count: sorted.length,
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    p99: percentile(sorted, 99),
    max: sorted.at(-1) ?? 0,
    mean: sorted.length === 0 ? 0 : sum / sorted.length,
  };
}

const frameStatsSchema = z.object({
  /** Animation frames in the window. */
  frames: z.number(),
  /** Frames per second over the window. */
  mean: z.number(),
  /** 1000 / the 99th percentile frame time: the frame rate of the slowest 1 % of frames. */
  low1Pct: z.number(),
  p99FrameMs: z.number(),
  longestFrameMs: z.number(),
  /**
   * Share of the window's time spent in frames slower than the target (longer than 1000 /
   * TARGET_FPS ms, 1 ms of slack): a page idle between bursts of slow frames has a fine mean
   * and a large share here.
   */
  slowTimePct: z.number(),
  /** Frames in each whole second of the window. */
  perSecond: z.array(z.number()),
});
export type FrameStats = z.infer<typeof frameStatsSchema>;

/** Frame statistics from requestAnimationFrame timestamps (ms, ascending). */
export function frameStats(timestamps: readonly number[]): FrameStats {
  const intervals: number[] = [];
  for (let i = 1; i < timestamps.length; i++)
    intervals.push((timestamps[i] as number) - (timestamps[i - 1] as number));
  const spanMs = intervals.reduce((a, b) => a + b, 0);
  const slowMs = intervals.filter((d) => d > 1000 / TARGET_FPS + 1).reduce((a, b) => a + b, 0);
  const perSecond: number[] = [];
  const first = timestamps[0] ?? 0;
  for (const t of timestamps.slice(1)) {
    const second = Math.floor((t - first) / 1000);
    if (second >= Math.floor(spanMs / 1000)) break; // the last, partial second
    perSecond[second] = (perSecond[second] ?? 0) + 1;
  }
  const s = summarize(intervals);
  return {
    frames: intervals.length,
    mean: spanMs > 0 ? (intervals.length * 1000) / spanMs : 0,
    low1Pct: s.p99 > 0 ? 1000 / s.p99 : 0,
    p99FrameMs: s.p99,
    longestFrameMs: s.max,
    slowTimePct: spanMs > 0 ? (slowMs / spanMs) * 100 : 0,
    perSecond: Array.from(perSecond, (n) => n ?? 0),
  };
}

// ---------------------------------------------------------------------------------------------
// Results

const threadSchema = z.object({
  /** Chromium process type: browser, renderer, gpu-process, utility ... */
  process: z.string(),
  /** Thread name (main = the process's main thread). */
  thread: z.string(),
  cpuPct: z.number(),
});
export type ThreadCpu = z.infer<typeof threadSchema>;

const consolePhaseSchema = z.object({
  devices: z.number().int(),
  vehicles: z.number().int(),
  equipment: z.number().int(),
  /** Markers the map had drawn (data-drawn) when the window opened. */
  drawn: z.number().int(),
  /** The zoom 'Fit to fleet' gives in the map's container (computed), null when unknown. */
  zoom: z.number().nullable(),
  windowS: z.number(),
  fps: frameStatsSchema,
  /** Hub frame received by the page → its markers drawn (the console's performance.measure). */
  frameToMarkerMs: summarySchema,
  /** How old a positions frame is when the page's script gets it (hub send → page), ms. */
  frameAgeMs: summarySchema,
  /** positions frames the hub sent per second (GET /metrics), and held back for a slow client. */
  hubSentPerS: z.number(),
  hubCoalescedPerS: z.number(),
  /** WebSockets the hub closed in the window, by reason (slow_consumer: the page fell behind). */
  hubClosed: z.record(z.string(), z.number()),
  /** WebSockets the page opened in the window (reconnections after a close). */
  reconnects: z.number(),
  /** positions frames the page received per second, and the positions in them. */
  hubFramesPerS: z.number(),
  positionsPerS: z.number(),
  /** Positions the bench put into the platform per second. */
  injectedPerS: z.number(),
  cpu: z.object({
    /** Chromium by process type (% of one core). */
    chromium: z.record(z.string(), z.number()),
    chromiumTotal: z.number(),
    /** This process: the platform (API, hub, broker), the injector and the Playwright client. */
    platform: z.number(),
    questdb: z.number(),
    /** Everything else on the machine (other people's work), % of one core. */
    others: z.number(),
  }),
  /** The busiest Chromium threads over the window. */
  threads: z.array(threadSchema),
  /** The renderer's main thread from CDP Performance.getMetrics, % of the window. */
  mainThread: z.object({
    busyPct: z.number(),
    scriptPct: z.number(),
    layoutPct: z.number(),
    stylePct: z.number(),
  }),
  heapMb: z.number(),
  machineBusyPct: z.number(),
  /** 1-minute load average when the window closed. */
  load1: z.number(),
  pageErrors: z.array(z.string()),
  /** fps with updates paused while the map is dragged: what drawing the map alone allows. */
  repaintFps: frameStatsSchema.nullable(),
});
export type ConsolePhaseResult = z.infer<typeof consolePhaseSchema>;

export const consoleResultsSchema = z.object({
  bench: z.literal('console'),
  date: z.string(),
  machine: machineSchema,
  chromium: z.string(),
  parameters: z.object({
    devices: z.array(z.number()),
    seconds: z.number(),
    warmupS: z.number(),
    tickMs: z.number(),
    speedMs: z.number(),
    viewport: z.object({ width: z.number(), height: z.number() }),
  }),
  /** requestAnimationFrame on an empty page in the same Chromium: what headless delivers at best. */
  idleFps: frameStatsSchema,
  load: z.object({
    before: z.array(z.number()),
    after: z.array(z.number()),
    busyBeforePct: z.number(),
  }),
  phases: z.array(consolePhaseSchema),
  screenshot: z.string().nullable(),
  notes: z.array(z.string()),
});
export type ConsoleResults = z.infer<typeof consoleResultsSchema>;

export function parseConsoleResults(text: string): ConsoleResults {
  return consoleResultsSchema.parse(JSON.parse(text));
}

// ---------------------------------------------------------------------------------------------
// Report

const int = (n: number) => Math.round(n).toLocaleString('en-US');
const one = (n: number) => n.toLocaleString('en-US', { minimumFractionDigits: 1, maximumFractionDigits: 1 });
const ms = (n: number) => (n >= 100 ? int(n) : one(n));
const load = (l: readonly number[]) => l.map((v) => v.toFixed(2)).join(' / ');

export function consoleResultsTable(r: ConsoleResults): string {
  const head =
    '| devices | drawn (zoom) | fps mean / 1% low | time in frames < 30 fps | longest frame (ms) | frame→marker p50 / p95 / p99 / max (ms) | measures | frame age at the page p50 / p95 (ms) | hub frames/s sent / held back / received (positions/s received) | Chromium CPU | heap (MB) | fps repainting only |';
  const rule = '|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|';
  const rows = r.phases.map((p) => {
    const f = p.frameToMarkerMs;
    const age = p.frameAgeMs.count === 0 ? 'none' : `${ms(p.frameAgeMs.p50)} / ${ms(p.frameAgeMs.p95)}`;
    const zoom = p.zoom === null ? '' : ` (${p.zoom.toFixed(1)})`;
    const latency =
      f.count === 0 ? 'none recorded' : `${ms(f.p50)} / ${ms(f.p95)} / ${ms(f.p99)} / ${ms(f.max)}`;
    const repaint = p.repaintFps === null ? 'n/a' : one(p.repaintFps.mean);
    return `| ${int(p.devices)} | ${int(p.drawn)}${zoom} | ${one(p.fps.mean)} / ${one(p.fps.low1Pct)} | ${int(p.fps.slowTimePct)}% | ${int(p.fps.longestFrameMs)} | ${latency} | ${int(f.count)} | ${age} | ${one(p.hubSentPerS)} / ${one(p.hubCoalescedPerS)} / ${one(p.hubFramesPerS)} (${int(p.positionsPerS)})${closedNote(p)} | ${int(p.cpu.chromiumTotal)}% | ${int(p.heapMb)} | ${repaint} |`;
  });
  return [head, rule, ...rows].join('\n');
}

function closedCount(p: ConsolePhaseResult): number {
  return Object.values(p.hubClosed).reduce((a, b) => a + b, 0);
}

function closedNote(p: ConsolePhaseResult): string {
  const n = closedCount(p);
  if (n === 0) return '';
  const why = Object.entries(p.hubClosed)
    .map(([reason, count]) => `${reason} ${count}`)
    .join(', ');
  return `; closed ${n}x (${why}), ${p.reconnects} reconnect${p.reconnects === 1 ? '' : 's'}`;
}

const PROCESS_TYPES = ['renderer', 'gpu-process', 'browser'] as const;

function processCpu(p: ConsolePhaseResult, type: string): number {
  return p.cpu.chromium[type] ?? 0;
}

export function consoleCpuTable(r: ConsoleResults): string {
  const head =
    '| devices | renderer | GPU process | browser | other Chromium | renderer main thread busy (script / layout / style) | platform (this process) | QuestDB | everything else | machine busy | load (1 min) |';
  const rule = '|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|';
  const rows = r.phases.map((p) => {
    const known = PROCESS_TYPES.reduce((s, t) => s + processCpu(p, t), 0);
    const m = p.mainThread;
    return `| ${int(p.devices)} | ${int(processCpu(p, 'renderer'))}% | ${int(processCpu(p, 'gpu-process'))}% | ${int(processCpu(p, 'browser'))}% | ${int(p.cpu.chromiumTotal - known)}% | ${int(m.busyPct)}% (${int(m.scriptPct)}% / ${int(m.layoutPct)}% / ${int(m.stylePct)}%) | ${int(p.cpu.platform)}% | ${int(p.cpu.questdb)}% | ${int(p.cpu.others)}% | ${int(p.machineBusyPct)}% | ${p.load1.toFixed(2)} |`;
  });
  return [head, rule, ...rows].join('\n');
}

export function consoleThreadsTable(r: ConsoleResults, top = 6): string {
  const head = `| devices | busiest Chromium threads (% of one core) |`;
  const rule = '|---:|---|';
  const rows = r.phases.map(
    (p) =>
      `| ${int(p.devices)} | ${p.threads
        .slice(0, top)
        .map((t) => `${t.process}/${t.thread} ${int(t.cpuPct)}%`)
        .join(', ')} |`,
  );
  return [head, rule, ...rows].join('\n');
}

/** The phase the target is about: 10,000 devices, else the largest fleet run. */
export function targetPhase(r: ConsoleResults): ConsolePhaseResult | undefined {
  return (
    r.phases.find((p) => p.devices === TARGET_DEVICES) ??
    [...r.phases].sort((a, b) => b.devices - a.devices)[0]
  );
}

function threadCpu(p: ConsolePhaseResult, process: string, match: (thread: string) => boolean): number {
  return p.threads.filter((t) => t.process === process && match(t.thread)).reduce((a, t) => a + t.cpuPct, 0);
}

/**
 * What the figures say about the target: the fps measured at 10,000 devices and where the
 * machine's time went. Facts only, from the results (the report's prose is in renderConsoleSection).
 */
export function targetVerdict(r: ConsoleResults): string[] {
  const p = targetPhase(r);
  if (!p) return ['No fleet size was measured.'];
  const exact = p.devices === TARGET_DEVICES;
  const met = exact && p.fps.mean >= TARGET_FPS && p.fps.slowTimePct <= MAX_SLOW_TIME_PCT;
  const out = [
    `**Target: >= ${TARGET_FPS} fps with ${int(TARGET_DEVICES)} live devices in headless Chromium: ` +
      (exact
        ? `${one(p.fps.mean)} fps measured (1% low ${one(p.fps.low1Pct)}, ${int(p.fps.slowTimePct)}% of the time in frames slower than ${TARGET_FPS} fps), ${met ? 'met' : 'not met'}.**`
        : `not measured (this run went up to ${int(p.devices)} devices: ${one(p.fps.mean)} fps).**`) +
      ` Met means a mean of ${TARGET_FPS} fps or more with at most ${MAX_SLOW_TIME_PCT}% of the time in slower frames.`,
  ];
  const swiftShader = threadCpu(p, 'gpu-process', (t) => t.startsWith('Thread<'));
  const gpu = processCpu(p, 'gpu-process');
  const mainCpu = threadCpu(p, 'renderer', (t) => t === 'main');
  const worker = threadCpu(p, 'renderer', (t) => t === 'DedicatedWorker');
  const idles = p.repaintFps !== null && p.fps.mean > 2 * p.repaintFps.mean;
  const facts = [
    ...(idles
      ? [
          `the mean counts idle frames: the page drew updates in bursts of slow frames (longest ${int(p.fps.longestFrameMs)} ms) with nothing to draw in between`,
        ]
      : []),
    `an empty page in the same Chromium runs at ${one(r.idleFps.mean)} fps`,
    ...(p.repaintFps === null
      ? []
      : [
          `the same map with the markers standing still, only repainting while dragged, at ${one(p.repaintFps.mean)} fps`,
        ]),
    `the GPU process (WebGL on SwiftShader, on the CPU: \`--disable-gpu\`) used ${int(gpu)}% of a core, ${int(swiftShader)}% of it in SwiftShader's rasteriser threads`,
    `the renderer's main thread was inside a task ${int(p.mainThread.busyPct)}% of the window but on a CPU only ${int(mainCpu)}% (JavaScript ${int(p.mainThread.scriptPct)}%): the rest it waited, for the GPU process`,
    `MapLibre's worker (GeoJSON tiles) used ${int(worker)}%`,
    ...(p.hubCoalescedPerS > 0
      ? [
          `the page read its WebSocket too slowly for the hub, which held back ${one(p.hubCoalescedPerS)} of every ${one(p.hubSentPerS + p.hubCoalescedPerS)} positions frames a second (the latest position per device goes in the next one it sends)`,
        ]
      : []),
    ...(closedCount(p) > 0
      ? [
          `the hub closed the page's connection ${closedCount(p)} time(s) in the window for falling behind (${Object.keys(p.hubClosed).join(', ')}), and the page opened ${p.reconnects} new one(s) in the window (until it has, it only works off what it had received)`,
        ]
      : []),
    ...(p.frameAgeMs.count > 0
      ? [`a positions frame reached the page's script ${ms(p.frameAgeMs.p50)} ms (p50) after the hub sent it`]
      : []),
    `the platform ${int(p.cpu.platform)}%, and work outside the bench (other people's) ${int(p.cpu.others)}%, of a machine ${int(p.machineBusyPct)}% busy on ${r.machine.cores} cores`,
  ];
  out.push(`With ${int(p.devices)} devices: ${facts.join('; ')}.`);
  return out;
}

export function consoleChart(r: ConsoleResults): { file: string; spec: DualAxisSpec } {
  return {
    file: 'console.svg',
    spec: {
      title: 'Live map in headless Chromium: frame rate and frame→marker p95',
      xTitle: 'live devices (1 report/s each)',
      left: {
        title: 'frames per second',
        points: r.phases.map((p) => ({ x: p.devices, y: p.fps.mean, series: 'fps (mean)' })),
      },
      right: {
        title: 'frame→marker p95 (ms)',
        points: r.phases.map((p) => ({ x: p.devices, y: p.frameToMarkerMs.p95, series: 'frame→marker p95' })),
      },
    },
  };
}

export function renderConsoleSection(r: ConsoleResults, plotsDir: string, screenshotRel?: string): string {
  const p = r.parameters;
  const lines = [
    '## Console',
    '',
    `\`npm run bench:console\` on ${r.date.slice(0, 10)}: the ops console's live map in headless ${r.chromium}`,
    `(${p.viewport.width}x${p.viewport.height}, \`--disable-gpu\`, so WebGL runs on SwiftShader, on the CPU) against the real API, hub and`,
    'console (the platform in the bench process, over a managed QuestDB). Every device drives inside the Helsinki',
    `basemap at about ${p.speedMs} m/s with ignition on and reports once a second, a tenth of the fleet every ${p.tickMs} ms.`,
    "**The positions go into the platform's live state and in-process bus where the ingest pipeline puts them; they",
    'are not sent over MQTT.** The device path is measured by `npm run bench:fleet`: on 2 cores, 10,000 MQTT devices',
    'plus the platform plus Chromium would measure CPU contention, not the console.',
    '',
    'Per size: a fresh Chromium signs in as the administrator, waits until every marker is drawn, presses "Fit to',
    'fleet" (every marker drawn on its own at zoom >= 13, the computed zoom in brackets; at most 1,000 markers in view',
    `glide, the rest step), warms up ${p.warmupS} s and measures ${p.seconds} s. **fps** counts \`requestAnimationFrame\` callbacks`,
    "(1% low = 1000 / the 99th percentile frame time). **frame→marker** is the console's `fleet:frame-to-marker`",
    "measure: a hub frame reaching the page's script → the first render after a tile of the markers' source was",
    "rebuilt from it. **Frame age at the page** is how old a positions frame is when the page's script gets it (the",
    "hub's send time, `at`, against the same clock): frames queue in the browser while its main thread is busy, and",
    'frame→marker does not see that. **Hub frames/s** are what the hub sent (`/metrics`), held back for a client',
    'reading too slowly (it then sends the latest position per device in one frame), and what the page received.',
    'A page that falls behind (frames seconds old when its script gets them) makes the hub hold positions back and,',
    'past its bounds, close the connection (slow consumer); the console reconnects after a back-off and starts again',
    'from a snapshot. Whether that happens inside the window changes the mean fps a lot (an idle page counts 60',
    'frames a second), so read it with "time in frames < 30 fps" and the frames per second below.',
    '**fps repainting only**: the markers stand still (no reports) while the map is dragged in a small circle for 5 s,',
    'so every frame draws the map again: what drawing alone allows. CPU is the mean over the window, 100% = one',
    'core; "everything else" is the machine\'s busy time not spent by Chromium, this process or QuestDB (on this shared',
    "machine, other people's work).",
    '',
    machineLine(r.machine as Machine),
    `- Load average (1 / 5 / 15 min) before the run ${load(r.load.before)}, after ${load(r.load.after)}; the machine was ${int(r.load.busyBeforePct)}% busy before the bench started anything.`,
    '',
    consoleResultsTable(r),
    '',
    ...targetVerdict(r),
    '',
    '### Where the time goes',
    '',
    consoleCpuTable(r),
    '',
    consoleThreadsTable(r),
    '',
    'Frames in each second of the window:',
    '',
    ...r.phases.map((ph) => `- ${int(ph.devices)} devices: ${ph.fps.perSecond.join(' ')}`),
    '',
    `![${consoleChart(r).spec.title}](${plotsDir}/${consoleChart(r).file})`,
    '',
  ];
  if (screenshotRel)
    lines.push(`![The live map with ${int(targetPhase(r)?.devices ?? 0)} devices](${screenshotRel})`, '');
  const bullets = [
    ...r.phases
      .filter((ph) => ph.pageErrors.length > 0)
      .map(
        (ph) =>
          `${int(ph.devices)} devices: the page logged ${ph.pageErrors.length} error(s): ${ph.pageErrors.slice(0, 3).join('; ')}`,
      ),
    ...r.notes,
  ];
  if (bullets.length > 0) lines.push(...bullets.map((n) => `- ${n}`), '');
  return lines.join('\n');
}
