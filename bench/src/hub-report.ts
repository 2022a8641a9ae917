// The hub bench's results: their shape (also written as bench/results/hub.json), the targets of
// the issue, and the '## Hub' section of bench/REPORT.md.

import type { EncodingFigure } from './hub-encoding.ts';
import type { Spread } from './hub-stats.ts';
import type { PhaseUsage } from './proc-stats.ts';
import { type LatencySummary, type Machine, machineLine } from './report.ts';

export interface HubPhaseResult {
  key: string;
  title: string;
  /** The positions frame format the clients asked for (absent in results of before it existed: json). */
  format?: 'json' | 'columns';
  /** Devices in each client's viewport; absent: full-fleet clients. */
  viewportVehicles?: number;
  /** WebSocket clients subscribed at the start of the phase. */
  clients: number;
  /** Requested positions/s (all devices together). */
  rate: number;
  durationS: number;
  publish: {
    sent: number;
    /** PUBACKs inside the window and after it (drain). */
    acked: number;
    drained: number;
    unacked: number;
    errors: number;
    disconnects: number;
    /** Positions the pacer could not send: every device was at its in-flight cap. */
    missedSlots: number;
    sentPerS: number;
    ackedPerS: number;
    /** MQTT publish -> PUBACK (the platform acknowledges after the QuestDB commit). */
    pubackMs: LatencySummary;
  };
  /** From the platform's GET /metrics, the change over the phase (window and drain). */
  hub: {
    positionsOnBus: number;
    framesSent: number;
    coalesced: number;
    closed: Record<string, number>;
    /** The platform's event-loop delay over the phase (prom-client), ms; null when not exposed. */
    loopLagP99Ms: number | null;
    loopLagMaxMs: number | null;
  };
  received: {
    clients: number;
    sampleClients: number;
    frames: number;
    /** positions frames from the start of the window to the end of the phase (its tail too). */
    framesThroughEnd: number;
    framesPerS: number;
    framesPerSPerClient: number;
    /** positions frames/s of single clients: the slowest, the median and the fastest. */
    perClientFramesPerS: Spread;
    otherFrames: number;
    bytes: number;
    bytesPerS: number;
    bytesPerFrame: number;
    /** Sample clients: positions with a device time in the window, per client per second. */
    positionsPerSPerClient: number;
    positionsPerFrame: number;
    /** Of the positions acknowledged in the window, the share a sample client received. */
    deliveredPct: number;
    closed: Record<string, number>;
    errors: number;
    openAtEnd: number;
    ahead: number;
  };
  /** MQTT publish (the record's device time) -> WebSocket frame at a sample client. */
  latencyMs: LatencySummary;
  receiver: { loopDelayP99Ms: number; loopDelayMaxMs: number; loopUtilization: number };
  usage: PhaseUsage;
  /**
   * One entry per second of the window: PUBACKs, and what the receiver process reported for its
   * last second (frames, MB and the latency of that second; null when it sent no report).
   */
  timeline: {
    s: number;
    ackedPerS: number;
    framesPerS: number | null;
    mbPerS: number | null;
    p50Ms: number | null;
    p99Ms: number | null;
  }[];
}

export interface HubParameters {
  clients: number[];
  rate: number;
  lowRate: number;
  devices: number;
  durationS: number;
  warmupS: number;
  sample: number;
  inflight: number;
  workers: number;
  tickMs: number;
  coalesceBytes: number;
  maxBufferBytes: number;
  pinned: boolean;
  payloadBytes: number;
  /** Platform settings changed with --set. */
  platformSettings: Record<string, string>;
  /** Frame formats of the phases, viewport client counts and devices per viewport (absent in older results). */
  formats?: string[];
  viewportClients?: number[];
  viewportVehicles?: number;
}

export interface HubTarget {
  label: string;
  /** The phase that decides it; null when this run had no such phase. */
  phase: string | null;
  p99Ms: number | null;
  ackedPerS: number | null;
  met: boolean | null;
  /** Why not, when not met. */
  why: string;
}

