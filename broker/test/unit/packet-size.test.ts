import { type Duplex, duplexPair } from 'node:stream';
import { generate } from 'mqtt-packet';
import { describe, expect, it } from 'vitest';
import { GuardedConnection, PacketSizeGuard, PacketTooLargeError } from '../../src/packet-size.ts';

const TOPIC = 'devices/dev-1/telemetry';

/** Bytes the MQTT "remaining length" of `n` takes. */
function lengthBytes(n: number): number {
  return n < 128 ? 1 : n < 16_384 ? 2 : n < 2_097_152 ? 3 : 4;
}

/** A real QoS 0 PUBLISH frame of exactly `total` bytes. */
function publishOfSize(total: number, topic = TOPIC): Buffer {
  for (let k = 1; k <= 4; k++) {
    const remaining = total - 1 - k;
    const payloadLength = remaining - 2 - topic.length;
    if (payloadLength >= 0 && lengthBytes(remaining) === k) {
      const frame = generate({
        cmd: 'publish',
        qos: 0,
        dup: false,
        retain: false,
        topic,
        payload: Buffer.alloc(payloadLength, 0xab),
      });
      expect(frame.length).toBe(total);
      return frame;
    }
  }
  throw new Error(`no PUBLISH of exactly ${total} bytes`);
}

function connectPacket(): Buffer {
  return generate({
    cmd: 'connect',
    clientId: 'dev-1',
    username: 'dev-1',
    password: Buffer.from('fdt_secret'),
    keepalive: 30,
    clean: true,
    protocolVersion: 4,
    protocolId: 'MQTT',
  });
}

type Feed = (guard: PacketSizeGuard, bytes: Buffer) => boolean;

/** Feeds chunks in order; false as soon as one is refused. */
function feedChunks(guard: PacketSizeGuard, chunks: Buffer[]): boolean {
  for (const c of chunks) if (!guard.inspect(c)) return false;
  return true;
}

const whole: Feed = (g, b) => g.inspect(b);
const byteByByte: Feed = (g, b) =>
  feedChunks(
    g,
    [...b].map((x) => Buffer.of(x)),
  );
const splitAt =
  (offset: number): Feed =>
  (g, b) =>
    feedChunks(g, [b.subarray(0, offset), b.subarray(offset)]);

/** Every way of feeding `bytes`: whole, byte by byte, and split in two at every offset. */
function everyFeeding(bytes: Buffer): [string, Feed][] {
  const feeds: [string, Feed][] = [
    ['whole', whole],
    ['byte by byte', byteByByte],
  ];
  for (let i = 0; i <= bytes.length; i++) feeds.push([`split at ${i}`, splitAt(i)]);
  return feeds;
}

