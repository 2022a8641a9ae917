// The same suite against both homes of the domain data: embedded PGlite and a real PostgreSQL
// (a fresh database on the run's server, dropped afterwards).
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DEFAULT_WORKING_HOURS,
  DEMO_ORGANISATION,
  DEMO_TIME_ZONE,
  ensureDemoOrganisation,
} from '@fleet/shared';
import {
  DatabaseLockedError,
  type DeviceChange,
  type DeviceKind,
  DeviceRegistry,
  hashDeviceToken,
  inTenant,
  MIGRATIONS,
  migrate,
  openDatabase,
  RegistryError,
  type SqlDatabase,
} from '@fleet/shared/db';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

interface Backend {
  db: SqlDatabase;
  close(): Promise<void>;
}

async function pgliteBackend(): Promise<Backend> {
  const db = await openDatabase({ pgliteDir: 'memory://' });
  return { db, close: () => db.close() };
}

async function postgresBackend(): Promise<Backend> {
  const adminUrl = inject('postgresUrl');
  const admin = await openDatabase({ url: adminUrl, maxConnections: 1 });
  const name = `test_${randomBytes(8).toString('hex')}`;
  await admin.exec(`create database ${name}`);
  const db = await openDatabase({ url: adminUrl.replace(/\/[^/]*$/, `/${name}`), maxConnections: 4 });
  return {
    db,
    async close() {
      await db.close();
      await admin.exec(`drop database if exists ${name} with (force)`);
      await admin.close();
    },
  };
}

async function expectRegistryError(p: Promise<unknown>, code: string): Promise<RegistryError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(RegistryError);
  expect((err as RegistryError).code).toBe(code);
  return err as RegistryError;
}

