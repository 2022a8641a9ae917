// Property-based fuzzing of the MQTT boundary against the real broker + ingest + registry
// (startTestPlatform): arbitrary CONNECTs, PUBLISHes from authenticated devices, SUBSCRIBE and
// UNSUBSCRIBE with any filters, and raw random bytes, sent over TCP sockets. After every batch a
// known-good device must still get CONNACK 0 and a PUBACK, and no unexpected error may have been
// counted (fleet_unexpected_errors_total): each one is a bug to fix, not noise.
//
// Replay: the seed is printed at the start. FUZZ_SEED=<seed> replays a run, FUZZ_RUNS=<n> sets
// the batches per property (default 100; each batch is several cases), FUZZ_SHRINK=1 lets
// fast-check shrink a failure to a minimal batch (slower) instead of stopping at the first.
import fc from 'fast-check';
import mqttPacket, { type Packet } from 'mqtt-packet';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, type TestDevice, type TestPlatform } from '../../test/support.ts';
import { RawMqtt } from './raw-mqtt.ts';

const SEED = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : 20_261_201;
const RUNS = process.env.FUZZ_RUNS ? Number(process.env.FUZZ_RUNS) : 100;
const SHRINK = process.env.FUZZ_SHRINK === '1';
const FUZZ_DEVICES = 6;

// ---------------------------------------------------------------------------------------------
// Encoding by hand what mqtt-packet's generate refuses to write (any protocol name or level,
// a password without a username, a will QoS of 3, the reserved flag), and protobuf payloads.

function remainingLength(n: number): number[] {
  const out: number[] = [];
  do {
    let byte = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) byte |= 0x80;
    out.push(byte);
  } while (n > 0);
  return out;
}

/** A 2-byte length and the bytes (cut at 65535: MQTT cannot say more). */
function mqttString(value: string | Uint8Array): Buffer {
  const bytes = (typeof value === 'string' ? Buffer.from(value, 'utf8') : Buffer.from(value)).subarray(
    0,
    65535,
  );
  const head = Buffer.alloc(2);
  head.writeUInt16BE(bytes.length);
  return Buffer.concat([head, bytes]);
}

interface ConnectCase {
  protocolId: string;
  protocolVersion: number;
  clean: boolean;
  reservedBit: boolean;
  keepalive: number;
  clientId: string;
  username: string | undefined;
  password: Uint8Array | undefined;
  will: { topic: string; payload: Uint8Array; qos: number; retain: boolean } | undefined;
  /** Packets pipelined right after the CONNECT, before any CONNACK. */
  pipelined: Buffer[];
}

function encodeConnect(c: ConnectCase): Buffer {
  const v5 = c.protocolVersion === 5;
  let flags = 0;
  if (c.username !== undefined) flags |= 0x80;
  if (c.password !== undefined) flags |= 0x40;
  if (c.will) flags |= 0x04 | ((c.will.qos & 3) << 3) | (c.will.retain ? 0x20 : 0);
  if (c.clean) flags |= 0x02;
  if (c.reservedBit) flags |= 0x01;
  const keepalive = Buffer.alloc(2);
  keepalive.writeUInt16BE(c.keepalive);
  const parts = [
    mqttString(c.protocolId),
    Buffer.from([c.protocolVersion, flags]),
    keepalive,
    ...(v5 ? [Buffer.from([0])] : []), // no properties
    mqttString(c.clientId),
  ];
  if (c.will) {
    if (v5) parts.push(Buffer.from([0]));
    parts.push(mqttString(c.will.topic), mqttString(c.will.payload));
  }
  if (c.username !== undefined) parts.push(mqttString(c.username));
  if (c.password !== undefined) parts.push(mqttString(c.password));
  const body = Buffer.concat(parts);
  return Buffer.concat([Buffer.from([0x10, ...remainingLength(body.length)]), body]);
}

