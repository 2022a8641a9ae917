// A stored rule back into the engine's: whatever a row holds (a kind this build lacks,
// parameters of another version, a broken scope or schedule) is a rule or a reason, never a throw.
import { RULE_KINDS } from '@fleet/shared';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fuzzParameters } from '../../../test/fuzz.ts';
import { ruleFromRow } from '../../src/rules/directory.ts';

const row = (over: Partial<Parameters<typeof ruleFromRow>[0]>) => ({
  id: '00000000-0000-4000-8000-000000000001',
  org_id: '00000000-0000-4000-8000-000000000002',
  name: 'r',
  kind: 'overspeed',
  severity: 'warning' as const,
  params: {},
  scope: {},
  schedule: null,
  ...over,
});

describe('ruleFromRow', () => {
  it('fills in defaults, and names what cannot run', () => {
    const rule = ruleFromRow(row({ params: { limitKmh: 80 } }));
    expect(typeof rule === 'object' && rule.params).toMatchObject({ limitKmh: 80, minDurationS: 30 });
    expect(ruleFromRow(row({ kind: 'teleport' }))).toBe('unknown kind teleport');
    expect(ruleFromRow(row({ params: { limitKmh: -1 } }))).toMatch(/^parameters: /);
    expect(ruleFromRow(row({ scope: { assetIds: ['x'] } }))).toMatch(/^scope: /);
    expect(ruleFromRow(row({ schedule: { timeZone: 'Mars/Olympus', hours: {} } }))).toMatch(/^schedule: /);
  });

  it('any stored JSON is a rule or a reason, never a throw', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.constantFrom(...RULE_KINDS), fc.string()),
        fc.jsonValue(),
        fc.jsonValue(),
        fc.oneof(fc.constant(null), fc.jsonValue()),
        (kind, params, scope, schedule) => {
          const out = ruleFromRow(row({ kind, params, scope, schedule }));
          expect(typeof out === 'string' || out.kind === kind).toBe(true);
        },
      ),
      fuzzParameters('rule rows', 500),
    );
  });
});
