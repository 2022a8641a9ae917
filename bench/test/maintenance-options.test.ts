// The flags of `npm run bench:maintenance` (bench/src/maintenance-options.ts), and the pure
// parts its figures rest on: the fleet it generates and the section it writes. No database, no
// network, no timing.
import { dueStatuses } from '@fleet/shared/db';
import { describe, expect, it } from 'vitest';
import {
  estimatedMaintenanceRunS,
  MAINTENANCE_HELP,
  parseMaintenanceOptions,
} from '../src/maintenance-options.ts';
import { parseAutoExplainLog } from '../src/maintenance-postgres.ts';
import {
  type MaintenanceResults,
  maintenanceLatencyCharts,
  parseMaintenanceResults,
  renderMaintenanceSection,
  SECTION,
  timingOf,
} from '../src/maintenance-report.ts';
import {
  benchId,
  fleetSnapshot,
  generateMonitorFleet,
  telemetryUpdate,
} from '../src/maintenance-scenario.ts';
import { UsageError } from '../src/options.ts';
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

describe('bench:maintenance options', () => {
  it("has the issue's defaults: 10,000 assets x 5 plans, 1,000 vehicles, both databases", () => {
    const o = parseMaintenanceOptions([], '/repo');
    expect(o).toEqual({
      assets: 10_000,
      plans: 5,
      installed: 1000,
      passes: 20,
      vehicles: 1000,
      requests: 50,
      databases: ['postgres', 'pglite'],
      out: '/repo/bench/REPORT.md',
      render: undefined,
    });
    if (o === 'help') throw new Error('unexpected help');
    expect(estimatedMaintenanceRunS(o)).toBeGreaterThan(60);
    expect(parseMaintenanceOptions(['--help'], '/repo')).toBe('help');
    expect(parseMaintenanceOptions(['-h'], '/repo')).toBe('help');
    for (const flag of ['--assets', '--plans', '--vehicles', '--requests', '--database', '--render'])
      expect(MAINTENANCE_HELP).toContain(flag);
  });

  it('takes every flag', () => {
    const o = parseMaintenanceOptions(
      [
        '--assets=2000',
        '--plans',
        '3',
        '--installed=100',
        '--passes=5',
        '--vehicles=200',
        '--requests=10',
        '--database=pglite',
        '--out=x.md',
      ],
      '/repo',
    );
    if (o === 'help') throw new Error('unexpected help');
    expect(o).toMatchObject({
      assets: 2000,
      plans: 3,
      installed: 100,
      passes: 5,
      vehicles: 200,
      requests: 10,
      databases: ['pglite'],
    });
    expect(o.out.endsWith('/x.md')).toBe(true);
    // Fewer assets than the default installed count: all of them have a device.
    expect(parseMaintenanceOptions(['--assets=500'], '/r')).toMatchObject({ installed: 500 });
    expect(parseMaintenanceOptions(['--skip-api'], '/r')).toMatchObject({ databases: [] });
    expect(parseMaintenanceOptions(['--render=bench/results/maintenance.json'], '/r')).toMatchObject({
      render: expect.stringMatching(/bench\/results\/maintenance\.json$/),
    });
  });

  it('refuses garbage, naming the flag and what it wants', () => {
    expect(usage(() => parseMaintenanceOptions(['--assets=lots'], '/r'))).toContain('--assets');
    expect(usage(() => parseMaintenanceOptions(['--assets=99'], '/r'))).toContain('100 to 50,000');
    expect(usage(() => parseMaintenanceOptions(['--assets=1e4'], '/r'))).toContain('--assets');
    expect(usage(() => parseMaintenanceOptions(['--plans=0'], '/r'))).toContain('--plans');
    expect(usage(() => parseMaintenanceOptions(['--plans=2.5'], '/r'))).toContain('--plans');
    expect(usage(() => parseMaintenanceOptions(['--vehicles=-5'], '/r'))).toContain('--vehicles');
    expect(usage(() => parseMaintenanceOptions(['--vehicles='], '/r'))).toContain('--vehicles');
    expect(usage(() => parseMaintenanceOptions(['--requests=100000'], '/r'))).toContain('--requests');
    expect(usage(() => parseMaintenanceOptions(['--passes=1'], '/r'))).toContain('--passes');
    expect(usage(() => parseMaintenanceOptions(['--assets=200', '--installed=300'], '/r'))).toContain(
      '--installed',
    );
    expect(usage(() => parseMaintenanceOptions(['--database=mysql'], '/r'))).toContain(
      'postgres, pglite, both',
    );
    expect(usage(() => parseMaintenanceOptions(['--skip-api', '--database=pglite'], '/r'))).toContain(
      '--skip-api',
    );
    expect(usage(() => parseMaintenanceOptions(['--out='], '/r'))).toContain('--out');
    expect(usage(() => parseMaintenanceOptions(['--render= '], '/r'))).toContain('--render');
    // Unknown flags, a value for a switch, a missing value and stray words are refused too.
    expect(usage(() => parseMaintenanceOptions(['--devices=10'], '/r'))).toContain('devices');
    expect(usage(() => parseMaintenanceOptions(['--skip-api=yes'], '/r'))).toContain('skip-api');
    expect(usage(() => parseMaintenanceOptions(['--assets'], '/r'))).toContain('assets');
    expect(usage(() => parseMaintenanceOptions(['10000'], '/r'))).toContain('10000');
  });
});

