// One way to make a MapLibre map in the console: the installation's style (the offline basemap
// unless CONSOLE_MAP_STYLE names another), MapLibre's module worker served from the console's
// own files, and the controls every map has. The live map and the playback map both use it.
import 'maplibre-gl/dist/maplibre-gl.css';
import type { ConsoleConfig } from '@fleet/api/contract';
import type { AddProtocolAction } from 'maplibre-gl';
import {
  AttributionControl,
  addProtocol,
  Map as MapLibreMap,
  NavigationControl,
  ScaleControl,
  setWorkerUrl,
} from 'maplibre-gl';
import workerUrl from 'maplibre-gl/dist/maplibre-gl-worker.mjs?url';

/** Helsinki's centre, where the basemap's OSM extract is; used until data says otherwise. */
export const DEFAULT_VIEW = { center: [24.944295, 60.171632] as [number, number], zoom: 12.5 };

let prepared = false;

/**
 * Once per page: MapLibre's worker from the console's own files, and the pmtiles:// protocol so a
 * production style may read a PMTiles file (CONSOLE_MAP_STYLE). The PMTiles reader is loaded
 * only when a style first asks for such a URL; the offline basemap never does.
 */
function prepare(): void {
  if (prepared) return;
  prepared = true;
  setWorkerUrl(workerUrl);
  let pmtiles: Promise<import('pmtiles').Protocol> | undefined;
  addProtocol('pmtiles', async (params, abort) => {
    pmtiles ??= import('pmtiles').then(({ Protocol }) => new Protocol());
    // Its header answer is TileJSON (typed `unknown` by pmtiles), which MapLibre accepts.
    return (await pmtiles).tilev4(params, abort) as ReturnType<AddProtocolAction>;
  });
}

export interface CreateMapOptions {
  container: HTMLElement;
  config: ConsoleConfig;
  center?: [number, number];
  zoom?: number;
}

/** A map drawing the installation's style; resolves once the style has loaded. */
export function createMap(options: CreateMapOptions): Promise<MapLibreMap> {
  prepare();
  const map = new MapLibreMap({
    container: options.container,
    style: options.config.mapStyle,
    center: options.center ?? DEFAULT_VIEW.center,
    zoom: options.zoom ?? DEFAULT_VIEW.zoom,
    attributionControl: false,
    // Keyboard panning and zooming when the map has focus (arrows, +, -).
    keyboard: true,
    dragRotate: false,
    pitchWithRotate: false,
    // No label fade: each fade keeps the map repainting for 300 ms, and markers update every
    // second; without it the map draws only when something changed.
    fadeDuration: 0,
  });
  map.touchZoomRotate.disableRotation();
  map.addControl(new NavigationControl({ showCompass: false }), 'top-right');
  map.addControl(new ScaleControl({ unit: 'metric' }), 'bottom-left');
  map.addControl(new AttributionControl({ compact: true }), 'bottom-right');
  return new Promise((resolve, reject) => {
    const failed = (e: { error?: { message: string } }) =>
      reject(new Error(`the map style did not load: ${e.error?.message ?? 'unknown error'}`));
    map.once('error', failed);
    map.once('load', () => {
      map.off('error', failed);
      resolve(map);
    });
  });
}

export type { MapLibreMap };
