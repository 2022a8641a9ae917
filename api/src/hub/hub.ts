// The live hub on /ws: positions, status and device events of one organisation, pushed to its
// users' browsers. Positions are batched per organisation into one frame per tick, serialised
// once and sent to every subscriber; a client that reads too slowly gets the latest position
// per device instead of every frame (coalesced) and is closed past a bound, so it never holds
// up the hub or anyone else. Frames and messages are typed once in @fleet/shared (live.ts).
// A client may narrow the `positions` topic to a viewport (a box and a zoom): positions inside
// it at full rate, cluster counts per grid cell for the rest once a second.
//
// This file is the uWS adapter and the wiring: session.ts is a client's state, protocol.ts the
// parsing and the table of ops, fanout.ts who gets which positions and clusters, viewport.ts
// the grid behind viewports, frames.ts the encodings (json, columns).
//
// Every uWS callback, bus subscriber and timer runs inside the shared fault guard (deps.faults):
// an unexpected throw is counted in fleet_unexpected_errors_total{boundary,site} and answered
// at its boundary (a 500 to an upgrade, an `internal_error` frame to a message, 1011 to a
// socket whose token check failed), never left to kill the process or stall the hub.
//
// How the hub closes a socket (what a client sees is in the README's bad-input table):
// - every close it decides is counted in fleet_ws_closed_total{reason} and sent as a close
//   frame with its code (ws.end). The close frame queues behind what the socket has buffered,
//   so the hub stops sending, lets a socket that still reads drain to `closeFrameRoom`, then
//   ends it; one that has not drained within `closeGraceMs` is dropped without a close frame
//   (ws.close). After ws.end uWS keeps the TCP connection for its ping timeout at most (16 s
//   with idleTimeout 60), and the JS handle is gone: the hard drop can only come before it.
// - a client that stops reading is found by the hub's own bounds before uWS's idle timeout
//   (60 s, closed as 1006 with no reason): its buffer, its lag behind the coalesced positions,
//   and a ping of the hub's own after `pingAfterMs` of silence, unanswered for `silentCloseMs`.
// - uWS checks frame sizes (at the frame header) and the UTF-8 of text frames itself and
//   closes the TCP connection before any callback runs (uWebSockets src/WebSocketContext.h,
//   handleFragment -> forceClose = us_socket_close, no close frame). So maxPayloadLength is
//   set above the hub's own limit: a message between HUB_MAX_MESSAGE_BYTES and
//   FRAME_LIMIT_BYTES reaches the hub and is closed with 1009; bigger frames and invalid UTF-8
//   can only be counted afterwards, from the reason uWS gives the close handler.

import type { HttpRequest, HttpResponse, TemplatedApp, us_socket_context_t } from 'uWebSockets.js';
import type { LiveStateStore } from '@fleet/ingest';
import {
  type AlertChange,
  type DeviceEventRecord,
  type DeviceStatusEvent,
  type EventBus,
  type FaultReporter,
  guard,
  guardAsync,
  guardedInterval,
  guardedTimeout,
  HUB_CLOSE,
  type HubClientMessage,
  type HubErrorCode,
  type HubFrame,
  type LivePosition,
  type Logger,
  type PositionEvent,
} from '@fleet/shared';
import type { JobChange } from '@fleet/shared/jobs';
import { ApiError } from '../http/errors.ts';
import type { Principal } from '../http/route.ts';
import { toLiveDevice } from '../live-view.ts';
import type { HubMetrics } from '../metrics.ts';
import {
  type FanoutDeps,
  fanOutAlert,
  fanOutClusters,
  fanOutDeviceFrame,
  fanOutJob,
  fanOutPositions,
  OrgFleet,
  sendClusters,
  visibleTo,
} from './fanout.ts';
import { positionsFrame } from './frames.ts';
import { dispatch, type HubHandlers, parseClientMessage } from './protocol.ts';
import { type HubClient, type HubSocket, closedClient as makeClosedClient, newClient } from './session.ts';

/** The largest client message the hub takes; the largest valid one (100 device topics) is ~7.5 kB. */
export const HUB_MAX_MESSAGE_BYTES = 16 * 1024;
/**
 * uWS's maxPayloadLength: frames up to this reach the hub (and get 1009 when over
 * HUB_MAX_MESSAGE_BYTES); uWS drops bigger ones without a close frame. It is also what uWS may
 * buffer for one incoming frame of one socket, authenticated or not.
 */
export const FRAME_LIMIT_BYTES = 64 * 1024;

