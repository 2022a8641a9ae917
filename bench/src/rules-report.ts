// bench:rules' results: their shape (also written as JSON), the Markdown section '## Rules' and
// the latency plot.
import type { LatencySummary } from '@fleet/shared';
import type { ChartSpec } from './plot.ts';
import type { PhaseUsage } from './proc-stats.ts';
import { type Machine, machineLine } from './report.ts';
import type { MatchSummary } from './rules-match.ts';

export interface RulesPhase {
  key: 'rules-off' | 'rules-on';
  title: string;
  /** Rules switched on during the phase. */
  rules: number;
  durationS: number;
  sentPerS: number;
  ackedPerS: number;
  /** fleet_ingest_records_total{outcome="stored"} over the phase. */
  storedRecords: number;
  storedPerS: number;
  pubackMs: LatencySummary;
  usage: PhaseUsage;
  /** CPU seconds of the device side (MQTT broker + ingest + rules) over the phase. */
  deviceSideCpuS: number;
  /** Device-side CPU per stored record, µs. */
  cpuUsPerRecord: number;
  /** The device side's event-loop delay over the phase (prom-client, reset by each scrape). */
  loopLagP99Ms: number | null;
  loopLagMaxMs: number | null;
  /** fleet_rules_records_total over the phase: records and events the engine evaluated. */
  evaluated: number;
  /** fleet_rules_alert_changes_total by change. */
  alertChanges: Record<string, number>;
  ruleErrors: number;
  /** Background writes of alerts and rule states (fleet_rules_write_seconds): count and mean. */
  writes: number;
  writeMeanMs: number | null;
}

export interface RulesResults {
  bench: 'rules';
  date: string;
  machine: Machine;
  /** 1, 5 and 15 min load averages before the bench started anything, and how busy the machine was. */
  before: { loadAvg: number[]; busyPct: number };
  parameters: {
    devices: number;
    places: number;
    probes: number;
    probeEveryS: number;
    durationS: number;
    warmupS: number;
    settleS: number;
    drainS: number;
    rules: { name: string; kind: string }[];
    /** Seconds to create the places through the places repository (one at a time, audited). */
    placesSeedS: number;
    connectS: number;
  };
  phases: RulesPhase[];
  engine: { offUs: number; onUs: number; addedPct: number } | null;
  hub: MatchSummary;
  webhooks: MatchSummary & { requests: number; badSignatures: number; alertsCarried: number };
  /** Hub alert frames over the whole run, by change. */
  frames: Record<string, number>;
  /** Alerts the probes made due over the whole run (phase 1 included, where no rule was on). */
  triggers: number;
  notes: string[];
}

export function parseRulesResults(text: string): RulesResults {
  const r = JSON.parse(text) as RulesResults;
  if (r.bench !== 'rules' || !Array.isArray(r.phases)) throw new Error('not a bench:rules results file');
  return r;
}

const int = (n: number) => Math.round(n).toLocaleString('en-US');
const ms = (n: number) => (n >= 100 ? int(n) : n >= 10 ? n.toFixed(0) : n.toFixed(1));
const pct = (n: number | undefined) => (n === undefined ? '-' : `${n.toFixed(0)}%`);
const lat = (l: LatencySummary) => `${ms(l.p50)} / ${ms(l.p90)} / ${ms(l.p99)} / ${ms(l.max)}`;

/** The processes of a phase, by the names the bench watches them under. */
const PROCESSES = ['ingest', 'api', 'launcher', 'questdb', 'publisher'] as const;

