// Jobs of one organisation under row-level security: booking (place, window, vehicles, items,
// crew), the conflicts each booking meets (conflicts.ts decides, this loads the facts), and the
// moves people make (telemetry's are the device side's job tracker, ingest/src/jobs). Every move
// is a job event; the audit log has the field changes (migration 0016's triggers).
import {
  dueStatuses,
  inTurn,
  loadMaintenanceSnapshot,
  type SqlExecutor,
  type SqlParam,
  TenantRepository,
} from '@fleet/shared/db';
import {
  canMoveJob,
  FINAL_JOB_STATES,
  JOB_LATE_GRACE_MS,
  type JobChange,
  type JobState,
  jobReference,
  UNFINISHED_JOB_STATES,
} from '@fleet/shared/jobs';
import { localDay, localDayStart, nextDay } from '@fleet/shared/time-zone';
import { ApiError } from '../../http/errors.ts';
import {
  type BookedAsset,
  type BookedPerson,
  type JobConflict,
  jobConflicts,
  type OverlappingBooking,
} from './conflicts.ts';
import type { Job, JobChanges, JobQuery, NewJob } from './schemas.ts';

interface JobRow {
  id: string;
  number: number;
  title: string;
  project_id: string | null;
  project_name: string | null;
  project_client: string | null;
  place_id: string;
  place_name: string;
  place_category: string;
  starts_at: Date | string;
  ends_at: Date | string;
  state: JobState;
  notes: string | null;
  dispatched_at: Date | string | null;
  en_route_at: Date | string | null;
  on_site_at: Date | string | null;
  completed_at: Date | string | null;
  cancelled_at: Date | string | null;
  cancel_reason: string | null;
  created_at: Date | string;
  updated_at: Date | string;
  eta_at: Date | string | null;
  eta_asset_id: string | null;
  eta_distance_km: number | string | null;
  eta_computed_at: Date | string | null;
}

const SELECT = `
  select j.id::text as id, j.number, j.title, j.project_id::text as project_id, p.name as project_name,
    p.client as project_client, j.place_id::text as place_id, pl.name as place_name, pl.category as place_category,
    j.starts_at, j.ends_at, j.state, j.notes, j.dispatched_at, j.en_route_at, j.on_site_at, j.completed_at,
    j.cancelled_at, j.cancel_reason, j.created_at, j.updated_at, e.eta_at, e.asset_id::text as eta_asset_id,
    e.distance_km as eta_distance_km, e.computed_at as eta_computed_at
  from jobs j
  join places pl on pl.id = j.place_id
  left join projects p on p.id = j.project_id
  left join job_etas e on e.job_id = j.id and j.state = 'en_route'`;

interface AssetRow {
  job_id: string;
  id: string;
  kind: 'vehicle' | 'equipment';
  name: string;
  plate: string | null;
  category: string | null;
  status: BookedAsset['status'];
  licence_class: string | null;
}

interface CrewRow {
  job_id: string;
  driver_id: string;
  name: string;
  role: 'driver' | 'crew';
  vehicle_id: string | null;
  status: 'active' | 'inactive';
  licence_classes: string[] | string;
  licence_expiry: string | null;
}

const iso = (v: Date | string) => new Date(v).toISOString();
const isoOrNull = (v: Date | string | null) => (v === null ? null : iso(v));

/** PostgreSQL text[] as pg gives it (an array) or as PGlite may ('{B,C1}'). */
function textArray(v: string[] | string): string[] {
  if (Array.isArray(v)) return v;
  const inner = v.replace(/^\{|\}$/g, '');
  return inner === '' ? [] : inner.split(',');
}

function field(path: string, message: string): ApiError {
  return new ApiError('validation_failed', message, { details: [{ path, message }] });
}

interface Booking {
  jobId: string | undefined;
  startsAt: number;
  endsAt: number;
  assetIds: readonly string[];
  crew: readonly { driverId: string; role: 'driver' | 'crew'; vehicleId: string | null }[];
}

