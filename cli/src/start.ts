// `npm start`: the whole platform on one machine with embedded defaults. QuestDB runs as a
// managed child (unless QUESTDB_URL is set); the platform process (broker + ingest + API + hub,
// api/src/main.ts) runs as its own process so it has a core to itself. Every child is tied to
// this process and stops with it.
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

const ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));

export async function startPlatform(
  config: FleetConfig,
  log: Logger,
  out: (line: string) => void,
): Promise<never> {
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
  const broker = spawnTied(process.execPath, [resolve(ROOT, 'api/src/main.ts')], {
    stdio: 'inherit',
    env: { ...process.env, QUESTDB_URL: questdb.url },
  });
  let stopping = false;
  const stopAll = async (code: number) => {
    if (stopping) return;
    stopping = true;
    out('Stopping...');
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
  out('Press Ctrl-C to stop.');
  return new Promise<never>(() => {});
}
