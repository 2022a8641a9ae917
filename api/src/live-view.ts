// The live state of a device as the API and the hub show it: one conversion, so GET
// /fleet/latest and a WebSocket snapshot never disagree about a device.
import type { LiveDeviceState } from '@fleet/ingest';
import { classifyStatus, type LiveDevice, type LivePosition, type PositionEvent } from '@fleet/shared';

export function toLivePosition(
  p: PositionEvent,
  now: number,
  offlineAfterMs: number,
  lastSeenAt = p.receivedAt,
): LivePosition {
  return {
    deviceId: p.deviceId,
    ts: p.ts,
    lat: p.lat,
    lon: p.lon,
    speedKmh: p.speedKmh ?? null,
    headingDeg: p.headingDeg ?? null,
    ignition: p.ignition ?? null,
    status: classifyStatus({ lastSeenAt, speedKmh: p.speedKmh, ignition: p.ignition }, now, offlineAfterMs),
  };
}

export function toLiveDevice(
  deviceId: string,
  state: LiveDeviceState | undefined,
  now: number,
  offlineAfterMs: number,
): LiveDevice {
  const lastSeenAt = state?.lastSeenAt;
  const status = classifyStatus(
    { lastSeenAt, speedKmh: state?.latest?.speedKmh, ignition: state?.latest?.ignition },
    now,
    offlineAfterMs,
  );
  return {
    deviceId,
    position: state?.position
      ? { ...toLivePosition(state.position, now, offlineAfterMs, lastSeenAt), status }
      : null,
    status,
    connection: state?.status ?? 'unknown',
    lastSeenAt: lastSeenAt ?? null,
  };
}
