// The signed-in user's organisation: administrators rename it and set its time zone, the zone in
// which the console shows times. Read with GET /me; changed here, under row-level security like
// every tenant write, so no request can reach another organisation.
import { DeviceRegistry } from '@fleet/shared/db';
import { ApiError } from '../http/errors.ts';
import { type AnyRoute, defineRoute } from '../http/route.ts';
import { MANAGE_ORGANISATION } from '../permissions.ts';
import type { ApiContext } from './context.ts';
import { registryError } from './devices.ts';
import {
  ERROR_RESPONSES,
  organisationBody,
  organisationChangesSchema,
  organisationSchema,
} from './schemas.ts';

export function organisationRoutes(ctx: ApiContext): AnyRoute[] {
  return [
    defineRoute({
      id: 'updateOrganisation',
      method: 'patch',
      path: '/api/v1/organisation',
      tag: 'organisation',
      summary: "Change the organisation's name, time zone, working hours, distance unit or currency",
      description:
        'The time zone is an IANA name (Europe/Helsinki, UTC); the console shows times in it, and after-hours rules read the working hours in it. `mfaRequiredForAdmins` makes administrators sign in with a second factor: one without it is limited to enrolling (403 mfa_enrolment_required elsewhere) until they do. Every user reads the settings from GET /api/v1/me.',
      access: MANAGE_ORGANISATION,
      body: organisationChangesSchema,
      responses: {
        200: { description: 'The changed organisation', schema: organisationSchema },
        ...ERROR_RESPONSES,
      },
      async handler({ principal, body }) {
        const organisation = await new DeviceRegistry(ctx.db, principal.orgId)
          .updateOrganisation(principal.orgId, body)
          .catch((err: unknown) => {
            throw registryError(err);
          });
        if (!organisation) throw new ApiError('unauthorized', 'The organisation no longer exists.');
        return { status: 200, body: organisationBody(organisation) };
      },
    }),
  ];
}
