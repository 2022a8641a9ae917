// The last minutes of a selected vehicle's track, kept from live positions: fixes older than the
// window fall off, late fixes (device time older than the newest) are ignored like on the map.

import type { Feature, LineString } from 'geojson';

export interface TrailPoint {
  ts: number;
  lon: number;
  lat: number;
}

export class Trail {
  readonly windowMs: number;
  #points: TrailPoint[] = [];

  constructor(windowMs: number) {
    if (!(windowMs > 0)) throw new Error(`trail window must be > 0 ms, got ${windowMs}`);
    this.windowMs = windowMs;
  }

  get points(): readonly TrailPoint[] {
    return this.#points;
  }

  /** Adds a fix; returns whether the trail changed. */
  add(p: TrailPoint): boolean {
    const last = this.#points.at(-1);
    if (last && p.ts <= last.ts) return false;
    this.#points.push(p);
    this.trim(p.ts);
    return true;
  }

  /** Replaces the trail (e.g. from the track endpoint when a vehicle is selected). */
  reset(points: readonly TrailPoint[], now: number): void {
    this.#points = [...points].sort((a, b) => a.ts - b.ts);
    this.trim(now);
  }

  /** Drops fixes older than the window before `now`. */
  trim(now: number): void {
    const from = now - this.windowMs;
    let i = 0;
    while (i < this.#points.length && (this.#points[i] as TrailPoint).ts < from) i++;
    if (i > 0) this.#points.splice(0, i);
  }

  /** A GeoJSON LineString of the trail (empty coordinates below two fixes). */
  toLineString(): Feature<LineString> {
    return {
      type: 'Feature',
      properties: {},
      geometry: {
        type: 'LineString',
        coordinates: this.#points.length < 2 ? [] : this.#points.map((p) => [p.lon, p.lat]),
      },
    };
  }
}
