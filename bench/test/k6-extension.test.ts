// The k6 extension's Go packages (bench/k6/xk6-fleet-mqtt/wire and /device, which import no k6
// code and so build in seconds) against the project's own parts: the Go encoder's bytes decoded
// by @fleet/proto's protobufjs codec, and the Go MQTT client against a real aedes broker started
// here on a free port of 127.0.0.1 (device authentication, PUBACKs held back a known time, the
// payloads that arrived decoded again). The full k6 binary is built by npm run k6:build and run by
// npm run bench:k6; see bench/README.md for why CI tests these packages instead.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeTelemetryBatch, type TelemetryMessage } from '@fleet/proto';
import { freePort } from '@fleet/shared';
import { Aedes, type Client, type PublishPacket } from 'aedes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../src/paths.ts';

const MODULE_DIR = join(ROOT, 'bench/k6/xk6-fleet-mqtt');
const GO = existsSync('/usr/local/go/bin/go') ? '/usr/local/go/bin/go' : 'go';
const DEVICE = 'dev-k6-test';
const TOKEN = 'k6-test-token';
const DELAY_MS = 40;
const LIMITS = { maxBytes: 256 * 1024, maxRecords: 10_000 };

/** The records as a k6 script would pass them (the field names of TelemetryMessage). */
const RECORDS = [
  { seq: 1, tsMs: 1_763_000_000_000, lat: 60.1699, lon: 24.9384, speedKmh: 52.3, headingDeg: 271.5 },
  {
    seq: 9_007_199_254_740_991,
    tsMs: 1_763_000_001_000,
    lat: -33.8688,
    lon: 151.2093,
    speedKmh: 0,
    headingDeg: 0,
    altitudeM: 12.5,
    hdop: 0.9,
    satellites: 11,
    ignition: false,
    odometerKm: 123_456.789,
    engineHours: 4321.25,
    fuelLevelPct: 61.5,
    fuelLevelL: 48.2,
    batteryV: 3.95,
    externalV: 27.6,
    engineRpm: 2150,
    coolantTempC: 89.5,
    engineLoadPct: 33.3,
    dtcCodes: ['P0301', 'P0420'],
    temperatureC: -18.4,
    doorOpen: true,
    ptoActive: false,
    tamper: false,
    driverCardId: 'Ä0:4F-ü',
  },
  { seq: 3, tsMs: 1_763_000_002_000, lat: 90, lon: -180, speedKmh: 999.5, headingDeg: 360 },
];

type InputRecord = (typeof RECORDS)[number] & Partial<TelemetryMessage>;

const FLOAT32 = new Set([
  'speedKmh',
  'headingDeg',
  'altitudeM',
  'hdop',
  'fuelLevelPct',
  'fuelLevelL',
  'batteryV',
  'externalV',
  'coolantTempC',
  'engineLoadPct',
  'temperatureC',
]);

/** What protobufjs must decode from the Go bytes: float32 fields rounded as float32. */
function expected(r: InputRecord): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(r)) out[k] = FLOAT32.has(k) ? Math.fround(v as number) : v;
  return out;
}

function expectSameRecords(decoded: TelemetryMessage[]): void {
  expect(decoded).toHaveLength(RECORDS.length);
  RECORDS.forEach((r, i) => {
    const d = decoded[i] as TelemetryMessage & Record<string, unknown>;
    // Every field given is decoded to the same value; every field not given is absent.
    expect(d).toMatchObject(expected(r));
    for (const k of ['altitudeM', 'ignition', 'driverCardId', 'doorOpen'])
      if (!(k in r)) expect(d[k]).toBeUndefined();
  });
}

interface GoRun {
  code: number;
  output: string;
}

function goTest(args: string[], env: Record<string, string>): Promise<GoRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(GO, ['test', '-count=1', '-v', ...args], {
      cwd: MODULE_DIR,
      env: { ...process.env, ...env, GOFLAGS: '-buildvcs=false' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (c: Buffer) => {
      output += c.toString('utf8');
    });
    child.stderr.on('data', (c: Buffer) => {
      output += c.toString('utf8');
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 280_000);
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? 1, output });
    });
  });
}

/** `--- PASS: name` for every test, and nothing skipped or failed. */
function expectPassed(run: GoRun, tests: string[]): void {
  if (run.code !== 0) throw new Error(`go test failed (${run.code}):\n${run.output.slice(-4000)}`);
  for (const t of tests) expect(run.output, `${t} passed`).toMatch(new RegExp(`--- PASS: ${t}\\b`));
  expect(run.output).not.toMatch(/--- (SKIP|FAIL)/);
}

// ---------------------------------------------------------------------------------------------
// A real aedes broker: the device's credentials, PUBACKs held back DELAY_MS, payloads kept.

interface Broker {
  port: number;
  server: Server;
  aedes: Aedes;
  sockets: Set<Socket>;
  published: { clientId: string; topic: string; payload: Buffer }[];
  /** Most publishes of one client waiting for their PUBACK at once. */
  maxPending: Map<string, number>;
}

