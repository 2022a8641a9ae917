// Jobs as a running part of the device side: the tracker (tracker.ts) fed by the pipeline's
// "track jobs" step, its moves written as job events and published on the hub's `jobs` topic.
// An organisation's dispatched jobs are read again when they change (NOTIFY fleet_jobs: a job,
// its bookings, an installation, a depot or a place moved) and every refresh period. A move is
// written only if the job is still in the state it moved from, so a reload racing a write, or a
// person's move meanwhile, never moves a job twice. Nothing here runs on the pipeline's path:
// observe() only updates memory and queues the writes.
import type { EventBus, FaultReporter, TelemetryRecord } from '@fleet/shared';
import { placeShapeFromRow, type SqlDatabase, type StoredPlaceShape } from '@fleet/shared/db';
import { DISPATCHED_JOB_STATES, type JobChange, type JobState, jobReference } from '@fleet/shared/jobs';
import { Counter, Gauge, type Registry } from 'prom-client';
import { writeSignals } from '../rules/alert-writer.ts';
import type { OrgRulesSource } from '../rules/engine.ts';
import { evaluateLateness, type JobLateRule } from './lateness.ts';
import { type JobEta, type JobMove, JobTracker, type JobTrackerOptions, type TrackedJob } from './tracker.ts';

export const JOBS_CHANNEL = 'fleet_jobs';

export interface JobServiceDeps {
  db: SqlDatabase;
  bus: EventBus;
  faults: FaultReporter;
  metricsRegistry: Registry;
  /** How often every organisation's jobs are read again (a missed NOTIFY costs at most this). */
  refreshMs: number;
  tracker?: Partial<JobTrackerOptions>;
  /** The rules (job_late) and assets of each organisation: the rule engine's directory. */
  directory?: OrgRulesSource;
  now?: () => number;
}

export interface JobService {
  observe(records: readonly TelemetryRecord[]): void;
  /** Reads every organisation with dispatched jobs again and writes queued moves now (tests). */
  flush(): Promise<void>;
  close(): Promise<void>;
}

interface JobRow extends StoredPlaceShape {
  id: string;
  org_id: string;
  number: number;
  title: string;
  state: JobState;
  starts_at: Date | string;
  ends_at: Date | string;
  place_id: string;
}

interface VehicleRow {
  job_id: string;
  asset_id: string;
  device_ids: string[] | string | null;
  depot_geometry: StoredPlaceShape['geometry'] | null;
  depot_radius_m: number | string | null;
  depot_min_lat: number | string | null;
  depot_min_lon: number | string | null;
  depot_max_lat: number | string | null;
  depot_max_lon: number | string | null;
}

const textArray = (v: string[] | string | null): string[] => {
  if (v === null) return [];
  if (Array.isArray(v)) return v;
  const inner = v.replace(/^\{|\}$/g, '');
  return inner === '' ? [] : inner.split(',').map((s) => s.replace(/^"|"$/g, ''));
};

/** The dispatched jobs of one organisation whose window has not ended, with their vehicles' devices and depots. */
async function loadTrackedJobs(db: SqlDatabase, orgId: string): Promise<TrackedJob[]> {
  const jobs = await db.query<JobRow>(
    `select j.id::text as id, j.org_id::text as org_id, j.number, j.title, j.state, j.starts_at, j.ends_at,
       p.id::text as place_id, p.geometry, p.radius_m, p.min_lat, p.min_lon, p.max_lat, p.max_lon
     from jobs j join places p on p.id = j.place_id
     where j.org_id = $1::uuid and j.state = any($2::text[]) and j.ends_at > now()`,
    [orgId, DISPATCHED_JOB_STATES],
  );
  if (jobs.length === 0) return [];
  const vehicles = await db.query<VehicleRow>(
    `select x.job_id::text as job_id, a.id::text as asset_id,
       array(select i.device_id from installations i where i.asset_id = a.id and i.removed_at is null) as device_ids,
       d.geometry as depot_geometry, d.radius_m as depot_radius_m, d.min_lat as depot_min_lat,
       d.min_lon as depot_min_lon, d.max_lat as depot_max_lat, d.max_lon as depot_max_lon
     from job_assets x join assets a on a.id = x.asset_id left join places d on d.id = a.home_place_id
     where x.job_id = any($1::uuid[]) and a.kind = 'vehicle'`,
    [jobs.map((j) => j.id)],
  );
  return jobs.map((j) => ({
    id: j.id,
    orgId: j.org_id,
    number: Number(j.number),
    title: j.title,
    state: j.state,
    startsAt: new Date(j.starts_at).getTime(),
    endsAt: new Date(j.ends_at).getTime(),
    placeId: j.place_id,
    site: placeShapeFromRow(j),
    vehicles: vehicles
      .filter((v) => v.job_id === j.id)
      .map((v) => ({
        assetId: v.asset_id,
        deviceIds: textArray(v.device_ids),
        depot:
          v.depot_geometry === null
            ? null
            : placeShapeFromRow({
                geometry: v.depot_geometry,
                radius_m: v.depot_radius_m,
                min_lat: v.depot_min_lat ?? 0,
                min_lon: v.depot_min_lon ?? 0,
                max_lat: v.depot_max_lat ?? 0,
                max_lon: v.depot_max_lon ?? 0,
              }),
      })),
  }));
}

