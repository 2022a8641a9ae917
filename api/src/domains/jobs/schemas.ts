// The jobs routes' shapes: a job at a place in a time window, what it books (vehicles,
// equipment items, drivers and crew), its states and the conflicts that stand in its way.
// zod and shared pure modules only: the console's type check loads this file.
import { JOB_STATES, type JobState } from '@fleet/shared/jobs';
import { z } from 'zod';
import { CONFLICT_KINDS } from './conflicts.ts';

/** A job spans at most this long (a week-long shoot fits; a year is a typing mistake). The table checks the same. */
export const JOB_MAX_DAYS = 31;
/** The widest window one list answers: two months of the board. */
export const JOB_LIST_MAX_DAYS = 62;
export const JOB_MAX_ASSETS = 50;
export const JOB_MAX_CREW = 50;

export const jobState = z.enum(JOB_STATES).meta({ id: 'JobState' });
const instantText = z.iso.datetime({ offset: true, error: 'an ISO 8601 time with its offset' });

const crewMember = z.strictObject({
  driverId: z.uuid(),
  role: z
    .enum(['driver', 'crew'], { error: 'role is driver or crew' })
    .default('crew')
    .meta({ description: 'driver: drives vehicleId (one of the job’s vehicles); crew: rides along' }),
  vehicleId: z.uuid().nullable().optional(),
});

function checkBooking(
  b: { startsAt?: string; endsAt?: string; assetIds?: string[]; crew?: z.infer<typeof crewMember>[] },
  ctx: z.RefinementCtx,
) {
  if (b.startsAt !== undefined && b.endsAt !== undefined) {
    const start = Date.parse(b.startsAt);
    const end = Date.parse(b.endsAt);
    if (end <= start) ctx.addIssue({ code: 'custom', path: ['endsAt'], message: 'endsAt is after startsAt' });
    else if (end - start > JOB_MAX_DAYS * 86_400_000)
      ctx.addIssue({ code: 'custom', path: ['endsAt'], message: `a job lasts at most ${JOB_MAX_DAYS} days` });
  }
  if (b.assetIds !== undefined) {
    const seen = new Set<string>();
    b.assetIds.forEach((id, i) => {
      if (seen.has(id)) ctx.addIssue({ code: 'custom', path: ['assetIds', i], message: 'booked twice' });
      seen.add(id);
    });
  }
  if (b.crew !== undefined) {
    const seen = new Set<string>();
    b.crew.forEach((c, i) => {
      if (seen.has(c.driverId))
        ctx.addIssue({ code: 'custom', path: ['crew', i, 'driverId'], message: 'booked twice' });
      seen.add(c.driverId);
      const vehicle = c.vehicleId ?? null;
      if (c.role === 'driver' && vehicle === null)
        ctx.addIssue({
          code: 'custom',
          path: ['crew', i, 'vehicleId'],
          message: 'a driver drives one of the job’s vehicles: name it',
        });
      if (c.role === 'crew' && vehicle !== null)
        ctx.addIssue({
          code: 'custom',
          path: ['crew', i, 'vehicleId'],
          message: 'vehicleId goes with role driver',
        });
      if (vehicle !== null && b.assetIds !== undefined && !b.assetIds.includes(vehicle))
        ctx.addIssue({
          code: 'custom',
          path: ['crew', i, 'vehicleId'],
          message: 'the vehicle is not among the job’s assetIds',
        });
    });
  }
}

const bookingFields = {
  title: z.string().trim().min(1, 'a title is 1..200 characters').max(200, 'a title is 1..200 characters'),
  projectId: z.uuid().nullable().optional(),
  placeId: z.uuid().meta({ description: 'the site: a place of the organisation' }),
  startsAt: instantText,
  endsAt: instantText,
  notes: z.string().trim().max(4000, 'notes are at most 4,000 characters').nullable().optional(),
  assetIds: z
    .array(z.uuid(), { error: 'assetIds is a list of vehicle and equipment ids' })
    .max(JOB_MAX_ASSETS, `at most ${JOB_MAX_ASSETS} assets on a job`)
    .optional(),
  crew: z
    .array(crewMember, { error: 'crew is a list of {driverId, role, vehicleId}' })
    .max(JOB_MAX_CREW, `at most ${JOB_MAX_CREW} people on a job`)
    .optional(),
};

