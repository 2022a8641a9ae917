// A device's recent events as the detail page lists them: GET /devices/{id}/events (newest
// first) with the hub's live 'event' frames put in front, one row per event however it arrived.
import type { DeviceEvent } from '@fleet/api/contract';
import type { LiveDeviceEvent } from '@fleet/shared/live';
import { formatNumber } from './fields.ts';

export interface EventRow {
  /** Unique per event: device time and kind (a device sends one event of a kind per ms at most). */
  key: string;
  ts: number;
  kind: string;
  label: string;
  /** What else the event says: the device's text, peak g, speed, button, firmware. */
  detail: string;
  /** Worth a dispatcher's attention (crash, harsh driving, tamper, power cut). */
  severe: boolean;
}

const SEVERE = new Set([
  'CRASH',
  'HARSH_BRAKING',
  'HARSH_ACCELERATION',
  'HARSH_CORNERING',
  'TAMPER',
  'POWER_CUT',
]);

/** "HARSH_BRAKING" -> "Harsh braking"; unknown kinds the same way. */
export function eventKindLabel(kind: string): string {
  const words = kind.trim().toLowerCase().replaceAll('_', ' ');
  return words === '' ? 'Unknown' : words.charAt(0).toUpperCase() + words.slice(1);
}

type EventLike = Pick<DeviceEvent, 'ts' | 'kind' | 'detail' | 'speedKmh'> &
  Partial<Pick<DeviceEvent, 'peakG' | 'buttonId' | 'firmware'>>;

export function eventDetail(e: EventLike): string {
  const parts: string[] = [];
  if (e.detail.trim() !== '') parts.push(e.detail.trim());
  if (typeof e.peakG === 'number') parts.push(`peak ${formatNumber(e.peakG, 2)} g`);
  if (typeof e.speedKmh === 'number') parts.push(`at ${formatNumber(e.speedKmh, 0)} km/h`);
  if (typeof e.buttonId === 'number') parts.push(`button ${e.buttonId}`);
  if (typeof e.firmware === 'string' && e.firmware !== '') parts.push(`firmware ${e.firmware}`);
  return parts.join(' · ');
}

export function eventRow(e: EventLike): EventRow {
  const label = eventKindLabel(e.kind);
  const detail = eventDetail(e);
  return {
    key: `${e.ts}|${e.kind}`,
    ts: e.ts,
    kind: e.kind,
    label,
    // The broker's CONNECTED event says "connected": no need to say it twice.
    detail: detail.toLowerCase() === label.toLowerCase() ? '' : detail,
    severe: SEVERE.has(e.kind),
  };
}

/**
 * `incoming` merged into `rows` (newest first), each event once, at most `limit` rows. A live
 * frame for an event already listed changes nothing.
 */
export function mergeEvents(
  rows: readonly EventRow[],
  incoming: readonly EventRow[],
  limit: number,
): EventRow[] {
  const seen = new Set(rows.map((r) => r.key));
  const added = incoming.filter((r) => {
    if (seen.has(r.key)) return false;
    seen.add(r.key);
    return true;
  });
  if (added.length === 0) return rows.slice(0, limit);
  // Stable: equal times keep their order (the API's, then arrival).
  return [...added, ...rows].sort((a, b) => b.ts - a.ts).slice(0, limit);
}

/** A live event frame's event as a row. */
export function liveEventRow(e: LiveDeviceEvent): EventRow {
  return eventRow(e);
}
