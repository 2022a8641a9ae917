// The broker's safety net: a dependency that throws where it should not (a bug, an unforeseen
// input) costs one connection or one message its answer, is counted in
// fleet_unexpected_errors_total{boundary="mqtt"}, and every other device keeps being served.
import type { IngestOutcome } from '@fleet/ingest';
import { type FleetEvents, type FleetTopic, InProcessEventBus } from '@fleet/shared';
import { afterEach, describe, expect, it } from 'vitest';
import type { Authenticator } from '../src/auth.ts';
import { RefusalLog } from '../src/refusals.ts';
import {
  type FakeBroker,
  type FakeBrokerOptions,
  fakeDevice,
  fakePipeline,
  STORED,
  startFakeBroker,
  tokenOf,
} from './fake-broker.ts';
import { RawMqtt } from './raw-mqtt.ts';

const creds = (id: string) => ({ id, token: tokenOf(id) });
const telemetry = (id: string) => `devices/${id}/telemetry`;

let fb: FakeBroker | undefined;
afterEach(async () => {
  await fb?.close();
  fb = undefined;
});

async function start(o: FakeBrokerOptions): Promise<FakeBroker> {
  fb = await startFakeBroker(o);
  return fb;
}

/** A good device still connects (CONNACK 0) and gets a PUBACK. */
async function expectServing(b: FakeBroker, id = 'dev-good'): Promise<void> {
  const raw = await RawMqtt.connect(b.port, creds(id));
  try {
    expect(await raw.connack()).toBe(0);
    expect(await raw.publishAcked(telemetry(id), Buffer.from('x'), 1)).toBe(true);
  } finally {
    raw.close();
  }
}

/** Waits until `n` unexpected errors were counted (some are reported a tick after the answer). */
async function expectFaults(b: FakeBroker, atLeast = 1): Promise<void> {
  await expect.poll(() => b.faults('mqtt')).toBeGreaterThanOrEqual(atLeast);
}

