// The live map's sources and layers, as plain style objects. Below STREET_ZOOM the fleet is drawn
// from a clustered copy of the markers (refreshed every few seconds: clusters need no smooth
// movement); from STREET_ZOOM up every device is a circle in its status colour with a heading
// arrow, fed by small diffs every animation frame. Names appear from LABEL_ZOOM.
import type {
  CircleLayerSpecification,
  ExpressionSpecification,
  LayerSpecification,
  LineLayerSpecification,
  SymbolLayerSpecification,
} from 'maplibre-gl';
import { statusColorExpression } from './status-style.ts';

export const FLEET_SOURCE = 'fleet';
export const CLUSTER_SOURCE = 'fleet-clusters';
export const TRAIL_SOURCE = 'fleet-trail';
export const ARROW_IMAGE = 'fleet-arrow';
/** Devices outside the hub viewport, as counts per grid cell from the hub (clusters frames). */
export const OUTSIDE_SOURCE = 'fleet-outside';

/** From this zoom, devices are drawn one by one; below it, clustered. */
export const STREET_ZOOM = 13;
export const LABEL_ZOOM = 15.5;
export const CLUSTER_RADIUS_PX = 50;

export const FLEET_LAYER_IDS = {
  trail: 'fleet-trail',
  clusters: 'fleet-clusters',
  clusterCount: 'fleet-cluster-count',
  clusterPoints: 'fleet-cluster-points',
  selected: 'fleet-selected',
  points: 'fleet-points',
  arrows: 'fleet-arrows',
  labels: 'fleet-labels',
} as const;

/** Layers the user can click to select a device. */
export const SELECTABLE_LAYERS = [FLEET_LAYER_IDS.points, FLEET_LAYER_IDS.clusterPoints];

const statusColor = statusColorExpression() as ExpressionSpecification;
const INK = '#0f172a';
const FONT = ['Noto Sans Bold'];

export function selectedFilter(deviceId: string | undefined): ExpressionSpecification {
  return ['==', ['get', 'deviceId'], deviceId ?? ''];
}

export function fleetLayers(): LayerSpecification[] {
  const trail: LineLayerSpecification = {
    id: FLEET_LAYER_IDS.trail,
    type: 'line',
    source: TRAIL_SOURCE,
    layout: { 'line-cap': 'round', 'line-join': 'round' },
    paint: { 'line-color': INK, 'line-width': 3, 'line-opacity': 0.55 },
  };
  const clusters: CircleLayerSpecification = {
    id: FLEET_LAYER_IDS.clusters,
    type: 'circle',
    source: CLUSTER_SOURCE,
    maxzoom: STREET_ZOOM,
    filter: ['has', 'point_count'],
    paint: {
      'circle-color': INK,
      'circle-opacity': 0.85,
      'circle-radius': ['step', ['get', 'point_count'], 14, 10, 17, 100, 21, 1000, 26],
      'circle-stroke-color': '#ffffff',
      'circle-stroke-width': 2,
    },
  };
  const clusterCount: SymbolLayerSpecification = {
    id: FLEET_LAYER_IDS.clusterCount,
    type: 'symbol',
    source: CLUSTER_SOURCE,
    maxzoom: STREET_ZOOM,
    filter: ['has', 'point_count'],
    layout: {
      'text-field': ['get', 'point_count_abbreviated'],
      'text-font': FONT,
      'text-size': 12,
      'text-allow-overlap': true,
    },
    paint: { 'text-color': '#ffffff' },
  };
  const clusterPoints: CircleLayerSpecification = {
    id: FLEET_LAYER_IDS.clusterPoints,
    type: 'circle',
    source: CLUSTER_SOURCE,
    maxzoom: STREET_ZOOM,
    filter: ['!', ['has', 'point_count']],
    paint: {
      'circle-color': statusColor,
      'circle-radius': 6,
      'circle-stroke-color': '#ffffff',
      'circle-stroke-width': 1.5,
    },
  };
  const selected: CircleLayerSpecification = {
    id: FLEET_LAYER_IDS.selected,
    type: 'circle',
    source: FLEET_SOURCE,
    filter: selectedFilter(undefined),
    paint: {
      'circle-color': 'rgba(255,255,255,0.6)',
      'circle-radius': 15,
      'circle-stroke-color': INK,
      'circle-stroke-width': 3,
    },
  };
  const points: CircleLayerSpecification = {
    id: FLEET_LAYER_IDS.points,
    type: 'circle',
    source: FLEET_SOURCE,
    minzoom: STREET_ZOOM,
    paint: {
      'circle-color': statusColor,
      'circle-radius': ['case', ['==', ['get', 'kind'], 'equipment'], 5, 7],
      'circle-stroke-color': '#ffffff',
      'circle-stroke-width': 1.5,
    },
  };
  const arrows: SymbolLayerSpecification = {
    id: FLEET_LAYER_IDS.arrows,
    type: 'symbol',
    source: FLEET_SOURCE,
    minzoom: STREET_ZOOM,
    filter: ['==', ['get', 'arrow'], true],
    layout: {
      'icon-image': ARROW_IMAGE,
      'icon-rotate': ['get', 'heading'],
      'icon-rotation-alignment': 'map',
      'icon-allow-overlap': true,
      'icon-ignore-placement': true,
    },
    paint: { 'icon-color': statusColor, 'icon-halo-color': '#ffffff', 'icon-halo-width': 1 },
  };
  const labels: SymbolLayerSpecification = {
    id: FLEET_LAYER_IDS.labels,
    type: 'symbol',
    source: FLEET_SOURCE,
    minzoom: LABEL_ZOOM,
    layout: {
      'text-field': ['get', 'name'],
      'text-font': FONT,
      'text-size': 11,
      'text-offset': [0, 1.3],
      'text-anchor': 'top',
      'text-optional': true,
    },
    paint: { 'text-color': INK, 'text-halo-color': '#ffffff', 'text-halo-width': 1.5 },
  };
  return [trail, clusters, clusterCount, clusterPoints, selected, points, arrows, labels];
}

