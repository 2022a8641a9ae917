// The embedded default on one machine: this process owns the embedded database (PGlite allows
// one process) and the managed QuestDB, and supervises the two sides of the platform as child
// processes, the device side (MQTT + ingest) and the API side (REST, hub, console), so that
// neither side's fault stops the other. With DATABASE_URL the children use PostgreSQL directly.
import { type BootstrapResult, ensureFirstAdministrator } from '@fleet/api';
import {
  configToEnv,
  createFaultReporter,
  type FaultReporter,
  type FleetConfig,
  type Logger,
  openDomainDatabase,
  provideQuestDb,
  type QuestDbEndpoint,
} from '@fleet/shared';
import type { SqlDatabase } from '@fleet/shared/db';
import { collectDefaultMetrics, Registry } from 'prom-client';
import type { ChildRole } from './ipc.ts';
import { DatabaseServer } from './ipc-database.ts';
import type { RestartPolicy } from './restart-policy.ts';
import { type Supervisor, startSupervisor } from './supervisor.ts';

export interface EmbeddedPlatform {
  /** The domain database, owned by this process (its children reach it through it). */
  db: SqlDatabase;
  questdb: QuestDbEndpoint;
  supervisor: Supervisor;
  /** The launcher's own fault reporter (its entry installs the process safety net with it). */
  faults: FaultReporter;
  /** Set on the first start only: the administrator created now. */
  firstAdministrator: BootstrapResult | undefined;
  stop(): Promise<void>;
}

export interface LauncherOptions {
  roles?: readonly ChildRole[];
  policy?: RestartPolicy;
  /** Runs after the database is open and before the children start (provisioning the simulator). */
  beforeChildren?: (db: SqlDatabase) => Promise<void>;
}

export async function startEmbeddedPlatform(
  config: FleetConfig,
  log: Logger,
  options: LauncherOptions = {},
): Promise<EmbeddedPlatform> {
  const registry = new Registry();
  registry.setDefaultLabels({ process: 'launcher' });
  collectDefaultMetrics({ register: registry });
  const faults = createFaultReporter({ log, registry });
  const db = await openDomainDatabase(config, log);
  const firstAdministrator = await ensureFirstAdministrator(db, config.FLEET_ADMIN_PASSWORD);
  await options.beforeChildren?.(db);
  const questdb = await provideQuestDb(config, log);
  const database =
    db.kind === 'pglite'
      ? new DatabaseServer(db, {
          maxTransactionMs: 30_000,
          onTransactionTimeout: (role) =>
            log.error({ role }, 'a transaction stayed open for 30 s; rolled back so the database serves on'),
        })
      : undefined;
  const supervisor = startSupervisor({
    roles: options.roles ?? ['ingest', 'api'],
    log,
    registry,
    env: { ...process.env, ...configToEnv(config), QUESTDB_URL: questdb.url },
    ...(database ? { database } : {}),
    ...(options.policy ? { policy: options.policy } : {}),
  });
  await supervisor.ready;
  return {
    db,
    questdb,
    supervisor,
    faults,
    firstAdministrator,
    async stop() {
      await supervisor.stop();
      await db.close();
      await questdb.stop();
    },
  };
}
