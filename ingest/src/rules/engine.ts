// The rule engine: every stored record and device event of a device goes through the rules
// that apply to its asset, in device time. Each rule kind (kinds/) says which conditions hold;
// episodes.ts turns them into one alert per episode; the alert writer stores and streams them.
//
// Guarantees and choices (docs/decisions.md, "Rules and alerts"):
// - Late data: records are evaluated at their device time; one that arrived more than
//   `lateAfterMs` after it was measured (a tracker emptying its buffer) raises an alert marked
//   late, which is stored and shown but not notified as if it were happening now.
// - Out of order: a record older than the newest one already evaluated for its device (live
//   records sent before the buffered ones) would be judged against a later state; it is
//   counted and skipped by the rules (it is stored all the same).
// - Isolation: a rule kind that throws on a record is counted and skipped for that record;
//   the other rules and the pipeline go on.
// - Restart: the state of each (rule, device) is plain JSON, checkpointed (checkpoint.ts) and
//   restored, so an episode that started before a restart continues after it: no repeat, no loss.
import type { DeviceEventRecord, RuleDefinition, RuleKind, TelemetryRecord } from '@fleet/shared';
import { advance, type EpisodeEvent, type EpisodeState, observe } from './episodes.ts';
import { RULE_KIND_MODULES } from './kinds/index.ts';
import { withinHours } from './local-time.ts';
import type { LiveOrgContext } from './org-context.ts';
import type {
  AlertDetails,
  AlertSignal,
  AssetInfo,
  KindInput,
  KindResult,
  RuleKindModule,
  TickStep,
} from './types.ts';

/** One organisation as the engine sees it: its context and which rules apply to which asset. */
export interface OrgRules {
  context: LiveOrgContext;
  rules: readonly RuleDefinition[];
  /** The enabled rules whose scope covers the asset (cached by the directory). */
  rulesFor(asset: AssetInfo): readonly RuleDefinition[];
  /** A department and its parents up to the top (for scopes), from the loaded tree. */
  departmentPath(departmentId: string | null): readonly string[];
}

/** The loaded organisations (directory.ts keeps them current). */
export interface OrgRulesSource {
  get(orgId: string): OrgRules | undefined;
}

/** What the engine keeps per rule and device; plain JSON (checkpointed). */
export interface RuleDeviceState {
  memory: Record<string, unknown>;
  episodes: Record<string, EpisodeState>;
}

export interface RuleStateEntry {
  orgId: string;
  ruleId: string;
  deviceId: string;
  state: RuleDeviceState;
  /** The device's newest evaluated device time. */
  lastTs: number;
}

/** A checkpoint row as it is written: the state's JSON taken when the signals before it were, or null (nothing to keep). */
export interface CheckpointEntry {
  orgId: string;
  ruleId: string;
  deviceId: string;
  json: string | null;
}

export interface RuleEngineMetrics {
  evaluated(kind: 'telemetry' | 'event'): void;
  outOfOrder(): void;
  ruleError(kind: string): void;
}

export interface RuleEngineDeps {
  orgs: OrgRulesSource;
  emit(signals: AlertSignal[]): void;
  metrics: RuleEngineMetrics;
  /** A throw inside a rule kind: counted and logged by the caller. */
  onRuleError(rule: RuleDefinition, err: unknown): void;
  lateAfterMs: number;
}

interface DeviceState {
  orgId: string;
  lastTs: number;
  lastReceivedAt: number | undefined;
  latest: TelemetryRecord | undefined;
  /** Server time the newest event of each kind arrived. */
  events: Map<string, number>;
  rules: Map<string, RuleDeviceState>;
}

export class RuleEngine {
  readonly #deps: RuleEngineDeps;
  readonly #devices = new Map<string, DeviceState>();
  /** (deviceId, ruleId) pairs whose episodes changed since the last checkpoint. */
  readonly #dirty = new Map<string, Set<string>>();
  /** Pairs a kind ran on (its memory may have changed): compared with what was last written. */
  readonly #touched = new Map<string, Set<string>>();
  readonly #written = new Map<string, string>();

