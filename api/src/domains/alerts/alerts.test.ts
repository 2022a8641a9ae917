// Alerts through the real API, database and hub. The rule engine writes alerts as the table's
// owner; these tests do the same with SQL, then work them as people do: the list (filters,
// keyset pages newest first, suppressed ones hidden), the badge's summary, one alert with its
// timeline, acknowledge / resolve / reopen / assign / comment with their 409s, each change on the
// bus once committed; generated garbage never a 5xx; roles; another organisation's alerts are 404
// and never listed, counted or streamed; a user with a department scope sees the alerts of their
// assets only; and on PostgreSQL two people acknowledging at once do not both win.
import { randomUUID } from 'node:crypto';
import { UserDirectory } from '@fleet/api';
import type { AlertChange, AlertRecord } from '@fleet/shared';
import {
  DeviceRegistry,
  migrate,
  openDatabase,
  type SqlDatabase,
  withDepartmentScope,
} from '@fleet/shared/db';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HubClient, startTestApi, TEST_PASSWORD, type TestApi } from '../../../../test/api-support.ts';
import { fuzzParameters } from '../../../../test/fuzz.ts';
import { freshPostgresDatabase } from '../../../../test/support.ts';
import { Alerts } from './repository.ts';

let t: TestApi;
beforeAll(async () => {
  t = await startTestApi({ HUB_TICK_MS: 50 });
});
afterAll(() => t?.close());

interface Activity {
  id: string;
  at: string;
  action: string;
  actorId: string | null;
  actorName: string | null;
  note: string | null;
}
type AlertBody = AlertRecord & { activity: Activity[] };
interface Page {
  items: AlertRecord[];
  nextCursor: string | null;
}
interface Summary {
  total: number;
  bySeverity: Record<'info' | 'warning' | 'critical', number>;
  byState: Record<'open' | 'acknowledged', number>;
}
interface ErrorReply {
  error: { code: string; message: string; details?: { path: string; message: string }[] };
}

const run = randomUUID().slice(0, 6);
const admin = () => t.orgA.users.admin.token;
const dispatcher = () => t.orgA.users.dispatcher;

