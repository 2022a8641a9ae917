// The embedded default as users run it: the launcher in this process (owning PGlite) and the
// device side and the API side as real child processes. Under load from MQTT devices, each child
// is killed with SIGKILL: the launcher starts it again, devices reconnect by themselves, every
// PUBACKed record is stored exactly once, and the other side serves on meanwhile.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeTelemetryBatch } from '@fleet/proto';
import { freePort, loadConfig, silentLogger } from '@fleet/shared';
import { DeviceRegistry } from '@fleet/shared/db';
import { QuestDbHttp } from '@fleet/shared/questdb';
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type EmbeddedPlatform, startEmbeddedPlatform } from '../src/index.ts';

const ADMIN_PASSWORD = 'supervision test password';
const DEVICES = 12;

let platform: EmbeddedPlatform;
let dataDir: string;
let httpUrl: string;
let mqttPort: number;
const devices: { id: string; token: string }[] = [];

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'fleet-supervision-'));
  mqttPort = await freePort();
  const httpPort = await freePort();
  httpUrl = `http://127.0.0.1:${httpPort}`;
  const config = loadConfig(
    {},
    {
      DATA_DIR: dataDir,
      QUESTDB_URL: inject('questdbUrl'),
      HTTP_PORT: httpPort,
      MQTT_PORT: mqttPort,
      MQTT_WS_ENABLED: false,
      LOG_LEVEL: 'error',
      LOG_FORMAT: 'json',
      FLEET_ADMIN_PASSWORD: ADMIN_PASSWORD,
      AUTH_JWT_SECRET: 'supervision-secret-supervision-secret-0123',
      INGEST_FLUSH_INTERVAL_MS: 5,
      CONSOLE_DIR: join(dataDir, 'no-console'),
    },
  );
  platform = await startEmbeddedPlatform(config, silentLogger(), {
    // Provisioned before the children start, as `npm start` does for its simulated fleet.
    async beforeChildren(db) {
      const registry = new DeviceRegistry(db);
      const org = await registry.ensureOrganisation('demo');
      for (let i = 0; i < DEVICES; i++) {
        const { device, token } = await registry.provision({
          orgId: org.id,
          name: `sup-${i}`,
          kind: 'vehicle',
        });
        devices.push({ id: device.id, token });
      }
    },
  });
}, 120_000);

