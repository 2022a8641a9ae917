// The console's one HTTP client for the platform's REST API (/api/v1): typed by the API's own
// route schemas (ConsoleEndpoints, api/src/contract.ts), JSON in and out, the access token as a
// bearer header, and one refresh-and-retry when a call is refused with 401.
import type { ConsoleEndpoints } from '@fleet/api/contract';
import type { AlertingEndpoints } from './alerting.ts';
import { ApiRequestError, errorFromResponse } from './errors.ts';
import type { ManagementEndpoints } from './management.ts';

/**
 * The contract's routes, the management pages' and the alerting pages' (management.ts and
 * alerting.ts say why those are apart).
 */
type Endpoints = ConsoleEndpoints & ManagementEndpoints & AlertingEndpoints;
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

/** What a request carries: a JSON body, or a file as it is. */
type SendOptions = CallOptions & { body?: unknown; raw?: { body: Blob; contentType: string } };

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
  /** How download() hands a file to the user; saveFile (the browser's download) by default. */
  save?: (file: Blob, filename: string) => void;
}

/** A file download() saved, with the answer's headers (x-row-count, x-truncated of a CSV export). */
export interface DownloadedFile {
  filename: string;
  bytes: number;
  headers: Headers;
}

/** The filename of a Content-Disposition header (RFC 6266: filename*=UTF-8'' first), if it names one. */
export function attachmentFilename(header: string | null): string | undefined {
  if (header === null) return undefined;
  const extended = /filename\*\s*=\s*UTF-8''([^;\s]+)/i.exec(header);
  if (extended?.[1] !== undefined) {
    try {
      return decodeURIComponent(extended[1]);
    } catch {
      // Malformed percent-encoding: fall back to the plain parameter.
    }
  }
  const plain = /filename\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;\s]+))/i.exec(header);
  const name = plain?.[1]?.replace(/\\(.)/g, '$1') ?? plain?.[2];
  return name === undefined || name === '' ? undefined : name;
}

interface DownloadLink {
  href: string;
  download: string;
  rel: string;
  click(): void;
  remove(): void;
}

/** What saveFile uses of the page's document (its own type: the tests' TypeScript has no DOM). */
export interface LinkHost {
  createElement(tag: 'a'): DownloadLink;
  body: { append(link: DownloadLink): void };
}

/** Saves a file through the browser: a Blob URL on a link with `download`, clicked, then let go. */
export function saveFile(
  file: Blob,
  filename: string,
  doc: LinkHost = (globalThis as unknown as { document: LinkHost }).document,
): void {
  const url = URL.createObjectURL(file);
  const link = doc.createElement('a');
  link.href = url;
  link.download = filename;
  link.rel = 'noopener';
  doc.body.append(link);
  link.click();
  link.remove();
  // The click has started the download; the URL can go once this task is done.
  setTimeout(() => URL.revokeObjectURL(url), 0);
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
  readonly #save: (file: Blob, filename: string) => void;

  constructor(options: ApiClientOptions = {}) {
    this.#origin = options.origin ?? '';
    // Bound: a bare `fetch` called as a method of another object throws "Illegal invocation".
    this.#fetch = options.fetch ?? ((input, init) => fetch(input, init));
    this.#tokens = options.tokens;
    this.#save = options.save ?? ((file, filename) => saveFile(file, filename));
  }

  async call<E extends Endpoint>(endpoint: E, ...[options]: CallArgs<E>): Promise<ResponseBody<E>> {
    const opts: CallOptions & { body?: unknown } = options ?? {};
    const response = await this.#authorised(endpoint, opts);
    const text = await this.#read(response, () => response.text());
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

  /**
   * Fetches what a GET route answers as a file (a CSV export, a JSON export) with the access
   * token, as call() does, and saves it under the answer's Content-Disposition filename, else
   * `filename`. A refusal throws the same ApiRequestError as call().
   */
  async download(endpoint: Endpoint, options: CallOptions & { filename: string }): Promise<DownloadedFile> {
    const response = await this.#authorised(endpoint, options);
    if (!response.ok) {
      const text = await this.#read(response, () => response.text());
      throw errorFromResponse(response.status, text, response.headers);
    }
    const file = await this.#read(response, () => response.blob());
    const filename = attachmentFilename(response.headers.get('content-disposition')) ?? options.filename;
    this.#save(file, filename);
    return { filename, bytes: file.size, headers: response.headers };
  }

  /**
   * Sends a file as the body (a CSV import: the routes whose body is the file's text), with the
   * access token as call() does, and answers the JSON reply; a refusal throws as call() does.
   */
  async upload<E extends Endpoint>(
    endpoint: E,
    options: CallOptions & { file: Blob; contentType: string },
  ): Promise<ResponseBody<E>> {
    const response = await this.#authorised(endpoint, {
      ...options,
      raw: { body: options.file, contentType: options.contentType },
    });
    const text = await this.#read(response, () => response.text());
    if (!response.ok) throw errorFromResponse(response.status, text, response.headers);
    try {
      return JSON.parse(text) as ResponseBody<E>;
    } catch (cause) {
      throw new ApiRequestError(response.status, 'bad_response', 'The platform answered with invalid JSON.', {
        cause,
      });
    }
  }

  /** Sends with the access token; one refresh and retry when it is refused with 401. */
  async #authorised(endpoint: Endpoint, opts: SendOptions): Promise<Response> {
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
    return response;
  }

  async #read<T>(response: Response, body: () => Promise<T>): Promise<T> {
    return body().catch((cause: unknown) => {
      throw new ApiRequestError(response.status, 'network_error', 'The connection broke mid-answer.', {
        cause,
      });
    });
  }

  async #send(
    method: string,
    path: string,
    options: SendOptions,
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
    if (options.raw !== undefined) {
      headers['content-type'] = options.raw.contentType;
      init.body = options.raw.body;
    } else if (options.body !== undefined) {
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
