// The two static sites on the API's port: the ops console (web/build, CONSOLE_DIR) at / as a
// single-page app, and the basemap (vendor/basemap) at /basemap/. Both are read into memory now;
// a missing directory is logged once and answered with an explanation (console) or 404s.
import type { TemplatedApp } from 'uWebSockets.js';
import { isAbsolute, resolve } from 'node:path';
import type { FaultReporter, FleetConfig, Logger } from '@fleet/shared';
import { ApiError } from './http/errors.ts';
import type { HttpMetrics } from './http/server.ts';
import { IMMUTABLE_CACHE, loadStaticSite, mountStatic, type StaticSite } from './http/static-files.ts';

/** The project directory: relative static directories are resolved against it, not the cwd. */
const PROJECT_ROOT = resolve(import.meta.dirname, '../..');

/** Paths the API owns: the console's single-page fallback never answers these. */
export const API_PATHS = ['/api', '/ws', '/health', '/ready', '/metrics'] as const;

const CONSOLE_MISSING_HTML = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Fleet console not built</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 3rem auto; line-height: 1.5">
<h1>The ops console is not built yet</h1>
<p>Build it once with <code>npm run build</code> (that is <code>npm run build -w web</code>) and restart the
platform; <code>npm start</code> builds it by itself when it is missing or older than its sources.</p>
<p>The API is running: see <a href="/api/v1/docs">/api/v1/docs</a>.</p>
</body></html>`;

/**
 * The console's pages carry a strict Content-Security-Policy (web/vite.config.ts) that lets them
 * fetch from their own origin only. A map style on another server (CONSOLE_MAP_STYLE) brings
 * tiles, sprites and glyphs from wherever it names, so its pages then may fetch from any origin
 * of that scheme. Undefined when the style is the offline basemap or a path on this server.
 */
export function consoleCspWidening(mapStyle: string): ((html: string) => string) | undefined {
  const scheme = /^(https?):\/\//.exec(mapStyle)?.[1];
  if (scheme === undefined) return undefined;
  const sources = scheme === 'http' ? 'http: https:' : 'https:';
  return (html) =>
    html.replace(
      /(<meta http-equiv="content-security-policy" content=")([^"]*)(")/i,
      (_, open, policy, close) => {
        const widened = (policy as string)
          .replace(/connect-src ([^;]*)/, `connect-src $1 ${sources}`)
          .replace(/img-src ([^;]*)/, `img-src $1 ${sources}`);
        return `${open}${widened}${close}`;
      },
    );
}

export interface StaticSitesDeps {
  config: FleetConfig;
  log: Logger;
  faults: FaultReporter;
  metrics: HttpMetrics;
  /** Where the basemap lives; default vendor/basemap of the project. */
  basemapDir?: string;
}

export function mountStaticSites(app: TemplatedApp, deps: StaticSitesDeps): void {
  const { config, log } = deps;
  const consoleDir = isAbsolute(config.CONSOLE_DIR)
    ? config.CONSOLE_DIR
    : resolve(PROJECT_ROOT, config.CONSOLE_DIR);
  // Hashed file names under _app/immutable never change content; everything else (the HTML
  // shell, version.json, the basemap) is revalidated by ETag on every use.
  const csp = consoleCspWidening(config.CONSOLE_MAP_STYLE);
  const consoleSite = loadStaticSite(consoleDir, {
    cacheControl: (path) => (path.startsWith('_app/immutable/') ? IMMUTABLE_CACHE : 'no-cache'),
    ...(csp === undefined
      ? {}
      : {
          transform: (path: string, body: Buffer) =>
            path.endsWith('.html') ? Buffer.from(csp(body.toString('utf8'))) : undefined,
        }),
  });
  const basemap = loadStaticSite(deps.basemapDir ?? resolve(PROJECT_ROOT, 'vendor/basemap'), {
    cacheControl: () => 'no-cache',
  });
  const describe = (site: StaticSite) => ({ dir: site.dir, files: site.files.size, bytes: site.bytes });
  if (consoleSite.present) log.info(describe(consoleSite), 'serving the ops console at /');
  else log.warn({ dir: consoleSite.dir }, 'the ops console is not built: / explains how (npm run build)');
  if (basemap.present) log.info(describe(basemap), 'serving the basemap at /basemap/');
  else log.warn({ dir: basemap.dir }, 'no basemap directory: /basemap/* answers 404');

  mountStatic(
    app,
    [
      {
        prefix: '/basemap',
        site: basemap,
        missing: {
          status: 404,
          contentType: 'application/json; charset=utf-8',
          body: JSON.stringify(new ApiError('not_found', 'No basemap is installed.').toBody()),
        },
      },
      {
        prefix: '',
        site: consoleSite,
        fallback: '200.html',
        missing: { status: 503, contentType: 'text/html; charset=utf-8', body: CONSOLE_MISSING_HTML },
      },
    ],
    { log, faults: deps.faults, metrics: deps.metrics, apiPaths: API_PATHS },
  );
}