export function phaseTable(r: RulesResults): string {
  const rows = r.phases.map((p) => {
    const u = p.usage.processes;
    return `| ${p.title} | ${int(p.ackedPerS)} | ${int(p.storedPerS)} | ${lat(p.pubackMs)} | ${PROCESSES.map((k) => pct(u[k]?.cpuPct)).join(' | ')} | ${pct(p.usage.machineBusyPct)} | ${p.cpuUsPerRecord.toFixed(1)} | ${p.loopLagP99Ms === null ? '-' : ms(p.loopLagP99Ms)} |`;
  });
  return [
    '| phase | records/s acked | stored | PUBACK p50 / p90 / p99 / max ms | device side CPU | API side | launcher (PGlite) | QuestDB | publisher | machine busy | device-side CPU µs per record | device-side loop delay p99 ms |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...rows,
  ].join('\n');
}

function latencyRow(what: string, m: MatchSummary): string {
  const unexpected = Object.values(m.unexpected).reduce((a, b) => a + b, 0);
  return `| ${what} | ${int(m.expected)} | ${int(m.received)} | ${int(m.missing)} | ${int(m.duplicated)} | ${int(unexpected)} | ${lat(m.latencyMs)} | ${ms(m.toRaiseMs.p50)} / ${ms(m.toRaiseMs.p99)} | ${ms(m.afterRaiseMs.p50)} / ${ms(m.afterRaiseMs.p99)} |`;
}

export function latencyTable(r: RulesResults): string {
  const kinds = Object.keys(r.hub.byKind).sort();
  return [
    '| delivery | alerts due | received | missing | twice or more | not caused by a probe | latency p50 / p90 / p99 / max ms | publish -> raisedAt p50 / p99 ms | raisedAt -> arrival p50 / p99 ms |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    latencyRow('hub `alert` frame (`alerts` topic)', r.hub),
    latencyRow('signed webhook (loopback receiver)', r.webhooks),
    '',
    '| hub frames by rule kind | alerts | latency p50 / p90 / p99 / max ms |',
    '| --- | ---: | ---: |',
    ...kinds.map((k) => {
      const l = r.hub.byKind[k] as LatencySummary;
      return `| ${k} | ${int(l.count)} | ${lat(l)} |`;
    }),
  ].join('\n');
}

export function targetsTable(r: RulesResults): string {
  const hub = r.hub.latencyMs;
  const e = r.engine;
  const latencyMet = hub.count > 0 && hub.p99 < 1000 && r.hub.missing === 0;
  return [
    '| target | measured | met |',
    '| --- | ---: | :---: |',
    `| alert latency p99 < 1 s (publish -> hub frame) | ${hub.count > 0 ? `${ms(hub.p99)} ms` : 'n/a'}${r.hub.missing > 0 ? `, ${int(r.hub.missing)} missing` : ''} | ${hub.count === 0 ? 'n/a' : latencyMet ? '**yes**' : '**no**'} |`,
    `| the engine adds < 20% to ingest CPU (device side, per record) | ${e ? `${e.addedPct >= 0 ? '+' : ''}${e.addedPct.toFixed(0)}% (${e.offUs.toFixed(1)} -> ${e.onUs.toFixed(1)} µs)` : 'n/a'} | ${e ? (e.addedPct < 20 ? '**yes**' : '**no**') : 'n/a'} |`,
  ].join('\n');
}

function engineTable(r: RulesResults): string {
  return [
    '| phase | records and events evaluated | alert changes (opened / updated / resolved) | kind errors | background writes (mean ms) |',
    '| --- | ---: | ---: | ---: | ---: |',
    ...r.phases.map(
      (p) =>
        `| ${p.title} | ${int(p.evaluated)} | ${int(p.alertChanges.opened ?? 0)} / ${int(p.alertChanges.updated ?? 0)} / ${int(p.alertChanges.resolved ?? 0)} | ${int(p.ruleErrors)} | ${int(p.writes)}${p.writeMeanMs === null ? '' : ` (${ms(p.writeMeanMs)})`} |`,
    ),
  ].join('\n');
}

