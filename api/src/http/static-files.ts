// Static files on the API's own port: the ops console (web/build, a single-page app) at / and
// the basemap (vendor/basemap) at /basemap/. One origin for the console, /api/v1 and /ws keeps
// the refresh cookie SameSite=Strict and needs no CORS (docs/decisions.md).
//
// Files are read into memory once, at start: the console build is a few MB, and a request
// then never touches the file system, so no path a client sends can reach a file outside the
// directory. Precompressed siblings (x.js.br, x.js.gz from adapter-static's `precompress`) are
// served when Accept-Encoding allows; compressible files without one get a gzip copy at load.
// Rebuilding the console while the platform runs takes effect at the next start.

import type { HttpRequest, HttpResponse, TemplatedApp } from 'uWebSockets.js';
import { createHash } from 'node:crypto';
import { type Dirent, existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join, relative, sep } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { FaultReporter, Logger } from '@fleet/shared';
import { ApiError } from './errors.ts';
import { BASE_HEADERS, guardRequest, type HttpMetrics, statusLine } from './server.ts';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.geojson': 'application/geo+json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.webmanifest': 'application/manifest+json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.xml': 'application/xml; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.avif': 'image/avif',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.otf': 'font/otf',
  '.wasm': 'application/wasm',
  '.pbf': 'application/x-protobuf',
  '.pmtiles': 'application/octet-stream',
};

const COMPRESSIBLE = /^(text\/|application\/(json|geo\+json|manifest\+json|xml|wasm|x-protobuf)|image\/svg)/;
/** Smaller files gain nothing from compression worth a header. */
const COMPRESS_MIN_BYTES = 1024;
/** A directory bigger than this is not loaded past it: memory is the price of serving from it. */
const MAX_SITE_BYTES = 512 * 1024 * 1024;
const MAX_URL_LENGTH = 2048;

export const IMMUTABLE_CACHE = 'public, max-age=31536000, immutable';

export type Encoding = 'br' | 'gzip';

interface Variant {
  body: Buffer;
  etag: string;
}

export interface StaticFile {
  contentType: string;
  cacheControl: string;
  identity: Variant;
  br: Variant | undefined;
  gzip: Variant | undefined;
}

export interface StaticSite {
  dir: string;
  /** False when the directory does not exist (nothing built or fetched yet). */
  present: boolean;
  /** Relative paths with forward slashes ('_app/immutable/entry/app.js'). */
  files: Map<string, StaticFile>;
  bytes: number;
}

export interface LoadOptions {
  /** Cache-Control of a file, by its relative path. */
  cacheControl(path: string): string;
  /** A changed body for a file, or undefined to serve it as it is (its precompressed copies are then dropped). */
  transform?(path: string, body: Buffer): Buffer | undefined;
}

function contentTypeOf(path: string): string {
  return CONTENT_TYPES[extname(path).toLowerCase()] ?? 'application/octet-stream';
}

function etagOf(body: Buffer, suffix: string): string {
  return `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}${suffix}"`;
}

/** Reads every regular file under `dir` (symlinks are skipped) into memory. */
export function loadStaticSite(dir: string, options: LoadOptions): StaticSite {
  const files = new Map<string, StaticFile>();
  if (!existsSync(dir) || !statSync(dir).isDirectory()) return { dir, present: false, files, bytes: 0 };
  const raw = new Map<string, Buffer>();
  let bytes = 0;
  const entries = readdirSync(dir, { recursive: true, withFileTypes: true }) as Dirent[];
  for (const entry of entries) {
    if (!entry.isFile()) continue;
    const full = join(entry.parentPath, entry.name);
    const rel = relative(dir, full).split(sep).join('/');
    const size = statSync(full).size;
    if (bytes + size > MAX_SITE_BYTES)
      throw new Error(`${dir} holds more than ${MAX_SITE_BYTES} bytes; refusing to serve it from memory`);
    bytes += size;
    raw.set(rel, readFileSync(full));
  }
  for (const [rel, original] of raw) {
    const base = rel.replace(/\.(br|gz)$/, '');
    if (base !== rel && raw.has(base)) continue; // a precompressed sibling, served with its file
    const transformed = options.transform?.(rel, original);
    const body = transformed ?? original;
    const contentType = contentTypeOf(rel);
    const compressible = COMPRESSIBLE.test(contentType) && body.byteLength >= COMPRESS_MIN_BYTES;
    const br = compressible && !transformed ? raw.get(`${rel}.br`) : undefined;
    let gzip = compressible && !transformed ? raw.get(`${rel}.gz`) : undefined;
    if (compressible && gzip === undefined) {
      const packed = gzipSync(body, { level: 9 });
      if (packed.byteLength < body.byteLength * 0.9) gzip = packed;
    }
    const identity = { body, etag: etagOf(body, '') };
    files.set(rel, {
      contentType,
      cacheControl: options.cacheControl(rel),
      identity,
      br: br ? { body: br, etag: etagOf(body, '-br') } : undefined,
      gzip: gzip ? { body: gzip, etag: etagOf(body, '-gz') } : undefined,
    });
  }
  return { dir, present: true, files, bytes };
}

