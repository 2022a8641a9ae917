import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FleetError } from '@fleet/shared';
import { DeviceRegistry, migrate, openDatabase, RegistryError, type SqlDatabase } from '@fleet/shared/db';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { addDevice, listDevices, type Output, reissueToken, setDeviceDisabled } from '../src/devices.ts';
import { runCli } from './run-cli.ts';

const TOKEN = /^fdt_[A-Za-z0-9_-]{43,}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

interface DeviceJson {
  id: string;
  name: string;
  kind: string;
  createdAt: string;
  disabledAt: string | null;
  token?: string;
}

function captured(): Output & { lines: string[]; text(): string } {
  const lines: string[] = [];
  return {
    lines,
    out: (line) => lines.push(line),
    text: () => lines.join('\n'),
  };
}

async function rejection(p: Promise<unknown>): Promise<FleetError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(FleetError);
  return err as FleetError;
}

describe('fleet devices (functions)', () => {
  let db: SqlDatabase;
  let registry: DeviceRegistry;
  let o: ReturnType<typeof captured>;

  beforeAll(async () => {
    db = await openDatabase({ pgliteDir: 'memory://' });
    await migrate(db);
    registry = new DeviceRegistry(db);
    await registry.ensureOrganisation('demo', 'Demo organisation');
    await registry.ensureOrganisation('acme');
  });
  afterAll(async () => {
    await db?.close();
  });
  beforeEach(() => {
    o = captured();
  });

  it('list says how to add a device when there is none', async () => {
    await listDevices(db, o, {});
    expect(o.lines).toEqual([
      'No devices yet. Add one: npm run fleet -- devices add --name van-7 --kind vehicle',
    ]);
    o = captured();
    await listDevices(db, o, { json: true });
    expect(JSON.parse(o.text())).toEqual([]);
  });

  it('add prints the id and the token, which works', async () => {
    await addDevice(db, o, { name: 'van-7', kind: 'vehicle' });
    expect(o.lines).toHaveLength(3);
    expect(o.lines[0]).toBe('Provisioned vehicle "van-7"');
    const id = /device id \(MQTT username and client id\): (\S+)$/.exec(o.lines[1] ?? '')?.[1];
    const token = /token \(MQTT password, shown only now\): +(\S+)$/.exec(o.lines[2] ?? '')?.[1];
    expect(id).toMatch(UUID);
    expect(token).toMatch(TOKEN);
    const check = await registry.checkCredentials(id as string, token as string);
    expect(check.ok).toBe(true);
    if (check.ok) expect(check.device.name).toBe('van-7');
  });

  it('add --json prints one JSON object with the token', async () => {
    await addDevice(db, o, { name: 'pump-1', kind: 'equipment', json: true });
    expect(o.lines).toHaveLength(1);
    const d = JSON.parse(o.text()) as DeviceJson;
    expect(d).toMatchObject({ name: 'pump-1', kind: 'equipment', disabledAt: null });
    expect(d.id).toMatch(UUID);
    expect(d.token).toMatch(TOKEN);
    expect(new Date(d.createdAt).toISOString()).toBe(d.createdAt);
    expect((await registry.checkCredentials(d.id, d.token as string)).ok).toBe(true);
  });

  it('add goes to the organisation given', async () => {
    await addDevice(db, o, { name: 'van-7', kind: 'vehicle', org: 'acme', json: true });
    const d = JSON.parse(o.text()) as DeviceJson;
    const acme = await registry.findOrganisation('acme');
    expect((await registry.get(d.id))?.orgId).toBe(acme?.id);
  });

  it('a bad kind is a FleetError naming the allowed kinds, and adds nothing', async () => {
    const before = (await registry.list((await registry.findOrganisation('demo'))?.id as string)).length;
    const err = await rejection(addDevice(db, o, { name: 'boat-1', kind: 'boat' }));
    expect(err.code).toBe('invalid_kind');
    expect(err.message).toBe('--kind must be one of: vehicle, equipment (got "boat")');
    expect(o.lines).toEqual([]);
    const after = (await registry.list((await registry.findOrganisation('demo'))?.id as string)).length;
    expect(after).toBe(before);
  });

  it('an unknown organisation is a FleetError naming it', async () => {
    const err = await rejection(addDevice(db, o, { name: 'x', kind: 'vehicle', org: 'nope' }));
    expect(err.code).toBe('unknown_organisation');
    expect(err.message).toBe('no organisation "nope"');
    const listErr = await rejection(listDevices(db, o, { org: 'nope' }));
    expect(listErr.code).toBe('unknown_organisation');
    expect(o.lines).toEqual([]);
  });

  it('a duplicate name is refused with a clear message', async () => {
    const err = await rejection(addDevice(db, o, { name: 'van-7', kind: 'vehicle' }));
    expect(err).toBeInstanceOf(RegistryError);
    expect(err.code).toBe('duplicate_name');
    expect(err.message).toContain('"van-7"');
  });

  it('list prints a table of the organisation only, by name; JSON has no tokens', async () => {
    await listDevices(db, o, {});
    expect(o.lines[0]).toMatch(/^ID {34} {2}KIND {5} {2}STATUS {2} {2}NAME$/);
    const rows = o.lines.slice(1);
    expect(rows.map((r) => r.trim().split(/\s+/).at(-1))).toEqual(['pump-1', 'van-7']);
    expect(rows[0]).toMatch(/^\S{36} {2}equipment {2}active {4}pump-1$/);
    expect(rows[1]).toMatch(/^\S{36} {2}vehicle {4}active {4}van-7$/);

    o = captured();
    await listDevices(db, o, { json: true });
    const list = JSON.parse(o.text()) as DeviceJson[];
    expect(list.map((d) => d.name)).toEqual(['pump-1', 'van-7']);
    for (const d of list) expect(d).not.toHaveProperty('token');
    expect(o.text()).not.toMatch(/fdt_/);
  });

  it('disable and enable print what they did; list shows the status', async () => {
    const { device, token } = await registry.provision({
      orgId: (await registry.findOrganisation('demo'))?.id as string,
      name: 'truck-9',
      kind: 'vehicle',
    });
    await setDeviceDisabled(db, o, device.id, true);
    expect(o.lines).toEqual([`Disabled "truck-9" (${device.id})`]);
    expect(await registry.checkCredentials(device.id, token)).toEqual({
      ok: false,
      reason: 'device_disabled',
    });

    o = captured();
    await listDevices(db, o, {});
    expect(o.lines.find((l) => l.includes(device.id))).toMatch(/ disabled +truck-9$/);
    o = captured();
    await listDevices(db, o, { json: true });
    const listed = (JSON.parse(o.text()) as DeviceJson[]).find((d) => d.id === device.id);
    expect(listed?.disabledAt).toMatch(/^\d{4}-\d\d-\d\dT/);

    o = captured();
    await setDeviceDisabled(db, o, device.id, false);
    expect(o.lines).toEqual([`Enabled "truck-9" (${device.id})`]);
    expect((await registry.checkCredentials(device.id, token)).ok).toBe(true);
  });

  it('disable of an unknown device is a FleetError', async () => {
    const err = await rejection(setDeviceDisabled(db, o, 'no-such-device', true));
    expect(err.code).toBe('unknown_device');
    expect(err.message).toContain('no-such-device');
  });

  it('token prints a new token and the old one stops working', async () => {
    const { device, token: oldToken } = await registry.provision({
      orgId: (await registry.findOrganisation('demo'))?.id as string,
      name: 'tag-3',
      kind: 'equipment',
    });
    await reissueToken(db, o, device.id);
    const text = o.text();
    expect(text.startsWith(`New token for "tag-3" (${device.id}), shown only now:\n  fdt_`)).toBe(true);
    const newToken = text.split('\n  ')[1] as string;
    expect(newToken).toMatch(TOKEN);
    expect(await registry.checkCredentials(device.id, oldToken)).toEqual({ ok: false, reason: 'bad_token' });
    expect((await registry.checkCredentials(device.id, newToken)).ok).toBe(true);

    o = captured();
    await reissueToken(db, o, device.id, true);
    const d = JSON.parse(o.text()) as DeviceJson;
    expect(d).toMatchObject({ id: device.id, name: 'tag-3', kind: 'equipment' });
    expect(d.token).toMatch(TOKEN);
    expect(d.token).not.toBe(newToken);
    expect((await registry.checkCredentials(device.id, newToken)).ok).toBe(false);
    expect((await registry.checkCredentials(device.id, d.token as string)).ok).toBe(true);
  });
});

