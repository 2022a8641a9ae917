// End to end through the real parts: mqtt.js devices -> aedes broker with the platform's hooks
// -> ingest pipeline -> the run's real QuestDB. Each case states the documented outcome.
import { randomBytes } from 'node:crypto';
import { type Socket, connect as tcpConnect } from 'node:net';
import {
  DeviceEventKind,
  decodeCommand,
  encodeDeviceEvent,
  encodeTelemetryBatch,
  type TelemetryMessage,
} from '@fleet/proto';
import type { DeviceStatusEvent, PositionEvent } from '@fleet/shared';
import { DeviceRegistry, openDatabase } from '@fleet/shared/db';
import mqtt, { type MqttClient } from 'mqtt';
import mqttPacket from 'mqtt-packet';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  connackCode,
  connectDevice,
  deviceFilter,
  freshPostgresDatabase,
  startTestPlatform,
  type TestDevice,
  type TestPlatform,
  waitForRows,
} from '../../test/support.ts';

const HELSINKI = { lat: 60.1699, lon: 24.9384 };

function record(seq: number, ts: number, extra: Partial<TelemetryMessage> = {}): TelemetryMessage {
  return {
    seq,
    tsMs: ts,
    lat: HELSINKI.lat + seq * 1e-4,
    lon: HELSINKI.lon,
    speedKmh: 42.5,
    headingDeg: 90,
    ...extra,
  };
}

function publishAsync(client: MqttClient, topic: string, payload: Uint8Array, qos: 0 | 1 = 1): Promise<void> {
  return new Promise((resolve, reject) =>
    client.publish(topic, Buffer.from(payload), { qos }, (err) => (err ? reject(err) : resolve())),
  );
}

function closed(client: MqttClient): Promise<void> {
  return new Promise((resolve) => {
    if (!client.connected) return resolve();
    client.once('close', () => resolve());
  });
}

async function metricValue(
  p: TestPlatform,
  name: string,
  labels: Record<string, string> = {},
): Promise<number> {
  const metric = (await p.metrics.getMetricsAsJSON()).find((m) => m.name === name);
  const values = (metric?.values ?? []) as { value: number; labels: Record<string, string | number> }[];
  const match = values.find((v) => Object.entries(labels).every(([k, val]) => String(v.labels[k]) === val));
  return match?.value ?? 0;
}

type RejectRow = {
  reason: string;
  detail: string;
  payload_bytes: number;
  payload_b64: string;
  seq: number | null;
  rejected_records: number | null;
  reasons: string | null;
};

async function rejectsOf(p: TestPlatform, device: TestDevice, min = 1): Promise<RejectRow[]> {
  return waitForRows<RejectRow>(
    p.questdb,
    `select reason, detail, payload_bytes, payload_b64, seq, rejected_records, reasons from telemetry_rejects where ${deviceFilter(device.id)} order by ts`,
    min,
  );
}

