// Every failed API call becomes one ApiRequestError, built from the API's error catalogue shape
// {"error":{"code","message","details"}} (api/src/http/errors.ts), or from what went wrong on the
// way (no network, a body that is not the API's).
import type { ApiErrorCode, ErrorBody } from '@fleet/api/contract';

export type ErrorDetail = NonNullable<ErrorBody['error']['details']>[number];

/** The catalogue's codes, plus failures that never reached the API or came back unreadable. */
export type RequestErrorCode = ApiErrorCode | 'network_error' | 'bad_response';

export class ApiRequestError extends Error {
  /** HTTP status; 0 when no response arrived. */
  readonly status: number;
  readonly code: RequestErrorCode;
  readonly details: readonly ErrorDetail[];
  /** Seconds to wait before trying again (Retry-After of a 429 or 503), when the server said. */
  readonly retryAfterS: number | undefined;

  constructor(
    status: number,
    code: RequestErrorCode,
    message: string,
    options: { details?: readonly ErrorDetail[]; retryAfterS?: number; cause?: unknown } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = 'ApiRequestError';
    this.status = status;
    this.code = code;
    this.details = options.details ?? [];
    this.retryAfterS = options.retryAfterS;
  }
}

/** Retry-After as seconds: delta-seconds or an HTTP date (RFC 9110 10.2.3). */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (value === null || value.trim() === '') return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text);
  if (!/^[A-Za-z]{3},/.test(text)) return undefined; // an HTTP date starts with the day's name
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - now) / 1000));
}

function isErrorBody(value: unknown): value is ErrorBody {
  if (typeof value !== 'object' || value === null) return false;
  const error = (value as { error?: unknown }).error;
  if (typeof error !== 'object' || error === null) return false;
  const { code, message } = error as { code?: unknown; message?: unknown };
  return typeof code === 'string' && typeof message === 'string';
}

/** The error of a non-2xx response, from its body text and headers. */
export function errorFromResponse(status: number, bodyText: string, headers: Headers): ApiRequestError {
  const retryAfterS = parseRetryAfter(headers.get('retry-after'));
  let parsed: unknown;
  try {
    parsed = JSON.parse(bodyText);
  } catch {
    parsed = undefined;
  }
  if (isErrorBody(parsed)) {
    const { code, message, details } = parsed.error;
    return new ApiRequestError(status, code, message, {
      ...(details ? { details } : {}),
      ...(retryAfterS === undefined ? {} : { retryAfterS }),
    });
  }
  return new ApiRequestError(
    status,
    'bad_response',
    `The platform answered ${status} without an error the console understands.`,
    retryAfterS === undefined ? {} : { retryAfterS },
  );
}

/** A sentence for people, for any error a call can throw. */
export function describeError(err: unknown): string {
  if (err instanceof ApiRequestError) {
    if (err.code === 'too_many_requests' && err.retryAfterS !== undefined)
      return `${err.message} Try again in ${formatWait(err.retryAfterS)}.`;
    return err.message;
  }
  return err instanceof Error ? err.message : String(err);
}

/** "45 s", "3 min 5 s", "1 h 2 min". */
export function formatWait(seconds: number): string {
  const s = Math.max(0, Math.ceil(seconds));
  if (s < 60) return `${s} s`;
  if (s < 3600) return s % 60 === 0 ? `${s / 60} min` : `${Math.floor(s / 60)} min ${s % 60} s`;
  const m = Math.floor((s % 3600) / 60);
  return m === 0 ? `${Math.floor(s / 3600)} h` : `${Math.floor(s / 3600)} h ${m} min`;
}
