// Both sides in one process: one in-process bus (positions go from the ingest pipeline to the
// hub without a hop), one live state, one metrics registry, and the embedded database opened
// here. For in-process tools (the console bench publishes positions on `bus` after applying them
// to `device.broker.liveState`, as the pipeline does) and `PLATFORM_PROCESSES=single`; the
// embedded default runs the sides as supervised processes instead (launcher.ts).
import type { ApiServer, BootstrapResult } from '@fleet/api';
import { ensureFirstAdministrator } from '@fleet/api';
import {
  createFaultReporter,
  type EventBus,
  type FaultReporter,
  type FleetConfig,
  InProcessEventBus,
  type Logger,
  openDomainDatabase,
  provideQuestDb,
} from '@fleet/shared';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { type DeviceSide, startApiSide, startDeviceSide } from './sides.ts';

export interface PlatformProcess {
  api: ApiServer;
  device: DeviceSide;
  bus: EventBus;
  faults: FaultReporter;
  /** Set on the first start only: the administrator created now. */
  firstAdministrator: BootstrapResult | undefined;
  stop(): Promise<void>;
}

export async function startPlatformProcess(config: FleetConfig, log: Logger): Promise<PlatformProcess> {
  const db = await openDomainDatabase(config, log);
  const firstAdministrator = await ensureFirstAdministrator(db, config.FLEET_ADMIN_PASSWORD);
  const questdb = await provideQuestDb(config, log);
  const metricsRegistry = new Registry();
  collectDefaultMetrics({ register: metricsRegistry });
  const faults = createFaultReporter({ log, registry: metricsRegistry });
  const bus = new InProcessEventBus((err, topic) => faults.report('bus', topic, err));
  const deps = { config, db, questdbUrl: questdb.url, bus, metricsRegistry, log, faults };
  const device = await startDeviceSide(deps);
  const api = await startApiSide({
    ...deps,
    liveState: device.broker.liveState,
    connectedDevices: () => device.broker.broker.connectedIds(),
    checkBroker: () => device.broker.checkListening(),
  });
  return {
    api,
    device,
    bus,
    faults,
    firstAdministrator,
    async stop() {
      await api.close();
      await device.close();
      await bus.close();
      await db.close();
      await questdb.stop();
    },
  };
}