/** What the numbers say about their limits, from the results alone. */
export function rulesNotes(r: RulesResults): string[] {
  const notes: string[] = [];
  const off = r.phases.find((p) => p.key === 'rules-off');
  const on = r.phases.find((p) => p.key === 'rules-on');
  const asked = r.parameters.devices;
  for (const p of r.phases) {
    if (p.ackedPerS < asked * 0.95)
      notes.push(
        `${p.title}: only ${int(p.ackedPerS)} of the ${int(asked)} records/s asked for were acknowledged in the window (the machine ${p.usage.machineBusyPct.toFixed(0)}% busy): the platform did not keep up at this fleet size.`,
      );
    const watched = Object.values(p.usage.processes).reduce((a, u) => a + u.cpuPct, 0);
    const foreign = p.usage.machineBusyPct * r.machine.cores - watched - (p.usage.interruptsPct ?? 0);
    if (foreign > 15)
      notes.push(
        `${p.title}: about ${foreign.toFixed(0)}% of a core went to processes outside the bench (other work on the machine): the figures are only as good as the machine was quiet.`,
      );
    if (p.usage.machineBusyPct > 90)
      notes.push(
        `${p.title}: the machine was ${p.usage.machineBusyPct.toFixed(0)}% busy (both cores): every figure of this phase includes waiting for a CPU.`,
      );
  }
  if (off && on) {
    const d = (k: string) => (on.usage.processes[k]?.cpuPct ?? 0) - (off.usage.processes[k]?.cpuPct ?? 0);
    notes.push(
      `Rules on against off, CPU in % of one core: device side ${signed(d('ingest'))}, launcher (the embedded PostgreSQL, which stores alerts and the engine's checkpoints) ${signed(d('launcher'))}, API side (hub, notification dispatcher) ${signed(d('api'))}, QuestDB ${signed(d('questdb'))}.`,
    );
    if (on.writes > 0 && on.writeMeanMs !== null)
      notes.push(
        `The engine wrote ${int(on.writes)} times in the rules phase (alerts and, once a second, the rule states whose memory changed: RULES_CHECKPOINT_MS), ${ms(on.writeMeanMs)} ms each on average, through the launcher's database.`,
      );
  }
  const h = r.hub;
  if (h.latencyMs.count > 0) {
    notes.push(
      `Where the hub latency goes (each at its own median): publish -> raisedAt ${ms(h.toRaiseMs.p50)} ms (the MQTT publish, QuestDB group commit and PUBACK point, then the engine's step; the alert is raised after the record is stored), raisedAt -> frame ${ms(h.afterRaiseMs.p50)} ms (the alert writer's transaction in the launcher's database over IPC, then the bus relay through the launcher to the API side and the hub).`,
    );
    if (h.openedByTick > 0)
      notes.push(
        `${int(h.openedByTick)} speeding alert${h.openedByTick === 1 ? ' was' : 's were'} opened by the engine's tick (RULES_TICK_S) before the record that completed the minimum duration was published; measured from the moment ${h.openedByTick === 1 ? 'it was' : 'they were'} due.`,
      );
  }
  const w = r.webhooks;
  if (w.latencyMs.count > 0)
    notes.push(
      `Webhooks: raisedAt -> arrival p50 ${ms(w.afterRaiseMs.p50)} ms / p99 ${ms(w.afterRaiseMs.p99)} ms: the outbox row commits with the alert, the API side's dispatcher claims it on NOTIFY fleet_notifications (or its ${5} s poll) and POSTs it; ${int(w.requests)} requests carried ${int(w.alertsCarried)} alerts${w.badSignatures > 0 ? `, **${int(w.badSignatures)} with a bad signature**` : ', every signature valid'}.`,
    );
  for (const [what, m] of [
    ['hub', h],
    ['webhooks', w],
  ] as const) {
    if (m.missing > 0)
      notes.push(`${what}: ${int(m.missing)} alerts missing, e.g. ${m.missingSamples.join('; ')}.`);
    if (m.duplicated > 0) notes.push(`${what}: ${int(m.duplicated)} alerts arrived more than once.`);
    const extra = Object.entries(m.unexpected);
    if (extra.length > 0)
      notes.push(
        `${what}: alerts no probe caused: ${extra.map(([k, n]) => `${k} ${int(n)}`).join(', ')} (the background fleet is meant to raise none), e.g. ${(m.unexpectedSamples ?? []).join('; ')}.`,
      );
  }
  return notes;
}

