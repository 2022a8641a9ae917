// The simulator's status: one line rewritten in place on a terminal, a plain line every few
// seconds otherwise (logs, CI), or one JSON object per line for programs (the fleet bench).
// Rates are deltas of the runtime's counters between two snapshots; the formatting is pure.
import { type LatencySummary, MsHistogram } from '@fleet/shared';
import { z } from 'zod';
import type { FleetRuntime, RuntimeStats } from './fleet-runtime.ts';

const int = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

function rate(now: number, before: number | undefined, dtS: number): string {
  if (before === undefined || !(dtS > 0)) return '-';
  return int.format(Math.max(0, now - before) / dtS);
}

function deviceTime(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19).replace('T', ' ');
}

/**
 * One status line, e.g.
 * `devices 1,998/2,000 connected · 2,001 msg/s · 2,001 acks/s · unacked 12 · buffered 0 · reconnects 3 · dropped 0 · rejected 0`.
 * `prev` (the previous snapshot) gives the rates; without it they show as "-".
 */
export function formatStatusLine(now: RuntimeStats, prev?: RuntimeStats, ackMs?: LatencySummary): string {
  const dtS = prev ? (now.atMs - prev.atMs) / 1000 : 0;
  const parts = [
    `devices ${int.format(now.connected)}/${int.format(now.devices)} connected`,
    `${rate(now.messages, prev?.messages, dtS)} msg/s`,
    `${rate(now.acks, prev?.acks, dtS)} acks/s`,
    `${rate(now.records, prev?.records, dtS)} records/s`,
    ...(ackMs && ackMs.count > 0 ? [`ack p50/p99 ${int.format(ackMs.p50)}/${int.format(ackMs.p99)} ms`] : []),
    `unacked ${int.format(now.unacked)}`,
    `buffered ${int.format(now.buffered)}`,
    `reconnects ${int.format(now.reconnects)}`,
    `dropped ${int.format(now.dropped)}`,
    `rejected ${int.format(now.rejected)}`,
  ];
  const waiting = now.states.waiting + now.states.queued + now.states.connecting;
  if (waiting > 0) parts.push(`connecting ${int.format(waiting)}`);
  if (now.states.offline > 0) parts.push(`no network ${int.format(now.states.offline)}`);
  if (now.refused > 0 || now.busy > 0)
    parts.push(`refused ${int.format(now.refused)} busy ${int.format(now.busy)}`);
  if (now.timeCompression !== 1)
    parts.push(`device time ${deviceTime(now.deviceTimeMs)} (${now.timeCompression}x)`);
  if (now.tickLagMs >= 250) parts.push(`tick lag ${int.format(now.tickLagMs)} ms`);
  return parts.join(' · ');
}

/**
 * The JSON status (--status json): cumulative counters (a reader takes deltas for rates) and the
 * PUBACK latencies of the interval since the previous record, as exact [ms, count] pairs that
 * merge across records (MsHistogram.addPairs).
 */
export const fleetStatusRecordSchema = z.object({
  at: z.number(),
  devices: z.number().int().nonnegative(),
  connected: z.number().int().nonnegative(),
  connecting: z.number().int().nonnegative(),
  records: z.number().nonnegative(),
  messages: z.number().nonnegative(),
  sentRecords: z.number().nonnegative(),
  acks: z.number().nonnegative(),
  ackedRecords: z.number().nonnegative(),
  unacked: z.number().nonnegative(),
  buffered: z.number().nonnegative(),
  reconnects: z.number().nonnegative(),
  disconnects: z.number().nonnegative(),
  dropped: z.number().nonnegative(),
  rejected: z.number().nonnegative(),
  refused: z.number().nonnegative(),
  busy: z.number().nonnegative(),
  tickLagMs: z.number(),
  ackLatencyPairs: z.array(z.tuple([z.number().nonnegative(), z.number().int().positive()])),
});
export type FleetStatusRecord = z.infer<typeof fleetStatusRecordSchema>;

export function statusRecord(now: RuntimeStats, ackLatencyPairs: [number, number][]): FleetStatusRecord {
  return {
    at: now.atMs,
    devices: now.devices,
    connected: now.connected,
    connecting: now.states.waiting + now.states.queued + now.states.connecting,
    records: now.records,
    messages: now.messages,
    sentRecords: now.sentRecords,
    acks: now.acks,
    ackedRecords: now.ackedRecords,
    unacked: now.unacked,
    buffered: now.buffered,
    reconnects: now.reconnects,
    disconnects: now.disconnects,
    dropped: now.dropped,
    rejected: now.rejected,
    refused: now.refused,
    busy: now.busy,
    tickLagMs: now.tickLagMs,
    ackLatencyPairs,
  };
}

export interface StatusOutput {
  write(chunk: string): unknown;
  isTTY?: boolean;
}

export interface StatusReporterOptions {
  /** Where to write, e.g. process.stderr. */
  output: StatusOutput;
  /** Refresh of the live line on a terminal, ms (default 1000). */
  ttyIntervalMs?: number;
  /** Period of plain lines elsewhere, ms (default 10,000). */
  lineIntervalMs?: number;
  /** Force terminal mode on or off (default: output.isTTY). */
  tty?: boolean;
  /** 'json': one FleetStatusRecord per line every `jsonIntervalMs` (default 1000) instead of text. */
  format?: 'text' | 'json';
  jsonIntervalMs?: number;
}

/** What the reporter reads: the runtime, or anything that looks like it in tests. */
export type StatusSource = Pick<FleetRuntime, 'stats' | 'takeAckLatencies'>;

export interface StatusReporter {
  /** Writes a final line (ending the live line on a terminal) and stops the timer. */
  stop(): void;
}

/** Reports `stats()` periodically on `output`; one timer for the whole fleet. */
export function startStatusReporter(source: StatusSource, o: StatusReporterOptions): StatusReporter {
  const json = o.format === 'json';
  const tty = !json && (o.tty ?? o.output.isTTY === true);
  const interval = json
    ? (o.jsonIntervalMs ?? 1000)
    : tty
      ? (o.ttyIntervalMs ?? 1000)
      : (o.lineIntervalMs ?? 10_000);
  let prev = source.stats();
  source.takeAckLatencies(); // the first interval starts now
  const ackLatency = new MsHistogram();
  let stopped = false;
  const report = (final: boolean) => {
    const now = source.stats();
    const pairs = source.takeAckLatencies();
    if (json) {
      o.output.write(`${JSON.stringify(statusRecord(now, pairs))}\n`);
      prev = now;
      return;
    }
    ackLatency.reset();
    ackLatency.addPairs(pairs);
    const line = formatStatusLine(now, prev, ackLatency.summary());
    prev = now;
    if (tty) o.output.write(`\r\x1b[2K${line}${final ? '\n' : ''}`);
    else o.output.write(`${new Date(now.atMs).toISOString()} ${line}\n`);
  };
  const timer = setInterval(() => report(false), interval);
  return {
    stop() {
      if (stopped) return;
      stopped = true;
      clearInterval(timer);
      report(true);
    },
  };
}
