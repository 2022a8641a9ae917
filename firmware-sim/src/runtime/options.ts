// The runtime's settings: one schema, each with its unit and default, so a CLI can take them from
// flags or a scenario file and get a clear error for a bad value.
import { z } from 'zod';
import { CONNECT_BACKOFF, checkBackoffPolicy, REFUSED_BACKOFF } from './backoff.ts';

const backoffSchema = z
  .object({
    initialMs: z.number().positive(),
    maxMs: z.number().positive(),
    multiplier: z.number().min(1),
    jitter: z.number().min(0).max(1),
  })
  .refine((p) => p.maxMs >= p.initialMs, 'maxMs must be >= initialMs');

const int = (min: number, max: number, def: number) => z.number().int().min(min).max(max).default(def);
const num = (min: number, max: number, def: number) => z.number().min(min).max(max).default(def);

export const runtimeOptionsSchema = z.object({
  /** Broker address, e.g. mqtt://127.0.0.1:1883 (mqtt:, mqtts:, ws:, wss:). */
  url: z.string().regex(/^(mqtts?|wss?):\/\//, 'expected an mqtt://, mqtts://, ws:// or wss:// URL'),
  /** Wall-clock period of the one shared tick, ms. */
  tickMs: int(5, 1000, 100),
  /**
   * Each device is visited (model stepped, records sampled, connection checked) once every
   * `visitTicks` ticks, a slot of the wheel per device: 100 ms x 10 = every second, a tenth of
   * the fleet per tick.
   */
  visitTicks: int(1, 600, 10),
  /** Device seconds per wall second (1 = real time). Device time never passes the wall clock. */
  timeCompression: num(0.001, 10_000, 1),
  /**
   * Device time at start, ms since the epoch; default the wall clock. With compression > 1 start
   * in the past: device time runs `timeCompression` times faster until it reaches the wall clock,
   * then follows it at 1x (the platform refuses records more than 300 s ahead of its clock).
   */
  deviceStartMs: z.number().int().positive().optional(),
  /** Records per telemetry message in live operation. */
  batchSize: int(1, 2000, 1),
  /** Largest telemetry message while catching up after being offline, records. */
  maxBatchRecords: int(1, 2000, 500),
  /** A record waits at most this long for its batch to fill, device seconds. */
  maxBatchDelayS: num(0, 86_400, 30),
  /** Telemetry records a device holds unsent (drop-oldest beyond), per device. 3600 = 1 h at 1 Hz. */
  outboxCapacity: int(1, 10_000_000, 3600),
  /**
   * Telemetry records the whole fleet may hold unsent: each device gets
   * min(outboxCapacity, fleetBufferRecords / devices). A buffered record costs ~0.35 KB of RSS,
   * so the default bounds backlogs to ~0.7 GB (10,000 devices: 200 records each).
   */
  fleetBufferRecords: int(1, 1_000_000_000, 2_000_000),
  /** Events a device holds unsent, per device. */
  eventOutboxCapacity: int(1, 1_000_000, 500),
  /** Unacknowledged QoS 1 messages per device. */
  maxInflight: int(1, 100, 4),
  /** Messages per second a device sends at most (the broker cuts off above MQTT_DEVICE_MSG_RATE, 50). */
  deviceMsgRate: num(0.1, 10_000, 40),
  /** Burst of messages above that rate (broker: MQTT_DEVICE_MSG_BURST, 200). */
  deviceMsgBurst: int(1, 100_000, 100),
  /** New connections per second, the whole process (broker: MQTT_CONNECT_RATE, 500). */
  connectRate: num(0.1, 100_000, 400),
  /** Most connection attempts awaiting their CONNACK at once (the adaptive window starts at 64). */
  maxConnecting: int(1, 100_000, 500),
  /** After a CONNACK 3 (server busy), no new connection for this long, ms (jittered). */
  busyPauseMs: int(0, 600_000, 1000),
  /** MQTT keep-alive, s (broker bounds: MQTT_KEEPALIVE_MIN_S..MAX_S, 5..1200). */
  keepaliveS: int(5, 1200, 60),
  /** Time from opening a connection to its CONNACK, ms. */
  connectTimeoutMs: int(100, 600_000, 10_000),
  /** Reconnect delays after network errors, timeouts and CONNACK 3. */
  backoff: backoffSchema.default(CONNECT_BACKOFF),
  /** Reconnect delays after CONNACK 2, 4 or 5 (refused, bad credentials, disabled). */
  refusedBackoff: backoffSchema.default(REFUSED_BACKOFF),
  /** A connection shorter than this does not reset the backoff, ms (a flapping link keeps backing off). */
  stableAfterMs: int(0, 3_600_000, 10_000),
  /**
   * Shortest report interval honoured, s (a model asking for less gets this). The default lets
   * the flood scenario's 5 ms through: one record per device per ms is what storage can keep.
   */
  minReportIntervalS: num(0.001, 3600, 0.001),
  /**
   * Longest single model step, device s. Under compression a visit covers more device time; it
   * is cut into steps this long so that a change in reportIntervalS (report on change) is seen.
   */
  maxStepS: num(0.01, 86_400, 5),
  /** Unacknowledged messages of a flooding device (the flood scenario ignores the polite limits). */
  floodInflight: int(1, 10_000, 100),
  /**
   * Whether a device records before its first connection. Off: a device is switched on when it
   * first connects (its model runs, events are kept, no telemetry yet), so a fleet starting at
   * once does not begin with backlogs as long as the connect ramp. Later outages always buffer.
   */
  recordBeforeFirstConnect: z.boolean().default(false),
  /** Records one device may sample in one visit (catching up under compression); beyond, skipped. */
  maxSamplesPerVisit: int(1, 1_000_000, 1000),
  /** Largest command payload decoded, bytes. */
  maxCommandBytes: int(64, 1_048_576, 4096),
});

export type RuntimeOptionsInput = z.input<typeof runtimeOptionsSchema>;
export type RuntimeOptions = z.output<typeof runtimeOptionsSchema>;

/** Parses options with defaults; throws an Error naming every bad setting. */
export function parseRuntimeOptions(input: RuntimeOptionsInput): RuntimeOptions {
  const result = runtimeOptionsSchema.safeParse(input);
  if (!result.success) {
    const detail = result.error.issues.map((i) => `${i.path.join('.') || 'options'}: ${i.message}`);
    throw new Error(`invalid simulator runtime options: ${detail.join('; ')}`);
  }
  checkBackoffPolicy(result.data.backoff);
  checkBackoffPolicy(result.data.refusedBackoff);
  return result.data;
}
