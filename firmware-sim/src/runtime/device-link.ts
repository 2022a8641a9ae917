// One simulated device: its model's clock and sequence, its outboxes, and its MQTT session.
//
// The link has no timers of its own. The fleet runtime visits it from the shared tick
// (`visit`: connectivity, model steps, samples, sends), starts its connections through the
// connect ramp (`connect`), and mqtt.js drives the rest through callbacks: CONNACK, SUBACK,
// PUBACK, commands, close. Its keep-alive runs on the runtime's timer wheel.
//
// Sessions: clean session, a new mqtt.js client per connection, reconnectPeriod 0. Our outbox,
// not the broker's session or mqtt.js' store, owns unacknowledged records: when a connection
// ends, whatever it had in flight goes back to the head of the outbox and is re-sent, in
// device-time order, on the next one. A copy the broker had already stored is absorbed by
// QuestDB's DEDUP UPSERT KEYS(ts, device_id). Stale callbacks of a dead client are ignored by
// generation number.
import {
  CommandKind,
  type CommandMessage,
  decodeCommand,
  encodeDeviceEvent,
  encodeTelemetryBatch,
} from '@fleet/proto';
import type { MsHistogram } from '@fleet/shared';
import type { IClientOptions, IClientPublishOptions, MqttClient, Timer } from 'mqtt';
import { backoffDelayMs } from './backoff.ts';
import type { ConnectivityHook, RuntimeModel } from './contract.ts';
import type { RuntimeOptions } from './options.ts';
import { Outbox, type SendPolicy } from './outbox.ts';
import type { DeviceStatus, LinkState, RuntimeCounters, RuntimeEvents } from './types.ts';

/**
 * A record or event kept encoded (a one-record TelemetryBatch, or a whole DeviceEvent) as a range
 * of one of its device's chunks. One-record batches concatenate into a valid TelemetryBatch
 * (a repeated field is its elements one after another), so a message is a copy, never an encode.
 */
export interface EncodedEntry {
  readonly seq: number;
  readonly tsMs: number;
  readonly chunk: Buffer;
  readonly offset: number;
  readonly length: number;
}

/** What the runtime shares with every link. */
export interface LinkContext {
  readonly options: RuntimeOptions;
  /** Derived from the options once, shared by every link. */
  readonly sendPolicy: SendPolicy;
  /** Telemetry records each device may hold (outboxCapacity within the fleet's budget). */
  readonly outboxCapacity: number;
  readonly counters: RuntimeCounters;
  /** PUBACK latencies, ms from publish to PUBACK (drained by the status reporter). */
  readonly ackLatency: MsHistogram;
  /** mqtt.js keep-alive timer on the runtime's wheel. */
  readonly timer: Timer;
  readonly random: () => number;
  readonly wallNow: () => number;
  /** Device time of the current tick. */
  deviceNow(): number;
  /** True while stopping: send whatever is queued, do not wait for batches to fill. */
  readonly flushing: boolean;
  emit<K extends keyof RuntimeEvents>(type: K, event: RuntimeEvents[K]): void;
  /**
   * A connection attempt of this link finished: frees a ramp slot. `congested` (CONNACK 3, no
   * CONNACK in time, or one slower than a quarter of the connect timeout) shrinks the number of
   * attempts in flight, `ok` grows it.
   */
  connectSettled(outcome: 'ok' | 'congested' | 'failed'): void;
  /** The broker answered CONNACK 3: the runtime pauses new connections for a while. */
  serverBusy(): void;
  /** Creates the MQTT client (mqtt.connect; injectable for tests). */
  connect(url: string, options: IClientOptions): MqttClient;
}

export interface LinkDevice {
  id: string;
  token: string;
  model: RuntimeModel;
  /** Default: the model's own `connectivity`, if it has one. */
  connectivity?: ConnectivityHook | undefined;
  /** First seq of this run (default: the wall clock in ms at start, see fleet-runtime.ts). */
  firstSeq: number;
}

const QOS1: IClientPublishOptions = { qos: 1 };
/** CONNACK codes that mean "this device is refused": retry slowly. */
const REFUSED_CODES: ReadonlySet<number> = new Set([1, 2, 4, 5]);
const REBOOT_DELAY_MS = 2000;

