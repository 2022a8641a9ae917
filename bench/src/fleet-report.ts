// The fleet bench's results: their shape (also written as JSON), the Markdown sections and the
// plots. Pure functions of the results, so an earlier run can be rendered again (--render).
import { z } from 'zod';
import type { ChartPoint, ChartSpec } from './plot.ts';
import { type Machine, machineLine, machineSchema } from './report.ts';

const latencySchema = z.object({
  count: z.number(),
  p50: z.number(),
  p90: z.number(),
  p99: z.number(),
  p999: z.number(),
  max: z.number(),
  mean: z.number(),
});

const usageSchema = z.object({
  machineBusyPct: z.number(),
  interruptsPct: z.number().optional(),
  processes: z.record(z.string(), z.object({ cpuPct: z.number(), peakRssMb: z.number() })),
});

const fleetPhaseSchema = z.object({
  devices: z.number().int(),
  /** Devices connected when the window opened. */
  connected: z.number().int(),
  /** Seconds from starting the simulator to every device connected. */
  connectS: z.number(),
  windowS: z.number(),
  /** Records/s the simulated devices produced, sent (re-sends included), got PUBACKs for. */
  producedPerS: z.number(),
  sentPerS: z.number(),
  ackedPerS: z.number(),
  /** Records/s the platform counted as stored in QuestDB (fleet_ingest_records_total). */
  storedPerS: z.number(),
  /** PUBACK latency seen by the devices: publish to PUBACK, ms. */
  pubackMs: latencySchema,
  /** In the window: connections lost, records dropped from full outboxes, unacked at the end. */
  disconnects: z.number(),
  dropped: z.number(),
  unackedAtEnd: z.number(),
  /** The simulator's tick lag at the end of the window (ms): large means the simulator is the limit. */
  simTickLagMs: z.number(),
  usage: usageSchema,
});
export type FleetPhaseResult = z.infer<typeof fleetPhaseSchema>;

const k6MetricSchema = z.object({
  name: z.string(),
  /** Trend statistics in ms (avg, med, p(95), p(99), max), or a rate/count. */
  stats: z.record(z.string(), z.number()),
  /** Threshold expression -> passed. */
  thresholds: z.record(z.string(), z.boolean()),
});
export type K6Metric = z.infer<typeof k6MetricSchema>;

const k6RunSchema = z.object({
  script: z.string(),
  profile: z.string(),
  exitCode: z.number().int(),
  iterations: z.number(),
  metrics: z.array(k6MetricSchema),
});
export type K6Run = z.infer<typeof k6RunSchema>;

export const fleetResultsSchema = z.object({
  bench: z.literal('fleet'),
  date: z.string(),
  machine: machineSchema,
  parameters: z.object({
    devices: z.array(z.number()),
    durationS: z.number(),
    warmupS: z.number(),
    reportEveryS: z.number(),
    k6Devices: z.number(),
    k6Profile: z.string(),
  }),
  phases: z.array(fleetPhaseSchema),
  /**
   * Rows in QuestDB after the run (telemetry, device_events, telemetry_rejects) vs records and
   * events the devices got PUBACKs for over the whole run.
   */
  storedCheck: z
    .object({ rows: z.number(), eventRows: z.number(), rejects: z.number(), ackedRecords: z.number() })
    .optional(),
  k6: z.object({ devices: z.number(), runs: z.array(k6RunSchema) }).optional(),
  notes: z.array(z.string()),
});
export type FleetResults = z.infer<typeof fleetResultsSchema>;

export function parseFleetResults(text: string): FleetResults {
  return fleetResultsSchema.parse(JSON.parse(text));
}

const fmt = (n: number, digits = 0) =>
  n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

/** The processes the report shows, in this order (names as the bench's UsageMonitor uses them). */
export const FLEET_PROCESSES = ['platform', 'questdb', 'simulator'] as const;

function cpuMem(p: FleetPhaseResult, name: string): string {
  const u = p.usage.processes[name];
  return u ? `${fmt(u.cpuPct)}% / ${fmt(u.peakRssMb)} MB` : 'n/a';
}

