// The platform operator's API: sign in, and create, list, rename, suspend and resume
// organisations. Operators are members of no organisation (operators.ts); every route but the
// login needs an operator token, and an organisation user's token is a 403 here.

import type { SqlDatabase } from '@fleet/shared/db';
import { z } from 'zod';
import type { LoginGuard } from '../../auth/login-guard.ts';
import type { AuthService } from '../../auth/service.ts';
import { ApiError, errorBodySchema } from '../../http/errors.ts';
import { type AnyRoute, defineRoute } from '../../http/route.ts';
import {
  ERROR_RESPONSES,
  organisationBody,
  organisationSchema,
  timeZoneName,
  uuidParam,
} from '../../routes/schemas.ts';
import type { OperatorTokens, PlatformOperators } from './operators.ts';
import { OrganisationAdministration, SLUG_PATTERN } from './repository.ts';

export interface OperatorRouteDeps {
  db: SqlDatabase;
  operators: PlatformOperators;
  tokens: OperatorTokens;
  /** Failed operator logins are limited like users' (keys of their own). */
  guard: LoginGuard;
  /** Stops the tokens and WebSockets of sessions a suspension ended. */
  auth: AuthService;
}

const operatorLoginSchema = z
  .strictObject({ email: z.string().min(3).max(254), password: z.string().min(1).max(1024) })
  .meta({ id: 'OperatorLogin' });

const operatorTokenSchema = z
  .object({ token: z.string(), expiresAt: z.number().int() })
  .meta({ id: 'OperatorToken' });

const newOrganisationSchema = z
  .strictObject({
    slug: z.string().regex(SLUG_PATTERN, 'lower-case letters, digits and dashes, at most 63'),
    name: z.string().trim().min(1).max(100),
    timeZone: timeZoneName.optional(),
    adminEmail: z.email().max(254),
    adminName: z.string().trim().min(1).max(100).optional(),
    adminPassword: z.string().min(12).max(1024).optional(),
  })
  .meta({ id: 'NewOrganisation' });

const createdOrganisationSchema = z
  .object({
    organisation: organisationSchema,
    admin: z.object({
      id: z.uuid(),
      email: z.string(),
      password: z.string().optional().meta({ description: 'Generated when none was given: shown only now' }),
    }),
  })
  .meta({ id: 'CreatedOrganisation' });

const organisationSummarySchema = organisationSchema
  .extend({ users: z.number().int(), devices: z.number().int() })
  .meta({ id: 'OrganisationSummary' });

const organisationListSchema = z
  .object({ items: z.array(organisationSummarySchema), total: z.number().int() })
  .meta({ id: 'OrganisationList' });

const organisationAdminChangesSchema = z
  .strictObject({
    name: z.string().trim().min(1).max(100).optional(),
    suspended: z.boolean().optional(),
  })
  .refine((b) => Object.keys(b).length > 0, 'nothing to change: give name, suspended or both')
  .meta({ id: 'OrganisationAdminChanges' });

const notFound = { description: 'No such organisation', schema: errorBodySchema } as const;

