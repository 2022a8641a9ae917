// The ops console: a single-page app (no server rendering) built into static files that the
// platform's API serves on :8080, on the same origin as /api/v1 and /ws (docs/decisions.md).
// `npm run dev -w web` runs Vite with hot reload and proxies the platform's paths to a running
// platform (FLEET_PLATFORM_URL, default http://127.0.0.1:8080).
import adapter from '@sveltejs/adapter-static';
import { sveltekit } from '@sveltejs/kit/vite';
import { defineConfig } from 'vite';

const platform = process.env.FLEET_PLATFORM_URL ?? 'http://127.0.0.1:8080';

export default defineConfig({
  plugins: [
    sveltekit({
      // SPA: every route is rendered in the browser from one fallback page; the API answers
      // any console path that is not a file with it. Precompressed .br/.gz siblings are served
      // by the API when the browser accepts them.
      adapter: adapter({ fallback: '200.html', precompress: true }),
      csp: {
        mode: 'hash',
        directives: {
          'default-src': ['self'],
          'script-src': ['self'],
          // Svelte templates carry style attributes; MapLibre sets styles and runs blob workers.
          'style-src': ['self', 'unsafe-inline'],
          'img-src': ['self', 'data:', 'blob:'],
          'font-src': ['self', 'data:'],
          // 'self' covers ws:// and wss:// of the same origin (CSP 3).
          'connect-src': ['self'],
          'worker-src': ['self', 'blob:'],
          'object-src': ['none'],
          'base-uri': ['self'],
          'form-action': ['self'],
        },
      },
    }),
  ],
  server: {
    proxy: {
      '/api': { target: platform, changeOrigin: false },
      '/ws': { target: platform, ws: true },
      '/basemap': { target: platform },
    },
  },
});
