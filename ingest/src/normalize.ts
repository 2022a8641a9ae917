// From decoded protobuf messages to the platform's normalised records. The device id and the
// tenant come from the authenticated session, never from the payload (DESIGN.md, Devices).
import type { DeviceEventMessage, TelemetryMessage } from '@fleet/proto';
import { deviceEventKindName } from '@fleet/proto';
import { type DeviceEventRecord, escapeControlCharacters, type TelemetryRecord } from '@fleet/shared';

export interface DeviceSession {
  tenant: string;
  deviceId: string;
}

const MAX_DETAIL_CHARS = 500;

/** protobufjs reports an absent `optional` field as null or undefined; we use undefined. */
function opt<T>(value: T | null | undefined): T | undefined {
  return value ?? undefined;
}

function escapeOptional(text: string | undefined): string | undefined {
  return text === undefined ? undefined : escapeControlCharacters(text);
}

export function toTelemetryRecord(
  m: TelemetryMessage,
  session: DeviceSession,
  receivedAt: number,
): TelemetryRecord {
  // A tracker without a GPS fix reports 0,0 ("null island"): that is "no position", not a place.
  const hasFix = !(m.lat === 0 && m.lon === 0);
  const dtc = m.dtcCodes && m.dtcCodes.length > 0 ? [...m.dtcCodes] : undefined;
  return {
    tenant: session.tenant,
    deviceId: session.deviceId,
    seq: Number(m.seq ?? 0),
    ts: Number(m.tsMs ?? 0),
    receivedAt,
    lat: hasFix ? opt(m.lat) : undefined,
    lon: hasFix ? opt(m.lon) : undefined,
    speedKmh: opt(m.speedKmh),
    headingDeg: opt(m.headingDeg),
    altitudeM: opt(m.altitudeM),
    hdop: opt(m.hdop),
    satellites: opt(m.satellites),
    ignition: opt(m.ignition),
    odometerKm: opt(m.odometerKm),
    engineHours: opt(m.engineHours),
    fuelLevelPct: opt(m.fuelLevelPct),
    fuelLevelL: opt(m.fuelLevelL),
    batteryV: opt(m.batteryV),
    externalV: opt(m.externalV),
    engineRpm: opt(m.engineRpm),
    coolantTempC: opt(m.coolantTempC),
    engineLoadPct: opt(m.engineLoadPct),
    dtcCodes: dtc,
    temperatureC: opt(m.temperatureC),
    doorOpen: opt(m.doorOpen),
    ptoActive: opt(m.ptoActive),
    tamper: opt(m.tamper),
    // Readers pad ids to a fixed width; the rest of the text is validated, not rewritten.
    driverCardId: opt(m.driverCardId)?.trim(),
  };
}

export function toDeviceEventRecord(
  m: DeviceEventMessage,
  session: DeviceSession,
  receivedAt: number,
): DeviceEventRecord {
  return {
    tenant: session.tenant,
    deviceId: session.deviceId,
    seq: Number(m.seq ?? 0),
    ts: Number(m.tsMs ?? 0),
    receivedAt,
    kind: deviceEventKindName(Number(m.kind ?? 0)),
    lat: opt(m.lat),
    lon: opt(m.lon),
    speedKmh: opt(m.speedKmh),
    peakG: opt(m.peakG),
    buttonId: opt(m.buttonId),
    // Device text reaches the console and storage with its control characters escaped.
    firmware: escapeOptional(opt(m.firmware)?.slice(0, 64)),
    detail: escapeControlCharacters((m.detail ?? '').slice(0, MAX_DETAIL_CHARS)),
  };
}