/**
 * The encoding to send, from an Accept-Encoding header and what the file has: brotli first
 * (smaller), then gzip; an encoding with q=0 is refused (RFC 9110 12.5.3).
 */
export function chooseEncoding(
  acceptEncoding: string,
  available: { br: boolean; gzip: boolean },
): Encoding | undefined {
  const q = new Map<string, number>();
  for (const part of acceptEncoding.split(',')) {
    const [name = '', ...params] = part.trim().toLowerCase().split(';');
    if (name === '') continue;
    let weight = 1;
    for (const p of params) {
      const m = /^\s*q\s*=\s*([0-9.]+)\s*$/.exec(p);
      if (m) weight = Number(m[1]);
    }
    q.set(name.trim(), Number.isFinite(weight) ? weight : 0);
  }
  const accepts = (name: string) => (q.get(name) ?? q.get('*') ?? 0) > 0;
  if (available.br && accepts('br')) return 'br';
  if (available.gzip && (accepts('gzip') || accepts('x-gzip'))) return 'gzip';
  return undefined;
}

export type RequestPath = { ok: true; segments: string[] } | { ok: false; reason: string };

/**
 * The decoded segments of a request path, or why it is refused: malformed percent-encoding,
 * NUL, backslashes, and `.`/`..` segments (raw or encoded as %2e) are never sent by a browser,
 * which normalises paths itself, so they are refused rather than resolved.
 */
export function parseRequestPath(rawPath: string): RequestPath {
  if (!rawPath.startsWith('/')) return { ok: false, reason: 'not an absolute path' };
  if (rawPath.length > MAX_URL_LENGTH) return { ok: false, reason: 'path too long' };
  const segments: string[] = [];
  for (const raw of rawPath.slice(1).split('/')) {
    let segment: string;
    try {
      segment = decodeURIComponent(raw);
    } catch {
      return { ok: false, reason: 'malformed percent-encoding' };
    }
    if (segment.includes('\0')) return { ok: false, reason: 'NUL in path' };
    if (segment.includes('\\') || segment.includes('/'))
      return { ok: false, reason: 'separator in a segment' };
    if (segment === '.' || segment === '..') return { ok: false, reason: 'dot segment' };
    segments.push(segment);
  }
  return { ok: true, segments };
}

export interface StaticMount {
  /** uWS pattern prefix: '' for the root, '/basemap' for a sub-path. */
  prefix: string;
  site: StaticSite;
  /** Single-page app: the page that answers paths that are not files (and '/'). */
  fallback?: string;
  /** Answer while the directory does not exist. */
  missing: { status: number; contentType: string; body: string };
}

export interface StaticServerDeps {
  log: Logger;
  faults: FaultReporter;
  metrics: HttpMetrics;
  /** Paths that belong to the API (/api, /ws, ...): never answered with the console. */
  apiPaths: readonly string[];
}

interface Answer {
  status: number;
  headers: [string, string][];
  body: Buffer | string;
  contentType: string;
}

function errorAnswer(
  code: 'not_found' | 'validation_failed' | 'method_not_allowed',
  message: string,
): Answer {
  const err = new ApiError(code, message);
  return {
    status: err.status,
    contentType: 'application/json; charset=utf-8',
    headers: [['cache-control', 'no-store']],
    body: JSON.stringify(err.toBody()),
  };
}

function isApiPath(path: string, apiPaths: readonly string[]): boolean {
  return apiPaths.some((p) => path === p || path.startsWith(`${p}/`));
}

