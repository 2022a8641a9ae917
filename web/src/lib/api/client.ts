// The console's one HTTP client for the platform's REST API (/api/v1): typed by the API's own
// route schemas (ConsoleEndpoints, api/src/contract.ts), JSON in and out, the access token as a
// bearer header, and one refresh-and-retry when a call is refused with 401.
import type { ConsoleEndpoints } from '@fleet/api/contract';
import { ApiRequestError, errorFromResponse } from './errors.ts';
import type { ManagementEndpoints } from './management.ts';

/** The contract's routes and the management pages' (management.ts says why those are apart). */
type Endpoints = ConsoleEndpoints & ManagementEndpoints;
export type Endpoint = keyof Endpoints;
export type RequestBody<E extends Endpoint> = Endpoints[E]['body'];
export type ResponseBody<E extends Endpoint> = Endpoints[E]['response'];

/** Where the client gets its access token, and a new one after a 401. */
export interface TokenSource {
  /** The token to send now, if signed in. */
  current(): string | undefined;
  /**
   * A token to replace `rejected`: refreshes (once for all concurrent callers), or returns the
   * newer token someone else already got; undefined when the session has ended.
   */
  renew(rejected: string | undefined): Promise<string | undefined>;
}

export interface CallOptions {
  /** Values for `{name}` segments of the path. */
  params?: Record<string, string>;
  query?: Record<string, string | number | boolean | undefined>;
  signal?: AbortSignal;
}

type CallArgs<E extends Endpoint> =
  RequestBody<E> extends undefined
    ? [options?: CallOptions]
    : [options: CallOptions & { body: RequestBody<E> }];

/** Routes that take no access token: they are how one gets one. */
const PUBLIC: ReadonlySet<Endpoint> = new Set<Endpoint>([
  'POST /api/v1/auth/login',
  'POST /api/v1/auth/login/mfa',
  'POST /api/v1/auth/refresh',
]);

export interface ApiClientOptions {
  /** Origin of the platform; '' (the default) is the page's own origin. */
  origin?: string;
  fetch?: typeof fetch;
  tokens?: TokenSource;
}

export function endpointUrl(endpoint: Endpoint, options: CallOptions = {}): { method: string; path: string } {
  const space = endpoint.indexOf(' ');
  const method = endpoint.slice(0, space);
  let path = endpoint.slice(space + 1).replace(/\{([A-Za-z0-9_]+)\}/g, (_, name: string) => {
    const value = options.params?.[name];
    if (value === undefined) throw new Error(`${endpoint}: no value for {${name}}`);
    return encodeURIComponent(value);
  });
  const query = new URLSearchParams();
  for (const [k, v] of Object.entries(options.query ?? {})) if (v !== undefined) query.set(k, String(v));
  if (query.size > 0) path += `?${query}`;
  return { method, path };
}

export class ApiClient {
  readonly #origin: string;
  readonly #fetch: typeof fetch;
  readonly #tokens: TokenSource | undefined;

  constructor(options: ApiClientOptions = {}) {
    this.#origin = options.origin ?? '';
    // Bound: a bare `fetch` called as a method of another object throws "Illegal invocation".
    this.#fetch = options.fetch ?? ((input, init) => fetch(input, init));
    this.#tokens = options.tokens;
  }

  async call<E extends Endpoint>(endpoint: E, ...[options]: CallArgs<E>): Promise<ResponseBody<E>> {
    const opts: CallOptions & { body?: unknown } = options ?? {};
    const { method, path } = endpointUrl(endpoint, opts);
    const authenticated = !PUBLIC.has(endpoint) && this.#tokens !== undefined;
    let token = authenticated ? this.#tokens?.current() : undefined;
    let response = await this.#send(method, path, opts, token);
    if (response.status === 401 && authenticated && this.#tokens) {
      const renewed = await this.#tokens.renew(token);
      if (renewed !== undefined) {
        token = renewed;
        response = await this.#send(method, path, opts, token);
      }
    }
    const text = await response.text().catch((cause: unknown) => {
      throw new ApiRequestError(response.status, 'network_error', 'The connection broke mid-answer.', {
        cause,
      });
    });
    if (!response.ok) throw errorFromResponse(response.status, text, response.headers);
    // An empty answer (none of the typed routes sends one today) is passed on as undefined.
    if (text === '') return undefined as unknown as ResponseBody<E>;
    try {
      return JSON.parse(text) as ResponseBody<E>;
    } catch (cause) {
      throw new ApiRequestError(
        response.status,
        'bad_response',
        'The platform sent a body that is not JSON.',
        {
          cause,
        },
      );
    }
  }

  async #send(
    method: string,
    path: string,
    options: CallOptions & { body?: unknown },
    token: string | undefined,
  ): Promise<Response> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (token !== undefined) headers.authorization = `Bearer ${token}`;
    const init: RequestInit = {
      method,
      headers,
      // The refresh cookie (HttpOnly, path /api/v1/auth) travels on same-origin calls only.
      // (No cache option: the API marks every JSON answer Cache-Control: no-store.)
      credentials: 'same-origin',
    };
    if (options.body !== undefined) {
      headers['content-type'] = 'application/json';
      init.body = JSON.stringify(options.body);
    }
    if (options.signal) init.signal = options.signal;
    try {
      return await this.#fetch(`${this.#origin}${path}`, init);
    } catch (cause) {
      if (options.signal?.aborted) throw cause;
      throw new ApiRequestError(0, 'network_error', 'Cannot reach the platform; check the connection.', {
        cause,
      });
    }
  }
}
