// The shapes the rule engine works in. A rule kind (kinds/*.ts) is a pure module: given one
// record or event of a device, the rule, the asset it is installed on, the organisation's
// context and the kind's own memory for that rule and device, it says which conditions hold
// (observations) and which one-off things happened (occurrences). The engine (engine.ts) turns
// those into alert episodes: onset and clear delays, one alert per episode, late data flagged.
import type {
  AlertSeverity,
  DeviceEventRecord,
  RuleDefinition,
  RuleKind,
  TelemetryRecord,
  WorkingHours,
} from '@fleet/shared';
import type { LatLon, PlaceShape } from '@fleet/shared/geo';

/** The asset a device is installed on, as the rules read it. */
export interface AssetInfo {
  id: string;
  kind: 'vehicle' | 'equipment';
  name: string;
  /** A vehicle's plate, for titles. */
  plate: string | null;
  departmentId: string | null;
  speedLimitKmh: number | null;
  offlineAfterS: number | null;
  /** The fuel tank, to turn percentages into litres where the device reports only %. */
  tankCapacityL: number | null;
  /** Added to the device's odometer and engine hours to give the asset's (the meter tracker). */
  odometerOffsetKm: number;
  engineHoursOffset: number;
}

export interface PlaceInfo {
  id: string;
  name: string;
  category: string;
  speedLimitKmh: number | null;
  shape: PlaceShape;
}

/** The organisation's places, searchable by position (place-index.ts). */
export interface PlaceLookup {
  /** Places containing the position. */
  containing(point: LatLon): PlaceInfo[];
  /** Places the straight stretch between two fixes passes through (ends included). */
  crossedBy(a: LatLon, b: LatLon): PlaceInfo[];
  get(id: string): PlaceInfo | undefined;
  readonly size: number;
}

/** The newest position of each vehicle of the organisation, searchable by distance (vehicle-grid.ts). */
export interface VehiclePositions {
  /** Vehicles (device ids) whose newest fix is within `radiusM` of the position, nearest first. */
  near(point: LatLon, radiusM: number): { deviceId: string; distanceM: number }[];
  /** The newest fix of a vehicle's device. */
  latest(
    deviceId: string,
  ): { lat: number; lon: number; ts: number; speedKmh: number | undefined } | undefined;
}

/** Everything about one organisation the rules read besides the record itself. */
export interface OrgContext {
  orgId: string;
  timeZone: string;
  workingHours: WorkingHours;
  places: PlaceLookup;
  vehicles: VehiclePositions;
  /** The newest fix of any device of the organisation (equipment items too). */
  lastFix(deviceId: string): { lat: number; lon: number; ts: number } | undefined;
  /** The asset a device of this organisation is installed on now. */
  assetOf(deviceId: string): AssetInfo | undefined;
}

/** The kind's memory for one rule and one device: plain JSON, checkpointed with the engine's state. */
export type KindMemory = Record<string, unknown>;

export type AlertDetails = Record<string, string | number | boolean | null>;

/** Where the alert is about, when it is not the device whose record this is. */
export interface AlertSubject {
  deviceId: string;
  asset: AssetInfo;
}

/** A condition that holds or does not at device time `at` (overspeed, inside a place, a DTC present). */
export interface Observation {
  /** Which condition of the rule: '' when the rule has one per device; a place id, a DTC code ... */
  key: string;
  active: boolean;
  at: number;
  /** It must hold this long before the alert opens (min durations, dwell times). */
  onsetMs?: number;
  /** It must be clear this long before the alert resolves (against flapping). */
  clearMs?: number;
  /** It may be taken to go on holding while the device is quiet (episodes.ts); default false. */
  holdsWhileQuiet?: boolean;
  /** The alert's title, when it opens (the engine makes one from the rule otherwise). */
  title?: string;
  details?: AlertDetails;
  placeId?: string;
  position?: LatLon;
  /** Another device's alert (equipment left behind, seen from the vehicle's records). */
  subject?: AlertSubject;
}

/** A one-off thing that happened (a harsh braking, an entry into a place, a refuel): its own alert. */
export interface Occurrence {
  key: string;
  at: number;
  title?: string;
  details?: AlertDetails;
  placeId?: string;
  position?: LatLon;
  subject?: AlertSubject;
}

export interface KindResult {
  observations?: Observation[];
  occurrences?: Occurrence[];
}

export interface KindInput<K extends RuleKind> {
  rule: RuleDefinition<K>;
  asset: AssetInfo;
  deviceId: string;
  org: OrgContext;
  /** This kind's memory for (rule, device); mutate it, the engine keeps and checkpoints it. */
  memory: KindMemory;
}

export interface TelemetryStep {
  record: TelemetryRecord;
  /** The device's record evaluated before this one (older device time), if any. */
  previous: TelemetryRecord | undefined;
}

export interface TickStep {
  /** Server time now. */
  now: number;
  /** Server time the device's newest record arrived; undefined if never seen. */
  lastReceivedAt: number | undefined;
  /** The device's newest record, if any. */
  latest: TelemetryRecord | undefined;
  /** The device's latest event of each kind (POWER_CUT ...), server time received. */
  lastEventAt(kind: string): number | undefined;
}

export interface RuleKindModule<K extends RuleKind = RuleKind> {
  kind: K;
  /** Which assets the kind applies to (the scope further narrows it). */
  assetKinds: readonly ('vehicle' | 'equipment')[];
  onTelemetry?(input: KindInput<K>, step: TelemetryStep): KindResult | undefined;
  onEvent?(input: KindInput<K>, event: DeviceEventRecord): KindResult | undefined;
  /** Time-driven conditions (offline), called every tick for each device in scope. */
  onTick?(input: KindInput<K>, step: TickStep): KindResult | undefined;
  /** How a still-open episode's details take new ones (a peak speed); default: the newer replace. */
  mergeDetails?(previous: AlertDetails, next: AlertDetails): AlertDetails;
}

/** What the engine tells the alert writer (alert-writer.ts). */
export type AlertSignal =
  | {
      type: 'open';
      episodeKey: string;
      rule: RuleDefinition;
      /** Null for an asset without a device (a due service on meters people read). */
      deviceId: string | null;
      asset: AssetInfo;
      severity: AlertSeverity;
      title: string;
      /** Device time the condition began. */
      startedAt: number;
      /** False for a one-off occurrence: nothing left to clear. */
      active: boolean;
      late: boolean;
      details: AlertDetails;
      placeId: string | undefined;
      position: LatLon | undefined;
    }
  | { type: 'update'; orgId: string; episodeKey: string; details: AlertDetails }
  | { type: 'clear'; orgId: string; episodeKey: string; endedAt: number; details: AlertDetails };
