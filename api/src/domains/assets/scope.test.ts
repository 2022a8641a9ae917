// The department scope of a user, end to end: set by admins through the users API (refused
// without a department or with another organisation's), carried in the access token (old
// tokens stop at once), and enforced by the assets policy in the database: a scoped user sees
// only the vehicles, equipment, devices and live positions of their department's subtree.
import { randomUUID } from 'node:crypto';
import { encodeTelemetryBatch } from '@fleet/proto';
import { DeviceRegistry, inTenant, migrate, openDatabase, withDepartmentScope } from '@fleet/shared/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HubClient, startTestApi, TEST_PASSWORD, type TestApi } from '../../../../test/api-support.ts';
import { connectDevice, freshPostgresDatabase } from '../../../../test/support.ts';

let t: TestApi;
beforeAll(async () => {
  t = await startTestApi({ HUB_TICK_MS: 50 });
});
afterAll(() => t?.close());

interface ErrorReply {
  error: { code: string; message: string; details?: { path: string; message: string }[] };
}
interface UserBody {
  id: string;
  departmentId: string | null;
  departmentScope: boolean;
}
interface Page {
  items: { id: string; name: string; departmentId: string | null }[];
  total: number;
}

const admin = () => t.orgA.users.admin.token;

async function json<T>(method: string, path: string, token: string, body?: unknown): Promise<T> {
  const res = await t.request<T>(method, path, { token, ...(body === undefined ? {} : { body }) });
  if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${res.text}`);
  return res.body;
}
const department = async (name: string, parentId: string | null = null, token = admin()) =>
  (await json<{ id: string }>('POST', '/api/v1/departments', token, { name, parentId })).id;
const vehicle = async (name: string, departmentId: string | null, token = admin()) =>
  (await json<{ id: string }>('POST', '/api/v1/vehicles', token, { name, departmentId })).id;

/** A user of orgA with this role, in this department, limited to it; signed in. */
async function scopedUser(
  role: string,
  departmentId: string,
): Promise<{ id: string; email: string; token: string }> {
  const email = `scoped.${randomUUID().slice(0, 8)}@example.test`;
  const user = await json<UserBody>('POST', '/api/v1/users', admin(), {
    email,
    name: `Scoped ${role}`,
    role,
    password: TEST_PASSWORD,
    departmentId,
    departmentScope: true,
  });
  expect(user).toMatchObject({ departmentId, departmentScope: true });
  return { id: user.id, email, token: await t.login(email) };
}

describe('setting the scope', () => {
  it('needs a department of the organisation, and ends the user’s sessions when it changes', async () => {
    const mine = await department('Scope: Sales');
    const theirs = await department('Scope: theirs', null, t.orgB.users.admin.token);
    const email = `plain.${randomUUID().slice(0, 8)}@example.test`;
    const user = await json<UserBody>('POST', '/api/v1/users', admin(), {
      email,
      name: 'Plain user',
      role: 'dispatcher',
      password: TEST_PASSWORD,
    });
    expect(user.departmentScope).toBe(false);
    const patch = (body: unknown) =>
      t.request<UserBody & ErrorReply>('PATCH', `/api/v1/users/${user.id}`, { token: admin(), body });
    const cases: [unknown, string, RegExp][] = [
      [{ departmentScope: true }, 'body.departmentScope', /needs a department/],
      [{ departmentScope: true, departmentId: theirs }, 'body.departmentId', /no such department/],
      [{ departmentId: theirs }, 'body.departmentId', /no such department/],
      [{ departmentId: randomUUID() }, 'body.departmentId', /no such department/],
      [{ departmentScope: 'yes' }, 'body.departmentScope', /boolean/],
    ];
    for (const [body, path, message] of cases) {
      const res = await patch(body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error.details?.find((d) => d.path === path)?.message, JSON.stringify(res.body)).toMatch(
        message,
      );
    }
    const created = await t.request<ErrorReply>('POST', '/api/v1/users', {
      token: admin(),
      body: {
        email: `x.${email}`,
        name: 'X',
        role: 'viewer',
        password: TEST_PASSWORD,
        departmentScope: true,
      },
    });
    expect(created.status).toBe(400);
    expect(created.body.error.details?.[0]?.path).toBe('body.departmentScope');
    const stored = async () =>
      (
        await t.platform.db.query<{ department_id: string | null; department_scope: boolean }>(
          'select department_id::text as department_id, department_scope from users where id = $1',
          [user.id],
        )
      )[0];
    expect(await stored()).toEqual({ department_id: null, department_scope: false });

    const token = await t.login(email);
    expect((await t.request('GET', '/api/v1/vehicles', { token })).status).toBe(200);
    const scoped = await patch({ departmentId: mine, departmentScope: true });
    expect(scoped.status).toBe(200);
    expect(scoped.body).toMatchObject({ departmentId: mine, departmentScope: true });
    // The old token carried no scope: it stops at once.
    expect((await t.request('GET', '/api/v1/vehicles', { token })).status).toBe(401);
    const me = await json<{ user: UserBody }>('GET', '/api/v1/me', await t.login(email));
    expect(me.user).toMatchObject({ departmentId: mine, departmentScope: true });
    // A scoped user's department cannot be taken away while the scope stands.
    const orphan = await patch({ departmentId: null });
    expect(orphan.status).toBe(400);
    expect(orphan.body.error.details?.[0]?.path).toBe('body.departmentId');
    const next = await t.login(email);
    expect((await patch({ departmentScope: false })).body.departmentScope).toBe(false);
    expect((await t.request('GET', '/api/v1/vehicles', { token: next })).status).toBe(401);
    expect(await stored()).toEqual({ department_id: mine, department_scope: false });
  });
});

describe('a scoped user', () => {
  it('sees only the assets, devices and fleet of their department subtree; others are 404 like nothing', async () => {
    const production = await department('Scope: Production');
    const lighting = await department('Scope: Lighting', production);
    const office = await department('Scope: Office');
    const lightVan = await vehicle('Scope light van', lighting);
    const prodVan = await vehicle('Scope production van', production);
    const officeVan = await vehicle('Scope office van', office);
    const looseVan = await vehicle('Scope loose van', null);
    const kit = (
      await json<{ id: string }>('POST', '/api/v1/equipment', admin(), {
        name: 'Scope lighting kit',
        category: 'lights',
        departmentId: lighting,
      })
    ).id;
    const officeKit = (
      await json<{ id: string }>('POST', '/api/v1/equipment', admin(), {
        name: 'Scope office kit',
        category: 'lights',
        departmentId: office,
      })
    ).id;
    const [dLight, dOffice, dLoose] = [
      await t.orgA.provision(),
      await t.orgA.provision(),
      await t.orgA.provision(),
    ];
    await json('POST', `/api/v1/assets/${lightVan}/installations`, admin(), { deviceId: dLight.id });
    await json('POST', `/api/v1/assets/${officeVan}/installations`, admin(), { deviceId: dOffice.id });

    const dispatcher = await scopedUser('dispatcher', lighting);
    const token = dispatcher.token;
    const names = async (path: string) =>
      (await json<Page>('GET', `${path}?q=Scope&limit=500`, token)).items.map((i) => i.name).sort();
    expect(await names('/api/v1/vehicles')).toEqual(['Scope light van']);
    expect(await names('/api/v1/equipment')).toEqual(['Scope lighting kit']);
    // The department filter cannot widen it.
    expect((await json<Page>('GET', `/api/v1/vehicles?departmentId=${office}`, token)).total).toBe(0);
    expect(
      (await json<Page>('GET', `/api/v1/vehicles?q=Scope&departmentId=${production}`, token)).items,
    ).toHaveLength(1);
    expect((await t.request('GET', `/api/v1/vehicles/${lightVan}`, { token })).status).toBe(200);
    expect((await t.request('GET', `/api/v1/equipment/${kit}`, { token })).status).toBe(200);
    const nowhere = await t.request<ErrorReply>('GET', `/api/v1/vehicles/${randomUUID()}`, { token });
    for (const id of [prodVan, officeVan, looseVan]) {
      const res = await t.request<ErrorReply>('GET', `/api/v1/vehicles/${id}`, { token });
      expect(res.status).toBe(404);
      expect(res.body).toEqual(nowhere.body);
      expect((await t.request('GET', `/api/v1/assets/${id}/installations`, { token })).status).toBe(404);
      expect((await t.request('GET', `/api/v1/assets/${id}/latest`, { token })).status).toBe(404);
    }
    expect((await t.request('GET', `/api/v1/equipment/${officeKit}`, { token })).status).toBe(404);

    // The live map and the device list: only devices on in-scope assets, with their asset.
    const fleet = await json<{ devices: { deviceId: string; asset: { id: string } | null }[] }>(
      'GET',
      '/api/v1/fleet/latest',
      token,
    );
    expect(fleet.devices.map((d) => d.deviceId)).toEqual([dLight.id]);
    expect(fleet.devices[0]?.asset?.id).toBe(lightVan);
    const listed = await json<{ items: { id: string }[]; total: number }>('GET', '/api/v1/devices', token);
    expect(listed.items.map((d) => d.id)).toEqual([dLight.id]);
    expect(listed.total).toBe(1);
    // The device's installation history holds only what the scope shows.
    await json('POST', `/api/v1/assets/${prodVan}/installations`, admin(), {
      deviceId: dLoose.id,
      installedAt: new Date(Date.now() - 3_600_000).toISOString(),
    });
    await json('POST', `/api/v1/assets/${lightVan}/installations`, admin(), { deviceId: dLoose.id });
    const history = await json<{ items: { assetId: string }[] }>(
      'GET',
      `/api/v1/devices/${dLoose.id}/installations`,
      token,
    );
    expect(history.items.map((i) => i.assetId)).toEqual([lightVan]);
    const all = await json<{ items: { assetId: string }[] }>(
      'GET',
      `/api/v1/devices/${dLoose.id}/installations`,
      admin(),
    );
    expect(all.items.map((i) => i.assetId)).toEqual([lightVan, prodVan]);

    // Unscoped users of the same organisation see everything.
    expect((await json<Page>('GET', '/api/v1/vehicles?q=Scope', admin())).total).toBe(4);
    // A department moved below Lighting brings its assets into the scope at once.
    await json('PATCH', `/api/v1/departments/${office}`, admin(), { parentId: lighting });
    expect(await names('/api/v1/vehicles')).toEqual(['Scope light van', 'Scope office van']);
  });

  it('writes only inside the scope: a new asset lands in their department, moves out are refused', async () => {
    const rigging = await department('Scope: Rigging');
    const stage = await department('Scope: Stage', rigging);
    const elsewhere = await department('Scope: Elsewhere');
    const theirVan = await vehicle('Scope elsewhere van', elsewhere);
    const trackerThere = await t.orgA.provision();
    await json('POST', `/api/v1/assets/${theirVan}/installations`, admin(), { deviceId: trackerThere.id });
    const manager = await scopedUser('fleet_manager', rigging);
    const token = manager.token;
    const made = await json<{ id: string; departmentId: string }>('POST', '/api/v1/vehicles', token, {
      name: 'Rig van',
    });
    expect(made.departmentId).toBe(rigging);
    const below = await json<{ departmentId: string }>('POST', '/api/v1/vehicles', token, {
      name: 'Stage van',
      departmentId: stage,
    });
    expect(below.departmentId).toBe(stage);
    const count = async () =>
      Number(
        (
          await t.platform.db.query<{ n: string }>('select count(*) as n from assets where org_id = $1', [
            t.orgA.id,
          ])
        )[0]?.n,
      );
    const before = await count();
    for (const [method, path, body] of [
      ['POST', '/api/v1/vehicles', { name: 'Outside van', departmentId: elsewhere }],
      ['POST', '/api/v1/equipment', { name: 'Outside kit', category: 'kit', departmentId: elsewhere }],
      ['PATCH', `/api/v1/vehicles/${made.id}`, { departmentId: elsewhere }],
      ['PATCH', `/api/v1/vehicles/${made.id}`, { departmentId: null }],
    ] as const) {
      const res = await t.request<ErrorReply>(method, path, { token, body });
      expect(res.status, `${method} ${path} ${JSON.stringify(body)}: ${res.text}`).toBe(400);
      expect(res.body.error.details?.[0]).toMatchObject({
        path: 'body.departmentId',
        message: /department scope/,
      });
    }
    expect(await count()).toBe(before);
    expect(
      (await json<{ departmentId: string }>('GET', `/api/v1/vehicles/${made.id}`, admin())).departmentId,
    ).toBe(rigging);
    // Out-of-scope assets are not there to change, retire or install on.
    expect(
      (await t.request('PATCH', `/api/v1/vehicles/${theirVan}`, { token, body: { name: 'mine' } })).status,
    ).toBe(404);
    expect((await t.request('DELETE', `/api/v1/vehicles/${theirVan}`, { token })).status).toBe(404);
    const device = await t.orgA.provision();
    expect(
      (
        await t.request('POST', `/api/v1/assets/${theirVan}/installations`, {
          token,
          body: { deviceId: device.id },
        })
      ).status,
    ).toBe(404);
    // Nor can a tracker be pulled off one of them.
    const pulled = await t.request<ErrorReply>('POST', `/api/v1/assets/${made.id}/installations`, {
      token,
      body: { deviceId: trackerThere.id },
    });
    expect(pulled.status).toBe(409);
    expect(pulled.body.error.message).toMatch(/outside your department scope/);
    expect(
      (await json<{ deviceIds: string[] }>('GET', `/api/v1/vehicles/${theirVan}`, admin())).deviceIds,
    ).toEqual([trackerThere.id]);
  });

  it('gets live positions on the hub only for devices on assets of the subtree', async () => {
    const crew = await department('Scope: Crew');
    const other = await department('Scope: Other crew');
    const mineVan = await vehicle('Scope hub van', crew);
    const otherVan = await vehicle('Scope other hub van', other);
    const mine = await t.orgA.provision();
    const theirs = await t.orgA.provision();
    await json('POST', `/api/v1/assets/${mineVan}/installations`, admin(), { deviceId: mine.id });
    await json('POST', `/api/v1/assets/${otherVan}/installations`, admin(), { deviceId: theirs.id });
    const user = await scopedUser('dispatcher', crew);
    const scoped = new HubClient(t.url, user.token);
    const everyone = new HubClient(t.url, t.orgA.users.dispatcher.token);
    try {
      for (const c of [scoped, everyone]) {
        await c.next('hello');
        c.send({ op: 'subscribe', topics: ['positions'] });
        await c.next('subscribed');
      }
      scoped.send({ op: 'subscribe', topics: [`device:${theirs.id}`] });
      const refused = await scoped.next('error', (f) => f.code === 'not_found');
      expect(refused.message).toContain(theirs.id);
      let seq = 1;
      for (const device of [theirs, mine]) {
        const client = await connectDevice(t.platform.service.mqttPort, device);
        await client.publishAsync(
          `devices/${device.id}/telemetry`,
          Buffer.from(
            encodeTelemetryBatch([{ seq: seq++, tsMs: Date.now(), lat: 60.17, lon: 24.94, speedKmh: 20 }]),
          ),
          { qos: 1 },
        );
        await client.endAsync();
      }
      // The unscoped dispatcher gets both; the scoped one gets its own, and never the other's.
      await everyone.next('positions', (f) => f.positions.some((p) => p.deviceId === theirs.id));
      await everyone.next('positions', (f) => f.positions.some((p) => p.deviceId === mine.id));
      await scoped.next('positions', (f) => f.positions.some((p) => p.deviceId === mine.id));
      const seen = scoped.frames.flatMap((f) =>
        f.type === 'positions'
          ? f.positions.map((p) => p.deviceId)
          : f.type === 'snapshot'
            ? f.devices.map((d) => d.deviceId)
            : [],
      );
      expect(seen).not.toContain(theirs.id);
      // A new snapshot after both reported: still only the subtree's.
      scoped.send({ op: 'subscribe', topics: ['status'] });
      const snap = await scoped.next('snapshot', (f) => f.topic === 'status');
      expect(snap.devices.map((d) => d.deviceId)).toEqual([mine.id]);
    } finally {
      scoped.close();
      everyone.close();
    }
  });
});

describe('in the database', () => {
  it('the assets policy filters by fleet.scope_department, whatever the SQL says', async () => {
    const top = await department('Scope SQL: top');
    const sub = await department('Scope SQL: sub', top);
    const side = await department('Scope SQL: side');
    const [inTop, inSub, inSide] = [
      await vehicle('Scope SQL top van', top),
      await vehicle('Scope SQL sub van', sub),
      await vehicle('Scope SQL side van', side),
    ];
    const db = t.platform.db;
    const visible = (scope: string | undefined) =>
      withDepartmentScope(scope, () =>
        inTenant(db, t.orgA.id, (tx) =>
          tx.query<{ id: string }>(
            "select id::text as id from assets where name like 'Scope SQL%' order by name",
          ),
        ),
      ).then((rows) => rows.map((r) => r.id));
    expect(await visible(undefined)).toEqual([inSide, inSub, inTop]);
    expect(await visible(top)).toEqual([inSub, inTop]);
    expect(await visible(sub)).toEqual([inSub]);
    expect(await visible(side)).toEqual([inSide]);
    // An update or delete aimed at a hidden row touches nothing; an insert outside is refused.
    const touched = await withDepartmentScope(sub, () =>
      inTenant(db, t.orgA.id, (tx) =>
        tx.query("update assets set name = 'hacked' where id = any($1::uuid[]) returning id", [
          [inTop, inSide],
        ]),
      ),
    );
    expect(touched).toEqual([]);
    await expect(
      withDepartmentScope(sub, () =>
        inTenant(db, t.orgA.id, (tx) =>
          tx.query(
            `insert into assets (org_id, kind, name, department_id) values ($1, 'vehicle', 'sneaky', $2)`,
            [t.orgA.id, side],
          ),
        ),
      ),
    ).rejects.toThrow(/row-level security/);
    // The scope is per transaction: the next one without it sees all again.
    expect(await visible(undefined)).toHaveLength(3);
    expect(() => withDepartmentScope('not-a-uuid', () => 1)).toThrow(/uuid/);
  });

  it('migrates and enforces the same on PostgreSQL (the API tests run on PGlite)', async () => {
    const database = await freshPostgresDatabase();
    const db = await openDatabase({ url: database.url, maxConnections: 2 });
    try {
      await migrate(db);
      const registry = new DeviceRegistry(db);
      const org = await registry.ensureOrganisation('scope-pg');
      const other = await registry.ensureOrganisation('scope-pg-other');
      const { device } = await registry.provision({ orgId: org.id, name: 'pg tracker', kind: 'vehicle' });
      const [top, sub] = await inTenant(db, org.id, async (tx) => {
        const a = await tx.query<{ id: string }>(
          `insert into departments (org_id, name) values ($1, 'top') returning id::text as id`,
          [org.id],
        );
        const b = await tx.query<{ id: string }>(
          `insert into departments (org_id, parent_id, name) values ($1, $2, 'sub') returning id::text as id`,
          [org.id, a[0]?.id ?? null],
        );
        return [a[0]?.id ?? '', b[0]?.id ?? ''];
      });
      const insert = (name: string, departmentId: string | null, plate: string) =>
        inTenant(db, org.id, (tx) =>
          tx.query<{ id: string }>(
            `insert into assets (org_id, kind, name, department_id, plate) values ($1, 'vehicle', $2, $3, $4)
             returning id::text as id`,
            [org.id, name, departmentId, plate],
          ),
        ).then((r) => r[0]?.id ?? '');
      const a = await insert('top van', top, 'ABC-1');
      const b = await insert('sub van', sub, 'XYZ-2');
      await insert('loose van', null, 'LMN-3');
      const names = (scope: string | undefined, orgId = org.id) =>
        withDepartmentScope(scope, () =>
          inTenant(db, orgId, (tx) => tx.query<{ name: string }>('select name from assets order by name')),
        ).then((rows) => rows.map((r) => r.name));
      expect(await names(undefined)).toEqual(['loose van', 'sub van', 'top van']);
      expect(await names(top)).toEqual(['sub van', 'top van']);
      expect(await names(sub)).toEqual(['sub van']);
      expect(await names(undefined, other.id)).toEqual([]);
      // Plates compare without case, spaces and dashes; the VIN format is checked.
      await expect(insert('copy', null, 'abc 1')).rejects.toThrow(/assets_org_plate_idx/);
      await expect(
        inTenant(db, org.id, (tx) =>
          tx.query(
            `insert into assets (org_id, kind, name, vin) values ($1, 'vehicle', 'v', 'IOQ00000000000000')`,
            [org.id],
          ),
        ),
      ).rejects.toThrow(/check constraint/);
      // One device never on two assets at a time: the trigger refuses an overlap (23P01).
      const installAt = (assetId: string, from: string, to: string | null) =>
        inTenant(db, org.id, (tx) =>
          tx.query(
            `insert into installations (org_id, device_id, asset_id, installed_at, removed_at) values ($1, $2, $3, $4, $5)`,
            [org.id, device.id, assetId, from, to],
          ),
        );
      await installAt(a, '2026-01-01T00:00:00Z', '2026-02-01T00:00:00Z');
      await installAt(b, '2026-02-01T00:00:00Z', null);
      await expect(installAt(a, '2026-01-15T00:00:00Z', '2026-01-20T00:00:00Z')).rejects.toMatchObject({
        code: '23P01',
      });
      // A user's scope needs a department, as on PGlite.
      await expect(
        db.query(
          `insert into users (org_id, email, name, role, password_hash, department_scope)
           values ($1, 'x@example.test', 'X', 'viewer', 'h', true)`,
          [org.id],
        ),
      ).rejects.toThrow(/users_scope_needs_department/);
    } finally {
      await db.close();
      await database.drop();
    }
  });
});
