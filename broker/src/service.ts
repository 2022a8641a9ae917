// The broker + ingest service: builds every part from config and plain dependencies and
// returns something that can be stopped. main.ts and the tests both start it through here.

import {
  createIngestMetrics,
  createIngestPipeline,
  InMemoryLiveState,
  type LiveStateStore,
  openTelemetryStore,
} from '@fleet/ingest';
import { type JobService, startJobService } from '@fleet/ingest/jobs';
import { type MaintenanceService, startMaintenanceService } from '@fleet/ingest/maintenance';
import { type RuleService, startRuleService } from '@fleet/ingest/rules';
import { startTripService, type TripService } from '@fleet/ingest/trips';
import { canConnect, type EventBus, type FaultReporter, type FleetConfig, type Logger } from '@fleet/shared';
import { DeviceRegistry, type SqlDatabase } from '@fleet/shared/db';
import { QuestDbHttp } from '@fleet/shared/questdb';
import type { Registry } from 'prom-client';
import { type CredentialSource, DeviceAuthenticator } from './auth.ts';
import { createDeviceBroker, type DeviceBroker } from './broker.ts';
import { CredentialDirectory } from './credential-directory.ts';
import { CredentialSync } from './credential-sync.ts';
import { listenBroker } from './listeners.ts';
import { createBrokerMetrics } from './metrics.ts';
import { RefusalLog } from './refusals.ts';

export interface BrokerServiceDeps {
  config: FleetConfig;
  db: SqlDatabase;
  questdbUrl: string;
  bus: EventBus;
  metricsRegistry: Registry;
  log: Logger;
  /** Counts and logs unexpected errors at the MQTT entry points. */
  faults: FaultReporter;
}

export interface BrokerService {
  broker: DeviceBroker;
  liveState: LiveStateStore;
  /** The rule engine fed by the pipeline's rules step. */
  rules: RuleService;
  /** Meters from telemetry and the due-service monitor, fed by the pipeline's "track meters" step. */
  maintenance: MaintenanceService;
  jobs: JobService;
  trips: TripService;
  mqttPort: number;
  wsPort: number | undefined;
  /** Rows waiting for or in a QuestDB commit. */
  pendingRows(): number;
  /** Resolves once the credential directory has read again every device announced as changed. */
  credentialsSettled(): Promise<void>;
  /** Throws unless the MQTT listener accepts connections (readiness). */
  checkListening(): Promise<void>;
  close(): Promise<void>;
}

