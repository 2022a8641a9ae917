// bench:maintenance's results: their shape (also written as JSON), the Markdown section
// '## Maintenance and costs' and the latency plot.
import type { ServiceLevel } from '@fleet/shared/maintenance';
import type { SlowPlan } from './maintenance-postgres.ts';
import type { ChartSpec } from './plot.ts';
import { type Machine, machineLine } from './report.ts';

export const SECTION = 'Maintenance and costs';
/** The issue's target for the board and the cost reports (issue 13, "Measured"). */
export const TARGET_P99_MS = 200;
/** Unmeasured requests before each endpoint's timed ones. */
export const WARMUP_REQUESTS = 3;

/** A distribution of timings, ms (nearest-rank percentiles). */
export interface Timing {
  count: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
}

export function timingOf(samples: readonly number[]): Timing {
  const s = [...samples].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))] ?? Number.NaN;
  return {
    count: s.length,
    p50: at(0.5),
    p90: at(0.9),
    p99: at(0.99),
    max: s.at(-1) ?? Number.NaN,
    mean: s.length === 0 ? Number.NaN : s.reduce((a, b) => a + b, 0) / s.length,
  };
}

/** Points of a latency distribution for the plot: [percentile, ms]. */
export function percentilePoints(samples: readonly number[]): { p: number; ms: number }[] {
  const s = [...samples].sort((a, b) => a - b);
  if (s.length === 0) return [];
  return [0, 10, 25, 50, 75, 90, 95, 99, 100].map((p) => ({
    p,
    ms: s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))] as number,
  }));
}

/** One statement as pg_stat_statements saw it over a measured step. */
export interface StatementStat {
  query: string;
  calls: number;
  meanMs: number;
  totalMs: number;
  rows: number;
}

export interface MonitorDatabaseResults {
  server: string;
  seedS: number;
  rows: Record<string, number>;
  /** The loaded snapshot's statuses by level equal the in-memory fleet's. */
  loadedMatches: boolean;
  loadedLevels: Record<ServiceLevel, number>;
  loadSnapshot: Timing;
  loadDailyUse: Timing;
  dueStatuses: Timing;
  evaluateDue: Timing;
  /** The first refreshAll after start: every due status opens its alerts. */
  firstRefresh: { ms: number; statuses: number; alertsOpened: number };
  refreshAll: Timing;
  /** Server-side statements of the steady refreshes, by total time. */
  refreshStatements: StatementStat[];
  /** Plans of the slow statements of one more call of each read (auto_explain). */
  plans: { step: string; plans: SlowPlan[] }[];
  update: {
    records: number;
    observe: Timing;
    flush: Timing;
    /** fleet_maintenance_evaluation_seconds per flush: the evaluation of the moved organisation. */
    evaluation: Timing;
    /** flush minus evaluation: writing the meters (and the day's samples). */
    write: Timing;
    alertChanges: number;
    statements: StatementStat[];
  };
  faults: string[];
}

export interface MonitorResults {
  statuses: number;
  levels: Record<ServiceLevel, number>;
  pure: {
    dueStatuses: Timing;
    evaluateDue: Timing;
    total: Timing;
    /** Alerts a first pass (nothing known yet) would open; a steady pass's signals. */
    firstSignals: number;
    steadySignals: number;
    workOrders: number;
  };
  database: MonitorDatabaseResults | null;
}

export interface EndpointResult {
  name: string;
  path: string;
  requests: number;
  /** Untimed requests before them (1 when the first took over a second). */
  warmups: number;
  stoppedEarly: boolean;
  timing: Timing;
  percentiles: { p: number; ms: number }[];
  bytes: number;
  /** Items in the answer (board items, summary rows, months). */
  items: number;
  /** PostgreSQL only: statements of the endpoint's requests, by total time. */
  statements: StatementStat[];
  /** PostgreSQL only: plans of the slow statements of one more request (auto_explain). */
  plans: SlowPlan[];
}

export interface ApiRun {
  database: 'postgres' | 'pglite';
  server: string;
  seedS: number;
  rows: Record<string, number>;
  endpoints: EndpointResult[];
  /** The platform printed pg's warning about a query handed to a client that is running one. */
  clientQueryWarning: boolean;
}

