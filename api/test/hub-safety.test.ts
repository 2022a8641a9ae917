// The hub's safety net and its own liveness bound, on a uWS app of the test's own with fake
// dependencies that fail on cue: every fault is counted in fleet_unexpected_errors_total and
// answered at its boundary, and the hub keeps serving everyone else.
import * as uws from 'uWebSockets.js';
import { connect as netConnect, type Socket } from 'node:net';
import type { LiveDeviceState, LiveStateStore } from '@fleet/ingest';
import {
  createFaultReporter,
  type DeviceStatusEvent,
  InProcessEventBus,
  type PositionEvent,
  silentLogger,
} from '@fleet/shared';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HubClient } from '../../test/api-support.ts';
import { ApiError } from '../src/http/errors.ts';
import type { Principal } from '../src/http/route.ts';
import { type Hub, type HubSettings, mountHub } from '../src/hub/hub.ts';
import { createApiMetrics } from '../src/metrics.ts';

const ORG = 'org-ok';
const BOOM_ORG = 'org-boom';

interface OwnHub {
  url: string;
  port: number;
  hub: Hub;
  bus: InProcessEventBus;
  registry: Registry;
  faultCount(site?: string): Promise<number>;
  metric(name: string, labels: string): Promise<number>;
  close(): void;
}

const principal = (orgId: string, userId = 'u1'): Principal => ({
  userId,
  orgId,
  role: 'viewer',
  sessionId: `s-${userId}`,
  expiresAt: Date.now() + 3_600_000,
});

function deviceState(tenant: string, deviceId: string): LiveDeviceState {
  return {
    tenant,
    deviceId,
    position: undefined,
    latest: undefined,
    lastSeenAt: undefined,
    status: 'unknown',
    statusAt: undefined,
  };
}

async function startOwnHub(settings: Partial<HubSettings> = {}): Promise<OwnHub> {
  const registry = new Registry();
  const faults = createFaultReporter({ log: silentLogger(), registry });
  const bus = new InProcessEventBus((err, topic) => faults.report('bus', topic, err));
  const liveState: LiveStateStore = {
    applyTelemetry: async () => [],
    applyStatus: async () => {},
    get: async (deviceId) => deviceState(ORG, deviceId),
    // Throws synchronously, not a rejection: the hub must not care which.
    list: (tenant) => {
      if (tenant === BOOM_ORG) throw new Error('injected: live state list');
      return Promise.resolve([deviceState(tenant, 'dev-1')]);
    },
    listAll: async () => [deviceState(ORG, 'dev-1')],
  };
  const app = uws.App();
  // The hub only reads the query and headers of an upgrade: `?fail_upgrade` makes reading it throw.
  const hostile = {
    ws: (pattern: string, behavior: uws.WebSocketBehavior<unknown>) =>
      app.ws(pattern, {
        ...behavior,
        upgrade: (res, req, context) => {
          const query = req.getQuery() ?? '';
          const headers = ['sec-websocket-key', 'sec-websocket-protocol', 'sec-websocket-extensions'];
          const copied = new Map(headers.map((h) => [h, req.getHeader(h)]));
          const fakeReq = {
            getQuery: () => {
              if (query.includes('fail_upgrade')) throw new Error('injected: upgrade');
              return query;
            },
            getHeader: (h: string) => copied.get(h) ?? '',
          } as unknown as uws.HttpRequest;
          behavior.upgrade?.(res, fakeReq, context);
        },
      }),
  } as unknown as uws.TemplatedApp;
  const hub = mountHub(hostile, {
    bus,
    liveState,
    authenticate: (token) => {
      if (token === 'boom') throw new Error('injected: authenticate'); // synchronously
      if (token.startsWith('org:')) return Promise.resolve(principal(token.slice(4)));
      return Promise.reject(new ApiError('unauthorized'));
    },
    deviceVisible: async (_orgId, deviceId) => {
      if (deviceId === 'dev-boom') throw new Error('injected: device lookup');
      return deviceId.startsWith('dev-');
    },
    metrics: createApiMetrics(registry).hub,
    log: silentLogger(),
    faults,
    settings: {
      tickMs: 20,
      coalesceBytes: 256 * 1024,
      maxBufferBytes: 4 * 1024 * 1024,
      maxLagMs: 15_000,
      clientMsgRate: 100,
      offlineAfterMs: 60_000,
      authGraceMs: 10_000,
      ...settings,
    },
  });
  const listen = await new Promise<uws.us_listen_socket>((resolve, reject) =>
    app.listen('127.0.0.1', 0, (s) => (s ? resolve(s) : reject(new Error('no port')))),
  );
  const port = uws.us_socket_local_port(listen as unknown as uws.us_socket);
  const sum = async (name: string, filter: (labels: string) => boolean) => {
    const text = await registry.getSingleMetricAsString(name);
    return [...text.matchAll(new RegExp(`^${name}\\{([^}]*)\\} (\\d+)`, 'gm'))]
      .filter((m) => filter(m[1] ?? ''))
      .reduce((n, m) => n + Number(m[2]), 0);
  };
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    hub,
    bus,
    registry,
    faultCount: (site) =>
      sum('fleet_unexpected_errors_total', (l) => site === undefined || l.includes(`site="${site}"`)),
    metric: (name, labels) => sum(name, (l) => l === labels),
    close() {
      hub.close();
      uws.us_listen_socket_close(listen);
      app.close();
    },
  };
}

