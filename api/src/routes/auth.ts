// Login, refresh, logout and "who am I". The access token travels as a bearer header; the
// refresh token only as an HttpOnly, SameSite=Strict cookie scoped to /api/v1/auth, so page
// scripts never see it and other sites cannot send it. Beside it goes a readable hint cookie
// (fleet_session=1, no secret) that tells the console whether a refresh is worth trying when a
// page loads, instead of asking for one that is bound to be refused. With MFA on, the password
// answers a challenge and POST /auth/login/mfa with a code gives what a login gives.
import type { z } from 'zod';
import { DEVICE_COOKIE } from '../auth/device-cookies.ts';
import type { SignedIn } from '../auth/service.ts';
import { TenantUsers, type User } from '../auth/users.ts';
import { ApiError, errorBodySchema } from '../http/errors.ts';
import { type AnyRoute, defineRoute } from '../http/route.ts';
import { ANY_ROLE } from '../permissions.ts';
import type { ApiContext } from './context.ts';
import {
  accessTokenSchema,
  empty,
  iso,
  isoOrNull,
  loginRequestSchema,
  loginResponseSchema,
  meSchema,
  mfaLoginRequestSchema,
  organisationBody,
  SESSION_HINT_COOKIE,
  signedInSchema,
  userSchema,
} from './schemas.ts';

export { SESSION_HINT_COOKIE, userSchema };

export const REFRESH_COOKIE = 'fleet_refresh';
const COOKIE_PATH = '/api/v1/auth';

export function userBody(u: User): z.input<typeof userSchema> {
  return {
    id: u.id,
    orgId: u.orgId,
    email: u.email,
    name: u.name,
    role: u.role,
    departmentId: u.departmentId,
    departmentScope: u.departmentScope,
    createdAt: iso(u.createdAt),
    disabledAt: isoOrNull(u.disabledAt),
    lastLoginAt: isoOrNull(u.lastLoginAt),
  };
}