export interface HubResults {
  bench: 'hub';
  date: string;
  machine: Machine;
  parameters: HubParameters;
  layout: string;
  phases: HubPhaseResult[];
  targets: HubTarget[];
  /** Bytes and encode time of one frame per format (hub-encoding.ts); absent in older results. */
  encoding?: EncodingFigure[];
  /** Notes made while running (machine busy before the start, connection retries ...). */
  runNotes: string[];
  /** runNotes and the notes derived from the figures (hubNotes). */
  notes: string[];
}

/** Targets and notes recomputed from the figures (what --render does with a results file). */
export function withDerived(r: HubResults): HubResults {
  const base = { ...r, runNotes: r.runNotes ?? [], targets: computeHubTargets(r.phases) };
  return { ...base, notes: [...base.runNotes, ...hubNotes(base)] };
}

/** Reads a bench/results/hub.json written by this bench; throws on anything else. */
export function parseHubResults(text: string): HubResults {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new Error(`not JSON: ${(err as Error).message}`);
  }
  const v = value as Partial<HubResults> | null;
  if (
    typeof v !== 'object' ||
    v === null ||
    v.bench !== 'hub' ||
    !Array.isArray(v.phases) ||
    typeof v.parameters !== 'object' ||
    typeof v.machine !== 'object'
  ) {
    throw new Error('not the results of npm run bench:hub (bench/results/hub.json)');
  }
  return { ...(v as HubResults), runNotes: Array.isArray(v.runNotes) ? v.runNotes : [] };
}

/** The issue's targets: [clients, p99 limit ms], both at 10,000 positions/s. */
export const HUB_TARGETS: readonly { clients: number; rate: number; p99Ms: number; viewport: boolean }[] = [
  { clients: 100, rate: 10_000, p99Ms: 150, viewport: false },
  // Issue 15: 2,000 consoles each watching about 500 vehicles, not the whole fleet.
  { clients: 2000, rate: 10_000, p99Ms: 250, viewport: true },
];

/** A phase reaches its rate when at least 95% of the requested positions/s were acknowledged. */
export const RATE_REACHED = 0.95;

export function computeHubTargets(phases: readonly HubPhaseResult[]): HubTarget[] {
  const formats = [...new Set(phases.map((p) => p.format ?? 'json'))];
  return HUB_TARGETS.flatMap((t) =>
    (formats.length > 0 ? formats : ['json']).map((format) => ({ t, format })),
  ).map(({ t, format }) => {
    const who = t.viewport ? `${int(t.clients)} viewport clients` : `${int(t.clients)} full-fleet clients`;
    const label = `p99 <= ${t.p99Ms} ms at ${int(t.rate)} positions/s to ${who} (${format})`;
    const p = phases.find(
      (x) =>
        x.clients === t.clients &&
        x.rate === t.rate &&
        (x.format ?? 'json') === format &&
        (x.viewportVehicles !== undefined) === t.viewport,
    );
    if (!p) return { label, phase: null, p99Ms: null, ackedPerS: null, met: null, why: 'not run' };
    const why: string[] = [];
    if (p.publish.ackedPerS < t.rate * RATE_REACHED) {
      why.push(`rate not reached (${int(p.publish.ackedPerS)} positions/s acknowledged)`);
    }
    if (p.latencyMs.count === 0) why.push('no latency samples');
    else if (p.latencyMs.p99 > t.p99Ms) why.push(`p99 ${ms(p.latencyMs.p99)} ms`);
    const closed = sum(p.received.closed);
    if (closed > 0) why.push(`${int(closed)} clients closed by the hub`);
    return {
      label,
      phase: p.title,
      p99Ms: p.latencyMs.count > 0 ? p.latencyMs.p99 : null,
      ackedPerS: p.publish.ackedPerS,
      met: why.length === 0,
      why: why.join('; '),
    };
  });
}

