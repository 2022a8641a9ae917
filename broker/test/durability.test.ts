// The no-loss guarantee under failure: a PUBACK means the records reach QuestDB, exactly once,
// even when the broker/ingest process or QuestDB itself is killed mid-stream.
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { exitOf, freePort, spawnTied, stopChild, waitForPort } from '@fleet/shared';
import { DeviceRegistry, migrate, openDatabase } from '@fleet/shared/db';
import { type ManagedQuestDb, QuestDbHttp, sqlString, startManagedQuestDb } from '@fleet/shared/questdb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { FleetLoad } from '../../test/load.ts';
import { startTestPlatform, type TestDevice, type TestPlatform } from '../../test/support.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const JAR = join(ROOT, 'vendor/questdb/questdb-9.3.4.jar');

/** Every acked seq is stored exactly once; returns the number of stored rows checked. */
async function expectAckedStoredOnce(questdb: QuestDbHttp, load: FleetLoad): Promise<number> {
  let checked = 0;
  for (const l of load.loads) {
    const sql = `select seq, count() n from telemetry where device_id = ${sqlString(l.device.id)} group by seq`;
    let rows: { seq: number; n: number }[] = [];
    // WAL apply is asynchronous: poll until every acked record is visible.
    for (let i = 0; i < 100; i++) {
      rows = await questdb.rows<{ seq: number; n: number }>(sql);
      if (rows.length >= l.acked.size) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const stored = new Map(rows.map((r) => [r.seq, r.n]));
    const missing = [...l.acked].filter((s) => !stored.has(s));
    expect(missing, `acked but not stored for ${l.device.id}`).toEqual([]);
    expect(
      rows.filter((r) => r.n !== 1),
      'duplicates',
    ).toEqual([]);
    checked += rows.length;
  }
  return checked;
}

describe('kill -9 of the broker/ingest process mid-stream', () => {
  let dataDir: string;
  let child: ChildProcess | undefined;
  let port: number;
  let httpPort: number;
  const devices: TestDevice[] = [];

  const spawnBroker = async () => {
    child = spawnTied(process.execPath, [join(ROOT, 'platform/src/main.ts')], {
      stdio: ['ignore', 'ignore', 'inherit'],
      env: {
        ...process.env,
        DATA_DIR: dataDir,
        QUESTDB_URL: inject('questdbUrl'),
        MQTT_PORT: String(port),
        HTTP_PORT: String(httpPort),
        AUTH_JWT_SECRET: 'durability-test-secret-0123456789abcdef',
        MQTT_WS_ENABLED: 'false',
        LOG_LEVEL: 'fatal',
        MQTT_DEVICE_MSG_BURST: '10000',
        MQTT_DEVICE_MSG_RATE: '10000',
      },
    });
    expect(await waitForPort(port, child, 60_000)).toBe(true);
  };

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'fleet-kill-'));
    port = await freePort();
    httpPort = await freePort();
    // Provision before the broker owns the embedded database (PGlite: one process at a time).
    const db = await openDatabase({ pgliteDir: join(dataDir, 'pg') });
    await migrate(db);
    const registry = new DeviceRegistry(db);
    const org = await registry.ensureOrganisation('durability');
    for (let i = 0; i < 4; i++) {
      const { device, token } = await registry.provision({
        orgId: org.id,
        name: `van-${i}`,
        kind: 'vehicle',
      });
      devices.push({ id: device.id, token, tenant: org.id });
    }
    await db.close();
  });

  afterAll(async () => {
    if (child) await stopChild(child);
    rmSync(dataDir, { recursive: true, force: true });
  });

  // The whole platform (the launcher and its children) is killed here; platform/test has each
  // child killed on its own while the launcher restarts it.
  it('every PUBACKed record is in QuestDB exactly once after a restart', { timeout: 120_000 }, async () => {
    await spawnBroker();
    const load = new FleetLoad({
      port,
      devices,
      messages: 400,
      recordsPerMessage: 10,
      maxInFlight: 10,
      intervalMs: 2,
    });
    const running = load.run();
    await expect.poll(() => load.ackedRecords, { timeout: 20_000 }).toBeGreaterThan(2000);
    const ackedBeforeKill = load.ackedRecords;
    (child as ChildProcess).kill('SIGKILL');
    await exitOf(child as ChildProcess);
    await new Promise((r) => setTimeout(r, 1000));
    await spawnBroker();
    await running;
    expect(await load.settle(60_000)).toBe(true);
    const stored = await expectAckedStoredOnce(new QuestDbHttp(inject('questdbUrl')), load);
    expect(ackedBeforeKill).toBeLessThan(load.ackedRecords);
    expect(stored).toBe(4 * 400 * 10);
    // The restarted process counts what it stored and how long PUBACKs took (GET /metrics).
    const metrics = await (await fetch(`http://127.0.0.1:${httpPort}/metrics`)).text();
    const storedAfterRestart = Number(
      /fleet_ingest_records_total\{outcome="stored",process="ingest"\} (\d+)/.exec(metrics)?.[1],
    );
    expect(storedAfterRestart).toBeGreaterThan(0);
    expect(metrics).toMatch(/fleet_mqtt_puback_seconds_count\{process="ingest"\} \d+/);
    expect(metrics).toContain('process_cpu_user_seconds_total');
    await load.close();
  });
});

