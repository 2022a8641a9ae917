// Test helpers shared by the integration suites: a real broker + ingest service on free ports
// against the run's QuestDB, a registry to provision devices, and mqtt.js devices.
import { randomUUID } from 'node:crypto';
import { type BrokerService, startBrokerService } from '@fleet/broker';
import {
  createFaultReporter,
  type FaultReporter,
  type FleetConfig,
  InProcessEventBus,
  loadConfig,
  type SettingName,
  silentLogger,
} from '@fleet/shared';
import { type DeviceKind, DeviceRegistry, migrate, openDatabase, type SqlDatabase } from '@fleet/shared/db';
import { QuestDbHttp, sqlString } from '@fleet/shared/questdb';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { Registry } from 'prom-client';
import { inject } from 'vitest';

export interface TestDevice {
  id: string;
  token: string;
  tenant: string;
}

export interface TestPlatform {
  service: BrokerService;
  config: FleetConfig;
  db: SqlDatabase;
  registry: DeviceRegistry;
  bus: InProcessEventBus;
  metrics: Registry;
  /** The platform's fault reporter (counted in `metrics`), shared with the API in api-support. */
  faults: FaultReporter;
  questdb: QuestDbHttp;
  tenant: string;
  provision(kind?: DeviceKind): Promise<TestDevice>;
  /** Stops the broker service (the database and QuestDB stay); `service` is stale until startBroker. */
  stopBroker(): Promise<void>;
  /** Starts a new broker service on the same MQTT port. */
  startBroker(): Promise<void>;
  close(): Promise<void>;
}

export async function startTestPlatform(
  overrides: Partial<Record<SettingName, string | number | boolean>> = {},
): Promise<TestPlatform> {
  const config = loadConfig(
    {},
    {
      MQTT_PORT: 0,
      MQTT_WS_PORT: 0,
      QUESTDB_URL: inject('questdbUrl'),
      LOG_LEVEL: 'silent',
      INGEST_FLUSH_INTERVAL_MS: 5,
      ...overrides,
    },
  );
  const db = await openDatabase({ url: config.DATABASE_URL, pgliteDir: 'memory://' });
  await migrate(db);
  const registry = new DeviceRegistry(db);
  const org = await registry.ensureOrganisation(`t-${randomUUID().slice(0, 8)}`);
  const metrics = new Registry();
  const faults = createFaultReporter({ log: silentLogger(), registry: metrics });
  const bus = new InProcessEventBus((err, topic) => faults.report('bus', topic, err));
  const startService = (cfg: FleetConfig, registry: Registry) =>
    startBrokerService({
      config: cfg,
      db,
      questdbUrl: cfg.QUESTDB_URL ?? inject('questdbUrl'),
      bus,
      metricsRegistry: registry,
      log: silentLogger(),
      faults,
    });
  let service = await startService(config, metrics);
  let running = true;
  let n = 0;
  return {
    get service() {
      return service;
    },
    config,
    db,
    registry,
    bus,
    metrics,
    faults,
    questdb: new QuestDbHttp(config.QUESTDB_URL ?? inject('questdbUrl')),
    tenant: org.id,
    async provision(kind: DeviceKind = 'vehicle') {
      const { device, token } = await registry.provision({ orgId: org.id, name: `dev-${++n}`, kind });
      return { id: device.id, token, tenant: org.id };
    },
    async stopBroker() {
      if (!running) return;
      running = false;
      await service.close();
    },
    async startBroker() {
      if (running) return;
      // A fresh metrics registry: the old service's metrics stay registered in the first one.
      service = await startService({ ...config, MQTT_PORT: service.mqttPort }, new Registry());
      running = true;
    },
    async close() {
      if (running) await service.close();
      await db.close();
    },
  };
}

export function connectDevice(
  port: number,
  device: { id: string; token: string },
  options: IClientOptions = {},
): Promise<MqttClient> {
  return mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, {
    clientId: device.id,
    username: device.id,
    password: device.token,
    keepalive: 30,
    reconnectPeriod: 0,
    connectTimeout: 5000,
    ...options,
  });
}

/** The CONNACK return code of a refused connection (mqtt.js reports it on the error). */
export async function connackCode(port: number, options: IClientOptions): Promise<number | 'connected'> {
  try {
    const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, {
      reconnectPeriod: 0,
      connectTimeout: 5000,
      keepalive: 30,
      ...options,
    });
    await client.endAsync();
    return 'connected';
  } catch (err) {
    const code = (err as { code?: number }).code;
    if (typeof code !== 'number') throw err;
    return code;
  }
}

/** Polls QuestDB until `sql` returns at least `min` rows (WAL apply is asynchronous). */
export async function waitForRows<R extends Record<string, unknown>>(
  questdb: QuestDbHttp,
  sql: string,
  min: number,
  timeoutMs = 15_000,
): Promise<R[]> {
  const deadline = Date.now() + timeoutMs;
  let rows: R[] = [];
  while (Date.now() < deadline) {
    rows = await questdb.rows<R>(sql);
    if (rows.length >= min) return rows;
    await new Promise((r) => setTimeout(r, 100));
  }
  return rows;
}

/** A fresh, empty PostgreSQL database on the run's server; dropped by the returned function. */
export async function freshPostgresDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const admin = await openDatabase({ url: inject('postgresUrl'), maxConnections: 1 });
  const name = `fleet_${randomUUID().replaceAll('-', '').slice(0, 16)}`;
  await admin.exec(`create database ${name}`);
  const url = inject('postgresUrl').replace(/\/[^/]*$/, `/${name}`);
  return {
    url,
    async drop() {
      await admin.exec(`drop database if exists ${name} with (force)`);
      await admin.close();
    },
  };
}

export function deviceFilter(deviceId: string): string {
  return `device_id = ${sqlString(deviceId)}`;
}
