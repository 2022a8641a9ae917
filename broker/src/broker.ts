// The device broker: aedes with the platform's hooks. Each hook is a small function over the
// modules beside it (auth, acl, limits, presence); this file only wires them into aedes.
//
// The PUBACK guarantee lives in authorizePublish: aedes writes the QoS 1 PUBACK as soon as
// that hook calls back (lib/handlers/publish.js), so the hook calls back only after the ingest
// pipeline has committed the message's records to QuestDB.
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { IngestOutcome, IngestPipeline } from '@fleet/ingest';
import { BackpressureError } from '@fleet/ingest';
import { encodeCommand } from '@fleet/proto';
import type { EventBus, Logger } from '@fleet/shared';
import { TokenBucket } from '@fleet/shared';
import { Aedes, type AedesOptions, type Client, type PublishPacket } from 'aedes';
import { authorizeDevicePublish, authorizeDeviceSubscribe, topicFor } from './acl.ts';
import type { DeviceAuthenticator } from './auth.ts';
import type { BrokerMetrics } from './metrics.ts';
import { GuardedConnection } from './packet-size.ts';
import type { RefusalLog, RefusalReason } from './refusals.ts';

export interface BrokerLimits {
  maxPacketBytes: number;
  deviceMsgRate: number;
  deviceMsgBurst: number;
  connectRate: number;
  connectBurst: number;
  keepaliveMinS: number;
  keepaliveMaxS: number;
  connectTimeoutMs: number;
  drainTimeoutMs: number;
  maxOutboundBytes: number;
}

export interface DeviceBrokerDeps {
  authenticator: DeviceAuthenticator;
  pipeline: IngestPipeline;
  bus: EventBus;
  refusals: RefusalLog;
  metrics: BrokerMetrics;
  log: Logger;
  limits: BrokerLimits;
  /** True while the store cannot take more (new connections get CONNACK 3 "server unavailable"). */
  storeSaturated: () => boolean;
  now?: () => number;
}

interface DeviceSession {
  tenant: string;
  deviceId: string;
  messages: TokenBucket;
}

export interface DeviceBroker {
  readonly aedes: Aedes;
  /** Hands a new client connection (TCP socket or WebSocket stream) to the broker. */
  handle(conn: Duplex, address: string | undefined): void;
  /** Disconnects a device now, e.g. when it is disabled. */
  disconnect(deviceId: string): boolean;
  connectedDevices(): number;
  /** Ids of the devices connected right now (a live, read-only view). */
  connectedIds(): ReadonlySet<string>;
  close(): Promise<void>;
}

type ConnectError = Error & { returnCode: number };

function connectError(returnCode: 2 | 3 | 4 | 5, message: string): ConnectError {
  return Object.assign(new Error(message), { returnCode });
}

/** CONNACK return codes of MQTT 3.1.1 for each refusal at connect time. */
const CONNACK_CODE: Partial<Record<RefusalReason, 2 | 3 | 4 | 5>> = {
  client_id_mismatch: 2,
  keepalive_out_of_bounds: 2,
  connect_rate: 3,
  ingest_backpressure: 3,
  bad_credentials: 4,
  unknown_device: 4,
  device_disabled: 5,
};

