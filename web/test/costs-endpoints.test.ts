// What the costs pages hold of the API beyond the contract's types (lib/api/costs.ts,
// lib/costs/labels.ts): the categories and the limits the forms check are the API's, every
// category and fuel source has words, and every route the client calls is one the contract
// lists (so api/test/contract.test.ts checks it against the real route).
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { consoleEndpoints } from '../../api/src/contract.ts';
import * as costs from '../../api/src/domains/costs/schemas.ts';
import { COST_CATEGORIES, COST_LIMITS, entryParams, rangeParams } from '../src/lib/api/costs.ts';
import { CATEGORY_LABELS, COST_PARTS, FUEL_SOURCE_LABELS, PART_LABELS } from '../src/lib/costs/labels.ts';

const fuel = {
  assetId: '00000000-0000-4000-8000-000000000001',
  filledAt: '2026-11-03T07:45:00.000Z',
  litres: 40,
  total: '70.00',
};
const cost = { assetId: fuel.assetId, category: 'toll', incurredOn: '2026-11-03', amount: '5.00' };
const accepts = (schema: { safeParse(v: unknown): { success: boolean } }, value: unknown) =>
  schema.safeParse(value).success;

describe('the constants the forms check', () => {
  it('are the API’s', () => {
    expect(COST_CATEGORIES).toEqual(costs.COST_CATEGORIES);
    const f = costs.newFuelEntrySchema;
    expect(accepts(f, { ...fuel, litres: COST_LIMITS.maxLitres })).toBe(true);
    expect(accepts(f, { ...fuel, litres: COST_LIMITS.maxLitres + 1 })).toBe(false);
    expect(accepts(f, { ...fuel, station: 'x'.repeat(COST_LIMITS.station) })).toBe(true);
    expect(accepts(f, { ...fuel, station: 'x'.repeat(COST_LIMITS.station + 1) })).toBe(false);
    expect(accepts(f, { ...fuel, note: 'x'.repeat(COST_LIMITS.fuelNote) })).toBe(true);
    expect(accepts(f, { ...fuel, note: 'x'.repeat(COST_LIMITS.fuelNote + 1) })).toBe(false);
    const c = costs.newCostEntrySchema;
    expect(accepts(c, { ...cost, description: 'x'.repeat(COST_LIMITS.costDescription) })).toBe(true);
    expect(accepts(c, { ...cost, description: 'x'.repeat(COST_LIMITS.costDescription + 1) })).toBe(false);
  });
});

describe('the words', () => {
  it('cover every category, fuel source and part of a total', () => {
    expect(Object.keys(CATEGORY_LABELS)).toEqual([...costs.COST_CATEGORIES]);
    expect(Object.keys(FUEL_SOURCE_LABELS)).toEqual([...costs.fuelEntrySchema.shape.source.options]);
    expect(Object.keys(PART_LABELS)).toEqual([...COST_PARTS]);
    expect([...COST_PARTS, 'total']).toEqual(Object.keys(costs.costFiguresSchema.shape.costs.shape));
  });
});

describe('the client', () => {
  it('calls only routes the contract lists', () => {
    const source = readFileSync(resolve(import.meta.dirname, '../src/lib/api/costs.ts'), 'utf8');
    const called = [...source.matchAll(/'((?:GET|POST|PATCH|DELETE) \/api\/v1\/[^']+)'/g)].map((m) => m[1]);
    expect(called).toHaveLength(10);
    for (const route of called) expect(Object.keys(consoleEndpoints), route).toContain(route);
    // The CSV import is called by CsvTransfer, with the fuel entries' collection.
    expect(Object.keys(consoleEndpoints)).toContain('POST /api/v1/fuel-entries/import');
  });

  it('leaves empty filters out of the query, which the API would refuse', () => {
    expect(entryParams({ assetId: '', from: '2026-01-01', to: '' })).toEqual({
      assetId: undefined,
      from: '2026-01-01',
      to: undefined,
    });
    expect(rangeParams({})).toEqual({ from: undefined, to: undefined });
    expect(costs.rangeQuerySchema.safeParse({ from: '' }).success).toBe(false);
    expect(costs.rangeQuerySchema.safeParse({ from: '2026-01-01', to: '2026-02-01' }).success).toBe(true);
  });
});
