// The playback map of the device page: the track as a line and the device as a marker (a circle
// in its status colour with a heading arrow: a symbol layer drawing an image made here on a
// canvas, so no sprite or glyph server is involved). Loaded on demand: MapLibre is a large
// chunk, and the page only needs it once a track is shown.
import type { ConsoleConfig } from '@fleet/api/contract';
import { MOVING_SPEED_KMH } from '@fleet/shared/live';
import type { Feature, FeatureCollection, LineString, Point } from 'geojson';
import { type GeoJSONSource, LngLatBounds } from 'maplibre-gl';
import { createMap, type MapLibreMap } from '#lib/map/create-map.ts';
import type { PlaybackPose, TrackPoint } from '#lib/map/playback.ts';
import { STATUS_STYLE } from '#lib/map/status-style.ts';

const TRACK = 'playback-track';
const MARKER = 'playback-marker';
const ARROW = 'playback-arrow';
const FIT_PADDING = 48;

/** A white arrowhead pointing up (north before rotation), drawn at 2x for sharp edges. */
function arrowImage(size: number): ImageData {
  const canvas = document.createElement('canvas');
  canvas.width = size;
  canvas.height = size;
  const ctx = canvas.getContext('2d');
  if (!ctx) throw new Error('no 2D canvas for the heading arrow');
  ctx.fillStyle = '#ffffff';
  ctx.beginPath();
  ctx.moveTo(size * 0.5, size * 0.16);
  ctx.lineTo(size * 0.8, size * 0.8);
  ctx.lineTo(size * 0.5, size * 0.64);
  ctx.lineTo(size * 0.2, size * 0.8);
  ctx.closePath();
  ctx.fill();
  return ctx.getImageData(0, 0, size, size);
}

function lineOf(points: readonly TrackPoint[]): FeatureCollection<LineString> {
  if (points.length < 2) return { type: 'FeatureCollection', features: [] };
  return {
    type: 'FeatureCollection',
    features: [
      {
        type: 'Feature',
        properties: {},
        geometry: { type: 'LineString', coordinates: points.map((p) => [p.lon, p.lat]) },
      },
    ],
  };
}

function markerOf(pose: PlaybackPose | null): FeatureCollection<Point> {
  if (!pose) return { type: 'FeatureCollection', features: [] };
  const feature: Feature<Point> = {
    type: 'Feature',
    properties: { heading: pose.heading, speedKmh: pose.speedKmh ?? -1 },
    geometry: { type: 'Point', coordinates: [pose.lon, pose.lat] },
  };
  return { type: 'FeatureCollection', features: [feature] };
}

export class PlaybackMap {
  readonly map: MapLibreMap;
  #points: readonly TrackPoint[] = [];
  /** The newest pose not yet sent to the source, and whether a send is under way. */
  #next: PlaybackPose | null | undefined;
  #sending = false;
  #removed = false;

  private constructor(map: MapLibreMap) {
    this.map = map;
    map.addImage(ARROW, arrowImage(40), { pixelRatio: 2 });
    map.addSource(TRACK, { type: 'geojson', data: lineOf([]) });
    map.addSource(MARKER, { type: 'geojson', data: markerOf(null) });
    map.addLayer({
      id: `${TRACK}-casing`,
      type: 'line',
      source: TRACK,
      layout: { 'line-join': 'round', 'line-cap': 'round' },
      paint: { 'line-color': '#ffffff', 'line-width': 7, 'line-opacity': 0.9 },
    });
    map.addLayer({
      id: TRACK,
      type: 'line',
      source: TRACK,
      layout: { 'line-join': 'round', 'line-cap': 'round' },
      paint: { 'line-color': '#1d4ed8', 'line-width': 3.5 },
    });
    map.addLayer({
      id: MARKER,
      type: 'circle',
      source: MARKER,
      paint: {
        'circle-radius': 11,
        'circle-color': [
          'case',
          ['>=', ['get', 'speedKmh'], MOVING_SPEED_KMH],
          STATUS_STYLE.moving.color,
          STATUS_STYLE.stopped.color,
        ],
        'circle-stroke-color': '#ffffff',
        'circle-stroke-width': 2,
      },
    });
    map.addLayer({
      id: `${MARKER}-arrow`,
      type: 'symbol',
      source: MARKER,
      layout: {
        'icon-image': ARROW,
        'icon-rotate': ['get', 'heading'],
        'icon-rotation-alignment': 'map',
        'icon-allow-overlap': true,
        'icon-ignore-placement': true,
      },
    });
  }

  static async create(container: HTMLElement, config: ConsoleConfig, at: TrackPoint): Promise<PlaybackMap> {
    const map = await createMap({ container, config, center: [at.lon, at.lat], zoom: 14 });
    return new PlaybackMap(map);
  }

  /** Draws a track (oldest first) and fits the map to it. */
  setTrack(points: readonly TrackPoint[]): void {
    this.#points = points;
    this.#setData(TRACK, lineOf(points));
    this.fit(false);
  }

  /** Removes the track and the marker (a range without positions). */
  clear(): void {
    this.#points = [];
    this.#setData(TRACK, lineOf([]));
    this.setPose(null);
  }

  /** Moves the marker. Called every animation frame: only the newest pose is ever sent. */
  setPose(pose: PlaybackPose | null): void {
    this.#next = pose;
    if (!this.#sending) this.#flush();
  }

  /** The whole track in view. */
  fit(animate = true): void {
    const first = this.#points[0];
    if (!first) return;
    const bounds = new LngLatBounds([first.lon, first.lat], [first.lon, first.lat]);
    for (const p of this.#points) bounds.extend([p.lon, p.lat]);
    const ne = bounds.getNorthEast();
    const sw = bounds.getSouthWest();
    if (ne.lng === sw.lng && ne.lat === sw.lat) {
      this.map.jumpTo({ center: [first.lon, first.lat], zoom: 15 });
      return;
    }
    this.map.fitBounds(bounds, { padding: FIT_PADDING, maxZoom: 16, duration: animate ? 500 : 0 });
  }

  remove(): void {
    this.#removed = true;
    this.map.remove();
  }

  #source(id: string): GeoJSONSource | undefined {
    return this.#removed ? undefined : this.map.getSource<GeoJSONSource>(id);
  }

  #setData(id: string, data: FeatureCollection): void {
    this.#source(id)
      ?.setData(data)
      .catch((err: unknown) => {
        if (!this.#removed) console.warn(`playback ${id} update failed`, err);
      });
  }

  #flush(): void {
    const source = this.#source(MARKER);
    if (!source || this.#next === undefined) return;
    const pose = this.#next;
    this.#next = undefined;
    this.#sending = true;
    source
      .setData(markerOf(pose))
      .catch((err: unknown) => {
        if (!this.#removed) console.warn('playback marker update failed', err);
      })
      .finally(() => {
        this.#sending = false;
        this.#flush();
      });
  }
}
