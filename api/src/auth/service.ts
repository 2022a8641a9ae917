// Login, refresh, logout and the check of every request's token, in one place. Access tokens
// are stateless JWTs; a logout (or a user being disabled) must still stop them at once, so the
// ids of revoked sessions are kept in memory for as long as their tokens could live.
import { ApiError } from '../http/errors.ts';
import type { Principal } from '../http/route.ts';
import type { DeviceCookies } from './device-cookies.ts';
import type { LoginAttempt, LoginGuard } from './login-guard.ts';
import { spendPasswordTime, verifyPassword } from './passwords.ts';
import type { SessionStore } from './sessions.ts';
import type { AccessTokens } from './tokens.ts';
import { normaliseEmail, type User, type UserDirectory } from './users.ts';

export interface LoginResult {
  token: string;
  expiresAt: number;
  refreshToken: string;
  /** A new device cookie for this browser, when it did not send a valid one. */
  deviceCookie: string | undefined;
  user: User;
}

export class AuthService {
  readonly #users: UserDirectory;
  readonly #sessions: SessionStore;
  readonly #tokens: AccessTokens;
  readonly #guard: LoginGuard;
  readonly #deviceCookies: DeviceCookies;
  readonly #accessTtlMs: number;
  /** session id -> when its last access token expires at the latest. */
  readonly #revoked = new Map<string, number>();
  readonly #onRevoke: (sessionIds: readonly string[]) => void;

  constructor(deps: {
    users: UserDirectory;
    sessions: SessionStore;
    tokens: AccessTokens;
    guard: LoginGuard;
    deviceCookies: DeviceCookies;
    accessTtlMs: number;
    /** Told about revoked sessions, e.g. to close their WebSockets. */
    onRevoke?: (sessionIds: readonly string[]) => void;
  }) {
    this.#users = deps.users;
    this.#sessions = deps.sessions;
    this.#tokens = deps.tokens;
    this.#guard = deps.guard;
    this.#deviceCookies = deps.deviceCookies;
    this.#accessTtlMs = deps.accessTtlMs;
    this.#onRevoke = deps.onRevoke ?? (() => {});
  }

  /** Loads sessions revoked before a restart whose access tokens could still be valid. */
  async loadRevocations(): Promise<void> {
    const ids = await this.#sessions.revokedSince(new Date(Date.now() - this.#accessTtlMs));
    this.#markRevoked(ids);
  }

  #markRevoked(ids: readonly string[]): void {
    const until = Date.now() + this.#accessTtlMs;
    for (const id of ids) this.#revoked.set(id, until);
    const now = Date.now();
    for (const [id, expiry] of this.#revoked) if (expiry < now) this.#revoked.delete(id);
    if (ids.length > 0) this.#onRevoke(ids);
  }

  async login(input: {
    email: string;
    password: string;
    /** The organisation's slug, when one email has accounts in several. */
    organisation?: string | undefined;
    /** The device cookie the browser sent, if any. */
    deviceCookie?: string | undefined;
    address: string;
    userAgent: string;
  }): Promise<LoginResult> {
    const email = normaliseEmail(input.email);
    const candidates = await this.#users.findByEmail(email, { organisationSlug: input.organisation });
    // A device cookie counts only for the account it was issued to.
    let deviceKey: string | undefined;
    for (const c of candidates) deviceKey ??= this.#deviceCookies.verify(input.deviceCookie, c.id);
    const attempt: LoginAttempt = { account: email, address: input.address, deviceKey };
    this.#guard.check(attempt);
    const matches: typeof candidates = [];
    for (const c of candidates) if (await verifyPassword(c.passwordHash, input.password)) matches.push(c);
    if (candidates.length === 0) await spendPasswordTime(input.password); // same time with or without an account
    // A disabled account answers exactly like a wrong password: no account enumeration.
    const enabled = matches.filter((u) => u.disabledAt === null);
    const active = enabled.filter((u) => !u.organisationSuspended);
    const user = active[0];
    if (!user) {
      // Only someone with the right password learns that the organisation is suspended.
      if (enabled.length > 0) throw new ApiError('organisation_suspended');
      this.#guard.recordFailure(attempt);
      throw new ApiError('invalid_credentials');
    }
    // Only someone with the right password learns that the address has accounts elsewhere.
    if (active.length > 1) {
      throw new ApiError('validation_failed', 'This email signs in to several organisations: name one.', {
        details: [{ path: 'body.organisation', message: 'required: the organisation slug' }],
      });
    }
    this.#guard.recordSuccess(attempt);
    const { session, refreshToken } = await this.#sessions.create({
      orgId: user.orgId,
      userId: user.id,
      userAgent: input.userAgent,
      address: input.address,
    });
    await this.#users.recordLogin(user.id);
    const { passwordHash: _, organisationSuspended: __, ...publicUser } = user;
    const access = await this.#tokens.issue({
      userId: user.id,
      orgId: user.orgId,
      role: user.role,
      sessionId: session.id,
    });
    const deviceCookie = deviceKey === undefined ? this.#deviceCookies.issue(user.id) : undefined;
    return { ...access, refreshToken, deviceCookie, user: publicUser };
  }

  /** A new access token (and refresh token) for a valid refresh token. */
  async refresh(refreshToken: string): Promise<{ token: string; expiresAt: number; refreshToken: string }> {
    const outcome = await this.#sessions.rotate(refreshToken);
    if (!outcome.ok) {
      if (outcome.reason === 'reused' && outcome.session) this.#markRevoked([outcome.session.id]);
      throw new ApiError('unauthorized', 'The session has ended; log in again.');
    }
    const user = await this.#users.findById(outcome.session.userId);
    if (!user || user.disabledAt !== null || user.organisationSuspended) {
      await this.#sessions.revoke(outcome.session.id);
      this.#markRevoked([outcome.session.id]);
      throw new ApiError('unauthorized', 'The session has ended; log in again.');
    }
    const access = await this.#tokens.issue({
      userId: user.id,
      orgId: user.orgId,
      role: user.role,
      sessionId: outcome.session.id,
    });
    return { ...access, refreshToken: outcome.refreshToken };
  }

  async logout(sessionId: string): Promise<void> {
    await this.#sessions.revoke(sessionId);
    this.#markRevoked([sessionId]);
  }

  /** Ends every session of a user at once (disabled, role changed, deleted). */
  async endUserSessions(userId: string): Promise<void> {
    this.#markRevoked(await this.#sessions.revokeUser(userId));
  }

  /** Stops the tokens of sessions that no longer exist (their user was deleted). */
  forgetSessions(sessionIds: readonly string[]): void {
    this.#markRevoked(sessionIds);
  }

  async authenticate(token: string): Promise<Principal> {
    const principal = await this.#tokens.verify(token);
    if (this.#revoked.has(principal.sessionId))
      throw new ApiError('unauthorized', 'The session has ended; log in again.');
    return principal;
  }

  isRevoked(sessionId: string): boolean {
    return this.#revoked.has(sessionId);
  }
}