  constructor(deps: RuleEngineDeps) {
    this.#deps = deps;
  }

  /**
   * The newest stored record of devices known before this start (the live state's seed). A
   * device counts as heard from at `heardAt` at the latest (the start): after the platform was
   * down for an hour, devices get their offline threshold from now to report, not an alert each.
   */
  seed(records: readonly TelemetryRecord[], heardAt: number): void {
    for (const r of records) {
      const device = this.#device(r.tenant, r.deviceId);
      device.lastReceivedAt = Math.max(device.lastReceivedAt ?? 0, r.receivedAt, heardAt);
      if (r.ts <= device.lastTs) continue;
      device.lastTs = r.ts;
      device.latest = r;
      this.#deps.orgs.get(r.tenant)?.context.noteRecord(r);
    }
  }

  /** Checkpointed states read back on start. */
  restore(entries: readonly RuleStateEntry[]): void {
    for (const e of entries) {
      const device = this.#device(e.orgId, e.deviceId);
      device.rules.set(e.ruleId, e.state);
      device.lastTs = Math.max(device.lastTs, e.lastTs);
    }
  }

  /** Stored records of one message (any devices, any order). */
  evaluateTelemetry(records: readonly TelemetryRecord[]): void {
    const sorted = records.length > 1 ? [...records].sort((a, b) => a.ts - b.ts) : records;
    for (const record of sorted) this.#telemetry(record);
  }

  evaluateEvent(event: DeviceEventRecord): void {
    const org = this.#deps.orgs.get(event.tenant);
    const device = this.#device(event.tenant, event.deviceId);
    device.events.set(event.kind, event.receivedAt);
    this.#deps.metrics.evaluated('event');
    if (!org) return;
    const asset = org.context.assetOf(event.deviceId);
    if (!asset) return;
    const late = event.receivedAt - event.ts > this.#deps.lateAfterMs;
    for (const rule of org.rulesFor(asset)) {
      const module = RULE_KIND_MODULES[rule.kind] as RuleKindModule;
      if (!module.onEvent) continue;
      const input = this.#input(rule, asset, event.deviceId, org, device);
      const result = this.#run(rule, () => module.onEvent?.(input, event));
      this.#apply(rule, module, org, event.deviceId, asset, result, late);
    }
  }

  /** Time passes (server time `now`): offline rules, and pending or clearing episodes of quiet devices. */
  tick(now: number): void {
    for (const [deviceId, device] of this.#devices) {
      const org = this.#deps.orgs.get(device.orgId);
      if (!org) continue;
      const asset = org.context.assetOf(deviceId);
      if (!asset) continue;
      // The device's clock as it would read now, for episodes measured in device time.
      const deviceNow =
        device.lastReceivedAt === undefined
          ? device.lastTs
          : device.lastTs + Math.max(0, now - device.lastReceivedAt);
      const step: TickStep = {
        now,
        lastReceivedAt: device.lastReceivedAt,
        latest: device.latest,
        lastEventAt: (kind) => device.events.get(kind),
      };
      for (const rule of org.rulesFor(asset)) {
        const module = RULE_KIND_MODULES[rule.kind] as RuleKindModule;
        if (module.onTick) {
          const input = this.#input(rule, asset, deviceId, org, device);
          const result = this.#run(rule, () => module.onTick?.(input, step));
          this.#apply(rule, module, org, deviceId, asset, result, false);
        }
        const state = device.rules.get(rule.id);
        if (!state) continue;
        for (const [key, episode] of Object.entries(state.episodes)) {
          if (episode.phase === 'open' && episode.clearingSince === null) continue;
          const stepped = advance(episode, deviceNow);
          this.#settle(rule, org, deviceId, asset, state, key, stepped.state, stepped.events, false);
        }
      }
    }
  }