export async function startBrokerService(deps: BrokerServiceDeps): Promise<BrokerService> {
  const { config, db, bus, metricsRegistry, log } = deps;
  const ingestMetrics = createIngestMetrics(metricsRegistry);
  const directory = new CredentialDirectory(config.DEVICE_AUTH_PRELOAD_MAX);
  const brokerMetrics = createBrokerMetrics(metricsRegistry, () => directory.size);
  const store = await openTelemetryStore(deps.questdbUrl, config, ingestMetrics, log);
  const liveState = new InMemoryLiveState();
  const rules = await startRuleService({
    db,
    questdb: new QuestDbHttp(deps.questdbUrl),
    bus,
    log,
    faults: deps.faults,
    metricsRegistry,
    lateAfterMs: config.RULES_LATE_AFTER_S * 1000,
    tickMs: config.RULES_TICK_S * 1000,
    checkpointMs: config.RULES_CHECKPOINT_MS,
    replayMaxRecords: config.RULES_REPLAY_MAX_RECORDS,
    replayMarginMs: config.RULES_REPLAY_MARGIN_S * 1000,
  });
  const maintenance = await startMaintenanceService({
    db,
    bus,
    log,
    faults: deps.faults,
    metricsRegistry,
    directory: rules.directory,
    flushMs: config.MAINTENANCE_FLUSH_MS,
    refreshMs: config.MAINTENANCE_REFRESH_S * 1000,
  });
  const jobs = await startJobService({
    db,
    bus,
    faults: deps.faults,
    metricsRegistry,
    refreshMs: config.JOBS_REFRESH_S * 1000,
    tracker: { leadMs: config.JOBS_EN_ROUTE_LEAD_MIN * 60_000 },
    directory: rules.directory,
  });
  const trips = await startTripService({
    db,
    questdb: store.questdb,
    writer: store.writer,
    faults: deps.faults,
    log,
    metricsRegistry,
    checkpointMs: config.TRIPS_CHECKPOINT_MS,
    recomputeMaxMs: config.TRIPS_RECOMPUTE_MAX_H * 3_600_000,
    maxReadRecords: config.RULES_REPLAY_MAX_RECORDS,
    workingTimeOf: (orgId) => {
      const org = rules.directory.get(orgId)?.context;
      return org && { workingHours: org.workingHours, timeZone: org.timeZone };
    },
  });
  const pipeline = createIngestPipeline({
    writer: store.writer,
    rules,
    onRulesError: (err) => deps.faults.report('rules', 'pipeline', err),
    meters: maintenance,
    onMetersError: (err) => deps.faults.report('maintenance', 'pipeline', err),
    jobs,
    onJobsError: (err) => deps.faults.report('jobs', 'pipeline', err),
    trips,
    onTripsError: (err) => deps.faults.report('ingest', 'trips', err),
    liveState,
    bus,
    metrics: ingestMetrics,
    policy: {
      maxFutureSkewMs: config.INGEST_MAX_FUTURE_SKEW_S * 1000,
      maxAgeMs: config.INGEST_MAX_AGE_DAYS * 86_400_000,
    },
    limits: {
      maxPayloadBytes: config.INGEST_MAX_PAYLOAD_BYTES,
      maxRecordsPerBatch: config.INGEST_MAX_RECORDS_PER_BATCH,
      rejectSampleBytes: config.INGEST_REJECT_SAMPLE_BYTES,
      deviceRejectRate: config.INGEST_DEVICE_REJECT_RATE,
      deviceRejectBurst: config.INGEST_DEVICE_REJECT_BURST,
    },
  });
  const registry = new DeviceRegistry(db);
  const lookups: CredentialSource = {
    checkCredentials: (id, token) => {
      brokerMetrics.authLookups.inc();
      return registry.checkCredentials(id, token);
    },
  };
  const authenticator = new DeviceAuthenticator(
    lookups,
    config.DEVICE_AUTH_CACHE_TTL_S * 1000,
    Date.now,
    100_000,
    { held: directory },
  );
  const credentials = new CredentialSync(directory, registry, {
    onError: (err) => deps.faults.report('mqtt', 'credentials', err),
  });
  const broker = await createDeviceBroker({
    authenticator,
    pipeline,
    bus,
    refusals: new RefusalLog(brokerMetrics.refusals, log),
    metrics: brokerMetrics,
    log,
    faults: deps.faults,
    // Hold new connections back while the store is more than 80% full: a device that cannot
    // be acknowledged is better told "server unavailable" than left waiting.
    storeSaturated: () => store.writer.pendingRows > config.INGEST_MAX_PENDING_ROWS * 0.8,
    limits: {
      maxPacketBytes: config.MQTT_MAX_PACKET_BYTES,
      deviceMsgRate: config.MQTT_DEVICE_MSG_RATE,
      deviceMsgBurst: config.MQTT_DEVICE_MSG_BURST,
      connectRate: config.MQTT_CONNECT_RATE,
      connectBurst: config.MQTT_CONNECT_BURST,
      authFailRate: config.MQTT_AUTH_FAIL_RATE,
      authFailBurst: config.MQTT_AUTH_FAIL_BURST,
      authFailGlobalRate: config.MQTT_AUTH_FAIL_GLOBAL_RATE,
      authFailGlobalBurst: config.MQTT_AUTH_FAIL_GLOBAL_BURST,
      keepaliveMinS: config.MQTT_KEEPALIVE_MIN_S,
      keepaliveMaxS: config.MQTT_KEEPALIVE_MAX_S,
      connectTimeoutMs: config.MQTT_CONNECT_TIMEOUT_MS,
      drainTimeoutMs: config.MQTT_DRAIN_TIMEOUT_MS,
      maxOutboundBytes: config.MQTT_MAX_OUTBOUND_BYTES,
    },
  });
  const unsubscribe = bus.subscribe('device-changed', (change) => {
    // Forgotten before anything else: the next CONNECT of the device asks the registry.
    credentials.changed(change.deviceId);
    authenticator.invalidate(change.deviceId);
    if (change.change === 'disabled' || change.change === 'token_reissued' || change.change === 'deleted')
      broker.disconnect(change.deviceId);
  });
  // Changes made by other processes (the CLI against PostgreSQL, later the API) arrive as
  // NOTIFY and go onto the bus like local ones.
  // The hub and the API read connection status from the live state.
  const unsubscribeStatus = bus.subscribe('status', (event) => void liveState.applyStatus(event));
  // A live view that just started in another process (the API side after a restart) asks for
  // the whole fleet once: the newest record and the connection of every device.
  const unsubscribeSync = bus.subscribe('live-sync', () => {
    void liveState.listAll().then(
      (states) => {
        for (const s of states) {
          if (s.latest) bus.publish('latest', s.latest);
          // Every device, connected or not: a view that outlived an earlier device side may
          // still think a device is online that never came back.
          bus.publish('status', {
            tenant: s.tenant,
            deviceId: s.deviceId,
            status: broker.connectedIds().has(s.deviceId) ? 'online' : 'offline',
            at: s.statusAt ?? Date.now(),
          });
        }
      },
      (err: unknown) => deps.faults.report('bus', 'live-sync', err),
    );
  });
  const stopWatching = await registry.watchChanges((c) =>
    bus.publish('device-changed', { tenant: c.orgId, deviceId: c.deviceId, change: c.change }),
  );
  // Loaded once the changes are followed, so none made during the load is missed (a row read
  // before its change is not put back: credential-directory.ts).
  if (config.DEVICE_AUTH_PRELOAD_MAX > 0) {
    const started = performance.now();
    const held = await credentials.load();
    log.info(
      { devices: held, ms: Math.round(performance.now() - started) },
      'device credentials loaded: CONNECTs of these devices need no database query',
    );
  }
  const listeners = await listenBroker(broker, {
    host: config.MQTT_HOST,
    tcpPort: config.MQTT_PORT,
    wsPort: config.MQTT_WS_ENABLED ? config.MQTT_WS_PORT : undefined,
    maxPacketBytes: config.MQTT_MAX_PACKET_BYTES,
  });
  return {
    broker,
    liveState,
    rules,
    maintenance,
    jobs,
    trips,
    mqttPort: listeners.tcpPort,
    wsPort: listeners.wsPort,
    pendingRows: () => store.writer.pendingRows,
    credentialsSettled: () => credentials.settled(),
    async checkListening() {
      if (!(await canConnect(listeners.tcpPort, config.MQTT_HOST)))
        throw new Error(`MQTT listener on port ${listeners.tcpPort} does not accept connections`);
    },
    async close() {
      credentials.close();
      unsubscribe();
      unsubscribeStatus();
      unsubscribeSync();
      await stopWatching();
      await listeners.close();
      await broker.close();
      // Its last segments and states go through the store: before the store closes.
      await trips.close();
      // Rows already queued are committed before the process goes (their PUBACKs are lost
      // with the connections, so the devices re-send and dedup absorbs the copies).
      await store.close();
      await maintenance.close();
      await jobs.close();
      await rules.close();
    },
  };
}
