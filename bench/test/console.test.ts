// The pure parts of `npm run bench:console`: options, the moving fleet, the fit zoom, the frame
// and latency statistics, the Chromium process-tree arithmetic and the report. No browser, no
// platform, no timing.
import { describe, expect, it } from 'vitest';
import {
  fitZoom,
  HELSINKI_BOUNDS,
  type MovingDevice,
  MovingFleet,
  prng,
  step,
} from '../src/console-fleet.ts';
import {
  CONSOLE_HELP,
  estimatedConsoleRunS,
  MAX_CONSOLE_FLEET,
  parseConsoleOptions,
} from '../src/console-options.ts';
import {
  type ConsolePhaseResult,
  type ConsoleResults,
  consoleChart,
  frameStats,
  parseConsoleResults,
  percentile,
  renderConsoleSection,
  summarize,
  targetVerdict,
} from '../src/console-report.ts';
import { UsageError } from '../src/options.ts';
import { dualAxisChartSvg } from '../src/plot.ts';
import { cpuBetween, processType, statTicks, type ThreadTicks, threadName } from '../src/proc-tree.ts';

const ROOT = '/repo';

const usage = (...argv: string[]): string => {
  try {
    parseConsoleOptions(argv, ROOT);
  } catch (err) {
    expect(err).toBeInstanceOf(UsageError);
    return (err as Error).message;
  }
  throw new Error(`no usage error for ${argv.join(' ')}`);
};

describe('bench:console options', () => {
  it('has the issue defaults: 1,000 / 5,000 / 10,000 devices, 20 s windows', () => {
    const o = parseConsoleOptions([], ROOT);
    expect(o).toEqual({
      devices: [1000, 5000, 10_000],
      seconds: 20,
      warmupS: 5,
      screenshot: undefined,
      out: '/repo/bench/REPORT.md',
      render: undefined,
    });
    if (o === 'help') throw new Error('unexpected help');
    expect(estimatedConsoleRunS(o)).toBeGreaterThan(60);
    expect(parseConsoleOptions(['-h'], ROOT)).toBe('help');
    expect(CONSOLE_HELP).toContain('--seconds');
  });

  it('sorts the sizes and takes every flag', () => {
    expect(
      parseConsoleOptions(
        [
          '--devices',
          '5000,1000',
          '--seconds=5',
          '--warmup=0',
          '--screenshot=/tmp/map.png',
          '--out=/tmp/r.md',
          '--render=/tmp/c.json',
        ],
        ROOT,
      ),
    ).toEqual({
      devices: [1000, 5000],
      seconds: 5,
      warmupS: 0,
      screenshot: '/tmp/map.png',
      out: '/tmp/r.md',
      render: '/tmp/c.json',
    });
  });

  it.each([
    [['--devices=0'], '--devices must be a whole number from 1 to 20,000, got "0"'],
    [[`--devices=${MAX_CONSOLE_FLEET + 1}`], '--devices must be a whole number'],
    [['--devices=1k'], '--devices must be a whole number'],
    [['--devices=1000,,5000'], '--devices must be 1 to 10 counts separated by commas'],
    [['--devices=1000,1000'], '--devices lists a count twice'],
    [['--seconds=4'], '--seconds must be a whole number from 5 to 600, got "4"'],
    [['--seconds=-20'], '--seconds must be a whole number'],
    [['--seconds=2.5'], '--seconds must be a whole number'],
    [['--warmup=lots'], '--warmup must be a whole number from 0 to 120, got "lots"'],
    [['--screenshot=map.jpg'], '--screenshot must name a .png file'],
    [['--screenshot= '], '--screenshot needs a file path'],
    [['--out='], '--out needs a file path'],
    [['--render='], '--render needs the path of a results file'],
    [['--fps=60'], "Unknown option '--fps'"],
    [['--seconds'], "Option '--seconds <value>' argument missing"],
    [['stray'], "Unexpected argument 'stray'"],
  ])('refuses %j: %s', (argv, message) => {
    expect(usage(...argv)).toContain(message);
  });
});

