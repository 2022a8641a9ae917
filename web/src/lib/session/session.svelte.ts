// The signed-in session of this browser tab: who is signed in, their organisation (and its time
// zone, in which the console shows times), and the access token (in memory; see api/tokens.ts). A page load restores the session from the
// HttpOnly refresh cookie (POST /auth/refresh); when a refresh is refused the session ends and
// the console layout sends the user to /login?next=<where they were>.
import type { MfaLoginRequest, Organisation, OrganisationChanges, User } from '@fleet/api/contract';
import { ApiClient } from '../api/client.ts';
import { ApiRequestError } from '../api/errors.ts';
import { AccessTokens, type IssuedToken, type TokenRequest } from '../api/tokens.ts';
import { browserTimeZone } from '../time.ts';
import { hasSessionHint } from './hint.ts';

export type SessionStatus = 'unknown' | 'restoring' | 'signed-in' | 'signed-out';

/** Why there is no session: it expired or was ended elsewhere, or the user signed out here. */
export type SessionEnd = 'expired' | 'signed-out';

/** The password was right and the account has MFA: the second step needs this and a code. */
export interface MfaChallenge {
  mfaToken: string;
  /** When the challenge expires, ms: the password must be entered again after it. */
  expiresAt: number;
}

/** The second factor: a code from the authenticator app, or a recovery code. */
export type MfaProof = Omit<MfaLoginRequest, 'mfaToken'>;

/**
 * Runs `refresh` under a lock shared by every tab of this origin (Web Locks, where the browser
 * has them: secure contexts, which include http://127.0.0.1): two tabs refreshing with the same
 * cookie at once would look like a replayed refresh token and end the session.
 */
function acrossTabs<T>(name: string, task: () => Promise<T>): Promise<T> {
  const locks = typeof navigator === 'undefined' ? undefined : navigator.locks;
  return locks ? locks.request(name, task) : task();
}

export class Session {
  status = $state<SessionStatus>('unknown');
  user = $state<User | null>(null);
  organisation = $state<Organisation | null>(null);
  ended = $state<SessionEnd | null>(null);
  /** The user signs in with a second factor. */
  mfaEnabled = $state(false);
  /** The organisation requires MFA of this user, who has none: only the account page works. */
  mfaEnrolmentRequired = $state(false);

  readonly api: ApiClient;
  readonly #tokens: AccessTokens;
  #restoring: Promise<void> | undefined;

  constructor(options: { origin?: string } = {}) {
    this.#tokens = new AccessTokens(
      () => acrossTabs('fleet-auth-refresh', () => this.api.call('POST /api/v1/auth/refresh')),
      // A refusal ends a session this tab had; on a first visit there simply was none.
      () => this.#end(this.status === 'signed-in' ? 'expired' : null),
    );
    this.api = new ApiClient({ ...options, tokens: this.#tokens });
  }

  /**
   * The IANA time zone to show times in: the organisation's, or the browser's only while the
   * organisation is not loaded yet (signed out, or /me on its way).
   */
  get timeZone(): string {
    return this.organisation?.timeZone ?? browserTimeZone();
  }

  /** Renames the organisation or sets its time zone (administrators); the session follows. */
  async updateOrganisation(changes: OrganisationChanges): Promise<Organisation> {
    const organisation = await this.api.call('PATCH /api/v1/organisation', { body: changes });
    this.organisation = organisation;
    return organisation;
  }

  /** A token for the live hub (and anything else that cannot retry on 401 by itself). */
  token(request: TokenRequest): Promise<IssuedToken | undefined> {
    return this.#tokens.get(request);
  }

  /**
   * Restores the session from the refresh cookie, once per page load. Resolves when the status
   * is known; throws when the platform cannot be reached (that says nothing about the session).
   */
  restore(): Promise<void> {
    if (this.status === 'signed-in' || this.status === 'signed-out') return Promise.resolve();
    if (!hasSessionHint(document.cookie)) {
      this.status = 'signed-out';
      return Promise.resolve();
    }
    this.#restoring ??= (async () => {
      this.status = 'restoring';
      try {
        const token = await this.#tokens.get({});
        if (token === undefined) return; // refused: #end already ran
        await this.#loadProfile();
        this.status = 'signed-in';
      } catch (err) {
        this.status = 'unknown';
        throw err;
      } finally {
        this.#restoring = undefined;
      }
    })();
    return this.#restoring;
  }

  /** Signs in with the password; answers the challenge of the second step when MFA is on. */
  async login(email: string, password: string): Promise<MfaChallenge | undefined> {
    const result = await this.api.call('POST /api/v1/auth/login', { body: { email, password } });
    if ('mfaRequired' in result) return { mfaToken: result.mfaToken, expiresAt: result.expiresAt };
    await this.#signedIn(result);
    return undefined;
  }

  /** Completes an MFA sign-in with a code from the app or a recovery code. */
  async completeMfaLogin(challenge: MfaChallenge, proof: MfaProof): Promise<void> {
    const result = await this.api.call('POST /api/v1/auth/login/mfa', {
      body: { mfaToken: challenge.mfaToken, ...proof },
    });
    await this.#signedIn(result);
  }

  /**
   * After MFA was turned on or off here: a fresh token (a session limited to enrolment gets a
   * full one) and the profile again.
   */
  async mfaChanged(): Promise<void> {
    await this.#tokens.renew(this.#tokens.current());
    await this.#loadProfile();
  }

  async #signedIn(result: { token: string; expiresAt: number; user: User }): Promise<void> {
    this.#tokens.set({ token: result.token, expiresAt: result.expiresAt });
    this.user = result.user;
    await this.#loadProfile();
    this.ended = null;
    this.status = 'signed-in';
  }

  /** Ends the session on the server (the refresh cookie and every token of it) and here. */
  async logout(): Promise<void> {
    try {
      if (this.#tokens.current() !== undefined) await this.api.call('POST /api/v1/auth/logout');
    } catch (err) {
      // Already ended on the server (401) or unreachable: forget it here all the same.
      if (!(err instanceof ApiRequestError)) throw err;
    } finally {
      this.#end('signed-out');
    }
  }

  async #loadProfile(): Promise<void> {
    const me = await this.api.call('GET /api/v1/me');
    this.user = me.user;
    this.organisation = me.organisation;
    this.mfaEnabled = me.mfaEnabled;
    this.mfaEnrolmentRequired = me.mfaEnrolmentRequired;
  }

  #end(why: SessionEnd | null): void {
    this.#tokens.clear();
    this.user = null;
    this.organisation = null;
    this.mfaEnabled = false;
    this.mfaEnrolmentRequired = false;
    this.ended = why;
    this.status = 'signed-out';
  }
}

/** The session of this tab (the console renders in the browser only: ssr is off). */
export const session = new Session();
