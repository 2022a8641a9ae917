// Organisations as a platform operator runs them, against the real API, broker and database:
// operators sign in on routes of their own, create organisations with their first
// administrator, suspend and resume them (users and devices refused at once, let back after),
// and administrators change their organisation's settings within what the schemas allow.
import { randomUUID } from 'node:crypto';
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, TEST_PASSWORD, type TestApi } from '../../../../test/api-support.ts';
import { connackCode, connectDevice } from '../../../../test/support.ts';
import { PlatformOperators } from './operators.ts';
import { OrganisationAdministration } from './repository.ts';

let t: TestApi;
let operatorToken: string;
const OPERATOR = {
  email: `ops.${randomUUID().slice(0, 6)}@platform.test`,
  password: 'operator long password',
};

beforeAll(async () => {
  t = await startTestApi();
  await new PlatformOperators(t.platform.db).create({ ...OPERATOR, name: 'Ops' });
  const res = await t.request<{ token: string }>('POST', '/api/v1/platform/login', { body: OPERATOR });
  expect(res.status).toBe(200);
  operatorToken = res.body.token;
});
afterAll(() => t?.close());

interface OrgBody {
  id: string;
  slug: string;
  name: string;
  timeZone: string;
  workingHours: Record<string, { from: string; to: string }[]>;
  distanceUnit: string;
  currency: string;
  suspendedAt: string | null;
}

