// The places map: every listed place drawn by MapLibre from one GeoJSON source, and the one
// being drawn or edited in Terra Draw (docs/decisions.md, "Console management pages"): a polygon
// by clicking its corners (a click on the first corner closes it), a circle by clicking its
// centre and then its edge; once drawn the shape stays selected, its corners and edges can be
// dragged and the circle resized. Only the shape being edited is in Terra Draw; the page gets
// its geometry, in the API's terms (place-shapes.ts), after each change.
import type { GeoJSONSource, MapLayerMouseEvent, Map as MapLibreMap } from 'maplibre-gl';
import {
  TerraDraw,
  TerraDrawCircleMode,
  TerraDrawPolygonMode,
  TerraDrawRenderMode,
  TerraDrawSelectMode,
} from 'terra-draw';
import { TerraDrawMapLibreGLAdapter } from 'terra-draw-maplibre-gl-adapter';
import type { Place, PlaceGeometry } from '#lib/api/management.ts';
import { circleRing, type DrawnFeature, drawnFeature, placeGeometry } from '#lib/map/place-shapes.ts';

export type DrawMode = 'idle' | 'polygon' | 'circle' | 'editing';

const SOURCE = 'places';
const LAYERS = { fill: 'places-fill', line: 'places-line', label: 'places-label' } as const;
const BRAND = '#1d4ed8';
const EDIT = '#ea580c';

export interface PlaceDrawingOptions {
  map: MapLibreMap;
  /** The shape as it is now: after a drawing is finished and after each edit. */
  onShape: (geometry: PlaceGeometry | undefined) => void;
  /** Drawing mode changes (a finished drawing becomes 'editing'). */
  onMode: (mode: DrawMode) => void;
  /** A listed place clicked on the map (while no shape is drawn or edited). */
  onPick: (id: string) => void;
}

export class PlaceDrawing {
  readonly #map: MapLibreMap;
  readonly #draw: TerraDraw;
  readonly #options: PlaceDrawingOptions;
  #mode: DrawMode = 'idle';
  #editable = true;

