// The simulator's status: one line rewritten in place on a terminal, a plain line every few
// seconds otherwise (logs, CI). Rates are deltas of the runtime's counters between two
// snapshots; the formatting is a pure function.
import type { RuntimeStats } from './fleet-runtime.ts';

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
export function formatStatusLine(now: RuntimeStats, prev?: RuntimeStats): string {
  const dtS = prev ? (now.atMs - prev.atMs) / 1000 : 0;
  const parts = [
    `devices ${int.format(now.connected)}/${int.format(now.devices)} connected`,
    `${rate(now.messages, prev?.messages, dtS)} msg/s`,
    `${rate(now.acks, prev?.acks, dtS)} acks/s`,
    `${rate(now.records, prev?.records, dtS)} records/s`,
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
}

export interface StatusReporter {
  /** Writes a final line (ending the live line on a terminal) and stops the timer. */
  stop(): void;
}

/** Reports `stats()` periodically on `output`; one timer for the whole fleet. */
export function startStatusReporter(stats: () => RuntimeStats, o: StatusReporterOptions): StatusReporter {
  const tty = o.tty ?? o.output.isTTY === true;
  const interval = tty ? (o.ttyIntervalMs ?? 1000) : (o.lineIntervalMs ?? 10_000);
  let prev = stats();
  let stopped = false;
  const report = (final: boolean) => {
    const now = stats();
    const line = formatStatusLine(now, prev);
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