/**
 * Encoded records are packed into per-device chunks of this size: one ArrayBuffer (and its
 * ~0.4 KB of allocation overhead) per record made a buffered record cost ~670 B of RSS; packed,
 * ~150 B. Per device, not a shared pool, so a device holding a backlog pins only its own chunks.
 */
const CHUNK_BYTES = 1024;

function concatEntries(entries: readonly EncodedEntry[]): Buffer {
  const only = entries.length === 1 ? entries[0] : undefined;
  if (only) return only.chunk.subarray(only.offset, only.offset + only.length);
  let total = 0;
  for (const e of entries) total += e.length;
  const out = Buffer.allocUnsafe(total);
  let at = 0;
  for (const e of entries) {
    e.chunk.copy(out, at, e.offset, e.offset + e.length);
    at += e.length;
  }
  return out;
}

export class DeviceLink {
  readonly id: string;
  readonly model: RuntimeModel;
  readonly telemetry: Outbox<EncodedEntry>;
  readonly events: Outbox<EncodedEntry>;
  state: LinkState = 'idle';
  retryAt = 0;
  attempt = 0;
  lastRefusal: number | undefined;

  readonly #ctx: LinkContext;
  readonly #token: string;
  readonly #hook: ConnectivityHook | undefined;
  readonly #topics: { telemetry: string; events: string; commands: string };
  #client: MqttClient | undefined;
  #gen = 0;
  #inflightMsgs = 0;
  #pendingCode: number | undefined;
  #pendingReason = '';
  #onlineSince = 0;
  #connectStartedAt = 0;
  #everOnline = false;
  #modelErrorReported = false;
  // Sending budget (a token bucket under the broker's per-device message rate).
  #sendTokens: number;
  #sendRefilledAt: number;
  // Model time and sampling, device ms.
  #nextSeq: number;
  #modelTimeMs: number;
  #nextSampleAt: number;
  #lastRecordTs: number | undefined;
  #positionRequested = false;
  #flooding = false;
  #chunk: Buffer | undefined;
  #chunkUsed = 0;
  #flushRequested = false;

