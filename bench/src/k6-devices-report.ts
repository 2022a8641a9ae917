// The k6 device bench's results (bench/src/k6-devices.ts): their shape (also written as JSON),
// the figures read from k6's --summary-export, and the report section '## k6 devices'. Pure
// functions of the results, so an earlier run can be rendered again (--render).
import { z } from 'zod';
import { type K6Run, k6Table } from './fleet-report.ts';
import { type Machine, machineLine, machineSchema } from './report.ts';

const trendSchema = z.object({
  avg: z.number(),
  med: z.number(),
  p95: z.number(),
  p99: z.number(),
  max: z.number(),
});
export type TrendStats = z.infer<typeof trendSchema>;

const k6MetricSchema = z.object({
  name: z.string(),
  stats: z.record(z.string(), z.number()),
  thresholds: z.record(z.string(), z.boolean()),
});

const scriptResultSchema = z.object({
  script: z.enum(['storm', 'steady', 'burst']),
  file: z.string(),
  exitCode: z.number().int(),
  /** What the script was asked to do, in words (devices, cadence, batch). */
  shape: z.string(),
  devices: z.number().int(),
  /** Devices that connected at least once, and the seconds from the start to the last of them. */
  connected: z.number(),
  connectedByS: z.number().nullable(),
  connectMs: trendSchema.nullable(),
  connectFailures: z.number(),
  reconnects: z.number(),
  /** PUBACK latency of the measured phase (storm, steady: after the warm-up; burst: all). */
  pubackMs: trendSchema.nullable(),
  published: z.number(),
  pubacks: z.number(),
  publishErrors: z.number(),
  recordsAcked: z.number(),
  /** Seconds over which k6 counted (its test run), the denominator of the rates. */
  runS: z.number(),
  recordsAckedPerS: z.number(),
  /** telemetry rows the script added in QuestDB (counted after it, once QuestDB settled). */
  rowsStored: z.number(),
  rowsStoredPerS: z.number(),
  storeSettled: z.boolean(),
  /** Mean CPU over the script, % of one core, and peak RSS. */
  usage: z.record(z.string(), z.object({ cpuPct: z.number(), peakRssMb: z.number() })),
  thresholdsPassed: z.boolean(),
  /** The metrics with thresholds, for the threshold table (fleet-report's k6Table). */
  metrics: z.array(k6MetricSchema),
});
export type K6DeviceScriptResult = z.infer<typeof scriptResultSchema>;

export const k6DevicesResultsSchema = z.object({
  bench: z.literal('k6-devices'),
  date: z.string(),
  machine: machineSchema,
  k6: z.string(),
  parameters: z.object({
    devices: z.number(),
    durationS: z.number(),
    holdS: z.number(),
    spreadS: z.number(),
    backlog: z.number(),
    batch: z.number(),
    inflight: z.number(),
  }),
  scripts: z.array(scriptResultSchema),
  notes: z.array(z.string()),
});
export type K6DevicesResults = z.infer<typeof k6DevicesResultsSchema>;

export function parseK6DevicesResults(text: string): K6DevicesResults {
  return k6DevicesResultsSchema.parse(JSON.parse(text));
}

// ---------------------------------------------------------------------------------------------
// k6's --summary-export file

const summarySchema = z.object({
  metrics: z.record(z.string(), z.record(z.string(), z.unknown())),
});

export interface K6Summary {
  trend(name: string): TrendStats | null;
  count(name: string): number;
  /** Counter's count / k6's test run duration. */
  rate(name: string): number;
  /** Whether every threshold in the file passed (in the file, true means FAILED). */
  thresholdsPassed: boolean;
}

/** Reads k6's --summary-export JSON (run with --summary-trend-stats=avg,med,p(95),p(99),max). */
export function readK6Summary(text: string): K6Summary {
  const { metrics } = summarySchema.parse(JSON.parse(text));
  const num = (m: Record<string, unknown> | undefined, k: string): number | undefined => {
    const v = m?.[k];
    return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
  };
  let thresholdsPassed = true;
  for (const m of Object.values(metrics)) {
    const t = m.thresholds;
    if (t && typeof t === 'object' && Object.values(t).some((failed) => failed === true))
      thresholdsPassed = false;
  }
  return {
    trend(name) {
      const m = metrics[name];
      const med = num(m, 'med');
      if (m === undefined || med === undefined) return null;
      return {
        avg: num(m, 'avg') ?? 0,
        med,
        p95: num(m, 'p(95)') ?? 0,
        p99: num(m, 'p(99)') ?? 0,
        max: num(m, 'max') ?? 0,
      };
    },
    count: (name) => num(metrics[name], 'count') ?? 0,
    rate: (name) => num(metrics[name], 'rate') ?? 0,
    thresholdsPassed,
  };
}

// ---------------------------------------------------------------------------------------------
// Markdown

