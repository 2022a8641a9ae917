// Login, refresh, logout and the check of every request's token, in one place. Access tokens
// are stateless JWTs; a logout (or a user being disabled) must still stop them at once, so the
// ids of revoked sessions are kept in memory for as long as their tokens could live.
// With MFA on (api/src/domains/mfa), a right password answers a challenge instead of tokens, and
// the second step's wrong codes count against the same login limits as wrong passwords.
import { withAuditActor } from '@fleet/shared/db';
import { ApiError } from '../http/errors.ts';
import type { Principal } from '../http/route.ts';
import type { Role } from '../permissions.ts';
import type { DeviceCookies } from './device-cookies.ts';
import type { LoginAttempt, LoginGuard } from './login-guard.ts';
import { spendPasswordTime, verifyPassword } from './passwords.ts';
import type { SessionStore } from './sessions.ts';
import { type AccessTokens, type MfaChallengeTokens, scopeOf } from './tokens.ts';
import { normaliseEmail, type User, type UserDirectory, type UserWithHash } from './users.ts';

export interface SignedIn {
  kind: 'signed-in';
  token: string;
  expiresAt: number;
  refreshToken: string;
  /** A new device cookie for this browser, when it did not send a valid one. */
  deviceCookie: string | undefined;
  user: User;
  /** The organisation requires MFA of this user, who must enrol before anything else. */
  mfaEnrolmentRequired: boolean;
}

/** The password was right; the account has MFA, so the second step must complete the sign-in. */
export interface MfaRequired {
  kind: 'mfa-required';
  mfaToken: string;
  expiresAt: number;
}

export type LoginResult = SignedIn | MfaRequired;

/** The second factor a user gives: a code from their authenticator app, or a recovery code. */
export type SecondFactorProof = { code: string } | { recoveryCode: string };

/** Multi-factor sign-in as the auth service needs it (api/src/domains/mfa/service.ts). */
export interface SecondFactor {
  /** Whether the user has MFA on, and whether their organisation wants them to enrol first. */
  loginState(user: { id: string; orgId: string; role: Role }): Promise<{
    enabled: boolean;
    enrolmentRequired: boolean;
  }>;
  /** Checks and spends a code: false when it is wrong or was used before. */
  verify(user: { id: string; orgId: string }, proof: SecondFactorProof): Promise<boolean>;
}

