// npm run bench:api -- [--devices 10000] [--requests 50]
//
// The two latency targets of the API issue, measured over real HTTP against the real platform
// process: GET /api/v1/fleet/latest with 10,000 devices (target <= 50 ms) and one device-day
// of 1 Hz track, GET /api/v1/devices/{id}/track (target <= 100 ms), plus the chart series and
// the device list. Writes the '## API' section of bench/REPORT.md and bench/results/api.json.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { ensureSchema, QuestDbTransport, type StoredRow } from '@fleet/ingest';
import {
  DEMO_ORGANISATION,
  freePort,
  NO_MEASUREMENTS,
  spawnTied,
  stopChild,
  type TelemetryRecord,
  waitForPort,
} from '@fleet/shared';
import { DeviceRegistry, migrate, openDatabase } from '@fleet/shared/db';
import { QuestDbHttp, startManagedQuestDb } from '@fleet/shared/questdb';
import { ROOT } from './paths.ts';
import { mergeReport } from './report.ts';

const HELP = `Usage: npm run bench:api -- [options]

Measures GET /api/v1/fleet/latest and a device-day of track over HTTP against the real platform
process (broker + ingest + API) with a managed QuestDB, all on 127.0.0.1 in a temporary directory.

Options:
  --devices <n>    devices in the organisation, each with a latest position (default 10000)
  --requests <n>   timed requests per endpoint, after 5 warm-up requests (default 50)
  --help           this text`;

function positiveInt(name: string, text: string | undefined, def: number, max: number): number {
  if (text === undefined) return def;
  if (!/^\d+$/.test(text) || Number(text) < 1 || Number(text) > max) {
    throw new Error(`--${name} must be a whole number from 1 to ${max}, not ${JSON.stringify(text)}`);
  }
  return Number(text);
}

export function parseApiBenchArgs(argv: string[]): { devices: number; requests: number } | 'help' {
  const { values } = parseArgs({
    args: argv,
    options: { devices: { type: 'string' }, requests: { type: 'string' }, help: { type: 'boolean' } },
    strict: true,
  });
  if (values.help) return 'help';
  return {
    devices: positiveInt('devices', values.devices, 10_000, 100_000),
    requests: positiveInt('requests', values.requests, 50, 10_000),
  };
}

export interface Timing {
  p50: number;
  p90: number;
  p99: number;
  max: number;
  bytes: number;
}

export function summarise(samples: number[], bytes: number): Timing {
  const s = [...samples].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? Number.NaN;
  return { p50: at(0.5), p90: at(0.9), p99: at(0.99), max: s.at(-1) ?? Number.NaN, bytes };
}

function record(
  tenant: string,
  deviceId: string,
  ts: number,
  seq: number,
  lat: number,
  lon: number,
): TelemetryRecord {
  return {
    ...NO_MEASUREMENTS,
    tenant,
    deviceId,
    seq,
    ts,
    receivedAt: ts,
    lat,
    lon,
    speedKmh: 40,
    headingDeg: 90,
    satellites: 9,
    ignition: true,
    odometerKm: 1000 + seq / 100,
    fuelLevelPct: 70,
    batteryV: 12.6,
    externalV: 13.9,
    engineRpm: 1800,
    coolantTempC: 88,
  };
}

async function time(url: string, token: string, requests: number): Promise<Timing> {
  const samples: number[] = [];
  let bytes = 0;
  for (let i = 0; i < requests + 5; i++) {
    const started = performance.now();
    const res = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
    const body = await res.arrayBuffer();
    const ms = performance.now() - started;
    if (res.status !== 200)
      throw new Error(`${url}: ${res.status} ${Buffer.from(body).toString().slice(0, 200)}`);
    if (i >= 5) samples.push(ms);
    bytes = body.byteLength;
  }
  return summarise(samples, bytes);
}

