// The live map's style objects: valid against MapLibre's style specification, ids unique,
// clusters only below street zoom, and the heading arrow image pointing north.
import { validateStyleMin } from '@maplibre/maplibre-gl-style-spec';
import { describe, expect, it } from 'vitest';
import {
  ARROW_IMAGE,
  arrowImage,
  CLUSTER_SOURCE,
  FLEET_LAYER_IDS,
  FLEET_SOURCE,
  fleetLayers,
  SELECTABLE_LAYERS,
  STREET_ZOOM,
  selectedFilter,
  TRAIL_SOURCE,
} from '../src/lib/map/fleet-layers.ts';

describe('fleetLayers', () => {
  const layers = fleetLayers();

  it('is a valid MapLibre style over the three sources', () => {
    const errors = validateStyleMin({
      version: 8,
      sources: {
        [FLEET_SOURCE]: {
          type: 'geojson',
          data: { type: 'FeatureCollection', features: [] },
          promoteId: 'deviceId',
        },
        [CLUSTER_SOURCE]: {
          type: 'geojson',
          data: { type: 'FeatureCollection', features: [] },
          cluster: true,
        },
        [TRAIL_SOURCE]: { type: 'geojson', data: { type: 'FeatureCollection', features: [] } },
      },
      layers,
    });
    expect(errors.map((e) => e.message)).toEqual([]);
  });

  it('has unique ids, the named ones, and selectable layers among them', () => {
    const ids = layers.map((l) => l.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toEqual(expect.arrayContaining(Object.values(FLEET_LAYER_IDS)));
    for (const id of SELECTABLE_LAYERS) expect(ids).toContain(id);
  });

  it('draws clusters below street zoom and single markers from it', () => {
    for (const l of layers) {
      if (!('source' in l)) continue;
      if (l.source === CLUSTER_SOURCE) expect(l.maxzoom, l.id).toBe(STREET_ZOOM);
      if (l.source === FLEET_SOURCE && l.id !== FLEET_LAYER_IDS.selected)
        expect(l.minzoom, l.id).toBeGreaterThanOrEqual(STREET_ZOOM);
    }
    // The selection halo shows at every zoom, over the clusters too.
    const selected = layers.find((l) => l.id === FLEET_LAYER_IDS.selected);
    expect(selected && 'minzoom' in selected ? selected.minzoom : undefined).toBeUndefined();
  });

  it('paints the arrow with the arrow image, rotated by heading in map space', () => {
    const arrows = layers.find((l) => l.id === FLEET_LAYER_IDS.arrows);
    expect(arrows?.type).toBe('symbol');
    if (arrows?.type !== 'symbol') return;
    expect(arrows.layout?.['icon-image']).toBe(ARROW_IMAGE);
    expect(arrows.layout?.['icon-rotate']).toEqual(['get', 'heading']);
    expect(arrows.layout?.['icon-rotation-alignment']).toBe('map');
  });

  it('filters the selection halo by device id', () => {
    expect(selectedFilter('van-1')).toEqual(['==', ['get', 'deviceId'], 'van-1']);
    expect(selectedFilter(undefined)).toEqual(['==', ['get', 'deviceId'], '']);
  });
});

describe('arrowImage', () => {
  it('is a triangle pointing up (north) from the top centre, opaque only inside', () => {
    const img = arrowImage(2);
    expect(img.width).toBe(60);
    expect(img.data).toHaveLength(60 * 60 * 4);
    const alpha = (x: number, y: number) => img.data[(y * img.width + x) * 4 + 3];
    expect(alpha(30, 1)).toBe(255); // the tip
    expect(alpha(30, 18)).toBe(255); // the middle of the base
    expect(alpha(5, 18)).toBe(0); // beside the base
    expect(alpha(30, 40)).toBe(0); // below the arrow: the circle shows there
    // Symmetric about the vertical axis.
    for (let y = 0; y < 20; y++)
      for (let x = 0; x < 30; x++) expect(alpha(x, y), `${x},${y}`).toBe(alpha(59 - x, y));
  });
});
