// The pure part of bench:rules' verdict: each alert the probes caused (ProbeTrigger) matched to
// the `alert` frames of the hub and to the webhooks that carried it; latency from the publish
// that made it due, and what is missing, what came twice, and what nobody caused.
import { type LatencySummary, MsHistogram } from '@fleet/shared';
import type { ProbeTrigger } from './rules-scenario.ts';

/** An alert as the bench saw it arrive (a hub frame, or one alert of a webhook). */
export interface AlertSeen {
  id: string;
  ruleName: string | null;
  kind: string;
  deviceId: string | null;
  /** Device time the alert starts at, ms. */
  startedAt: number;
  /** Server time the engine raised it, ms. */
  raisedAt: number;
  /** When it arrived here (Date.now()). */
  at: number;
}

export interface WebhookSeen {
  at: number;
  type: string;
  signatureOk: boolean;
  alerts: AlertSeen[];
}

/** One alert's identity: the device, the rule and the device time it starts at. */
export const alertKey = (deviceId: string | null, ruleName: string | null, startedAt: number) =>
  `${deviceId ?? '-'}|${ruleName ?? '-'}|${startedAt}`;

export interface MatchSummary {
  /** Alerts the probes made due inside the window. */
  expected: number;
  /** Of those, how many arrived (at least once). */
  received: number;
  missing: number;
  /** Arrivals beyond the first for the same alert. */
  duplicated: number;
  /** Arrivals no probe caused (their device time inside the window), by rule name. */
  unexpected: Record<string, number>;
  /** From the publish that made the alert due to its arrival. */
  latencyMs: LatencySummary;
  byKind: Record<string, LatencySummary>;
  /** From the engine's raisedAt to the arrival (what the writer, the bus and the hub or dispatcher add). */
  afterRaiseMs: LatencySummary;
  /** From the publish to raisedAt (the store, the engine and its queue). */
  toRaiseMs: LatencySummary;
  /**
   * Arrived before the record that completed the minimum duration was published (the engine's
   * tick opened it first): measured from the moment it was due instead.
   */
  openedByTick: number;
  /** The first few missing alerts, and arrivals no probe caused, for the notes. */
  missingSamples: string[];
  unexpectedSamples: string[];
  /** Latency at percentiles 0..100 (the plot). */
  percentiles: { p: number; ms: number }[];
}

const PLOT_PERCENTILES = [0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 95, 99, 100];

/**
 * Matches what arrived to what was due. Only alerts that began and fell due in [from, to) are
 * expected; an arrival
 * for an alert due outside it (the settle before, the drain after) is neither counted nor
 * unexpected. `seen` should hold the first delivery of each alert: the hub's `opened` frames, or
 * every alert of every webhook.
 */
export function matchAlerts(
  triggers: readonly ProbeTrigger[],
  seen: readonly AlertSeen[],
  from: number,
  to: number,
): MatchSummary {
  const byKey = new Map<string, ProbeTrigger>();
  for (const t of triggers) byKey.set(alertKey(t.deviceId, t.ruleName, t.startedAt), t);
  const arrivals = new Map<string, AlertSeen[]>();
  const unexpected: Record<string, number> = {};
  const unexpectedSamples: string[] = [];
  for (const s of seen) {
    const key = alertKey(s.deviceId, s.ruleName, s.startedAt);
    if (!byKey.has(key)) {
      if (s.startedAt >= from && s.startedAt < to) {
        const name = s.ruleName ?? s.kind;
        unexpected[name] = (unexpected[name] ?? 0) + 1;
        if (unexpectedSamples.length < 5)
          unexpectedSamples.push(`${name} of ${s.deviceId} from ${new Date(s.startedAt).toISOString()}`);
      }
      continue;
    }
    const list = arrivals.get(key) ?? [];
    list.push(s);
    arrivals.set(key, list);
  }
  const all = new MsHistogram();
  const kinds = new Map<string, MsHistogram>();
  const afterRaise = new MsHistogram();
  const toRaise = new MsHistogram();
  let expected = 0;
  let received = 0;
  let duplicated = 0;
  let openedByTick = 0;
  const missingSamples: string[] = [];
  for (const t of triggers) {
    // Whole inside the window: a speeding run that began before it may have begun before the
    // rules were on, and the engine then dates it from the first record it saw.
    if (!(t.startedAt >= from && t.triggerAt < to)) continue;
    expected++;
    const list = arrivals.get(alertKey(t.deviceId, t.ruleName, t.startedAt));
    if (!list || list.length === 0) {
      if (missingSamples.length < 5)
        missingSamples.push(`${t.ruleName} of ${t.deviceId} from ${new Date(t.startedAt).toISOString()}`);
      continue;
    }
    received++;
    duplicated += list.length - 1;
    const first = list.reduce((a, b) => (b.at < a.at ? b : a));
    let reference = t.triggerAt;
    if (first.at < t.triggerAt) {
      openedByTick++;
      reference = t.dueAt;
    }
    const ms = first.at - reference;
    all.record(ms);
    let h = kinds.get(t.kind);
    if (!h) {
      h = new MsHistogram();
      kinds.set(t.kind, h);
    }
    h.record(ms);
    afterRaise.record(first.at - first.raisedAt);
    toRaise.record(first.raisedAt - reference);
  }
  return {
    expected,
    received,
    missing: expected - received,
    duplicated,
    unexpected,
    latencyMs: all.summary(),
    byKind: Object.fromEntries([...kinds].map(([k, h]) => [k, h.summary()])),
    afterRaiseMs: afterRaise.summary(),
    toRaiseMs: toRaise.summary(),
    openedByTick,
    missingSamples,
    unexpectedSamples,
    percentiles: all.count === 0 ? [] : PLOT_PERCENTILES.map((p) => ({ p, ms: all.percentile(p) })),
  };
}

/** Every alert of the webhooks whose signature held, as arrivals (a webhook may carry several). */
export function webhookArrivals(hooks: readonly WebhookSeen[]): AlertSeen[] {
  return hooks.filter((h) => h.signatureOk).flatMap((h) => h.alerts.map((a) => ({ ...a, at: h.at })));
}

/** CPU per stored record (µs) and what the rules add to it, from two phases' CPU and counts. */
export function engineShare(
  off: { cpuS: number; records: number },
  on: { cpuS: number; records: number },
): { offUs: number; onUs: number; addedPct: number } | undefined {
  if (off.records <= 0 || on.records <= 0 || off.cpuS <= 0) return undefined;
  const offUs = (off.cpuS / off.records) * 1e6;
  const onUs = (on.cpuS / on.records) * 1e6;
  return { offUs, onUs, addedPct: ((onUs - offUs) / offUs) * 100 };
}
