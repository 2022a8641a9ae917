// The world of `npm run bench:rules` (bench/src/rules.ts), pure: the places, the 20 rules, and
// what every device reports once a second, so that which alerts must be raised, and when, is
// known exactly.
//
// The area is a square grid of cells (CELL_M on a side) with one place near the middle of each
// cell; devices drive along the grid lines (the streets between the cells), where no place
// reaches: the background fleet never enters a place, never speeds, never idles, and so raises
// no alert while every rule still runs on every record. A known set of probe devices does, one
// scripted episode every `probeEveryS` records (speeding, an engine fault code, an overheating
// engine, a short visit to the place next to the street), and reports each alert it caused
// with the device time the alert will carry and the moment it became due (ProbeTrigger).

import type { TelemetryInput } from '@fleet/proto';
import type { RuleKind } from '@fleet/shared';
import type { PlaceCategory } from '@fleet/shared/geo';
import { mulberry32 } from '@fleet/shared/random';

/** Side of a cell, metres: a place of up to PLACE_MAX_REACH_M from the cell's middle leaves a street of 2 x 40 m. */
export const CELL_M = 400;
const PLACE_MAX_RADIUS_M = 120;
const PLACE_JITTER_M = 40;
export const PLACE_MAX_REACH_M = PLACE_MAX_RADIUS_M + PLACE_JITTER_M;
const M_PER_DEG_LAT = 111_320;
/**
 * Centre of the area: north-east of Helsinki, away from the demo company's places in the centre
 * of town (npm start's fleet, which the bench provisions with), so only the bench's places count.
 */
export const AREA_CENTRE = { lat: 60.45, lon: 25.3 } as const;

// ---------------------------------------------------------------------------------------------
// A seeded random generator (mulberry32): the same seed gives the same places in every process.

export const seededRandom = mulberry32;

// ---------------------------------------------------------------------------------------------
// The area and its places

export interface Area {
  /** Cells per side; lines (streets) 0..side in each direction. */
  side: number;
  centre: { lat: number; lon: number };
}

export function areaFor(places: number): Area {
  return { side: Math.max(2, Math.ceil(Math.sqrt(Math.max(1, places)))), centre: AREA_CENTRE };
}

/** Metres from the area's south-west corner to latitude and longitude (a local flat projection). */
export function toLatLon(area: Area, x: number, y: number): { lat: number; lon: number } {
  const half = (area.side * CELL_M) / 2;
  const cosLat = Math.cos((area.centre.lat * Math.PI) / 180);
  return {
    lat: area.centre.lat + (y - half) / M_PER_DEG_LAT,
    lon: area.centre.lon + (x - half) / (M_PER_DEG_LAT * cosLat),
  };
}

/** Places by category, as a share of all places (a production company's map). */
export const CATEGORY_SHARES: readonly [PlaceCategory, number][] = [
  ['client_site', 0.3],
  ['job_site', 0.2],
  ['restricted_area', 0.15],
  ['parking', 0.12],
  ['fuel_station', 0.1],
  ['depot', 0.08],
  ['workshop', 0.05],
];

export type PlaceGeometry =
  | { type: 'circle'; center: { lat: number; lon: number }; radiusM: number }
  | { type: 'Polygon'; coordinates: [number, number][][] };

export interface BenchPlace {
  name: string;
  category: PlaceCategory;
  /** Depots have a yard speed limit, as real ones do. */
  speedLimitKmh: number | null;
  geometry: PlaceGeometry;
  /** Inside the place: where a probe goes when it visits. */
  inside: { lat: number; lon: number };
  row: number;
  col: number;
}

function categoryOf(r: number): PlaceCategory {
  let acc = 0;
  for (const [category, share] of CATEGORY_SHARES) {
    acc += share;
    if (r < acc) return category;
  }
  return 'other';
}