afterAll(async () => {
  await platform?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

/** A device that publishes one record every `everyMs` and remembers which seqs were PUBACKed. */
function runDevice(device: { id: string; token: string }, everyMs: number) {
  const acked: { seq: number; at: number }[] = [];
  let seq = 0;
  let running = true;
  const client: MqttClient = mqtt.connect(`mqtt://127.0.0.1:${mqttPort}`, {
    clientId: device.id,
    username: device.id,
    password: device.token,
    keepalive: 30,
    reconnectPeriod: 100,
    connectTimeout: 2000,
  });
  const loop = (async () => {
    while (running) {
      const s = ++seq;
      const sent = client
        .publishAsync(
          `devices/${device.id}/telemetry`,
          Buffer.from(encodeTelemetryBatch([{ seq: s, tsMs: Date.now(), lat: 60.17, lon: 24.94 }])),
          { qos: 1 },
        )
        .then(
          () => acked.push({ seq: s, at: Date.now() }),
          () => {},
        );
      // Bounded: at most one unacknowledged publish of this device waits at a time.
      await Promise.race([sent, new Promise((r) => setTimeout(r, 2000))]);
      await new Promise((r) => setTimeout(r, everyMs));
    }
  })();
  return {
    acked,
    async stop() {
      running = false;
      await loop;
      await client.endAsync(true);
    },
  };
}

async function waitFor<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await fn().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function adminToken(): Promise<string> {
  const res = await fetch(`${httpUrl}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: 'admin@demo.local', password: ADMIN_PASSWORD }),
  });
  if (res.status !== 200) throw new Error(`login: ${res.status}`);
  return ((await res.json()) as { token: string }).token;
}

describe('supervised processes', () => {
  it('SIGKILL of either child: restarted, devices acknowledged again within seconds, every PUBACK stored once', async () => {
    const load = devices.map((d) => runDevice(d, 50));
    const ackCount = () => load.reduce((n, d) => n + d.acked.length, 0);
    await waitFor('the first acknowledgements', async () => (ackCount() > DEVICES * 5 ? true : undefined));

    // 1. The device side dies: acknowledgements stop, then resume once it is back.
    const ingestPid = platform.supervisor.pid('ingest');
    const killedAt = Date.now();
    process.kill(ingestPid ?? 0, 'SIGKILL');
    await platform.supervisor.readyAgain('ingest', ingestPid);
    const firstAckAfter = await waitFor('an acknowledgement after the restart', async () => {
      const after = load.flatMap((d) => d.acked.filter((a) => a.at > killedAt + 50).map((a) => a.at));
      return after.length > 0 ? Math.min(...after) : undefined;
    });
    const ingestRecoveryMs = firstAckAfter - killedAt;
    // The API side served on meanwhile (it never shared the device side's fate).
    expect((await fetch(`${httpUrl}/health`)).status).toBe(200);

    // 2. The API side dies: devices are acknowledged all the while; the API answers again.
    const acksBefore = ackCount();
    const apiPid = platform.supervisor.pid('api');
    const apiKilledAt = Date.now();
    process.kill(apiPid ?? 0, 'SIGKILL');
    await waitFor('the API answering again', async () =>
      (await fetch(`${httpUrl}/health`)).status === 200 ? true : undefined,
    );
    const apiRecoveryMs = Date.now() - apiKilledAt;
    expect(platform.supervisor.pid('api')).not.toBe(apiPid);
    expect(ackCount()).toBeGreaterThan(acksBefore);
    // The restarted API has the whole live fleet at once (live-sync from the device side).
    const token = await adminToken();
    const fleet = await waitFor('the live fleet in the new API process', async () => {
      const res = await fetch(`${httpUrl}/api/v1/fleet/latest`, {
        headers: { authorization: `Bearer ${token}` },
      });
      const body = (await res.json()) as { devices: { deviceId: string; connection: string }[] };
      const online = body.devices.filter((d) => d.connection === 'online').length;
      return online === DEVICES ? body : undefined;
    });
    expect(fleet.devices).toHaveLength(DEVICES);
    // One /metrics for the whole platform: every process's series, and the restarts counted.
    const metrics = await (await fetch(`${httpUrl}/metrics`)).text();
    expect(metrics).toMatch(
      /fleet_process_restarts_total\{role="ingest",cause="SIGKILL",process="launcher"\} 1/,
    );
    expect(metrics).toMatch(
      /fleet_process_restarts_total\{role="api",cause="SIGKILL",process="launcher"\} 1/,
    );
    expect(metrics).toMatch(/fleet_ingest_records_total\{outcome="stored",process="ingest"\} \d+/);
    expect(metrics).toMatch(/fleet_http_request_duration_seconds_count\{[^}]*process="api"[^}]*\} \d+/);

    await new Promise((r) => setTimeout(r, 500));
    for (const d of load) await d.stop();

    // Every acknowledged record is stored, exactly once (re-sent copies are absorbed by dedup).
    const questdb = new QuestDbHttp(inject('questdbUrl'));
    const ids = devices.map((d) => `'${d.id}'`).join(',');
    const acked = load.flatMap((d, i) => d.acked.map((a) => `${devices[i]?.id}:${a.seq}`));
    const stored = await waitFor('every acknowledged record in QuestDB', async () => {
      const rows = await questdb.rows<{ device_id: string; seq: number; n: number }>(
        `select device_id, seq, count() n from telemetry where device_id in (${ids}) group by device_id, seq`,
      );
      const have = new Set(rows.map((r) => `${r.device_id}:${r.seq}`));
      return acked.every((k) => have.has(k)) ? rows : undefined;
    });
    expect(stored.filter((r) => r.n !== 1)).toEqual([]);
    console.log(
      `supervision: ${acked.length} records acknowledged; device side back ${ingestRecoveryMs} ms after SIGKILL (first PUBACK), API side ${apiRecoveryMs} ms (first 200)`,
    );
  }, 90_000);
});
