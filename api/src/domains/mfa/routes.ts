// Multi-factor sign-in for the signed-in user (/api/v1/me/mfa/*) and the administrators' reset of
// another user's. The sign-in step itself is in routes/auth.ts (POST /api/v1/auth/login/mfa).
// Wrong codes and passwords here answer 400 with the field named, not 401: the caller is signed
// in, and a 401 would send the console to refresh its session and send the wrong code again.

import { DEVICE_COOKIE } from '../../auth/device-cookies.ts';
import type { SecondFactorProof } from '../../auth/service.ts';
import { TenantUsers } from '../../auth/users.ts';
import { ApiError, errorBodySchema } from '../../http/errors.ts';
import { type AnyRoute, defineRoute } from '../../http/route.ts';
import { ANY_ROLE, RESET_MFA } from '../../permissions.ts';
import { readCookie } from '../../routes/auth.ts';
import type { ApiContext } from '../../routes/context.ts';
import { ERROR_RESPONSES, notFoundResponse, uuidParam } from '../../routes/schemas.ts';
import {
  mfaDisableSchema,
  mfaOffSchema,
  mfaStatusSchema,
  recoveryCodesRequestSchema,
  recoveryCodesSchema,
  totpConfirmationSchema,
  totpEnrolmentSchema,
  totpStartSchema,
} from './schemas.ts';

const conflict = { description: 'MFA is not in the state this needs', schema: errorBodySchema } as const;
const limited = { description: 'Too many wrong codes or passwords', schema: errorBodySchema } as const;

function proofOf(body: { code?: string | undefined; recoveryCode?: string | undefined }): SecondFactorProof {
  return body.recoveryCode !== undefined ? { recoveryCode: body.recoveryCode } : { code: body.code ?? '' };
}