export async function createDeviceBroker(deps: DeviceBrokerDeps): Promise<DeviceBroker> {
  const { authenticator, pipeline, bus, refusals, metrics, log, limits } = deps;
  const now = deps.now ?? Date.now;
  const sessions = new WeakMap<Client, DeviceSession>();
  const connections = new WeakMap<Client, { guarded: GuardedConnection; address: string | undefined }>();
  const keepalives = new WeakMap<Client, number>();
  const current = new Map<string, Client>(); // deviceId -> its live client
  // The same ids as a set kept in step, handed out read-only: the API asks per device and per
  // request, and a copy each time would cost O(connected devices) per question.
  const connected = new Set<string>();
  const connectBucket = new TokenBucket(limits.connectRate, limits.connectBurst, now);

  const who = (client: Client | null) => ({
    deviceId: client ? (sessions.get(client)?.deviceId ?? client.id) : undefined,
    address: client ? connections.get(client)?.address : undefined,
  });

  const options: AedesOptions = {
    connectTimeout: limits.connectTimeoutMs,
    drainTimeout: limits.drainTimeoutMs,
    // Keep-alive bounds are checked in authenticate, not with aedes' keepaliveLimit, whose
    // refusal uses return code 6, which MQTT 3.1.1 does not have.
    heartbeatInterval: 60_000,

    preConnect(client, packet, done) {
      keepalives.set(client, packet.keepalive ?? 0);
      // The last will is always the device's own retained "offline" status (DESIGN.md, Devices);
      // whatever will the device asked for is replaced.
      if (packet.clientId) {
        packet.will = {
          topic: topicFor(packet.clientId, 'status'),
          payload: Buffer.from('offline'),
          qos: 1,
          retain: true,
        };
      }
      done(null, true);
    },

    authenticate(client, username, password, done) {
      const refuse = (reason: RefusalReason, detail?: string) => {
        refusals.refuse(
          reason,
          { deviceId: username ?? client.id, address: connections.get(client)?.address },
          detail,
        );
        done(connectError(CONNACK_CODE[reason] ?? 5, reason), false);
      };
      if (!connectBucket.take()) return refuse('connect_rate');
      if (deps.storeSaturated()) return refuse('ingest_backpressure', 'store saturated');
      const keepalive = keepalives.get(client) ?? 0;
      if (keepalive < limits.keepaliveMinS || keepalive > limits.keepaliveMaxS) {
        return refuse('keepalive_out_of_bounds', `keepalive=${keepalive}s`);
      }
      authenticator.authenticate(client.id, username, password).then(
        (decision) => {
          if (!decision.ok) return refuse(decision.reason);
          sessions.set(client, {
            tenant: decision.device.orgId,
            deviceId: decision.device.id,
            messages: new TokenBucket(limits.deviceMsgRate, limits.deviceMsgBurst, now),
          });
          done(null, true);
        },
        (err: unknown) => {
          log.error({ err, deviceId: username }, 'device registry unavailable');
          done(connectError(3, 'registry unavailable'), false);
        },
      );
    },

    authorizePublish(client, packet, done) {
      // The broker's own publishes (status, wills, commands) come with no client.
      if (!client) return done(null);
      const session = sessions.get(client);
      if (!session) return done(new Error('not authenticated'));
      const refuse = (reason: RefusalReason, detail?: string) => {
        refusals.refuse(reason, who(client), detail);
        done(new Error(reason));
      };
      // A will is checked here too (client set, topic = its own status): let it through.
      if (packet.topic === topicFor(session.deviceId, 'status') && client.closed) return done(null);
      const acl = authorizeDevicePublish(session.deviceId, packet.topic);
      if (!acl.ok) return refuse(acl.reason, packet.topic.slice(0, 80));
      if (!session.messages.take()) return refuse('message_rate');
      const conn = connections.get(client)?.guarded;
      if (conn && conn.pendingOutboundBytes > limits.maxOutboundBytes) return refuse('client_stuck');
      packet.retain = false;
      const started = performance.now();
      const ingest = acl.kind === 'telemetry' ? pipeline.ingestTelemetry : pipeline.ingestEvent;
      ingest(session, packet.payload as Buffer).then(
        (outcome) => {
          metrics.pubackSeconds.observe((performance.now() - started) / 1000);
          done(null);
          if (outcome.rejected.length > 0) sendRejectNotice(session.deviceId, outcome);
        },
        (err: unknown) => {
          if (err instanceof BackpressureError) refuse('ingest_backpressure');
          else {
            log.error({ err, deviceId: session.deviceId }, 'ingest failed');
            refuse('ingest_failed');
          }
        },
      );
    },

    authorizeSubscribe(client, subscription, done) {
      const session = sessions.get(client);
      const acl = session ? authorizeDeviceSubscribe(session.deviceId, subscription.topic) : undefined;
      if (!acl?.ok) {
        refusals.refuse('subscribe_denied', who(client), subscription.topic.slice(0, 80));
        // null: a SUBACK with the failure code 0x80 for this topic; the connection stays.
        return done(null, null);
      }
      done(null, subscription);
    },

    // Nothing a device publishes is forwarded to another device.
    authorizeForward(client, packet) {
      const session = sessions.get(client);
      if (!session) return null;
      return packet.topic === topicFor(session.deviceId, 'commands') ? packet : null;
    },
  };

  const aedes = await Aedes.createBroker(options);

  function publishInternal(packet: Omit<PublishPacket, 'cmd' | 'dup'>): void {
    aedes.publish({ cmd: 'publish', dup: false, ...packet }, (err) => {
      if (err) log.warn({ err, topic: packet.topic }, 'internal publish failed');
    });
  }

  function sendRejectNotice(deviceId: string, outcome: IngestOutcome): void {
    const first = outcome.rejected[0];
    if (!first) return;
    publishInternal({
      topic: topicFor(deviceId, 'commands'),
      payload: Buffer.from(
        encodeCommand({
          id: `reject-${now()}`,
          tsMs: now(),
          kind: 4, // REJECT_NOTICE
          rejectReason: first.reason,
          rejectSeq: outcome.rejected.flatMap((r) => (r.seq === undefined ? [] : [r.seq])),
        }),
      ),
      qos: 0,
      retain: false,
    });
  }

  function setStatus(session: DeviceSession, status: 'online' | 'offline', reason: string): void {
    const at = now();
    publishInternal({
      topic: topicFor(session.deviceId, 'status'),
      payload: Buffer.from(status),
      qos: 1,
      retain: true,
    });
    bus.publish('status', { tenant: session.tenant, deviceId: session.deviceId, status, at, reason });
    pipeline
      .recordEvent({
        tenant: session.tenant,
        deviceId: session.deviceId,
        seq: 0,
        ts: at,
        receivedAt: at,
        kind: status === 'online' ? 'CONNECTED' : 'DISCONNECTED',
        lat: undefined,
        lon: undefined,
        speedKmh: undefined,
        peakG: undefined,
        buttonId: undefined,
        firmware: undefined,
        detail: reason,
      })
      .catch((err: unknown) => log.warn({ err, deviceId: session.deviceId }, 'could not store status event'));
  }

  const offlineReason = new WeakMap<Client, string>();
  aedes.on('client', (client) => {
    const session = sessions.get(client);
    if (!session) return;
    current.set(session.deviceId, client);
    connected.add(session.deviceId);
    metrics.connections.inc();
    metrics.connectedDevices.set(current.size);
    setStatus(session, 'online', 'connected');
  });
  aedes.on('keepaliveTimeout', (client) => offlineReason.set(client, 'keepalive_timeout'));
  aedes.on('clientError', (client, err) => {
    if (!offlineReason.has(client)) offlineReason.set(client, err.message.slice(0, 80));
  });
  aedes.on('clientDisconnect', (client) => {
    const session = sessions.get(client);
    // A device that reconnected already has a new client: the old one's exit is not "offline".
    if (!session || current.get(session.deviceId) !== client) return;
    current.delete(session.deviceId);
    connected.delete(session.deviceId);
    metrics.connectedDevices.set(current.size);
    setStatus(session, 'offline', offlineReason.get(client) ?? 'disconnected');
  });

  return {
    aedes,
    handle(conn, address) {
      const guarded = new GuardedConnection(conn, limits.maxPacketBytes, () =>
        refusals.refuse('packet_too_large', { deviceId: client.id, address }),
      );
      const client = aedes.handle(guarded as unknown as Socket);
      connections.set(client, { guarded, address });
    },
    disconnect(deviceId) {
      const client = current.get(deviceId);
      if (!client) return false;
      offlineReason.set(client, 'disabled');
      client.close();
      return true;
    },
    connectedDevices: () => current.size,
    connectedIds: () => connected,
    close: () => new Promise<void>((resolve) => aedes.close(() => resolve())),
  };
}
