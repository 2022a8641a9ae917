// @fleet/proto: the device payload codec of the fleet platform.
//
// The wire schema is proto/fleet/v1/telemetry.proto; the codec in ./generated is produced from it
// by proto/scripts/generate.ts (protobufjs static module) and checked in. This module wraps that
// codec with the API the rest of the platform uses:
//
// - decode*: for UNTRUSTED bytes (MQTT payloads). They never throw. They check the size first,
//   walk the wire format once without recursion (bounded group nesting, record count for
//   batches) before anything is allocated, then decode with the generated code and return
//   plain data objects (no class instances, no Long objects, no unknown-field buffers).
// - encode*: for devices, the simulator and tests. They throw on invalid input.
// - enum helpers for DeviceEvent.Kind and Command.Kind.

import $protobuf from 'protobufjs/minimal.js';
import { fleet } from './generated/telemetry.js';

export { fleet };

// ---------------------------------------------------------------------------------------------
// Generated classes (re-exported for code that needs the raw protobufjs API)

export const Telemetry = fleet.v1.Telemetry;
export type Telemetry = fleet.v1.Telemetry;
export const TelemetryBatch = fleet.v1.TelemetryBatch;
export type TelemetryBatch = fleet.v1.TelemetryBatch;
export const DeviceEvent = fleet.v1.DeviceEvent;
export type DeviceEvent = fleet.v1.DeviceEvent;
export const Command = fleet.v1.Command;
export type Command = fleet.v1.Command;

/** DeviceEvent.Kind values by name, e.g. `DeviceEventKind.HARSH_BRAKING === 5`. */
export const DeviceEventKind = fleet.v1.DeviceEvent.Kind;
export type DeviceEventKind = fleet.v1.DeviceEvent.Kind;
/** Command.Kind values by name, e.g. `CommandKind.REJECT_NOTICE === 4`. */
export const CommandKind = fleet.v1.Command.Kind;
export type CommandKind = fleet.v1.Command.Kind;

export type DeviceEventKindName = keyof typeof fleet.v1.DeviceEvent.Kind;
export type CommandKindName = keyof typeof fleet.v1.Command.Kind;

// ---------------------------------------------------------------------------------------------
// Plain data types of decoded messages
//
// Field names are the protobufjs camelCase forms of the .proto names. Implicit-presence proto3
// fields are always present (absent on the wire = 0 / '' / []). `optional` fields are present as
// own properties only when they were on the wire (a present 0 or false is kept).
//
// 64-bit integers (seq, tsMs) are JS numbers. Values above Number.MAX_SAFE_INTEGER (2^53 - 1)
// cannot be represented exactly and are rounded; ms timestamps and realistic sequence numbers are
// far below that. A sequence number above it also comes as its exact decimal (`seqOverflow`), so
// the ingest can refuse it and name it exactly; reject notices carry such values as decimals
// (`Uint64`), so the device learns exactly which record was refused.
//
// Enum fields (kind) are plain numbers: proto3 enums are open, so a newer device may send a value
// this build does not know. Use deviceEventKindName / commandKindName to get a name.

/** A uint64 as a number when it is at most 2^53 - 1, else as its exact decimal string. */
export type Uint64 = number | string;

/** One decoded fleet.v1.Telemetry record. */
export interface TelemetryMessage {
  /** uint64; per-device sequence number (0 is invalid, which is for the ingest to reject). */
  seq: number;
  /** Set only when the wire seq is above 2^53 - 1: its exact decimal (`seq` is then rounded). */
  seqOverflow?: string;
  /** int64; device time, ms since the Unix epoch, UTC. */
  tsMs: number;
  /** WGS84 degrees; lat = lon = 0 means "no GPS fix". */
  lat: number;
  lon: number;
  /** float32 */
  speedKmh: number;
  /** float32; 0..360, clockwise from true north. */
  headingDeg: number;
  altitudeM?: number;
  hdop?: number;
  /** uint32 */
  satellites?: number;
  ignition?: boolean;
  odometerKm?: number;
  engineHours?: number;
  fuelLevelPct?: number;
  fuelLevelL?: number;
  batteryV?: number;
  externalV?: number;
  /** uint32 */
  engineRpm?: number;
  coolantTempC?: number;
  engineLoadPct?: number;
  /**
   * Active OBD-II trouble codes, e.g. "P0301". Decoding always sets it ([] when none); optional
   * so that records can be written without it.
   */
  dtcCodes?: string[];
  temperatureC?: number;
  doorOpen?: boolean;
  ptoActive?: boolean;
  tamper?: boolean;
  /** The RFID / iButton card in the reader, as the reader reports it (untrusted text). */
  driverCardId?: string;
}