describe('QuestDB failures under load', () => {
  // This suite kills and stops QuestDB, so it runs its own instance rather than the shared one.
  let questdb: ManagedQuestDb;
  let root: string;
  let httpPort: number;
  let pgPort: number;
  let p: TestPlatform;

  const startQuestDb = async () => {
    questdb = await startManagedQuestDb({ jarPath: JAR, rootDir: root, httpPort, pgPort, heapMb: 512 });
  };

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'fleet-qdb-chaos-'));
    httpPort = await freePort();
    pgPort = await freePort();
    await startQuestDb();
    p = await startTestPlatform({
      QUESTDB_URL: questdb.httpUrl,
      MQTT_DEVICE_MSG_RATE: 10_000,
      MQTT_DEVICE_MSG_BURST: 10_000,
      INGEST_MAX_PENDING_ROWS: 3000,
      INGEST_RETRY_MAX_MS: 500,
    });
  });

  afterAll(async () => {
    await p?.close();
    await questdb?.stop();
    rmSync(root, { recursive: true, force: true });
  });

  it('kill -9 of QuestDB: no PUBACK while it is gone, nothing acked is lost', {
    timeout: 120_000,
  }, async () => {
    const devices = [await p.provision(), await p.provision(), await p.provision()];
    const load = new FleetLoad({
      port: p.service.mqttPort,
      devices,
      messages: 300,
      recordsPerMessage: 5,
      maxInFlight: 5,
      intervalMs: 5,
    });
    const running = load.run();
    await expect.poll(() => load.ackedRecords, { timeout: 20_000 }).toBeGreaterThan(500);
    process.kill(questdb.pid, 'SIGKILL');
    await questdb.exited;
    await new Promise((r) => setTimeout(r, 300));
    const ackedWhileDown = load.ackedRecords;
    await new Promise((r) => setTimeout(r, 2000));
    expect(load.ackedRecords).toBe(ackedWhileDown);
    expect(p.service.broker.connectedDevices()).toBeGreaterThanOrEqual(0);
    await startQuestDb();
    await running;
    expect(await load.settle(60_000)).toBe(true);
    await expectAckedStoredOnce(p.questdb, load);
    await load.close();
  });

  it('QuestDB stopped for 10 s: memory stays bounded, writing resumes by itself', {
    timeout: 120_000,
  }, async () => {
    const devices = [await p.provision(), await p.provision(), await p.provision(), await p.provision()];
    const load = new FleetLoad({
      port: p.service.mqttPort,
      devices,
      messages: 600,
      recordsPerMessage: 5,
      maxInFlight: 10,
      intervalMs: 5,
    });
    const running = load.run();
    await expect.poll(() => load.ackedRecords, { timeout: 20_000 }).toBeGreaterThan(500);
    await questdb.stop();
    let maxPending = 0;
    const started = Date.now();
    while (Date.now() - started < 10_000) {
      maxPending = Math.max(maxPending, p.service.pendingRows());
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(maxPending).toBeGreaterThan(0);
    expect(maxPending).toBeLessThanOrEqual(3000);
    await startQuestDb();
    await running;
    expect(await load.settle(60_000)).toBe(true);
    await expectAckedStoredOnce(p.questdb, load);
    await load.close();
  });
});
