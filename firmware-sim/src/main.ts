// `npm run sim`: the simulated fleet against a running platform. Reads the flags, loads the road
// network, makes sure every device has credentials (provisioning the missing ones through the
// API), and runs the fleet until Ctrl-C or --duration.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { errorMessage, loadConfigOrExit } from '@fleet/shared';
import { parseSimArgs, SIM_HELP, type SimOptions, SimUsageError } from './cli-options.ts';
import { demoCompany, vanDriverCards, vanStartMetersOf } from './company.ts';
import { buildFleet } from './fleet.ts';
import { readMeters, startMeters, writeMeters } from './meters-file.ts';
import { missingDevices, provisionViaApi, selectFleet } from './provision.ts';
import { loadRoadNetwork } from './roads.ts';
import {
  createFleetRuntime,
  type DeviceCredentials,
  type RuntimeModel,
  readCredentials,
  startStatusReporter,
  writeCredentials,
} from './runtime/index.ts';
import { VehicleModel } from './vehicle-model.ts';

const ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
export const DEFAULT_OSM = join(ROOT, 'vendor/osm/Helsinki.osm.pbf');

/**
 * Reports every `reportEveryS` seconds when given (load tests), else `rate` times as often as the
 * model would (the model's own intervals at rate 1).
 */
function withReporting(model: RuntimeModel, rate: number, reportEveryS: number | undefined): RuntimeModel {
  if (rate === 1 && reportEveryS === undefined) return model;
  return {
    kind: model.kind,
    step: (dtS, nowMs) => model.step(dtS, nowMs),
    reportIntervalS: () => reportEveryS ?? model.reportIntervalS() / rate,
    sample: (nowMs) => model.sample(nowMs),
    drainEvents: (nowMs) => model.drainEvents(nowMs),
    onCommand: (cmd) => model.onCommand(cmd),
    ...(model.connectivity ? { connectivity: (nowMs: number) => model.connectivity?.(nowMs) ?? true } : {}),
    ...(model.flooding ? { flooding: (nowMs: number) => model.flooding?.(nowMs) ?? false } : {}),
  };
}

async function credentialsFor(
  opts: SimOptions,
  path: string,
  say: (l: string) => void,
): Promise<DeviceCredentials[]> {
  const known = (await readCredentials(path))?.devices ?? [];
  const size = { vehicles: opts.vehicles, equipment: opts.equipment };
  const missing = missingDevices(known, size);
  if (missing.length > 0) {
    const password = opts.password ?? process.env.FLEET_ADMIN_PASSWORD;
    if (!password) {
      throw new SimUsageError(
        `${missing.length} device(s) have no credentials in ${path}. Give --password (or set FLEET_ADMIN_PASSWORD) ` +
          `to provision them through ${opts.api} as ${opts.email}, or let npm start run the simulator.`,
      );
    }
    say(`Provisioning ${missing.length} device(s) through ${opts.api} ...`);
    const added = await provisionViaApi({ url: opts.api, email: opts.email, password }, known, size);
    await writeCredentials(path, { devices: [...known, ...added] });
    return selectFleet([...known, ...added], size);
  }
  return selectFleet(known, size);
}

async function main(): Promise<void> {
  const say = (line: string) => process.stderr.write(`${line}\n`);
  const opts = parseSimArgs(process.argv.slice(2));
  if (opts === 'help') {
    process.stdout.write(SIM_HELP);
    return;
  }
  const config = loadConfigOrExit();
  const osm = opts.osm ?? DEFAULT_OSM;
  if (!existsSync(osm)) {
    if (opts.osm !== undefined) throw new SimUsageError(`--osm ${osm}: no such file`);
    say('The road network is not here yet: fetching the OpenStreetMap extract once...');
    const fetched = spawnSync('bash', [join(ROOT, 'scripts/fetch-osm.sh')], { stdio: 'inherit' });
    if (fetched.status !== 0)
      throw new Error('could not fetch the OSM extract (see above); or pass --osm <file.osm.pbf>');
  }
  const network = await loadRoadNetwork(osm);
  const credentialsPath = opts.credentials ?? join(resolve(config.DATA_DIR), 'sim', 'credentials.json');
  const devices = await credentialsFor(opts, credentialsPath, say);
  const now = Date.now();
  // Compressed time starts in the past and catches up with the clock (records are never ahead of it).
  const startMs = opts.timeScale > 1 ? now - Math.min(7 * 86_400_000, opts.timeScale * 3_600_000) : now;
  const company = demoCompany({ vehicles: 0, equipment: 0 });
  const metersPath = opts.meters ?? join(resolve(config.DATA_DIR), 'sim', 'meters.json');
  const kept = await readMeters(metersPath);
  if (kept.problem)
    say(`Kept meters in ${metersPath} are unreadable (${kept.problem}); starting from the vans' own.`);
  const built = buildFleet({
    network,
    devices,
    seed: opts.seed,
    scenario: opts.scenario,
    startMs,
    workingDay: opts.workingDay,
    // The demo company's depot and client sites (seeded as places by `npm start`).
    anchors: {
      depots: company.places.filter((p) => p.category === 'depot').map((p) => p.center),
      sites: company.places.filter((p) => p.category !== 'depot').map((p) => p.center),
    },
    ...(opts.driverCards ? { driverCards: vanDriverCards(devices) } : {}),
    startMeters: startMeters(kept.meters, vanStartMetersOf(devices)),
  });
  const fleet = built.map((d) => ({ ...d, model: withReporting(d.model, opts.rate, opts.reportEvery) }));
  // The vehicles' counters, kept every half minute and at the stop.
  const saveMeters = () => {
    const now = new Map(kept.meters);
    for (const d of built) if (d.model instanceof VehicleModel) now.set(d.id, d.model.meters());
    return writeMeters(metersPath, now).catch((err: unknown) =>
      say(`Could not keep the meters: ${errorMessage(err)}`),
    );
  };
  const metersTimer = setInterval(() => void saveMeters(), 30_000);
  metersTimer.unref();
  const runtime = createFleetRuntime(fleet, {
    url: opts.mqtt,
    batchSize: opts.batch,
    timeCompression: opts.timeScale,
    ...(startMs === now ? {} : { deviceStartMs: startMs }),
  });
  say(
    `Simulating ${opts.vehicles} vehicle(s) and ${opts.equipment} equipment tag(s) on ${network.edgeCount} road segments ` +
      `(${osm.startsWith(ROOT) ? osm.slice(ROOT.length + 1) : osm}), scenario ${opts.scenario}, broker ${opts.mqtt}`,
  );
  const status = startStatusReporter(runtime, {
    output: opts.status === 'json' ? process.stdout : process.stderr,
    format: opts.status,
  });
  runtime.start();
  let stopping = false;
  const stop = async (code: number) => {
    if (stopping) process.exit(130);
    stopping = true;
    const summary = await runtime.stop({ timeoutMs: 10_000 });
    clearInterval(metersTimer);
    await saveMeters();
    status.stop();
    say(
      `Stopped: ${summary.unacked + summary.buffered === 0 ? 'every record acknowledged' : `${summary.unacked} unacknowledged and ${summary.buffered} buffered record(s) left unsent`}.`,
    );
    process.exit(code);
  };
  process.on('SIGINT', () => void stop(0));
  process.on('SIGTERM', () => void stop(0));
  if (opts.duration !== undefined) setTimeout(() => void stop(0), opts.duration * 1000).unref();
}

main().catch((err: unknown) => {
  process.stderr.write(`sim: ${errorMessage(err)}\n`);
  process.exit(err instanceof SimUsageError ? 2 : 1);
});