async function json<T>(method: string, path: string, token: string, body?: unknown): Promise<T> {
  const res = await t.request<T>(method, path, { token, ...(body === undefined ? {} : { body }) });
  if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${res.text}`);
  return res.body;
}

interface NewAlert {
  orgId?: string;
  kind?: string;
  severity?: 'info' | 'warning' | 'critical';
  state?: 'open' | 'acknowledged' | 'resolved';
  active?: boolean;
  title?: string;
  deviceId?: string | null;
  assetId?: string | null;
  ruleId?: string | null;
  startedAt?: Date;
  raisedAt?: Date;
  suppressedBy?: string | null;
  details?: Record<string, unknown>;
}

let episode = 0;
/** An alert written as the rule engine writes one (the table's owner), with its 'opened' activity. */
async function insertAlert(a: NewAlert = {}, db: SqlDatabase = t.platform.db): Promise<string> {
  const orgId = a.orgId ?? t.orgA.id;
  const state = a.state ?? 'open';
  const startedAt = a.startedAt ?? new Date(Date.now() - 60_000);
  const rows = await db.query<{ id: string }>(
    `insert into alerts (org_id, rule_id, kind, severity, title, device_id, asset_id, episode_key, state, active,
       started_at, raised_at, details, suppressed_by, resolved_at, lat, lon)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13::jsonb, $14, $15, 60.17, 24.94)
     returning id::text as id`,
    [
      orgId,
      a.ruleId ?? null,
      a.kind ?? 'overspeed',
      a.severity ?? 'warning',
      a.title ?? `Speeding ${run}`,
      a.deviceId ?? null,
      a.assetId ?? null,
      `test:${run}:${++episode}`,
      state,
      a.active ?? true,
      startedAt,
      a.raisedAt ?? new Date(),
      JSON.stringify(a.details ?? { peakKmh: 97, limitKmh: 80 }),
      a.suppressedBy ?? null,
      state === 'resolved' ? new Date() : null,
    ],
  );
  const id = (rows[0] as { id: string }).id;
  await db.query("insert into alert_activity (org_id, alert_id, action) values ($1, $2, 'opened')", [
    orgId,
    id,
  ]);
  return id;
}

const get = (id: string, token = admin()) =>
  t.request<AlertBody & ErrorReply>('GET', `/api/v1/alerts/${id}`, { token });
const act = (
  id: string,
  action: 'acknowledge' | 'resolve' | 'reopen',
  token = dispatcher().token,
  body?: unknown,
) =>
  t.request<AlertBody & ErrorReply>('POST', `/api/v1/alerts/${id}/${action}`, {
    token,
    ...(action === 'resolve' ? { body: body ?? {} } : {}),
  });
const assign = (id: string, assigneeId: unknown, token = dispatcher().token) =>
  t.request<AlertBody & ErrorReply>('PATCH', `/api/v1/alerts/${id}`, { token, body: { assigneeId } });
const comment = (id: string, body: unknown, token = dispatcher().token) =>
  t.request<AlertBody & ErrorReply>('POST', `/api/v1/alerts/${id}/comments`, { token, body });
const summary = async (token = admin()) => json<Summary>('GET', '/api/v1/alerts/summary', token);
async function listAll(query: string, token = admin()): Promise<AlertRecord[]> {
  const out: AlertRecord[] = [];
  let cursor: string | null = null;
  do {
    const page: Page = await json<Page>(
      'GET',
      `/api/v1/alerts?${query}${cursor === null ? '' : `&cursor=${cursor}`}`,
      token,
    );
    out.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor !== null);
  return out;
}

/** What `fn` answers, and the changes published on the API's bus while it ran. */
async function published<T>(fn: () => Promise<T>): Promise<{ result: T; changes: AlertChange[] }> {
  const changes: AlertChange[] = [];
  const stop = t.platform.bus.subscribe('alert', (c) => changes.push(c));
  try {
    return { result: await fn(), changes };
  } finally {
    stop();
  }
}

function expectDetail(
  res: { status: number; body: ErrorReply; text: string },
  path: string,
  message: RegExp,
) {
  expect(res.status, res.text).toBe(400);
  const detail = res.body.error.details?.find((d) => d.path === path);
  expect(detail?.message, `${path} in ${JSON.stringify(res.body.error.details)}`).toMatch(message);
}

describe('the list', () => {
  it('is newest first, filtered, in keyset pages that stay whole while alerts arrive', async () => {
    const device = await t.orgA.provision();
    const van = (await json<{ id: string }>('POST', '/api/v1/vehicles', admin(), { name: `List van ${run}` }))
      .id;
    const rule = (
      await json<{ id: string }>('POST', '/api/v1/rules', admin(), {
        name: `List rule ${run}`,
        kind: 'crash',
        enabled: false,
      })
    ).id;
    const base = Date.now() - 3_600_000;
    const at = (minutes: number) => new Date(base + minutes * 60_000);
    const title = `List ${run}`;
    // Two raised in the same microsecond: the id breaks the tie.
    const same = at(5);
    const ids = {
      oldest: await insertAlert({
        title,
        raisedAt: at(1),
        startedAt: at(1),
        severity: 'info',
        active: false,
      }),
      crash: await insertAlert({
        title,
        raisedAt: at(2),
        startedAt: at(2),
        kind: 'crash',
        severity: 'critical',
        ruleId: rule,
        deviceId: device.id,
        assetId: van,
      }),
      resolved: await insertAlert({
        title,
        raisedAt: at(3),
        startedAt: at(3),
        state: 'resolved',
        active: false,
      }),
      tieA: await insertAlert({ title, raisedAt: same, startedAt: at(4) }),
      tieB: await insertAlert({ title, raisedAt: same, startedAt: at(4) }),
    };
    const suppressed = await insertAlert({
      title,
      kind: 'offline',
      raisedAt: at(6),
      startedAt: at(6),
      suppressedBy: ids.crash,
    });
    const ties = [ids.tieA, ids.tieB].sort().reverse();
    const mine = (items: AlertRecord[]) => items.filter((a) => a.title === title).map((a) => a.id);

    const all = mine(await listAll('limit=2'));
    expect(all).toEqual([...ties, ids.resolved, ids.crash, ids.oldest]);
    const page = await json<Page>('GET', '/api/v1/alerts?limit=500', t.orgA.users.viewer.token);
    expect(page.items.find((a) => a.id === ids.crash)).toMatchObject({
      orgId: t.orgA.id,
      ruleId: rule,
      ruleName: `List rule ${run}`,
      kind: 'crash',
      severity: 'critical',
      state: 'open',
      active: true,
      deviceId: device.id,
      assetId: van,
      lat: 60.17,
      lon: 24.94,
      details: { peakKmh: 97, limitKmh: 80 },
      suppressedBy: null,
      resolvedAt: null,
      startedAt: at(2).toISOString(),
    });

    const q = async (query: string) => mine(await listAll(query));
    expect(await q('state=open,acknowledged')).toEqual([...ties, ids.crash, ids.oldest]);
    expect(await q('state=resolved')).toEqual([ids.resolved]);
    expect(await q('severity=critical,info')).toEqual([ids.crash, ids.oldest]);
    expect(await q('kind=crash')).toEqual([ids.crash]);
    expect(await q(`assetId=${van}`)).toEqual([ids.crash]);
    expect(await q(`deviceId=${device.id}`)).toEqual([ids.crash]);
    expect(await q(`ruleId=${rule}`)).toEqual([ids.crash]);
    expect(await q('active=false')).toEqual([ids.resolved, ids.oldest]);
    expect(await q(`from=${at(3).toISOString()}&to=${at(5).toISOString()}`)).toEqual([...ties, ids.resolved]);
    expect(await q(`from=${at(4).getTime()}`)).toEqual(ties);
    // Suppressed ones only when asked.
    expect(await q('includeSuppressed=true&limit=3')).toEqual([
      suppressed,
      ...ties,
      ids.resolved,
      ids.crash,
      ids.oldest,
    ]);
    expect(await q('includeSuppressed=false')).not.toContain(suppressed);

    // A page ahead of new alerts: they land before the cursor, not in the pages after it.
    const first = await json<Page>('GET', '/api/v1/alerts?limit=2', admin());
    await insertAlert({ title, raisedAt: new Date() });
    const rest = await listAll(`limit=2&cursor=${first.nextCursor}`);
    expect(mine([...first.items, ...rest])).toEqual(all);
  });

  it('refuses bad queries with the parameter named', async () => {
    const notUuid = Buffer.from('2026-12-01T10:00:00.123456Z|42').toString('base64url');
    const badDate = Buffer.from(`2026-13-01T10:00:00.123456Z|${randomUUID()}`).toString('base64url');
    for (const [query, path] of [
      ['state=open,closed', 'query.state.1'],
      ['state=', 'query.state.0'],
      ['severity=urgent', 'query.severity.0'],
      ['kind=teleport', 'query.kind'],
      ['assetId=van-1', 'query.assetId'],
      ['deviceId=a', 'query.deviceId'],
      ['ruleId=1', 'query.ruleId'],
      ['from=yesterday', 'query.from'],
      ['from=2026-12-02T00:00:00Z&to=2026-12-01T00:00:00Z', 'query.to'],
      ['active=maybe', 'query.active'],
      ['includeSuppressed=1', 'query.includeSuppressed'],
      ['cursor=garbage!', 'query.cursor'],
      [`cursor=${notUuid}`, 'query.cursor'],
      [`cursor=${badDate}`, 'query.cursor'],
      [`cursor=${'A'.repeat(200)}`, 'query.cursor'],
      ['limit=0', 'query.limit'],
      ['limit=501', 'query.limit'],
      ['owner=me', 'query'],
    ] as const) {
      const res = await t.request<ErrorReply>('GET', `/api/v1/alerts?${query}`, { token: admin() });
      expect(res.status, query).toBe(400);
      expect(
        res.body.error.details?.map((d) => d.path),
        query,
      ).toContain(path);
    }
    for (const id of ['not-a-uuid', '1']) expect((await get(id)).status, id).toBe(400);
    expect((await get(randomUUID())).status).toBe(404);
  });

  it('generated garbage queries get 200 or 400 naming a parameter, never a 5xx', async () => {
    const { seed, runs } = fuzzParameters('alert list queries', 120);
    const keys = [
      'state',
      'severity',
      'kind',
      'assetId',
      'deviceId',
      'ruleId',
      'from',
      'to',
      'active',
      'cursor',
      'limit',
      'includeSuppressed',
    ];
    const value = fc.oneof(
      fc.string({ maxLength: 60 }),
      fc.integer().map(String),
      fc.uuid(),
      fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
      fc.base64String({ maxLength: 90 }),
      fc.constantFrom(
        '',
        'open,acknowledged',
        'critical',
        'true',
        'false',
        'crash',
        '500',
        'NaN',
        '1e400',
        ',,',
      ),
    );
    const query = fc.dictionary(fc.oneof(fc.constantFrom(...keys), fc.string({ maxLength: 8 })), value, {
      maxKeys: 4,
    });
    await fc.assert(
      fc.asyncProperty(query, async (q) => {
        const res = await t.request<ErrorReply>('GET', `/api/v1/alerts?${new URLSearchParams(q)}`, {
          token: admin(),
        });
        expect([200, 400], res.text.slice(0, 300)).toContain(res.status);
        if (res.status === 400) expect(res.body.error.details?.[0]?.path).toMatch(/^query/);
      }),
      { seed, numRuns: runs },
    );
  });
});

describe('the summary', () => {
  it('counts what needs attention by severity and state, not resolved, not suppressed, not theirs', async () => {
    const before = await summary();
    const critical = await insertAlert({ severity: 'critical' });
    await insertAlert({ severity: 'info', state: 'acknowledged' });
    await insertAlert({ severity: 'warning', state: 'resolved', active: false });
    await insertAlert({ severity: 'critical', suppressedBy: critical });
    await insertAlert({ orgId: t.orgB.id, severity: 'critical' });
    const after = await summary(t.orgA.users.viewer.token);
    expect(after).toEqual({
      total: before.total + 2,
      bySeverity: {
        info: before.bySeverity.info + 1,
        warning: before.bySeverity.warning,
        critical: before.bySeverity.critical + 1,
      },
      byState: { open: before.byState.open + 1, acknowledged: before.byState.acknowledged + 1 },
    });
  });
});

describe('working an alert', () => {
  it('acknowledge, resolve with a note, reopen: each on the timeline with its actor and on the bus', async () => {
    const id = await insertAlert();
    const opened = await get(id, t.orgA.users.viewer.token);
    expect(opened.status).toBe(200);
    expect(opened.body.activity).toEqual([
      {
        id: expect.any(String),
        at: expect.any(String),
        action: 'opened',
        actorId: null,
        actorName: null,
        note: null,
      },
    ]);

    const me = dispatcher();
    const acked = await published(() => act(id, 'acknowledge'));
    let reply = acked.result;
    expect(reply.status, reply.text).toBe(200);
    expect(reply.body).toMatchObject({ id, state: 'acknowledged', acknowledgedBy: me.id, resolvedAt: null });
    expect(Date.parse(reply.body.acknowledgedAt ?? '')).toBeGreaterThan(Date.now() - 60_000);
    expect(reply.body.activity.map((a) => [a.action, a.actorId, a.actorName])).toEqual([
      ['opened', null, null],
      ['acknowledged', me.id, 'dispatcher a'],
    ]);
    const { activity: _a, ...alert } = reply.body;
    expect(acked.changes).toEqual([{ change: 'updated', alert }]);
    // Twice is a conflict that says so, and changes nothing.
    const again = await act(id, 'acknowledge', t.orgA.users.mechanic.token);
    expect(again.status).toBe(409);
    expect(again.body.error).toMatchObject({
      code: 'conflict',
      message: expect.stringMatching(/acknowledged already at/),
    });

    const resolved = await published(() =>
      act(id, 'resolve', t.orgA.users.mechanic.token, { note: '  Driver reminded of the limit. ' }),
    );
    reply = resolved.result;
    expect(reply.status, reply.text).toBe(200);
    expect(reply.body).toMatchObject({
      state: 'resolved',
      resolvedBy: t.orgA.users.mechanic.id,
      acknowledgedBy: me.id,
    });
    expect(reply.body.activity.at(-1)).toMatchObject({
      action: 'resolved',
      actorId: t.orgA.users.mechanic.id,
      note: 'Driver reminded of the limit.',
    });
    expect(resolved.changes.map((c) => [c.change, c.alert.state])).toEqual([['resolved', 'resolved']]);
    for (const action of ['resolve', 'acknowledge'] as const) {
      const res = await act(id, action);
      expect(res.status, action).toBe(409);
      expect(res.body.error.message).toMatch(/resolved/);
    }

    reply = await act(id, 'reopen', admin());
    expect(reply.status, reply.text).toBe(200);
    expect(reply.body).toMatchObject({
      state: 'open',
      resolvedAt: null,
      resolvedBy: null,
      acknowledgedAt: null,
      acknowledgedBy: null,
    });
    expect(reply.body.activity.map((a) => a.action)).toEqual([
      'opened',
      'acknowledged',
      'resolved',
      'reopened',
    ]);
    const reopenOpen = await act(id, 'reopen');
    expect(reopenOpen.status).toBe(409);
    expect(reopenOpen.body.error.message).toMatch(/only a resolved alert can be reopened/);
    // Resolved straight from open, without a note; then the full record as GET reads it.
    reply = await act(id, 'resolve');
    expect(reply.body).toMatchObject({ state: 'resolved', resolvedBy: me.id });
    expect(reply.body.activity.at(-1)).toMatchObject({ action: 'resolved', note: null });
    expect((await get(id)).body).toEqual(reply.body);
    expect((await act(id, 'reopen', me.token)).status).toBe(200);
    expectDetail(await act(id, 'resolve', me.token, { note: 5 }), 'body.note', /text/);
    expectDetail(await act(id, 'resolve', me.token, { note: 'x'.repeat(4001) }), 'body.note', /4000/);
    expectDetail(await act(id, 'resolve', me.token, { reason: 'x' }), 'body', /reason/);
  });

  it('is assigned to an active user of the organisation, or to nobody', async () => {
    const id = await insertAlert();
    const mechanic = t.orgA.users.mechanic;
    const { changes } = await published(async () => {
      const res = await assign(id, mechanic.id);
      expect(res.status, res.text).toBe(200);
      expect(res.body.assigneeId).toBe(mechanic.id);
      expect(res.body.activity.at(-1)).toMatchObject({
        action: 'assigned',
        actorId: dispatcher().id,
        note: 'mechanic a',
      });
    });
    expect(changes.map((c) => [c.change, c.alert.assigneeId])).toEqual([['updated', mechanic.id]]);
    // The same assignee again changes nothing: no activity, nothing published.
    const { changes: same } = await published(async () => {
      const res = await assign(id, mechanic.id);
      expect(res.status).toBe(200);
      expect(res.body.activity.filter((a) => a.action === 'assigned')).toHaveLength(1);
    });
    expect(same).toEqual([]);

    const email = `disabled.${randomUUID().slice(0, 8)}@example.test`;
    const disabled = await json<{ id: string }>('POST', '/api/v1/users', admin(), {
      email,
      name: 'Gone',
      role: 'mechanic',
      password: TEST_PASSWORD,
    });
    await json('PATCH', `/api/v1/users/${disabled.id}`, admin(), { disabled: true });
    for (const assignee of [disabled.id, t.orgB.users.mechanic.id, randomUUID()])
      expectDetail(await assign(id, assignee), 'body.assigneeId', /no such active user in your organisation/);
    expectDetail(await assign(id, 'mechanic'), 'body.assigneeId', /uuid/);
    expectDetail(
      await t.request<ErrorReply>('PATCH', `/api/v1/alerts/${id}`, { token: admin(), body: {} }),
      'body.assigneeId',
      /./,
    );
    expectDetail(
      await t.request<ErrorReply>('PATCH', `/api/v1/alerts/${id}`, {
        token: admin(),
        body: { assigneeId: null, state: 'resolved' },
      }),
      'body',
      /state/,
    );
    expect((await get(id)).body.assigneeId).toBe(mechanic.id);

    const cleared = await assign(id, null);
    expect(cleared.body.assigneeId).toBeNull();
    expect(cleared.body.activity.at(-1)).toMatchObject({ action: 'unassigned', note: null });
  });

  it('takes comments on its timeline, resolved or not', async () => {
    const id = await insertAlert({ state: 'resolved', active: false });
    const before = (await get(id)).body.updatedAt;
    const { changes } = await published(async () => {
      const res = await comment(
        id,
        { body: '  Checked the tacho: the GPS jumped.  ' },
        t.orgA.users.mechanic.token,
      );
      expect(res.status, res.text).toBe(201);
      expect(res.body.activity.at(-1)).toMatchObject({
        action: 'commented',
        actorId: t.orgA.users.mechanic.id,
        note: 'Checked the tacho: the GPS jumped.',
      });
      expect(Date.parse(res.body.updatedAt)).toBeGreaterThanOrEqual(Date.parse(before));
    });
    expect(changes.map((c) => c.change)).toEqual(['updated']);
    const longest = await comment(id, { body: 'x'.repeat(4000) });
    expect(longest.status).toBe(201);
    for (const [body, path, message] of [
      [{ body: '   ' }, 'body.body', /1\.\.4000/],
      [{ body: 'x'.repeat(4001) }, 'body.body', /1\.\.4000/],
      [{ body: 42 }, 'body.body', /text/],
      [{}, 'body.body', /text/],
      [{ body: 'hi', actorId: randomUUID() }, 'body', /actorId/],
    ] as const)
      expectDetail(await comment(id, body), path, message);
    const [count] = await t.platform.db.query<{ n: number | string }>(
      "select count(*) as n from alert_activity where alert_id = $1 and action = 'commented'",
      [id],
    );
    expect(Number(count?.n)).toBe(2);
  });

  it('a user who worked an alert is kept for its history: removing them is a 409 that says to disable them', async () => {
    const email = `leaver.${run}@example.test`;
    const leaver = await json<{ id: string }>('POST', '/api/v1/users', admin(), {
      email,
      name: 'Leaver',
      role: 'dispatcher',
      password: TEST_PASSWORD,
    });
    const token = await t.login(email);
    const id = await insertAlert();
    const acked = await t.request('POST', `/api/v1/alerts/${id}/acknowledge`, { token, body: {} });
    expect(acked.status, acked.text).toBe(200);
    const removed = await t.request<ErrorReply>('DELETE', `/api/v1/users/${leaver.id}`, { token: admin() });
    expect(removed.status, removed.text).toBe(409);
    expect(removed.body.error.code).toBe('conflict');
    expect(removed.body.error.message).toMatch(/disable the account instead/);
    const disabled = await t.request('PATCH', `/api/v1/users/${leaver.id}`, {
      token: admin(),
      body: { disabled: true },
    });
    expect(disabled.status, disabled.text).toBe(200);
    const alert = (await get(id)).body;
    expect(alert.acknowledgedBy).toBe(leaver.id);
    expect(alert.activity.find((a) => a.action === 'acknowledged')?.actorId).toBe(leaver.id);
    // Someone who never touched an alert is removed as before.
    const bystander = await json<{ id: string }>('POST', '/api/v1/users', admin(), {
      email: `bystander.${run}@example.test`,
      name: 'Bystander',
      role: 'viewer',
      password: TEST_PASSWORD,
    });
    const gone = await t.request('DELETE', `/api/v1/users/${bystander.id}`, { token: admin() });
    expect(gone.status, gone.text).toBe(200);
  });

  it('two people acknowledging at once: one wins, the other is told', async () => {
    const id = await insertAlert();
    const replies = await Promise.all([
      act(id, 'acknowledge', t.orgA.users.dispatcher.token),
      act(id, 'acknowledge', t.orgA.users.mechanic.token),
      act(id, 'acknowledge', t.orgA.users.fleet_manager.token),
    ]);
    expect(replies.map((r) => r.status).sort()).toEqual([200, 409, 409]);
    const detail = (await get(id)).body;
    expect(detail.activity.filter((a) => a.action === 'acknowledged')).toHaveLength(1);
    expect(detail.acknowledgedBy).toBe(replies.find((r) => r.status === 200)?.body.acknowledgedBy);
  });

  it('generated bodies on every change route get 2xx, 400 or 409 and never a 5xx', async () => {
    const { seed, runs } = fuzzParameters('alert change bodies', 120);
    const ids = [await insertAlert(), await insertAlert({ state: 'resolved', active: false })];
    const odd = fc.oneof(
      fc.string({ maxLength: 80 }),
      fc.integer(),
      fc.double(),
      fc.constant(null),
      fc.boolean(),
      fc.jsonValue(),
    );
    const body = fc.oneof(
      fc.record(
        {
          note: fc.oneof(fc.string({ maxLength: 5000 }), odd),
          body: fc.oneof(fc.string({ maxLength: 4100 }), odd),
          assigneeId: fc.oneof(
            fc.uuid(),
            fc.constantFrom(t.orgA.users.mechanic.id, t.orgB.users.admin.id),
            odd,
          ),
        },
        { requiredKeys: [] },
      ),
      fc.jsonValue(),
    );
    const route = fc.constantFrom(
      ['POST', 'acknowledge'],
      ['POST', 'resolve'],
      ['POST', 'reopen'],
      ['POST', 'comments'],
      ['PATCH', ''],
    );
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...ids), route, body, async (id, [method, action], b) => {
        const res = await t.request<ErrorReply>(
          method,
          `/api/v1/alerts/${id}${action === '' ? '' : `/${action}`}`,
          {
            token: dispatcher().token,
            body: b,
          },
        );
        expect([200, 201, 400, 409], res.text.slice(0, 300)).toContain(res.status);
        if (res.status >= 400) expect(res.body.error.code).toMatch(/^(validation_failed|conflict)$/);
      }),
      { seed, numRuns: runs },
    );
  });
});

describe('roles and organisations', () => {
  it('viewers read alerts but may not work them; every other role may', async () => {
    const id = await insertAlert();
    const token = t.orgA.users.viewer.token;
    expect((await get(id, token)).status).toBe(200);
    expect((await act(id, 'acknowledge', token)).status).toBe(403);
    expect((await act(id, 'resolve', token)).status).toBe(403);
    expect((await act(id, 'reopen', token)).status).toBe(403);
    expect((await assign(id, t.orgA.users.viewer.id, token)).status).toBe(403);
    expect((await comment(id, { body: 'me too' }, token)).status).toBe(403);
    expect((await get(id)).body.activity.map((a) => a.action)).toEqual(['opened']);
    for (const role of ['admin', 'dispatcher', 'fleet_manager', 'mechanic'] as const) {
      const mine = await insertAlert();
      expect((await act(mine, 'acknowledge', t.orgA.users[role].token)).status, role).toBe(200);
      expect((await comment(mine, { body: role }, t.orgA.users[role].token)).status, role).toBe(201);
    }
    expect((await t.request('GET', '/api/v1/alerts')).status).toBe(401);
  });

  it("another organisation's alert is 404 on every route and never listed", async () => {
    const theirs = await insertAlert({ orgId: t.orgB.id, title: `Theirs ${run}` });
    const token = admin();
    for (const id of [theirs, randomUUID()]) {
      for (const [method, path, body] of [
        ['GET', '', undefined],
        ['POST', '/acknowledge', undefined],
        ['POST', '/resolve', {}],
        ['POST', '/reopen', undefined],
        ['PATCH', '', { assigneeId: t.orgA.users.mechanic.id }],
        ['POST', '/comments', { body: 'mine now' }],
      ] as const) {
        const res = await t.request<ErrorReply>(method, `/api/v1/alerts/${id}${path}`, {
          token,
          ...(body === undefined ? {} : { body }),
        });
        expect(res.status, `${method} ${path}`).toBe(404);
        expect(res.body.error).toEqual({ code: 'not_found', message: 'No such alert.' });
      }
    }
    expect((await listAll('limit=500&includeSuppressed=true')).map((a) => a.id)).not.toContain(theirs);
    const still = await get(theirs, t.orgB.users.viewer.token);
    expect(still.body).toMatchObject({ state: 'open', assigneeId: null });
    expect(still.body.activity.map((a) => a.action)).toEqual(['opened']);
  });

  it('a user with a department scope sees and works the alerts of their assets only', async () => {
    const sales = (
      await json<{ id: string }>('POST', '/api/v1/departments', admin(), { name: `Alerts sales ${run}` })
    ).id;
    const other = (
      await json<{ id: string }>('POST', '/api/v1/departments', admin(), { name: `Alerts other ${run}` })
    ).id;
    const mine = (
      await json<{ id: string }>('POST', '/api/v1/vehicles', admin(), {
        name: `Scoped ${run}`,
        departmentId: sales,
      })
    ).id;
    const theirs = (
      await json<{ id: string }>('POST', '/api/v1/vehicles', admin(), {
        name: `Other ${run}`,
        departmentId: other,
      })
    ).id;
    const email = `scoped.alerts.${randomUUID().slice(0, 8)}@example.test`;
    await json('POST', '/api/v1/users', admin(), {
      email,
      name: 'Scoped dispatcher',
      role: 'dispatcher',
      password: TEST_PASSWORD,
      departmentId: sales,
      departmentScope: true,
    });
    const token = await t.login(email);
    const before = await summary(token);
    const visible = await insertAlert({ assetId: mine, severity: 'critical' });
    const hidden = await insertAlert({ assetId: theirs, severity: 'critical' });
    const orgWide = await insertAlert({ assetId: null, severity: 'critical' });
    const listed = (await listAll('limit=500', token)).map((a) => a.id);
    expect(listed).toContain(visible);
    expect(listed).not.toContain(hidden);
    expect(listed).not.toContain(orgWide);
    expect((await summary(token)).bySeverity.critical).toBe(before.bySeverity.critical + 1);
    expect((await get(visible, token)).status).toBe(200);
    expect((await act(visible, 'acknowledge', token)).status).toBe(200);
    for (const id of [hidden, orgWide]) {
      expect((await get(id, token)).status).toBe(404);
      expect((await act(id, 'acknowledge', token)).status).toBe(404);
      expect((await comment(id, { body: 'x' }, token)).status).toBe(404);
    }
    // The organisation's unscoped users see all three.
    const everyone = (await listAll('limit=500')).map((a) => a.id);
    for (const id of [visible, hidden, orgWide]) expect(everyone).toContain(id);
  });

  it('are in the OpenAPI document', async () => {
    const doc = await t.request<{
      paths: Record<string, Record<string, { operationId: string; 'x-roles'?: string[] }>>;
    }>('GET', '/api/v1/openapi.json');
    expect(doc.body.paths['/api/v1/alerts']?.get?.operationId).toBe('listAlerts');
    expect(doc.body.paths['/api/v1/alerts/summary']?.get?.operationId).toBe('alertSummary');
    expect(doc.body.paths['/api/v1/alerts/{id}/acknowledge']?.post?.['x-roles']).toEqual([
      'admin',
      'dispatcher',
      'fleet_manager',
      'mechanic',
    ]);
    for (const path of ['resolve', 'reopen', 'comments'])
      expect(doc.body.paths[`/api/v1/alerts/{id}/${path}`], path).toHaveProperty('post');
  });
});

describe('on the hub', () => {
  const frame = (orgId: string, deviceId: string | null = null, title = `Hub ${run}`): AlertChange => ({
    change: 'opened',
    alert: {
      id: randomUUID(),
      orgId,
      ruleId: null,
      ruleName: null,
      kind: 'crash',
      severity: 'critical',
      state: 'open',
      active: false,
      title,
      deviceId,
      assetId: null,
      placeId: null,
      startedAt: new Date().toISOString(),
      endedAt: null,
      raisedAt: new Date().toISOString(),
      late: false,
      lat: null,
      lon: null,
      details: { peakG: 4.2 },
      suppressedBy: null,
      acknowledgedAt: null,
      acknowledgedBy: null,
      resolvedAt: null,
      resolvedBy: null,
      assigneeId: null,
      updatedAt: new Date().toISOString(),
    },
  });
  const subscribed = async (token: string, topics = ['alerts']) => {
    const c = new HubClient(t.url, token);
    c.send({ op: 'subscribe', topics });
    await c.next('subscribed');
    return c;
  };
  const alertFrames = (c: HubClient) =>
    c.frames.filter((f) => f.type === 'alert').map((f) => f.type === 'alert' && f.alert.id);

  it('an alert on the bus reaches the subscribers of its organisation only', async () => {
    const a = await subscribed(t.orgA.users.viewer.token);
    const b = await subscribed(t.orgB.users.viewer.token);
    const positionsOnly = await subscribed(t.orgA.users.admin.token, ['positions']);
    try {
      const forA = frame(t.orgA.id);
      const forB = frame(t.orgB.id);
      t.platform.bus.publish('alert', forA);
      t.platform.bus.publish('alert', forB);
      const got = await a.next('alert', (f) => f.alert.id === forA.alert.id);
      expect(got).toEqual({ type: 'alert', change: 'opened', alert: forA.alert });
      await b.next('alert', (f) => f.alert.id === forB.alert.id);
      // A socket delivers in order: each saw the other's alert by now, had it been sent.
      const lastA = frame(t.orgA.id);
      const lastB = frame(t.orgB.id);
      t.platform.bus.publish('alert', lastB);
      t.platform.bus.publish('alert', lastA);
      await a.next('alert', (f) => f.alert.id === lastA.alert.id);
      await b.next('alert', (f) => f.alert.id === lastB.alert.id);
      expect(alertFrames(a)).toEqual([forA.alert.id, lastA.alert.id]);
      expect(alertFrames(b)).toEqual([forB.alert.id, lastB.alert.id]);
      expect(alertFrames(positionsOnly)).toEqual([]);
    } finally {
      a.close();
      b.close();
      positionsOnly.close();
    }
  });

  it('a change people make through the API is streamed once it is stored', async () => {
    const c = await subscribed(t.orgA.users.viewer.token);
    const other = await subscribed(t.orgB.users.admin.token);
    try {
      const id = await insertAlert();
      const res = await act(id, 'acknowledge');
      expect(res.status).toBe(200);
      const got = await c.next('alert', (f) => f.alert.id === id);
      expect(got.change).toBe('updated');
      expect(got.alert).toMatchObject({ id, state: 'acknowledged', acknowledgedBy: dispatcher().id });
      const sentinel = frame(t.orgB.id);
      t.platform.bus.publish('alert', sentinel);
      await other.next('alert', (f) => f.alert.id === sentinel.alert.id);
      expect(alertFrames(other)).toEqual([sentinel.alert.id]);
    } finally {
      c.close();
      other.close();
    }
  });

  it('a user with a department scope gets the alerts of the devices they see only', async () => {
    const sales = (
      await json<{ id: string }>('POST', '/api/v1/departments', admin(), { name: `Hub sales ${run}` })
    ).id;
    const van = (
      await json<{ id: string }>('POST', '/api/v1/vehicles', admin(), {
        name: `Hub van ${run}`,
        departmentId: sales,
      })
    ).id;
    const otherVan = (
      await json<{ id: string }>('POST', '/api/v1/vehicles', admin(), { name: `Hub other ${run}` })
    ).id;
    const mine = await t.orgA.provision();
    const theirs = await t.orgA.provision();
    await json('POST', `/api/v1/assets/${van}/installations`, admin(), { deviceId: mine.id });
    await json('POST', `/api/v1/assets/${otherVan}/installations`, admin(), { deviceId: theirs.id });
    const email = `scoped.hub.${randomUUID().slice(0, 8)}@example.test`;
    await json('POST', '/api/v1/users', admin(), {
      email,
      name: 'Scoped viewer',
      role: 'viewer',
      password: TEST_PASSWORD,
      departmentId: sales,
      departmentScope: true,
    });
    const scoped = await subscribed(await t.login(email));
    const everyone = await subscribed(t.orgA.users.viewer.token);
    try {
      const ofTheirs = frame(t.orgA.id, theirs.id);
      const noDevice = frame(t.orgA.id, null);
      const ofMine = frame(t.orgA.id, mine.id);
      for (const f of [ofTheirs, noDevice, ofMine]) t.platform.bus.publish('alert', f);
      await scoped.next('alert', (f) => f.alert.id === ofMine.alert.id);
      await everyone.next('alert', (f) => f.alert.id === ofMine.alert.id);
      expect(alertFrames(scoped)).toEqual([ofMine.alert.id]);
      expect(alertFrames(everyone)).toEqual([ofTheirs.alert.id, noDevice.alert.id, ofMine.alert.id]);
    } finally {
      scoped.close();
      everyone.close();
    }
  });

  it('a handler that throws is a counted fault, and the next alert still goes out', async () => {
    const c = await subscribed(t.orgA.users.viewer.token);
    try {
      // An alert that cannot be serialised (a BigInt in details) costs that alert only.
      const bad = frame(t.orgA.id);
      (bad.alert.details as Record<string, unknown>).big = 1n;
      t.platform.bus.publish('alert', bad);
      const good = frame(t.orgA.id);
      t.platform.bus.publish('alert', good);
      await c.next('alert', (f) => f.alert.id === good.alert.id);
      expect(alertFrames(c)).toEqual([good.alert.id]);
      const metrics = await t.platform.metrics.getSingleMetricAsString('fleet_unexpected_errors_total');
      expect(metrics).toMatch(/boundary="bus",site="hub\.alert"} [1-9]/);
    } finally {
      c.close();
    }
  });
});

describe('on PostgreSQL (the API tests above run on PGlite)', () => {
  it('of many people acknowledging at once exactly one wins, and another organisation sees nothing', async () => {
    const database = await freshPostgresDatabase();
    const db = await openDatabase({ url: database.url, maxConnections: 6 });
    try {
      await migrate(db);
      const registry = new DeviceRegistry(db);
      const a = await registry.ensureOrganisation('alerts-a');
      const b = await registry.ensureOrganisation('alerts-b');
      const users = new UserDirectory(db);
      const people = await Promise.all(
        ['one', 'two', 'three', 'four', 'five'].map((n) =>
          users.create(a.id, {
            email: `${n}@alerts.test`,
            name: n,
            role: 'dispatcher',
            password: TEST_PASSWORD,
          }),
        ),
      );
      const id = await insertAlert({ orgId: a.id }, db);
      const outcomes = await Promise.allSettled(
        people.map((p) => new Alerts(db, a.id).acknowledge(id, p.id)),
      );
      const won = outcomes.filter((o) => o.status === 'fulfilled');
      expect(won).toHaveLength(1);
      for (const o of outcomes)
        if (o.status === 'rejected') expect((o.reason as { code?: string }).code).toBe('conflict');
      const rows = await db.query<{ n: number | string }>(
        "select count(*) as n from alert_activity where alert_id = $1 and action = 'acknowledged'",
        [id],
      );
      expect(Number(rows[0]?.n)).toBe(1);
      // Row-level security: the other organisation finds nothing and changes nothing.
      const theirs = new Alerts(db, b.id);
      expect(await theirs.get(id)).toBeUndefined();
      expect(await theirs.resolve(id, people[0]?.id ?? '', null)).toBeUndefined();
      expect((await theirs.page({ includeSuppressed: true }, 10)).items).toEqual([]);
      expect((await theirs.summary()).total).toBe(0);
      // A scoped caller of org a without the alert's asset in scope does not find it either.
      const dept = await db.query<{ id: string }>(
        "insert into departments (org_id, name) values ($1, 'Nowhere') returning id::text as id",
        [a.id],
      );
      const hidden = await withDepartmentScope(dept[0]?.id, () => new Alerts(db, a.id).get(id));
      expect(hidden).toBeUndefined();
      expect((await new Alerts(db, a.id).get(id))?.state).toBe('acknowledged');
    } finally {
      await db.close();
      await database.drop();
    }
  });
});
