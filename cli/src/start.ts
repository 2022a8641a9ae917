// `npm start`: the whole platform on one machine with embedded defaults. QuestDB runs as a
// managed child (unless QUESTDB_URL is set); the platform (platform/src/main.ts: a launcher that
// owns the embedded database and supervises the device side and the API side as processes of
// their own) runs as its own process tree. Every child is tied to this process and stops with it. The ops console (web/build) is built first when it is missing
// or older than its sources; the platform process serves it at /.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  exitOf,
  type FleetConfig,
  type Logger,
  provideQuestDb,
  spawnTied,
  stopChild,
  waitForPort,
} from '@fleet/shared';
import { ensureConsoleBuilt } from './console-build.ts';
import { describeSeed } from './demo-company.ts';
import { prepareSimulatedFleet, simCredentialsPath } from './sim-fleet.ts';

const ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));

export async function startPlatform(
  config: FleetConfig,
  log: Logger,
  out: (line: string) => void,
): Promise<never> {
  // Built while the rest starts; the platform process reads web/build once, when it starts.
  const consoleBuild = buildConsole(config, out);
  const simulate = config.SIM_VEHICLES + config.SIM_EQUIPMENT > 0;
  if (simulate && !existsSync(resolve(ROOT, 'vendor/osm/Helsinki.osm.pbf'))) {
    out("The simulator's road network is not here yet: fetching the OpenStreetMap extract once...");
    const fetched = spawnSync('bash', [resolve(ROOT, 'scripts/fetch-osm.sh')], { stdio: 'inherit' });
    if (fetched.status !== 0)
      throw new Error(
        'could not fetch the OSM extract (see above); or start with SIM_VEHICLES=0 SIM_EQUIPMENT=0',
      );
  }
  if (existsSync(resolve(ROOT, 'vendor/osm/Helsinki.osm.pbf'))) {
    // The console's offline basemap comes from the same extract (skipped in ~0.1 s when up to date).
    const basemap = spawnSync(process.execPath, [resolve(ROOT, 'web/basemap/build.ts')], {
      encoding: 'utf8',
    });
    if (basemap.status !== 0)
      out(`The basemap could not be built (the map shows no streets):\n${basemap.stderr}`);
  }
  if (simulate) {
    // Before the platform starts: the embedded database belongs to one process at a time.
    const { added, seeded } = await prepareSimulatedFleet(config, {
      vehicles: config.SIM_VEHICLES,
      equipment: config.SIM_EQUIPMENT,
    });
    if (added > 0)
      out(`Provisioned ${added} simulated device(s) (credentials in ${simCredentialsPath(config)}).`);
    const made = describeSeed(seeded);
    if (made) out(`Seeded the demo company: ${made}.`);
  }
  if (
    !config.QUESTDB_URL &&
    !existsSync(resolve(ROOT, config.QUESTDB_JAR)) &&
    !existsSync(config.QUESTDB_JAR)
  ) {
    out('QuestDB is not here yet: fetching it once with Maven...');
    const fetched = spawnSync('bash', [resolve(ROOT, 'scripts/fetch-questdb.sh')], { stdio: 'inherit' });
    if (fetched.status !== 0) throw new Error('could not fetch QuestDB (see above); or set QUESTDB_URL');
  }
  const questdb = await provideQuestDb(
    {
      ...config,
      QUESTDB_JAR: existsSync(config.QUESTDB_JAR) ? config.QUESTDB_JAR : resolve(ROOT, config.QUESTDB_JAR),
    },
    log,
  );
  await consoleBuild;
  const broker = spawnTied(process.execPath, [resolve(ROOT, 'platform/src/main.ts')], {
    stdio: 'inherit',
    env: { ...process.env, QUESTDB_URL: questdb.url },
  });
  let sim: ReturnType<typeof spawnTied> | undefined;
  let stopping = false;
  const stopAll = async (code: number) => {
    if (stopping) return;
    stopping = true;
    out('Stopping...');
    if (sim) await stopChild(sim);
    await stopChild(broker);
    await questdb.stop();
    out('Stopped.');
    process.exit(code);
  };
  process.on('SIGINT', () => void stopAll(0));
  process.on('SIGTERM', () => void stopAll(0));
  void exitOf(broker).then((code) => {
    if (!stopping) {
      log.error({ code }, 'platform process exited');
      void stopAll(1);
    }
  });

  if (!(await waitForPort(config.HTTP_PORT, broker, 120_000, config.HTTP_HOST))) {
    await stopAll(1);
  }
  out('');
  out('Fleet platform is running.');
  out(`  Ops console:           http://${config.HTTP_HOST}:${config.HTTP_PORT}/`);
  out(
    `  API and live hub:      http://${config.HTTP_HOST}:${config.HTTP_PORT}/api/v1  (ws://${config.HTTP_HOST}:${config.HTTP_PORT}/ws)`,
  );
  out(`  API reference:         http://${config.HTTP_HOST}:${config.HTTP_PORT}/api/v1/docs`);
  out(
    `  Sign in as:            admin@demo.local  (password: ${config.FLEET_ADMIN_PASSWORD ? 'FLEET_ADMIN_PASSWORD' : 'printed above on the first start'})`,
  );
  out(`  MQTT (devices):        mqtt://${config.MQTT_HOST}:${config.MQTT_PORT}`);
  if (config.MQTT_WS_ENABLED)
    out(`  MQTT over WebSocket:   ws://${config.MQTT_HOST}:${config.MQTT_WS_PORT}/mqtt`);
  out(`  QuestDB console:       ${questdb.url}${questdb.managed ? ' (managed)' : ' (external)'}`);
  out(`  Metrics, health:       http://${config.HTTP_HOST}:${config.HTTP_PORT}/metrics  /health  /ready`);
  out(`  Data:                  ${resolve(config.DATA_DIR)}`);
  out('  Add a device:          POST /api/v1/devices (see the API reference)');
  if (simulate) {
    sim = spawnTied(
      process.execPath,
      [
        resolve(ROOT, 'firmware-sim/src/main.ts'),
        `--vehicles=${config.SIM_VEHICLES}`,
        `--equipment=${config.SIM_EQUIPMENT}`,
        `--credentials=${simCredentialsPath(config)}`,
        `--mqtt=mqtt://${config.MQTT_HOST}:${config.MQTT_PORT}`,
        // The seeded drivers' cards, so the vans' drivers are assigned from what the trackers read.
        '--driver-cards',
        // A few devices play the scenarios that set off the demo company's rules (demo-company.ts).
        '--scenario=demo',
      ],
      // Its status comes as plain lines (not a live terminal line) between the platform's logs.
      { stdio: ['ignore', 'inherit', 'pipe'], env: process.env },
    );
    sim.stderr?.setEncoding('utf8');
    sim.stderr?.on('data', (chunk: string) => {
      for (const line of chunk.split('\n')) if (line.trim() !== '') out(`[sim] ${line}`);
    });
    out(
      `  Simulated fleet:       ${config.SIM_VEHICLES} vehicle(s), ${config.SIM_EQUIPMENT} equipment tag(s) on central Helsinki (SIM_VEHICLES=0 SIM_EQUIPMENT=0: none)`,
    );
  }
  out('Press Ctrl-C to stop.');
  return new Promise<never>(() => {});
}

/**
 * Builds the console when needed. A failed build does not stop the platform: the API, the hub and
 * the devices do not need it, and / then serves the previous build or says how to build it.
 */
async function buildConsole(config: FleetConfig, out: (line: string) => void): Promise<void> {
  if (config.CONSOLE_DIR !== 'web/build') return; // a console built elsewhere is its owner's job
  try {
    const result = await ensureConsoleBuilt(ROOT, out);
    if (result.built) out(`Built the ops console in ${(result.ms / 1000).toFixed(1)} s.`);
  } catch (err) {
    out(`The ops console could not be built: ${err instanceof Error ? err.message : String(err)}`);
  }
}
