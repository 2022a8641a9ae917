// Departments of the signed-in user's organisation: everyone reads the tree; administrators
// shape it. Users (and, with the assets, vehicles, equipment and drivers) belong to one.
import { z } from 'zod';
import { ApiError } from '../../http/errors.ts';
import { type AnyRoute, defineRoute } from '../../http/route.ts';
import { ANY_ROLE, MANAGE_DEPARTMENTS } from '../../permissions.ts';
import type { ApiContext } from '../../routes/context.ts';
import { ERROR_RESPONSES, empty, iso, notFoundResponse, uuidParam } from '../../routes/schemas.ts';
import { type Department, Departments } from './repository.ts';

export const departmentSchema = z
  .object({
    id: z.uuid(),
    parentId: z.uuid().nullable(),
    name: z.string(),
    path: z.array(z.string()).meta({ description: 'Names from the root down to this department' }),
    users: z.number().int(),
    createdAt: z.string(),
  })
  .meta({ id: 'Department' });

const departmentName = z.string().trim().min(1).max(100);

const newDepartmentSchema = z
  .strictObject({ name: departmentName, parentId: z.uuid().nullable().optional() })
  .meta({ id: 'NewDepartment' });

const departmentChangesSchema = z
  .strictObject({ name: departmentName.optional(), parentId: z.uuid().nullable().optional() })
  .refine((b) => Object.keys(b).length > 0, 'nothing to change: give name, parentId or both')
  .meta({ id: 'DepartmentChanges' });

function departmentBody(d: Department): z.input<typeof departmentSchema> {
  return { ...d, createdAt: iso(d.createdAt) };
}

const errors = { ...ERROR_RESPONSES, 404: notFoundResponse('department') } as const;

export function departmentRoutes(ctx: ApiContext): AnyRoute[] {
  const departments = (orgId: string) => new Departments(ctx.db, orgId);
  return [
    defineRoute({
      id: 'listDepartments',
      method: 'get',
      path: '/api/v1/departments',
      tag: 'departments',
      summary: "The organisation's departments, as a tree in path order",
      access: ANY_ROLE,
      responses: {
        200: {
          description: 'Every department, parents before children',
          schema: z.object({ items: z.array(departmentSchema) }).meta({ id: 'DepartmentList' }),
        },
        ...ERROR_RESPONSES,
      },
      async handler({ principal }) {
        return {
          status: 200,
          body: { items: (await departments(principal.orgId).list()).map(departmentBody) },
        };
      },
    }),
    defineRoute({
      id: 'getDepartment',
      method: 'get',
      path: '/api/v1/departments/{id}',
      tag: 'departments',
      summary: 'One department',
      access: ANY_ROLE,
      params: uuidParam,
      responses: { 200: { description: 'The department', schema: departmentSchema }, ...errors },
      async handler({ principal, params }) {
        const d = await departments(principal.orgId).get(params.id);
        if (!d) throw new ApiError('not_found', 'No such department.');
        return { status: 200, body: departmentBody(d) };
      },
    }),
    defineRoute({
      id: 'createDepartment',
      method: 'post',
      path: '/api/v1/departments',
      tag: 'departments',
      summary: 'Add a department, at the top or below another',
      access: MANAGE_DEPARTMENTS,
      body: newDepartmentSchema,
      responses: {
        201: { description: 'Created', schema: departmentSchema },
        ...errors,
        409: { description: 'A sibling has that name', schema: ERROR_RESPONSES[400].schema },
      },
      async handler({ principal, body }) {
        return { status: 201, body: departmentBody(await departments(principal.orgId).create(body)) };
      },
    }),
    defineRoute({
      id: 'updateDepartment',
      method: 'patch',
      path: '/api/v1/departments/{id}',
      tag: 'departments',
      summary: 'Rename a department or move it (parentId null: to the top)',
      description: 'A move below the department itself or one of its sub-departments is refused (400).',
      access: MANAGE_DEPARTMENTS,
      params: uuidParam,
      body: departmentChangesSchema,
      responses: {
        200: { description: 'The changed department', schema: departmentSchema },
        ...errors,
        409: { description: 'A sibling has that name', schema: ERROR_RESPONSES[400].schema },
      },
      async handler({ principal, params, body }) {
        const d = await departments(principal.orgId).update(params.id, body);
        if (!d) throw new ApiError('not_found', 'No such department.');
        return { status: 200, body: departmentBody(d) };
      },
    }),
    defineRoute({
      id: 'deleteDepartment',
      method: 'delete',
      path: '/api/v1/departments/{id}',
      tag: 'departments',
      summary: 'Remove an empty department',
      description: 'One with sub-departments or users is refused (409): move them first.',
      access: MANAGE_DEPARTMENTS,
      params: uuidParam,
      responses: {
        200: { description: 'Removed', schema: empty },
        ...errors,
        409: { description: 'Not empty', schema: ERROR_RESPONSES[400].schema },
      },
      async handler({ principal, params }) {
        if (!(await departments(principal.orgId).remove(params.id)))
          throw new ApiError('not_found', 'No such department.');
        return { status: 200, body: {} };
      },
    }),
  ];
}
