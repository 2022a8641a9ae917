// Viewports and compact frames on a real uWS hub of the test's own (in-process bus, live state
// in memory): in-box positions arrive, out-of-box ones become cluster counts, a viewport change
// sends the redraw, two organisations and a department scope stay apart, columns decode to the
// same positions as JSON, and generated garbage is answered with errors while others are served.
import * as uws from 'uWebSockets.js';
import type { LiveDeviceState, LiveStateStore } from '@fleet/ingest';
import {
  columnsToPositions,
  createFaultReporter,
  type HubFrame,
  InProcessEventBus,
  type LivePosition,
  type PositionEvent,
  silentLogger,
} from '@fleet/shared';
import fc from 'fast-check';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { HubClient } from '../../test/api-support.ts';
import { fuzzParameters } from '../../test/fuzz.ts';
import { ApiError } from '../src/http/errors.ts';
import type { Principal } from '../src/http/route.ts';
import { type Hub, mountHub } from '../src/hub/hub.ts';
import { createApiMetrics } from '../src/metrics.ts';

const ORG_A = 'org-a';
const ORG_B = 'org-b';
/** Helsinki centre: the box the tests look at. */
const BOX: [number, number, number, number] = [24.9, 60.15, 25.0, 60.2];
const SCOPED_DEVICES = new Set(['a-in-1', 'a-out-1']);

const principal = (orgId: string, userId: string, scoped = false): Principal => ({
  userId,
  orgId,
  role: 'dispatcher',
  sessionId: `s-${userId}`,
  expiresAt: Date.now() + 3_600_000,
  ...(scoped ? { scopeDepartmentId: 'dep-1' } : {}),
});

function event(tenant: string, deviceId: string, lon: number, lat: number, ts = Date.now()): PositionEvent {
  return {
    tenant,
    deviceId,
    ts,
    receivedAt: Date.now(),
    lat,
    lon,
    speedKmh: 30,
    headingDeg: 90,
    ignition: true,
    seq: 1,
  };
}

let url: string;
let hub: Hub;
let bus: InProcessEventBus;
let registry: Registry;
let stop: () => void;
const states = new Map<string, LiveDeviceState>();

function seed(p: PositionEvent): void {
  states.set(p.deviceId, {
    tenant: p.tenant,
    deviceId: p.deviceId,
    position: p,
    latest: undefined,
    lastSeenAt: p.receivedAt,
    status: 'online',
    statusAt: p.receivedAt,
  });
}

beforeAll(async () => {
  // Organisation A: two devices in the box, three out of it (one far away); B: one in the box.
  seed(event(ORG_A, 'a-in-1', 24.95, 60.17));
  seed(event(ORG_A, 'a-in-2', 24.96, 60.18));
  seed(event(ORG_A, 'a-out-1', 25.3, 60.3));
  seed(event(ORG_A, 'a-out-2', 25.31, 60.31));
  seed(event(ORG_A, 'a-far', -73.9, 40.7));
  seed(event(ORG_B, 'b-in-1', 24.951, 60.171));
  registry = new Registry();
  const faults = createFaultReporter({ log: silentLogger(), registry });
  bus = new InProcessEventBus((err, topic) => faults.report('bus', topic, err));
  const liveState: LiveStateStore = {
    applyTelemetry: async () => [],
    applyStatus: async () => {},
    get: async (id) => states.get(id),
    list: async (tenant) => [...states.values()].filter((s) => s.tenant === tenant),
    listAll: async () => [...states.values()],
  } as LiveStateStore;
  const app = uws.App();
  hub = mountHub(app, {
    bus,
    liveState,
    authenticate: async (token) => {
      const [orgId, userId, scoped] = token.split(':');
      if (!orgId || !userId) throw new ApiError('unauthorized');
      return principal(orgId, userId, scoped === 'scoped');
    },
    deviceVisible: async (orgId, id) => states.get(id)?.tenant === orgId,
    scopedDevices: async () => SCOPED_DEVICES,
    metrics: createApiMetrics(registry).hub,
    log: silentLogger(),
    faults,
    settings: {
      tickMs: 20,
      coalesceBytes: 256 * 1024,
      maxBufferBytes: 4 * 1024 * 1024,
      maxLagMs: 15_000,
      clientMsgRate: 10_000,
      offlineAfterMs: 60_000,
      authGraceMs: 10_000,
      clusterMs: 100,
    },
  });
  const listen = await new Promise<uws.us_listen_socket>((resolve, reject) =>
    app.listen('127.0.0.1', 0, (s) => (s ? resolve(s) : reject(new Error('no port')))),
  );
  url = `http://127.0.0.1:${uws.us_socket_local_port(listen as unknown as uws.us_socket)}`;
  stop = () => {
    hub.close();
    uws.us_listen_socket_close(listen);
    app.close();
  };
});
afterAll(() => stop?.());

