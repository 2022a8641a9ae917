// npm run bench:trips -- [--days 31] [--requests 50] [--out <report>]
//
// What keeping trips current costs, and what reading them costs (issue 14): a vehicle reporting
// at 1 Hz for 31 days (a working day of drives and stops, parked at night) pushed through the
// trip detector alone and through the device side's trip service (the pipeline's "track trips"
// step, batches of 10 records, its writes discarded), per record; then the trips and stops it
// found written to a managed QuestDB, and the asset's 31-day trips report read from there as
// the API does (places, driver and job attribution included) p50 / p99. Writes the '## Trips'
// section of bench/REPORT.md (--out) and bench/results/trips.json.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import {
  buildSummary,
  buildUtilisation,
  buildVisits,
  newPlaceSchema,
  Places,
  readSummaryInput,
  readTrips,
  summarise,
  summaryQuerySchema,
  utilisationQuerySchema,
  visitsQuerySchema,
} from '@fleet/api';
import { ensureSchema, QuestDbTransport, type StoredRow } from '@fleet/ingest';
import { startTripService } from '@fleet/ingest/trips';
import {
  createFaultReporter,
  DEFAULT_WORKING_HOURS,
  freePort,
  silentLogger,
  type TelemetryRecord,
} from '@fleet/shared';
import { DeviceRegistry, migrate, openDatabase } from '@fleet/shared/db';
import { QuestDbHttp, startManagedQuestDb } from '@fleet/shared/questdb';
import { mulberry32 } from '@fleet/shared/random';
import { type Segment, TripDetector } from '@fleet/shared/trips';
import { Registry } from 'prom-client';
import { QUESTDB_JAR, ROOT } from './paths.ts';
import { createProgress, fmt } from './progress.ts';
import { mergeReport } from './report.ts';

const HELP = `Usage: npm run bench:trips -- [options]

Measures the per-record cost of keeping a vehicle's trips and stops current (the detector alone
and the device side's trip service), and the 31-day trips report of one vehicle read from a
managed QuestDB (127.0.0.1, a temporary directory).

Options:
  --days <n>       days of 1 Hz telemetry of the vehicle (default 31, at most 31)
  --requests <n>   timed report reads, after 5 warm-up reads (default 50)
  --fleet <n>      vehicles in the fleet summary, each with the van's trips (default 1000)
  --out <path>     report file (default bench/REPORT.md, section '## Trips')
  --help           this text`;

function positiveInt(name: string, text: string | undefined, def: number, max: number): number {
  if (text === undefined) return def;
  if (!/^\d+$/.test(text) || Number(text) < 1 || Number(text) > max)
    throw new Error(`--${name} must be a whole number from 1 to ${max}, not ${JSON.stringify(text)}`);
  return Number(text);
}

export function parseTripsBenchArgs(
  argv: string[],
): { days: number; requests: number; fleet: number; out: string } | 'help' {
  const { values } = parseArgs({
    args: argv,
    options: {
      days: { type: 'string' },
      requests: { type: 'string' },
      fleet: { type: 'string' },
      out: { type: 'string' },
      help: { type: 'boolean' },
    },
    strict: true,
  });
  if (values.help) return 'help';
  return {
    days: positiveInt('days', values.days, 31, 31),
    requests: positiveInt('requests', values.requests, 50, 10_000),
    fleet: positiveInt('fleet', values.fleet, 1000, 10_000),
    out: resolve(values.out ?? join(ROOT, 'bench/REPORT.md')),
  };
}

const DAY = 86_400_000;
const M_PER_DEG = 111_195;

/**
 * A city van's days at 1 Hz: parked at the depot overnight, from about 7:00 six to ten drives of
 * 5-35 minutes at 25-60 km/h with a heading that wanders, stops of 5-60 minutes between them,
 * and a minute at a traffic light now and then; back at the depot by evening.
 */
