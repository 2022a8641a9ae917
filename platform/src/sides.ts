// The two sides of the platform, each a function of plain dependencies: the device side (MQTT
// broker + ingest pipeline, which owns the live state) and the API side (REST API, WebSocket
// hub and console). The embedded default runs each in a process of its own (child.ts); the
// single-process composition (single-process.ts) runs both with one bus and one live state.
import { type ApiServer, readLatestRecords, startApi } from '@fleet/api';

import { type BrokerService, type BrokerServiceDeps, startBrokerService } from '@fleet/broker';
import { InMemoryLiveState, type LiveStateStore } from '@fleet/ingest';
import { canConnect, type EventBus, type FleetConfig } from '@fleet/shared';
import { QuestDbHttp } from '@fleet/shared/questdb';

/** What each side is built from: the same as the broker service's dependencies. */
export type SideDeps = BrokerServiceDeps;

export interface DeviceSide {
  broker: BrokerService;
  close(): Promise<void>;
}

/** Broker + ingest. The live map must not start empty after a restart: the live state is seeded
 * from the newest stored record of every device (within the offline window and then some). */
export async function startDeviceSide(deps: SideDeps): Promise<DeviceSide> {
  const { config, log } = deps;
  const broker = await startBrokerService(deps);
  const since = Date.now() - Math.max(config.DEVICE_OFFLINE_AFTER_S * 1000, 7 * 86_400_000);
  const seeded = await readLatestRecords(new QuestDbHttp(deps.questdbUrl), since).catch((err: unknown) => {
    log.warn({ err }, 'could not seed the live state from QuestDB; it fills as devices report');
    return [];
  });
  await broker.liveState.applyTelemetry(seeded);
  broker.rules.seed(seeded);
  // Live views elsewhere (an API process that started first, or outlived an earlier device
  // side) get the whole fleet now, as if they had asked.
  deps.bus.publish('live-sync', { requestedAt: Date.now() });
  log.info(
    {
      mqtt: `mqtt://${config.MQTT_HOST}:${broker.mqttPort}`,
      ws: broker.wsPort,
      seededDevices: seeded.length,
    },
    'device side ready',
  );
  return { broker, close: () => broker.close() };
}

export interface ApiSideDeps extends SideDeps {
  /** The live state the API reads: the device side's own, or a replica fed by the bus. */
  liveState: LiveStateStore;
  connectedDevices(): ReadonlySet<string>;
  /** The text of GET /metrics; default: this process's registry. */
  platformMetrics?: () => Promise<string>;
  /** Whether the MQTT listener accepts connections (readiness). */
  checkBroker(): Promise<void>;
}

export async function startApiSide(deps: ApiSideDeps): Promise<ApiServer> {
  const questdb = new QuestDbHttp(deps.questdbUrl);
  const api = await startApi({
    config: deps.config,
    db: deps.db,
    questdb,
    bus: deps.bus,
    liveState: deps.liveState,
    connectedDevices: deps.connectedDevices,
    metricsRegistry: deps.metricsRegistry,
    ...(deps.platformMetrics ? { platformMetrics: deps.platformMetrics } : {}),
    log: deps.log,
    faults: deps.faults,
    readiness: [
      { name: 'database', check: async () => void (await deps.db.query('select 1')) },
      { name: 'questdb', check: async () => void (await questdb.exec('select 1')) },
      { name: 'broker', check: deps.checkBroker },
    ],
  });
  deps.log.info({ http: api.url }, 'API side ready');
  return api;
}

/** The broker's MQTT listener, checked from any process: it accepts a TCP connection. */
export function mqttListenerCheck(config: FleetConfig): () => Promise<void> {
  return async () => {
    if (!(await canConnect(config.MQTT_PORT, config.MQTT_HOST)))
      throw new Error(`MQTT listener on port ${config.MQTT_PORT} does not accept connections`);
  };
}

/**
 * The API process's copy of the live state: the newest record and the connection status of
 * every device, kept from the bus (`latest`, `status`). On start it asks the device side for
 * everything once (`live-sync`), so a restarted API process has the whole fleet at once.
 */
export class LiveStateReplica {
  readonly state = new InMemoryLiveState();
  readonly #online = new Set<string>();
  readonly #stop: (() => void)[];

  constructor(bus: EventBus) {
    this.#stop = [
      bus.subscribe('latest', (record) => void this.state.applyTelemetry([record])),
      bus.subscribe('status', (event) => {
        void this.state.applyStatus(event);
        if (event.status === 'online') this.#online.add(event.deviceId);
        else this.#online.delete(event.deviceId);
      }),
    ];
    bus.publish('live-sync', { requestedAt: Date.now() });
  }

  /** Devices connected right now, as last reported (a live, read-only view). */
  connectedIds(): ReadonlySet<string> {
    return this.#online;
  }

  close(): void {
    for (const stop of this.#stop) stop();
  }
}