describe('platform operators', () => {
  it('create an organisation with its first administrator, who signs in with the password shown once', async () => {
    const slug = `acme-${randomUUID().slice(0, 6)}`;
    const created = await t.request<{ organisation: OrgBody; admin: { email: string; password?: string } }>(
      'POST',
      '/api/v1/platform/organisations',
      {
        token: operatorToken,
        body: { slug, name: 'Acme Oy', timeZone: 'Europe/Helsinki', adminEmail: `admin@${slug}.example` },
      },
    );
    expect(created.status).toBe(201);
    expect(created.body.organisation).toMatchObject({
      slug,
      name: 'Acme Oy',
      timeZone: 'Europe/Helsinki',
      distanceUnit: 'km',
      currency: 'EUR',
      suspendedAt: null,
    });
    expect(created.body.admin.password).toMatch(/^[A-Za-z0-9_-]{20}$/);
    const token = await t.login(created.body.admin.email, created.body.admin.password);
    const me = await t.request<{ user: { role: string }; organisation: OrgBody }>('GET', '/api/v1/me', {
      token,
    });
    expect(me.body.user.role).toBe('admin');
    expect(me.body.organisation.slug).toBe(slug);
    // The slug is taken now; bad slugs and unknown fields are named.
    const again = await t.request('POST', '/api/v1/platform/organisations', {
      token: operatorToken,
      body: { slug, name: 'Again', adminEmail: 'x@y.example' },
    });
    expect(again.status).toBe(409);
    for (const body of [
      { slug: 'Bad Slug', name: 'x', adminEmail: 'a@b.example' },
      { slug: 'ok-slug', name: '', adminEmail: 'a@b.example' },
      { slug: 'ok-slug', name: 'x', adminEmail: 'not an email' },
      { slug: 'ok-slug', name: 'x', adminEmail: 'a@b.example', timeZone: 'Mars/Olympus' },
      { slug: 'ok-slug', name: 'x', adminEmail: 'a@b.example', adminPassword: 'short' },
      { slug: 'ok-slug', name: 'x', adminEmail: 'a@b.example', orgId: randomUUID() },
    ]) {
      const res = await t.request<{ error: { code: string; details: { path: string }[] } }>(
        'POST',
        '/api/v1/platform/organisations',
        { token: operatorToken, body },
      );
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error.details[0]?.path).toMatch(/^body/);
    }
    const listed = await t.request<{ items: (OrgBody & { users: number })[] }>(
      'GET',
      '/api/v1/platform/organisations?limit=500',
      { token: operatorToken },
    );
    expect(listed.body.items.find((o) => o.slug === slug)?.users).toBe(1);
  });

  it("are no organisation's users: an admin's token is 403 on their routes, theirs is 401 on an organisation's", async () => {
    const admin = t.orgA.users.admin.token;
    for (const [method, path] of [
      ['GET', '/api/v1/platform/organisations'],
      ['POST', '/api/v1/platform/organisations'],
      ['PATCH', `/api/v1/platform/organisations/${t.orgB.id}`],
    ] as const) {
      const body = method === 'GET' ? {} : { body: {} };
      expect((await t.request(method, path, { token: admin, ...body })).status, path).toBe(403);
      expect((await t.request(method, path, body)).status, path).toBe(401);
      expect((await t.request(method, path, { token: 'garbage', ...body })).status, path).toBe(401);
    }
    expect((await t.request('GET', '/api/v1/me', { token: operatorToken })).status).toBe(401);
    expect((await t.request('GET', '/api/v1/devices', { token: operatorToken })).status).toBe(401);
    const wrong = await t.request('POST', '/api/v1/platform/login', {
      body: { email: OPERATOR.email, password: 'not it' },
    });
    expect(wrong.status).toBe(401);
    // An organisation's user is no operator, whatever their password.
    const user = await t.request('POST', '/api/v1/platform/login', {
      body: { email: t.orgA.users.admin.email, password: TEST_PASSWORD },
    });
    expect(user.status).toBe(401);
    expect(
      (await t.request('GET', `/api/v1/platform/organisations/${randomUUID()}`, { token: operatorToken }))
        .status,
    ).toBe(404);
  });

  it('suspend an organisation: its sessions end, sign-in is refused, its devices are dropped and get CONNACK 5; resume lets them back', async () => {
    const slug = `susp-${randomUUID().slice(0, 6)}`;
    const created = await new OrganisationAdministration(t.platform.db).create({
      slug,
      name: 'Soon suspended',
      adminEmail: `admin@${slug}.example`,
      adminPassword: TEST_PASSWORD,
    });
    const orgId = created.organisation.id;
    const token = await t.login(`admin@${slug}.example`);
    const { device, token: deviceToken } = await t.platform.registry.provision({
      orgId,
      name: 'van',
      kind: 'vehicle',
    });
    const client: MqttClient = await connectDevice(t.platform.service.mqttPort, {
      id: device.id,
      token: deviceToken,
    });
    const dropped = new Promise<void>((resolve) => client.once('close', () => resolve()));

    const suspended = await t.request<OrgBody>('PATCH', `/api/v1/platform/organisations/${orgId}`, {
      token: operatorToken,
      body: { suspended: true },
    });
    expect(suspended.status).toBe(200);
    expect(suspended.body.suspendedAt).not.toBeNull();
    await dropped;
    expect((await t.request('GET', '/api/v1/me', { token })).status).toBe(401);
    const login = await t.request<{ error: { code: string } }>('POST', '/api/v1/auth/login', {
      body: { email: `admin@${slug}.example`, password: TEST_PASSWORD },
    });
    expect(login.status).toBe(403);
    expect(login.body.error.code).toBe('organisation_suspended');
    // A wrong password says nothing about the suspension.
    const wrong = await t.request<{ error: { code: string } }>('POST', '/api/v1/auth/login', {
      body: { email: `admin@${slug}.example`, password: 'wrong password' },
    });
    expect(wrong.body.error.code).toBe('invalid_credentials');
    const credentials = { clientId: device.id, username: device.id, password: deviceToken };
    await expect.poll(() => connackCode(t.platform.service.mqttPort, credentials)).toBe(5);
    // Other organisations are untouched.
    expect((await t.request('GET', '/api/v1/me', { token: t.orgA.users.viewer.token })).status).toBe(200);

    const resumed = await t.request<OrgBody>('PATCH', `/api/v1/platform/organisations/${orgId}`, {
      token: operatorToken,
      body: { suspended: false, name: 'Back again' },
    });
    expect(resumed.body).toMatchObject({ suspendedAt: null, name: 'Back again' });
    await t.login(`admin@${slug}.example`);
    await expect.poll(() => connackCode(t.platform.service.mqttPort, credentials)).toBe('connected');
    await client.endAsync(true);
  });
});

