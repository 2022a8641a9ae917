// The results of `npm run bench:connect` and their section of bench/REPORT.md ('## Connect
// storm'). Pure: the JSON file of a run renders the same section again (--render).
import type { PhaseUsage } from './proc-stats.ts';
import { fmt } from './progress.ts';
import { type LatencySummary, type Machine, machineLine } from './report.ts';

export interface StormResult {
  devices: number;
  connected: number;
  /** Seconds from the first CONNECT to the last CONNACK 0 (or the timeout). */
  connectS: number;
  connackMs: LatencySummary;
  /** CONNECTs refused with CONNACK 3 or lost, and tried again. */
  retries: number;
  /** The platform's refusals during the storm, by reason. */
  refusals: Record<string, number>;
  /** Registry look-ups for credentials the device side made during the storm. */
  registryLookups: number | null;
  usage: PhaseUsage;
}

export interface ReportResult {
  seconds: number;
  sent: number;
  acked: number;
  errors: number;
  disconnects: number;
  unackedAtEnd: number;
  pubackMs: LatencySummary;
  /** Rows of the bench organisation in QuestDB's telemetry table after the phase. */
  storedRows: number;
  /** Records acknowledged (in the window and while draining). */
  ackedRecords: number;
  usage: PhaseUsage;
}

export interface IdleResult {
  asked: number;
  held: number;
  /** Set when a process's open files limit lowered what could be held. */
  cappedBy: 'generator' | 'broker' | undefined;
  openFilesLimit: { generator: number; broker: number };
  connectS: number;
  holdS: number;
  rssMb: {
    before: Record<string, number>;
    /** Peak while the connections were held. */
    held: Record<string, number>;
  };
  /** (device side RSS held - before) / connections held. */
  deviceSideKbPerConnection: number;
}

export interface ConnectResults {
  bench: 'connect';
  date: string;
  machine: Machine;
  parameters: {
    devices: number;
    reportS: number;
    idle: number;
    workers: number;
    window: number;
    /** MQTT_CONNECT_RATE and burst of the run; 0: the platform's default. */
    connectRate: number;
  };
  storm: StormResult;
  report: ReportResult | undefined;
  idle: IdleResult | undefined;
  notes: string[];
}

export function parseConnectResults(text: string): ConnectResults {
  const r = JSON.parse(text) as Partial<ConnectResults>;
  if (r.bench !== 'connect' || !r.storm || !r.machine) throw new Error('not a bench:connect results file');
  return r as ConnectResults;
}

const ms = (n: number) => (n >= 100 ? fmt(n) : n.toFixed(1));
const mb = (n: number | undefined) => (n === undefined ? '-' : `${fmt(n)} MB`);
const cpu = (u: PhaseUsage, name: string) => {
  const p = u.processes[name];
  return p ? `${fmt(p.cpuPct)}%` : '-';
};

const PROCESSES = ['device side', 'launcher', 'api side', 'questdb', 'generator'] as const;