describe('bench:maintenance fleet', () => {
  const now = Date.UTC(2026, 5, 1, 12);
  const fleet = generateMonitorFleet({
    orgId: benchId('0e900000', 1),
    assets: 400,
    plans: 5,
    installed: 50,
    now,
  });

  it('covers every asset with every plan, the same for the same seed', () => {
    const statuses = dueStatuses(fleetSnapshot(fleet), now);
    expect(statuses).toHaveLength(400 * 5);
    expect(generateMonitorFleet({ orgId: fleet.orgId, assets: 400, plans: 5, installed: 50, now })).toEqual(
      fleet,
    );
    // Mostly fine, some of each urgent level: what a fleet's board looks like.
    const share = (level: string) =>
      statuses.filter((s) => s.status.level === level).length / statuses.length;
    expect(share('ok')).toBeGreaterThan(0.6);
    for (const level of ['due_soon', 'due', 'overdue']) expect(share(level)).toBeGreaterThan(0.01);
    expect(fleet.installed).toHaveLength(50);
  });

  it('makes telemetry the meter tracker believes: one record per installed asset, moving forward', () => {
    const records = telemetryUpdate(fleet, 3, now);
    expect(records).toHaveLength(50);
    const first = records[0];
    const meters = fleet.meters.get(fleet.installed[0]?.[1] as string);
    expect(first?.odometerKm).toBeCloseTo((meters?.odometerKm as number) + 1.5);
    expect(first?.engineHours).toBeCloseTo((meters?.engineHours as number) + 0.03);
  });
});