export interface MaintenanceResults {
  bench: 'maintenance';
  date: string;
  machine: Machine;
  before: { loadAvg: number[]; busyPct: number };
  parameters: {
    assets: number;
    plans: number;
    installed: number;
    passes: number;
    vehicles: number;
    requests: number;
    databases: ('postgres' | 'pglite')[];
  };
  monitor: MonitorResults;
  api: ApiRun[];
  durationS: number;
  notes: string[];
}

export function parseMaintenanceResults(text: string): MaintenanceResults {
  const r = JSON.parse(text) as MaintenanceResults;
  if (r.bench !== 'maintenance' || typeof r.monitor !== 'object' || !Array.isArray(r.api))
    throw new Error('not a bench:maintenance results file');
  return r;
}

const int = (n: number) => Math.round(n).toLocaleString('en-US');
export const ms = (n: number) =>
  !Number.isFinite(n) ? '-' : n >= 100 ? int(n) : n >= 10 ? n.toFixed(1) : n.toFixed(2);
const kib = (b: number) =>
  b >= 1024 * 1024 ? `${(b / 1024 / 1024).toFixed(1)} MiB` : `${Math.round(b / 1024)} KiB`;
const row = (what: string, t: Timing, extra = '') =>
  `| ${what} | ${int(t.count)} | ${ms(t.p50)} | ${ms(t.p90)} | ${ms(t.p99)} | ${ms(t.max)} |${extra}`;
const TIMING_HEAD = [
  '| step | passes | p50 ms | p90 ms | p99 ms | max ms |',
  '| --- | ---: | ---: | ---: | ---: | ---: |',
];
const levels = (l: Record<ServiceLevel, number>) =>
  `${int(l.ok)} ok, ${int(l.due_soon)} due soon, ${int(l.due)} due, ${int(l.overdue)} overdue`;

function statementLines(list: readonly StatementStat[], limit = 4): string[] {
  return list
    .slice(0, limit)
    .map(
      (s) =>
        `  - ${ms(s.meanMs)} ms x ${int(s.calls)} (${int(s.rows / Math.max(1, s.calls))} rows each): \`${s.query.replace(/\s+/g, ' ').slice(0, 150)}\``,
    );
}

/** Which of a refresh's parts (read, compute) took most of it, in words. */
export function refreshShares(d: MonitorDatabaseResults): { readPct: number; computePct: number } {
  const read = d.loadSnapshot.p50;
  const compute = d.dueStatuses.p50 + d.evaluateDue.p50;
  const total = Math.max(d.refreshAll.p50, read + compute);
  return { readPct: (100 * read) / total, computePct: (100 * compute) / total };
}