export const newJobSchema = z.strictObject(bookingFields).superRefine(checkBooking).meta({ id: 'NewJob' });
export type NewJob = z.infer<typeof newJobSchema>;

export const jobChangesSchema = z
  .strictObject({
    title: bookingFields.title.optional(),
    projectId: bookingFields.projectId,
    placeId: bookingFields.placeId.optional(),
    startsAt: instantText.optional(),
    endsAt: instantText.optional(),
    notes: bookingFields.notes,
    assetIds: bookingFields.assetIds,
    crew: bookingFields.crew,
  })
  .superRefine(checkBooking)
  .refine((b) => Object.keys(b).length > 0, 'nothing to change')
  .meta({ id: 'JobChanges' });
export type JobChanges = z.infer<typeof jobChangesSchema>;

/** A proposed booking checked before it is saved (the board shows conflicts while dragging). */
export const jobCheckSchema = z
  .strictObject({
    jobId: z
      .uuid()
      .optional()
      .meta({ description: 'the job being changed (its own bookings are no conflict)' }),
    startsAt: instantText,
    endsAt: instantText,
    assetIds: bookingFields.assetIds,
    crew: bookingFields.crew,
  })
  .superRefine(checkBooking)
  .meta({ id: 'JobCheck' });

export const jobTransitionSchema = z
  .strictObject({
    state: jobState,
    override: z
      .boolean()
      .optional()
      .meta({ description: 'dispatch over the conflicts the job has (they are recorded with the move)' }),
    reason: z.string().trim().min(1).max(500).optional().meta({ description: 'why, when cancelling' }),
    note: z.string().trim().min(1).max(1000).optional(),
  })
  .superRefine((b, ctx) => {
    if (b.override !== undefined && b.state !== 'dispatched')
      ctx.addIssue({ code: 'custom', path: ['override'], message: 'override goes with state dispatched' });
    if (b.reason !== undefined && b.state !== 'cancelled')
      ctx.addIssue({ code: 'custom', path: ['reason'], message: 'reason goes with state cancelled' });
  })
  .meta({ id: 'JobTransition' });

const stateList = z
  .string()
  .max(100)
  .optional()
  .transform((v, ctx) => {
    if (v === undefined || v === '') return undefined;
    const states = v.split(',');
    for (const s of states)
      if (!(JOB_STATES as readonly string[]).includes(s)) {
        ctx.addIssue({ code: 'custom', message: `state is a comma list of ${JOB_STATES.join(', ')}` });
        return z.NEVER;
      }
    return states as JobState[];
  });

export const jobQuerySchema = z
  .strictObject({
    day: z.iso
      .date({ error: 'day is a date as YYYY-MM-DD' })
      .optional()
      .meta({ description: "the jobs of one day of the organisation's calendar (overlapping it)" }),
    from: z.iso.datetime({ offset: true, error: 'from is an ISO 8601 time' }).optional(),
    to: z.iso.datetime({ offset: true, error: 'to is an ISO 8601 time' }).optional(),
    state: stateList,
    projectId: z.uuid().optional(),
    placeId: z.uuid().optional(),
    assetId: z.uuid().optional(),
    driverId: z.uuid().optional(),
    limit: z.coerce.number().int().min(1).max(1000).default(500),
  })
  .superRefine((q, ctx) => {
    if (q.day !== undefined && (q.from !== undefined || q.to !== undefined))
      ctx.addIssue({ code: 'custom', path: ['day'], message: 'day or from/to, not both' });
    if ((q.from === undefined) !== (q.to === undefined))
      ctx.addIssue({
        code: 'custom',
        path: [q.from === undefined ? 'from' : 'to'],
        message: 'from and to go together',
      });
    if (q.from !== undefined && q.to !== undefined) {
      const span = Date.parse(q.to) - Date.parse(q.from);
      if (span <= 0) ctx.addIssue({ code: 'custom', path: ['to'], message: 'to is after from' });
      else if (span > JOB_LIST_MAX_DAYS * 86_400_000)
        ctx.addIssue({
          code: 'custom',
          path: ['to'],
          message: `a list spans at most ${JOB_LIST_MAX_DAYS} days`,
        });
    }
  })
  .meta({ id: 'JobQuery' });