type Frame<T extends HubFrame['type']> = Extract<HubFrame, { type: T }>;
const ids = (positions: readonly LivePosition[]) => positions.map((p) => p.deviceId).sort();

async function viewportClient(token: string, format?: 'json' | 'columns'): Promise<HubClient> {
  const c = new HubClient(url, token);
  c.send({ op: 'subscribe', topics: ['positions', 'status'], ...(format ? { format } : {}) });
  await c.next('snapshot', (f) => f.topic === 'positions');
  c.send({ op: 'viewport', bbox: BOX, zoom: 12 });
  await c.next('viewport');
  return c;
}

async function unexpectedErrors(): Promise<number> {
  const text = await registry.getSingleMetricAsString('fleet_unexpected_errors_total');
  return [...text.matchAll(/^fleet_unexpected_errors_total\{[^}]*\} (\d+)/gm)].reduce(
    (n, m) => n + Number(m[1]),
    0,
  );
}

describe('a viewport', () => {
  it('redraws with the devices in the box and counts the rest in clusters', async () => {
    const c = await viewportClient(`${ORG_A}:u1`);
    try {
      const redraw = await c.next('viewport');
      expect(redraw).toMatchObject({ bbox: BOX, zoom: 12 });
      expect(ids(redraw.positions)).toEqual(['a-in-1', 'a-in-2']);
      const clusters = await c.next('clusters');
      expect(clusters.total).toBe(3);
      expect(clusters.cells.reduce((n, x) => n + x.count, 0)).toBe(3);
      // The far device is a cell of its own, at its own position.
      expect(clusters.cells).toContainEqual({ lat: 40.7, lon: -73.9, count: 1 });
    } finally {
      c.close();
    }
  });

  it('gets positions inside the box at full rate, none from outside, and a full-fleet client gets all', async () => {
    const c = await viewportClient(`${ORG_A}:u2`);
    const all = new HubClient(url, `${ORG_A}:u3`);
    try {
      all.send({ op: 'subscribe', topics: ['positions'] });
      await all.next('snapshot');
      for (let i = 0; i < 5; i++) {
        bus.publish('position', event(ORG_A, 'a-in-1', 24.95 + i * 1e-4, 60.17));
        bus.publish('position', event(ORG_A, 'a-out-1', 25.3 + i * 1e-4, 60.3));
        await new Promise((r) => setTimeout(r, 30));
      }
      const lastLon = 24.95 + 4e-4;
      await c.next('positions', (f) => f.positions.some((p) => p.lon === lastLon));
      await all.next('positions', (f) => f.positions.some((p) => p.lon === lastLon));
      const seen = (client: HubClient) =>
        new Set(
          client.frames.flatMap((f) => (f.type === 'positions' ? f.positions.map((p) => p.deviceId) : [])),
        );
      expect([...seen(c)]).toEqual(['a-in-1']);
      expect([...seen(all)].sort()).toEqual(['a-in-1', 'a-out-1']);
      // Several frames, not one: the box does not slow what is in it.
      expect(c.frames.filter((f) => f.type === 'positions').length).toBeGreaterThanOrEqual(3);
    } finally {
      c.close();
      all.close();
    }
  });

  it('a device moving out of the box stops arriving and shows in the cluster counts', async () => {
    const c = await viewportClient(`${ORG_A}:u4`);
    try {
      const before = (await c.next('clusters')).total;
      bus.publish('position', event(ORG_A, 'a-in-2', 26.5, 61.5));
      await c.next('clusters', (f) => f.total === before + 1, 5_000);
      expect(c.frames.some((f) => f.type === 'positions')).toBe(false);
      bus.publish('position', event(ORG_A, 'a-in-2', 24.96, 60.18)); // back, for the other tests
      await c.next('positions', (f) => f.positions.some((p) => p.deviceId === 'a-in-2'));
    } finally {
      c.close();
    }
  });

  it('a viewport change sends the devices in the new box and fresh counts; null goes back to the fleet', async () => {
    const c = await viewportClient(`${ORG_A}:u5`);
    try {
      c.frames.length = 0;
      c.send({ op: 'viewport', bbox: [25.2, 60.25, 25.4, 60.35], zoom: 10 });
      const moved = await c.next('viewport');
      expect(ids(moved.positions)).toEqual(['a-out-1', 'a-out-2']);
      const clusters = await c.next('clusters');
      expect(clusters.zoom).toBe(10);
      expect(clusters.total).toBe(3);
      c.frames.length = 0;
      c.send({ op: 'viewport', bbox: null });
      const whole = await c.next('viewport');
      expect(whole).toMatchObject({ bbox: null, zoom: null });
      expect(ids(whole.positions)).toEqual(['a-far', 'a-in-1', 'a-in-2', 'a-out-1', 'a-out-2']);
      bus.publish('position', event(ORG_A, 'a-far', -73.91, 40.7));
      await c.next('positions', (f) => f.positions.some((p) => p.deviceId === 'a-far'));
    } finally {
      c.close();
    }
  });

  it('a box across the antimeridian takes both sides', async () => {
    const c = await viewportClient(`${ORG_A}:u6`);
    try {
      c.frames.length = 0;
      // 20..180 and -180..-80 east to west: Helsinki in, New York (-73.9) out.
      c.send({ op: 'viewport', bbox: [20, 30, -80, 70], zoom: 2 });
      const redraw = await c.next('viewport');
      expect(ids(redraw.positions)).toEqual(['a-in-1', 'a-in-2', 'a-out-1', 'a-out-2']);
      expect((await c.next('clusters')).total).toBe(1);
      c.frames.length = 0;
      c.send({ op: 'viewport', bbox: [20, 30, -70, 70], zoom: 2 });
      expect(ids((await c.next('viewport')).positions)).toContain('a-far');
    } finally {
      c.close();
    }
  });
});

