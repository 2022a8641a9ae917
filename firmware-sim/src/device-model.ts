// What a simulated device is to the MQTT device runtime: a world that steps in device time, and
// the records, events and command handling of one tracker or tag. The models are pure and
// deterministic from their seed (time is always passed in, never read from a clock), hold no
// timers or closures per record, and cost well under a microsecond per step, so one process
// steps 10,000 of them on one shared tick.
import { CommandKind, type CommandMessage, type DeviceEventInput, type TelemetryInput } from '@fleet/proto';
import type { ScenarioName } from './scenarios.ts';

/** One telemetry record for "now"; the runtime assigns `seq`. */
export type TelemetrySample = Omit<TelemetryInput, 'seq'>;
/** One discrete device event; the runtime assigns `seq` (shared with telemetry). */
export type DeviceEventSample = Omit<DeviceEventInput, 'seq'>;

/**
 * Where a device is after its last step. Models hand out one object they update in place: read
 * it straight away, do not keep it.
 */
export interface DevicePosition {
  lat: number;
  lon: number;
  speedKmh: number;
  /** Degrees clockwise from north, 0 <= heading < 360. */
  headingDeg: number;
  /** Under way (driving or braking to a stop). */
  moving: boolean;
  /** Ignition of a vehicle; undefined for a device without one. */
  ignition: boolean | undefined;
  /**
   * A vehicle standing with the engine running for no work (the idling scenario): a power
   * take-off riding along stays off. Absent or false otherwise.
   */
  idleWithoutWork?: boolean;
}

export interface DeviceModel {
  readonly kind: 'vehicle' | 'equipment';
  /** The scenario preset this device runs ('normal' when none). */
  readonly scenario: ScenarioName;
  /**
   * Advances the simulated world by dtS seconds ending at device time nowMs. Any dt works
   * (compressed time): a large one is spent phase by phase, and events inside it get their own
   * timestamps between nowMs - dtS x 1000 and nowMs.
   */
  step(dtS: number, nowMs: number): void;
  /**
   * Seconds between reports in the current state. Re-read it every tick: it drops to 1 s for
   * "report on change" (ignition, door, PTO, tamper, a REQUEST_POSITION command) until the
   * next `sample`, and to `FLOOD_INTERVAL_S` during a flood. May be below 1 s.
   */
  reportIntervalS(): number;
  /**
   * One telemetry record for nowMs (an integer number of ms; one record per device per ms, as
   * storage keeps one row per device and timestamp). Values are inside the platform's
   * plausibility bounds (shared/src/telemetry.ts). Does not change the simulated world.
   */
  sample(nowMs: number): TelemetrySample;
  /** Events since the last call, oldest first (BOOT, harsh driving, power cut, tamper...). */
  drainEvents(nowMs: number): DeviceEventSample[];
  /**
   * Handles a command from the platform (fleet.v1.Command) on the device side and says what it
   * did, for the log. The transport side is the runtime's: reconnect after REBOOT, publish a
   * record now after REQUEST_POSITION.
   */
  onCommand(cmd: CommandMessage): string;
  /** Where the device is, as of the last step (equipment riding along copies it). */
  position(): Readonly<DevicePosition>;
  /**
   * Whether the device can reach the broker at nowMs (the time of the last step or later; a
   * vehicle remembers only its latest dead zone). False during a tunnel: keep sampling, buffer
   * the records, do not connect; replay when it is true again.
   */
  connectivity(nowMs: number): boolean;
  /** Whether the device floods at nowMs (the flood scenario): `reportIntervalS()` already says how fast. */
  flooding(nowMs: number): boolean;
}

/** The part of a vehicle a tag riding along needs: where it is and whether it has a network. */
export type Carrier = Pick<DeviceModel, 'position' | 'connectivity'>;

/** Local time of day, s after midnight, for device time nowMs and a UTC offset in minutes. */
export function localTimeOfDayS(nowMs: number, utcOffsetMin: number): number {
  const s = Math.floor(nowMs / 1000) + utcOffsetMin * 60;
  return ((s % 86_400) + 86_400) % 86_400;
}

/**
 * A stateless hash to [0, 1) of a seed and a key: noise for a record (GPS quality, sensor
 * jitter) that depends only on the device and the time, not on how often `sample` was called,
 * so sampling never shifts the random sequence that drives the world. (murmur3's finaliser.)
 */
export function hash01(seed: number, key: number): number {
  let h = Math.imul((seed ^ Math.imul(key | 0, 0x9e3779b1)) | 0, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  h = Math.imul(h ^ (key >>> 7), 0x27d4eb2d);
  h ^= h >>> 15;
  return (h >>> 0) / 4294967296;
}

/** A seed for a model's own random sequence, distinct from the seed's other uses (the trip's). */
export function deriveSeed(seed: number, salt: number): number {
  return (Math.imul(seed ^ salt, 0x9e3779b1) ^ (salt >>> 3)) >>> 0;
}

/** Seconds, from device ms, as a 32-bit key for `hash01`. */
export function secondKey(nowMs: number): number {
  return Math.floor(nowMs / 1000) >>> 0;
}

/** A valid SET_REPORT_INTERVAL value: 1 s to a day; 0 or absent resets to the defaults. */
export function reportIntervalOverride(value: number | undefined): number | undefined | 'invalid' {
  if (value === undefined || value === 0) return undefined;
  if (!Number.isInteger(value) || value < 1 || value > 86_400) return 'invalid';
  return value;
}

/** "REJECT_NOTICE" log text: the platform refused records, nothing to change on the device. */
export function describeRejectNotice(cmd: CommandMessage): string {
  const seqs = cmd.rejectSeq.slice(0, 10).join(', ');
  const more = cmd.rejectSeq.length > 10 ? `, ... (${cmd.rejectSeq.length} in all)` : '';
  return `platform rejected ${cmd.rejectSeq.length} record(s) [${seqs}${more}]: ${cmd.rejectReason ?? 'no reason given'}`;
}

/** A uniform draw from [range[0], range[1]). */
export function uniform(random: () => number, range: readonly [number, number]): number {
  return range[0] + (range[1] - range[0]) * random();
}

/** What a device does for each command; the models differ only in how they reboot. */
export interface CommandTarget {
  /** Queue the BOOT event of a reboot. */
  reboot(detail: string): void;
  setIntervalOverride(seconds: number | undefined): void;
  /** Report at once (next visit). */
  reportNow(): void;
  countRejected(records: number): void;
}

/** Carries out a command on a device model; returns what it did, for logs. */
export function applyCommand(cmd: CommandMessage, target: CommandTarget): string {
  switch (cmd.kind) {
    case CommandKind.REBOOT:
      target.reboot(`reboot (command ${cmd.id})`);
      target.reportNow();
      return `command ${cmd.id}: rebooting`;
    case CommandKind.SET_REPORT_INTERVAL: {
      const v = reportIntervalOverride(cmd.reportIntervalS);
      if (v === 'invalid') return `command ${cmd.id}: ignored report interval ${cmd.reportIntervalS} s`;
      target.setIntervalOverride(v);
      return `command ${cmd.id}: report interval ${v === undefined ? 'back to defaults' : `${v} s`}`;
    }
    case CommandKind.REQUEST_POSITION:
      target.reportNow();
      return `command ${cmd.id}: reporting position now`;
    case CommandKind.REJECT_NOTICE:
      target.countRejected(cmd.rejectSeq.length);
      return `command ${cmd.id}: ${describeRejectNotice(cmd)}`;
    default:
      return `command ${cmd.id}: ignored unknown kind ${cmd.kind}`;
  }
}