  constructor(device: LinkDevice, ctx: LinkContext, startMs: number) {
    this.id = device.id;
    this.model = device.model;
    this.#token = device.token;
    this.#hook = device.connectivity;
    this.#ctx = ctx;
    const o = ctx.options;
    this.telemetry = new Outbox(ctx.outboxCapacity);
    this.events = new Outbox(o.eventOutboxCapacity);
    this.#topics = {
      telemetry: `devices/${device.id}/telemetry`,
      events: `devices/${device.id}/events`,
      commands: `devices/${device.id}/commands`,
    };
    this.#sendTokens = o.deviceMsgBurst;
    this.#sendRefilledAt = ctx.wallNow();
    this.#nextSeq = device.firstSeq;
    this.#modelTimeMs = startMs;
    // A random phase in the first report interval spreads the fleet's records over time.
    this.#nextSampleAt = startMs + Math.floor(ctx.random() * this.#intervalMs());
  }

  status(): DeviceStatus {
    return {
      id: this.id,
      state: this.state,
      buffered: this.telemetry.queued + this.events.queued,
      unacked: this.telemetry.inflightRecords + this.events.inflightRecords,
      nextSeq: this.#nextSeq,
      lastRefusal: this.lastRefusal,
      retryAt: this.state === 'waiting' ? this.retryAt : undefined,
      attempt: this.attempt,
      lastRecordTs: this.#lastRecordTs,
    };
  }

  /** Nothing queued or in flight. */
  get drained(): boolean {
    return this.telemetry.empty && this.events.empty;
  }

  /**
   * The tick's visit: applies the connectivity hook, advances the model to `deviceNow` (sampling
   * every record that fell due, each at its scheduled time), and sends what is due. Returns true
   * when the link wants a connection now (the runtime puts it into the connect ramp).
   */
  visit(deviceNow: number, wallNow: number): boolean {
    this.#applyConnectivity(deviceNow, wallNow);
    this.#advance(deviceNow);
    this.pump();
    return this.state === 'waiting' && wallNow >= this.retryAt;
  }

  /** Opens a connection (called by the connect ramp for a `queued` link). */
  connect(): void {
    if (this.state !== 'queued') return;
    const ctx = this.#ctx;
    const o = ctx.options;
    this.state = 'connecting';
    this.#pendingCode = undefined;
    this.#pendingReason = 'closed before CONNACK';
    ctx.counters.connectAttempts++;
    this.#connectStartedAt = ctx.wallNow();
    const gen = ++this.#gen;
    const client = ctx.connect(o.url, {
      clientId: this.id,
      username: this.id,
      password: this.#token,
      protocolVersion: 4,
      clean: true,
      keepalive: o.keepaliveS,
      reconnectPeriod: 0,
      connectTimeout: o.connectTimeoutMs,
      resubscribe: false,
      queueQoSZero: false,
      // One ping per keep-alive period instead of re-arming a timer on every packet sent.
      reschedulePings: false,
      timerVariant: ctx.timer,
    });
    this.#client = client;
    client.on('connect', () => {
      if (gen !== this.#gen) return;
      client.subscribe(this.#topics.commands, { qos: 1 }, (err) => {
        if (gen !== this.#gen || err) return; // a failed SUBSCRIBE comes with a close
        this.#online();
      });
    });
    client.on('message', (topic, payload) => {
      if (gen === this.#gen) this.#onMessage(topic, payload);
    });
    // mqtt.js throws from emit('error') without a listener: this one stays for the client's life.
    client.on('error', (err: Error & { code?: unknown }) => {
      if (gen !== this.#gen) return;
      if (typeof err.code === 'number') this.#pendingCode = err.code;
      this.#pendingReason = err.message.slice(0, 120);
    });
    client.on('close', () => {
      if (gen === this.#gen) this.#onClose();
    });
  }

  /** Sends what is due, within the in-flight window and the message rate. */
  pump(): void {
    const client = this.#client;
    if (this.state !== 'online' || !client) return;
    const ctx = this.#ctx;
    const flush = ctx.flushing || this.#flushRequested;
    // A flooding device (the flood scenario) sends each record on its own, as fast as it makes
    // them, ignoring the polite message rate: the broker's limits are what it tests.
    const flooding = this.#flooding;
    const window = flooding ? ctx.options.floodInflight : ctx.options.maxInflight;
    while (this.#inflightMsgs < window) {
      const isEvent = this.events.queued > 0;
      const n = isEvent
        ? 1
        : flooding
          ? Math.min(1, this.telemetry.queued)
          : this.telemetry.due(ctx.deviceNow(), ctx.sendPolicy, flush);
      if (n === 0) break;
      if (!flooding && !this.#takeSendToken()) return;
      if (isEvent) this.#publish(client, this.events, this.#topics.events, 1);
      else this.#publish(client, this.telemetry, this.#topics.telemetry, n);
    }
    if (this.telemetry.queued === 0) this.#flushRequested = false;
  }

  /** Closes the connection for good: a DISCONNECT if connected, forced after `timeoutMs`. */
  close(timeoutMs: number): Promise<void> {
    const client = this.#client;
    this.#detach(false);
    this.state = 'stopped';
    if (!client) return Promise.resolve();
    return new Promise((resolve) => {
      const force = setTimeout(() => {
        client.end(true);
        resolve();
      }, timeoutMs);
      client.end(false, {}, () => {
        clearTimeout(force);
        resolve();
      });
    });
  }

  // ---------------------------------------------------------------------------------------------
  // Model time

  #intervalMs(): number {
    const o = this.#ctx.options;
    let s = Number.NaN;
    try {
      s = this.model.reportIntervalS();
    } catch (err) {
      this.#modelError(err);
    }
    return Math.round((Number.isFinite(s) ? Math.max(o.minReportIntervalS, s) : o.minReportIntervalS) * 1000);
  }

  #applyConnectivity(deviceNow: number, wallNow: number): void {
    const model = this.model;
    if (!this.#hook && !model.connectivity) {
      if (this.state === 'idle') this.#wantConnection(wallNow);
      return;
    }
    let online = true;
    try {
      online = this.#hook ? this.#hook.online(deviceNow) : (model.connectivity?.(deviceNow) ?? true);
    } catch (err) {
      this.#modelError(err);
    }
    if (!online) {
      if (this.state === 'connecting' || this.state === 'online') this.#detach();
      if (this.state !== 'stopped') this.state = 'offline';
    } else if (this.state === 'offline' || this.state === 'idle') {
      this.#wantConnection(wallNow);
    }
  }

  #wantConnection(wallNow: number): void {
    this.state = 'waiting';
    this.retryAt = wallNow;
  }

  #advance(now: number): void {
    try {
      const o = this.#ctx.options;
      const maxStepMs = Math.max(1, Math.round(o.maxStepS * 1000));
      if (!this.#everOnline && !o.recordBeforeFirstConnect) {
        // Not switched on yet: the world moves on, no records (a random phase when it starts).
        while (this.#modelTimeMs < now) this.#stepTo(Math.min(now, this.#modelTimeMs + maxStepMs));
        if (this.#nextSampleAt <= now) {
          this.#nextSampleAt = now + 1 + Math.floor(this.#ctx.random() * this.#intervalMs());
        }
        return;
      }
      let samples = 0;
      for (;;) {
        const due = this.#due();
        if (due <= this.#modelTimeMs) {
          if (samples >= o.maxSamplesPerVisit) {
            this.#skipTo(now, maxStepMs);
            break;
          }
          this.#sample(due);
          samples++;
          this.#nextSampleAt = due + this.#intervalMs();
          continue;
        }
        if (this.#modelTimeMs >= now) break;
        this.#stepTo(Math.min(due, now, this.#modelTimeMs + maxStepMs));
      }
      if (this.#positionRequested) {
        // REQUEST_POSITION: a record for the model's present, sent without waiting for a batch.
        this.#positionRequested = false;
        const t = this.#modelTimeMs;
        if (this.#lastRecordTs === undefined || t > this.#lastRecordTs) {
          this.#sample(t);
          this.#nextSampleAt = t + this.#intervalMs();
        }
        this.#flushRequested = true;
      }
      this.#flooding = this.model.flooding?.(now) ?? false;
    } catch (err) {
      // A model bug must not stop the fleet: skip ahead and go on.
      this.#modelError(err);
      this.#modelTimeMs = Math.max(this.#modelTimeMs, now);
      if (this.#nextSampleAt <= now) this.#nextSampleAt = now + this.#intervalMs();
    }
  }

  /**
   * When the next record is due: as scheduled, or sooner when the report interval has shrunk
   * since the last record (report on change); never before the model's present, and always after
   * the last record (intervals are at least 1 ms).
   */
  #due(): number {
    if (this.#lastRecordTs !== undefined) {
      const byInterval = this.#lastRecordTs + this.#intervalMs();
      if (byInterval < this.#nextSampleAt) this.#nextSampleAt = byInterval;
    }
    return Math.max(this.#nextSampleAt, this.#modelTimeMs);
  }

  #stepTo(t: number): void {
    this.model.step((t - this.#modelTimeMs) / 1000, t);
    this.#modelTimeMs = t;
    this.#drainEvents(t);
  }

  /** Too many records for one visit (extreme compression): skip the rest of it, counted. */
  #skipTo(now: number, maxStepMs: number): void {
    const interval = this.#intervalMs();
    this.#ctx.counters.skippedSamples += Math.floor((now - this.#modelTimeMs) / interval) + 1;
    while (this.#modelTimeMs < now) this.#stepTo(Math.min(now, this.#modelTimeMs + maxStepMs));
    this.#nextSampleAt = now + interval;
  }

  #sample(ts: number): void {
    const seq = this.#nextSeq;
    // The runtime owns seq and tsMs: strictly increasing per device, never ahead of the clock.
    const record = { ...this.model.sample(ts), seq, tsMs: ts };
    const bytes = encodeTelemetryBatch([record]);
    this.#nextSeq = seq + 1;
    this.#lastRecordTs = ts;
    this.#ctx.counters.records++;
    this.#ctx.counters.dropped += this.telemetry.push(this.#entry(seq, ts, bytes));
  }

  #drainEvents(now: number): void {
    const events = this.model.drainEvents(now);
    for (const event of events) {
      const seq = this.#nextSeq;
      const tsMs = event.tsMs > 0 && event.tsMs <= now ? event.tsMs : now;
      const bytes = encodeDeviceEvent({ ...event, seq, tsMs });
      this.#nextSeq = seq + 1;
      this.#ctx.counters.events++;
      this.#ctx.counters.dropped += this.events.push(this.#entry(seq, tsMs, bytes));
    }
  }

  #entry(seq: number, tsMs: number, bytes: Uint8Array): EncodedEntry {
    let chunk = this.#chunk;
    if (!chunk || this.#chunkUsed + bytes.byteLength > chunk.byteLength) {
      chunk = Buffer.allocUnsafeSlow(Math.max(CHUNK_BYTES, bytes.byteLength));
      this.#chunk = chunk;
      this.#chunkUsed = 0;
    }
    const offset = this.#chunkUsed;
    chunk.set(bytes, offset);
    this.#chunkUsed = offset + bytes.byteLength;
    return { seq, tsMs, chunk, offset, length: bytes.byteLength };
  }

  #modelError(err: unknown): void {
    this.#ctx.counters.modelErrors++;
    if (this.#modelErrorReported) return;
    this.#modelErrorReported = true;
    this.#ctx.emit('model-error', { deviceId: this.id, error: err });
  }

  // ---------------------------------------------------------------------------------------------
  // Sending

  #takeSendToken(): boolean {
    const o = this.#ctx.options;
    const now = this.#ctx.wallNow();
    this.#sendTokens = Math.min(
      o.deviceMsgBurst,
      this.#sendTokens + ((now - this.#sendRefilledAt) * o.deviceMsgRate) / 1000,
    );
    this.#sendRefilledAt = now;
    if (this.#sendTokens < 1) return false;
    this.#sendTokens -= 1;
    return true;
  }

  #publish(client: MqttClient, outbox: Outbox<EncodedEntry>, topic: string, n: number): void {
    const batch = outbox.take(n);
    if (!batch) return;
    const counters = this.#ctx.counters;
    counters.messages++;
    counters.sentRecords += batch.entries.length;
    this.#inflightMsgs++;
    const gen = this.#gen;
    const id = batch.id;
    const sentAt = this.#ctx.wallNow();
    // One closure per message (not per record).
    client.publish(topic, concatEntries(batch.entries), QOS1, (err) => {
      if (gen !== this.#gen) return; // that connection is gone; its batches were re-queued
      this.#inflightMsgs--;
      if (err) {
        // The client is closing (keep-alive or CONNACK timeout flush callbacks before 'close').
        this.#ctx.counters.dropped += this.#droppedBy(outbox, () => outbox.nack(id));
        return;
      }
      counters.acks++;
      counters.ackedRecords += outbox.ack(id);
      this.#ctx.ackLatency.record(this.#ctx.wallNow() - sentAt);
      this.pump();
    });
  }

  #droppedBy(outbox: Outbox<EncodedEntry>, f: () => void): number {
    const before = outbox.dropped;
    f();
    return outbox.dropped - before;
  }

  // ---------------------------------------------------------------------------------------------
  // Connection events

  #online(): void {
    const ctx = this.#ctx;
    const latency = ctx.wallNow() - this.#connectStartedAt;
    ctx.connectSettled(latency > ctx.options.connectTimeoutMs / 4 ? 'congested' : 'ok');
    this.state = 'online';
    this.lastRefusal = undefined;
    this.#pendingReason = 'connection closed';
    this.#onlineSince = ctx.wallNow();
    const reconnect = this.#everOnline;
    if (reconnect) ctx.counters.reconnects++;
    this.#everOnline = true;
    this.pump(); // first: a listener then sees what went out at once (a replay)
    ctx.emit('connected', { deviceId: this.id, reconnect });
  }

  #onClose(): void {
    const ctx = this.#ctx;
    const wasOnline = this.state === 'online';
    const code = this.#pendingCode;
    const reason = this.#pendingReason;
    const congested = !wasOnline && (code === 3 || reason === 'connack timeout');
    this.#detach(true, congested ? 'congested' : 'failed');
    const now = ctx.wallNow();
    let policy = ctx.options.backoff;
    if (wasOnline) {
      ctx.counters.disconnects++;
      if (now - this.#onlineSince >= ctx.options.stableAfterMs) this.attempt = 0;
    } else {
      ctx.counters.connectFailures++;
      if (code !== undefined && REFUSED_CODES.has(code)) {
        ctx.counters.refused++;
        this.lastRefusal = code;
        policy = ctx.options.refusedBackoff;
      } else if (code === 3) {
        ctx.counters.busy++;
        this.lastRefusal = code;
        ctx.serverBusy();
      }
    }
    const delay = backoffDelayMs(policy, this.attempt, ctx.random);
    this.attempt++;
    this.state = 'waiting';
    this.retryAt = now + delay;
    if (wasOnline) ctx.emit('disconnected', { deviceId: this.id, reason, retryInMs: delay });
    else ctx.emit('connect-failed', { deviceId: this.id, code, reason, retryInMs: delay });
  }

  /**
   * Forgets the current client: its in-flight batches go back to the outbox (they are re-sent on
   * the next connection), its late callbacks are ignored, and its socket is destroyed.
   */
  #detach(destroy = true, outcome: 'congested' | 'failed' = 'failed'): void {
    const client = this.#client;
    if (!client) return;
    this.#client = undefined;
    this.#gen++;
    if (this.state === 'connecting') this.#ctx.connectSettled(outcome);
    this.#inflightMsgs = 0;
    const counters = this.#ctx.counters;
    counters.dropped += this.#droppedBy(this.telemetry, () => this.telemetry.requeueAll());
    counters.dropped += this.#droppedBy(this.events, () => this.events.requeueAll());
    if (destroy) client.end(true);
  }

  #onMessage(topic: string, payload: Buffer): void {
    const ctx = this.#ctx;
    if (topic !== this.#topics.commands) return;
    const decoded = decodeCommand(payload, { maxBytes: ctx.options.maxCommandBytes });
    if (!decoded.ok) {
      ctx.counters.badCommands++;
      return;
    }
    const command = decoded.value;
    ctx.counters.commands++;
    if (command.kind === CommandKind.REJECT_NOTICE) this.#onRejectNotice(command);
    let reply = '';
    try {
      reply = this.model.onCommand(command);
    } catch (err) {
      this.#modelError(err);
    }
    ctx.emit('command', { deviceId: this.id, command, reply });
    if (command.kind === CommandKind.REQUEST_POSITION) {
      this.#positionRequested = true;
      this.#advance(ctx.deviceNow());
      this.pump();
    } else if (command.kind === CommandKind.REBOOT) this.#reboot();
    // SET_REPORT_INTERVAL needs nothing here: reportIntervalS() is re-read on every visit.
  }

  /**
   * The platform stored the message but refused these records. They were acknowledged with it,
   * so nothing is re-sent; any copy still held (a re-send in the queue) is dropped too.
   */
  #onRejectNotice(command: CommandMessage): void {
    // This simulator's own sequence numbers are far below 2^53, so they decode as numbers.
    const seqs = command.rejectSeq.filter((s): s is number => typeof s === 'number');
    this.#ctx.counters.rejected += seqs.length;
    if (seqs.length > 0) {
      this.telemetry.discard(seqs);
      this.events.discard(seqs);
    }
    this.#ctx.emit('rejected', { deviceId: this.id, reason: command.rejectReason ?? '', seqs });
  }

  /** REBOOT: drop the connection and come back shortly (the outbox survives, like flash). */
  #reboot(): void {
    if (this.state !== 'online' && this.state !== 'connecting') return;
    // Outside the message callback of the client being closed.
    queueMicrotask(() => {
      if (this.state !== 'online' && this.state !== 'connecting') return;
      this.#detach();
      this.state = 'waiting';
      this.retryAt = this.#ctx.wallNow() + REBOOT_DELAY_MS * (0.5 + this.#ctx.random());
    });
  }
}