/**
 * `count` places, place i in cell (i / side, i % side): a circle (radius 30-120 m) or a convex
 * polygon (4-7 corners, 40-120 m from its middle), its middle up to 40 m off the cell's.
 */
export function generatePlaces(count: number, seed = 12): { area: Area; places: BenchPlace[] } {
  const area = areaFor(count);
  const random = seededRandom(seed);
  const places: BenchPlace[] = [];
  for (let i = 0; i < count; i++) {
    const row = Math.floor(i / area.side);
    const col = i % area.side;
    const cx = (col + 0.5) * CELL_M + (random() * 2 - 1) * PLACE_JITTER_M;
    const cy = (row + 0.5) * CELL_M + (random() * 2 - 1) * PLACE_JITTER_M;
    const category = categoryOf(random());
    const inside = toLatLon(area, cx, cy);
    const name = `bench ${category.replace('_', ' ')} ${String(i + 1).padStart(5, '0')}`;
    const speedLimitKmh = category === 'depot' ? 20 : null;
    if (random() < 0.6) {
      const radiusM = Math.round(30 + random() * (PLACE_MAX_RADIUS_M - 30));
      places.push({
        name,
        category,
        speedLimitKmh,
        geometry: { type: 'circle', center: inside, radiusM },
        inside,
        row,
        col,
      });
    } else {
      const corners = 4 + Math.floor(random() * 4);
      const reach = 40 + random() * (PLACE_MAX_RADIUS_M - 40);
      const turn = random() * 2 * Math.PI;
      const ring: [number, number][] = [];
      for (let k = 0; k < corners; k++) {
        const a = turn + (2 * Math.PI * k) / corners;
        const p = toLatLon(area, cx + reach * Math.cos(a), cy + reach * Math.sin(a));
        ring.push([p.lon, p.lat]);
      }
      ring.push(ring[0] as [number, number]);
      places.push({
        name,
        category,
        speedLimitKmh,
        geometry: { type: 'Polygon', coordinates: [ring] },
        inside,
        row,
        col,
      });
    }
  }
  return { area, places };
}

// ---------------------------------------------------------------------------------------------
// The 20 rules

export interface BenchRule {
  name: string;
  kind: RuleKind;
  severity: 'info' | 'warning' | 'critical';
  params: Record<string, unknown>;
  placeCategories?: PlaceCategory[];
}

/** What probes trigger: the speeding rule's limit and minimum duration, the overheating threshold. */
export const PROBE_SPEED_KMH = 130;
export const SPEED_LIMIT_KMH = 90;
export const SPEEDING_MIN_S = 10;
export const OVERHEAT_ABOVE_C = 110;
/** Records a probe stays inside the place it visits. */
export const VISIT_RECORDS = 3;

/**
 * A realistic mix of 20 rules over 15 kinds (a production company's set: speeding, sites,
 * maintenance, theft, device health). Geofence rules either fire at once (0 s) or need longer
 * than a probe's visit (VISIT_RECORDS s), so which of them a visit raises is exact.
 */
