// Value out of range: one numeric field against `above` and/or `below`, each side its own
// condition (key 'above' / 'below'), with hysteresis (above clears at or under above −
// hysteresis, below at or over below + hysteresis, in between the state stays), an onset and a
// clear delay. The alert keeps the worst value: the peak above, the minimum below.
import { RULE_ASSET_KINDS, THRESHOLD_FIELDS } from '@fleet/shared';
import type { AlertDetails, KindResult, Observation, RuleKindModule } from '../types.ts';

interface Memory {
  above?: true;
  below?: true;
}

export const threshold: RuleKindModule<'threshold'> = {
  kind: 'threshold',
  assetKinds: RULE_ASSET_KINDS.threshold,
  onTelemetry({ rule, memory }, { record }): KindResult | undefined {
    const p = rule.params;
    const value = record[p.field];
    if (typeof value !== 'number' || !Number.isFinite(value)) return undefined;
    const m = memory as Memory;
    const unit = THRESHOLD_FIELDS.find((f) => f.name === p.field)?.unit ?? '';
    const observations: Observation[] = [];
    const base = {
      at: record.ts,
      onsetMs: p.minDurationS * 1000,
      clearMs: p.clearDelayS * 1000,
    };
    const details = (side: 'above' | 'below'): AlertDetails => ({
      field: p.field,
      side,
      value,
      above: p.above ?? null,
      below: p.below ?? null,
    });
    if (p.above !== undefined) {
      const active = value > p.above || (m.above === true && value > p.above - p.hysteresis);
      if (active) m.above = true;
      else delete m.above;
      observations.push({
        ...base,
        key: 'above',
        active,
        title: `${p.field} above ${p.above}${unitText(unit)}`,
        details: active ? details('above') : {},
      });
    }
    if (p.below !== undefined) {
      const active = value < p.below || (m.below === true && value < p.below + p.hysteresis);
      if (active) m.below = true;
      else delete m.below;
      observations.push({
        ...base,
        key: 'below',
        active,
        title: `${p.field} below ${p.below}${unitText(unit)}`,
        details: active ? details('below') : {},
      });
    }
    return { observations };
  },
  mergeDetails(previous, next) {
    const a = previous.value;
    const b = next.value;
    if (typeof a !== 'number' || typeof b !== 'number') return { ...previous, ...next };
    return { ...previous, ...next, value: next.side === 'below' ? Math.min(a, b) : Math.max(a, b) };
  },
};

const unitText = (unit: string) => (unit === '' ? '' : ` ${unit}`);