describe('broker + ingest end to end', () => {
  let p: TestPlatform;
  beforeAll(async () => {
    p = await startTestPlatform({ MQTT_CONNECT_TIMEOUT_MS: 1000 });
  });
  afterAll(async () => {
    await p?.close();
  });

  it('stores exactly the published records, with every field, before the PUBACK', async () => {
    const device = await p.provision();
    const client = await connectDevice(p.service.mqttPort, device);
    const now = Date.now();
    const records = [
      record(1, now - 2000, {
        altitudeM: 12.5,
        hdop: 0.9,
        satellites: 11,
        ignition: true,
        odometerKm: 12345.6,
        engineHours: 812.25,
        fuelLevelPct: 63.5,
        fuelLevelL: 50.8,
        batteryV: 4.1,
        externalV: 13.8,
        engineRpm: 1850,
        coolantTempC: 88,
        engineLoadPct: 35,
        dtcCodes: ['P0301', 'P0420'],
      }),
      record(2, now - 1000),
      record(3, now, { temperatureC: -18.5, doorOpen: true, ptoActive: false, tamper: false }),
    ];
    await publishAsync(client, `devices/${device.id}/telemetry`, encodeTelemetryBatch(records));
    const rows = await waitForRows<Record<string, unknown>>(
      p.questdb,
      `select * from telemetry where ${deviceFilter(device.id)} order by ts`,
      3,
    );
    expect(rows).toHaveLength(3);
    const [first, second, third] = rows;
    expect(first).toMatchObject({
      tenant: device.tenant,
      seq: 1,
      lat: records[0]?.lat,
      lon: HELSINKI.lon,
      speed_kmh: 42.5,
      heading_deg: 90,
      altitude_m: 12.5,
      satellites: 11,
      ignition: true,
      odometer_km: 12345.6,
      engine_hours: 812.25,
      fuel_level_pct: 63.5,
      engine_rpm: 1850,
      coolant_temp_c: 88,
      dtc_codes: 'P0301,P0420',
    });
    expect(first?.ts).toBe(new Date(now - 2000).toISOString().replace('Z', '000Z'));
    expect(second).toMatchObject({ seq: 2, altitude_m: null, fuel_level_pct: null, dtc_codes: null });
    expect(third).toMatchObject({ seq: 3, temperature_c: -18.5, door_open: true });
    await client.endAsync();
  });

  it('never duplicates a record that is sent again', async () => {
    const device = await p.provision();
    const client = await connectDevice(p.service.mqttPort, device);
    const batch = encodeTelemetryBatch([record(1, Date.now() - 500), record(2, Date.now())]);
    await publishAsync(client, `devices/${device.id}/telemetry`, batch);
    await publishAsync(client, `devices/${device.id}/telemetry`, batch);
    await publishAsync(client, `devices/${device.id}/telemetry`, batch);
    await waitForRows(p.questdb, `select * from telemetry where ${deviceFilter(device.id)}`, 2);
    await new Promise((r) => setTimeout(r, 500));
    const rows = await p.questdb.rows(`select * from telemetry where ${deviceFilter(device.id)}`);
    expect(rows).toHaveLength(2);
    await client.endAsync();
  });

  it('stores device events and publishes them on the bus', async () => {
    const device = await p.provision();
    const seen: string[] = [];
    const off = p.bus.subscribe('device-event', (e) => {
      if (e.deviceId === device.id) seen.push(e.kind);
    });
    const client = await connectDevice(p.service.mqttPort, device);
    await publishAsync(
      client,
      `devices/${device.id}/events`,
      encodeDeviceEvent({
        seq: 7,
        tsMs: Date.now(),
        kind: 5,
        peakG: 0.62,
        lat: 60.17,
        lon: 24.94,
        detail: 'x',
      }),
    );
    const rows = await waitForRows<{ kind: string; peak_g: number }>(
      p.questdb,
      `select kind, peak_g from device_events where ${deviceFilter(device.id)} and kind = 'HARSH_BRAKING'`,
      1,
    );
    expect(rows[0]?.kind).toBe('HARSH_BRAKING');
    expect(rows[0]?.peak_g).toBeCloseTo(0.62, 5);
    expect(seen).toContain('HARSH_BRAKING');
    off();
    await client.endAsync();
  });

  it('keeps the live position on the newest device time when old records are replayed', async () => {
    const device = await p.provision();
    const positions: PositionEvent[] = [];
    const off = p.bus.subscribe('position', (e) => {
      if (e.deviceId === device.id) positions.push(e);
    });
    const client = await connectDevice(p.service.mqttPort, device);
    const now = Date.now();
    await publishAsync(client, `devices/${device.id}/telemetry`, encodeTelemetryBatch([record(100, now)]));
    // A tracker leaving a tunnel replays an hour of buffered records.
    const replay = Array.from({ length: 60 }, (_, i) => record(40 + i, now - 3_600_000 + i * 60_000));
    await publishAsync(client, `devices/${device.id}/telemetry`, encodeTelemetryBatch(replay));
    const live = await p.service.liveState.get(device.id);
    expect(live?.position?.seq).toBe(100);
    expect(live?.position?.ts).toBe(now);
    expect(positions.map((e) => e.seq)).toEqual([100]);
    const stored = await waitForRows(
      p.questdb,
      `select seq from telemetry where ${deviceFilter(device.id)}`,
      61,
    );
    expect(stored).toHaveLength(61);
    off();
    await client.endAsync();
  });

  it('publishes retained online/offline status and stores connection events', async () => {
    const device = await p.provision();
    const statuses: DeviceStatusEvent[] = [];
    const off = p.bus.subscribe('status', (e) => {
      if (e.deviceId === device.id) statuses.push(e);
    });
    const client = await connectDevice(p.service.mqttPort, device);
    await new Promise((r) => setTimeout(r, 100));
    const retained = await new Promise<string>((resolve) => {
      // aedes keeps retained messages in its persistence, which its types do not expose.
      const { persistence } = p.service.broker.aedes as unknown as {
        persistence: { createRetainedStreamCombi(topics: string[]): NodeJS.ReadableStream };
      };
      persistence
        .createRetainedStreamCombi([`devices/${device.id}/status`])
        .once('data', (packet: { payload: Buffer }) => resolve(packet.payload.toString()));
    });
    expect(retained).toBe('online');
    await client.endAsync();
    await new Promise((r) => setTimeout(r, 200));
    expect(statuses.map((s) => s.status)).toEqual(['online', 'offline']);
    const events = await waitForRows<{ kind: string }>(
      p.questdb,
      `select kind from device_events where ${deviceFilter(device.id)} order by ts`,
      2,
    );
    expect(events.map((e) => e.kind)).toEqual(['CONNECTED', 'DISCONNECTED']);
    off();
  });

  it('serves MQTT over WebSocket at /mqtt', async () => {
    const device = await p.provision();
    const client = await mqtt.connectAsync(`ws://127.0.0.1:${p.service.wsPort}/mqtt`, {
      clientId: device.id,
      username: device.id,
      password: device.token,
      reconnectPeriod: 0,
      keepalive: 30,
    });
    await publishAsync(
      client,
      `devices/${device.id}/telemetry`,
      encodeTelemetryBatch([record(1, Date.now())]),
    );
    const rows = await waitForRows(
      p.questdb,
      `select seq from telemetry where ${deviceFilter(device.id)}`,
      1,
    );
    expect(rows).toHaveLength(1);
    await client.endAsync();
  });
});