const NO_SECOND_FACTOR: SecondFactor = {
  loginState: async () => ({ enabled: false, enrolmentRequired: false }),
  verify: async () => false,
};

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
  readonly #secondFactor: SecondFactor;
  readonly #challenges: MfaChallengeTokens | undefined;
  /** MFA challenges already completed -> when they expire: one challenge, one sign-in. */
  readonly #spentChallenges = new Map<string, number>();

  constructor(deps: {
    users: UserDirectory;
    sessions: SessionStore;
    tokens: AccessTokens;
    guard: LoginGuard;
    deviceCookies: DeviceCookies;
    accessTtlMs: number;
    /** Told about revoked sessions, e.g. to close their WebSockets. */
    onRevoke?: (sessionIds: readonly string[]) => void;
    /** Multi-factor sign-in; without it every account signs in with its password alone. */
    secondFactor?: SecondFactor;
    challenges?: MfaChallengeTokens;
  }) {
    this.#users = deps.users;
    this.#sessions = deps.sessions;
    this.#tokens = deps.tokens;
    this.#guard = deps.guard;
    this.#deviceCookies = deps.deviceCookies;
    this.#accessTtlMs = deps.accessTtlMs;
    this.#onRevoke = deps.onRevoke ?? (() => {});
    this.#secondFactor = deps.secondFactor ?? NO_SECOND_FACTOR;
    this.#challenges = deps.challenges;
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
    const factor = await this.#secondFactor.loginState(user);
    if (factor.enabled) {
      // Fail closed: an account with MFA never signs in with its password alone.
      if (!this.#challenges) throw new Error('MFA is on for this account but no challenge tokens are set up');
      // Neither a success nor a failure yet: the limits are cleared only by the whole sign-in.
      const challenge = await this.#challenges.issue({ userId: user.id, orgId: user.orgId, account: email });
      return { kind: 'mfa-required', mfaToken: challenge.token, expiresAt: challenge.expiresAt };
    }
    return this.#signIn(user, attempt, { ...input, enrolmentRequired: factor.enrolmentRequired });
  }

  /** The second step of an MFA sign-in: the challenge of the first and a code. */
  async completeMfaLogin(input: {
    mfaToken: string;
    proof: SecondFactorProof;
    deviceCookie?: string | undefined;
    address: string;
    userAgent: string;
  }): Promise<SignedIn> {
    if (!this.#challenges) throw new ApiError('unauthorized', 'Multi-factor sign-in is not set up here.');
    const challenge = await this.#challenges.verify(input.mfaToken);
    const user = await this.#users.findById(challenge.userId);
    if (!user || user.orgId !== challenge.orgId || user.disabledAt !== null)
      throw new ApiError(
        'unauthorized',
        'The sign-in has expired or is not valid; enter your password again.',
      );
    if (user.organisationSuspended) throw new ApiError('organisation_suspended');
    const attempt: LoginAttempt = {
      account: challenge.account,
      address: input.address,
      deviceKey: this.#deviceCookies.verify(input.deviceCookie, user.id),
    };
    this.#guard.check(attempt);
    this.#forgetSpentChallenges();
    if (this.#spentChallenges.has(challenge.id))
      throw new ApiError('unauthorized', 'This sign-in is complete already; enter your password again.');
    const ok = await this.#asUser(user, input.address, () => this.#secondFactor.verify(user, input.proof));
    if (!ok) {
      this.#guard.recordFailure(attempt);
      throw new ApiError('invalid_mfa_code');
    }
    this.#spentChallenges.set(challenge.id, challenge.expiresAt);
    return this.#signIn(user, attempt, { ...input, enrolmentRequired: false });
  }

  /**
   * Asks a signed-in user for their second factor (and password) again before they change it
   * (turn MFA off, replace recovery codes): wrong answers count against the login limits, so a
   * stolen access token cannot guess its way to switching MFA off. Wrong answers are 400 with the
   * field named: a 401 would tell the caller its session is over.
   */
  /**
   * A signed-in user's password asked again before a change that takes over the account (starting
   * MFA enrolment): a wrong one counts against the login limits like a sign-in's.
   */
  async confirmPassword(input: {
    userId: string;
    password: string;
    deviceCookie?: string | undefined;
    address: string;
  }): Promise<void> {
    await this.#passwordChecked(input);
  }

  async confirmSecondFactor(input: {
    userId: string;
    password?: string | undefined;
    proof: SecondFactorProof;
    deviceCookie?: string | undefined;
    address: string;
  }): Promise<void> {
    const { user, attempt } = await this.#passwordChecked(input);
    if (!(await this.#asUser(user, input.address, () => this.#secondFactor.verify(user, input.proof)))) {
      this.#guard.recordFailure(attempt);
      const field = 'recoveryCode' in input.proof ? 'body.recoveryCode' : 'body.code';
      throw new ApiError('validation_failed', 'Wrong or already used code.', {
        details: [{ path: field, message: 'wrong or already used code' }],
      });
    }
  }

  /** The user under the login limits, their password checked if one is given; 400 naming it if wrong. */
  async #passwordChecked(input: {
    userId: string;
    password?: string | undefined;
    deviceCookie?: string | undefined;
    address: string;
  }): Promise<{ user: UserWithHash; attempt: LoginAttempt }> {
    const user = await this.#users.findById(input.userId);
    if (!user) throw new ApiError('unauthorized', 'The account no longer exists.');
    const attempt: LoginAttempt = {
      account: user.email,
      address: input.address,
      deviceKey: this.#deviceCookies.verify(input.deviceCookie, user.id),
    };
    this.#guard.check(attempt);
    const passwordOk =
      input.password === undefined || (await verifyPassword(user.passwordHash, input.password));
    if (!passwordOk) {
      this.#guard.recordFailure(attempt);
      throw new ApiError('validation_failed', 'Wrong password.', {
        details: [{ path: 'body.password', message: 'wrong password' }],
      });
    }
    return { user, attempt };
  }

  /** What the login step writes (a spent code) is logged as the user's doing, not an anonymous one. */
  #asUser<T>(user: UserWithHash, address: string, fn: () => Promise<T>): Promise<T> {
    return withAuditActor({ kind: 'user', id: user.id, label: user.email, address }, fn);
  }

  #forgetSpentChallenges(): void {
    const now = Date.now();
    for (const [id, expiresAt] of this.#spentChallenges)
      if (expiresAt < now) this.#spentChallenges.delete(id);
  }

  async #signIn(
    user: UserWithHash,
    attempt: LoginAttempt,
    input: { address: string; userAgent: string; enrolmentRequired: boolean },
  ): Promise<SignedIn> {
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
      scopeDepartmentId: scopeOf(user),
      mfaEnrolmentRequired: input.enrolmentRequired,
    });
    const deviceCookie = attempt.deviceKey === undefined ? this.#deviceCookies.issue(user.id) : undefined;
    return {
      kind: 'signed-in',
      ...access,
      refreshToken,
      deviceCookie,
      user: publicUser,
      mfaEnrolmentRequired: input.enrolmentRequired,
    };
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
    // The MFA policy is read again at every refresh: enrolling lifts the limit, a new policy sets it.
    const factor = await this.#secondFactor.loginState(user);
    const access = await this.#tokens.issue({
      userId: user.id,
      orgId: user.orgId,
      role: user.role,
      sessionId: outcome.session.id,
      scopeDepartmentId: scopeOf(user),
      mfaEnrolmentRequired: factor.enrolmentRequired,
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
