// The live hub on /ws: positions, status and device events of one organisation, pushed to its
// users' browsers. Positions are batched per organisation into one frame per tick, serialised
// once and sent to every subscriber; a client that reads too slowly gets the latest position
// per device instead of every frame (coalesced) and is closed past a bound, so it never holds
// up the hub or anyone else. Frames and messages are typed once in @fleet/shared (live.ts).

import type { HttpRequest, HttpResponse, TemplatedApp, us_socket_context_t, WebSocket } from 'uWebSockets.js';
import type { LiveStateStore } from '@fleet/ingest';
import {
  type DeviceEventRecord,
  type DeviceStatusEvent,
  type EventBus,
  HUB_CLOSE,
  type HubClientMessage,
  type HubErrorCode,
  type HubFrame,
  hubClientMessage,
  type LivePosition,
  type Logger,
  type PositionEvent,
  TokenBucket,
} from '@fleet/shared';
import { ApiError } from '../http/errors.ts';
import type { Principal } from '../http/route.ts';
import { toLiveDevice, toLivePosition } from '../live-view.ts';
import type { HubMetrics } from '../metrics.ts';

export interface HubSettings {
  tickMs: number;
  coalesceBytes: number;
  maxBufferBytes: number;
  /** A client held back (coalesced) for longer than this is closed: it is not catching up. */
  maxLagMs: number;
  clientMsgRate: number;
  offlineAfterMs: number;
  /** How long an unauthenticated socket may stay open waiting for {"op":"auth"}. */
  authGraceMs: number;
}

export interface HubDeps {
  bus: EventBus;
  liveState: LiveStateStore;
  authenticate(token: string): Promise<Principal>;
  /** Whether the device belongs to the organisation (checked under row-level security). */
  deviceVisible(orgId: string, deviceId: string): Promise<boolean>;
  metrics: HubMetrics;
  log: Logger;
  settings: HubSettings;
}

interface HubClient {
  principal: Principal | undefined;
  /** A token from the connection's query, checked once the socket is open. */
  pendingToken: string | undefined;
  /** The check of that token, while it runs. */
  authenticating: Promise<void> | undefined;
  address: string;
  /** positions, status, events, alerts */
  topics: Set<string>;
  /** device:{id} subscriptions */
  devices: Set<string>;
  /** Positions held back while the client's socket buffer is high: latest per device. */
  backlog: Map<string, LivePosition> | undefined;
  /** When the current backlog started. */
  lagSince: number;
  bucket: TokenBucket;
  strikes: number;
  timer: NodeJS.Timeout | undefined;
  open: boolean;
}

type HubSocket = WebSocket<HubClient>;

export interface Hub {
  clientCount(): number;
  /** Closes the sockets of these login sessions (logout, user disabled). */
  closeSessions(sessionIds: readonly string[]): void;
  close(): void;
}

