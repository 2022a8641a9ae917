import { mkdirSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { evaluateDue, startMaintenanceService } from '@fleet/ingest/maintenance';
import { RuleDirectory } from '@fleet/ingest/rules';
import {
  createFaultReporter,
  ensureDemoOrganisation,
  errorMessage,
  type FaultReporter,
  InProcessEventBus,
  silentLogger,
  stopChild,
} from '@fleet/shared';
import {
  type AssetPlanStatus,
  dueStatuses,
  loadDailyUse,
  loadMaintenanceSnapshot,
  type MaintenanceSnapshot,
  migrate,
  openDatabase,
  type SqlDatabase,
} from '@fleet/shared/db';
import type { ServiceLevel } from '@fleet/shared/maintenance';
import type { ManagedQuestDb } from '@fleet/shared/questdb';
import { Registry } from 'prom-client';
import { BenchRun } from './harness.ts';
import {
  estimatedMaintenanceRunS,
  MAINTENANCE_HELP,
  type MaintenanceOptions,
  parseMaintenanceOptions,
} from './maintenance-options.ts';
import { type BenchPostgres, type SlowPlan, startBenchPostgres } from './maintenance-postgres.ts';
import {
  type ApiRun,
  type EndpointResult,
  type MaintenanceResults,
  type MonitorDatabaseResults,
  type MonitorResults,
  maintenanceLatencyCharts,
  maintenanceNotes,
  ms,
  parseMaintenanceResults,
  percentilePoints,
  renderMaintenanceSection,
  SECTION,
  type StatementStat,
  timingOf,
  WARMUP_REQUESTS,
} from './maintenance-report.ts';
import {
  benchId,
  departmentPaths,
  fleetSnapshot,
  generateMonitorFleet,
  type MonitorFleet,
  ruleDefinitions,
  telemetryUpdate,
} from './maintenance-scenario.ts';
import { costVehicleId, seedCostFleet, seedMonitorFleet } from './maintenance-seed.ts';
import { parseBenchArgs, readResultsFile } from './options.ts';
import { ROOT } from './paths.ts';
import { login } from './platform-api.ts';
import { lineChartSvg } from './plot.ts';
import { machineInfo } from './proc-stats.ts';
import { fmt } from './progress.ts';

const run = new BenchRun(10);
const { progress, live } = run;
const WARMUP_PASSES = 2;
/** An endpoint stops after this long once it has MIN_SAMPLES timed requests. */
const ENDPOINT_BUDGET_MS = 30_000;
const MIN_SAMPLES = 3;
const SLOW_REQUEST_MS = 1000;
/** Statements at least this long get their plan logged in the one extra, untimed call. */
const EXPLAIN_MIN_MS = 50;

// ---------------------------------------------------------------------------------------------
// Run state and clean-up

/** PostgreSQL, the databases this process has open and the one QuestDB the platform runs share. */
const state: { postgres?: BenchPostgres; questdb?: ManagedQuestDb; databases: SqlDatabase[] } = {
  databases: [],
};

async function closeDatabases(): Promise<void> {
  for (const db of state.databases) await db.close().catch(() => {});
}

async function open(url: string | undefined, pgliteDir?: string): Promise<SqlDatabase> {
  const db = await openDatabase(url ? { url } : { pgliteDir: pgliteDir as string });
  state.databases.push(db);
  return db;
}

async function close(db: SqlDatabase): Promise<void> {
  state.databases = state.databases.filter((d) => d !== db);
  await db.close();
}

const seedProgress = (what: string) => (step: string, done: number, total: number) =>
  live(`bench: seeding ${what}: ${step} ${fmt(done)}/${fmt(total)}`, done);

// ---------------------------------------------------------------------------------------------
// pg_stat_statements: where the server's time went over a measured step

async function resetStatements(db: SqlDatabase): Promise<void> {
  await db.query('select pg_stat_statements_reset()');
}

async function topStatements(db: SqlDatabase, limit = 6): Promise<StatementStat[]> {
  const rows = await db.query<{ query: string; calls: string; mean: number; total: number; rows: string }>(
    `select query, calls::text as calls, mean_exec_time as mean, total_exec_time as total, rows::text as rows
       from pg_stat_statements
      where dbid = (select oid from pg_database where datname = current_database())
        and query not ilike '%pg_stat_statements%' and query not in ('begin', 'commit', 'BEGIN', 'COMMIT')
      order by total_exec_time desc limit $1`,
    [limit],
  );
  return rows.map((r) => ({
    query: r.query,
    calls: Number(r.calls),
    meanMs: r.mean,
    totalMs: r.total,
    rows: Number(r.rows),
  }));
}

// ---------------------------------------------------------------------------------------------
// Part 1: due services

function countLevels(statuses: readonly AssetPlanStatus[]): Record<ServiceLevel, number> {
  const out: Record<ServiceLevel, number> = { ok: 0, due_soon: 0, due: 0, overdue: 0 };
  for (const s of statuses) out[s.status.level]++;
  return out;
}

/** The monitor's meter lookup: the tracker's slot per asset and meter, here a map of the fleet's. */
function meterLookup(snapshot: MaintenanceSnapshot) {
  const slots = new Map<string, { value: number }>();
  for (const [assetId, m] of snapshot.meters) {
    if (m.odometerKm !== null) slots.set(`${assetId}\nodometer`, { value: m.odometerKm });
    if (m.engineHours !== null) slots.set(`${assetId}\nengine_hours`, { value: m.engineHours });
  }
  return (assetId: string) => ({
    odometerKm: slots.get(`${assetId}\nodometer`)?.value,
    engineHours: slots.get(`${assetId}\nengine_hours`)?.value,
  });
}

/** dueStatuses then evaluateDue, `passes` times after a warm-up; the first pass knows no alert. */
function computePasses(fleet: MonitorFleet, snapshot: MaintenanceSnapshot, passes: number, now: number) {
  const rules = ruleDefinitions(fleet.rules);
  const path = departmentPaths(fleet.departments);
  const meters = meterLookup(snapshot);
  const statusMs: number[] = [];
  const evaluateMs: number[] = [];
  const totalMs: number[] = [];
  let known: ReadonlySet<string> = new Set();
  let firstSignals = 0;
  let steadySignals = 0;
  let workOrders = 0;
  let levels: Record<ServiceLevel, number> = { ok: 0, due_soon: 0, due: 0, overdue: 0 };
  let statusesCount = 0;
  for (let pass = 0; pass < WARMUP_PASSES + passes; pass++) {
    const t0 = performance.now();
    const statuses = dueStatuses(snapshot, now, { meters });
    const t1 = performance.now();
    const result = evaluateDue({
      orgId: fleet.orgId,
      statuses,
      rules,
      departmentPath: path,
      known,
      now,
    });
    const t2 = performance.now();
    if (pass === 0) {
      firstSignals = result.signals.length;
      workOrders = result.workOrders.length;
      levels = countLevels(statuses);
      statusesCount = statuses.length;
    } else steadySignals = result.signals.length;
    known = result.active;
    if (pass >= WARMUP_PASSES) {
      statusMs.push(t1 - t0);
      evaluateMs.push(t2 - t1);
      totalMs.push(t2 - t0);
    }
  }
  return {
    statuses: statusesCount,
    levels,
    dueStatuses: timingOf(statusMs),
    evaluateDue: timingOf(evaluateMs),
    total: timingOf(totalMs),
    firstSignals,
    steadySignals,
    workOrders,
  };
}

async function timed<T>(
  passes: number,
  what: string,
  f: () => Promise<T>,
): Promise<{ ms: number[]; last: T }> {
  const out: number[] = [];
  let last: T | undefined;
  for (let pass = 0; pass < WARMUP_PASSES + passes; pass++) {
    const t0 = performance.now();
    last = await f();
    const elapsed = performance.now() - t0;
    if (pass >= WARMUP_PASSES) out.push(elapsed);
    live(`bench: ${what} ${pass + 1}/${WARMUP_PASSES + passes}: ${ms(elapsed)} ms`, pass + 1);
  }
  progress(`bench: ${what}: p50 ${ms(timingOf(out).p50)} ms, p99 ${ms(timingOf(out).p99)} ms`);
  return { ms: out, last: last as T };
}

async function evaluationSum(registry: Registry): Promise<number> {
  const metric = await registry.getSingleMetric('fleet_maintenance_evaluation_seconds')?.get();
  const values = (metric?.values ?? []) as { metricName?: string; value: number }[];
  return values.find((v) => v.metricName === 'fleet_maintenance_evaluation_seconds_sum')?.value ?? 0;
}

async function monitorWithDatabase(
  o: MaintenanceOptions,
  fleet: MonitorFleet,
  pure: ReturnType<typeof computePasses>,
  notes: string[],
): Promise<MonitorDatabaseResults> {
  const pg = state.postgres as BenchPostgres;
  const db = await open(await pg.database('monitor'));
  await migrate(db);
  await db.exec('create extension if not exists pg_stat_statements');
  const server = (await db.query<{ v: string }>('select version() as v'))[0]?.v ?? '';
  await db.query('insert into organisations (id, slug, name) values ($1::uuid, $2, $3)', [
    fleet.orgId,
    'maintenance-bench',
    'Maintenance bench',
  ]);
  const seedStarted = performance.now();
  const rows = await seedMonitorFleet(db, fleet, seedProgress('the monitor fleet'));
  const seedS = (performance.now() - seedStarted) / 1000;
  progress(
    `bench: seeded in ${seedS.toFixed(0)} s: ${Object.entries(rows)
      .map(([t, n]) => `${fmt(n)} ${t}`)
      .join(', ')}`,
  );

  // The full refresh's read and compute, piece by piece.
  const load = await timed(o.passes, 'loadMaintenanceSnapshot', () =>
    loadMaintenanceSnapshot(db, fleet.orgId),
  );
  const snapshot = load.last;
  const use = await timed(o.passes, 'loadDailyUse', () =>
    loadDailyUse(db, fleet.orgId, snapshot.meters, Date.now()),
  );
  const loaded = computePasses(fleet, snapshot, o.passes, fleet.now);
  const loadedMatches = (Object.keys(pure.levels) as ServiceLevel[]).every(
    (l) => pure.levels[l] === loaded.levels[l],
  );
  if (!loadedMatches)
    notes.push(
      `The snapshot loaded from the database does not give the in-memory fleet's levels (in memory ${JSON.stringify(pure.levels)}, loaded ${JSON.stringify(loaded.levels)}).`,
    );
  const plans = [
    {
      step: 'loadMaintenanceSnapshot',
      plans: await pg.explainSlow(EXPLAIN_MIN_MS, () => loadMaintenanceSnapshot(db, fleet.orgId)),
    },
    {
      step: 'loadDailyUse',
      plans: await pg.explainSlow(EXPLAIN_MIN_MS, () =>
        loadDailyUse(db, fleet.orgId, snapshot.meters, Date.now()),
      ),
    },
  ];
  const useFound = [...use.last.values()].filter((u) => u.kmPerDay !== null || u.hoursPerDay !== null).length;
  if (useFound < fleet.assets.length * 0.99)
    notes.push(
      `loadDailyUse found a use a day for only ${fmt(useFound)} of ${fmt(fleet.assets.length)} assets, though each has 30 daily samples.`,
    );

  // The monitor itself, as the device side starts it.
  const log = silentLogger();
  const registry = new Registry();
  const reporter = createFaultReporter({ log, registry });
  const faults: string[] = [];
  const recording: FaultReporter = {
    report(boundary, site, err, context) {
      faults.push(`${boundary}/${site}: ${errorMessage(err).slice(0, 300)}`);
      reporter.report(boundary, site, err, context);
    },
  };
  const bus = new InProcessEventBus();
  let alertChanges = 0;
  bus.subscribe('alert', () => alertChanges++);
  const directory = new RuleDirectory({ db, log });
  await directory.start();
  const service = await startMaintenanceService({
    db,
    bus,
    log,
    faults: recording,
    metricsRegistry: registry,
    directory,
    // Both timers far beyond the run: only the bench's calls evaluate.
    flushMs: 3_600_000,
    refreshMs: 3_600_000,
  });
  try {
    progress('bench: the first refreshAll() after start (opens the alerts of every due status)');
    const t0 = performance.now();
    const firstStatuses = await service.refreshAll();
    const firstRefresh = { ms: performance.now() - t0, statuses: firstStatuses, alertsOpened: alertChanges };
    progress(
      `bench: first refreshAll(): ${fmt(firstRefresh.ms)} ms, ${fmt(firstStatuses)} statuses, ${fmt(alertChanges)} alerts opened`,
    );
    if (firstStatuses !== pure.statuses)
      notes.push(
        `refreshAll() computed ${fmt(firstStatuses)} statuses where the fleet has ${fmt(pure.statuses)}.`,
      );
    const changesBefore = alertChanges;
    await resetStatements(db);
    const refresh = await timed(o.passes, 'refreshAll() steady', () => service.refreshAll());
    const refreshStatements = await topStatements(db);
    if (alertChanges !== changesBefore)
      notes.push(
        `Steady refreshes changed ${fmt(alertChanges - changesBefore)} alerts where none should change (nothing moved).`,
      );

    // Telemetry-driven updates: one record per installed asset, then flush().
    const observeMs: number[] = [];
    const flushMs: number[] = [];
    const evaluationMs: number[] = [];
    const changesBeforeUpdates = alertChanges;
    const accepted0 = service.tracker.counts.accepted;
    const flagged0 = service.tracker.counts.flagged;
    let records = 0;
    await resetStatements(db);
    for (let step = 1; step <= WARMUP_PASSES + o.passes; step++) {
      const batch = telemetryUpdate(fleet, step, Date.now());
      records = batch.length;
      const e0 = await evaluationSum(registry);
      const t1 = performance.now();
      service.observe(batch);
      const t2 = performance.now();
      await service.flush();
      const t3 = performance.now();
      const e1 = await evaluationSum(registry);
      if (step > WARMUP_PASSES) {
        observeMs.push(t2 - t1);
        flushMs.push(t3 - t2);
        evaluationMs.push((e1 - e0) * 1000);
      }
      live(`bench: update ${step}/${WARMUP_PASSES + o.passes}: flush ${ms(t3 - t2)} ms`, step);
    }
    const updateStatements = await topStatements(db);
    const accepted = service.tracker.counts.accepted - accepted0;
    const flagged = service.tracker.counts.flagged - flagged0;
    const expected = fleet.installed.reduce(
      (n, [, assetId]) => n + (fleet.meters.get(assetId)?.odometerKm === null ? 1 : 2),
      0,
    );
    if (flagged > 0 || accepted !== expected * (WARMUP_PASSES + o.passes))
      notes.push(
        `The meter tracker accepted ${fmt(accepted)} readings and flagged ${fmt(flagged)} over the updates, where ${fmt(expected * (WARMUP_PASSES + o.passes))} were sent (all plausible).`,
      );
    const flushT = timingOf(flushMs);
    progress(
      `bench: flush() after ${fmt(records)} records: p50 ${ms(flushT.p50)} ms, p99 ${ms(flushT.p99)} ms`,
    );
    return {
      server,
      seedS,
      rows,
      loadedMatches,
      loadedLevels: loaded.levels,
      loadSnapshot: timingOf(load.ms),
      loadDailyUse: timingOf(use.ms),
      dueStatuses: loaded.dueStatuses,
      evaluateDue: loaded.evaluateDue,
      firstRefresh,
      refreshAll: timingOf(refresh.ms),
      refreshStatements,
      plans,
      update: {
        records,
        observe: timingOf(observeMs),
        flush: flushT,
        evaluation: timingOf(evaluationMs),
        write: timingOf(flushMs.map((f, i) => f - (evaluationMs[i] ?? 0))),
        alertChanges: alertChanges - changesBeforeUpdates,
        statements: updateStatements,
      },
      faults,
    };
  } finally {
    await service.close();
    await directory.stop();
    await close(db);
  }
}

async function monitorPart(o: MaintenanceOptions, notes: string[]): Promise<MonitorResults> {
  const orgId = benchId('0e900000', 1);
  const fleet = generateMonitorFleet({
    orgId,
    assets: o.assets,
    plans: o.plans,
    installed: o.installed,
    now: Date.now(),
  });
  progress(
    `bench: part 1: ${fmt(o.assets)} assets x ${o.plans} plans, ${fmt(fleet.workOrders.length)} work orders; pure passes`,
  );
  const pure = computePasses(fleet, fleetSnapshot(fleet), o.passes, fleet.now);
  progress(
    `bench: pure: dueStatuses p50 ${ms(pure.dueStatuses.p50)} ms, evaluateDue p50 ${ms(pure.evaluateDue.p50)} ms (${fmt(pure.statuses)} statuses)`,
  );
  const database = await monitorWithDatabase(o, fleet, pure, notes);
  return {
    statuses: pure.statuses,
    levels: pure.levels,
    pure: {
      dueStatuses: pure.dueStatuses,
      evaluateDue: pure.evaluateDue,
      total: pure.total,
      firstSignals: pure.firstSignals,
      steadySignals: pure.steadySignals,
      workOrders: pure.workOrders,
    },
    database,
  };
}

// ---------------------------------------------------------------------------------------------
// Part 2: the board and the cost reports through the API

interface Endpoint {
  name: string;
  /** The path of the n-th request. */
  path: (n: number) => string;
  items: (body: unknown) => number;
}

function endpoints(vehicles: number): Endpoint[] {
  const len = (v: unknown) => (Array.isArray(v) ? v.length : 0);
  return [
    {
      name: 'GET /maintenance/board',
      path: () => '/api/v1/maintenance/board',
      items: (b) => len((b as { items?: unknown }).items),
    },
    {
      name: 'GET /costs/summary?groupBy=asset',
      path: () => '/api/v1/costs/summary?groupBy=asset',
      items: (b) => len((b as { rows?: unknown }).rows),
    },
    {
      name: 'GET /costs/summary?groupBy=department',
      path: () => '/api/v1/costs/summary?groupBy=department',
      items: (b) => len((b as { rows?: unknown }).rows),
    },
    {
      name: 'GET /assets/{id}/costs',
      // Another vehicle each time, spread over the fleet.
      path: (n) => `/api/v1/assets/${costVehicleId(1 + ((n * 7919) % vehicles))}/costs`,
      items: (b) => len((b as { months?: unknown }).months),
    },
  ];
}

async function timeEndpoint(
  httpPort: number,
  token: string,
  e: Endpoint,
  requests: number,
  stats: SqlDatabase | undefined,
  explain: ((f: () => Promise<unknown>) => Promise<SlowPlan[]>) | undefined,
): Promise<EndpointResult> {
  if (stats) await resetStatements(stats);
  const samples: number[] = [];
  let bytes = 0;
  let items = 0;
  const started = performance.now();
  let stoppedEarly = false;
  let warmups = WARMUP_REQUESTS;
  for (let i = 0; i < warmups + requests; i++) {
    if (samples.length >= MIN_SAMPLES && performance.now() - started > ENDPOINT_BUDGET_MS) {
      stoppedEarly = true;
      break;
    }
    const path = e.path(i);
    const t0 = performance.now();
    const res = await fetch(`http://127.0.0.1:${httpPort}${path}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    const body = await res.arrayBuffer();
    const elapsed = performance.now() - t0;
    if (res.status !== 200)
      throw new Error(`${path}: HTTP ${res.status} ${Buffer.from(body).toString().slice(0, 300)}`);
    // A request of seconds is warm after one: the budget goes to timed ones.
    if (i === 0 && elapsed > SLOW_REQUEST_MS) warmups = 1;
    if (i >= warmups) samples.push(elapsed);
    if (i === 0) {
      bytes = body.byteLength;
      items = e.items(JSON.parse(Buffer.from(body).toString('utf8')));
    }
    live(`bench: ${e.name} ${i + 1}/${warmups + requests}: ${ms(elapsed)} ms`, i + 1);
  }
  const timing = timingOf(samples);
  // The statements first: the plans' extra request must not count in them.
  const statements = stats ? await topStatements(stats) : [];
  progress(
    `bench: ${e.name}: ${fmt(samples.length)} requests, p50 ${ms(timing.p50)} ms, p99 ${ms(timing.p99)} ms (${fmt(items)} items, ${fmt(bytes / 1024)} KiB)`,
  );
  const plans = explain
    ? await explain(async () => {
        const res = await fetch(`http://127.0.0.1:${httpPort}${e.path(1)}`, {
          headers: { authorization: `Bearer ${token}` },
        });
        await res.arrayBuffer();
      })
    : [];
  return {
    name: e.name,
    path: e.path(0),
    requests: samples.length,
    warmups,
    stoppedEarly,
    timing,
    percentiles: percentilePoints(samples),
    bytes,
    items,
    statements,
    plans,
  };
}

