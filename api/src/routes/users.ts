// Users CRUD for administrators, inside their own organisation (row-level security).
// Changing a user's role or disabling or deleting them ends their sessions at once.
import { z } from 'zod';
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from '../auth/passwords.ts';
import { TenantUsers } from '../auth/users.ts';
import { ApiError, errorBodySchema } from '../http/errors.ts';
import { type AnyRoute, defineRoute } from '../http/route.ts';
import { MANAGE_USERS } from '../permissions.ts';
import { userBody, userSchema } from './auth.ts';
import type { ApiContext } from './context.ts';
import { ERROR_RESPONSES, empty, notFoundResponse, role, uuidParam } from './schemas.ts';

const password = z
  .string()
  .min(PASSWORD_MIN_LENGTH, `at least ${PASSWORD_MIN_LENGTH} characters`)
  .max(PASSWORD_MAX_LENGTH);
const name = z.string().trim().min(1).max(100);

const errors = ERROR_RESPONSES;
const notFound = notFoundResponse('user');
const conflict = {
  description: 'Email taken, or the last administrator would go',
  schema: errorBodySchema,
} as const;

export function userRoutes(ctx: ApiContext): AnyRoute[] {
  const users = (orgId: string) => new TenantUsers(ctx.db, orgId);
  return [
    defineRoute({
      id: 'listUsers',
      method: 'get',
      path: '/api/v1/users',
      tag: 'users',
      summary: "The organisation's users",
      access: MANAGE_USERS,
      query: z
        .strictObject({
          departmentId: z
            .uuid()
            .optional()
            .meta({ description: 'Only members of this department and of its sub-departments' }),
        })
        .meta({ id: 'UserQuery' }),
      responses: {
        200: {
          description: 'Users by email',
          schema: z.object({ items: z.array(userSchema) }).meta({ id: 'UserList' }),
        },
        ...errors,
      },
      async handler({ principal, query }) {
        const list = await users(principal.orgId).list(query);
        return { status: 200, body: { items: list.map(userBody) } };
      },
    }),
    defineRoute({
      id: 'createUser',
      method: 'post',
      path: '/api/v1/users',
      tag: 'users',
      summary: 'Add a user to the organisation',
      access: MANAGE_USERS,
      body: z
        .strictObject({
          email: z.email().max(254),
          name,
          role,
          password,
          departmentId: z.uuid().nullable().optional(),
          departmentScope: z.boolean().optional().meta({
            description: "true: sees only the assets of the department's subtree (needs departmentId)",
          }),
        })
        .meta({ id: 'NewUser' }),
      responses: { 201: { description: 'Created', schema: userSchema }, ...errors, 409: conflict },
      async handler({ principal, body }) {
        const user = await users(principal.orgId).create(body);
        return { status: 201, body: userBody(user) };
      },
    }),
    defineRoute({
      id: 'getUser',
      method: 'get',
      path: '/api/v1/users/{id}',
      tag: 'users',
      summary: 'One user',
      access: MANAGE_USERS,
      params: uuidParam,
      responses: { 200: { description: 'The user', schema: userSchema }, ...errors, 404: notFound },
      async handler({ principal, params }) {
        const user = await users(principal.orgId).get(params.id);
        if (!user) throw new ApiError('not_found', 'No such user.');
        return { status: 200, body: userBody(user) };
      },
    }),
    defineRoute({
      id: 'updateUser',
      method: 'patch',
      path: '/api/v1/users/{id}',
      tag: 'users',
      summary: "Change a user's name, role, password or disabled state",
      access: MANAGE_USERS,
      params: uuidParam,
      body: z
        .strictObject({
          name: name.optional(),
          role: role.optional(),
          password: password.optional(),
          disabled: z.boolean().optional(),
          departmentId: z.uuid().nullable().optional().meta({ description: 'null: no department' }),
          departmentScope: z.boolean().optional().meta({
            description: "true: sees only the assets of the department's subtree (needs a department)",
          }),
        })
        .refine((b) => Object.keys(b).length > 0, 'nothing to change')
        .meta({ id: 'UserChanges' }),
      responses: {
        200: { description: 'The changed user', schema: userSchema },
        ...errors,
        404: notFound,
        409: conflict,
      },
      async handler({ principal, params, body }) {
        const user = await users(principal.orgId).update(params.id, body);
        if (!user) throw new ApiError('not_found', 'No such user.');
        // A new department or scope changes what the user may see: old tokens carry the old one.
        if (
          body.role !== undefined ||
          body.disabled === true ||
          body.password !== undefined ||
          body.departmentId !== undefined ||
          body.departmentScope !== undefined
        ) {
          await ctx.auth.endUserSessions(user.id);
        }
        return { status: 200, body: userBody(user) };
      },
    }),
    defineRoute({
      id: 'deleteUser',
      method: 'delete',
      path: '/api/v1/users/{id}',
      tag: 'users',
      summary: 'Remove a user',
      access: MANAGE_USERS,
      params: uuidParam,
      responses: { 200: { description: 'Removed', schema: empty }, ...errors, 404: notFound, 409: conflict },
      async handler({ principal, params }) {
        const ended = await users(principal.orgId).remove(params.id);
        if (ended === undefined) throw new ApiError('not_found', 'No such user.');
        // The user's sessions went with it; their access tokens must stop now too.
        ctx.auth.forgetSessions(ended);
        return { status: 200, body: {} };
      },
    }),
  ];
}
