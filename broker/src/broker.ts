// The device broker: aedes with the platform's hooks. Each hook is a small function over the
// modules beside it (auth, admission, acl, limits, presence); this file only wires them into
// aedes.
//
// The PUBACK guarantee lives in authorizePublish: aedes writes the QoS 1 PUBACK as soon as
// that hook calls back (lib/handlers/publish.js), so the hook calls back only after the ingest
// pipeline has committed the message's records to QuestDB.
//
// The safety net: every hook, every event handler and every connection callback runs inside a
// try/catch that reports to `deps.faults` (fleet_unexpected_errors_total{boundary="mqtt"}) and
// gives the boundary's own answer instead: CONNACK 3 for authenticate, an error (connection
// closed, no PUBACK) for authorizePublish, SUBACK 0x80 for authorizeSubscribe, "not forwarded"
// for authorizeForward, a closed connection for the rest. Each hook's callback is wrapped so
// that it runs exactly once, whatever throws after it was called.
import type { EventEmitter } from 'node:events';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { IngestOutcome, IngestPipeline } from '@fleet/ingest';
import { BackpressureError } from '@fleet/ingest';
import { encodeCommand } from '@fleet/proto';
import type { EventBus, FaultReporter, Logger } from '@fleet/shared';
import { errorMessage, FleetError, guard, KeyedTokenBuckets } from '@fleet/shared';
import type { Device } from '@fleet/shared/db';
import { Aedes, type AedesOptions, type Client, type PublishPacket } from 'aedes';
import { authorizeDevicePublish, authorizeDeviceSubscribe, topicFor } from './acl.ts';
import { type AdmissionLimits, ConnectAdmission } from './admission.ts';
import type { AuthDecision, Authenticator } from './auth.ts';
import type { BrokerMetrics } from './metrics.ts';
import { TopicScreen } from './packet-screen.ts';
import { GuardedConnection } from './packet-size.ts';
import type { RefusalLog, RefusalReason } from './refusals.ts';

export interface BrokerLimits extends AdmissionLimits {
  maxPacketBytes: number;
  /** Messages per second per device, kept per device id across its connections. */
  deviceMsgRate: number;
  deviceMsgBurst: number;
  keepaliveMinS: number;
  keepaliveMaxS: number;
  connectTimeoutMs: number;
  drainTimeoutMs: number;
  maxOutboundBytes: number;
}

export interface DeviceBrokerDeps {
  authenticator: Authenticator;
  pipeline: IngestPipeline;
  bus: EventBus;
  refusals: RefusalLog;
  metrics: BrokerMetrics;
  log: Logger;
  /** Counts and logs unexpected errors in the aedes hooks. */
  faults: FaultReporter;
  limits: BrokerLimits;
  /** True while the store cannot take more (new connections get CONNACK 3 "server unavailable"). */
  storeSaturated: () => boolean;
  now?: () => number;
}

interface DeviceSession {
  tenant: string;
  deviceId: string;
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
  auth_failure_rate: 3,
  registry_unavailable: 3,
  ingest_backpressure: 3,
  bad_credentials: 4,
  unknown_device: 4,
  device_disabled: 5,
  organisation_suspended: 5,
};

/**
 * A callback that runs at most once: later calls (after a throw, a retry path) do nothing.
 * `called()` tells whether it ran: a throw after it means aedes' own continuation broke.
 */
function once<A extends unknown[]>(fn: (...args: A) => void): ((...args: A) => void) & { called(): boolean } {
  let called = false;
  const wrapped = (...args: A) => {
    if (called) return;
    called = true;
    fn(...args);
  };
  return Object.assign(wrapped, { called: () => called });
}

const asError = (err: unknown): Error => (err instanceof Error ? err : new Error(errorMessage(err)));

