// npm run bench:console -- [options]
//
// The ops console's live map in headless Chromium with 1,000 / 5,000 / 10,000 live devices. The
// platform (API, hub, broker, console) runs in this process over a managed QuestDB; positions go
// into its live state and in-process bus where the ingest pipeline puts them (not over MQTT:
// bench:fleet measures that path), every device once a second, a tenth of the fleet per hub tick.
// Per size: provision, start the platform, a fresh Chromium signs in, waits until every marker is
// drawn, fits the view, warms up, then measures fps, hub frame → marker drawn, hub frames/s, CPU
// of Chromium (per process and thread) and of the platform, the JS heap. Writes the '## Console'
// section of bench/REPORT.md, bench/plots/console.svg, bench/results/console.json and a
// screenshot of the largest fleet. See bench/README.md.
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ensureConsoleBuilt } from '@fleet/cli/console-build';
import { prepareSimulatedFleet, simCredentialsPath } from '@fleet/cli/sim-fleet';
import { readCredentials, selectFleet } from '@fleet/firmware-sim';
import { startPlatformProcess } from '@fleet/platform';
import { createLogger, type FleetConfig, freePort, loadConfig } from '@fleet/shared';
import type { Browser, BrowserContext, CDPSession, Page } from 'playwright-core';
import { collectPageErrors, launchBrowser } from '../../test/browser.ts';
import { fitZoom, MovingFleet } from './console-fleet.ts';
import {
  CONSOLE_HELP,
  type ConsoleOptions,
  estimatedConsoleRunS,
  parseConsoleOptions,
} from './console-options.ts';
import {
  type ConsolePhaseResult,
  type ConsoleResults,
  consoleChart,
  consoleCpuTable,
  consoleResultsTable,
  type FrameStats,
  frameStats,
  parseConsoleResults,
  renderConsoleSection,
  summarize,
  targetVerdict,
} from './console-report.ts';
import { BenchRun } from './harness.ts';
import { counterDelta, metricByLabel, metricSum, scrapeMetrics } from './hub-stats.ts';
import { parseBenchArgs, readResultsFile } from './options.ts';
import { ROOT } from './paths.ts';
import { dualAxisChartSvg } from './plot.ts';
import { machineInfo, ticksPerSecond, UsageMonitor } from './proc-stats.ts';
import { cpuBetween, sampleChromiumThreads } from './proc-tree.ts';
import { fmt } from './progress.ts';

const VIEWPORT = { width: 1280, height: 800 };
/** One tick of the injector: the hub's default tick, a tenth of the fleet each time. */
const TICK_MS = 100;
const SPEED_MS = 10;
/** Share of the fleet that is equipment (tags); the rest are vehicles. */
const EQUIPMENT_SHARE = 0.1;
/** The console's measure (FRAME_TO_MARKER in web/src/lib/map/fleet-map.ts, not imported: it loads MapLibre). */
const FRAME_TO_MARKER = 'fleet:frame-to-marker';
/** fitToFleet() in fleet-map.ts: padding and the highest zoom it goes to. */
const FIT_PADDING_PX = 60;
const FIT_MAX_ZOOM = 16;
const IDLE_SAMPLE_MS = 3000;
/** How long the map is dragged for the repaint-only fps. */
const REPAINT_MS = 5000;

const run = new BenchRun(10);
const { progress, live } = run;

// ---------------------------------------------------------------------------------------------
// The injector: a tenth of the fleet every TICK_MS into the live state and onto the bus, as the
// ingest pipeline does (ingest/src/pipeline.ts updateLiveState). It stops when told, or by itself
// at its deadline.

type Platform = Awaited<ReturnType<typeof startPlatformProcess>>;

class Injector {
  injected = 0;
  /** Ticks that started later than their slot, and the worst lateness (ms). */
  lateTicks = 0;
  worstLateMs = 0;
  /** While set, ticks pass without reports (the repaint-only measurement). */
  paused = false;
  readonly done: Promise<void>;
  #stopped = false;