/** Why uWS closed a socket itself (the text it hands the close handler, code 1006). */
const UWS_CLOSES = new Map<string, string>([
  ['Received too big message', 'too_big'],
  ['Received too big message, or other inflation error', 'too_big'],
  ['Received invalid UTF-8', 'invalid_utf8'],
  ['Received invalid WebSocket frame', 'protocol_error'],
  ['Received invalid close payload', 'protocol_error'],
  ['WebSocket timed out from inactivity', 'idle_timeout'],
]);

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
  /** How long a socket being closed may take to drain to its close frame; then dropped. Default 2 s. */
  closeGraceMs?: number;
  /** The hub pings a client it has heard nothing from (no message, no pong) for this long. Default 20 s. */
  pingAfterMs?: number;
  /** A client silent this long is closed with 4008: it is not reading. Default 40 s (uWS: 60 s). */
  silentCloseMs?: number;
  /** How often viewport clients get their cluster counts (when they changed). Default 1 s. */
  clusterMs?: number;
}

export interface HubDeps {
  bus: EventBus;
  liveState: LiveStateStore;
  authenticate(token: string): Promise<Principal>;
  /** Whether the device belongs to the organisation (checked under row-level security). */
  deviceVisible(orgId: string, deviceId: string): Promise<boolean>;
  /**
   * The devices a user with a department scope may follow (those on assets of their subtree,
   * as row-level security answers); absent: a scoped user is treated like any other.
   */
  scopedDevices?(principal: Principal): Promise<ReadonlySet<string>>;
  metrics: HubMetrics;
  log: Logger;
  /** Counts unexpected errors of the hub's callbacks (boundaries websocket, bus, timer). */
  faults: FaultReporter;
  settings: HubSettings;
}

export interface Hub {
  clientCount(): number;
  /** Closes the sockets of these login sessions (logout, user disabled). */
  closeSessions(sessionIds: readonly string[]): void;
  close(): void;
}

/** How often a scoped user's visible devices are reloaded while the socket is open. */
const SCOPE_REFRESH_MS = 10_000;

