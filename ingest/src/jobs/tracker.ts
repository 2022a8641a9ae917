// Which dispatched jobs telemetry moves on: a job goes en route when one of its vehicles is
// out of its depot and moving, and on site when one enters the job's place (the same
// point-in-place test as the geofence rules, shared/src/geo.ts). Only near the job's window:
// a van dispatched today for tomorrow morning is not en route while it works today's job.
// Pure: the service (service.ts) loads the jobs and writes the moves.
import type { TelemetryRecord } from '@fleet/shared';
import { haversineM, type LatLon, type PlaceShape, pointInPlace } from '@fleet/shared/geo';
import { canMoveJob, type JobState } from '@fleet/shared/jobs';

/** A job out with the fleet, as the tracker follows it. */
export interface TrackedJob {
  id: string;
  orgId: string;
  number: number;
  title: string;
  state: JobState;
  startsAt: number;
  endsAt: number;
  placeId: string;
  site: PlaceShape;
  vehicles: readonly {
    assetId: string;
    deviceIds: readonly string[];
    /** Its home place; none: out of the depot means moving at all. */
    depot: PlaceShape | null;
  }[];
}

export interface JobMove {
  job: TrackedJob;
  from: JobState;
  to: JobState;
  assetId: string;
  /** The record's device time. */
  at: number;
}

/** An en-route job's estimated arrival, from its nearest vehicle. */
export interface JobEta {
  job: TrackedJob;
  assetId: string;
  etaAt: number;
  /** Road distance left, estimated (straight line times ROAD_FACTOR). */
  distanceKm: number;
  /** The fix it was computed from (device time). */
  at: number;
}

/**
 * Roads are longer than the straight line: about 1.3 times in a city (the usual detour index of
 * urban road networks). The platform has no road network of its own; the simulator's is not the
 * customer's.
 */
export const ROAD_FACTOR = 1.3;
/** The speed an ETA assumes before a vehicle has shown its own, and the bounds of what it learns. */
const DEFAULT_KMH = 40;
const MIN_KMH = 15;
const MAX_KMH = 90;
/** How much each moving fix moves the learned speed (about the last 20 fixes). */
const SPEED_WEIGHT = 0.05;

function centreOf(shape: PlaceShape): LatLon {
  if (shape.kind === 'circle') return shape.center;
  return {
    lat: (shape.bbox.minLat + shape.bbox.maxLat) / 2,
    lon: (shape.bbox.minLon + shape.bbox.maxLon) / 2,
  };
}

export interface JobTrackerOptions {
  /** How long before the window a vehicle leaving counts as en route for it. */
  leadMs: number;
  /**
   * Moving: at least this fast. GPS drift at a standstill stays below it (trackers report 0-2
   * km/h parked); a van edging out of a yard or down a living street at walking pace is above
   * it (5 km/h missed the demo's vans leaving the depot at 4.6).
   */
  movingKmh: number;
}

export const DEFAULT_JOB_TRACKER_OPTIONS: JobTrackerOptions = { leadMs: 3 * 3_600_000, movingKmh: 3 };

export class JobTracker {
  readonly #options: JobTrackerOptions;
  /** deviceId -> the jobs its vehicle is booked on, with the vehicle. */
  #byDevice = new Map<string, { job: TrackedJob; vehicle: TrackedJob['vehicles'][number] }[]>();
  #byOrg = new Map<string, TrackedJob[]>();
  /** deviceId -> its recent moving speed, km/h. */
  readonly #speed = new Map<string, number>();
  /** jobId -> assetId -> that vehicle's latest estimate. */
  readonly #estimates = new Map<string, Map<string, JobEta>>();
  /** jobId -> the estimate last handed out. */
  readonly #told = new Map<string, JobEta>();
  #pending = new Map<string, JobEta>();

  constructor(options: Partial<JobTrackerOptions> = {}) {
    this.#options = { ...DEFAULT_JOB_TRACKER_OPTIONS, ...options };
  }

