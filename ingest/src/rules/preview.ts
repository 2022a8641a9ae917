// A rule run over stored history instead of live records (POST /api/v1/rules/preview): "what
// would this rule have raised on this van last week?", before it is saved. The same engine and
// kinds as the live path, in a fresh engine of its own, so a preview can neither raise a real
// alert nor disturb a live episode. Time is the history's own: each record is taken as arriving
// when it was measured (nothing is late), and the engine's clock ticks through the gaps between
// records, so time-driven rules (offline, dwell, idling on a quiet device) fire where they would
// have. Nothing here reads a database: the caller brings the records and the context.
import type { DeviceEventRecord, RuleDefinition, TelemetryRecord } from '@fleet/shared';
import { RuleEngine } from './engine.ts';
import { RULE_KIND_MODULES } from './kinds/index.ts';
import type { LiveOrgContext } from './org-context.ts';
import type { AlertDetails, AlertSignal, AssetInfo } from './types.ts';

export interface RulePreviewInput {
  rule: RuleDefinition;
  /** The organisation's context (places, working hours, assets now), fresh for this preview. */
  context: LiveOrgContext;
  /** The asset previewed, and the devices that reported for it in the range. */
  asset: AssetInfo;
  deviceIds: ReadonlySet<string>;
  /** Every record to evaluate, the asset's and (for the equipment kinds) its neighbours'. */
  telemetry: readonly TelemetryRecord[];
  events: readonly DeviceEventRecord[];
  from: number;
  to: number;
  /** How often the engine's clock ticks between records, ms (the live engine's RULES_TICK_S). */
  tickMs: number;
  /** Most alerts kept (the earliest); the rest are counted. */
  maxAlerts: number;
}

export interface PreviewAlert {
  kind: RuleDefinition['kind'];
  severity: RuleDefinition['severity'];
  title: string;
  deviceId: string;
  assetId: string;
  placeId: string | null;
  /** Device time the condition began, and ended (null: it still held at the end of the range). */
  startedAt: number;
  endedAt: number | null;
  lat: number | null;
  lon: number | null;
  details: AlertDetails;
}

export interface RulePreviewResult {
  alerts: PreviewAlert[];
  /** Alerts past `maxAlerts`, not listed. */
  moreAlerts: number;
  /** Records and events evaluated. */
  evaluated: number;
  /** Clock ticks run between records. */
  ticks: number;
  /** Throws inside the rule kind (each skipped the record it was given, as live). */
  ruleErrors: number;
}

/** Most ticks a preview runs: a quiet week at 5 s is 121k; beyond that ticks are spaced out. */
export const MAX_PREVIEW_TICKS = 150_000;

export function previewRule(input: RulePreviewInput): RulePreviewResult {
  const { rule, asset, deviceIds } = input;
  const base = input.context;
  // The previewed devices count as the previewed asset for the whole range, even a tracker
  // moved elsewhere since; every other device is the asset it is installed on now.
  const context: LiveOrgContext = {
    ...base,
    assetOf: (deviceId) => (deviceIds.has(deviceId) ? asset : base.assetOf(deviceId)),
    noteRecord: (record) => base.noteRecord(record),
  };
  const rules = [rule];
  const none: readonly RuleDefinition[] = [];
  // The rule's asset scope is not applied: the user chose the asset to preview it on.
  const appliesTo = RULE_KIND_MODULES[rule.kind].assetKinds as readonly string[];
  const byEpisode = new Map<string, PreviewAlert>();
  let ruleErrors = 0;
  /** Whether the record being evaluated is one of the previewed asset's own. */
  let own = false;
  const engine = new RuleEngine({
    orgs: {
      get: (orgId) =>
        orgId === base.orgId
          ? {
              context,
              rules,
              rulesFor: (a) => (appliesTo.includes(a.kind) ? rules : none),
              departmentPath: () => [],
            }
          : undefined,
    },
    emit: (signals) => {
      for (const s of signals) take(s);
    },
    metrics: { evaluated() {}, outOfOrder() {}, ruleError: () => void ruleErrors++ },
    onRuleError() {},
    lateAfterMs: Number.POSITIVE_INFINITY,
  });

  function take(s: AlertSignal): void {
    if (s.type === 'open') {
      // The asset's alerts, and those its own records raise about another (a kit it left behind).
      if (s.asset.id !== asset.id && !own) return;
      if (byEpisode.has(s.episodeKey)) return;
      byEpisode.set(s.episodeKey, {
        kind: rule.kind,
        severity: s.severity,
        title: s.title,
        // The engine's signals always name the device whose records raised them.
        deviceId: s.deviceId ?? '',
        assetId: s.asset.id,
        placeId: s.placeId ?? null,
        startedAt: s.startedAt,
        endedAt: s.active ? null : s.startedAt,
        lat: s.position?.lat ?? null,
        lon: s.position?.lon ?? null,
        details: { ...s.details },
      });
      return;
    }
    const alert = byEpisode.get(s.episodeKey);
    if (!alert) return;
    alert.details = { ...alert.details, ...s.details };
    if (s.type === 'clear') alert.endedAt = Math.max(alert.startedAt, s.endedAt);
  }

  type Item = { ts: number; telemetry?: TelemetryRecord; event?: DeviceEventRecord };
  const items: Item[] = [
    ...input.telemetry.map((r) => ({ ts: r.ts, telemetry: { ...r, receivedAt: r.ts } })),
    ...input.events.map((e) => ({ ts: e.ts, event: { ...e, receivedAt: e.ts } })),
  ].sort((a, b) => a.ts - b.ts);

  const tickMs = Math.max(input.tickMs, Math.ceil((input.to - input.from) / MAX_PREVIEW_TICKS));
  let nextTick = input.from + tickMs;
  let ticks = 0;
  const tickUntil = (t: number) => {
    for (; nextTick <= t; nextTick += tickMs) {
      engine.tick(nextTick);
      ticks += 1;
    }
  };
  for (const item of items) {
    if (item.ts < input.from || item.ts >= input.to) continue;
    tickUntil(item.ts);
    const deviceId = item.telemetry?.deviceId ?? item.event?.deviceId ?? '';
    own = deviceIds.has(deviceId);
    if (item.telemetry) engine.evaluateTelemetry([item.telemetry]);
    else if (item.event) engine.evaluateEvent(item.event);
    own = false;
  }
  tickUntil(input.to);

  const all = [...byEpisode.values()].sort((a, b) => a.startedAt - b.startedAt);
  return {
    alerts: all.slice(0, input.maxAlerts),
    moreAlerts: Math.max(0, all.length - input.maxAlerts),
    evaluated: items.length,
    ticks,
    ruleErrors,
  };
}