describe('fleet devices (the real CLI)', () => {
  let dataDir: string;
  beforeAll(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'fleet-cli-test-'));
  });
  afterAll(() => {
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('devices add --json provisions into DATA_DIR and prints JSON; list finds it again', async () => {
    const add = await runCli(['devices', 'add', '--name', 'x', '--kind', 'vehicle', '--json'], {
      DATA_DIR: dataDir,
    });
    expect(add.stderr).toBe('');
    expect(add.code).toBe(0);
    const d = JSON.parse(add.stdout) as DeviceJson;
    expect(d).toMatchObject({ name: 'x', kind: 'vehicle', disabledAt: null });
    expect(d.id).toMatch(UUID);
    expect(d.token).toMatch(TOKEN);

    const list = await runCli(['devices', 'list', '--json'], { DATA_DIR: dataDir });
    expect(list.code).toBe(0);
    const listed = JSON.parse(list.stdout) as DeviceJson[];
    expect(listed.map((x) => x.id)).toEqual([d.id]);
  }, 60_000);

  it('a bad setting exits with code 2 and names it', async () => {
    const r = await runCli(['devices', 'add', '--name', 'z', '--kind', 'vehicle', '--json'], {
      DATA_DIR: dataDir,
      MQTT_PORT: 'abc',
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('MQTT_PORT');
    expect(r.stdout).toBe('');
  }, 60_000);

  it('a bad kind exits with code 1 and a readable message', async () => {
    const r = await runCli(['devices', 'add', '--name', 'y', '--kind', 'boat'], { DATA_DIR: dataDir });
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('fleet: --kind must be one of: vehicle, equipment (got "boat")\n');
  }, 60_000);
});