describe('the moving fleet', () => {
  const refs = Array.from({ length: 1003 }, (_, i) => ({
    id: `d${i}`,
    kind: i % 10 === 0 ? ('equipment' as const) : ('vehicle' as const),
  }));
  const [west, south, east, north] = HELSINKI_BOUNDS;
  const inside = (d: { lon: number; lat: number }) =>
    d.lon >= west && d.lon <= east && d.lat >= south && d.lat <= north;

  it('reports every device once a second, spread evenly over the slots', () => {
    const fleet = new MovingFleet(refs, { slots: 10 });
    const seen = new Map<string, number>();
    const perSlot: number[] = [];
    const t0 = 1_800_000_000_000;
    for (let second = 0; second < 3; second++) {
      for (let slot = 0; slot < 10; slot++) {
        const records = fleet.report(slot, t0 + second * 1000 + slot * 100, 'org');
        if (second === 0) perSlot.push(records.length);
        for (const r of records) seen.set(r.deviceId, (seen.get(r.deviceId) ?? 0) + 1);
      }
    }
    expect(seen.size).toBe(refs.length);
    expect(new Set(seen.values())).toEqual(new Set([3]));
    expect(perSlot.reduce((a, b) => a + b, 0)).toBe(refs.length);
    expect(Math.max(...perSlot) - Math.min(...perSlot)).toBeLessThanOrEqual(1);
  });

  it('sends the fields the live map needs, with increasing seq and device time', () => {
    const fleet = new MovingFleet(refs.slice(0, 20), { slots: 1 });
    const first = fleet.report(0, 1000, 'org');
    const second = fleet.report(0, 1000, 'org'); // same clock: device time still advances
    for (const [i, r] of first.entries()) {
      const next = second[i];
      expect(r).toMatchObject({ tenant: 'org', seq: 1, ts: 1000, receivedAt: 1000, ignition: true });
      expect(next?.seq).toBe(2);
      expect(next?.ts).toBeGreaterThan(r.ts);
      expect(r.speedKmh).toBeGreaterThanOrEqual(10 * 3.6 * 0.8);
      expect(r.speedKmh).toBeLessThanOrEqual(10 * 3.6 * 1.2);
      expect(r.headingDeg).toBeGreaterThanOrEqual(0);
      expect(r.headingDeg).toBeLessThan(360);
    }
  });

  it('stays inside the bounds, and moves about 10 m per second', () => {
    const fleet = new MovingFleet(refs, { slots: 10, seed: 7 });
    expect(fleet.devices.every(inside)).toBe(true);
    const start = fleet.devices.map((d) => ({ lon: d.lon, lat: d.lat }));
    for (let s = 0; s < 600; s++)
      for (let slot = 0; slot < 10; slot++) fleet.report(slot, s * 1000 + slot * 100, 'org');
    expect(fleet.devices.every(inside)).toBe(true);
    // After the first report (t = 0, no move) one second of driving: 8 to 12 m.
    const again = new MovingFleet(refs.slice(0, 50), { slots: 1, seed: 7 });
    const before = again.devices.map((d) => ({ lon: d.lon, lat: d.lat }));
    again.report(0, 0, 'org');
    again.report(0, 1000, 'org');
    for (const [i, d] of again.devices.entries()) {
      const b = before[i] as { lon: number; lat: number };
      const dy = (d.lat - b.lat) * 111_320;
      const dx = (d.lon - b.lon) * 111_320 * Math.cos((b.lat * Math.PI) / 180);
      const moved = Math.hypot(dx, dy);
      // A bounce folds the path, so only the upper bound holds for every device.
      expect(moved).toBeLessThanOrEqual(12.01);
    }
    expect(fleet.devices.some((d, i) => d.lon !== start[i]?.lon)).toBe(true);
  });

  it('bounces off an edge by reversing that component of the heading', () => {
    const d: MovingDevice = {
      id: 'x',
      kind: 'vehicle',
      lon: east - 0.00001,
      lat: (south + north) / 2,
      headingDeg: 60, // north-east
      speedMs: 10,
      seq: 0,
      lastTs: 0,
    };
    step(d, 1, HELSINKI_BOUNDS);
    expect(d.lon).toBeLessThanOrEqual(east);
    expect(d.headingDeg).toBeCloseTo(300); // now north-west
    const s: MovingDevice = { ...d, lon: (west + east) / 2, lat: south + 0.00001, headingDeg: 170 };
    step(s, 1, HELSINKI_BOUNDS);
    expect(s.lat).toBeGreaterThanOrEqual(south);
    expect(s.headingDeg).toBeCloseTo(10);
    // A stalled loop does not teleport a device: at most 5 s of driving.
    const far: MovingDevice = { ...d, lon: (west + east) / 2, lat: (south + north) / 2, headingDeg: 0 };
    const lat0 = far.lat;
    step(far, 3600, HELSINKI_BOUNDS);
    expect((far.lat - lat0) * 111_320).toBeCloseTo(50, 0);
  });

  it('is deterministic for a seed', () => {
    const a = prng(3);
    const b = prng(3);
    expect([a(), a(), a()]).toEqual([b(), b(), b()]);
    expect(new MovingFleet(refs.slice(0, 5), { seed: 9 }).devices).toEqual(
      new MovingFleet(refs.slice(0, 5), { seed: 9 }).devices,
    );
    expect(() => new MovingFleet(refs, { slots: 0 })).toThrow(/slots/);
  });
});

