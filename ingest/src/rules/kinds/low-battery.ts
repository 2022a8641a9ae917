// Low backup battery: the device's own battery under belowV for minDurationS (a cold morning's
// dip is not a dying battery); it resolves only above belowV + hysteresisV. Memory: whether it
// was low, so a reading between the two keeps the state.
import { RULE_ASSET_KINDS } from '@fleet/shared';
import type { KindResult, RuleKindModule } from '../types.ts';
import { keepLowest, lowState } from './hysteresis.ts';

interface Memory {
  low?: true;
}

export const lowBattery: RuleKindModule<'low_battery'> = {
  kind: 'low_battery',
  assetKinds: RULE_ASSET_KINDS.low_battery,
  onTelemetry({ rule, memory }, { record }): KindResult | undefined {
    const volts = record.batteryV;
    if (volts === undefined) return undefined;
    const { belowV, hysteresisV, minDurationS } = rule.params;
    const m = memory as Memory;
    const low = lowState(volts, belowV, hysteresisV, m.low === true);
    if (low) m.low = true;
    else delete m.low;
    return {
      observations: [
        {
          key: '',
          active: low,
          at: record.ts,
          onsetMs: minDurationS * 1000,
          title: `Backup battery below ${belowV} V`,
          details: low ? { belowV, lowestV: volts } : {},
        },
      ],
    };
  },
  mergeDetails: keepLowest('lowestV'),
};