  constructor(platform: Platform, fleet: MovingFleet, tenant: string, maxRunMs: number) {
    this.done = this.#run(platform, fleet, tenant, maxRunMs);
  }

  async #run(platform: Platform, fleet: MovingFleet, tenant: string, maxRunMs: number): Promise<void> {
    const start = performance.now();
    const deadline = start + maxRunMs;
    for (let k = 0; !this.#stopped && performance.now() < deadline; k++) {
      if (this.paused) {
        await sleep(Math.max(0, start + (k + 1) * TICK_MS - performance.now()));
        continue;
      }
      const late = performance.now() - (start + k * TICK_MS);
      if (late > TICK_MS / 2) {
        this.lateTicks++;
        this.worstLateMs = Math.max(this.worstLateMs, late);
      }
      const records = fleet.report(k % fleet.slots, Date.now(), tenant);
      const advanced = await platform.device.broker.liveState.applyTelemetry(records);
      for (const position of advanced) platform.bus.publish('position', position);
      this.injected += records.length;
      await sleep(Math.max(0, start + (k + 1) * TICK_MS - performance.now()));
    }
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    await this.done;
  }
}

// ---------------------------------------------------------------------------------------------
// Run state and clean-up

/** The platform, injector and browser of the fleet size that runs now, stopped on the way out. */
const state: { platform?: Platform; injector?: Injector; browser?: Browser } = {};

async function stopPhase(): Promise<void> {
  await state.browser?.close().catch(() => {});
  await state.injector?.stop().catch(() => {});
  await state.platform?.stop().catch(() => {});
}

// ---------------------------------------------------------------------------------------------
// In the page (plain scripts: the bench is type-checked without the DOM library)

/**
 * Before the console loads: every WebSocket also gets a listener of the bench's that notes, for
 * each positions frame while measuring, how old it is when the page's script gets it (the hub
 * stamps it with its send time, "at"; page and platform share this machine's clock).
 */
const WS_PROBE = `(() => {
  const w = { on: false, ages: [], opened: 0 };
  window.__consoleBenchWs = w;
  const Native = window.WebSocket;
  window.WebSocket = class extends Native {
    constructor(...args) {
      super(...args);
      if (w.on) w.opened++;
      this.addEventListener('message', (e) => {
        if (!w.on || typeof e.data !== 'string' || !e.data.startsWith('{"type":"positions"')) return;
        const m = /"at":(\\d+)/.exec(e.data.slice(0, 64));
        if (m) w.ages.push(Date.now() - Number(m[1]));
      });
    }
  };
})()`;

/** Counts animation frames and collects the console's frame→marker measures until collected. */
const INSTALL = `(() => {
  const b = { frames: [], measures: [], stop: false };
  window.__consoleBench = b;
  if (window.__consoleBenchWs) Object.assign(window.__consoleBenchWs, { on: true, ages: [], opened: 0 });
  const loop = (t) => { b.frames.push(t); if (!b.stop) requestAnimationFrame(loop); };
  requestAnimationFrame(loop);
  b.observer = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) if (e.name === ${JSON.stringify(FRAME_TO_MARKER)}) b.measures.push(e.duration);
  });
  b.observer.observe({ type: 'measure' });
})()`;

const COLLECT = `(() => {
  const b = window.__consoleBench;
  b.stop = true;
  b.observer.disconnect();
  const w = window.__consoleBenchWs;
  if (w) w.on = false;
  return { frames: b.frames, measures: b.measures, ages: w ? w.ages : [], opened: w ? w.opened : 0 };
})()`;

const PEEK =
  '({ frames: window.__consoleBench.frames.length, measures: window.__consoleBench.measures.length })';

/** The hub's positions frames sent, and held back for a slow client (coalesced), so far. */
async function hubCounters(
  port: number,
): Promise<{ sent: number; coalesced: number; closed: Record<string, number> }> {
  const samples = await scrapeMetrics(port);
  return {
    sent: metricSum(samples, 'fleet_ws_frames_sent_total', { type: 'positions' }),
    coalesced: metricSum(samples, 'fleet_ws_frames_dropped_total', { reason: 'coalesced' }),
    closed: metricByLabel(samples, 'fleet_ws_closed_total', 'reason'),
  };
}