export const OUTSIDE_LAYER_IDS = { bubbles: 'fleet-outside', counts: 'fleet-outside-count' } as const;

/**
 * The hub's counts of the devices outside the view: hollow bubbles (not the filled local
 * clusters: these are where the map receives no positions), at every zoom, seen while panning
 * until the next viewport's redraw replaces them with markers.
 */
export function outsideLayers(): LayerSpecification[] {
  const bubbles: CircleLayerSpecification = {
    id: OUTSIDE_LAYER_IDS.bubbles,
    type: 'circle',
    source: OUTSIDE_SOURCE,
    paint: {
      'circle-color': 'rgba(255,255,255,0.85)',
      'circle-radius': ['step', ['get', 'count'], 12, 10, 15, 100, 19, 1000, 24],
      'circle-stroke-color': INK,
      'circle-stroke-width': 2,
    },
  };
  const counts: SymbolLayerSpecification = {
    id: OUTSIDE_LAYER_IDS.counts,
    type: 'symbol',
    source: OUTSIDE_SOURCE,
    layout: {
      'text-field': ['to-string', ['get', 'count']],
      'text-font': FONT,
      'text-size': 11,
      'text-allow-overlap': true,
    },
    paint: { 'text-color': INK },
  };
  return [bubbles, counts];
}

/**
 * The heading arrow as a signed-distance-field image (so `icon-color` paints it in the status
 * colour): a pointed tip above the marker's circle, pointing north before rotation.
 * Drawn once, in the browser, with no sprite file.
 */
export function arrowImage(pixelRatio = 2): { width: number; height: number; data: Uint8Array } {
  // 30 css px square centred on the device: the tip is 15 px from the centre, 8 px beyond the
  // 7 px circle, and the base hides under the circle.
  const size = 30 * pixelRatio;
  const data = new Uint8Array(size * size * 4);
  const cx = size / 2;
  const tipY = 0;
  const baseY = 10 * pixelRatio;
  const halfBase = 5.5 * pixelRatio;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const py = y + 0.5;
      const px = x + 0.5;
      if (py < tipY || py > baseY) continue;
      const half = (halfBase * (py - tipY)) / (baseY - tipY);
      if (Math.abs(px - cx) > half) continue;
      const i = (y * size + x) * 4;
      data[i] = 255;
      data[i + 1] = 255;
      data[i + 2] = 255;
      data[i + 3] = 255;
    }
  }
  return { width: size, height: size, data };
}
