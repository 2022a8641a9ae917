// A harness for the rule kinds, without the engine: the real organisation context
// (buildOrgContext: flatbush places, the vehicle grid), scripted tracks of records, and a run
// that feeds records, events and ticks to one kind the way the engine does (the context notes
// a record before any kind sees it; out-of-order records are skipped; observations go through
// episodes.ts, keyed by subject device and key), so a test reads alert opens and clears as the
// engine would raise them. A kind's memory goes through JSON after every call, as a checkpoint
// would take it, and must come back the same.
import {
  DEFAULT_WORKING_HOURS,
  type DeviceEventRecord,
  NO_MEASUREMENTS,
  RULE_PARAMS,
  type RuleDefinition,
  type RuleKind,
  type RuleScope,
  type TelemetryRecord,
  type WorkingHours,
} from '@fleet/shared';
import { haversineM, type LatLon, type LonLat, METRES_PER_DEGREE } from '@fleet/shared/geo';
import { advance, type EpisodeState, observe } from '../../src/rules/episodes.ts';
import { buildOrgContext, type LiveOrgContext } from '../../src/rules/org-context.ts';
import type {
  AlertDetails,
  AssetInfo,
  KindMemory,
  KindResult,
  Observation,
  Occurrence,
  PlaceInfo,
  RuleKindModule,
  TickStep,
} from '../../src/rules/types.ts';

export const ORG_ID = '00000000-0000-4000-8000-0000000000f1';
/** Monday 1 June 2026, 09:00 in Helsinki (EEST, UTC+3): within default working hours. */
export const T0 = Date.UTC(2026, 5, 1, 6, 0, 0);
/** Central Helsinki. */
export const HELSINKI: LatLon = { lat: 60.17, lon: 24.94 };

type Fields = Omit<TelemetryRecord, 'tenant' | 'deviceId' | 'seq' | 'ts' | 'receivedAt'>;

/** The position `northM` metres north and `eastM` metres east of `from` (flat, fine over a few km). */
export function offset(from: LatLon, northM: number, eastM: number): LatLon {
  return {
    lat: from.lat + northM / METRES_PER_DEGREE,
    lon: from.lon + eastM / (METRES_PER_DEGREE * Math.cos((from.lat * Math.PI) / 180)),
  };
}

export function vehicle(
  id: string,
  name: string,
  plate: string | null,
  patch: Partial<AssetInfo> = {},
): AssetInfo {
  return {
    id,
    kind: 'vehicle',
    name,
    plate,
    departmentId: null,
    speedLimitKmh: null,
    offlineAfterS: null,
    tankCapacityL: null,
    odometerOffsetKm: 0,
    engineHoursOffset: 0,
    ...patch,
  };
}

export function equipment(id: string, name: string, patch: Partial<AssetInfo> = {}): AssetInfo {
  return { ...vehicle(id, name, null), kind: 'equipment', ...patch };
}

export function circlePlace(
  id: string,
  name: string,
  center: LatLon,
  radiusM: number,
  patch: Partial<Omit<PlaceInfo, 'shape'>> = {},
): PlaceInfo {
  const sw = offset(center, -radiusM, -radiusM);
  const ne = offset(center, radiusM, radiusM);
  return {
    id,
    name,
    category: 'depot',
    speedLimitKmh: null,
    ...patch,
    shape: {
      kind: 'circle',
      center,
      radiusM,
      bbox: { minLat: sw.lat, minLon: sw.lon, maxLat: ne.lat, maxLon: ne.lon },
    },
  };
}

/** A polygon place from its corners, counter-clockwise, closed here. */
export function polygonPlace(
  id: string,
  name: string,
  corners: LatLon[],
  patch: Partial<Omit<PlaceInfo, 'shape'>> = {},
): PlaceInfo {
  const ring: LonLat[] = [...corners, corners[0] as LatLon].map((c) => [c.lon, c.lat]);
  const lats = corners.map((c) => c.lat);
  const lons = corners.map((c) => c.lon);
  return {
    id,
    name,
    category: 'job_site',
    speedLimitKmh: null,
    ...patch,
    shape: {
      kind: 'polygon',
      ring,
      bbox: {
        minLat: Math.min(...lats),
        minLon: Math.min(...lons),
        maxLat: Math.max(...lats),
        maxLon: Math.max(...lons),
      },
    },
  };
}