export function mountHub(app: TemplatedApp, deps: HubDeps): Hub {
  const { settings, metrics, log } = deps;
  const byOrg = new Map<string, Set<HubSocket>>();
  const pending = new Map<string, Map<string, PositionEvent>>();
  const all = new Set<HubSocket>();
  // Our own handle on each socket's state: a uWS WebSocket throws on any use once closed, and
  // an exception escaping into a uWS callback must never happen.
  const clients = new WeakMap<HubSocket, HubClient>();
  const closedClient: HubClient = {
    principal: undefined,
    pendingToken: undefined,
    authenticating: undefined,
    address: '',
    topics: new Set(),
    devices: new Set(),
    backlog: undefined,
    lagSince: 0,
    bucket: new TokenBucket(1, 1),
    strikes: 0,
    timer: undefined,
    open: false,
  };
  const clientOf = (ws: HubSocket): HubClient => clients.get(ws) ?? closedClient;
  const guarded =
    <A extends unknown[]>(what: string, fn: (...args: A) => void) =>
    (...args: A): void => {
      try {
        fn(...args);
      } catch (err) {
        log.error({ err, what }, 'hub handler failed');
      }
    };

  function send(ws: HubSocket, frame: HubFrame | Buffer, type: string): void {
    const client = clientOf(ws);
    if (!client.open) return;
    if (ws.getBufferedAmount() > settings.maxBufferBytes) {
      tooSlow(ws, 'the socket buffer passed its bound');
      return;
    }
    try {
      ws.send(Buffer.isBuffer(frame) ? frame : JSON.stringify(frame), false);
      metrics.framesSent.inc({ type });
    } catch (err) {
      log.warn({ err }, 'hub send failed');
    }
  }

  function closeSocket(ws: HubSocket, code: number, reason: string, message: string): void {
    const client = clientOf(ws);
    if (!client.open) return;
    client.open = false;
    metrics.closed.inc({ reason });
    // Closed outside the uWS callback that decided it (a message handler may be mid-batch):
    // closing a socket from inside its own message callback broke other sockets under load.
    setImmediate(() => {
      if (!clients.has(ws)) return; // gone meanwhile
      try {
        // A slow client would never read a closing handshake: drop its connection at once.
        if (code === HUB_CLOSE.slowConsumer) ws.close();
        else ws.end(code, message);
      } catch (err) {
        log.warn({ err }, 'hub close failed');
      }
    });
  }

  function tooSlow(ws: HubSocket, why: string): void {
    closeSocket(ws, HUB_CLOSE.slowConsumer, 'slow_consumer', `too slow: ${why}`);
  }

  function error(ws: HubSocket, code: HubErrorCode, message: string): void {
    send(ws, { type: 'error', code, message }, 'error');
  }

  function join(ws: HubSocket, principal: Principal): void {
    const client = clientOf(ws);
    const previous = client.principal;
    if (previous && previous.orgId !== principal.orgId) {
      // A token of another organisation on the same socket: refuse rather than mix tenants.
      closeSocket(ws, HUB_CLOSE.unauthorized, 'unauthorized', 'token of another organisation');
      return;
    }
    client.principal = principal;
    let set = byOrg.get(principal.orgId);
    if (!set) {
      set = new Set();
      byOrg.set(principal.orgId, set);
    }
    set.add(ws);
    if (client.timer) clearTimeout(client.timer);
    // Close when the token expires; a client renews by sending {"op":"auth"} with a fresh one.
    client.timer = setTimeout(
      () => closeSocket(ws, HUB_CLOSE.unauthorized, 'token_expired', 'token expired: send a fresh token'),
      Math.max(0, principal.expiresAt - Date.now()),
    );
    client.timer.unref();
    if (!previous) {
      send(
        ws,
        {
          type: 'hello',
          userId: principal.userId,
          orgId: principal.orgId,
          role: principal.role,
          tickMs: settings.tickMs,
          serverTime: Date.now(),
          expiresAt: principal.expiresAt,
        },
        'hello',
      );
    }
  }

  /** Joins the socket with the token's principal, or closes it with 4001. */
  async function authenticate(ws: HubSocket, token: string): Promise<void> {
    const client = clientOf(ws);
    try {
      const principal = await deps.authenticate(token);
      if (client.open) join(ws, principal);
    } catch (err) {
      const expired = err instanceof ApiError && err.code === 'token_expired';
      closeSocket(ws, HUB_CLOSE.unauthorized, 'unauthorized', expired ? 'token expired' : 'invalid token');
    } finally {
      client.authenticating = undefined;
    }
  }

  async function snapshot(ws: HubSocket, topic: string, orgId: string, deviceId?: string): Promise<void> {
    const now = Date.now();
    const one = deviceId === undefined ? undefined : await deps.liveState.get(deviceId);
    const states =
      deviceId === undefined ? await deps.liveState.list(orgId) : one && one.tenant === orgId ? [one] : [];
    const devices = states.map((s) => toLiveDevice(s.deviceId, s, now, settings.offlineAfterMs));
    send(ws, { type: 'snapshot', topic, at: now, devices }, 'snapshot');
  }

  async function onMessage(ws: HubSocket, message: HubClientMessage): Promise<void> {
    const client = clientOf(ws);
    // Messages sent right after connecting with a token in the query wait for its check.
    if (client.authenticating) await client.authenticating;
    if (!client.open) return;
    if (message.op === 'auth') {
      await authenticate(ws, message.token);
      return;
    }
    const principal = client.principal;
    if (!principal) {
      error(ws, 'unauthorized', 'send {"op":"auth","token":"..."} first');
      return;
    }
    if (message.op === 'ping') {
      send(ws, { type: 'pong', at: Date.now() }, 'pong');
      return;
    }
    if (message.op === 'unsubscribe') {
      for (const t of message.topics) {
        if (t.startsWith('device:')) client.devices.delete(t.slice(7));
        else client.topics.delete(t);
      }
      send(ws, { type: 'unsubscribed', topics: message.topics }, 'unsubscribed');
      return;
    }
    const accepted: string[] = [];
    for (const topic of message.topics) {
      if (topic.startsWith('device:')) {
        const id = topic.slice(7);
        // Unknown and foreign devices answer the same: nothing about another tenant leaks.
        if (!(await deps.deviceVisible(principal.orgId, id))) {
          error(ws, 'not_found', `no device ${id}`);
          continue;
        }
        client.devices.add(id);
      } else {
        client.topics.add(topic);
      }
      accepted.push(topic);
    }
    if (!client.open) return;
    if (accepted.length > 0) send(ws, { type: 'subscribed', topics: accepted }, 'subscribed');
    for (const topic of accepted) {
      if (topic === 'positions' || topic === 'status') await snapshot(ws, topic, principal.orgId);
      else if (topic.startsWith('device:')) await snapshot(ws, topic, principal.orgId, topic.slice(7));
    }
  }

  function deliverPositions(ws: HubSocket, positions: LivePosition[], frame: Buffer | undefined): void {
    const client = clientOf(ws);
    if (!client.open) return;
    if (client.backlog === undefined && ws.getBufferedAmount() > settings.coalesceBytes) {
      client.backlog = new Map();
      client.lagSince = Date.now();
    }
    if (client.backlog !== undefined) {
      for (const p of positions) client.backlog.set(p.deviceId, p);
      metrics.framesDropped.inc({ reason: 'coalesced' });
      if (ws.getBufferedAmount() > settings.maxBufferBytes) tooSlow(ws, 'the socket buffer passed its bound');
      else if (Date.now() - client.lagSince > settings.maxLagMs) tooSlow(ws, 'not catching up');
      return;
    }
    send(ws, frame ?? { type: 'positions', at: Date.now(), positions }, 'positions');
  }

  function flushBacklog(ws: HubSocket): void {
    const client = clientOf(ws);
    if (!client.open || client.backlog === undefined) return;
    if (ws.getBufferedAmount() > settings.coalesceBytes / 2) return;
    const positions = [...client.backlog.values()];
    client.backlog = undefined;
    if (positions.length > 0) send(ws, { type: 'positions', at: Date.now(), positions }, 'positions');
  }

  function tick(): void {
    if (pending.size === 0) return;
    const now = Date.now();
    for (const [orgId, byDevice] of pending) {
      const sockets = byOrg.get(orgId);
      if (!sockets || sockets.size === 0) continue;
      const positions = [...byDevice.values()].map((p) => toLivePosition(p, now, settings.offlineAfterMs));
      // Serialised and encoded once per tick: a string would be re-encoded for every socket
      // (bench: a Buffer halves the CPU of fanning a 185 kB frame out to 100 clients).
      let shared: Buffer | undefined;
      for (const ws of sockets) {
        const client = clientOf(ws);
        if (client.topics.has('positions')) {
          shared ??= Buffer.from(
            JSON.stringify({ type: 'positions', at: now, positions } satisfies HubFrame),
          );
          deliverPositions(ws, positions, shared);
        } else if (client.devices.size > 0) {
          const mine = positions.filter((p) => client.devices.has(p.deviceId));
          if (mine.length > 0) deliverPositions(ws, mine, undefined);
        }
      }
    }
    pending.clear();
  }

  function forOrg(orgId: string, deviceId: string, topic: string, frame: HubFrame, type: string): void {
    const sockets = byOrg.get(orgId);
    if (!sockets) return;
    let text: Buffer | undefined;
    for (const ws of sockets) {
      const client = clientOf(ws);
      if (client.topics.has(topic) || client.devices.has(deviceId)) {
        text ??= Buffer.from(JSON.stringify(frame));
        send(ws, text, type);
      }
    }
  }

  const unsubscribers = [
    deps.bus.subscribe('position', (p: PositionEvent) => {
      if (!byOrg.has(p.tenant)) return;
      let byDevice = pending.get(p.tenant);
      if (!byDevice) {
        byDevice = new Map();
        pending.set(p.tenant, byDevice);
      }
      byDevice.set(p.deviceId, p);
    }),
    deps.bus.subscribe('status', (s: DeviceStatusEvent) =>
      forOrg(
        s.tenant,
        s.deviceId,
        'status',
        { type: 'status', deviceId: s.deviceId, connection: s.status, at: s.at, reason: s.reason ?? null },
        'status',
      ),
    ),
    deps.bus.subscribe('device-event', (e: DeviceEventRecord) =>
      forOrg(
        e.tenant,
        e.deviceId,
        'events',
        {
          type: 'event',
          event: {
            deviceId: e.deviceId,
            ts: e.ts,
            kind: e.kind,
            lat: e.lat ?? null,
            lon: e.lon ?? null,
            speedKmh: e.speedKmh ?? null,
            detail: e.detail,
          },
        },
        'event',
      ),
    ),
  ];
  const ticker = setInterval(tick, settings.tickMs);
  ticker.unref();

  app.ws<HubClient>('/ws', {
    maxPayloadLength: 16 * 1024,
    idleTimeout: 60,
    sendPingsAutomatically: true,
    // Our own bounds (coalesce, then close with 4008) decide about slow clients, not uWS's.
    maxBackpressure: settings.maxBufferBytes * 2,
    closeOnBackpressureLimit: false,
    upgrade(res: HttpResponse, req: HttpRequest, context: us_socket_context_t) {
      // Upgraded at once, inside uWS's own callback; a token in the query is checked after
      // `open`. Upgrading later from a promise (res.cork(() => res.upgrade())) made uWS close
      // some fresh sockets without a close frame (uNetworking/uWebSockets#1928: cork() reads
      // the old HTTP state from memory the WebSocket now owns).
      const token = new URLSearchParams(req.getQuery() ?? '').get('token');
      res.upgrade<HubClient>(
        {
          principal: undefined,
          pendingToken: token === null || token === '' ? undefined : token,
          authenticating: undefined,
          address: Buffer.from(res.getRemoteAddressAsText()).toString(),
          topics: new Set(),
          devices: new Set(),
          backlog: undefined,
          lagSince: 0,
          bucket: new TokenBucket(settings.clientMsgRate, settings.clientMsgRate * 5),
          strikes: 0,
          timer: undefined,
          open: true,
        },
        req.getHeader('sec-websocket-key'),
        req.getHeader('sec-websocket-protocol'),
        req.getHeader('sec-websocket-extensions'),
        context,
      );
    },
    open: guarded('open', (ws: HubSocket) => {
      const client = ws.getUserData();
      clients.set(ws, client);
      all.add(ws);
      metrics.clients.set(all.size);
      if (client.pendingToken !== undefined) {
        const token = client.pendingToken;
        client.pendingToken = undefined;
        client.authenticating = authenticate(ws, token);
        return;
      }
      client.timer = setTimeout(
        () => closeSocket(ws, HUB_CLOSE.unauthorized, 'unauthorized', 'no token: send {"op":"auth"} first'),
        settings.authGraceMs,
      );
      client.timer.unref();
    }),
    message: guarded('message', (ws: HubSocket, data: ArrayBuffer, isBinary: boolean) => {
      const client = clientOf(ws);
      if (!client.open) return;
      if (!client.bucket.take()) {
        metrics.badMessages.inc({ reason: 'rate' });
        client.strikes++;
        if (client.strikes === 1) error(ws, 'rate_limited', `more than ${settings.clientMsgRate} messages/s`);
        if (client.strikes > settings.clientMsgRate * 5)
          closeSocket(ws, HUB_CLOSE.flood, 'flood', 'too many messages');
        return;
      }
      let parsed: unknown;
      try {
        parsed = isBinary ? undefined : JSON.parse(Buffer.from(data).toString('utf8'));
      } catch {
        parsed = undefined;
      }
      const result = hubClientMessage.safeParse(parsed);
      if (!result.success) {
        metrics.badMessages.inc({ reason: 'invalid' });
        error(
          ws,
          'bad_message',
          parsed === undefined
            ? 'send JSON text frames'
            : `invalid message: ${result.error.issues[0]?.message ?? 'unknown'} (ops: auth, subscribe, unsubscribe, ping)`,
        );
        return;
      }
      onMessage(ws, result.data).catch((err: unknown) => {
        log.error({ err }, 'hub message failed');
        if (client.open) error(ws, 'bad_message', 'the server could not handle this message');
      });
    }),
    drain: guarded('drain', (ws: HubSocket) => flushBacklog(ws)),
    close: guarded('close', (ws: HubSocket) => {
      const client = clientOf(ws);
      clients.delete(ws);
      client.open = false;
      if (client.timer) clearTimeout(client.timer);
      all.delete(ws);
      metrics.clients.set(all.size);
      if (client.principal) {
        const set = byOrg.get(client.principal.orgId);
        set?.delete(ws);
        if (set?.size === 0) byOrg.delete(client.principal.orgId);
      }
    }),
  });

  return {
    clientCount: () => all.size,
    closeSessions(sessionIds) {
      const ended = new Set(sessionIds);
      for (const ws of all) {
        const p = clientOf(ws).principal;
        if (p && ended.has(p.sessionId))
          closeSocket(ws, HUB_CLOSE.unauthorized, 'session_ended', 'session ended');
      }
    },
    close() {
      clearInterval(ticker);
      for (const u of unsubscribers) u();
      for (const ws of [...all]) closeSocket(ws, HUB_CLOSE.goingAway, 'shutdown', 'server shutting down');
    },
  };
}