/** One decoded fleet.v1.DeviceEvent. */
export interface DeviceEventMessage {
  seq: number;
  /** Set only when the wire seq is above 2^53 - 1: its exact decimal (`seq` is then rounded). */
  seqOverflow?: string;
  tsMs: number;
  /** A DeviceEvent.Kind value; may be a value unknown to this build (see deviceEventKindName). */
  kind: number;
  lat?: number;
  lon?: number;
  speedKmh?: number;
  peakG?: number;
  buttonId?: number;
  firmware?: string;
  /** Free text from the device ('' when absent). */
  detail: string;
}

/** One decoded fleet.v1.Command. */
export interface CommandMessage {
  id: string;
  tsMs: number;
  /** A Command.Kind value; may be a value unknown to this build (see commandKindName). */
  kind: number;
  reportIntervalS?: number;
  rejectReason?: string;
  /** uint64 sequence numbers of refused records; [] when none. */
  rejectSeq: Uint64[];
}

type RequiredKeys<T, K extends keyof T> = Pick<T, K> & Partial<Omit<T, K>>;

/** Input of encodeTelemetryBatch: seq and tsMs are required, everything else defaults. */
export type TelemetryInput = RequiredKeys<TelemetryMessage, 'seq' | 'tsMs'>;
/** Input of encodeDeviceEvent: seq, tsMs and kind are required, everything else defaults. */
export type DeviceEventInput = RequiredKeys<DeviceEventMessage, 'seq' | 'tsMs' | 'kind'>;
/** Input of encodeCommand: id, tsMs and kind are required, everything else defaults. */
export type CommandInput = RequiredKeys<CommandMessage, 'id' | 'tsMs' | 'kind'>;

// ---------------------------------------------------------------------------------------------
// Decoding untrusted bytes

export type DecodeFailureReason =
  | 'payload_too_large'
  | 'too_many_records'
  | 'malformed_protobuf'
  | 'nesting_too_deep';

export type DecodeFailure = { ok: false; reason: DecodeFailureReason; detail: string };
export type DecodeResult<T> = { ok: true; value: T } | DecodeFailure;

export interface PayloadLimits {
  /** Payloads longer than this many bytes are refused with payload_too_large. */
  maxBytes: number;
}

export interface TelemetryBatchLimits extends PayloadLimits {
  /** Batches with more records than this are refused with too_many_records before decoding. */
  maxRecords: number;
}

/**
 * Deepest nesting of (deprecated) protobuf groups accepted in an unknown field. Our schema uses
 * no groups, so any group is an unknown field; deeper nesting is refused with nesting_too_deep
 * before the recursive protobufjs decoder ever sees it.
 */
export const MAX_GROUP_DEPTH = 8;

/** Longest varint the wire format allows (a 64-bit value in 7-bit groups). */
const MAX_VARINT_BYTES = 10;

const WIRE_VARINT = 0;
const WIRE_FIXED64 = 1;
const WIRE_LENGTH_DELIMITED = 2;
const WIRE_START_GROUP = 3;
const WIRE_END_GROUP = 4;
const WIRE_FIXED32 = 5;

function fail(reason: DecodeFailureReason, detail: string): DecodeFailure {
  return { ok: false, reason, detail };
}

/**
 * How the pre-scan treats one message: `countField` is a length-delimited field (at group depth
 * 0) whose occurrences are counted and refused beyond `maxCount`; each occurrence is itself
 * scanned with `nested`.
 */
interface ScanSpec {
  countField?: number;
  maxCount?: number;
  countName?: string;
  nested?: ScanSpec;
}

