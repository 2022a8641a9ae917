// Crash, as the device detected it: one alert per CRASH event whose peak reached minPeakG, at
// the rule's severity. Harsh-driving alerts around it are suppressed by the engine.
import { RULE_ASSET_KINDS } from '@fleet/shared';
import type { KindResult, RuleKindModule } from '../types.ts';
import { eventPosition, peakReached } from './harsh-driving.ts';

export const crash: RuleKindModule<'crash'> = {
  kind: 'crash',
  assetKinds: RULE_ASSET_KINDS.crash,
  onEvent({ rule }, event): KindResult | undefined {
    if (event.kind !== 'CRASH' || !peakReached(event, rule.params.minPeakG)) return undefined;
    return {
      occurrences: [
        {
          key: `CRASH:${event.ts}`,
          at: event.ts,
          title: 'Crash',
          details: { peakG: event.peakG ?? null, speedKmh: event.speedKmh ?? null },
          ...eventPosition(event),
        },
      ],
    };
  },
};
