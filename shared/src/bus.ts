// The event bus between the ingest tier and its consumers (the WebSocket hub, rules, the
// broker's own command path). One interface; the in-process implementation is the embedded
// default, and a Redis one can sit behind the same interface for scale-out.
import type { DeviceEventRecord } from './telemetry.ts';

/** The latest position of a device, as the live map and the hub see it. */
export interface PositionEvent {
  tenant: string;
  deviceId: string;
  ts: number;
  receivedAt: number;
  lat: number;
  lon: number;
  speedKmh: number | undefined;
  headingDeg: number | undefined;
  ignition: boolean | undefined;
  seq: number;
}

export interface DeviceStatusEvent {
  tenant: string;
  deviceId: string;
  status: 'online' | 'offline';
  at: number;
  /** Why the device went offline, when known (clean disconnect, keep-alive timeout, refused ...). */
  reason?: string;
}

export interface DeviceChangedEvent {
  tenant: string;
  deviceId: string;
  change: 'provisioned' | 'disabled' | 'enabled' | 'token_reissued' | 'updated';
}

/** Every topic of the bus and the event it carries. */
export interface FleetEvents {
  position: PositionEvent;
  status: DeviceStatusEvent;
  'device-event': DeviceEventRecord;
  'device-changed': DeviceChangedEvent;
}

export type FleetTopic = keyof FleetEvents;
export type Unsubscribe = () => void;

export interface EventBus {
  publish<T extends FleetTopic>(topic: T, event: FleetEvents[T]): void;
  subscribe<T extends FleetTopic>(topic: T, handler: (event: FleetEvents[T]) => void): Unsubscribe;
  close(): Promise<void>;
}

type AnyHandler = (event: FleetEvents[FleetTopic]) => void;

/**
 * Delivers synchronously to the handlers of this process. A throwing handler is reported to
 * `onHandlerError` and does not stop delivery to the others.
 */
export class InProcessEventBus implements EventBus {
  readonly #handlers = new Map<FleetTopic, Set<AnyHandler>>();
  readonly #onHandlerError: (err: unknown, topic: FleetTopic) => void;

  constructor(onHandlerError: (err: unknown, topic: FleetTopic) => void = () => {}) {
    this.#onHandlerError = onHandlerError;
  }

  publish<T extends FleetTopic>(topic: T, event: FleetEvents[T]): void {
    const handlers = this.#handlers.get(topic);
    if (!handlers) return;
    for (const handler of handlers) {
      try {
        handler(event);
      } catch (err) {
        this.#onHandlerError(err, topic);
      }
    }
  }

  subscribe<T extends FleetTopic>(topic: T, handler: (event: FleetEvents[T]) => void): Unsubscribe {
    let set = this.#handlers.get(topic);
    if (!set) {
      set = new Set();
      this.#handlers.set(topic, set);
    }
    const h = handler as AnyHandler;
    set.add(h);
    return () => set.delete(h);
  }

  async close(): Promise<void> {
    this.#handlers.clear();
  }
}
