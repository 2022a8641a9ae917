// The pieces every route uses, written once over uWebSockets.js: body reading with a size
// limit and abort handling, schema validation of params/query/body/response, authentication
// and the permission check, the error catalogue as JSON, request logging and metrics, CORS
// (off unless origins are configured), and 404/405 answers in the same JSON shape.

import type { HttpRequest, HttpResponse, TemplatedApp } from 'uWebSockets.js';
import { randomUUID } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import type { FaultReporter, Logger } from '@fleet/shared';
import { type AuditActor, withAuditActor, withDepartmentScope } from '@fleet/shared/db';
import { z } from 'zod';
import { MFA_ENROLMENT_ROUTES } from '../permissions.ts';
import { ApiError, toApiError, validationError } from './errors.ts';
import { checkFraming, clientAddress, decodePathParam, findNulCharacter } from './request-checks.ts';
import type { AnyRoute, BodyFormat, OperatorPrincipal, Principal, RequestHeaders } from './route.ts';

export interface HttpMetrics {
  observe(route: string, method: string, status: number, seconds: number): void;
}

export interface HttpServerDeps {
  log: Logger;
  /** Counts and logs what escapes a handler; the request then gets a 500 with its id. */
  faults: FaultReporter;
  metrics: HttpMetrics;
  maxBodyBytes: number;
  /** Origins allowed to call from a browser; empty: CORS off. */
  corsOrigins: readonly string[];
  /** Reverse proxies whose X-Forwarded-For is believed (HTTP_TRUSTED_PROXIES). */
  trustedProxies?: ReadonlySet<string>;
  /** Verifies a bearer token; throws ApiError unauthorized/token_expired. */
  authenticate(token: string): Promise<Principal>;
  /** Verifies a platform operator's token; throws ApiError unauthorized/token_expired. */
  authenticateOperator?(token: string): Promise<OperatorPrincipal>;
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
  /** Still percent-encoded: decoding can fail, and that is the client's 400, not a throw here. */
  rawParams: string[];
  headers: RequestHeaders;
  contentLength: number | undefined;
  /** Why the request's framing headers cannot be trusted (RFC 9112 section 6.3), if they cannot. */
  framingProblem: string | undefined;
  address: string;
  started: number;
}

const NO_PROXIES: ReadonlySet<string> = new Set();

function readRequest(
  res: HttpResponse,
  req: HttpRequest,
  paramCount: number,
  trustedProxies: ReadonlySet<string> = NO_PROXIES,
): IncomingRequest {
  const rawParams: string[] = [];
  for (let i = 0; i < paramCount; i++) rawParams.push(req.getParameter(i) ?? '');
  const contentLengths: string[] = [];
  let transferEncoding = false;
  req.forEach((name, value) => {
    if (name === 'content-length') contentLengths.push(value);
    else if (name === 'transfer-encoding') transferEncoding = true;
  });
  const framing = checkFraming(contentLengths, transferEncoding);
  return {
    id: randomUUID(),
    method: req.getMethod(),
    url: req.getUrl(),
    query: req.getQuery() ?? '',
    rawParams,
    headers: {
      authorization: req.getHeader('authorization'),
      cookie: req.getHeader('cookie'),
      contentType: req.getHeader('content-type'),
      userAgent: req.getHeader('user-agent'),
      origin: req.getHeader('origin'),
    },
    contentLength: framing.ok ? framing.contentLength : undefined,
    framingProblem: framing.ok ? undefined : framing.problem,
    address: clientAddress(
      Buffer.from(res.getRemoteAddressAsText()).toString(),
      req.getHeader('x-forwarded-for'),
      trustedProxies,
    ),
    started: performance.now(),
  };
}

