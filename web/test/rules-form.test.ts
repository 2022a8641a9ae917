// The rule form (lib/rules/form.ts) from the API's own catalogue (ruleCatalogue(), the answer of
// GET /api/v1/rules/catalogue): every kind's parameters become inputs with units and defaults,
// the defaults as the form sends them are what the API's schema accepts and stores, a rule read
// back fills the form with its values, the form's own checks word problems at their fields, and
// the scope and schedule read in words.
import { describe, expect, it } from 'vitest';
import {
  newRuleSchema,
  ruleCatalogue,
  ruleChangesSchema,
  rulePreviewBodySchema,
} from '../../api/src/domains/rules/schemas.ts';
import {
  type CatalogueKind,
  formFieldNames,
  newRuleForm,
  officeHours,
  paramFields,
  paramsFromValues,
  paramValues,
  previewRule,
  ruleBody,
  ruleForm,
  scheduleSummary,
  scopeSummary,
} from '../src/lib/rules/form.ts';

const catalogue = ruleCatalogue() as unknown as { kinds: CatalogueKind[] };
const kind = (k: string) => {
  const found = catalogue.kinds.find((x) => x.kind === k);
  if (!found) throw new Error(`no kind ${k}`);
  return found;
};

describe('inputs from the catalogue', () => {
  it('makes overspeed’s numbers with units, bounds and defaults, and its checkboxes', () => {
    expect(paramFields(kind('overspeed').params)).toEqual([
      {
        name: 'limitKmh',
        label: 'Speed limit (km/h)',
        unit: 'km/h',
        required: false,
        type: 'number',
        integer: false,
        min: 5,
        max: 300,
        default: 90,
      },
      {
        name: 'toleranceKmh',
        label: 'Tolerance (km/h)',
        unit: 'km/h',
        required: false,
        type: 'number',
        integer: false,
        min: 0,
        max: 50,
        default: 0,
      },
      {
        name: 'minDurationS',
        label: 'Min duration (s)',
        unit: 's',
        required: false,
        type: 'number',
        integer: true,
        min: 0,
        max: 3600,
        default: 30,
      },
      {
        name: 'useVehicleLimit',
        label: "Use the vehicle's own limit",
        unit: undefined,
        required: false,
        type: 'boolean',
        default: true,
      },
      {
        name: 'usePlaceLimits',
        label: "Use places' limits (the lower applies)",
        unit: undefined,
        required: false,
        type: 'boolean',
        default: true,
      },
      {
        name: 'clearDelayS',
        label: 'Clear after (s)',
        unit: 's',
        required: false,
        type: 'number',
        integer: true,
        min: 0,
        max: 86400,
        default: 30,
      },
    ]);
  });

  it('makes enums a select, enum lists checkboxes, code lists text, and a required enum required', () => {
    const [trigger] = paramFields(kind('after_hours').params);
    expect(trigger).toMatchObject({
      type: 'choice',
      options: ['ignition', 'movement', 'either'],
      default: 'either',
    });
    const [events] = paramFields(kind('harsh_driving').params);
    expect(events).toMatchObject({
      type: 'choices',
      minItems: 1,
      default: ['HARSH_BRAKING', 'HARSH_ACCELERATION', 'HARSH_CORNERING'],
    });
    const [prefixes] = paramFields(kind('engine_fault').params);
    expect(prefixes).toMatchObject({ type: 'list', default: [], pattern: '^[PCBU][0-9A-F]{0,4}$' });
    const threshold = paramFields(kind('threshold').params);
    expect(threshold[0]).toMatchObject({ name: 'field', type: 'choice', required: true, default: undefined });
    expect(threshold[1]).toMatchObject({
      name: 'above',
      type: 'number',
      required: false,
      default: undefined,
    });
  });

  it('makes service_due’s levels checkboxes and its plans a choice of service plans by id', () => {
    const [levels, planIds] = paramFields(kind('service_due').params);
    expect(levels).toMatchObject({
      type: 'choices',
      label: 'Raise at',
      options: ['due_soon', 'due', 'overdue'],
      default: ['due_soon', 'due', 'overdue'],
      minItems: 1,
    });
    expect(planIds).toMatchObject({
      type: 'ids',
      label: 'Only these service plans',
      source: 'servicePlans',
      default: [],
      maxItems: 100,
    });
    // Ids keep their case (a comma list of codes is upper-cased), and go as the API takes them.
    const plan = 'a1b2c3d4-0000-4000-8000-00000000000a';
    const form = { ...newRuleForm(kind('service_due')), name: 'Service due' };
    form.values = { ...form.values, levels: ['overdue'], planIds: [plan, plan] };
    const result = ruleBody(form, kind('service_due'));
    expect(result.ok && result.body.params).toEqual({ levels: ['overdue'], planIds: [plan] });
    expect(newRuleSchema.safeParse(result.ok ? result.body : {}).success).toBe(true);
    const none = { ...form, values: { ...form.values, levels: [] } };
    expect(ruleBody(none, kind('service_due'))).toMatchObject({
      ok: false,
      problems: { 'params.levels': 'choose at least 1' },
    });
    // A stored rule fills the same inputs back.
    const stored = newRuleSchema.parse({ ...(result.ok ? result.body : {}) });
    const back = ruleForm({ ...stored, id: plan, kindLabel: 'Service due' } as never, kind('service_due'));
    expect(back.values).toEqual({ levels: ['overdue'], planIds: [plan] });
  });

  it('has an input for every parameter of every kind', () => {
    for (const k of catalogue.kinds) {
      const schema = k.params as { properties?: Record<string, unknown> };
      expect([k.kind, paramFields(k.params).map((f) => f.name)]).toEqual([
        k.kind,
        Object.keys(schema.properties ?? {}),
      ]);
      expect(paramFields(k.params).filter((f) => f.type === 'text')).toEqual([]);
    }
  });
});