export function mfaRoutes(ctx: ApiContext): AnyRoute[] {
  const mfa = ctx.mfa;
  return [
    defineRoute({
      id: 'mfaStatus',
      method: 'get',
      path: '/api/v1/me/mfa',
      tag: 'mfa',
      summary: 'Whether you sign in with a second factor, and how many recovery codes are left',
      access: ANY_ROLE,
      responses: { 200: { description: 'Your MFA', schema: mfaStatusSchema }, ...ERROR_RESPONSES },
      async handler({ principal }) {
        return { status: 200, body: await mfa.status(principal.orgId, principal.userId) };
      },
    }),
    defineRoute({
      id: 'startTotpEnrolment',
      method: 'post',
      path: '/api/v1/me/mfa/totp',
      tag: 'mfa',
      summary: 'Start enrolling an authenticator app (TOTP)',
      description:
        'Needs your password (a wrong one counts against the login limits), so a stolen session cannot bind an app of its own. Answers a new secret as an otpauth:// URI, in base32 and as a QR code (SVG data URL). Nothing changes at sign-in until POST /api/v1/me/mfa/totp/confirm gets a code from the app. Starting again replaces a pending secret.',
      access: ANY_ROLE,
      body: totpStartSchema,
      responses: {
        200: { description: 'The secret to add to the app', schema: totpEnrolmentSchema },
        ...ERROR_RESPONSES,
        409: conflict,
        429: limited,
      },
      async handler({ principal, body, address, headers }) {
        const user = await new TenantUsers(ctx.db, principal.orgId).get(principal.userId);
        if (!user) throw new ApiError('unauthorized', 'The account no longer exists.');
        await ctx.auth.confirmPassword({
          userId: principal.userId,
          password: body.password,
          deviceCookie: readCookie(headers.cookie, DEVICE_COOKIE),
          address,
        });
        const enrolment = await mfa.startEnrolment(principal.orgId, principal.userId, user.email);
        if (!enrolment)
          throw new ApiError('conflict', 'MFA is on already; turn it off first to change the app.');
        return { status: 200, body: enrolment };
      },
    }),
    defineRoute({
      id: 'confirmTotpEnrolment',
      method: 'post',
      path: '/api/v1/me/mfa/totp/confirm',
      tag: 'mfa',
      summary: 'Turn MFA on with the first code from the app',
      description:
        'Answers 10 single-use recovery codes, this once (they are stored hashed). A session that was limited to enrolment gets a full token at its next refresh (POST /api/v1/auth/refresh).',
      access: ANY_ROLE,
      body: totpConfirmationSchema,
      responses: {
        200: { description: 'MFA is on', schema: recoveryCodesSchema },
        ...ERROR_RESPONSES,
        409: conflict,
      },
      async handler({ principal, body }) {
        const outcome = await mfa.confirmEnrolment(principal.orgId, principal.userId, body.code);
        if (outcome.ok) return { status: 200, body: { recoveryCodes: outcome.recoveryCodes } };
        if (outcome.reason === 'not_started')
          throw new ApiError(
            'conflict',
            'Start with POST /api/v1/me/mfa/totp: there is no secret to confirm.',
          );
        if (outcome.reason === 'already_enabled') throw new ApiError('conflict', 'MFA is on already.');
        throw new ApiError(
          'validation_failed',
          'The code does not match: check the app and the phone clock.',
          {
            details: [{ path: 'body.code', message: 'wrong code for this secret' }],
          },
        );
      },
    }),
    defineRoute({
      id: 'replaceRecoveryCodes',
      method: 'post',
      path: '/api/v1/me/mfa/recovery-codes',
      tag: 'mfa',
      summary: 'Replace your recovery codes',
      description:
        'Needs a code from the app (or a recovery code); answers 10 new codes once, and the old ones stop working. Wrong codes count against the login limits.',
      access: ANY_ROLE,
      body: recoveryCodesRequestSchema,
      responses: {
        200: { description: 'The new codes', schema: recoveryCodesSchema },
        ...ERROR_RESPONSES,
        409: conflict,
        429: limited,
      },
      async handler({ principal, body, address, headers }) {
        if (!(await mfa.status(principal.orgId, principal.userId)).enabled)
          throw new ApiError('conflict', 'MFA is off: there are no recovery codes to replace.');
        await ctx.auth.confirmSecondFactor({
          userId: principal.userId,
          proof: proofOf(body),
          deviceCookie: readCookie(headers.cookie, DEVICE_COOKIE),
          address,
        });
        return {
          status: 200,
          body: { recoveryCodes: await mfa.replaceRecoveryCodes(principal.orgId, principal.userId) },
        };
      },
    }),
    defineRoute({
      id: 'disableMfa',
      method: 'delete',
      path: '/api/v1/me/mfa',
      tag: 'mfa',
      summary: 'Turn your MFA off',
      description:
        'Needs your password and a code from the app (or a recovery code); wrong ones count against the login limits. Refused (409) for administrators of an organisation that requires MFA of them.',
      access: ANY_ROLE,
      body: mfaDisableSchema,
      responses: {
        200: { description: 'MFA is off', schema: mfaOffSchema },
        ...ERROR_RESPONSES,
        409: conflict,
        429: limited,
      },
      async handler({ principal, body, address, headers }) {
        const status = await mfa.status(principal.orgId, principal.userId);
        if (!status.enabled) throw new ApiError('conflict', 'MFA is off already.');
        if (status.requiredForAdmins && principal.role === 'admin')
          throw new ApiError('conflict', 'Your organisation requires MFA of administrators.');
        await ctx.auth.confirmSecondFactor({
          userId: principal.userId,
          password: body.password,
          proof: proofOf(body),
          deviceCookie: readCookie(headers.cookie, DEVICE_COOKIE),
          address,
        });
        await mfa.remove(principal.orgId, principal.userId);
        return { status: 200, body: { enabled: false as const } };
      },
    }),
    defineRoute({
      id: 'resetUserMfa',
      method: 'delete',
      path: '/api/v1/users/{id}/mfa',
      tag: 'mfa',
      summary: "Turn off another user's MFA (a lost phone)",
      description:
        'They sign in with their password alone until they enrol again (at once, if the organisation requires MFA of them). Your own goes through DELETE /api/v1/me/mfa.',
      access: RESET_MFA,
      params: uuidParam,
      responses: {
        200: { description: 'MFA is off for that user', schema: mfaOffSchema },
        ...ERROR_RESPONSES,
        404: notFoundResponse('user'),
        409: conflict,
      },
      async handler({ principal, params }) {
        const user = await new TenantUsers(ctx.db, principal.orgId).get(params.id);
        if (!user) throw new ApiError('not_found', 'No such user.');
        if (user.id === principal.userId)
          throw new ApiError('conflict', 'To turn off your own MFA, use DELETE /api/v1/me/mfa with a code.');
        await mfa.remove(principal.orgId, user.id);
        return { status: 200, body: { enabled: false as const } };
      },
    }),
  ];
}
