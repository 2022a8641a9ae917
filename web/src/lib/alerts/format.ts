// An alert's facts as the panel, the list and the alert's page show them: its figures (the
// kind's details: peak speed and limit, a fault code, litres ...) with units from their names,
// who it is about, and the stretch of track around it that the maps draw.
import type { AlertRecord } from '@fleet/shared/rules';
import { unitLabel, withUnit } from '../rules/units.ts';

/** Names the engine gives its figures (ingest/src/rules/kinds/), in words; others are derived. */
export const DETAIL_LABELS: Readonly<Record<string, string>> = {
  peakKmh: 'Peak speed',
  limitKmh: 'Limit',
  speedKmh: 'Speed',
  maxSpeedKmh: 'Counted as stopped below',
  code: 'Fault code',
  description: 'Description',
  peakG: 'Peak acceleration',
  event: 'Event',
  trigger: 'Trigger',
  afterS: 'No data for more than',
  belowPct: 'Threshold',
  lowestPct: 'Lowest level',
  belowV: 'Threshold',
  lowestV: 'Lowest voltage',
  belowExternalV: 'Threshold',
  lowestExternalV: 'Lowest voltage',
  source: 'Detected from',
  detail: 'Device says',
  placeName: 'Place',
  crossed: 'Crossed the boundary',
  movedM: 'Moved',
  field: 'Value',
};

export interface DetailRow {
  key: string;
  label: string;
  value: string;
}

/** The alert's figures, in the order the engine wrote them; the labels drop the unit (the value has it). */
export function detailRows(details: AlertRecord['details']): DetailRow[] {
  return Object.entries(details).map(([key, value]) => ({
    key,
    label: DETAIL_LABELS[key] ?? unitLabel(key).replace(/ \([^)]*\)$/, ''),
    value: withUnit(key, value),
  }));
}

/** The figures on one line, for lists: "Peak speed 97.5 km/h · Limit 80 km/h". */
export function detailLine(details: AlertRecord['details']): string {
  return detailRows(details)
    .map((r) => `${r.label} ${r.value}`)
    .join(' · ');
}

/** Track drawn before an alert began and after it ended. */
export const TRACK_MARGIN_MS = 10 * 60_000;
/** The longest stretch of track an alert's map reads (a condition that held for days). */
export const TRACK_MAX_MS = 12 * 3_600_000;

/** The range of track around an alert: from a margin before it began to a margin after it ended (or now). */
export function trackRange(
  a: Pick<AlertRecord, 'startedAt' | 'endedAt'>,
  now: number,
): { from: number; to: number } {
  const started = Date.parse(a.startedAt);
  const ended = a.endedAt === null ? now : Date.parse(a.endedAt);
  const from = started - TRACK_MARGIN_MS;
  const to = Math.min(now + 1, ended + TRACK_MARGIN_MS, from + TRACK_MAX_MS);
  return { from, to: Math.max(to, from + 60_000) };
}

/** Where an alert is, for the map (lon, lat), when it says. */
export function alertPosition(a: Pick<AlertRecord, 'lat' | 'lon'>): [number, number] | undefined {
  return a.lat === null || a.lon === null ? undefined : [a.lon, a.lat];
}
