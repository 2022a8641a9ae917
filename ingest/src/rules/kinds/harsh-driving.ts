// Harsh braking, acceleration or cornering, as the device detected it: one alert per event of
// the chosen kinds whose peak reached minPeakG. An event without a peak passes only when the
// rule sets no minimum (the device's own threshold already decided). A crash nearby suppresses
// these; that is the engine's business.

import type { DeviceEventRecord, HARSH_EVENT_KINDS } from '@fleet/shared';
import { RULE_ASSET_KINDS } from '@fleet/shared';
import type { KindResult, RuleKindModule } from '../types.ts';

type HarshKind = (typeof HARSH_EVENT_KINDS)[number];

const TITLES: Record<HarshKind, string> = {
  HARSH_BRAKING: 'Harsh braking',
  HARSH_ACCELERATION: 'Harsh acceleration',
  HARSH_CORNERING: 'Harsh cornering',
};

/** Whether an event's peak reached the rule's minimum (shared with crash). */
export function peakReached(event: DeviceEventRecord, minPeakG: number): boolean {
  return event.peakG === undefined ? minPeakG === 0 : event.peakG >= minPeakG;
}

export const eventPosition = (event: DeviceEventRecord) =>
  event.lat === undefined || event.lon === undefined ? {} : { position: { lat: event.lat, lon: event.lon } };

export const harshDriving: RuleKindModule<'harsh_driving'> = {
  kind: 'harsh_driving',
  assetKinds: RULE_ASSET_KINDS.harsh_driving,
  onEvent({ rule }, event): KindResult | undefined {
    const kind = event.kind as HarshKind;
    if (
      !(rule.params.events as readonly string[]).includes(kind) ||
      !peakReached(event, rule.params.minPeakG)
    )
      return undefined;
    return {
      occurrences: [
        {
          key: `${kind}:${event.ts}`,
          at: event.ts,
          title: TITLES[kind],
          details: { event: kind, peakG: event.peakG ?? null, speedKmh: event.speedKmh ?? null },
          ...eventPosition(event),
        },
      ],
    };
  },
};