function pbVarint(value: bigint): number[] {
  let v = BigInt.asUintN(64, value);
  const out: number[] = [];
  do {
    let byte = Number(v & 0x7fn);
    v >>= 7n;
    if (v > 0n) byte |= 0x80;
    out.push(byte);
  } while (v > 0n);
  return out;
}

type PbField =
  | { no: number; kind: 'varint'; value: bigint }
  | { no: number; kind: 'double'; value: number }
  | { no: number; kind: 'float'; value: number }
  | { no: number; kind: 'bytes'; value: Uint8Array };

function pbEncode(fields: PbField[]): Buffer {
  const out: Buffer[] = [];
  for (const f of fields) {
    const wire = { varint: 0, double: 1, bytes: 2, float: 5 }[f.kind];
    out.push(Buffer.from(pbVarint(BigInt(f.no * 8 + wire))));
    if (f.kind === 'varint') out.push(Buffer.from(pbVarint(f.value)));
    else if (f.kind === 'double') {
      const b = Buffer.alloc(8);
      b.writeDoubleLE(f.value);
      out.push(b);
    } else if (f.kind === 'float') {
      const b = Buffer.alloc(4);
      b.writeFloatLE(f.value);
      out.push(b);
    } else out.push(Buffer.from(pbVarint(BigInt(f.value.length))), Buffer.from(f.value));
  }
  return Buffer.concat(out);
}

// ---------------------------------------------------------------------------------------------
// Arbitraries

const anyString = (maxLength: number) =>
  fc.oneof(
    { weight: 3, arbitrary: fc.string({ maxLength }) },
    { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength }) }, // any code point, NUL, lone surrogates
    { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength }) },
  );

/** Topic-like strings: built from the pieces MQTT cares about, or anything at all. */
const topicLike = (deviceId: () => string, otherId: () => string) =>
  fc.oneof(
    {
      weight: 4,
      arbitrary: fc
        .constantFrom('telemetry', 'events', 'status', 'commands', 'config', '')
        .map((kind) => `devices/${deviceId()}/${kind}`),
    },
    {
      weight: 1,
      arbitrary: fc.constantFrom('telemetry', 'commands').map((k) => `devices/${otherId()}/${k}`),
    },
    {
      weight: 3,
      arbitrary: fc
        .array(fc.constantFrom('devices', '+', '#', '', '$SYS', 'a', '\u0000', 'é', '#x', 'x+', '$', ' '), {
          minLength: 1,
          maxLength: 6,
        })
        .map((levels) => levels.join('/')),
    },
    { weight: 2, arbitrary: anyString(80) },
    { weight: 1, arbitrary: fc.integer({ min: 90, max: 200 }).map((n) => 'a/'.repeat(n)) }, // too many levels
    { weight: 1, arbitrary: fc.integer({ min: 200, max: 65_000 }).map((n) => 'x'.repeat(n)) }, // very long
    { weight: 1, arbitrary: fc.constantFrom('#', '+', '+/+/+', 'devices/#', '$SYS/#', '\u0000') },
  );

const int64 = fc.oneof(
  { weight: 4, arbitrary: fc.integer({ min: -3_600_000, max: 600_000 }).map((d) => BigInt(Date.now() + d)) },
  { weight: 1, arbitrary: fc.bigInt(-(2n ** 63n), 2n ** 63n - 1n) },
  { weight: 1, arbitrary: fc.constantFrom(0n, -1n, 1n, 2n ** 53n, -(2n ** 63n)) },
);
const uint64 = fc.oneof(
  { weight: 4, arbitrary: fc.bigInt(0n, 1_000_000n) },
  { weight: 1, arbitrary: fc.bigInt(0n, 2n ** 64n - 1n) },
  { weight: 1, arbitrary: fc.constantFrom(0n, 2n ** 53n - 1n, 2n ** 53n, 2n ** 53n + 1n, 2n ** 64n - 1n) },
);
const anyDouble = fc.oneof(
  { weight: 3, arbitrary: fc.double({ min: -180, max: 180, noNaN: true }) },
  { weight: 1, arbitrary: fc.double() }, // NaN, infinities, -0, huge
);
const anyFloat = fc.oneof(fc.float({ min: 0, max: 400, noNaN: true }), fc.float());

