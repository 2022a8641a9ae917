// One side of the platform as a process of its own, forked by the launcher with an IPC channel:
// `node platform/src/child.ts ingest|api`. It reaches the embedded database and the other side
// through that channel (or PostgreSQL directly, with DATABASE_URL), counts its own faults, and
// exits when the launcher goes away, so a killed launcher leaves no orphan behind.

import {
  createFaultReporter,
  createLogger,
  errorMessage,
  installProcessSafetyNet,
  LinkedEventBus,
  loadConfigOrExit,
  onShutdown,
} from '@fleet/shared';
import { openDatabase } from '@fleet/shared/db';
import { AggregatorRegistry, collectDefaultMetrics, Registry } from 'prom-client';
import { CHILD_ROLES, type ChildRole, type IpcChannel, launcherChannel } from './ipc.ts';
import { openIpcDatabase } from './ipc-database.ts';
import { LiveStateReplica, mqttListenerCheck, startApiSide, startDeviceSide } from './sides.ts';

const role = process.argv[2] as ChildRole;
const config = loadConfigOrExit();
const log = createLogger(role, config.LOG_LEVEL, config.LOG_FORMAT);
const channel = launcherChannel();
if (!CHILD_ROLES.includes(role) || !channel || !config.QUESTDB_URL) {
  log.fatal(
    { role },
    'platform/src/child.ts is started by the launcher (npm start), with a role and a channel',
  );
  process.exit(2);
}
process.on('disconnect', () => {
  log.warn('the launcher is gone; stopping');
  process.exit(1);
});

const metricsRegistry = new Registry();
metricsRegistry.setDefaultLabels({ process: role });
collectDefaultMetrics({ register: metricsRegistry });
const faults = createFaultReporter({ log, registry: metricsRegistry });
installProcessSafetyNet(faults);

try {
  const db = config.DATABASE_URL
    ? await openDatabase({ url: config.DATABASE_URL })
    : openIpcDatabase(channel, { requestTimeoutMs: 60_000 });
  const bus = new LinkedEventBus(
    { send: (m) => channel.send(m), onMessage: (h) => channel.onMessage((m) => m.t === 'bus' && h(m)) },
    (err, topic) => faults.report('bus', topic, err),
  );
  answerMetricRequests(channel, metricsRegistry);
  const deps = { config, db, questdbUrl: config.QUESTDB_URL, bus, metricsRegistry, log, faults };
  let stop: () => Promise<void>;
  if (role === 'ingest') {
    const device = await startDeviceSide(deps);
    stop = () => device.close();
  } else {
    const replica = new LiveStateReplica(bus);
    const api = await startApiSide({
      ...deps,
      liveState: replica.state,
      connectedDevices: () => replica.connectedIds(),
      platformMetrics: () => platformMetrics(channel, metricsRegistry),
      checkBroker: mqttListenerCheck(config),
    });
    stop = async () => {
      replica.close();
      await api.close();
    };
  }
  channel.send({ t: 'ready', role });
  onShutdown(log, async () => {
    await stop();
    await bus.close();
    await db.close();
  });
} catch (err) {
  log.fatal({ err: errorMessage(err) }, `${role} failed to start`);
  process.exit(1);
}

/** This process's metrics for the launcher, which merges every process's for GET /metrics. */
function answerMetricRequests(ch: IpcChannel, registry: Registry): void {
  ch.onMessage((m) => {
    if (m.t !== 'metrics-request') return;
    registry.getMetricsAsJSON().then(
      (metrics) => ch.send({ t: 'metrics-reply', id: m.id, metrics: [metrics] }),
      () => ch.send({ t: 'metrics-reply', id: m.id, metrics: [] }),
    );
  });
}

let nextMetricsRequest = 1;

/** Every process's metrics in one exposition, each series labelled with its process. */
async function platformMetrics(ch: IpcChannel, own: Registry): Promise<string> {
  const id = nextMetricsRequest++;
  const others = await new Promise<unknown[]>((resolve) => {
    const timer = setTimeout(() => {
      stopListening();
      resolve([]);
    }, 2000);
    const stopListening = ch.onMessage((m) => {
      if (m.t !== 'metrics-reply' || m.id !== id) return;
      clearTimeout(timer);
      stopListening();
      resolve(m.metrics);
    });
    ch.send({ t: 'metrics-request', id });
  });
  const merged = AggregatorRegistry.aggregate([
    await own.getMetricsAsJSON(),
    ...(others as Awaited<ReturnType<Registry['getMetricsAsJSON']>>[]),
  ]);
  return merged.metrics();
}
