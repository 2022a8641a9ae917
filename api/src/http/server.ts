// The pieces every route uses, written once over uWebSockets.js: body reading with a size
// limit and abort handling, schema validation of params/query/body/response, authentication
// and the permission check, the error catalogue as JSON, request logging and metrics, CORS
// (off unless origins are configured), and 404/405 answers in the same JSON shape.

import type { HttpRequest, HttpResponse, TemplatedApp } from 'uWebSockets.js';
import { randomUUID } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import type { Logger } from '@fleet/shared';
import { z } from 'zod';
import { ApiError, validationError } from './errors.ts';
import type { AnyRoute, Principal, RequestHeaders } from './route.ts';

export interface HttpMetrics {
  observe(route: string, method: string, status: number, seconds: number): void;
}

export interface HttpServerDeps {
  log: Logger;
  metrics: HttpMetrics;
  maxBodyBytes: number;
  /** Origins allowed to call from a browser; empty: CORS off. */
  corsOrigins: readonly string[];
  /** Verifies a bearer token; throws ApiError unauthorized/token_expired. */
  authenticate(token: string): Promise<Principal>;
}

/** Routes whose success is not worth a log line at info (probes and scrapes). */
const QUIET_ROUTES = new Set(['health', 'ready', 'metrics']);

export const BASE_HEADERS: readonly [string, string][] = [
  ['x-content-type-options', 'nosniff'],
  ['referrer-policy', 'no-referrer'],
  ['x-frame-options', 'DENY'],
];

export function statusLine(status: number): string {
  return `${status} ${STATUS_CODES[status] ?? 'Unknown'}`;
}

/** An incoming request, read synchronously from uWS (its HttpRequest dies when the handler returns). */
interface IncomingRequest {
  id: string;
  method: string;
  url: string;
  query: string;
  params: string[];
  headers: RequestHeaders;
  contentLength: number | undefined;
  address: string;
  started: number;
}

function readRequest(res: HttpResponse, req: HttpRequest, paramCount: number): IncomingRequest {
  const params: string[] = [];
  for (let i = 0; i < paramCount; i++) params.push(decodeURIComponent(req.getParameter(i) ?? ''));
  const length = req.getHeader('content-length');
  return {
    id: randomUUID(),
    method: req.getMethod(),
    url: req.getUrl(),
    query: req.getQuery() ?? '',
    params,
    headers: {
      authorization: req.getHeader('authorization'),
      cookie: req.getHeader('cookie'),
      contentType: req.getHeader('content-type'),
      userAgent: req.getHeader('user-agent'),
      origin: req.getHeader('origin'),
    },
    contentLength: length === '' ? undefined : Number(length),
    address: Buffer.from(res.getRemoteAddressAsText()).toString(),
    started: performance.now(),
  };
}

/** A response that knows whether the client went away, so nothing writes to a dead socket. */
export class ResponseWriter {
  readonly #res: HttpResponse;
  aborted = false;
  done = false;

  constructor(res: HttpResponse) {
    this.#res = res;
    res.onAborted(() => {
      this.aborted = true;
    });
  }

  send(
    status: number,
    contentType: string,
    body: string | Uint8Array,
    headers: Record<string, string> = {},
  ): boolean {
    if (this.aborted || this.done) return false;
    this.done = true;
    this.#res.cork(() => {
      this.#res.writeStatus(statusLine(status));
      for (const [k, v] of BASE_HEADERS) this.#res.writeHeader(k, v);
      this.#res.writeHeader('content-type', contentType);
      for (const [k, v] of Object.entries(headers)) {
        // Several Set-Cookie headers are sent as one value joined by \n.
        for (const line of v.split('\n')) this.#res.writeHeader(k, line);
      }
      this.#res.end(body);
    });
    return true;
  }

  json(status: number, body: unknown, headers: Record<string, string> = {}): boolean {
    return this.send(status, 'application/json; charset=utf-8', JSON.stringify(body), {
      'cache-control': 'no-store',
      ...headers,
    });
  }

  /** Reads the body up to `limit` bytes; rejects with payload_too_large past it. */
  readBody(limit: number): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      let size = 0;
      let failed = false;
      this.#res.onData((chunk, isLast) => {
        if (failed) return;
        size += chunk.byteLength;
        if (size > limit) {
          failed = true;
          reject(new ApiError('payload_too_large', `The body is larger than ${limit} bytes.`));
          return;
        }
        // uWS neuters the chunk when this callback returns: copy it.
        chunks.push(Buffer.from(new Uint8Array(chunk.slice(0))));
        if (isLast) resolve(Buffer.concat(chunks, size));
      });
      this.#res.onAborted(() => {
        this.aborted = true;
        if (!failed) reject(new ApiError('malformed_json', 'The client went away mid-body.'));
      });
    });
  }
}