describe('authentication and topic rules', () => {
  let p: TestPlatform;
  beforeAll(async () => {
    p = await startTestPlatform();
  });
  afterAll(async () => {
    await p?.close();
  });

  it('answers each refused CONNECT with its documented CONNACK code', async () => {
    const device = await p.provision();
    const port = p.service.mqttPort;
    const base = { clientId: device.id, username: device.id };
    expect(await connackCode(port, { ...base, password: device.token })).toBe('connected');
    expect(await connackCode(port, { ...base, password: 'fdt_wrong' })).toBe(4);
    expect(await connackCode(port, { clientId: device.id })).toBe(4);
    expect(await connackCode(port, { clientId: 'nobody', username: 'nobody', password: 'x' })).toBe(4);
    expect(await connackCode(port, { ...base, clientId: 'other-id', password: device.token })).toBe(2);
    expect(await connackCode(port, { ...base, password: device.token, keepalive: 0 })).toBe(2);
    expect(await connackCode(port, { ...base, password: device.token, keepalive: 5000 })).toBe(2);
    await p.registry.setDisabled(device.id, true);
    expect(await connackCode(port, { ...base, password: device.token })).toBe(5);
    expect(
      await metricValue(p, 'fleet_mqtt_refusals_total', { reason: 'bad_credentials' }),
    ).toBeGreaterThanOrEqual(2);
    expect(await metricValue(p, 'fleet_mqtt_refusals_total', { reason: 'device_disabled' })).toBe(1);
  });

  it('disconnects a device at once when it is disabled, and refuses its old token after a new one', async () => {
    const device = await p.provision();
    const client = await connectDevice(p.service.mqttPort, device);
    const gone = closed(client);
    await p.registry.setDisabled(device.id, true);
    await gone;
    expect(client.connected).toBe(false);
    await p.registry.setDisabled(device.id, false);
    const again = await connectDevice(p.service.mqttPort, device);
    const goneAgain = closed(again);
    const { token } = await p.registry.reissueToken(device.id);
    await goneAgain;
    const opts = { clientId: device.id, username: device.id };
    expect(await connackCode(p.service.mqttPort, { ...opts, password: device.token })).toBe(4);
    expect(await connackCode(p.service.mqttPort, { ...opts, password: token })).toBe('connected');
  });

  it("refuses another device's topic and keeps serving everyone else", async () => {
    const a = await p.provision();
    const b = await p.provision();
    const clientA = await connectDevice(p.service.mqttPort, a);
    const clientB = await connectDevice(p.service.mqttPort, b);
    const goneA = closed(clientA);
    clientA.publish(`devices/${b.id}/telemetry`, Buffer.from(encodeTelemetryBatch([record(1, Date.now())])), {
      qos: 1,
    });
    await goneA;
    await publishAsync(clientB, `devices/${b.id}/telemetry`, encodeTelemetryBatch([record(1, Date.now())]));
    const rows = await waitForRows<{ device_id: string }>(
      p.questdb,
      `select device_id from telemetry where ${deviceFilter(b.id)}`,
      1,
    );
    expect(rows.map((r) => r.device_id)).toEqual([b.id]);
    expect(await metricValue(p, 'fleet_mqtt_refusals_total', { reason: 'topic_other_device' })).toBe(1);
    await clientB.endAsync();
  });

  it('refuses wildcard, $SYS and status publishes from a raw client', async () => {
    const device = await p.provision();
    for (const topic of [
      `devices/${device.id}/+`,
      `devices/${device.id}/#`,
      '$SYS/x',
      `devices/${device.id}/status`,
    ]) {
      const socket = await rawSession(p.service.mqttPort, device);
      const gone = new Promise<void>((r) => socket.once('close', () => r()));
      socket.write(
        mqttPacket.generate({
          cmd: 'publish',
          topic,
          payload: Buffer.from('x'),
          qos: 1,
          messageId: 1,
          retain: false,
          dup: false,
        }),
      );
      await gone;
    }
    expect(await metricValue(p, 'fleet_mqtt_refusals_total', { reason: 'topic_not_allowed' })).toBe(1);
  });

  it("answers a subscription to another device's commands with a failure SUBACK", async () => {
    const a = await p.provision();
    const b = await p.provision();
    const client = await connectDevice(p.service.mqttPort, a);
    // mqtt.js rejects when any topic is refused, carrying the SUBACK it got.
    const suback = await client
      .subscribeAsync([`devices/${b.id}/commands`, '#', `devices/${a.id}/commands`])
      .then(
        () => undefined,
        (err: { packet?: { granted?: number[] } }) => err.packet,
      );
    expect(suback?.granted).toEqual([128, 128, 0]);
    expect(client.connected).toBe(true);
    await client.endAsync();
  });
});

