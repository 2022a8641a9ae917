// The audit log through the real API and database: every audited change made through the API,
// the CLI and the operator routes shows up with who, from where and what, secrets never;
// the log is append-only for the tenant role and isolated per organisation; filters, keyset
// pages that stay whole while entries arrive, the CSV export read back, garbage queries and
// roles. On PostgreSQL, EXPLAIN shows each filter served by its index of migration 0008.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { hostname, tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { UserDirectory } from '@fleet/api';
import { DeviceRegistry, inTenant, openDatabase, type SqlDatabase } from '@fleet/shared/db';
import { parse } from 'csv-parse/sync';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../../../cli/test/run-cli.ts';
import { startTestApi, TEST_PASSWORD, type TestApi, type TestUser } from '../../../../test/api-support.ts';
import { fuzzParameters } from '../../../../test/fuzz.ts';
import { freshPostgresDatabase } from '../../../../test/support.ts';
import { PlatformOperators } from '../organisations/operators.ts';
import { AUDIT_CSV_COLUMNS } from './csv.ts';
import { type AuditFilter, AuditLog, auditPageQuery } from './repository.ts';
import { CSV_MAX_ROWS, encodeCursor } from './schemas.ts';

interface Entry {
  id: string;
  at: string;
  actor: { kind: string; id: string | null; label: string; email: string | null; name: string | null };
  address: string | null;
  entity: string;
  entityId: string;
  action: 'create' | 'update' | 'delete';
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
}
interface Page {
  items: Entry[];
  nextCursor: string | null;
}
interface ErrorReply {
  error: { code: string; message: string; details?: { path: string; message: string }[] };
}

/** The client's address as a trusted proxy forwards it (HTTP_TRUSTED_PROXIES below). */
const CLIENT = '203.0.113.7';
const OPERATOR = {
  email: `ops.${randomUUID().slice(0, 6)}@platform.test`,
  password: 'operator long password',
};
const run = randomUUID().slice(0, 6);
const HELSINKI = { lat: 60.1699, lon: 24.9384 };

let t: TestApi;
let operatorId: string;
let operatorToken: string;
/** The entries of the first administrators made by the operator and by the CLI (known bug below). */
let operatorsAdmin: Entry | undefined;
let cliAdmin: Entry | undefined;
beforeAll(async () => {
  t = await startTestApi({ HTTP_TRUSTED_PROXIES: '127.0.0.1' });
  operatorId = (await new PlatformOperators(t.platform.db).create({ ...OPERATOR, name: 'Ops' })).operator.id;
  const res = await t.request<{ token: string }>('POST', '/api/v1/platform/login', { body: OPERATOR });
  expect(res.status).toBe(200);
  operatorToken = res.body.token;
});
afterAll(() => t?.close());

const adminA = () => t.orgA.users.admin;

