// The state of one device's detail page: its record, latest values, last-24-hours chart series
// and events, each loaded (and failing) on its own, and kept current by the live hub: the page
// subscribes to device:{id}, patches the latest values from positions frames, refetches them on
// a throttle when frames say something changed, and puts live events in front of the list.
import type { Device, DeviceLatest, TelemetrySeries } from '@fleet/api/contract';
import type { ApiClient } from '#lib/api/client.ts';
import { ApiRequestError } from '#lib/api/errors.ts';
import { type EventRow, eventRow, liveEventRow, mergeEvents } from '#lib/device/events.ts';
import { chartFieldsFor } from '#lib/device/fields.ts';
import { applyPosition, applySnapshot } from '#lib/device/latest.ts';
import { DAY_MS } from '#lib/device/range.ts';
import { Throttle } from '#lib/device/throttle.ts';
import type { HubFrame } from '#lib/live/frames.ts';

/** At most one GET /latest per this interval, however often frames arrive. */
export const LATEST_REFRESH_MS = 5000;
export const EVENT_LIMIT = 100;

/** A request's state on the page: what it loaded last, and how the last attempt ended. */
export class Loadable<T> {
  value = $state<T | null>(null);
  error = $state<unknown>(null);
  loading = $state(false);
  /** When `value` was loaded (ms). */
  loadedAt = $state<number | null>(null);
}

/** A device id that cannot exist fails validation (400): for the user it is not there either. */
export function isNotFound(err: unknown): boolean {
  return (
    err instanceof ApiRequestError &&
    (err.status === 404 || (err.status === 400 && err.code === 'validation_failed'))
  );
}

interface LiveFeed {
  subscribe(topics: readonly string[]): void;
  unsubscribe(topics: readonly string[]): void;
  listen(listener: (frame: HubFrame) => void): () => void;
}

export class DeviceDetail {
  readonly id: string;
  readonly device = new Loadable<Device>();
  readonly latest = new Loadable<DeviceLatest>();
  readonly series = new Loadable<TelemetrySeries>();
  readonly events = new Loadable<EventRow[]>();
  notFound = $state(false);

  readonly #api: ApiClient;
  readonly #live: LiveFeed;
  readonly #latestThrottle: Throttle;
  #disposed = false;
  /** Live events of this device since the page opened (those before the list loaded too). */
  #liveEvents: EventRow[] = [];

  constructor(id: string, api: ApiClient, live: LiveFeed) {
    this.id = id;
    this.#api = api;
    this.#live = live;
    this.#latestThrottle = new Throttle(LATEST_REFRESH_MS, () => this.#loadLatest());
  }

  get kind(): Device['kind'] | undefined {
    return this.device.value?.kind;
  }

  /** Loads everything and follows the hub; returns the function that stops it all. */
  start(): () => void {
    const stopListening = this.#live.listen((frame) => this.#onFrame(frame));
    const topic = `device:${this.id}`;
    let subscribed = false;
    void this.loadDevice().then(() => {
      if (this.#disposed || this.notFound) return;
      // Only a device that exists: the hub answers an unknown one with an error frame.
      this.#live.subscribe([topic]);
      subscribed = true;
      this.#latestThrottle.now();
      void this.loadSeries();
      void this.loadEvents();
    });
    return () => {
      this.#disposed = true;
      this.#latestThrottle.dispose();
      stopListening();
      if (subscribed) this.#live.unsubscribe([topic]);
    };
  }

  async loadDevice(): Promise<void> {
    await this.#load(this.device, () =>
      this.#api.call('GET /api/v1/devices/{id}', { params: { id: this.id } }),
    );
    if (isNotFound(this.device.error)) this.notFound = true;
  }

  /** The latest values now (a user's "try again"); frames use the throttle. */
  reloadLatest(): void {
    this.#latestThrottle.now();
  }

  /** The chart series of the 24 hours up to now. */
  async loadSeries(now = Date.now()): Promise<void> {
    const fields = chartFieldsFor(this.kind);
    await this.#load(this.series, () =>
      this.#api.call('GET /api/v1/devices/{id}/telemetry', {
        params: { id: this.id },
        query: { from: now - DAY_MS, to: now, fields: fields.join(',') },
      }),
    );
  }

  /** The events of the 24 hours up to now, newest first, live ones since kept in front. */
  async loadEvents(now = Date.now()): Promise<void> {
    const range = { from: now - DAY_MS, to: now + 1 };
    await this.#load(this.events, async () => {
      const list = await this.#api.call('GET /api/v1/devices/{id}/events', {
        params: { id: this.id },
        query: { ...range, limit: EVENT_LIMIT },
      });
      // Live events that arrived before or while the request ran stay.
      return mergeEvents(list.items.map(eventRow), this.#liveEvents, EVENT_LIMIT);
    });
  }

  async #loadLatest(): Promise<void> {
    await this.#load(this.latest, () =>
      this.#api.call('GET /api/v1/devices/{id}/latest', { params: { id: this.id } }),
    );
  }

  async #load<T>(target: Loadable<T>, request: () => Promise<T>): Promise<void> {
    target.loading = true;
    try {
      const value = await request();
      if (this.#disposed) return;
      target.value = value;
      target.error = null;
      target.loadedAt = Date.now();
    } catch (err) {
      if (this.#disposed) return;
      target.error = err;
    } finally {
      target.loading = false;
    }
  }

  #onFrame(frame: HubFrame): void {
    if (this.#disposed || this.notFound) return;
    switch (frame.type) {
      case 'positions': {
        let changed = false;
        for (const p of frame.positions) {
          if (p.deviceId !== this.id) continue;
          if (this.latest.value) this.latest.value = applyPosition(this.latest.value, p, frame.at);
          changed = true;
        }
        if (changed) this.#latestThrottle.request();
        break;
      }
      case 'snapshot': {
        const d = frame.devices.find((x) => x.deviceId === this.id);
        if (d && this.latest.value) this.latest.value = applySnapshot(this.latest.value, d);
        break;
      }
      case 'status':
        if (frame.deviceId !== this.id) break;
        if (this.latest.value) this.latest.value = { ...this.latest.value, connection: frame.connection };
        this.#latestThrottle.request();
        break;
      case 'event': {
        if (frame.event.deviceId !== this.id) break;
        const row = liveEventRow(frame.event);
        this.#liveEvents = mergeEvents(this.#liveEvents, [row], EVENT_LIMIT);
        if (this.events.value) this.events.value = mergeEvents(this.events.value, [row], EVENT_LIMIT);
        break;
      }
      default:
        break;
    }
  }
}
