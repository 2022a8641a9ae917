// The service plan form (lib/maintenance/plans.ts) against the API's own schema: a blank plan
// is refused for want of an interval at the same field the API names, every cross-field check
// agrees with the API's planProblems, a good form's body is what the API accepts, a plan read
// back fills the same inputs, a change sends only what changed, and plans read in words.
import { describe, expect, it } from 'vitest';
import {
  planProblems as apiPlanProblems,
  newServicePlanSchema,
  servicePlanChangesSchema,
} from '../../api/src/domains/maintenance/schemas.ts';
import {
  appliesToSummary,
  blankPlanForm,
  intervalSummary,
  type PlanForm,
  planBody,
  planChanges,
  planForm,
  planProblems,
  soonSummary,
} from '../src/lib/maintenance/plans.ts';

const plan = {
  id: '00000000-0000-4000-8000-000000000001',
  name: 'Oil service',
  description: null,
  items: ['Engine oil', 'Oil filter'],
  intervalKm: 15000,
  intervalHours: null,
  intervalMonths: 12,
  soonKm: 1000,
  soonHours: null,
  soonDays: null,
  appliesTo: { assetIds: [], assetKinds: ['vehicle' as const], categories: [] },
  autoWorkOrder: null,
  assets: 3,
  createdAt: '2026-11-21T00:00:00.000Z',
  updatedAt: '2026-11-21T00:00:00.000Z',
};

describe('the plan form', () => {
  it('refuses a plan without an interval at the field the API names', () => {
    const result = planBody({ ...blankPlanForm(), name: 'Nothing' });
    expect(result).toEqual({
      ok: false,
      problems: { intervalKm: 'a plan needs at least one interval: kilometres, engine hours or months' },
    });
    const api = newServicePlanSchema.safeParse({ name: 'Nothing' });
    expect(api.error?.issues.map((i) => i.path.join('.'))).toEqual(['intervalKm']);
  });

  it('agrees with the API’s cross-field checks, field by field', () => {
    const cases = [
      { intervalKm: null, intervalHours: null, intervalMonths: null, soonKm: null, soonHours: null },
      { intervalKm: 1000, intervalHours: null, intervalMonths: null, soonKm: 1000, soonHours: null },
      { intervalKm: 1000, intervalHours: null, intervalMonths: null, soonKm: 999, soonHours: null },
      { intervalKm: null, intervalHours: null, intervalMonths: 12, soonKm: null, soonHours: 5 },
      { intervalKm: null, intervalHours: 500, intervalMonths: null, soonKm: 10, soonHours: 600 },
      { intervalKm: 10, intervalHours: 500, intervalMonths: 6, soonKm: 0, soonHours: 0 },
    ];
    for (const c of cases)
      expect(Object.keys(planProblems(c)).sort(), JSON.stringify(c)).toEqual(
        apiPlanProblems(c)
          .map((p) => p.path)
          .sort(),
      );
  });

  it('checks each number as the schema does', () => {
    const form: PlanForm = {
      ...blankPlanForm(),
      name: 'x',
      intervalKm: '-5',
      intervalMonths: '1.5',
      soonDays: '400',
    };
    const result = planBody(form);
    expect(result.ok ? {} : result.problems).toEqual({
      intervalKm: 'a number, more than 0',
      intervalMonths: 'a whole number',
      soonDays: 'at most 365',
    });
    for (const body of [{ intervalKm: -5 }, { intervalMonths: 1.5 }, { intervalMonths: 12, soonDays: 400 }])
      expect(newServicePlanSchema.safeParse({ name: 'x', ...body }).success, JSON.stringify(body)).toBe(
        false,
      );
  });

  it('sends what the API accepts, empty inputs as null, the checklist a line an item', () => {
    const result = planBody({
      ...blankPlanForm(),
      name: ' Generator service ',
      items: 'Change oil\n\n  Check belt  \n',
      intervalHours: '500',
      soonHours: '50,5',
      intervalMonths: '12',
      assetKinds: ['equipment'],
      categories: 'Generator, Compressor ,',
      autoWorkOrder: 'due_soon',
    });
    expect(result).toEqual({
      ok: true,
      body: {
        name: 'Generator service',
        description: null,
        items: ['Change oil', 'Check belt'],
        intervalKm: null,
        intervalHours: 500,
        intervalMonths: 12,
        soonKm: null,
        soonHours: 50.5,
        soonDays: null,
        appliesTo: { assetIds: [], assetKinds: ['equipment'], categories: ['Generator', 'Compressor'] },
        autoWorkOrder: 'due_soon',
      },
    });
    const parsed = newServicePlanSchema.safeParse(result.ok ? result.body : {});
    expect(parsed.error?.issues ?? []).toEqual([]);
  });

  it('reads a plan back into the same inputs, and sends only what changed', () => {
    const form = planForm(plan);
    expect(form).toMatchObject({ intervalKm: '15000', intervalMonths: '12', soonKm: '1000', soonDays: '' });
    const same = planBody(form);
    expect(same.ok && planChanges(plan, same.body)).toEqual({});
    const changed = planBody({
      ...form,
      intervalKm: '',
      soonKm: '',
      intervalMonths: '6',
      items: 'Engine oil',
    });
    const changes = changed.ok ? planChanges(plan, changed.body) : {};
    expect(changes).toEqual({ items: ['Engine oil'], intervalKm: null, intervalMonths: 6, soonKm: null });
    expect(servicePlanChangesSchema.safeParse(changes).success).toBe(true);
  });
});

describe('a plan in words', () => {
  it('says its intervals, windows and what it covers', () => {
    expect(intervalSummary(plan)).toBe('Every 15,000 km or 12 months, whichever comes first');
    expect(intervalSummary({ intervalKm: null, intervalHours: 250, intervalMonths: null })).toBe(
      'Every 250 h',
    );
    expect(intervalSummary({ intervalKm: 10000, intervalHours: 250, intervalMonths: 1 })).toBe(
      'Every 10,000 km, 250 h or 1 month, whichever comes first',
    );
    // The defaults where the plan names no window: a tenth of the interval, 14 days.
    expect(soonSummary(plan)).toBe('Due soon 1,000 km / 14 days before');
    expect(soonSummary({ ...plan, soonKm: null, intervalMonths: null })).toBe('Due soon 1,500 km before');
    const names = (id: string) => (id === 'a' ? 'Van 7 (ABC-123)' : `asset ${id}`);
    expect(appliesToSummary(plan.appliesTo, names)).toBe('Every vehicle');
    expect(
      appliesToSummary({ assetIds: ['a', 'b', 'c'], assetKinds: [], categories: ['Generator'] }, names),
    ).toBe('Equipment: Generator · Van 7 (ABC-123), asset b and 1 more');
    expect(appliesToSummary({ assetIds: [], assetKinds: [], categories: [] }, names)).toBe('No asset yet');
  });
});