const int = (n: number) => Math.round(n).toLocaleString('en-US');
const ms = (n: number) => (n >= 100 ? n.toFixed(0) : n >= 10 ? n.toFixed(1) : n.toFixed(2));
const trio = (t: TrendStats | null) => (t ? `${ms(t.med)} / ${ms(t.p95)} / ${ms(t.p99)}` : 'n/a');

export function k6DevicesTable(r: K6DevicesResults): string {
  const head =
    '| script | devices connected | last connected at (s) | CONNECT p50 / p95 / p99 (ms) | connect failures | PUBACK p50 / p95 / p99 (ms) | max | records acked | records/s acked | rows stored | rows/s stored | publish errors | thresholds |';
  const rule = '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|';
  const rows = r.scripts.map(
    (s) =>
      `| ${s.script} | ${int(s.connected)} / ${int(s.devices)} | ${s.connectedByS === null ? 'n/a' : s.connectedByS.toFixed(1)} | ${trio(s.connectMs)} | ${int(s.connectFailures)} | ${trio(s.pubackMs)} | ${s.pubackMs ? ms(s.pubackMs.max) : 'n/a'} | ${int(s.recordsAcked)} | ${int(s.recordsAckedPerS)} | ${int(s.rowsStored)}${s.storeSettled ? '' : ' (not settled)'} | ${int(s.rowsStoredPerS)} | ${int(s.publishErrors)} | ${s.thresholdsPassed ? 'pass' : '**fail**'} |`,
  );
  return [head, rule, ...rows].join('\n');
}

function cpuTable(r: K6DevicesResults): string {
  const names = ['device side', 'API side', 'launcher', 'questdb', 'k6'];
  const cell = (s: K6DeviceScriptResult, n: string) => {
    const u = s.usage[n];
    return u ? `${int(u.cpuPct)}% / ${int(u.peakRssMb)} MB` : 'n/a';
  };
  return [
    `| script | ${names.join(' | ')} | machine busy |`,
    `|---|${names.map(() => '---:').join('|')}|---:|`,
    ...r.scripts.map(
      (s) =>
        `| ${s.script} | ${names.map((n) => cell(s, n)).join(' | ')} | ${s.usage.machine ? `${int(s.usage.machine.cpuPct)}%` : 'n/a'} |`,
    ),
  ].join('\n');
}

export function renderK6DevicesSection(r: K6DevicesResults): string {
  const p = r.parameters;
  const lines = [
    '## k6 devices',
    '',
    `\`npm run bench:k6\` on ${r.date.slice(0, 10)} with ${r.k6}: the device scripts of \`bench/k6/\` (one journey,`,
    '`device-journey.js`; every k6 VU is one device with its own MQTT connection through the `k6/x/fleetmqtt`',
    'extension, username = device id, password = token) against the real platform process at its defaults and a',
    'managed QuestDB. PUBACK is "stored": the platform sends it after the QuestDB commit. Rows are counted in',
    'QuestDB after each script; rates divide by k6\'s run time of the script. "last connected at" is the seconds',
    "from the start of the script to the last device's first CONNACK.",
    '',
    machineLine(r.machine as Machine),
    `- Parameters: ${int(p.devices)} devices; storm: connects spread over ${p.spreadS} s, then ${p.holdS} s of 1 Hz after its 60 s window; steady: ${p.durationS} s at 1 Hz after a warm-up; burst: ${int(p.backlog)} buffered records per device in batches of ${p.batch}, ${p.inflight} in flight.`,
    '',
  ];
  if (r.scripts.length === 0) lines.push('No script ran (see the notes).', '');
  else {
    lines.push(k6DevicesTable(r), '');
    for (const s of r.scripts)
      lines.push(
        `- **${s.script}** (\`${s.file}\`, ${s.shape}): k6 exit code ${s.exitCode}${s.exitCode === 99 ? ' (a threshold failed)' : ''}; ${int(s.published)} messages published, ${int(s.pubacks)} acknowledged, ${int(s.reconnects)} reconnects.`,
      );
    lines.push('', '### Thresholds (the targets commented in the scripts)', '');
    const runs: K6Run[] = r.scripts.map((s) => ({
      script: s.file,
      profile: s.script,
      exitCode: s.exitCode,
      iterations: 0,
      metrics: s.metrics,
    }));
    lines.push(k6Table(runs), '');
    lines.push(
      '### CPU and memory',
      '',
      'Mean over each script, 100% = one core (the machine has 2), and peak RSS. The platform runs as the launcher and its two children: the device side (MQTT broker and ingest) and the API side. k6 is the load generator on the same machine.',
      '',
      cpuTable(r),
      '',
    );
  }
  if (r.notes.length > 0) lines.push('### Notes', '', ...r.notes.map((n) => `- ${n}`), '');
  return lines.join('\n');
}