export interface OrgInput {
  /** Device id -> the asset it is installed on. */
  devices: Record<string, AssetInfo>;
  places?: PlaceInfo[];
  timeZone?: string;
  workingHours?: WorkingHours;
}

export function orgContext(input: OrgInput): LiveOrgContext {
  return buildOrgContext({
    orgId: ORG_ID,
    timeZone: input.timeZone ?? 'Europe/Helsinki',
    workingHours: input.workingHours ?? DEFAULT_WORKING_HOURS,
    places: input.places ?? [],
    assets: new Map(Object.entries(input.devices)),
  });
}

let ruleCount = 0;

/** A rule as the engine runs it: the parameters parsed (defaults filled in) by the catalogue's schema. */
export function rule<K extends RuleKind>(
  kind: K,
  params: Record<string, unknown> = {},
  scope: Partial<RuleScope> = {},
): RuleDefinition<K> {
  ruleCount += 1;
  return {
    id: `00000000-0000-4000-8000-${String(ruleCount).padStart(12, '0')}`,
    orgId: ORG_ID,
    name: `${kind} rule`,
    kind,
    severity: 'warning',
    enabled: true,
    params: RULE_PARAMS[kind].parse(params) as RuleDefinition<K>['params'],
    scope: { departmentIds: [], assetIds: [], placeIds: [], placeCategories: [], ...scope },
    schedule: undefined,
  };
}

let seq = 0;

/** One record: nothing measured but what the patch sets; it arrives a second after it was measured. */
export function record(deviceId: string, ts: number, patch: Partial<Fields> = {}): TelemetryRecord {
  seq += 1;
  return { ...NO_MEASUREMENTS, tenant: ORG_ID, deviceId, seq, ts, receivedAt: ts + 1000, ...patch };
}

export function event(
  deviceId: string,
  kind: string,
  ts: number,
  patch: Partial<Omit<DeviceEventRecord, 'tenant' | 'deviceId' | 'kind' | 'ts'>> = {},
): DeviceEventRecord {
  seq += 1;
  return {
    tenant: ORG_ID,
    deviceId,
    seq,
    ts,
    receivedAt: ts + 1000,
    kind,
    lat: undefined,
    lon: undefined,
    speedKmh: undefined,
    peakG: undefined,
    buttonId: undefined,
    firmware: undefined,
    detail: '',
    ...patch,
  };
}

/**
 * A scripted track: from a start time and position, segments that stand still, drive or go
 * quiet, with a record every `everyS` seconds at the end of each interval (a 45 s segment at 5 s
 * is 9 records, the last at its end). `base` fields go into every record, a segment's patch
 * over them.
 */
export class Track {
  readonly records: TelemetryRecord[] = [];
  #t: number;
  #pos: LatLon;
  #everyS: number;
  readonly #base: Partial<Fields>;

  readonly deviceId: string;

  constructor(
    deviceId: string,
    start: { at?: number; position?: LatLon; everyS?: number; base?: Partial<Fields> } = {},
  ) {
    this.deviceId = deviceId;
    this.#t = start.at ?? T0;
    this.#pos = start.position ?? HELSINKI;
    this.#everyS = start.everyS ?? 10;
    this.#base = start.base ?? {};
  }

  get now(): number {
    return this.#t;
  }

  get position(): LatLon {
    return this.#pos;
  }

  /** Records every `everyS` seconds from here on (a tag reports less often when it stands still). */
  every(everyS: number): this {
    this.#everyS = everyS;
    return this;
  }

