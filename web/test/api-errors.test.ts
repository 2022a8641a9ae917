import { describe, expect, it } from 'vitest';
import { endpointUrl } from '../src/lib/api/client.ts';
import {
  ApiRequestError,
  describeError,
  errorFromResponse,
  formatWait,
  parseRetryAfter,
} from '../src/lib/api/errors.ts';

describe('errorFromResponse', () => {
  it('reads the error catalogue shape', () => {
    const body = JSON.stringify({
      error: {
        code: 'validation_failed',
        message: 'Invalid body',
        details: [{ path: 'body.email', message: 'too short' }],
      },
    });
    const err = errorFromResponse(400, body, new Headers());
    expect(err).toBeInstanceOf(ApiRequestError);
    expect([err.status, err.code, err.message, err.details]).toEqual([
      400,
      'validation_failed',
      'Invalid body',
      [{ path: 'body.email', message: 'too short' }],
    ]);
    expect(err.retryAfterS).toBeUndefined();
  });

  it('keeps Retry-After of a 429', () => {
    const body = JSON.stringify({
      error: { code: 'too_many_requests', message: 'Too many attempts; wait and try again.' },
    });
    const err = errorFromResponse(429, body, new Headers({ 'retry-after': '754' }));
    expect([err.code, err.retryAfterS]).toEqual(['too_many_requests', 754]);
    expect(describeError(err)).toBe('Too many attempts; wait and try again. Try again in 12 min 34 s.');
  });

  it.each([
    ['an HTML page from a proxy', '<html>502 Bad Gateway</html>'],
    ['empty', ''],
    ['JSON of another shape', '{"message":"nope"}'],
    ['an error without a message', '{"error":{"code":"x"}}'],
  ])('turns %s into bad_response with the status', (_, body) => {
    const err = errorFromResponse(502, body, new Headers());
    expect([err.status, err.code]).toEqual([502, 'bad_response']);
  });
});

describe('parseRetryAfter', () => {
  it('reads seconds and HTTP dates', () => {
    const now = Date.parse('2026-11-21T12:00:00Z');
    expect(parseRetryAfter('120', now)).toBe(120);
    expect(parseRetryAfter('Sat, 21 Nov 2026 12:01:30 GMT', now)).toBe(90);
    expect(parseRetryAfter('Sat, 21 Nov 2026 11:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter(null, now)).toBeUndefined();
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter('-5', now)).toBeUndefined();
  });
});

describe('formatWait', () => {
  it.each([
    [0, '0 s'],
    [1.2, '2 s'],
    [59, '59 s'],
    [60, '1 min'],
    [61, '1 min 1 s'],
    [900, '15 min'],
    [3600, '1 h'],
    [3720, '1 h 2 min'],
  ])('%s s reads "%s"', (s, text) => {
    expect(formatWait(s)).toBe(text);
  });
});

describe('endpointUrl', () => {
  it('splits method and path and adds the query', () => {
    expect(endpointUrl('GET /api/v1/fleet/latest')).toEqual({ method: 'GET', path: '/api/v1/fleet/latest' });
    expect(endpointUrl('GET /api/v1/me', { query: { a: 1, b: undefined, c: 'x y' } })).toEqual({
      method: 'GET',
      path: '/api/v1/me?a=1&c=x+y',
    });
  });
});
