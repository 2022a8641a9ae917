// A speeding episode across a SIGKILL of the device side, in the embedded default as users run
// it (launcher, device and API children, PGlite owned by the launcher). The van speeds long
// enough for its alert to open, the device side is killed mid-episode and restarted by the
// launcher, the van goes on speeding and then slows down: there is exactly one alert, it keeps
// the episode's start and peak, and it resolves after the restart (neither repeated nor lost).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeTelemetryBatch } from '@fleet/proto';
import { freePort, loadConfig, RULE_PARAMS, silentLogger } from '@fleet/shared';
import { DeviceRegistry } from '@fleet/shared/db';
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type EmbeddedPlatform, startEmbeddedPlatform } from '../src/index.ts';

let platform: EmbeddedPlatform;
let dataDir: string;
let mqttPort: number;
let device: { id: string; token: string };
let orgId: string;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'fleet-rules-restart-'));
  mqttPort = await freePort();
  const config = loadConfig(
    {},
    {
      DATA_DIR: dataDir,
      QUESTDB_URL: inject('questdbUrl'),
      HTTP_PORT: await freePort(),
      MQTT_PORT: mqttPort,
      MQTT_WS_ENABLED: false,
      LOG_LEVEL: 'error',
      LOG_FORMAT: 'json',
      FLEET_ADMIN_PASSWORD: 'rules restart test password',
      AUTH_JWT_SECRET: 'rules-restart-secret-rules-restart-0123',
      INGEST_FLUSH_INTERVAL_MS: 5,
      // The scripted track runs at 10x real time from a minute ago: not "late" data.
      RULES_LATE_AFTER_S: 3600,
      RULES_CHECKPOINT_MS: 200,
      // Only the last second before the checkpoint is evaluated again on start: the episode's
      // beginning must come from the checkpointed state, not from a replay.
      RULES_REPLAY_MARGIN_S: 1,
      CONSOLE_DIR: join(dataDir, 'no-console'),
    },
  );
  platform = await startEmbeddedPlatform(config, silentLogger(), {
    async beforeChildren(db) {
      const registry = new DeviceRegistry(db);
      const org = await registry.ensureOrganisation('demo');
      orgId = org.id;
      const provisioned = await registry.provision({ orgId, name: 'speedy', kind: 'vehicle' });
      device = { id: provisioned.device.id, token: provisioned.token };
      const [asset] = await db.query<{ id: string }>(
        `insert into assets (org_id, kind, name, plate) values ($1, 'vehicle', 'Van 7', 'RUL-777') returning id::text as id`,
        [orgId],
      );
      await db.query(
        `insert into installations (org_id, device_id, asset_id, installed_at) values ($1, $2, $3, now() - interval '1 day')`,
        [orgId, device.id, asset?.id ?? ''],
      );
      await db.query(
        `insert into rules (org_id, name, kind, severity, params) values ($1, 'Speeding', 'overspeed', 'warning', $2::jsonb)`,
        [
          orgId,
          JSON.stringify(RULE_PARAMS.overspeed.parse({ limitKmh: 90, minDurationS: 20, clearDelayS: 10 })),
        ],
      );
    },
  });
}, 120_000);

afterAll(async () => {
  await platform?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

async function waitFor<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await fn().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

interface AlertRow {
  id: string;
  state: string;
  active: boolean;
  started_ms: number;
  details: { peakKmh?: number };
}
const alerts = () =>
  platform.db.query<AlertRow>(
    `select id::text as id, state, active, (extract(epoch from started_at) * 1000)::float8 as started_ms, details from alerts
      where org_id = $1 and device_id = $2 order by raised_at`,
    [orgId, device.id],
  );

describe('rule state across a restart of the device side', () => {
  it('SIGKILL mid-episode: one alert, resolved after the restart, with the episode start and peak', async () => {
    const client: MqttClient = mqtt.connect(`mqtt://127.0.0.1:${mqttPort}`, {
      clientId: device.id,
      username: device.id,
      password: device.token,
      reconnectPeriod: 100,
      connectTimeout: 2000,
    });
    const start = Date.now() - 60_000;
    let second = 0;
    /**
     * Publishes the next `count` seconds of track at `speedKmh`, each PUBACKed before the next,
     * at least `paceMs` apart: paced, the episode's start arrives seconds before the checkpoint,
     * outside the replay margin, so only the checkpointed state can carry it across the restart.
     */
    const drive = async (count: number, speedKmh: number, paceMs = 0) => {
      for (let i = 0; i < count; i++) {
        if (paceMs > 0) await new Promise((r) => setTimeout(r, paceMs));
        const s = second++;
        const payload = encodeTelemetryBatch([
          {
            seq: s + 1,
            tsMs: start + s * 1000,
            lat: 60.17 + s * 0.0003,
            lon: 24.94,
            speedKmh,
            ignition: true,
          },
        ]);
        await waitFor('a PUBACK', () =>
          client
            .publishAsync(`devices/${device.id}/telemetry`, Buffer.from(payload), { qos: 1 })
            .then(() => true),
        );
      }
    };
    try {
      await waitFor('the connection', async () => (client.connected ? true : undefined));
      await drive(5, 60, 100);
      await drive(30, 110, 100);
      const [opened] = await waitFor('the alert', async () =>
        (await alerts()).length > 0 ? alerts() : undefined,
      );
      expect(opened?.active).toBe(true);
      // Let checkpoints land (and the episode's start fall out of the replay margin), then kill
      // the device side in the middle of the episode.
      await new Promise((r) => setTimeout(r, 2500));
      const pid = platform.supervisor.pid('ingest');
      process.kill(pid ?? 0, 'SIGKILL');
      await platform.supervisor.readyAgain('ingest', pid);
      await drive(25, 126); // longer than the minimum duration: a forgotten episode would open anew
      await drive(20, 50);
      const resolved = await waitFor('the alert resolved', async () => {
        const rows = await alerts();
        return rows.every((r) => r.state === 'resolved') ? rows : undefined;
      });
      expect(resolved).toHaveLength(1);
      expect(resolved[0]?.id).toBe(opened?.id);
      expect(Math.round(Number(resolved[0]?.started_ms))).toBe(start + 5000);
      expect(resolved[0]?.details.peakKmh).toBe(126);
      expect(resolved[0]?.active).toBe(false);
    } finally {
      await client.endAsync(true);
    }
  }, 90_000);
});