// ---------------------------------------------------------------------------------------------
// Rendering

const int = (n: number) => Math.round(n).toLocaleString('en-US');
const ms = (n: number) => (n >= 100 ? n.toFixed(0) : n >= 10 ? n.toFixed(1) : n.toFixed(2));
const pct = (n: number | undefined) => (n === undefined ? '-' : `${n.toFixed(0)}%`);
const mb = (n: number | undefined) => (n === undefined ? '-' : `${n.toFixed(0)} MB`);
const sum = (r: Record<string, number>) => Object.values(r).reduce((a, b) => a + b, 0);

/** Bytes per second in MB/s (10^6), with one decimal below 100. */
export function mbPerS(bytesPerS: number): string {
  const v = bytesPerS / 1e6;
  return v >= 100 ? v.toFixed(0) : v.toFixed(1);
}

function counts(r: Record<string, number>): string {
  const entries = Object.entries(r).filter(([, n]) => n > 0);
  return entries.length === 0 ? '0' : entries.map(([k, n]) => `${int(n)} (${k})`).join(', ');
}

/** The main table (also printed on stdout). */
export function hubResultsTable(r: HubResults): string {
  const rows = r.phases.map((p) => {
    const l = p.latencyMs;
    const lat = l.count === 0 ? '- | - | - | -' : `${ms(l.p50)} | ${ms(l.p90)} | ${ms(l.p99)} | ${ms(l.max)}`;
    return `| ${p.title} | ${int(p.publish.sentPerS)} | ${int(p.publish.ackedPerS)} | ${int(p.received.positionsPerSPerClient)} | ${p.received.framesPerSPerClient.toFixed(1)} | ${int(p.received.framesPerS)} | ${mbPerS(p.received.bytesPerS)} | ${lat} | ${int(p.hub.coalesced)} | ${sum(p.received.closed)} |`;
  });
  return [
    '| phase | positions/s sent | positions/s acked | positions/s per client | frames/s per client | frames/s total | MB/s total | latency p50 ms | p90 ms | p99 ms | max ms | coalesced frames | clients closed |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...rows,
  ].join('\n');
}

export function hubTargetsTable(r: HubResults): string {
  const rows = r.targets.map((t) => {
    const measured =
      t.phase === null
        ? 'not run'
        : `p99 ${t.p99Ms === null ? '-' : `${ms(t.p99Ms)} ms`} at ${int(t.ackedPerS ?? 0)} positions/s acked`;
    const met = t.met === null ? 'n/a' : t.met ? '**yes**' : `**no**: ${t.why}`;
    return `| ${t.label} | ${measured} | ${met} |`;
  });
  return ['| target | measured | met |', '| --- | --- | --- |', ...rows].join('\n');
}

function deliveryTable(r: HubResults): string {
  const rows = r.phases.map((p) => {
    const c = p.received.perClientFramesPerS;
    return `| ${p.title} | ${int(p.hub.positionsOnBus / p.durationS)} | ${p.received.deliveredPct.toFixed(1)}% | ${int(p.received.positionsPerFrame)} | ${int(p.received.bytesPerFrame / 1000)} kB | ${c.min.toFixed(1)} / ${c.p50.toFixed(1)} / ${c.max.toFixed(1)} | ${int(p.hub.framesSent)} | ${int(p.received.framesThroughEnd)} | ${counts(p.hub.closed)} | ${int(p.publish.missedSlots)} | ${ms(p.publish.pubackMs.p50)} / ${ms(p.publish.pubackMs.p99)} |`;
  });
  return [
    '| phase | positions/s to the hub | delivered to a client | positions per frame | frame size | frames/s per client min / median / max | frames sent by the hub | frames received (same span) | closed by the hub | missed publish slots | PUBACK p50 / p99 ms |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: |',
    ...rows,
  ].join('\n');
}

