// Operations: liveness, readiness (every dependency reachable), Prometheus metrics, the
// OpenAPI document and a readable docs page (Swagger UI, served from the swagger-ui-dist
// package so it works offline).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { errorMessage } from '@fleet/shared';
import { z } from 'zod';
import { errorBodySchema } from '../http/errors.ts';
import { type AnyRoute, defineRoute } from '../http/route.ts';
import type { ApiContext } from './context.ts';

const swaggerDir = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));
const asset = (name: string) => readFileSync(join(swaggerDir, name), 'utf8');

const DOCS_HTML = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Fleet platform API</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="/api/v1/docs/swagger-ui.css"></head>
<body><div id="docs"></div>
<script src="/api/v1/docs/swagger-ui-bundle.js"></script>
<script src="/api/v1/docs/init.js"></script></body></html>`;

const DOCS_INIT = `window.ui = SwaggerUIBundle({ url: '/api/v1/openapi.json', dom_id: '#docs', deepLinking: true, persistAuthorization: false });`;

const readySchema = z
  .object({
    status: z.enum(['ready', 'unavailable']),
    checks: z.record(z.string(), z.object({ ok: z.boolean(), ms: z.number(), error: z.string().optional() })),
  })
  .meta({ id: 'Readiness' });

export function opsRoutes(ctx: ApiContext, openApi: () => Record<string, unknown>): AnyRoute[] {
  const docsAssets = new Map<string, () => string>();
  const lazy = (name: string) => {
    let text: string | undefined;
    return () => (text ??= asset(name));
  };
  docsAssets.set('swagger-ui.css', lazy('swagger-ui.css'));
  docsAssets.set('swagger-ui-bundle.js', lazy('swagger-ui-bundle.js'));
  let openApiText: string | undefined;

  return [
    defineRoute({
      id: 'health',
      method: 'get',
      path: '/health',
      tag: 'operations',
      summary: 'Liveness: the process answers',
      access: 'public',
      responses: { 200: { description: 'Alive', schema: z.object({ status: z.literal('ok') }) } },
      async handler() {
        return { status: 200, body: { status: 'ok' as const } };
      },
    }),
    defineRoute({
      id: 'ready',
      method: 'get',
      path: '/ready',
      tag: 'operations',
      summary: 'Readiness: QuestDB, the database and the broker are reachable',
      access: 'public',
      responses: {
        200: { description: 'Ready', schema: readySchema },
        503: { description: 'A dependency is unavailable', schema: readySchema },
      },
      async handler() {
        const checks: Record<string, { ok: boolean; ms: number; error?: string }> = {};
        await Promise.all(
          ctx.readiness.map(async (r) => {
            const started = performance.now();
            try {
              await Promise.race([
                r.check(),
                new Promise((_, reject) =>
                  setTimeout(() => reject(new Error('timed out after 2 s')), 2000).unref(),
                ),
              ]);
              checks[r.name] = { ok: true, ms: Math.round(performance.now() - started) };
            } catch (err) {
              checks[r.name] = {
                ok: false,
                ms: Math.round(performance.now() - started),
                error: errorMessage(err),
              };
            }
          }),
        );
        const ok = Object.values(checks).every((c) => c.ok);
        return {
          status: ok ? 200 : 503,
          body: { status: ok ? ('ready' as const) : ('unavailable' as const), checks },
        };
      },
    }),
    defineRoute({
      id: 'metrics',
      method: 'get',
      path: '/metrics',
      tag: 'operations',
      summary: 'Prometheus metrics of the platform',
      description:
        'Every process of the platform (launcher, device side, API side), each series labelled with its `process`.',
      access: 'public',
      responses: {
        200: { description: 'Prometheus text format', alternatives: { 'text/plain': z.string() } },
      },
      async handler() {
        return {
          status: 200,
          raw: await ctx.platformMetrics(),
          contentType: ctx.metricsRegistry.contentType,
        };
      },
    }),
    defineRoute({
      id: 'openapi',
      method: 'get',
      path: '/api/v1/openapi.json',
      tag: 'operations',
      summary: 'This document',
      access: 'public',
      responses: { 200: { description: 'OpenAPI 3.1', alternatives: { 'application/json': z.object({}) } } },
      async handler() {
        openApiText ??= JSON.stringify(openApi());
        return { status: 200, raw: openApiText, contentType: 'application/json; charset=utf-8' };
      },
    }),
    defineRoute({
      id: 'docs',
      method: 'get',
      path: '/api/v1/docs',
      tag: 'operations',
      summary: 'The API reference, readable in a browser',
      access: 'public',
      responses: { 200: { description: 'HTML', alternatives: { 'text/html': z.string() } } },
      async handler() {
        return { status: 200, raw: DOCS_HTML, contentType: 'text/html; charset=utf-8' };
      },
    }),
    defineRoute({
      id: 'docsAsset',
      method: 'get',
      path: '/api/v1/docs/{file}',
      tag: 'operations',
      summary: 'Scripts and styles of the docs page',
      access: 'public',
      params: z.strictObject({ file: z.enum(['swagger-ui.css', 'swagger-ui-bundle.js', 'init.js']) }),
      responses: {
        200: {
          description: 'The file',
          alternatives: { 'text/css': z.string(), 'text/javascript': z.string() },
        },
        400: { description: 'No such file', schema: errorBodySchema },
      },
      async handler({ params }) {
        const text = params.file === 'init.js' ? DOCS_INIT : (docsAssets.get(params.file)?.() ?? '');
        return {
          status: 200,
          raw: text,
          contentType: params.file.endsWith('.css')
            ? 'text/css; charset=utf-8'
            : 'text/javascript; charset=utf-8',
          headers: { 'cache-control': 'public, max-age=3600' },
        };
      },
    }),
  ];
}
