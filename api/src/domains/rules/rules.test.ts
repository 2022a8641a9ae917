// Rules through the real API and database: the catalogue of kinds with their parameters as JSON
// Schema; rules created, listed, read, changed and archived, their parameters stored with the
// defaults filled in; every kind of bad input refused with the field named (unknown kinds and
// parameters, negative durations, values in the wrong unit, bad time zones, scope ids of another
// organisation); generated garbage never a 5xx; roles; another organisation's rules are 404; and a
// user with a department scope writes rules within their subtree only.
import { randomUUID } from 'node:crypto';
import { RULE_ASSET_KINDS, RULE_KIND_LABELS, RULE_KINDS, RULE_PARAMS } from '@fleet/shared/rules';
import { Ajv2020 } from 'ajv/dist/2020.js';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, TEST_PASSWORD, type TestApi } from '../../../../test/api-support.ts';
import { fuzzParameters } from '../../../../test/fuzz.ts';

let t: TestApi;
beforeAll(async () => {
  t = await startTestApi();
});
afterAll(() => t?.close());

interface RuleBody {
  id: string;
  name: string;
  kind: string;
  kindLabel: string;
  severity: string;
  enabled: boolean;
  params: Record<string, unknown>;
  scope: { departmentIds: string[]; assetIds: string[]; placeIds: string[]; placeCategories: string[] };
  schedule: { timeZone?: string; hours: Record<string, { from: string; to: string }[]> } | null;
  createdAt: string;
  updatedAt: string;
}
interface Page {
  items: RuleBody[];
  total: number;
  limit: number;
  offset: number;
}
interface ErrorReply {
  error: { code: string; message: string; details?: { path: string; message: string }[] };
}
interface Catalogue {
  kinds: {
    kind: string;
    label: string;
    assetKinds: string[];
    takesPlaces: boolean;
    params: Record<string, unknown> & { properties?: Record<string, { default?: unknown }> };
  }[];
  severities: string[];
}

const run = randomUUID().slice(0, 6);
const named = (name: string) => `${name} ${run}`;
const manager = () => t.orgA.users.fleet_manager.token;

