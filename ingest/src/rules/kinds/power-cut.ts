// External power cut: the device's POWER_CUT event opens it and POWER_RESTORED ends it; with
// belowExternalV set, the supply voltage in records says the same (under it: cut). One
// condition either way, so the offline alert a cut causes has one alert to be filed behind.
// Memory: when power came back by event, so the records that follow report it clear until the
// clear delay has run (events alone would leave that to the engine's tick).
import { RULE_ASSET_KINDS } from '@fleet/shared';
import type { KindResult, RuleKindModule } from '../types.ts';
import { eventPosition } from './harsh-driving.ts';
import { keepLowest } from './hysteresis.ts';

interface Memory {
  restoredAt?: number;
}

const TITLE = 'External power cut';

export const powerCut: RuleKindModule<'power_cut'> = {
  kind: 'power_cut',
  assetKinds: RULE_ASSET_KINDS.power_cut,
  onEvent({ rule, memory }, event): KindResult | undefined {
    if (event.kind !== 'POWER_CUT' && event.kind !== 'POWER_RESTORED') return undefined;
    const m = memory as Memory;
    const active = event.kind === 'POWER_CUT';
    if (active) delete m.restoredAt;
    else m.restoredAt = event.ts;
    return {
      observations: [
        {
          key: '',
          active,
          at: event.ts,
          clearMs: rule.params.clearDelayS * 1000,
          title: TITLE,
          details: active ? { source: 'event' } : {},
          ...eventPosition(event),
        },
      ],
    };
  },
  onTelemetry({ rule, memory }, { record }): KindResult | undefined {
    const { belowExternalV, clearDelayS } = rule.params;
    const clearMs = clearDelayS * 1000;
    const m = memory as Memory;
    const volts = record.externalV;
    if (belowExternalV > 0 && volts !== undefined) {
      const active = volts < belowExternalV;
      if (active) delete m.restoredAt;
      return {
        observations: [
          {
            key: '',
            active,
            at: record.ts,
            clearMs,
            title: TITLE,
            details: active ? { source: 'voltage', belowExternalV, lowestExternalV: volts } : {},
          },
        ],
      };
    }
    if (m.restoredAt === undefined) return undefined;
    if (record.ts - m.restoredAt >= clearMs) delete m.restoredAt;
    return { observations: [{ key: '', active: false, at: record.ts, clearMs }] };
  },
  mergeDetails: keepLowest('lowestExternalV'),
};