/** A fleet.v1.Telemetry record: the fields of the .proto with any values, and some strays. */
const telemetryRecord = fc
  .tuple(
    uint64,
    int64,
    anyDouble,
    anyDouble,
    anyFloat,
    anyFloat,
    fc.array(
      fc.oneof(
        fc.record({
          no: fc.constantFrom(7, 8, 13, 14, 15, 16, 18, 19, 21),
          kind: fc.constant('float' as const),
          value: anyFloat,
        }),
        fc.record({ no: fc.constantFrom(11, 12), kind: fc.constant('double' as const), value: fc.double() }),
        fc.record({
          no: fc.constantFrom(9, 10, 17, 22, 23, 24),
          kind: fc.constant('varint' as const),
          value: uint64,
        }),
        fc.record({
          no: fc.constant(20),
          kind: fc.constant('bytes' as const),
          value: fc.uint8Array({ maxLength: 40 }),
        }),
        fc.record({
          no: fc.integer({ min: 1, max: 200 }),
          kind: fc.constant('bytes' as const),
          value: fc.uint8Array({ maxLength: 40 }),
        }),
      ),
      { maxLength: 6 },
    ),
  )
  .map(([seq, ts, lat, lon, speed, heading, extra]) =>
    pbEncode([
      { no: 1, kind: 'varint', value: seq },
      { no: 2, kind: 'varint', value: ts },
      { no: 3, kind: 'double', value: lat },
      { no: 4, kind: 'double', value: lon },
      { no: 5, kind: 'float', value: speed },
      { no: 6, kind: 'float', value: heading },
      ...extra,
    ]),
  );

const telemetryBatch = fc
  .array(telemetryRecord, { minLength: 0, maxLength: 12 })
  .map((records) => pbEncode(records.map((value) => ({ no: 1, kind: 'bytes' as const, value }))));

/** A fleet.v1.DeviceEvent with any values. */
const deviceEvent = fc
  .tuple(
    uint64,
    int64,
    fc.bigInt(0n, 20n),
    anyDouble,
    anyDouble,
    fc.string({ unit: 'binary', maxLength: 200 }),
  )
  .map(([seq, ts, kind, lat, lon, detail]) =>
    pbEncode([
      { no: 1, kind: 'varint', value: seq },
      { no: 2, kind: 'varint', value: ts },
      { no: 3, kind: 'varint', value: kind },
      { no: 4, kind: 'double', value: lat },
      { no: 5, kind: 'double', value: lon },
      { no: 10, kind: 'bytes', value: Buffer.from(detail, 'utf8') },
    ]),
  );

const payloadArb = fc.oneof(
  { weight: 3, arbitrary: telemetryBatch },
  { weight: 1, arbitrary: deviceEvent },
  { weight: 2, arbitrary: fc.uint8Array({ maxLength: 600 }) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(new Uint8Array(0), Buffer.alloc(100_000, 0x0a), Buffer.alloc(20_000, 0x0b)),
  },
);

/** Bytes shaped like an MQTT packet (any type and flags, a right or wrong length) or noise. */
const rawBytes = fc.oneof(
  { weight: 2, arbitrary: fc.uint8Array({ minLength: 1, maxLength: 300 }) },
  {
    weight: 3,
    arbitrary: fc
      .tuple(
        fc.integer({ min: 0, max: 255 }),
        fc.uint8Array({ maxLength: 300 }),
        fc.integer({ min: -3, max: 3 }),
      )
      .map(([type, body, skew]) =>
        Buffer.concat([
          Buffer.from([type, ...remainingLength(Math.max(0, body.length + skew))]),
          Buffer.from(body),
        ]),
      ),
  },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      Buffer.from([0x30, 0xff, 0xff, 0xff, 0xff, 0x7f]),
      Buffer.from([0xe0, 0x00]),
      Buffer.from([0xf0, 0x00]),
    ),
  },
);