export function fleetResultsTable(r: FleetResults): string {
  const head =
    '| devices | connected (s to connect) | records/s produced | acked | stored | PUBACK p50 / p99 / max (ms) | platform CPU / RSS | QuestDB | simulator | machine busy |';
  const rule = '|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|';
  const rows = r.phases.map(
    (p) =>
      `| ${fmt(p.devices)} | ${fmt(p.connected)} (${fmt(p.connectS)} s) | ${fmt(p.producedPerS)} | ${fmt(p.ackedPerS)} | ${fmt(p.storedPerS)} | ${fmt(p.pubackMs.p50)} / ${fmt(p.pubackMs.p99)} / ${fmt(p.pubackMs.max)} | ${cpuMem(p, 'platform')} | ${cpuMem(p, 'questdb')} | ${cpuMem(p, 'simulator')} | ${fmt(p.usage.machineBusyPct)}% |`,
  );
  return [head, rule, ...rows].join('\n');
}

export function k6Table(runs: readonly K6Run[]): string {
  const head = '| script | metric | avg | p50 | p95 | p99 | max | thresholds |';
  const rule = '|---|---|---:|---:|---:|---:|---:|---|';
  const rows: string[] = [];
  for (const run of runs) {
    for (const m of run.metrics) {
      const s = (k: string) => (m.stats[k] === undefined ? '' : fmt(m.stats[k] as number, 1));
      const t = Object.entries(m.thresholds)
        .map(([expr, ok]) => `${ok ? 'pass' : '**fail**'} \`${expr}\``)
        .join(', ');
      rows.push(
        `| ${run.script} | ${m.name} | ${s('avg')} | ${s('med')} | ${s('p(95)')} | ${s('p(99)')} | ${s('max')} | ${t} |`,
      );
    }
  }
  return [head, rule, ...rows].join('\n');
}

/** The charts of the fleet section, by file name (relative to the report's plots/ folder). */
export function fleetCharts(r: FleetResults): { file: string; kind: 'line' | 'bars'; spec: ChartSpec }[] {
  const series = (name: string, pick: (p: FleetPhaseResult) => number | undefined): ChartPoint[] =>
    r.phases.flatMap((p) => {
      const y = pick(p);
      return y === undefined ? [] : [{ x: p.devices, y, series: name }];
    });
  return [
    {
      file: 'fleet-throughput.svg',
      kind: 'line',
      spec: {
        title: 'Records per second against fleet size (1 record/s per device)',
        xTitle: 'simulated devices',
        yTitle: 'records/s',
        points: [
          ...series('produced by the devices', (p) => p.producedPerS),
          ...series('acknowledged (PUBACK)', (p) => p.ackedPerS),
          ...series('stored in QuestDB', (p) => p.storedPerS),
        ],
      },
    },
    {
      file: 'fleet-puback-latency.svg',
      kind: 'line',
      spec: {
        title: 'PUBACK latency seen by the devices (publish to "stored")',
        xTitle: 'simulated devices',
        yTitle: 'ms (log scale)',
        logY: true,
        points: [
          ...series('p50', (p) => Math.max(1, p.pubackMs.p50)),
          ...series('p99', (p) => Math.max(1, p.pubackMs.p99)),
          ...series('max', (p) => Math.max(1, p.pubackMs.max)),
        ],
      },
    },
    {
      file: 'fleet-cpu.svg',
      kind: 'bars',
      spec: {
        title: 'CPU per process (100% = one core; the machine has 2)',
        xTitle: 'simulated devices',
        yTitle: 'CPU %',
        points: FLEET_PROCESSES.flatMap((name) => series(name, (p) => p.usage.processes[name]?.cpuPct)),
      },
    },
    {
      file: 'fleet-memory.svg',
      kind: 'bars',
      spec: {
        title: 'Peak resident memory per process',
        xTitle: 'simulated devices',
        yTitle: 'MB',
        points: FLEET_PROCESSES.flatMap((name) => series(name, (p) => p.usage.processes[name]?.peakRssMb)),
      },
    },
  ];
}