describe('with PostgreSQL as the registry', () => {
  it('a disable made by another process (the CLI) disconnects the device at once', async () => {
    const database = await freshPostgresDatabase();
    const p = await startTestPlatform({ DATABASE_URL: database.url });
    // The CLI's own connection: another pool, as another process would have.
    const cliDb = await openDatabase({ url: database.url, maxConnections: 1 });
    try {
      const device = await p.provision();
      const client = await connectDevice(p.service.mqttPort, device);
      const gone = closed(client);
      await new DeviceRegistry(cliDb).setDisabled(device.id, true);
      await gone;
      const opts = { clientId: device.id, username: device.id, password: device.token };
      expect(await connackCode(p.service.mqttPort, opts)).toBe(5);
    } finally {
      await cliDb.close();
      await p.close();
      await database.drop();
    }
  });
});

describe('bad payloads are kept with their reason and the device is told', () => {
  let p: TestPlatform;
  let device: TestDevice;
  let client: MqttClient;
  const notices: { reason: string | undefined; seq: string[] }[] = [];
  beforeAll(async () => {
    p = await startTestPlatform();
    device = await p.provision();
    client = await connectDevice(p.service.mqttPort, device);
    await client.subscribeAsync(`devices/${device.id}/commands`);
    client.on('message', (_topic, payload) => {
      const cmd = decodeCommand(payload, { maxBytes: 65536 });
      if (cmd.ok)
        notices.push({
          reason: cmd.value.rejectReason ?? undefined,
          seq: (cmd.value.rejectSeq ?? []).map(String),
        });
    });
  });
  afterAll(async () => {
    await client?.endAsync();
    await p?.close();
  });

  const topic = () => `devices/${device.id}/telemetry`;

  it.each([
    ['random bytes', 'malformed_protobuf', () => randomBytes(512)],
    [
      'truncated protobuf',
      'malformed_protobuf',
      () => encodeTelemetryBatch([record(1, Date.now())]).subarray(0, 9),
    ],
    ['deeply nested groups', 'nesting_too_deep', () => Buffer.alloc(20_000, 0x0b)],
    ['an empty batch', 'empty_batch', () => new Uint8Array(0)],
    [
      'a batch of 100,000 records',
      'too_many_records',
      () => Buffer.alloc(200_000, Buffer.from([0x0a, 0x00])),
    ],
  ] as const)('%s -> PUBACK, a %s reject row, and the connection stays', async (_name, reason, payload) => {
    const bytes = payload();
    const before = (await p.questdb.rows(`select * from telemetry_rejects where ${deviceFilter(device.id)}`))
      .length;
    await publishAsync(client, topic(), bytes);
    const rows = await rejectsOf(p, device, before + 1);
    const row = rows.at(-1);
    expect(row?.reason).toBe(reason);
    expect(row?.payload_bytes).toBe(bytes.length);
    expect(Buffer.from(row?.payload_b64 ?? '', 'base64')).toEqual(Buffer.from(bytes).subarray(0, 4096));
    expect(client.connected).toBe(true);
  });

  it('stores the good records of a mixed batch and rejects each bad one with its reason', async () => {
    const now = Date.now();
    const nextYear = now + 366 * 86_400_000;
    const batch = [
      record(10, now - 100),
      record(11, now, { lat: 123.4, lon: 200 }),
      record(12, 1000),
      record(13, nextYear),
      record(14, 0),
      record(15, now - 50, { speedKmh: 1000 }),
      record(16, now - 10),
      record(17, now - 10), // same device time as 16
    ];
    const before = (await p.questdb.rows(`select * from telemetry_rejects where ${deviceFilter(device.id)}`))
      .length;
    await publishAsync(client, topic(), encodeTelemetryBatch(batch));
    const stored = await waitForRows<{ seq: number }>(
      p.questdb,
      `select seq from telemetry where ${deviceFilter(device.id)} order by seq`,
      2,
    );
    expect(stored.map((r) => r.seq)).toEqual([10, 16]);
    // One reject row for the payload (not one per record), its reasons summarised.
    const rejects = (await rejectsOf(p, device, before + 1)).slice(before);
    expect(rejects.map((r) => [r.seq, r.reason, r.rejected_records, r.reasons])).toEqual([
      [11, 'out_of_range', 6, 'out_of_range:2,ts_too_old:1,ts_in_future:1,ts_missing:1,duplicate_ts:1'],
    ]);
    await expect.poll(() => notices.some((n) => n.seq.join() === '11,12,13,14,15,17')).toBe(true);
    expect(await metricValue(p, 'fleet_ingest_rejects_total', { reason: 'out_of_range' })).toBe(2);
  });

  it('13 bytes with seq 2^64-1 and no ts_ms (killed the platform): PUBACK, a reject row, the exact seq in the notice', async () => {
    const payload = Buffer.from([
      0x0a, 0x0b, 0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01,
    ]);
    const before = (await p.questdb.rows(`select * from telemetry_rejects where ${deviceFilter(device.id)}`))
      .length;
    await publishAsync(client, topic(), payload);
    const row = (await rejectsOf(p, device, before + 1)).at(-1);
    expect(row?.reason).toBe('seq_out_of_range');
    expect(row?.detail).toContain('18446744073709551615');
    await expect.poll(() => notices.some((n) => n.seq.join() === '18446744073709551615')).toBe(true);
    // The platform serves on: the same device's next good record is acknowledged and stored.
    await publishAsync(client, topic(), encodeTelemetryBatch([record(900, Date.now())]));
    await waitForRows(
      p.questdb,
      `select seq from telemetry where ${deviceFilter(device.id)} and seq = 900`,
      1,
    );
  });

  it('an event with every field at its extreme is stored or refused, and never blocks later commits', async () => {
    const now = Date.now();
    const extremes = [
      { buttonId: 4294967295 },
      { peakG: 3.4e38, speedKmh: -3.4e38 },
      { lat: 1e308, lon: -1e308 },
      { lat: Number.NaN, speedKmh: Number.POSITIVE_INFINITY },
      { firmware: 'x'.repeat(5000), detail: '\u0000'.repeat(600) },
    ];
    for (const [i, extra] of extremes.entries()) {
      const event = {
        seq: 1000 + i,
        tsMs: now - 1000 + i,
        kind: DeviceEventKind.BUTTON,
        detail: '',
        ...extra,
      };
      await publishAsync(client, `devices/${device.id}/events`, encodeDeviceEvent(event));
    }
    // The store is not stuck on a row QuestDB refused: the next record is committed.
    await publishAsync(client, topic(), encodeTelemetryBatch([record(950, Date.now())]));
    await waitForRows(
      p.questdb,
      `select seq from telemetry where ${deviceFilter(device.id)} and seq = 950`,
      1,
    );
    // Events and rejects are other tables, committed on their own: wait for both to show.
    const accounted = async (): Promise<number> => {
      const events = await p.questdb.rows<{ seq: number }>(
        `select seq from device_events where ${deviceFilter(device.id)} and seq >= 1000`,
      );
      const rejects = await p.questdb.rows<{ seq: number }>(
        `select seq from telemetry_rejects where ${deviceFilter(device.id)} and topic = 'events' and seq >= 1000`,
      );
      return events.length + rejects.length;
    };
    await expect.poll(accounted, { timeout: 15_000, interval: 200 }).toBe(extremes.length);
  });

  it('cuts off a packet over the size limit before buffering it, and keeps serving others', async () => {
    const other = await p.provision();
    const otherClient = await connectDevice(p.service.mqttPort, other);
    const big = await connectDevice(p.service.mqttPort, await p.provision());
    const gone = closed(big);
    big.publish(`devices/${big.options.clientId}/telemetry`, Buffer.alloc(300 * 1024), { qos: 1 });
    await gone;
    await publishAsync(
      otherClient,
      `devices/${other.id}/telemetry`,
      encodeTelemetryBatch([record(1, Date.now())]),
    );
    expect(await metricValue(p, 'fleet_mqtt_refusals_total', { reason: 'packet_too_large' })).toBe(1);
    await otherClient.endAsync();
  });
});

