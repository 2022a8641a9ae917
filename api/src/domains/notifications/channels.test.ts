// Notification channels through the real API and database: webhooks and email lists created,
// read, changed, removed; the webhook secret shown once, sealed at rest and masked in the audit
// log, rotated; a test send that a receiver checks the documented way; the delivery log; "send
// again"; garbage refused with the field named and generated garbage never a 5xx; roles; and
// another organisation's channels and notifications are 404 everywhere.
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, TEST_PASSWORD, type TestApi } from '../../../../test/api-support.ts';
import { fuzzParameters } from '../../../../test/fuzz.ts';
import { documentedVerifier, insertAlert, WebhookReceiver } from './test-servers.ts';

let t: TestApi;
let receiver: WebhookReceiver;
beforeAll(async () => {
  t = await startTestApi();
  // This file drives the API's own dispatcher through its routes only; keep it from sending.
  await t.api.notifications.dispatcher.stop();
  receiver = await new WebhookReceiver(await documentedVerifier(), Date.now).start();
});
afterAll(async () => {
  await receiver?.close();
  await t?.close();
});

interface ChannelBody {
  id: string;
  name: string;
  kind: 'webhook' | 'email';
  enabled: boolean;
  url: string | null;
  emailTo: string[] | null;
  minSeverity: string;
  kinds: string[];
  events: string[];
  notifyLate: boolean;
  groupWindowS: number;
  createdAt: string;
  updatedAt: string;
}
interface WithSecret {
  channel: ChannelBody;
  secret: string | null;
}
interface ErrorReply {
  error: { code: string; message: string; details?: { path: string; message: string }[] };
}
interface Delivery {
  id: string;
  type: string;
  delivered: boolean;
  statusCode: number | null;
  error: string | null;
  requestId: string;
  outbox: { id: string; alertId: string; event: string; state: string; attempts: number }[];
}

const run = randomUUID().slice(0, 6);
const named = (name: string) => `${name} ${run}`;
const manager = () => t.orgA.users.fleet_manager.token;
const BASE = '/api/v1/notification-channels';

async function create(body: unknown, token = manager()) {
  return t.request<WithSecret & ErrorReply>('POST', BASE, { token, body });
}
async function created(body: unknown, token = manager()): Promise<WithSecret> {
  const res = await create(body, token);
  if (res.status !== 201) throw new Error(`create: ${res.status} ${res.text}`);
  return res.body;
}
const webhook = (name: string, extra: Record<string, unknown> = {}) => ({
  kind: 'webhook',
  name: named(name),
  url: receiver.url,
  ...extra,
});