const signed = (n: number) => `${n >= 0 ? '+' : ''}${n.toFixed(0)}%`;

export function renderRulesSection(r: RulesResults, plotsRel: string): string {
  const p = r.parameters;
  const busy = r.before.busyPct;
  const lines = [
    '## Rules',
    '',
    `Produced by \`npm run bench:rules\` (bench/src/rules.ts) on ${r.date}. How to read it: bench/README.md.`,
    '',
    machineLine(r.machine),
    `- Before the run: load average ${r.before.loadAvg.map((n) => n.toFixed(2)).join(' / ')} (1 / 5 / 15 min), ${busy.toFixed(0)}% of both cores busy${busy > 20 ? ' (**not idle**: other work distorts these figures)' : ''}.`,
    `- Load: ${int(p.devices)} devices on vehicles, one MQTT connection each, one record per message once a second (QoS 1); ${int(p.probes)} of them probes, each starting an episode every ${p.probeEveryS} records (speeding at 130 km/h for ${'>'}10 s, an engine fault code, coolant at 118 °C, or a 3-record visit to the place beside its street). Connected in ${p.connectS.toFixed(0)} s.`,
    `- Organisation: ${int(p.places)} places (circles and polygons, one per 400 m cell of a ${(Math.ceil(Math.sqrt(Math.max(1, p.places))) * 0.4).toFixed(1)} km square; created through the places repository in ${p.placesSeedS.toFixed(0)} s) and ${p.rules.length} rules: ${p.rules.map((x) => x.kind).join(', ')}. One webhook channel for the probed kinds, to a receiver in the bench process that checks every signature.`,
    `- Phases: ${p.warmupS} s warm-up, ${p.durationS} s with every rule off, the rules switched on through the API and ${p.settleS} s to settle, ${p.durationS} s with the rules on, then ${p.drainS} s for late arrivals. Platform defaults except the connection rate limits and the token lifetime.`,
    '',
    '### Targets',
    '',
    targetsTable(r),
    '',
    '### Load and CPU',
    '',
    'Mean over each phase, 100% = one core. The device side is the MQTT broker, ingest and the rule engine in one process; the launcher owns the embedded PostgreSQL (PGlite) that both sides reach over IPC.',
    '',
    phaseTable(r),
    '',
    engineTable(r),
    '',
    '### Alert latency',
    '',
    'Per alert a probe caused in the rules-on window: from the publish of the record that made it due (for speeding, the first record 10 s after the first one over the limit) to its arrival, on the hub as the first `opened` frame for it, and at the webhook receiver. Same machine, same clock, 1 ms resolution.',
    '',
    latencyTable(r),
    '',
    `![Alert latency percentiles](${plotsRel}/rules-latency.svg)`,
    '',
  ];
  const notes = [...r.notes, ...rulesNotes(r)];
  if (notes.length > 0) lines.push('### Notes', '', ...notes.map((n) => `- ${n}`), '');
  return lines.join('\n');
}

/** The latency plot: percentiles of the hub frames and the webhooks. */
export function rulesLatencyChart(r: RulesResults): ChartSpec | undefined {
  const points = [
    ...r.hub.percentiles.map((x) => ({ x: x.p, y: Math.max(1, x.ms), series: 'hub alert frame' })),
    ...r.webhooks.percentiles.map((x) => ({ x: x.p, y: Math.max(1, x.ms), series: 'webhook' })),
  ];
  if (points.length === 0) return undefined;
  return {
    title: `Alert latency from the publish, ${r.parameters.devices.toLocaleString('en-US')} devices, 20 rules`,
    xTitle: 'percentile',
    yTitle: 'ms (log scale)',
    points,
    logY: true,
  };
}