export class Jobs extends TenantRepository {
  async list(q: JobQuery): Promise<{ items: Job[]; truncated: boolean }> {
    return this.tx(async (tx) => {
      const { timeZone } = await orgTime(tx, this.orgId);
      const args: SqlParam[] = [];
      const param = (v: SqlParam) => {
        args.push(v);
        return `$${args.length}`;
      };
      const where: string[] = [];
      let from: number | undefined;
      let to: number | undefined;
      if (q.day !== undefined) {
        from = localDayStart(q.day, timeZone);
        to = localDayStart(nextDay(q.day), timeZone);
      } else if (q.from !== undefined && q.to !== undefined) {
        from = Date.parse(q.from);
        to = Date.parse(q.to);
      }
      if (from !== undefined && to !== undefined)
        where.push(
          `j.starts_at < ${param(new Date(to).toISOString())}::timestamptz and j.ends_at > ${param(new Date(from).toISOString())}::timestamptz`,
        );
      if (q.state !== undefined) where.push(`j.state = any(${param(q.state)}::text[])`);
      if (q.projectId !== undefined) where.push(`j.project_id = ${param(q.projectId)}::uuid`);
      if (q.placeId !== undefined) where.push(`j.place_id = ${param(q.placeId)}::uuid`);
      if (q.assetId !== undefined)
        where.push(
          `exists (select 1 from job_assets x where x.job_id = j.id and x.asset_id = ${param(q.assetId)}::uuid)`,
        );
      if (q.driverId !== undefined)
        where.push(
          `exists (select 1 from job_crew x where x.job_id = j.id and x.driver_id = ${param(q.driverId)}::uuid)`,
        );
      const rows = await tx.query<JobRow>(
        `${SELECT} ${where.length ? `where ${where.join(' and ')}` : ''}
         order by j.starts_at, j.number limit ${param(q.limit + 1)}`,
        args,
      );
      const truncated = rows.length > q.limit;
      const page = rows.slice(0, q.limit);
      return { items: await this.#withBookings(tx, page, timeZone), truncated };
    });
  }

  async get(id: string): Promise<Job | undefined> {
    return this.tx(async (tx) => {
      const rows = await tx.query<JobRow>(`${SELECT} where j.id = $1::uuid`, [id]);
      if (rows.length === 0) return undefined;
      const { timeZone } = await orgTime(tx, this.orgId);
      return (await this.#withBookings(tx, rows, timeZone))[0];
    });
  }

  async create(body: NewJob, userId: string | null): Promise<{ job: Job; change: JobChange }> {
    const job = await this.tx(async (tx) => {
      await checkReferences(tx, body);
      const counter = await tx.query<{ last_number: number }>(
        `insert into job_counters (org_id, last_number) values ($1::uuid, 1)
         on conflict (org_id) do update set last_number = job_counters.last_number + 1
         returning last_number`,
        [this.orgId],
      );
      const number = Number(counter[0]?.last_number);
      const inserted = await tx.query<{ id: string }>(
        `insert into jobs (org_id, number, project_id, title, place_id, starts_at, ends_at, notes, created_by)
         values ($1::uuid, $2, $3::uuid, $4, $5::uuid, $6::timestamptz, $7::timestamptz, $8, $9::uuid)
         returning id::text as id`,
        [
          this.orgId,
          number,
          body.projectId ?? null,
          body.title,
          body.placeId,
          body.startsAt,
          body.endsAt,
          body.notes ?? null,
          userId,
        ],
      );
      const id = inserted[0]?.id as string;
      await writeBooking(tx, this.orgId, id, body.assetIds ?? [], body.crew ?? []);
      await tx.query(
        `insert into job_events (org_id, job_id, from_state, to_state, source, user_id, at)
         values ($1::uuid, $2::uuid, null, 'planned', 'user', $3::uuid, now())`,
        [this.orgId, id, userId],
      );
      const rows = await tx.query<JobRow>(`${SELECT} where j.id = $1::uuid`, [id]);
      const { timeZone } = await orgTime(tx, this.orgId);
      return (await this.#withBookings(tx, rows, timeZone))[0] as Job;
    });
    return { job, change: changeOf(this.orgId, job, null, 'user', null) };
  }

  async update(id: string, changes: JobChanges): Promise<{ job: Job; change: JobChange } | undefined> {
    return this.tx(async (tx) => {
      const current = await tx.query<{
        state: JobState;
        starts_at: Date | string;
        ends_at: Date | string;
      }>('select state, starts_at, ends_at from jobs where id = $1::uuid for update', [id]);
      const row = current[0];
      if (!row) return undefined;
      if (FINAL_JOB_STATES.includes(row.state))
        throw new ApiError('conflict', `The job is ${row.state}; a finished job is not changed.`);
      const startsAt = changes.startsAt ?? iso(row.starts_at);
      const endsAt = changes.endsAt ?? iso(row.ends_at);
      if (Date.parse(endsAt) <= Date.parse(startsAt))
        throw field(
          changes.endsAt !== undefined ? 'body.endsAt' : 'body.startsAt',
          'endsAt is after startsAt',
        );
      await checkReferences(tx, changes);
      const sets: string[] = [];
      const args: SqlParam[] = [id];
      const set = (column: string, value: SqlParam, cast = '') => {
        args.push(value);
        sets.push(`${column} = $${args.length}${cast}`);
      };
      if (changes.title !== undefined) set('title', changes.title);
      if (changes.projectId !== undefined) set('project_id', changes.projectId, '::uuid');
      if (changes.placeId !== undefined) set('place_id', changes.placeId, '::uuid');
      if (changes.startsAt !== undefined) set('starts_at', changes.startsAt, '::timestamptz');
      if (changes.endsAt !== undefined) set('ends_at', changes.endsAt, '::timestamptz');
      if (changes.notes !== undefined) set('notes', changes.notes);
      sets.push('updated_at = now()');
      await tx.query(`update jobs set ${sets.join(', ')} where id = $1::uuid`, args);
      if (changes.assetIds !== undefined || changes.crew !== undefined) {
        const assetIds =
          changes.assetIds ??
          (
            await tx.query<{ asset_id: string }>(
              'select asset_id::text as asset_id from job_assets where job_id = $1::uuid',
              [id],
            )
          ).map((r) => r.asset_id);
        const crew =
          changes.crew ??
          (
            await tx.query<{ driver_id: string; role: 'driver' | 'crew'; vehicle_id: string | null }>(
              'select driver_id::text as driver_id, role, vehicle_id::text as vehicle_id from job_crew where job_id = $1::uuid',
              [id],
            )
          ).map((r) => ({ driverId: r.driver_id, role: r.role, vehicleId: r.vehicle_id }));
        crew.forEach((c, i) => {
          if (c.vehicleId && !assetIds.includes(c.vehicleId))
            throw field(
              `body.crew.${i}.vehicleId`,
              changes.crew === undefined
                ? `the job's driver ${c.driverId} drives a vehicle no longer booked: change the crew too`
                : 'the vehicle is not among the job’s assets',
            );
        });
        await tx.query('delete from job_crew where job_id = $1::uuid', [id]);
        await tx.query('delete from job_assets where job_id = $1::uuid', [id]);
        await writeBooking(tx, this.orgId, id, assetIds, crew);
      }
      const rows = await tx.query<JobRow>(`${SELECT} where j.id = $1::uuid`, [id]);
      const { timeZone } = await orgTime(tx, this.orgId);
      const job = (await this.#withBookings(tx, rows, timeZone))[0];
      // A change without a move (from = to): other boards read the job again.
      return job ? { job, change: changeOf(this.orgId, job, job.state, 'user', null) } : undefined;
    });
  }

  /** The conflicts a proposed booking would meet (nothing is saved). */
  async check(b: Booking): Promise<JobConflict[]> {
    return this.tx(async (tx) => {
      await checkReferences(tx, {
        assetIds: [...b.assetIds],
        crew: b.crew.map((c) => ({ ...c })),
      });
      const { timeZone } = await orgTime(tx, this.orgId);
      return bookingConflicts(tx, b, timeZone);
    });
  }

  async transition(
    id: string,
    to: JobState,
    options: { override?: boolean | undefined; reason?: string | undefined; note?: string | undefined },
    userId: string | null,
  ): Promise<{ job: Job; change: JobChange } | undefined> {
    return this.tx(async (tx) => {
      const rows = await tx.query<JobRow>(`${SELECT} where j.id = $1::uuid for update of j`, [id]);
      const row = rows[0];
      if (!row) return undefined;
      const from = row.state;
      if (!canMoveJob(from, to, 'user'))
        throw new ApiError(
          'conflict',
          FINAL_JOB_STATES.includes(from)
            ? `The job is ${from}; that is final.`
            : `A ${from.replace('_', ' ')} job cannot go to ${to.replace('_', ' ')}.`,
        );
      const { timeZone } = await orgTime(tx, this.orgId);
      const [job] = await this.#withBookings(tx, rows, timeZone);
      if (!job) return undefined;
      let note = options.note ?? null;
      if (to === 'dispatched') {
        if (job.assets.length === 0 && job.crew.length === 0)
          throw new ApiError('conflict', 'Nothing is booked on this job: add vehicles, items or crew first.');
        if (job.conflicts.length > 0) {
          if (options.override !== true)
            throw new ApiError(
              'conflict',
              `The job has ${job.conflicts.length} conflict${job.conflicts.length === 1 ? '' : 's'}; resolve them or dispatch with override.`,
              {
                details: job.conflicts.map((c) => ({ path: `conflicts.${c.kind}`, message: c.message })),
              },
            );
          const over = `dispatched over: ${job.conflicts.map((c) => c.message).join('; ')}`;
          note = (note === null ? over : `${note} (${over})`).slice(0, 1000);
        }
      }
      const stamp: Partial<Record<JobState, string>> = {
        dispatched: 'dispatched_at = now(),',
        en_route: 'en_route_at = coalesce(en_route_at, now()),',
        on_site: 'on_site_at = coalesce(on_site_at, now()),',
        completed: 'completed_at = now(),',
        cancelled: 'cancelled_at = now(), cancel_reason = $3,',
        // Recalled: it is planned again, as if never dispatched.
        planned: 'dispatched_at = null, en_route_at = null, on_site_at = null,',
      };
      await tx.query(
        `update jobs set ${stamp[to] ?? ''} state = $2, updated_at = now() where id = $1::uuid`,
        to === 'cancelled' ? [id, to, options.reason ?? null] : [id, to],
      );
      await tx.query(
        `insert into job_events (org_id, job_id, from_state, to_state, source, user_id, at, note)
         values ($1::uuid, $2::uuid, $3, $4, 'user', $5::uuid, now(), $6)`,
        [this.orgId, id, from, to, userId, note],
      );
      const after = await tx.query<JobRow>(`${SELECT} where j.id = $1::uuid`, [id]);
      const moved = (await this.#withBookings(tx, after, timeZone))[0] as Job;
      return { job: moved, change: changeOf(this.orgId, moved, from, 'user', null) };
    });
  }

  async events(id: string) {
    return this.tx(async (tx) => {
      const exists = await tx.query('select 1 from jobs where id = $1::uuid', [id]);
      if (exists.length === 0) return undefined;
      const rows = await tx.query<{
        at: Date | string;
        from_state: JobState | null;
        to_state: JobState;
        source: 'user' | 'telemetry';
        user_id: string | null;
        user_name: string | null;
        asset_id: string | null;
        asset_name: string | null;
        note: string | null;
      }>(
        `select e.at, e.from_state, e.to_state, e.source, e.user_id::text as user_id, u.name as user_name,
           e.asset_id::text as asset_id, a.name as asset_name, e.note
         from job_events e left join users u on u.id = e.user_id left join assets a on a.id = e.asset_id
         where e.job_id = $1::uuid order by e.id`,
        [id],
      );
      return rows.map((r) => ({
        at: iso(r.at),
        from: r.from_state,
        to: r.to_state,
        source: r.source,
        userId: r.user_id,
        userName: r.user_name,
        assetId: r.asset_id,
        assetName: r.asset_name,
        note: r.note,
      }));
    });
  }

  /** The jobs with what they book and the conflicts they meet, in the order given. */
  async #withBookings(tx: SqlExecutor, rows: readonly JobRow[], timeZone: string): Promise<Job[]> {
    if (rows.length === 0) return [];
    const ids = rows.map((r) => r.id);
    const [assets, crew] = await inTurn([
      () =>
        tx.query<AssetRow>(
          `select x.job_id::text as job_id, a.id::text as id, a.kind, a.name, a.plate, a.category, a.status, a.licence_class
           from job_assets x join assets a on a.id = x.asset_id
           where x.job_id = any($1::uuid[]) order by a.kind desc, lower(a.name)`,
          [ids],
        ),
      () =>
        tx.query<CrewRow>(
          `select c.job_id::text as job_id, d.id::text as driver_id, d.name, c.role, c.vehicle_id::text as vehicle_id,
             d.status, d.licence_classes, to_char(d.licence_expiry, 'YYYY-MM-DD') as licence_expiry
           from job_crew c join drivers d on d.id = c.driver_id
           where c.job_id = any($1::uuid[]) order by c.role, lower(d.name)`,
          [ids],
        ),
    ] as const);
    const open = rows.filter((r) => UNFINISHED_JOB_STATES.includes(r.state)).map((r) => r.id);
    const overlaps = open.length === 0 ? [] : await loadOverlaps(tx, open);
    const overdue = await overduePlans(
      tx,
      assets.filter((a) => open.includes(a.job_id)).map((a) => a.id),
    );
    return rows.map((r) => {
      const booked = assets.filter((a) => a.job_id === r.id);
      const people = crew.filter((c) => c.job_id === r.id);
      const conflicts = UNFINISHED_JOB_STATES.includes(r.state)
        ? jobConflicts({
            lastDay: lastDayOf(r.ends_at, timeZone),
            assets: booked.map((a) => bookedAsset(a, overdue)),
            crew: people.map(bookedPerson),
            overlaps: overlaps.filter((o) => o.jobId === r.id),
          })
        : [];
      return {
        id: r.id,
        number: r.number,
        reference: jobReference(r.number),
        title: r.title,
        project:
          r.project_id === null
            ? null
            : { id: r.project_id, name: r.project_name ?? '', client: r.project_client },
        place: { id: r.place_id, name: r.place_name, category: r.place_category },
        startsAt: iso(r.starts_at),
        endsAt: iso(r.ends_at),
        state: r.state,
        notes: r.notes,
        assets: booked.map((a) => ({
          id: a.id,
          kind: a.kind,
          name: a.name,
          plate: a.plate,
          category: a.category,
          status: a.status,
        })),
        crew: people.map((c) => ({
          driverId: c.driver_id,
          name: c.name,
          role: c.role,
          vehicleId: c.vehicle_id,
        })),
        conflicts,
        eta:
          r.eta_at === null || r.eta_asset_id === null || r.eta_computed_at === null
            ? null
            : {
                at: iso(r.eta_at),
                assetId: r.eta_asset_id,
                distanceKm: Number(r.eta_distance_km),
                computedAt: iso(r.eta_computed_at),
                late: new Date(r.eta_at).getTime() > new Date(r.starts_at).getTime() + JOB_LATE_GRACE_MS,
              },
        dispatchedAt: isoOrNull(r.dispatched_at),
        enRouteAt: isoOrNull(r.en_route_at),
        onSiteAt: isoOrNull(r.on_site_at),
        completedAt: isoOrNull(r.completed_at),
        cancelledAt: isoOrNull(r.cancelled_at),
        cancelReason: r.cancel_reason,
        createdAt: iso(r.created_at),
        updatedAt: iso(r.updated_at),
      };
    });
  }
}

function changeOf(
  orgId: string,
  job: Job,
  from: JobState | null,
  source: 'user' | 'telemetry',
  assetId: string | null,
): JobChange {
  return {
    orgId,
    jobId: job.id,
    reference: job.reference,
    title: job.title,
    from,
    to: job.state,
    source,
    assetId,
    at: job.updatedAt,
  };
}

async function orgTime(tx: SqlExecutor, orgId: string): Promise<{ timeZone: string }> {
  const rows = await tx.query<{ time_zone: string }>(
    'select time_zone from organisations where id = $1::uuid',
    [orgId],
  );
  return { timeZone: rows[0]?.time_zone ?? 'UTC' };
}

/** The calendar day the window's last moment falls on (a job ending at midnight ends the day before). */
function lastDayOf(endsAt: Date | string | number, timeZone: string): string {
  return localDay(new Date(endsAt).getTime() - 1, timeZone);
}

function bookedAsset(a: AssetRow, overdue: ReadonlyMap<string, string[]>): BookedAsset {
  return {
    id: a.id,
    kind: a.kind,
    name: a.name,
    status: a.status,
    licenceClass: a.licence_class,
    overduePlans: overdue.get(a.id) ?? [],
  };
}

function bookedPerson(c: CrewRow): BookedPerson {
  return {
    driverId: c.driver_id,
    name: c.name,
    status: c.status,
    licenceClasses: textArray(c.licence_classes),
    licenceExpiry: c.licence_expiry,
    role: c.role,
    vehicleId: c.vehicle_id,
  };
}

/** The plans each asset is overdue on, by name. */
async function overduePlans(tx: SqlExecutor, assetIds: readonly string[]): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  const unique = [...new Set(assetIds)];
  if (unique.length === 0) return out;
  // A job books a handful: read those; a board of many jobs reads the organisation once.
  const snapshots =
    unique.length <= 4
      ? await inTurn(unique.map((id) => () => loadMaintenanceSnapshot(tx, undefined, id)))
      : [await loadMaintenanceSnapshot(tx, undefined)];
  const wanted = new Set(unique);
  for (const snapshot of snapshots) {
    snapshot.assets = snapshot.assets.filter((a) => wanted.has(a.id));
    for (const s of dueStatuses(snapshot, Date.now())) {
      if (s.status.level !== 'overdue') continue;
      const list = out.get(s.asset.id) ?? [];
      list.push(s.plan.name);
      out.set(s.asset.id, list);
    }
  }
  return out;
}

interface OtherJobRow {
  other_id: string;
  other_number: number;
  other_title: string;
  other_starts_at: Date | string;
  other_ends_at: Date | string;
}

/** Another job's booking of one of the same assets or people. */
interface BookingRow extends OtherJobRow {
  resource: 'asset' | 'driver';
  resource_id: string;
}

function otherJobOf(r: OtherJobRow): OverlappingBooking['otherJob'] {
  return {
    id: r.other_id,
    reference: jobReference(Number(r.other_number)),
    title: r.other_title,
    startsAt: iso(r.other_starts_at),
    endsAt: iso(r.other_ends_at),
  };
}

/** Other unfinished jobs booking the same asset or person in an overlapping window. */
async function loadOverlaps(
  tx: SqlExecutor,
  jobIds: readonly string[],
): Promise<(OverlappingBooking & { jobId: string })[]> {
  const rows = await tx.query<BookingRow & { job_id: string }>(
    `with mine as (select id, starts_at, ends_at from jobs where id = any($1::uuid[]))
     select m.id::text as job_id, 'asset' as resource, x.asset_id::text as resource_id, o.id::text as other_id,
       o.number as other_number, o.title as other_title, o.starts_at as other_starts_at, o.ends_at as other_ends_at
     from mine m
     join job_assets x on x.job_id = m.id
     join job_assets y on y.asset_id = x.asset_id and y.job_id <> m.id
     join jobs o on o.id = y.job_id
     where o.state = any($2::text[]) and o.starts_at < m.ends_at and o.ends_at > m.starts_at
     union all
     select m.id::text, 'driver', x.driver_id::text, o.id::text, o.number, o.title, o.starts_at, o.ends_at
     from mine m
     join job_crew x on x.job_id = m.id
     join job_crew y on y.driver_id = x.driver_id and y.job_id <> m.id
     join jobs o on o.id = y.job_id
     where o.state = any($2::text[]) and o.starts_at < m.ends_at and o.ends_at > m.starts_at
     order by 6`,
    [jobIds, UNFINISHED_JOB_STATES],
  );
  return rows.map((r) => ({
    jobId: r.job_id,
    resource: r.resource,
    id: r.resource_id,
    otherJob: otherJobOf(r),
  }));
}

/** A proposed booking's conflicts: the same facts as a saved job's, read for the proposal. */
async function bookingConflicts(tx: SqlExecutor, b: Booking, timeZone: string): Promise<JobConflict[]> {
  const [assets, crew, overlapRows] = await inTurn([
    () =>
      tx.query<Omit<AssetRow, 'job_id'>>(
        `select a.id::text as id, a.kind, a.name, a.plate, a.category, a.status, a.licence_class
         from assets a where a.id = any($1::uuid[])`,
        [b.assetIds],
      ),
    () =>
      tx.query<Omit<CrewRow, 'job_id' | 'role' | 'vehicle_id'>>(
        `select d.id::text as driver_id, d.name, d.status, d.licence_classes,
           to_char(d.licence_expiry, 'YYYY-MM-DD') as licence_expiry
         from drivers d where d.id = any($1::uuid[])`,
        [b.crew.map((c) => c.driverId)],
      ),
    () =>
      tx.query<BookingRow>(
        `select 'asset' as resource, y.asset_id::text as resource_id, o.id::text as other_id, o.number as other_number,
           o.title as other_title, o.starts_at as other_starts_at, o.ends_at as other_ends_at
         from job_assets y join jobs o on o.id = y.job_id
         where y.asset_id = any($1::uuid[]) and o.state = any($3::text[])
           and o.starts_at < $5::timestamptz and o.ends_at > $4::timestamptz
           and ($6::uuid is null or o.id <> $6::uuid)
         union all
         select 'driver', y.driver_id::text, o.id::text, o.number, o.title, o.starts_at, o.ends_at
         from job_crew y join jobs o on o.id = y.job_id
         where y.driver_id = any($2::uuid[]) and o.state = any($3::text[])
           and o.starts_at < $5::timestamptz and o.ends_at > $4::timestamptz
           and ($6::uuid is null or o.id <> $6::uuid)
         order by 4`,
        [
          b.assetIds,
          b.crew.map((c) => c.driverId),
          UNFINISHED_JOB_STATES,
          new Date(b.startsAt).toISOString(),
          new Date(b.endsAt).toISOString(),
          b.jobId ?? null,
        ],
      ),
  ] as const);
  const overdue = await overduePlans(
    tx,
    assets.map((a) => a.id),
  );
  const people = new Map(crew.map((c) => [c.driver_id, c]));
  return jobConflicts({
    lastDay: lastDayOf(b.endsAt, timeZone),
    assets: assets.map((a) => bookedAsset({ ...a, job_id: '' }, overdue)),
    crew: b.crew.flatMap((c) => {
      const p = people.get(c.driverId);
      return p ? [bookedPerson({ ...p, job_id: '', role: c.role, vehicle_id: c.vehicleId })] : [];
    }),
    overlaps: overlapRows.map((r) => ({
      resource: r.resource,
      id: r.resource_id,
      otherJob: otherJobOf(r),
    })),
  });
}

/**
 * The place, project, assets and people a booking names exist in the organisation (and the
 * user's department scope, for assets) and can be booked: a 400 naming the field otherwise.
 */
async function checkReferences(
  tx: SqlExecutor,
  b: {
    placeId?: string | undefined;
    projectId?: string | null | undefined;
    assetIds?: string[] | undefined;
    crew?: { driverId: string; role: 'driver' | 'crew'; vehicleId?: string | null | undefined }[] | undefined;
  },
): Promise<void> {
  if (b.placeId !== undefined) {
    const rows = await tx.query('select 1 from places where id = $1::uuid', [b.placeId]);
    if (rows.length === 0) throw field('body.placeId', 'no such place in your organisation');
  }
  if (b.projectId !== undefined && b.projectId !== null) {
    const rows = await tx.query<{ status: string }>('select status from projects where id = $1::uuid', [
      b.projectId,
    ]);
    if (!rows[0]) throw field('body.projectId', 'no such project in your organisation');
    if (rows[0].status !== 'active') throw field('body.projectId', `the project is ${rows[0].status}`);
  }
  if (b.assetIds !== undefined && b.assetIds.length > 0) {
    const rows = await tx.query<{ id: string; status: string; kind: string }>(
      'select id::text as id, status, kind from assets where id = any($1::uuid[])',
      [b.assetIds],
    );
    const byId = new Map(rows.map((r) => [r.id, r]));
    b.assetIds.forEach((id, i) => {
      const a = byId.get(id);
      if (!a) throw field(`body.assetIds.${i}`, 'no such vehicle or equipment item in your organisation');
      if (a.status === 'retired' || a.status === 'lost')
        throw field(`body.assetIds.${i}`, `the asset is ${a.status} and cannot be booked`);
    });
    b.crew?.forEach((c, i) => {
      if (c.vehicleId && byId.get(c.vehicleId)?.kind !== 'vehicle')
        throw field(`body.crew.${i}.vehicleId`, 'a driver drives a vehicle, not an equipment item');
    });
  }
  if (b.crew !== undefined && b.crew.length > 0) {
    const rows = await tx.query<{ id: string; erased: boolean }>(
      'select id::text as id, erased_at is not null as erased from drivers where id = any($1::uuid[])',
      [b.crew.map((c) => c.driverId)],
    );
    const byId = new Map(rows.map((r) => [r.id, r]));
    b.crew.forEach((c, i) => {
      const d = byId.get(c.driverId);
      if (!d) throw field(`body.crew.${i}.driverId`, 'no such driver or crew member in your organisation');
      if (d.erased) throw field(`body.crew.${i}.driverId`, 'that person was erased and cannot be booked');
    });
  }
}

async function writeBooking(
  tx: SqlExecutor,
  orgId: string,
  jobId: string,
  assetIds: readonly string[],
  crew: readonly { driverId: string; role: 'driver' | 'crew'; vehicleId?: string | null | undefined }[],
): Promise<void> {
  if (assetIds.length > 0)
    await tx.query(
      `insert into job_assets (org_id, job_id, asset_id)
       select $1::uuid, $2::uuid, unnest($3::uuid[])`,
      [orgId, jobId, assetIds],
    );
  for (const c of crew)
    await tx.query(
      `insert into job_crew (org_id, job_id, driver_id, role, vehicle_id)
       values ($1::uuid, $2::uuid, $3::uuid, $4, $5::uuid)`,
      [orgId, jobId, c.driverId, c.role, c.vehicleId ?? null],
    );
}