export function readCookie(header: string, name: string): string | undefined {
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

export function authRoutes(ctx: ApiContext): AnyRoute[] {
  const cookie = (value: string, maxAgeS: number) =>
    `${REFRESH_COOKIE}=${value}; Path=${COOKIE_PATH}; Max-Age=${maxAgeS}; HttpOnly; SameSite=Strict${
      ctx.config.AUTH_COOKIE_SECURE ? '; Secure' : ''
    }`;
  const hint = (maxAgeS: number) =>
    `${SESSION_HINT_COOKIE}=${maxAgeS > 0 ? '1' : ''}; Path=/; Max-Age=${maxAgeS}; SameSite=Strict${
      ctx.config.AUTH_COOKIE_SECURE ? '; Secure' : ''
    }`;
  // Several Set-Cookie headers travel as one value joined by \n (ResponseWriter writes each).
  const setCookies = (refreshToken: string, maxAgeS: number) => ({
    'set-cookie': `${cookie(refreshToken, maxAgeS)}\n${hint(maxAgeS)}`,
  });
  const refreshMaxAge = ctx.config.AUTH_REFRESH_TTL_DAYS * 86_400;
  // A year: the browser stays "known" to the login limits well past one refresh lifetime.
  const deviceCookie = (value: string) =>
    `${DEVICE_COOKIE}=${value}; Path=${COOKIE_PATH}; Max-Age=${365 * 86_400}; HttpOnly; SameSite=Strict${
      ctx.config.AUTH_COOKIE_SECURE ? '; Secure' : ''
    }`;
  const errors = {
    400: { description: 'Invalid body', schema: errorBodySchema },
    401: { description: 'Not signed in', schema: errorBodySchema },
  } as const;
  // A sign-in's answer, from the password alone or after the second factor: tokens and cookies.
  const signedIn = (result: SignedIn) => {
    const cookies = setCookies(result.refreshToken, refreshMaxAge);
    if (result.deviceCookie !== undefined) cookies['set-cookie'] += `\n${deviceCookie(result.deviceCookie)}`;
    return {
      status: 200,
      body: {
        token: result.token,
        expiresAt: result.expiresAt,
        user: userBody(result.user),
        mfaEnrolmentRequired: result.mfaEnrolmentRequired,
      },
      headers: cookies,
    } as const;
  };

  return [
    defineRoute({
      id: 'login',
      method: 'post',
      path: '/api/v1/auth/login',
      tag: 'auth',
      summary: 'Log in with email and password',
      description:
        'Returns a short-lived access token and sets the refresh cookie, and a device cookie the first time a browser signs in. For an account with MFA the right password answers `{mfaRequired: true, mfaToken}` instead, and POST /api/v1/auth/login/mfa completes the sign-in. Failed attempts are limited per account and per address for unknown browsers, and per device cookie for browsers that signed in before, so failures of others never lock a user out of a browser they used (429 with Retry-After). An email with accounts in several organisations also needs `organisation`.',
      access: 'public',
      body: loginRequestSchema,
      responses: {
        200: { description: 'Signed in', schema: loginResponseSchema },
        ...errors,
        429: { description: 'Too many failed attempts', schema: errorBodySchema },
      },
      async handler({ body, address, headers }) {
        const result = await ctx.auth.login({
          ...body,
          deviceCookie: readCookie(headers.cookie, DEVICE_COOKIE),
          address,
          userAgent: headers.userAgent,
        });
        if (result.kind === 'mfa-required')
          return {
            status: 200,
            body: { mfaRequired: true as const, mfaToken: result.mfaToken, expiresAt: result.expiresAt },
          };
        return signedIn(result);
      },
    }),
    defineRoute({
      id: 'loginMfa',
      method: 'post',
      path: '/api/v1/auth/login/mfa',
      tag: 'auth',
      summary: 'Complete a sign-in with a code from the authenticator app, or a recovery code',
      description:
        'Takes the mfaToken of POST /api/v1/auth/login (valid 5 minutes, for one sign-in) and a 6-digit code or a recovery code; answers what a login answers. A code is accepted one 30 s step early or late, never twice; a recovery code works once. Wrong codes count as failed logins (per account and address, or per device cookie: 429 with Retry-After).',
      access: 'public',
      body: mfaLoginRequestSchema,
      responses: {
        200: { description: 'Signed in', schema: signedInSchema },
        ...errors,
        429: { description: 'Too many failed attempts', schema: errorBodySchema },
      },
      async handler({ body, address, headers }) {
        const result = await ctx.auth.completeMfaLogin({
          mfaToken: body.mfaToken,
          proof:
            body.recoveryCode !== undefined ? { recoveryCode: body.recoveryCode } : { code: body.code ?? '' },
          deviceCookie: readCookie(headers.cookie, DEVICE_COOKIE),
          address,
          userAgent: headers.userAgent,
        });
        return signedIn(result);
      },
    }),
    defineRoute({
      id: 'refresh',
      method: 'post',
      path: '/api/v1/auth/refresh',
      tag: 'auth',
      summary: 'Exchange the refresh cookie for a new access token',
      description:
        'Rotates the refresh cookie. A refresh token used twice ends its session. A refusal clears both cookies.',
      access: 'public',
      responses: { 200: { description: 'A new access token', schema: accessTokenSchema }, 401: errors[401] },
      async handler({ headers }) {
        const token = readCookie(headers.cookie, REFRESH_COOKIE);
        const refused = (message: string) =>
          new ApiError('unauthorized', message, { headers: setCookies('', 0) });
        if (token === undefined || token === '') throw refused('No refresh cookie; log in.');
        const result = await ctx.auth.refresh(token).catch((err: unknown) => {
          throw err instanceof ApiError && err.status === 401 ? refused(err.message) : err;
        });
        return {
          status: 200,
          body: { token: result.token, expiresAt: result.expiresAt },
          headers: setCookies(result.refreshToken, refreshMaxAge),
        };
      },
    }),
    defineRoute({
      id: 'logout',
      method: 'post',
      path: '/api/v1/auth/logout',
      tag: 'auth',
      summary: 'End this login session',
      description:
        'Revokes the session: its refresh cookie and every access token of it stop working, and its WebSockets close.',
      access: ANY_ROLE,
      responses: { 200: { description: 'Signed out', schema: empty }, 401: errors[401] },
      async handler({ principal }) {
        await ctx.auth.logout(principal.sessionId);
        return { status: 200, body: {}, headers: setCookies('', 0) };
      },
    }),
    defineRoute({
      id: 'me',
      method: 'get',
      path: '/api/v1/me',
      tag: 'auth',
      summary: 'The signed-in user and their organisation',
      access: ANY_ROLE,
      responses: {
        200: { description: 'The user', schema: meSchema },
        401: errors[401],
      },
      async handler({ principal }) {
        const users = new TenantUsers(ctx.db, principal.orgId);
        const [user, organisation] = [await users.get(principal.userId), await users.organisation()];
        if (!user || !organisation) throw new ApiError('unauthorized', 'The account no longer exists.');
        const mfa = await ctx.mfa.status(principal.orgId, principal.userId);
        return {
          status: 200,
          body: {
            user: userBody(user),
            organisation: organisationBody(organisation),
            mfaEnabled: mfa.enabled,
            mfaEnrolmentRequired: principal.mfaEnrolmentRequired === true,
          },
        };
      },
    }),
  ];
}
