// The credential directory against the real broker service, registry (PGlite) and QuestDB:
// a connect storm asks the database nothing (every query the service makes is counted), each
// change that must refuse a device (disable, delete, new token, suspended organisation) does
// so at once, for a device connected and for one only held in memory, and garbage credentials
// are refused with their CONNACK code while the broker keeps serving.
import { randomUUID } from 'node:crypto';
import { OrganisationAdministration } from '@fleet/api';
import { type BrokerService, startBrokerService } from '@fleet/broker';
import { createFaultReporter, InProcessEventBus, loadConfig, silentLogger } from '@fleet/shared';
import {
  DeviceRegistry,
  migrate,
  openDatabase,
  type SqlDatabase,
  type SqlExecutor,
  type SqlParam,
} from '@fleet/shared/db';
import fc from 'fast-check';
import type { MqttClient } from 'mqtt';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { connackCode, connectDevice } from '../../test/support.ts';
import { RawMqtt } from './raw-mqtt.ts';

/** The database with every statement counted by what it reads. */
function counted(db: SqlDatabase): { db: SqlDatabase; queries: string[] } {
  const queries: string[] = [];
  const wrap = (x: SqlExecutor): SqlExecutor => ({
    query: <R extends object>(text: string, params?: readonly SqlParam[]) => {
      queries.push(text);
      return x.query<R>(text, params);
    },
    exec: (text: string) => {
      queries.push(text);
      return x.exec(text);
    },
  });
  return {
    queries,
    db: {
      ...db,
      ...wrap(db),
      kind: db.kind,
      transaction: (fn) => db.transaction((tx) => fn(wrap(tx))),
      listen: (channel, handler) => db.listen(channel, handler),
      close: () => db.close(),
    },
  };
}

/** Statements that look up one device's credentials (DeviceRegistry.checkCredentials). */
const credentialLookups = (queries: string[]) =>
  queries.filter((q) => q.includes('from devices where id = $1') && q.includes('org_suspended')).length;

function closed(client: MqttClient): Promise<void> {
  return new Promise((resolve) => {
    if (client.disconnected || !client.connected) return resolve();
    client.once('close', () => resolve());
  });
}

const STORM = 400;

