// Speeding: over the limit (plus a tolerance) for at least the minimum duration is one alert,
// with its start, its end and the peak speed. The limit is the rule's, or the vehicle's own
// when it has one, or a place's lower limit while the vehicle is inside it (a depot's 20 km/h).
import { RULE_ASSET_KINDS } from '@fleet/shared';
import type { AlertDetails, KindResult, RuleKindModule } from '../types.ts';
import { keepHighest } from './hysteresis.ts';

export const overspeed: RuleKindModule<'overspeed'> = {
  kind: 'overspeed',
  assetKinds: RULE_ASSET_KINDS.overspeed,
  onTelemetry({ rule, asset, org }, { record }): KindResult | undefined {
    const speed = record.speedKmh;
    if (speed === undefined) return undefined;
    const p = rule.params;
    let limit = p.useVehicleLimit && asset.speedLimitKmh !== null ? asset.speedLimitKmh : p.limitKmh;
    let placeId: string | undefined;
    if (p.usePlaceLimits && record.lat !== undefined && record.lon !== undefined) {
      for (const place of org.places.containing({ lat: record.lat, lon: record.lon })) {
        if (place.speedLimitKmh !== null && place.speedLimitKmh < limit) {
          limit = place.speedLimitKmh;
          placeId = place.id;
        }
      }
    }
    const active = speed > limit + p.toleranceKmh;
    const details: AlertDetails = active ? { peakKmh: round1(speed), limitKmh: limit } : {};
    return {
      observations: [
        {
          key: '',
          active,
          at: record.ts,
          onsetMs: p.minDurationS * 1000,
          clearMs: p.clearDelayS * 1000,
          details,
          ...(placeId ? { placeId } : {}),
          ...(record.lat !== undefined && record.lon !== undefined
            ? { position: { lat: record.lat, lon: record.lon } }
            : {}),
          title: `Speeding over ${limit} km/h`,
        },
      ],
    };
  },
  mergeDetails: keepHighest('peakKmh'),
};

const round1 = (n: number) => Math.round(n * 10) / 10;
