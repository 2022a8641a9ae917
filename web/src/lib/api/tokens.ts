// The access token of the signed-in user, kept in memory only (never localStorage: a script
// injected into the page could read it there long after). A new one comes from the refresh
// cookie, which page scripts cannot read at all. Refreshes are single-flight: the API rotates
// the refresh token on every use and ends the session when an old one is replayed, so two
// refreshes racing with the same cookie would sign the user out.
import type { TokenSource } from './client.ts';
import { ApiRequestError } from './errors.ts';

export interface IssuedToken {
  token: string;
  /** ms since the Unix epoch (the API's clock). */
  expiresAt: number;
}

export interface TokenRequest {
  /** The token must be valid until at least this time (ms). */
  expiringAfter?: number;
  /** The server refused this token: get another unless a newer one is already here. */
  rejected?: string;
}

export class AccessTokens implements TokenSource {
  readonly #refresh: () => Promise<IssuedToken>;
  readonly #onEnded: () => void;
  #current: IssuedToken | undefined;
  #renewing: Promise<IssuedToken | undefined> | undefined;

  /**
   * @param refresh exchanges the refresh cookie for a token (POST /auth/refresh)
   * @param onEnded told when a refresh is refused: the session is over
   */
  constructor(refresh: () => Promise<IssuedToken>, onEnded: () => void) {
    this.#refresh = refresh;
    this.#onEnded = onEnded;
  }

  current(): string | undefined {
    return this.#current?.token;
  }

  issued(): IssuedToken | undefined {
    return this.#current;
  }

  set(token: IssuedToken): void {
    this.#current = token;
  }

  clear(): void {
    this.#current = undefined;
  }

  async renew(rejected: string | undefined): Promise<string | undefined> {
    return (await this.get({ ...(rejected === undefined ? {} : { rejected }), expiringAfter: Infinity }))
      ?.token;
  }

  /**
   * A token that satisfies the request: the current one if it does, else a refreshed one.
   * Undefined when the session has ended (the refresh was refused); other failures (no network)
   * are thrown, because they say nothing about the session.
   */
  async get(request: TokenRequest = {}): Promise<IssuedToken | undefined> {
    const current = this.#current;
    if (current !== undefined) {
      const replaced = request.rejected !== undefined && current.token !== request.rejected;
      const refused = request.rejected !== undefined && current.token === request.rejected;
      const longEnough = current.expiresAt > (request.expiringAfter ?? Date.now());
      if (replaced || (!refused && longEnough)) return current;
    }
    this.#renewing ??= this.#refresh().then(
      (token) => {
        this.#renewing = undefined;
        this.#current = token;
        return token;
      },
      (err: unknown) => {
        this.#renewing = undefined;
        if (err instanceof ApiRequestError && err.status === 401) {
          this.#current = undefined;
          this.#onEnded();
          return undefined;
        }
        throw err;
      },
    );
    return this.#renewing;
  }
}
