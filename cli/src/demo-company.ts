// Seeds the demo company (firmware-sim/src/company.ts) into the demo organisation on `npm start`:
// departments, places, the vans and kits the simulated devices ride on (with the devices
// installed), drivers and who drives which van. Every write goes through the API's own body
// schemas and repositories (the same validation, row-level security and audit log as a user's
// request; the log names the actor `seed`), below HTTP only because the platform is not running
// yet when the launcher prepares the fleet. What exists is kept: a second start adds only what a
// larger fleet needs (a van for a new device), so an administrator's changes stay.
import {
  Assets,
  Departments,
  DriverAssignments,
  Drivers,
  Installations,
  newDriverSchema,
  newEquipmentSchema,
  newPlaceSchema,
  newVehicleSchema,
  Places,
  vinCheckDigit,
} from '@fleet/api';
import type { CompanyVehicle, DemoCompany } from '@fleet/firmware-sim';
import { type SqlDatabase, withAuditActor } from '@fleet/shared/db';

export interface SeedCounts {
  departments: number;
  places: number;
  vehicles: number;
  equipment: number;
  drivers: number;
  installations: number;
  assignments: number;
}

/** Device names (sim-vehicle-0001 ...) to their ids, for the installations. */
export type DeviceIds = ReadonlyMap<string, string>;

/** "7 departments, 8 places, 50 vehicles ..." for what was made now; "" when nothing was. */
export function describeSeed(counts: SeedCounts): string {
  return Object.entries(counts)
    .filter(([, n]) => n > 0)
    .map(([what, n]) => `${n} ${n === 1 ? singular(what) : what === 'equipment' ? 'equipment items' : what}`)
    .join(', ');
}

function singular(what: string): string {
  if (what === 'equipment') return 'equipment item';
  return what.endsWith('ies') ? `${what.slice(0, -3)}y` : what.slice(0, -1);
}

export function vinOf(v: CompanyVehicle): string {
  const vin = v.vinWithoutCheckDigit;
  return `${vin.slice(0, 8)}${vinCheckDigit(vin)}${vin.slice(9)}`;
}

export function seedDemoCompany(
  db: SqlDatabase,
  orgId: string,
  company: DemoCompany,
  devices: DeviceIds,
  now = Date.now(),
): Promise<SeedCounts> {
  return withAuditActor({ kind: 'system', label: 'seed' }, () => seed(db, orgId, company, devices, now));
}

