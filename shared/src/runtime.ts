// What every service's main.ts does the same way: open the domain database (migrated, with the
// demo organisation on first start), find or start QuestDB, and shut down once on a signal.
import { join, resolve } from 'node:path';
import { ConfigError, type FleetConfig, loadConfig } from './config.ts';
import { DeviceRegistry, migrate, type Organisation, openDatabase, type SqlDatabase } from './db/index.ts';
import type { Logger } from './log.ts';
import { startManagedQuestDb } from './questdb/index.ts';

export const DEMO_ORGANISATION = 'demo';
export const DEMO_ORGANISATION_NAME = 'Demo organisation';
/** The demo's simulated fleet and offline basemap are central Helsinki, so its times are too. */
export const DEMO_TIME_ZONE = 'Europe/Helsinki';

/**
 * The demo organisation, created in Helsinki's time zone on first start; an existing one is
 * returned as it is (an administrator may have renamed it or chosen another zone).
 */
export function ensureDemoOrganisation(db: SqlDatabase): Promise<Organisation> {
  return new DeviceRegistry(db).ensureOrganisation(DEMO_ORGANISATION, DEMO_ORGANISATION_NAME, {
    timeZone: DEMO_TIME_ZONE,
  });
}

export async function openDomainDatabase(config: FleetConfig, log: Logger): Promise<SqlDatabase> {
  const db = await openDatabase({
    url: config.DATABASE_URL,
    pgliteDir: join(resolve(config.DATA_DIR), 'pg'),
  });
  const applied = await migrate(db);
  if (applied.length > 0) log.info({ applied }, 'database migrated');
  await ensureDemoOrganisation(db);
  return db;
}

export interface QuestDbEndpoint {
  url: string;
  managed: boolean;
  stop(): Promise<void>;
}

/** The external QuestDB of QUESTDB_URL, or a managed child process under DATA_DIR/questdb. */
export async function provideQuestDb(config: FleetConfig, log: Logger): Promise<QuestDbEndpoint> {
  if (config.QUESTDB_URL) return { url: config.QUESTDB_URL, managed: false, stop: async () => {} };
  const rootDir = join(resolve(config.DATA_DIR), 'questdb');
  log.info({ rootDir, port: config.QUESTDB_HTTP_PORT }, 'starting managed QuestDB');
  const started = Date.now();
  const q = await startManagedQuestDb({
    jarPath: config.QUESTDB_JAR,
    rootDir,
    httpPort: config.QUESTDB_HTTP_PORT,
    pgPort: config.QUESTDB_PG_PORT,
    workers: config.QUESTDB_WORKERS,
    heapMb: config.QUESTDB_HEAP_MB,
    commitMode: config.QUESTDB_COMMIT_MODE,
    logLevel: config.QUESTDB_LOG_LEVEL,
    tuning: config.QUESTDB_TUNING,
  });
  log.info({ url: q.httpUrl, pid: q.pid, ms: Date.now() - started }, 'QuestDB ready');
  return { url: q.httpUrl, managed: true, stop: () => q.stop() };
}

/** Runs `stop` once on SIGINT/SIGTERM, then exits; a second signal exits at once. */
export function onShutdown(log: Logger, stop: () => Promise<void>): void {
  let stopping = false;
  const handler = (signal: NodeJS.Signals) => {
    if (stopping) process.exit(130);
    stopping = true;
    log.info({ signal }, 'shutting down');
    stop().then(
      () => process.exit(0),
      (err: unknown) => {
        log.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
}

/** loadConfig for a main.ts: a bad setting prints every problem and exits with code 2. */
export function loadConfigOrExit(env: Record<string, string | undefined> = process.env): FleetConfig {
  try {
    return loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
}