export function mountHub(app: TemplatedApp, deps: HubDeps): Hub {
  const { settings, metrics, log, faults } = deps;
  const closeGraceMs = settings.closeGraceMs ?? 2_000;
  const pingAfterMs = settings.pingAfterMs ?? 20_000;
  const silentCloseMs = settings.silentCloseMs ?? 40_000;
  // A close frame is handed to uWS once at most this much is queued before it.
  const closeFrameRoom = settings.coalesceBytes;
  const sweepMs = Math.max(50, Math.min(1_000, Math.floor(Math.min(closeGraceMs, pingAfterMs) / 2)));
  const byOrg = new Map<string, Set<HubSocket>>();
  const pending = new Map<string, Map<string, PositionEvent>>();
  /** Latest positions of each organisation one of whose clients set a viewport. */
  const fleets = new Map<string, OrgFleet>();
  const clusterMs = settings.clusterMs ?? 1_000;
  const all = new Set<HubSocket>();
  // Our own handle on each socket's state: a uWS WebSocket throws on any use once closed, and
  // an exception escaping into a uWS callback must never happen.
  const clients = new WeakMap<HubSocket, HubClient>();
  const closedClient = makeClosedClient();
  const clientOf = (ws: HubSocket): HubClient => clients.get(ws) ?? closedClient;

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
      // One socket's failure must not cut the fan-out loop that called us short.
      faults.report('websocket', 'hub.send', err);
    }
  }

  function closeSocket(ws: HubSocket, code: number, reason: string, message: string): void {
    const client = clientOf(ws);
    if (!client.open) return;
    client.open = false;
    client.backlog = undefined;
    client.closing = { code, message, dropAt: Date.now() + closeGraceMs };
    metrics.closed.inc({ reason });
    // Closed outside the uWS callback that decided it (a message handler may be mid-batch):
    // closing a socket from inside its own message callback broke other sockets under load.
    setImmediate(guard(faults, 'timer', 'hub.finishClose', () => finishClose(ws)));
  }

  /** Sends the close frame once little is queued before it, or drops the socket past its grace. */
  function finishClose(ws: HubSocket): void {
    const closing = clients.get(ws)?.closing;
    if (!closing) return; // gone meanwhile
    if (ws.getBufferedAmount() <= closeFrameRoom) {
      ws.end(closing.code, closing.message);
    } else if (Date.now() >= closing.dropAt) {
      // It has not read what it was sent, so it would not read a close frame either.
      log.info(
        { code: closing.code, buffered: ws.getBufferedAmount() },
        'hub dropped a socket that stopped reading',
      );
      ws.close();
    }
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
    client.timer = guardedTimeout(
      faults,
      'hub.tokenExpiry',
      Math.max(0, principal.expiresAt - Date.now()),
      () => closeSocket(ws, HUB_CLOSE.unauthorized, 'token_expired', 'token expired: send a fresh token'),
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

  /** Joins the socket with the token's principal, or closes it with 4001 (1011 on a fault). */
  async function authenticate(ws: HubSocket, token: string): Promise<void> {
    const client = clientOf(ws);
    try {
      const principal = await deps.authenticate(token);
      if (client.open) join(ws, principal);
    } catch (err) {
      if (err instanceof ApiError) {
        const expired = err.code === 'token_expired';
        closeSocket(ws, HUB_CLOSE.unauthorized, 'unauthorized', expired ? 'token expired' : 'invalid token');
      } else {
        // Not a verdict on the token: the check itself failed. Say so, so the client retries.
        faults.report('websocket', 'hub.authenticate', err);
        closeSocket(ws, HUB_CLOSE.internalError, 'internal_error', 'the server could not check the token');
      }
    } finally {
      client.authenticating = undefined;
    }
  }

  async function snapshot(ws: HubSocket, topic: string, orgId: string, deviceId?: string): Promise<void> {
    const now = Date.now();
    const one = deviceId === undefined ? undefined : await deps.liveState.get(deviceId);
    const states =
      deviceId === undefined ? await deps.liveState.list(orgId) : one && one.tenant === orgId ? [one] : [];
    const visible = clientOf(ws).visible;
    const devices = states
      .filter((s) => visible === undefined || visible.has(s.deviceId))
      .map((s) => toLiveDevice(s.deviceId, s, now, settings.offlineAfterMs));
    send(ws, { type: 'snapshot', topic, at: now, devices }, 'snapshot');
  }

  /** The principal of an authenticated client, or an error frame to it and undefined. */
  function principalOf(ws: HubSocket): Principal | undefined {
    const principal = clientOf(ws).principal;
    if (!principal) error(ws, 'unauthorized', 'send {"op":"auth","token":"..."} first');
    return principal;
  }

  const handlers: HubHandlers<HubSocket> = {
    auth: (ws, message) => authenticate(ws, message.token),
    ping: (ws) => {
      if (principalOf(ws)) send(ws, { type: 'pong', at: Date.now() }, 'pong');
    },
    unsubscribe: (ws, message) => {
      const client = clientOf(ws);
      if (!principalOf(ws)) return;
      for (const t of message.topics) {
        if (t.startsWith('device:')) client.devices.delete(t.slice(7));
        else client.topics.delete(t);
      }
      send(ws, { type: 'unsubscribed', topics: message.topics }, 'unsubscribed');
    },
    subscribe: async (ws, message) => {
      const client = clientOf(ws);
      const principal = principalOf(ws);
      if (!principal) return;
      if (message.format !== undefined) client.format = message.format;
      const accepted: string[] = [];
      await loadScope(client, principal);
      for (const topic of message.topics) {
        if (topic.startsWith('device:')) {
          const id = topic.slice(7);
          // Unknown and foreign devices answer the same: nothing about another tenant leaks.
          if (
            !(await deps.deviceVisible(principal.orgId, id)) ||
            (client.visible !== undefined && !client.visible.has(id))
          ) {
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
    },
    viewport: async (ws, message) => {
      const client = clientOf(ws);
      const principal = principalOf(ws);
      if (!principal) return;
      // The scope first: a viewport before any subscribe must not show a scoped user more.
      await loadScope(client, principal);
      const fleet = await fleetOf(principal.orgId);
      if (!client.open) return;
      const now = Date.now();
      const bbox = message.bbox;
      client.viewport = bbox === null ? undefined : { bbox, zoom: message.zoom ?? 0 };
      client.lastClusters = undefined;
      const positions = fleet.positionsIn(bbox, visibleTo(client), now, settings.offlineAfterMs);
      send(
        ws,
        { type: 'viewport', bbox, zoom: bbox === null ? null : (message.zoom ?? 0), at: now, positions },
        'viewport',
      );
      sendClusters(fanoutDeps, ws, client, fleet, new Map(), now, true);
    },
  };

  async function onMessage(ws: HubSocket, message: HubClientMessage): Promise<void> {
    const client = clientOf(ws);
    // Messages sent right after connecting with a token in the query wait for its check.
    if (client.authenticating) await client.authenticating;
    if (!client.open) return;
    await dispatch(handlers, ws, message);
  }

  /** The organisation's latest positions, filled from live state the first time a client needs them. */
  async function fleetOf(orgId: string): Promise<OrgFleet> {
    let fleet = fleets.get(orgId);
    if (!fleet) {
      const made = new OrgFleet();
      fleet = made;
      fleets.set(orgId, made);
      made.seeded = (async () => {
        for (const s of await deps.liveState.list(orgId)) {
          if (s.position) made.update(s.position, s.lastSeenAt ?? s.position.receivedAt);
        }
      })();
      // A failed fill is tried again by the next viewport (and reported by that handler).
      made.seeded.catch(() => {
        if (fleets.get(orgId) === made) fleets.delete(orgId);
      });
    }
    await fleet.seeded;
    return fleet;
  }

  // A message whose handling fails is answered (the socket stays open) and counted.
  const handleMessage = guardAsync(faults, 'websocket', 'hub.onMessage', onMessage, (_err, ws) =>
    error(ws, 'internal_error', 'the server could not handle this message'),
  );

  function deliverPositions(ws: HubSocket, positions: LivePosition[], frame: () => Buffer): void {
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
    send(ws, frame(), 'positions');
  }

  function flushBacklog(ws: HubSocket): void {
    const client = clientOf(ws);
    if (!client.open || client.backlog === undefined) return;
    if (ws.getBufferedAmount() > settings.coalesceBytes / 2) return;
    const positions = [...client.backlog.values()];
    client.backlog = undefined;
    if (positions.length > 0) send(ws, positionsFrame(positions, Date.now(), client.format), 'positions');
  }

  /** A scoped user's visible devices, loaded now (the directory behind it caches for seconds). */
  async function loadScope(client: HubClient, principal: Principal): Promise<void> {
    if (principal.scopeDepartmentId === undefined || !deps.scopedDevices) return;
    client.visibleAt = Date.now();
    client.visible = await deps.scopedDevices(principal);
  }

  const fanoutDeps: FanoutDeps = {
    clientOf,
    deliverPositions,
    send,
    offlineAfterMs: settings.offlineAfterMs,
  };

  function tickOrg(orgId: string, byDevice: Map<string, PositionEvent>, now: number): void {
    const sockets = byOrg.get(orgId);
    if (!sockets || sockets.size === 0) return;
    fanOutPositions(fanoutDeps, sockets, byDevice, now);
  }
  // One organisation's bad batch (an event that cannot be serialised) costs that batch only.
  const guardedTickOrg = guard(faults, 'timer', 'hub.tick', tickOrg);

  function tick(): void {
    if (pending.size === 0) return;
    const now = Date.now();
    // Taken before fanning out: a batch that fails must not stay pending and fail every tick.
    const batch = [...pending];
    pending.clear();
    for (const [orgId, byDevice] of batch) guardedTickOrg(orgId, byDevice, now);
  }

  function clusterOrg(orgId: string, fleet: OrgFleet, now: number): void {
    const sockets = byOrg.get(orgId);
    if (sockets) fanOutClusters(fanoutDeps, sockets, fleet, now);
  }
  const guardedClusterOrg = guard(faults, 'timer', 'hub.clusters', clusterOrg);

  function clusterTick(): void {
    const now = Date.now();
    for (const [orgId, fleet] of fleets) guardedClusterOrg(orgId, fleet, now);
  }

  /** Bounds that need a clock rather than an event: lag, silence, close grace. */
  function sweepOne(ws: HubSocket, now: number): void {
    const client = clientOf(ws);
    if (client.closing) {
      finishClose(ws);
      return;
    }
    if (!client.open) return;
    // A device installed on (or taken off) a scoped user's asset shows within this.
    if (client.visible !== undefined && client.principal && now - client.visibleAt >= SCOPE_REFRESH_MS)
      loadScope(client, client.principal).catch((err: unknown) =>
        faults.report('websocket', 'hub.scope', err),
      );
    if (client.backlog !== undefined) {
      if (now - client.lagSince > settings.maxLagMs) {
        tooSlow(ws, 'not catching up');
        return;
      }
      flushBacklog(ws);
    }
    const silentFor = now - client.heardAt;
    if (silentFor > silentCloseMs) {
      // A client that reads nothing answers no ping: it would hit uWS's idle timeout (a bare
      // 1006) next. Closed here with the hub's own code, counted apart from slow readers.
      closeSocket(ws, HUB_CLOSE.slowConsumer, 'unresponsive', 'too slow: no answer to pings');
    } else if (silentFor >= pingAfterMs && now - client.pingedAt >= pingAfterMs) {
      client.pingedAt = now;
      ws.ping();
    }
  }
  const guardedSweepOne = guard(faults, 'timer', 'hub.sweep', sweepOne);

  function sweep(): void {
    const now = Date.now();
    for (const ws of [...all]) guardedSweepOne(ws, now);
  }

  const socketsOf = (orgId: string): Iterable<HubSocket> => byOrg.get(orgId) ?? [];
  const forOrg = (orgId: string, deviceId: string, topic: string, frame: HubFrame, type: string) =>
    fanOutDeviceFrame(fanoutDeps, socketsOf(orgId), deviceId, topic, frame, type);
  const alertToOrg = (c: AlertChange) => fanOutAlert(fanoutDeps, socketsOf(c.alert.orgId), c);
  const jobToOrg = (change: JobChange) => fanOutJob(fanoutDeps, socketsOf(change.orgId), change);

  const unsubscribers = [
    deps.bus.subscribe('alert', guard(faults, 'bus', 'hub.alert', alertToOrg)),
    deps.bus.subscribe('job', guard(faults, 'bus', 'hub.job', jobToOrg)),
    deps.bus.subscribe(
      'position',
      guard(faults, 'bus', 'hub.position', (p: PositionEvent) => {
        if (!byOrg.has(p.tenant)) return;
        fleets.get(p.tenant)?.update(p);
        let byDevice = pending.get(p.tenant);
        if (!byDevice) {
          byDevice = new Map();
          pending.set(p.tenant, byDevice);
        }
        byDevice.set(p.deviceId, p);
      }),
    ),
    deps.bus.subscribe(
      'status',
      guard(faults, 'bus', 'hub.status', (s: DeviceStatusEvent) =>
        forOrg(
          s.tenant,
          s.deviceId,
          'status',
          { type: 'status', deviceId: s.deviceId, connection: s.status, at: s.at, reason: s.reason ?? null },
          'status',
        ),
      ),
    ),
    deps.bus.subscribe(
      'device-event',
      guard(faults, 'bus', 'hub.deviceEvent', (e: DeviceEventRecord) =>
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
    ),
  ];
  const ticker = guardedInterval(faults, 'hub.tick', settings.tickMs, tick);
  ticker.unref();
  const sweeper = guardedInterval(faults, 'hub.sweep', sweepMs, sweep);
  sweeper.unref();
  const clusterer = guardedInterval(faults, 'hub.clusters', clusterMs, clusterTick);
  clusterer.unref();

  /** The answer to an upgrade that failed before it upgraded: a 500, never a hanging request. */
  function refuseUpgrade(res: HttpResponse): void {
    try {
      res
        .writeStatus('500 Internal Server Error')
        .writeHeader('content-type', 'text/plain')
        .end('internal error', true);
    } catch {
      // Already upgraded or answered: uWS owns the connection now, nothing left to answer.
    }
  }

  app.ws<HubClient>('/ws', {
    maxPayloadLength: FRAME_LIMIT_BYTES,
    idleTimeout: 60,
    sendPingsAutomatically: true,
    // Our own bounds (coalesce, then close with 4008) decide about slow clients, not uWS's.
    maxBackpressure: settings.maxBufferBytes * 2,
    closeOnBackpressureLimit: false,
    upgrade: guard(
      faults,
      'websocket',
      'hub.upgrade',
      (res: HttpResponse, req: HttpRequest, context: us_socket_context_t) => {
        // Upgraded at once, inside uWS's own callback; a token in the query is checked after
        // `open`. Upgrading later from a promise (res.cork(() => res.upgrade())) made uWS close
        // some fresh sockets without a close frame (uNetworking/uWebSockets#1928: cork() reads
        // the old HTTP state from memory the WebSocket now owns).
        const token = new URLSearchParams(req.getQuery() ?? '').get('token');
        const now = Date.now();
        res.upgrade<HubClient>(
          newClient(
            token === null || token === '' ? undefined : token,
            Buffer.from(res.getRemoteAddressAsText()).toString(),
            settings.clientMsgRate,
            now,
          ),
          req.getHeader('sec-websocket-key'),
          req.getHeader('sec-websocket-protocol'),
          req.getHeader('sec-websocket-extensions'),
          context,
        );
      },
      (_err, res) => refuseUpgrade(res),
    ),
    open: guard(
      faults,
      'websocket',
      'hub.open',
      (ws: HubSocket) => {
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
        client.timer = guardedTimeout(faults, 'hub.authGrace', settings.authGraceMs, () =>
          closeSocket(ws, HUB_CLOSE.unauthorized, 'unauthorized', 'no token: send {"op":"auth"} first'),
        );
        client.timer.unref();
      },
      (_err, ws) => {
        if (clients.has(ws)) closeSocket(ws, HUB_CLOSE.internalError, 'internal_error', 'the server failed');
        else ws.end(HUB_CLOSE.internalError, 'the server failed'); // no state: nothing else could close it
      },
    ),
    message: guard(
      faults,
      'websocket',
      'hub.message',
      (ws: HubSocket, data: ArrayBuffer, isBinary: boolean) => {
        const client = clientOf(ws);
        if (!client.open) return;
        client.heardAt = Date.now();
        if (data.byteLength > HUB_MAX_MESSAGE_BYTES) {
          metrics.badMessages.inc({ reason: 'too_big' });
          closeSocket(
            ws,
            HUB_CLOSE.messageTooBig,
            'too_big',
            `message too big: at most ${HUB_MAX_MESSAGE_BYTES} bytes`,
          );
          return;
        }
        if (!client.bucket.take()) {
          metrics.badMessages.inc({ reason: 'rate' });
          // Strikes are forgiven after 10 s without one: a long-lived console that bursts now
          // and then must not add up to 4029 over hours; a flood keeps striking.
          const now = Date.now();
          if (now - client.struckAt > 10_000) client.strikes = 0;
          client.struckAt = now;
          client.strikes++;
          if (client.strikes === 1)
            error(ws, 'rate_limited', `more than ${settings.clientMsgRate} messages/s`);
          if (client.strikes > settings.clientMsgRate * 5)
            closeSocket(ws, HUB_CLOSE.flood, 'flood', 'too many messages');
          return;
        }
        const parsed = parseClientMessage(data, isBinary);
        if (!parsed.ok) {
          metrics.badMessages.inc({ reason: 'invalid' });
          error(ws, 'bad_message', parsed.text);
          return;
        }
        handleMessage(ws, parsed.message);
      },
      (_err, ws) => error(ws, 'internal_error', 'the server could not handle this message'),
    ),
    pong: guard(faults, 'websocket', 'hub.pong', (ws: HubSocket) => {
      clientOf(ws).heardAt = Date.now();
    }),
    drain: guard(faults, 'websocket', 'hub.drain', (ws: HubSocket) => {
      if (clientOf(ws).closing) finishClose(ws);
      else flushBacklog(ws);
    }),
    close: guard(faults, 'websocket', 'hub.close', (ws: HubSocket, code: number, message: ArrayBuffer) => {
      const client = clientOf(ws);
      if (client.open && code === 1006) {
        // Closed by uWS itself, with no close frame: count why, the hub never saw the frame.
        const reason = UWS_CLOSES.get(Buffer.from(message).toString('latin1'));
        if (reason !== undefined) {
          metrics.closed.inc({ reason });
          if (reason === 'too_big' || reason === 'invalid_utf8') metrics.badMessages.inc({ reason });
        }
      }
      clients.delete(ws);
      client.open = false;
      client.closing = undefined;
      if (client.timer) clearTimeout(client.timer);
      all.delete(ws);
      metrics.clients.set(all.size);
      if (client.principal) {
        const set = byOrg.get(client.principal.orgId);
        set?.delete(ws);
        if (set?.size === 0) {
          byOrg.delete(client.principal.orgId);
          fleets.delete(client.principal.orgId);
        }
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
      clearInterval(sweeper);
      clearInterval(clusterer);
      for (const u of unsubscribers) u();
      // At once, not deferred like closeSocket: the server closes its sockets right after this
      // (app.close()), and a deferred close frame was never sent (clients saw 1006, not 1001).
      for (const ws of [...all]) {
        const client = clientOf(ws);
        if (client.open) metrics.closed.inc({ reason: 'shutdown' });
        client.open = false;
        try {
          ws.end(HUB_CLOSE.goingAway, 'server shutting down');
        } catch (err) {
          faults.report('websocket', 'hub.shutdown', err);
        }
      }
    },
  };
}
