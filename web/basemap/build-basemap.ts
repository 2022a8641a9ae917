// The basemap build as one ordered flow: check whether the output is up to date, read the
// extract, build the OSM layers, add Natural Earth, write the layer files, style.json, and last
// manifest.json (so an interrupted build is never taken for a finished one).
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { basename, join, relative, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { BasemapBuildOptions } from './build-options.ts';
import { buildOsmLayers, type SkipReason } from './features.ts';
import type { Bounds } from './geometry.ts';
import { naturalEarthLayers, worldAtlasVersion } from './natural-earth.ts';
import { readOsmExtract } from './osm-extract.ts';
import { BASEMAP_SOURCES, type BasemapSource, basemapStyle } from './style.ts';

/** Bumped when manifest.json changes shape. */
export const MANIFEST_FORMAT = 1;

// The view the suggested zoom fits the extract into: a laptop-sized map pane, 40 px padding,
// MapLibre's 512 px tiles.
const FIT_VIEWPORT_PX: readonly [number, number] = [1024, 768];
const FIT_PADDING_PX = 40;

export interface LayerSummary {
  file: string;
  features: number;
  bytes: number;
  gzipBytes: number;
}

export interface BasemapManifest {
  format: number;
  builtAt: string;
  /** SHA-256 of this build's own code and the world-atlas version: new code means a rebuild. */
  builder: string;
  source: { file: string; bytes: number; mtimeMs: number };
  worldAtlas: string;
  baseUrl: string;
  /** The extract's box, [west, south, east, north]: what the console fits to with no vehicles. */
  bounds: Bounds;
  center: [number, number];
  /** A zoom that shows the whole box in a 1024 x 768 px map. */
  zoom: number;
  style: string;
  layers: Record<BasemapSource, LayerSummary>;
  /** Ways and relations drawn in part because the extract cuts them. */
  clipped: number;
  skipped: Record<SkipReason, number>;
  buildMs: number;
}

export type BuildOutcome =
  | { upToDate: true; manifest: BasemapManifest }
  | { upToDate: false; manifest: BasemapManifest };

export async function buildBasemap(
  options: BasemapBuildOptions,
  log: (line: string) => void = () => {},
): Promise<BuildOutcome> {
  const started = performance.now();
  const source = await stat(options.osm).catch(() => {
    throw new Error(`OSM extract not found: ${options.osm} (npm run osm:fetch fetches the default one)`);
  });
  const builder = await builderHash();
  const sourceRecord = {
    file: relative(options.out, options.osm),
    bytes: source.size,
    mtimeMs: source.mtimeMs,
  };

  const previous = await readManifest(options.out);
  if (
    !options.force &&
    previous &&
    previous.format === MANIFEST_FORMAT &&
    previous.builder === builder &&
    previous.baseUrl === options.baseUrl &&
    previous.source.file === sourceRecord.file &&
    previous.source.bytes === sourceRecord.bytes &&
    previous.source.mtimeMs === sourceRecord.mtimeMs &&
    [previous.style, ...Object.values(previous.layers).map((l) => l.file)].every((f) =>
      existsSync(join(options.out, f)),
    )
  ) {
    log(`basemap: ${relative(process.cwd(), options.out) || '.'} is up to date (--force rebuilds)`);
    return { upToDate: true, manifest: previous };
  }

  log(`basemap: reading ${relative(process.cwd(), options.osm)} (${kb(source.size)})`);
  const readStarted = performance.now();
  const extract = await readOsmExtract(options.osm);
  log(
    `basemap: ${extract.nodes.size.toLocaleString('en')} nodes, ${extract.ways.length.toLocaleString('en')} ways, ` +
      `${extract.relations.length.toLocaleString('en')} relations in ${seconds(performance.now() - readStarted)}`,
  );
  const osm = buildOsmLayers(extract);
  const center = centreOf(osm.bounds);
  const naturalEarth = naturalEarthLayers(center);
  const collections = { ...osm.layers, land: naturalEarth.land, boundaries: naturalEarth.boundaries };

  await mkdir(options.out, { recursive: true });
  const layers = {} as Record<BasemapSource, LayerSummary>;
  for (const name of BASEMAP_SOURCES) {
    const collection = collections[name];
    const file = `${name}.geojson`;
    const summary = await writeOutput(options.out, file, JSON.stringify(collection));
    layers[name] = { file, features: collection.features.length, ...summary };
    log(
      `  ${name.padEnd(11)} ${collection.features.length.toLocaleString('en').padStart(6)} features ` +
        `${kb(summary.bytes).padStart(9)} (gzip ${kb(summary.gzipBytes)})`,
    );
  }
  const zoom = fitZoom(osm.bounds);
  const style = basemapStyle(options.baseUrl, { center, zoom });
  await writeOutput(options.out, 'style.json', `${JSON.stringify(style, null, 2)}\n`);

  const leftOut = Object.entries(osm.skipped)
    .filter(([, n]) => n > 0)
    .map(([reason, n]) => `${reason} ${n}`);
  log(
    `basemap: ${osm.clipped} ways and relations cut by the extract's edge, kept in part; ` +
      `left out: ${leftOut.length > 0 ? leftOut.join(', ') : 'nothing'}`,
  );
  const buildMs = Math.round(performance.now() - started);
  const manifest: BasemapManifest = {
    format: MANIFEST_FORMAT,
    builtAt: new Date().toISOString(),
    builder,
    source: sourceRecord,
    worldAtlas: worldAtlasVersion(),
    baseUrl: options.baseUrl,
    bounds: osm.bounds,
    center,
    zoom,
    style: 'style.json',
    layers,
    clipped: osm.clipped,
    skipped: osm.skipped,
    buildMs,
  };
  await writeOutput(options.out, 'manifest.json', `${JSON.stringify(manifest, null, 2)}\n`);
  log(`basemap: wrote ${relative(process.cwd(), options.out) || '.'} in ${seconds(buildMs)}`);
  return { upToDate: false, manifest };
}

export async function readManifest(outDir: string): Promise<BasemapManifest | undefined> {
  try {
    return JSON.parse(await readFile(join(outDir, 'manifest.json'), 'utf8')) as BasemapManifest;
  } catch {
    return undefined;
  }
}

/** Centre of the box (plain midpoint: the box is a few km across). */
export function centreOf(b: Bounds): [number, number] {
  return [round((b[0] + b[2]) / 2, 6), round((b[1] + b[3]) / 2, 6)];
}

/** The largest zoom, to 0.1, at which the box fits the reference viewport in Web Mercator. */
export function fitZoom(b: Bounds): number {
  const mercatorY = (lat: number) => {
    const s = Math.sin((lat * Math.PI) / 180);
    return 0.5 - Math.log((1 + s) / (1 - s)) / (4 * Math.PI);
  };
  const width = Math.max((b[2] - b[0]) / 360, 1e-9);
  const height = Math.max(mercatorY(b[1]) - mercatorY(b[3]), 1e-9);
  const [vw, vh] = FIT_VIEWPORT_PX;
  const z = Math.min(
    Math.log2((vw - 2 * FIT_PADDING_PX) / (512 * width)),
    Math.log2((vh - 2 * FIT_PADDING_PX) / (512 * height)),
  );
  return Math.floor(Math.min(z, 20) * 10) / 10;
}

async function writeOutput(
  dir: string,
  file: string,
  text: string,
): Promise<{ bytes: number; gzipBytes: number }> {
  const target = join(dir, file);
  const temporary = `${target}.${process.pid}.tmp`;
  const data = Buffer.from(text);
  await writeFile(temporary, data);
  await rename(temporary, target); // atomic: a reader never sees half a file
  return { bytes: data.length, gzipBytes: gzipSync(data).length };
}

async function builderHash(): Promise<string> {
  const dir = resolve(import.meta.dirname);
  const files = (await readdir(dir)).filter((f) => f.endsWith('.ts')).sort();
  const hash = createHash('sha256');
  for (const f of files) hash.update(basename(f)).update(await readFile(join(dir, f)));
  hash.update(`world-atlas@${worldAtlasVersion()}`);
  return hash.digest('hex');
}

function round(x: number, decimals: number): number {
  const f = 10 ** decimals;
  return Math.round(x * f) / f;
}

function kb(bytes: number): string {
  return `${(bytes / 1000).toFixed(1)} kB`;
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(2)} s`;
}