/** Each en-route job's latest estimate (not audited: it changes every half minute). */
async function writeEtas(db: SqlDatabase, estimates: readonly JobEta[]): Promise<void> {
  await db.query(
    `insert into job_etas (job_id, org_id, asset_id, eta_at, distance_km, computed_at, updated_at)
     select x.j, x.o, x.a, to_timestamp(x.e / 1000), x.d, to_timestamp(x.c / 1000), now()
       from jsonb_to_recordset($1::jsonb) as x(j uuid, o uuid, a uuid, e float8, d float8, c float8)
      where exists (select 1 from jobs where id = x.j and state = 'en_route')
     on conflict (job_id) do update set asset_id = excluded.asset_id, eta_at = excluded.eta_at,
       distance_km = excluded.distance_km, computed_at = excluded.computed_at, updated_at = now()`,
    [
      JSON.stringify(
        estimates.map((e) => ({
          j: e.job.id,
          o: e.job.orgId,
          a: e.assetId,
          e: e.etaAt,
          d: Math.round(e.distanceKm * 1000) / 1000,
          c: e.at,
        })),
      ),
    ],
  );
}

export async function startJobService(deps: JobServiceDeps): Promise<JobService> {
  const tracker = new JobTracker(deps.tracker);
  const moved = new Counter({
    name: 'fleet_jobs_moved_by_telemetry_total',
    help: 'Jobs telemetry moved on, by the state they went to',
    labelNames: ['to'],
    registers: [deps.metricsRegistry],
  });
  const followed = new Gauge({
    name: 'fleet_jobs_followed',
    help: 'Dispatched jobs whose vehicles the device side follows',
    registers: [deps.metricsRegistry],
  });
  const now = deps.now ?? Date.now;
  const stale = new Set<string>();
  /** orgId -> episode keys of its active job_late alerts. */
  const lateKnown = new Map<string, Set<string>>();
  for (const a of await deps.db.query<{ org_id: string; episode_key: string }>(
    `select org_id::text as org_id, episode_key from alerts where kind = 'job_late' and active`,
  )) {
    const keys = lateKnown.get(a.org_id) ?? new Set<string>();
    keys.add(a.episode_key);
    lateKnown.set(a.org_id, keys);
  }
  let queue: JobMove[] = [];
  let etas = new Map<string, JobEta>();
  let closed = false;
  let running: Promise<void> | undefined;

  const stopListening = await deps.db.listen(JOBS_CHANNEL, (orgId) => {
    if (/^[0-9a-f-]{36}$/i.test(orgId)) {
      stale.add(orgId);
      kick();
    }
  });

  async function reloadAll(): Promise<void> {
    const orgs = await deps.db.query<{ org_id: string }>(
      `select distinct org_id::text as org_id from jobs where state = any($1::text[]) and ends_at > now()`,
      [DISPATCHED_JOB_STATES],
    );
    const active = new Set(orgs.map((o) => o.org_id));
    for (const orgId of active) stale.add(orgId);
    // Organisations with nothing dispatched any more: forget them.
    for (const orgId of followedOrgs) if (!active.has(orgId)) stale.add(orgId);
  }
  const followedOrgs = new Set<string>();

  async function reload(orgId: string): Promise<void> {
    const jobs = await loadTrackedJobs(deps.db, orgId);
    if (jobs.length === 0) {
      tracker.forget(orgId);
      followedOrgs.delete(orgId);
    } else {
      tracker.load(orgId, jobs);
      followedOrgs.add(orgId);
    }
    followed.set(tracker.size);
  }

  async function write(move: JobMove): Promise<JobChange | undefined> {
    const column = move.to === 'en_route' ? 'en_route_at' : 'on_site_at';
    return deps.db.transaction(async (tx) => {
      const rows = await tx.query<{ updated_at: Date | string }>(
        `update jobs set state = $2, ${column} = coalesce(${column}, to_timestamp($4::float8 / 1000)), updated_at = now()
         where id = $1::uuid and state = $3 returning updated_at`,
        [move.job.id, move.to, move.from, move.at],
      );
      if (rows.length === 0) return undefined;
      await tx.query(
        `insert into job_events (org_id, job_id, from_state, to_state, source, asset_id, at)
         values ($1::uuid, $2::uuid, $3, $4, 'telemetry', $5::uuid, to_timestamp($6::float8 / 1000))`,
        [move.job.orgId, move.job.id, move.from, move.to, move.assetId, move.at],
      );
      return {
        orgId: move.job.orgId,
        jobId: move.job.id,
        reference: jobReference(move.job.number),
        title: move.job.title,
        from: move.from,
        to: move.to,
        source: 'telemetry',
        assetId: move.assetId,
        at: new Date(move.at).toISOString(),
      } satisfies JobChange;
    });
  }

  async function cycle(): Promise<void> {
    for (const orgId of [...stale]) {
      stale.delete(orgId);
      try {
        await reload(orgId);
      } catch (err) {
        stale.add(orgId);
        deps.faults.report('jobs', 'reload', err, { orgId });
      }
    }
    const moves = queue;
    queue = [];
    for (const move of moves) {
      try {
        const change = await write(move);
        if (change) {
          moved.inc({ to: move.to });
          deps.bus.publish('job', change);
        }
      } catch (err) {
        deps.faults.report('jobs', 'write', err, { jobId: move.job.id });
        stale.add(move.job.orgId); // read it back: the tracker moved it in memory
      }
    }
    // After the moves: an estimate is kept only for a job the database has en route.
    const estimates = [...etas.values()];
    etas = new Map();
    if (estimates.length > 0)
      try {
        await writeEtas(deps.db, estimates);
      } catch (err) {
        deps.faults.report('jobs', 'eta', err);
      }
    await raiseLateness();
  }

  /** Opens and clears job_late alerts from the jobs' states and ETAs as they stand now. */
  async function raiseLateness(): Promise<void> {
    const directory = deps.directory;
    if (!directory) return;
    for (const orgId of new Set([...tracker.orgs(), ...lateKnown.keys()])) {
      const org = directory.get(orgId);
      const rules = (org?.rules ?? []).filter((r): r is JobLateRule => r.kind === 'job_late' && r.enabled);
      const known = lateKnown.get(orgId) ?? new Set<string>();
      if (rules.length === 0 && known.size === 0) continue;
      const result = evaluateLateness({
        orgId,
        jobs: tracker.jobsOf(orgId),
        etaOf: (jobId) => tracker.etaOf(jobId),
        rules,
        assetOf: (deviceId) => org?.context.assetOf(deviceId),
        departmentPath: (id) => org?.departmentPath(id) ?? [],
        known,
        now: now(),
      });
      if (result.signals.length === 0) continue;
      try {
        const changes = await deps.db.transaction((tx) => writeSignals(tx, result.signals));
        if (result.active.size > 0) lateKnown.set(orgId, result.active);
        else lateKnown.delete(orgId);
        for (const change of changes) deps.bus.publish('alert', change);
      } catch (err) {
        deps.faults.report('jobs', 'late', err, { orgId });
      }
    }
  }

  /** Set when work arrived during a run: one more run follows it. */
  let again = false;
  function run(): Promise<void> {
    const next = (running ?? Promise.resolve())
      .then(cycle)
      .catch((err: unknown) => deps.faults.report('jobs', 'cycle', err));
    const tracked: Promise<void> = next.finally(() => {
      if (running !== tracked) return;
      running = undefined;
      if (again) {
        again = false;
        kick();
      }
    });
    running = tracked;
    return next;
  }
  function kick(): void {
    if (closed) return;
    if (running !== undefined) again = true;
    else void run();
  }

  await reloadAll();
  await run();
  const timer = setInterval(() => {
    if (closed) return;
    reloadAll()
      .then(kick)
      .catch((err: unknown) => deps.faults.report('jobs', 'refresh', err));
  }, deps.refreshMs);
  timer.unref?.();

  return {
    observe(records) {
      const moves = tracker.observe(records);
      const estimates = tracker.etas();
      for (const e of estimates) etas.set(e.job.id, e);
      if (moves.length === 0 && estimates.length === 0) return;
      queue.push(...moves);
      kick();
    },
    async flush() {
      await running;
      await reloadAll();
      await run();
    },
    async close() {
      closed = true;
      clearInterval(timer);
      await stopListening();
      await running;
      if (queue.length > 0) await run();
    },
  };
}
