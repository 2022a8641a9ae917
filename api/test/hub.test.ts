// The WebSocket hub with real parts: devices publish over MQTT to the real broker, users of
// two organisations listen on /ws of the real uWS server.
import { connect as netConnect, type Socket } from 'node:net';
import { encodeTelemetryBatch } from '@fleet/proto';
import type { HubFrame, LivePosition } from '@fleet/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HubClient, startTestApi, type TestApi } from '../../test/api-support.ts';
import { connectDevice, type TestDevice } from '../../test/support.ts';

let t: TestApi;
beforeAll(async () => {
  t = await startTestApi({ HUB_TICK_MS: 50, HUB_CLIENT_MSG_RATE: 20 });
});
afterAll(async () => {
  await t?.close();
});

let seq = 1;
async function publishPosition(
  device: TestDevice,
  lat: number,
  lon: number,
  tsMs = Date.now(),
): Promise<void> {
  const client = await connectDevice(t.platform.service.mqttPort, device);
  try {
    await client.publishAsync(
      `devices/${device.id}/telemetry`,
      Buffer.from(
        encodeTelemetryBatch([{ seq: seq++, tsMs, lat, lon, speedKmh: 42, headingDeg: 90, ignition: true }]),
      ),
      { qos: 1 },
    );
  } finally {
    await client.endAsync();
  }
}

const positionOf = (deviceId: string) => (f: { positions: LivePosition[] }) =>
  f.positions.some((p) => p.deviceId === deviceId);

describe('connecting', () => {
  it('accepts the token in the query or in the first message, and says hello', async () => {
    const a = new HubClient(t.url, t.orgA.users.viewer.token);
    const hello = await a.next('hello');
    expect(hello).toMatchObject({ orgId: t.orgA.id, role: 'viewer', userId: t.orgA.users.viewer.id });
    a.close();
    const b = new HubClient(t.url);
    await b.opened;
    b.send({ op: 'subscribe', topics: ['positions'] });
    expect((await b.next('error')).code).toBe('unauthorized');
    b.send({ op: 'auth', token: t.orgA.users.dispatcher.token });
    expect((await b.next('hello')).role).toBe('dispatcher');
    b.close();
  });

  it('closes with 4001 on a bad token, and on a token that expires', async () => {
    const bad = new HubClient(t.url, 'not-a-token');
    await bad.closed;
    expect(bad.closeCode).toBe(4001);
    expect(bad.closeReason).toBe('invalid token');
    const short = await startTestApi({ AUTH_ACCESS_TOKEN_TTL_S: 2 });
    try {
      const c = new HubClient(short.url, short.orgA.users.viewer.token);
      await c.next('hello');
      await c.closed;
      expect(c.closeCode).toBe(4001);
      expect(c.closeReason).toMatch(/expired/);
    } finally {
      await short.close();
    }
  });

  it('many sockets opened at once with a token in the query all stay open and answer', async () => {
    // Upgrading from a promise once made uWS drop some fresh sockets without a close frame.
    const clients = Array.from({ length: 40 }, () => new HubClient(t.url, t.orgA.users.viewer.token));
    for (const c of clients) c.send({ op: 'subscribe', topics: ['status'] }); // before the token is checked
    await Promise.all(clients.map((c) => c.next('subscribed')));
    await new Promise((r) => setTimeout(r, 300));
    for (const c of clients) c.send({ op: 'ping' });
    await Promise.all(clients.map((c) => c.next('pong')));
    expect(clients.map((c) => c.closeCode)).toEqual(clients.map(() => undefined));
    expect(clients.every((c) => c.frames[0]?.type === 'hello')).toBe(true);
    for (const c of clients) c.close();
  });

  it('logout closes the sockets of that session', async () => {
    const token = await t.login(t.orgA.users.mechanic.email);
    const c = new HubClient(t.url, token);
    await c.next('hello');
    await t.request('POST', '/api/v1/auth/logout', { token });
    await c.closed;
    expect(c.closeCode).toBe(4001);
  });
});