describe("an unexpected throw in a broker hook becomes that hook's own answer", () => {
  it('authenticate throws synchronously -> CONNACK 3, and the next device connects', async () => {
    const authenticator: Authenticator = {
      check: () => undefined,
      authenticate(clientId) {
        if (clientId === 'dev-auth-throws') throw new TypeError('bug in the authenticator');
        return Promise.resolve({ ok: true, device: fakeDevice(clientId) });
      },
    };
    const b = await start({ authenticator });
    const bad = await RawMqtt.connect(b.port, creds('dev-auth-throws'));
    expect(await bad.connack()).toBe(3);
    await bad.closed;
    await expectFaults(b);
    await expectServing(b);
  });

  it('authenticate resolves with something unusable -> CONNACK 3, not a dead broker', async () => {
    const authenticator = {
      check: () => undefined,
      authenticate: async (clientId: string) =>
        clientId === 'dev-odd' ? (null as never) : { ok: true as const, device: fakeDevice(clientId) },
    };
    const b = await start({ authenticator });
    const bad = await RawMqtt.connect(b.port, creds('dev-odd'));
    expect(await bad.connack()).toBe(3);
    await expectFaults(b);
    await expectServing(b);
  });

  it('ingestTelemetry throws synchronously -> no PUBACK, that connection closes, others are served', async () => {
    const pipeline = fakePipeline({
      ingestTelemetry(session) {
        if (session.deviceId === 'dev-ingest-throws') throw new RangeError('bug in the pipeline');
        return Promise.resolve(STORED);
      },
    });
    const b = await start({ pipeline });
    const bad = await RawMqtt.connect(b.port, creds('dev-ingest-throws'));
    expect(await bad.connack()).toBe(0);
    expect(await bad.publishAcked(telemetry('dev-ingest-throws'), Buffer.from('x'), 7, 2000)).toBe(false);
    await bad.closed;
    await expectFaults(b);
    await expectServing(b);
  });

  it('ingestTelemetry rejects with a plain Error -> no PUBACK, counted as unexpected', async () => {
    const pipeline = fakePipeline({
      ingestTelemetry: async (session) => {
        if (session.deviceId === 'dev-ingest-rejects') throw new Error('not a FleetError');
        return STORED;
      },
    });
    const b = await start({ pipeline });
    const bad = await RawMqtt.connect(b.port, creds('dev-ingest-rejects'));
    expect(await bad.connack()).toBe(0);
    expect(await bad.publishAcked(telemetry('dev-ingest-rejects'), Buffer.from('x'), 7, 2000)).toBe(false);
    await bad.closed;
    await expectFaults(b);
    await expectServing(b);
  });

  it('a reject notice that cannot be encoded (seq above 2^53 - 1) costs only the notice', async () => {
    const outcome: IngestOutcome = { stored: 0, rejected: [{ reason: 'out_of_range', seq: 2 ** 64 }] };
    const pipeline = fakePipeline({
      ingestTelemetry: async (session) => (session.deviceId === 'dev-big-seq' ? outcome : STORED),
    });
    const b = await start({ pipeline });
    const device = await RawMqtt.connect(b.port, creds('dev-big-seq'));
    expect(await device.connack()).toBe(0);
    // The PUBACK is the answer (the records were dealt with); it comes once, and the
    // connection stays.
    expect(await device.publishAcked(telemetry('dev-big-seq'), Buffer.from('x'), 9)).toBe(true);
    expect(await device.ping()).toBe(true);
    expect(device.received.filter((p) => p.cmd === 'puback')).toHaveLength(0);
    expect(await device.publishAcked(telemetry('dev-big-seq'), Buffer.from('x'), 10)).toBe(true);
    device.close();
    await expectServing(b);
  });

  it('the bus throws on a status event -> the device is still connected and served', async () => {
    class ThrowingBus extends InProcessEventBus {
      override publish<T extends FleetTopic>(topic: T, event: FleetEvents[T]): void {
        if (topic === 'status' && (event as { deviceId?: string }).deviceId === 'dev-bus-throws')
          throw new Error('bus down');
        super.publish(topic, event);
      }
    }
    const b = await start({ bus: new ThrowingBus() });
    const device = await RawMqtt.connect(b.port, creds('dev-bus-throws'));
    expect(await device.connack()).toBe(0);
    expect(await device.publishAcked(telemetry('dev-bus-throws'), Buffer.from('x'), 1)).toBe(true);
    device.close();
    await expectFaults(b);
    await expectServing(b);
  });

  it('recordEvent throws synchronously -> counted, the device is served', async () => {
    const pipeline = fakePipeline({
      recordEvent() {
        throw new Error('bug in recordEvent');
      },
    });
    const b = await start({ pipeline });
    await expectServing(b, 'dev-one');
    await expectFaults(b);
    await expectServing(b);
  });

  it('authorizeSubscribe throws -> SUBACK 0x80 for that filter, the connection stays', async () => {
    class ThrowingRefusals extends RefusalLog {
      override refuse(...args: Parameters<RefusalLog['refuse']>): void {
        if (args[0] === 'subscribe_denied') throw new Error('bug in the refusal log');
        super.refuse(...args);
      }
    }
    const b = await start({ refusals: (m, log) => new ThrowingRefusals(m.refusals, log) });
    const device = await RawMqtt.connect(b.port, creds('dev-sub'));
    expect(await device.connack()).toBe(0);
    expect(await device.subscribe(['devices/dev-other/commands', 'devices/dev-sub/commands'], 3)).toEqual([
      0x80, 1,
    ]);
    expect(await device.publishAcked(telemetry('dev-sub'), Buffer.from('x'), 4)).toBe(true);
    device.close();
    await expectFaults(b);
    await expectServing(b);
  });

  it('a refusal that throws in authorizePublish -> no PUBACK, the connection closes, others are served', async () => {
    class ThrowingRefusals extends RefusalLog {
      override refuse(...args: Parameters<RefusalLog['refuse']>): void {
        if (args[0] === 'topic_other_device') throw new Error('bug in the refusal log');
        super.refuse(...args);
      }
    }
    const b = await start({ refusals: (m, log) => new ThrowingRefusals(m.refusals, log) });
    const device = await RawMqtt.connect(b.port, creds('dev-pub'));
    expect(await device.connack()).toBe(0);
    expect(await device.publishAcked(telemetry('dev-other'), Buffer.from('x'), 4, 2000)).toBe(false);
    await device.closed;
    await expectFaults(b);
    await expectServing(b);
  });
});
