import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ALL_HELP, parseAllOptions } from '../src/all.ts';
import { estimatedFleetRunS, FLEET_HELP, parseFleetOptions } from '../src/fleet-options.ts';
import {
  type FleetResults,
  fleetCharts,
  parseFleetResults,
  parseK6Summary,
  renderFleetSection,
  renderK6Section,
} from '../src/fleet-report.ts';
import { UsageError } from '../src/options.ts';
import { groupedBarChartSvg, lineChartSvg } from '../src/plot.ts';
import { mergeReport } from '../src/report.ts';

const usage = (f: () => unknown): string => {
  try {
    f();
  } catch (err) {
    expect(err).toBeInstanceOf(UsageError);
    return (err as Error).message;
  }
  throw new Error('no usage error');
};

describe('bench:fleet options', () => {
  it('has the issue defaults: 1,000 / 5,000 / 10,000 devices, then k6 with 1,000', () => {
    const o = parseFleetOptions([], '/repo');
    expect(o).toEqual({
      devices: [1000, 5000, 10_000],
      durationS: 60,
      warmupS: 15,
      connectTimeoutS: 300,
      k6Devices: 1000,
      k6Profile: 'load',
      out: '/repo/bench/REPORT.md',
      render: undefined,
    });
    if (o === 'help') throw new Error('unexpected help');
    expect(estimatedFleetRunS(o)).toBeGreaterThan(300);
    expect(parseFleetOptions(['--help'], '/repo')).toBe('help');
    expect(FLEET_HELP).toContain('--k6-devices');
  });

  it('sorts the sizes and takes every flag', () => {
    expect(
      parseFleetOptions(
        [
          '--devices=500,100',
          '--duration=10',
          '--warmup=0',
          '--k6-devices=0',
          '--k6-profile=smoke',
          '--out=x.md',
        ],
        '/repo',
      ),
    ).toMatchObject({ devices: [100, 500], durationS: 10, warmupS: 0, k6Devices: 0, k6Profile: 'smoke' });
  });

  it.each([
    [['--devices=0'], '--devices'],
    [['--devices=10001'], '--devices'],
    [['--devices=1,,2'], '--devices'],
    [['--devices=5,5'], 'twice'],
    [['--duration=1'], '--duration'],
    [['--duration=ten'], '--duration'],
    [['--k6-profile=soak'], '--k6-profile'],
    [['--out='], '--out'],
    [['--render= '], '--render'],
    [['--bogus'], 'bogus'],
  ])('refuses %j naming %s', (argv, named) => {
    expect(usage(() => parseFleetOptions(argv, '/repo'))).toContain(named);
  });
});

describe('npm run bench', () => {
  it('runs every bench by default, or the ones named', () => {
    expect(parseAllOptions([])).toEqual({
      only: ['ingest', 'hub', 'fleet', 'console', 'rules', 'maintenance', 'trips'],
      out: undefined,
    });
    expect(parseAllOptions(['--only=fleet,ingest'])).toMatchObject({ only: ['fleet', 'ingest'] });
    expect(parseAllOptions(['-h'])).toBe('help');
    expect(ALL_HELP).toContain('fleet');
  });

  it.each([
    [['--only=k6'], 'no bench named'],
    [['--only=hub,hub'], 'twice'],
    [['--out='], '--out'],
    [['--fast'], 'fast'],
  ])('refuses %j', (argv, named) => {
    expect(usage(() => parseAllOptions(argv))).toContain(named);
  });
});

function phase(devices: number, over: Partial<FleetResults['phases'][number]> = {}) {
  return {
    devices,
    connected: devices,
    connectS: devices / 200,
    windowS: 60,
    producedPerS: devices,
    sentPerS: devices,
    ackedPerS: devices * 0.99,
    storedPerS: devices * 0.99,
    pubackMs: {
      count: devices * 60,
      p50: 15,
      p90: 20,
      p99: 40 + devices / 100,
      p999: 90,
      max: 120,
      mean: 16,
    },
    disconnects: 0,
    dropped: 0,
    unackedAtEnd: 3,
    simTickLagMs: 0,
    usage: {
      machineBusyPct: 40,
      processes: {
        platform: { cpuPct: devices / 100, peakRssMb: 300 },
        questdb: { cpuPct: 60, peakRssMb: 400 },
        simulator: { cpuPct: devices / 300, peakRssMb: 200 },
      },
    },
    ...over,
  };
}