export function renderFleetSection(r: FleetResults, plotsDir: string): string {
  const p = r.parameters;
  const lines = [
    '## Fleet',
    '',
    `\`npm run bench:fleet\` on ${r.date.slice(0, 10)}: the real platform process and a managed QuestDB, with the`,
    `device simulator (\`npm run sim -- --report-every ${p.reportEveryS} --status json\`) in its own process; every`,
    `device reports once a second over MQTT QoS 1, one record per message. Per fleet size: connect every device,`,
    `${p.warmupS} s warm-up, then a ${p.durationS} s window. CPU is the mean over the window (100% = one core), memory`,
    'the peak. PUBACK latency is measured by the simulator from publish to PUBACK, which the platform sends only',
    'after the QuestDB commit.',
    '',
    machineLine(r.machine as Machine),
    '',
    fleetResultsTable(r),
    '',
  ];
  if (r.storedCheck) {
    const { rows, eventRows, rejects, ackedRecords } = r.storedCheck;
    const kept = rows + eventRows + rejects;
    lines.push(
      `Stored check after the run: ${fmt(rows)} telemetry rows, ${fmt(eventRows)} device events (not counting the broker's connect/disconnect rows) and ${fmt(rejects)} rejects in QuestDB ` +
        `for ${fmt(ackedRecords)} records and events acknowledged ` +
        `(${kept === ackedRecords ? 'every one stored once' : kept > ackedRecords ? `${fmt(kept - ackedRecords)} more rows than acknowledgements: records stored whose PUBACK did not arrive before the simulator stopped` : `**${fmt(ackedRecords - kept)} acknowledged but missing**`}).`,
      '',
    );
  }
  for (const c of fleetCharts(r)) lines.push(`![${c.spec.title}](${plotsDir}/${c.file})`, '');
  if (r.notes.length > 0) lines.push(...r.notes.map((n) => `- ${n}`), '');
  return lines.join('\n');
}

export function renderK6Section(r: FleetResults): string | undefined {
  if (!r.k6) return undefined;
  const lines = [
    '## k6',
    '',
    `The console's journeys from \`bench/k6/\` (profile \`${r.parameters.k6Profile}\`), run by \`npm run bench:fleet\``,
    `against the platform while ${fmt(r.k6.devices)} simulated devices report once a second. Thresholds are the`,
    'targets commented in the scripts; times in ms.',
    '',
  ];
  if (r.k6.runs.length === 0) lines.push('k6 did not run (see the notes of the fleet section).', '');
  else lines.push(k6Table(r.k6.runs), '');
  for (const run of r.k6.runs)
    lines.push(
      `- \`${run.script}\`: ${fmt(run.iterations)} iterations, k6 exit code ${run.exitCode}${run.exitCode === 99 ? ' (a threshold failed)' : ''}.`,
    );
  lines.push('');
  return lines.join('\n');
}

/**
 * k6's --summary-export JSON as a K6Run: the metrics the scripts set thresholds on and the
 * request/session trends. In that file a threshold's value is true when it FAILED.
 */
export function parseK6Summary(text: string, script: string, profile: string, exitCode: number): K6Run {
  const summary = z
    .object({
      metrics: z.record(
        z.string(),
        z.object({ thresholds: z.record(z.string(), z.boolean()).optional() }).catchall(z.unknown()),
      ),
    })
    .parse(JSON.parse(text));
  const metrics: K6Metric[] = [];
  for (const [name, m] of Object.entries(summary.metrics)) {
    const interesting = m.thresholds !== undefined || name === 'http_req_duration';
    if (!interesting) continue;
    const stats: Record<string, number> = {};
    for (const [k, v] of Object.entries(m)) if (typeof v === 'number') stats[k] = v;
    const thresholds = Object.fromEntries(
      Object.entries(m.thresholds ?? {}).map(([e, failed]) => [e, !failed]),
    );
    metrics.push({ name, stats, thresholds });
  }
  metrics.sort((a, b) => a.name.localeCompare(b.name));
  const iterations = summary.metrics.iterations?.count;
  return {
    script,
    profile,
    exitCode,
    iterations: typeof iterations === 'number' ? iterations : 0,
    metrics,
  };
}