describe('the fitted zoom', () => {
  it('fits the basemap bounds at street zoom in the console map, and caps at maxZoom', () => {
    const z = fitZoom(HELSINKI_BOUNDS, 928, 740, 60, 16);
    expect(z).toBeGreaterThanOrEqual(13);
    expect(z).toBeLessThan(15);
    expect(fitZoom(HELSINKI_BOUNDS, 464, 370, 60, 16)).toBeLessThan(z);
    expect(fitZoom([24.94, 60.17, 24.9401, 60.1701], 928, 740, 60, 16)).toBe(16);
  });
});

describe('statistics', () => {
  it('percentiles by nearest rank, and a summary', () => {
    const values = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(values, 50)).toBe(50);
    expect(percentile(values, 99)).toBe(99);
    expect(percentile([], 50)).toBe(0);
    expect(summarize([5, 1, 3])).toEqual({ count: 3, p50: 3, p95: 5, p99: 5, max: 5, mean: 3 });
    expect(summarize([]).count).toBe(0);
  });

  it('frame rate, 1% low and the longest frame from animation-frame timestamps', () => {
    const steady = Array.from({ length: 601 }, (_, i) => i * (1000 / 60));
    const s = frameStats(steady);
    expect(s.frames).toBe(600);
    expect(s.mean).toBeCloseTo(60);
    expect(s.low1Pct).toBeCloseTo(60);
    const stutter = [...steady.slice(0, 300), ...steady.slice(300).map((t) => t + 500)];
    const h = frameStats(stutter);
    expect(h.longestFrameMs).toBeCloseTo(500 + 1000 / 60);
    expect(h.mean).toBeLessThan(60);
    // One 517 ms frame in a 10.5 s window: about 5 % of the time below 30 fps.
    expect(h.slowTimePct).toBeCloseTo((516.67 / 10_500) * 100, 0);
    expect(s.slowTimePct).toBe(0);
    expect(s.perSecond).toHaveLength(10);
    for (const n of s.perSecond) expect(Math.abs(n - 60)).toBeLessThanOrEqual(1);
    expect(Math.min(...h.perSecond)).toBeLessThan(40); // the second with the stall
    expect(frameStats([]).mean).toBe(0);
    expect(frameStats([]).perSecond).toEqual([]);
  });
});

describe('the Chromium process tree', () => {
  it('reads the process type from either kind of command line', () => {
    expect(processType('/usr/lib/chromium/chromium\0--type=renderer\0--lang=en')).toBe('renderer');
    expect(processType('/usr/lib/chromium/chromium --type=gpu-process --no-sandbox')).toBe('gpu-process');
    expect(processType('/usr/lib/chromium/chromium\0--headless\0--no-sandbox')).toBe('browser');
  });

  it('names threads, pools under one name', () => {
    expect(threadName(10, 10, 'chromium\n')).toBe('main');
    expect(threadName(10, 11, 'Thread<07>\n')).toBe('Thread<n>');
    expect(threadName(10, 12, 'ThreadPoolForeg')).toBe('ThreadPoolForeg');
    expect(threadName(10, 13, 'Chrome_ChildIOT')).toBe('Chrome_ChildIOT');
    expect(threadName(10, 14, 'DedicatedWorker 3')).toBe('DedicatedWorker');
  });

  it('reads utime + stime after a name with spaces and parentheses', () => {
    const fields = ['S', '1', '2', '3', '4', '5', '6', '7', '8', '9', '10', '250', '50', '0'];
    expect(statTicks(`123 (Web Content (x)) ${fields.join(' ')}`)).toBe(300);
  });

  it('adds CPU up by process and thread between two samples', () => {
    const t = (process: string, thread: string, ticks: number): ThreadTicks => ({ process, thread, ticks });
    const before = new Map([
      [1, t('gpu-process', 'Thread<n>', 100)],
      [2, t('gpu-process', 'Thread<n>', 100)],
      [3, t('renderer', 'main', 50)],
      [9, t('renderer', 'gone', 10)],
    ]);
    const after = new Map([
      [1, t('gpu-process', 'Thread<n>', 300)],
      [2, t('gpu-process', 'Thread<n>', 200)],
      [3, t('renderer', 'main', 150)],
      [4, t('renderer', 'DedicatedWorker', 100)], // started in the window
    ]);
    const cpu = cpuBetween(before, after, 10, 100);
    expect(cpu.byProcess).toEqual({ 'gpu-process': 30, renderer: 20 });
    expect(cpu.total).toBe(50);
    expect(cpu.threads[0]).toEqual({ process: 'gpu-process', thread: 'Thread<n>', cpuPct: 30 });
    expect(cpu.threads).toHaveLength(3);
    expect(cpuBetween(before, after, 0, 100).total).toBe(0);
  });
});