const results: FleetResults = {
  bench: 'fleet',
  date: '2026-11-21T10:00:00.000Z',
  machine: { cores: 2, cpuModel: 'Test CPU', memoryGb: 24, node: '22.23.3', kernel: '6.1' },
  parameters: {
    devices: [1000, 5000],
    durationS: 60,
    warmupS: 15,
    reportEveryS: 1,
    k6Devices: 1000,
    k6Profile: 'load',
  },
  phases: [phase(1000), phase(5000)],
  storedCheck: { rows: 1000, eventRows: 10, rejects: 0, ackedRecords: 1012 },
  k6: {
    devices: 1000,
    runs: [
      {
        script: 'bench/k6/api.js',
        profile: 'load',
        exitCode: 99,
        iterations: 500,
        metrics: [
          {
            name: 'http_req_duration{name:fleet_latest}',
            stats: { avg: 20, med: 18, 'p(95)': 60, 'p(99)': 80, max: 100 },
            thresholds: { 'p(95)<50': false, 'p(99)<100': true },
          },
        ],
      },
    ],
  },
  notes: ['a note'],
};

describe('fleet report', () => {
  it('renders the table, the stored check, the plots and the notes', () => {
    const text = renderFleetSection(results, 'plots');
    expect(text.startsWith('## Fleet\n')).toBe(true);
    expect(text).toContain(
      '| 5,000 | 5,000 (25 s) | 5,000 | 4,950 | 4,950 | 15 / 90 / 120 | 50% / 300 MB | 60% / 400 MB | 17% / 200 MB | 40% |',
    );
    expect(text).toContain('**2 acknowledged but missing**');
    for (const c of fleetCharts(results)) expect(text).toContain(`(plots/${c.file})`);
    expect(text).toContain('- a note');
    const ok = renderFleetSection(
      { ...results, storedCheck: { rows: 1002, eventRows: 10, rejects: 0, ackedRecords: 1012 } },
      'p',
    );
    expect(ok).toContain('every one stored once');
  });

  it('renders k6 thresholds as pass/fail and survives a JSON round trip', () => {
    const k6 = renderK6Section(results) ?? '';
    expect(k6).toContain('**fail** `p(95)<50`, pass `p(99)<100`');
    expect(k6).toContain('exit code 99 (a threshold failed)');
    expect(renderK6Section({ ...results, k6: undefined })).toBeUndefined();
    expect(parseFleetResults(JSON.stringify(results))).toEqual(results);
    expect(() => parseFleetResults('{"bench":"hub"}')).toThrow();
    expect(() => parseFleetResults('not json')).toThrow();
  });

  it('keeps the other sections of the report file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fleet-report-'));
    const path = join(dir, 'REPORT.md');
    writeFileSync(
      path,
      '# Benchmark report\n\n## Ingest\n\ningest text\n\n## Fleet\n\nold\n\n## Hub\n\nhub text\n',
    );
    const merged = mergeReport(path, renderFleetSection(results, 'plots'), 'Fleet');
    expect(merged).toContain('ingest text');
    expect(merged).toContain('hub text');
    expect(merged).not.toContain('\nold\n');
    expect(readFileSync(path, 'utf8')).toContain('old'); // mergeReport only returns the text
  });

  it("reads k6's --summary-export, where true means a threshold failed", () => {
    const summary = JSON.stringify({
      metrics: {
        iterations: { count: 42, rate: 1.4 },
        http_req_duration: { avg: 3, med: 2, 'p(95)': 8, 'p(99)': 12, max: 30 },
        'http_req_duration{name:track}': { avg: 5, 'p(95)': 11, thresholds: { 'p(95)<100': false } },
        checks: { value: 0.5, passes: 1, fails: 1, thresholds: { 'rate==1': true } },
        data_sent: { count: 1000, rate: 10 },
      },
    });
    const run = parseK6Summary(summary, 'bench/k6/api.js', 'smoke', 99);
    expect(run.iterations).toBe(42);
    expect(run.metrics.map((m) => m.name)).toEqual([
      'checks',
      'http_req_duration',
      'http_req_duration{name:track}',
    ]);
    expect(run.metrics[0]?.thresholds).toEqual({ 'rate==1': false });
    expect(run.metrics[2]?.thresholds).toEqual({ 'p(95)<100': true });
    expect(() => parseK6Summary('{"metrics": 3}', 'x', 'smoke', 0)).toThrow();
  });
});

describe('plots', () => {
  it('renders line and bar charts to SVG with their titles and series', async () => {
    for (const chart of fleetCharts(results)) {
      const svg =
        chart.kind === 'line' ? await lineChartSvg(chart.spec) : await groupedBarChartSvg(chart.spec);
      expect(svg.startsWith('<svg')).toBe(true);
      expect(svg).toContain(chart.spec.title.replace(/"/g, '&quot;'));
      for (const series of new Set(chart.spec.points.map((p) => p.series))) expect(svg).toContain(series);
    }
  });

  it('refuses an empty chart and points that are not numbers', async () => {
    const base = { title: 't', xTitle: 'x', yTitle: 'y' };
    await expect(async () => lineChartSvg({ ...base, points: [] })).rejects.toThrow(/at least one point/);
    await expect(async () =>
      groupedBarChartSvg({ ...base, points: [{ x: 1, y: Number.NaN, series: 's' }] }),
    ).rejects.toThrow(/not a finite number/);
  });
});