async function apiPart(o: MaintenanceOptions, database: 'postgres' | 'pglite', tmp: string): Promise<ApiRun> {
  const dataDir = join(tmp, `platform-${database}`);
  mkdirSync(dataDir, { recursive: true });
  const url = database === 'postgres' ? await (state.postgres as BenchPostgres).database('costs') : undefined;
  progress(
    `bench: part 2 on ${database === 'postgres' ? 'PostgreSQL' : 'PGlite'}: seeding ${fmt(o.vehicles)} vehicles with a year of history`,
  );
  const seedDb = await open(url, join(dataDir, 'pg'));
  await migrate(seedDb);
  const org = await ensureDemoOrganisation(seedDb);
  const server = (await seedDb.query<{ v: string }>('select version() as v'))[0]?.v ?? '';
  const seedStarted = performance.now();
  const rows = await seedCostFleet(seedDb, org.id, o.vehicles, seedProgress('the costs fleet'));
  const seedS = (performance.now() - seedStarted) / 1000;
  progress(
    `bench: seeded in ${seedS.toFixed(0)} s: ${Object.entries(rows)
      .map(([t, n]) => `${fmt(n)} ${t}`)
      .join(', ')}`,
  );
  if (database === 'postgres') await seedDb.exec('create extension if not exists pg_stat_statements');
  await close(seedDb); // PGlite allows one process: the platform opens it next

  // The platform needs a QuestDB; nothing is written to it.
  state.questdb ??= await run.startQuestDb(tmp);
  const platform = await run.startPlatform({
    dataDir,
    questdbUrl: state.questdb.httpUrl,
    env: { ...(url ? { DATABASE_URL: url } : {}), AUTH_ACCESS_TOKEN_TTL_S: '86400' },
    startTimeoutMs: 120_000,
  });
  const { httpPort, adminPassword: password } = platform;
  const stats = url ? await open(url) : undefined;
  try {
    const token = await login(httpPort, password);
    // Let the device side's first maintenance refresh and rule load pass before timing.
    await sleep(3000);
    const results: EndpointResult[] = [];
    for (const e of endpoints(o.vehicles))
      results.push(
        await timeEndpoint(
          httpPort,
          token,
          e,
          o.requests,
          stats,
          url ? (f) => (state.postgres as BenchPostgres).explainSlow(EXPLAIN_MIN_MS, f) : undefined,
        ),
      );
    // pg 8 warns when one client is handed a query while it runs another (pg 9 will refuse).
    const warnings = platform.output.filter((l) => /DeprecationWarning: Calling client\.query\(\)/.test(l));
    return { database, server, seedS, rows, endpoints: results, clientQueryWarning: warnings.length > 0 };
  } finally {
    if (stats) await close(stats);
    await stopChild(platform.child);
  }
}

