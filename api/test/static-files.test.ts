// The static file server's pure parts: which encoding to send, which paths are refused, and
// what a request for a file, a route of the single-page app or a missing file answers.
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import {
  answerStatic,
  chooseEncoding,
  IMMUTABLE_CACHE,
  loadStaticSite,
  parseRequestPath,
  type StaticMount,
} from '../src/http/static-files.ts';
import { consoleCspWidening } from '../src/static-sites.ts';

describe('chooseEncoding', () => {
  const both = { br: true, gzip: true };
  it.each([
    ['gzip, deflate, br', both, 'br'],
    ['br;q=0, gzip', both, 'gzip'],
    ['gzip;q=0.5, br;q=0', both, 'gzip'],
    ['BR', both, 'br'],
    ['*', both, 'br'],
    ['*;q=0, gzip', both, 'gzip'],
    ['x-gzip', both, 'gzip'],
    ['identity', both, undefined],
    ['', both, undefined],
    ['br;q=0, gzip;q=0', both, undefined],
    ['gzip, br', { br: false, gzip: true }, 'gzip'],
    ['br', { br: false, gzip: true }, undefined],
    ['br;q=garbage', both, 'br'], // a malformed weight is ignored, as if absent
  ] as const)('%j with %o gives %s', (header, available, expected) => {
    expect(chooseEncoding(header, available)).toBe(expected);
  });
});

describe('parseRequestPath', () => {
  it.each([
    ['/', ['']],
    ['/_app/immutable/x.js', ['_app', 'immutable', 'x.js']],
    ['/devices/van%207', ['devices', 'van 7']],
    ['/%252e%252e/x', ['%2e%2e', 'x']],
  ])('decodes %j', (path, segments) => {
    expect(parseRequestPath(path)).toEqual({ ok: true, segments });
  });

  it('refuses an overlong path', () => {
    expect(parseRequestPath(`/${'a'.repeat(3000)}`)).toEqual({ ok: false, reason: 'path too long' });
  });

  it.each([
    '/../etc/passwd',
    '/a/../../etc/passwd',
    '/%2e%2e/%2e%2e/etc/passwd',
    '/%2E%2E/x',
    '/.%2e/x',
    '/./200.html',
    '/a%2f..%2f..%2fetc',
    '/a%5c..%5cetc',
    '/a\\..\\etc',
    '/a%00b',
    '/%00',
    '/%ZZ',
    '/%',
    '/%c0%ae%c0%ae/x',
    'relative',
  ])('refuses %j', (path) => {
    expect(parseRequestPath(path).ok).toBe(false);
  });
});

