// A route is declared once, with its schemas: the server validates params, query, body and
// responses against them, and the OpenAPI document is generated from the same declarations
// (Fastify's schema-first routes, on top of uWebSockets.js's bare routing).
import type { Logger } from '@fleet/shared';
import type { z } from 'zod';
import type { Role } from '../permissions.ts';

export type Method = 'get' | 'post' | 'patch' | 'put' | 'delete';

export type BodyFormat = 'json' | 'csv';

/**
 * Who may call a route: anyone, a signed-in user with one of these roles, or a platform operator
 * (who runs the installation and its organisations, and is no member of any of them).
 */
export type Access = 'public' | 'operator' | readonly Role[];

export interface ResponseSpec {
  description: string;
  /** JSON body schema; responses are validated (and stripped of undeclared fields) against it. */
  schema?: z.ZodType;
  /** Other representations the route can answer with (CSV, GeoJSON), documented, not validated. */
  alternatives?: Record<string, z.ZodType>;
}

/** A signed-in platform operator, from a verified operator token. */
export interface OperatorPrincipal {
  operatorId: string;
  /** When the operator token expires, ms. */
  expiresAt: number;
}

/** The signed-in user of a request, from a verified access token. */
export interface Principal {
  userId: string;
  orgId: string;
  role: Role;
  sessionId: string;
  /** When the access token expires, ms. */
  expiresAt: number;
  /**
   * The department a scoped user is limited to (users.department_scope): the server runs the
   * request under withDepartmentScope, so row-level security shows only its subtree's assets.
   */
  scopeDepartmentId?: string | undefined;
  /**
   * The organisation requires MFA of this user, who has not enrolled: the token reaches only the
   * routes of permissions.ts MFA_ENROLMENT_ROUTES (anything else is 403 mfa_enrolment_required).
   */
  mfaEnrolmentRequired?: boolean;
}

export interface RequestHeaders {
  authorization: string;
  cookie: string;
  contentType: string;
  userAgent: string;
  origin: string;
}

type Infer<S> = S extends z.ZodType ? z.output<S> : undefined;
type BodyOf<S extends ResponseSpec> = S['schema'] extends z.ZodType ? z.input<S['schema']> : undefined;

/**
 * A JSON reply whose body is one of the declared response bodies (the server checks at run
 * time that the status is declared and the body matches that status's schema); or raw text
 * in a declared alternative content type (bytes for a binary one: a spreadsheet).
 */
export type Reply<R extends Record<number, ResponseSpec>> =
  | {
      status: number;
      body: { [K in keyof R & number]: BodyOf<R[K]> }[keyof R & number];
      headers?: Record<string, string>;
    }
  | { status: number; raw: string | Uint8Array; contentType: string; headers?: Record<string, string> };

export interface RequestContext<P, Q, B, A extends Access> {
  params: P;
  query: Q;
  body: B;
  principal: A extends 'public' | 'operator' ? Principal | undefined : Principal;
  /** Set on operator routes only. */
  operator: A extends 'operator' ? OperatorPrincipal : undefined;
  headers: RequestHeaders;
  /** The client address: the connection's, or from X-Forwarded-For of an HTTP_TRUSTED_PROXIES proxy. */
  address: string;
  log: Logger;
}

export interface RouteSpec<
  P extends z.ZodType | undefined = z.ZodType | undefined,
  Q extends z.ZodType | undefined = z.ZodType | undefined,
  B extends z.ZodType | undefined = z.ZodType | undefined,
  R extends Record<number, ResponseSpec> = Record<number, ResponseSpec>,
  A extends Access = Access,
> {
  /** operationId in the OpenAPI document, and the key of the permission table. */
  id: string;
  method: Method;
  /** OpenAPI path syntax: /api/v1/devices/{id}. */
  path: string;
  summary: string;
  description?: string;
  tag: string;
  access: A;
  params?: P;
  query?: Q;
  body?: B;
  /**
   * How the body travels: JSON (the default), or a CSV file (text/csv, UTF-8) whose text the
   * body schema receives as a string (a bulk import).
   */
  bodyFormat?: BodyFormat;
  /** The largest body this route reads, bytes, when more than HTTP_MAX_BODY_BYTES (a photo). */
  maxBodyBytes?: number;
  responses: R;
  handler(ctx: RequestContext<Infer<P>, Infer<Q>, Infer<B>, A>): Promise<Reply<R>>;
}

/** A route with its types erased, as the server and the OpenAPI generator hold them. */
export interface AnyRoute {
  id: string;
  method: Method;
  path: string;
  summary: string;
  description?: string;
  tag: string;
  access: Access;
  params?: z.ZodType;
  query?: z.ZodType;
  body?: z.ZodType;
  bodyFormat?: BodyFormat;
  maxBodyBytes?: number;
  responses: Record<number, ResponseSpec>;
  handler(
    ctx: RequestContext<unknown, unknown, unknown, Access>,
  ): Promise<Reply<Record<number, ResponseSpec>>>;
}

export function defineRoute<
  P extends z.ZodType | undefined = undefined,
  Q extends z.ZodType | undefined = undefined,
  B extends z.ZodType | undefined = undefined,
  const R extends Record<number, ResponseSpec> = Record<number, ResponseSpec>,
  const A extends Access = Access,
>(spec: RouteSpec<P, Q, B, R, A>): AnyRoute {
  return spec as unknown as AnyRoute;
}