function usageTable(r: HubResults): string {
  const rows = r.phases.map((p) => {
    const u = p.usage.processes;
    const lag =
      p.hub.loopLagP99Ms === null
        ? '-'
        : `${ms(p.hub.loopLagP99Ms)} / ${ms(p.hub.loopLagMaxMs ?? p.hub.loopLagP99Ms)}`;
    const api = u['platform:api'];
    const tree = Object.entries(u)
      .filter(([k]) => k === 'platform' || k.startsWith('platform:'))
      .reduce((n, [, v]) => n + v.cpuPct, 0);
    return `| ${p.title} | ${pct(u.platform?.cpuPct)} | ${pct(api?.cpuPct)} | ${pct(tree)} | ${mb(u.platform?.peakRssMb)} | ${lag} | ${pct(u.questdb?.cpuPct)} | ${pct(u.publisher?.cpuPct)} | ${pct(u.receivers?.cpuPct)} | ${mb(u.receivers?.peakRssMb)} | ${(p.receiver.loopUtilization * 100).toFixed(0)}% / ${ms(p.receiver.loopDelayP99Ms)} | ${pct(kernelCpu(p))} | ${pct(p.usage.machineBusyPct)} |`;
  });
  return [
    '| phase | platform launcher CPU | API child (hub) CPU | platform tree CPU | platform RSS peak | platform event-loop delay p99 / max ms | QuestDB CPU | publisher CPU | receivers CPU | receivers RSS peak | receiver loop busy / delay p99 ms | kernel (softirq) | machine busy (all cores) |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...rows,
  ].join('\n');
}

export function renderHubSection(r: HubResults): string {
  const p = r.parameters;
  const m = r.machine;
  const lines = [
    '## Hub',
    '',
    `Produced by \`npm run bench:hub\` (bench/src/hub.ts) on ${r.date}. How to read it: bench/README.md.`,
    '',
    machineLine(m),
    `- Load: ${int(p.devices)} devices, one MQTT connection each, publishing QoS 1 TelemetryBatch messages of ` +
      `one record (~${int(p.payloadBytes)} bytes) at the phase's rate spread evenly over the devices, ` +
      `up to ${p.inflight} unacknowledged per device, ${p.workers} publisher worker thread${p.workers === 1 ? '' : 's'}; ` +
      'every message is one position (its device time is the publish time).',
    `- Clients: ${p.clients.map(int).join(', ')} WebSocket clients subscribed to \`positions\`, one admin token; ` +
      `the first ${p.sample} parse every frame and measure latency, the rest only count frames and bytes.` +
      ((p.viewportClients?.length ?? 0) > 0
        ? ` Viewport phases: ${(p.viewportClients ?? []).map(int).join(', ')} clients, each also sending ` +
          `\`{"op":"viewport"}\` with a box around the fleet's centre holding about ${int(p.viewportVehicles ?? 0)} of the devices ` +
          '(moved a little per client, so no two share a box), at zoom 13.'
        : '') +
      (p.formats ? ` Frame formats: ${p.formats.join(', ')} (\`format\` on subscribe), one phase each.` : ''),
    `- Phases: ${p.durationS} s each, after ${p.warmupS} s of unmeasured load per client count; ` +
      `rates ${p.lowRate > 0 ? `${int(p.lowRate)} and ` : ''}${int(p.rate)} positions/s. ` +
      `Hub settings: HUB_TICK_MS ${p.tickMs}, HUB_COALESCE_BYTES ${int(p.coalesceBytes)}, HUB_MAX_BUFFER_BYTES ${int(p.maxBufferBytes)}.`,
    `- Layout: ${r.layout}`,
    `- Platform settings: ${
      Object.keys(p.platformSettings).length === 0
        ? 'defaults, except those the bench needs (bench/README.md)'
        : `defaults, except those the bench needs and ${Object.entries(p.platformSettings)
            .map(([k, v]) => `${k}=${v}`)
            .join(', ')}`
    }`,
    '',
    '### Results',
    '',
    "Latency: from the MQTT publish (the record's device time, `Date.now()` of the publisher) to the arrival of the WebSocket frame carrying that position at a sample client, 1 ms resolution.",
    '',
    hubResultsTable(r),
    '',
    '### Targets',
    '',
    hubTargetsTable(r),
    '',
    '### Delivery',
    '',
    deliveryTable(r),
    '',
    '### CPU and memory',
    '',
    'Mean over each phase, 100% = one core; machine busy is the share of all cores together. ' +
      'publisher = the bench process (its main thread and the MQTT publisher worker); receivers = the WebSocket client process.',
    '',
    usageTable(r),
    '',
  ];
  if (r.encoding && r.encoding.length > 0) {
    lines.push(
      '### Frame encoding',
      '',
      "One positions frame, measured in the bench process (median of repeated runs, no network): JSON as the hub sent it before (`JSON.stringify` of the frame), the same JSON joined from per-position pieces, the `columns` format (`format` on subscribe), and a viewport client's tenth of the frame joined from pieces already made.",
      '',
      '| positions | JSON bytes | columns bytes | columns / JSON | JSON.stringify ms | pieces JSON ms | columns ms | columns, a tenth of it, ms |',
      '| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
      ...r.encoding.map(
        (e) =>
          `| ${int(e.positions)} | ${int(e.jsonBytes)} | ${int(e.columnsBytes)} | ${((e.columnsBytes / e.jsonBytes) * 100).toFixed(0)}% | ${ms(e.jsonEncodeMs)} | ${ms(e.piecesJsonEncodeMs)} | ${ms(e.columnsEncodeMs)} | ${ms(e.columnsSubsetMs)} |`,
      ),
      '',
    );
  }
  if (r.notes.length > 0) lines.push('### Notes', '', ...r.notes.map((n) => `- ${n}`), '');
  return lines.join('\n');
}