export function bearerToken(authorization: string): string | undefined {
  const match = /^Bearer\s+(\S+)$/i.exec(authorization);
  return match?.[1];
}

/** Query strings as plain objects of strings; a repeated key keeps its last value. */
export function parseQuery(query: string): Record<string, string> {
  const out: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const [k, v] of new URLSearchParams(query)) out[k] = v;
  return out;
}

function parsePart(part: string, schema: z.ZodType | undefined, value: unknown): unknown {
  if (!schema) return undefined;
  const result = schema.safeParse(value);
  if (!result.success) throw validationError(part, result.error);
  return result.data;
}

function toUwsPattern(path: string): { pattern: string; paramNames: string[] } {
  const paramNames: string[] = [];
  const pattern = path.replace(/\{([A-Za-z0-9_]+)\}/g, (_, name: string) => {
    paramNames.push(name);
    return `:${name}`;
  });
  return { pattern, paramNames };
}

/** Redacts secrets from a URL before it is logged. */
function loggableUrl(url: string, query: string): string {
  if (query === '') return url;
  return `${url}?${query.replace(/(^|&)(token|password)=[^&]*/gi, '$1$2=[redacted]')}`;
}

export interface RegisteredRoutes {
  /** Paths registered, for the 405 answers. */
  paths: Map<string, string[]>;
}

export function registerRoutes(
  app: TemplatedApp,
  routes: readonly AnyRoute[],
  deps: HttpServerDeps,
): RegisteredRoutes {
  const paths = new Map<string, string[]>();
  const corsOrigins = new Set(deps.corsOrigins);

  function corsHeaders(origin: string): Record<string, string> {
    if (origin === '' || !corsOrigins.has(origin)) return {};
    return {
      'access-control-allow-origin': origin,
      'access-control-allow-credentials': 'true',
      vary: 'Origin',
    };
  }

  for (const route of routes) {
    const { pattern, paramNames } = toUwsPattern(route.path);
    paths.set(pattern, [...(paths.get(pattern) ?? []), route.method.toUpperCase()]);
    const paramsSchema = route.params;
    const register = route.method === 'delete' ? app.del.bind(app) : app[route.method].bind(app);
    register(pattern, (res: HttpResponse, req: HttpRequest) => {
      const writer = new ResponseWriter(res);
      const incoming = readRequest(res, req, paramNames.length);
      const rawParams = Object.fromEntries(paramNames.map((n, i) => [n, incoming.params[i]]));
      // Start reading the body now: uWS delivers it only to a handler attached in this tick.
      const needsBody = route.body !== undefined;
      let body: Promise<Buffer> | undefined;
      if (needsBody) {
        if (incoming.contentLength !== undefined && incoming.contentLength > deps.maxBodyBytes) {
          finish(
            writer,
            incoming,
            route,
            new ApiError('payload_too_large', `The body is larger than ${deps.maxBodyBytes} bytes.`),
          );
          return;
        }
        body = writer.readBody(deps.maxBodyBytes);
        body.catch(() => {}); // handled where awaited
      }
      handle(route, incoming, rawParams, body, paramsSchema, deps).then(
        (outcome) => finish(writer, incoming, route, outcome, corsHeaders(incoming.headers.origin)),
        (err: unknown) => finish(writer, incoming, route, err, corsHeaders(incoming.headers.origin)),
      );
    });
  }

  for (const [pattern, methods] of paths) {
    app.any(pattern, (res, req) => {
      const writer = new ResponseWriter(res);
      const incoming = readRequest(res, req, 0);
      if (incoming.method === 'options' && corsOrigins.size > 0) {
        const cors = corsHeaders(incoming.headers.origin);
        writer.send(204, 'text/plain', '', {
          ...cors,
          ...(cors['access-control-allow-origin']
            ? {
                'access-control-allow-methods': methods.join(', '),
                'access-control-allow-headers': 'authorization, content-type',
                'access-control-max-age': '600',
              }
            : {}),
        });
        return;
      }
      const err = new ApiError(
        'method_not_allowed',
        `${incoming.method.toUpperCase()} is not allowed here.`,
        {
          headers: { allow: methods.join(', ') },
        },
      );
      writer.json(err.status, err.toBody(), err.headers);
    });
  }

  function finish(
    writer: ResponseWriter,
    incoming: IncomingRequest,
    route: AnyRoute,
    outcome: unknown,
    extraHeaders: Record<string, string> = {},
  ): void {
    let status: number;
    if (outcome instanceof Outcome) {
      status = outcome.status;
      writer.send(status, outcome.contentType, outcome.body, {
        'cache-control': 'no-store',
        'x-request-id': incoming.id,
        ...extraHeaders,
        ...outcome.headers,
      });
    } else {
      const err = outcome instanceof ApiError ? outcome : new ApiError('internal_error');
      status = err.status;
      if (!(outcome instanceof ApiError))
        deps.log.error({ err: outcome, reqId: incoming.id, route: route.id }, 'request failed');
      writer.json(status, err.toBody(), { 'x-request-id': incoming.id, ...extraHeaders, ...err.headers });
    }
    const seconds = (performance.now() - incoming.started) / 1000;
    deps.metrics.observe(route.path, incoming.method, status, seconds);
    const level = status >= 500 ? 'error' : QUIET_ROUTES.has(route.id) && status < 400 ? 'debug' : 'info';
    deps.log[level](
      {
        reqId: incoming.id,
        method: incoming.method.toUpperCase(),
        url: loggableUrl(incoming.url, incoming.query),
        route: route.id,
        status,
        ms: Math.round(seconds * 10_000) / 10,
        aborted: writer.aborted || undefined,
      },
      'request',
    );
  }

  return { paths };
}