/** A change through the API from CLIENT, which must succeed. */
async function act<B = Record<string, unknown>>(
  method: string,
  path: string,
  body?: unknown,
  token = adminA().token,
): Promise<B> {
  const res = await t.request<B>(method, path, {
    token,
    headers: { 'x-forwarded-for': CLIENT },
    ...(body === undefined ? {} : { body }),
  });
  if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${res.text}`);
  return res.body;
}

async function list(query: Record<string, string>, token = adminA().token): Promise<Page> {
  const res = await t.request<Page>('GET', `/api/v1/audit-log?${new URLSearchParams(query)}`, { token });
  expect(res.status, res.text.slice(0, 300)).toBe(200);
  return res.body;
}

/** One thing's entries, newest first. */
async function history(entity: string, entityId: string, token = adminA().token): Promise<Entry[]> {
  return (await list({ entity, entityId, limit: '500' }, token)).items;
}

function byUser(user: TestUser, name: string) {
  return { kind: 'user', id: user.id, label: 'user', email: user.email, name };
}

/** Newest first: (at, id) strictly decreasing. */
function expectNewestFirst(items: Entry[]): void {
  for (let i = 1; i < items.length; i++) {
    const [a, b] = [items[i - 1] as Entry, items[i] as Entry];
    expect(a.at > b.at || (a.at === b.at && BigInt(a.id) > BigInt(b.id)), `${a.id} before ${b.id}`).toBe(
      true,
    );
  }
}

async function createPlace(name: string, token = adminA().token): Promise<{ id: string }> {
  return act(
    'POST',
    '/api/v1/places',
    {
      name,
      category: 'depot',
      geometry: { type: 'circle', center: HELSINKI, radiusM: 100 },
    },
    token,
  );
}

/** A new administrator of orgA, signed in, for tests that count one actor's entries. */
async function newAdmin(label: string): Promise<TestUser> {
  const email = `audit.${label}.${randomUUID().slice(0, 6)}@example.test`;
  const user = await act<{ id: string }>('POST', '/api/v1/users', {
    email,
    name: `Audit ${label}`,
    role: 'admin',
    password: TEST_PASSWORD,
  });
  return { id: user.id, email, role: 'admin', orgId: t.orgA.id, token: await t.login(email) };
}

describe('entries for every audited change', () => {
  it('organisation settings: the changed fields before and after, by the admin, from the client address', async () => {
    const me = await t.request<{ organisation: { currency: string; distanceUnit: string } }>(
      'GET',
      '/api/v1/me',
      {
        token: adminA().token,
      },
    );
    const { currency, distanceUnit } = me.body.organisation;
    const next = {
      currency: currency === 'SEK' ? 'NOK' : 'SEK',
      distanceUnit: distanceUnit === 'km' ? 'mi' : 'km',
    };
    await act('PATCH', '/api/v1/organisation', next);
    const [entry] = await history('organisation', t.orgA.id);
    expect(entry).toMatchObject({
      entity: 'organisation',
      entityId: t.orgA.id,
      action: 'update',
      actor: byUser(adminA(), 'admin a'),
      address: CLIENT,
      before: { currency, distance_unit: distanceUnit },
      after: { currency: next.currency, distance_unit: next.distanceUnit },
    });
    // Only what changed: not the name, the zone or the working hours.
    expect(Object.keys(entry?.after ?? {}).sort()).toEqual(['currency', 'distance_unit']);
    expect(Date.now() - Date.parse(entry?.at ?? '')).toBeLessThan(60_000);
  });

  it('users: created, changed (a password only as "[secret]"), deleted; no argon2 hash anywhere in the log', async () => {
    const email = `audit.user.${run}@example.test`;
    const user = await act<{ id: string }>('POST', '/api/v1/users', {
      email,
      name: 'Aino Audit',
      role: 'dispatcher',
      password: 'a first long password',
    });
    await act('PATCH', `/api/v1/users/${user.id}`, {
      name: 'Aino Auditoija',
      password: 'a second long password',
    });
    await act('PATCH', `/api/v1/users/${user.id}`, { role: 'viewer' });
    const [roleChange, rename, created] = await history('user', user.id);
    expect(created).toMatchObject({
      action: 'create',
      actor: byUser(adminA(), 'admin a'),
      address: CLIENT,
      before: null,
      after: { id: user.id, email, name: 'Aino Audit', role: 'dispatcher', password_hash: '[secret]' },
    });
    expect(created?.after).not.toHaveProperty('last_login_at');
    expect(rename).toMatchObject({
      action: 'update',
      before: { name: 'Aino Audit', password_hash: '[secret]' },
      after: { name: 'Aino Auditoija', password_hash: '[secret]' },
    });
    expect(roleChange).toMatchObject({
      action: 'update',
      before: { role: 'dispatcher' },
      after: { role: 'viewer' },
    });
    expect(Object.keys(roleChange?.after ?? {})).toEqual(['role']);

    // Signing in writes last_login_at, which is bookkeeping: no entry.
    const before = (await history('user', user.id)).length;
    await t.login(email, 'a second long password');
    const logins = await t.platform.db.query<{ n: number }>(
      'select count(*)::int as n from users where id = $1 and last_login_at is not null',
      [user.id],
    );
    expect(logins[0]?.n).toBe(1);
    expect(await history('user', user.id)).toHaveLength(before);

    await act('DELETE', `/api/v1/users/${user.id}`);
    const [deleted] = await history('user', user.id);
    expect(deleted).toMatchObject({
      action: 'delete',
      actor: byUser(adminA(), 'admin a'),
      before: { id: user.id, email, name: 'Aino Auditoija', role: 'viewer', password_hash: '[secret]' },
      after: null,
    });

    // As the owner, past row-level security: the real hashes exist, and none is in the log.
    const hashes = await t.platform.db.query<{ password_hash: string }>('select password_hash from users');
    expect(hashes.length).toBeGreaterThan(5);
    expect(hashes.every((h) => h.password_hash.startsWith('$argon2'))).toBe(true);
    const leaks = await t.platform.db.query<{ n: number }>(
      `select count(*)::int as n from audit_log
       where coalesce(before::text, '') || coalesce(after::text, '') || actor_label like '%$argon2%'`,
    );
    expect(leaks[0]?.n).toBe(0);
  });

  it("a deleted user's entries still name them", async () => {
    const gone = await newAdmin('gone');
    const place = await createPlace(`By someone who leaves ${run}`, gone.token);
    await act('DELETE', `/api/v1/users/${gone.id}`);
    const [entry] = await history('place', place.id);
    expect(entry?.actor).toEqual(byUser(gone, 'Audit gone'));
  });

  it('devices: provisioned, renamed, token reissued, the token hash only as "[secret]"', async () => {
    const { device } = await act<{ device: { id: string }; token: string }>('POST', '/api/v1/devices', {
      name: `audit-van-${run}`,
      kind: 'vehicle',
    });
    await act('PATCH', `/api/v1/devices/${device.id}`, { name: `audit-van-${run}-renamed` });
    const { token } = await act<{ token: string }>('POST', `/api/v1/devices/${device.id}/token`);
    const [reissue, rename, created] = await history('device', device.id);
    expect(created).toMatchObject({
      action: 'create',
      actor: byUser(adminA(), 'admin a'),
      address: CLIENT,
      after: { id: device.id, name: `audit-van-${run}`, kind: 'vehicle', token_hash: '[secret]' },
    });
    expect(rename).toMatchObject({
      action: 'update',
      before: { name: `audit-van-${run}` },
      after: { name: `audit-van-${run}-renamed` },
    });
    expect(reissue).toMatchObject({
      action: 'update',
      before: { token_hash: '[secret]' },
      after: { token_hash: '[secret]' },
    });
    const [stored] = await t.platform.db.query<{ token_hash: string }>(
      'select token_hash from devices where id = $1',
      [device.id],
    );
    const text = JSON.stringify(await history('device', device.id));
    expect(stored?.token_hash.length).toBeGreaterThan(10);
    expect(text).not.toContain(stored?.token_hash);
    expect(text).not.toContain(token);
  });

  it('departments: created, moved, deleted', async () => {
    const top = await act<{ id: string }>('POST', '/api/v1/departments', { name: `Production ${run}` });
    const lighting = await act<{ id: string }>('POST', '/api/v1/departments', {
      name: 'Lighting',
      parentId: top.id,
    });
    await act('PATCH', `/api/v1/departments/${lighting.id}`, { parentId: null });
    await act('DELETE', `/api/v1/departments/${lighting.id}`);
    const [deleted, moved, created] = await history('department', lighting.id);
    expect(created).toMatchObject({
      action: 'create',
      actor: byUser(adminA(), 'admin a'),
      address: CLIENT,
      after: { id: lighting.id, name: 'Lighting', parent_id: top.id },
    });
    expect(moved).toMatchObject({
      action: 'update',
      before: { parent_id: top.id },
      after: { parent_id: null },
    });
    expect(deleted).toMatchObject({
      action: 'delete',
      before: { name: 'Lighting', parent_id: null },
      after: null,
    });
  });

  it('places: created, changed, deleted', async () => {
    const place = await createPlace(`Depot ${run}`);
    await act('PATCH', `/api/v1/places/${place.id}`, { address: 'Satamakatu 1' });
    await act('DELETE', `/api/v1/places/${place.id}`);
    const [deleted, changed, created] = await history('place', place.id);
    expect(created).toMatchObject({
      action: 'create',
      actor: byUser(adminA(), 'admin a'),
      address: CLIENT,
      after: { id: place.id, name: `Depot ${run}`, category: 'depot', radius_m: 100 },
    });
    expect(changed).toMatchObject({
      action: 'update',
      before: { address: null },
      after: { address: 'Satamakatu 1' },
    });
    expect(Object.keys(changed?.after ?? {})).toEqual(['address']);
    expect(deleted).toMatchObject({ action: 'delete', before: { name: `Depot ${run}` }, after: null });
  });

  it("a platform operator's changes are logged as the operator", async () => {
    const slug = `audit-${run}`;
    const adminEmail = `admin@${slug}.example`;
    const created = await t.request<{ organisation: { id: string } }>(
      'POST',
      '/api/v1/platform/organisations',
      {
        token: operatorToken,
        headers: { 'x-forwarded-for': CLIENT },
        body: { slug, name: 'Audit Oy', adminEmail, adminPassword: TEST_PASSWORD },
      },
    );
    expect(created.status).toBe(201);
    const orgId = created.body.organisation.id;
    for (const body of [{ name: 'Audit Group Oy' }, { suspended: true }, { suspended: false }]) {
      const res = await t.request('PATCH', `/api/v1/platform/organisations/${orgId}`, {
        token: operatorToken,
        headers: { 'x-forwarded-for': CLIENT },
        body,
      });
      expect(res.status).toBe(200);
    }
    // Read as the new organisation's administrator (signed in after the resume).
    const token = await t.login(adminEmail);
    const entries = await history('organisation', orgId, token);
    const operator = {
      kind: 'operator',
      id: operatorId,
      label: 'platform operator',
      email: null,
      name: null,
    };
    expect(entries.map((e) => [e.action, e.after])).toEqual([
      ['update', { suspended_at: null }],
      ['update', { suspended_at: expect.any(String) }],
      ['update', { name: 'Audit Group Oy' }],
      ['create', expect.objectContaining({ slug, name: 'Audit Oy' })],
    ]);
    for (const e of entries) expect(e).toMatchObject({ actor: operator, address: CLIENT });
    const users = (await list({ entity: 'user' }, token)).items;
    expect(users).toHaveLength(1);
    expect(users[0]).toMatchObject({ action: 'create', after: { email: adminEmail } });
    operatorsAdmin = users[0];
  });

  it("the organisation's first administrator, made by the operator, is logged as the operator", () => {
    expect(operatorsAdmin?.actor).toEqual({
      kind: 'operator',
      id: operatorId,
      label: 'platform operator',
      email: null,
      name: null,
    });
  });
});

describe('the CLI on PostgreSQL, and the indexes each filter uses', () => {
  let database: Awaited<ReturnType<typeof freshPostgresDatabase>>;
  let db: SqlDatabase;
  let dataDir: string;
  beforeAll(async () => {
    database = await freshPostgresDatabase();
    dataDir = mkdtempSync(join(tmpdir(), 'fleet-audit-cli-'));
  });
  afterAll(async () => {
    await db?.close();
    await database?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });
  const fleet = (...args: string[]) => runCli(args, { DATA_DIR: dataDir, DATABASE_URL: database.url });

  it('changes from `fleet orgs` are logged as cli:<user>@<host>', async () => {
    const add = await fleet(
      'orgs',
      'add',
      '--slug',
      'acme',
      '--name',
      'Acme Oy',
      '--admin-email',
      'admin@acme.example',
    );
    expect(add.code, add.stderr).toBe(0);
    const rename = await fleet('orgs', 'rename', 'acme', '--name', 'Acme Group Oy');
    expect(rename.code, rename.stderr).toBe(0);
    db = await openDatabase({ url: database.url, maxConnections: 2 });
    const [org] = await db.query<{ id: string }>(
      "select id::text as id from organisations where slug = 'acme'",
    );
    const page = await new AuditLog(db, org?.id ?? '').page({ entity: 'organisation' }, 10);
    const cli = {
      kind: 'cli',
      id: null,
      label: `cli:${userInfo().username}@${hostname()}`,
      email: null,
      name: null,
    };
    expect(page.items.map((e) => [e.action, e.actor, e.address])).toEqual([
      ['update', cli, null],
      ['create', cli, null],
    ]);
    expect(page.items[0]?.after).toEqual({ name: 'Acme Group Oy' });
    const admin = await new AuditLog(db, org?.id ?? '').page({ entity: 'user' }, 10);
    expect(admin.items[0]).toMatchObject({ action: 'create', after: { email: 'admin@acme.example' } });
    cliAdmin = admin.items[0];
  });

  it("the organisation's first administrator, made by the CLI, is logged as the CLI", () => {
    expect(cliAdmin?.actor.kind).toBe('cli');
  });

  it('EXPLAIN: every filter reads its index, newest first, without a sort or a scan of the table', async () => {
    const [org] = await db.query<{ id: string }>(
      "select id::text as id from organisations where slug = 'acme'",
    );
    const orgId = org?.id ?? '';
    const other = (await new DeviceRegistry(db).ensureOrganisation('other')).id;
    await db.query(
      `insert into audit_log (org_id, at, actor_kind, actor_id, actor_label, entity, entity_id, action, after)
       select case when i % 5 = 0 then $2::uuid else $1::uuid end, now() - i * interval '1 minute',
         case when i % 50 = 0 then 'cli' else 'user' end,
         ('00000000-0000-4000-8000-' || lpad((i % 40)::text, 12, '0'))::uuid, 'user',
         (array['asset', 'device', 'place', 'user'])[1 + i % 4], 'id-' || (i % 3000),
         (array['create', 'update', 'delete'])[1 + i % 3], '{"name": "x"}'
       from generate_series(1, 40000) i`,
      [orgId, other],
    );
    await db.exec('analyze audit_log');
    const cases: [AuditFilter, string][] = [
      [{ entity: 'asset', entityId: 'id-8' }, 'audit_log_entity_idx'],
      [{ entity: 'place' }, 'audit_log_entity_at_idx'],
      [{ actorId: '00000000-0000-4000-8000-000000000007' }, 'audit_log_actor_idx'],
      [{ actorKind: 'operator' }, 'audit_log_actor_kind_idx'],
      [{ from: Date.now() - 2 * 86_400_000, to: Date.now() - 86_400_000 }, 'audit_log_org_at_idx'],
      [{}, 'audit_log_org_at_idx'],
      [
        { after: { at: new Date(Date.now() - 3_600_000).toISOString().replace('Z', '000Z'), id: '9000' } },
        'audit_log_org_at_idx',
      ],
    ];
    for (const [filter, index] of cases) {
      const q = auditPageQuery(orgId, filter, 101);
      const plan = await inTenant(db, orgId, async (tx) => {
        const rows = await tx.query<{ 'QUERY PLAN': unknown }>(`explain (format json) ${q.text}`, q.params);
        return rows[0]?.['QUERY PLAN'];
      });
      const nodes: Record<string, unknown>[] = [];
      const walk = (node: Record<string, unknown>) => {
        nodes.push(node);
        for (const child of (node.Plans as Record<string, unknown>[] | undefined) ?? []) walk(child);
      };
      walk((plan as { Plan: Record<string, unknown> }[])[0]?.Plan ?? {});
      const main = nodes.find((n) => n['Relation Name'] === 'audit_log' && n.Alias === 'a');
      expect(main?.['Node Type'], JSON.stringify(filter)).toBe('Index Scan');
      expect(main?.['Index Name'], JSON.stringify(filter)).toBe(index);
      const scans = nodes.filter(
        (n) =>
          n['Node Type'] === 'Sort' || (n['Node Type'] === 'Seq Scan' && n['Relation Name'] === 'audit_log'),
      );
      expect(scans, JSON.stringify(filter)).toEqual([]);
    }
  });
});

describe('append-only and isolated', () => {
  it('the tenant role may not insert, update, delete or truncate entries', async () => {
    const [someEntry] = (await list({ limit: '1' })).items;
    expect(someEntry).toBeDefined();
    for (const sql of [
      `insert into audit_log (org_id, actor_kind, actor_label, entity, entity_id, action)
       values ('${t.orgA.id}', 'user', 'me', 'place', 'x', 'create')`,
      `update audit_log set actor_label = 'someone else' where id = ${someEntry?.id}`,
      `delete from audit_log where id = ${someEntry?.id}`,
      'truncate audit_log',
    ]) {
      await expect(
        inTenant(t.platform.db, t.orgA.id, (tx) => tx.query(sql)),
        sql,
      ).rejects.toThrow(/permission denied/);
    }
    // Still there, unchanged.
    const again = await history(someEntry?.entity ?? '', someEntry?.entityId ?? '');
    expect(again.find((e) => e.id === someEntry?.id)).toEqual(someEntry);
  });

  it('columns named like secrets are masked though the trigger does not list them; null stays null', async () => {
    // A table of its own with a trigger that names no secret, as a later migration might forget to.
    const db = t.platform.db;
    await db.exec(`
      create table audit_probe (id text primary key, org_id uuid not null, name text,
        api_key text, recovery_code_hash text, totp_ciphertext text, keyboard text);
      create trigger audit after insert or update or delete on audit_probe
        for each row execute function fleet_audit('audit_probe', 'org_id');`);
    try {
      await db.query(
        `insert into audit_probe values ('p1', $1, 'Probe', 'k-first-key', null, 'c-cipher', 'k-visible')`,
        [t.orgA.id],
      );
      await db.query(
        "update audit_probe set api_key = 'k-second-key', recovery_code_hash = 'h-hash', keyboard = 'qwerty'",
      );
      await db.query("update audit_probe set totp_ciphertext = null, name = 'Probe 2'");
      await db.query('delete from audit_probe');
      const [deleted, cleared, changed, created] = await history('audit_probe', 'p1');
      expect(created?.after).toEqual({
        id: 'p1',
        org_id: t.orgA.id,
        name: 'Probe',
        api_key: '[secret]',
        recovery_code_hash: null,
        totp_ciphertext: '[secret]',
        keyboard: 'k-visible',
      });
      expect(changed).toMatchObject({
        before: { api_key: '[secret]', recovery_code_hash: null, keyboard: 'k-visible' },
        after: { api_key: '[secret]', recovery_code_hash: '[secret]', keyboard: 'qwerty' },
      });
      expect(cleared).toMatchObject({
        before: { totp_ciphertext: '[secret]', name: 'Probe' },
        after: { totp_ciphertext: null, name: 'Probe 2' },
      });
      expect(deleted?.before).toMatchObject({ api_key: '[secret]', recovery_code_hash: '[secret]' });
      const text = JSON.stringify([deleted, cleared, changed, created]);
      for (const secret of ['k-first-key', 'k-second-key', 'h-hash', 'c-cipher'])
        expect(text).not.toContain(secret);
    } finally {
      await db.exec('drop table audit_probe');
    }
  });

  it("fleet_audit_redact erases the named fields of the current organisation's entries only", async () => {
    const mine = await createPlace(`Erase me ${run}`);
    await act('PATCH', `/api/v1/places/${mine.id}`, { name: `Erase me too ${run}` });
    const theirs = await createPlace(`Keep me ${run}`, t.orgB.users.admin.token);
    const redact = (entityId: string) =>
      inTenant(t.platform.db, t.orgA.id, (tx) =>
        tx.query<{ n: string }>("select fleet_audit_redact('place', $1, array['name']) as n", [entityId]),
      );
    expect(Number((await redact(theirs.id))[0]?.n)).toBe(0);
    expect((await history('place', theirs.id, t.orgB.users.admin.token))[0]?.after).toMatchObject({
      name: `Keep me ${run}`,
    });
    expect(Number((await redact(mine.id))[0]?.n)).toBe(2);
    const [renamed, created] = await history('place', mine.id);
    expect(renamed).toMatchObject({ before: { name: '[erased]' }, after: { name: '[erased]' } });
    expect(created?.after).toMatchObject({ name: '[erased]', category: 'depot', radius_m: 100 });
    // Outside any organisation it refuses to run.
    await expect(
      t.platform.db.query("select fleet_audit_redact('place', $1, array['name'])", [mine.id]),
    ).rejects.toThrow(/inside an organisation/);
  });

  it("another organisation's admin sees none of these entries, by list, entity id or actor", async () => {
    const place = await createPlace(`Private ${run}`);
    const b = t.orgB.users.admin.token;
    expect(await history('place', place.id, b)).toEqual([]);
    expect((await list({ actorId: adminA().id }, b)).items).toEqual([]);
    expect((await list({ entity: 'organisation', entityId: t.orgA.id }, b)).items).toEqual([]);
    // Everything orgB's admin can page through belongs to orgB.
    const ids: string[] = [];
    let cursor: string | null = null;
    do {
      const page: Page = await list({ limit: '500', ...(cursor === null ? {} : { cursor }) }, b);
      ids.push(...page.items.map((e) => e.id));
      cursor = page.nextCursor;
    } while (cursor !== null);
    expect(ids.length).toBeGreaterThan(0);
    const owners = await t.platform.db.query<{ org_id: string }>(
      'select distinct org_id::text as org_id from audit_log where id = any($1::bigint[])',
      [ids],
    );
    expect(owners).toEqual([{ org_id: t.orgB.id }]);
    // A cursor made from orgA's newest entry pages orgB's entries, not orgA's.
    const [newest] = (await list({ limit: '1' })).items;
    const after = await list({ cursor: encodeCursor({ at: newest?.at ?? '', id: newest?.id ?? '' }) }, b);
    expect(after.items.every((e) => ids.includes(e.id))).toBe(true);
  });
});

describe('search and paging', () => {
  it('filters by entity, entity id, actor, actor kind, action and time window', async () => {
    const actor = await newAdmin('filters');
    const early = await createPlace(`Filter early ${run}`, actor.token);
    await act('PATCH', `/api/v1/places/${early.id}`, { category: 'parking' }, actor.token);
    await new Promise((r) => setTimeout(r, 30));
    const mark = Date.now();
    await new Promise((r) => setTimeout(r, 30));
    const late = await createPlace(`Filter late ${run}`, actor.token);
    await act('DELETE', `/api/v1/places/${late.id}`, undefined, actor.token);
    // A refused change (400: no body) leaves no entry.
    await expect(act('PATCH', `/api/v1/places/${early.id}`, {}, actor.token)).rejects.toThrow(/: 400 /);

    const mine = (await list({ actorId: actor.id })).items;
    expect(mine.map((e) => [e.entityId, e.action])).toEqual([
      [late.id, 'delete'],
      [late.id, 'create'],
      [early.id, 'update'],
      [early.id, 'create'],
    ]);
    expectNewestFirst(mine);
    expect(mine.every((e) => e.actor.id === actor.id && e.actor.email === actor.email)).toBe(true);
    const ids = (q: Record<string, string>) =>
      list({ actorId: actor.id, ...q }).then((p) => p.items.map((e) => e.id));
    const [lateDelete, lateCreate, earlyUpdate, earlyCreate] = mine.map((e) => e.id);
    expect(await ids({ action: 'update' })).toEqual([earlyUpdate]);
    expect(await ids({ action: 'create' })).toEqual([lateCreate, earlyCreate]);
    expect(await ids({ entity: 'place', entityId: early.id })).toEqual([earlyUpdate, earlyCreate]);
    expect(await ids({ entity: 'device' })).toEqual([]);
    expect(await ids({ actorKind: 'user' })).toHaveLength(4);
    expect(await ids({ actorKind: 'cli' })).toEqual([]);
    expect(await ids({ from: new Date(mark).toISOString() })).toEqual([lateDelete, lateCreate]);
    expect(await ids({ to: new Date(mark).toISOString() })).toEqual([earlyUpdate, earlyCreate]);
    expect(await ids({ from: String(mark - 60_000), to: String(mark) })).toEqual([earlyUpdate, earlyCreate]);
    // The actor's own creation is by the admin who made them, not by them.
    expect((await history('user', actor.id))[0]?.actor.id).toBe(adminA().id);
  });

  it('cursor pages have no duplicates and no gaps while new entries arrive', async () => {
    const actor = await newAdmin('pages');
    for (let i = 0; i < 7; i++) await createPlace(`Page ${i} ${run}`, actor.token);
    const all = (await list({ actorId: actor.id })).items.map((e) => e.id);
    expect(all).toHaveLength(7);
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page: Page = await list({
        actorId: actor.id,
        limit: '2',
        ...(cursor === null ? {} : { cursor }),
      });
      expect(page.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.items.map((e) => e.id));
      cursor = page.nextCursor;
      pages++;
      // Newer entries arrive between pages; they are ahead of the cursor, not in the pages after it.
      await createPlace(`Arrived ${pages} ${run}`, actor.token);
    } while (cursor !== null);
    expect(seen).toEqual(all);
    expect(pages).toBe(4);
    expect((await list({ actorId: actor.id })).items).toHaveLength(7 + pages);
    // The whole organisation's log, in pages of 20, is strictly newest first throughout.
    const first = await list({ limit: '20' });
    expect(first.nextCursor).not.toBeNull();
    const second = await list({ limit: '20', cursor: first.nextCursor ?? '' });
    const both = [...first.items, ...second.items];
    expect(new Set(both.map((e) => e.id)).size).toBe(both.length);
    expectNewestFirst(both);
  });

  it('CSV: the same filters, read back cell for cell, commas, quotes, line breaks and formulas defused', async () => {
    const actor = await newAdmin('csv');
    const tricky = `=SUM(1,2) "quoted", and\na new line ${run}`;
    const place = await createPlace(tricky, actor.token);
    await act('PATCH', `/api/v1/places/${place.id}`, { address: '+358 9 123, "Hakaniemi"' }, actor.token);
    // An entry whose label, id and address start like formulas, as a hostile client could make them.
    await t.platform.db.query(
      `insert into audit_log (org_id, actor_kind, actor_label, address, entity, entity_id, action, before, after)
       values ($1, 'cli', $2, '@10.0.0.1', 'csv_probe', '-2+3', 'update', $3::jsonb, '{"x": "=1"}')`,
      [
        t.orgA.id,
        '=HYPERLINK("http://evil.example","x"), "a"\nb',
        JSON.stringify({ note: 'one\ntwo, "three"' }),
      ],
    );
    const get = (query: string) =>
      t.request('GET', `/api/v1/audit-log?format=csv&${query}`, { token: adminA().token });

    const res = await get(`actorId=${actor.id}&entity=place`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(res.headers.get('content-disposition')).toMatch(
      /^attachment; filename="audit-log-\d{4}-\d\d-\d\d\.csv"$/,
    );
    expect(res.headers.get('x-truncated')).toBe('false');
    expect(res.headers.get('x-row-count')).toBe('2');
    const raw = Buffer.from(
      await (
        await fetch(`${t.url}/api/v1/audit-log?format=csv&actorId=${actor.id}`, {
          headers: { authorization: `Bearer ${adminA().token}` },
        })
      ).arrayBuffer(),
    );
    expect([...raw.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]); // the UTF-8 byte order mark
    const rows = parse(res.text, { bom: true, columns: true }) as Record<string, string>[];
    expect(Object.keys(rows[0] ?? {})).toEqual([...AUDIT_CSV_COLUMNS]);
    const json = (await list({ actorId: actor.id, entity: 'place' })).items;
    expect(rows.map((r) => r.entity_id)).toEqual(json.map((e) => e.entityId));
    for (const [i, row] of rows.entries()) {
      const e = json[i] as Entry;
      expect(row).toEqual({
        at: e.at,
        actor_kind: 'user',
        actor: actor.email,
        address: CLIENT,
        entity: 'place',
        entity_id: place.id,
        action: e.action,
        before: e.before === null ? '' : expect.any(String),
        after: expect.any(String),
      });
      expect(row.before === '' ? null : JSON.parse(row.before ?? '')).toEqual(e.before);
      expect(JSON.parse(row.after ?? '')).toEqual(e.after);
    }
    expect(JSON.parse(rows[1]?.after ?? '{}').name).toBe(tricky);
    expect(JSON.parse(rows[0]?.after ?? '{}').address).toBe('+358 9 123, "Hakaniemi"');

    const probe = parse((await get('entity=csv_probe')).text, { bom: true, columns: true }) as Record<
      string,
      string
    >[];
    expect(probe).toEqual([
      {
        at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/),
        actor_kind: 'cli',
        actor: `'=HYPERLINK("http://evil.example","x"), "a"\nb`,
        address: "'@10.0.0.1",
        entity: 'csv_probe',
        entity_id: "'-2+3",
        action: 'update',
        before: JSON.stringify({ note: 'one\ntwo, "three"' }),
        after: '{"x":"=1"}',
      },
    ]);
    // Nothing matches: the header alone.
    const none = await get(`actorId=${randomUUID()}`);
    expect(none.text).toBe(`${AUDIT_CSV_COLUMNS.join(',')}\r\n`); // fetch's text() drops the BOM
  });

  it(`CSV stops at ${CSV_MAX_ROWS.toLocaleString('en')} rows, says so, and goes on from x-next-cursor`, async () => {
    // An organisation of its own: a big log for this test only.
    const org = await new DeviceRegistry(t.platform.db).ensureOrganisation(`bulk-${run}`);
    const email = `admin.bulk.${run}@example.test`;
    await new UserDirectory(t.platform.db).create(org.id, {
      email,
      name: 'Bulk',
      role: 'admin',
      password: TEST_PASSWORD,
    });
    const token = await t.login(email);
    await t.platform.db.query(
      `insert into audit_log (org_id, at, actor_kind, actor_label, entity, entity_id, action, after)
       select $1::uuid, now() - i * interval '1 second', 'system', 'seed', 'bulk', 'b-' || i, 'create', '{"n": 1}'
       from generate_series(1, $2::int) i`,
      [org.id, CSV_MAX_ROWS + 3],
    );
    const first = await t.request('GET', '/api/v1/audit-log?format=csv&entity=bulk', { token });
    expect(first.status).toBe(200);
    expect(first.headers.get('x-truncated')).toBe('true');
    expect(first.headers.get('x-row-count')).toBe(String(CSV_MAX_ROWS));
    const lines = first.text.split('\r\n');
    expect(lines).toHaveLength(CSV_MAX_ROWS + 2); // the header, the rows, and the end after the last CRLF
    expect(lines[1]).toContain(',b-1,');
    expect(lines[CSV_MAX_ROWS]).toContain(`,b-${CSV_MAX_ROWS},`);
    const cursor = first.headers.get('x-next-cursor') ?? '';
    const rest = await t.request('GET', `/api/v1/audit-log?format=csv&entity=bulk&cursor=${cursor}`, {
      token,
    });
    expect(rest.headers.get('x-truncated')).toBe('false');
    const tail = parse(rest.text, { bom: true, columns: true }) as Record<string, string>[];
    expect(tail.map((r) => r.entity_id)).toEqual([1, 2, 3].map((i) => `b-${CSV_MAX_ROWS + i}`));
  }, 120_000);
});

