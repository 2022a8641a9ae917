// Today's jobs drawn on the live map (the data is jobs-layer.ts): the sites and the lines to them
// under the fleet's markers, the labels over them, a click on a site naming its place. After
// each drawing has been rendered, the labels MapLibre actually placed are reported with their
// screen points, for people and tests reading the page.
import type { GeoJSONSource, MapLayerMouseEvent, Map as MapLibreMap } from 'maplibre-gl';
import { FLEET_LAYER_IDS, SELECTABLE_LAYERS } from './fleet-layers.ts';
import {
  JOB_CLICK_LAYERS,
  JOBS_LAYER_IDS,
  JOBS_SOURCES,
  type JobsLayerData,
  jobsLayers,
} from './jobs-layer.ts';

export interface RenderedJobLabel {
  jobId: string;
  placeId: string;
  text: string;
  /** Where its site is on the screen (CSS px from the map's top left). */
  x: number;
  y: number;
}

/** What MapLibre has on screen of the jobs layer. */
export interface RenderedJobs {
  labels: RenderedJobLabel[];
  /** Each ETA beside its vehicle, `at` its position as "lon,lat" to 4 decimals (the tile's precision is finer). */
  etas: { jobId: string; assetId: string; text: string; late: boolean; at: string }[];
  /** Lines from vehicles to their sites. */
  routes: number;
}

export interface JobsOverlayOptions {
  /** A site was clicked (not a vehicle on it). */
  onPick(placeId: string): void;
  /** What is on screen, after a drawing or a move of the view was rendered. */
  onRendered?(rendered: RenderedJobs): void;
}

const EMPTY = { type: 'FeatureCollection' as const, features: [] };

export class JobsOverlay {
  readonly #map: MapLibreMap;
  readonly #o: JobsOverlayOptions;
  #visible = true;

  constructor(map: MapLibreMap, options: JobsOverlayOptions) {
    this.#map = map;
    this.#o = options;
    for (const id of Object.values(JOBS_SOURCES)) map.addSource(id, { type: 'geojson', data: EMPTY });
    const { below, above } = jobsLayers();
    const under = map.getLayer(FLEET_LAYER_IDS.trail) ? FLEET_LAYER_IDS.trail : undefined;
    for (const layer of below) map.addLayer(layer, under);
    for (const layer of above) map.addLayer(layer);
    for (const id of JOB_CLICK_LAYERS) {
      map.on('click', id, this.#onClick);
      map.on('mouseenter', id, this.#pointer);
      map.on('mouseleave', id, this.#noPointer);
    }
    map.on('idle', this.#report);
  }

  show(data: JobsLayerData): void {
    this.#source(JOBS_SOURCES.sites).setData(data.sites);
    this.#source(JOBS_SOURCES.labels).setData(data.labels);
    this.#source(JOBS_SOURCES.routes).setData(data.routes);
    this.#source(JOBS_SOURCES.etas).setData(data.etas);
  }

  /** Only the lines and ETAs (vehicles moved; sites and labels are as they were). */
  showRoutes(data: Pick<JobsLayerData, 'routes' | 'etas'>): void {
    this.#source(JOBS_SOURCES.routes).setData(data.routes);
    this.#source(JOBS_SOURCES.etas).setData(data.etas);
  }

  setVisible(visible: boolean): void {
    this.#visible = visible;
    for (const id of Object.values(JOBS_LAYER_IDS))
      this.#map.setLayoutProperty(id, 'visibility', visible ? 'visible' : 'none');
  }

  destroy(): void {
    this.#map.off('idle', this.#report);
    for (const id of JOB_CLICK_LAYERS) this.#map.off('click', id, this.#onClick);
    for (const id of Object.values(JOBS_LAYER_IDS)) if (this.#map.getLayer(id)) this.#map.removeLayer(id);
    for (const id of Object.values(JOBS_SOURCES)) if (this.#map.getSource(id)) this.#map.removeSource(id);
  }

  #source(id: string): GeoJSONSource {
    return this.#map.getSource(id) as GeoJSONSource;
  }

  readonly #report = (): void => {
    if (!this.#o.onRendered) return;
    const query = (layer: string) =>
      this.#visible ? this.#map.queryRenderedFeatures({ layers: [layer] }) : [];
    const labels: RenderedJobLabel[] = [];
    const seen = new Set<string>();
    for (const f of query(JOBS_LAYER_IDS.labels)) {
      const { jobId, placeId, head, stateLabel } = f.properties as Record<string, unknown>;
      if (typeof jobId !== 'string' || typeof placeId !== 'string' || seen.has(jobId)) continue;
      if (f.geometry.type !== 'Point') continue;
      seen.add(jobId);
      const point = this.#map.project(f.geometry.coordinates as [number, number]);
      labels.push({
        jobId,
        placeId,
        text: `${String(head)} · ${String(stateLabel)}`,
        x: point.x,
        y: point.y,
      });
    }
    // A line or label crossing tiles comes once per tile: counted once per vehicle.
    const etas = new Map<string, RenderedJobs['etas'][number]>();
    for (const f of query(JOBS_LAYER_IDS.etas)) {
      const { jobId, assetId, text, late } = f.properties as Record<string, unknown>;
      if (typeof jobId !== 'string' || typeof assetId !== 'string' || f.geometry.type !== 'Point') continue;
      const [lon = 0, lat = 0] = f.geometry.coordinates;
      etas.set(`${jobId}/${assetId}`, {
        jobId,
        assetId,
        text: String(text),
        late: late === true,
        at: `${lon.toFixed(4)},${lat.toFixed(4)}`,
      });
    }
    const routes = new Set<string>();
    for (const f of query(JOBS_LAYER_IDS.routes)) {
      const { jobId, assetId } = f.properties as Record<string, unknown>;
      routes.add(`${String(jobId)}/${String(assetId)}`);
    }
    labels.sort((a, b) => a.text.localeCompare(b.text));
    this.#o.onRendered({ labels, etas: [...etas.values()], routes: routes.size });
  };

  readonly #onClick = (e: MapLayerMouseEvent): void => {
    // A vehicle on the site is selected instead (the fleet's own click handler).
    if (this.#map.queryRenderedFeatures(e.point, { layers: SELECTABLE_LAYERS }).length > 0) return;
    const placeId = e.features?.[0]?.properties?.placeId;
    if (typeof placeId === 'string') this.#o.onPick(placeId);
  };

  readonly #pointer = (): void => {
    this.#map.getCanvas().style.cursor = 'pointer';
  };

  readonly #noPointer = (): void => {
    this.#map.getCanvas().style.cursor = '';
  };
}