describe('bench:maintenance report', () => {
  it('writes its own section, with the verdict against 200 ms, and reads its results back', () => {
    const t = timingOf([10, 20, 30, 40, 250]);
    expect(t).toMatchObject({ count: 5, p50: 30, p99: 250, max: 250 });
    const results: MaintenanceResults = {
      bench: 'maintenance',
      date: '2026-01-01T00:00:00.000Z',
      machine: { cores: 2, cpuModel: 'cpu', memoryGb: 8, node: '22', kernel: '6' },
      before: { loadAvg: [0, 0, 0], busyPct: 1 },
      parameters: {
        assets: 10_000,
        plans: 5,
        installed: 1000,
        passes: 20,
        vehicles: 1000,
        requests: 50,
        databases: ['postgres'],
      },
      monitor: {
        statuses: 50_000,
        levels: { ok: 40_000, due_soon: 5000, due: 3000, overdue: 2000 },
        pure: {
          dueStatuses: t,
          evaluateDue: t,
          total: t,
          firstSignals: 7000,
          steadySignals: 0,
          workOrders: 0,
        },
        database: null,
      },
      api: [
        {
          database: 'postgres',
          server: 'PostgreSQL 15',
          seedS: 10,
          rows: { assets: 1000 },
          endpoints: [
            {
              name: 'GET /costs/summary?groupBy=asset',
              path: '/api/v1/costs/summary?groupBy=asset',
              requests: 5,
              warmups: 3,
              stoppedEarly: false,
              timing: t,
              percentiles: [{ p: 50, ms: 30 }],
              bytes: 2048,
              items: 1000,
              statements: [],
              plans: [],
            },
          ],
          clientQueryWarning: false,
        },
      ],
      durationS: 300,
      notes: [],
    };
    const section = renderMaintenanceSection(results);
    expect(section.startsWith(`## ${SECTION}\n`)).toBe(true);
    expect(section).toContain(
      '| GET /costs/summary?groupBy=asset p99 < 200 ms (PostgreSQL) | 250 ms | **no** |',
    );
    expect(parseMaintenanceResults(JSON.stringify(results))).toEqual(results);
    expect(() => parseMaintenanceResults('{"bench":"rules"}')).toThrow();
    expect(section).toContain('](plots/maintenance-latency-postgres.svg)');
    const charts = maintenanceLatencyCharts(results);
    expect(charts.map((c) => c.file)).toEqual(['maintenance-latency-postgres.svg']);
    expect(charts[0]?.chart.points).toEqual([{ x: 50, y: 30, series: 'summary by asset' }]);
    const merged = mergeReport('/nonexistent/REPORT.md', section, SECTION);
    expect(merged).toContain(`# Benchmark report\n\n## ${SECTION}`);
  });
});

describe('bench:maintenance plans', () => {
  it("reads auto_explain's JSON plans out of a server log, notable nodes first", () => {
    const plan = {
      'Query Text': 'select x.value from meter_readings x\n order by x.read_at',
      Plan: {
        'Node Type': 'Sort',
        'Actual Rows': 730_000,
        'Actual Loops': 1,
        'Actual Total Time': 896.1,
        'Sort Method': 'external merge',
        'Sort Space Used': 55_784,
        'Sort Space Type': 'Disk',
        Plans: [
          {
            'Node Type': 'Seq Scan',
            'Relation Name': 'meter_readings',
            'Actual Rows': 730_000,
            'Actual Loops': 1,
            'Actual Total Time': 403.5,
            'Rows Removed by Filter': 12,
            Filter: 'flag IS NULL AND note = \'{"a": "}"}\'',
          },
        ],
      },
      JIT: { Timing: { Total: 110.9 } },
    };
    const logged = JSON.stringify(plan, null, 2).replace(/^/gm, '\t');
    const log = [
      '2026-01-01 00:00:00.000 UTC [1] LOG:  received SIGHUP, reloading configuration files',
      `2026-01-01 00:00:01.000 UTC [2] LOG:  duration: 937.645 ms  plan:\n${logged}`,
      '2026-01-01 00:00:02.000 UTC [2] LOG:  duration: 5.0 ms  plan:\n\t{ cut off',
      '2026-01-01 00:00:03.000 UTC [1] LOG:  parameter "auto_explain.log_min_duration" changed to "-1"',
      '',
    ].join('\n');
    const plans = parseAutoExplainLog(log);
    expect(plans).toEqual([
      {
        durationMs: 937.645,
        query: 'select x.value from meter_readings x order by x.read_at',
        nodes: [
          'Sort of 730,000 rows (external merge, 55,784 kB on disk), 896 ms',
          'Seq Scan on meter_readings: 730,000 rows, 12 removed by the filter, 404 ms',
          'JIT compilation 111 ms',
        ],
      },
    ]);
  });
});