// ---------------------------------------------------------------------------------------------

describe('fuzzing the MQTT boundary', () => {
  let p: TestPlatform;
  let good: TestDevice;
  let other: TestDevice;
  const fuzzers: TestDevice[] = [];
  const cases = { connect: 0, publish: 0, subscribe: 0, unsubscribe: 0, rawAfterConnect: 0, rawInstead: 0 };
  /** What the broker answered, to see that the cases reach past the first refusal. */
  const outcomes: Record<string, number> = {};
  const saw = (what: string) => {
    outcomes[what] = (outcomes[what] ?? 0) + 1;
  };
  const started = performance.now();

  beforeAll(async () => {
    console.log(`fuzz seed ${SEED}, ${RUNS} batches per property (FUZZ_SEED / FUZZ_RUNS to change)`);
    // Limits far above what the fuzzing sends, so the cases reach the code behind them (the
    // limits have tests of their own).
    p = await startTestPlatform({
      MQTT_DEVICE_MSG_RATE: 1_000_000,
      MQTT_DEVICE_MSG_BURST: 1_000_000,
      MQTT_CONNECT_RATE: 1_000_000,
      MQTT_CONNECT_BURST: 1_000_000,
      MQTT_AUTH_FAIL_RATE: 1_000_000,
      MQTT_AUTH_FAIL_BURST: 1_000_000,
      MQTT_AUTH_FAIL_GLOBAL_RATE: 1_000_000,
      MQTT_AUTH_FAIL_GLOBAL_BURST: 1_000_000,
      MQTT_CONNECT_TIMEOUT_MS: 1000,
    });
    good = await p.provision();
    other = await p.provision();
    for (let i = 0; i < FUZZ_DEVICES; i++) fuzzers.push(await p.provision(i % 2 ? 'equipment' : 'vehicle'));
  });

  afterAll(async () => {
    const total = Object.values(cases).reduce((a, b) => a + b, 0);
    console.log(
      `fuzz seed ${SEED}: ${total} cases (${JSON.stringify(cases)}) in ${((performance.now() - started) / 1000).toFixed(1)} s; answers ${JSON.stringify(outcomes)}`,
    );
    await p?.close();
  });

  const creds = (d: TestDevice) => ({ id: d.id, token: d.token });
  let messageId = 0;
  const nextId = () => (messageId = (messageId % 65535) + 1);

  async function unexpectedErrors(): Promise<number> {
    const metric = (await p.metrics.getMetricsAsJSON()).find(
      (m) => m.name === 'fleet_unexpected_errors_total',
    );
    return ((metric?.values ?? []) as { value: number }[]).reduce((sum, v) => sum + v.value, 0);
  }

  /** The known-good device connects and gets a PUBACK; nothing unexpected was counted. */
  async function expectPlatformServing(faultsBefore: number): Promise<void> {
    const raw = await RawMqtt.connect(p.service.mqttPort, creds(good));
    try {
      expect(await raw.connack(5000), 'CONNACK of the known-good device').toBe(0);
      const batch = pbEncode([
        {
          no: 1,
          kind: 'bytes',
          value: pbEncode([
            { no: 1, kind: 'varint', value: BigInt(nextId()) },
            { no: 2, kind: 'varint', value: BigInt(Date.now()) },
            { no: 3, kind: 'double', value: 60.17 },
            { no: 4, kind: 'double', value: 24.94 },
          ]),
        },
      ]);
      expect(await raw.publishAcked(`devices/${good.id}/telemetry`, batch, 1, 10_000), 'PUBACK').toBe(true);
    } finally {
      raw.close();
    }
    expect((await unexpectedErrors()) - faultsBefore, 'fleet_unexpected_errors_total').toBe(0);
  }

  /** Writes bytes on a socket and waits until the broker closed it or `waitMs` passed. */
  async function sendAndWait(
    kind: string,
    raw: RawMqtt,
    bytes: Buffer[],
    o: { waitMs: number; ping?: boolean; acks?: number },
  ): Promise<void> {
    for (const b of bytes) raw.write(b);
    if (o.ping) raw.send({ cmd: 'pingreq' });
    // Until the PINGRESP (everything before it was read) and the acknowledgements expected, or
    // until the broker closed the connection, or the time is up.
    const deadline = Date.now() + o.waitMs;
    const acked = () => raw.received.filter((pk) => pk.cmd === 'puback' || pk.cmd === 'pubrec').length;
    const accepted = () =>
      raw.received.some((pk) => pk.cmd === 'connack' && (pk as { returnCode?: number }).returnCode === 0);
    if (o.ping && (await raw.next('pingresp', o.waitMs))) saw(`${kind}: pingresp`);
    const waiting = () => (o.ping ? acked() < (o.acks ?? 0) : !accepted());
    while (!raw.isClosed && waiting() && Date.now() < deadline) {
      await raw.next('pingresp', Math.min(20, deadline - Date.now())); // a short wait
    }
    for (const packet of raw.received) {
      saw(
        `${kind}: ${packet.cmd === 'connack' ? `connack ${(packet as { returnCode?: number }).returnCode}` : packet.cmd}`,
      );
    }
    saw(`${kind}: ${raw.isClosed ? 'closed by the broker' : 'open'}`);
    raw.close();
    await raw.closed;
  }

  /** A session of a fuzz device after a valid CONNECT (CONNACK 0 is required). */
  async function authenticated(device: TestDevice, clean = true): Promise<RawMqtt> {
    const raw = await RawMqtt.connect(p.service.mqttPort, creds(device), { clean });
    const code = await raw.connack(5000);
    if (code !== 0) throw new Error(`fuzz device ${device.id} got CONNACK ${code}`);
    return raw;
  }

  const property = <T>(arb: fc.Arbitrary<T>, run: (value: T) => Promise<void>) =>
    fc.assert(
      fc.asyncProperty(arb, async (value) => {
        // Counted per batch, so that a shrinking run (FUZZ_SHRINK=1) judges each batch alone.
        const faultsBefore = await unexpectedErrors();
        await run(value);
        await expectPlatformServing(faultsBefore);
      }),
      { seed: SEED, numRuns: RUNS, endOnFailure: !SHRINK },
    );

  it('(a) arbitrary CONNECT packets', { timeout: 120_000 }, async () => {
    const identity = fc.oneof(
      {
        weight: 5,
        arbitrary: fc.constantFrom(
          ...fuzzers.map((d) => ({ id: d.id, token: d.token as string | undefined })),
        ),
      },
      {
        weight: 2,
        arbitrary: fc.constantFrom(...fuzzers, other).map((d) => ({ id: d.id, token: undefined })),
      },
      { weight: 3, arbitrary: anyString(70).map((id) => ({ id, token: undefined })) },
      {
        weight: 1,
        arbitrary: fc
          .constantFrom('', 'x'.repeat(65_535), '\u0000', good.id.toUpperCase())
          .map((id) => ({ id, token: undefined })),
      },
    );
    const followUps = fc.array(
      fc.oneof(
        fc.constant(mqttPacket.generate({ cmd: 'pingreq' })),
        fc.constant(mqttPacket.generate({ cmd: 'disconnect' })),
        topicLike(
          () => fuzzers[0]?.id ?? '',
          () => other.id,
        ).map((topic) =>
          mqttPacket.generate({
            cmd: 'publish',
            topic,
            payload: Buffer.from('x'),
            qos: 1,
            messageId: 1,
            retain: false,
            dup: false,
          }),
        ),
        fc.constant(
          mqttPacket.generate({ cmd: 'subscribe', messageId: 2, subscriptions: [{ topic: '#', qos: 1 }] }),
        ),
        rawBytes.map((b) => Buffer.from(b)),
        fc.constant(Buffer.alloc(0)).map(() => encodeConnect(validConnectOf(fuzzers[1] as TestDevice))),
      ),
      { maxLength: 3 },
    );
    const connectCase: fc.Arbitrary<ConnectCase> = fc
      .record({
        protocolId: fc.oneof(
          { weight: 8, arbitrary: fc.constantFrom('MQTT', 'MQIsdp') },
          { weight: 1, arbitrary: anyString(8) },
        ),
        protocolVersion: fc.oneof(
          { weight: 8, arbitrary: fc.constant(4) },
          { weight: 2, arbitrary: fc.constantFrom(3, 5) },
          { weight: 1, arbitrary: fc.integer({ min: 0, max: 255 }) },
        ),
        clean: fc.boolean(),
        keepalive: fc.oneof(
          { weight: 4, arbitrary: fc.constantFrom(30, 5, 1200) },
          { weight: 1, arbitrary: fc.integer({ min: 0, max: 65_535 }) },
        ),
        identity,
        clientIdSame: fc.oneof(
          { weight: 6, arbitrary: fc.constant(true) },
          { weight: 1, arbitrary: fc.constant(false) },
        ),
        otherClientId: anyString(30),
        password: fc.option(fc.uint8Array({ maxLength: 600 })),
        useToken: fc.oneof(
          { weight: 4, arbitrary: fc.constant(true) },
          { weight: 1, arbitrary: fc.constant(false) },
        ),
        withUsername: fc.oneof(
          { weight: 6, arbitrary: fc.constant(true) },
          { weight: 1, arbitrary: fc.constant(false) },
        ),
        will: fc.option(
          fc.record({
            topic: topicLike(
              () => fuzzers[0]?.id ?? '',
              () => other.id,
            ),
            payload: fc.uint8Array({ maxLength: 200 }),
            qos: fc.integer({ min: 0, max: 3 }),
            retain: fc.boolean(),
          }),
        ),
        reserved: fc.integer({ min: 0, max: 30 }), // 0: the reserved flag bit set (1 in 31)
        pipelined: followUps,
      })
      .map((c) => ({
        protocolId: c.protocolId,
        protocolVersion: c.protocolVersion,
        clean: c.clean,
        reservedBit: c.reserved === 0,
        keepalive: c.keepalive,
        clientId: c.clientIdSame ? c.identity.id : c.otherClientId,
        username: c.withUsername ? c.identity.id : undefined,
        password:
          c.identity.token !== undefined && c.useToken
            ? Buffer.from(c.identity.token)
            : (c.password ?? undefined),
        will: c.will ?? undefined,
        pipelined: c.pipelined,
      }));
    await property(fc.array(connectCase, { minLength: 1, maxLength: 12 }), async (batch) => {
      cases.connect += batch.length;
      await Promise.all(
        batch.map(async (c) => {
          const raw = await RawMqtt.open(p.service.mqttPort);
          await sendAndWait('connect', raw, [encodeConnect(c), ...c.pipelined], { waitMs: 300 });
          // Nothing here is over a limit and the registry is up: "server unavailable" would
          // mean a hook failed (an unexpected error, or the registry choking on the input).
          const connack = raw.received.find((pk) => pk.cmd === 'connack') as
            | { returnCode?: number }
            | undefined;
          expect(connack?.returnCode, 'CONNACK 3 (server unavailable)').not.toBe(3);
        }),
      );
    });
  });

  function validConnectOf(device: TestDevice): ConnectCase {
    return {
      protocolId: 'MQTT',
      protocolVersion: 4,
      clean: true,
      reservedBit: false,
      keepalive: 30,
      clientId: device.id,
      username: device.id,
      password: Buffer.from(device.token),
      will: undefined,
      pipelined: [],
    };
  }

  it('(b) PUBLISH packets from authenticated devices', { timeout: 120_000 }, async () => {
    const me = fuzzers[0]?.id ?? ''; // drawn for fuzz device 0, aimed at each session's device
    const publish = fc.record({
      topic: fc.oneof(
        { weight: 6, arbitrary: fc.constant(`devices/${me}/telemetry`) },
        { weight: 2, arbitrary: fc.constant(`devices/${me}/events`) },
        {
          weight: 2,
          arbitrary: topicLike(
            () => me,
            () => other.id,
          ),
        },
      ),
      payload: payloadArb,
      qos: fc.constantFrom(0, 1, 1, 2) as fc.Arbitrary<0 | 1 | 2>,
      retain: fc.boolean(),
      dup: fc.boolean(),
      messageId: fc.oneof(fc.integer({ min: 1, max: 65_535 }), fc.constant(0)),
    });
    // The other packets a publishing device sends: acknowledgements (of nothing, or of the
    // broker's deliveries), pings, an UNSUBSCRIBE of its commands.
    const control = fc.oneof(
      fc
        .record({
          cmd: fc.constantFrom('puback', 'pubrec', 'pubrel', 'pubcomp'),
          messageId: fc.integer({ min: 0, max: 65_535 }),
        })
        .map((c) => mqttPacket.generate(c as Packet)),
      fc.constant(mqttPacket.generate({ cmd: 'pingreq' })),
      fc.constant(0).map(() =>
        mqttPacket.generate({
          cmd: 'unsubscribe',
          messageId: 77,
          unsubscriptions: [`devices/${me}/commands`],
        }),
      ),
    );
    const session = fc.record({
      clean: fc.oneof(
        { weight: 3, arbitrary: fc.constant(true) },
        { weight: 1, arbitrary: fc.constant(false) },
      ),
      // Subscribed to its commands, it is sent a REJECT_NOTICE for each refused record.
      commandsQos: fc.option(fc.constantFrom(0, 1, 2) as fc.Arbitrary<0 | 1 | 2>),
      packets: fc.array(
        fc.oneof(
          { weight: 6, arbitrary: publish.map((f) => ({ publish: f })) },
          { weight: 1, arbitrary: control.map((bytes) => ({ bytes })) },
        ),
        { minLength: 1, maxLength: 6 },
      ),
    });
    // Each batch: one session per fuzz device, all at once.
    await property(fc.array(session, { minLength: 1, maxLength: FUZZ_DEVICES }), async (sessions) => {
      await Promise.all(
        sessions.map(async (s, i) => {
          const device = fuzzers[i] as TestDevice;
          const raw = await authenticated(device, s.clean);
          if (s.commandsQos !== null) {
            raw.send({
              cmd: 'subscribe',
              messageId: 1,
              subscriptions: [{ topic: `devices/${device.id}/commands`, qos: s.commandsQos }],
            });
          }
          let acks = 0;
          const bytes = s.packets.map((pk) => {
            if ('bytes' in pk) return pk.bytes;
            cases.publish++;
            const f = pk.publish;
            if (f.qos > 0) acks++;
            return mqttPacket.generate({
              cmd: 'publish',
              topic: f.topic.replaceAll(me, device.id),
              payload: Buffer.from(f.payload),
              qos: f.qos,
              retain: f.retain,
              dup: f.dup,
              ...(f.qos > 0 ? { messageId: f.messageId } : {}),
            } as Packet);
          });
          await sendAndWait('publish', raw, bytes, { waitMs: 2000, ping: true, acks });
        }),
      );
    });
  });

  it('(c) SUBSCRIBE and UNSUBSCRIBE with arbitrary filters', { timeout: 120_000 }, async () => {
    const filter = topicLike(
      () => fuzzers[0]?.id ?? '',
      () => other.id,
    );
    const packet = fc.oneof(
      fc.record({
        cmd: fc.constant('subscribe' as const),
        subscriptions: fc.array(
          fc.record({ topic: filter, qos: fc.constantFrom(0, 1, 2) as fc.Arbitrary<0 | 1 | 2> }),
          {
            minLength: 1,
            maxLength: 8,
          },
        ),
      }),
      fc.record({
        cmd: fc.constant('unsubscribe' as const),
        unsubscriptions: fc.array(filter, { minLength: 1, maxLength: 8 }),
      }),
    );
    await property(
      fc.array(fc.array(packet, { minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: FUZZ_DEVICES }),
      async (perDevice) => {
        await Promise.all(
          perDevice.map(async (list, i) => {
            const device = fuzzers[i] as TestDevice;
            const own = `devices/${device.id}/commands`;
            const raw = await authenticated(device);
            const sent = list.map((pk) => {
              const id = nextId();
              if (pk.cmd === 'subscribe') {
                cases.subscribe++;
                const subscriptions = pk.subscriptions.map((s) => ({
                  ...s,
                  topic: s.topic.replaceAll(fuzzers[0]?.id ?? '\u0001', device.id),
                }));
                raw.send({ cmd: 'subscribe', messageId: id, subscriptions });
                return { id, subscriptions };
              }
              cases.unsubscribe++;
              raw.send({ cmd: 'unsubscribe', messageId: id, unsubscriptions: pk.unsubscriptions });
              return { id, subscriptions: undefined };
            });
            // Every SUBSCRIBE is answered with one code per distinct filter (aedes merges equal
            // ones), 0x80 for all but the device's own commands; every UNSUBSCRIBE with an
            // UNSUBACK; and the connection stays.
            for (const s of sent) {
              const answer = await raw.next(
                s.subscriptions ? 'suback' : 'unsuback',
                5000,
                (pk) => pk.messageId === s.id,
              );
              expect(answer, `answer to ${JSON.stringify(s).slice(0, 300)}`).toBeDefined();
              if (!s.subscriptions) continue;
              const last = new Map<string, number>();
              let invalid = 0;
              for (const sub of s.subscriptions) {
                if (validFilter(sub.topic)) last.set(sub.topic, sub.qos);
                else invalid++;
              }
              const granted = (answer as { granted: number[] }).granted;
              expect(granted).toHaveLength(last.size + invalid);
              const ownGranted = granted.filter((g) => g !== 0x80);
              expect(ownGranted).toEqual(last.has(own) ? [last.get(own)] : []);
            }
            expect(await raw.ping(5000), 'the connection stays').toBe(true);
            raw.close();
          }),
        );
      },
    );
  });

  it('(d) raw random bytes, after a valid CONNECT and instead of one', { timeout: 120_000 }, async () => {
    await property(
      fc.record({
        after: fc.array(fc.array(rawBytes, { minLength: 1, maxLength: 3 }), {
          minLength: 0,
          maxLength: FUZZ_DEVICES,
        }),
        instead: fc.array(fc.array(rawBytes, { minLength: 1, maxLength: 3 }), { minLength: 0, maxLength: 8 }),
      }),
      async ({ after, instead }) => {
        cases.rawAfterConnect += after.length;
        cases.rawInstead += instead.length;
        await Promise.all([
          ...after.map(async (chunks, i) => {
            const raw = await authenticated(fuzzers[i] as TestDevice);
            await sendAndWait(
              'raw after CONNECT',
              raw,
              chunks.map((c) => Buffer.from(c)),
              { waitMs: 150 },
            );
          }),
          ...instead.map(async (chunks) => {
            const raw = await RawMqtt.open(p.service.mqttPort);
            await sendAndWait(
              'raw',
              raw,
              chunks.map((c) => Buffer.from(c)),
              { waitMs: 150 },
            );
          }),
        ]);
      },
    );
  });

  it('counted no unexpected error over the whole run (late ones included)', async () => {
    await new Promise((r) => setTimeout(r, 200));
    expect(await unexpectedErrors()).toBe(0);
  });
});

/** MQTT 3.1.1 filter validity, written again here (not imported) so the test checks the code. */
function validFilter(filter: string): boolean {
  if (filter === '' || filter.includes('\u0000')) return false;
  const levels = filter.split('/');
  if (levels.length > 100) return false;
  return levels.every((level, i) => {
    if (level.includes('#')) return level === '#' && i === levels.length - 1;
    if (level.includes('+')) return level === '+';
    return true;
  });
}