describe('isolation', () => {
  it('keeps organisations apart in redraws, positions and clusters', async () => {
    const b = await viewportClient(`${ORG_B}:ub`);
    try {
      const redraw = await b.next('viewport');
      expect(ids(redraw.positions)).toEqual(['b-in-1']);
      expect((await b.next('clusters')).total).toBe(0);
      bus.publish('position', event(ORG_A, 'a-in-1', 24.9501, 60.17));
      bus.publish('position', event(ORG_B, 'b-in-1', 24.9511, 60.171));
      await b.next('positions', (f) => f.positions.some((p) => p.deviceId === 'b-in-1'));
      await new Promise((r) => setTimeout(r, 100));
      const foreign = b.frames.flatMap((f) =>
        f.type === 'positions' || f.type === 'viewport'
          ? f.positions.filter((p) => !p.deviceId.startsWith('b-'))
          : [],
      );
      expect(foreign).toEqual([]);
    } finally {
      b.close();
    }
  });

  it('a scoped user sees and counts only their departments, even with a viewport before any subscribe', async () => {
    const c = new HubClient(url, `${ORG_A}:us:scoped`);
    try {
      c.send({ op: 'viewport', bbox: BOX, zoom: 12 });
      const redraw = await c.next('viewport');
      expect(ids(redraw.positions)).toEqual(['a-in-1']);
      const clusters = await c.next('clusters');
      expect(clusters.total).toBe(1); // a-out-1 only: a-out-2 and a-far are not theirs
      c.send({ op: 'subscribe', topics: ['positions'] });
      await c.next('snapshot');
      bus.publish('position', event(ORG_A, 'a-in-2', 24.9601, 60.18));
      bus.publish('position', event(ORG_A, 'a-in-1', 24.9502, 60.17));
      await c.next('positions', (f) => f.positions.some((p) => p.deviceId === 'a-in-1'));
      await new Promise((r) => setTimeout(r, 100));
      const seen = c.frames.flatMap((f) =>
        f.type === 'positions' ? f.positions.map((p) => p.deviceId) : [],
      );
      expect(new Set(seen)).toEqual(new Set(['a-in-1']));
    } finally {
      c.close();
    }
  });
});

describe('compact frames', () => {
  it('columns decode to the same positions as the JSON frames of the same tick', async () => {
    const json = await viewportClient(`${ORG_A}:uj`);
    const cols = new WebSocket(`${url.replace('http', 'ws')}/ws?token=${ORG_A}:uc`);
    const raw: string[] = [];
    cols.on('message', (d) => raw.push(d.toString()));
    try {
      await new Promise((r) => cols.once('open', r));
      cols.send(JSON.stringify({ op: 'subscribe', topics: ['positions'], format: 'columns' }));
      cols.send(JSON.stringify({ op: 'viewport', bbox: BOX, zoom: 12 }));
      await expect.poll(() => raw.some((t) => t.includes('"type":"viewport"'))).toBe(true);
      const lon = 24.9503;
      bus.publish('position', event(ORG_A, 'a-in-1', lon, 60.17));
      bus.publish('position', event(ORG_A, 'a-in-2', 24.9603, 60.18));
      const fromJson = await json.next('positions', (f) => f.positions.some((p) => p.lon === lon));
      await expect.poll(() => raw.some((t) => t.includes('"cols"') && t.includes(String(lon)))).toBe(true);
      const frame = JSON.parse(raw.find((t) => t.includes('"cols"') && t.includes(String(lon))) as string);
      expect(frame.positions).toBeUndefined();
      expect(frame.at).toBe(fromJson.at);
      expect(columnsToPositions(frame.cols, frame.at)).toEqual(fromJson.positions);
    } finally {
      json.close();
      cols.close();
    }
  });
});