function position(tenant: string, deviceId: string, lat: number): PositionEvent {
  const now = Date.now();
  return {
    tenant,
    deviceId,
    ts: now,
    receivedAt: now,
    lat,
    lon: 24,
    speedKmh: 10,
    headingDeg: 0,
    ignition: true,
    seq: 1,
  };
}

/** A client of ORG that must keep working whatever the others do. */
async function expectServing(h: OwnHub): Promise<void> {
  const c = new HubClient(h.url, `org:${ORG}`);
  try {
    c.send({ op: 'subscribe', topics: ['positions'] });
    await c.next('snapshot');
    c.send({ op: 'ping' });
    await c.next('pong');
    const lat = 60 + Math.random();
    h.bus.publish('position', position(ORG, 'dev-1', lat));
    await c.next('positions', (f) => f.positions.some((p) => p.lat === lat));
  } finally {
    c.close();
  }
}

describe('the safety net', () => {
  let h: OwnHub;
  beforeAll(async () => {
    h = await startOwnHub();
  });
  afterAll(() => h?.close());

  it('an authenticate that throws synchronously is counted and closes that socket with 1011', async () => {
    const c = new HubClient(h.url, 'boom');
    await c.closed;
    expect(c.closeCode).toBe(1011);
    expect(await h.faultCount('hub.authenticate')).toBe(1);
    // The same through {"op":"auth"}.
    const d = new HubClient(h.url);
    d.send({ op: 'auth', token: 'boom' });
    await d.closed;
    expect(d.closeCode).toBe(1011);
    expect(await h.faultCount('hub.authenticate')).toBe(2);
    // A wrong token is no fault: 4001 as always.
    const e = new HubClient(h.url, 'wrong');
    await e.closed;
    expect(e.closeCode).toBe(4001);
    expect(await h.faultCount('hub.authenticate')).toBe(2);
    await expectServing(h);
  });

  it('a device lookup that rejects is counted, answered with internal_error, and the socket stays open', async () => {
    const before = await h.faultCount('hub.onMessage');
    const c = new HubClient(h.url, `org:${ORG}`);
    c.send({ op: 'subscribe', topics: ['device:dev-boom'] });
    const err = await c.next('error');
    expect(err).toMatchObject({ code: 'internal_error' });
    expect(await h.faultCount('hub.onMessage')).toBe(before + 1);
    c.send({ op: 'ping' });
    await c.next('pong');
    expect(c.closeCode).toBeUndefined();
    c.close();
    await expectServing(h);
  });

  it('a live-state list that throws is counted and answered, and the socket stays open', async () => {
    const before = await h.faultCount('hub.onMessage');
    const c = new HubClient(h.url, `org:${BOOM_ORG}`);
    c.send({ op: 'subscribe', topics: ['positions'] });
    await c.next('subscribed');
    expect((await c.next('error')).code).toBe('internal_error');
    expect(await h.faultCount('hub.onMessage')).toBe(before + 1);
    c.send({ op: 'ping' });
    await c.next('pong');
    c.close();
    await expectServing(h);
  });

  it('a throw while upgrading answers 500 and is counted; the next upgrade works', async () => {
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = netConnect(h.port, '127.0.0.1', () =>
        socket.write(
          'GET /ws?fail_upgrade HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n',
        ),
      );
      let text = '';
      socket.on('data', (d) => {
        text += d.toString('latin1');
      });
      socket.on('close', () => resolve(text));
      socket.on('error', reject);
      setTimeout(() => {
        socket.destroy();
        resolve(text);
      }, 3_000);
    });
    expect(answer).toMatch(/^HTTP\/1\.1 500 /);
    expect(await h.faultCount('hub.upgrade')).toBe(1);
    await expectServing(h);
  });

  it('a bus event that cannot be sent is counted and dropped; events after it are delivered', async () => {
    const c = new HubClient(h.url, `org:${ORG}`);
    c.send({ op: 'subscribe', topics: ['status'] });
    await c.next('snapshot');
    const poison = {
      tenant: ORG,
      deviceId: 'dev-1',
      status: 'online',
      at: 10n,
    } as unknown as DeviceStatusEvent;
    h.bus.publish('status', poison);
    expect(await h.faultCount('hub.status')).toBe(1);
    h.bus.publish('status', { tenant: ORG, deviceId: 'dev-2', status: 'offline', at: Date.now() });
    await c.next('status', (f) => f.deviceId === 'dev-2');
    c.close();
  });

  it('a position that cannot be serialised costs its own tick only, not every tick after it', async () => {
    const c = new HubClient(h.url, `org:${ORG}`);
    c.send({ op: 'subscribe', topics: ['positions'] });
    await c.next('snapshot');
    const poison = { ...position(ORG, 'dev-bad', 60), ts: 10n } as unknown as PositionEvent;
    h.bus.publish('position', poison);
    await expect.poll(() => h.faultCount('hub.tick'), { timeout: 5_000 }).toBe(1);
    // Left pending, it would fail every tick from now on and no position would ever arrive.
    h.bus.publish('position', position(ORG, 'dev-1', 61.5));
    await c.next('positions', (f) => f.positions.some((p) => p.lat === 61.5));
    expect(await h.faultCount('hub.tick')).toBe(1);
    c.close();
  });
});