async function main(): Promise<void> {
  const args = parseApiBenchArgs(process.argv.slice(2));
  if (args === 'help') {
    process.stdout.write(`${HELP}\n`);
    return;
  }
  const say = (line: string) => process.stdout.write(`${line}\n`);
  const dir = mkdtempSync(join(tmpdir(), 'fleet-bench-api-'));
  let platform: ReturnType<typeof spawnTied> | undefined;
  let questdb: Awaited<ReturnType<typeof startManagedQuestDb>> | undefined;
  const cleanup = async () => {
    if (platform) await stopChild(platform);
    if (questdb) await questdb.stop();
    rmSync(dir, { recursive: true, force: true });
  };
  process.once('SIGINT', () => void cleanup().then(() => process.exit(130)));
  try {
    say(`Provisioning ${args.devices} devices...`);
    const db = await openDatabase({ pgliteDir: join(dir, 'pg') });
    await migrate(db);
    const registry = new DeviceRegistry(db);
    const org = await registry.ensureOrganisation(DEMO_ORGANISATION, 'Demo organisation');
    const ids: string[] = [];
    for (let i = 0; i < args.devices; i++) {
      ids.push(
        (
          await registry.provision({
            orgId: org.id,
            name: `unit-${String(i).padStart(5, '0')}`,
            kind: 'vehicle',
          })
        ).device.id,
      );
      if ((i + 1) % 2000 === 0) say(`  ${i + 1}/${args.devices}`);
    }
    await db.close();

    say('Starting QuestDB and writing a device-day at 1 Hz plus a latest position for every device...');
    const [httpPort, pgPort] = [await freePort(), await freePort()];
    questdb = await startManagedQuestDb({
      jarPath: join(ROOT, 'vendor/questdb/questdb-9.3.4.jar'),
      rootDir: join(dir, 'questdb'),
      httpPort,
      pgPort,
    });
    const q = new QuestDbHttp(questdb.httpUrl);
    await ensureSchema(q, 0);
    const transport = new QuestDbTransport(questdb.httpUrl, 60_000);
    const dayStart = Date.now() - 86_400_000 - 60_000;
    const tracked = ids[0] as string;
    for (let chunk = 0; chunk < 86_400; chunk += 20_000) {
      const rows: StoredRow[] = [];
      for (let s = chunk; s < Math.min(86_400, chunk + 20_000); s++) {
        // A wandering route: a slow circle with small turns, like city driving.
        const a = s / 3000;
        rows.push({
          table: 'telemetry',
          record: record(
            org.id,
            tracked,
            dayStart + s * 1000,
            s + 1,
            60.17 + 0.05 * Math.sin(a) + 0.0005 * Math.sin(s / 37),
            24.94 + 0.08 * Math.cos(a),
          ),
        });
      }
      await transport.send(rows);
    }
    const now = Date.now();
    const latest: StoredRow[] = ids.map((id, i) => ({
      table: 'telemetry',
      record: record(
        org.id,
        id,
        now - 1000,
        100_000,
        60.1 + (i % 100) * 0.001,
        24.8 + Math.floor(i / 100) * 0.001,
      ),
    }));
    await transport.send(latest);
    for (let i = 0; i < 600; i++) {
      const rows = await q.rows<{ n: number }>(`select count() n from telemetry`);
      if ((rows[0]?.n ?? 0) >= 86_400 + args.devices) break;
      await new Promise((r) => setTimeout(r, 100));
    }

    say('Starting the platform process...');
    const [apiPort, mqttPort] = [await freePort(), await freePort()];
    const password = 'bench-password-0123456789';
    platform = spawnTied(process.execPath, [join(ROOT, 'platform/src/main.ts')], {
      stdio: ['ignore', 'ignore', 'inherit'],
      env: {
        ...process.env,
        DATA_DIR: dir,
        QUESTDB_URL: questdb.httpUrl,
        HTTP_PORT: String(apiPort),
        MQTT_PORT: String(mqttPort),
        MQTT_WS_ENABLED: 'false',
        FLEET_ADMIN_PASSWORD: password,
        LOG_LEVEL: 'warn',
      },
    });
    if (!(await waitForPort(apiPort, platform, 120_000))) throw new Error('the platform did not start');
    const base = `http://127.0.0.1:${apiPort}`;
    const login = await fetch(`${base}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'admin@demo.local', password }),
    });
    const { token } = (await login.json()) as { token: string };

    const range = `from=${dayStart}&to=${dayStart + 86_400_000}`;
    const endpoints: [string, string][] = [
      [`GET /fleet/latest (${args.devices.toLocaleString('en')} devices)`, `${base}/api/v1/fleet/latest`],
      ['GET /devices/{id}/track, one day at 1 Hz (JSON)', `${base}/api/v1/devices/${tracked}/track?${range}`],
      ['same, GeoJSON', `${base}/api/v1/devices/${tracked}/track?${range}&format=geojson`],
      [
        'GET /devices/{id}/telemetry, one day, 3 fields, default buckets',
        `${base}/api/v1/devices/${tracked}/telemetry?${range}&fields=speedKmh,fuelLevelPct,coolantTempC`,
      ],
      ['GET /devices?limit=50 (first page)', `${base}/api/v1/devices?limit=50`],
    ];
    const results: { endpoint: string; timing: Timing }[] = [];
    for (const [name, url] of endpoints) {
      say(`Timing ${name}...`);
      results.push({ endpoint: name, timing: await time(url, token, args.requests) });
    }
    const check = (await (
      await fetch(`${base}/api/v1/fleet/latest`, { headers: { authorization: `Bearer ${token}` } })
    ).json()) as {
      devices: { position: unknown }[];
    };
    const withPosition = check.devices.filter((d) => d.position !== null).length;
    const track = (await (
      await fetch(`${base}/api/v1/devices/${tracked}/track?${range}`, {
        headers: { authorization: `Bearer ${token}` },
      })
    ).json()) as {
      sourcePoints: number;
      points: unknown[];
      toleranceM: number;
    };

    const fmt = (n: number) => (n < 10 ? n.toFixed(1) : Math.round(n).toLocaleString('en'));
    const lines = [
      '## API',
      '',
      `Produced by \`npm run bench:api\` (bench/src/api.ts) on ${new Date().toISOString()}: ${cpus().length} cores, Node ${process.versions.node}. The platform process (broker + ingest + API) and QuestDB run on the same machine as the client; ${args.requests} timed requests per endpoint after 5 warm-up requests, one at a time, over HTTP on 127.0.0.1, time to the last byte of the body.`,
      '',
      '| endpoint | p50 ms | p90 ms | p99 ms | max ms | body |',
      '| --- | ---: | ---: | ---: | ---: | ---: |',
      ...results.map(
        (r) =>
          `| ${r.endpoint} | ${fmt(r.timing.p50)} | ${fmt(r.timing.p90)} | ${fmt(r.timing.p99)} | ${fmt(r.timing.max)} | ${(r.timing.bytes / 1024).toFixed(0)} KiB |`,
      ),
      '',
      `- fleet/latest returned ${check.devices.length.toLocaleString('en')} devices, ${withPosition.toLocaleString('en')} with a position (seeded from QuestDB at start).`,
      `- The device-day track: ${track.sourcePoints.toLocaleString('en')} stored positions read, ${track.points.length.toLocaleString('en')} points returned after Douglas-Peucker simplification at ${track.toleranceM} m.`,
      `- Targets: fleet/latest <= 50 ms with 10,000 devices (p50 ${fmt(results[0]?.timing.p50 ?? Number.NaN)} ms); one device-day of track <= 100 ms (p50 ${fmt(results[1]?.timing.p50 ?? Number.NaN)} ms).`,
      '',
    ];
    const reportPath = join(ROOT, 'bench/REPORT.md');
    writeFileSync(reportPath, mergeReport(reportPath, lines.join('\n'), 'API'));
    mkdirSync(join(ROOT, 'bench/results'), { recursive: true });
    writeFileSync(
      join(ROOT, 'bench/results/api.json'),
      `${JSON.stringify({ args, results, withPosition, track: { sourcePoints: track.sourcePoints, points: track.points.length } }, null, 2)}\n`,
    );
    say(lines.join('\n'));
  } finally {
    await cleanup();
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((err: unknown) => {
    process.stderr.write(`bench:api failed: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
}
