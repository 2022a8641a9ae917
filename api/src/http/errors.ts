// The one error catalogue of the API: every failure a client can see has a stable code, an HTTP
// status and a default message, rendered as {"error":{"code","message","details"?}}.
import { FleetError } from '@fleet/shared/errors';
import { z } from 'zod';

export const API_ERRORS = {
  validation_failed: { status: 400, message: 'The request does not match the schema.' },
  malformed_json: { status: 400, message: 'The body is not valid JSON.' },
  malformed_csv: { status: 400, message: 'The body is not a CSV file (UTF-8, a header row, then rows).' },
  malformed_request: { status: 400, message: 'The request is malformed (path, headers or framing).' },
  unauthorized: { status: 401, message: 'A valid access token is required.' },
  token_expired: { status: 401, message: 'The access token has expired; refresh it or log in again.' },
  invalid_credentials: { status: 401, message: 'Wrong email or password.' },
  invalid_mfa_code: { status: 401, message: 'Wrong or already used code.' },
  forbidden: { status: 403, message: 'Your role does not allow this.' },
  mfa_enrolment_required: {
    status: 403,
    message: 'Your organisation requires multi-factor sign-in: set it up under your account first.',
  },
  organisation_suspended: {
    status: 403,
    message: 'Your organisation is suspended; ask the platform operator to resume it.',
  },
  not_found: { status: 404, message: 'Not found.' },
  method_not_allowed: { status: 405, message: 'Method not allowed on this path.' },
  conflict: { status: 409, message: 'The request conflicts with the current state.' },
  import_rejected: {
    status: 422,
    message: 'The file has rows that cannot be imported; nothing was imported.',
  },
  payload_too_large: { status: 413, message: 'The body is larger than the server accepts.' },
  unsupported_media_type: { status: 415, message: 'Send the body as application/json.' },
  too_many_requests: { status: 429, message: 'Too many attempts; wait and try again.' },
  internal_error: { status: 500, message: 'Something went wrong on our side; it has been logged.' },
  service_unavailable: { status: 503, message: 'A service the API needs is unavailable.' },
} as const satisfies Record<string, { status: number; message: string }>;

export type ApiErrorCode = keyof typeof API_ERRORS;

export interface ErrorDetail {
  /**
   * Where the problem is: `body.email`, `query.limit`, `params.id`; in an imported file
   * `row 3.plate` (the row as a spreadsheet numbers it, the header being row 1, and the column).
   */
  path: string;
  message: string;
}

export class ApiError extends FleetError {
  declare readonly code: ApiErrorCode;
  readonly status: number;
  readonly details: ErrorDetail[] | undefined;
  /** Extra response headers (Retry-After, Allow). */
  readonly headers: Record<string, string>;

  constructor(
    code: ApiErrorCode,
    message: string = API_ERRORS[code].message,
    options: { details?: ErrorDetail[]; headers?: Record<string, string> } = {},
  ) {
    super(code, message);
    this.status = API_ERRORS[code].status;
    this.details = options.details;
    this.headers = options.headers ?? {};
  }

  toBody(): ErrorBody {
    return {
      error: {
        code: this.code,
        message: this.message,
        ...(this.details === undefined ? {} : { details: this.details }),
      },
    };
  }
}

export const errorBodySchema = z
  .object({
    error: z.object({
      code: z.enum(Object.keys(API_ERRORS) as [ApiErrorCode, ...ApiErrorCode[]]),
      message: z.string(),
      details: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
    }),
  })
  .meta({ id: 'Error' });

export type ErrorBody = z.infer<typeof errorBodySchema>;

/** Zod issues as error details, prefixed with the part of the request they are in. */
export function validationError(part: string, error: z.ZodError): ApiError {
  const details = error.issues.slice(0, 20).map((issue) => ({
    path: [part, ...issue.path.map(String)].join('.'),
    message: issue.message,
  }));
  return new ApiError('validation_failed', `Invalid ${part}: ${details[0]?.message ?? 'bad value'}`, {
    details,
  });
}

/** Codes of other catalogues that mean "a service the API needs is down", not "a bug". */
const UNAVAILABLE_CODES = new Set(['questdb_unreachable']);

/**
 * What a failure looks like to the client: an ApiError as it is; a store that cannot be reached
 * as 503; anything else (a bug, an answer that cannot be parsed) as 500. Never an empty 200.
 */
export function toApiError(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  if (err instanceof FleetError && UNAVAILABLE_CODES.has(err.code))
    return new ApiError('service_unavailable');
  return new ApiError('internal_error');
}
