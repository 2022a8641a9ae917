// Abuse of the documented limits, through the real broker + ingest + registry: a device that
// reconnects to refill its message budget, a flood of CONNECTs with wrong credentials, and
// topic filters and names MQTT does not allow. Each case states the documented outcome
// (README, "What the broker does with bad input").
import { encodeTelemetryBatch } from '@fleet/proto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, type TestDevice, type TestPlatform } from '../../test/support.ts';
import { RawMqtt } from './raw-mqtt.ts';

async function metricValue(p: TestPlatform, name: string, labels: Record<string, string> = {}) {
  const metric = (await p.metrics.getMetricsAsJSON()).find((m) => m.name === name);
  const values = (metric?.values ?? []) as { value: number; labels: Record<string, string | number> }[];
  return values
    .filter((v) => Object.entries(labels).every(([k, val]) => String(v.labels[k]) === val))
    .reduce((sum, v) => sum + v.value, 0);
}

let seq = 0;
const batch = () => encodeTelemetryBatch([{ seq: ++seq, tsMs: Date.now(), lat: 60.17, lon: 24.94 }]);
const telemetry = (d: TestDevice) => `devices/${d.id}/telemetry`;
const creds = (d: TestDevice) => ({ id: d.id, token: d.token });

/** The device connects (CONNACK 0) and gets a PUBACK for one record. */
async function expectServed(p: TestPlatform, device: TestDevice, localAddress?: string): Promise<void> {
  const raw = await RawMqtt.connect(p.service.mqttPort, creds(device), localAddress ? { localAddress } : {});
  try {
    expect(await raw.connack()).toBe(0);
    expect(await raw.publishAcked(telemetry(device), batch(), 1)).toBe(true);
  } finally {
    raw.close();
  }
}

describe('the per-device message rate holds across reconnects', () => {
  let p: TestPlatform;
  beforeAll(async () => {
    p = await startTestPlatform({ MQTT_DEVICE_MSG_RATE: 5, MQTT_DEVICE_MSG_BURST: 10 });
  });
  afterAll(async () => {
    await p?.close();
  });

  it('a device that reconnects after each refusal gets no more than rate x time + burst acknowledged', async () => {
    const device = await p.provision();
    const started = performance.now();
    let acked = 0;
    let connections = 0;
    while (performance.now() - started < 3000) {
      const raw = await RawMqtt.connect(p.service.mqttPort, creds(device));
      connections++;
      if ((await raw.connack()) !== 0) throw new Error('the device could not connect');
      // One at a time, as fast as the PUBACKs come, until the broker closes the connection.
      for (let id = 1; id <= 50 && !raw.isClosed; id++) {
        if (await raw.publishAcked(telemetry(device), batch(), id, 2000)) acked++;
      }
      raw.close();
    }
    const seconds = (performance.now() - started) / 1000;
    expect(connections).toBeGreaterThan(3); // it did reconnect
    expect(acked).toBeGreaterThanOrEqual(10); // the burst
    expect(acked).toBeLessThanOrEqual(Math.ceil(5 * seconds) + 10);
    expect(await metricValue(p, 'fleet_mqtt_refusals_total', { reason: 'message_rate' })).toBeGreaterThan(0);
  });
});

describe('a flood of CONNECTs with wrong credentials', () => {
  let p: TestPlatform;
  beforeAll(async () => {
    // A small connect budget: charged before authentication, the flood would empty it.
    p = await startTestPlatform({ MQTT_CONNECT_RATE: 20, MQTT_CONNECT_BURST: 20 });
  });
  afterAll(async () => {
    await p?.close();
  });

  it('does not lock real devices out, whether they share the address of the flood or not', {
    timeout: 60_000,
  }, async () => {
    const known = await p.provision(); // connected before the flood, from the flood's address
    const fresh = await p.provision(); // first connects during the flood, from an address of its own
    const victim = await p.provision(); // its id is used by the flood with wrong tokens
    await expectServed(p, known);
    const port = p.service.mqttPort;
    let flooded = 0;
    const refusedCodes = new Map<number | 'closed', number>();
    const flood = async (localAddress: string, n: number) => {
      for (let i = 0; i < n; i++) {
        const wrong =
          i % 3 === 0
            ? { id: victim.id, token: `fdt_wrong_${i}` } // a real device id, a wrong token
            : { id: `made-up-${localAddress}-${i}`, token: 'fdt_x' }; // an id nobody has
        const raw = await RawMqtt.connect(port, wrong, { localAddress });
        const code = await raw.connack();
        refusedCodes.set(code, (refusedCodes.get(code) ?? 0) + 1);
        raw.close();
        flooded++;
      }
    };
    const attackers = ['127.0.0.1', '127.0.0.2', '127.0.0.3', '127.0.0.4', '127.0.0.5', '127.0.0.6'];
    let floodDone = false;
    const flooding = Promise.all(attackers.flatMap((a) => [flood(a, 150), flood(a, 150)])).finally(() => {
      floodDone = true;
    });
    const codes: (number | 'closed')[] = [];
    while (!floodDone || codes.length < 6) {
      for (const [device, localAddress] of [
        [known, '127.0.0.1'],
        [fresh, '127.0.0.20'],
      ] as const) {
        const raw = await RawMqtt.connect(port, creds(device), { localAddress });
        codes.push(await raw.connack());
        raw.close();
      }
      await new Promise((r) => setTimeout(r, 200));
    }
    await flooding;
    console.log(
      `flood: ${flooded} CONNECTs, answers ${JSON.stringify([...refusedCodes])}; real devices: ${codes.length} CONNECTs`,
    );
    expect(flooded).toBe(1800);
    expect(codes.every((c) => c === 0)).toBe(true);
    // The flood itself was refused: wrong credentials (4) until each address was over its
    // failure budget, then "server unavailable" (3) without a look-up.
    expect(refusedCodes.get(0)).toBeUndefined();
    expect(
      await metricValue(p, 'fleet_mqtt_refusals_total', { reason: 'auth_failure_rate' }),
    ).toBeGreaterThan(0);
    // The victim itself is not locked out by the wrong tokens tried with its id.
    await expectServed(p, victim, '127.0.0.30');
    expect(await metricValue(p, 'fleet_unexpected_errors_total')).toBe(0);
  });
});