// ---------------------------------------------------------------------------------------------
// Notes: what limits the figures, said plainly

/** CPU of the processes the bench watched and of interrupts, % of one core. */
function watchedCpu(p: HubPhaseResult): number {
  return Object.values(p.usage.processes).reduce((a, u) => a + u.cpuPct, 0) + (p.usage.interruptsPct ?? 0);
}

/** The kernel's share: softirq threads (ksoftirqd/N) and interrupt time, % of one core. */
export function kernelCpu(p: HubPhaseResult): number {
  const threads = Object.entries(p.usage.processes)
    .filter(([name]) => name.startsWith('ksoftirqd/'))
    .reduce((a, [, u]) => a + u.cpuPct, 0);
  return threads + (p.usage.interruptsPct ?? 0);
}

/**
 * The platform's CPU cost of fanning frames out, from two phases at the same rate: the phase
 * with the fewest clients gives the CPU per position acknowledged (ingest, with almost no
 * fan-out); what the phase with more clients used beyond that for its own positions went to
 * the WebSocket sends, divided by the extra bytes it sent (ms of CPU per MB). Uses the pair
 * with the largest difference in bytes; undefined without such a pair.
 */
export interface FanOutCost {
  msPerMb: number;
  /** Platform CPU of the loaded phase beyond its ingest, % of one core. */
  fanOutCpuPct: number;
  base: HubPhaseResult;
  loaded: HubPhaseResult;
}