export function operatorRoutes(deps: OperatorRouteDeps): AnyRoute[] {
  const orgs = new OrganisationAdministration(deps.db);
  return [
    defineRoute({
      id: 'operatorLogin',
      method: 'post',
      path: '/api/v1/platform/login',
      tag: 'platform',
      summary: 'Sign in as a platform operator',
      description:
        'Operators run the installation and its organisations; they belong to none. The token works only on /api/v1/platform routes. Failed attempts are limited per account and per address (429).',
      access: 'public',
      body: operatorLoginSchema,
      responses: {
        200: { description: 'Signed in', schema: operatorTokenSchema },
        ...ERROR_RESPONSES,
        429: { description: 'Too many failed attempts', schema: errorBodySchema },
      },
      async handler({ body, address }) {
        const attempt = { account: `operator:${body.email.trim().toLowerCase()}`, address };
        deps.guard.check(attempt);
        const operator = await deps.operators.verify(body.email, body.password);
        if (!operator) {
          deps.guard.recordFailure(attempt);
          throw new ApiError('invalid_credentials');
        }
        deps.guard.recordSuccess(attempt);
        return { status: 200, body: await deps.tokens.issue(operator.id) };
      },
    }),
    defineRoute({
      id: 'listOrganisations',
      method: 'get',
      path: '/api/v1/platform/organisations',
      tag: 'platform',
      summary: 'Every organisation of the installation, with its numbers of users and devices',
      access: 'operator',
      query: z
        .strictObject({
          suspended: z.stringbool().optional(),
          limit: z.coerce.number().int().min(1).max(500).default(100),
          offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
        })
        .meta({ id: 'OrganisationQuery' }),
      responses: {
        200: { description: 'A page of organisations', schema: organisationListSchema },
        ...ERROR_RESPONSES,
      },
      async handler({ query }) {
        const page = await orgs.list(query);
        return {
          status: 200,
          body: {
            items: page.items.map((o) => ({ ...organisationBody(o), users: o.users, devices: o.devices })),
            total: page.total,
          },
        };
      },
    }),
    defineRoute({
      id: 'createOrganisation',
      method: 'post',
      path: '/api/v1/platform/organisations',
      tag: 'platform',
      summary: 'Create an organisation with its first administrator',
      description:
        'The administrator gets the password given, or a generated one that this answer shows once.',
      access: 'operator',
      body: newOrganisationSchema,
      responses: {
        201: { description: 'Created', schema: createdOrganisationSchema },
        ...ERROR_RESPONSES,
        409: { description: 'The slug is taken', schema: errorBodySchema },
      },
      async handler({ body }) {
        const created = await orgs.create(body);
        return {
          status: 201,
          body: {
            organisation: organisationBody(created.organisation),
            admin: {
              id: created.admin.id,
              email: created.admin.email,
              ...(created.admin.generatedPassword === undefined
                ? {}
                : { password: created.admin.generatedPassword }),
            },
          },
        };
      },
    }),
    defineRoute({
      id: 'getOrganisation',
      method: 'get',
      path: '/api/v1/platform/organisations/{id}',
      tag: 'platform',
      summary: 'One organisation',
      access: 'operator',
      params: uuidParam,
      responses: {
        200: { description: 'The organisation', schema: organisationSchema },
        ...ERROR_RESPONSES,
        404: notFound,
      },
      async handler({ params }) {
        const organisation = await orgs.get(params.id);
        if (!organisation) throw new ApiError('not_found', 'No such organisation.');
        return { status: 200, body: organisationBody(organisation) };
      },
    }),
    defineRoute({
      id: 'updateOrganisationAsOperator',
      method: 'patch',
      path: '/api/v1/platform/organisations/{id}',
      tag: 'platform',
      summary: 'Rename, suspend or resume an organisation',
      description:
        'Suspending ends every session of its users at once (their WebSockets close), refuses their sign-in (403 organisation_suspended) and disconnects and refuses its devices (CONNACK 5); resuming lets both back. Its data stays as it is.',
      access: 'operator',
      params: uuidParam,
      body: organisationAdminChangesSchema,
      responses: {
        200: { description: 'The changed organisation', schema: organisationSchema },
        ...ERROR_RESPONSES,
        404: notFound,
      },
      async handler({ params, body }) {
        let organisation =
          body.name === undefined ? await orgs.get(params.id) : await orgs.rename(params.id, body.name);
        if (organisation && body.suspended !== undefined) {
          const changed = await orgs.setSuspended(params.id, body.suspended);
          if (changed) {
            deps.auth.forgetSessions(changed.revokedSessions);
            organisation = changed.organisation;
          }
        }
        if (!organisation) throw new ApiError('not_found', 'No such organisation.');
        return { status: 200, body: organisationBody(organisation) };
      },
    }),
  ];
}