function monitorLines(r: MaintenanceResults): string[] {
  const m = r.monitor;
  const p = r.parameters;
  const lines = [
    "### Due services: the device side's monitor",
    '',
    `One organisation of ${int(p.assets)} assets (8 in 10 vehicles, the rest equipment of 4 categories, in 10 departments), ${p.plans} service plans each covering every asset (by kind, or by kind and equipment category), ${int(m.statuses)} asset-plan statuses: ${levels(m.levels)}. 95% of the pairs have a completed work order as their baseline, 2% an open one; 3 service_due rules (due or overdue anywhere; due soon in one division; overdue on the engine and major services).`,
    '',
    '**Pure** (bench/src/maintenance-scenario.ts builds the snapshot in memory; `dueStatuses` with the meters looked up per asset as the monitor does, then `evaluateDue` with the alerts of the first pass known, the steady state):',
    '',
    ...TIMING_HEAD,
    row(`dueStatuses (${int(m.statuses)} statuses)`, m.pure.dueStatuses),
    row('evaluateDue (3 rules)', m.pure.evaluateDue),
    row('both (one full pass)', m.pure.total),
    '',
    `A first pass, with no alert known yet, signals ${int(m.pure.firstSignals)} alerts to open; a steady pass ${int(m.pure.steadySignals)}.`,
    '',
  ];
  const d = m.database;
  if (d === null) return lines;
  const shares = refreshShares(d);
  lines.push(
    `**With the database** (${d.server}, default settings, on this machine; seeded in ${d.seedS.toFixed(0)} s: ${Object.entries(
      d.rows,
    )
      .map(([t, n]) => `${int(n)} ${t}`)
      .join(
        ', ',
      )}). The monitor as \`startMaintenanceService\` runs it on the device side: its own \`RuleDirectory\`, an in-process bus, flush and refresh timers an hour apart so only the bench's calls run.`,
    '',
    ...TIMING_HEAD,
    row("loadMaintenanceSnapshot (the full refresh's read)", d.loadSnapshot),
    row("loadDailyUse (30 days of samples; the board's, not the monitor's)", d.loadDailyUse),
    row('dueStatuses over the loaded snapshot', d.dueStatuses),
    row('evaluateDue over them', d.evaluateDue),
    row('**refreshAll()**, steady (nothing to write)', d.refreshAll),
    row(`**flush()** after observe() of ${int(d.update.records)} records`, d.update.flush),
    row('  of which the evaluation of the moved organisation', d.update.evaluation),
    row('  of which writing the meters', d.update.write),
    row(`observe() of ${int(d.update.records)} records`, d.update.observe),
    '',
    `- The loaded snapshot gives ${d.loadedMatches ? 'the same levels as the in-memory fleet' : `**other levels than the in-memory fleet**: ${levels(d.loadedLevels)}`}.`,
    `- First refreshAll() after start: ${ms(d.firstRefresh.ms)} ms for ${int(d.firstRefresh.statuses)} statuses, opening ${int(d.firstRefresh.alertsOpened)} alerts (each its own insert, activity row and read-back in one transaction: alert-writer.ts).`,
    `- A steady full refresh: read ${shares.readPct.toFixed(0)}%, compute ${shares.computePct.toFixed(0)}% (at the p50s). Server-side statements of the refreshes (pg_stat_statements), by total time:`,
    ...statementLines(d.refreshStatements),
    ...d.plans.flatMap((s) =>
      s.plans.length === 0
        ? []
        : [
            `- Plans of ${s.step}'s slow statements (auto_explain, one more call; a node's time includes its children's):`,
            ...planLines(s.plans),
          ],
    ),
    `- A telemetry-driven update writes ${int(d.update.records)} meters (one upsert per meter kind, jsonb_to_recordset) and evaluates the organisation from its cached snapshot (no NOTIFY: telemetry meters do not reload it); ${int(d.update.alertChanges)} alert change${d.update.alertChanges === 1 ? '' : 's'} over the updates. Its statements:`,
    ...statementLines(d.update.statements, 3),
  );
  if (d.faults.length > 0)
    lines.push(`- **Faults reported by the service**: ${d.faults.slice(0, 5).join('; ')}`);
  lines.push('');
  return lines;
}

/** Each endpoint's verdict against the target. */
export function endpointVerdicts(r: MaintenanceResults): { run: ApiRun; e: EndpointResult; met: boolean }[] {
  return r.api.flatMap((run) => run.endpoints.map((e) => ({ run, e, met: e.timing.p99 < TARGET_P99_MS })));
}

function planLines(plans: readonly SlowPlan[], indent = '  '): string[] {
  return plans.flatMap((p) => [
    `${indent}- ${ms(p.durationMs)} ms: \`${p.query.slice(0, 140)}\``,
    // (Results of runs before the plans' sub-millisecond nodes were left out have them.)
    ...p.nodes.filter((n) => !n.endsWith(', 0 ms')).map((n) => `${indent}  - ${n}`),
  ]);
}

const dbName = (d: 'postgres' | 'pglite') => (d === 'postgres' ? 'PostgreSQL' : 'PGlite');
/** Server time per request, from pg_stat_statements over the timed and warm-up requests. */
const serverPerRequest = (e: EndpointResult) =>
  e.statements.reduce((a, s) => a + s.totalMs, 0) / Math.max(1, e.requests + e.warmups);

