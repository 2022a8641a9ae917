// Which dispatched jobs telemetry moves on: a job goes en route when one of its vehicles is
// out of its depot and moving, and on site when one enters the job's place (the same
// point-in-place test as the geofence rules, shared/src/geo.ts). Only near the job's window:
// a van dispatched today for tomorrow morning is not en route while it works today's job.
// Pure: the service (service.ts) loads the jobs and writes the moves.
import type { TelemetryRecord } from '@fleet/shared';
import { type PlaceShape, pointInPlace } from '@fleet/shared/geo';
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

export interface JobTrackerOptions {
  /** How long before the window a vehicle leaving counts as en route for it. */
  leadMs: number;
  /** Moving: at least this fast (GPS drift at a standstill stays below it). */
  movingKmh: number;
}

export const DEFAULT_JOB_TRACKER_OPTIONS: JobTrackerOptions = { leadMs: 3 * 3_600_000, movingKmh: 5 };

export class JobTracker {
  readonly #options: JobTrackerOptions;
  /** deviceId -> the jobs its vehicle is booked on, with the vehicle. */
  #byDevice = new Map<string, { job: TrackedJob; vehicle: TrackedJob['vehicles'][number] }[]>();
  #byOrg = new Map<string, TrackedJob[]>();

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
  }

  /** The moves these stored records make; the tracked jobs take their new state at once. */
  observe(records: readonly TelemetryRecord[]): JobMove[] {
    const moves: JobMove[] = [];
    for (const r of records) {
      if (r.lat === undefined || r.lon === undefined) continue;
      const booked = this.#byDevice.get(r.deviceId);
      if (!booked) continue;
      for (const { job, vehicle } of booked) {
        if (job.orgId !== r.tenant) continue;
        const to = this.#next(job, vehicle, r);
        if (to === undefined || !canMoveJob(job.state, to, 'telemetry')) continue;
        moves.push({ job, from: job.state, to, assetId: vehicle.assetId, at: r.ts });
        job.state = to;
      }
    }
    return moves;
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