/**
 * Walks the top level of one encoded message without recursion and without allocating anything
 * but a Reader: every tag must have a non-zero field number and a valid wire type, every length
 * and fixed-size value must fit in the buffer, varints must be at most 10 bytes, and groups must
 * be balanced and nested at most MAX_GROUP_DEPTH deep. Length-delimited fields are not descended
 * into, except the counted field (whose contents are scanned the same way, one level only, as
 * the schema has no deeper message nesting).
 *
 * Returns null when the message is structurally sound. May throw protobufjs Reader errors (index
 * out of range, invalid varint); callers catch and classify them.
 */
function scanMessage(buf: Uint8Array, spec: ScanSpec, where: string): DecodeFailure | null {
  const reader = $protobuf.Reader.create(buf);
  const openGroups: number[] = [];
  let count = 0;
  while (reader.pos < reader.len) {
    const at = reader.pos;
    const tag = reader.tag();
    const field = tag >>> 3;
    const wireType = tag & 7;
    if (field === 0) return fail('malformed_protobuf', `${where}: tag with field number 0 at offset ${at}`);
    switch (wireType) {
      case WIRE_VARINT: {
        const start = reader.pos;
        reader.skip();
        if (reader.pos - start > MAX_VARINT_BYTES) {
          return fail(
            'malformed_protobuf',
            `${where}: varint longer than ${MAX_VARINT_BYTES} bytes at offset ${start}`,
          );
        }
        break;
      }
      case WIRE_FIXED64:
        reader.skip(8);
        break;
      case WIRE_FIXED32:
        reader.skip(4);
        break;
      case WIRE_LENGTH_DELIMITED: {
        const length = reader.uint32();
        const remaining = reader.len - reader.pos;
        if (length > remaining) {
          return fail(
            'malformed_protobuf',
            `${where}: field ${field} at offset ${at} has length ${length} but only ${remaining} bytes remain`,
          );
        }
        if (field === spec.countField && openGroups.length === 0) {
          count += 1;
          // `!(a <= b)` so that a NaN limit refuses rather than accepts.
          if (!(count <= (spec.maxCount ?? Number.POSITIVE_INFINITY))) {
            return fail(
              'too_many_records',
              `${where}: more than ${spec.maxCount} ${spec.countName ?? `field ${field} entries`} (limit ${spec.maxCount})`,
            );
          }
          if (spec.nested !== undefined) {
            const inner = scanMessage(
              buf.subarray(reader.pos, reader.pos + length),
              spec.nested,
              `${where}.${spec.countName ?? `field${field}`}[${count - 1}]`,
            );
            if (inner !== null) return inner;
          }
        }
        reader.skip(length);
        break;
      }
      case WIRE_START_GROUP:
        openGroups.push(field);
        if (openGroups.length > MAX_GROUP_DEPTH) {
          return fail(
            'nesting_too_deep',
            `${where}: groups nested deeper than ${MAX_GROUP_DEPTH} at offset ${at} (groups are not used by the schema)`,
          );
        }
        break;
      case WIRE_END_GROUP: {
        const open = openGroups.pop();
        if (open !== field) {
          return fail(
            'malformed_protobuf',
            open === undefined
              ? `${where}: end-group tag for field ${field} at offset ${at} without a start-group`
              : `${where}: end-group tag for field ${field} at offset ${at} closes the group of field ${open}`,
          );
        }
        break;
      }
      default:
        return fail('malformed_protobuf', `${where}: invalid wire type ${wireType} at offset ${at}`);
    }
  }
  if (openGroups.length > 0) {
    return fail('malformed_protobuf', `${where}: group of field ${openGroups.at(-1)} is not terminated`);
  }
  return null;
}

function describeError(err: unknown): string {
  try {
    if (err instanceof Error) return `${err.name}: ${err.message}`.slice(0, 300);
    return String(err).slice(0, 300);
  } catch {
    return 'unprintable error';
  }
}

function classifyError(err: unknown, where: string): DecodeFailure {
  const detail = `${where}: ${describeError(err)}`;
  if (err instanceof RangeError && /maximum call stack/i.test(err.message))
    return fail('nesting_too_deep', detail);
  if (err instanceof Error && /max(imum)? depth exceeded/i.test(err.message))
    return fail('nesting_too_deep', detail);
  return fail('malformed_protobuf', detail);
}

/**
 * The shared decode pipeline: input and size checks, pre-scan, then the generated decoder on a
 * fresh Reader that discards unknown fields, then conversion to plain data. Never throws.
 */