/** What a GET (or HEAD) of `rawPath` under `mount` answers, without writing anything. */
export function answerStatic(
  mount: StaticMount,
  rawPath: string,
  headers: { acceptEncoding: string; ifNoneMatch: string },
): Answer {
  const parsed = parseRequestPath(rawPath);
  if (!parsed.ok) return errorAnswer('validation_failed', `Refused path: ${parsed.reason}.`);
  if (!mount.site.present)
    return {
      status: mount.missing.status,
      contentType: mount.missing.contentType,
      headers: [['cache-control', 'no-store']],
      body: mount.missing.body,
    };
  const prefixDepth = mount.prefix === '' ? 0 : mount.prefix.split('/').length - 1;
  const segments = parsed.segments.slice(prefixDepth);
  const rel = segments.join('/');
  const last = segments.at(-1) ?? '';
  let file = segments.some((s) => s.startsWith('.')) ? undefined : mount.site.files.get(rel);
  if (file === undefined && mount.fallback !== undefined) {
    // Directory-like paths and extension-less paths are the app's routes; a missing asset
    // (a name with an extension, anything under _app/) is a 404, never the HTML page, so a
    // stale script reference fails loudly instead of parsing HTML as JavaScript.
    const looksLikeFile = last.includes('.') || segments[0] === '_app';
    if (last === '' && mount.site.files.has(`${rel}index.html`))
      file = mount.site.files.get(`${rel}index.html`);
    else if (!looksLikeFile) file = mount.site.files.get(mount.fallback);
  }
  if (file === undefined) return errorAnswer('not_found', 'No such file.');
  const encoding = chooseEncoding(headers.acceptEncoding, { br: !!file.br, gzip: !!file.gzip });
  const variant =
    (encoding === 'br' ? file.br : encoding === 'gzip' ? file.gzip : undefined) ?? file.identity;
  const out: [string, string][] = [
    ['cache-control', file.cacheControl],
    ['etag', variant.etag],
  ];
  if (file.br || file.gzip) out.push(['vary', 'Accept-Encoding']);
  if (encoding) out.push(['content-encoding', encoding]);
  const tags = headers.ifNoneMatch.split(',').map((t) => t.trim().replace(/^W\//, ''));
  if (headers.ifNoneMatch !== '' && (tags.includes(variant.etag) || tags.includes('*')))
    return { status: 304, contentType: file.contentType, headers: out, body: '' };
  return { status: 200, contentType: file.contentType, headers: out, body: variant.body };
}

/** Writes an answer; big bodies go out as the socket drains (tryEnd/onWritable), not in one copy. */
function write(res: HttpResponse, answer: Answer, head: boolean, state: { aborted: boolean }): void {
  if (state.aborted) return;
  res.cork(() => {
    res.writeStatus(statusLine(answer.status));
    for (const [k, v] of BASE_HEADERS) res.writeHeader(k, v);
    res.writeHeader('content-type', answer.contentType);
    for (const [k, v] of answer.headers) res.writeHeader(k, v);
    const body = typeof answer.body === 'string' ? Buffer.from(answer.body) : answer.body;
    if (answer.status === 304) {
      res.endWithoutBody();
      return;
    }
    if (head) {
      // endWithoutBody(length) of uws 20.0.8 broke the next request on a kept-alive connection
      // (measured: "socket hang up"); the header written by hand does not.
      res.writeHeader('content-length', String(body.byteLength));
      res.endWithoutBody();
      return;
    }
    const total = body.byteLength;
    const start = res.getWriteOffset();
    const [ok, done] = res.tryEnd(body, total);
    if (ok || done) return;
    res.onWritable((offset) => {
      if (state.aborted) return true;
      const [sent, finished] = res.tryEnd(body.subarray(offset - start), total);
      return sent || finished;
    });
  });
}

/**
 * Mounts static sites: GET and HEAD under each prefix; any other method is 405 (JSON, like the
 * API's). Paths that belong to the API keep the API's JSON 404 for whatever method.
 */
export function mountStatic(app: TemplatedApp, mounts: readonly StaticMount[], deps: StaticServerDeps): void {
  for (const mount of mounts) {
    const pattern = `${mount.prefix}/*`;
    const handler = (res: HttpResponse, req: HttpRequest) => {
      const started = performance.now();
      const state = { aborted: false };
      res.onAborted(() => {
        state.aborted = true;
      });
      const method = req.getMethod();
      const path = req.getUrl();
      let answer: Answer;
      if (isApiPath(path, deps.apiPaths)) answer = errorAnswer('not_found', 'No such path.');
      else if (method !== 'get' && method !== 'head') {
        answer = errorAnswer('method_not_allowed', `${method.toUpperCase()} is not allowed here.`);
        answer.headers.push(['allow', 'GET, HEAD']);
      } else
        answer = answerStatic(mount, path, {
          acceptEncoding: req.getHeader('accept-encoding'),
          ifNoneMatch: req.getHeader('if-none-match'),
        });
      write(res, answer, method === 'head', state);
      deps.metrics.observe(pattern, method, answer.status, (performance.now() - started) / 1000);
      if (answer.status >= 400)
        deps.log.debug({ method: method.toUpperCase(), url: path, status: answer.status }, 'static request');
    };
    const guarded = guardRequest(deps.faults, `static:${mount.prefix || '/'}`, handler);
    app.any(pattern, guarded);
    if (mount.prefix !== '') app.any(mount.prefix, guarded);
  }
}
