// The platform process of the embedded mode: broker + ingest and the API + hub in one Node
// process. They share the embedded database (PGlite allows one process), the in-process event
// bus (positions go from the ingest pipeline to the hub without a hop) and one metrics
// registry (GET /metrics shows the broker's, the ingest tier's and the API's counters).
// QuestDB is the other heavy process, so the two cores are split between them.

import { type BrokerService, startBrokerService } from '@fleet/broker';
import {
  type EventBus,
  type FleetConfig,
  InProcessEventBus,
  type Logger,
  openDomainDatabase,
  provideQuestDb,
} from '@fleet/shared';
import { QuestDbHttp } from '@fleet/shared/questdb';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { type ApiServer, startApi } from './app.ts';
import { type BootstrapResult, ensureFirstAdministrator } from './bootstrap.ts';
import { readLatestRecords } from './history.ts';

export interface PlatformProcess {
  api: ApiServer;
  broker: BrokerService;
  /**
   * The in-process event bus (ingest → hub). For in-process tools such as the console bench,
   * which publish positions here (after applying them to `broker.liveState`, as the ingest
   * pipeline does) instead of sending them over MQTT.
   */
  bus: EventBus;
  /** Set on the first start only: the administrator created now. */
  firstAdministrator: BootstrapResult | undefined;
  stop(): Promise<void>;
}

export async function startPlatformProcess(config: FleetConfig, log: Logger): Promise<PlatformProcess> {
  const db = await openDomainDatabase(config, log);
  const firstAdministrator = await ensureFirstAdministrator(db, config.FLEET_ADMIN_PASSWORD);
  const questdbEndpoint = await provideQuestDb(config, log);
  const questdb = new QuestDbHttp(questdbEndpoint.url);
  const metricsRegistry = new Registry();
  collectDefaultMetrics({ register: metricsRegistry });
  const bus = new InProcessEventBus((err, topic) => log.error({ err, topic }, 'event handler failed'));
  const broker = await startBrokerService({
    config,
    db,
    questdbUrl: questdbEndpoint.url,
    bus,
    metricsRegistry,
    log,
  });
  // The live map must not start empty after a restart: seed the live state from the newest
  // stored record of every device (within the offline window and then some).
  const since = Date.now() - Math.max(config.DEVICE_OFFLINE_AFTER_S * 1000, 7 * 86_400_000);
  const seeded = await readLatestRecords(questdb, since).catch((err: unknown) => {
    log.warn({ err }, 'could not seed the live state from QuestDB; it fills as devices report');
    return [];
  });
  await broker.liveState.applyTelemetry(seeded);
  const api = await startApi({
    config,
    db,
    questdb,
    bus,
    liveState: broker.liveState,
    connectedDevices: () => broker.broker.connectedIds(),
    metricsRegistry,
    log,
    readiness: [
      { name: 'database', check: async () => void (await db.query('select 1')) },
      { name: 'questdb', check: async () => void (await questdb.exec('select 1')) },
      { name: 'broker', check: async () => broker.checkListening() },
    ],
  });
  log.info(
    {
      http: api.url,
      mqtt: `mqtt://${config.MQTT_HOST}:${broker.mqttPort}`,
      ws: broker.wsPort,
      questdb: questdbEndpoint.url,
      seededDevices: seeded.length,
    },
    'platform ready',
  );
  return {
    api,
    broker,
    bus,
    firstAdministrator,
    async stop() {
      await api.close();
      await broker.close();
      await bus.close();
      await db.close();
      await questdbEndpoint.stop();
    },
  };
}
