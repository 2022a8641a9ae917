// Low fuel: the level under belowPct; it resolves only once back above belowPct + hysteresisPct,
// so a gauge sloshing around the threshold raises one alert. Memory: whether it was low.
import { RULE_ASSET_KINDS } from '@fleet/shared';
import type { KindResult, RuleKindModule } from '../types.ts';
import { keepLowest, lowState } from './hysteresis.ts';

interface Memory {
  low?: true;
}

export const lowFuel: RuleKindModule<'low_fuel'> = {
  kind: 'low_fuel',
  assetKinds: RULE_ASSET_KINDS.low_fuel,
  onTelemetry({ rule, memory }, { record }): KindResult | undefined {
    const pct = record.fuelLevelPct;
    if (pct === undefined) return undefined;
    const { belowPct, hysteresisPct } = rule.params;
    const m = memory as Memory;
    const low = lowState(pct, belowPct, hysteresisPct, m.low === true);
    if (low) m.low = true;
    else delete m.low;
    return {
      observations: [
        {
          key: '',
          active: low,
          at: record.ts,
          title: `Fuel below ${belowPct} %`,
          details: low ? { belowPct, lowestPct: pct } : {},
        },
      ],
    };
  },
  mergeDetails: keepLowest('lowestPct'),
};