describe('client ids the registry cannot hold (found by broker/test/fuzz.test.ts)', () => {
  let p: TestPlatform;
  beforeAll(async () => {
    p = await startTestPlatform();
  });
  afterAll(async () => {
    await p?.close();
  });

  // A NUL in the username reached PostgreSQL, which refused the query ("invalid byte sequence
  // for encoding UTF8: 0x00"): CONNACK 3 and an error line per try, as if the registry were
  // down. Such an id cannot be a device id: CONNACK 4 without a look-up.
  it.each([
    ['a NUL', 'dev-\u0000-x'],
    ['only a NUL', '\u0000'],
    ['an escape character', 'dev-\u001b[31m'],
    ['65 characters', 'd'.repeat(65)],
  ])('%s -> CONNACK 4 (bad credentials), not 3', async (_label, id) => {
    const raw = await RawMqtt.connect(p.service.mqttPort, { id, token: 'fdt_x' });
    expect(await raw.connack()).toBe(4);
    raw.close();
    expect(await metricValue(p, 'fleet_mqtt_refusals_total', { reason: 'registry_unavailable' })).toBe(0);
  });
});

describe('topic filters and names that MQTT does not allow', () => {
  let p: TestPlatform;
  let device: TestDevice;
  beforeAll(async () => {
    p = await startTestPlatform();
    device = await p.provision();
  });
  afterAll(async () => {
    await p?.close();
  });

  const INVALID_FILTERS = [
    'a/#/b',
    '#a',
    '',
    'devices/x/commands\u0000',
    '+x',
    'a/b#',
    'x/+y/z',
    '/'.repeat(120),
  ];

  it('SUBSCRIBE: 0x80 for each invalid filter, the valid ones answered as usual, the connection stays', async () => {
    const raw = await RawMqtt.connect(p.service.mqttPort, creds(device));
    expect(await raw.connack()).toBe(0);
    const own = `devices/${device.id}/commands`;
    const granted = await raw.subscribe(
      [...INVALID_FILTERS.slice(0, 4), own, ...INVALID_FILTERS.slice(4), '#'],
      5,
    );
    expect(granted).toEqual([0x80, 0x80, 0x80, 0x80, 1, 0x80, 0x80, 0x80, 0x80, 0x80]);
    expect(await raw.publishAcked(telemetry(device), batch(), 6)).toBe(true);
    // Each invalid filter alone, too.
    let id = 10;
    for (const filter of INVALID_FILTERS) {
      expect(await raw.subscribe([filter], id++)).toEqual([0x80]);
    }
    expect(await raw.publishAcked(telemetry(device), batch(), id)).toBe(true);
    raw.close();
    expect(await metricValue(p, 'fleet_unexpected_errors_total')).toBe(0);
  });

  it('UNSUBSCRIBE with invalid filters: UNSUBACK, the connection stays', async () => {
    const raw = await RawMqtt.connect(p.service.mqttPort, creds(device));
    expect(await raw.connack()).toBe(0);
    const own = `devices/${device.id}/commands`;
    expect(await raw.subscribe([own], 1)).toEqual([1]);
    raw.send({ cmd: 'unsubscribe', messageId: 2, unsubscriptions: [...INVALID_FILTERS, own] });
    expect(await raw.next('unsuback', 5000, (packet) => packet.messageId === 2)).toBeDefined();
    raw.send({ cmd: 'unsubscribe', messageId: 3, unsubscriptions: [''] });
    expect(await raw.next('unsuback', 5000, (packet) => packet.messageId === 3)).toBeDefined();
    expect(await raw.publishAcked(telemetry(device), batch(), 4)).toBe(true);
    raw.close();
    expect(await metricValue(p, 'fleet_unexpected_errors_total')).toBe(0);
  });

  it('PUBLISH to an invalid topic name: no PUBACK, the connection closes, the refusal is counted', async () => {
    const before = await metricValue(p, 'fleet_mqtt_refusals_total');
    const names = [
      '',
      'a/#',
      '#',
      '+',
      `devices/${device.id}/+`,
      '/'.repeat(150),
      `${telemetry(device)}\u0000`,
    ];
    for (const topic of names) {
      const raw = await RawMqtt.connect(p.service.mqttPort, creds(device));
      expect(await raw.connack()).toBe(0);
      expect(await raw.publishAcked(topic, batch(), 1, 2000)).toBe(false);
      await raw.closed;
    }
    expect(await metricValue(p, 'fleet_mqtt_refusals_total')).toBe(before + names.length);
    expect(await metricValue(p, 'fleet_mqtt_refusals_total', { reason: 'topic_empty' })).toBe(1);
    await expectServed(p, device);
    expect(await metricValue(p, 'fleet_unexpected_errors_total')).toBe(0);
  });
});