// ---- generated garbage ----

const coordinate = fc.oneof(
  fc.double(),
  fc.double({ min: -200, max: 200 }),
  fc.constantFrom(-180, 180, -90, 90, 0, -0, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY),
  fc.string({ maxLength: 5 }),
  fc.constant(null),
);
const bboxArb = fc.oneof(
  fc.array(coordinate, { minLength: 0, maxLength: 6 }),
  fc.tuple(coordinate, coordinate, coordinate, coordinate),
  fc.constant(null),
  fc.jsonValue({ maxDepth: 2 }),
);
const viewportMessage = fc.record(
  {
    op: fc.constantFrom('viewport', 'subscribe', 'viewport '),
    bbox: bboxArb,
    zoom: fc.oneof(
      fc.double(),
      fc.integer({ min: -5, max: 40 }),
      fc.string({ maxLength: 3 }),
      fc.constant(null),
    ),
    topics: fc.oneof(fc.constant(['positions']), fc.array(fc.string({ maxLength: 10 }), { maxLength: 3 })),
    format: fc.oneof(fc.constantFrom('json', 'columns', 'binary', ''), fc.integer()),
    extra: fc.jsonValue({ maxDepth: 1 }),
  },
  { requiredKeys: ['op'] },
);
/** JSON as text; NaN and the infinities written as JSON cannot carry them (as 1e999 and bare words). */
const messageText = viewportMessage.map((m) =>
  JSON.stringify(m, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? `__${v}__` : v))
    .replaceAll('"__NaN__"', 'NaN')
    .replaceAll('"__Infinity__"', '1e999')
    .replaceAll('"__-Infinity__"', '-1e999'),
);

describe('viewport and subscribe messages under generated input', () => {
  it('are answered with a frame each (never a throw), and the hub keeps serving another client', async () => {
    const { seed, runs } = fuzzParameters('hub viewport messages', 60);
    const good = await viewportClient(`${ORG_A}:ugood`);
    const faultsBefore = await unexpectedErrors();
    try {
      await fc.assert(
        fc.asyncProperty(fc.array(messageText, { minLength: 1, maxLength: 8 }), async (texts) => {
          const c = new HubClient(url, `${ORG_A}:ufuzz`);
          try {
            await c.next('hello');
            for (const t of texts) c.send(t);
            c.send({ op: 'ping' });
            await c.next('pong');
            // Every frame is a frame of the protocol; a refused message is a bad_message error.
            for (const f of c.frames) expect(typeof f.type).toBe('string');
            expect(c.closeCode).toBeUndefined();
          } finally {
            c.close();
          }
          const lon = 24.95 + Math.random() * 1e-3;
          bus.publish('position', event(ORG_A, 'a-in-1', lon, 60.17));
          await good.next('positions', (f) => f.positions.some((p) => p.lon === lon), 5_000);
          good.frames.splice(0, good.frames.length - 20);
        }),
        { seed, numRuns: runs },
      );
      expect(await unexpectedErrors()).toBe(faultsBefore);
      expect(good.closeCode).toBeUndefined();
    } finally {
      good.close();
    }
  }, 120_000);

  it('answers a hostile viewport with bad_message and counts it', async () => {
    const c = new HubClient(url, `${ORG_A}:ubad`);
    try {
      await c.next('hello');
      c.send('{"op":"viewport","bbox":[24,61,25,60],"zoom":3}');
      c.send('{"op":"viewport","bbox":[24,60,25,61],"zoom":99}');
      c.send('{"op":"viewport","bbox":[24,60,1e999,61],"zoom":3}');
      c.send('{"op":"viewport","bbox":[24,60,25,61]}');
      await expect.poll(() => c.frames.filter((f) => f.type === 'error').length).toBe(4);
      const errors = c.frames.filter((f): f is Frame<'error'> => f.type === 'error');
      expect(errors.every((e) => e.code === 'bad_message')).toBe(true);
      expect(errors[0]?.message).toMatch(/south/);
      expect(errors[1]?.message).toMatch(/zoom/);
      const text = await registry.getSingleMetricAsString('fleet_ws_bad_messages_total');
      expect(text).toMatch(/reason="invalid"\} [1-9]/);
      c.send('x'.repeat(17 * 1024));
      await c.closed;
      expect(c.closeCode).toBe(1009);
    } finally {
      c.close();
    }
  });
});
