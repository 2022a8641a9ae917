// A stored rule back into the engine's: whatever a row holds (a kind this build lacks,
// parameters of another version, a broken scope or schedule) is a rule or a reason, never a throw.
import { type Logger, RULE_KINDS, silentLogger } from '@fleet/shared';
import type { SqlDatabase } from '@fleet/shared/db';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fuzzParameters } from '../../../test/fuzz.ts';
import { RuleDirectory, ruleFromRow } from '../../src/rules/directory.ts';

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

describe('RuleDirectory reloads', () => {
  const ORG = '00000000-0000-4000-8000-0000000000aa';
  /** A database that answers the directory's reads from fixtures and fails the first `failing` reloads. */
  function fakeDatabase(failing: number) {
    let notify: ((payload: string) => void) | undefined;
    let rules: Record<string, unknown>[] = [];
    let loads = 0;
    const db = {
      async listen(_channel: string, fn: (payload: string) => void) {
        notify = fn;
        return async () => {};
      },
      async query(sql: string) {
        if (sql.includes('from organisations')) {
          loads += 1;
          if (loads > 1 && loads <= 1 + failing)
            throw new Error('the database did not answer within 60000 ms');
          return [{ id: ORG, time_zone: 'Europe/Helsinki', working_hours: null }];
        }
        if (sql.includes('from rules')) return rules;
        return [];
      },
    };
    return {
      db: db as unknown as SqlDatabase,
      change(next: Record<string, unknown>[]) {
        rules = next;
        notify?.(ORG);
      },
      loads: () => loads,
    };
  }

  it('a reload that fails is tried again until the new rules are in', async () => {
    const fake = fakeDatabase(2);
    const errors: string[] = [];
    const log = { ...silentLogger(), error: (_o: unknown, msg: string) => void errors.push(msg) } as Logger;
    const directory = new RuleDirectory({ db: fake.db, log, debounceMs: 5, retryMs: 20 });
    await directory.start();
    expect(directory.get(ORG)?.rules).toEqual([]);
    fake.change([{ ...row({ org_id: ORG }), enabled: true }]);
    const until = Date.now() + 5000;
    while (directory.get(ORG)?.rules.length !== 1 && Date.now() < until)
      await new Promise((r) => setTimeout(r, 10));
    expect(directory.get(ORG)?.rules.map((r) => r.kind)).toEqual(['overspeed']);
    expect(fake.loads()).toBe(4); // the start, two failures, the reload that worked
    expect(errors).toHaveLength(2);
    await directory.stop();
  });
});