export function renderConnectSection(r: ConnectResults): string {
  const s = r.storm;
  const lines = [
    '## Connect storm',
    '',
    `\`npm run bench:connect\` (bench/src/connect.ts) on ${r.date}: the real platform (launcher with the`,
    'embedded PGlite, device side and API side processes) and a managed QuestDB, the load generator',
    '(mqtt.js clients in worker threads, bench/src/load-worker.ts) on the same 2 cores. Targets: 10,000',
    'devices connected within 60 s, then 1 Hz reports with PUBACK p99 <= 200 ms; 50,000 idle',
    'connections in one broker process under 4 GiB RSS.',
    '',
    machineLine(r.machine),
    '',
    `### (a) ${fmt(s.devices)} devices connecting at once`,
    '',
    r.parameters.connectRate > 0
      ? `MQTT_CONNECT_RATE and MQTT_CONNECT_BURST set to ${fmt(r.parameters.connectRate)} for this run.`
      : 'MQTT_CONNECT_RATE and MQTT_CONNECT_BURST at their defaults (shared/src/config.ts).',
    '',
    '| connected | time to all connected | CONNACK p50 / p99 / max | retried (CONNACK 3 or lost) | registry look-ups | CPU device side / launcher / generator | machine busy |',
    '|---:|---:|---:|---:|---:|---:|---:|',
    `| ${fmt(s.connected)} of ${fmt(s.devices)} | ${s.connectS.toFixed(1)} s | ${ms(s.connackMs.p50)} / ${ms(s.connackMs.p99)} / ${ms(s.connackMs.max)} ms | ${fmt(s.retries)} | ${s.registryLookups === null ? '-' : fmt(s.registryLookups)} | ${cpu(s.usage, 'device side')} / ${cpu(s.usage, 'launcher')} / ${cpu(s.usage, 'generator')} | ${fmt(s.usage.machineBusyPct)}% |`,
    '',
  ];
  const refusals = Object.entries(s.refusals).filter(([, n]) => n > 0);
  if (refusals.length > 0)
    lines.push(`Refusals during the storm: ${refusals.map(([k, n]) => `${k} ${fmt(n)}`).join(', ')}.`, '');
  const rep = r.report;
  if (rep) {
    lines.push(
      `Then every connected device reported one record a second (QoS 1) for ${rep.seconds} s:`,
      '',
      '| sent | acked | PUBACK p50 / p99 / max | errors / disconnects | stored (QuestDB) / acked records | CPU device side / launcher / QuestDB / generator | machine busy |',
      '|---:|---:|---:|---:|---:|---:|---:|',
      `| ${fmt(rep.sent)} | ${fmt(rep.acked)} | ${ms(rep.pubackMs.p50)} / ${ms(rep.pubackMs.p99)} / ${ms(rep.pubackMs.max)} ms | ${fmt(rep.errors)} / ${fmt(rep.disconnects)} | ${fmt(rep.storedRows)} / ${fmt(rep.ackedRecords)} | ${cpu(rep.usage, 'device side')} / ${cpu(rep.usage, 'launcher')} / ${cpu(rep.usage, 'questdb')} / ${cpu(rep.usage, 'generator')} | ${fmt(rep.usage.machineBusyPct)}% |`,
      '',
    );
  }
  const idle = r.idle;
  if (idle) {
    lines.push(
      `### (b) ${fmt(idle.held)} idle connections held by one broker process`,
      '',
      `Asked for ${fmt(idle.asked)}; open files limit ${fmt(idle.openFilesLimit.broker)} for the device side and ${fmt(idle.openFilesLimit.generator)} for the generator${idle.cappedBy ? ` (the ${idle.cappedBy}'s limit capped the phase: a socket is a file, and this machine's hard limit cannot be raised without CAP_SYS_RESOURCE)` : ''}. Connected in ${idle.connectS.toFixed(1)} s, held ${idle.holdS} s.`,
      '',
      '| process | RSS before | RSS held (peak) |',
      '|---|---:|---:|',
      ...PROCESSES.filter((p) => idle.rssMb.before[p] !== undefined || idle.rssMb.held[p] !== undefined).map(
        (p) => `| ${p} | ${mb(idle.rssMb.before[p])} | ${mb(idle.rssMb.held[p])} |`,
      ),
      '',
      `Device side: ${idle.deviceSideKbPerConnection.toFixed(1)} KB per connection; at that rate 50,000 connections would add ${fmt((idle.deviceSideKbPerConnection * 50_000) / 1024)} MB to its ${mb(idle.rssMb.before['device side'])} at rest.`,
      '',
    );
  }
  if (r.notes.length > 0) lines.push(...r.notes.map((n) => `- ${n}`), '');
  lines.push('Raw figures: bench/results/connect.json.', '');
  return lines.join('\n');
}