async function seed(
  db: SqlDatabase,
  orgId: string,
  company: DemoCompany,
  devices: DeviceIds,
  now: number,
): Promise<SeedCounts> {
  const counts: SeedCounts = {
    departments: 0,
    places: 0,
    vehicles: 0,
    equipment: 0,
    drivers: 0,
    installations: 0,
    assignments: 0,
  };
  const departments = await seedDepartments(new Departments(db, orgId), company, counts);
  const places = await seedPlaces(new Places(db, orgId), company, counts);
  const assets = new Assets(db, orgId);
  const installations = new Installations(db, orgId);
  const installed = await installations.installedAssets();
  const vanIds: (string | undefined)[] = [];
  for (const v of company.vehicles) {
    const deviceId = devices.get(v.device);
    const existing = deviceId ? installed.get(deviceId) : undefined;
    if (existing) {
      vanIds.push(existing.id);
      continue;
    }
    const body = newVehicleSchema.parse({
      name: v.name,
      plate: v.plate,
      vin: vinOf(v),
      make: v.make,
      model: v.model,
      year: v.year,
      fuelType: v.fuelType,
      tankCapacityL: v.tankCapacityL,
      departmentId: departments.get(v.department) ?? null,
      homePlaceId: places.get(v.homePlace) ?? null,
    });
    const van = await findOrCreate(assets, 'vehicle', v.plate, () => assets.create(body));
    if (van.created) counts.vehicles++;
    vanIds.push(van.id);
    if (deviceId) {
      await installations.install(van.id, {
        deviceId,
        installedAt: now,
        note: 'seeded with the demo company',
      });
      counts.installations++;
    }
  }
  for (const e of company.equipment) {
    const deviceId = devices.get(e.device);
    if (deviceId && installed.has(deviceId)) continue;
    const body = newEquipmentSchema.parse({
      name: e.name,
      category: e.category,
      serialNumber: e.serialNumber,
      replacementValue: e.replacementValue,
      departmentId: departments.get(e.department) ?? null,
      homePlaceId: places.get(e.homePlace) ?? null,
    });
    const kit = await findOrCreate(assets, 'equipment', e.serialNumber, () => assets.create(body));
    if (kit.created) counts.equipment++;
    if (deviceId) {
      await installations.install(kit.id, {
        deviceId,
        installedAt: now,
        note: 'seeded with the demo company',
      });
      counts.installations++;
    }
  }
  const drivers = new Drivers(db, orgId);
  const assignments = new DriverAssignments(db, orgId);
  for (const d of company.drivers) {
    const found = await drivers.page({
      text: d.employeeNumber,
      sort: 'name',
      order: 'asc',
      limit: 1,
      offset: 0,
    });
    const existing = found.items.find((x) => x.employeeNumber === d.employeeNumber);
    if (existing !== undefined) {
      // Seeded before drivers had cards: give them theirs, as an admin would.
      if (existing.driverCardId === null && existing.erasedAt === null)
        await drivers.update(existing.id, { driverCardId: d.driverCardId });
      continue;
    }
    const driver = await drivers.create(
      newDriverSchema.parse({
        name: d.name,
        employeeNumber: d.employeeNumber,
        phone: d.phone,
        licenceNumber: d.licenceNumber,
        licenceClasses: d.licenceClasses,
        licenceExpiry: d.licenceExpiry,
        departmentId: departments.get(d.department) ?? null,
        driverCardId: d.driverCardId,
      }),
    );
    counts.drivers++;
    const van = d.vehicle === undefined ? undefined : vanIds[d.vehicle];
    if (van && !(await assignments.currentOfVehicle(van))) {
      await assignments.assignNow(van, driver.id);
      counts.assignments++;
    }
  }
  return counts;
}

async function seedDepartments(
  repo: Departments,
  company: DemoCompany,
  counts: SeedCounts,
): Promise<Map<string, string>> {
  const byName = new Map((await repo.list()).map((d) => [d.name, d.id]));
  // Parents come first in the company's list.
  for (const d of company.departments) {
    if (byName.has(d.name)) continue;
    const parentId = d.parent === undefined ? null : (byName.get(d.parent) ?? null);
    const created = await repo.create({ name: d.name, parentId });
    byName.set(d.name, created.id);
    counts.departments++;
  }
  return byName;
}

async function seedPlaces(
  repo: Places,
  company: DemoCompany,
  counts: SeedCounts,
): Promise<Map<string, string>> {
  const byName = new Map<string, string>();
  for (const p of company.places) {
    const found = await repo.page({ nameContains: p.name, limit: 10, offset: 0 });
    const existing = found.items.find((x) => x.name.toLowerCase() === p.name.toLowerCase());
    if (existing) {
      byName.set(p.name, existing.id);
      continue;
    }
    const created = await repo.create(
      newPlaceSchema.parse({
        name: p.name,
        category: p.category,
        address: p.address,
        geometry: { type: 'circle', center: p.center, radiusM: p.radiusM },
      }),
    );
    byName.set(p.name, created.id);
    counts.places++;
  }
  return byName;
}

/** The asset with this plate or serial, or a new one (a device replaced since keeps its van). */
async function findOrCreate(
  assets: Assets,
  kind: 'vehicle' | 'equipment',
  key: string,
  create: () => Promise<{ id: string }>,
): Promise<{ id: string; created: boolean }> {
  const found = await assets.page(kind, { q: key, sort: 'name', order: 'asc', limit: 5, offset: 0 });
  const match = found.items.find((a) => (kind === 'vehicle' ? a.plate === key : a.serialNumber === key));
  if (match) return { id: match.id, created: false };
  return { id: (await create()).id, created: true };
}
