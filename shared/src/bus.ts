// The event bus between the ingest tier and its consumers (the WebSocket hub, rules, the
// broker's own command path). One interface; the in-process implementation is the embedded
// default, and a Redis one can sit behind the same interface for scale-out.
import type { JobChange } from './jobs.ts';
import type { AlertChange } from './rules.ts';
import type { DeviceEventRecord, TelemetryRecord } from './telemetry.ts';

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
  change: 'provisioned' | 'disabled' | 'enabled' | 'token_reissued' | 'updated' | 'deleted';
}

/** Asks the device side to publish the status of every connected device again (a live view that just started). */
export interface LiveSyncRequest {
  requestedAt: number;
}

/** Every topic of the bus and the event it carries. */
export interface FleetEvents {
  position: PositionEvent;
  status: DeviceStatusEvent;
  'device-event': DeviceEventRecord;
  'device-changed': DeviceChangedEvent;
  /** The newest stored record of a device from one message, for live views in other processes. */
  latest: TelemetryRecord;
  'live-sync': LiveSyncRequest;
  /** An alert opened, changed or resolved (by the rule engine or a person), for the hub's `alerts` topic. */
  alert: AlertChange;
  /** A job moved on (dispatched, en route, on site ...), for the hub's `jobs` topic. */
  job: JobChange;
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

/** One bus event on its way to or from another process. */
export interface BusEnvelope {
  topic: FleetTopic;
  event: unknown;
}

/**
 * Bus events on their way to or from another process: the events one process published in one
 * turn of its event loop, in order. One IPC message per event cost the device side about a
 * quarter of its CPU at 7,000 messages a second (two events each, structured-cloned twice on
 * the way through the launcher; bench/REPORT.md, "Ingest"); one per turn costs a fraction.
 */
export interface BusMessage {
  t: 'bus';
  events: BusEnvelope[];
}

/** The channel to the other processes of one platform (a child's IPC channel to its launcher). */
export interface BusLink {
  send(message: BusMessage): void;
  /** Calls `handler` with every bus message from the other processes; returns a stop function. */
  onMessage(handler: (message: BusMessage) => void): () => void;
}

const TOPICS: ReadonlySet<string> = new Set<FleetTopic>([
  'position',
  'status',
  'device-event',
  'device-changed',
  'latest',
  'live-sync',
  'alert',
  'job',
]);

/** The most events in one message, so one busy turn does not make a message of megabytes. */
export const MAX_EVENTS_PER_BUS_MESSAGE = 1000;

export function isBusMessage(message: unknown): message is BusMessage {
  return (
    typeof message === 'object' &&
    message !== null &&
    (message as { t?: unknown }).t === 'bus' &&
    Array.isArray((message as { events?: unknown }).events)
  );
}

/** An envelope of a known topic carrying an object; anything else in a message is dropped. */
export function isBusEnvelope(envelope: unknown): envelope is BusEnvelope {
  return (
    typeof envelope === 'object' &&
    envelope !== null &&
    TOPICS.has(String((envelope as { topic?: unknown }).topic)) &&
    typeof (envelope as { event?: unknown }).event === 'object' &&
    (envelope as { event?: unknown }).event !== null
  );
}

/**
 * The bus of one process among several (the embedded default's device and API processes):
 * events go to this process's handlers at once, as in-process, and to the other processes
 * through the link (the launcher relays them), gathered into one message per turn of the event
 * loop. Delivery across processes is at most once: a
 * process restarting misses what was published meanwhile, which the live views make up by
 * asking again (`live-sync`) and which storage never depends on.
 */
export class LinkedEventBus implements EventBus {
  readonly #local: InProcessEventBus;
  readonly #link: BusLink;
  readonly #stop: () => void;
  #outbox: BusEnvelope[] = [];
  #flush: NodeJS.Immediate | undefined;

  constructor(link: BusLink, onHandlerError: (err: unknown, topic: FleetTopic) => void = () => {}) {
    this.#local = new InProcessEventBus(onHandlerError);
    this.#link = link;
    this.#stop = link.onMessage((message) => {
      // Only the topics of this build, from our own launcher; anything else is dropped.
      if (!isBusMessage(message)) return;
      for (const e of message.events) if (isBusEnvelope(e)) this.#local.publish(e.topic, e.event as never);
    });
  }

  publish<T extends FleetTopic>(topic: T, event: FleetEvents[T]): void {
    this.#local.publish(topic, event);
    this.#outbox.push({ topic, event });
    if (this.#outbox.length >= MAX_EVENTS_PER_BUS_MESSAGE) this.#send();
    else this.#flush ??= setImmediate(() => this.#send());
  }

  #send(): void {
    clearImmediate(this.#flush);
    this.#flush = undefined;
    const events = this.#outbox;
    if (events.length === 0) return;
    this.#outbox = [];
    try {
      this.#link.send({ t: 'bus', events });
    } catch (err) {
      // The launcher is gone (the process is being stopped): local delivery still happened.
      void err;
    }
  }

  subscribe<T extends FleetTopic>(topic: T, handler: (event: FleetEvents[T]) => void): Unsubscribe {
    return this.#local.subscribe(topic, handler);
  }

  async close(): Promise<void> {
    this.#send();
    this.#stop();
    await this.#local.close();
  }
}
