// The REST API end to end: the real uWS server on a free port, real HTTP, the real broker and
// QuestDB. Every route's happy path and errors, the role x route permission table, tenant
// isolation between two organisations, and hostile input.

import type { AnyRoute } from '@fleet/api';
import { DeviceEventKind, encodeDeviceEvent, encodeTelemetryBatch } from '@fleet/proto';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, TEST_PASSWORD, type TestApi } from '../../test/api-support.ts';
import { connackCode, connectDevice, waitForRows } from '../../test/support.ts';

let t: TestApi;
beforeAll(async () => {
  t = await startTestApi();
});
afterAll(async () => {
  await t?.close();
});

const admin = () => t.orgA.users.admin.token;

describe('auth', () => {
  it('logs in, sets an HttpOnly refresh cookie, and /me names the user and organisation', async () => {
    const email = t.orgA.users.viewer.email;
    const res = await t.request<{ token: string; expiresAt: number; user: { email: string; role: string } }>(
      'POST',
      '/api/v1/auth/login',
      { body: { email: email.toUpperCase(), password: TEST_PASSWORD } },
    );
    expect(res.status).toBe(200);
    expect(res.body.user).toMatchObject({ email, role: 'viewer' });
    expect(res.body.expiresAt).toBeGreaterThan(Date.now());
    const [cookie = '', hint = ''] = res.headers.getSetCookie();
    expect(cookie).toMatch(
      /^fleet_refresh=frt_[\w-]+; Path=\/api\/v1\/auth; Max-Age=\d+; HttpOnly; SameSite=Strict$/,
    );
    // The console's hint that a session may exist: readable, and nothing secret in it.
    expect(hint).toMatch(/^fleet_session=1; Path=\/; Max-Age=\d+; SameSite=Strict$/);
    expect(JSON.stringify(res.body)).not.toMatch(/password|hash/i);
    const me = await t.request<{ user: { email: string }; organisation: { id: string } }>(
      'GET',
      '/api/v1/me',
      {
        token: res.body.token,
      },
    );
    expect(me.status).toBe(200);
    expect(me.body.user.email).toBe(email);
    expect(me.body.organisation.id).toBe(t.orgA.id);
  });

  it('a wrong password and an unknown account get the same answer', async () => {
    const wrong = await t.request('POST', '/api/v1/auth/login', {
      body: { email: t.orgA.users.mechanic.email, password: 'not the password' },
    });
    const unknown = await t.request('POST', '/api/v1/auth/login', {
      body: { email: 'nobody@example.test', password: 'not the password' },
    });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(wrong.body).toEqual(unknown.body);
    expect(wrong.body).toEqual({
      error: { code: 'invalid_credentials', message: 'Wrong email or password.' },
    });
  });

  it('refresh rotates the cookie; replaying an old one ends the session', async () => {
    const login = await t.request<{ token: string }>('POST', '/api/v1/auth/login', {
      body: { email: t.orgA.users.dispatcher.email, password: TEST_PASSWORD },
    });
    const first = (login.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    const refreshed = await t.request<{ token: string }>('POST', '/api/v1/auth/refresh', {
      headers: { cookie: first },
    });
    expect(refreshed.status).toBe(200);
    const second = (refreshed.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    expect(second).not.toBe(first);
    expect((await t.request('GET', '/api/v1/me', { token: refreshed.body.token })).status).toBe(200);
    // The first cookie again: a stolen copy. The whole session ends, new tokens included.
    const replay = await t.request('POST', '/api/v1/auth/refresh', { headers: { cookie: first } });
    expect(replay.status).toBe(401);
    // A refusal clears both cookies, so the console stops trying to restore the session.
    expect(replay.headers.getSetCookie().map((c) => c.split(';')[0])).toEqual([
      'fleet_refresh=',
      'fleet_session=',
    ]);
    expect((await t.request('GET', '/api/v1/me', { token: refreshed.body.token })).status).toBe(401);
    expect((await t.request('POST', '/api/v1/auth/refresh', { headers: { cookie: second } })).status).toBe(
      401,
    );
    expect((await t.request('POST', '/api/v1/auth/refresh')).status).toBe(401);
  });

  it('logout revokes the access token and the refresh cookie at once', async () => {
    const login = await t.request<{ token: string }>('POST', '/api/v1/auth/login', {
      body: { email: t.orgA.users.fleet_manager.email, password: TEST_PASSWORD },
    });
    const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    const out = await t.request('POST', '/api/v1/auth/logout', { token: login.body.token });
    expect(out.status).toBe(200);
    expect(out.headers.get('set-cookie')).toMatch(/^fleet_refresh=; .*Max-Age=0/);
    expect(out.headers.getSetCookie()[1]).toMatch(/^fleet_session=; Path=\/; Max-Age=0/);
    expect((await t.request('GET', '/api/v1/me', { token: login.body.token })).status).toBe(401);
    expect((await t.request('POST', '/api/v1/auth/refresh', { headers: { cookie } })).status).toBe(401);
  });

  it('refuses bad, forged, alg=none and expired tokens with a clear code', async () => {
    const secret = new TextEncoder().encode(t.platform.config.AUTH_JWT_SECRET ?? '');
    const claims = { org: t.orgA.id, role: 'admin', sid: crypto.randomUUID() };
    const sign = (key: Uint8Array, exp: number) =>
      new SignJWT(claims)
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject(t.orgA.users.admin.id)
        .setIssuer('fleet-platform')
        .setAudience('fleet-api')
        .setIssuedAt(exp - 60)
        .setExpirationTime(exp)
        .sign(key);
    const now = Math.floor(Date.now() / 1000);
    const expired = await sign(secret, now - 10);
    const forged = await sign(new TextEncoder().encode('another-key-another-key-another-key!!'), now + 600);
    const none = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from(JSON.stringify({ ...claims, sub: t.orgA.users.admin.id, exp: now + 600 })).toString('base64url')}.`;
    const cases: [string | undefined, string][] = [
      [undefined, 'unauthorized'],
      ['garbage', 'unauthorized'],
      [forged, 'unauthorized'],
      [none, 'unauthorized'],
      [expired, 'token_expired'],
    ];
    for (const [token, code] of cases) {
      const res = await t.request<{ error: { code: string } }>(
        'GET',
        '/api/v1/devices',
        token ? { token } : {},
      );
      expect(res.status, String(token)).toBe(401);
      expect(res.body.error.code).toBe(code);
    }
    const basic = await t.request('GET', '/api/v1/devices', {
      headers: { authorization: `Basic ${admin()}` },
    });
    expect(basic.status).toBe(401);
  });
});

describe('failed logins are rate-limited', () => {
  let limited: TestApi;
  /** The dispatcher's browser, which signed in before any failure: its device cookie. */
  let knownBrowser = '';
  beforeAll(async () => {
    limited = await startTestApi({ AUTH_LOGIN_MAX_FAILURES: 3, AUTH_LOGIN_MAX_FAILURES_PER_ADDRESS: 8 });
    const first = await limited.request('POST', '/api/v1/auth/login', {
      body: { email: limited.orgA.users.dispatcher.email, password: TEST_PASSWORD },
    });
    const device = first.headers.getSetCookie().find((c) => c.startsWith('fleet_device='));
    expect(device).toMatch(/; HttpOnly; SameSite=Strict/);
    knownBrowser = (device ?? '').split(';')[0] ?? '';
  });
  afterAll(async () => {
    await limited?.close();
  });

  it('per account: after the limit even the right password gets 429 with Retry-After', async () => {
    const email = limited.orgA.users.viewer.email;
    for (let i = 0; i < 3; i++) {
      expect(
        (await limited.request('POST', '/api/v1/auth/login', { body: { email, password: 'wrong-password' } }))
          .status,
      ).toBe(401);
    }
    const blocked = await limited.request<{ error: { code: string } }>('POST', '/api/v1/auth/login', {
      body: { email, password: TEST_PASSWORD },
    });
    expect(blocked.status).toBe(429);
    expect(blocked.body.error.code).toBe('too_many_requests');
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0);
    // Another account from the same address is still fine (below the address limit).
    expect(
      (
        await limited.request('POST', '/api/v1/auth/login', {
          body: { email: limited.orgA.users.mechanic.email, password: TEST_PASSWORD },
        })
      ).status,
    ).toBe(200);
  });

  it('per address: spraying many accounts is cut off too', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++) {
      const res = await limited.request('POST', '/api/v1/auth/login', {
        body: { email: `spray-${i}@example.test`, password: 'wrong-password' },
      });
      statuses.push(res.status);
    }
    expect(statuses).toContain(429);
    const res = await limited.request('POST', '/api/v1/auth/login', {
      body: { email: limited.orgB.users.admin.email, password: TEST_PASSWORD },
    });
    expect(res.status).toBe(429);
  });

  it("others' failures never lock a user out of a browser that signed in before (device cookie)", async () => {
    const email = limited.orgA.users.dispatcher.email;
    const cookie = knownBrowser;
    // An attacker behind the same address fails on this account and sprays others.
    for (let i = 0; i < 10; i++) {
      await limited.request('POST', '/api/v1/auth/login', { body: { email, password: 'wrong-password' } });
      await limited.request('POST', '/api/v1/auth/login', {
        body: { email: `spray2-${i}@example.test`, password: 'wrong-password' },
      });
    }
    const unknownBrowser = await limited.request('POST', '/api/v1/auth/login', {
      body: { email, password: TEST_PASSWORD },
    });
    expect(unknownBrowser.status).toBe(429);
    const fromKnownBrowser = await limited.request('POST', '/api/v1/auth/login', {
      body: { email, password: TEST_PASSWORD },
      headers: { cookie },
    });
    expect(fromKnownBrowser.status).toBe(200);
    // A known browser gets no second device cookie; a forged one is just an unknown browser.
    expect(fromKnownBrowser.headers.getSetCookie().some((c) => c.startsWith('fleet_device='))).toBe(false);
    const forged = await limited.request('POST', '/api/v1/auth/login', {
      body: { email, password: TEST_PASSWORD },
      headers: { cookie: `${cookie.slice(0, -3)}abc` },
    });
    expect(forged.status).toBe(429);
  });
});

describe('behind a trusted reverse proxy', () => {
  let proxied: TestApi;
  beforeAll(async () => {
    proxied = await startTestApi({
      AUTH_LOGIN_MAX_FAILURES: 3,
      AUTH_LOGIN_MAX_FAILURES_PER_ADDRESS: 4,
      HTTP_TRUSTED_PROXIES: '127.0.0.1,::1',
    });
  });
  afterAll(async () => {
    await proxied?.close();
  });

  it("limits each client behind it by its forwarded address, not everyone by the proxy's", async () => {
    const fail = (forwardedFor: string, i: number) =>
      proxied.request('POST', '/api/v1/auth/login', {
        body: { email: `spray3-${i}@example.test`, password: 'wrong-password' },
        headers: { 'x-forwarded-for': forwardedFor },
      });
    for (let i = 0; i < 6; i++) await fail('203.0.113.9', i);
    expect((await fail('203.0.113.9', 99)).status).toBe(429);
    // Another client behind the same proxy; a spoofed entry further left changes nothing.
    const other = await proxied.request('POST', '/api/v1/auth/login', {
      body: { email: proxied.orgA.users.viewer.email, password: TEST_PASSWORD },
      headers: { 'x-forwarded-for': '203.0.113.9, 198.51.100.7' },
    });
    expect(other.status).toBe(200);
  });
});

describe('an email is unique per organisation', () => {
  it('another organisation may use an address, learns nothing about it, and each account signs in', async () => {
    const email = t.orgA.users.viewer.email;
    const created = await t.request<{ id: string }>('POST', '/api/v1/users', {
      token: t.orgB.users.admin.token,
      body: { email, name: 'Same address, other company', role: 'viewer', password: 'another long password' },
    });
    expect(created.status).toBe(201);
    // Each password signs in to its own organisation's account.
    const a = await t.request<{ user: { orgId: string } }>('POST', '/api/v1/auth/login', {
      body: { email, password: TEST_PASSWORD },
    });
    expect(a.body.user.orgId).toBe(t.orgA.id);
    const b = await t.request<{ user: { orgId: string } }>('POST', '/api/v1/auth/login', {
      body: { email, password: 'another long password' },
    });
    expect(b.body.user.orgId).toBe(t.orgB.id);
    // Within one organisation the address is still taken.
    const dup = await t.request('POST', '/api/v1/users', {
      token: t.orgB.users.admin.token,
      body: { email, name: 'Again', role: 'viewer', password: 'another long password' },
    });
    expect(dup.status).toBe(409);
  });

  it('the same password in two organisations asks which one, and the slug chooses', async () => {
    // '.a.' and '.b.': the lists of both organisations are checked for their own addresses.
    const email = `shared.a.b.${crypto.randomUUID().slice(0, 6)}@example.test`;
    for (const org of [t.orgA, t.orgB]) {
      const res = await t.request('POST', '/api/v1/users', {
        token: org.users.admin.token,
        body: { email, name: 'Freelancer', role: 'dispatcher', password: 'the same long password' },
      });
      expect(res.status).toBe(201);
    }
    const ambiguous = await t.request<{ error: { code: string; details: { path: string }[] } }>(
      'POST',
      '/api/v1/auth/login',
      { body: { email, password: 'the same long password' } },
    );
    expect(ambiguous.status).toBe(400);
    expect(ambiguous.body.error.details[0]?.path).toBe('body.organisation');
    const slug = (
      await t.platform.db.query<{ slug: string }>('select slug from organisations where id = $1', [t.orgB.id])
    )[0]?.slug;
    const chosen = await t.request<{ user: { orgId: string } }>('POST', '/api/v1/auth/login', {
      body: { email, password: 'the same long password', organisation: slug },
    });
    expect(chosen.status).toBe(200);
    expect(chosen.body.user.orgId).toBe(t.orgB.id);
    // A wrong password never reveals that the address has accounts in two organisations.
    const wrong = await t.request<{ error: { code: string } }>('POST', '/api/v1/auth/login', {
      body: { email, password: 'not the password' },
    });
    expect(wrong.body.error.code).toBe('invalid_credentials');
  });
});

describe('permissions: every route x every role', () => {
  it('answers 401 without a token and 403 exactly for the roles a route does not allow', async () => {
    const device = await t.orgA.provision();
    const fill = (path: string) =>
      path
        // Users: an id that exists nowhere, so allowed roles get 404 and nobody is deleted.
        .replace('{id}', path.startsWith('/api/v1/users') ? crypto.randomUUID() : device.id)
        .replace('{file}', 'init.js');
    const routes: readonly AnyRoute[] = t.api.routes;
    let checked = 0;
    for (const route of routes) {
      const path = fill(route.path);
      if (route.access === 'public') continue;
      const anonymous = await t.request(route.method.toUpperCase(), path);
      expect(anonymous.status, `${route.id} without a token`).toBe(401);
      for (const [role, user] of Object.entries(t.orgA.users)) {
        // No body and no query: an allowed role gets past the permission check to validation
        // (400) or an answer; a refused one gets 403 before anything else happens.
        const res = await t.request(route.method.toUpperCase(), path, { token: user.token });
        const allowed = route.access.includes(user.role);
        if (allowed) expect(res.status, `${route.id} as ${role}`).not.toBe(403);
        else expect(res.status, `${route.id} as ${role}`).toBe(403);
        checked++;
        if (route.id === 'logout' && allowed) user.token = await t.login(user.email);
      }
    }
    expect(checked).toBeGreaterThanOrEqual(15 * 5);
  });
});

describe('users', () => {
  it('admins create, read, change and remove users of their organisation', async () => {
    const email = `new.${crypto.randomUUID().slice(0, 6)}@example.test`;
    const created = await t.request<{ id: string; role: string }>('POST', '/api/v1/users', {
      token: admin(),
      body: { email, name: 'New Person', role: 'dispatcher', password: 'a long enough password' },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ role: 'dispatcher' });
    const dup = await t.request('POST', '/api/v1/users', {
      token: admin(),
      body: { email, name: 'Again', role: 'viewer', password: 'a long enough password' },
    });
    expect(dup.status).toBe(409);
    const list = await t.request<{ items: { email: string }[] }>('GET', '/api/v1/users', { token: admin() });
    expect(list.body.items.map((u) => u.email)).toContain(email);
    expect(list.body.items.every((u) => u.email.includes('.a.') || u.email === email)).toBe(true);
    const token = await t.login(email, 'a long enough password');
    const changed = await t.request<{ role: string }>('PATCH', `/api/v1/users/${created.body.id}`, {
      token: admin(),
      body: { role: 'viewer' },
    });
    expect(changed.body.role).toBe('viewer');
    // A role change ends the user's sessions: the old token carried the old role.
    expect((await t.request('GET', '/api/v1/me', { token })).status).toBe(401);
    const disabled = await t.request('PATCH', `/api/v1/users/${created.body.id}`, {
      token: admin(),
      body: { disabled: true },
    });
    expect(disabled.status).toBe(200);
    expect(
      (await t.request('POST', '/api/v1/auth/login', { body: { email, password: 'a long enough password' } }))
        .status,
    ).toBe(401);
    expect((await t.request('DELETE', `/api/v1/users/${created.body.id}`, { token: admin() })).status).toBe(
      200,
    );
    expect((await t.request('GET', `/api/v1/users/${created.body.id}`, { token: admin() })).status).toBe(404);
  });

  it('refuses weak passwords, bad emails and unknown roles, and never the last administrator', async () => {
    for (const body of [
      { email: 'x@example.test', name: 'X', role: 'viewer', password: 'short' },
      { email: 'not-an-email', name: 'X', role: 'viewer', password: 'a long enough password' },
      { email: 'x@example.test', name: 'X', role: 'superuser', password: 'a long enough password' },
      { email: 'x@example.test', name: '', role: 'viewer', password: 'a long enough password' },
    ]) {
      const res = await t.request<{ error: { code: string; details: { path: string }[] } }>(
        'POST',
        '/api/v1/users',
        {
          token: admin(),
          body,
        },
      );
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error.details[0]?.path).toMatch(/^body\./);
    }
    const solo = await startTestApi();
    try {
      const me = solo.orgA.users.admin;
      const res = await solo.request<{ error: { code: string } }>('PATCH', `/api/v1/users/${me.id}`, {
        token: me.token,
        body: { role: 'viewer' },
      });
      expect(res.status).toBe(409);
      expect((await solo.request('DELETE', `/api/v1/users/${me.id}`, { token: me.token })).status).toBe(409);
      expect((await solo.request('GET', '/api/v1/me', { token: me.token })).status).toBe(200);
    } finally {
      await solo.close();
    }
  });
});

describe('organisation', () => {
  type Org = { id: string; slug: string; name: string; timeZone: string };
  type ErrorReply = {
    error: { code: string; message: string; details?: { path: string; message: string }[] };
  };
  const me = async (token: string) =>
    (await t.request<{ organisation: Org }>('GET', '/api/v1/me', { token })).body.organisation;
  const patch = (token: string, body: unknown) =>
    t.request<Org & ErrorReply>('PATCH', '/api/v1/organisation', { token, body });

  it('is in UTC until an administrator sets its time zone; /me shows it to every role', async () => {
    for (const org of [t.orgA, t.orgB]) {
      expect(await me(org.users.viewer.token)).toMatchObject({ id: org.id, timeZone: 'UTC' });
    }
    const before = await me(admin());
    const res = await patch(admin(), { timeZone: 'Europe/Helsinki' });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ ...before, timeZone: 'Europe/Helsinki' });
    for (const user of Object.values(t.orgA.users)) {
      expect(await me(user.token), user.role).toEqual(res.body);
    }
    const renamed = await patch(admin(), { name: '  Acme Oy  ', timeZone: 'Etc/UTC' });
    expect(renamed.body).toEqual({ ...before, name: 'Acme Oy', timeZone: 'Etc/UTC' });
    expect((await patch(admin(), { timeZone: 'Europe/Helsinki' })).body.timeZone).toBe('Europe/Helsinki');
    // The other organisation is untouched.
    const b = await me(t.orgB.users.admin.token);
    expect(b.timeZone).toBe('UTC');
    expect(b.name).not.toBe('Acme Oy');
  });

  it('only administrators may change it', async () => {
    for (const user of Object.values(t.orgA.users)) {
      if (user.role === 'admin') continue;
      const res = await patch(user.token, { timeZone: 'Asia/Tokyo' });
      expect(res.status, user.role).toBe(403);
      expect(res.body.error.code).toBe('forbidden');
    }
    expect(
      (await t.request('PATCH', '/api/v1/organisation', { body: { timeZone: 'Asia/Tokyo' } })).status,
    ).toBe(401);
    expect((await me(admin())).timeZone).not.toBe('Asia/Tokyo');
  });

  it('refuses bodies that are not a name or an IANA time zone, saying what is wrong', async () => {
    const before = await me(admin());
    const cases: [unknown, string, RegExp][] = [
      [{ timeZone: 'Mars/Olympus' }, 'body.timeZone', /unknown time zone "Mars\/Olympus"/],
      [{ timeZone: '+02:00' }, 'body.timeZone', /unknown time zone/],
      [{}, 'body', /nothing to change/],
      [{ timeZone: 'UTC', slug: 'taken' }, 'body', /Unrecognized key: "slug"/],
      [{ timeZone: 'UTC', id: t.orgB.id }, 'body', /Unrecognized key: "id"/],
      [{ timeZone: 42 }, 'body.timeZone', /expected string, received number/],
      [{ timeZone: 'x'.repeat(10_000) }, 'body.timeZone', /at most 64 characters/],
      [{ name: '' }, 'body.name', /expected string to have >=1 characters/],
      [42, 'body', /expected object, received number/],
      [null, 'body', /expected object/],
      ['Europe/Helsinki', 'body', /expected object/],
    ];
    for (const [body, path, message] of cases) {
      const res = await patch(admin(), body);
      const label = JSON.stringify(body).slice(0, 60);
      expect(res.status, label).toBe(400);
      expect(res.body.error.code, label).toBe('validation_failed');
      expect(res.body.error.details?.[0]?.path, label).toBe(path);
      expect(res.body.error.message, label).toMatch(message);
      expect(res.text.length, `${label}: the error does not echo a huge body`).toBeLessThan(1_000);
    }
    expect(
      (
        await t.request<ErrorReply>('PATCH', '/api/v1/organisation', {
          token: admin(),
          rawBody: '{"timeZone": ',
          headers: { 'content-type': 'application/json' },
        })
      ).body.error.code,
    ).toBe('malformed_json');
    expect(await me(admin())).toEqual(before);
  });

  it('each administrator changes only their own organisation', async () => {
    const a = await me(admin());
    const res = await patch(t.orgB.users.admin.token, { timeZone: 'America/New_York', name: 'Org B' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: t.orgB.id, timeZone: 'America/New_York', name: 'Org B' });
    expect(await me(t.orgB.users.viewer.token)).toEqual(res.body);
    expect(await me(t.orgA.users.viewer.token)).toEqual(a);
  });
});

describe('devices', () => {
  it('provisions (token shown once), lists with filters and paging, renames', async () => {
    const created = await t.request<{ device: { id: string; name: string; kind: string }; token: string }>(
      'POST',
      '/api/v1/devices',
      { token: t.orgA.users.fleet_manager.token, body: { name: 'Truck 42', kind: 'vehicle' } },
    );
    expect(created.status).toBe(201);
    expect(created.body.token).toMatch(/^fdt_/);
    const id = created.body.device.id;
    const got = await t.request<Record<string, unknown>>('GET', `/api/v1/devices/${id}`, {
      token: t.orgA.users.viewer.token,
    });
    expect(got.body).toMatchObject({
      id,
      name: 'Truck 42',
      kind: 'vehicle',
      disabledAt: null,
      connection: 'offline',
    });
    expect(JSON.stringify(got.body)).not.toMatch(/token/i);
    expect(
      (
        await t.request('POST', '/api/v1/devices', {
          token: admin(),
          body: { name: 'Truck 42', kind: 'equipment' },
        })
      ).status,
    ).toBe(409);
    for (let i = 0; i < 3; i++) {
      await t.request('POST', '/api/v1/devices', {
        token: admin(),
        body: { name: `Pallet tag ${i}`, kind: 'equipment' },
      });
    }
    const tags = await t.request<{ items: { name: string }[]; total: number }>(
      'GET',
      '/api/v1/devices?kind=equipment&name=PALLET&limit=2',
      { token: admin() },
    );
    expect(tags.body.total).toBe(3);
    expect(tags.body.items.map((d) => d.name)).toEqual(['Pallet tag 0', 'Pallet tag 1']);
    const page2 = await t.request<{ items: { name: string }[] }>(
      'GET',
      '/api/v1/devices?kind=equipment&name=pallet&limit=2&offset=2',
      {
        token: admin(),
      },
    );
    expect(page2.body.items.map((d) => d.name)).toEqual(['Pallet tag 2']);
    const renamed = await t.request<{ name: string }>('PATCH', `/api/v1/devices/${id}`, {
      token: admin(),
      body: { name: 'Truck 43' },
    });
    expect(renamed.body.name).toBe('Truck 43');
  });

  it('disable drops and refuses the device at once; a new token replaces the old one', async () => {
    const device = await t.orgA.provision();
    const port = t.platform.service.mqttPort;
    const client = await connectDevice(port, device);
    const closed = new Promise<void>((r) => client.once('close', () => r()));
    const online = await t.request<{ items: { id: string }[] }>(
      'GET',
      '/api/v1/devices?status=online&limit=500',
      { token: admin() },
    );
    expect(online.body.items.map((d) => d.id)).toContain(device.id);
    const off = await t.request<{ disabledAt: string | null }>(
      'POST',
      `/api/v1/devices/${device.id}/disable`,
      { token: admin() },
    );
    expect(off.status).toBe(200);
    expect(off.body.disabledAt).not.toBeNull();
    await closed;
    client.end(true);
    expect(
      await connackCode(port, { clientId: device.id, username: device.id, password: device.token }),
    ).toBe(5);
    const disabled = await t.request<{ items: { id: string }[] }>(
      'GET',
      '/api/v1/devices?status=disabled&limit=500',
      { token: admin() },
    );
    expect(disabled.body.items.map((d) => d.id)).toContain(device.id);
    await t.request('POST', `/api/v1/devices/${device.id}/enable`, { token: admin() });
    const reissued = await t.request<{ token: string }>('POST', `/api/v1/devices/${device.id}/token`, {
      token: admin(),
    });
    expect(reissued.body.token).not.toBe(device.token);
    expect(
      await connackCode(port, { clientId: device.id, username: device.id, password: device.token }),
    ).toBe(4);
    expect(
      await connackCode(port, { clientId: device.id, username: device.id, password: reissued.body.token }),
    ).toBe('connected');
  });
});

describe('latest state and history', () => {
  it('serves a published record as latest, in the fleet, as a track (JSON, GeoJSON, CSV), as series and events', async () => {
    const device = await t.orgA.provision();
    const client = await connectDevice(t.platform.service.mqttPort, device);
    const start = Date.now() - 60_000;
    const records = Array.from({ length: 30 }, (_, i) => ({
      seq: i + 1,
      tsMs: start + i * 1000,
      lat: 60.17 + i * 0.0005,
      lon: 24.94 + i * 0.0003,
      speedKmh: 30 + i,
      headingDeg: 45,
      ignition: true,
      fuelLevelPct: 80 - i * 0.1,
      dtcCodes: i === 29 ? ['P0301'] : [],
    }));
    await client.publishAsync(`devices/${device.id}/telemetry`, Buffer.from(encodeTelemetryBatch(records)), {
      qos: 1,
    });
    await client.publishAsync(
      `devices/${device.id}/events`,
      Buffer.from(
        encodeDeviceEvent({
          seq: 1,
          tsMs: start + 5000,
          kind: DeviceEventKind.HARSH_BRAKING,
          detail: 'test',
          peakG: 0.6,
        }),
      ),
      { qos: 1 },
    );
    await client.endAsync();
    const token = t.orgA.users.viewer.token;
    const latest = await t.request<{
      position: { lat: number; status: string };
      values: Record<string, unknown>;
      status: string;
    }>('GET', `/api/v1/devices/${device.id}/latest`, { token });
    expect(latest.status).toBe(200);
    expect(latest.body.position.lat).toBeCloseTo(60.17 + 29 * 0.0005, 6);
    expect(latest.body.status).toBe('moving');
    expect(latest.body.values).toMatchObject({ speedKmh: 59, ignition: true, dtcCodes: ['P0301'] });
    const fleet = await t.request<{ devices: { deviceId: string; connection: string }[] }>(
      'GET',
      '/api/v1/fleet/latest',
      { token },
    );
    expect(fleet.body.devices.find((d) => d.deviceId === device.id)).toBeDefined();
    await expect
      .poll(
        async () => {
          const res = await t.request<{ devices: { deviceId: string; connection: string }[] }>(
            'GET',
            '/api/v1/fleet/latest',
            { token },
          );
          return res.body.devices.find((d) => d.deviceId === device.id)?.connection;
        },
        { timeout: 10_000 },
      )
      .toBe('offline');

    await waitForRows(t.platform.questdb, `select * from telemetry where device_id = '${device.id}'`, 30);
    const range = `from=${new Date(start - 1000).toISOString()}&to=${Date.now()}`;
    const track = await t.request<{ points: { ts: number }[]; sourcePoints: number }>(
      'GET',
      `/api/v1/devices/${device.id}/track?${range}`,
      { token },
    );
    expect(track.status).toBe(200);
    expect(track.body.sourcePoints).toBe(30);
    expect(track.body.points[0]?.ts).toBe(start);
    const geo = await t.request<{ type: string; geometry: { type: string; coordinates: number[][] } }>(
      'GET',
      `/api/v1/devices/${device.id}/track?${range}&format=geojson`,
      { token },
    );
    expect(geo.headers.get('content-type')).toBe('application/geo+json');
    expect(geo.body.geometry.type).toBe('LineString');
    expect(geo.body.geometry.coordinates[0]?.[0]).toBeCloseTo(24.94, 6); // lon first
    const csv = await t.request('GET', `/api/v1/devices/${device.id}/track?${range}&format=csv`, { token });
    expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(csv.text.split('\n')[0]).toMatch(/^ts,lat,lon/);
    const series = await t.request<{ ts: number[]; fields: Record<string, { avg: (number | null)[] }> }>(
      'GET',
      `/api/v1/devices/${device.id}/telemetry?${range}&fields=speedKmh,fuelLevelPct&bucket=10s`,
      { token },
    );
    expect(series.status).toBe(200);
    expect(Object.keys(series.body.fields).sort()).toEqual(['fuelLevelPct', 'speedKmh']);
    expect(series.body.ts.length).toBeGreaterThanOrEqual(3);
    await waitForRows(
      t.platform.questdb,
      `select * from device_events where device_id = '${device.id}' and kind = 'HARSH_BRAKING'`,
      1,
    );
    const events = await t.request<{ items: { kind: string }[] }>(
      'GET',
      `/api/v1/devices/${device.id}/events?${range}`,
      { token },
    );
    expect(events.body.items.map((e) => e.kind)).toContain('HARSH_BRAKING');
  });
});

describe('tenant isolation', () => {
  it('nothing of one organisation is visible to another: guessed ids, lists, changes', async () => {
    const device = await t.orgA.provision();
    const userA = t.orgA.users.viewer;
    const b = t.orgB.users;
    const range = `from=${Date.now() - 3_600_000}&to=${Date.now()}`;
    for (const [method, path] of [
      ['GET', `/api/v1/devices/${device.id}`],
      ['PATCH', `/api/v1/devices/${device.id}`],
      ['POST', `/api/v1/devices/${device.id}/disable`],
      ['POST', `/api/v1/devices/${device.id}/enable`],
      ['POST', `/api/v1/devices/${device.id}/token`],
      ['GET', `/api/v1/devices/${device.id}/latest`],
      ['GET', `/api/v1/devices/${device.id}/track?${range}`],
      ['GET', `/api/v1/devices/${device.id}/telemetry?${range}&fields=speedKmh`],
      ['GET', `/api/v1/devices/${device.id}/events?${range}`],
      ['GET', `/api/v1/users/${userA.id}`],
      ['PATCH', `/api/v1/users/${userA.id}`],
      ['DELETE', `/api/v1/users/${userA.id}`],
    ] as const) {
      const body =
        method === 'PATCH' ? (path.includes('/users/') ? { name: 'pwned' } : { name: 'pwned' }) : undefined;
      const res = await t.request(method, path, { token: b.admin.token, ...(body ? { body } : {}) });
      expect(res.status, `${method} ${path}`).toBe(404);
    }
    const lists = [
      await t.request('GET', '/api/v1/devices?limit=500', { token: b.admin.token }),
      await t.request('GET', '/api/v1/fleet/latest', { token: b.admin.token }),
      await t.request('GET', '/api/v1/users', { token: b.admin.token }),
    ];
    for (const res of lists) {
      expect(res.status).toBe(200);
      expect(res.text).not.toContain(device.id);
      expect(res.text).not.toContain(userA.id);
      expect(res.text).not.toContain(t.orgA.id);
    }
    // Still there, unchanged, for its own organisation.
    const own = await t.request<{ name: string; disabledAt: null }>('GET', `/api/v1/devices/${device.id}`, {
      token: userA.token,
    });
    expect(own.body.disabledAt).toBeNull();
    expect(own.body.name).not.toBe('pwned');
    expect((await t.request('GET', '/api/v1/me', { token: userA.token })).status).toBe(200);
  });
});

describe('hostile input', () => {
  it('malformed JSON, wrong content type, wrong types, unknown fields', async () => {
    const post = (rawBody: string, contentType = 'application/json') =>
      t.request<{ error: { code: string; details?: { path: string }[] } }>('POST', '/api/v1/devices', {
        token: admin(),
        rawBody,
        headers: { 'content-type': contentType },
      });
    expect((await post('{"name": "x", "kind": ')).body.error.code).toBe('malformed_json');
    expect((await post('{"name":"x","kind":"vehicle"}', 'text/plain')).status).toBe(415);
    const wrongType = await post('{"name": 42, "kind": "vehicle"}');
    expect(wrongType.status).toBe(400);
    expect(wrongType.body.error.details?.[0]?.path).toBe('body.name');
    const unknown = await post(
      '{"name": "x", "kind": "vehicle", "orgId": "00000000-0000-0000-0000-000000000000"}',
    );
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.code).toBe('validation_failed');
    const proto = await post('{"name": "x", "kind": "vehicle", "__proto__": {"role": "admin"}}');
    expect(proto.status).toBe(400);
    expect((await post('[]')).status).toBe(400);
    expect((await post('')).body.error.code).toBe('malformed_json');
  });

  it('a body over the limit is refused with 413 before it is read', async () => {
    const huge = JSON.stringify({
      name: 'x'.repeat(t.platform.config.HTTP_MAX_BODY_BYTES + 10),
      kind: 'vehicle',
    });
    const res = await t.request<{ error: { code: string } }>('POST', '/api/v1/devices', {
      token: admin(),
      rawBody: huge,
      headers: { 'content-type': 'application/json' },
    });
    expect(res.status).toBe(413);
    expect(res.body.error.code).toBe('payload_too_large');
    // The server is fine afterwards.
    expect((await t.request('GET', '/health')).status).toBe(200);
  });

  it('SQL-looking filters are plain text; absurd ranges and bad params are refused', async () => {
    const device = await t.orgA.provision();
    const sqlish = encodeURIComponent("x' or '1'='1'; drop table devices; --");
    const res = await t.request<{ items: unknown[]; total: number }>(
      'GET',
      `/api/v1/devices?name=${sqlish}`,
      { token: admin() },
    );
    expect(res.status).toBe(200);
    expect(res.body.total).toBe(0);
    expect(
      (await t.request<{ total: number }>('GET', '/api/v1/devices?name=%25', { token: admin() })).body.total,
    ).toBe(0);
    const bad = [
      `/api/v1/devices/${device.id}/track?from=2026-01-02&to=2026-01-01`,
      `/api/v1/devices/${device.id}/track?from=2020-01-01&to=2026-01-01`,
      `/api/v1/devices/${device.id}/track?from=yesterday&to=now`,
      `/api/v1/devices/${device.id}/track?from=-5&to=10`,
      `/api/v1/devices/${device.id}/track?from=0&to=99999999999999999999`,
      `/api/v1/devices/${device.id}/track?to=1000`,
      `/api/v1/devices/${device.id}/telemetry?from=0&to=1000&fields=seq`,
      `/api/v1/devices/${device.id}/telemetry?from=0&to=1000&fields=speedKmh;drop`,
      `/api/v1/devices/${device.id}/telemetry?from=0&to=86400000&fields=speedKmh&bucket=1s`,
      `/api/v1/devices/${device.id}/events?from=0&to=1000&limit=100000`,
      '/api/v1/devices?limit=0',
      '/api/v1/devices?limit=abc',
      '/api/v1/devices?kind=spaceship',
      '/api/v1/devices?unknown=1',
      "/api/v1/devices/x'%20or%201=1",
      '/api/v1/users/not-a-uuid',
    ];
    for (const path of bad) {
      const r = await t.request<{ error: { code: string } }>('GET', path, { token: admin() });
      expect(r.status, path).toBe(400);
      expect(r.body.error.code, path).toBe('validation_failed');
    }
  });

  it('unknown paths get 404 and wrong methods 405, both as JSON', async () => {
    const missing = await t.request<{ error: { code: string } }>('GET', '/api/v1/nothing-here');
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('not_found');
    const wrong = await t.request<{ error: { code: string } }>('PUT', '/api/v1/devices');
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get('allow')).toBe('POST, GET');
  });
});

describe('operations', () => {
  it('/health, /ready with each dependency, and /metrics with the platform counters', async () => {
    expect((await t.request('GET', '/health')).body).toEqual({ status: 'ok' });
    const ready = await t.request<{ status: string; checks: Record<string, { ok: boolean }> }>(
      'GET',
      '/ready',
    );
    expect(ready.status).toBe(200);
    expect(Object.keys(ready.body.checks).sort()).toEqual(['broker', 'database', 'questdb']);
    const metrics = (await t.request('GET', '/metrics')).text;
    for (const name of [
      'fleet_http_request_duration_seconds_bucket',
      'route="/api/v1/devices",method="GET",status="200"',
      'fleet_ingest_records_total',
      'fleet_ingest_rejects_total',
      'fleet_mqtt_puback_seconds',
      'fleet_ingest_commit_rows',
      'fleet_ingest_pending_rows',
      'fleet_mqtt_connected_devices',
      'fleet_mqtt_refusals_total',
      'fleet_ws_clients',
      'fleet_ws_frames_sent_total',
      'fleet_ws_frames_dropped_total',
    ]) {
      expect(metrics, name).toContain(name);
    }
  });

  it('/ready answers 503 and names the dependency that is down', async () => {
    const down = await startTestApi(
      {},
      {
        extraReadiness: [
          { name: 'questdb-replica', check: () => Promise.reject(new Error('connect ECONNREFUSED')) },
        ],
      },
    );
    try {
      const ready = await down.request<{
        status: string;
        checks: Record<string, { ok: boolean; error?: string }>;
      }>('GET', '/ready');
      expect(ready.status).toBe(503);
      expect(ready.body.status).toBe('unavailable');
      expect(ready.body.checks['questdb-replica']).toMatchObject({
        ok: false,
        error: 'connect ECONNREFUSED',
      });
      expect(ready.body.checks.database?.ok).toBe(true);
      expect((await down.request('GET', '/health')).status).toBe(200);
    } finally {
      await down.close();
    }
  });

  it('CORS is off by default and answers only the configured origins', async () => {
    const plain = await t.request('GET', '/api/v1/devices', {
      token: admin(),
      headers: { origin: 'https://evil.example' },
    });
    expect(plain.headers.get('access-control-allow-origin')).toBeNull();
    const cors = await startTestApi({ HTTP_CORS_ORIGINS: 'https://console.example, https://ops.example' });
    try {
      const ok = await cors.request('OPTIONS', '/api/v1/devices', {
        headers: { origin: 'https://console.example', 'access-control-request-method': 'POST' },
      });
      expect(ok.status).toBe(204);
      expect(ok.headers.get('access-control-allow-origin')).toBe('https://console.example');
      expect(ok.headers.get('access-control-allow-methods')).toBe('POST, GET');
      const other = await cors.request('OPTIONS', '/api/v1/devices', {
        headers: { origin: 'https://evil.example' },
      });
      expect(other.headers.get('access-control-allow-origin')).toBeNull();
      const get = await cors.request('GET', '/api/v1/devices', {
        token: cors.orgA.users.viewer.token,
        headers: { origin: 'https://ops.example' },
      });
      expect(get.headers.get('access-control-allow-origin')).toBe('https://ops.example');
    } finally {
      await cors.close();
    }
  });

  it('tells the console its map style without a token: the offline basemap, or CONSOLE_MAP_STYLE', async () => {
    const offline = await t.request('GET', '/api/v1/console/config');
    expect(offline.status).toBe(200);
    expect(offline.body).toEqual({ mapStyle: '/basemap/style.json', offlineBasemap: true });
    const styled = await startTestApi({ CONSOLE_MAP_STYLE: 'https://tiles.example.com/style.json' });
    try {
      const reply = await styled.request('GET', '/api/v1/console/config');
      expect(reply.body).toEqual({ mapStyle: 'https://tiles.example.com/style.json', offlineBasemap: false });
    } finally {
      await styled.close();
    }
  });

  it('serves an OpenAPI 3.1 document generated from the routes, and a docs page', async () => {
    const doc = await t.request<{
      openapi: string;
      paths: Record<string, Record<string, { operationId: string; responses: Record<string, unknown> }>>;
      components: { schemas: Record<string, unknown> };
    }>('GET', '/api/v1/openapi.json');
    expect(doc.body.openapi).toBe('3.1.0');
    for (const route of t.api.routes) {
      expect(doc.body.paths[route.path]?.[route.method]?.operationId, route.id).toBe(route.id);
    }
    for (const name of [
      'Device',
      'User',
      'Organisation',
      'OrganisationChanges',
      'TimeZone',
      'Error',
      'LoginRequest',
      'Track',
      'TelemetrySeries',
      'LivePosition',
    ]) {
      expect(doc.body.components.schemas, name).toHaveProperty(name);
    }
    expect(JSON.stringify(doc.body)).not.toContain('#/$defs/');
    const html = await t.request('GET', '/api/v1/docs');
    expect(html.headers.get('content-type')).toMatch(/^text\/html/);
    expect(html.text).toContain('/api/v1/docs/swagger-ui-bundle.js');
    const bundle = await t.request('GET', '/api/v1/docs/swagger-ui-bundle.js');
    expect(bundle.status).toBe(200);
    expect(bundle.text.length).toBeGreaterThan(100_000);
  });
});
