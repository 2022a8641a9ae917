// The offline basemap drawn by MapLibre in Chromium, served from 127.0.0.1 only: the style and
// its GeoJSON load by URL, text renders with no glyph server, and nothing else is fetched.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectPageErrors, launchBrowser, screenshotOnFailure } from '../../test/browser.ts';
import { type BasemapManifest, buildBasemap } from '../basemap/build-basemap.ts';
import { DEFAULT_OSM } from '../basemap/build-options.ts';
import { type BasemapServer, serveBasemap } from './basemap-server.ts';

const SCREENSHOT = resolve(import.meta.dirname, '../../docs/screenshots/basemap.png');

// The part of MapLibre's Map the page is driven through (the test has no DOM types).
interface MapHandle {
  jumpTo(camera: { center: [number, number]; zoom: number }): void;
  once(event: 'idle', listener: () => void): void;
  triggerRepaint(): void;
  getStyle(): { glyphs?: string };
  queryRenderedFeatures(): { layer: { id: string; type: string }; properties: Record<string, unknown> }[];
}

interface RenderedView {
  /** Rendered features per style layer id. */
  layers: Record<string, number>;
  /** Text of the labels placed on screen. */
  labels: string[];
  glyphs: string | null;
}

/** Moves the map, waits until it is idle (all data loaded and drawn), and lists what is on screen. */
function showAt(page: Page, center: [number, number], zoom: number): Promise<RenderedView> {
  return page.evaluate(
    ({ center, zoom }) =>
      new Promise<RenderedView>((done) => {
        const map = (globalThis as unknown as { map: MapHandle }).map;
        map.once('idle', () => {
          const layers: Record<string, number> = {};
          const labels: string[] = [];
          for (const f of map.queryRenderedFeatures()) {
            layers[f.layer.id] = (layers[f.layer.id] ?? 0) + 1;
            if (f.layer.type === 'symbol' && typeof f.properties.name === 'string')
              labels.push(f.properties.name);
          }
          done({ layers, labels, glyphs: map.getStyle().glyphs ?? null });
        });
        map.jumpTo({ center, zoom });
        map.triggerRepaint();
      }),
    { center, zoom },
  );
}

describe('the offline basemap in Chromium', () => {
  let out: string;
  let manifest: BasemapManifest;
  let server: BasemapServer;
  let browser: Browser;
  let page: Page;
  let errors: string[];
  const requests: string[] = [];
  const failures: string[] = [];

  beforeAll(async () => {
    out = mkdtempSync(join(tmpdir(), 'basemap-render-'));
    ({ manifest } = await buildBasemap({ osm: DEFAULT_OSM, out, baseUrl: '/basemap/', force: true }));
    server = await serveBasemap(out);
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1024, height: 768 } });
    errors = collectPageErrors(page);
    page.on('request', (r) => requests.push(r.url()));
    page.on('requestfailed', (r) => failures.push(`${r.url()}: ${r.failure()?.errorText}`));
    page.on('response', (r) => {
      if (r.status() >= 400) failures.push(`${r.url()}: HTTP ${r.status()}`);
    });
    await page.goto(server.origin);
    await page.waitForFunction(() => 'map' in globalThis);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    if (out) rmSync(out, { recursive: true, force: true });
  });

  it('draws roads, buildings, water, parks and labels at the centre of the extract at street zoom', async () => {
    await screenshotOnFailure(page, 'basemap street zoom', async () => {
      const view = await showAt(page, manifest.center, 15);
      expect(view.layers.roads).toBeGreaterThan(100);
      expect(view.layers['roads-casing']).toBeGreaterThan(100);
      expect(view.layers.buildings).toBeGreaterThan(100);
      expect(view.layers.water).toBeGreaterThan(0);
      expect(view.layers.green).toBeGreaterThan(10);
      expect(view.layers['street-labels']).toBeGreaterThan(10);
      expect(view.layers['place-labels']).toBeGreaterThan(0);
      // Street names and districts of central Helsinki, drawn without any glyph server.
      expect(view.labels).toEqual(expect.arrayContaining(['Aleksanterinkatu', 'Kaivokatu', 'Kluuvi']));
      expect(view.glyphs).toBeNull();
      mkdirSync(resolve(SCREENSHOT, '..'), { recursive: true });
      await page.screenshot({ path: SCREENSHOT });
    });
  });

  it('shows Natural Earth land and the city at zoom 5', async () => {
    await screenshotOnFailure(page, 'basemap zoom 5', async () => {
      const view = await showAt(page, manifest.center, 5);
      expect(view.layers['land-local']).toBeGreaterThan(0);
      expect(view.layers.roads ?? 0).toBe(0);
      expect(view.labels).toContain('Helsinki');
    });
  });

  it('fetched only its own files from 127.0.0.1, all successfully, with no page errors', () => {
    const origin = new URL(server.origin);
    const outside = requests.filter((u) => {
      const url = new URL(u);
      return !['data:', 'blob:'].includes(url.protocol) && url.host !== origin.host;
    });
    expect(outside).toEqual([]);
    const paths = new Set(
      requests
        .map((u) => new URL(u))
        .filter((u) => u.protocol === 'http:')
        .map((u) => u.pathname),
    );
    for (const path of paths)
      expect(path).toMatch(/^\/$|^\/maplibre\/maplibre-gl[\w.-]*$|^\/basemap\/[\w-]+\.(geo)?json$/);
    expect(paths).toContain('/basemap/style.json');
    expect(paths).toContain('/basemap/roads.geojson');
    expect(failures).toEqual([]);
    expect(errors).toEqual([]);
  });
});
