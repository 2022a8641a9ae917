// A small static server for browser tests of the basemap, on 127.0.0.1 only: the built basemap
// under /basemap/ (as the platform serves it), MapLibre's dist under /maplibre/, and a page at /
// that opens the basemap's style.json by URL, as the console does.
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { dirname, extname, join } from 'node:path';

const MAPLIBRE_DIST = join(
  dirname(createRequire(import.meta.url).resolve('maplibre-gl/package.json')),
  'dist',
);

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.geojson': 'application/geo+json',
  '.map': 'application/json',
};

/** The test page: a full-window map on /basemap/style.json, exposed as `window.map`. */
export const BASEMAP_TEST_PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>basemap</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/maplibre/maplibre-gl.css">
<style>html, body, #map { margin: 0; width: 100%; height: 100%; }</style>
</head>
<body>
<div id="map"></div>
<script type="module">
import { Map } from '/maplibre/maplibre-gl.mjs';
const map = new Map({ container: 'map', style: '/basemap/style.json', fadeDuration: 0 });
map.on('error', (e) => console.error('map error: ' + (e.error && e.error.message)));
window.map = map;
</script>
</body>
</html>
`;

export interface BasemapServer {
  /** http://127.0.0.1:<port> */
  origin: string;
  close(): Promise<void>;
}

export async function serveBasemap(basemapDir: string): Promise<BasemapServer> {
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
    const send = (status: number, body: string | Buffer, type = 'text/plain; charset=utf-8') => {
      res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
      res.end(body);
    };
    if (path === '/') return send(200, BASEMAP_TEST_PAGE, CONTENT_TYPES['.html']);
    const match = /^\/(basemap|maplibre)\/([\w.-]+)$/.exec(path);
    if (!match || match[2]?.startsWith('.')) return send(404, 'not found');
    const file = join(match[1] === 'basemap' ? basemapDir : MAPLIBRE_DIST, match[2] as string);
    readFile(file).then(
      (data) => send(200, data, CONTENT_TYPES[extname(file)] ?? 'application/octet-stream'),
      () => send(404, 'not found'),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
