// Used outside working hours: ignition on, moving at minSpeedKmh or more, or either (the
// rule's trigger), while the organisation's working hours (its time zone) say closed. A record
// that reports neither of the trigger's fields says nothing.
import { RULE_ASSET_KINDS } from '@fleet/shared';

import { withinHours } from '../local-time.ts';
import type { KindResult, RuleKindModule } from '../types.ts';
import { fixOf } from './watched-places.ts';

export const afterHours: RuleKindModule<'after_hours'> = {
  kind: 'after_hours',
  assetKinds: RULE_ASSET_KINDS.after_hours,
  onTelemetry({ rule, org }, { record }): KindResult | undefined {
    const p = rule.params;
    const byIgnition = p.trigger === 'movement' ? undefined : record.ignition;
    const byMovement =
      p.trigger === 'ignition' || record.speedKmh === undefined
        ? undefined
        : record.speedKmh >= p.minSpeedKmh;
    if (byIgnition === undefined && byMovement === undefined) return undefined;
    const used = byIgnition === true || byMovement === true;
    const active = used && !withinHours(org.workingHours, org.timeZone, record.ts);
    const position = fixOf(record);
    return {
      observations: [
        {
          key: '',
          active,
          at: record.ts,
          onsetMs: p.minDurationS * 1000,
          clearMs: p.clearDelayS * 1000,
          title: byMovement === true ? 'Moving outside working hours' : 'Ignition on outside working hours',
          details: { trigger: p.trigger },
          ...(position ? { position } : {}),
        },
      ],
    };
  },
};