function apiLines(r: MaintenanceResults): string[] {
  if (r.api.length === 0) return [];
  const p = r.parameters;
  const first = r.api[0] as ApiRun;
  const lines = [
    '### The board and the cost reports through the API',
    '',
    `${int(p.vehicles)} vehicles in 10 departments with a year of history, seeded with SQL in bulk: ${Object.entries(
      first.rows,
    )
      .map(([t, n]) => `${int(n)} ${t}`)
      .join(
        ', ',
      )}. The real platform (\`node platform/src/main.ts\`: the launcher, device side and API side as separate processes, a managed QuestDB) at its defaults, signed in as the administrator; one request at a time over HTTP on 127.0.0.1, time to the last byte, after ${WARMUP_REQUESTS} warm-up requests (1 when the first took over a second); an endpoint stops after 30 s once it has 3 timed requests (then its p99 is the slowest of few). Target: p99 under ${TARGET_P99_MS} ms.`,
    '',
    '| database | endpoint | requests | items | p50 ms | p90 ms | p99 ms | max ms | body | p99 < 200 ms |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | :---: |',
  ];
  for (const run of r.api)
    for (const e of run.endpoints)
      lines.push(
        `| ${dbName(run.database)} | ${e.name} | ${int(e.requests)}${e.stoppedEarly ? ' (30 s)' : ''} | ${int(e.items)} | ${ms(e.timing.p50)} | ${ms(e.timing.p90)} | ${ms(e.timing.p99)} | ${ms(e.timing.max)} | ${kib(e.bytes)} | ${e.timing.p99 < TARGET_P99_MS ? '**yes**' : '**no**'} |`,
      );
  lines.push('');
  for (const run of r.api)
    lines.push(`- ${dbName(run.database)}: ${run.server}; seeded in ${run.seedS.toFixed(0)} s.`);
  lines.push('');
  for (const run of r.api)
    lines.push(
      `![Latency distributions of the board and the cost reports on ${dbName(run.database)}](plots/${plotFile(run.database)})`,
      '',
    );
  const pg = r.api.find((x) => x.database === 'postgres');
  if (pg?.endpoints.some((e) => e.statements.length > 0)) {
    lines.push(
      '#### Where the time goes (PostgreSQL)',
      '',
      `Server time from pg_stat_statements over each endpoint's requests; then one more request with auto_explain on for statements of ${50} ms or more, and the notable nodes of their plans (actual rows and loops, sorts, JIT; a node's time includes its children's).`,
      '',
    );
    for (const e of pg.endpoints) {
      if (e.statements.length === 0) continue;
      lines.push(
        `- **${e.name}**: ${ms(serverPerRequest(e))} ms of database time per request (all statements), the rest of the ${ms(e.timing.p50)} ms p50 in the API process (rows to objects, the figures, response validation, JSON). Top statements:`,
        ...statementLines(e.statements, 3),
      );
      if (e.plans.length > 0) lines.push('  Plans of the slow ones:', ...planLines(e.plans, '  '));
    }
    lines.push('');
  }
  return lines;
}

/**
 * What would fix the slow statements this bench has found, by a fragment of their text: the
 * plans above show the symptom, these name the change (from EXPLAIN ANALYZE on the bench's
 * fleets, 2 cores, PostgreSQL 15). Shown only when the statement is among the slow ones of a run.
 */
export const REMEDIES: readonly { fragment: string; text: string }[] = [
  {
    fragment: '(select i.device_id from installations i where i.asset_id = a.id',
    text: "shared/src/db/maintenance.ts, loadMaintenanceSnapshot, the assets query: its subquery for each asset's installed device has no `org_id`, so installations_asset_idx (org_id, asset_id, installed_at) cannot serve it and PostgreSQL scans `installations` once per asset (a SubPlan with one loop per asset): O(assets x installations). Adding `i.org_id = a.org_id` to the subquery makes it an index lookup (EXPLAIN ANALYZE with 10,000 assets and 1,000 installations: 733 ms -> 11 ms); an index on installations (asset_id) where removed_at is null would do as well. It grows with the installed fleet: with a device on every asset the scan is ten times longer.",
  },
  {
    fragment:
      'select distinct on (asset_id, meter) asset_id::text as asset_id, meter, value, read_at from meter_readings',
    text: "shared/src/db/maintenance.ts, loadDailyUse (the board's use a day, and each plan's forecast): `distinct on (asset_id, meter) ... order by asset_id, meter, read_at` reads every sample of the organisation's last 30 days and sorts them (a sequential scan, then an external merge sort on disk) to keep the oldest per asset and meter; meter_readings_asset_idx (org_id, asset_id, meter, read_at desc) cannot give that order. One lookup per asset and meter reads one index entry each: `from asset_meters m cross join (values ('odometer'), ('engine_hours')) k(meter) cross join lateral (select value, read_at from meter_readings x where x.org_id = m.org_id and x.asset_id = m.asset_id and x.meter = k.meter and x.flag is null and x.read_at >= $since order by x.read_at limit 1)` (EXPLAIN ANALYZE: 806 ms -> 125 ms for 10,000 assets; 270 ms -> 40 ms as the board runs it for 1,000 vehicles).",
  },
  {
    fragment: 'select x.asset_id::text as asset_id, x.meter, x.value, x.read_at from meter_readings x',
    text: "api/src/domains/costs/repository.ts, loadCostData, the meter readings query (cost per km and per engine hour): it reads and sorts every daily sample of the range plus 35 days (730,000 rows for 1,000 vehicles and a year: a sequential scan, a 55 MB sort on disk, then every row sent to and parsed by the API process), while meterDelta (figures.ts) needs per asset and meter only the last reading at or before each end of the range (or the first after the start) and whether one lies inside it. Three `order by read_at limit 1` subqueries and an `exists` per asset and meter on meter_readings_asset_idx return 2,000 rows (EXPLAIN ANALYZE: 938 ms plus the transfer -> 250 ms, of which 110 ms are JIT compilation, which the RLS subplans' inflated cost estimate switches on: `jit = off` for the API's connections or a lower estimate removes it). /assets/{id}/costs can keep the whole series of one asset for its months (730 rows). Fuel entries (73,000 rows, about 130 ms) are the next cost of the summary: summing them per asset in SQL would leave only the fill-ups that consumption needs.",
  },
];