function safeDecode<T>(
  bytes: Uint8Array,
  maxBytes: number,
  where: string,
  spec: ScanSpec,
  decode: (reader: $protobuf.Reader) => T,
): DecodeResult<T> {
  try {
    if (!(bytes instanceof Uint8Array))
      return fail('malformed_protobuf', `${where}: input is not a Uint8Array`);
    if (!(bytes.byteLength <= maxBytes)) {
      return fail(
        'payload_too_large',
        `${where}: ${bytes.byteLength} bytes exceeds the limit of ${maxBytes} bytes`,
      );
    }
    const refused = scanMessage(bytes, spec, where);
    if (refused !== null) return refused;
    const reader = $protobuf.Reader.create(bytes);
    reader.discardUnknown = true;
    const value = decode(reader);
    if (reader.pos !== bytes.byteLength) {
      return fail(
        'malformed_protobuf',
        `${where}: decoder stopped at offset ${reader.pos} of ${bytes.byteLength}`,
      );
    }
    return { ok: true, value };
  } catch (err) {
    return classifyError(err, where);
  }
}

/**
 * Decodes a fleet.v1.TelemetryBatch from untrusted bytes into plain TelemetryMessage records.
 * Refuses payloads over `limits.maxBytes` and batches with more than `limits.maxRecords` records
 * (counted on the wire before any record is decoded). Never throws.
 */
export function decodeTelemetryBatch(
  bytes: Uint8Array,
  limits: TelemetryBatchLimits,
): DecodeResult<TelemetryMessage[]> {
  const spec: ScanSpec = { countField: 1, maxCount: limits.maxRecords, countName: 'records', nested: {} };
  return safeDecode(bytes, limits.maxBytes, 'TelemetryBatch', spec, (reader) =>
    fleet.v1.TelemetryBatch.decode(reader).records.map((record) => toTelemetryMessage(record)),
  );
}

/** Decodes a fleet.v1.DeviceEvent from untrusted bytes into a plain object. Never throws. */
export function decodeDeviceEvent(
  bytes: Uint8Array,
  limits: PayloadLimits,
): DecodeResult<DeviceEventMessage> {
  return safeDecode(bytes, limits.maxBytes, 'DeviceEvent', {}, (reader) =>
    toDeviceEventMessage(fleet.v1.DeviceEvent.decode(reader)),
  );
}

/** Decodes a fleet.v1.Command from untrusted bytes into a plain object. Never throws. */
export function decodeCommand(bytes: Uint8Array, limits: PayloadLimits): DecodeResult<CommandMessage> {
  return safeDecode(bytes, limits.maxBytes, 'Command', {}, (reader) =>
    toCommandMessage(fleet.v1.Command.decode(reader)),
  );
}

// ---------------------------------------------------------------------------------------------
// Generated message -> plain data

const TWO_POW_32 = 4294967296;

/**
 * protobufjs returns 64-bit fields as Long objects whenever the `long` package is installed
 * (it is a dependency of protobufjs), even with --force-number, and keeps a Long default on the
 * prototype. Convert whatever arrives into a number.
 */
function int64ToNumber(value: unknown, unsigned: boolean): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'bigint') return Number(value);
  if (typeof value === 'object' && value !== null && 'low' in value && 'high' in value) {
    const low = Number(value.low) >>> 0;
    const high = Number(value.high);
    return (unsigned ? high >>> 0 : high | 0) * TWO_POW_32 + low;
  }
  return 0;
}

/** The exact decimal of a 64-bit value above 2^53 - 1, or undefined when a number holds it. */
function int64Overflow(value: unknown, unsigned: boolean): string | undefined {
  let exact: bigint | undefined;
  if (typeof value === 'bigint') exact = value;
  else if (typeof value === 'object' && value !== null && 'low' in value && 'high' in value) {
    const high = BigInt(Number(value.high) >>> 0);
    const bits = (high << 32n) | BigInt(Number(value.low) >>> 0);
    exact = unsigned ? bits : BigInt.asIntN(64, bits);
  }
  if (exact === undefined) return undefined;
  const max = BigInt(Number.MAX_SAFE_INTEGER);
  return exact > max || exact < -max ? exact.toString() : undefined;
}