  /** One record now, where the track is. */
  point(patch: Partial<Fields> = {}): this {
    this.records.push(this.#record(this.#t, this.#pos, patch));
    return this;
  }

  /** Stands at the current position for `forS`, speed 0 unless the patch says otherwise. */
  hold(forS: number, patch: Partial<Fields> = {}): this {
    return this.#segment(forS, () => this.#pos, { speedKmh: 0, ...patch });
  }

  /** Moves in a straight line to `to` over `forS` (speed and heading from the stretch unless patched). */
  to(to: LatLon, forS: number, patch: Partial<Fields> = {}): this {
    const from = this.#pos;
    const speedKmh = (haversineM(from, to) / forS) * 3.6;
    const headingDeg =
      ((Math.atan2((to.lon - from.lon) * Math.cos((from.lat * Math.PI) / 180), to.lat - from.lat) * 180) /
        Math.PI +
        360) %
      360;
    return this.#segment(
      forS,
      (f) => ({ lat: from.lat + (to.lat - from.lat) * f, lon: from.lon + (to.lon - from.lon) * f }),
      { speedKmh: Math.round(speedKmh * 10) / 10, headingDeg: Math.round(headingDeg), ...patch },
      to,
    );
  }

  /** Drives `forS` at `speedKmh` due east (or along `headingDeg`). */
  drive(forS: number, patch: Partial<Fields> & { speedKmh: number }): this {
    const heading = ((patch.headingDeg ?? 90) * Math.PI) / 180;
    const metres = (patch.speedKmh / 3.6) * forS;
    const to = offset(this.#pos, metres * Math.cos(heading), metres * Math.sin(heading));
    return this.to(to, forS, { headingDeg: patch.headingDeg ?? 90, ...patch });
  }

  /** No records for `forS` (the position stays). */
  gap(forS: number): this {
    this.#t += forS * 1000;
    return this;
  }

  /** Jumps to a position without records (a device that was off). */
  jump(to: LatLon): this {
    this.#pos = to;
    return this;
  }

  #segment(forS: number, at: (fraction: number) => LatLon, patch: Partial<Fields>, end?: LatLon): this {
    const steps = Math.max(1, Math.round(forS / this.#everyS));
    for (let i = 1; i <= steps; i++) {
      const ts = this.#t + Math.round((i * forS * 1000) / steps);
      this.records.push(this.#record(ts, at(i / steps), patch));
    }
    this.#t += forS * 1000;
    if (end) this.#pos = end;
    return this;
  }

  #record(ts: number, pos: LatLon, patch: Partial<Fields>): TelemetryRecord {
    return record(this.deviceId, ts, { lat: pos.lat, lon: pos.lon, ...this.#base, ...patch });
  }
}

/** Several devices' records in device-time order (stable for equal times), as they would arrive. */
export function interleave(...tracks: (Track | readonly TelemetryRecord[])[]): TelemetryRecord[] {
  return tracks.flatMap((t) => (t instanceof Track ? t.records : t)).sort((a, b) => a.ts - b.ts);
}

/** What a test sees: the alerts as the engine would raise, update and resolve them. */
export type AlertEvent =
  | {
      type: 'open';
      deviceId: string;
      key: string;
      since: number;
      title: string | null;
      details: AlertDetails;
      placeId: string | null;
    }
  | { type: 'update'; deviceId: string; key: string; since: number; details: AlertDetails }
  | { type: 'clear'; deviceId: string; key: string; since: number; endedAt: number; details: AlertDetails }
  | {
      type: 'occurrence';
      deviceId: string;
      key: string;
      at: number;
      title: string | null;
      details: AlertDetails;
      placeId: string | null;
    };

interface DeviceRun {
  memory: KindMemory;
  episodes: Map<string, EpisodeState>;
  lastTs: number;
  lastReceivedAt: number | undefined;
  latest: TelemetryRecord | undefined;
  events: Map<string, number>;
}

/** Where a value would not survive a checkpoint's JSON unchanged (a Set, a Date, undefined, NaN ...). */
function notPlainJson(value: unknown, path: string): string | undefined {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return undefined;
  if (typeof value === 'number') return Number.isFinite(value) ? undefined : `${path} is ${value}`;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const problem = notPlainJson(value[i], `${path}[${i}]`);
      if (problem) return problem;
    }
    return undefined;
  }
  if (typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    for (const [k, v] of Object.entries(value)) {
      const problem = notPlainJson(v, `${path}.${k}`);
      if (problem) return problem;
    }
    return undefined;
  }
  return `${path} is not plain JSON (${value === undefined ? 'undefined' : Object.prototype.toString.call(value)})`;
}

const isEvent = (item: TelemetryRecord | DeviceEventRecord): item is DeviceEventRecord =>
  typeof (item as DeviceEventRecord).kind === 'string';

/** One kind's rule over an organisation's records, events and ticks. */
export class KindRun<K extends RuleKind> {
  readonly alerts: AlertEvent[] = [];
  /** Every observation and occurrence the kind returned (with the device whose input it was). */
  readonly observations: (Observation & { from: string })[] = [];
  readonly occurrences: (Occurrence & { from: string })[] = [];
  readonly #devices = new Map<string, DeviceRun>();

  readonly module: RuleKindModule<K>;
  readonly rule: RuleDefinition<K>;
  readonly org: LiveOrgContext;

  constructor(module: RuleKindModule<K>, rule: RuleDefinition<K>, org: LiveOrgContext) {
    this.module = module;
    this.rule = rule;
    this.org = org;
  }

  /** Records and events, in the order given. */
  feed(items: readonly (TelemetryRecord | DeviceEventRecord)[]): this {
    for (const item of items) {
      if (isEvent(item)) this.event(item);
      else this.record(item);
    }
    return this;
  }

  record(r: TelemetryRecord): this {
    const device = this.#device(r.deviceId);
    device.lastReceivedAt = Math.max(device.lastReceivedAt ?? 0, r.receivedAt);
    if (r.ts <= device.lastTs) return this; // the engine skips out-of-order records
    const previous = device.latest;
    device.lastTs = r.ts;
    device.latest = r;
    this.org.noteRecord(r);
    const asset = this.#asset(r.deviceId);
    if (!asset || !this.module.onTelemetry) return this;
    const result = this.module.onTelemetry(this.#input(r.deviceId, asset), { record: r, previous });
    return this.#apply(r.deviceId, result);
  }

  event(e: DeviceEventRecord): this {
    const device = this.#device(e.deviceId);
    device.events.set(e.kind, e.receivedAt);
    const asset = this.#asset(e.deviceId);
    if (!asset || !this.module.onEvent) return this;
    return this.#apply(e.deviceId, this.module.onEvent(this.#input(e.deviceId, asset), e));
  }

  /** Server time `now` passes for every device seen: onTick, then pending and clearing episodes advance. */
  tick(now: number): this {
    for (const [deviceId, device] of this.#devices) {
      const asset = this.#asset(deviceId);
      if (!asset) continue;
      if (this.module.onTick) {
        const step: TickStep = {
          now,
          lastReceivedAt: device.lastReceivedAt,
          latest: device.latest,
          lastEventAt: (kind) => device.events.get(kind),
        };
        this.#apply(deviceId, this.module.onTick(this.#input(deviceId, asset), step));
      }
      const deviceNow =
        device.lastReceivedAt === undefined
          ? device.lastTs
          : device.lastTs + Math.max(0, now - device.lastReceivedAt);
      for (const [key, state] of device.episodes) {
        const stepped = advance(state, deviceNow);
        this.#settle(deviceId, device, key, stepped.state, stepped.events);
      }
    }
    return this;
  }

  opened(): Extract<AlertEvent, { type: 'open' }>[] {
    return this.alerts.filter((a) => a.type === 'open');
  }

  cleared(): Extract<AlertEvent, { type: 'clear' }>[] {
    return this.alerts.filter((a) => a.type === 'clear');
  }

  raised(): Extract<AlertEvent, { type: 'occurrence' }>[] {
    return this.alerts.filter((a) => a.type === 'occurrence');
  }

  /** The alerts still open (or clearing), by subject device and key. */
  openNow(): string[] {
    const out: string[] = [];
    for (const [deviceId, device] of this.#devices)
      for (const [key, state] of device.episodes) if (state.phase === 'open') out.push(`${deviceId}|${key}`);
    return out;
  }

  memoryOf(deviceId: string): KindMemory | undefined {
    return this.#devices.get(deviceId)?.memory;
  }

  #asset(deviceId: string): AssetInfo | undefined {
    const asset = this.org.assetOf(deviceId);
    return asset && this.module.assetKinds.includes(asset.kind) ? asset : undefined;
  }

  #device(deviceId: string): DeviceRun {
    let device = this.#devices.get(deviceId);
    if (!device) {
      device = {
        memory: {},
        episodes: new Map(),
        lastTs: Number.NEGATIVE_INFINITY,
        lastReceivedAt: undefined,
        latest: undefined,
        events: new Map(),
      };
      this.#devices.set(deviceId, device);
    }
    return device;
  }

  #input(deviceId: string, asset: AssetInfo) {
    return { rule: this.rule, asset, deviceId, org: this.org, memory: this.#device(deviceId).memory };
  }

  #apply(from: string, result: KindResult | undefined): this {
    const device = this.#device(from);
    // -0 comes back from JSON as 0, harmlessly; anything else that would not survive is a bug.
    const problem = notPlainJson(device.memory, 'memory');
    if (problem) throw new Error(`${this.rule.kind}: ${problem}`);
    device.memory = JSON.parse(JSON.stringify(device.memory)) as KindMemory; // as a restart would restore it
    if (!result) return this;
    for (const o of result.occurrences ?? []) {
      if (!Number.isFinite(o.at)) throw new Error(`${this.rule.kind}: occurrence at ${o.at}`);
      this.occurrences.push({ ...o, from });
      this.alerts.push({
        type: 'occurrence',
        deviceId: o.subject?.deviceId ?? from,
        key: o.key,
        at: o.at,
        title: o.title ?? null,
        details: o.details ?? {},
        placeId: o.placeId ?? null,
      });
    }
    for (const obs of result.observations ?? []) {
      if (!Number.isFinite(obs.at)) throw new Error(`${this.rule.kind}: observation at ${obs.at}`);
      this.observations.push({ ...obs, from });
      const subject = obs.subject?.deviceId ?? from;
      const target = this.#device(subject);
      const stepped = observe(target.episodes.get(obs.key), obs, this.module.mergeDetails);
      this.#settle(subject, target, obs.key, stepped.state, stepped.events);
    }
    return this;
  }

  #settle(
    deviceId: string,
    device: DeviceRun,
    key: string,
    next: EpisodeState | undefined,
    events: ReturnType<typeof observe>['events'],
  ): void {
    if (next) device.episodes.set(key, next);
    else device.episodes.delete(key);
    for (const e of events) {
      if (e.type === 'open')
        this.alerts.push({
          type: 'open',
          deviceId,
          key,
          since: e.since,
          title: e.state.title,
          details: e.state.details,
          placeId: e.state.placeId,
        });
      else if (e.type === 'update')
        this.alerts.push({ type: 'update', deviceId, key, since: e.since, details: e.details });
      else
        this.alerts.push({
          type: 'clear',
          deviceId,
          key,
          since: e.since,
          endedAt: e.endedAt,
          details: e.details,
        });
    }
  }
}

/** A run of one kind with a fresh rule over a fresh organisation. */
export function run<K extends RuleKind>(
  module: RuleKindModule<K>,
  params: Record<string, unknown>,
  org: LiveOrgContext,
  scope: Partial<RuleScope> = {},
): KindRun<K> {
  return new KindRun(module, rule(module.kind, params, scope), org);
}

/** Small seeded generator (mulberry32): noise that is the same on every run. */
export function mulberry32(seed: number): () => number {
  let a = seed | 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The usual fleet of the tests: a van, a truck, a generator and a compressor. */
export const VAN = vehicle('00000000-0000-4000-8000-0000000000a1', 'Van', 'ABC-123', { tankCapacityL: 80 });
export const TRUCK = vehicle('00000000-0000-4000-8000-0000000000a2', 'Truck', 'XYZ-789');
export const GENERATOR = equipment('00000000-0000-4000-8000-0000000000b1', 'Generator G-12');
export const COMPRESSOR = equipment('00000000-0000-4000-8000-0000000000b2', 'Compressor C-3');
export const FLEET: Record<string, AssetInfo> = {
  van: VAN,
  truck: TRUCK,
  gen: GENERATOR,
  comp: COMPRESSOR,
};