  constructor(options: PlaceDrawingOptions) {
    this.#options = options;
    const map = options.map;
    this.#map = map;
    map.addSource(SOURCE, {
      type: 'geojson',
      data: { type: 'FeatureCollection', features: [] },
      promoteId: 'id',
    });
    map.addLayer({
      id: LAYERS.fill,
      type: 'fill',
      source: SOURCE,
      paint: {
        'fill-color': BRAND,
        'fill-opacity': ['case', ['boolean', ['feature-state', 'selected'], false], 0.05, 0.18],
      },
    });
    map.addLayer({
      id: LAYERS.line,
      type: 'line',
      source: SOURCE,
      paint: { 'line-color': BRAND, 'line-width': 2 },
    });
    map.addLayer({
      id: LAYERS.label,
      type: 'symbol',
      source: SOURCE,
      minzoom: 12,
      layout: { 'text-field': ['get', 'name'], 'text-font': ['Noto Sans Bold'], 'text-size': 12 },
      paint: { 'text-color': '#1e3a8a', 'text-halo-color': '#ffffff', 'text-halo-width': 1.5 },
    });
    map.on('click', LAYERS.fill, this.#onPlaceClick);
    map.on('mouseenter', LAYERS.fill, this.#pointer);
    map.on('mouseleave', LAYERS.fill, this.#noPointer);

    const polygonStyle = { fillColor: EDIT, outlineColor: EDIT, fillOpacity: 0.2 } as const;
    this.#draw = new TerraDraw({
      adapter: new TerraDrawMapLibreGLAdapter({ map }),
      modes: [
        new TerraDrawPolygonMode({ styles: polygonStyle }),
        // 'globe': points at the great-circle distance, the distance the API tests a circle by.
        new TerraDrawCircleMode({ projection: 'globe', styles: polygonStyle }),
        new TerraDrawSelectMode({
          flags: {
            polygon: {
              feature: {
                draggable: true,
                coordinates: { draggable: true, midpoints: true, deletable: true },
              },
            },
            circle: { feature: { draggable: true, coordinates: { resizable: 'center-fixed' } } },
          },
          styles: {
            selectedPolygonColor: EDIT,
            selectedPolygonOutlineColor: EDIT,
            selectedPolygonFillOpacity: 0.2,
          },
        }),
        new TerraDrawRenderMode({ modeName: 'static', styles: {} }),
      ],
    });
    this.#draw.start();
    this.#draw.setMode('static');
    this.#draw.on('finish', (id, context) => {
      if (context.action === 'draw') {
        // A finished drawing is edited from then on, like a saved one.
        this.#draw.setMode('select');
        this.#draw.selectFeature(id);
        this.#setMode('editing');
      }
      this.#emit();
    });
    // Corners deleted, midpoints inserted: edits that end without a finish event.
    this.#draw.on('change', (_ids, type) => {
      if (this.#mode === 'editing' && type !== 'styling') this.#emit();
    });
  }

  get mode(): DrawMode {
    return this.#mode;
  }

  /** Places listed on the page, drawn below the one being edited. */
  showPlaces(places: readonly Place[], selectedId: string | undefined): void {
    const source = this.#map.getSource<GeoJSONSource>(SOURCE);
    source?.setData({
      type: 'FeatureCollection',
      features: places.map((p) => ({
        type: 'Feature',
        id: p.id,
        properties: { id: p.id, name: p.name },
        geometry: {
          type: 'Polygon',
          coordinates: p.geometry.type === 'circle' ? [circleRing(p.geometry)] : p.geometry.coordinates,
        },
      })),
    });
    // The selected one is drawn faint: its editable copy is on top of it.
    this.#map.removeFeatureState({ source: SOURCE });
    if (selectedId !== undefined)
      this.#map.setFeatureState({ source: SOURCE, id: selectedId }, { selected: true });
  }

  /** Starts drawing a new shape, dropping the one being edited. */
  start(kind: 'polygon' | 'circle'): void {
    this.#draw.clear();
    this.#draw.setMode(kind);
    this.#setMode(kind);
    this.#options.onShape(undefined);
  }

  /**
   * Shows `geometry` as the shape being edited (editable unless the user may only look).
   * Answers why Terra Draw refused it, if it did: the place is then shown but not editable.
   */
  edit(geometry: PlaceGeometry | undefined, editable: boolean): string | undefined {
    this.#editable = editable;
    this.#draw.clear();
    if (geometry === undefined || !editable) {
      this.#draw.setMode('static');
      this.#setMode('idle');
      return undefined;
    }
    this.#draw.setMode('select');
    const [result] = this.#draw.addFeatures([
      drawnFeature(geometry) as Parameters<TerraDraw['addFeatures']>[0][number],
    ]);
    if (!result?.valid || result.id === undefined) {
      this.#draw.setMode('static');
      this.#setMode('idle');
      return `this shape cannot be edited on the map (${result?.reason ?? 'refused by the drawing tool'}); draw it again to change it`;
    }
    this.#draw.selectFeature(result.id);
    this.#setMode('editing');
    return undefined;
  }

  /** Stops drawing or editing and forgets the shape. */
  clear(): void {
    this.edit(undefined, this.#editable);
  }

  fit(bounds: [number, number, number, number], maxZoom = 17): void {
    this.#map.fitBounds(bounds, { padding: 60, maxZoom, duration: 0 });
  }

  /** Moves the map only when `bounds` is not wholly in view already, so the context stays. */
  reveal(bounds: [number, number, number, number]): void {
    const view = this.#map.getBounds();
    const [west, south, east, north] = bounds;
    const inView =
      view.getWest() <= west &&
      view.getEast() >= east &&
      view.getSouth() <= south &&
      view.getNorth() >= north;
    if (!inView) this.fit(bounds);
  }

  /** Fits the map to every place given (nothing when there are none). */
  fitAll(places: readonly Place[]): void {
    if (places.length === 0) return;
    let [west, south, east, north] = places[0]?.bbox ?? [0, 0, 0, 0];
    for (const { bbox } of places) {
      west = Math.min(west, bbox[0]);
      south = Math.min(south, bbox[1]);
      east = Math.max(east, bbox[2]);
      north = Math.max(north, bbox[3]);
    }
    // Not closer than a few streets: one small place alone should still show where it is.
    this.fit([west, south, east, north], 15);
  }

  destroy(): void {
    this.#draw.stop();
    this.#map.off('click', LAYERS.fill, this.#onPlaceClick);
    this.#map.off('mouseenter', LAYERS.fill, this.#pointer);
    this.#map.off('mouseleave', LAYERS.fill, this.#noPointer);
  }

  #emit(): void {
    const feature = this.#draw.getSnapshot().find((f) => f.geometry.type === 'Polygon');
    this.#options.onShape(
      feature === undefined ? undefined : placeGeometry(feature as unknown as DrawnFeature),
    );
  }

  #setMode(mode: DrawMode): void {
    this.#mode = mode;
    this.#options.onMode(mode);
  }

  readonly #onPlaceClick = (e: MapLayerMouseEvent) => {
    // Only while no shape is drawn or edited: the click that closes a drawing reaches MapLibre
    // after Terra Draw has finished it, and would otherwise open the place under it instead.
    if (this.#mode !== 'idle') return;
    const id = e.features?.[0]?.properties?.id;
    if (typeof id === 'string') this.#options.onPick(id);
  };

  readonly #pointer = () => {
    if (this.#mode === 'idle') this.#map.getCanvas().style.cursor = 'pointer';
  };

  readonly #noPointer = () => {
    if (this.#mode === 'idle') this.#map.getCanvas().style.cursor = '';
  };
}
