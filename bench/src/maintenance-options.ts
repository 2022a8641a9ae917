// Command-line options of `npm run bench:maintenance` (bench/src/maintenance.ts), kept apart so
// tests can check them without starting anything.
import { parseFlags, REPORT_FLAGS, reportPaths, UsageError, wholeNumber } from './options.ts';

export const DATABASE_CHOICES = ['postgres', 'pglite', 'both'] as const;
export type DatabaseChoice = (typeof DATABASE_CHOICES)[number];

export const MAINTENANCE_HELP = `Usage: npm run bench:maintenance -- [options]

Benchmarks maintenance and costs (issue 13) on this machine, in two parts.

1. Due services: an organisation of N assets, each covered by P service plans (by asset kind
   and equipment category), most with a completed work order as the baseline, current meters,
   30 days of daily meter samples and 3 service_due rules. First the pure part over an
   in-memory fleet (dueStatuses, then the monitor's evaluateDue), then with a PostgreSQL
   database started for the bench: the full refresh's read (loadMaintenanceSnapshot,
   loadDailyUse) and compute, the device side's monitor (startMaintenanceService) refreshing
   every organisation (refreshAll) and a telemetry-driven update (observe() of one record
   for each of the installed assets, then flush()).
2. The maintenance board and the cost reports through the real API (node platform/src/main.ts
   with a managed QuestDB): V vehicles in 10 departments with a year of history (3 plans,
   4 completed work orders of 3 lines each per vehicle, a fill-up every 5 days, monthly
   insurance and lease, daily odometer and engine-hour samples), seeded with SQL in bulk;
   p50 / p99 of GET /api/v1/maintenance/board, /api/v1/costs/summary (by asset and by
   department) and /api/v1/assets/{id}/costs, one request at a time.

Everything runs on 127.0.0.1 in a temporary directory that is removed afterwards.

Options:
  --assets <n>        assets of part 1, 100 to 50,000 (default 10000)
  --plans <n>         service plans of part 1, each covering every asset, 1 to 20 (default 5)
  --installed <n>     part 1: assets with a device, one telemetry record each per update,
                      1 to --assets (default 1000)
  --passes <n>        part 1: timed passes of each step, 3 to 500 (default 20)
  --vehicles <n>      vehicles of part 2, 10 to 10,000 (default 1000)
  --requests <n>      part 2: timed requests per endpoint after 3 warm-up requests (1 when
                      the first takes over a second), 5 to 1,000 (default 50); an endpoint
                      stops after 30 s once it has 3 timed requests
  --database <which>  part 2 on postgres (DATABASE_URL, as in production), pglite (the
                      platform's embedded default) or both (default both)
  --skip-api          part 1 only
  --out <path>        report file (default bench/REPORT.md, section '## Maintenance and
                      costs'); raw numbers go to bench/results/maintenance.json, the plots
                      to bench/plots/maintenance-latency-<database>.svg
  --render <json>     run nothing: rewrite the report section and plot from a results file
  -h, --help          this text

Run it on an otherwise idle machine (and, on a shared one, under flock; see bench/README.md).
`;

export interface MaintenanceOptions {
  assets: number;
  plans: number;
  installed: number;
  passes: number;
  vehicles: number;
  requests: number;
  databases: ('postgres' | 'pglite')[];
  out: string;
  render: string | undefined;
}

const OPTION_SPEC = {
  assets: { type: 'string' },
  plans: { type: 'string' },
  installed: { type: 'string' },
  passes: { type: 'string' },
  vehicles: { type: 'string' },
  requests: { type: 'string' },
  database: { type: 'string' },
  'skip-api': { type: 'boolean' },
  ...REPORT_FLAGS,
} as const;

export const MAX_ASSETS = 50_000;

export function parseMaintenanceOptions(argv: string[], root: string): MaintenanceOptions | 'help' {
  const values = parseFlags(argv, OPTION_SPEC);
  if (values.help) return 'help';
  const paths = reportPaths(values, root, 'bench/results/maintenance.json');
  const database = values.database?.trim() ?? 'both';
  if (!(DATABASE_CHOICES as readonly string[]).includes(database))
    throw new UsageError(
      `--database must be one of ${DATABASE_CHOICES.join(', ')}, got ${JSON.stringify(values.database)}`,
    );
  if (values['skip-api'] && values.database !== undefined)
    throw new UsageError('--skip-api runs no API part: --database means nothing with it');
  const assets = wholeNumber(values.assets, 'assets', 10_000, 100, MAX_ASSETS);
  const installed = wholeNumber(values.installed, 'installed', Math.min(1000, assets), 1, MAX_ASSETS);
  if (installed > assets)
    throw new UsageError(`--installed (${installed}) cannot be more than --assets (${assets})`);
  return {
    assets,
    plans: wholeNumber(values.plans, 'plans', 5, 1, 20),
    installed,
    passes: wholeNumber(values.passes, 'passes', 20, 3, 500),
    vehicles: wholeNumber(values.vehicles, 'vehicles', 1000, 10, 10_000),
    requests: wholeNumber(values.requests, 'requests', 50, 5, 1000),
    databases: values['skip-api']
      ? []
      : database === 'both'
        ? ['postgres', 'pglite']
        : [database as 'postgres' | 'pglite'],
    ...paths,
  };
}

/** Rough length of a run in seconds (measured on 2 cores: the defaults take about 10 minutes). */
export function estimatedMaintenanceRunS(o: MaintenanceOptions): number {
  const statuses = o.assets * o.plans;
  // Seeding and the first refresh (which opens every due alert) grow with the statuses; so does
  // each of the 4 timed steps' passes.
  const part1 = 30 + statuses / 1000 + (o.passes * 5 * statuses) / 50_000;
  // Seeding and requests grow with the vehicles; the slow endpoints stop after 30 s.
  const perVehicleS = { postgres: 0.13, pglite: 0.21 };
  const part2 = o.databases.reduce((s, d) => s + 25 + o.vehicles * perVehicleS[d], 0);
  return Math.round(part1 + part2);
}