async function json<T>(method: string, path: string, token: string, body?: unknown): Promise<T> {
  const res = await t.request<T>(method, path, { token, ...(body === undefined ? {} : { body }) });
  if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${res.text}`);
  return res.body;
}
const create = (body: unknown, token = manager()) =>
  t.request<RuleBody & ErrorReply>('POST', '/api/v1/rules', { token, body });
async function created(body: unknown, token = manager()): Promise<RuleBody> {
  const res = await create(body, token);
  if (res.status !== 201) throw new Error(`create: ${res.status} ${res.text}`);
  return res.body;
}
const department = async (name: string, parentId: string | null = null, token = t.orgA.users.admin.token) =>
  (await json<{ id: string }>('POST', '/api/v1/departments', token, { name: named(name), parentId })).id;
const vehicle = async (name: string, departmentId: string | null = null, token = manager()) =>
  (await json<{ id: string }>('POST', '/api/v1/vehicles', token, { name: named(name), departmentId })).id;
const place = async (name: string, token = manager()) =>
  (
    await json<{ id: string }>('POST', '/api/v1/places', token, {
      name: named(name),
      category: 'depot',
      geometry: { type: 'circle', center: { lat: 60.17, lon: 24.94 }, radiusM: 100 },
    })
  ).id;

/** The 400's detail at `path`, its message matching. */
function expectDetail(
  res: { status: number; body: ErrorReply; text: string },
  path: string,
  message: RegExp,
) {
  expect(res.status, res.text).toBe(400);
  expect(res.body.error.code).toBe('validation_failed');
  const detail = res.body.error.details?.find((d) => d.path === path);
  expect(detail?.message, `${path} in ${JSON.stringify(res.body.error.details)}`).toMatch(message);
}

describe('the catalogue', () => {
  it('lists every kind with its label, assets, places and parameters as JSON Schema with defaults', async () => {
    const res = await t.request<Catalogue>('GET', '/api/v1/rules/catalogue', {
      token: t.orgA.users.viewer.token,
    });
    expect(res.status).toBe(200);
    expect(res.body.kinds.map((k) => k.kind)).toEqual(RULE_KINDS);
    expect(res.body.severities).toEqual(['info', 'warning', 'critical']);
    const byKind = new Map(res.body.kinds.map((k) => [k.kind, k]));
    for (const k of res.body.kinds)
      expect(k.label).toBe(RULE_KIND_LABELS[k.kind as keyof typeof RULE_KIND_LABELS]);
    // The engine's table: what each kind is evaluated on.
    for (const kind of RULE_KINDS)
      expect(byKind.get(kind)?.assetKinds, kind).toEqual([...RULE_ASSET_KINDS[kind]]);
    expect(byKind.get('overspeed')?.assetKinds).toEqual(['vehicle']);
    expect(byKind.get('equipment_unaccompanied')?.assetKinds).toEqual(['equipment']);
    expect(res.body.kinds.filter((k) => k.takesPlaces).map((k) => k.kind)).toEqual([
      'geofence_enter',
      'geofence_exit',
      'geofence_dwell',
    ]);
    const overspeed = byKind.get('overspeed')?.params;
    expect(overspeed).toMatchObject({
      type: 'object',
      additionalProperties: false,
      properties: {
        limitKmh: { type: 'number', minimum: 5, maximum: 300, default: 90 },
        minDurationS: { type: 'integer', minimum: 0, default: 30 },
      },
    });
    expect(overspeed).not.toHaveProperty('$schema');
    // Each schema judges the defaults as the API does: a kind with no required parameter takes
    // {}, and its defaults are valid; threshold needs its field.
    const ajv = new Ajv2020({ strict: false });
    for (const k of res.body.kinds) {
      const validate = ajv.compile(k.params);
      const defaults = RULE_PARAMS[k.kind as keyof typeof RULE_PARAMS].safeParse({});
      expect(validate({}), k.kind).toBe(defaults.success);
      if (defaults.success) expect(validate(defaults.data), k.kind).toBe(true);
      expect(validate({ notAParameter: 1 }), k.kind).toBe(false);
    }
    expect((await t.request('GET', '/api/v1/rules/catalogue')).status).toBe(401);
  });
});

describe('rules', () => {
  it('are created with the defaults filled in, listed, read, changed and archived', async () => {
    const speeding = await created({ name: named('Speeding'), kind: 'overspeed', params: { limitKmh: 80 } });
    expect(speeding).toMatchObject({
      name: named('Speeding'),
      kind: 'overspeed',
      kindLabel: 'Speeding',
      severity: 'warning',
      enabled: true,
      params: {
        limitKmh: 80,
        toleranceKmh: 0,
        minDurationS: 30,
        useVehicleLimit: true,
        usePlaceLimits: true,
        clearDelayS: 30,
      },
      scope: { departmentIds: [], assetIds: [], placeIds: [], placeCategories: [] },
      schedule: null,
    });
    expect(Date.parse(speeding.createdAt)).toBeGreaterThan(Date.now() - 60_000);
    // Stored as answered: the engine reads the same parameters.
    const [row] = await t.platform.db.query<{ params: unknown; org_id: string }>(
      'select params, org_id::text as org_id from rules where id = $1',
      [speeding.id],
    );
    expect(row?.params).toEqual(speeding.params);
    expect(row?.org_id).toBe(t.orgA.id);

    const depot = await place('Rules depot');
    const dwell = await created({
      name: named('Long stop at the depot'),
      kind: 'geofence_dwell',
      severity: 'info',
      enabled: false,
      params: { minDwellS: 3600 },
      scope: { placeIds: [depot], placeCategories: ['client_site'] },
      schedule: { timeZone: 'Europe/Helsinki', hours: { mon: [{ from: '07:00', to: '18:00' }] } },
    });
    expect(dwell).toMatchObject({
      severity: 'info',
      enabled: false,
      params: { minDwellS: 3600 },
      scope: { departmentIds: [], assetIds: [], placeIds: [depot], placeCategories: ['client_site'] },
      schedule: {
        timeZone: 'Europe/Helsinki',
        hours: { mon: [{ from: '07:00', to: '18:00' }], tue: [], sun: [] },
      },
    });
    const faults = await created({
      name: named('engine faults'),
      kind: 'engine_fault',
      severity: 'critical',
    });

    const one = await t.request<RuleBody>('GET', `/api/v1/rules/${dwell.id}`, {
      token: t.orgA.users.viewer.token,
    });
    expect(one.status).toBe(200);
    expect(one.body).toEqual(dwell);
    const list = async (query: string) => {
      const res = await t.request<Page>('GET', `/api/v1/rules?${query}`, {
        token: t.orgA.users.mechanic.token,
      });
      expect(res.status, `${query}: ${res.text}`).toBe(200);
      return res.body;
    };
    // By name whatever the case, paged with the total.
    const mine = await list(`name=${run}&limit=2`);
    expect(mine.total).toBe(3);
    expect(mine.items.map((r) => r.id)).toEqual([faults.id, dwell.id]);
    expect((await list(`name=${run}&limit=2&offset=2`)).items.map((r) => r.id)).toEqual([speeding.id]);
    expect((await list(`name=${run}&kind=overspeed`)).items.map((r) => r.id)).toEqual([speeding.id]);
    expect((await list(`name=${run}&enabled=false`)).items.map((r) => r.id)).toEqual([dwell.id]);
    expect((await list(`name=${run}&enabled=true`)).total).toBe(2);
    expect((await list(`name=${encodeURIComponent('%')}${run}`)).total).toBe(0);

    // Changes: params replace (absent ones take their defaults), the rest stays.
    const patch = (id: string, body: unknown, token = t.orgA.users.dispatcher.token) =>
      t.request<RuleBody & ErrorReply>('PATCH', `/api/v1/rules/${id}`, { token, body });
    const changed = await patch(speeding.id, {
      name: named('Speeding on the ring road'),
      severity: 'critical',
      params: { toleranceKmh: 5 },
      schedule: { hours: { sat: [{ from: '00:00', to: '24:00' }] } },
    });
    expect(changed.status, changed.text).toBe(200);
    expect(changed.body).toMatchObject({
      name: named('Speeding on the ring road'),
      kind: 'overspeed',
      severity: 'critical',
      enabled: true,
      params: { limitKmh: 90, toleranceKmh: 5 },
      schedule: { hours: { sat: [{ from: '00:00', to: '24:00' }] } },
    });
    expect(changed.body.schedule).not.toHaveProperty('timeZone');
    expect(changed.body.createdAt).toBe(speeding.createdAt);
    expect(Date.parse(changed.body.updatedAt)).toBeGreaterThanOrEqual(Date.parse(speeding.updatedAt));
    const off = await patch(speeding.id, { enabled: false, schedule: null });
    expect(off.body).toMatchObject({ enabled: false, schedule: null, params: { toleranceKmh: 5 } });
    expectDetail(await patch(speeding.id, { kind: 'idling' }), 'body.kind', /cannot change/);
    expectDetail(await patch(speeding.id, {}), 'body', /nothing to change/);
    expectDetail(await patch(speeding.id, { params: { limitKmh: 400 } }), 'body.params.limitKmh', /300/);
    expectDetail(await patch(speeding.id, { params: { minDwellS: 60 } }), 'body.params', /minDwellS/);
    expectDetail(
      await patch(speeding.id, { scope: { placeIds: [depot] } }),
      'body.scope.placeIds',
      /geofence/,
    );
    expectDetail(
      await patch(dwell.id, { scope: { placeIds: [randomUUID()] } }),
      'body.scope.placeIds.0',
      /place/,
    );
    const taken = await patch(dwell.id, { name: named('ENGINE FAULTS') });
    expect(taken.status).toBe(409);
    expect(taken.body.error).toMatchObject({ code: 'conflict', details: [{ path: 'body.name' }] });
    // Nothing half-written by a refused change.
    expect(
      (await t.request<RuleBody>('GET', `/api/v1/rules/${dwell.id}`, { token: manager() })).body,
    ).toEqual(dwell);

    // Archived: gone from every route, stopped, its name free again; the row stays for its alerts.
    const archived = await t.request('DELETE', `/api/v1/rules/${faults.id}`, {
      token: t.orgA.users.admin.token,
    });
    expect(archived.status).toBe(204);
    expect(archived.text).toBe('');
    expect((await t.request('GET', `/api/v1/rules/${faults.id}`, { token: manager() })).status).toBe(404);
    expect((await patch(faults.id, { enabled: true })).status).toBe(404);
    expect((await t.request('DELETE', `/api/v1/rules/${faults.id}`, { token: manager() })).status).toBe(404);
    expect((await list(`name=${run}`)).items.map((r) => r.id)).not.toContain(faults.id);
    const [gone] = await t.platform.db.query<{ archived: boolean; enabled: boolean }>(
      'select archived_at is not null as archived, enabled from rules where id = $1',
      [faults.id],
    );
    expect(gone).toEqual({ archived: true, enabled: false });
    expect((await create({ name: named('Engine faults'), kind: 'engine_fault' })).status).toBe(201);
    // Every change is in the audit log, as the admin reads it.
    const audit = await json<{ items: { action: string }[] }>(
      'GET',
      `/api/v1/audit-log?entity=rule&entityId=${speeding.id}`,
      t.orgA.users.admin.token,
    );
    expect(audit.items.map((e) => e.action)).toEqual(['update', 'update', 'create']);
  });

  it('watch departments, assets and places of the organisation', async () => {
    const parent = await department('Rules: Production');
    const child = await department('Rules: Lighting', parent);
    const van = await vehicle('Rules van');
    const yard = await place('Rules yard');
    const rule = await created({
      name: named('Yard entries'),
      kind: 'geofence_enter',
      scope: {
        departmentIds: [parent, child, parent.toUpperCase()],
        assetIds: [van],
        placeIds: [yard],
      },
    });
    // Ids as stored: lower case, each once.
    expect(rule.scope).toEqual({
      departmentIds: [parent, child],
      assetIds: [van],
      placeIds: [yard],
      placeCategories: [],
    });
  });
});

describe('bad input', () => {
  it('is refused with 400 and the field named', async () => {
    const theirDepartment = await department('Theirs', null, t.orgB.users.admin.token);
    const theirVan = await vehicle('Their van', null, t.orgB.users.admin.token);
    const theirPlace = await place('Their place', t.orgB.users.admin.token);
    const van1 = await vehicle('Scope van 1');
    const van2 = await vehicle('Scope van 2');
    const retired = await vehicle('Retired van');
    await json('DELETE', `/api/v1/vehicles/${retired}`, manager());
    const good = { name: 'fine', kind: 'overspeed' };
    const cases: [unknown, string, RegExp][] = [
      [{ ...good, kind: 'teleport' }, 'body.kind', /kind is one of geofence_enter, .*catalogue/],
      [{ ...good, kind: undefined }, 'body.kind', /kind is one of/],
      [{ ...good, kind: 42 }, 'body.kind', /kind is one of/],
      [{ ...good, name: '  ' }, 'body.name', /1\.\.100/],
      [{ ...good, name: 'x'.repeat(101) }, 'body.name', /1\.\.100/],
      [{ ...good, name: null }, 'body.name', /text/],
      [{ ...good, severity: 'urgent' }, 'body.severity', /info, warning, critical/],
      [{ ...good, enabled: 'yes' }, 'body.enabled', /true or false/],
      [{ ...good, orgId: randomUUID() }, 'body', /orgId/],
      [{ ...good, params: [] }, 'body.params', /object/],
      [{ ...good, params: 'fast' }, 'body.params', /object/],
      [{ ...good, params: { limitKmh: 80, speedLimit: 80 } }, 'body.params', /speedLimit/],
      [{ ...good, params: { limitKmh: '80' } }, 'body.params.limitKmh', /number/],
      [{ ...good, params: { limitKmh: 2 } }, 'body.params.limitKmh', /at least 5 km\/h/],
      [{ ...good, params: { minDurationS: -5 } }, 'body.params.minDurationS', /not negative/],
      [{ ...good, params: { minDurationS: 1.5 } }, 'body.params.minDurationS', /whole seconds/],
      [{ ...good, kind: 'idling', params: { minDurationS: 0 } }, 'body.params.minDurationS', /at least 1 s/],
      [
        { ...good, kind: 'geofence_exit', params: { minOutsideS: -1 } },
        'body.params.minOutsideS',
        /not negative/,
      ],
      [{ ...good, kind: 'offline', params: { afterS: 30 } }, 'body.params.afterS', /at least 60 s/],
      [
        { ...good, kind: 'threshold', params: { field: 'coolantTempC', above: 500 } },
        'body.params.above',
        /outside coolantTempC's range -60\.\.200 °C \(is it in °C\?\)/,
      ],
      [
        { ...good, kind: 'threshold', params: { field: 'externalV', below: 12000 } },
        'body.params.below',
        /is it in V\?/,
      ],
      [
        { ...good, kind: 'threshold', params: { field: 'coolantTempC' } },
        'body.params.above',
        /above, below or both/,
      ],
      [{ ...good, kind: 'threshold', params: { above: 5 } }, 'body.params.field', /./],
      [{ ...good, kind: 'threshold', params: { field: 'lat', above: 5 } }, 'body.params.field', /./],
      [
        { ...good, kind: 'threshold', params: { field: 'coolantTempC', above: 90, below: 100 } },
        'body.params.below',
        /less than above/,
      ],
      [
        { ...good, kind: 'engine_fault', params: { codePrefixes: ['X1'] } },
        'body.params.codePrefixes.0',
        /P03/,
      ],
      [{ ...good, kind: 'harsh_driving', params: { events: [] } }, 'body.params.events', /./],
      [
        { ...good, schedule: { timeZone: 'Mars/Olympus_Mons', hours: { mon: [] } } },
        'body.schedule.timeZone',
        /not a time zone name/,
      ],
      [{ ...good, schedule: { timeZone: 'Europe/Helsinki' } }, 'body.schedule.hours', /./],
      [
        { ...good, schedule: { hours: { mon: [{ from: '18:00', to: '08:00' }] } } },
        'body.schedule.hours.mon',
        /ends before it starts/,
      ],
      [
        { ...good, schedule: { hours: { mon: [{ from: '25:00', to: '26:00' }] } } },
        'body.schedule.hours.mon',
        /25:00/,
      ],
      [{ ...good, schedule: { hours: { someday: [] } } }, 'body.schedule.hours', /someday/],
      [
        { ...good, scope: { departmentIds: [theirDepartment] } },
        'body.scope.departmentIds.0',
        /no such department/,
      ],
      [
        { ...good, scope: { departmentIds: [randomUUID()] } },
        'body.scope.departmentIds.0',
        /no such department/,
      ],
      [{ ...good, scope: { assetIds: [van1, van2, theirVan] } }, 'body.scope.assetIds.2', /no such vehicle/],
      [{ ...good, scope: { assetIds: [retired] } }, 'body.scope.assetIds.0', /retired/],
      [{ ...good, scope: { assetIds: ['van-1'] } }, 'body.scope.assetIds.0', /UUID/i],
      [{ ...good, scope: { vehicles: [van1] } }, 'body.scope', /vehicles/],
      [
        { ...good, kind: 'geofence_enter', scope: { placeIds: [theirPlace] } },
        'body.scope.placeIds.0',
        /no such place/,
      ],
      [{ ...good, scope: { placeIds: [randomUUID()] } }, 'body.scope.placeIds', /only the geofence kinds/],
      [
        { ...good, kind: 'idling', scope: { placeCategories: ['depot'] } },
        'body.scope.placeCategories',
        /geofence/,
      ],
      [
        { ...good, kind: 'geofence_enter', scope: { placeCategories: ['castle'] } },
        'body.scope.placeCategories.0',
        /./,
      ],
    ];
    for (const [body, path, message] of cases) expectDetail(await create(body), path, message);
    // Every bad id is named at once.
    const many = await create({
      ...good,
      scope: { departmentIds: [theirDepartment], assetIds: [van1, theirVan] },
    });
    expect(many.body.error.details?.map((d) => d.path)).toEqual([
      'body.scope.departmentIds.0',
      'body.scope.assetIds.1',
    ]);
    // None of them was written.
    const [count] = await t.platform.db.query<{ n: number | string }>(
      "select count(*) as n from rules where name = 'fine'",
    );
    expect(Number(count?.n)).toBe(0);
  });

  it('a duplicate name is 409 in any case; names are per organisation', async () => {
    const name = named('Unique rule');
    expect((await create({ name, kind: 'tamper' })).status).toBe(201);
    for (const again of [name, name.toUpperCase(), ` ${name.toLowerCase()} `]) {
      const res = await create({ name: again, kind: 'crash' });
      expect(res.status, again).toBe(409);
      expect(res.body.error.message).toContain('already exists');
    }
    expect((await create({ name, kind: 'tamper' }, t.orgB.users.admin.token)).status).toBe(201);
  });

  it('bad queries and ids are 400', async () => {
    for (const query of ['kind=teleport', 'enabled=yes', 'limit=0', 'limit=501', 'offset=-1', 'owner=me']) {
      const res = await t.request<ErrorReply>('GET', `/api/v1/rules?${query}`, { token: manager() });
      expect(res.status, query).toBe(400);
      expect(res.body.error.details?.[0]?.path, query).toMatch(/^query/);
    }
    for (const id of ['not-a-uuid', '1', `${randomUUID()}x`])
      expect((await t.request('GET', `/api/v1/rules/${id}`, { token: manager() })).status, id).toBe(400);
  });

  it('generated bodies, near-rules and arbitrary JSON alike, get 201, 400 or 409 and never a 5xx', async () => {
    const { seed, runs } = fuzzParameters('rules API bodies', 150);
    const odd = fc.oneof(
      fc.double(),
      fc.integer(),
      fc.string(),
      fc.constant(null),
      fc.boolean(),
      fc.jsonValue(),
    );
    const paramValue = fc.oneof(
      odd,
      fc.integer({ min: -100, max: 100_000 }),
      fc.array(fc.string({ maxLength: 6 }), { maxLength: 3 }),
    );
    const paramNames = fc.constantFrom(
      ...new Set(
        Object.values(RULE_PARAMS).flatMap((s) => Object.keys((s as { shape?: object }).shape ?? {})),
      ),
      'field',
      'above',
      'below',
      'nonsense',
    );
    const uuidish = fc.oneof(fc.uuid(), fc.string({ maxLength: 40 }), odd);
    const rule = fc.record(
      {
        name: fc.oneof(fc.string({ maxLength: 120 }), odd),
        kind: fc.oneof(fc.constantFrom(...RULE_KINDS), odd),
        severity: fc.oneof(fc.constantFrom('info', 'warning', 'critical'), odd),
        enabled: fc.oneof(fc.boolean(), odd),
        params: fc.oneof(fc.dictionary(paramNames, paramValue, { maxKeys: 4 }), odd),
        scope: fc.oneof(
          fc.record(
            {
              departmentIds: fc.array(uuidish, { maxLength: 3 }),
              assetIds: fc.array(uuidish, { maxLength: 3 }),
              placeIds: fc.array(uuidish, { maxLength: 3 }),
              placeCategories: fc.array(fc.oneof(fc.constantFrom('depot', 'job_site'), odd), {
                maxLength: 2,
              }),
            },
            { requiredKeys: [] },
          ),
          odd,
        ),
        schedule: fc.oneof(
          fc.constant(null),
          fc.record(
            {
              timeZone: fc.oneof(fc.constantFrom('Europe/Helsinki', 'UTC', 'Nowhere/Land'), odd),
              hours: fc.dictionary(
                fc.constantFrom('mon', 'tue', 'sun', 'xyz'),
                fc.array(fc.record({ from: fc.string({ maxLength: 6 }), to: fc.string({ maxLength: 6 }) }), {
                  maxLength: 5,
                }),
              ),
            },
            { requiredKeys: [] },
          ),
          odd,
        ),
      },
      { requiredKeys: ['name', 'kind'] },
    );
    await fc.assert(
      fc.asyncProperty(fc.oneof(rule, fc.jsonValue()), async (body) => {
        const res = await create(body);
        expect([201, 400, 409], res.text.slice(0, 300)).toContain(res.status);
        if (res.status !== 201) expect(res.body.error.code).toMatch(/^(validation_failed|conflict)$/);
      }),
      { seed, numRuns: runs },
    );
  });
});

describe('roles and organisations', () => {
  it('viewers and mechanics read rules but may not create, change or archive them', async () => {
    const rule = await created({ name: named('Role check'), kind: 'low_fuel' });
    for (const role of ['viewer', 'mechanic'] as const) {
      const token = t.orgA.users[role].token;
      expect((await create({ name: named(`by ${role}`), kind: 'low_fuel' }, token)).status, role).toBe(403);
      expect(
        (await t.request('PATCH', `/api/v1/rules/${rule.id}`, { token, body: { enabled: false } })).status,
        role,
      ).toBe(403);
      expect((await t.request('DELETE', `/api/v1/rules/${rule.id}`, { token })).status, role).toBe(403);
      expect((await t.request('GET', `/api/v1/rules/${rule.id}`, { token })).status, role).toBe(200);
      expect((await t.request('GET', '/api/v1/rules', { token })).status, role).toBe(200);
    }
    for (const role of ['admin', 'dispatcher', 'fleet_manager'] as const) {
      const token = t.orgA.users[role].token;
      const res = await create({ name: named(`by ${role}`), kind: 'low_fuel' }, token);
      expect(res.status, role).toBe(201);
      const patched = await t.request('PATCH', `/api/v1/rules/${res.body.id}`, {
        token,
        body: { severity: 'info' },
      });
      expect(patched.status, role).toBe(200);
      expect((await t.request('DELETE', `/api/v1/rules/${res.body.id}`, { token })).status, role).toBe(204);
    }
    expect((await t.request('GET', '/api/v1/rules')).status).toBe(401);
  });

  it("another organisation's rule is 404 on every route, exactly like one that does not exist", async () => {
    const theirs = await created({ name: named('Their rule'), kind: 'crash' }, t.orgB.users.admin.token);
    const token = t.orgA.users.admin.token;
    for (const id of [theirs.id, randomUUID()]) {
      for (const [method, body] of [
        ['GET', undefined],
        ['PATCH', { name: 'mine now' }],
        ['PATCH', { params: { minPeakG: 2 } }],
        ['DELETE', undefined],
      ] as const) {
        const res = await t.request<ErrorReply>(method, `/api/v1/rules/${id}`, {
          token,
          ...(body === undefined ? {} : { body }),
        });
        expect(res.status, `${method} ${id}`).toBe(404);
        expect(res.body.error).toEqual({ code: 'not_found', message: 'No such rule.' });
      }
    }
    const listed = await t.request<Page>(
      'GET',
      `/api/v1/rules?name=${encodeURIComponent(named('Their rule'))}`,
      {
        token,
      },
    );
    expect(listed.body.total).toBe(0);
    const still = await t.request<RuleBody>('GET', `/api/v1/rules/${theirs.id}`, {
      token: t.orgB.users.viewer.token,
    });
    expect(still.body).toEqual(theirs);
  });

  it('a user with a department scope writes rules within their subtree only', async () => {
    const sales = await department('Scoped: Sales');
    const north = await department('Scoped: Sales North', sales);
    const other = await department('Scoped: Other');
    const mine = await vehicle('Scoped van', north);
    const theirs = await vehicle('Other van', other);
    const email = `scoped.rules.${randomUUID().slice(0, 8)}@example.test`;
    await json('POST', '/api/v1/users', t.orgA.users.admin.token, {
      email,
      name: 'Scoped dispatcher',
      role: 'dispatcher',
      password: TEST_PASSWORD,
      departmentId: sales,
      departmentScope: true,
    });
    const token = await t.login(email);
    // An empty scope is their department, never the whole organisation.
    const own = await created({ name: named('Sales speeding'), kind: 'overspeed' }, token);
    expect(own.scope).toEqual({ departmentIds: [sales], assetIds: [], placeIds: [], placeCategories: [] });
    const placesOnly = await created(
      { name: named('Sales depot'), kind: 'geofence_enter', scope: { placeCategories: ['depot'] } },
      token,
    );
    expect(placesOnly.scope).toMatchObject({ departmentIds: [sales], placeCategories: ['depot'] });
    const below = await created(
      { name: named('North vans'), kind: 'idling', scope: { departmentIds: [north], assetIds: [mine] } },
      token,
    );
    expect(below.scope).toMatchObject({ departmentIds: [north], assetIds: [mine] });
    expectDetail(
      await create({ name: named('x'), kind: 'idling', scope: { departmentIds: [north, other] } }, token),
      'body.scope.departmentIds.1',
      /outside your department scope/,
    );
    expectDetail(
      await create({ name: named('y'), kind: 'idling', scope: { assetIds: [theirs] } }, token),
      'body.scope.assetIds.0',
      /department scope/,
    );
    // Their own rules they change (within the subtree still); the organisation's they read only.
    const patched = await t.request<RuleBody & ErrorReply>('PATCH', `/api/v1/rules/${own.id}`, {
      token,
      body: { scope: {} },
    });
    expect(patched.body.scope.departmentIds).toEqual([sales]);
    expectDetail(
      await t.request<ErrorReply>('PATCH', `/api/v1/rules/${own.id}`, {
        token,
        body: { scope: { departmentIds: [other] } },
      }),
      'body.scope.departmentIds.0',
      /outside/,
    );
    const orgWide = await created({ name: named('Everyone speeding'), kind: 'overspeed' });
    const outside = await created({
      name: named('Other dept'),
      kind: 'overspeed',
      scope: { assetIds: [theirs] },
    });
    for (const rule of [orgWide, outside]) {
      expect((await t.request('GET', `/api/v1/rules/${rule.id}`, { token })).status).toBe(200);
      const changed = await t.request<ErrorReply>('PATCH', `/api/v1/rules/${rule.id}`, {
        token,
        body: { enabled: false },
      });
      expect(changed.status).toBe(403);
      expect(changed.body.error.message).toMatch(/outside your department scope/);
      expect((await t.request('DELETE', `/api/v1/rules/${rule.id}`, { token })).status).toBe(403);
    }
    expect((await t.request('DELETE', `/api/v1/rules/${below.id}`, { token })).status).toBe(204);
  });

  it('are in the OpenAPI document', async () => {
    const doc = await t.request<{
      paths: Record<string, Record<string, { operationId: string; 'x-roles'?: string[] }>>;
      components: { schemas: Record<string, unknown> };
    }>('GET', '/api/v1/openapi.json');
    expect(doc.body.paths['/api/v1/rules']?.post?.operationId).toBe('createRule');
    expect(doc.body.paths['/api/v1/rules']?.post?.['x-roles']).toEqual([
      'admin',
      'fleet_manager',
      'dispatcher',
    ]);
    expect(doc.body.paths['/api/v1/rules/catalogue']?.get?.operationId).toBe('ruleCatalogue');
    for (const method of ['get', 'patch', 'delete'])
      expect(doc.body.paths['/api/v1/rules/{id}']).toHaveProperty(method);
    for (const name of ['Rule', 'RulePage', 'NewRule', 'RuleChanges', 'RuleCatalogue', 'RuleKind'])
      expect(doc.body.components.schemas, name).toHaveProperty(name);
  });
});

describe('alerts of a rule that stops', () => {
  /** An active alert of the rule, written as the engine writes one. */
  async function activeAlert(ruleId: string, state: 'open' | 'acknowledged' | 'resolved' = 'open') {
    const rows = await t.platform.db.query<{ id: string }>(
      `insert into alerts (org_id, rule_id, kind, severity, title, episode_key, state, active, started_at, resolved_at)
       values ($1, $2, 'idling', 'warning', 'Idling', $3, $4, true, now() - interval '5 minutes', $5)
       returning id::text as id`,
      [t.orgA.id, ruleId, `stop:${randomUUID()}`, state, state === 'resolved' ? new Date() : null],
    );
    return (rows[0] as { id: string }).id;
  }
  const alertRow = async (id: string) =>
    (
      await t.platform.db.query<{
        state: string;
        active: boolean;
        ended: boolean;
        resolved_by: string | null;
      }>(
        'select state, active, ended_at is not null as ended, resolved_by::text as resolved_by from alerts where id = $1',
        [id],
      )
    )[0];
  const notes = async (id: string) =>
    (
      await t.platform.db.query<{ action: string; note: string | null }>(
        'select action, note from alert_activity where alert_id = $1 order by id',
        [id],
      )
    ).map((r) => `${r.action}: ${r.note}`);

  it('switching a rule off ends its active alerts and resolves the unresolved ones, once', async () => {
    const rule = await created({ name: named('Stops idling'), kind: 'idling' });
    const open = await activeAlert(rule.id);
    const resolvedByHand = await activeAlert(rule.id, 'resolved');
    const seen: string[] = [];
    const unsubscribe = t.platform.bus.subscribe('alert', (c) => {
      const change = c as { change: string; alert: { id: string } };
      seen.push(`${change.change} ${change.alert.id}`);
    });
    try {
      const off = await t.request<RuleBody>('PATCH', `/api/v1/rules/${rule.id}`, {
        token: manager(),
        body: { enabled: false },
      });
      expect(off.status, off.text).toBe(200);
      expect(await alertRow(open)).toEqual({
        state: 'resolved',
        active: false,
        ended: true,
        resolved_by: t.orgA.users.fleet_manager.id,
      });
      expect(await notes(open)).toEqual(['resolved: the rule was switched off']);
      expect((await alertRow(resolvedByHand))?.active).toBe(false);
      expect((await alertRow(resolvedByHand))?.resolved_by).toBeNull();
      expect(await notes(resolvedByHand)).toEqual(['condition_cleared: the rule was switched off']);
      expect(seen.sort()).toEqual([`resolved ${open}`, `resolved ${resolvedByHand}`].sort());
      // Switched off again, or renamed while off: nothing more happens to them.
      const again = await t.request('PATCH', `/api/v1/rules/${rule.id}`, {
        token: manager(),
        body: { enabled: false, name: named('Stops idling, renamed') },
      });
      expect(again.status, again.text).toBe(200);
      expect(await notes(open)).toHaveLength(1);
    } finally {
      unsubscribe();
    }
  });

  it('archiving a rule ends its active alerts; the alerts keep the rule’s name', async () => {
    const rule = await created({ name: named('Archived idling'), kind: 'idling' });
    const open = await activeAlert(rule.id, 'acknowledged');
    const res = await t.request('DELETE', `/api/v1/rules/${rule.id}`, { token: manager() });
    expect(res.status, res.text).toBe(204);
    expect(await alertRow(open)).toMatchObject({ state: 'resolved', active: false, ended: true });
    expect(await notes(open)).toEqual(['resolved: the rule was archived']);
    const alert = await t.request<{ ruleName: string }>('GET', `/api/v1/alerts/${open}`, {
      token: manager(),
    });
    expect(alert.body.ruleName).toBe(named('Archived idling'));
  });
});