/** A response that knows whether the client went away, so nothing writes to a dead socket. */
export class ResponseWriter {
  readonly #res: HttpResponse;
  aborted = false;
  done = false;
  /** Close the connection after this response (its framing could not be trusted). */
  closeConnection = false;

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
      this.#res.end(body, this.closeConnection);
    });
    return true;
  }

  /** The answer to a request whose handler failed unexpectedly: 500 with the request's id. */
  internalError(requestId: string): void {
    const err = new ApiError('internal_error');
    try {
      this.json(err.status, err.toBody(), { 'x-request-id': requestId });
    } catch {
      // The response is gone (aborted or already ended): nothing left to answer.
    }
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

/**
 * Runs a uWS request handler inside the safety net: a synchronous throw is counted and
 * logged, and the request gets a 500 with a request id instead of the process dying.
 */
export function guardRequest(
  faults: FaultReporter,
  site: string,
  handler: (res: HttpResponse, req: HttpRequest) => void,
): (res: HttpResponse, req: HttpRequest) => void {
  return (res, req) => {
    try {
      handler(res, req);
    } catch (err) {
      const requestId = randomUUID();
      faults.report('http', site, err, { reqId: requestId });
      const body = JSON.stringify(new ApiError('internal_error').toBody());
      try {
        res.cork(() => {
          res.writeStatus(statusLine(500));
          for (const [k, v] of BASE_HEADERS) res.writeHeader(k, v);
          res.writeHeader('content-type', 'application/json; charset=utf-8');
          res.writeHeader('x-request-id', requestId);
          res.end(body);
        });
      } catch {
        // Already answered or aborted: the handler got that far before it threw.
      }
    }
  };
}

/** Query strings as plain objects of strings; a repeated key keeps its last value. */
export function parseQuery(query: string): Record<string, string> {
  const out: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const [k, v] of new URLSearchParams(query)) out[k] = v;
  return out;
}

function parsePart(part: string, schema: z.ZodType | undefined, value: unknown): unknown {
  if (!schema) return undefined;
  // NUL reaches no store: PostgreSQL refuses it in text (a 500 there) and QuestDB's answers
  // break on it. Refused here once for every route, params, query and body alike.
  const nul = findNulCharacter(value, part);
  if (nul !== undefined)
    throw new ApiError('validation_failed', `Invalid ${part}: NUL characters are not allowed.`, {
      details: [{ path: nul, message: 'contains a NUL character' }],
    });
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
    register(
      pattern,
      guardRequest(deps.faults, route.id, (res: HttpResponse, req: HttpRequest) => {
        const writer = new ResponseWriter(res);
        const incoming = readRequest(res, req, paramNames.length, deps.trustedProxies);
        if (incoming.framingProblem !== undefined) {
          // Where the body ends is ambiguous (request smuggling behind a proxy): answer and close.
          writer.closeConnection = true;
          finish(writer, incoming, route, new ApiError('malformed_request', incoming.framingProblem));
          return;
        }
        const rawParams = Object.fromEntries(paramNames.map((n, i) => [n, incoming.rawParams[i]]));
        // Start reading the body now: uWS delivers it only to a handler attached in this tick.
        const needsBody = route.body !== undefined;
        // A route may take more than the default (a photo); never less is needed.
        const maxBodyBytes = Math.max(deps.maxBodyBytes, route.maxBodyBytes ?? 0);
        let body: Promise<Buffer> | undefined;
        if (needsBody) {
          if (incoming.contentLength !== undefined && incoming.contentLength > maxBodyBytes) {
            finish(
              writer,
              incoming,
              route,
              new ApiError('payload_too_large', `The body is larger than ${maxBodyBytes} bytes.`),
            );
            return;
          }
          body = writer.readBody(maxBodyBytes);
          body.catch(() => {}); // handled where awaited
        }
        const settle = (outcome: unknown) => {
          try {
            finish(writer, incoming, route, outcome, corsHeaders(incoming.headers.origin));
          } catch (err) {
            deps.faults.report('http', `${route.id}.finish`, err, { reqId: incoming.id });
            writer.internalError(incoming.id);
          }
        };
        handle(route, incoming, rawParams, body, paramsSchema, deps).then(settle, settle);
      }),
    );
  }

  for (const [pattern, methods] of paths) {
    app.any(
      pattern,
      guardRequest(deps.faults, 'methodNotAllowed', (res, req) => {
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
      }),
    );
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
      const err = toApiError(outcome);
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
  readonly body: string | Uint8Array;
  readonly headers: Record<string, string>;
  constructor(
    status: number,
    contentType: string,
    body: string | Uint8Array,
    headers: Record<string, string>,
  ) {
    this.status = status;
    this.contentType = contentType;
    this.body = body;
    this.headers = headers;
  }
}