export function fanOutCost(phases: readonly HubPhaseResult[]): FanOutCost | undefined {
  // A saturated platform (its core shared with QuestDB) says less about the cost per byte:
  // prefer pairs whose loaded phase stayed below 85% of a core.
  let best: (FanOutCost & { dBytes: number; saturated: boolean }) | undefined;
  for (const base of phases) {
    const baseCpu = base.usage.processes.platform?.cpuPct ?? 0;
    if (base.publish.ackedPerS <= 0 || baseCpu <= 0) continue;
    const cpuPerPosition = baseCpu / base.publish.ackedPerS;
    for (const loaded of phases) {
      if (loaded.rate !== base.rate || loaded.clients <= base.clients) continue;
      const dBytes = loaded.received.bytesPerS - base.received.bytesPerS;
      const fanOutCpuPct =
        (loaded.usage.processes.platform?.cpuPct ?? 0) - cpuPerPosition * loaded.publish.ackedPerS;
      if (dBytes < 20e6 || fanOutCpuPct <= 0) continue;
      const saturated = (loaded.usage.processes.platform?.cpuPct ?? 0) >= 85;
      const better =
        !best || (best.saturated && !saturated) || (best.saturated === saturated && dBytes > best.dBytes);
      if (better) {
        best = {
          msPerMb: (fanOutCpuPct * 10) / (dBytes / 1e6),
          fanOutCpuPct,
          base,
          loaded,
          dBytes,
          saturated,
        };
      }
    }
  }
  return (
    best && { msPerMb: best.msPerMb, fanOutCpuPct: best.fanOutCpuPct, base: best.base, loaded: best.loaded }
  );
}

