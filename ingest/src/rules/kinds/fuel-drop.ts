// Sudden fuel drop, possible theft: the smoothed level fell by minDropPct or more within
// withinS while the vehicle stood still (every reading from the highest to now stationary, so
// the fuel an engine burns on the road never counts). One alert per drop: after raising, the
// kind waits until the level has recovered or has settled at its new level for a whole window
// before it watches for another. Memory: the median's buffer, the window's highest stationary
// levels, and the raised drop.
import { RULE_ASSET_KINDS } from '@fleet/shared';
import type { KindResult, RuleKindModule } from '../types.ts';
import {
  type FuelPoint,
  litresBetween,
  round1,
  type SmoothingMemory,
  slide,
  smoothedLevel,
  stationary,
} from './fuel-level.ts';

interface Memory extends SmoothingMemory {
  highs?: FuelPoint[];
  /** The raised drop: where it started and the lowest level since. */
  raised?: { fromPct: number; lowPct: number; lowT: number };
}

export const fuelDrop: RuleKindModule<'fuel_drop'> = {
  kind: 'fuel_drop',
  assetKinds: RULE_ASSET_KINDS.fuel_drop,
  onTelemetry({ rule, asset, memory }, { record }): KindResult | undefined {
    const m = memory as Memory;
    const { minDropPct, withinS, smoothingReadings } = rule.params;
    const point = smoothedLevel(m, record, smoothingReadings);
    if (!point) return undefined;
    const windowMs = withinS * 1000;
    if (!stationary(record)) {
      // Driving: no reading before this one may serve as the start of a theft.
      delete m.highs;
      return undefined;
    }
    if (m.raised) {
      const r = m.raised;
      if (point.pct < r.lowPct) m.raised = { ...r, lowPct: point.pct, lowT: point.t };
      const recovered = point.pct >= r.fromPct - minDropPct / 2;
      const settled = point.t - m.raised.lowT >= windowMs;
      if (!recovered && !settled) return undefined;
      delete m.raised;
      m.highs = [point];
      return undefined;
    }
    m.highs = slide(m.highs, point, windowMs, 'max');
    const high = m.highs[0] as FuelPoint;
    const droppedPct = round1(high.pct - point.pct);
    if (droppedPct < minDropPct) return undefined;
    m.raised = { fromPct: high.pct, lowPct: point.pct, lowT: point.t };
    m.highs = [point];
    const litres = litresBetween(point, high, asset.tankCapacityL);
    return {
      occurrences: [
        {
          key: String(high.t),
          at: high.t,
          title: `Fuel dropped ${droppedPct} % while stationary`,
          details: {
            fromPct: high.pct,
            toPct: point.pct,
            droppedPct,
            ...(litres !== undefined ? { droppedL: litres } : {}),
          },
          ...(record.lat !== undefined && record.lon !== undefined
            ? { position: { lat: record.lat, lon: record.lon } }
            : {}),
        },
      ],
    };
  },
};