describe('answerStatic', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fleet-static-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  mkdirSync(join(dir, '_app/immutable'), { recursive: true });
  const html = '<!doctype html><title>app</title>'.padEnd(2000, ' ');
  writeFileSync(join(dir, '200.html'), html);
  writeFileSync(join(dir, '200.html.br'), 'BROTLI');
  writeFileSync(join(dir, '200.html.gz'), 'GZIP');
  writeFileSync(join(dir, '_app/immutable/a.js'), 'export {}');
  writeFileSync(join(dir, 'big.json'), JSON.stringify({ data: 'x'.repeat(5000) }));
  writeFileSync(join(dir, '.hidden'), 'secret');
  writeFileSync(join(tmpdir(), 'fleet-static-outside.txt'), 'outside');
  symlinkSync(join(tmpdir(), 'fleet-static-outside.txt'), join(dir, 'link.txt'));
  const site = loadStaticSite(dir, {
    cacheControl: (p) => (p.startsWith('_app/immutable/') ? IMMUTABLE_CACHE : 'no-cache'),
  });
  const mount: StaticMount = {
    prefix: '',
    site,
    fallback: '200.html',
    missing: { status: 503, contentType: 'text/plain', body: 'missing' },
  };
  const get = (path: string, acceptEncoding = '', ifNoneMatch = '') =>
    answerStatic(mount, path, { acceptEncoding, ifNoneMatch });
  const header = (a: ReturnType<typeof get>, name: string) => a.headers.find(([k]) => k === name)?.[1];

  it('loads regular files only, precompressed siblings with their file', () => {
    expect([...site.files.keys()].sort()).toEqual(['.hidden', '200.html', '_app/immutable/a.js', 'big.json']);
    expect(site.files.get('200.html')?.br?.body.toString()).toBe('BROTLI');
  });

  it('serves the precompressed sibling the client accepts, with its own ETag', () => {
    const br = get('/', 'gzip, br');
    const gz = get('/', 'gzip');
    const plain = get('/');
    expect([br.body.toString(), gz.body.toString(), plain.body.toString()]).toEqual(['BROTLI', 'GZIP', html]);
    expect([
      header(br, 'content-encoding'),
      header(gz, 'content-encoding'),
      header(plain, 'content-encoding'),
    ]).toEqual(['br', 'gzip', undefined]);
    expect(new Set([header(br, 'etag'), header(gz, 'etag'), header(plain, 'etag')]).size).toBe(3);
    expect(header(plain, 'vary')).toBe('Accept-Encoding');
  });

  it('gzips a compressible file without a sibling at load', () => {
    const a = get('/big.json', 'gzip');
    expect(header(a, 'content-encoding')).toBe('gzip');
    expect(JSON.parse(gunzipSync(a.body as Buffer).toString()).data).toHaveLength(5000);
    expect(a.contentType).toBe('application/json; charset=utf-8');
  });

  it('answers app routes with the fallback and missing files with 404', () => {
    expect(get('/devices/van-7').body.toString()).toBe(html);
    expect(get('/devices/').body.toString()).toBe(html);
    expect(get('/favicon.ico').status).toBe(404);
    expect(get('/_app/immutable/gone.js').status).toBe(404);
    expect(get('/_app/version').status).toBe(404);
    expect(get('/.hidden').status).toBe(404);
    expect(get('/link.txt').status).toBe(404);
    expect(get('/200.html.br').status).toBe(404);
  });

  it('marks hashed assets immutable and the rest no-cache', () => {
    expect(header(get('/_app/immutable/a.js'), 'cache-control')).toBe(IMMUTABLE_CACHE);
    expect(get('/_app/immutable/a.js').contentType).toBe('text/javascript; charset=utf-8');
    expect(header(get('/'), 'cache-control')).toBe('no-cache');
  });

  it('answers 304 to a matching If-None-Match', () => {
    const etag = header(get('/', 'br'), 'etag') ?? '';
    expect(get('/', 'br', etag).status).toBe(304);
    expect(get('/', 'br', `"other", W/${etag}`).status).toBe(304);
    expect(get('/', '', etag).status).toBe(200); // another representation
  });

  it('refuses garbage with 400', () => {
    expect(get('/../../etc/passwd').status).toBe(400);
    expect(get('/%2e%2e/200.html').status).toBe(400);
  });

  it('explains a missing directory', () => {
    const none = loadStaticSite(join(dir, 'nope'), { cacheControl: () => 'no-cache' });
    expect(none.present).toBe(false);
    const a = answerStatic({ ...mount, site: none }, '/', { acceptEncoding: '', ifNoneMatch: '' });
    expect([a.status, a.body]).toEqual([503, 'missing']);
  });
});

describe('a transformed file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fleet-static-transform-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const html = '<!doctype html><title>app</title>'.padEnd(2000, ' ');
  writeFileSync(join(dir, '200.html'), html);
  writeFileSync(join(dir, '200.html.br'), 'BROTLI of the original');
  writeFileSync(join(dir, '200.html.gz'), 'GZIP of the original');
  const site = loadStaticSite(dir, {
    cacheControl: () => 'no-cache',
    transform: (path, body) =>
      path.endsWith('.html') ? Buffer.from(body.toString().replace('app', 'changed')) : undefined,
  });

  it('serves the new body, and never the precompressed copies of the old one', () => {
    const file = site.files.get('200.html');
    expect(file?.identity.body.toString()).toContain('<title>changed</title>');
    expect(file?.br).toBeUndefined();
    expect(gunzipSync(file?.gzip?.body as Buffer).toString()).toContain('<title>changed</title>');
  });
});

describe('consoleCspWidening', () => {
  const page = `<head><meta http-equiv="content-security-policy" content="default-src 'self'; connect-src 'self'; img-src 'self' data: blob:; script-src 'self' 'sha256-abc='"></head>`;

  it('leaves the policy alone for the offline basemap or a style on this server', () => {
    expect(consoleCspWidening('')).toBeUndefined();
    expect(consoleCspWidening('/maps/style.json')).toBeUndefined();
  });

  it('lets the map fetch from other origins when the style is on another server', () => {
    const widen = consoleCspWidening('https://tiles.example.com/style.json');
    const out = widen?.(page) ?? '';
    expect(out).toContain("connect-src 'self' https:;");
    expect(out).toContain("img-src 'self' data: blob: https:;");
    expect(out).toContain("script-src 'self' 'sha256-abc='"); // scripts stay as strict as built
    expect(out).not.toContain('http:');
    expect(consoleCspWidening('http://10.0.0.5/style.json')?.(page)).toContain(
      "connect-src 'self' http: https:;",
    );
  });
});