describe('PacketSizeGuard', () => {
  const LIMIT = 300;

  it('passes a packet exactly at the limit, however it is chunked', () => {
    const frame = publishOfSize(LIMIT);
    for (const [how, feed] of everyFeeding(frame)) {
      expect(feed(new PacketSizeGuard(LIMIT), frame), how).toBe(true);
    }
  });

  it('refuses a packet one byte over the limit, however it is chunked', () => {
    const frame = publishOfSize(LIMIT + 1);
    for (const [how, feed] of everyFeeding(frame)) {
      expect(feed(new PacketSizeGuard(LIMIT), frame), how).toBe(false);
    }
  });

  it('refuses from the fixed header alone, before the body arrives', () => {
    const frame = publishOfSize(LIMIT + 1);
    const header = frame.subarray(0, 1 + lengthBytes(LIMIT + 1 - 1 - 2));
    expect(new PacketSizeGuard(LIMIT).inspect(header)).toBe(false);
    // A header announcing a huge body is refused without the body.
    expect(new PacketSizeGuard(LIMIT).inspect(Buffer.from([0x30, 0xff, 0xff, 0xff, 0x7f]))).toBe(false);
  });

  it('counts the fixed header in the size (1- and 2-byte remaining lengths)', () => {
    // remaining length 127 -> 1 + 1 + 127 = 129 bytes; 128 -> 1 + 2 + 128 = 131 bytes.
    const small = publishOfSize(129);
    const big = publishOfSize(131);
    expect(new PacketSizeGuard(129).inspect(small)).toBe(true);
    expect(new PacketSizeGuard(128).inspect(small)).toBe(false);
    expect(new PacketSizeGuard(131).inspect(big)).toBe(true);
    expect(new PacketSizeGuard(130).inspect(big)).toBe(false);
  });

  it('follows the framing across many packets in one stream', () => {
    const frames = [
      connectPacket(),
      publishOfSize(100),
      Buffer.from([0xc0, 0x00]), // PINGREQ: remaining length 0
      publishOfSize(LIMIT),
      Buffer.from([0xc0, 0x00]),
      publishOfSize(50),
    ];
    const stream = Buffer.concat(frames);
    for (const [how, feed] of [
      ['whole', whole],
      ['byte by byte', byteByByte],
      ['split at 7', splitAt(7)],
    ] as const) {
      expect(feed(new PacketSizeGuard(LIMIT), stream), how).toBe(true);
    }
    // Every split of the whole stream into two chunks.
    for (let i = 0; i <= stream.length; i++) {
      expect(splitAt(i)(new PacketSizeGuard(LIMIT), stream), `split at ${i}`).toBe(true);
    }
    // The same stream followed by one packet over the limit is refused at that packet.
    const guard = new PacketSizeGuard(LIMIT);
    expect(guard.inspect(stream)).toBe(true);
    expect(guard.inspect(publishOfSize(LIMIT + 1))).toBe(false);
  });

  it('does not take payload bytes that look like headers for headers', () => {
    // A payload full of 0xff bytes (continuation bits) between two small packets.
    const frame = generate({
      cmd: 'publish',
      qos: 0,
      dup: false,
      retain: false,
      topic: TOPIC,
      payload: Buffer.alloc(200, 0xff),
    });
    const guard = new PacketSizeGuard(LIMIT);
    expect(byteByByte(guard, Buffer.concat([frame, frame, publishOfSize(LIMIT)]))).toBe(true);
  });

  it('refuses a remaining length of more than 4 bytes', () => {
    const huge = 512 * 1024 * 1024;
    // Five length bytes, the fifth with the continuation bit.
    expect(new PacketSizeGuard(huge).inspect(Buffer.from([0x30, 0x80, 0x80, 0x80, 0x80, 0x81]))).toBe(false);
    // Five length bytes that encode a small value: still not MQTT (at most 4 length bytes).
    expect(new PacketSizeGuard(huge).inspect(Buffer.from([0x30, 0x80, 0x80, 0x80, 0x80, 0x00]))).toBe(false);
    expect(new PacketSizeGuard(huge).inspect(Buffer.from([0x30, 0x81, 0x80, 0x80, 0x80, 0x00]))).toBe(false);
  });

  it('accepts the largest 4-byte remaining length when the limit allows it', () => {
    const guard = new PacketSizeGuard(268_435_455 + 5);
    expect(guard.inspect(Buffer.from([0x30, 0xff, 0xff, 0xff, 0x7f]))).toBe(true);
  });
});

/** Collects everything a stream emits as data. */
function collect(stream: Duplex): { bytes: () => Buffer } {
  const chunks: Buffer[] = [];
  stream.on('data', (c: Buffer) => chunks.push(c));
  return { bytes: () => Buffer.concat(chunks) };
}

const until = async (cond: () => boolean, ms = 2000) => {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 2));
  }
};