export function hubNotes(r: HubResults): string[] {
  const notes: string[] = [];
  const cores = r.machine.cores;
  const cost = fanOutCost(r.phases);
  if (cost) {
    const perCore = 1000 / cost.msPerMb;
    let text =
      `Fan-out cost (estimate): ${cost.base.title} gives the platform's CPU per position ingested; beyond that, ` +
      `${cost.loaded.title} used ${cost.fanOutCpuPct.toFixed(0)}% of a core to send ` +
      `${mbPerS(cost.loaded.received.bytesPerS - cost.base.received.bytesPerS)} MB/s more: about ${cost.msPerMb.toFixed(2)} ms of CPU per MB, ` +
      `so one core could send roughly ${int(perCore)} MB/s of frames.`;
    // The full frame at the target rate: from its phase with the fewest clients (not held back).
    const full = r.phases
      .filter((p) => p.rate === r.parameters.rate && p.received.bytesPerFrame > 0)
      .sort((a, b) => a.clients - b.clients)[0];
    const most = Math.max(...r.phases.map((p) => p.clients));
    if (full) {
      const perClient = (1000 * full.received.bytesPerFrame) / r.parameters.tickMs;
      const needed = (most * perClient) / 1e6;
      text +=
        ` At ${int(r.parameters.rate)} positions/s a frame is ~${int(full.received.bytesPerFrame / 1000)} kB (${full.title}), ` +
        `${mbPerS(perClient)} MB/s per client at one frame per ${r.parameters.tickMs} ms tick; ${int(most)} clients need ${int(needed)} MB/s, ` +
        `about ${(needed / perCore).toFixed(1)} cores for the sends alone, on the event loop that also runs MQTT ingest.`;
    }
    notes.push(text);
  }
  for (const t of HUB_TARGETS) {
    const p = r.phases.find((x) => x.clients === t.clients && x.rate === t.rate);
    if (!p || p.latencyMs.count === 0 || p.latencyMs.p99 <= t.p99Ms) continue;
    notes.push(
      `${p.title}: latency p99 ${ms(p.latencyMs.p99)} ms against ${t.p99Ms} ms. Its parts, each at its own p99 (they do not simply add up): ` +
        `the store (publish -> QuestDB commit -> PUBACK; the hub gets a position only after its commit) ${ms(p.publish.pubackMs.p99)} ms, ` +
        `the wait for the next hub tick up to ${r.parameters.tickMs} ms, the platform's event-loop delay ${p.hub.loopLagP99Ms === null ? 'n/a' : `${ms(p.hub.loopLagP99Ms)} ms`}, ` +
        `and the receiver's own event-loop delay ${ms(p.receiver.loopDelayP99Ms)} ms (the bench's share` +
        (p.receiver.loopUtilization >= 0.9
          ? '; the receiver was saturated and its timers starve while it keeps reading frames, so this overstates what a frame waits there).'
          : ').'),
    );
  }
  for (const p of r.phases) {
    const u = p.usage.processes;
    const platform = u.platform?.cpuPct ?? 0;
    const publisher = u.publisher?.cpuPct ?? 0;
    const receivers = u.receivers?.cpuPct ?? 0;
    const questdb = u.questdb?.cpuPct ?? 0;
    if (p.publish.ackedPerS < p.rate * RATE_REACHED) {
      const limits: string[] = [];
      if (platform >= 85)
        limits.push(`the platform process was CPU-bound (${platform.toFixed(0)}% of a core)`);
      if (publisher >= 85) limits.push(`the publisher was CPU-bound (${publisher.toFixed(0)}%)`);
      if (p.usage.machineBusyPct >= 90)
        limits.push(`the machine was saturated (${p.usage.machineBusyPct.toFixed(0)}% of all cores busy)`);
      notes.push(
        `${p.title}: the platform acknowledged ${int(p.publish.ackedPerS)} of the ${int(p.rate)} positions/s asked for ` +
          `(${((p.publish.ackedPerS / p.rate) * 100).toFixed(0)}%); ` +
          (limits.length > 0 ? `${limits.join(', ')}; ` : '') +
          `platform ${platform.toFixed(0)}%, QuestDB ${questdb.toFixed(0)}%, publisher ${publisher.toFixed(0)}%, receivers ${receivers.toFixed(0)}% CPU. ` +
          `PUBACK p50 ${ms(p.publish.pubackMs.p50)} ms / p99 ${ms(p.publish.pubackMs.p99)} ms` +
          (p.publish.missedSlots > 0
            ? `; ${int(p.publish.missedSlots)} publish slots found every device waiting for PUBACKs (in-flight cap ${r.parameters.inflight})`
            : '') +
          '.',
      );
    }
    if (p.receiver.loopUtilization >= 0.9 || receivers >= 90) {
      notes.push(
        `${p.title}: the receiver process was saturated (event loop ${(p.receiver.loopUtilization * 100).toFixed(0)}% busy, ` +
          `${receivers.toFixed(0)}% CPU, loop delay p99 ${ms(p.receiver.loopDelayP99Ms)} ms): part of the latency and of the ` +
          "coalescing comes from the bench's own clients reading too slowly, not only from the hub.",
      );
    }
    if (p.hub.coalesced > 0) {
      const sent = p.hub.framesSent;
      notes.push(
        `${p.title}: the hub coalesced ${int(p.hub.coalesced)} frames (${((p.hub.coalesced / Math.max(1, sent + p.hub.coalesced)) * 100).toFixed(0)}% of the positions frames due) ` +
          `for clients whose socket buffer was above HUB_COALESCE_BYTES: they got the latest position per device instead of every frame ` +
          `(frames/s per client from ${p.received.perClientFramesPerS.min.toFixed(1)} to ${p.received.perClientFramesPerS.max.toFixed(1)}; ` +
          `a sample client received ${p.received.deliveredPct.toFixed(0)}% of the positions).`,
      );
    }
    const closed = sum(p.received.closed);
    if (closed > 0 || sum(p.hub.closed) > 0) {
      notes.push(
        `${p.title}: the hub closed clients: ${counts(p.hub.closed)} by reason (server side); close codes seen by the clients: ${counts(p.received.closed)}.`,
      );
    }
    const foreign = p.usage.machineBusyPct * cores - watchedCpu(p);
    if (foreign > 25) {
      notes.push(
        `${p.title}: about ${foreign.toFixed(0)}% of a core went to processes outside the bench (or the kernel on their behalf): ` +
          'the figures may be distorted by other load on the machine.',
      );
    }
    if (p.received.ahead > 0) {
      notes.push(
        `${p.title}: ${int(p.received.ahead)} positions arrived "before" their device time (clock granularity) and count as 0 ms.`,
      );
    }
    if (p.publish.errors + p.publish.disconnects > 0) {
      notes.push(
        `${p.title}: ${p.publish.errors} publish errors, ${p.publish.disconnects} device connections lost.`,
      );
    }
  }
  return notes;
}
