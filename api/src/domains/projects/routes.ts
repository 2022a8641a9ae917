// Projects: a client's work (budget, dates, department) that jobs belong to, with their jobs
// by state and the costs entered against them. Everyone reads; dispatchers and the fleet's
// owners plan them.
import { ApiError } from '../../http/errors.ts';
import { type AnyRoute, defineRoute } from '../../http/route.ts';
import { ANY_ROLE, DISPATCH_JOBS } from '../../permissions.ts';
import type { ApiContext } from '../../routes/context.ts';
import { ERROR_RESPONSES, notFoundResponse, uuidParam } from '../../routes/schemas.ts';
import { readProjectCosts } from './costs.ts';
import { Projects } from './repository.ts';
import {
  newProjectSchema,
  projectChangesSchema,
  projectCostsSchema,
  projectListSchema,
  projectQuerySchema,
  projectSchema,
} from './schemas.ts';

const errors = { ...ERROR_RESPONSES, 404: notFoundResponse('project') } as const;

export function projectRoutes(ctx: ApiContext): AnyRoute[] {
  const projects = (orgId: string) => new Projects(ctx.db, orgId);
  const found = <T>(value: T | undefined): T => {
    if (value === undefined) throw new ApiError('not_found', 'No such project.');
    return value;
  };
  return [
    defineRoute({
      id: 'listProjects',
      method: 'get',
      path: '/api/v1/projects',
      tag: 'projects',
      summary: 'Projects, active first, by name',
      access: ANY_ROLE,
      query: projectQuerySchema,
      responses: { 200: { description: 'The projects', schema: projectListSchema }, ...ERROR_RESPONSES },
      async handler({ principal, query }) {
        return { status: 200, body: { items: await projects(principal.orgId).list(query) } };
      },
    }),
    defineRoute({
      id: 'getProject',
      method: 'get',
      path: '/api/v1/projects/{id}',
      tag: 'projects',
      summary: 'One project with its jobs by state and its costs',
      access: ANY_ROLE,
      params: uuidParam,
      responses: { 200: { description: 'The project', schema: projectSchema }, ...errors },
      async handler({ principal, params }) {
        return { status: 200, body: found(await projects(principal.orgId).get(params.id)) };
      },
    }),
    defineRoute({
      id: 'getProjectCosts',
      method: 'get',
      path: '/api/v1/projects/{id}/costs',
      tag: 'projects',
      summary:
        'What a project costs: costs entered against it and its share of its vehicles’ fuel and maintenance',
      description:
        "Each asset its jobs booked: the asset's fill-ups and completed work orders in the calendar months of the project's jobs, allocated by the distance (fuel) and engine hours (maintenance) driven for its jobs over all driven in those months; an asset without the one figure uses the other. A job's driving runs from its departure (en route) or its window's start to its completion or its window's end.",
      access: ANY_ROLE,
      params: uuidParam,
      responses: { 200: { description: 'The costs', schema: projectCostsSchema }, ...errors },
      async handler({ principal, params }) {
        return {
          status: 200,
          body: found(await readProjectCosts(ctx.db, ctx.questdb, principal.orgId, params.id)),
        };
      },
    }),
    defineRoute({
      id: 'createProject',
      method: 'post',
      path: '/api/v1/projects',
      tag: 'projects',
      summary: 'Start a project',
      access: DISPATCH_JOBS,
      body: newProjectSchema,
      responses: { 201: { description: 'Started', schema: projectSchema }, ...ERROR_RESPONSES },
      async handler({ principal, body }) {
        return { status: 201, body: await projects(principal.orgId).create(body, principal.userId) };
      },
    }),
    defineRoute({
      id: 'updateProject',
      method: 'patch',
      path: '/api/v1/projects/{id}',
      tag: 'projects',
      summary: 'Change a project, or mark it completed or cancelled',
      description: 'Jobs are booked only on active projects.',
      access: DISPATCH_JOBS,
      params: uuidParam,
      body: projectChangesSchema,
      responses: { 200: { description: 'The project', schema: projectSchema }, ...errors },
      async handler({ principal, params, body }) {
        return { status: 200, body: found(await projects(principal.orgId).update(params.id, body)) };
      },
    }),
  ];
}