export type JobQuery = z.infer<typeof jobQuerySchema>;

export const jobConflictSchema = z
  .object({
    kind: z.enum(CONFLICT_KINDS),
    assetId: z.uuid().nullable(),
    driverId: z.uuid().nullable(),
    otherJob: z
      .object({
        id: z.uuid(),
        reference: z.string(),
        title: z.string(),
        startsAt: z.string(),
        endsAt: z.string(),
      })
      .nullable(),
    message: z.string(),
  })
  .meta({ id: 'JobConflict' });

export const jobConflictsSchema = z
  .object({ conflicts: z.array(jobConflictSchema) })
  .meta({ id: 'JobConflicts' });

export const jobSchema = z
  .object({
    id: z.uuid(),
    number: z.number().int(),
    reference: z.string().meta({ example: 'JOB-7' }),
    title: z.string(),
    project: z.object({ id: z.uuid(), name: z.string(), client: z.string().nullable() }).nullable(),
    place: z.object({ id: z.uuid(), name: z.string(), category: z.string() }),
    startsAt: z.string(),
    endsAt: z.string(),
    state: jobState,
    notes: z.string().nullable(),
    assets: z.array(
      z.object({
        id: z.uuid(),
        kind: z.enum(['vehicle', 'equipment']),
        name: z.string(),
        plate: z.string().nullable(),
        category: z.string().nullable(),
        status: z.string(),
      }),
    ),
    crew: z.array(
      z.object({
        driverId: z.uuid(),
        name: z.string(),
        role: z.enum(['driver', 'crew']),
        vehicleId: z.uuid().nullable(),
      }),
    ),
    conflicts: z.array(jobConflictSchema),
    eta: z
      .object({
        at: z.string().meta({ description: 'the estimated arrival of its first vehicle to arrive' }),
        assetId: z.uuid(),
        distanceKm: z.number().meta({ description: 'road distance left, estimated (straight line x 1.3)' }),
        computedAt: z.string().meta({ description: 'the time of the fix it was computed from' }),
        late: z.boolean().meta({ description: "more than 10 minutes past the window's start" }),
      })
      .nullable()
      .meta({ description: 'while en route: from the vehicles’ positions and recent speed' }),
    dispatchedAt: z.string().nullable(),
    enRouteAt: z.string().nullable(),
    onSiteAt: z.string().nullable(),
    completedAt: z.string().nullable(),
    cancelledAt: z.string().nullable(),
    cancelReason: z.string().nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'Job' });
export type Job = z.infer<typeof jobSchema>;

export const jobListSchema = z
  .object({ items: z.array(jobSchema), truncated: z.boolean() })
  .meta({ id: 'JobList' });

export const jobEventSchema = z
  .object({
    at: z.string(),
    from: jobState.nullable(),
    to: jobState,
    source: z.enum(['user', 'telemetry']),
    userId: z.uuid().nullable(),
    userName: z.string().nullable(),
    assetId: z.uuid().nullable(),
    assetName: z.string().nullable(),
    note: z.string().nullable(),
  })
  .meta({ id: 'JobEvent' });
export const jobEventsSchema = z.object({ items: z.array(jobEventSchema) }).meta({ id: 'JobEvents' });