export const BENCH_RULES: readonly BenchRule[] = [
  {
    name: 'Entered a restricted area',
    kind: 'geofence_enter',
    severity: 'critical',
    params: { minInsideS: 0 },
    placeCategories: ['restricted_area'],
  },
  {
    name: 'Left a restricted area',
    kind: 'geofence_exit',
    severity: 'warning',
    params: { minOutsideS: 0 },
    placeCategories: ['restricted_area'],
  },
  {
    name: 'Arrived at a client site',
    kind: 'geofence_enter',
    severity: 'info',
    params: { minInsideS: 120 },
    placeCategories: ['client_site'],
  },
  {
    name: 'Left the depot',
    kind: 'geofence_exit',
    severity: 'info',
    params: { minOutsideS: 0 },
    placeCategories: ['depot'],
  },
  {
    name: 'Over 30 min at a job site',
    kind: 'geofence_dwell',
    severity: 'info',
    params: { minDwellS: 1800 },
    placeCategories: ['job_site'],
  },
  {
    name: 'Speeding',
    kind: 'overspeed',
    severity: 'warning',
    params: { limitKmh: SPEED_LIMIT_KMH, minDurationS: SPEEDING_MIN_S, clearDelayS: 30 },
  },
  {
    name: 'Excessive speed',
    kind: 'overspeed',
    severity: 'critical',
    params: { limitKmh: 120, minDurationS: 30, useVehicleLimit: false },
  },
  { name: 'Idling over 10 min', kind: 'idling', severity: 'info', params: { minDurationS: 600 } },
  { name: 'No data for 30 min', kind: 'offline', severity: 'warning', params: { afterS: 1800 } },
  { name: 'Used after hours', kind: 'after_hours', severity: 'warning', params: {} },
  { name: 'Harsh driving', kind: 'harsh_driving', severity: 'info', params: {} },
  { name: 'Crash', kind: 'crash', severity: 'critical', params: {} },
  { name: 'Engine fault code', kind: 'engine_fault', severity: 'warning', params: { clearDelayS: 60 } },
  { name: 'Fuel theft', kind: 'fuel_drop', severity: 'critical', params: {} },
  { name: 'Refuel', kind: 'refuel', severity: 'info', params: {} },
  { name: 'Low fuel', kind: 'low_fuel', severity: 'info', params: { belowPct: 15 } },
  { name: 'External power cut', kind: 'power_cut', severity: 'critical', params: { belowExternalV: 9 } },
  { name: 'Low backup battery', kind: 'low_battery', severity: 'warning', params: {} },
  {
    name: 'Engine overheating',
    kind: 'threshold',
    severity: 'critical',
    params: { field: 'coolantTempC', above: OVERHEAT_ABOVE_C, minDurationS: 0 },
  },
  { name: 'Equipment left behind', kind: 'equipment_left_behind', severity: 'warning', params: {} },
];

/** The rules a visit to a place of this category raises, and when: on arriving, or on leaving. */
export function visitAlerts(category: PlaceCategory): { rule: BenchRule; on: 'enter' | 'exit' }[] {
  const out: { rule: BenchRule; on: 'enter' | 'exit' }[] = [];
  for (const rule of BENCH_RULES) {
    if (!rule.placeCategories?.includes(category)) continue;
    if (rule.kind === 'geofence_enter' && rule.params.minInsideS === 0) out.push({ rule, on: 'enter' });
    if (rule.kind === 'geofence_exit' && rule.params.minOutsideS === 0) out.push({ rule, on: 'exit' });
  }
  return out;
}

/** The rule kinds probes raise alerts of (the webhook channel listens to these). */
export const PROBED_KINDS: readonly RuleKind[] = [
  'overspeed',
  'engine_fault',
  'threshold',
  'geofence_enter',
  'geofence_exit',
];

// ---------------------------------------------------------------------------------------------
// What devices report

/** An alert a probe caused: the engine must raise it once, with this device time as its start. */
export interface ProbeTrigger {
  deviceId: string;
  ruleName: string;
  kind: RuleKind;
  /** Device time (ms) the alert starts at (its `startedAt`). */
  startedAt: number;
  /** When it became due (ms, the publisher's clock): the publish of the record that completes it. */
  triggerAt: number;
  /** The earliest it could correctly be raised: startedAt + the rule's minimum duration. */
  dueAt: number;
}

export interface RulesTrackSpec {
  places: number;
  placeSeed: number;
  /** A probe starts an episode every this many records. */
  probeEveryS: number;
}

export interface DeviceTrackSpec {
  /** The device's number in the fleet: its street and start. */
  index: number;
  /** 0, 1, 2 ... for probes; undefined for the background fleet. */
  probe?: number | undefined;
}

