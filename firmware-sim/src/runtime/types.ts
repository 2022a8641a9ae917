// Types shared by the runtime's modules: counters, the observable events, per-device status.
import type { CommandMessage } from '@fleet/proto';

/** Cumulative counters of the whole runtime (they only grow). */
export interface RuntimeCounters {
  /** Telemetry records sampled from the models. */
  records: number;
  /** Events drained from the models. */
  events: number;
  /** MQTT messages published (telemetry batches and events, re-sends included). */
  messages: number;
  /** Records in those messages (re-sends included). */
  sentRecords: number;
  /** PUBACKs received (messages stored by the platform). */
  acks: number;
  /** Records and events acknowledged. */
  ackedRecords: number;
  /** CONNECTs sent. */
  connectAttempts: number;
  /** Connection attempts that did not come up (refused, timed out, network error). */
  connectFailures: number;
  /** CONNACK 3: server busy or over its connection rate. */
  busy: number;
  /** CONNACK 2, 4 or 5: refused client id or keep-alive, bad credentials, disabled device. */
  refused: number;
  /** Established connections lost (closed by the broker or the network, not by us). */
  disconnects: number;
  /** Connections established by devices that had been connected before. */
  reconnects: number;
  /** Records and events dropped because a device's outbox was full (oldest first). */
  dropped: number;
  /** Records the platform refused (seqs named by REJECT_NOTICE commands); never re-sent. */
  rejected: number;
  /** Commands received and decoded. */
  commands: number;
  /** Command payloads that did not decode. */
  badCommands: number;
  /** Exceptions thrown by models or hooks (the device goes on). */
  modelErrors: number;
  /** Samples skipped because one visit would have produced more than maxSamplesPerVisit. */
  skippedSamples: number;
}

export function zeroCounters(): RuntimeCounters {
  return {
    records: 0,
    events: 0,
    messages: 0,
    sentRecords: 0,
    acks: 0,
    ackedRecords: 0,
    connectAttempts: 0,
    connectFailures: 0,
    busy: 0,
    refused: 0,
    disconnects: 0,
    reconnects: 0,
    dropped: 0,
    rejected: 0,
    commands: 0,
    badCommands: 0,
    modelErrors: 0,
    skippedSamples: 0,
  };
}

/**
 * Where one device's connection is:
 * - idle: not visited yet; offline: its connectivity hook says no network (it buffers);
 * - waiting: backing off until `retryAt`; queued: in the connect ramp;
 * - connecting: CONNECT sent, waiting for CONNACK and SUBACK; online: publishing;
 * - stopped: the runtime stopped.
 */
export type LinkState = 'idle' | 'offline' | 'waiting' | 'queued' | 'connecting' | 'online' | 'stopped';

export interface DeviceStatus {
  id: string;
  state: LinkState;
  /** Records and events waiting to be sent. */
  buffered: number;
  /** Records and events sent, not yet acknowledged. */
  unacked: number;
  /** The next seq this device will use. */
  nextSeq: number;
  /** The last CONNACK refusal code (2..5), until the device connects again. */
  lastRefusal: number | undefined;
  /** Wall-clock ms of the next connection attempt while `waiting`. */
  retryAt: number | undefined;
  /** Failed attempts since the last stable connection (drives the backoff). */
  attempt: number;
  /** Device time of the last sampled record, ms. */
  lastRecordTs: number | undefined;
}

/** What the runtime reports as it goes (see FleetRuntime.on). */
export interface RuntimeEvents {
  connected: { deviceId: string; reconnect: boolean };
  disconnected: { deviceId: string; reason: string; retryInMs: number };
  /** A connection attempt failed; `code` is the CONNACK code when the broker refused it. */
  'connect-failed': { deviceId: string; code: number | undefined; reason: string; retryInMs: number };
  command: { deviceId: string; command: CommandMessage; reply: string };
  /** The platform refused records (REJECT_NOTICE); they are dropped, not re-sent. */
  rejected: { deviceId: string; reason: string; seqs: number[] };
  /** A model or hook threw (reported once per device). */
  'model-error': { deviceId: string; error: unknown };
}

export type RuntimeEventName = keyof RuntimeEvents;