describe('live path', () => {
  it('a position published over MQTT reaches users of the same organisation, snapshot first', async () => {
    const device = await t.orgA.provision();
    await publishPosition(device, 60.1, 24.9, Date.now() - 5000);
    const a = new HubClient(t.url, t.orgA.users.viewer.token);
    a.send({ op: 'subscribe', topics: ['positions', 'status', 'events'] });
    const snapshot = await a.next('snapshot', (f) => f.topic === 'positions');
    const seen = snapshot.devices.find((d) => d.deviceId === device.id);
    expect(seen?.position).toMatchObject({
      lat: 60.1,
      lon: 24.9,
      speedKmh: 42,
      headingDeg: 90,
      status: 'moving',
    });
    const b = new HubClient(t.url, t.orgB.users.admin.token);
    b.send({ op: 'subscribe', topics: ['positions', 'status', 'events'] });
    const bSnapshot = await b.next('snapshot', (f) => f.topic === 'positions');
    expect(bSnapshot.devices.map((d) => d.deviceId)).not.toContain(device.id);

    await publishPosition(device, 60.2, 24.8);
    const frame = await a.next('positions', positionOf(device.id));
    expect(frame.positions.find((p) => p.deviceId === device.id)).toMatchObject({
      lat: 60.2,
      lon: 24.8,
      status: 'moving',
    });
    await a.next('status', (f) => f.deviceId === device.id && f.connection === 'offline');
    await a.next('event', (f) => f.event.deviceId === device.id && f.event.kind === 'CONNECTED');
    // The other organisation saw nothing of it, on any topic.
    await new Promise((r) => setTimeout(r, 300));
    expect(JSON.stringify(b.frames)).not.toContain(device.id);
    a.close();
    b.close();
  });

  it('device:{id} works for the own organisation and is not found for another', async () => {
    const device = await t.orgA.provision();
    const other = await t.orgA.provision();
    const a = new HubClient(t.url, t.orgA.users.viewer.token);
    a.send({ op: 'subscribe', topics: [`device:${device.id}`] });
    await a.next('subscribed');
    expect((await a.next('snapshot')).topic).toBe(`device:${device.id}`);
    await publishPosition(other, 60.3, 24.7);
    await publishPosition(device, 60.4, 24.6);
    const frame = await a.next('positions', positionOf(device.id));
    expect(frame.positions.map((p) => p.deviceId)).toEqual([device.id]);
    expect(
      a.frames.some((f) => f.type === 'positions' && f.positions.some((p) => p.deviceId === other.id)),
    ).toBe(false);
    const b = new HubClient(t.url, t.orgB.users.admin.token);
    b.send({ op: 'subscribe', topics: [`device:${device.id}`, 'device:no-such-device'] });
    const errors = [
      await b.next('error'),
      await b.next('error', (f) => f.message.includes('no-such-device')),
    ];
    expect(errors.map((e) => e.code)).toEqual(['not_found', 'not_found']);
    expect(errors[0]?.message).toBe(`no device ${device.id}`);
    await publishPosition(device, 60.5, 24.5);
    await new Promise((r) => setTimeout(r, 300));
    expect(b.frames.some((f) => f.type === 'positions' || f.type === 'snapshot')).toBe(false);
    a.close();
    b.close();
  });
});

describe('bad clients', () => {
  it('answers bad messages with an error frame and stays open', async () => {
    const c = new HubClient(t.url, t.orgA.users.viewer.token);
    await c.next('hello');
    for (const bad of [
      'not json',
      '{"op":"subscribe"}',
      '{"op":"subscribe","topics":["../etc"]}',
      '{"op":"explode"}',
      '{"op":"ping","x":1}',
      '[]',
    ]) {
      c.send(bad);
    }
    await expect.poll(() => c.frames.filter((f) => f.type === 'error').length, { timeout: 10_000 }).toBe(6);
    expect(
      c.frames
        .filter((f): f is Extract<HubFrame, { type: 'error' }> => f.type === 'error')
        .every((f) => f.code === 'bad_message'),
    ).toBe(true);
    c.send({ op: 'ping' });
    await c.next('pong');
    expect(c.closeCode).toBeUndefined();
    c.close();
  });

  it('a flood of messages is rate-limited, then closed with 4029', async () => {
    const c = new HubClient(t.url, t.orgA.users.viewer.token);
    await c.next('hello');
    for (let i = 0; i < 1000 && c.closeCode === undefined; i++) c.send({ op: 'ping' });
    await c.closed;
    expect(c.closeCode).toBe(4029);
    expect(c.frames.some((f) => f.type === 'error' && f.code === 'rate_limited')).toBe(true);
    // Others are unaffected.
    const d = new HubClient(t.url, t.orgA.users.viewer.token);
    d.send({ op: 'ping' });
    await d.next('pong');
    d.close();
  });
});

