// The broker + ingest process: MQTT listeners, device auth, and the ingest pipeline into
// QuestDB, in one process so a PUBACK can wait for the commit without a network hop.
import {
  createLogger,
  errorMessage,
  InProcessEventBus,
  loadConfigOrExit,
  onShutdown,
  openDomainDatabase,
  provideQuestDb,
  serveMetrics,
} from '@fleet/shared';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { startBrokerService } from './service.ts';

const config = loadConfigOrExit();
const log = createLogger('broker', config.LOG_LEVEL, config.LOG_FORMAT);
try {
  const db = await openDomainDatabase(config, log);
  const questdb = await provideQuestDb(config, log);
  const metricsRegistry = new Registry();
  collectDefaultMetrics({ register: metricsRegistry });
  const bus = new InProcessEventBus((err, topic) => log.error({ err, topic }, 'event handler failed'));
  const service = await startBrokerService({
    config,
    db,
    questdbUrl: questdb.url,
    bus,
    metricsRegistry,
    log,
  });
  const metrics = await serveMetrics(metricsRegistry, config.MQTT_HOST, config.BROKER_METRICS_PORT);
  log.info(
    {
      mqtt: `mqtt://${config.MQTT_HOST}:${service.mqttPort}`,
      ws: service.wsPort,
      metrics: `http://${config.MQTT_HOST}:${metrics.port}/metrics`,
      questdb: questdb.url,
    },
    'broker and ingest ready',
  );
  onShutdown(log, async () => {
    await metrics.close();
    await service.close();
    await bus.close();
    await db.close();
    await questdb.stop();
  });
} catch (err) {
  log.fatal({ err: errorMessage(err) }, 'broker failed to start');
  process.exit(1);
}
