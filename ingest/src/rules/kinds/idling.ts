// Idling: ignition on and (nearly) standing still for minDurationS wastes fuel; power take-off
// engaged is work (a crane, a pump), not idling. A record that does not report ignition, or
// reports it on without a speed, says nothing either way (an alert neither opens nor clears).
import { RULE_ASSET_KINDS } from '@fleet/shared';
import type { KindResult, RuleKindModule } from '../types.ts';
import { fixOf } from './watched-places.ts';

export const idling: RuleKindModule<'idling'> = {
  kind: 'idling',
  assetKinds: RULE_ASSET_KINDS.idling,
  onTelemetry({ rule }, { record }): KindResult | undefined {
    const { ignition, speedKmh } = record;
    if (ignition === undefined || (ignition && speedKmh === undefined)) return undefined;
    const p = rule.params;
    const active = ignition && (speedKmh as number) <= p.maxSpeedKmh && record.ptoActive !== true;
    const position = fixOf(record);
    return {
      observations: [
        {
          key: '',
          active,
          at: record.ts,
          onsetMs: p.minDurationS * 1000,
          clearMs: p.clearDelayS * 1000,
          details: { maxSpeedKmh: p.maxSpeedKmh },
          ...(position ? { position } : {}),
        },
      ],
    };
  },
};