/** A WebSocket client that completes the handshake and then never reads its socket. */
function stuckClient(url: string, token: string): Promise<Socket> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = netConnect({ host: hostname, port: Number(port) }, () => {
      socket.write(
        `GET /ws?token=${encodeURIComponent(token)} HTTP/1.1\r\nHost: ${hostname}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n`,
      );
      socket.once('data', (response) => {
        if (!response.toString('latin1').startsWith('HTTP/1.1 101')) {
          reject(new Error(`no upgrade: ${response.toString('latin1').slice(0, 80)}`));
          return;
        }
        // A masked client frame: {"op":"subscribe","topics":["positions"]}
        const payload = Buffer.from('{"op":"subscribe","topics":["positions"]}');
        const mask = Buffer.from([1, 2, 3, 4]);
        const masked = Buffer.from(payload.map((b, i) => b ^ (mask[i % 4] as number)));
        socket.write(Buffer.concat([Buffer.from([0x81, 0x80 | payload.length]), mask, masked]));
        // Read until the subscription is confirmed, then never read again.
        let seen = response.toString('latin1');
        const untilSubscribed = (chunk?: Buffer) => {
          if (chunk) seen += chunk.toString('latin1');
          if (!seen.includes('"type":"subscribed"')) return;
          socket.off('data', untilSubscribed);
          socket.pause();
          resolve(socket);
        };
        socket.on('data', untilSubscribed);
        untilSubscribed();
      });
    });
    socket.once('error', reject);
  });
}

describe('slow consumer', () => {
  it('a client that never reads is coalesced and then closed, while another keeps up', async () => {
    const slowApi = await startTestApi({
      HUB_TICK_MS: 20,
      HUB_COALESCE_BYTES: 64 * 1024,
      HUB_MAX_BUFFER_BYTES: 512 * 1024,
      HUB_MAX_LAG_S: 2,
    });
    const slowClosed = async () =>
      /fleet_ws_closed_total\{reason="slow_consumer"\} 1/.test(
        (await slowApi.request('GET', '/metrics')).text,
      );
    try {
      const stuck = await stuckClient(slowApi.url, slowApi.orgA.users.viewer.token);
      // The stuck side never reads, so it would not even see the server close: ask the server.
      let stuckGone = false;
      const live = new HubClient(slowApi.url, slowApi.orgA.users.dispatcher.token);
      live.send({ op: 'subscribe', topics: ['positions'] });
      await live.next('snapshot');
      // Which rounds the live client saw (a round's number rides in the latitude).
      const roundsSeen = new Set<number>();
      live.socket.on('message', (data) => {
        const frame = JSON.parse(data.toString()) as HubFrame;
        if (frame.type === 'positions')
          for (const p of frame.positions) roundsSeen.add(Math.round((p.lat - 60) * 1e4));
      });
      // Positions straight onto the platform's bus (the MQTT path is covered above): 1,000
      // devices a round make ~130 KB frames, enough to fill the stuck socket's kernel buffers
      // (several MB on loopback) within seconds.
      const ids = Array.from({ length: 1000 }, (_, i) => `slow-${i}`);
      let round = 0;
      const deadline = Date.now() + 20_000;
      while (!stuckGone && Date.now() < deadline) {
        round++;
        const ts = Date.now();
        for (const deviceId of ids) {
          slowApi.platform.bus.publish('position', {
            tenant: slowApi.orgA.id,
            deviceId,
            ts,
            receivedAt: ts,
            lat: 60 + round * 1e-4,
            lon: 24,
            speedKmh: 30,
            headingDeg: 180,
            ignition: true,
            seq: round,
          });
        }
        await new Promise((r) => setTimeout(r, 25));
        if (round % 20 === 0) stuckGone = await slowClosed();
      }
      if (!stuckGone)
        console.log(
          (await slowApi.request('GET', '/metrics')).text
            .split('\n')
            .filter((l) => l.startsWith('fleet_ws'))
            .join('\n'),
        );
      expect(stuckGone, 'the stuck client was closed').toBe(true);
      const metrics = (await slowApi.request('GET', '/metrics')).text;
      expect(metrics).toMatch(/fleet_ws_frames_dropped_total\{reason="coalesced"\} [1-9]/);
      expect(metrics).toMatch(/fleet_ws_clients 1\n/);
      expect(live.closeCode).toBeUndefined();
      // The reading client kept up the whole time: it saw (nearly) every round. Latency
      // figures are measured in bench/ (npm run bench:hub), not asserted here.
      await expect.poll(() => roundsSeen.has(round), { timeout: 10_000 }).toBe(true);
      expect(roundsSeen.size).toBeGreaterThanOrEqual(Math.floor(round * 0.9));
      live.close();
      stuck.destroy();
    } finally {
      await slowApi.close();
    }
  }, 60_000);
});