/** What the figures say about their limits, from the results alone. */
export function maintenanceNotes(r: MaintenanceResults): string[] {
  const notes: string[] = [];
  const d = r.monitor.database;
  if (d) {
    const f = d.update;
    notes.push(
      `Telemetry-driven update: flush() p50 ${ms(f.flush.p50)} ms for ${int(f.records)} assets' meters, of which ${ms(f.evaluation.p50)} ms evaluating the organisation (dueStatuses and evaluateDue over all its ${int(r.monitor.statuses)} statuses: the monitor evaluates a whole organisation whenever one of its meters moved, from its cached snapshot) and ${ms(f.write.p50)} ms writing. At the default MAINTENANCE_FLUSH_MS (5 s) the device side spends ${((100 * f.flush.p50) / 5000).toFixed(0)}% of every flush period on it for an organisation this size; the steady full refresh (every MAINTENANCE_REFRESH_S, 60 s) another ${((100 * d.refreshAll.p50) / 60_000).toFixed(1)}%.`,
    );
    const shares = refreshShares(d);
    if (shares.readPct > 50)
      notes.push(
        `The full refresh is dominated by its read (${shares.readPct.toFixed(0)}% at the p50s): loadMaintenanceSnapshot ${ms(d.loadSnapshot.p50)} ms against ${ms(d.dueStatuses.p50 + d.evaluateDue.p50)} ms of dueStatuses and evaluateDue.`,
      );
    else
      notes.push(
        `The full refresh is dominated by the computation (${shares.computePct.toFixed(0)}% at the p50s): dueStatuses and evaluateDue ${ms(d.dueStatuses.p50 + d.evaluateDue.p50)} ms against loadMaintenanceSnapshot ${ms(d.loadSnapshot.p50)} ms.`,
      );
  }
  for (const { run, e } of r.api.flatMap((x) => x.endpoints.map((e) => ({ run: x, e })))) {
    if (e.timing.p99 < TARGET_P99_MS) continue;
    const top = e.statements[0];
    const calls = e.requests + e.warmups;
    notes.push(
      `${e.name} on ${dbName(run.database)} misses the target: p99 ${ms(e.timing.p99)} ms.${
        top
          ? ` Of its ${ms(e.timing.p50)} ms p50, ${ms(serverPerRequest(e))} ms are the database's; the most expensive statement: ${ms(top.meanMs)} ms x ${int(top.calls / Math.max(1, calls))} per request, ${int(top.rows / Math.max(1, top.calls))} rows each (\`${top.query.replace(/\s+/g, ' ').slice(0, 120)}\`).`
          : run.database === 'pglite'
            ? ' The same statements as on PostgreSQL (see above), run by PGlite (WebAssembly, one connection) in the launcher process and sent over IPC.'
            : ''
      }`,
    );
  }
  // The remedies of the slow statements this run found (statements and plans of every part).
  const slow = [
    ...(d?.refreshStatements ?? []).filter((s) => s.meanMs >= 50).map((s) => s.query),
    ...(d?.plans ?? []).flatMap((p) => p.plans.map((x) => x.query)),
    ...r.api.flatMap((x) =>
      x.endpoints.flatMap((e) => [
        ...e.statements.filter((s) => s.meanMs >= 50).map((s) => s.query),
        ...e.plans.map((p) => p.query),
      ]),
    ),
  ].map((q) => q.replace(/\s+/g, ' '));
  for (const remedy of REMEDIES)
    if (slow.some((q) => q.includes(remedy.fragment))) notes.push(`**Fix**: ${remedy.text}`);
  if (r.api.some((x) => x.clientQueryWarning))
    notes.push(
      'The platform printed pg\'s DeprecationWarning "Calling client.query() when the client is already executing a query": inside a tenant transaction (one pooled client), loadMaintenanceSnapshot (shared/src/db/maintenance.ts: the board, the plans list) and loadCostData (api/src/domains/costs/repository.ts: every cost report) hand their 5 queries to that client at once with Promise.all. pg queues them, so nothing runs in parallel anyway, and pg 9 will refuse it; awaiting them in turn costs nothing. (The monitor calls loadMaintenanceSnapshot on the pool, where its 5 queries do run on separate connections.)',
    );
  return notes;
}

export function renderMaintenanceSection(r: MaintenanceResults, extraNotes: readonly string[] = []): string {
  const busy = r.before.busyPct;
  const lines = [
    `## ${SECTION}`,
    '',
    `Produced by \`npm run bench:maintenance\` (bench/src/maintenance.ts) on ${r.date} in ${Math.round(r.durationS / 60)} min. Issue 13's "Measured": due-status computation for ${r.parameters.assets.toLocaleString('en-US')} assets with ${r.parameters.plans} plans each, and the maintenance board and cost reports with a year of data for ${r.parameters.vehicles.toLocaleString('en-US')} vehicles.`,
    '',
    machineLine(r.machine),
    `- Before the run: load average ${r.before.loadAvg.map((n) => n.toFixed(2)).join(' / ')} (1 / 5 / 15 min), ${busy.toFixed(0)}% of both cores busy${busy > 20 ? ' (**not idle**: other work distorts these figures)' : ''}. Everything (the databases, the platform, the bench) shares the same cores.`,
    '',
    '### Targets',
    '',
    '| target | measured | met |',
    '| --- | ---: | :---: |',
    ...endpointVerdicts(r).map(
      ({ run, e, met }) =>
        `| ${e.name} p99 < ${TARGET_P99_MS} ms (${run.database === 'postgres' ? 'PostgreSQL' : 'PGlite'}) | ${ms(e.timing.p99)} ms | ${met ? '**yes**' : '**no**'} |`,
    ),
    '',
    ...monitorLines(r),
    ...apiLines(r),
  ];
  const notes = [...r.notes, ...extraNotes];
  if (notes.length > 0) lines.push('### Notes', '', ...notes.map((n) => `- ${n}`), '');
  return lines.join('\n');
}