// ---------------------------------------------------------------------------------------------

async function main(): Promise<number> {
  const o = parseBenchArgs(() => parseMaintenanceOptions(process.argv.slice(2), ROOT), MAINTENANCE_HELP);
  if (typeof o === 'number') return o;
  if (o.render !== undefined) {
    const results = readResultsFile(o.render, parseMaintenanceResults);
    if (!results) return 2;
    await writeResults(results, o.render, o.out);
    return 0;
  }
  const started = performance.now();
  progress(
    `bench: about ${Math.ceil(estimatedMaintenanceRunS(o) / 60)} min: ${fmt(o.assets)} assets x ${o.plans} plans, then ${fmt(o.vehicles)} vehicles through the API on ${o.databases.join(' and ') || 'nothing (--skip-api)'}`,
  );
  const { notes } = run;
  const loadBefore = loadavg();
  const busyBefore = await run.checkQuiet();
  const tmp = run.tempDir('fleet-maintenance-bench-');
  progress('bench: starting PostgreSQL');
  state.postgres = await startBenchPostgres();
  run.onStop(() => state.postgres?.stop());
  run.onStop(closeDatabases);
  progress(`bench: ${state.postgres.version} on port ${state.postgres.port}`);

  const monitor = await monitorPart(o, notes);
  const api: ApiRun[] = [];
  for (const database of o.databases) api.push(await apiPart(o, database, tmp));

  const results: MaintenanceResults = {
    bench: 'maintenance',
    date: new Date().toISOString(),
    machine: machineInfo(),
    before: { loadAvg: loadBefore, busyPct: busyBefore },
    parameters: {
      assets: o.assets,
      plans: o.plans,
      installed: o.installed,
      passes: o.passes,
      vehicles: o.vehicles,
      requests: o.requests,
      databases: o.databases,
    },
    monitor,
    api,
    durationS: (performance.now() - started) / 1000,
    notes,
  };
  await writeResults(results, join(ROOT, 'bench/results/maintenance.json'), o.out);
  return 0;
}

/** Writes the results file, the plots and the report section, and prints the section. */
async function writeResults(
  results: MaintenanceResults,
  jsonPath: string,
  reportPath: string,
): Promise<void> {
  const plots = await Promise.all(
    maintenanceLatencyCharts(results).map(async ({ file, chart }) => ({
      file,
      svg: await lineChartSvg(chart),
    })),
  );
  const section = renderMaintenanceSection(results, maintenanceNotes(results));
  run.writeResults({
    results,
    jsonPath,
    reportPath,
    sections: [{ heading: SECTION, markdown: section }],
    plots,
    summary: section,
    summaryHasNotes: true,
  });
}

run.main(main);