describe('notification channels', () => {
  it('are created as webhooks with a secret shown once and sealed at rest, and as email lists', async () => {
    const hook = await created(webhook('Ops hook', { kinds: ['offline', 'offline', 'power_cut'] }));
    expect(hook.secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(hook.channel).toMatchObject({
      name: named('Ops hook'),
      kind: 'webhook',
      enabled: true,
      url: receiver.url,
      emailTo: null,
      minSeverity: 'warning',
      kinds: ['offline', 'power_cut'],
      events: ['opened'],
      notifyLate: true,
      groupWindowS: 0,
    });
    const read = await t.request<ChannelBody>('GET', `${BASE}/${hook.channel.id}`, {
      token: t.orgA.users.admin.token,
    });
    expect(read.status).toBe(200);
    expect(read.body).toEqual(hook.channel);
    expect(read.text).not.toContain(hook.secret);
    // Sealed: the database holds no plaintext, and the audit log says only that a secret was set.
    const rows = await t.platform.db.query<{ secret_ciphertext: Uint8Array }>(
      'select secret_ciphertext from notification_channels where id = $1',
      [hook.channel.id],
    );
    expect(Buffer.from(rows[0]?.secret_ciphertext ?? []).toString('latin1')).not.toContain(hook.secret);
    const audit = await t.platform.db.query<{ action: string; after: Record<string, unknown> }>(
      "select action, after from audit_log where entity = 'notification_channel' and entity_id = $1",
      [hook.channel.id],
    );
    expect(audit).toHaveLength(1);
    expect(audit[0]?.after).toMatchObject({ secret_ciphertext: '[secret]', name: named('Ops hook') });

    const mail = await created({
      kind: 'email',
      name: named('Night shift'),
      emailTo: [' ann@example.com', 'bob@example.com', 'ANN@example.com'],
      minSeverity: 'critical',
      events: ['resolved', 'opened'],
      notifyLate: false,
      groupWindowS: 120,
    });
    expect(mail.secret).toBeNull();
    expect(mail.channel).toMatchObject({
      kind: 'email',
      url: null,
      emailTo: ['ann@example.com', 'bob@example.com'],
      minSeverity: 'critical',
      events: ['opened', 'resolved'],
      notifyLate: false,
      groupWindowS: 120,
    });
    const list = await t.request<{ items: ChannelBody[] }>('GET', BASE, { token: manager() });
    const mine = list.body.items.filter((c) => c.name.endsWith(run)).map((c) => c.name);
    expect(mine).toEqual([named('Night shift'), named('Ops hook')]);
    // Names are unique whatever the case.
    const again = await create(webhook('OPS HOOK'));
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('conflict');
  });

  it('send a test that the receiver verifies with the secret, logged; a rotated secret replaces the old', async () => {
    const hook = await created(webhook('Tested hook'));
    receiver.secret = hook.secret ?? '';
    const before = receiver.requests.length;
    const test = await t.request<{ delivered: boolean; statusCode: number; requestId: string }>(
      'POST',
      `${BASE}/${hook.channel.id}/test`,
      { token: manager() },
    );
    expect(test.status).toBe(200);
    expect(test.body).toMatchObject({ delivered: true, statusCode: 204 });
    const got = receiver.requests[before];
    expect(got?.valid).toBe(true);
    expect(got?.headers['content-type']).toBe('application/json');
    expect(got?.headers['x-fleet-id']).toBe(test.body.requestId);
    expect(got?.json).toMatchObject({ id: test.body.requestId, type: 'test', alerts: [] });

    const rotated = await t.request<WithSecret>('POST', `${BASE}/${hook.channel.id}/rotate-secret`, {
      token: t.orgA.users.admin.token,
    });
    expect(rotated.status).toBe(200);
    expect(rotated.body.secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(rotated.body.secret).not.toBe(hook.secret);
    await t.request('POST', `${BASE}/${hook.channel.id}/test`, { token: manager() });
    expect(receiver.requests.at(-1)?.valid).toBe(false); // still checked with the old secret
    receiver.secret = rotated.body.secret ?? '';
    await t.request('POST', `${BASE}/${hook.channel.id}/test`, { token: manager() });
    expect(receiver.requests.at(-1)?.valid).toBe(true);

    // A receiver that refuses: not delivered, and why.
    receiver.answer = () => ({ status: 503 });
    try {
      const refused = await t.request<{ delivered: boolean; statusCode: number; error: string }>(
        'POST',
        `${BASE}/${hook.channel.id}/test`,
        { token: manager() },
      );
      expect(refused.body).toMatchObject({ delivered: false, statusCode: 503 });
      expect(refused.body.error).toMatch(/^HTTP 503: answer 503/);
    } finally {
      receiver.answer = () => ({ status: 204 });
    }
    const log = await t.request<{ items: Delivery[]; nextCursor: string | null }>(
      'GET',
      `${BASE}/${hook.channel.id}/deliveries?limit=3`,
      { token: manager() },
    );
    expect(log.status).toBe(200);
    expect(log.body.items.map((d) => [d.type, d.delivered, d.statusCode])).toEqual([
      ['test', false, 503],
      ['test', true, 204],
      ['test', true, 204],
    ]);
    expect(log.body.items[0]?.requestId).toBe(receiver.requests.at(-1)?.headers['x-fleet-id']);
    expect(log.body.nextCursor).not.toBeNull();
    const older = await t.request<{ items: Delivery[]; nextCursor: string | null }>(
      'GET',
      `${BASE}/${hook.channel.id}/deliveries?before=${log.body.nextCursor}`,
      { token: manager() },
    );
    expect(older.body.items.map((d) => d.requestId)).toEqual([test.body.requestId]);
    expect(older.body.nextCursor).toBeNull();
  });

  it('of email cannot send without SMTP_URL and say so', async () => {
    const mail = await created({ kind: 'email', name: named('No SMTP'), emailTo: ['ops@example.com'] });
    const test = await t.request<{ delivered: boolean; error: string }>(
      'POST',
      `${BASE}/${mail.channel.id}/test`,
      {
        token: manager(),
      },
    );
    expect(test.status).toBe(200);
    expect(test.body.delivered).toBe(false);
    expect(test.body.error).toMatch(/SMTP_URL/);
    const rotate = await t.request<ErrorReply>('POST', `${BASE}/${mail.channel.id}/rotate-secret`, {
      token: manager(),
    });
    expect(rotate.status).toBe(409);
  });

  it('are changed, switched off and removed', async () => {
    const hook = await created(webhook('To change'));
    const patch = (body: unknown, id = hook.channel.id) =>
      t.request<ChannelBody & ErrorReply>('PATCH', `${BASE}/${id}`, { token: manager(), body });
    const changed = await patch({
      name: named('Changed'),
      enabled: false,
      minSeverity: 'info',
      kinds: ['crash'],
      events: ['resolved'],
      groupWindowS: 3600,
      url: 'https://hooks.example.com/new',
    });
    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({
      name: named('Changed'),
      enabled: false,
      minSeverity: 'info',
      kinds: ['crash'],
      events: ['resolved'],
      groupWindowS: 3600,
      url: 'https://hooks.example.com/new',
    });
    expect(changed.body.createdAt).toBe(hook.channel.createdAt);
    expect((await patch({})).status).toBe(400);
    const kind = await patch({ kind: 'email' });
    expect(kind.body.error.details?.[0]).toMatchObject({ path: 'body.kind', message: /keeps its kind/ });
    const wrong = await patch({ emailTo: ['a@example.com'] });
    expect(wrong.status).toBe(400);
    expect(wrong.body.error.details?.[0]).toMatchObject({
      path: 'body.emailTo',
      message: /only email channels/,
    });
    const mail = await created({ kind: 'email', name: named('Mail to change'), emailTo: ['a@example.com'] });
    const noUrl = await patch({ url: 'https://example.com/' }, mail.channel.id);
    expect(noUrl.body.error.details?.[0]).toMatchObject({
      path: 'body.url',
      message: /only webhook channels/,
    });
    expect(
      (await patch({ emailTo: ['b@example.com', 'c@example.com'] }, mail.channel.id)).body.emailTo,
    ).toEqual(['b@example.com', 'c@example.com']);
    expect((await patch({ name: named('mail TO CHANGE') })).status).toBe(409);

    const removed = await t.request('DELETE', `${BASE}/${hook.channel.id}`, {
      token: t.orgA.users.admin.token,
    });
    expect(removed.status).toBe(200);
    for (const [method, path] of [
      ['GET', ''],
      ['DELETE', ''],
      ['POST', '/test'],
      ['POST', '/rotate-secret'],
      ['GET', '/deliveries'],
    ] as const)
      expect(
        (await t.request(method, `${BASE}/${hook.channel.id}${path}`, { token: manager() })).status,
      ).toBe(404);
    expect((await patch({ name: 'gone' })).status).toBe(404);
  });
});

describe('send again', () => {
  it('puts a delivered or dead notification back to pending; pending and skipped ones are 409', async () => {
    const hook = await created(webhook('Resend hook', { minSeverity: 'info' }));
    const alertId = await insertAlert(t.platform.db, { orgId: t.orgA.id });
    const rows = await t.platform.db.query<{ id: string; state: string }>(
      'select id::text as id, state from notification_outbox where channel_id = $1',
      [hook.channel.id],
    );
    expect(rows).toHaveLength(1);
    const id = rows[0]?.id ?? '';
    const resend = () =>
      t.request<{ id: string; state: string; attempts: number; alertId: string } & ErrorReply>(
        'POST',
        `/api/v1/notification-deliveries/${id}/resend`,
        { token: manager() },
      );
    expect((await resend()).status).toBe(409); // still pending
    for (const state of ['delivered', 'dead'] as const) {
      await t.platform.db.query('update notification_outbox set state = $2, attempts = 7 where id = $1', [
        id,
        state,
      ]);
      const again = await resend();
      expect(again.status, state).toBe(200);
      expect(again.body).toMatchObject({ id, alertId, state: 'pending', attempts: 0 });
    }
    await t.platform.db.query("update notification_outbox set state = 'skipped' where id = $1", [id]);
    const skipped = await resend();
    expect(skipped.status).toBe(409);
    expect(skipped.body.error.message).toMatch(/skipped/);
    expect(
      (await t.request('POST', '/api/v1/notification-deliveries/999999999999/resend', { token: manager() }))
        .status,
    ).toBe(404);
    for (const bad of ['0', '-1', 'abc', '99999999999999999999', '1.5'])
      expect(
        (await t.request('POST', `/api/v1/notification-deliveries/${bad}/resend`, { token: manager() }))
          .status,
        bad,
      ).toBe(400);
    // Another organisation's notification does not exist for them.
    await t.platform.db.query("update notification_outbox set state = 'dead' where id = $1", [id]);
    const theirs = await t.request('POST', `/api/v1/notification-deliveries/${id}/resend`, {
      token: t.orgB.users.admin.token,
    });
    expect(theirs.status).toBe(404);
  });
});

describe('bad input', () => {
  const good = { kind: 'webhook', name: 'fine', url: 'https://hooks.example.com/x' };

  it('is refused with 400 and the field named', async () => {
    const cases: [unknown, string, RegExp][] = [
      [{ ...good, kind: 'sms' }, 'body.kind', /webhook or email/],
      [{ ...good, name: '  ' }, 'body.name', /1\.\.100/],
      [{ ...good, name: 'x'.repeat(101) }, 'body.name', /1\.\.100/],
      [{ ...good, url: 'ftp://example.com/x' }, 'body.url', /https:\/\/ or http:\/\//],
      [{ ...good, url: 'https://me:secret@example.com/x' }, 'body.url', /no user name or password/],
      [{ ...good, url: `https://example.com/${'a'.repeat(2000)}` }, 'body.url', /at most 2000/],
      [{ ...good, url: 'not a url' }, 'body.url', /https:\/\//],
      [{ ...good, url: undefined }, 'body.url', /text/],
      [{ ...good, emailTo: ['a@example.com'] }, 'body', /emailTo/],
      [{ kind: 'email', name: 'm', emailTo: [] }, 'body.emailTo', /1\.\.20/],
      [
        { kind: 'email', name: 'm', emailTo: Array.from({ length: 21 }, (_, i) => `a${i}@x.com`) },
        'body.emailTo',
        /1\.\.20/,
      ],
      [{ kind: 'email', name: 'm', emailTo: ['not-an-address'] }, 'body.emailTo.0', /email address/],
      [{ kind: 'email', name: 'm', emailTo: 'a@example.com' }, 'body.emailTo', /list/],
      [{ ...good, kinds: ['overspeed', 'teleport'] }, 'body.kinds.1', /kind is one of/],
      [{ ...good, events: [] }, 'body.events', /at least one event/],
      [{ ...good, events: ['closed'] }, 'body.events.0', /opened, resolved/],
      [{ ...good, minSeverity: 'high' }, 'body.minSeverity', /info, warning, critical/],
      [{ ...good, groupWindowS: 3601 }, 'body.groupWindowS', /0\.\.3600/],
      [{ ...good, groupWindowS: -1 }, 'body.groupWindowS', /0\.\.3600/],
      [{ ...good, groupWindowS: 1.5 }, 'body.groupWindowS', /whole seconds/],
      [{ ...good, notifyLate: 'yes' }, 'body.notifyLate', /true or false/],
      [{ ...good, secret: 'mine' }, 'body', /secret/],
      [{ ...good, orgId: randomUUID() }, 'body', /orgId/],
    ];
    for (const [body, path, message] of cases) {
      const res = await create(body);
      expect(res.status, JSON.stringify(body).slice(0, 100)).toBe(400);
      const detail = res.body.error.details?.find((d) => d.path === path);
      expect(detail?.message, `${path} in ${JSON.stringify(res.body.error.details)}`).toMatch(message);
    }
  });

  it('generated at random never makes a 5xx on any channel route', async () => {
    const hook = await created(webhook('Fuzz target'));
    const { seed, runs } = fuzzParameters('notification channel routes', 120);
    const value = fc.oneof(
      fc.string(),
      fc.integer(),
      fc.double(),
      fc.boolean(),
      fc.constant(null),
      fc.array(fc.oneof(fc.string(), fc.constantFrom('overspeed', 'opened', 'a@b.co'))),
      fc.webUrl(),
    );
    const body = fc.oneof(
      fc.record(
        {
          kind: fc.oneof(fc.constantFrom('webhook', 'email'), fc.string()),
          name: fc.string({ maxLength: 120 }),
          url: fc.oneof(fc.webUrl({ withQueryParameters: true, withFragments: true }), fc.string()),
          emailTo: fc.array(fc.oneof(fc.emailAddress(), fc.string()), { maxLength: 25 }),
          minSeverity: value,
          kinds: value,
          events: value,
          notifyLate: value,
          groupWindowS: value,
          enabled: value,
        },
        { requiredKeys: [] },
      ),
      fc.dictionary(fc.string({ maxLength: 12 }), value),
      fc.jsonValue(),
    );
    await fc.assert(
      fc.asyncProperty(
        body,
        fc.constantFrom('create', 'patch'),
        fc.oneof(fc.constant(hook.channel.id), fc.uuid(), fc.string({ maxLength: 40 })),
        async (payload, route, id) => {
          const res =
            route === 'create'
              ? await t.request('POST', BASE, { token: manager(), body: payload })
              : await t.request('PATCH', `${BASE}/${encodeURIComponent(id)}`, {
                  token: manager(),
                  body: payload,
                });
          expect(res.status, `${route} ${JSON.stringify(payload)}: ${res.text}`).toBeLessThan(500);
          if (route === 'create' && res.status === 201)
            await t.request('DELETE', `${BASE}/${(res.body as WithSecret).channel.id}`, { token: manager() });
        },
      ),
      { seed, numRuns: runs },
    );
    await fc.assert(
      fc.asyncProperty(fc.string({ maxLength: 40 }), fc.string({ maxLength: 40 }), async (before, limit) => {
        const q = `before=${encodeURIComponent(before)}&limit=${encodeURIComponent(limit)}`;
        const res = await t.request('GET', `${BASE}/${hook.channel.id}/deliveries?${q}`, {
          token: manager(),
        });
        expect(res.status, q).toBeLessThan(500);
      }),
      { seed, numRuns: runs },
    );
  });
});

describe('who may', () => {
  it('manage channels and read the log: administrators and fleet managers of the organisation only', async () => {
    const hook = await created(webhook('Roles hook'));
    for (const [role, user] of Object.entries(t.orgA.users)) {
      const allowed = role === 'admin' || role === 'fleet_manager';
      const list = await t.request('GET', BASE, { token: user.token });
      expect(list.status, role).toBe(allowed ? 200 : 403);
      const log = await t.request('GET', `${BASE}/${hook.channel.id}/deliveries`, { token: user.token });
      expect(log.status, role).toBe(allowed ? 200 : 403);
      const made = await create(webhook(`by ${role}`), user.token);
      expect(made.status, role).toBe(allowed ? 201 : 403);
    }
  });

  it('not a user limited to a department: a channel hears the whole organisation', async () => {
    const dept = await t.request<{ id: string }>('POST', '/api/v1/departments', {
      token: t.orgA.users.admin.token,
      body: { name: named('Channels: North'), parentId: null },
    });
    expect(dept.status, dept.text).toBe(201);
    const email = `scoped.channels.${run}@example.test`;
    const user = await t.request('POST', '/api/v1/users', {
      token: t.orgA.users.admin.token,
      body: {
        email,
        name: 'Scoped manager',
        role: 'fleet_manager',
        password: TEST_PASSWORD,
        departmentId: dept.body.id,
        departmentScope: true,
      },
    });
    expect(user.status, user.text).toBe(201);
    const token = await t.login(email);
    const listed = await t.request<ErrorReply>('GET', '/api/v1/notification-channels', { token });
    expect(listed.status).toBe(403);
    expect(listed.body.error.message).toMatch(/whole organisation/);
    const made = await t.request('POST', '/api/v1/notification-channels', {
      token,
      body: { name: named('North mail'), kind: 'email', emailTo: ['north@example.test'] },
    });
    expect(made.status).toBe(403);
    const existing = {
      body: (await created({ name: named('Org mail'), kind: 'email', emailTo: ['all@example.test'] }))
        .channel,
    };
    for (const [method, path] of [
      ['GET', `/api/v1/notification-channels/${existing.body.id}`],
      ['DELETE', `/api/v1/notification-channels/${existing.body.id}`],
      ['GET', `/api/v1/notification-channels/${existing.body.id}/deliveries`],
    ] as const) {
      const res = await t.request(method, path, { token });
      expect(res.status, `${method} ${path}`).toBe(403);
    }
    // The unscoped manager still sees the channel the scoped one could not remove.
    const still = await t.request('GET', `/api/v1/notification-channels/${existing.body.id}`, {
      token: manager(),
    });
    expect(still.status).toBe(200);
  });

  it("not see another organisation's channels: 404 on every route, absent from lists", async () => {
    const hook = await created(webhook('Private hook'));
    const theirs = t.orgB.users.admin.token;
    const path = `${BASE}/${hook.channel.id}`;
    for (const [method, suffix, body] of [
      ['GET', '', undefined],
      ['PATCH', '', { name: 'stolen' }],
      ['DELETE', '', undefined],
      ['POST', '/test', undefined],
      ['POST', '/rotate-secret', undefined],
      ['GET', '/deliveries', undefined],
    ] as const) {
      const res = await t.request(method, `${path}${suffix}`, { token: theirs, ...(body ? { body } : {}) });
      expect(res.status, `${method} ${suffix}`).toBe(404);
    }
    const list = await t.request<{ items: ChannelBody[] }>('GET', BASE, { token: theirs });
    expect(list.body.items.map((c) => c.id)).not.toContain(hook.channel.id);
    // Still there, unchanged, for its own organisation.
    const mine = await t.request<ChannelBody>('GET', path, { token: manager() });
    expect(mine.body.name).toBe(named('Private hook'));
    // An alert of B reaches none of A's channels.
    await insertAlert(t.platform.db, { orgId: t.orgB.id, severity: 'critical' });
    const queued = await t.platform.db.query<{ n: string | number }>(
      'select count(*) as n from notification_outbox where channel_id = $1',
      [hook.channel.id],
    );
    expect(Number(queued[0]?.n)).toBe(0);
  });
});