function phase(devices: number, over: Partial<ConsolePhaseResult> = {}): ConsolePhaseResult {
  const fps = 60_000 / devices;
  return {
    devices,
    vehicles: devices * 0.9,
    equipment: devices * 0.1,
    drawn: devices,
    zoom: 13.8,
    windowS: 20,
    fps: {
      frames: fps * 20,
      mean: fps,
      low1Pct: fps / 2,
      p99FrameMs: 2000 / fps,
      longestFrameMs: 3000 / fps,
      slowTimePct: devices / 200,
      perSecond: [fps, fps - 1],
    },
    frameToMarkerMs: {
      count: 40,
      p50: devices / 10,
      p95: devices / 5,
      p99: devices / 4,
      max: devices / 3,
      mean: 1,
    },
    frameAgeMs: { count: 30, p50: 120, p95: 900, p99: 1000, max: 1100, mean: 200 },
    hubSentPerS: devices > 5000 ? 2 : 10,
    hubCoalescedPerS: devices > 5000 ? 8 : 0,
    hubClosed: devices > 5000 ? { slow_consumer: 1 } : {},
    reconnects: devices > 5000 ? 1 : 0,
    hubFramesPerS: 10,
    positionsPerS: devices,
    injectedPerS: devices,
    cpu: {
      chromium: { renderer: 40, 'gpu-process': 90, browser: 2, utility: 1 },
      chromiumTotal: 133,
      platform: 5,
      questdb: 2,
      others: 40,
    },
    threads: [
      { process: 'gpu-process', thread: 'Thread<n>', cpuPct: 80 },
      { process: 'renderer', thread: 'main', cpuPct: 15 },
      { process: 'renderer', thread: 'DedicatedWorker', cpuPct: 20 },
    ],
    mainThread: { busyPct: 98, scriptPct: 9, layoutPct: 1, stylePct: 0 },
    heapMb: 60,
    machineBusyPct: 95,
    load1: 4.5,
    pageErrors: [],
    repaintFps: {
      frames: 100,
      mean: 8,
      low1Pct: 4,
      p99FrameMs: 250,
      longestFrameMs: 300,
      slowTimePct: 100,
      perSecond: [8, 8],
    },
    ...over,
  };
}

const results: ConsoleResults = {
  bench: 'console',
  date: '2026-11-22T10:00:00.000Z',
  machine: { cores: 2, cpuModel: 'Test CPU', memoryGb: 24, node: '22.23.3', kernel: '6.1' },
  chromium: 'Chromium 156.0.8078.79',
  parameters: {
    devices: [1000, 10_000],
    seconds: 20,
    warmupS: 5,
    tickMs: 100,
    speedMs: 10,
    viewport: { width: 1280, height: 800 },
  },
  idleFps: {
    frames: 180,
    mean: 60,
    low1Pct: 59,
    p99FrameMs: 17,
    longestFrameMs: 17,
    slowTimePct: 0,
    perSecond: [60, 60, 60],
  },
  load: { before: [1.5, 2, 2.5], after: [4, 3, 2.7], busyBeforePct: 30 },
  phases: [phase(1000), phase(10_000, { pageErrors: ['console: boom'] })],
  screenshot: 'docs/screenshots/live-map-10000.png',
  notes: ['a note'],
};