/** The plot file of a database's latency distributions (bench/plots/). */
export const plotFile = (d: 'postgres' | 'pglite') => `maintenance-latency-${d}.svg`;

/** Short names for the plot's legend, which is laid out in one row below the chart. */
const SHORT: Record<string, string> = {
  'GET /maintenance/board': 'board',
  'GET /costs/summary?groupBy=asset': 'summary by asset',
  'GET /costs/summary?groupBy=department': 'summary by department',
  'GET /assets/{id}/costs': "one asset's costs",
};

/** One plot per database: each endpoint's latency distribution (percentile against ms). */
export function maintenanceLatencyCharts(r: MaintenanceResults): { file: string; chart: ChartSpec }[] {
  return r.api.flatMap((run) => {
    const points = run.endpoints.flatMap((e) =>
      e.percentiles.map((x) => ({ x: x.p, y: Math.max(0.1, x.ms), series: SHORT[e.name] ?? e.name })),
    );
    if (points.length === 0) return [];
    return [
      {
        file: plotFile(run.database),
        chart: {
          title: `Board and cost reports on ${dbName(run.database)}, ${r.parameters.vehicles.toLocaleString('en-US')} vehicles, a year of data`,
          xTitle: 'percentile',
          yTitle: 'ms (log scale)',
          points,
          logY: true,
        },
      },
    ];
  });
}