export function* vanDays(days: number, start: number, seed = 14): Generator<TelemetryRecord> {
  const random = mulberry32(seed);
  const depot = { lat: 60.17, lon: 24.94 };
  let lat = depot.lat;
  let lon = depot.lon;
  let seq = 1;
  let odometerKm = 48_000;
  const record = (ts: number, speedKmh: number, ignition: boolean): TelemetryRecord =>
    ({
      tenant: 'bench-org',
      deviceId: 'bench-van',
      seq: seq++,
      ts,
      receivedAt: ts,
      lat,
      lon,
      speedKmh,
      ignition,
      odometerKm,
    }) as TelemetryRecord;
  for (let d = 0; d < days; d++) {
    const dayStart = start + d * DAY;
    let ts = dayStart;
    const leave = dayStart + (7 + random()) * 3_600_000;
    for (; ts < leave; ts += 1000) yield record(ts, 0, false);
    const drives = 6 + Math.floor(random() * 5);
    let heading = random() * 2 * Math.PI;
    for (let k = 0; k < drives; k++) {
      const last = k === drives - 1;
      const seconds = Math.round((5 + random() * 30) * 60);
      const kmh = 25 + random() * 35;
      // The last drive heads home: straight back to the depot at its speed.
      const home = last ? { dLat: depot.lat - lat, dLon: depot.lon - lon } : undefined;
      for (let s = 0; s < seconds; s++, ts += 1000) {
        const light = !last && s % 400 > 340; // a minute at a light every ~7 minutes
        const v = light ? 0 : kmh;
        if (home) {
          lat += home.dLat / seconds;
          lon += home.dLon / seconds;
        } else {
          heading += (random() - 0.5) * 0.05;
          const m = v / 3.6;
          lat += (Math.cos(heading) * m) / M_PER_DEG;
          lon += (Math.sin(heading) * m) / (M_PER_DEG * Math.cos((lat * Math.PI) / 180));
        }
        odometerKm += v / 3600;
        yield record(ts, v, true);
      }
      const stop = last ? dayStart + DAY - ts : Math.round((5 + random() * 55) * 60_000);
      const until = ts + stop;
      for (; ts < until && ts < dayStart + DAY; ts += 1000) yield record(ts, 0, random() < 0.1);
    }
  }
}

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? 0;

