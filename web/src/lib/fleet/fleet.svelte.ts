// The fleet list of the signed-in organisation, reactive: loaded from GET /fleet/latest, kept
// current by the live hub, and reloaded now and then for what no frame announces (a device
// turning offline after DEVICE_OFFLINE_AFTER_S of silence, devices added or renamed).

import type { FleetDevice } from '@fleet/api/contract';
import type { HubFrame } from '../live/frames.ts';
import type { Session } from '../session/session.svelte.ts';
import { applyFrame, countByStatus, type DeviceKind, type Fleet, fleetFromLatest } from './fleet.ts';

const RELOAD_MS = 60_000;
/** Lists and counts follow live frames at most this often (the map draws every frame itself). */
const LIST_REFRESH_MS = 500;

export class FleetState {
  /** Bumped on every change; the derived values below read it. */
  #version = $state(0);
  #fleet: Fleet = new Map();
  loadedAt = $state<number | null>(null);
  error = $state<unknown>(null);
  #timer: ReturnType<typeof setInterval> | undefined;
  #refresh: ReturnType<typeof setTimeout> | undefined;
  readonly #session: Session;

  constructor(session: Session) {
    this.#session = session;
  }

  /** Changes whenever the devices did (for readers of get() that must follow changes). */
  get version(): number {
    return this.#version;
  }

  get devices() {
    void this.#version;
    return [...this.#fleet.values()];
  }

  /** One device as held now (not reactive: for the map, which draws on its own schedule). */
  get(deviceId: string): FleetDevice | undefined {
    return this.#fleet.get(deviceId);
  }

  /** Every device as held now (not reactive). */
  values(): IterableIterator<FleetDevice> {
    return this.#fleet.values();
  }

  counts(kind?: DeviceKind) {
    void this.#version;
    return countByStatus(this.#fleet.values(), kind);
  }

  async load(): Promise<void> {
    try {
      const latest = await this.#session.api.call('GET /api/v1/fleet/latest');
      this.#fleet = fleetFromLatest(latest);
      this.loadedAt = latest.at;
      this.error = null;
      this.#version++;
    } catch (err) {
      this.error = err;
    }
  }

  /** Loads now and every minute until the returned function is called. */
  keepLoaded(): () => void {
    void this.load();
    this.#timer = setInterval(() => void this.load(), RELOAD_MS);
    return () => {
      clearInterval(this.#timer);
      clearTimeout(this.#refresh);
    };
  }

  /** Applies a hub frame; returns whether anything changed. */
  apply(frame: HubFrame): boolean {
    const changed = applyFrame(this.#fleet, frame);
    if (changed && this.#refresh === undefined) {
      this.#refresh = setTimeout(() => {
        this.#refresh = undefined;
        this.#version++;
      }, LIST_REFRESH_MS);
    }
    return changed;
  }
}
