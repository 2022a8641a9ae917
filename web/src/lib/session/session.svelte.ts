// The signed-in session of this browser tab: who is signed in, their organisation (and its time
// zone, in which the console shows times), and the access token (in memory; see api/tokens.ts). A page load restores the session from the
// HttpOnly refresh cookie (POST /auth/refresh); when a refresh is refused the session ends and
// the console layout sends the user to /login?next=<where they were>.
import type { Organisation, OrganisationChanges, User } from '@fleet/api/contract';
import { ApiClient } from '../api/client.ts';
import { ApiRequestError } from '../api/errors.ts';
import { AccessTokens, type IssuedToken, type TokenRequest } from '../api/tokens.ts';
import { browserTimeZone } from '../time.ts';
import { hasSessionHint } from './hint.ts';

export type SessionStatus = 'unknown' | 'restoring' | 'signed-in' | 'signed-out';

/** Why there is no session: it expired or was ended elsewhere, or the user signed out here. */
export type SessionEnd = 'expired' | 'signed-out';

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

  async login(email: string, password: string): Promise<void> {
    const result = await this.api.call('POST /api/v1/auth/login', { body: { email, password } });
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
  }

  #end(why: SessionEnd | null): void {
    this.#tokens.clear();
    this.user = null;
    this.organisation = null;
    this.ended = why;
    this.status = 'signed-out';
  }
}

/** The session of this tab (the console renders in the browser only: ssr is off). */
export const session = new Session();
