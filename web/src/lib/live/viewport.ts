// What the console tells the hub about its map: the view as the hub's box ([w, s, e, n] within
// ±180/±90, west > east across the antimeridian), sent once the map stops moving (debounced,
// and not again when unchanged), and whether to send one at all: a small fleet gets every
// position (the map and the list both live), a large one only what is in view (web/README.md).
import type { HubBbox } from '@fleet/shared/live';

export interface MapView {
  west: number;
  south: number;
  east: number;
  north: number;
  zoom: number;
}

export interface HubViewport {
  bbox: HubBbox;
  zoom: number;
}

/** Above this many devices the live map follows a viewport instead of the whole fleet. */
export const VIEWPORT_FLEET_THRESHOLD = 1_000;
/** A move is sent this long after the map stopped (moveend), unless another move came first. */
export const VIEWPORT_DEBOUNCE_MS = 250;

export type LiveMode = 'full' | 'viewport';

/** `?live=full|viewport` decides; otherwise the size of the fleet does. */
export function liveMode(query: { get(name: string): string | null }, fleetSize: number): LiveMode {
  const asked = query.get('live');
  if (asked === 'full' || asked === 'viewport') return asked;
  return fleetSize > VIEWPORT_FLEET_THRESHOLD ? 'viewport' : 'full';
}

const wrapLon = (lon: number) => {
  const wrapped = ((((lon + 180) % 360) + 360) % 360) - 180;
  // 180 stays 180 (the east edge of the world), not -180.
  return wrapped === -180 && lon > 0 ? 180 : wrapped;
};
const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));
/** Six decimals (about 0.1 m): a box needs no more, and equal views compare equal. */
const round = (v: number) => Math.round(v * 1e6) / 1e6;

/** The map's view as the hub's viewport (MapLibre's bounds may run past ±180 on world copies). */
export function viewportOf(view: MapView): HubViewport {
  const south = round(clamp(view.south, -90, 90));
  const north = round(clamp(view.north, -90, 90));
  const zoom = round(clamp(view.zoom, 0, 24));
  if (view.east - view.west >= 360) return { bbox: [-180, south, 180, north], zoom };
  return { bbox: [round(wrapLon(view.west)), south, round(wrapLon(view.east)), north], zoom };
}

type Timer = ReturnType<typeof setTimeout>;
export interface Timers {
  set(f: () => void, ms: number): Timer;
  clear(t: Timer | undefined): void;
}

/** Sends viewports debounced, skipping one equal to the last sent. Timers injectable for tests. */
export class ViewportSender {
  readonly #send: (v: HubViewport) => void;
  readonly #delayMs: number;
  readonly #timers: Timers;
  #timer: Timer | undefined;
  #last: string | undefined;

  constructor(
    send: (v: HubViewport) => void,
    delayMs = VIEWPORT_DEBOUNCE_MS,
    // Wrapped: browsers refuse setTimeout called as a method of another object ("Illegal invocation").
    timers: Timers = { set: (f, ms) => setTimeout(f, ms), clear: (t) => clearTimeout(t) },
  ) {
    this.#send = send;
    this.#delayMs = delayMs;
    this.#timers = timers;
  }

  update(view: MapView): void {
    const v = viewportOf(view);
    this.#timers.clear(this.#timer);
    this.#timer = this.#timers.set(() => {
      this.#timer = undefined;
      const key = JSON.stringify(v);
      if (key === this.#last) return;
      this.#last = key;
      this.#send(v);
    }, this.#delayMs);
  }

  /** Forgets the last one sent (after the viewport was cleared, the same view is sent again). */
  reset(): void {
    this.#timers.clear(this.#timer);
    this.#timer = undefined;
    this.#last = undefined;
  }
}
