// Equipment moving without a vehicle, possible theft: the item moved minMoveM or more from
// where it last stood still (or reports a speed over 5 km/h) and none of the organisation's
// vehicles is within nearM. One alert per move (key = when the move began), not repeated until
// the item has stood still again. "Still" is a run of fixes within a GPS jitter radius of each
// other for a minute: a tag creeping a few metres per report never settles, so a slow carry
// still counts as a move. Memory: where it last stood still, the current still run, the move.
import { RULE_ASSET_KINDS } from '@fleet/shared';
import { haversineM } from '@fleet/shared/geo';
import type { KindResult, RuleKindModule } from '../types.ts';
import { assetLabel, MOVING_KMH } from './equipment.ts';
import { fixOf } from './watched-places.ts';

/** A parked tag's fixes wander about this much. */
const JITTER_M = 25;
/** Within the jitter radius this long is standing still. */
const STILL_MS = 60_000;

interface Memory {
  anchor?: { lat: number; lon: number };
  run?: { lat: number; lon: number; since: number };
  moveStart?: number;
  raised?: true;
}

export const equipmentUnaccompanied: RuleKindModule<'equipment_unaccompanied'> = {
  kind: 'equipment_unaccompanied',
  assetKinds: RULE_ASSET_KINDS.equipment_unaccompanied,
  onTelemetry({ rule, asset, org, memory }, { record }): KindResult | undefined {
    const fix = fixOf(record);
    if (!fix) return undefined;
    const { minMoveM, nearM } = rule.params;
    const m = memory as Memory;
    const slow = record.speedKmh === undefined || record.speedKmh <= MOVING_KMH;
    m.anchor ??= { ...fix };
    if (!(slow && m.run && haversineM(m.run, fix) <= JITTER_M)) {
      if (slow) m.run = { ...fix, since: record.ts };
      else delete m.run;
    }
    if (m.run && record.ts - m.run.since >= STILL_MS) {
      m.anchor = { lat: m.run.lat, lon: m.run.lon };
      delete m.moveStart;
      delete m.raised;
    }
    const movedM = haversineM(m.anchor, fix);
    if (slow && movedM < minMoveM) return undefined;
    m.moveStart ??= record.ts;
    if (m.raised || org.vehicles.near(fix, nearM).length > 0) return undefined;
    m.raised = true;
    return {
      occurrences: [
        {
          key: String(m.moveStart),
          at: m.moveStart,
          title: `${assetLabel(asset)} moving without a vehicle`,
          details: { movedM: Math.round(movedM), speedKmh: record.speedKmh ?? null },
          position: fix,
        },
      ],
    };
  },
};
