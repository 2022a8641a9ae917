// `fleet send`: publishes a few sample records as a real device would (MQTT, QoS 1, protobuf),
// to check an installation end to end before any tracker or the simulator is connected.
import { encodeTelemetryBatch, type TelemetryInput } from '@fleet/proto';
import { FleetError } from '@fleet/shared';
import mqtt from 'mqtt';

export interface SendOptions {
  url: string;
  device: string;
  token: string;
  count: number;
}

export function sampleRecords(count: number, now: number): TelemetryInput[] {
  return Array.from({ length: count }, (_, i) => ({
    seq: now - count + i + 1, // increasing across runs too
    tsMs: now - (count - i - 1) * 1000,
    lat: 60.1699 + i * 0.0002,
    lon: 24.9384 + i * 0.0003,
    speedKmh: 36 + (i % 5),
    headingDeg: 45,
    ignition: true,
    fuelLevelPct: 71.5,
    engineRpm: 1600,
  }));
}

export async function sendSample(o: SendOptions, out: (line: string) => void): Promise<void> {
  if (!Number.isInteger(o.count) || o.count < 1 || o.count > 1000) {
    throw new FleetError('invalid_count', '--count must be an integer from 1 to 1000');
  }
  const client = await mqtt
    .connectAsync(o.url, {
      clientId: o.device,
      username: o.device,
      password: o.token,
      reconnectPeriod: 0,
      connectTimeout: 5000,
    })
    .catch((err: Error & { code?: number }) => {
      throw new FleetError('connect_failed', `could not connect to ${o.url}: ${err.message}`);
    });
  try {
    const started = performance.now();
    await client.publishAsync(
      `devices/${o.device}/telemetry`,
      Buffer.from(encodeTelemetryBatch(sampleRecords(o.count, Date.now()))),
      { qos: 1 },
    );
    out(
      `Sent ${o.count} record(s); PUBACK (stored in QuestDB) after ${(performance.now() - started).toFixed(1)} ms`,
    );
  } finally {
    await client.endAsync();
  }
}