async function main(): Promise<void> {
  const args = parseTripsBenchArgs(process.argv.slice(2));
  if (args === 'help') {
    console.log(HELP);
    return;
  }
  const progress = createProgress(10);
  const start = Date.UTC(2026, 9, 1);
  const records = [...vanDays(args.days, start)];
  progress.line(`${fmt(records.length)} records of 1 Hz telemetry over ${args.days} days`);

  // 1. The detector alone.
  const detector = new TripDetector();
  const closed: Segment[] = [];
  let t0 = performance.now();
  for (const r of records)
    closed.push(
      ...detector.push({
        ts: r.ts,
        lat: r.lat as number,
        lon: r.lon as number,
        speedKmh: r.speedKmh as number,
        ignition: r.ignition as boolean,
        odometerKm: r.odometerKm as number,
      }),
    );
  const detectorNs = ((performance.now() - t0) * 1e6) / records.length;
  const trips = closed.filter((s) => s.kind === 'trip');
  const stops = closed.filter((s) => s.kind === 'stop');
  progress.line(
    `detector: ${detectorNs.toFixed(0)} ns a record; ${trips.length} trips, ${stops.length} stops`,
  );

  // 2. The device side's service (memory database, writes discarded).
  const db = await openDatabase({ pgliteDir: 'memory://' });
  await migrate(db);
  const registry = new Registry();
  let written = 0;
  const service = await startTripService({
    db,
    questdb: new QuestDbHttp('http://127.0.0.1:9'),
    writer: {
      async write(rows: StoredRow[]) {
        written += rows.length;
      },
    },
    faults: createFaultReporter({ registry, log: silentLogger() }),
    log: silentLogger(),
    metricsRegistry: registry,
    checkpointMs: 3_600_000,
    recomputeMaxMs: 48 * 3_600_000,
    maxReadRecords: 200_000,
    // Each trip's after-hours time, as the platform writes it.
    workingTimeOf: () => ({ workingHours: DEFAULT_WORKING_HOURS, timeZone: 'Europe/Helsinki' }),
  });
  t0 = performance.now();
  for (let i = 0; i < records.length; i += 10) service.observe(records.slice(i, i + 10));
  const serviceNs = ((performance.now() - t0) * 1e6) / records.length;
  await service.close();
  await db.close();
  progress.line(`trip service: ${serviceNs.toFixed(0)} ns a record (batches of 10); ${written} segment rows`);

  // 3. The 31-day trips report from QuestDB.
  const dir = mkdtempSync(join(tmpdir(), 'fleet-bench-trips-'));
  const questdb = await startManagedQuestDb({
    jarPath: QUESTDB_JAR,
    rootDir: join(dir, 'questdb'),
    httpPort: await freePort(),
    pgPort: await freePort(),
  });
  const latency: number[] = [];
  const fleetLatency: number[] = [];
  let fleetTrips = 0;
  const otherReports: { what: string; p50: number; p99: number; n: number }[] = [];
  let visitsSeen = 0;
  let rows = 0;
  try {
    const q = new QuestDbHttp(questdb.httpUrl);
    await ensureSchema(q, 90);
    const transport = new QuestDbTransport(questdb.httpUrl, 60_000);
    const tenant = '00000000-0000-4000-8000-000000000001';
    await transport.send(
      closed.map((segment) => ({
        table: segment.kind === 'trip' ? 'trips' : 'stops',
        segment: {
          tenant,
          deviceId: 'bench-van',
          segment,
          open: false,
          deleted: false,
          writtenAt: Date.now(),
        },
      })),
    );
    await transport.close();
    const reportDb = await openDatabase({ pgliteDir: 'memory://' });
    await migrate(reportDb);
    const windows = [{ deviceId: 'bench-van', from: start, to: start + args.days * DAY }];
    const range = { from: start, to: start + args.days * DAY };
    // QuestDB applies the WAL a moment after the write: wait until every trip reads back.
    for (let i = 0; i < 100; i++) {
      rows = (await readTrips(q, reportDb, tenant, tenant, windows, range)).length;
      if (rows === trips.length) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    for (let i = 0; i < 5 + args.requests; i++) {
      const t = performance.now();
      await readTrips(q, reportDb, tenant, tenant, windows, range);
      if (i >= 5) latency.push(performance.now() - t);
    }
    await reportDb.close();

    // 4. The fleet summary: every vehicle of a fleet with the van's month of trips and stops.
    progress.line(
      `fleet summary: seeding ${fmt(args.fleet)} vehicles with ${fmt(closed.length)} segments each`,
    );
    const fleetDb = await openDatabase({ pgliteDir: 'memory://' });
    await migrate(fleetDb);
    const org = await new DeviceRegistry(fleetDb).ensureOrganisation('bench-fleet', 'Bench fleet', {
      timeZone: 'Europe/Helsinki',
    });
    await fleetDb.query(
      `insert into devices (id, org_id, kind, name, token_hash)
       select 'bench-dev-' || i, $1::uuid, 'vehicle', 'bench-dev-' || i, 'x' from generate_series(1, $2::int) i`,
      [org.id, args.fleet],
    );
    await fleetDb.query(
      `insert into assets (id, org_id, kind, name, plate)
       select ('7e1e0000-0000-4000-8000-' || lpad(i::text, 12, '0'))::uuid, $1::uuid, 'vehicle',
              'Van ' || lpad(i::text, 4, '0'), 'BF-' || lpad(i::text, 5, '0')
         from generate_series(1, $2::int) i`,
      [org.id, args.fleet],
    );
    await fleetDb.query(
      `insert into installations (org_id, device_id, asset_id, installed_at)
       select $1::uuid, 'bench-dev-' || i, ('7e1e0000-0000-4000-8000-' || lpad(i::text, 12, '0'))::uuid, $3::timestamptz
         from generate_series(1, $2::int) i`,
      [org.id, args.fleet, new Date(start - DAY).toISOString()],
    );
    const fleetTransport = new QuestDbTransport(questdb.httpUrl, 120_000);
    for (let i = 1; i <= args.fleet; i++) {
      await fleetTransport.send(
        closed.map((segment) => ({
          table: segment.kind === 'trip' ? 'trips' : 'stops',
          segment: {
            tenant: org.id,
            deviceId: `bench-dev-${i}`,
            segment,
            open: false,
            deleted: false,
            writtenAt: Date.now(),
          },
        })),
      );
      if (i % 100 === 0) progress.live(`  ${fmt(i)} of ${fmt(args.fleet)} vehicles written`, i);
    }
    await fleetTransport.close();
    const from = new Date(start).toISOString().slice(0, 10);
    const to = new Date(start + (args.days - 1) * DAY).toISOString().slice(0, 10);
    const fleetSummary = async () => {
      const input = await readSummaryInput(fleetDb, q, org.id, { from, to });
      if (!input) throw new Error('no summary input');
      return summarise({ ...input, by: 'asset', from, to });
    };
    for (let i = 0; i < 100; i++) {
      fleetTrips = (await fleetSummary()).totals.trips;
      if (fleetTrips >= trips.length * args.fleet) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    for (let i = 0; i < 3 + Math.min(args.requests, 20); i++) {
      const t = performance.now();
      await fleetSummary();
      if (i >= 3) fleetLatency.push(performance.now() - t);
    }
    // 5. The other reports over the same fleet, as the API builds them: utilisation per
    // department, time at each place (every stop read, so a place around each of 20 of the van's
    // stops), and the summary as a spreadsheet.
    const places = new Places(fleetDb, org.id);
    for (const [i, s] of stops.slice(0, 20).entries())
      if (s.kind === 'stop')
        await places.create(
          newPlaceSchema.parse({
            name: `Site ${i + 1}`,
            category: 'client_site',
            geometry: { type: 'circle', center: { lat: s.lat, lon: s.lon }, radiusM: 150 },
          }),
        );
    const deps = { db: fleetDb, questdb: q };
    const timed = async (what: string, run: () => Promise<unknown>) => {
      const out: number[] = [];
      for (let i = 0; i < 2 + Math.min(args.requests, 10); i++) {
        const t = performance.now();
        await run();
        if (i >= 2) out.push(performance.now() - t);
      }
      out.sort((a, b) => a - b);
      otherReports.push({ what, p50: percentile(out, 50), p99: percentile(out, 99), n: out.length });
      progress.line(
        `${what}: p50 ${percentile(out, 50).toFixed(0)} ms, p99 ${percentile(out, 99).toFixed(0)} ms`,
      );
    };
    await timed('utilisation per department', () =>
      buildUtilisation(deps, org.id, utilisationQuerySchema.parse({ from, to, by: 'department' })),
    );
    await timed('visits per place (31 days: every stop read)', async () => {
      visitsSeen = (await buildVisits(deps, org.id, visitsQuerySchema.parse({ from, to }))).body.totals
        .visits;
    });
    await timed('summary per asset as XLSX (built and rendered)', async () => {
      const built = await buildSummary(deps, org.id, summaryQuerySchema.parse({ from, to, format: 'xlsx' }));
      await built.file('xlsx');
    });
    await fleetDb.close();
  } finally {
    await questdb.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  latency.sort((a, b) => a - b);
  const p50 = percentile(latency, 50);
  const reportRows = otherReports.map(
    (r) =>
      `| ${r.what}, ${fmt(args.fleet)} vehicles x ${args.days} days${r.what.startsWith('visits') ? ` (${fmt(visitsSeen)} visits found)` : ''}, ${r.n} reads | p50 ${r.p50.toFixed(0)} ms, p99 ${r.p99.toFixed(0)} ms |`,
  );
  const p99 = percentile(latency, 99);
  progress.line(
    `trips report, ${args.days} days (${rows} trips): p50 ${p50.toFixed(1)} ms, p99 ${p99.toFixed(1)} ms`,
  );

  fleetLatency.sort((a, b) => a - b);
  const f50 = percentile(fleetLatency, 50);
  const f99 = percentile(fleetLatency, 99);
  progress.line(
    `fleet summary, ${fmt(args.fleet)} vehicles x ${args.days} days (${fmt(fleetTrips)} trips): p50 ${f50.toFixed(0)} ms, p99 ${f99.toFixed(0)} ms`,
  );

  const result = {
    days: args.days,
    records: records.length,
    trips: trips.length,
    stops: stops.length,
    detectorNsPerRecord: Math.round(detectorNs),
    serviceNsPerRecord: Math.round(serviceNs),
    reportRows: rows,
    reportP50Ms: Math.round(p50 * 10) / 10,
    reportP99Ms: Math.round(p99 * 10) / 10,
    requests: latency.length,
    fleetVehicles: args.fleet,
    fleetTrips,
    fleetSummaryP50Ms: Math.round(f50),
    fleetSummaryP99Ms: Math.round(f99),
    fleetRequests: fleetLatency.length,
    otherReports: otherReports.map((r) => ({ ...r, p50: Math.round(r.p50), p99: Math.round(r.p99) })),
  };
  mkdirSync(join(ROOT, 'bench/results'), { recursive: true });
  writeFileSync(join(ROOT, 'bench/results/trips.json'), `${JSON.stringify(result, null, 2)}\n`);
  const section = [
    '## Trips',
    '',
    `\`npm run bench:trips\`: one vehicle at 1 Hz for ${args.days} days (${fmt(records.length)} records: parked at night, 6-10 drives a day with stops and traffic lights), on this machine (2 cores).`,
    '',
    '| what | figure |',
    '| --- | --- |',
    `| trips and stops found | ${trips.length} trips, ${stops.length} stops |`,
    `| keeping trips current: the detector alone | ${result.detectorNsPerRecord} ns a record |`,
    `| keeping trips current: the device side's trip service (batches of 10, after-hours time included, writes discarded) | ${result.serviceNsPerRecord} ns a record |`,
    `| trips report of the vehicle, ${args.days} days (QuestDB read, places, driver and job attribution), ${latency.length} reads | p50 ${result.reportP50Ms} ms, p99 ${result.reportP99Ms} ms (target p99 < 200 ms) |`,
    `| fleet summary per asset, ${fmt(args.fleet)} vehicles x ${args.days} days (${fmt(fleetTrips)} trips; PGlite for the assets, QuestDB SAMPLE BY 1d in the organisation's zone), ${fleetLatency.length} reads | p50 ${result.fleetSummaryP50Ms} ms, p99 ${result.fleetSummaryP99Ms} ms (target p99 < 2 s) |`,
    ...reportRows,
    '',
    'The report reads the stored trips (a few hundred rows), not the 2.7 million records: that is why it is fast whatever the telemetry rate. Traccar computes trips from positions for each report, which is where its users see 30 s for a device-day on large databases. The per-record figures move by up to a third between runs on this 2-core machine (whatever else runs on it). Not measured here: the API request around the reads (HTTP, auth, the installation windows: a few ms in bench:api for other routes).',
    '',
  ].join('\n');
  writeFileSync(args.out, mergeReport(args.out, section, 'Trips'));
  progress.line(`report: ${args.out} (## Trips)`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  main().catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
