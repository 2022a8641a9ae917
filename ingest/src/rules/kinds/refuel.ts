// Refuel: the smoothed level rose by minRisePct or more within withinS. Raised once the level
// has stopped rising (no new high for a minute), so the alert carries the whole fill, from and
// to, in % and litres, for reconciling with fuel-card receipts. Memory: the median's buffer, the
// window's lowest levels, and the rise being watched.
import { RULE_ASSET_KINDS } from '@fleet/shared';
import type { KindResult, RuleKindModule } from '../types.ts';
import {
  type FuelPoint,
  litresBetween,
  round1,
  type SmoothingMemory,
  slide,
  smoothedLevel,
} from './fuel-level.ts';

/** The level has stopped rising when it has not gained this much ... */
const RISING_PCT = 1;
/** ... for this long. */
const SETTLE_MS = 60_000;

interface Memory extends SmoothingMemory {
  lows?: FuelPoint[];
  rise?: { from: FuelPoint; to: FuelPoint; risingAt: number };
}

export const refuel: RuleKindModule<'refuel'> = {
  kind: 'refuel',
  assetKinds: RULE_ASSET_KINDS.refuel,
  onTelemetry({ rule, asset, memory }, { record }): KindResult | undefined {
    const m = memory as Memory;
    const { minRisePct, withinS, smoothingReadings } = rule.params;
    const point = smoothedLevel(m, record, smoothingReadings);
    if (!point) return undefined;
    if (m.rise) {
      const rise = m.rise;
      if (point.pct > rise.to.pct) {
        m.rise = {
          ...rise,
          to: point,
          risingAt: point.pct >= rise.to.pct + RISING_PCT ? point.t : rise.risingAt,
        };
        return undefined;
      }
      if (point.t - rise.risingAt < SETTLE_MS) return undefined;
      delete m.rise;
      m.lows = [point];
      const addedPct = round1(rise.to.pct - rise.from.pct);
      const litres = litresBetween(rise.from, rise.to, asset.tankCapacityL);
      return {
        occurrences: [
          {
            key: String(rise.from.t),
            at: rise.from.t,
            title: litres !== undefined ? `Refuelled ${litres} L` : `Refuelled ${addedPct} %`,
            details: {
              fromPct: rise.from.pct,
              toPct: rise.to.pct,
              addedPct,
              ...(litres !== undefined ? { addedL: litres } : {}),
            },
            ...(record.lat !== undefined && record.lon !== undefined
              ? { position: { lat: record.lat, lon: record.lon } }
              : {}),
          },
        ],
      };
    }
    m.lows = slide(m.lows, point, withinS * 1000, 'min');
    const low = m.lows[0] as FuelPoint;
    if (point.pct - low.pct >= minRisePct) {
      m.rise = { from: low, to: point, risingAt: point.t };
      delete m.lows;
    }
    return undefined;
  },
};
