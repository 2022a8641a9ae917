// The ingest bench's results: their shape (also written as JSON) and the Markdown report.
import { existsSync, readFileSync } from 'node:fs';
import type { LatencySummary } from '@fleet/shared';
import { z } from 'zod';
import type { PhaseUsage } from './proc-stats.ts';

export type { LatencySummary };

export interface StoredCheck {
  /** Rows in QuestDB for the bench tenant that this phase added. */
  rows: number;
  /** Records PUBACKed in the phase (window and drain). */
  ackedRecords: number;
  /** Rows in telemetry_rejects for the bench tenant added in the phase. */
  rejects: number;
  /** WAL transactions of the telemetry table in the phase (the broker's group commits). */
  commits: number | null;
  /** ms from the end of the drain until the count was final. */
  settleMs: number;
  settled: boolean;
  matches: boolean;
}

export interface PhaseResult {
  key: 'platform-peak' | 'platform-latency' | 'bare-aedes';
  title: string;
  /** The measured window, seconds. */
  durationS: number;
  /** Requested message rate, msg/s; null = as fast as the in-flight cap allows. */
  rateCap: number | null;
  sent: number;
  /** PUBACKs inside the window and during the drain after it. */
  acked: number;
  drained: number;
  unacked: number;
  errors: number;
  disconnects: number;
  missedSlots: number;
  msgsPerS: number;
  recordsPerSAcked: number;
  recordsPerSStored: number | null;
  latencyMs: LatencySummary;
  usage: PhaseUsage;
  /** One entry per second of the window. */
  timeline: { s: number; msgsPerS: number; p99Ms: number }[];
  maxTsLeadMs: number;
  stored: StoredCheck | null;
}

/** The machine a bench ran on, as results files record it (and --render reads it back). */
export const machineSchema = z.object({
  cores: z.number(),
  cpuModel: z.string(),
  memoryGb: z.number(),
  node: z.string(),
  kernel: z.string(),
});
export type Machine = z.infer<typeof machineSchema>;

/** The report's line about the machine a bench ran on. */
export function machineLine(m: Machine): string {
  return `- Machine: ${m.cores} cores, ${m.cpuModel}, ${m.memoryGb.toFixed(1)} GB RAM, Node ${m.node}, Linux ${m.kernel}`;
}

export interface Parameters {
  durationS: number;
  connections: number;
  batch: number;
  inflight: number;
  rate: 'auto' | number;
  workers: number;
  pinned: boolean;
  payloadBytes: number;
}

export interface Targets {
  ratioToBare: { value: number | null; target: number; met: boolean | null };
  storedRecordsPerS: { value: number | null; target: number; met: boolean | null; batch: number };
  latencyP99Ms: { value: number | null; target: number; met: boolean | null };
}

export interface IngestResults {
  bench: 'ingest';
  date: string;
  machine: Machine;
  parameters: Parameters;
  phases: PhaseResult[];
  targets: Targets;
  notes: string[];
}

const int = (n: number) => Math.round(n).toLocaleString('en-US');
const ms = (n: number) => (n >= 100 ? n.toFixed(0) : n >= 10 ? n.toFixed(1) : n.toFixed(2));
const pct = (n: number | undefined) => (n === undefined ? '-' : `${n.toFixed(0)}%`);
const mb = (n: number | undefined) => (n === undefined ? '-' : `${n.toFixed(0)} MB`);
const yesNo = (met: boolean | null) => (met === null ? 'n/a' : met ? '**yes**' : '**no**');

export function computeTargets(phases: PhaseResult[], batch: number): Targets {
  const peak = phases.find((p) => p.key === 'platform-peak');
  const latency = phases.find((p) => p.key === 'platform-latency');
  const bare = phases.find((p) => p.key === 'bare-aedes');
  const ratio = peak && bare && bare.msgsPerS > 0 ? peak.msgsPerS / bare.msgsPerS : null;
  const stored = peak?.recordsPerSStored ?? null;
  const p99 = latency ? latency.latencyMs.p99 : null;
  return {
    ratioToBare: { value: ratio, target: 0.8, met: ratio === null ? null : ratio >= 0.8 },
    storedRecordsPerS: {
      value: stored,
      target: 100_000,
      met: stored === null ? null : stored >= 100_000,
      batch,
    },
    latencyP99Ms: { value: p99, target: 100, met: p99 === null ? null : p99 <= 100 },
  };
}

/** The results table (Markdown), also what the bench prints on stdout. */
export function resultsTable(r: IngestResults): string {
  const rows = r.phases.map((p) => {
    const broker = p.usage.processes.broker;
    const stored = p.recordsPerSStored === null ? 'n/a' : int(p.recordsPerSStored);
    const l = p.latencyMs;
    return `| ${p.title} | ${int(p.msgsPerS)} | ${int(p.recordsPerSAcked)} | ${stored} | ${ms(l.p50)} | ${ms(l.p90)} | ${ms(l.p99)} | ${ms(l.max)} | ${pct(broker?.cpuPct)} | ${mb(broker?.peakRssMb)} |`;
  });
  return [
    '| phase | msgs/s | records/s acked | records/s stored | PUBACK p50 ms | p90 ms | p99 ms | max ms | broker CPU | broker RSS peak |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...rows,
  ].join('\n');
}