describe('the body the form sends', () => {
  it('is, for every kind with its defaults, what the API accepts and stores', () => {
    for (const k of catalogue.kinds) {
      const form = { ...newRuleForm(k), name: `Rule ${k.kind}` };
      if (k.kind === 'threshold') form.values = { ...form.values, field: 'coolantTempC', above: '105' };
      const result = ruleBody(form, k);
      expect([k.kind, result.ok]).toEqual([k.kind, true]);
      if (!result.ok) continue;
      const parsed = newRuleSchema.safeParse(result.body);
      expect([k.kind, parsed.error?.issues ?? []]).toEqual([k.kind, []]);
      // The defaults the form filled in are the ones the API stores.
      if (parsed.success && k.kind !== 'threshold') expect(parsed.data.params).toEqual(result.body.params);
    }
  });

  it('reads a stored rule back into the same inputs', () => {
    const k = kind('overspeed');
    const stored = newRuleSchema.parse({
      name: 'Fast',
      kind: 'overspeed',
      severity: 'critical',
      params: { limitKmh: 70, minDurationS: 5 },
      schedule: { hours: officeHours() },
    });
    const rule = {
      ...stored,
      id: '00000000-0000-4000-8000-000000000001',
      kindLabel: 'Speeding',
      schedule: { hours: stored.schedule?.hours ?? {} },
      createdAt: '2026-11-21T00:00:00.000Z',
      updatedAt: '2026-11-21T00:00:00.000Z',
    };
    const form = ruleForm(rule as never, k);
    expect(form.values).toMatchObject({
      limitKmh: '70',
      minDurationS: '5',
      useVehicleLimit: true,
      clearDelayS: '30',
    });
    expect(form.severity).toBe('critical');
    expect(form.schedule?.mon).toEqual([{ from: '07:00', to: '18:00' }]);
    const again = ruleBody(form, k);
    expect(again.ok && again.body.params).toEqual(stored.params);
    expect(
      again.ok &&
        ruleChangesSchema.safeParse({ params: again.body.params, schedule: again.body.schedule }).success,
    ).toBe(true);
  });

  it('checks numbers as the schema says, and words each problem at its field', () => {
    const k = kind('overspeed');
    const fields = paramFields(k.params);
    const values = { ...paramValues(fields), limitKmh: '2', minDurationS: '1.5', toleranceKmh: 'fast' };
    expect(paramsFromValues(fields, values).problems).toEqual({
      limitKmh: 'at least 5 km/h',
      minDurationS: 'a whole number',
      toleranceKmh: 'a number',
    });
    const form = { ...newRuleForm(k), name: ' ', values };
    const result = ruleBody(form, k);
    expect(result.ok).toBe(false);
    if (!result.ok)
      expect(Object.keys(result.problems).sort()).toEqual([
        'name',
        'params.limitKmh',
        'params.minDurationS',
        'params.toleranceKmh',
      ]);
    for (const key of result.ok ? [] : Object.keys(result.problems)) expect(formFieldNames(k)).toContain(key);
  });

  it('leaves an empty optional number out, refuses an empty required choice, and upper-cases codes', () => {
    const t = kind('threshold');
    const fields = paramFields(t.params);
    expect(paramsFromValues(fields, paramValues(fields)).problems).toEqual({ field: 'required' });
    const { params } = paramsFromValues(fields, { ...paramValues(fields), field: 'speedKmh', above: '120' });
    expect(params).toEqual({ field: 'speedKmh', above: 120, hysteresis: 0, minDurationS: 0, clearDelayS: 0 });
    const e = paramFields(kind('engine_fault').params);
    expect(
      paramsFromValues(e, { ...paramValues(e), codePrefixes: 'p03, P04;U' }).params.codePrefixes,
    ).toEqual(['P03', 'P04', 'U']);
  });

  it('sends places only for the kinds that take them, and the schedule’s day problems at the day', () => {
    const form = { ...newRuleForm(kind('overspeed')), name: 'x' };
    form.scope.placeIds = ['00000000-0000-4000-8000-000000000001'];
    const body = ruleBody(form, kind('overspeed'));
    expect(body.ok && body.body.scope.placeIds).toEqual([]);
    const geofence = { ...newRuleForm(kind('geofence_enter')), name: 'x', scope: form.scope };
    const g = ruleBody(geofence, kind('geofence_enter'));
    expect(g.ok && g.body.scope.placeIds).toEqual(form.scope.placeIds);
    const hours = officeHours();
    hours.mon = [{ from: '18:00', to: '07:00' }];
    const bad = ruleBody({ ...form, schedule: hours }, kind('overspeed'));
    expect(bad.ok ? {} : Object.keys(bad.problems)).toEqual(['schedule.hours.mon']);
  });

  it('gives the preview the rule without its name', () => {
    const k = kind('overspeed');
    const p = previewRule(newRuleForm(k), k);
    expect(p).toEqual({
      ok: true,
      rule: {
        kind: 'overspeed',
        params: {
          limitKmh: 90,
          toleranceKmh: 0,
          minDurationS: 30,
          useVehicleLimit: true,
          usePlaceLimits: true,
          clearDelayS: 30,
        },
        scope: { departmentIds: [], assetIds: [], placeIds: [], placeCategories: [] },
        schedule: null,
        severity: 'warning',
      },
    });
    if (!p.ok) return;
    const body = {
      rule: p.rule,
      assetId: '00000000-0000-4000-8000-000000000001',
      from: '2026-11-20T12:00:00.000Z',
      to: '2026-11-21T12:00:00.000Z',
    };
    expect(rulePreviewBodySchema.safeParse(body).error?.issues ?? []).toEqual([]);
  });
});

describe('the rule in words', () => {
  const names = {
    department: (id: string) => `dep ${id}`,
    asset: (id: string) => `asset ${id}`,
    place: (id: string) => `place ${id}`,
    category: (c: string) => c.replace('_', ' '),
  };

  it('summarises the scope', () => {
    const empty = { departmentIds: [], assetIds: [], placeIds: [], placeCategories: [] };
    expect(scopeSummary(empty, names)).toBe('Whole organisation');
    expect(scopeSummary({ ...empty, departmentIds: ['a'], assetIds: ['1', '2', '3'] }, names)).toBe(
      'Departments: dep a · Assets: asset 1, asset 2 and 1 more',
    );
    expect(scopeSummary({ ...empty, placeIds: ['p'], placeCategories: ['job_site'] }, names)).toBe(
      'Whole organisation · Places: place p, job site',
    );
  });

  it('summarises the schedule', () => {
    expect(scheduleSummary(null)).toBe('Always');
    expect(scheduleSummary({ hours: { mon: [{ from: '07:00', to: '18:00' }], sat: [] } })).toBe(
      'Mon 07:00–18:00',
    );
    expect(scheduleSummary({ hours: {} })).toBe('Never (no hours)');
  });
});