  /** Replaces what is followed for one organisation. */
  load(orgId: string, jobs: readonly TrackedJob[]): void {
    this.#byOrg.set(
      orgId,
      jobs.map((j) => ({ ...j })),
    );
    this.#index();
  }

  forget(orgId: string): void {
    this.#byOrg.delete(orgId);
    this.#index();
  }

  /** The jobs followed for one organisation, in their current states. */
  jobsOf(orgId: string): readonly TrackedJob[] {
    return this.#byOrg.get(orgId) ?? [];
  }

  /** The organisations with followed jobs. */
  orgs(): IterableIterator<string> {
    return this.#byOrg.keys();
  }

  /** A job's current estimate: its first vehicle's to arrive. */
  etaOf(jobId: string): JobEta | undefined {
    let first: JobEta | undefined;
    for (const e of this.#estimates.get(jobId)?.values() ?? [])
      if (!first || e.etaAt < first.etaAt) first = e;
    return first;
  }

  get size(): number {
    let n = 0;
    for (const jobs of this.#byOrg.values()) n += jobs.length;
    return n;
  }

  #index(): void {
    const byDevice = new Map<string, { job: TrackedJob; vehicle: TrackedJob['vehicles'][number] }[]>();
    for (const jobs of this.#byOrg.values())
      for (const job of jobs)
        for (const vehicle of job.vehicles)
          for (const deviceId of vehicle.deviceIds) {
            const list = byDevice.get(deviceId) ?? [];
            list.push({ job, vehicle });
            byDevice.set(deviceId, list);
          }
    this.#byDevice = byDevice;
    // Estimates of jobs no longer followed go with them.
    const followed = new Set([...this.#byOrg.values()].flat().map((j) => j.id));
    for (const id of this.#estimates.keys()) if (!followed.has(id)) this.#estimates.delete(id);
    for (const id of this.#told.keys()) if (!followed.has(id)) this.#told.delete(id);
  }

  /** The moves these stored records make; the tracked jobs take their new state at once. */
  observe(records: readonly TelemetryRecord[]): JobMove[] {
    const moves: JobMove[] = [];
    for (const r of records) {
      if (r.lat === undefined || r.lon === undefined) continue;
      const booked = this.#byDevice.get(r.deviceId);
      if (!booked) continue;
      if (r.speedKmh !== undefined && r.speedKmh >= this.#options.movingKmh) {
        const was = this.#speed.get(r.deviceId);
        this.#speed.set(r.deviceId, was === undefined ? r.speedKmh : was + SPEED_WEIGHT * (r.speedKmh - was));
      }
      for (const { job, vehicle } of booked) {
        if (job.orgId !== r.tenant) continue;
        const to = this.#next(job, vehicle, r);
        if (to !== undefined && canMoveJob(job.state, to, 'telemetry')) {
          moves.push({ job, from: job.state, to, assetId: vehicle.assetId, at: r.ts });
          job.state = to;
        }
        if (job.state === 'en_route') this.#estimate(job, vehicle.assetId, r);
      }
    }
    return moves;
  }

  /** The estimates that moved by a minute or more, or are 30 s old, since last asked. */
  etas(): JobEta[] {
    // Asked after every message: nothing to allocate for the many that change no estimate.
    if (this.#pending.size === 0) return [];
    const out = [...this.#pending.values()];
    this.#pending = new Map();
    for (const e of out) this.#told.set(e.job.id, e);
    return out;
  }

  #estimate(job: TrackedJob, assetId: string, r: TelemetryRecord): void {
    const here = { lat: r.lat as number, lon: r.lon as number };
    const distanceKm = (haversineM(here, centreOf(job.site)) / 1000) * ROAD_FACTOR;
    const kmh = Math.min(MAX_KMH, Math.max(MIN_KMH, this.#speed.get(r.deviceId) ?? DEFAULT_KMH));
    const eta: JobEta = { job, assetId, etaAt: r.ts + (distanceKm / kmh) * 3_600_000, distanceKm, at: r.ts };
    let byAsset = this.#estimates.get(job.id);
    if (!byAsset) {
      byAsset = new Map();
      this.#estimates.set(job.id, byAsset);
    }
    byAsset.set(assetId, eta);
    // The job's ETA is its first vehicle's to arrive.
    let first = eta;
    for (const e of byAsset.values()) if (e.etaAt < first.etaAt) first = e;
    const told = this.#told.get(job.id);
    if (told === undefined || Math.abs(first.etaAt - told.etaAt) >= 60_000 || first.at - told.at >= 30_000)
      this.#pending.set(job.id, first);
  }

  #next(job: TrackedJob, vehicle: TrackedJob['vehicles'][number], r: TelemetryRecord): JobState | undefined {
    if (r.ts < job.startsAt - this.#options.leadMs || r.ts > job.endsAt) return undefined;
    const at = { lat: r.lat as number, lon: r.lon as number };
    if (pointInPlace(job.site, at)) return 'on_site';
    if (job.state !== 'dispatched') return undefined;
    const moving = (r.speedKmh ?? 0) >= this.#options.movingKmh;
    if (!moving) return undefined;
    if (vehicle.depot !== null && pointInPlace(vehicle.depot, at)) return undefined;
    return 'en_route';
  }
}
