// Pure helpers of the hub bench: distributions over clients, the hub's frame types, and the platform's Prometheus counters.

import type { MsHistogram } from '@fleet/shared';

export interface Spread {
  min: number;
  p50: number;
  max: number;
}

/** min / median / max of a list (zeros for an empty one). */
export function spread(values: readonly number[]): Spread {
  if (values.length === 0) return { min: 0, p50: 0, max: 0 };
  const s = [...values].sort((a, b) => a - b);
  return {
    min: s[0] as number,
    p50: s[Math.ceil(s.length / 2) - 1] as number,
    max: s[s.length - 1] as number,
  };
}

// ---------------------------------------------------------------------------------------------
// Hub frames

const TYPE_PREFIX = '{"type":"';

/**
 * The `type` of a hub frame from its first bytes, without parsing it: the hub serialises every
 * frame with JSON.stringify of an object whose first key is `type` (shared/src/live.ts).
 * undefined when the frame does not start that way.
 */
export function frameType(data: Uint8Array): string | undefined {
  const head = Buffer.from(data.buffer, data.byteOffset, Math.min(data.length, 40)).toString('latin1');
  if (!head.startsWith(TYPE_PREFIX)) return undefined;
  const end = head.indexOf('"', TYPE_PREFIX.length);
  return end < 0 ? undefined : head.slice(TYPE_PREFIX.length, end);
}

/** A position of a `positions` frame, as far as the bench reads it. */
export interface FramePosition {
  deviceId: string;
  ts: number;
}

/**
 * The latency of every position in a parsed `positions` frame whose device time lies in
 * [from, to): receivedAt - ts, recorded into `into` (and `also`, when given). Returns how many
 * were counted and how many were ahead of the receiver's clock (recorded as 0).
 */
export function recordFrameLatencies(
  positions: readonly FramePosition[],
  receivedAt: number,
  from: number,
  to: number,
  into: MsHistogram,
  also?: MsHistogram,
): { counted: number; ahead: number } {
  let counted = 0;
  let ahead = 0;
  for (const p of positions) {
    if (!(p.ts >= from && p.ts < to)) continue;
    const ms = receivedAt - p.ts;
    if (ms < 0) ahead++;
    into.record(ms);
    also?.record(ms);
    counted++;
  }
  return { counted, ahead };
}

// ---------------------------------------------------------------------------------------------
// Prometheus text format (GET /metrics)

export interface MetricSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

const SAMPLE_LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+\S+)?$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"\s*,?\s*/y;

/** Parses the samples of a Prometheus text exposition; comments and malformed lines are skipped. */
export function parsePrometheus(text: string): MetricSample[] {
  const out: MetricSample[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const m = SAMPLE_LINE.exec(line);
    if (!m) continue;
    const value = Number(m[3]);
    if (Number.isNaN(value) && m[3] !== 'NaN') continue;
    const labels: Record<string, string> = {};
    const body = m[2] ?? '';
    LABEL.lastIndex = 0;
    let ok = true;
    while (LABEL.lastIndex < body.length) {
      const l = LABEL.exec(body);
      if (!l) {
        ok = false;
        break;
      }
      labels[l[1] as string] = (l[2] as string).replace(/\\(["\\n])/g, (_, c: string) =>
        c === 'n' ? '\n' : c,
      );
    }
    if (ok) out.push({ name: m[1] as string, labels, value });
  }
  return out;
}

/** Sum of the samples of one metric whose labels include `match`. */
export function metricSum(
  samples: readonly MetricSample[],
  name: string,
  match: Record<string, string> = {},
): number {
  let sum = 0;
  for (const s of samples) {
    if (s.name !== name) continue;
    if (Object.entries(match).every(([k, v]) => s.labels[k] === v)) sum += s.value;
  }
  return sum;
}

/** One metric's samples by the value of one label, e.g. fleet_ws_closed_total by reason. */
export function metricByLabel(
  samples: readonly MetricSample[],
  name: string,
  label: string,
): Record<string, number> {
  const out: Record<string, number> = {};
  for (const s of samples) {
    if (s.name !== name) continue;
    const key = s.labels[label] ?? '';
    out[key] = (out[key] ?? 0) + s.value;
  }
  return out;
}

/** after - before for every key of either (counters that appear mid-run start from 0). */
export function counterDelta(
  before: Record<string, number>,
  after: Record<string, number>,
): Record<string, number> {
  const out: Record<string, number> = {};
  for (const key of new Set([...Object.keys(before), ...Object.keys(after)])) {
    const d = (after[key] ?? 0) - (before[key] ?? 0);
    if (d !== 0) out[key] = d;
  }
  return out;
}

/** The platform's /metrics, parsed. */
export async function scrapeMetrics(httpPort: number): Promise<MetricSample[]> {
  const res = await fetch(`http://127.0.0.1:${httpPort}/metrics`);
  if (res.status !== 200) throw new Error(`GET /metrics: HTTP ${res.status}`);
  return parsePrometheus(await res.text());
}