export async function createDeviceBroker(deps: DeviceBrokerDeps): Promise<DeviceBroker> {
  const { authenticator, pipeline, bus, refusals, metrics, log, faults, limits } = deps;
  const now = deps.now ?? Date.now;
  const sessions = new WeakMap<Client, DeviceSession>();
  const connections = new WeakMap<Client, { guarded: GuardedConnection; address: string | undefined }>();
  const keepalives = new WeakMap<Client, number>();
  const current = new Map<string, Client>(); // deviceId -> its live client
  // The same ids as a set kept in step, handed out read-only: the API asks per device and per
  // request, and a copy each time would cost O(connected devices) per question.
  const connected = new Set<string>();
  const admission = new ConnectAdmission(limits, now);
  // Keyed by device id, not held by the connection: reconnecting does not refill the budget
  // (measured before: 3,711 msg/s acknowledged for one reconnecting device against 50/s).
  const messageRates = new KeyedTokenBuckets(limits.deviceMsgRate, limits.deviceMsgBurst, now);
  const topics = new TopicScreen();

  /**
   * Closes a connection whose handling broke half-way (a throw inside aedes' continuation of a
   * hook that had already answered): its parser and session state can no longer be trusted.
   */
  const cutOff = (client: Client | null) => {
    if (!client) return;
    try {
      const conn = connections.get(client)?.guarded;
      if (conn) conn.destroy();
      else client.close();
    } catch (err) {
      faults.report('mqtt', 'cutOff', err);
    }
  };

  /** Runs one piece of work whose failure must not stop the rest; a throw is reported. */
  const attempt = (site: string, fn: () => void): void => {
    try {
      fn();
    } catch (err) {
      faults.report('mqtt', site, err);
    }
  };

  /**
   * Counts and logs a refusal after its answer was given: a failure here is reported on its
   * own and does not touch the connection (which is answered, and may stay).
   */
  const logRefusal = (...args: Parameters<RefusalLog['refuse']>) =>
    attempt('refusals', () => refusals.refuse(...args));

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

    preConnect(client, packet, callback) {
      const done = once(callback);
      try {
        keepalives.set(client, packet.keepalive ?? 0);
        // The last will is always the device's own retained "offline" status (DESIGN.md,
        // Devices); whatever will the device asked for is replaced.
        if (packet.clientId) {
          packet.will = {
            topic: topicFor(packet.clientId, 'status'),
            payload: Buffer.from('offline'),
            qos: 1,
            retain: true,
          };
        }
        done(null, true);
      } catch (err) {
        faults.report('mqtt', 'preConnect', err);
        if (done.called()) cutOff(client);
        else done(asError(err), false);
      }
    },

    authenticate(client, username, password, callback) {
      const done = once(callback);
      const unavailable = (err: unknown) => {
        faults.report('mqtt', 'authenticate', err);
        if (done.called()) cutOff(client);
        else done(connectError(3, 'server unavailable'), false);
      };
      try {
        const address = connections.get(client)?.address;
        // The answer goes first: a refusal log that fails cannot leave the client waiting.
        const refuse = (reason: RefusalReason, detail?: string) => {
          done(connectError(CONNACK_CODE[reason] ?? 5, reason), false);
          logRefusal(reason, { deviceId: username ?? client.id, address }, detail);
        };
        const admit = (device: Device) => {
          if (!admission.takeConnect()) return refuse('connect_rate');
          sessions.set(client, { tenant: device.orgId, deviceId: device.id });
          done(null, true);
        };
        const decide = (decision: AuthDecision) => {
          if (decision.ok) return admit(decision.device);
          admission.failed(address);
          refuse(decision.reason);
        };

        if (deps.storeSaturated()) return refuse('ingest_backpressure', 'store saturated');
        const keepalive = keepalives.get(client) ?? 0;
        if (keepalive < limits.keepaliveMinS || keepalive > limits.keepaliveMaxS) {
          return refuse('keepalive_out_of_bounds', `keepalive=${keepalive}s`);
        }
        // Peeked, not taken: only a device that authenticates spends the connect budget, so
        // CONNECTs with wrong credentials cannot use it up for the real devices.
        if (!admission.connectBudgetLeft()) return refuse('connect_rate');
        const gate = admission.gate(address);
        if (gate !== 'open') {
          // Over a failure budget: no registry look-up; a device the credential cache knows
          // (it connected within the cache TTL) still gets in, whoever shares its address.
          const known = authenticator.check(client.id, username, password);
          return known?.ok ? admit(known.device) : refuse('auth_failure_rate', gate);
        }
        authenticator
          .authenticate(client.id, username, password)
          .then(decide, (err: unknown) => refuse('registry_unavailable', errorMessage(err).slice(0, 120)))
          .catch(unavailable);
      } catch (err) {
        unavailable(err);
      }
    },

    authorizePublish(client, packet, callback) {
      const done = once(callback);
      const failed = (err: unknown) => {
        faults.report('mqtt', 'authorizePublish', err);
        if (done.called()) cutOff(client);
        else done(asError(err));
      };
      try {
        // The broker's own publishes (status, wills, commands) come with no client.
        if (!client) return done(null);
        const session = sessions.get(client);
        if (!session) return done(new Error('not authenticated'));
        const refuse = (reason: RefusalReason, detail?: string) => {
          done(new Error(reason));
          logRefusal(reason, who(client), detail);
        };
        // A will is checked here too (client set, topic = its own status): let it through.
        if (packet.topic === topicFor(session.deviceId, 'status') && client.closed) return done(null);
        // A topic aedes would have refused unseen is judged by its original (packet-screen.ts).
        const topic = topics.original(packet, packet.topic);
        const acl = authorizeDevicePublish(session.deviceId, topic);
        if (!acl.ok) return refuse(acl.reason, topic.slice(0, 80));
        if (!messageRates.take(session.deviceId)) return refuse('message_rate');
        const conn = connections.get(client)?.guarded;
        if (conn && conn.pendingOutboundBytes > limits.maxOutboundBytes) return refuse('client_stuck');
        packet.retain = false;
        const started = performance.now();
        const payload = packet.payload as Buffer;
        const ingest =
          acl.kind === 'telemetry'
            ? pipeline.ingestTelemetry(session, payload)
            : pipeline.ingestEvent(session, payload);
        ingest
          .then(
            (outcome) => {
              done(null);
              metrics.pubackSeconds.observe((performance.now() - started) / 1000);
              if (outcome.rejected.length > 0) {
                attempt('rejectNotice', () => sendRejectNotice(session.deviceId, outcome));
              }
            },
            (err: unknown) => {
              if (err instanceof BackpressureError) return refuse('ingest_backpressure');
              // A FleetError is a failure the ingest knows (writer closed at shutdown, ...);
              // anything else is a bug or an unforeseen input, and counted as such.
              if (!(err instanceof FleetError)) faults.report('mqtt', 'ingest', err);
              refuse('ingest_failed', errorMessage(err).slice(0, 80));
            },
          )
          .catch(failed);
      } catch (err) {
        failed(err);
      }
    },

    authorizeSubscribe(client, subscription, callback) {
      const done = once(callback);
      try {
        const session = sessions.get(client);
        const topic = topics.original(subscription, subscription.topic);
        const acl = session ? authorizeDeviceSubscribe(session.deviceId, topic) : undefined;
        if (!acl?.ok) {
          // null: a SUBACK with the failure code 0x80 for this topic; the connection stays.
          done(null, null);
          const detail = topics.rewritten(subscription) ? `invalid filter ${topic}` : topic;
          logRefusal('subscribe_denied', who(client), detail.slice(0, 80));
          return;
        }
        done(null, subscription);
      } catch (err) {
        faults.report('mqtt', 'authorizeSubscribe', err);
        if (done.called()) cutOff(client);
        else done(null, null);
      }
    },

    // Nothing a device publishes is forwarded to another device.
    authorizeForward(client, packet) {
      try {
        const session = sessions.get(client);
        if (!session) return null;
        return packet.topic === topicFor(session.deviceId, 'commands') ? packet : null;
      } catch (err) {
        faults.report('mqtt', 'authorizeForward', err);
        return null;
      }
    },
  };

  const aedes = await Aedes.createBroker(options);
  // aedes emits 'error' for failures of its persistence (lib: DoEnqueues, _clearWills); an
  // EventEmitter 'error' without a listener would throw out of whatever emitted it.
  (aedes as EventEmitter).on('error', (err: unknown) => faults.report('mqtt', 'aedes', err));

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

  /** Each part of a status change on its own: a failing bus does not stop the stored event. */
  function setStatus(session: DeviceSession, status: 'online' | 'offline', reason: string): void {
    const at = now();
    attempt('status.retained', () =>
      publishInternal({
        topic: topicFor(session.deviceId, 'status'),
        payload: Buffer.from(status),
        qos: 1,
        retain: true,
      }),
    );
    attempt('status.bus', () =>
      bus.publish('status', { tenant: session.tenant, deviceId: session.deviceId, status, at, reason }),
    );
    attempt('status.event', () =>
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
        .catch((err: unknown) =>
          log.warn({ err, deviceId: session.deviceId }, 'could not store status event'),
        ),
    );
  }

  const offlineReason = new WeakMap<Client, string>();
  aedes.on(
    'client',
    guard(faults, 'mqtt', 'event.client', (client: Client) => {
      const session = sessions.get(client);
      if (!session) return;
      current.set(session.deviceId, client);
      connected.add(session.deviceId);
      metrics.connections.inc();
      metrics.connectedDevices.set(current.size);
      setStatus(session, 'online', 'connected');
    }),
  );
  aedes.on(
    'keepaliveTimeout',
    guard(faults, 'mqtt', 'event.keepaliveTimeout', (client: Client) =>
      offlineReason.set(client, 'keepalive_timeout'),
    ),
  );
  aedes.on(
    'clientError',
    guard(faults, 'mqtt', 'event.clientError', (client: Client, err: unknown) => {
      if (!offlineReason.has(client)) offlineReason.set(client, errorMessage(err).slice(0, 80));
    }),
  );
  aedes.on(
    'clientDisconnect',
    guard(faults, 'mqtt', 'event.clientDisconnect', (client: Client) => {
      const session = sessions.get(client);
      // A device that reconnected already has a new client: the old one's exit is not "offline".
      if (!session || current.get(session.deviceId) !== client) return;
      current.delete(session.deviceId);
      connected.delete(session.deviceId);
      metrics.connectedDevices.set(current.size);
      setStatus(session, 'offline', offlineReason.get(client) ?? 'disconnected');
    }),
  );

  /**
   * aedes parses and handles a client's packets inside the connection's 'readable' handler
   * (lib/client.js, nextBatch): a throw there, from aedes, mqtt-packet or a hook, would escape
   * to the process. Each such handler is wrapped: the throw is counted and the connection
   * closed (its parser is mid-packet and cannot go on).
   */
  function guardReads(guarded: GuardedConnection): void {
    for (const listener of guarded.listeners('readable') as ((...args: unknown[]) => void)[]) {
      guarded.removeListener('readable', listener);
      guarded.on('readable', (...args: unknown[]) => {
        try {
          listener.apply(guarded, args);
        } catch (err) {
          faults.report('mqtt', 'read', err);
          guarded.destroy();
        }
      });
    }
  }

  /** Puts the topic screen in front of aedes' own handling of each parsed packet. */
  function screenPackets(client: Client, guarded: GuardedConnection): void {
    // aedes 1.x keeps the mqtt-packet parser of a client as `_parser` and handles its 'packet'
    // events (lib/client.js); a listener put first sees each packet before aedes does.
    const parser = (client as unknown as { _parser?: { prependListener?: unknown } })._parser;
    if (typeof parser?.prependListener !== 'function')
      throw new Error('aedes client has no parser to screen: aedes internals changed');
    (parser as { prependListener(event: 'packet', fn: (packet: object) => void): void }).prependListener(
      'packet',
      (packet) => {
        try {
          topics.screen(packet);
        } catch (err) {
          faults.report('mqtt', 'screen', err);
          guarded.destroy();
        }
      },
    );
  }

  return {
    aedes,
    handle(conn, address) {
      try {
        let client: Client | undefined;
        const guarded = new GuardedConnection(
          conn,
          limits.maxPacketBytes,
          () =>
            refusals.refuse('packet_too_large', {
              deviceId: client ? who(client).deviceId : undefined,
              address,
            }),
          (err) => faults.report('mqtt', 'connection', err),
        );
        client = aedes.handle(guarded as unknown as Socket);
        connections.set(client, { guarded, address });
        screenPackets(client, guarded);
        guardReads(guarded);
      } catch (err) {
        faults.report('mqtt', 'handle', err);
        conn.destroy();
      }
    },
    disconnect(deviceId) {
      const client = current.get(deviceId);
      if (!client) return false;
      offlineReason.set(client, 'disabled');
      try {
        client.close();
      } catch (err) {
        faults.report('mqtt', 'disconnect', err);
      }
      return true;
    },
    connectedDevices: () => current.size,
    connectedIds: () => connected,
    close: () => new Promise<void>((resolve) => aedes.close(() => resolve())),
  };
}