export function targetsTable(r: IngestResults): string {
  const t = r.targets;
  const ratio = t.ratioToBare.value === null ? 'n/a' : `${t.ratioToBare.value.toFixed(2)}x`;
  const stored = t.storedRecordsPerS.value === null ? 'n/a' : int(t.storedRecordsPerS.value);
  const p99 = t.latencyP99Ms.value === null ? 'n/a' : `${ms(t.latencyP99Ms.value)} ms`;
  const batchNote = t.storedRecordsPerS.batch === 50 ? '' : ` (this run used ${t.storedRecordsPerS.batch})`;
  return [
    '| target | measured | met |',
    '| --- | ---: | :---: |',
    `| platform peak msg rate >= 0.8x bare aedes | ${ratio} | ${yesNo(t.ratioToBare.met)} |`,
    `| >= 100,000 records/s stored with 50-record batches${batchNote} | ${stored} | ${yesNo(t.storedRecordsPerS.met)} |`,
    `| PUBACK p99 <= 100 ms at half the peak rate | ${p99} | ${yesNo(t.latencyP99Ms.met)} |`,
  ].join('\n');
}

/** Messages acknowledged per second of broker CPU: the broker's cost per message. */
export function msgsPerBrokerCpuS(p: PhaseResult): number | null {
  const cpu = p.usage.processes.broker?.cpuPct;
  return cpu === undefined || cpu <= 0 ? null : p.msgsPerS / (cpu / 100);
}

function usageTable(r: IngestResults): string {
  const rows = r.phases.map((p) => {
    const u = p.usage.processes;
    const perCpu = msgsPerBrokerCpuS(p);
    return `| ${p.title} | ${pct(u.broker?.cpuPct)} | ${perCpu === null ? '-' : int(perCpu)} | ${pct(u.generator?.cpuPct)} | ${pct(u.questdb?.cpuPct)} | ${mb(u.questdb?.peakRssMb)} | ${pct(p.usage.machineBusyPct)} |`;
  });
  return [
    '| phase | broker CPU | msgs per broker CPU-second | generator CPU | QuestDB CPU | QuestDB RSS peak | machine busy (all cores) |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...rows,
  ].join('\n');
}

function countsTable(r: IngestResults): string {
  const rows = r.phases.map((p) => {
    const s = p.stored;
    const storedCol = s
      ? `${int(s.rows)} / ${int(s.ackedRecords)}${s.matches ? '' : ' **mismatch**'}${s.settled ? '' : ' (not settled)'}`
      : 'n/a';
    const commits =
      s?.commits == null || s.commits <= 0
        ? 'n/a'
        : `${int(s.commits)} (${int(s.rows / s.commits)} rows each)`;
    return `| ${p.title} | ${p.rateCap === null ? 'none' : int(p.rateCap)} | ${int(p.sent)} | ${int(p.acked)} | ${int(p.drained)} | ${int(p.unacked)} | ${p.errors + p.disconnects} | ${storedCol} | ${s ? int(s.rejects) : 'n/a'} | ${commits} |`;
  });
  return [
    '| phase | rate cap msg/s | sent | acked in window | acked after window | never acked | errors | rows stored / records acked | rejects | QuestDB commits |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...rows,
  ].join('\n');
}

export function renderIngestSection(r: IngestResults): string {
  const p = r.parameters;
  const m = r.machine;
  const lines = [
    '## Ingest',
    '',
    `Produced by \`npm run bench:ingest\` (bench/src/ingest.ts) on ${r.date}. How to read it: bench/README.md.`,
    '',
    machineLine(m),
    `- Parameters: ${p.durationS} s per phase, ${p.connections} connections, ${p.batch} records per message ` +
      `(~${int(p.payloadBytes)} bytes), up to ${p.inflight} unacknowledged messages per connection, ` +
      `latency-phase rate ${p.rate === 'auto' ? 'half the measured peak' : p.rate === 0 ? 'uncapped' : `${int(p.rate)} msg/s`}, ` +
      `${p.workers} generator worker thread${p.workers === 1 ? '' : 's'}, ` +
      (p.pinned ? 'broker pinned to CPU 0 and the generator to CPU 1 (QuestDB unpinned)' : 'no CPU pinning'),
    '',
    '### Results',
    '',
    resultsTable(r),
    '',
    '### Targets',
    '',
    targetsTable(r),
    '',
    '### Counts',
    '',
    countsTable(r),
    '',
    '### CPU and memory',
    '',
    'Mean over each phase, 100% = one core; machine busy is the share of all cores together.',
    '',
    usageTable(r),
    '',
  ];
  if (r.notes.length > 0) lines.push('### Notes', '', ...r.notes.map((n) => `- ${n}`), '');
  return lines.join('\n');
}

/**
 * The report file with its '## Ingest' section replaced (or added); other sections stay as they
 * are. A missing file starts with the title '# Benchmark report'.
 */
export function mergeReport(path: string, section: string, heading = 'Ingest'): string {
  const body = section.endsWith('\n') ? section : `${section}\n`;
  if (!existsSync(path)) return `# Benchmark report\n\n${body}`;
  const text = readFileSync(path, 'utf8');
  const lines = text.split('\n');
  const start = lines.findIndex((l) => l.trim() === `## ${heading}`);
  if (start < 0) return `${text.replace(/\n*$/, '\n\n')}${body}`;
  let end = lines.findIndex((l, i) => i > start && /^## /.test(l));
  if (end < 0) end = lines.length;
  const before = lines.slice(0, start).join('\n');
  const after = lines.slice(end).join('\n');
  return `${before}${before ? '\n' : ''}${body}${after ? `\n${after}` : ''}`.replace(/\n*$/, '\n');
}