/** A 64-bit value as Uint64: a number when safe, else its exact decimal. */
function toUint64(value: unknown): Uint64 {
  return int64Overflow(value, true) ?? int64ToNumber(value, true);
}

function num(value: unknown): number {
  return typeof value === 'number' ? value : 0;
}

function str(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

function has(message: object, key: string): boolean {
  return Object.hasOwn(message, key);
}

function toTelemetryMessage(m: fleet.v1.Telemetry.$Properties): TelemetryMessage {
  const out: TelemetryMessage & { dtcCodes: string[] } = {
    seq: int64ToNumber(m.seq, true),
    tsMs: int64ToNumber(m.tsMs, false),
    lat: num(m.lat),
    lon: num(m.lon),
    speedKmh: num(m.speedKmh),
    headingDeg: num(m.headingDeg),
    dtcCodes: [],
  };
  const seqOverflow = int64Overflow(m.seq, true);
  if (seqOverflow !== undefined) out.seqOverflow = seqOverflow;
  if (has(m, 'altitudeM')) out.altitudeM = num(m.altitudeM);
  if (has(m, 'hdop')) out.hdop = num(m.hdop);
  if (has(m, 'satellites')) out.satellites = num(m.satellites);
  if (has(m, 'ignition')) out.ignition = m.ignition === true;
  if (has(m, 'odometerKm')) out.odometerKm = num(m.odometerKm);
  if (has(m, 'engineHours')) out.engineHours = num(m.engineHours);
  if (has(m, 'fuelLevelPct')) out.fuelLevelPct = num(m.fuelLevelPct);
  if (has(m, 'fuelLevelL')) out.fuelLevelL = num(m.fuelLevelL);
  if (has(m, 'batteryV')) out.batteryV = num(m.batteryV);
  if (has(m, 'externalV')) out.externalV = num(m.externalV);
  if (has(m, 'engineRpm')) out.engineRpm = num(m.engineRpm);
  if (has(m, 'coolantTempC')) out.coolantTempC = num(m.coolantTempC);
  if (has(m, 'engineLoadPct')) out.engineLoadPct = num(m.engineLoadPct);
  if (Array.isArray(m.dtcCodes)) out.dtcCodes = m.dtcCodes.map(str);
  if (has(m, 'temperatureC')) out.temperatureC = num(m.temperatureC);
  if (has(m, 'doorOpen')) out.doorOpen = m.doorOpen === true;
  if (has(m, 'ptoActive')) out.ptoActive = m.ptoActive === true;
  if (has(m, 'tamper')) out.tamper = m.tamper === true;
  if (has(m, 'driverCardId')) out.driverCardId = str(m.driverCardId);
  return out;
}

function toDeviceEventMessage(m: fleet.v1.DeviceEvent.$Properties): DeviceEventMessage {
  const out: DeviceEventMessage = {
    seq: int64ToNumber(m.seq, true),
    tsMs: int64ToNumber(m.tsMs, false),
    kind: num(m.kind),
    detail: str(m.detail),
  };
  const seqOverflow = int64Overflow(m.seq, true);
  if (seqOverflow !== undefined) out.seqOverflow = seqOverflow;
  if (has(m, 'lat')) out.lat = num(m.lat);
  if (has(m, 'lon')) out.lon = num(m.lon);
  if (has(m, 'speedKmh')) out.speedKmh = num(m.speedKmh);
  if (has(m, 'peakG')) out.peakG = num(m.peakG);
  if (has(m, 'buttonId')) out.buttonId = num(m.buttonId);
  if (has(m, 'firmware')) out.firmware = str(m.firmware);
  return out;
}

function toCommandMessage(m: fleet.v1.Command.$Properties): CommandMessage {
  const out: CommandMessage = {
    id: str(m.id),
    tsMs: int64ToNumber(m.tsMs, false),
    kind: num(m.kind),
    rejectSeq: Array.isArray(m.rejectSeq) ? m.rejectSeq.map((v: unknown) => toUint64(v)) : [],
  };
  if (has(m, 'reportIntervalS')) out.reportIntervalS = num(m.reportIntervalS);
  if (has(m, 'rejectReason')) out.rejectReason = str(m.rejectReason);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Encoding

const TELEMETRY_FIELDS = [
  'seq',
  'tsMs',
  'lat',
  'lon',
  'speedKmh',
  'headingDeg',
  'altitudeM',
  'hdop',
  'satellites',
  'ignition',
  'odometerKm',
  'engineHours',
  'fuelLevelPct',
  'fuelLevelL',
  'batteryV',
  'externalV',
  'engineRpm',
  'coolantTempC',
  'engineLoadPct',
  'dtcCodes',
  'temperatureC',
  'doorOpen',
  'ptoActive',
  'tamper',
  'driverCardId',
] as const satisfies readonly (keyof TelemetryMessage)[];

const DEVICE_EVENT_FIELDS = [
  'seq',
  'tsMs',
  'kind',
  'lat',
  'lon',
  'speedKmh',
  'peakG',
  'buttonId',
  'firmware',
  'detail',
] as const satisfies readonly (keyof DeviceEventMessage)[];

const COMMAND_FIELDS = [
  'id',
  'tsMs',
  'kind',
  'reportIntervalS',
  'rejectReason',
  'rejectSeq',
] as const satisfies readonly (keyof CommandMessage)[];

/** The camelCase field names this module maps, per message (a test checks them against the codec). */
export const MESSAGE_FIELDS = {
  Telemetry: TELEMETRY_FIELDS,
  DeviceEvent: DEVICE_EVENT_FIELDS,
  Command: COMMAND_FIELDS,
} as const;

/** Copies only the known fields (so that e.g. a stray `$unknowns` property is never encoded). */
function pickFields<T extends object>(source: T, fields: readonly (keyof T)[]): Partial<T> {
  const out: Partial<T> = {};
  for (const field of fields) {
    const value = source[field];
    if (value !== undefined && value !== null) out[field] = value;
  }
  return out;
}

type IntKind = 'uint64' | 'int64' | 'uint32';

function checkInt(where: string, field: string, value: unknown, kind: IntKind): void {
  if (value === undefined || value === null) return;
  const min = kind === 'int64' ? Number.MIN_SAFE_INTEGER : 0;
  const max = kind === 'uint32' ? 0xffffffff : Number.MAX_SAFE_INTEGER;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(`${where}.${field}: expected a ${kind} in [${min}, ${max}], got ${String(value)}`);
  }
}

const UINT64_DECIMAL = /^(0|[1-9][0-9]{0,19})$/;
const UINT64_MAX = 18446744073709551615n;

/**
 * A Uint64 as protobufjs writes it: a safe number as is, a decimal as the {low, high} bits that
 * protobufjs takes for 64-bit fields (its Long shape) where the generated types say number.
 */
function uint64ForWire(where: string, field: string, value: unknown): number {
  if (typeof value === 'string') {
    if (!UINT64_DECIMAL.test(value) || BigInt(value) > UINT64_MAX)
      throw new RangeError(
        `${where}.${field}: expected a uint64 decimal, got ${JSON.stringify(value.slice(0, 30))}`,
      );
    const bits = BigInt(value);
    const low = Number(bits & 0xffffffffn) | 0;
    const high = Number(bits >> 32n) | 0;
    return { low, high, unsigned: true } as unknown as number;
  }
  checkInt(where, field, value, 'uint64');
  return value as number;
}

function checkVerify(where: string, error: string | null): void {
  if (error !== null) throw new TypeError(`${where}: ${error}`);
}

function finish(writer: $protobuf.Writer): Uint8Array {
  // protobufjs may hand out a slice of a shared pool (a Buffer in Node); return an exact copy.
  return new Uint8Array(writer.finish());
}

function telemetryProps(record: TelemetryInput, where: string): fleet.v1.Telemetry.$Properties {
  if (typeof record !== 'object' || record === null) throw new TypeError(`${where}: object expected`);
  const props = pickFields(record, TELEMETRY_FIELDS);
  checkInt(where, 'seq', props.seq, 'uint64');
  checkInt(where, 'tsMs', props.tsMs, 'int64');
  checkInt(where, 'satellites', props.satellites, 'uint32');
  checkInt(where, 'engineRpm', props.engineRpm, 'uint32');
  checkVerify(where, fleet.v1.Telemetry.verify(props));
  return props;
}

/** Encodes records as one fleet.v1.TelemetryBatch. Throws on invalid input. */
export function encodeTelemetryBatch(records: readonly TelemetryInput[]): Uint8Array {
  if (!Array.isArray(records)) throw new TypeError('encodeTelemetryBatch: records must be an array');
  const props = records.map((record, i) => telemetryProps(record, `encodeTelemetryBatch: records[${i}]`));
  return finish(fleet.v1.TelemetryBatch.encode({ records: props }));
}

/** Encodes a fleet.v1.DeviceEvent. Throws on invalid input. */
export function encodeDeviceEvent(event: DeviceEventInput): Uint8Array {
  const where = 'encodeDeviceEvent';
  if (typeof event !== 'object' || event === null) throw new TypeError(`${where}: object expected`);
  const props = pickFields(event, DEVICE_EVENT_FIELDS);
  checkInt(where, 'seq', props.seq, 'uint64');
  checkInt(where, 'tsMs', props.tsMs, 'int64');
  checkInt(where, 'buttonId', props.buttonId, 'uint32');
  checkVerify(where, fleet.v1.DeviceEvent.verify(props));
  return finish(fleet.v1.DeviceEvent.encode(props));
}

/** Encodes a fleet.v1.Command. Throws on invalid input. */
export function encodeCommand(cmd: CommandInput): Uint8Array {
  const where = 'encodeCommand';
  if (typeof cmd !== 'object' || cmd === null) throw new TypeError(`${where}: object expected`);
  const { rejectSeq, ...rest } = pickFields(cmd, COMMAND_FIELDS);
  const props: fleet.v1.Command.$Properties = rest;
  checkInt(where, 'tsMs', props.tsMs, 'int64');
  checkInt(where, 'reportIntervalS', props.reportIntervalS, 'uint32');
  if (rejectSeq !== undefined) {
    if (!Array.isArray(rejectSeq)) throw new TypeError(`${where}.rejectSeq: array expected`);
    props.rejectSeq = rejectSeq.map((seq, i) => uint64ForWire(where, `rejectSeq[${i}]`, seq));
  }
  checkVerify(where, fleet.v1.Command.verify(props));
  return finish(fleet.v1.Command.encode(props));
}

// ---------------------------------------------------------------------------------------------
// Enum helpers

function enumMaps<N extends string>(
  values: object,
): { names: ReadonlyMap<number, N>; numbers: ReadonlyMap<string, number> } {
  const names = new Map<number, N>();
  const numbers = new Map<string, number>();
  // Own enumerable properties of a protobufjs static enum are exactly NAME -> number.
  for (const [name, value] of Object.entries(values)) {
    if (typeof value === 'number') {
      names.set(value, name as N);
      numbers.set(name, value);
    }
  }
  return { names, numbers };
}

const DEVICE_EVENT_KINDS = enumMaps<DeviceEventKindName>(fleet.v1.DeviceEvent.Kind);
const COMMAND_KINDS = enumMaps<CommandKindName>(fleet.v1.Command.Kind);

/** The name of a DeviceEvent.Kind value, e.g. 5 -> 'HARSH_BRAKING'; 'UNKNOWN' for unknown values. */
export function deviceEventKindName(kind: number): DeviceEventKindName | 'UNKNOWN' {
  return DEVICE_EVENT_KINDS.names.get(kind) ?? 'UNKNOWN';
}

/** The value of a DeviceEvent.Kind name, e.g. 'HARSH_BRAKING' -> 5; undefined for unknown names. */
export function deviceEventKindFromName(name: string): DeviceEventKind | undefined {
  return DEVICE_EVENT_KINDS.numbers.get(name);
}

/** The name of a Command.Kind value, e.g. 4 -> 'REJECT_NOTICE'; 'UNKNOWN' for unknown values. */
export function commandKindName(kind: number): CommandKindName | 'UNKNOWN' {
  return COMMAND_KINDS.names.get(kind) ?? 'UNKNOWN';
}

/** The value of a Command.Kind name, e.g. 'REJECT_NOTICE' -> 4; undefined for unknown names. */
export function commandKindFromName(name: string): CommandKind | undefined {
  return COMMAND_KINDS.numbers.get(name);
}