describe.each([
  ['pglite', pgliteBackend],
  ['postgres', postgresBackend],
] as const)('domain database on %s', (kind, open) => {
  let backend: Backend;
  let db: SqlDatabase;
  let registry: DeviceRegistry;
  let firstRun: string[];
  let orgId: string;
  let n = 0;
  const uniqueName = () => `dev-${++n}`;

  beforeAll(async () => {
    backend = await open();
    db = backend.db;
    firstRun = await migrate(db);
    registry = new DeviceRegistry(db);
    orgId = (await registry.ensureOrganisation('acme', 'Acme Oy')).id;
  });
  afterAll(async () => {
    await backend?.close();
  });

  it('reports its kind', () => {
    expect(db.kind).toBe(kind);
  });

  it('migrate applies every migration once; a second run applies nothing', async () => {
    expect(firstRun).toEqual(MIGRATIONS.map((m) => m.id));
    expect(await migrate(db)).toEqual([]);
    const rows = await db.query<{ id: string }>('select id from schema_migrations order by id');
    expect(rows.map((r) => r.id)).toEqual(MIGRATIONS.map((m) => m.id));
  });

  it('migrate applies only the migrations it has not run yet', async () => {
    const extra = { id: '9999_test_extra', sql: 'create table test_extra (x int)' };
    expect(await migrate(db, [...MIGRATIONS, extra])).toEqual(['9999_test_extra']);
    expect(await migrate(db, [...MIGRATIONS, extra])).toEqual([]);
    expect(await db.query('select * from test_extra')).toEqual([]);
  });

  it('a failing migration leaves nothing behind', async () => {
    const good = { id: '9998_half_a', sql: 'create table half_a (x int)' };
    const bad = { id: '9998_half_b', sql: 'create table half_b (x no_such_type)' };
    await expect(migrate(db, [...MIGRATIONS, good, bad])).rejects.toThrow();
    const done = await db.query<{ id: string }>("select id from schema_migrations where id like '9998%'");
    expect(done).toEqual([]);
    await expect(db.query('select * from half_a')).rejects.toThrow();
  });

  it('ensureOrganisation is idempotent and findOrganisation finds it', async () => {
    const again = await registry.ensureOrganisation('acme', 'Other name');
    expect(again.id).toBe(orgId);
    expect(again.name).toBe('Acme Oy');
    expect(await registry.findOrganisation('acme')).toEqual({
      id: orgId,
      slug: 'acme',
      name: 'Acme Oy',
      timeZone: 'UTC',
      workingHours: DEFAULT_WORKING_HOURS,
      distanceUnit: 'km',
      currency: 'EUR',
      suspendedAt: null,
      mfaRequiredForAdmins: false,
    });
    expect(await registry.findOrganisation('nobody')).toBeUndefined();
  });

  it('an organisation has a time zone: UTC unless given at creation, then only changed on purpose', async () => {
    const created = await registry.ensureOrganisation('tz-hel', 'Hel Oy', { timeZone: 'Europe/Helsinki' });
    expect(created).toMatchObject({ slug: 'tz-hel', name: 'Hel Oy', timeZone: 'Europe/Helsinki' });
    // Existing: neither the name nor the zone of the call replaces what is stored.
    const again = await registry.ensureOrganisation('tz-hel', 'Other', { timeZone: 'Asia/Tokyo' });
    expect(again).toEqual(created);
    await expectRegistryError(
      registry.ensureOrganisation('tz-bad', 'Bad', { timeZone: 'Mars/Olympus' }),
      'invalid_time_zone',
    );
    expect(await registry.findOrganisation('tz-bad')).toBeUndefined();

    const changed = await registry.updateOrganisation(created.id, { timeZone: 'Etc/UTC' });
    expect(changed).toEqual({ ...created, timeZone: 'Etc/UTC' });
    const renamed = await registry.updateOrganisation(created.id, { name: '  Hel Ab  ' });
    expect(renamed).toEqual({ ...created, name: 'Hel Ab', timeZone: 'Etc/UTC' });
    for (const timeZone of ['Mars/Olympus', '+02:00', '', 'x'.repeat(10_000)]) {
      await expectRegistryError(registry.updateOrganisation(created.id, { timeZone }), 'invalid_time_zone');
    }
    await expectRegistryError(registry.updateOrganisation(created.id, { name: ' ' }), 'invalid_name');
    expect(await registry.findOrganisation('tz-hel')).toEqual(renamed);
    expect(await registry.updateOrganisation(randomUUID(), { timeZone: 'UTC' })).toBeUndefined();
  });

  it('a tenant changes only its own organisation, and only its name and time zone', async () => {
    const mine = await registry.ensureOrganisation('tz-mine', 'Mine Oy');
    const other = await registry.ensureOrganisation('tz-other', 'Other Oy');
    const tenant = new DeviceRegistry(db, mine.id);
    expect(await tenant.updateOrganisation(mine.id, { timeZone: 'America/New_York' })).toMatchObject({
      id: mine.id,
      timeZone: 'America/New_York',
    });
    await expectRegistryError(
      tenant.updateOrganisation(other.id, { timeZone: 'Asia/Tokyo' }),
      'wrong_organisation',
    );
    // Row-level security, whatever the SQL asks for.
    expect(
      await inTenant(db, mine.id, (tx) =>
        tx.query("update organisations set time_zone = 'Asia/Tokyo' where id = $1 returning id", [other.id]),
      ),
    ).toEqual([]);
    await expect(
      inTenant(db, mine.id, (tx) =>
        tx.query("update organisations set slug = 'taken' where id = $1", [mine.id]),
      ),
    ).rejects.toThrow(/permission denied/);
    expect(await registry.findOrganisation('tz-other')).toEqual(other);
    expect(other.timeZone).toBe('UTC');
  });

  it('the demo organisation is created in Helsinki time, and keeps a zone chosen later', async () => {
    const demo = await ensureDemoOrganisation(db);
    expect(demo).toMatchObject({
      slug: DEMO_ORGANISATION,
      name: 'Demo organisation',
      timeZone: DEMO_TIME_ZONE,
    });
    expect(DEMO_TIME_ZONE).toBe('Europe/Helsinki');
    await registry.updateOrganisation(demo.id, { timeZone: 'UTC' });
    expect((await ensureDemoOrganisation(db)).timeZone).toBe('UTC');
  });

  it('provision returns an fdt_ token and stores only its hash', async () => {
    const name = uniqueName();
    const { device, token } = await registry.provision({ orgId, name, kind: 'vehicle' });
    expect(token).toMatch(/^fdt_[A-Za-z0-9_-]{43,}$/);
    expect(device).toMatchObject({ orgId, name, kind: 'vehicle', disabledAt: null });
    expect(device.id.length).toBeGreaterThanOrEqual(3);
    expect(device.createdAt).toBeInstanceOf(Date);
    expect(Number.isNaN(device.createdAt.getTime())).toBe(false);

    const rows = await db.query<Record<string, unknown>>('select * from devices where id = $1', [device.id]);
    expect(rows).toHaveLength(1);
    const row = rows[0] as Record<string, unknown>;
    expect(row.token_hash).toBe(hashDeviceToken(token));
    const stored = JSON.stringify(row);
    expect(stored).not.toContain(token);
    expect(stored).not.toContain(token.slice('fdt_'.length));
    expect(stored).not.toContain(Buffer.from(token.slice(4), 'base64url').toString('hex'));
  });

  it('gives every device a different id and token', async () => {
    const a = await registry.provision({ orgId, name: uniqueName(), kind: 'vehicle' });
    const b = await registry.provision({ orgId, name: uniqueName(), kind: 'equipment' });
    expect(a.device.id).not.toBe(b.device.id);
    expect(a.token).not.toBe(b.token);
    expect(await registry.get(b.device.id)).toEqual(b.device);
    expect(await registry.get('no-such-device')).toBeUndefined();
  });

  it('checkCredentials: ok, bad_token, unknown_device, device_disabled', async () => {
    const { device, token } = await registry.provision({ orgId, name: uniqueName(), kind: 'vehicle' });
    const ok = await registry.checkCredentials(device.id, token);
    expect(ok).toEqual({ ok: true, device });
    expect(await registry.checkCredentials(device.id, `${token}x`)).toEqual({
      ok: false,
      reason: 'bad_token',
    });
    expect(await registry.checkCredentials(device.id, '')).toEqual({ ok: false, reason: 'bad_token' });
    expect(await registry.checkCredentials('no-such-device', token)).toEqual({
      ok: false,
      reason: 'unknown_device',
    });
    await registry.setDisabled(device.id, true);
    expect(await registry.checkCredentials(device.id, token)).toEqual({
      ok: false,
      reason: 'device_disabled',
    });
    // A wrong token on a disabled device does not reveal that it is disabled.
    expect(await registry.checkCredentials(device.id, 'fdt_wrong')).toEqual({
      ok: false,
      reason: 'bad_token',
    });
  });

  it('refuses a duplicate name in the same organisation (after trimming), not in another', async () => {
    const name = uniqueName();
    await registry.provision({ orgId, name, kind: 'vehicle' });
    const err = await expectRegistryError(
      registry.provision({ orgId, name, kind: 'equipment' }),
      'duplicate_name',
    );
    expect(err.message).toContain(name);
    await expectRegistryError(
      registry.provision({ orgId, name: `  ${name} `, kind: 'vehicle' }),
      'duplicate_name',
    );
    const other = await registry.ensureOrganisation('other-org');
    const elsewhere = await registry.provision({ orgId: other.id, name, kind: 'vehicle' });
    expect(elsewhere.device.orgId).toBe(other.id);
  });

  it('refuses an invalid kind and an invalid name without inserting anything', async () => {
    const before = await db.query<{ n: number }>('select count(*)::int as n from devices');
    await expectRegistryError(
      registry.provision({ orgId, name: uniqueName(), kind: 'boat' as DeviceKind }),
      'invalid_kind',
    );
    await expectRegistryError(registry.provision({ orgId, name: '   ', kind: 'vehicle' }), 'invalid_name');
    await expectRegistryError(
      registry.provision({ orgId, name: 'x'.repeat(101), kind: 'vehicle' }),
      'invalid_name',
    );
    const after = await db.query<{ n: number }>('select count(*)::int as n from devices');
    expect(after).toEqual(before);
  });

  it('the schema itself refuses a bad kind written around the registry', async () => {
    await expect(
      db.query(
        "insert into devices (id, org_id, kind, name, token_hash) values ('raw-dev', $1, 'boat', 'raw', 'h')",
        [orgId],
      ),
    ).rejects.toThrow();
  });

  it('setDisabled disables and enables; disabling twice keeps the first time', async () => {
    const { device, token } = await registry.provision({ orgId, name: uniqueName(), kind: 'vehicle' });
    const disabled = await registry.setDisabled(device.id, true);
    expect(disabled.disabledAt).toBeInstanceOf(Date);
    await new Promise((r) => setTimeout(r, 5));
    const again = await registry.setDisabled(device.id, true);
    expect(again.disabledAt?.getTime()).toBe(disabled.disabledAt?.getTime());
    const enabled = await registry.setDisabled(device.id, false);
    expect(enabled.disabledAt).toBeNull();
    expect((await registry.checkCredentials(device.id, token)).ok).toBe(true);
    await expectRegistryError(registry.setDisabled('no-such-device', true), 'unknown_device');
  });

  it('list is per organisation, ordered by name, and can leave out disabled devices', async () => {
    const org = await registry.ensureOrganisation(`list-${kind}`);
    const b = await registry.provision({ orgId: org.id, name: 'bravo', kind: 'vehicle' });
    const a = await registry.provision({ orgId: org.id, name: 'alpha', kind: 'equipment' });
    await registry.setDisabled(b.device.id, true);
    const all = await registry.list(org.id);
    expect(all.map((d) => d.name)).toEqual(['alpha', 'bravo']);
    expect(all.every((d) => d.orgId === org.id)).toBe(true);
    const active = await registry.list(org.id, { includeDisabled: false });
    expect(active.map((d) => d.id)).toEqual([a.device.id]);
  });

  it('reissueToken invalidates the old token', async () => {
    const { device, token: oldToken } = await registry.provision({
      orgId,
      name: uniqueName(),
      kind: 'vehicle',
    });
    const { device: same, token: newToken } = await registry.reissueToken(device.id);
    expect(same.id).toBe(device.id);
    expect(newToken).toMatch(/^fdt_[A-Za-z0-9_-]{43,}$/);
    expect(newToken).not.toBe(oldToken);
    expect(await registry.checkCredentials(device.id, oldToken)).toEqual({ ok: false, reason: 'bad_token' });
    expect((await registry.checkCredentials(device.id, newToken)).ok).toBe(true);
    await expectRegistryError(registry.reissueToken('no-such-device'), 'unknown_device');
  });

  it('announces device changes to watchers', async () => {
    const { device } = await registry.provision({ orgId, name: uniqueName(), kind: 'vehicle' });
    const changes: DeviceChange[] = [];
    const stop = await registry.watchChanges((c) => {
      if (c.deviceId === device.id) changes.push(c);
    });
    try {
      await registry.setDisabled(device.id, true);
      await registry.setDisabled(device.id, false);
      await registry.reissueToken(device.id);
      const deadline = Date.now() + 5000;
      while (changes.length < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      expect(changes).toEqual([
        { deviceId: device.id, orgId, change: 'disabled' },
        { deviceId: device.id, orgId, change: 'enabled' },
        { deviceId: device.id, orgId, change: 'token_reissued' },
      ]);
    } finally {
      await stop();
    }
  });

  it('listen refuses a channel name that is not an identifier', async () => {
    await expect(db.listen('bad; drop table devices', () => {})).rejects.toThrow(/channel/);
  });

  it('a transaction commits on success and rolls back on error', async () => {
    const committed = await db.transaction(async (tx) => {
      await tx.query("insert into organisations (slug, name) values ('tx-ok', 'ok')");
      return 42;
    });
    expect(committed).toBe(42);
    expect(await registry.findOrganisation('tx-ok')).toBeDefined();

    const boom = new Error('boom');
    await expect(
      db.transaction(async (tx) => {
        await tx.query("insert into organisations (slug, name) values ('tx-rolled-back', 'no')");
        expect(await tx.query("select 1 from organisations where slug = 'tx-rolled-back'")).toHaveLength(1);
        throw boom;
      }),
    ).rejects.toBe(boom);
    expect(await registry.findOrganisation('tx-rolled-back')).toBeUndefined();

    // A failing statement also rolls back what came before it, and the database stays usable.
    await expect(
      db.transaction(async (tx) => {
        await tx.query("insert into organisations (slug, name) values ('tx-half', 'no')");
        await tx.query("insert into organisations (slug, name) values ('NOT A SLUG', 'no')");
      }),
    ).rejects.toThrow();
    expect(await registry.findOrganisation('tx-half')).toBeUndefined();
    expect(await db.query<{ one: number }>('select 1 as one')).toEqual([{ one: 1 }]);
  });

  it('row-level security: a tenant transaction sees and changes only its own organisation', async () => {
    const other = await registry.ensureOrganisation('rls-other', 'Other Oy');
    const mine = await registry.provision({ orgId, name: uniqueName(), kind: 'vehicle' });
    const theirs = await registry.provision({ orgId: other.id, name: uniqueName(), kind: 'vehicle' });
    const ids = await inTenant(db, orgId, (tx) =>
      tx.query<{ id: string; org_id: string }>('select id, org_id::text as org_id from devices'),
    );
    expect(ids.map((r) => r.id)).toContain(mine.device.id);
    expect(ids.every((r) => r.org_id === orgId)).toBe(true);
    // Asking by id, with the other organisation named in the SQL itself, still finds nothing.
    expect(
      await inTenant(db, orgId, (tx) =>
        tx.query('select * from devices where id = $1 or org_id = $2', [theirs.device.id, other.id]),
      ),
    ).toEqual([]);
    expect(
      await inTenant(db, orgId, (tx) =>
        tx.query('update devices set name = $2 where id = $1 returning id', [theirs.device.id, 'pwned']),
      ),
    ).toEqual([]);
    await expect(
      inTenant(db, orgId, (tx) =>
        tx.query(
          "insert into devices (id, org_id, kind, name, token_hash) values ('planted', $1, 'vehicle', 'x', 'x')",
          [other.id],
        ),
      ),
    ).rejects.toThrow(/row-level security/);
    expect(await inTenant(db, orgId, (tx) => tx.query('select id from organisations'))).toEqual([
      { id: orgId },
    ]);
    // The role alone, without an organisation, sees nothing at all.
    expect(
      await db.transaction(async (tx) => {
        await tx.exec('set local role fleet_tenant');
        return tx.query('select id from devices');
      }),
    ).toEqual([]);
    // The system path is unaffected, and the session is back to its own role afterwards.
    expect((await registry.get(theirs.device.id))?.name).toBe(theirs.device.name);
    expect(() => inTenant(db, "x' or 1=1", async () => 1)).toThrow(/uuid/);
  });

  it('a tenant registry is scoped to its organisation', async () => {
    const other = await registry.ensureOrganisation('rls-scoped', 'Scoped Oy');
    const theirs = await registry.provision({ orgId: other.id, name: uniqueName(), kind: 'equipment' });
    const tenant = new DeviceRegistry(db, orgId);
    expect(await tenant.get(theirs.device.id)).toBeUndefined();
    await expectRegistryError(tenant.setDisabled(theirs.device.id, true), 'unknown_device');
    await expectRegistryError(tenant.reissueToken(theirs.device.id), 'unknown_device');
    await expectRegistryError(tenant.rename(theirs.device.id, 'pwned'), 'unknown_device');
    await expectRegistryError(
      tenant.provision({ orgId: other.id, name: 'x', kind: 'vehicle' }),
      'wrong_organisation',
    );
    expect((await registry.get(theirs.device.id))?.disabledAt).toBeNull();
    const created = await tenant.provision({ orgId, name: uniqueName(), kind: 'vehicle' });
    const page = await tenant.page(orgId, {
      kind: 'vehicle',
      nameContains: created.device.name,
      limit: 10,
      offset: 0,
    });
    expect(page.items.map((d) => d.id)).toEqual([created.device.id]);
    expect((await tenant.page(orgId, { nameContains: '%', limit: 10, offset: 0 })).total).toBe(0);
  });

  it('passes parameters, never interpolates them', async () => {
    const evil = "x'); drop table devices; --";
    const rows = await db.query<{ v: string }>('select $1::text as v', [evil]);
    expect(rows).toEqual([{ v: evil }]);
    expect(await db.query('select 1 from devices limit 1')).toBeDefined();
  });
});

describe('openDatabase', () => {
  it('needs a URL or a PGlite directory', async () => {
    await expect(openDatabase({})).rejects.toThrow(/PGlite directory/);
  });
});

describe('PGlite directory lock', () => {
  const dirs: string[] = [];
  const children: ChildProcess[] = [];
  const tempDir = () => {
    const d = mkdtempSync(join(tmpdir(), 'fleet-lock-test-'));
    dirs.push(d);
    return d;
  };
  afterAll(() => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  function spawnSleeper(): ChildProcess {
    const child = spawn('sleep', ['30'], { stdio: 'ignore' });
    children.push(child);
    return child;
  }

  it('refuses a directory locked by another live process', async () => {
    const dir = tempDir();
    const child = spawnSleeper();
    const pid = child.pid as number;
    writeFileSync(join(dir, 'fleet.lock'), String(pid));
    const err = await openDatabase({ pgliteDir: dir }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(DatabaseLockedError);
    expect((err as DatabaseLockedError).code).toBe('database_locked');
    expect((err as Error).message).toContain(`pid ${pid}`);
    expect((err as Error).message).toContain(dir);
    // The other process' lock is left alone.
    expect(readFileSync(join(dir, 'fleet.lock'), 'utf8')).toBe(String(pid));
    child.kill('SIGKILL');
  });

  it('takes over the lock of a dead process, and releases it on close', async () => {
    const dir = tempDir();
    const child = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
    children.push(child);
    const pid = child.pid as number;
    await new Promise((r) => child.once('exit', r));
    writeFileSync(join(dir, 'fleet.lock'), String(pid));
    const db = await openDatabase({ pgliteDir: dir });
    try {
      expect(readFileSync(join(dir, 'fleet.lock'), 'utf8')).toBe(String(process.pid));
      await migrate(db);
      expect(await db.query('select id from schema_migrations')).toHaveLength(MIGRATIONS.length);
    } finally {
      await db.close();
    }
    expect(existsSync(join(dir, 'fleet.lock'))).toBe(false);
  });

  it('takes over a lock file that holds no pid', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'fleet.lock'), 'garbage');
    const db = await openDatabase({ pgliteDir: dir });
    await db.close();
    expect(existsSync(join(dir, 'fleet.lock'))).toBe(false);
  });

  it('a second open of the same directory in one process does not leave it unlocked', async () => {
    // Two PGlite instances on one directory corrupt it just like two processes do. Either the
    // second open is refused, or the lock must outlive the first close while the second is open.
    const dir = tempDir();
    const lock = join(dir, 'fleet.lock');
    const first = await openDatabase({ pgliteDir: dir });
    let second: SqlDatabase | undefined;
    try {
      second = await openDatabase({ pgliteDir: dir });
    } catch (err) {
      expect(err).toBeInstanceOf(DatabaseLockedError);
    }
    await first.close();
    if (second) {
      const stillLocked = existsSync(lock);
      await second.close();
      expect(stillLocked).toBe(true);
    }
  });
});