export const EPISODES = ['overspeed', 'engine_fault', 'overheat', 'visit'] as const;
export type Episode = (typeof EPISODES)[number];
/** Records from the start of an episode to its end (the speeding run is the longest). */
export const EPISODE_RECORDS = SPEEDING_MIN_S + 3;
const FAULT_CODES = ['P0301', 'P0302', 'P0303', 'P0304', 'P0171', 'P0420', 'P0128', 'P0500'];

/** Which episode a probe starts at record number n (1, 2, ...), if any. The first period is quiet. */
export function episodeAt(spec: RulesTrackSpec, probe: number, n: number): Episode | undefined {
  const offset = (probe * 7) % spec.probeEveryS;
  if (n <= spec.probeEveryS || (n - offset) % spec.probeEveryS !== 0) return undefined;
  return EPISODES[(Math.floor((n - offset) / spec.probeEveryS) + probe) % EPISODES.length];
}

interface Visit {
  place: BenchPlace;
  records: number;
  raises: { rule: BenchRule; on: 'enter' | 'exit' }[];
}

/**
 * One device's reports: along its street at a steady 35-65 km/h, turning back at the ends; a
 * probe's episodes on top. `next(now)` gives the encoded TelemetryBatch of one record and the
 * alerts that record made due.
 */
export class RulesTrack {
  readonly #area: Area;
  readonly #places: readonly BenchPlace[];
  readonly #spec: RulesTrackSpec;
  readonly #probe: number | undefined;
  readonly #deviceId: string;
  readonly #horizontal: boolean;
  readonly #line: number;
  #pos: number;
  #dir: 1 | -1;
  readonly #speed: number;
  seq = 0;
  lastTs = 0;
  #odometerKm: number;
  #fuelPct: number;
  #episode: { kind: Episode; records: number; since: number; code: string; dueSent: boolean } | undefined;
  #visit: Visit | undefined;
  #episodes = 0;

  constructor(
    deviceId: string,
    spec: RulesTrackSpec,
    device: DeviceTrackSpec,
    world: { area: Area; places: readonly BenchPlace[] },
  ) {
    this.#deviceId = deviceId;
    this.#spec = spec;
    this.#probe = device.probe;
    this.#area = world.area;
    this.#places = world.places;
    const random = seededRandom(device.index * 7919 + 1);
    this.#horizontal = device.index % 2 === 0;
    this.#line = Math.floor(device.index / 2) % (world.area.side + 1);
    this.#pos = random() * world.area.side * CELL_M;
    this.#dir = random() < 0.5 ? 1 : -1;
    this.#speed = 35 + random() * 30;
    this.#odometerKm = 20_000 + random() * 150_000;
    this.#fuelPct = 40 + random() * 55;
  }

