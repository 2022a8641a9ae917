// The fleet list of the signed-in organisation, reactive: loaded from GET /fleet/latest, kept
// current by the live hub, and reloaded now and then for what no frame announces (a device
// turning offline after DEVICE_OFFLINE_AFTER_S of silence, devices added or renamed, and the
// asset each is on: the hub's frames carry positions only). A reload also follows each hub
// snapshot (a reconnect), so a device installed on another asset meanwhile shows its new asset
// and department then, or at the next minute's reload, whichever comes first.

import type { HubFrame } from '../live/frames.ts';
import type { Session } from '../session/session.svelte.ts';
import {
  applyFrame,
  countByStatus,
  type DepartmentSet,
  type DeviceKind,
  type Fleet,
  type FleetDevice,
  reloadedFleet,
} from './fleet.ts';

const RELOAD_MS = 60_000;
/** A snapshot this soon after a load (the first connect, just after the page loaded) reloads nothing. */
const SNAPSHOT_RELOAD_AFTER_MS = 10_000;
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
  /** When the last load started (ms), and whether it is still on its way. */
  #loadStartedAt = 0;
  #loading = false;

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

  counts(kind?: DeviceKind, departments?: DepartmentSet) {
    void this.#version;
    return countByStatus(this.#fleet.values(), kind, departments);
  }

  async load(): Promise<void> {
    this.#loadStartedAt = Date.now();
    this.#loading = true;
    try {
      const latest = await this.#session.api.call('GET /api/v1/fleet/latest');
      this.#fleet = reloadedFleet(this.#fleet, latest);
      this.loadedAt = latest.at;
      this.error = null;
      this.#version++;
    } catch (err) {
      this.error = err;
    } finally {
      this.#loading = false;
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
    if (
      frame.type === 'snapshot' &&
      !this.#loading &&
      Date.now() - this.#loadStartedAt > SNAPSHOT_RELOAD_AFTER_MS
    )
      void this.load();
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
