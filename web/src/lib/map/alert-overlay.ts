// An alert's scene on a MapLibre map: the place it is about (filled, outlined), the asset's track
// around it, and the alert's position (or each alert of a preview) as a dot in its severity's
// colour. The live map, the alert's page and the rule preview draw it the same way; the data is
// alert-shapes.ts (pure, tested in Node).
import type { ExpressionSpecification, GeoJSONSource, Map as MapLibreMap } from 'maplibre-gl';
import { severityColorExpression } from '../alerts/severity-style.ts';
import { type AlertScene, type AlertSceneData, sceneBounds, sceneData } from './alert-shapes.ts';

const SOURCES = { place: 'alert-place', track: 'alert-track', marks: 'alert-marks' } as const;
const EMPTY = { type: 'FeatureCollection' as const, features: [] };

export class AlertOverlay {
  readonly #map: MapLibreMap;
  #data: AlertSceneData | undefined;

  constructor(map: MapLibreMap) {
    this.#map = map;
    for (const id of Object.values(SOURCES)) map.addSource(id, { type: 'geojson', data: EMPTY });
    map.addLayer({
      id: 'alert-place-fill',
      type: 'fill',
      source: SOURCES.place,
      paint: { 'fill-color': '#7c3aed', 'fill-opacity': 0.12 },
    });
    map.addLayer({
      id: 'alert-place-line',
      type: 'line',
      source: SOURCES.place,
      paint: { 'line-color': '#7c3aed', 'line-width': 2, 'line-dasharray': [2, 1] },
    });
    map.addLayer({
      id: 'alert-track',
      type: 'line',
      source: SOURCES.track,
      layout: { 'line-join': 'round', 'line-cap': 'round' },
      paint: { 'line-color': '#db2777', 'line-width': 3.5, 'line-opacity': 0.8 },
    });
    map.addLayer({
      id: 'alert-marks',
      type: 'circle',
      source: SOURCES.marks,
      paint: {
        'circle-radius': 8,
        'circle-color': severityColorExpression() as ExpressionSpecification,
        'circle-stroke-color': '#ffffff',
        'circle-stroke-width': 2.5,
      },
    });
  }

  /** Draws the scene (replacing the one before); returns what it drew, for tests reading the page. */
  show(scene: AlertScene): AlertSceneData {
    const data = sceneData(scene);
    this.#data = data;
    this.#source(SOURCES.place).setData(data.place);
    this.#source(SOURCES.track).setData(data.track);
    this.#source(SOURCES.marks).setData(data.marks);
    return data;
  }

  clear(): void {
    this.show({ marks: [] });
    this.#data = undefined;
  }

  /** Fits the view to the scene; returns false when it has nothing with a position. */
  fit(options: { animate?: boolean; maxZoom?: number } = {}): boolean {
    const bounds = this.#data && sceneBounds(this.#data);
    if (!bounds) return false;
    this.#map.fitBounds(bounds, {
      padding: 48,
      maxZoom: options.maxZoom ?? 16,
      animate: options.animate ?? true,
      duration: 600,
    });
    return true;
  }

  destroy(): void {
    for (const id of ['alert-marks', 'alert-track', 'alert-place-line', 'alert-place-fill'])
      if (this.#map.getLayer(id)) this.#map.removeLayer(id);
    for (const id of Object.values(SOURCES)) if (this.#map.getSource(id)) this.#map.removeSource(id);
  }

  #source(id: string): GeoJSONSource {
    return this.#map.getSource(id) as GeoJSONSource;
  }
}