describe('organisation settings', () => {
  it('administrators set working hours, the distance unit and the currency; everyone reads them in /me', async () => {
    const hours = {
      mon: [
        { from: '07:00', to: '11:30' },
        { from: '12:00', to: '16:00' },
      ],
      tue: [{ from: '07:00', to: '16:00' }],
      wed: [{ from: '07:00', to: '16:00' }],
      thu: [{ from: '07:00', to: '16:00' }],
      fri: [{ from: '07:00', to: '14:00' }],
      sat: [{ from: '22:00', to: '24:00' }],
      sun: [],
    };
    const changed = await t.request<OrgBody>('PATCH', '/api/v1/organisation', {
      token: t.orgB.users.admin.token,
      body: { workingHours: hours, distanceUnit: 'mi', currency: 'SEK' },
    });
    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({ workingHours: hours, distanceUnit: 'mi', currency: 'SEK' });
    const me = await t.request<{ organisation: OrgBody }>('GET', '/api/v1/me', {
      token: t.orgB.users.viewer.token,
    });
    expect(me.body.organisation).toMatchObject({ distanceUnit: 'mi', currency: 'SEK', workingHours: hours });
    // Nothing of it reached the other organisation.
    const a = await t.request<{ organisation: OrgBody }>('GET', '/api/v1/me', {
      token: t.orgA.users.viewer.token,
    });
    expect(a.body.organisation).toMatchObject({ distanceUnit: 'km', currency: 'EUR' });
    expect(
      (
        await t.request('PATCH', '/api/v1/organisation', {
          token: t.orgB.users.dispatcher.token,
          body: { currency: 'USD' },
        })
      ).status,
    ).toBe(403);
  });

  it('refuses hours that are not times, end before they start or overlap, and unknown units and currencies', async () => {
    const day = (intervals: { from: string; to: string }[]) => ({
      mon: intervals,
      tue: [],
      wed: [],
      thu: [],
      fri: [],
      sat: [],
      sun: [],
    });
    const cases: [unknown, string][] = [
      [{ workingHours: day([{ from: '25:00', to: '26:00' }]) }, 'body.workingHours.mon'],
      [{ workingHours: day([{ from: '17:00', to: '08:00' }]) }, 'body.workingHours.mon'],
      [
        {
          workingHours: day([
            { from: '08:00', to: '12:00' },
            { from: '11:00', to: '13:00' },
          ]),
        },
        'body.workingHours.mon',
      ],
      [
        { workingHours: day(Array.from({ length: 5 }, (_, i) => ({ from: `0${i}:00`, to: `0${i}:30` }))) },
        'body.workingHours.mon',
      ],
      [{ workingHours: { mon: [] } }, 'body.workingHours.tue'],
      [{ workingHours: { ...day([]), someday: [] } }, 'body.workingHours'],
      [{ distanceUnit: 'furlong' }, 'body.distanceUnit'],
      [{ currency: 'XYZ' }, 'body.currency'],
      [{ currency: 'eur' }, 'body.currency'],
      [{}, 'body'],
    ];
    for (const [body, path] of cases) {
      const res = await t.request<{ error: { code: string; details: { path: string }[] } }>(
        'PATCH',
        '/api/v1/organisation',
        { token: t.orgA.users.admin.token, body },
      );
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(
        res.body.error.details.map((d) => d.path),
        JSON.stringify(body),
      ).toContain(path);
    }
  });
});
