// Seeds the demo company (firmware-sim/src/company.ts) into the demo organisation on `npm start`:
// departments, places, the vans and kits the simulated devices ride on (with the devices
// installed), drivers and who drives which van, and alert rules that the simulator's `demo`
// scenario (firmware-sim/src/scenarios.ts) sets off within minutes. Every write goes through the API's own body
// schemas and repositories (the same validation, row-level security and audit log as a user's
// request; the log names the actor `seed`), below HTTP only because the platform is not running
// yet when the launcher prepares the fleet. What exists is kept: a second start adds only what a
// larger fleet needs (a van for a new device), so an administrator's changes stay; the rules
// are seeded only into an organisation that has none, so archiving or renaming one sticks.
import {
  Assets,
  Departments,
  DriverAssignments,
  Drivers,
  Installations,
  newDriverSchema,
  newEquipmentSchema,
  newPlaceSchema,
  newRuleSchema,
  newVehicleSchema,
  Places,
  Rules,
  vinCheckDigit,
} from '@fleet/api';
import type { CompanyVehicle, DemoCompany } from '@fleet/firmware-sim';
import { type AlertSeverity, type RuleKind, WEEKDAYS } from '@fleet/shared';
import { type SqlDatabase, withAuditActor } from '@fleet/shared/db';
import type { PlaceCategory } from '@fleet/shared/geo';
import { seedJobs } from './demo-jobs.ts';
import { seedMaintenance } from './demo-maintenance.ts';

export interface SeedCounts {
  departments: number;
  places: number;
  vehicles: number;
  equipment: number;
  drivers: number;
  installations: number;
  assignments: number;
  rules: number;
  'service plans': number;
  'work orders': number;
  'fuel entries': number;
  costs: number;
  projects: number;
  jobs: number;
}

/** A rule of the demo company; places by their name in the company (firmware-sim/src/company.ts). */
export interface DemoRule {
  name: string;
  kind: RuleKind;
  severity: AlertSeverity;
  /** Parameters besides the catalogue's defaults (shared/src/rules.ts, RULE_PARAMS). */
  params: Record<string, unknown>;
  places?: readonly string[];
  placeCategories?: readonly PlaceCategory[];
  /** Local times per weekday (the organisation's time zone) when the rule is on; absent: always. */
  hours?: Partial<Record<(typeof WEEKDAYS)[number], { from: string; to: string }[]>>;
}

const NIGHTS = [
  { from: '00:00', to: '07:00' },
  { from: '17:00', to: '24:00' },
];

/**
 * The demo company's rules: what a fleet manager of such a company switches on first, with the
 * catalogue's defaults except where the company's town asks otherwise. Each is set off by a
 * preset of the simulator's `demo` mix (scenarios.ts), checked in cli/test/demo-alerts.test.ts.
 */
export const DEMO_RULES: readonly DemoRule[] = [
  // Central Helsinki is signed 30-40 km/h with a corner every 100 m: over 50 km/h for 20 s is
  // plainly speeding there (the catalogue's 90 km/h and 30 s fit open roads), and the speeding
  // preset's stretches reach it; no calm or aggressive driver keeping to the limits does.
  {
    name: 'Speeding in town (over 50 km/h)',
    kind: 'overspeed',
    severity: 'warning',
    params: { limitKmh: 50, minDurationS: 20 },
  },
  { name: 'Idling over 10 minutes', kind: 'idling', severity: 'info', params: {} },
  { name: 'No data for 30 minutes', kind: 'offline', severity: 'warning', params: {} },
  { name: 'Engine fault code', kind: 'engine_fault', severity: 'warning', params: {} },
  { name: 'Fuel drop while parked (possible theft)', kind: 'fuel_drop', severity: 'critical', params: {} },
  { name: 'Tracker lost vehicle power', kind: 'power_cut', severity: 'critical', params: {} },
  { name: 'Equipment left behind', kind: 'equipment_left_behind', severity: 'warning', params: {} },
  // Today's first two jobs began before their vans reach the site: the board and alerts show it.
  { name: 'Running late for a job', kind: 'job_late', severity: 'warning', params: {} },
  // A visit (a minute inside), not a van driving through the place's circle.
  {
    name: 'Crew arrived at the National Theatre',
    kind: 'geofence_enter',
    severity: 'info',
    params: { minInsideS: 60 },
    places: ['National Theatre'],
  },
  {
    name: 'Van left the depot outside working hours',
    kind: 'geofence_exit',
    severity: 'warning',
    params: { minOutsideS: 60 },
    places: ['Annankatu depot'],
    hours: {
      ...Object.fromEntries(WEEKDAYS.slice(0, 5).map((d) => [d, NIGHTS])),
      sat: [{ from: '00:00', to: '24:00' }],
      sun: [{ from: '00:00', to: '24:00' }],
    },
  },
];

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
    rules: 0,
    'service plans': 0,
    'work orders': 0,
    'fuel entries': 0,
    costs: 0,
    projects: 0,
    jobs: 0,
  };
  const departments = await seedDepartments(new Departments(db, orgId), company, counts);
  const places = await seedPlaces(new Places(db, orgId), company, counts);
  await seedRules(new Rules(db, orgId), places, counts);
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
  const kitIds: (string | undefined)[] = [];
  for (const e of company.equipment) {
    const deviceId = devices.get(e.device);
    const existingKit = deviceId ? installed.get(deviceId) : undefined;
    if (existingKit) {
      kitIds.push(existingKit.id);
      continue;
    }
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
    kitIds.push(kit.id);
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
  const driversByVan = new Map<number, string>();
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
    if (existing !== undefined && d.vehicle !== undefined && existing.erasedAt === null)
      driversByVan.set(d.vehicle, existing.id);
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
    if (d.vehicle !== undefined) driversByVan.set(d.vehicle, driver.id);
    const van = d.vehicle === undefined ? undefined : vanIds[d.vehicle];
    if (van && !(await assignments.currentOfVehicle(van))) {
      await assignments.assignNow(van, driver.id);
      counts.assignments++;
    }
  }
  const upkeep = await seedMaintenance(db, orgId, company, vanIds, kitIds, now);
  counts['service plans'] += upkeep.plans;
  counts.rules += upkeep.rules;
  counts['work orders'] += upkeep.workOrders;
  counts['fuel entries'] += upkeep.fuelEntries;
  counts.costs += upkeep.costs;
  const work = await seedJobs(db, orgId, company, { vans: vanIds, kits: kitIds, driversByVan, places }, now);
  counts.projects += work.projects;
  counts.jobs += work.jobs;
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

/**
 * The demo rules, into an organisation that has no rules yet (a first start, or one from before
 * rules existed). One that has some is its administrator's: nothing is added or brought back.
 */
async function seedRules(repo: Rules, places: Map<string, string>, counts: SeedCounts): Promise<void> {
  if ((await repo.page({ limit: 1, offset: 0 })).total > 0) return;
  for (const rule of DEMO_RULES) {
    const placeIds = (rule.places ?? []).map((name) => {
      const id = places.get(name);
      if (id === undefined) throw new Error(`demo rule "${rule.name}": no place named "${name}"`);
      return id;
    });
    await repo.create(
      newRuleSchema.parse({
        name: rule.name,
        kind: rule.kind,
        severity: rule.severity,
        params: rule.params,
        scope: { placeIds, placeCategories: rule.placeCategories ?? [] },
        schedule: rule.hours ? { hours: rule.hours } : null,
      }),
    );
    counts.rules++;
  }
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