/** A response ready to write. */
class Outcome {
  readonly status: number;
  readonly contentType: string;
  readonly body: string;
  readonly headers: Record<string, string>;
  constructor(status: number, contentType: string, body: string, headers: Record<string, string>) {
    this.status = status;
    this.contentType = contentType;
    this.body = body;
    this.headers = headers;
  }
}

async function handle(
  route: AnyRoute,
  incoming: IncomingRequest,
  rawParams: Record<string, string | undefined>,
  bodyPromise: Promise<Buffer> | undefined,
  paramsSchema: z.ZodType | undefined,
  deps: HttpServerDeps,
): Promise<Outcome> {
  let principal: Principal | undefined;
  const token = bearerToken(incoming.headers.authorization);
  if (route.access !== 'public') {
    if (token === undefined) throw new ApiError('unauthorized');
    principal = await deps.authenticate(token);
    if (!route.access.includes(principal.role)) throw new ApiError('forbidden');
  } else if (token !== undefined) {
    principal = await deps.authenticate(token).catch(() => undefined);
  }
  const params = parsePart('params', paramsSchema, rawParams);
  const query = parsePart('query', route.query, parseQuery(incoming.query));
  let body: unknown;
  if (route.body && bodyPromise) {
    const raw = await bodyPromise;
    if (!/^application\/json\b/i.test(incoming.headers.contentType))
      throw new ApiError('unsupported_media_type');
    let json: unknown;
    try {
      json = JSON.parse(raw.toString('utf8'));
    } catch {
      throw new ApiError('malformed_json');
    }
    body = parsePart('body', route.body, json);
  }
  const reply = await route.handler({
    params,
    query,
    body,
    principal,
    headers: incoming.headers,
    address: incoming.address,
    log: deps.log,
  });
  const headers = reply.headers ?? {};
  if ('raw' in reply) return new Outcome(reply.status, reply.contentType, reply.raw, headers);
  const spec = route.responses[reply.status];
  if (!spec) throw new Error(`route ${route.id} answered with undeclared status ${reply.status}`);
  let out: unknown = reply.body;
  if (spec.schema) {
    // Responses pass their schema too: a handler bug (or a field that must never leave, like a
    // token hash) becomes a logged 500 instead of a leak.
    const checked = spec.schema.safeParse(reply.body);
    if (!checked.success)
      throw new Error(`route ${route.id} response invalid: ${z.prettifyError(checked.error)}`);
    out = checked.data;
  }
  return new Outcome(
    reply.status,
    'application/json; charset=utf-8',
    out === undefined ? '' : JSON.stringify(out),
    headers,
  );
}