/** Frames a server sent (unmasked), parsed from raw bytes; stops at an incomplete one. */
function parseFrames(buf: Buffer): { opcode: number; payload: Buffer }[] {
  const frames: { opcode: number; payload: Buffer }[] = [];
  let at = 0;
  while (at + 2 <= buf.length) {
    const opcode = (buf[at] as number) & 0x0f;
    let len = (buf[at + 1] as number) & 0x7f;
    let head = 2;
    if (len === 126) {
      if (at + 4 > buf.length) break;
      len = buf.readUInt16BE(at + 2);
      head = 4;
    } else if (len === 127) {
      if (at + 10 > buf.length) break;
      len = Number(buf.readBigUInt64BE(at + 2));
      head = 10;
    }
    if (at + head + len > buf.length) break;
    frames.push({ opcode, payload: buf.subarray(at + head, at + head + len) });
    at += head + len;
  }
  return frames;
}

/** Upgrades with the token in the query, then reads nothing at all (not even pings). */
function deafClient(port: number, token: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = netConnect(port, '127.0.0.1', () => {
      socket.write(
        `GET /ws?token=${encodeURIComponent(token)} HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n`,
      );
      socket.once('data', (response) => {
        if (!response.toString('latin1').startsWith('HTTP/1.1 101')) reject(new Error('no upgrade'));
        socket.pause();
        resolve(socket);
      });
    });
    socket.once('error', reject);
  });
}

describe('a client that stops reading, with nothing to send it', () => {
  it('is pinged, closed with 4008 by the hub before uWS would time it out, and counted', async () => {
    const h = await startOwnHub({ pingAfterMs: 300, silentCloseMs: 1_500 });
    try {
      const deaf = await deafClient(h.port, `org:${ORG}`);
      // A client that reads answers the hub's pings (ws and browsers do it by themselves).
      const alive = new HubClient(h.url, `org:${ORG}`);
      await alive.next('hello');
      await expect.poll(() => h.hub.clientCount()).toBe(2);
      await expect
        .poll(() => h.metric('fleet_ws_closed_total', 'reason="unresponsive"'), { timeout: 5_000 })
        .toBe(1);
      expect(h.hub.clientCount()).toBe(1);
      alive.send({ op: 'ping' });
      await alive.next('pong');
      expect(alive.closeCode).toBeUndefined();
      // Had it come back to read, it would find the hub's pings and then the close frame.
      const received: Buffer[] = [];
      deaf.on('data', (d: Buffer) => received.push(d));
      deaf.resume();
      await expect
        .poll(() => parseFrames(Buffer.concat(received)).some((f) => f.opcode === 0x8), { timeout: 5_000 })
        .toBe(true);
      const frames = parseFrames(Buffer.concat(received));
      expect(frames.some((f) => f.opcode === 0x9)).toBe(true);
      const close = frames.find((f) => f.opcode === 0x8);
      expect(close?.payload.readUInt16BE(0)).toBe(4008);
      expect(close?.payload.subarray(2).toString()).toBe('too slow: no answer to pings');
      deaf.destroy();
      alive.close();
      expect(await h.faultCount()).toBe(0);
    } finally {
      h.close();
    }
  });
});

describe('shutting down', () => {
  it('closes every socket with 1001', async () => {
    const h = await startOwnHub();
    const c = new HubClient(h.url, `org:${ORG}`);
    await c.next('hello');
    h.close();
    await c.closed;
    expect(c.closeCode).toBe(1001);
  });
});
