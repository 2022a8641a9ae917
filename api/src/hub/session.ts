// One WebSocket client of the hub as the hub keeps it: who it is, what it follows (topics,
// devices, a viewport), how it wants positions, and the state of the hub's bounds on it.
import type { WebSocket } from 'uWebSockets.js';
import { type HubFrameFormat, type LivePosition, TokenBucket } from '@fleet/shared';
import type { Principal } from '../http/route.ts';
import type { Viewport } from './viewport.ts';

export interface Closing {
  code: number;
  message: string;
  /** When a socket that has not drained is dropped without a close frame. */
  dropAt: number;
}

export interface HubClient {
  principal: Principal | undefined;
  /** A token from the connection's query, checked once the socket is open. */
  pendingToken: string | undefined;
  /** The check of that token, while it runs. */
  authenticating: Promise<void> | undefined;
  address: string;
  /** positions, status, events, alerts, jobs */
  topics: Set<string>;
  /** device:{id} subscriptions */
  devices: Set<string>;
  /** Positions of the `positions` topic only inside it, cluster counts for the rest; undefined: the whole fleet. */
  viewport: Viewport | undefined;
  /** How its positions frames are encoded (chosen on subscribe). */
  format: HubFrameFormat;
  /** The last clusters frame sent, as JSON without type and time, so an unchanged one is not sent again. */
  lastClusters: string | undefined;
  /** A scoped user's visible devices, reloaded on subscribe and every SCOPE_REFRESH_MS; else undefined. */
  visible: ReadonlySet<string> | undefined;
  visibleAt: number;
  /** Positions held back while the client's socket buffer is high: latest per device. */
  backlog: Map<string, LivePosition> | undefined;
  /** When the current backlog started. */
  lagSince: number;
  bucket: TokenBucket;
  strikes: number;
  /** When the last message over the rate came. */
  struckAt: number;
  timer: NodeJS.Timeout | undefined;
  /** Last time anything (a message or a pong) came from the client. */
  heardAt: number;
  /** Last time the hub pinged it. */
  pingedAt: number;
  /** false once the hub has decided to close it (or it is closed): nothing more is sent. */
  open: boolean;
  /** Set while the hub waits for the socket to drain to its close frame. */
  closing: Closing | undefined;
}

export type HubSocket = WebSocket<HubClient>;

/** A fresh client of an upgrade; `rate` is its messages/s (burst 5x). */
export function newClient(token: string | undefined, address: string, rate: number, now: number): HubClient {
  return {
    principal: undefined,
    pendingToken: token,
    authenticating: undefined,
    address,
    topics: new Set(),
    devices: new Set(),
    viewport: undefined,
    format: 'json',
    lastClusters: undefined,
    visible: undefined,
    visibleAt: 0,
    backlog: undefined,
    lagSince: 0,
    bucket: new TokenBucket(rate, rate * 5),
    strikes: 0,
    struckAt: 0,
    timer: undefined,
    heardAt: now,
    pingedAt: 0,
    open: true,
    closing: undefined,
  };
}

/** What a socket the hub has forgotten answers: closed, following nothing. */
export function closedClient(): HubClient {
  return { ...newClient(undefined, '', 1, 0), open: false };
}

/** Whether the client gets this position of the `positions` topic or of a device:{id} subscription. */
export function follows(client: HubClient, deviceId: string): boolean {
  if (client.visible !== undefined && !client.visible.has(deviceId)) return false;
  return client.topics.has('positions') || client.devices.has(deviceId);
}