describe('GuardedConnection', () => {
  function setup(limit: number) {
    const [device, serverSide] = duplexPair();
    let tooLarge = 0;
    const guarded = new GuardedConnection(serverSide, limit, () => {
      tooLarge++;
    });
    const errors: unknown[] = [];
    guarded.on('error', (err) => errors.push(err));
    return { device, serverSide, guarded, errors, tooLarge: () => tooLarge };
  }

  it('passes bytes through in both directions', async () => {
    const { device, guarded, tooLarge } = setup(1000);
    const inbound = collect(guarded);
    const outbound = collect(device);
    const frames = Buffer.concat([connectPacket(), publishOfSize(1000), Buffer.from([0xc0, 0x00])]);
    device.write(frames.subarray(0, 10));
    device.write(frames.subarray(10));
    const connack = generate({ cmd: 'connack', returnCode: 0, sessionPresent: false });
    guarded.write(connack);
    await until(() => inbound.bytes().length === frames.length && outbound.bytes().length === connack.length);
    expect(inbound.bytes().equals(frames)).toBe(true);
    expect(outbound.bytes().equals(connack)).toBe(true);
    expect(tooLarge()).toBe(0);
    expect(guarded.destroyed).toBe(false);
    expect(guarded.pendingOutboundBytes).toBeGreaterThanOrEqual(0);
  });

  it('an oversize packet calls back, destroys both sides with PacketTooLargeError, and is not passed on', async () => {
    const { device, serverSide, guarded, errors, tooLarge } = setup(500);
    const inbound = collect(guarded);
    const ok = publishOfSize(100);
    device.write(ok);
    await until(() => inbound.bytes().length === ok.length);
    const closed = new Promise((r) => guarded.once('close', r));
    device.write(publishOfSize(501));
    await closed;
    expect(tooLarge()).toBe(1);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(PacketTooLargeError);
    expect((errors[0] as PacketTooLargeError).code).toBe('packet_too_large');
    expect((errors[0] as Error).message).toContain('500');
    expect(guarded.destroyed).toBe(true);
    expect(serverSide.destroyed).toBe(true);
    expect(inbound.bytes().equals(ok)).toBe(true); // nothing of the big packet got through
    // More bytes after that change nothing.
    device.write(publishOfSize(600));
    await new Promise((r) => setTimeout(r, 10));
    expect(tooLarge()).toBe(1);
  });

  it('ends when the connection ends', async () => {
    const { device, guarded } = setup(1000);
    const inbound = collect(guarded);
    const ended = new Promise((r) => guarded.once('end', r));
    device.end(publishOfSize(50));
    await ended;
    expect(inbound.bytes()).toHaveLength(50);
  });

  it('is destroyed when the connection is destroyed', async () => {
    const { serverSide, guarded } = setup(1000);
    const closed = new Promise((r) => guarded.once('close', r));
    serverSide.destroy();
    await closed;
    expect(guarded.destroyed).toBe(true);
  });

  it('pauses the connection while its reader does not read, and loses nothing', async () => {
    const { device, serverSide, guarded } = setup(2000);
    const frame = publishOfSize(1000);
    const total = 200;
    for (let i = 0; i < total; i++) device.write(frame);
    await until(() => serverSide.isPaused());
    expect(guarded.readableLength).toBeGreaterThan(0);
    expect(guarded.readableLength).toBeLessThan(total * frame.length);
    const inbound = collect(guarded);
    await until(() => inbound.bytes().length === total * frame.length);
    expect(inbound.bytes().equals(Buffer.concat(Array.from({ length: total }, () => frame)))).toBe(true);
  });

  it('a callback that throws is handed to onFault and closes the connection; nothing escapes', async () => {
    const [device, serverSide] = duplexPair();
    const faults: unknown[] = [];
    const guarded = new GuardedConnection(
      serverSide,
      100,
      () => {
        throw new Error('bug in the refusal');
      },
      (err) => faults.push(err),
    );
    guarded.on('error', () => {});
    const closed = new Promise((r) => guarded.once('close', r));
    device.write(publishOfSize(101));
    await closed;
    expect(faults).toHaveLength(1);
    expect((faults[0] as Error).message).toBe('bug in the refusal');
    expect(serverSide.destroyed).toBe(true);
  });
});
