// Access tokens: short-lived JWTs (HS256, via `jose`) naming the user, organisation, role and
// login session. The signing key comes from AUTH_JWT_SECRET or is generated once and kept
// under DATA_DIR/auth, so tokens survive a restart but no two installs share a key.
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
      claims: { org: subject.orgId, role: subject.role, sid: subject.sessionId },
      ttlS: this.#ttlS,
      now,
    });
  }

  /** The principal of a valid token; ApiError token_expired or unauthorized otherwise. */
  async verify(token: string): Promise<Principal> {
    const { sub, org, role, sid, exp } = await verifyToken(
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
      typeof exp !== 'number'
    ) {
      throw new ApiError('unauthorized', 'The access token is missing claims.');
    }
    return { userId: sub, orgId: org, role, sessionId: sid, expiresAt: exp * 1000 };
  }
}