describe('limits', () => {
  it('disconnects a device over its message rate', async () => {
    const p = await startTestPlatform({ MQTT_DEVICE_MSG_RATE: 2, MQTT_DEVICE_MSG_BURST: 5 });
    try {
      const device = await p.provision();
      const client = await connectDevice(p.service.mqttPort, device);
      const gone = closed(client);
      for (let i = 1; i <= 20; i++) {
        client.publish(
          `devices/${device.id}/telemetry`,
          Buffer.from(encodeTelemetryBatch([record(i, Date.now())])),
          {
            qos: 0,
          },
        );
      }
      await gone;
      expect(await metricValue(p, 'fleet_mqtt_refusals_total', { reason: 'message_rate' })).toBe(1);
    } finally {
      await p.close();
    }
  });

  it('answers connections over the connection rate with CONNACK 3 (server unavailable)', async () => {
    const p = await startTestPlatform({ MQTT_CONNECT_RATE: 1, MQTT_CONNECT_BURST: 2 });
    try {
      const device = await p.provision();
      const opts = { clientId: device.id, username: device.id, password: device.token };
      const codes = [];
      for (let i = 0; i < 4; i++) codes.push(await connackCode(p.service.mqttPort, opts));
      expect(codes.slice(0, 2)).toEqual(['connected', 'connected']);
      expect(codes.slice(2)).toContain(3);
    } finally {
      await p.close();
    }
  });

  it('drops a client that never sends CONNECT, and a stalled half packet does not delay others', async () => {
    const p = await startTestPlatform({ MQTT_CONNECT_TIMEOUT_MS: 500 });
    try {
      const silent = tcpConnect(p.service.mqttPort, '127.0.0.1');
      const silentGone = new Promise<void>((r) => silent.once('close', () => r()));
      const device = await p.provision();
      const stalled = await rawSession(p.service.mqttPort, device);
      // The first bytes of a 1000-byte PUBLISH, then nothing.
      stalled.write(Buffer.from([0x32, 0xe8, 0x07, 0x00]));
      const other = await p.provision();
      const client = await connectDevice(p.service.mqttPort, other);
      const started = performance.now();
      for (let i = 1; i <= 20; i++) {
        await publishAsync(
          client,
          `devices/${other.id}/telemetry`,
          encodeTelemetryBatch([record(i, Date.now())]),
        );
      }
      const perMessageMs = (performance.now() - started) / 20;
      expect(perMessageMs).toBeLessThan(250); // a stall would cost the keep-alive or drain timeout: seconds
      await silentGone;
      stalled.destroy();
      await client.endAsync();
    } finally {
      await p.close();
    }
  });
});

