// The demo company seeded as `npm start` does it, into a real (embedded) database: everything
// the simulated fleet needs, valid by the API's own rules, logged as the seed, and made once.

import { Rules } from '@fleet/api';
import { demoCompany } from '@fleet/firmware-sim';
import {
  DeviceRegistry,
  dueStatuses,
  inTenant,
  loadMaintenanceSnapshot,
  migrate,
  openDatabase,
  type SqlDatabase,
} from '@fleet/shared/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_RULES, describeSeed, seedDemoCompany, vinOf } from '../src/demo-company.ts';

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
    const fuelled = demoCompany(size).vehicles.filter((v) => v.tankCapacityL !== null).length;
    expect(counts).toEqual({
      departments: 7,
      places: 8,
      vehicles: 6,
      equipment: 4,
      drivers: 8,
      installations: 10,
      assignments: 6,
      rules: DEMO_RULES.length + 3,
      'service plans': 3,
      // Each van's last inspection and oil change, each kit's last safety check.
      'work orders': 6 * 2 + 4,
      'fuel entries': fuelled * 8,
      costs: 6 * 2,
      // Today's dispatched jobs of vans 2, 4 and 6, and tomorrow's of van 5 (the sound check
      // needs van 7, which a fleet of six does not have).
      projects: 2,
      jobs: 4,
    });
    expect(describeSeed(counts)).toBe(
      `7 departments, 8 places, 6 vehicles, 4 equipment items, 8 drivers, 10 installations, 6 assignments, ${DEMO_RULES.length + 3} rules, 3 service plans, 16 work orders, ${fuelled * 8} fuel entries, 12 costs, 2 projects, 4 jobs`,
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
    // Today's jobs are dispatched at the client site each van goes to first, with its driver.
    const jobs = await inTenant(db, orgId, (tx) =>
      tx.query<{ state: string; van: string; site: string; drivers: string | number }>(
        `select j.state, a.name as van, p.name as site,
           (select count(*) from job_crew c where c.job_id = j.id and c.role = 'driver') as drivers
         from jobs j join places p on p.id = j.place_id
         join job_assets x on x.job_id = j.id join assets a on a.id = x.asset_id and a.kind = 'vehicle'
         order by j.starts_at, a.name`,
      ),
    );
    expect(jobs.map((j) => [j.state, j.van, j.site, Number(j.drivers)])).toEqual([
      ['dispatched', 'Van 02', 'Helsinki Music Centre', 1],
      ['dispatched', 'Van 04', 'National Theatre', 1],
      ['dispatched', 'Van 06', 'Old Student House', 1],
      ['planned', 'Van 05', 'Ateneum', 1],
    ]);
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
    expect(Number(actors[0]?.n)).toBeGreaterThanOrEqual(49 + DEMO_RULES.length);
  });

  it('makes the demo rules, checked by the catalogue, on the places they name', async () => {
    const { items } = await new Rules(db, orgId).page({ limit: 100, offset: 0 });
    expect(items.map((r) => r.kind).sort()).toEqual(
      [
        'engine_fault',
        'equipment_left_behind',
        'fuel_drop',
        'geofence_enter',
        'geofence_exit',
        'idling',
        'job_late',
        'offline',
        'overspeed',
        'power_cut',
        'service_due',
        'service_due',
        'service_due',
      ].sort(),
    );
    const byKind = new Map(items.map((r) => [r.kind, r]));
    // Stored with the catalogue's defaults filled in: what the engine runs.
    expect(byKind.get('overspeed')?.params).toMatchObject({
      limitKmh: 50,
      minDurationS: 20,
      toleranceKmh: 0,
    });
    expect(byKind.get('idling')?.params).toMatchObject({ minDurationS: 600, maxSpeedKmh: 2 });
    expect(byKind.get('offline')?.params).toEqual({ afterS: 1800 });
    expect(byKind.get('equipment_left_behind')?.params).toMatchObject({ distanceM: 300 });
    expect(byKind.get('fuel_drop')?.severity).toBe('critical');
    const placeName = async (id: string | undefined) =>
      (
        await inTenant(db, orgId, (tx) =>
          tx.query<{ name: string }>('select name from places where id = $1', [id ?? '']),
        )
      )[0]?.name;
    const enter = byKind.get('geofence_enter');
    expect(enter?.scope.placeIds).toHaveLength(1);
    expect(await placeName(enter?.scope.placeIds[0])).toBe('National Theatre');
    const exit = byKind.get('geofence_exit');
    expect(await placeName(exit?.scope.placeIds[0])).toBe('Annankatu depot');
    expect(exit?.schedule?.hours.mon).toEqual([
      { from: '00:00', to: '07:00' },
      { from: '17:00', to: '24:00' },
    ]);
    expect(exit?.schedule?.hours.sun).toEqual([{ from: '00:00', to: '24:00' }]);
    expect(byKind.get('overspeed')?.schedule).toBeNull();
    // The whole organisation: no department or asset scope.
    expect(items.every((r) => r.scope.departmentIds.length === 0 && r.scope.assetIds.length === 0)).toBe(
      true,
    );
    expect(items.every((r) => r.enabled)).toBe(true);
  });

  it("lays the service history out so that, at the vans' starting odometers, one is overdue and a few are due soon", async () => {
    const company = demoCompany(size);
    const snapshot = await loadMaintenanceSnapshot(db, orgId);
    const odometerOf = new Map(
      snapshot.assets.map((a) => [a.id, company.vehicles.find((v) => v.name === a.name)?.odometerKm]),
    );
    const statuses = dueStatuses(snapshot, Date.now(), {
      meters: (id) => ({ odometerKm: odometerOf.get(id) ?? null }),
    });
    const level = (asset: string, plan: string) =>
      statuses.find((s) => s.asset.name === asset && s.plan.name === plan)?.status.level;
    expect(level('Van 03', 'Oil and filter')).toBe('overdue');
    expect(level('Van 05', 'Oil and filter')).toBe('due_soon');
    for (const van of ['Van 01', 'Van 02', 'Van 04', 'Van 06'])
      expect(level(van, 'Oil and filter'), van).toBe('ok');
    expect(
      statuses.filter((s) => s.plan.name === 'Annual inspection').every((s) => s.status.level === 'ok'),
    ).toBe(true);
    // The fourth kit is due for its safety check soon; its plan opens the work order itself.
    const kit = company.equipment[3]?.name ?? '';
    expect(level(kit, 'Electrical safety check')).toBe('due_soon');
    // Exact money on the history: 7 x 12.90 + 18.50 + 0.8 x 68.00 per oil change.
    const oil = await inTenant(db, orgId, (tx) =>
      tx.query<{ total: string }>(
        `select sum(round(l.quantity * l.unit_cost_minor))::text as total from work_order_lines l
           join work_orders w on w.id = l.work_order_id join service_plans p on p.id = w.plan_id
          where p.name = 'Oil and filter'`,
      ),
    );
    expect(oil[0]?.total).toBe(String(6 * (9030 + 1850 + 5440)));
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

  it('keeps the rules an administrator archived or renamed: they are not seeded again', async () => {
    const rules = new Rules(db, orgId);
    const { items } = await rules.page({ limit: 100, offset: 0 });
    const idling = items.find((r) => r.kind === 'idling');
    const offline = items.find((r) => r.kind === 'offline');
    // (No alert of these rules is open, so no user's id is written anywhere by these two.)
    const admin = '00000000-0000-4000-8000-000000000000';
    expect(await rules.archive(idling?.id ?? '', admin)).toEqual({ endedAlerts: [] });
    expect(await rules.update(offline?.id ?? '', { name: 'Silent trackers' }, admin)).toBeDefined();
    const again = await seedDemoCompany(db, orgId, demoCompany(size), devices);
    expect(again.rules).toBe(0);
    const after = (await rules.page({ limit: 100, offset: 0 })).items;
    expect(after).toHaveLength(DEMO_RULES.length + 3 - 1);
    expect(after.filter((r) => r.kind === 'idling')).toEqual([]);
    expect(after.find((r) => r.kind === 'offline')?.name).toBe('Silent trackers');
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
