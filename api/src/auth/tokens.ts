// Access tokens: short-lived JWTs (HS256, via `jose`) naming the user, organisation, role and
// login session. The signing key comes from AUTH_JWT_SECRET or is generated once and kept
// under DATA_DIR/auth, so tokens survive a restart but no two installs share a key. Also the
// short-lived token between the password and the second factor of an MFA sign-in.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { errors, jwtVerify, SignJWT } from 'jose';
import { ApiError } from '../http/errors.ts';
import type { Principal } from '../http/route.ts';
import { isRole, type Role } from '../permissions.ts';

const ISSUER = 'fleet-platform';
const AUDIENCE = 'fleet-api';

/** The key from config, or the one kept in `dir` (created with mode 0600 on first use). */
export function loadSigningKey(configured: string | undefined, dir: string | undefined): Uint8Array {
  if (configured !== undefined) return new TextEncoder().encode(configured);
  if (dir === undefined) return randomBytes(32);
  const path = join(dir, 'jwt-secret');
  if (!existsSync(path)) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    writeFileSync(path, randomBytes(48).toString('base64url'), { mode: 0o600, flag: 'wx' });
  }
  return new TextEncoder().encode(readFileSync(path, 'utf8').trim());
}

export interface TokenSubject {
  userId: string;
  orgId: string;
  role: Role;
  sessionId: string;
  /** The organisation requires MFA of this user, who has none yet: the token reaches only enrolment. */
  mfaEnrolmentRequired?: boolean;
  /** The department of a scoped user (required, so no sign-in path can forget it); else undefined. */
  scopeDepartmentId: string | undefined;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The scope a user's tokens carry: their department, when they are limited to it. */
export function scopeOf(user: { departmentId: string | null; departmentScope: boolean }): string | undefined {
  return user.departmentScope && user.departmentId !== null ? user.departmentId : undefined;
}

/** Signs a short-lived HS256 JWT for `subject` with these claims, for one audience. */
export async function signToken(
  key: Uint8Array,
  options: { subject: string; audience: string; claims: Record<string, unknown>; ttlS: number; now: number },
): Promise<{ token: string; expiresAt: number }> {
  const iat = Math.floor(options.now / 1000);
  const exp = iat + options.ttlS;
  const token = await new SignJWT(options.claims)
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(options.subject)
    .setIssuer(ISSUER)
    .setAudience(options.audience)
    .setIssuedAt(iat)
    .setExpirationTime(exp)
    .sign(key);
  return { token, expiresAt: exp * 1000 };
}

/**
 * The claims of a valid token of this audience; ApiError token_expired or unauthorized (with
 * `invalid` as its message) otherwise. HS256 only: `alg: none` and others are refused.
 */
export async function verifyToken(
  key: Uint8Array,
  token: string,
  audience: string,
  invalid: string,
): Promise<Record<string, unknown>> {
  try {
    const { payload } = await jwtVerify(token, key, { issuer: ISSUER, audience, algorithms: ['HS256'] });
    return payload;
  } catch (err) {
    if (err instanceof errors.JWTExpired) throw new ApiError('token_expired');
    throw new ApiError('unauthorized', invalid);
  }
}

export class AccessTokens {
  readonly #key: Uint8Array;
  readonly #ttlS: number;

  constructor(key: Uint8Array, ttlS: number) {
    this.#key = key;
    this.#ttlS = ttlS;
  }

  issue(subject: TokenSubject, now = Date.now()): Promise<{ token: string; expiresAt: number }> {
    return signToken(this.#key, {
      subject: subject.userId,
      audience: AUDIENCE,
      claims: {
        org: subject.orgId,
        role: subject.role,
        sid: subject.sessionId,
        ...(subject.mfaEnrolmentRequired === true ? { mfa_enrol: true } : {}),
        ...(subject.scopeDepartmentId === undefined ? {} : { dep: subject.scopeDepartmentId }),
      },
      ttlS: this.#ttlS,
      now,
    });
  }

  /** The principal of a valid token; ApiError token_expired or unauthorized otherwise. */
  async verify(token: string): Promise<Principal> {
    const { sub, org, role, sid, exp, mfa_enrol, dep } = await verifyToken(
      this.#key,
      token,
      AUDIENCE,
      'The access token is not valid.',
    );
    if (
      typeof sub !== 'string' ||
      typeof org !== 'string' ||
      typeof role !== 'string' ||
      !isRole(role) ||
      typeof sid !== 'string' ||
      typeof exp !== 'number' ||
      (dep !== undefined && (typeof dep !== 'string' || !UUID.test(dep)))
    ) {
      throw new ApiError('unauthorized', 'The access token is missing claims.');
    }
    return {
      userId: sub,
      orgId: org,
      role,
      sessionId: sid,
      expiresAt: exp * 1000,
      ...(mfa_enrol === true ? { mfaEnrolmentRequired: true } : {}),
      ...(typeof dep === 'string' ? { scopeDepartmentId: dep } : {}),
    };
  }
}

const MFA_AUDIENCE = 'fleet-mfa-login';
/** Five minutes to type the code from the app after the password was right. */
export const MFA_CHALLENGE_TTL_S = 300;
const MFA_CHALLENGE_INVALID = 'The sign-in has expired or is not valid; enter your password again.';

/** A password that was right for an account with MFA: what the second step completes. */
export interface MfaChallenge {
  userId: string;
  orgId: string;
  /** The normalised email signed in with, the key of the login limits. */
  account: string;
  /** The token's id, so that one challenge completes one sign-in only. */
  id: string;
  expiresAt: number;
}

/**
 * The token between the two steps of an MFA sign-in: of its own audience, so it is no access
 * token anywhere, and it proves only that the password was right a moment ago.
 */
export class MfaChallengeTokens {
  readonly #key: Uint8Array;

  constructor(key: Uint8Array) {
    this.#key = key;
  }

  issue(
    challenge: { userId: string; orgId: string; account: string },
    now = Date.now(),
  ): Promise<{ token: string; expiresAt: number }> {
    return signToken(this.#key, {
      subject: challenge.userId,
      audience: MFA_AUDIENCE,
      claims: { org: challenge.orgId, acct: challenge.account, jti: randomBytes(16).toString('base64url') },
      ttlS: MFA_CHALLENGE_TTL_S,
      now,
    });
  }

  /** The challenge of a valid token; ApiError unauthorized otherwise (expired ones too). */
  async verify(token: string): Promise<MfaChallenge> {
    const claims = await verifyToken(this.#key, token, MFA_AUDIENCE, MFA_CHALLENGE_INVALID).catch(
      (err: unknown) => {
        throw err instanceof ApiError ? new ApiError('unauthorized', MFA_CHALLENGE_INVALID) : err;
      },
    );
    const { sub, org, acct, jti, exp } = claims;
    if (
      typeof sub !== 'string' ||
      typeof org !== 'string' ||
      typeof acct !== 'string' ||
      typeof jti !== 'string' ||
      typeof exp !== 'number'
    )
      throw new ApiError('unauthorized', MFA_CHALLENGE_INVALID);
    return { userId: sub, orgId: org, account: acct, id: jti, expiresAt: exp * 1000 };
  }
}
