// The console's hub client (web/src/lib/live/hub-client.ts) in Node against the real hub: auth by
// message, subscribe and snapshot, positions from a real device over MQTT, the token renewed on
// the open socket, a 4001 answered with a fresh token and a resync, a session that ends, an
// unreachable hub, and a socket that goes silent (half-open) behind a TCP proxy.
import { createServer, type Server, type Socket, connect as tcpConnect } from 'node:net';
import { encodeTelemetryBatch } from '@fleet/proto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, TEST_PASSWORD, type TestApi } from '../../test/api-support.ts';
import { connectDevice, type TestDevice } from '../../test/support.ts';
import type { HubFrame } from '../src/lib/live/frames.ts';
import { LiveClient, type LiveClientOptions, type LiveState } from '../src/lib/live/hub-client.ts';
import { type ConsoleTab, consoleTab, signIn } from './session-support.ts';

let t: TestApi;
let device: TestDevice;
beforeAll(async () => {
  // Tokens of 3 s: renewals and expiry happen within a test.
  t = await startTestApi({ AUTH_ACCESS_TOKEN_TTL_S: 3, HUB_TICK_MS: 50 });
  device = await t.orgA.provision();
});
const clients: LiveClient[] = [];
afterAll(async () => {
  for (const c of clients) c.stop();
  await t?.close();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let seq = 1;
async function publish(lat: number): Promise<void> {
  const mqtt = await connectDevice(t.platform.service.mqttPort, device);
  try {
    await mqtt.publishAsync(
      `devices/${device.id}/telemetry`,
      Buffer.from(
        encodeTelemetryBatch([
          { seq: seq++, tsMs: Date.now(), lat, lon: 24.94, speedKmh: 30, headingDeg: 0 },
        ]),
      ),
      { qos: 1 },
    );
  } finally {
    await mqtt.endAsync();
  }
}

interface Watched {
  client: LiveClient;
  frames: HubFrame[];
  states: LiveState[];
  /** The wait announced before each retry, ms. */
  delays: number[];
  signedOut: number;
}

function watch(tab: ConsoleTab, options: Partial<LiveClientOptions> = {}, topics = ['positions']): Watched {
  const w = {
    frames: [] as HubFrame[],
    states: [] as LiveState[],
    delays: [] as number[],
    signedOut: 0,
  } as Watched;
  w.client = new LiveClient(
    {
      url: `${t.url.replace(/^http/, 'ws')}/ws`,
      token: (request) => tab.tokens.get(request),
      onFrame: (f) => w.frames.push(f),
      onStatus: (s) => {
        if (w.states.at(-1) !== s.state) w.states.push(s.state);
        if (s.retryAt !== undefined) w.delays.push(s.retryAt - Date.now());
      },
      onSignedOut: () => {
        w.signedOut++;
      },
      ...options,
    },
    topics,
  );
  clients.push(w.client);
  return w;
}

async function until(what: string, check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

const positionsOf = (w: Watched, lat: number) =>
  w.frames.some(
    (f) => f.type === 'positions' && f.positions.some((p) => p.deviceId === device.id && p.lat === lat),
  );

async function signedInTab(): Promise<ConsoleTab> {
  const tab = consoleTab(t.url);
  await signIn(tab, t.orgA.users.dispatcher.email, TEST_PASSWORD);
  return tab;
}

describe('the live client', () => {
  it('authenticates by message, subscribes, gets the snapshot first, then live positions', async () => {
    const w = watch(await signedInTab());
    w.client.start();
    await until('live', () => w.client.status.state === 'live');
    expect(w.states).toEqual(['connecting', 'live']);
    expect(w.frames.map((f) => f.type).slice(0, 3)).toEqual(['hello', 'subscribed', 'snapshot']);
    await publish(60.1);
    await until('the position', () => positionsOf(w, 60.1));
    expect(w.client.stats.framesRefused).toBe(0);
    // How old a frame is, on the hub's clock: fresh here; one stamped 10 s ago is 10 s old.
    const frame = w.frames.find((f) => f.type === 'positions');
    if (frame?.type !== 'positions') throw new Error('no positions frame');
    expect(w.client.ageOf(frame.at)).toBeLessThan(5_000);
    expect(w.client.ageOf(Date.now() - 10_000)).toBeGreaterThanOrEqual(9_000);
    w.client.stop();
    expect(w.client.ageOf(0)).toBe(0); // not connected: no age
    expect(w.client.status).toEqual({ state: 'offline', retryAt: undefined, reason: 'stopped' });
  });

  it('renews the token on the open socket, so the hub never closes it for expiry', async () => {
    const w = watch(await signedInTab());
    w.client.start();
    await until('live', () => w.client.status.state === 'live');
    await sleep(7000); // more than two token lifetimes
    expect(w.client.stats.renewals).toBeGreaterThanOrEqual(2);
    expect(w.client.stats.connects).toBe(1);
    expect(w.client.status.state).toBe('live');
    await publish(60.2);
    await until('the position', () => positionsOf(w, 60.2));
    w.client.stop();
  }, 20_000);

  it('comes back with a fresh token after a 4001 and resubscribes (snapshot again)', async () => {
    const tab = await signedInTab();
    const stale = tab.tokens.current() ?? '';
    await sleep(3100); // expired now, though this tab's clock believes otherwise:
    tab.tokens.set({ token: stale, expiresAt: Date.now() + 3_600_000 });
    const w = watch(tab, { backoff: { baseMs: 50, maxMs: 200 } });
    w.client.start();
    await until('live', () => w.client.status.state === 'live');
    expect(w.client.stats.connects).toBe(2);
    expect(w.states).toEqual(['connecting', 'reconnecting', 'live']);
    expect(tab.tokens.current()).not.toBe(stale);
    expect(w.frames.filter((f) => f.type === 'snapshot')).toHaveLength(1);
    // Dropped by the network: back on its own with the same subscriptions and a new snapshot.
    w.client.setOnline(false);
    expect(w.client.status.state).toBe('offline');
    w.client.setOnline(true);
    await until('live again', () => w.client.status.state === 'live' && w.client.stats.connects === 3);
    expect(w.frames.filter((f) => f.type === 'snapshot')).toHaveLength(2);
    w.client.stop();
  });

  it('stops and says so when the session has ended', async () => {
    const tab = await signedInTab();
    const w = watch(tab, { backoff: { baseMs: 50, maxMs: 200 } });
    w.client.start();
    await until('live', () => w.client.status.state === 'live');
    // Signed out elsewhere: the hub closes this session's sockets, the refresh is refused.
    await t.request('POST', '/api/v1/auth/logout', { token: tab.tokens.current() ?? '' });
    await until('signed out', () => w.signedOut === 1);
    expect(w.client.status).toMatchObject({ state: 'offline', reason: 'signed out' });
    expect(tab.ended).toBe(1);
    const connects = w.client.stats.connects;
    await sleep(500);
    expect(w.client.stats.connects).toBe(connects);
  });

  it('keeps retrying with growing delays while the hub cannot be reached', async () => {
    const tab = await signedInTab();
    const w = watch(tab, { url: 'ws://127.0.0.1:9/ws', backoff: { baseMs: 40, maxMs: 400 } });
    w.client.start();
    await until('six attempts', () => w.client.stats.connects >= 6);
    expect(w.client.status.state).toBe('reconnecting');
    expect(w.client.status.retryAt).toBeGreaterThan(Date.now() - 1);
    expect(w.states[0]).toBe('connecting');
    expect(new Set(w.states.slice(1))).toEqual(new Set(['reconnecting']));
    // Equal jitter: each wait is at least the previous one, and never above the cap.
    const delays = w.delays.slice(0, 4);
    expect(delays[0]).toBeGreaterThanOrEqual(15);
    for (let i = 1; i < delays.length; i++)
      expect(delays[i]).toBeGreaterThanOrEqual((delays[i - 1] ?? 0) - 5);
    expect(Math.max(...w.delays)).toBeLessThanOrEqual(400);
    w.client.stop();
    const connects = w.client.stats.connects;
    await sleep(600);
    expect(w.client.stats.connects).toBe(connects);
  });
});

describe('a connection that goes silent', () => {
  let proxy: Server;
  let frozen = false;
  const sockets = new Set<Socket>();
  beforeAll(async () => {
    // A TCP proxy to the hub that can stop passing the hub's bytes on: a half-open connection,
    // as after a laptop sleeps or a mobile network switches.
    proxy = createServer((downstream) => {
      const upstream = tcpConnect(Number(new URL(t.url).port), '127.0.0.1');
      sockets.add(downstream).add(upstream);
      downstream.on('data', (d) => upstream.write(d));
      upstream.on('data', (d) => {
        if (!frozen) downstream.write(d);
      });
      const end = () => {
        downstream.destroy();
        upstream.destroy();
      };
      downstream.on('close', end).on('error', end);
      upstream.on('close', end).on('error', end);
    });
    await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
  });
  afterAll(() => {
    for (const s of sockets) s.destroy();
    proxy?.close();
  });

  it('is given up after 2.5 heartbeats without an answer, and replaced', async () => {
    const port = (proxy.address() as { port: number }).port;
    const w = watch(await signedInTab(), {
      url: `ws://127.0.0.1:${port}/ws`,
      heartbeatMs: 200,
      backoff: { baseMs: 50, maxMs: 100 },
    });
    w.client.start();
    await until('live', () => w.client.status.state === 'live');
    await sleep(700); // quiet, but pings are answered: still the first connection
    expect(w.client.stats.connects).toBe(1);
    expect(w.frames.some((f) => f.type === 'pong')).toBe(true);
    frozen = true;
    await until('given up', () => w.client.status.state === 'reconnecting', 3000);
    frozen = false;
    await until('live again', () => w.client.status.state === 'live' && w.client.stats.connects >= 2, 5000);
    w.client.stop();
  });
});
