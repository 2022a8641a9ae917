// Jobs and dispatch: the board (by day, window, state, project, site, asset or person), booking
// vehicles, items and crew with the conflicts each booking meets, checking a booking before it
// is saved (the board while dragging), and the moves people make: dispatch (refused over
// conflicts unless overridden), recall, en route or on site by hand, complete, cancel. Each move
// goes to the hub's `jobs` topic. Everyone reads; dispatchers and the fleet's owners book.
import { ApiError, errorBodySchema } from '../../http/errors.ts';
import { type AnyRoute, defineRoute } from '../../http/route.ts';
import { ANY_ROLE, DISPATCH_JOBS } from '../../permissions.ts';
import type { ApiContext } from '../../routes/context.ts';
import { ERROR_RESPONSES, notFoundResponse, uuidParam } from '../../routes/schemas.ts';
import { Jobs } from './repository.ts';
import {
  jobChangesSchema,
  jobCheckSchema,
  jobConflictsSchema,
  jobEventsSchema,
  jobListSchema,
  jobQuerySchema,
  jobSchema,
  jobTransitionSchema,
  newJobSchema,
} from './schemas.ts';

const errors = { ...ERROR_RESPONSES, 404: notFoundResponse('job') } as const;
const conflict = {
  description: 'The job is finished, cannot make that move, or has conflicts (listed in details)',
  schema: errorBodySchema,
} as const;
const NO_JOB = 'No such job.';

export function jobRoutes(ctx: ApiContext): AnyRoute[] {
  const jobs = (orgId: string) => new Jobs(ctx.db, orgId);
  const found = <T>(value: T | undefined): T => {
    if (value === undefined) throw new ApiError('not_found', NO_JOB);
    return value;
  };
  const one = { 200: { description: 'The job', schema: jobSchema }, ...errors, 409: conflict } as const;
  return [
    defineRoute({
      id: 'listJobs',
      method: 'get',
      path: '/api/v1/jobs',
      tag: 'jobs',
      summary: 'Jobs by start time, with what they book and their conflicts',
      description:
        "`day=YYYY-MM-DD` gives the jobs overlapping that day of the organisation's calendar (the board); `from` and `to` a window of at most 62 days. `state` takes a comma list. `truncated` says a page was cut at `limit`.",
      access: ANY_ROLE,
      query: jobQuerySchema,
      responses: { 200: { description: 'The jobs', schema: jobListSchema }, ...ERROR_RESPONSES },
      async handler({ principal, query }) {
        return { status: 200, body: await jobs(principal.orgId).list(query) };
      },
    }),
    defineRoute({
      id: 'getJob',
      method: 'get',
      path: '/api/v1/jobs/{id}',
      tag: 'jobs',
      summary: 'One job',
      access: ANY_ROLE,
      params: uuidParam,
      responses: { 200: { description: 'The job', schema: jobSchema }, ...errors },
      async handler({ principal, params }) {
        return { status: 200, body: found(await jobs(principal.orgId).get(params.id)) };
      },
    }),
    defineRoute({
      id: 'createJob',
      method: 'post',
      path: '/api/v1/jobs',
      tag: 'jobs',
      summary: 'Plan a job: a place, a window, the vehicles, items and crew it needs',
      description:
        'A planned job may carry conflicts (listed in `conflicts`); dispatching it over them needs `override`. Retired or lost assets and erased people cannot be booked (400 naming the field).',
      access: DISPATCH_JOBS,
      body: newJobSchema,
      responses: { 201: { description: 'Planned', schema: jobSchema }, ...ERROR_RESPONSES },
      async handler({ principal, body }) {
        const { job, change } = await jobs(principal.orgId).create(body, principal.userId);
        ctx.bus.publish('job', change);
        return { status: 201, body: job };
      },
    }),
    defineRoute({
      id: 'updateJob',
      method: 'patch',
      path: '/api/v1/jobs/{id}',
      tag: 'jobs',
      summary: 'Change an unfinished job: title, project, place, window, notes, or what it books',
      description:
        '`assetIds` and `crew` replace the lists they name. A finished job is not changed (409). The change goes to the hub’s `jobs` topic with `from` equal to `to`.',
      access: DISPATCH_JOBS,
      params: uuidParam,
      body: jobChangesSchema,
      responses: one,
      async handler({ principal, params, body }) {
        const changed = found(await jobs(principal.orgId).update(params.id, body));
        ctx.bus.publish('job', changed.change);
        return { status: 200, body: changed.job };
      },
    }),
    defineRoute({
      id: 'checkJobBooking',
      method: 'post',
      path: '/api/v1/jobs/check',
      tag: 'jobs',
      summary: 'The conflicts a booking would meet, before it is saved',
      description: 'With `jobId`, the bookings of that job itself are left out (moving a job in time).',
      access: ANY_ROLE,
      body: jobCheckSchema,
      responses: {
        200: { description: 'The conflicts (none: an empty list)', schema: jobConflictsSchema },
        ...ERROR_RESPONSES,
      },
      async handler({ principal, body }) {
        const conflicts = await jobs(principal.orgId).check({
          jobId: body.jobId,
          startsAt: Date.parse(body.startsAt),
          endsAt: Date.parse(body.endsAt),
          assetIds: body.assetIds ?? [],
          crew: (body.crew ?? []).map((c) => ({
            driverId: c.driverId,
            role: c.role,
            vehicleId: c.vehicleId ?? null,
          })),
        });
        return { status: 200, body: { conflicts } };
      },
    }),
    defineRoute({
      id: 'transitionJob',
      method: 'post',
      path: '/api/v1/jobs/{id}/state',
      tag: 'jobs',
      summary: 'Move a job on: dispatched, planned (recall), en_route, on_site, completed or cancelled',
      description:
        "Dispatching a job with conflicts is a 409 listing them unless `override` is true (the move's note records them). Telemetry moves dispatched jobs en route and on site by itself. Completed and cancelled are final.",
      access: DISPATCH_JOBS,
      params: uuidParam,
      body: jobTransitionSchema,
      responses: one,
      async handler({ principal, params, body }) {
        const moved = found(
          await jobs(principal.orgId).transition(
            params.id,
            body.state,
            { override: body.override, reason: body.reason, note: body.note },
            principal.userId,
          ),
        );
        ctx.bus.publish('job', moved.change);
        return { status: 200, body: moved.job };
      },
    }),
    defineRoute({
      id: 'jobEvents',
      method: 'get',
      path: '/api/v1/jobs/{id}/events',
      tag: 'jobs',
      summary: "The job's moves: who or which vehicle, when",
      access: ANY_ROLE,
      params: uuidParam,
      responses: { 200: { description: 'Oldest first', schema: jobEventsSchema }, ...errors },
      async handler({ principal, params }) {
        return { status: 200, body: { items: found(await jobs(principal.orgId).events(params.id)) } };
      },
    }),
  ];
}