describe('bad queries and roles', () => {
  it('bad parameters are 400 with the parameter named', async () => {
    const cursorOf = (text: string) => Buffer.from(text).toString('base64url');
    const cases: [string, string][] = [
      ['limit=0', 'query.limit'],
      ['limit=501', 'query.limit'],
      ['limit=ten', 'query.limit'],
      ['limit=1.5', 'query.limit'],
      ['cursor=garbage!', 'query.cursor'],
      ['cursor=Zm9v', 'query.cursor'],
      [`cursor=${cursorOf('2026-13-01T00:00:00.000000Z|5')}`, 'query.cursor'],
      [`cursor=${cursorOf('2026-02-30T00:00:00.000000Z|5')}`, 'query.cursor'],
      [`cursor=${cursorOf('2026-01-01T00:00:00.000000Z|99999999999999999999')}`, 'query.cursor'],
      [`cursor=${cursorOf('2026-01-01T00:00:00.000000Z|0')}`, 'query.cursor'],
      ['actorId=me', 'query.actorId'],
      ['actorKind=robot', 'query.actorKind'],
      ['action=rename', 'query.action'],
      ['entity=Place', 'query.entity'],
      [`entity=${'x'.repeat(41)}`, 'query.entity'],
      ['entityId=abc', 'query.entity'],
      [`entity=place&entityId=${'x'.repeat(201)}`, 'query.entityId'],
      ['from=yesterday', 'query.from'],
      ['from=99999999999999999', 'query.from'],
      ['to=+275760-09-13T00:00:00Z', 'query.to'],
      ['from=2026-12-01T10:00:00Z&to=2026-12-01T09:00:00Z', 'query.to'],
      ['format=xml', 'query.format'],
      ['entity=place%00', 'query.entity'],
    ];
    for (const [query, path] of cases) {
      const res = await t.request<ErrorReply>('GET', `/api/v1/audit-log?${query}`, { token: adminA().token });
      expect(res.status, query).toBe(400);
      expect(res.body.error.code, query).toBe('validation_failed');
      expect(
        res.body.error.details?.map((d) => d.path),
        query,
      ).toContain(path);
    }
    const unknown = await t.request<ErrorReply>('GET', '/api/v1/audit-log?user=me', {
      token: adminA().token,
    });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.message).toContain('user');
  });

  it('generated garbage queries get 200 or 400 naming a parameter, never a 5xx', async () => {
    const { seed, runs } = fuzzParameters('audit log queries', 150);
    const keys = [
      'entity',
      'entityId',
      'actorId',
      'actorKind',
      'action',
      'from',
      'to',
      'cursor',
      'limit',
      'format',
    ];
    const valid = encodeCursor({ at: '2026-12-01T10:00:00.123456Z', id: '42' });
    const value = fc.oneof(
      fc.string({ maxLength: 60 }),
      fc.string({ unit: 'binary', maxLength: 30 }),
      fc.integer().map(String),
      fc.double().map(String),
      fc.uuid(),
      fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
      fc.base64String({ maxLength: 60 }),
      fc.constantFrom(
        '',
        'NaN',
        '-1',
        '0',
        '500',
        '501',
        '1e400',
        'user',
        'cli',
        'create',
        'place',
        'json',
        valid,
      ),
    );
    const query = fc.dictionary(fc.oneof(fc.constantFrom(...keys), fc.string({ maxLength: 8 })), value, {
      maxKeys: 4,
    });
    await fc.assert(
      fc.asyncProperty(query, async (q) => {
        const res = await t.request<ErrorReply>('GET', `/api/v1/audit-log?${new URLSearchParams(q)}`, {
          token: adminA().token,
        });
        expect([200, 400], res.text.slice(0, 300)).toContain(res.status);
        if (res.status !== 400) return;
        expect(res.body.error.code).toBe('validation_failed');
        const sent = Object.keys(q);
        const named = (res.body.error.details ?? []).some(
          (d) =>
            sent.some((k) => d.path === `query.${k}` || d.message.includes(k)) ||
            (d.path === 'query.entity' && sent.includes('entityId')),
        );
        expect(named, JSON.stringify(res.body.error)).toBe(true);
      }),
      { seed, numRuns: runs },
    );
  });

  it('only administrators read the log; without a token it is 401', async () => {
    for (const role of ['dispatcher', 'fleet_manager', 'mechanic', 'viewer'] as const) {
      for (const query of ['', '?format=csv', `?entity=organisation&entityId=${t.orgA.id}`]) {
        const res = await t.request<ErrorReply>('GET', `/api/v1/audit-log${query}`, {
          token: t.orgA.users[role].token,
        });
        expect(res.status, `${role} ${query}`).toBe(403);
        expect(res.body.error.code).toBe('forbidden');
      }
    }
    expect((await t.request('GET', '/api/v1/audit-log')).status).toBe(401);
    expect((await t.request('GET', '/api/v1/audit-log', { token: operatorToken })).status).toBe(401);
    expect((await t.request('GET', '/api/v1/audit-log', { token: adminA().token })).status).toBe(200);
  });
});
