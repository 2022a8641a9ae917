// The demo company seeded as `npm start` does it, into a real (embedded) database: everything
// the simulated fleet needs, valid by the API's own rules, logged as the seed, and made once.

import { demoCompany } from '@fleet/firmware-sim';
import { DeviceRegistry, inTenant, migrate, openDatabase, type SqlDatabase } from '@fleet/shared/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeSeed, seedDemoCompany, vinOf } from '../src/demo-company.ts';

let db: SqlDatabase;
let orgId: string;
const devices = new Map<string, string>();
const size = { vehicles: 6, equipment: 4 };

beforeAll(async () => {
  db = await openDatabase({ pgliteDir: 'memory://' });
  await migrate(db);
  const registry = new DeviceRegistry(db);
  orgId = (await registry.ensureOrganisation('demo-seed', 'Demo')).id;
  for (let i = 1; i <= size.vehicles; i++) {
    const name = `sim-vehicle-000${i}`;
    devices.set(name, (await registry.provision({ orgId, name, kind: 'vehicle' })).device.id);
  }
  for (let i = 1; i <= size.equipment; i++) {
    const name = `sim-tag-000${i}`;
    devices.set(name, (await registry.provision({ orgId, name, kind: 'equipment' })).device.id);
  }
});
afterAll(() => db?.close());

const count = async (sql: string) =>
  Number((await inTenant(db, orgId, (tx) => tx.query<{ n: string | number }>(sql)))[0]?.n);

describe('seedDemoCompany', () => {
  it('makes the company on the first start: every device on an asset, every van with a driver', async () => {
    const counts = await seedDemoCompany(db, orgId, demoCompany(size), devices);
    expect(counts).toEqual({
      departments: 7,
      places: 8,
      vehicles: 6,
      equipment: 4,
      drivers: 8,
      installations: 10,
      assignments: 6,
    });
    expect(describeSeed(counts)).toBe(
      '7 departments, 8 places, 6 vehicles, 4 equipment items, 8 drivers, 10 installations, 6 assignments',
    );
    expect(await count('select count(*) as n from installations where removed_at is null')).toBe(10);
    expect(await count('select count(*) as n from driver_assignments where ends_at is null')).toBe(6);
    // Each driver has the card their van's tracker reports (the simulator's --driver-cards).
    expect(await count('select count(distinct driver_card_id) as n from drivers')).toBe(8);
    // The departments hang in a tree: Lighting under Production.
    const lighting = await inTenant(db, orgId, (tx) =>
      tx.query<{ parent: string }>(
        `select p.name as parent from departments d join departments p on p.id = d.parent_id where d.name = 'Lighting'`,
      ),
    );
    expect(lighting[0]?.parent).toBe('Production');
  });

  it('stores the vans with their plates and VINs whose check digit is right', async () => {
    const vans = await inTenant(db, orgId, (tx) =>
      tx.query<{ plate: string; vin: string }>(
        `select plate, vin from assets where kind = 'vehicle' order by name`,
      ),
    );
    const expected = demoCompany(size).vehicles;
    expect(vans.map((v) => v.plate)).toEqual(expected.map((v) => v.plate));
    expect(vans.map((v) => v.vin)).toEqual(expected.map(vinOf));
  });

  it('writes the audit log as the seed', async () => {
    const actors = await inTenant(db, orgId, (tx) =>
      tx.query<{ actor_label: string; n: string | number }>(
        `select actor_label, count(*) as n from audit_log where entity <> 'organisation' and entity <> 'device' group by actor_label`,
      ),
    );
    expect(actors.map((a) => a.actor_label)).toEqual(['seed']);
    expect(Number(actors[0]?.n)).toBeGreaterThanOrEqual(49);
  });

  it('adds nothing on a second start, and keeps what an administrator changed', async () => {
    await inTenant(db, orgId, (tx) =>
      tx.query(`update assets set name = 'Renamed van' where name = 'Van 01'`),
    );
    const again = await seedDemoCompany(db, orgId, demoCompany(size), devices);
    expect(describeSeed(again)).toBe('');
    expect(await count(`select count(*) as n from assets where name = 'Renamed van'`)).toBe(1);
    expect(await count(`select count(*) as n from assets`)).toBe(10);
  });

  it('gives a larger fleet only the vans and drivers it lacks', async () => {
    const registry = new DeviceRegistry(db);
    const name = 'sim-vehicle-0007';
    devices.set(name, (await registry.provision({ orgId, name, kind: 'vehicle' })).device.id);
    const more = await seedDemoCompany(db, orgId, demoCompany({ vehicles: 7, equipment: 4 }), devices);
    expect(more.vehicles).toBe(1);
    expect(more.installations).toBe(1);
    expect(more.departments + more.places + more.equipment).toBe(0);
  });
});