/** The body as the route's schema takes it: parsed JSON, or a CSV file's text. */
function decodeBody(format: BodyFormat, contentType: string, raw: Buffer): unknown {
  if (format === 'csv') {
    // Spreadsheets save CSV as text/csv; some clients (and Windows) call it application/vnd.ms-excel.
    if (!/^(text\/csv|application\/csv|application\/vnd\.ms-excel)\b/i.test(contentType))
      throw new ApiError('unsupported_media_type', 'Send the file as text/csv (UTF-8).');
    try {
      return new TextDecoder('utf-8', { fatal: true }).decode(raw);
    } catch {
      throw new ApiError(
        'malformed_csv',
        'The file is not UTF-8 text: save it from the spreadsheet as "CSV UTF-8".',
      );
    }
  }
  // GeoJSON is JSON: clients that send places say so with its own type.
  if (!/^application\/(geo\+)?json\b/i.test(contentType)) throw new ApiError('unsupported_media_type');
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch {
    throw new ApiError('malformed_json');
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
  let operator: OperatorPrincipal | undefined;
  const token = bearerToken(incoming.headers.authorization);
  if (route.access === 'operator') {
    if (token === undefined) throw new ApiError('unauthorized');
    const verify = deps.authenticateOperator;
    if (!verify) throw new ApiError('forbidden');
    operator = await verify(token).catch(async (err: unknown) => {
      // A valid token of an organisation's user is a known caller without the right: 403.
      if (
        await deps.authenticate(token).then(
          () => true,
          () => false,
        )
      )
        throw new ApiError('forbidden');
      throw err;
    });
  } else if (route.access !== 'public') {
    if (token === undefined) throw new ApiError('unauthorized');
    principal = await deps.authenticate(token);
    if (!route.access.includes(principal.role)) throw new ApiError('forbidden');
    // Until they enrol, a user the organisation requires MFA of reaches only their account.
    if (principal.mfaEnrolmentRequired === true && !MFA_ENROLMENT_ROUTES.has(route.id))
      throw new ApiError('mfa_enrolment_required');
  } else if (token !== undefined) {
    principal = await deps.authenticate(token).catch(() => undefined);
  }
  const decodedParams: Record<string, string | undefined> = {};
  for (const [name, raw] of Object.entries(rawParams))
    decodedParams[name] = raw === undefined ? undefined : decodePathParam(name, raw);
  const params = parsePart('params', paramsSchema, decodedParams);
  const query = parsePart('query', route.query, parseQuery(incoming.query));
  let body: unknown;
  if (route.body && bodyPromise) {
    const raw = await bodyPromise;
    body = parsePart(
      'body',
      route.body,
      decodeBody(route.bodyFormat ?? 'json', incoming.headers.contentType, raw),
    );
  }
  // Whatever the handler changes is logged in the audit log under this caller (audit.ts).
  const actor: AuditActor = operator
    ? { kind: 'operator', id: operator.operatorId, label: 'platform operator', address: incoming.address }
    : principal
      ? { kind: 'user', id: principal.userId, label: 'user', address: incoming.address }
      : { kind: 'system', label: 'anonymous', address: incoming.address };
  // A scoped user's every tenant transaction filters assets to their department's subtree.
  const reply = await withAuditActor(actor, () =>
    withDepartmentScope(principal?.scopeDepartmentId, () =>
      route.handler({
        params,
        query,
        body,
        principal,
        operator,
        headers: incoming.headers,
        address: incoming.address,
        log: deps.log,
      }),
    ),
  );
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