  /**
   * The states changed since the last call, for the checkpoint. Episode changes always; a
   * kind's memory only when its JSON differs from what was last handed out (most records
   * change nothing a restart needs).
   */
  takeDirty(): CheckpointEntry[] {
    const out: CheckpointEntry[] = [];
    const pairs = this.#dirty;
    for (const [deviceId, ruleIds] of this.#touched) {
      let set = pairs.get(deviceId);
      for (const ruleId of ruleIds) {
        if (set?.has(ruleId)) continue;
        const state = this.#devices.get(deviceId)?.rules.get(ruleId);
        if (!state) continue;
        if (this.#written.get(`${deviceId}\n${ruleId}`) === JSON.stringify(state.memory)) continue;
        if (!set) {
          set = new Set();
          pairs.set(deviceId, set);
        }
        set.add(ruleId);
      }
    }
    for (const [deviceId, ruleIds] of pairs) {
      const device = this.#devices.get(deviceId);
      if (!device) continue;
      for (const ruleId of ruleIds) {
        const state = device.rules.get(ruleId);
        if (!state) continue;
        this.#written.set(`${deviceId}\n${ruleId}`, JSON.stringify(state.memory));
        const empty = Object.keys(state.memory).length === 0 && Object.keys(state.episodes).length === 0;
        // Serialised now, with the signals emitted so far: the checkpoint never runs ahead of them.
        const json = empty ? null : JSON.stringify({ ...state, lastTs: device.lastTs });
        out.push({ orgId: device.orgId, ruleId, deviceId, json });
      }
    }
    this.#dirty.clear();
    this.#touched.clear();
    return out;
  }

  /** Forgets the state of rules that no longer exist or apply (the directory reloaded an organisation). */
  forgetRules(orgId: string, keep: ReadonlySet<string>): void {
    for (const device of this.#devices.values()) {
      if (device.orgId !== orgId) continue;
      for (const ruleId of device.rules.keys()) if (!keep.has(ruleId)) device.rules.delete(ruleId);
    }
  }

  get deviceCount(): number {
    return this.#devices.size;
  }

  #device(orgId: string, deviceId: string): DeviceState {
    let device = this.#devices.get(deviceId);
    if (!device) {
      device = {
        orgId,
        lastTs: Number.NEGATIVE_INFINITY,
        lastReceivedAt: undefined,
        latest: undefined,
        events: new Map(),
        rules: new Map(),
      };
      this.#devices.set(deviceId, device);
    }
    return device;
  }