describe('the credential directory with the real broker', () => {
  let raw: SqlDatabase;
  let db: SqlDatabase;
  let queries: string[];
  let registry: DeviceRegistry;
  let orgId: string;
  let service: BrokerService;
  let metrics: Registry;
  const stormDevices: { id: string; token: string }[] = [];

  const metric = async (name: string) => {
    const m = (await metrics.getMetricsAsJSON()).find((x) => x.name === name);
    return (m?.values ?? []).reduce((n, v) => n + v.value, 0);
  };
  const provision = async (org = orgId) => {
    const { device, token } = await registry.provision({
      orgId: org,
      name: `d-${randomUUID()}`,
      kind: 'vehicle',
    });
    return { id: device.id, token };
  };
  /** The device's next CONNECT is answered as `expected`, without waiting on a timer: bounded polls. */
  const connackOf = (d: { id: string; token: string }) =>
    connackCode(service.mqttPort, { clientId: d.id, username: d.id, password: d.token });

  beforeAll(async () => {
    raw = await openDatabase({ pgliteDir: 'memory://' });
    await migrate(raw);
    ({ db, queries } = counted(raw));
    registry = new DeviceRegistry(raw);
    orgId = (await registry.ensureOrganisation(`cc-${randomUUID().slice(0, 8)}`)).id;
    // Provisioned before the broker starts: held from the load, never looked up.
    for (let i = 0; i < STORM; i++) stormDevices.push(await provision());
    metrics = new Registry();
    const faults = createFaultReporter({ log: silentLogger(), registry: metrics });
    const config = loadConfig(
      {},
      {
        MQTT_PORT: 0,
        MQTT_WS_ENABLED: false,
        QUESTDB_URL: inject('questdbUrl'),
        LOG_LEVEL: 'silent',
        INGEST_FLUSH_INTERVAL_MS: 5,
        // The property test's garbage comes from one address: its failures must not close the gate.
        MQTT_AUTH_FAIL_RATE: 100_000,
        MQTT_AUTH_FAIL_BURST: 100_000,
        MQTT_AUTH_FAIL_GLOBAL_RATE: 100_000,
        MQTT_AUTH_FAIL_GLOBAL_BURST: 100_000,
      },
    );
    service = await startBrokerService({
      config,
      db,
      questdbUrl: inject('questdbUrl'),
      bus: new InProcessEventBus((err, topic) => faults.report('bus', topic, err)),
      metricsRegistry: metrics,
      log: silentLogger(),
      faults,
    });
  });
  afterAll(async () => {
    await service?.close();
    await raw?.close();
  });

  it('admits a storm of devices connecting at once without one credential query', async () => {
    expect(await metric('fleet_mqtt_credential_directory_devices')).toBe(STORM);
    const before = queries.length;
    const clients = await Promise.all(stormDevices.map((d) => connectDevice(service.mqttPort, d)));
    expect(clients.every((c) => c.connected)).toBe(true);
    expect(service.broker.connectedDevices()).toBe(STORM);
    const during = queries.slice(before);
    expect(credentialLookups(during)).toBe(0);
    expect(during.filter((q) => /\bdevices\b/.test(q))).toEqual([]);
    expect(await metric('fleet_mqtt_auth_lookups_total')).toBe(0);
    await Promise.all(clients.map((c) => c.endAsync()));
  });

  it('a device provisioned while the broker runs is held after its notification', async () => {
    const d = await provision();
    await service.credentialsSettled();
    const lookups = credentialLookups(queries);
    expect(await connackOf(d)).toBe('connected');
    expect(credentialLookups(queries)).toBe(lookups);
  });

  type Change = 'disable' | 'delete' | 'rotate' | 'suspend';
  /** Makes the change; returns the credentials the device tries next (the new token after a rotation). */
  const change = async (kind: Change, d: { id: string; token: string }, org: string) => {
    if (kind === 'disable') await registry.setDisabled(d.id, true);
    if (kind === 'delete') await registry.remove(d.id);
    if (kind === 'suspend') await new OrganisationAdministration(raw).setSuspended(org, true);
    if (kind === 'rotate') return { ...d, token: (await registry.reissueToken(d.id)).token };
    return undefined;
  };
  const refusedWith: Record<Change, number> = { disable: 5, delete: 4, rotate: 4, suspend: 5 };

  for (const kind of ['disable', 'delete', 'rotate', 'suspend'] as const) {
    it(`${kind}: a connected device is dropped and refused at once (CONNACK ${refusedWith[kind]})`, async () => {
      const org =
        kind === 'suspend' ? (await registry.ensureOrganisation(`s-${randomUUID().slice(0, 8)}`)).id : orgId;
      const d = await provision(org);
      await service.credentialsSettled();
      const client = await connectDevice(service.mqttPort, d);
      const gone = closed(client);
      const rotated = await change(kind, d, org);
      await gone;
      // Asked right after the change, before its re-read: the old credentials never pass.
      expect(await connackOf(d)).toBe(refusedWith[kind]);
      await service.credentialsSettled();
      expect(await connackOf(d)).toBe(refusedWith[kind]);
      if (rotated) expect(await connackOf(rotated)).toBe('connected');
    });

    it(`${kind}: a device only held in memory (not connected) is refused at once`, async () => {
      const org =
        kind === 'suspend' ? (await registry.ensureOrganisation(`s-${randomUUID().slice(0, 8)}`)).id : orgId;
      const d = await provision(org);
      await service.credentialsSettled();
      expect(await connackOf(d)).toBe('connected'); // held and valid
      const rotated = await change(kind, d, org);
      expect(await connackOf(d)).toBe(refusedWith[kind]);
      if (rotated) {
        await service.credentialsSettled();
        const lookups = credentialLookups(queries);
        expect(await connackOf(rotated)).toBe('connected');
        expect(credentialLookups(queries)).toBe(lookups); // the new token is held again
      }
    });
  }

  it('a wrong token for a held device is refused from memory and does not evict it', async () => {
    const d = stormDevices[0] as { id: string; token: string };
    const lookups = credentialLookups(queries);
    for (let i = 0; i < 20; i++) expect(await connackOf({ ...d, token: `fdt_wrong_${i}` })).toBe(4);
    expect(await connackOf(d)).toBe('connected');
    expect(credentialLookups(queries)).toBe(lookups);
  });

  it('refuses garbage credentials with the right CONNACK code, keeps nothing of them, and keeps serving', async () => {
    const real = stormDevices[1] as { id: string; token: string };
    await service.credentialsSettled(); // the earlier tests' re-reads are done
    const held = await metric('fleet_mqtt_credential_directory_devices');
    const text = fc.oneof(fc.string({ maxLength: 80 }), fc.string({ unit: 'grapheme', maxLength: 40 }));
    const username = fc.oneof(text, fc.constant(real.id), fc.constant(undefined));
    const password = fc.oneof(
      text.map((s) => Buffer.from(s)),
      fc.uint8Array({ maxLength: 600 }).map((b) => Buffer.from(b)),
      fc.constant(undefined),
    );
    const clientId = fc.oneof(text, fc.constant(real.id));
    let tried = 0;
    await fc.assert(
      fc.asyncProperty(username, password, clientId, async (user, pass, id) => {
        // The real device's own token is not garbage: leave that one case out.
        fc.pre(!(pass?.toString('utf8') === real.token));
        tried++;
        const conn = await RawMqtt.open(service.mqttPort);
        conn.send({
          cmd: 'connect',
          protocolId: 'MQTT',
          protocolVersion: 4,
          clean: true,
          clientId: id,
          keepalive: 30,
          ...(user === undefined ? {} : { username: user }),
          ...(pass === undefined || user === undefined ? {} : { password: pass }),
        });
        const code = await conn.connack();
        conn.socket.destroy();
        // broker.ts's codes: 4 for missing or bad credentials (checked first), 2 for a client id
        // other than the username; a device id that is unknown or has another token is a 4 too.
        const missing = !user || pass === undefined || pass.length === 0 || pass.length > 512;
        expect(code).toBe(missing ? 4 : id !== user ? 2 : 4);
      }),
      { numRuns: 150, seed: 20261203 },
    );
    expect(tried).toBeGreaterThan(100);
    expect(await metric('fleet_mqtt_credential_directory_devices')).toBe(held);
    const lookups = credentialLookups(queries);
    expect(await connackOf(real)).toBe('connected');
    expect(credentialLookups(queries)).toBe(lookups);
    expect(await metric('fleet_unexpected_errors_total')).toBe(0);
  });
});