  /** Where the device is on its street. */
  #streetPoint(): { x: number; y: number } {
    const along = this.#pos;
    const across = this.#line * CELL_M;
    return this.#horizontal ? { x: along, y: across } : { x: across, y: along };
  }

  /** The place in the cell beside the device's street (either side), if that cell has one. */
  placeBeside(): BenchPlace | undefined {
    const side = this.#area.side;
    const along = Math.min(side - 1, Math.max(0, Math.floor(this.#pos / CELL_M)));
    for (const across of [this.#line, this.#line - 1]) {
      if (across < 0 || across >= side) continue;
      const index = this.#horizontal ? across * side + along : along * side + across;
      const place = this.#places[index];
      if (place) return place;
    }
    return undefined;
  }

  /** The next record (stamped max(now, last + 1)) and the alerts it made due. */
  nextRecord(now: number): { record: TelemetryInput; triggers: ProbeTrigger[] } {
    this.seq += 1;
    const ts = now > this.lastTs ? now : this.lastTs + 1;
    this.lastTs = ts;
    const triggers: ProbeTrigger[] = [];
    // The street drive, every second; a visiting probe's street position waits for it (its way
    // back then crosses no other cell).
    const end = this.#area.side * CELL_M;
    const metres = this.#speed / 3.6;
    if (this.#visit === undefined) this.#pos += this.#dir * metres;
    if (this.#pos > end) {
      this.#pos = end;
      this.#dir = -1;
    } else if (this.#pos < 0) {
      this.#pos = 0;
      this.#dir = 1;
    }
    this.#odometerKm += metres / 1000;
    this.#fuelPct = Math.max(20, this.#fuelPct - metres * 0.000_01);
    const wiggle = Math.sin(this.seq / 7);
    let speedKmh = this.#speed + wiggle * 2;
    let coolantTempC = 88 + wiggle * 3;
    let dtcCodes: string[] | undefined;
    let point = toLatLon(this.#area, this.#streetPoint().x, this.#streetPoint().y);

    if (this.#probe !== undefined && this.#episode === undefined) {
      const kind = episodeAt(this.#spec, this.#probe, this.seq);
      if (kind) {
        this.#episodes++;
        this.#episode = {
          kind,
          records: 0,
          since: ts,
          dueSent: false,
          code: FAULT_CODES[(this.#episodes + this.#probe) % FAULT_CODES.length] as string,
        };
        if (kind === 'visit') {
          const place = this.placeBeside();
          if (!place)
            this.#episode = undefined; // no place beside this stretch: a quiet period
          else this.#visit = { place, records: 0, raises: visitAlerts(place.category) };
        }
      }
    }
    const e = this.#episode;
    if (e) {
      const due = (ruleName: string, kind: RuleKind, startedAt: number, dueAt: number) =>
        triggers.push({ deviceId: this.#deviceId, ruleName, kind, startedAt, triggerAt: ts, dueAt });
      if (e.kind === 'overspeed') {
        speedKmh = PROBE_SPEED_KMH + wiggle;
        e.records++;
        // Due with the first record at least the minimum duration after the first one over the limit.
        if (!e.dueSent && ts - e.since >= SPEEDING_MIN_S * 1000) {
          due('Speeding', 'overspeed', e.since, e.since + SPEEDING_MIN_S * 1000);
          e.dueSent = true;
        }
        if (e.dueSent && e.records >= EPISODE_RECORDS) this.#episode = undefined;
      } else if (e.kind === 'engine_fault') {
        dtcCodes = [e.code];
        due('Engine fault code', 'engine_fault', ts, ts);
        this.#episode = undefined;
      } else if (e.kind === 'overheat') {
        coolantTempC = OVERHEAT_ABOVE_C + 8;
        due('Engine overheating', 'threshold', ts, ts);
        this.#episode = undefined;
      } else if (e.kind === 'visit' && this.#visit) {
        const v = this.#visit;
        if (v.records < VISIT_RECORDS) {
          point = v.place.inside;
          speedKmh = 8;
          if (v.records === 0)
            for (const r of v.raises) if (r.on === 'enter') due(r.rule.name, r.rule.kind, ts, ts);
          v.records++;
        } else {
          for (const r of v.raises) if (r.on === 'exit') due(r.rule.name, r.rule.kind, ts, ts);
          this.#visit = undefined;
          this.#episode = undefined;
        }
      }
    }
    const heading = this.#horizontal ? (this.#dir > 0 ? 90 : 270) : this.#dir > 0 ? 0 : 180;
    const record: TelemetryInput = {
      seq: this.seq,
      tsMs: ts,
      lat: point.lat,
      lon: point.lon,
      speedKmh,
      headingDeg: heading,
      altitudeM: 20,
      hdop: 0.9,
      satellites: 11,
      ignition: true,
      odometerKm: this.#odometerKm,
      fuelLevelPct: this.#fuelPct,
      batteryV: 4.1,
      externalV: 13.9,
      engineRpm: Math.round(750 + speedKmh * 22),
      coolantTempC,
      ...(dtcCodes ? { dtcCodes } : {}),
    };
    return { record, triggers };
  }
}