describe('console report', () => {
  it('renders the tables, the verdict, the plot, the screenshot and the notes', () => {
    const text = renderConsoleSection(results, 'plots', '../docs/screenshots/live-map-10000.png');
    expect(text.startsWith('## Console\n')).toBe(true);
    expect(text).toContain('npm run bench:fleet');
    expect(text).toContain(
      '| 10,000 | 10,000 (13.8) | 6.0 / 3.0 | 50% | 500 | 1,000 / 2,000 / 2,500 / 3,333 | 40 | 120 / 900 | 2.0 / 8.0 / 10.0 (10,000); closed 1x (slow_consumer 1), 1 reconnect | 133% | 60 | 8.0 |',
    );
    expect(text).toContain(
      '| 1,000 | 40% | 90% | 2% | 1% | 98% (9% / 1% / 0%) | 5% | 2% | 40% | 95% | 4.50 |',
    );
    expect(text).toContain('gpu-process/Thread<n> 80%');
    expect(text).toContain(
      '6.0 fps measured (1% low 3.0, 50% of the time in frames slower than 30 fps), not met.**',
    );
    expect(text).toContain('- 1,000 devices: 60 59');
    expect(text).toContain('(plots/console.svg)');
    expect(text).toContain('(../docs/screenshots/live-map-10000.png)');
    expect(text).toContain('1.50 / 2.00 / 2.50');
    expect(text).toContain('- 10,000 devices: the page logged 1 error(s): console: boom');
    expect(text).toContain('- a note');
  });

  it('states the target from the 10,000 run only, with the facts behind it', () => {
    const verdict = targetVerdict(results).join('\n');
    expect(verdict).toContain("80% of it in SwiftShader's rasteriser threads");
    expect(verdict).toContain('on a CPU only 15%');
    expect(verdict).toContain('only repainting while dragged, at 8.0 fps');
    expect(verdict).toContain('held back 8.0 of every 10.0 positions frames a second');
    expect(verdict).toContain(
      "the hub closed the page's connection 1 time(s) in the window for falling behind (slow_consumer), and the page opened 1 new one(s)",
    );
    expect(verdict).toContain("reached the page's script 120 ms (p50) after the hub sent it");
    expect(verdict).not.toContain('the mean counts idle frames');
    const fast = (slowTimePct: number) => ({
      ...results,
      phases: [phase(10_000, { fps: { ...phase(10_000).fps, mean: 45, slowTimePct } })],
    });
    expect(targetVerdict(fast(5))[0]).toContain('45.0 fps measured (1% low 3.0, 5% of the time');
    expect(targetVerdict(fast(5))[0]).toContain('), met.**');
    // A fine mean made of idle frames between slow bursts is not the target.
    expect(targetVerdict(fast(50))[0]).toContain('), not met.**');
    expect(targetVerdict(fast(50))[1]).toContain('the mean counts idle frames');
    const small = { ...results, phases: [phase(1000)] };
    expect(targetVerdict(small)[0]).toContain('not measured (this run went up to 1,000 devices');
    expect(targetVerdict({ ...results, phases: [] })).toEqual(['No fleet size was measured.']);
    const none = phase(10_000, {
      frameToMarkerMs: summarize([]),
      frameAgeMs: summarize([]),
      repaintFps: null,
    });
    expect(renderConsoleSection({ ...results, phases: [none] }, 'p')).toContain(
      '| none recorded | 0 | none |',
    );
    expect(targetVerdict({ ...results, phases: [phase(1000)] }).join('')).not.toContain('held back');
  });

  it('survives a JSON round trip and refuses other files', () => {
    expect(parseConsoleResults(JSON.stringify(results))).toEqual(results);
    expect(() => parseConsoleResults('{"bench":"fleet"}')).toThrow();
    expect(() => parseConsoleResults('[')).toThrow();
  });

  it('plots fps and frame→marker p95 on two axes', async () => {
    const chart = consoleChart(results);
    expect(chart.file).toBe('console.svg');
    const svg = await dualAxisChartSvg(chart.spec);
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toContain('fps (mean)');
    expect(svg).toContain('frame→marker p95');
    await expect(async () =>
      dualAxisChartSvg({ ...chart.spec, right: { title: 'r', points: [] } }),
    ).rejects.toThrow(/at least one point/);
  });
});
