// Login, refresh, logout and "who am I". The access token travels as a bearer header; the
// refresh token only as an HttpOnly, SameSite=Strict cookie scoped to /api/v1/auth, so page
// scripts never see it and other sites cannot send it.
import { z } from 'zod';
import { PASSWORD_MAX_LENGTH } from '../auth/passwords.ts';
import { TenantUsers, type User } from '../auth/users.ts';
import { ApiError, errorBodySchema } from '../http/errors.ts';
import { type AnyRoute, defineRoute } from '../http/route.ts';
import { ANY_ROLE } from '../permissions.ts';
import type { ApiContext } from './context.ts';
import { empty, iso, isoOrNull, role } from './schemas.ts';

export const REFRESH_COOKIE = 'fleet_refresh';
const COOKIE_PATH = '/api/v1/auth';

export const userSchema = z
  .object({
    id: z.uuid(),
    orgId: z.uuid(),
    email: z.string(),
    name: z.string(),
    role,
    createdAt: z.string(),
    disabledAt: z.string().nullable(),
    lastLoginAt: z.string().nullable(),
  })
  .meta({ id: 'User' });

export function userBody(u: User): z.input<typeof userSchema> {
  return {
    id: u.id,
    orgId: u.orgId,
    email: u.email,
    name: u.name,
    role: u.role,
    createdAt: iso(u.createdAt),
    disabledAt: isoOrNull(u.disabledAt),
    lastLoginAt: isoOrNull(u.lastLoginAt),
  };
}

const tokenSchema = z
  .object({
    token: z.string().meta({ description: 'access token (JWT): send as Authorization: Bearer <token>' }),
    expiresAt: z.number().int().meta({ description: 'ms since the Unix epoch' }),
  })
  .meta({ id: 'AccessToken' });

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
  const refreshMaxAge = ctx.config.AUTH_REFRESH_TTL_DAYS * 86_400;
  const errors = {
    400: { description: 'Invalid body', schema: errorBodySchema },
    401: { description: 'Not signed in', schema: errorBodySchema },
  } as const;

  return [
    defineRoute({
      id: 'login',
      method: 'post',
      path: '/api/v1/auth/login',
      tag: 'auth',
      summary: 'Log in with email and password',
      description:
        'Returns a short-lived access token and sets the refresh cookie. Failed attempts are limited per account and per address (429 with Retry-After).',
      access: 'public',
      body: z
        .strictObject({
          email: z.string().min(3).max(254),
          password: z.string().min(1).max(PASSWORD_MAX_LENGTH),
        })
        .meta({ id: 'LoginRequest' }),
      responses: {
        200: {
          description: 'Signed in',
          schema: tokenSchema.extend({ user: userSchema }).meta({ id: 'LoginResponse' }),
        },
        ...errors,
        429: { description: 'Too many failed attempts', schema: errorBodySchema },
      },
      async handler({ body, address, headers }) {
        const result = await ctx.auth.login({ ...body, address, userAgent: headers.userAgent });
        return {
          status: 200,
          body: { token: result.token, expiresAt: result.expiresAt, user: userBody(result.user) },
          headers: { 'set-cookie': cookie(result.refreshToken, refreshMaxAge) },
        };
      },
    }),
    defineRoute({
      id: 'refresh',
      method: 'post',
      path: '/api/v1/auth/refresh',
      tag: 'auth',
      summary: 'Exchange the refresh cookie for a new access token',
      description: 'Rotates the refresh cookie. A refresh token used twice ends its session.',
      access: 'public',
      responses: { 200: { description: 'A new access token', schema: tokenSchema }, 401: errors[401] },
      async handler({ headers }) {
        const token = readCookie(headers.cookie, REFRESH_COOKIE);
        if (token === undefined || token === '')
          throw new ApiError('unauthorized', 'No refresh cookie; log in.');
        const result = await ctx.auth.refresh(token);
        return {
          status: 200,
          body: { token: result.token, expiresAt: result.expiresAt },
          headers: { 'set-cookie': cookie(result.refreshToken, refreshMaxAge) },
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
        return { status: 200, body: {}, headers: { 'set-cookie': cookie('', 0) } };
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
        200: {
          description: 'The user',
          schema: z
            .object({
              user: userSchema,
              organisation: z
                .object({ id: z.uuid(), slug: z.string(), name: z.string() })
                .meta({ id: 'Organisation' }),
            })
            .meta({ id: 'Me' }),
        },
        401: errors[401],
      },
      async handler({ principal }) {
        const users = new TenantUsers(ctx.db, principal.orgId);
        const [user, organisation] = [await users.get(principal.userId), await users.organisation()];
        if (!user || !organisation) throw new ApiError('unauthorized', 'The account no longer exists.');
        return { status: 200, body: { user: userBody(user), organisation } };
      },
    }),
  ];
}