async function cdpMetrics(cdp: CDPSession): Promise<Record<string, number>> {
  const { metrics } = await cdp.send('Performance.getMetrics');
  return Object.fromEntries(metrics.map((m) => [m.name, m.value]));
}

/** requestAnimationFrame on an empty page: what this headless Chromium delivers at best. */
async function idleFps(browser: Browser): Promise<FrameStats> {
  const context = await browser.newContext({ viewport: VIEWPORT });
  try {
    const page = await context.newPage();
    await page.setContent('<!doctype html><title>idle</title><body></body>');
    await page.evaluate(INSTALL);
    await sleep(IDLE_SAMPLE_MS);
    const { frames } = (await page.evaluate(COLLECT)) as { frames: number[] };
    return frameStats(frames);
  } finally {
    await context.close();
  }
}

async function waitForAttribute(
  page: Page,
  attribute: string,
  wanted: (value: string | null) => boolean,
  timeoutMs: number,
  what: string,
): Promise<string | null> {
  const deadline = performance.now() + timeoutMs;
  let value: string | null = null;
  for (let s = 0; performance.now() < deadline; s++) {
    value = await page.getByTestId('live-map').getAttribute(attribute);
    if (wanted(value)) return value;
    await sleep(500);
    if (s % 2 === 1) live(`${what}: ${attribute}=${value ?? '-'}`, s / 2);
  }
  throw new Error(`${what}: gave up after ${timeoutMs / 1000} s with ${attribute}=${value}`);
}

/**
 * fps while the map only repaints: updates paused (the markers stand still), the map dragged in a
 * small circle so every frame draws the basemap and every marker again. What drawing alone costs.
 */
async function repaintOnly(page: Page, injector: Injector, label: string): Promise<FrameStats> {
  injector.paused = true;
  try {
    await sleep(1500); // the last glides end
    const box = await page.getByTestId('live-map').boundingBox();
    if (!box) throw new Error(`${label}: the map has no box`);
    const cx = box.x + box.width / 2;
    const cy = box.y + box.height / 2;
    await page.mouse.move(cx + 40, cy);
    await page.mouse.down();
    await page.evaluate(INSTALL);
    const end = performance.now() + REPAINT_MS;
    for (let i = 0; performance.now() < end; i++) {
      const a = (i / 30) * 2 * Math.PI;
      await page.mouse.move(cx + 40 * Math.cos(a), cy + 40 * Math.sin(a));
      await sleep(16);
    }
    const { frames } = (await page.evaluate(COLLECT)) as { frames: number[] };
    // Released away from where it was pressed: a drag, not a click that would select a device.
    await page.mouse.move(cx - 40, cy);
    await page.mouse.up();
    return frameStats(frames);
  } finally {
    injector.paused = false;
  }
}

// ---------------------------------------------------------------------------------------------
// One fleet size

interface RunContext {
  o: ConsoleOptions;
  config: FleetConfig;
  password: string;
  questdbPid: number;
  notes: string[];
  screenshotPath: string;
  largest: number;
}

