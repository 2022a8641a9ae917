// Tamper: the device's TAMPER event is a one-off alert; a tamper switch reported in records
// (true: case open, unit pulled) is a condition that resolves when the switch reads false.
import { RULE_ASSET_KINDS } from '@fleet/shared';
import type { KindResult, RuleKindModule } from '../types.ts';
import { eventPosition } from './harsh-driving.ts';
import { fixOf } from './watched-places.ts';

export const tamper: RuleKindModule<'tamper'> = {
  kind: 'tamper',
  assetKinds: RULE_ASSET_KINDS.tamper,
  onEvent(_input, event): KindResult | undefined {
    if (event.kind !== 'TAMPER') return undefined;
    return {
      occurrences: [
        {
          key: `TAMPER:${event.ts}`,
          at: event.ts,
          title: 'Tamper alarm',
          details: { source: 'event', ...(event.detail ? { detail: event.detail } : {}) },
          ...eventPosition(event),
        },
      ],
    };
  },
  onTelemetry({ rule }, { record }): KindResult | undefined {
    if (record.tamper === undefined) return undefined;
    const position = fixOf(record);
    return {
      observations: [
        {
          key: '',
          active: record.tamper,
          at: record.ts,
          clearMs: rule.params.clearDelayS * 1000,
          title: 'Tamper switch open',
          details: record.tamper ? { source: 'sensor' } : {},
          ...(position ? { position } : {}),
        },
      ],
    };
  },
};