describe('a client that stops reading', () => {
  it('is cut off by the drain timeout while other devices keep their PUBACK latency', {
    timeout: 60_000,
  }, async () => {
    const p = await startTestPlatform({ MQTT_DRAIN_TIMEOUT_MS: 1000 });
    try {
      const stuck = await p.provision();
      const socket = await rawSession(p.service.mqttPort, stuck);
      socket.write(
        mqttPacket.generate({
          cmd: 'subscribe',
          messageId: 1,
          subscriptions: [{ topic: `devices/${stuck.id}/commands`, qos: 0 }],
        }),
      );
      // The SUBACK (0x90) confirms the subscription before the client stops reading.
      await new Promise<void>((resolve) => socket.once('data', (d: Buffer) => d[0] === 0x90 && resolve()));
      socket.pause(); // from here on it reads nothing
      const offline = new Promise<string | undefined>((resolve) =>
        p.bus.subscribe('status', (e) => {
          if (e.deviceId === stuck.id && e.status === 'offline') resolve(e.reason);
        }),
      );
      // Commands pile up for it: 64 MB, far more than loopback socket buffers hold even when
      // the kernel has grown them (a few MB each way).
      const command = Buffer.alloc(64 * 1024, 1);
      for (let i = 0; i < 1000; i++) {
        p.service.broker.aedes.publish(
          {
            cmd: 'publish',
            topic: `devices/${stuck.id}/commands`,
            payload: command,
            qos: 0,
            retain: false,
            dup: false,
          },
          () => {},
        );
      }
      const other = await p.provision();
      const client = await connectDevice(p.service.mqttPort, other);
      const latencies: number[] = [];
      for (let i = 1; i <= 20; i++) {
        const t = performance.now();
        await publishAsync(
          client,
          `devices/${other.id}/telemetry`,
          encodeTelemetryBatch([record(i, Date.now())]),
        );
        latencies.push(performance.now() - t);
      }
      latencies.sort((a, b) => a - b);
      expect(latencies[18]).toBeLessThan(250);
      // The broker cut it off (the paused socket may not notice until it reads again).
      expect(await offline).toBe('drain timeout');
      socket.destroy();
      await client.endAsync();
    } finally {
      await p.close();
    }
  });
});

/** A raw TCP MQTT session after a successful CONNECT, for packets mqtt.js would not send. */
async function rawSession(port: number, device: TestDevice): Promise<Socket> {
  const socket = tcpConnect(port, '127.0.0.1');
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('error', reject);
  });
  socket.write(
    mqttPacket.generate({
      cmd: 'connect',
      protocolId: 'MQTT',
      protocolVersion: 4,
      clean: true,
      clientId: device.id,
      keepalive: 30,
      username: device.id,
      password: Buffer.from(device.token),
    }),
  );
  await new Promise<void>((resolve, reject) => {
    socket.once('data', (data: Buffer) =>
      data[0] === 0x20 && data[3] === 0
        ? resolve()
        : reject(new Error(`no CONNACK 0: ${data.toString('hex')}`)),
    );
  });
  return socket;
}
