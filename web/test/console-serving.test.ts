// The built console and the basemap as the real API serves them on its own port: content types,
// caching, precompressed files, the single-page fallback, the API's own paths left alone, HEAD
// and other methods, and garbage paths that must never reach a file outside the build.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { ensureConsoleBuilt } from '@fleet/cli/console-build';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../../test/api-support.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const BUILD = join(ROOT, 'web/build');

interface Raw {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** A request sent exactly as written (fetch would normalise the path and decompress the body). */
function raw(base: string, path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<Raw> {
  const url = new URL(base);
  return new Promise((resolvePromise, reject) => {
    const req = request({ host: url.hostname, port: url.port, path, method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolvePromise({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

function builtFiles(dir: string, prefix = ''): string[] {
  return readdirSync(join(dir, prefix), { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? builtFiles(dir, `${prefix}${e.name}/`) : [`${prefix}${e.name}`],
  );
}

let t: TestApi;
let missing: TestApi;
const basemapDir = mkdtempSync(join(tmpdir(), 'fleet-basemap-'));
const roads = JSON.stringify({
  type: 'FeatureCollection',
  features: Array.from({ length: 200 }, (_, i) => ({
    type: 'Feature',
    properties: { name: `Road ${i}` },
    geometry: {
      type: 'LineString',
      coordinates: [
        [24.94, 60.17 + i / 1e4],
        [24.95, 60.17],
      ],
    },
  })),
});

beforeAll(async () => {
  // A fresh clone has no build: make it once (skipped in well under a second when fresh).
  await ensureConsoleBuilt(ROOT, () => {});
  mkdirSync(join(basemapDir, 'data'));
  writeFileSync(join(basemapDir, 'style.json'), JSON.stringify({ version: 8, sources: {}, layers: [] }));
  writeFileSync(join(basemapDir, 'data/roads.geojson'), roads);
  t = await startTestApi({}, { basemapDir });
  missing = await startTestApi(
    { CONSOLE_DIR: join(basemapDir, 'no-console-here') },
    { basemapDir: join(basemapDir, 'nope') },
  );
}, 180_000);

afterAll(async () => {
  await t?.close();
  await missing?.close();
  rmSync(basemapDir, { recursive: true, force: true });
});

describe('the console', () => {
  it('serves its page at / as HTML, revalidated on every load', async () => {
    const res = await raw(t.url, '/');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.headers['cache-control']).toBe('no-cache');
    expect(res.headers.etag).toMatch(/^"[\w-]+"$/);
    expect(res.headers.vary).toBe('Accept-Encoding');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.body.equals(readFileSync(join(BUILD, '200.html')))).toBe(true);
    expect(res.body.toString()).toContain('content-security-policy');
  });

  it('answers the routes of the app with the same page (deep links, reloads)', async () => {
    const page = readFileSync(join(BUILD, '200.html'));
    for (const path of [
      '/login',
      '/login?next=%2Fdevices%2Fx',
      '/devices/van-7',
      '/devices/',
      '/a/b/c?x=1#y',
    ]) {
      const res = await raw(t.url, path);
      expect(res.status, path).toBe(200);
      expect(res.body.equals(page), path).toBe(true);
    }
  });

  it('sends the precompressed file the browser accepts', async () => {
    const page = readFileSync(join(BUILD, '200.html'));
    const br = await raw(t.url, '/', { 'accept-encoding': 'gzip, deflate, br' });
    expect(br.headers['content-encoding']).toBe('br');
    expect(brotliDecompressSync(br.body).equals(page)).toBe(true);
    const gz = await raw(t.url, '/', { 'accept-encoding': 'gzip' });
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(gz.body).equals(page)).toBe(true);
    const none = await raw(t.url, '/', { 'accept-encoding': 'br;q=0, gzip;q=0' });
    expect(none.headers['content-encoding']).toBeUndefined();
    expect(none.body.equals(page)).toBe(true);
    expect(new Set([br.headers.etag, gz.headers.etag, none.headers.etag]).size).toBe(3);
  });

  it('serves every built file with its type, hashed assets cached for a year', async () => {
    const files = builtFiles(BUILD).filter((f) => !/\.(br|gz)$/.test(f) && !f.startsWith('.'));
    const scripts = files.filter((f) => f.startsWith('_app/immutable/') && f.endsWith('.js'));
    expect(scripts.length).toBeGreaterThan(3);
    for (const file of files) {
      const res = await raw(t.url, `/${file}`, { 'accept-encoding': 'br' });
      expect(res.status, file).toBe(200);
      const plain = res.headers['content-encoding'] === 'br' ? brotliDecompressSync(res.body) : res.body;
      expect(plain.equals(readFileSync(join(BUILD, file))), file).toBe(true);
      if (file.startsWith('_app/immutable/'))
        expect(res.headers['cache-control'], file).toBe('public, max-age=31536000, immutable');
      else expect(res.headers['cache-control'], file).toBe('no-cache');
      if (file.endsWith('.js')) expect(res.headers['content-type']).toBe('text/javascript; charset=utf-8');
      if (file.endsWith('.css')) expect(res.headers['content-type']).toBe('text/css; charset=utf-8');
      if (file.endsWith('.svg')) expect(res.headers['content-type']).toBe('image/svg+xml');
      if (file.endsWith('.json')) expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    }
  });

  it('answers 304 when the browser has the same file', async () => {
    const first = await raw(t.url, '/favicon.svg', { 'accept-encoding': 'br' });
    const again = await raw(t.url, '/favicon.svg', {
      'accept-encoding': 'br',
      'if-none-match': String(first.headers.etag),
    });
    expect(again.status).toBe(304);
    expect(again.body.byteLength).toBe(0);
    expect(again.headers.etag).toBe(first.headers.etag);
  });

  it('answers 404, never the page, for files that are not there', async () => {
    for (const path of [
      '/_app/immutable/chunks/gone.js',
      '/_app/immutable/entry',
      '/favicon.ico',
      '/robots.txt',
      '/200.html.br',
      '/.fleet-build.json',
    ]) {
      const res = await raw(t.url, path);
      expect(res.status, path).toBe(404);
      expect(res.headers['content-type'], path).toBe('application/json; charset=utf-8');
      expect(JSON.parse(res.body.toString()).error.code, path).toBe('not_found');
    }
  });

  it('leaves the API its own paths', async () => {
    for (const path of [
      '/api',
      '/api/v1/nope',
      '/api/v1/devices/x/nope',
      '/ws/x',
      '/health/x',
      '/ready/x',
      '/metrics/x',
    ]) {
      const res = await raw(t.url, path);
      expect(res.status, path).toBe(404);
      expect(JSON.parse(res.body.toString()).error.code, path).toBe('not_found');
    }
    expect((await raw(t.url, '/health')).status).toBe(200);
    expect((await raw(t.url, '/api/v1/openapi.json')).headers['content-type']).toContain('application/json');
    const del = await raw(t.url, '/api/v1/me', {}, 'DELETE');
    expect([del.status, del.headers.allow]).toEqual([405, 'GET']);
    expect((await raw(t.url, '/api/v1/nope', {}, 'POST')).status).toBe(404);
  });

  it('answers HEAD like GET without the body, and refuses other methods', async () => {
    const get = await raw(t.url, '/', { 'accept-encoding': 'gzip' });
    const head = await raw(t.url, '/', { 'accept-encoding': 'gzip' }, 'HEAD');
    expect(head.status).toBe(200);
    expect(head.body.byteLength).toBe(0);
    expect(Number(head.headers['content-length'])).toBe(get.body.byteLength);
    expect(head.headers.etag).toBe(get.headers.etag);
    // The connection stays usable after a HEAD (the agent reuses kept-alive sockets).
    expect((await raw(t.url, '/favicon.svg')).status).toBe(200);
    for (const method of ['POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS']) {
      for (const path of ['/', '/devices/x', '/basemap/style.json']) {
        const res = await raw(t.url, path, {}, method);
        expect(res.status, `${method} ${path}`).toBe(405);
        expect(res.headers.allow).toBe('GET, HEAD');
        expect(JSON.parse(res.body.toString()).error.code).toBe('method_not_allowed');
      }
    }
  });
});

describe('paths that try to leave the build', () => {
  const secrets = [readFileSync(join(ROOT, 'package.json')), Buffer.from('root:')];
  const leaks = (body: Buffer) => secrets.some((s) => body.includes(s.subarray(0, 200)));

  it.each([
    '/../package.json',
    '/../../../../etc/passwd',
    '/..%2fpackage.json',
    '/%2e%2e/package.json',
    '/%2e%2e%2f%2e%2e%2fetc%2fpasswd',
    '/%2E%2E/%2E%2E/etc/passwd',
    '/_app/../../package.json',
    '/_app/%2e%2e/%2e%2e/package.json',
    '/.%2e/package.json',
    '/./200.html',
    '/..\\..\\package.json',
    '/%5c..%5c..%5cpackage.json',
    '/200.html%00.js',
    '/%00',
    '/%ZZ',
    '/%c0%ae%c0%ae/package.json',
    '/basemap/../package.json',
    '/basemap/%2e%2e/%2e%2e/package.json',
    '/basemap/..%2f..%2fpackage.json',
  ])('%s is refused', async (path) => {
    const res = await raw(t.url, path);
    expect([400, 404], `${path}: ${res.status}`).toContain(res.status);
    expect(leaks(res.body)).toBe(false);
  });

  it('survives random garbage and answers each path with the page, 400 or 404', async () => {
    const page = readFileSync(join(BUILD, '200.html'));
    const alphabet = [
      '/',
      '.',
      '..',
      '%2e',
      '%2f',
      '%5c',
      '%00',
      '%',
      'a',
      '_app',
      '~',
      '%25',
      '\\',
      ';',
      ':',
      '@',
    ];
    let seed = 7;
    const next = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed;
    };
    for (let i = 0; i < 200; i++) {
      const parts = Array.from({ length: 1 + (next() % 8) }, () => alphabet[next() % alphabet.length]);
      const path = `/${parts.join('')}`;
      const res = await raw(t.url, path);
      expect([200, 400, 404], `${path}: ${res.status}`).toContain(res.status);
      if (res.status === 200) expect(res.body.equals(page), path).toBe(true);
      expect(leaks(res.body), path).toBe(false);
    }
    expect((await raw(t.url, '/health')).status).toBe(200);
  });
});

describe('the basemap', () => {
  it('is served at /basemap/ with types and revalidation', async () => {
    const style = await raw(t.url, '/basemap/style.json');
    expect(style.status).toBe(200);
    expect(style.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(style.headers['cache-control']).toBe('no-cache');
    expect(JSON.parse(style.body.toString()).version).toBe(8);
    const geo = await raw(t.url, '/basemap/data/roads.geojson', { 'accept-encoding': 'gzip, br' });
    expect(geo.headers['content-type']).toBe('application/geo+json; charset=utf-8');
    // No precompressed sibling in the directory: gzipped once, when loaded.
    expect(geo.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(geo.body).toString()).toBe(roads);
  });

  it('has no single-page fallback', async () => {
    for (const path of ['/basemap', '/basemap/', '/basemap/nope.json', '/basemap/data', '/basemap/x/y']) {
      const res = await raw(t.url, path);
      expect(res.status, path).toBe(404);
    }
  });
});

describe('without a console build or a basemap', () => {
  it('says how to build the console instead of failing', async () => {
    for (const path of ['/', '/devices/x']) {
      const res = await raw(missing.url, path);
      expect(res.status).toBe(503);
      expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(res.body.toString()).toContain('npm run build');
    }
    expect((await raw(missing.url, '/api/v1/openapi.json')).status).toBe(200);
  });

  it('answers 404 under /basemap/', async () => {
    const res = await raw(missing.url, '/basemap/style.json');
    expect(res.status).toBe(404);
    expect(JSON.parse(res.body.toString()).error.message).toBe('No basemap is installed.');
  });
});
