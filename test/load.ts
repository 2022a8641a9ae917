// A bounded QoS 1 load for durability tests: each device publishes numbered batches with a
// cap on unacknowledged messages and remembers exactly which records were PUBACKed.
import { encodeTelemetryBatch } from '@fleet/proto';
import mqtt, { type MqttClient } from 'mqtt';
import type { TestDevice } from './support.ts';

export interface DeviceLoad {
  device: TestDevice;
  client: MqttClient;
  /** seq of every record whose message got its PUBACK. */
  acked: Set<number>;
  sent: number;
}

export interface LoadOptions {
  port: number;
  devices: TestDevice[];
  messages: number;
  recordsPerMessage: number;
  maxInFlight: number;
  /** ms between messages of one device (0: as fast as acks allow). */
  intervalMs: number;
}

export class FleetLoad {
  readonly loads: DeviceLoad[];
  readonly #o: LoadOptions;
  #stopped = false;
  readonly #baseTs = Date.now() - 3_600_000;

  constructor(o: LoadOptions) {
    this.#o = o;
    this.loads = o.devices.map((device) => ({
      device,
      client: mqtt.connect(`mqtt://127.0.0.1:${o.port}`, {
        clientId: device.id,
        username: device.id,
        password: device.token,
        keepalive: 10,
        reconnectPeriod: 250,
        connectTimeout: 3000,
        clean: true,
      }),
      acked: new Set<number>(),
      sent: 0,
    }));
  }

  get ackedRecords(): number {
    return this.loads.reduce((n, l) => n + l.acked.size, 0);
  }

  /** Publishes every message; resolves when all were sent (not necessarily acked). */
  async run(): Promise<void> {
    await Promise.all(this.loads.map((l) => this.#runDevice(l)));
  }

  async #runDevice(l: DeviceLoad): Promise<void> {
    const { messages, recordsPerMessage, maxInFlight, intervalMs } = this.#o;
    let inFlight = 0;
    for (let m = 0; m < messages && !this.#stopped; m++) {
      while (inFlight >= maxInFlight && !this.#stopped) await new Promise((r) => setTimeout(r, 5));
      const seqs = Array.from({ length: recordsPerMessage }, (_, i) => m * recordsPerMessage + i + 1);
      const payload = encodeTelemetryBatch(
        seqs.map((seq) => ({
          seq,
          tsMs: this.#baseTs + seq * 100,
          lat: 60.17 + seq * 1e-6,
          lon: 24.94,
          speedKmh: 30,
          headingDeg: 180,
        })),
      );
      inFlight++;
      l.sent++;
      l.client.publish(`devices/${l.device.id}/telemetry`, Buffer.from(payload), { qos: 1 }, (err) => {
        inFlight--;
        if (!err) for (const s of seqs) l.acked.add(s);
      });
      if (intervalMs > 0) await new Promise((r) => setTimeout(r, intervalMs));
    }
  }

  /** Waits until every sent message is acked or the time is up; returns whether all were. */
  async settle(timeoutMs: number): Promise<boolean> {
    const want = this.loads.reduce((n, l) => n + l.sent * this.#o.recordsPerMessage, 0);
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (this.ackedRecords >= want) return true;
      await new Promise((r) => setTimeout(r, 100));
    }
    return false;
  }

  async close(): Promise<void> {
    this.#stopped = true;
    await Promise.all(this.loads.map((l) => l.client.endAsync(true)));
  }
}