async function runSize(ctx: RunContext, devices: number): Promise<ConsolePhaseResult> {
  const label = `${fmt(devices)} devices`;
  const equipment = Math.round(devices * EQUIPMENT_SHARE);
  const size = { vehicles: devices - equipment, equipment };
  progress(
    `[${label}] provisioning ${fmt(size.vehicles)} vehicles and ${fmt(size.equipment)} equipment tags`,
  );
  const { orgId } = await prepareSimulatedFleet(ctx.config, size);
  const creds = (await readCredentials(simCredentialsPath(ctx.config)))?.devices ?? [];
  const members = selectFleet(creds, size);
  if (members.length !== devices) throw new Error(`${label}: only ${members.length} devices provisioned`);

  progress(`[${label}] starting the platform`);
  const platform = await startPlatformProcess(ctx.config, createLogger('platform', 'warn', 'json'));
  state.platform = platform;
  const url = platform.api.url;
  // The devices are "connected" as far as the console can tell.
  const at = Date.now();
  for (const d of members)
    platform.bus.publish('status', { tenant: orgId, deviceId: d.id, status: 'online', at });
  const fleet = new MovingFleet(members, { slots: Math.round(1000 / TICK_MS), speedMs: SPEED_MS });
  const maxRunMs = (180 + ctx.o.warmupS + ctx.o.seconds + devices / 50) * 1000;
  const injector = new Injector(platform, fleet, orgId, maxRunMs);
  state.injector = injector;
  await sleep(1500); // every device has reported once

  const browser = await launchBrowser();
  state.browser = browser;
  let context: BrowserContext | undefined;
  try {
    context = await browser.newContext({ viewport: VIEWPORT });
    await context.addInitScript(WS_PROBE);
    const page = await context.newPage();
    const errors = collectPageErrors(page);
    const hub = { counting: false, frames: 0, positions: 0 };
    page.on('websocket', (ws) => {
      if (!new URL(ws.url()).pathname.startsWith('/ws')) return;
      ws.on('framereceived', ({ payload }) => {
        if (!hub.counting || typeof payload !== 'string' || !payload.startsWith('{"type":"positions"'))
          return;
        hub.frames++;
        for (let i = payload.indexOf('"deviceId"'); i >= 0; i = payload.indexOf('"deviceId"', i + 10))
          hub.positions++;
      });
    });

    progress(`[${label}] signing in`);
    await page.goto(`${url}/login`);
    await page.getByLabel('Email').fill('admin@demo.local');
    await page.getByLabel('Password').fill(ctx.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${url}/`, { timeout: 60_000 });
    await waitForAttribute(page, 'data-ready', (v) => v === 'true', 60_000, `[${label}] map`);
    await waitForAttribute(page, 'data-drawn', (v) => Number(v) === devices, 180_000, `[${label}] markers`);
    progress(`[${label}] every marker drawn; fitting the view`);

    await page.getByTestId('fit-fleet').click();
    const box = await page.getByTestId('live-map').boundingBox();
    const zoom = box ? fitZoom(fleet.extent(), box.width, box.height, FIT_PADDING_PX, FIT_MAX_ZOOM) : null;
    if (zoom !== null && zoom < 13)
      ctx.notes.push(`${label}: the fitted zoom is ${zoom.toFixed(1)}, below 13: markers were clustered.`);
    for (let s = 1; s <= ctx.o.warmupS; s++) {
      await sleep(1000);
      live(`[${label}] warm-up ${s}/${ctx.o.warmupS} s`, s);
    }

    // The window
    const cdp = await context.newCDPSession(page);
    await cdp.send('Performance.enable');
    const monitor = new UsageMonitor();
    monitor.watchSelf('platform');
    monitor.watchPid('questdb', ctx.questdbPid);
    const drawn = Number(await page.getByTestId('live-map').getAttribute('data-drawn'));
    const hubBefore = await hubCounters(platform.api.port);
    const metricsBefore = await cdpMetrics(cdp);
    const threadsBefore = sampleChromiumThreads(process.pid);
    const injectedBefore = injector.injected;
    const errorsBefore = errors.length;
    await page.evaluate(INSTALL);
    hub.counting = true;
    monitor.start();
    const t0 = performance.now();
    for (let s = 1; s <= ctx.o.seconds; s++) {
      await sleep(Math.max(0, t0 + s * 1000 - performance.now()));
      const peek = (await page.evaluate(PEEK)) as { frames: number; measures: number };
      const elapsed = (performance.now() - t0) / 1000;
      const cpu = monitor.recentCpuPct();
      live(
        `[${label}] ${s}/${ctx.o.seconds} s · ${(peek.frames / elapsed).toFixed(1)} fps · ${fmt(peek.measures)} frame→marker · hub ${(hub.frames / elapsed).toFixed(1)} frames/s, ${fmt(hub.positions / elapsed)} positions/s · platform CPU ${fmt(cpu.platform ?? 0)}%`,
        s,
      );
    }
    const collected = (await page.evaluate(COLLECT)) as {
      frames: number[];
      measures: number[];
      ages: number[];
      opened: number;
    };
    hub.counting = false;
    const windowS = (performance.now() - t0) / 1000;
    const usage = monitor.stop();
    const threadsAfter = sampleChromiumThreads(process.pid);
    const metricsAfter = await cdpMetrics(cdp);
    const hubAfter = await hubCounters(platform.api.port);
    const injected = injector.injected - injectedBefore;
    const tree = cpuBetween(threadsBefore, threadsAfter, windowS, ticksPerSecond());
    const delta = (name: string) =>
      (((metricsAfter[name] ?? 0) - (metricsBefore[name] ?? 0)) / windowS) * 100;
    const platformCpu = usage.processes.platform?.cpuPct ?? 0;
    const questdbCpu = usage.processes.questdb?.cpuPct ?? 0;
    const cores = machineInfo().cores;
    const result: ConsolePhaseResult = {
      devices,
      vehicles: size.vehicles,
      equipment: size.equipment,
      drawn,
      zoom,
      windowS,
      fps: frameStats(collected.frames),
      frameToMarkerMs: summarize(collected.measures),
      frameAgeMs: summarize(collected.ages),
      hubSentPerS: (hubAfter.sent - hubBefore.sent) / windowS,
      hubCoalescedPerS: (hubAfter.coalesced - hubBefore.coalesced) / windowS,
      hubClosed: counterDelta(hubBefore.closed, hubAfter.closed),
      reconnects: collected.opened,
      hubFramesPerS: hub.frames / windowS,
      positionsPerS: hub.positions / windowS,
      injectedPerS: injected / windowS,
      cpu: {
        chromium: tree.byProcess,
        chromiumTotal: tree.total,
        platform: platformCpu,
        questdb: questdbCpu,
        others: Math.max(0, usage.machineBusyPct * cores - tree.total - platformCpu - questdbCpu),
      },
      threads: tree.threads.slice(0, 12),
      mainThread: {
        busyPct: delta('TaskDuration'),
        scriptPct: delta('ScriptDuration'),
        layoutPct: delta('LayoutDuration'),
        stylePct: delta('RecalcStyleDuration'),
      },
      heapMb: (metricsAfter.JSHeapUsedSize ?? 0) / 2 ** 20,
      machineBusyPct: usage.machineBusyPct,
      load1: loadavg()[0] ?? 0,
      pageErrors: errors.slice(0, 20),
      repaintFps: null,
    };
    if (errors.length > errorsBefore)
      ctx.notes.push(`${label}: ${errors.length - errorsBefore} page error(s) during the window.`);
    if (injector.lateTicks > 0)
      ctx.notes.push(
        `${label}: ${injector.lateTicks} injector ticks started late (worst ${fmt(injector.worstLateMs)} ms): this process was busy.`,
      );
    progress(
      `[${label}] ${result.fps.mean.toFixed(1)} fps (1% low ${result.fps.low1Pct.toFixed(1)}), frame→marker p50/p95 ${fmt(result.frameToMarkerMs.p50)}/${fmt(result.frameToMarkerMs.p95)} ms, Chromium ${fmt(tree.total)}% CPU, machine ${fmt(usage.machineBusyPct)}% busy`,
    );

    if (devices === ctx.largest) {
      mkdirSync(dirname(ctx.screenshotPath), { recursive: true });
      await page.screenshot({ path: ctx.screenshotPath });
      progress(`[${label}] screenshot ${relative(process.cwd(), ctx.screenshotPath)}`);
    }
    result.repaintFps = await repaintOnly(page, injector, label);
    progress(
      `[${label}] repainting only (no updates, the map dragged): ${result.repaintFps.mean.toFixed(1)} fps`,
    );
    return result;
  } finally {
    await context?.close().catch(() => {});
    await browser.close().catch(() => {});
    state.browser = undefined;
    await injector.stop();
    state.injector = undefined;
    await platform.stop();
    state.platform = undefined;
  }
}

// ---------------------------------------------------------------------------------------------

async function main(): Promise<number> {
  const o = parseBenchArgs(() => parseConsoleOptions(process.argv.slice(2), ROOT), CONSOLE_HELP);
  if (typeof o === 'number') return o;

  if (o.render !== undefined) {
    const results = readResultsFile(o.render, parseConsoleResults);
    if (!results) return 2;
    await writeResults(results, o.render, o.out);
    return 0;
  }

  const { notes } = run;
  const largest = Math.max(...o.devices);
  const screenshotPath = o.screenshot ?? join(ROOT, `docs/screenshots/live-map-${largest}.png`);
  progress(
    `bench: about ${Math.ceil(estimatedConsoleRunS(o) / 60)} min for fleets of ${o.devices.map(fmt).join(', ')}`,
  );
  const loadBefore = loadavg();
  const busyBefore = await run.checkQuiet();
  progress(
    `bench: load average ${loadBefore.map((l) => l.toFixed(2)).join(' ')}, machine ${busyBefore.toFixed(0)}% busy`,
  );

  await ensureConsoleBuilt(ROOT, progress);
  const tmp = run.tempDir('console-bench-');
  const questdb = await run.startQuestDb(tmp);
  run.onStop(stopPhase);
  const mqttPort = await freePort();
  const password = randomBytes(18).toString('base64url');
  const config = loadConfig({
    DATA_DIR: tmp,
    QUESTDB_URL: questdb.httpUrl,
    MQTT_HOST: '127.0.0.1',
    MQTT_PORT: String(mqttPort),
    MQTT_WS_ENABLED: 'false',
    HTTP_HOST: '127.0.0.1',
    HTTP_PORT: '0',
    HUB_TICK_MS: String(TICK_MS),
    FLEET_ADMIN_PASSWORD: password,
    AUTH_JWT_SECRET: randomBytes(32).toString('base64url'),
    LOG_LEVEL: 'warn',
    LOG_FORMAT: 'json',
  });

  const probe = await launchBrowser();
  state.browser = probe;
  const chromium = `Chromium ${probe.version()}`;
  const idle = await idleFps(probe);
  await probe.close();
  state.browser = undefined;
  progress(`bench: ${chromium}; an empty page runs at ${idle.mean.toFixed(1)} fps`);

  const ctx: RunContext = {
    o,
    config,
    password,
    questdbPid: questdb.pid,
    notes,
    screenshotPath,
    largest,
  };
  const phases: ConsolePhaseResult[] = [];
  for (const devices of o.devices) phases.push(await runSize(ctx, devices));

  const results: ConsoleResults = {
    bench: 'console',
    date: new Date().toISOString(),
    machine: machineInfo(),
    chromium,
    parameters: {
      devices: o.devices,
      seconds: o.seconds,
      warmupS: o.warmupS,
      tickMs: TICK_MS,
      speedMs: SPEED_MS,
      viewport: VIEWPORT,
    },
    idleFps: idle,
    load: { before: loadBefore, after: loadavg(), busyBeforePct: busyBefore },
    phases,
    screenshot: relative(ROOT, screenshotPath),
    notes,
  };
  await writeResults(results, join(ROOT, 'bench/results/console.json'), o.out);
  return 0;
}

/** Writes the results file, the plot and the report section, and prints the tables. */
async function writeResults(results: ConsoleResults, jsonPath: string, reportPath: string): Promise<void> {
  const chart = consoleChart(results);
  const screenshot =
    results.screenshot === null ? undefined : relative(dirname(reportPath), join(ROOT, results.screenshot));
  run.writeResults({
    results,
    jsonPath,
    reportPath,
    sections: [{ heading: 'Console', markdown: renderConsoleSection(results, 'plots', screenshot) }],
    plots: [{ file: chart.file, svg: await dualAxisChartSvg(chart.spec) }],
    summary: `${consoleResultsTable(results)}\n\n${consoleCpuTable(results)}\n\n${targetVerdict(results).join('\n')}`,
  });
}

run.main(main);
