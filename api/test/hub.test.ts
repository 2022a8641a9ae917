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

  it('closes with 1001 when the API shuts down', async () => {
    const other = await startTestApi();
    const c = new HubClient(other.url, other.orgA.users.viewer.token);
    await c.next('hello');
    await other.close();
    await c.closed;
    expect(c.closeCode).toBe(1001);
    expect(c.closeReason).toBe('server shutting down');
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
      const round = await pumpPositions(slowApi, slowClosed, 20_000, 20).catch(() => 0);
      stuckGone = round > 0;
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
      // It cannot read a close frame behind megabytes it does not read: after the close grace
      // (2 s) it is dropped without one, and only the reading client is left.
      await expect
        .poll(async () => (await slowApi.request('GET', '/metrics')).text, { timeout: 5_000 })
        .toMatch(/fleet_ws_clients 1\n/);
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

/** Sum of a metric's series whose labels are exactly `labels`, in the platform's registry. */
async function metricOf(api: TestApi, name: string, labels: string): Promise<number> {
  const text = await api.platform.metrics.getSingleMetricAsString(name);
  const line = text.split('\n').find((l) => l.startsWith(`${name}{${labels}} `));
  return line === undefined ? 0 : Number(line.split(' ')[1]);
}

/**
 * Publishes rounds of positions of 1,000 devices straight onto the bus (a round's number rides in
 * the latitude) until `stop()` says so, asked every `checkEvery` rounds; returns the last round.
 */
async function pumpPositions(
  api: TestApi,
  stop: () => Promise<boolean>,
  maxMs = 20_000,
  checkEvery = 1,
): Promise<number> {
  const ids = Array.from({ length: 1000 }, (_, i) => `slow-${i}`);
  const deadline = Date.now() + maxMs;
  let round = 0;
  while (Date.now() < deadline) {
    round++;
    const ts = Date.now();
    for (const deviceId of ids) {
      api.platform.bus.publish('position', {
        tenant: api.orgA.id,
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
    if (round % checkEvery === 0 && (await stop())) return round;
  }
  throw new Error(`not stopped within ${maxMs} ms`);
}

describe('slow reader', () => {
  it('a client that reads slowly but does read gets the close frame 4008 after its frames', async () => {
    const slowApi = await startTestApi({
      HUB_TICK_MS: 20,
      HUB_COALESCE_BYTES: 64 * 1024,
      HUB_MAX_BUFFER_BYTES: 512 * 1024,
      HUB_MAX_LAG_S: 2,
    });
    try {
      const slow = new HubClient(slowApi.url, slowApi.orgA.users.viewer.token);
      slow.send({ op: 'subscribe', topics: ['positions'] });
      await slow.next('snapshot');
      // The ws client's own TCP socket, paused: it reads nothing for a while, like a client on
      // a congested link or a busy tab, then catches up.
      const tcp = (slow.socket as unknown as { _socket: Socket })._socket;
      tcp.pause();
      await pumpPositions(
        slowApi,
        async () => (await metricOf(slowApi, 'fleet_ws_closed_total', 'reason="slow_consumer"')) === 1,
      );
      tcp.resume();
      await slow.closed;
      expect(slow.closeCode).toBe(4008);
      expect(slow.closeReason).toMatch(/^too slow: /);
      // It read everything that was queued before the close frame.
      expect(slow.frames.filter((f) => f.type === 'positions').length).toBeGreaterThan(0);
      expect(
        await metricOf(slowApi, 'fleet_unexpected_errors_total', 'boundary="websocket",site="hub.send"'),
      ).toBe(0);
    } finally {
      await slowApi.close();
    }
  }, 60_000);
});

/** A masked client frame (RFC 6455 5.2), as raw bytes. */
function clientFrame(opcode: number, payload: Buffer, fin = true): Buffer {
  const mask = Buffer.from([0x11, 0x22, 0x33, 0x44]);
  const masked = Buffer.from(payload.map((b, i) => b ^ (mask[i % 4] as number)));
  const first = (fin ? 0x80 : 0) | opcode;
  const len = payload.length;
  const head =
    len < 126
      ? Buffer.from([first, 0x80 | len])
      : Buffer.from([first, 0x80 | 126, (len >> 8) & 0xff, len & 0xff]);
  return Buffer.concat([head, mask, masked]);
}

/** Upgrades a raw TCP connection with a token; returns it and everything it receives. */
function rawHubSocket(
  url: string,
  token: string,
): Promise<{ socket: Socket; received: () => Buffer; closed: Promise<void> }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const socket = netConnect({ host: hostname, port: Number(port) }, () =>
      socket.write(
        `GET /ws?token=${encodeURIComponent(token)} HTTP/1.1\r\nHost: ${hostname}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n`,
      ),
    );
    const closed = new Promise<void>((r) => socket.once('close', () => r()));
    socket.on('error', () => {});
    socket.on('data', (d: Buffer) => {
      chunks.push(d);
      const all = Buffer.concat(chunks);
      if (all.length >= 12 && !all.toString('latin1', 0, 12).startsWith('HTTP/1.1 101'))
        reject(new Error(`no upgrade: ${all.toString('latin1', 0, 80)}`));
      const end = all.indexOf('\r\n\r\n');
      if (end >= 0 && all.includes('"type":"hello"'))
        resolve({ socket, received: () => Buffer.concat(chunks).subarray(end + 4), closed });
    });
  });
}

/** Whether the bytes a server sent after the handshake hold a close frame (opcode 8). */
function hasCloseFrame(bytes: Buffer): boolean {
  let at = 0;
  while (at + 2 <= bytes.length) {
    const opcode = (bytes[at] as number) & 0x0f;
    let len = (bytes[at + 1] as number) & 0x7f;
    let head = 2;
    if (len === 126) {
      len = bytes.readUInt16BE(at + 2);
      head = 4;
    } else if (len === 127) {
      len = Number(bytes.readBigUInt64BE(at + 2));
      head = 10;
    }
    if (opcode === 0x8) return true;
    at += head + len;
  }
  return false;
}

describe('frames the hub cannot take', () => {
  const pad = (bytes: number) => `{"op":"ping","pad":"${'a'.repeat(bytes - 24)}"}`;

  it('a message over 16 KiB is closed with 1009, also when it comes in fragments or as binary', async () => {
    const before = await metricOf(t, 'fleet_ws_bad_messages_total', 'reason="too_big"');
    for (const send of [
      (c: HubClient) => c.socket.send(pad(17 * 1024)),
      (c: HubClient) => c.socket.send(Buffer.alloc(20 * 1024, 0x20), { binary: true }),
      (c: HubClient) => {
        // Four 10 KiB fragments of one text message: each is small, the message is not.
        for (let i = 0; i < 4; i++) c.socket.send('a'.repeat(10 * 1024), { binary: false, fin: i === 3 });
      },
    ]) {
      const c = new HubClient(t.url, t.orgA.users.viewer.token);
      await c.next('hello');
      send(c);
      await c.closed;
      expect(c.closeCode).toBe(1009);
      expect(c.closeReason).toBe('message too big: at most 16384 bytes');
    }
    // 16 KiB itself is still a message: refused for what it says, not for its size.
    const edge = new HubClient(t.url, t.orgA.users.viewer.token);
    await edge.next('hello');
    edge.socket.send(pad(16 * 1024));
    expect((await edge.next('error')).code).toBe('bad_message');
    edge.close();
    expect(await metricOf(t, 'fleet_ws_bad_messages_total', 'reason="too_big"')).toBe(before + 3);
  });

  it('a frame over 64 KiB is cut off by uWS itself: no close frame (1006), but counted', async () => {
    const before = await metricOf(t, 'fleet_ws_closed_total', 'reason="too_big"');
    const c = new HubClient(t.url, t.orgA.users.viewer.token);
    await c.next('hello');
    c.socket.send(pad(100 * 1024));
    await c.closed;
    expect(c.closeCode).toBe(1006);
    await expect.poll(() => metricOf(t, 'fleet_ws_closed_total', 'reason="too_big"')).toBe(before + 1);
    const d = new HubClient(t.url, t.orgA.users.viewer.token);
    d.send({ op: 'ping' });
    await d.next('pong');
    d.close();
  });

  it('a text frame of invalid UTF-8 is cut off by uWS before the hub sees it: 1006, counted', async () => {
    const before = await metricOf(t, 'fleet_ws_bad_messages_total', 'reason="invalid_utf8"');
    // Through the ws client, which sends the bytes as they are.
    const c = new HubClient(t.url, t.orgA.users.viewer.token);
    await c.next('hello');
    c.socket.send(Buffer.from('{"op":"ping","x":"\xff"}', 'latin1'), { binary: false });
    await c.closed;
    expect(c.closeCode).toBe(1006);
    // On a raw socket: the server writes no close frame at all, it closes the connection.
    const raw = await rawHubSocket(t.url, t.orgA.users.viewer.token);
    raw.socket.write(clientFrame(0x1, Buffer.from([0x7b, 0xc3, 0x28, 0x7d])));
    await raw.closed;
    expect(hasCloseFrame(raw.received())).toBe(false);
    await expect
      .poll(() => metricOf(t, 'fleet_ws_bad_messages_total', 'reason="invalid_utf8"'))
      .toBe(before + 2);
    expect(await metricOf(t, 'fleet_ws_closed_total', 'reason="invalid_utf8"')).toBeGreaterThanOrEqual(2);
    const d = new HubClient(t.url, t.orgA.users.viewer.token);
    d.send({ op: 'ping' });
    await d.next('pong');
    d.close();
  });

  it('a frame that breaks the protocol (a reserved opcode) is cut off by uWS and counted', async () => {
    const before = await metricOf(t, 'fleet_ws_closed_total', 'reason="protocol_error"');
    const raw = await rawHubSocket(t.url, t.orgA.users.viewer.token);
    raw.socket.write(clientFrame(0x3, Buffer.from('{"op":"ping"}')));
    await raw.closed;
    expect(hasCloseFrame(raw.received())).toBe(false);
    await expect.poll(() => metricOf(t, 'fleet_ws_closed_total', 'reason="protocol_error"')).toBe(before + 1);
  });
});