  #telemetry(record: TelemetryRecord): void {
    const device = this.#device(record.tenant, record.deviceId);
    this.#deps.metrics.evaluated('telemetry');
    device.lastReceivedAt = Math.max(device.lastReceivedAt ?? 0, record.receivedAt);
    if (record.ts <= device.lastTs) {
      this.#deps.metrics.outOfOrder();
      return;
    }
    const previous = device.latest;
    device.lastTs = record.ts;
    device.latest = record;
    const org = this.#deps.orgs.get(record.tenant);
    if (!org) return;
    org.context.noteRecord(record);
    const asset = org.context.assetOf(record.deviceId);
    if (!asset) return;
    const late = record.receivedAt - record.ts > this.#deps.lateAfterMs;
    for (const rule of org.rulesFor(asset)) {
      const module = RULE_KIND_MODULES[rule.kind] as RuleKindModule;
      if (!module.onTelemetry) continue;
      const input = this.#input(rule, asset, record.deviceId, org, device);
      const result = this.#run(rule, () => module.onTelemetry?.(input, { record, previous }));
      this.#apply(rule, module, org, record.deviceId, asset, result, late);
    }
  }

  #input(rule: RuleDefinition, asset: AssetInfo, deviceId: string, org: OrgRules, device: DeviceState) {
    let state = device.rules.get(rule.id);
    if (!state) {
      state = { memory: {}, episodes: {} };
      device.rules.set(rule.id, state);
    }
    mark(this.#touched, deviceId, rule.id);
    return { rule, asset, deviceId, org: org.context, memory: state.memory } as KindInput<RuleKind>;
  }

  #run(rule: RuleDefinition, fn: () => KindResult | undefined): KindResult | undefined {
    try {
      return fn();
    } catch (err) {
      this.#deps.metrics.ruleError(rule.kind);
      this.#deps.onRuleError(rule, err);
      return undefined;
    }
  }

  #apply(
    rule: RuleDefinition,
    module: RuleKindModule,
    org: OrgRules,
    deviceId: string,
    asset: AssetInfo,
    result: KindResult | undefined,
    late: boolean,
  ): void {
    if (!result) return;
    const scheduled = (ts: number) =>
      !rule.schedule || withinHours(rule.schedule.hours, rule.schedule.timeZone ?? org.context.timeZone, ts);
    const signals: AlertSignal[] = [];
    for (const occurrence of result.occurrences ?? []) {
      if (!Number.isFinite(occurrence.at) || !scheduled(occurrence.at)) continue;
      const subjectId = occurrence.subject?.deviceId ?? deviceId;
      signals.push({
        type: 'open',
        episodeKey: episodeKey(rule.id, subjectId, occurrence.key, occurrence.at),
        rule,
        deviceId: subjectId,
        asset: occurrence.subject?.asset ?? asset,
        severity: rule.severity,
        title: occurrence.title ?? rule.name,
        startedAt: occurrence.at,
        active: false,
        late,
        details: occurrence.details ?? {},
        placeId: occurrence.placeId,
        position: occurrence.position,
      });
    }
    if (signals.length > 0) this.#deps.emit(signals);
    for (const obs of result.observations ?? []) {
      if (!Number.isFinite(obs.at)) continue;
      const subjectId = obs.subject?.deviceId ?? deviceId;
      const subjectAsset = obs.subject?.asset ?? asset;
      const device =
        subjectId === deviceId ? this.#devices.get(deviceId) : this.#device(org.context.orgId, subjectId);
      if (!device) continue;
      let state = device.rules.get(rule.id);
      if (!state) {
        state = { memory: {}, episodes: {} };
        device.rules.set(rule.id, state);
      }
      const condition = scheduled(obs.at) ? obs : { ...obs, active: false };
      const stepped = observe(state.episodes[obs.key], condition, module.mergeDetails);
      this.#settle(rule, org, subjectId, subjectAsset, state, obs.key, stepped.state, stepped.events, late);
    }
  }

  #settle(
    rule: RuleDefinition,
    org: OrgRules,
    deviceId: string,
    asset: AssetInfo,
    state: RuleDeviceState,
    key: string,
    next: EpisodeState | undefined,
    events: EpisodeEvent[],
    late: boolean,
  ): void {
    const before = state.episodes[key];
    if (next) state.episodes[key] = next;
    else delete state.episodes[key];
    if (before !== next) mark(this.#dirty, deviceId, rule.id);
    if (events.length === 0) return;
    const orgId = org.context.orgId;
    const signals: AlertSignal[] = events.map((e): AlertSignal => {
      const episode = episodeKey(rule.id, deviceId, key, e.since);
      if (e.type === 'open')
        return {
          type: 'open',
          episodeKey: episode,
          rule,
          deviceId,
          asset,
          severity: rule.severity,
          title: e.state.title ?? rule.name,
          startedAt: e.since,
          active: true,
          late,
          details: e.state.details as AlertDetails,
          placeId: e.state.placeId ?? undefined,
          position: e.state.position ?? undefined,
        };
      if (e.type === 'update') return { type: 'update', orgId, episodeKey: episode, details: e.details };
      return { type: 'clear', orgId, episodeKey: episode, endedAt: e.endedAt, details: e.details };
    });
    this.#deps.emit(signals);
  }
}

/** The alert's identity: raising the same episode again (a replay after a restart) finds it. */
export function episodeKey(ruleId: string, deviceId: string, key: string, since: number): string {
  return `${ruleId}:${deviceId}:${key}:${since}`;
}

function mark(pairs: Map<string, Set<string>>, deviceId: string, ruleId: string): void {
  let set = pairs.get(deviceId);
  if (!set) {
    set = new Set();
    pairs.set(deviceId, set);
  }
  set.add(ruleId);
}