async function startBroker(): Promise<Broker> {
  const pending = new Map<string, number>();
  const broker: Omit<Broker, 'aedes' | 'server' | 'port'> = {
    sockets: new Set(),
    published: [],
    maxPending: new Map(),
  };
  const aedes = await Aedes.createBroker({
    authenticate: (_client: Client, username: string | undefined, password: Buffer | undefined, done) => {
      if (username === DEVICE && password?.toString('utf8') === TOKEN) return done(null, true);
      done(Object.assign(new Error('bad credentials'), { returnCode: 4 }), false);
    },
    authorizePublish: (client: Client | null, packet: PublishPacket, done: (err?: Error | null) => void) => {
      const id = client?.id ?? '?';
      const now = (pending.get(id) ?? 0) + 1;
      pending.set(id, now);
      broker.maxPending.set(id, Math.max(broker.maxPending.get(id) ?? 0, now));
      broker.published.push({ clientId: id, topic: packet.topic, payload: Buffer.from(packet.payload) });
      setTimeout(() => {
        pending.set(id, (pending.get(id) ?? 1) - 1);
        done(null);
      }, DELAY_MS);
    },
  });
  const server = createServer((socket) => {
    broker.sockets.add(socket);
    socket.once('close', () => broker.sockets.delete(socket));
    aedes.handle(socket);
  });
  const port = await freePort();
  await new Promise<void>((res) => server.listen(port, '127.0.0.1', res));
  return { ...broker, aedes, server, port };
}

async function stopBroker(b: Broker): Promise<void> {
  for (const s of b.sockets) s.destroy();
  await new Promise<void>((res) => b.server.close(() => res()));
  await new Promise<void>((res) => b.aedes.close(() => res()));
}

// ---------------------------------------------------------------------------------------------

describe('k6 extension k6/x/fleetmqtt (Go packages wire and device)', () => {
  let tmp: string;
  let broker: Broker;
  let env: Record<string, string>;

  beforeAll(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'k6-ext-'));
    writeFileSync(join(tmp, 'records.json'), JSON.stringify(RECORDS));
    broker = await startBroker();
    env = {
      FLEET_WIRE_RECORDS: join(tmp, 'records.json'),
      FLEET_WIRE_OUT: join(tmp, 'batch.bin'),
      FLEET_MQTT_ADDR: `127.0.0.1:${broker.port}`,
      FLEET_MQTT_DEVICE: DEVICE,
      FLEET_MQTT_TOKEN: TOKEN,
      FLEET_MQTT_DELAY_MS: String(DELAY_MS),
    };
  });

  afterAll(async () => {
    if (broker) await stopBroker(broker);
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  it('encodes TelemetryBatch with protowire to bytes @fleet/proto decodes to the same values, and refuses bad arguments', async () => {
    const run = await goTest(['./wire'], env);
    expectPassed(run, [
      'TestRecordFromJSRefusesBadValues',
      'TestBatchFromJSLimits',
      'TestRecordFromJSNeverPanics',
      'TestEncodeBatchFields',
      'TestEncodeFixture',
    ]);
    const bytes = readFileSync(env.FLEET_WIRE_OUT as string);
    const decoded = decodeTelemetryBatch(new Uint8Array(bytes), LIMITS);
    if (!decoded.ok) throw new Error(`@fleet/proto refused the Go bytes: ${decoded.detail}`);
    expectSameRecords(decoded.value);
  }, 300_000);

  it('connects with the device credentials, is refused with a wrong token, and times real PUBACKs (sync and pipelined)', async () => {
    const run = await goTest(['./device'], env);
    expectPassed(run, [
      'TestOptionsFromJS',
      'TestConnectRefusedWithWrongToken',
      'TestConnectFailsWithNoBroker',
      'TestPublishWaitsForPuback',
      'TestPublishAsyncKeepsTheWindow',
    ]);
    // The synchronous publish reached the broker on the device's topic and decodes as sent.
    const sync = broker.published.filter((p) => p.clientId === DEVICE);
    expect(sync).toHaveLength(1);
    expect(sync[0]?.topic).toBe(`devices/${DEVICE}/telemetry`);
    const decoded = decodeTelemetryBatch(new Uint8Array(sync[0]?.payload ?? []), LIMITS);
    if (!decoded.ok) throw new Error(`@fleet/proto refused the published payload: ${decoded.detail}`);
    expectSameRecords(decoded.value);
    // The pipelined client kept at most 4 unacknowledged and really had several in flight.
    const pipelined = broker.published.filter((p) => p.clientId === `${DEVICE}-async`);
    expect(pipelined).toHaveLength(20);
    const seqs = pipelined.map((p) => {
      const d = decodeTelemetryBatch(new Uint8Array(p.payload), LIMITS);
      return d.ok ? d.value[0]?.seq : undefined;
    });
    expect(new Set(seqs)).toEqual(new Set(Array.from({ length: 20 }, (_, i) => 1000 + i)));
    const most = broker.maxPending.get(`${DEVICE}-async`) ?? 0;
    expect(most).toBeGreaterThanOrEqual(2);
    expect(most).toBeLessThanOrEqual(4);
    // The refused client never got to publish.
    expect(broker.published.some((p) => p.clientId === `${DEVICE}-wrong`)).toBe(false);
  }, 300_000);
});
