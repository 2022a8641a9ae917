// Checks of the raw request that must never throw past the server: percent-decoding of path
// parameters, the framing headers, and NUL characters anywhere in the parsed input. Each
// returns a verdict or throws the catalogue's ApiError, which the server answers as a 400.
import { isIP } from 'node:net';
import { ApiError } from './errors.ts';

/**
 * Percent-decodes one path parameter. `decodeURIComponent` throws a URIError on a malformed
 * escape (`%ZZ`, a lone `%`, invalid UTF-8 such as `%C3%28`); that is the client's mistake.
 */
export function decodePathParam(name: string, raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    throw new ApiError('malformed_request', `The path parameter ${name} has a malformed percent-escape.`, {
      details: [{ path: `params.${name}`, message: 'malformed percent-escape' }],
    });
  }
}

export type FramingVerdict = { ok: true; contentLength: number | undefined } | { ok: false; problem: string };

const DECIMAL = /^[0-9]{1,15}$/;

/**
 * RFC 9112 section 6.3: a request with Transfer-Encoding and Content-Length, several
 * Content-Length values that differ, or a value that is not a plain decimal has no
 * trustworthy end; behind a proxy that reads it otherwise it smuggles a second request.
 * uWS reads only the first header, so the whole list is checked here.
 */
export function checkFraming(contentLengths: readonly string[], transferEncoding: boolean): FramingVerdict {
  // A list in one header ("5, 5") counts as several values.
  const values = contentLengths.flatMap((v) => v.split(',')).map((v) => v.trim());
  if (values.length === 0) return { ok: true, contentLength: undefined };
  if (transferEncoding) return { ok: false, problem: 'Both Transfer-Encoding and Content-Length are set.' };
  const first = values[0] ?? '';
  if (!DECIMAL.test(first)) return { ok: false, problem: 'Content-Length is not a decimal number.' };
  if (values.some((v) => v !== first))
    return { ok: false, problem: 'Content-Length is given twice with different values.' };
  return { ok: true, contentLength: Number(first) };
}

/** The path (`body.name`, `query.q`) of the first string or key holding a NUL, if any. */
export function findNulCharacter(value: unknown, path: string, depth = 0): string | undefined {
  if (typeof value === 'string') return value.includes('\u0000') ? path : undefined;
  if (depth > 64 || value === null || typeof value !== 'object') return undefined;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = findNulCharacter(value[i], `${path}.${i}`, depth + 1);
      if (found !== undefined) return found;
    }
    return undefined;
  }
  for (const [key, item] of Object.entries(value)) {
    if (key.includes('\u0000')) return `${path}.${key.replaceAll('\u0000', '\\0')}`;
    const found = findNulCharacter(item, `${path}.${key}`, depth + 1);
    if (found !== undefined) return found;
  }
  return undefined;
}

/** An address as uWS prints it, in the short form (IPv4-mapped IPv6 as plain IPv4). */
export function normaliseAddress(address: string): string {
  const lower = address.toLowerCase();
  const mapped =
    /^(?:0{1,4}:){5}ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(lower) ??
    /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(lower);
  if (mapped) {
    const hi = Number.parseInt(mapped[1] ?? '0', 16);
    const lo = Number.parseInt(mapped[2] ?? '0', 16);
    return `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
  }
  const dotted = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(lower);
  if (dotted?.[1]) return dotted[1];
  if (/^[0-9a-f:]+$/.test(lower) && lower.includes(':')) {
    // 0000:0000:...:0001 -> ::1 (uWS writes every group in full)
    const groups = lower.split(':').map((g) => g.replace(/^0+(?=.)/, ''));
    return groups
      .join(':')
      .replace(/(^|:)0(:0)+(:|$)/, '::')
      .replace(/:{3,}/, '::');
  }
  return address;
}

/**
 * The client's address: the connection's, unless it comes from a trusted proxy, in which case
 * the nearest X-Forwarded-For entry that is not itself a trusted proxy (entries further left
 * are the client's own claims and cannot be trusted). Malformed entries are ignored.
 */
export function clientAddress(remote: string, forwardedFor: string, trusted: ReadonlySet<string>): string {
  const connection = normaliseAddress(remote);
  if (trusted.size === 0 || !trusted.has(connection) || forwardedFor === '') return connection;
  const hops = forwardedFor
    .split(',')
    .map((h) => h.trim())
    .slice(-32);
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = hops[i] ?? '';
    if (isIP(hop) === 0) return connection;
    if (!trusted.has(hop)) return hop;
  }
  return connection;
}
