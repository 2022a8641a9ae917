// The demo company is plain data: the same for the same seed and size, with what a real
// company's records have (Finnish plates, valid VIN characters, unique serials, drivers on vans).
import { describe, expect, it } from 'vitest';
import { demoCompany, driverCardOfVan, vanDriverCards } from '../src/company.ts';

describe('demoCompany', () => {
  const company = demoCompany({ vehicles: 50, equipment: 20 });

  it('is the same for the same seed and size, and another for another seed', () => {
    expect(demoCompany({ vehicles: 50, equipment: 20 })).toEqual(company);
    expect(demoCompany({ vehicles: 50, equipment: 20 }, 7).vehicles.map((v) => v.plate)).not.toEqual(
      company.vehicles.map((v) => v.plate),
    );
  });

  it('has vans with unique Finnish plates and well-formed VINs, one per simulated device', () => {
    expect(company.vehicles).toHaveLength(50);
    const plates = company.vehicles.map((v) => v.plate);
    expect(new Set(plates).size).toBe(50);
    for (const v of company.vehicles) {
      expect(v.plate).toMatch(/^[A-Z]{3}-[1-9]\d{0,2}$/);
      expect(v.vinWithoutCheckDigit).toMatch(/^[A-HJ-NPR-Z0-9]{8}0[A-HJ-NPR-Z0-9]{8}$/);
    }
    expect(new Set(company.vehicles.map((v) => v.vinWithoutCheckDigit)).size).toBe(50);
    expect(company.vehicles[0]?.device).toBe('sim-vehicle-0001');
    expect(company.vehicles[49]?.device).toBe('sim-vehicle-0050');
  });

  it('has equipment kits with serials unique per category, one per simulated tag', () => {
    expect(company.equipment).toHaveLength(20);
    const keys = company.equipment.map((e) => `${e.category}/${e.serialNumber}`);
    expect(new Set(keys).size).toBe(20);
    expect(company.equipment[19]?.device).toBe('sim-tag-0020');
  });

  it('refers only to its own departments and places, all in central Helsinki', () => {
    const departments = new Set(company.departments.map((d) => d.name));
    for (const d of company.departments) if (d.parent) expect(departments).toContain(d.parent);
    const places = new Set(company.places.map((p) => p.name));
    for (const item of [...company.vehicles, ...company.equipment]) {
      expect(departments).toContain(item.department);
      expect(places).toContain(item.homePlace);
    }
    for (const d of company.drivers) expect(departments).toContain(d.department);
    for (const p of company.places) {
      // Inside the simulator's road extract (vendor/osm/Helsinki.osm.pbf), so vans can reach them.
      expect(p.center.lat).toBeGreaterThan(60.1642);
      expect(p.center.lat).toBeLessThan(60.179);
      expect(p.center.lon).toBeGreaterThan(24.9353);
      expect(p.center.lon).toBeLessThan(24.9534);
    }
    expect(company.places.filter((p) => p.category === 'depot')).toHaveLength(1);
  });

  it('has a driver for every van, spares, and unique employee numbers and names', () => {
    expect(company.drivers).toHaveLength(60);
    const onVans = company.drivers.filter((d) => d.vehicle !== undefined).map((d) => d.vehicle);
    expect(new Set(onVans).size).toBe(50);
    expect(new Set(company.drivers.map((d) => d.employeeNumber)).size).toBe(60);
    expect(new Set(company.drivers.map((d) => d.name)).size).toBe(60);
    for (const d of company.drivers) expect(d.phone).toMatch(/^\+35840\d{7}$/);
  });

  it('gives each driver a card of their own, which their van reports by its device name', () => {
    const cards = company.drivers.map((d) => d.driverCardId);
    expect(new Set(cards).size).toBe(60);
    // iButton ROM codes as the API stores card ids: 16 hex digits, upper case, family 01.
    for (const card of cards) expect(card).toMatch(/^01[0-9A-F]{14}$/);
    for (const d of company.drivers.filter((x) => x.vehicle !== undefined)) {
      const van = company.vehicles[d.vehicle as number];
      expect(driverCardOfVan(van?.device ?? '')).toBe(d.driverCardId);
    }
    expect(driverCardOfVan('sim-tag-0001')).toBeUndefined();
    expect(driverCardOfVan('sim-vehicle-0000')).toBeUndefined();
    expect(driverCardOfVan('sim-vehicle-1')).toBeUndefined();
    const devices = [
      { id: 'a', name: 'sim-vehicle-0002' },
      { id: 'b', name: 'my-own-tracker' },
    ];
    expect(vanDriverCards(devices)).toEqual(new Map([['a', company.drivers[1]?.driverCardId]]));
  });

  it('scales down to no fleet at all', () => {
    const empty = demoCompany({ vehicles: 0, equipment: 0 });
    expect(empty.vehicles).toEqual([]);
    expect(empty.drivers).toEqual([]);
    expect(empty.places.length).toBeGreaterThan(0);
  });
});

describe('a fleet anchored on the company places', () => {
  it('starts every van at the depot, within a street of it', async () => {
    const { buildFleet, haversineM, loadRoadNetwork } = await import('../src/index.ts');
    const { helsinkiExtract } = await import('./extract.ts');
    const network = await loadRoadNetwork(helsinkiExtract());
    const places = demoCompany({ vehicles: 0, equipment: 0 }).places;
    const depot = places.find((p) => p.category === 'depot');
    if (!depot) throw new Error('no depot');
    const startMs = Date.parse('2026-12-01T05:00:00Z'); // 07:00 in Helsinki: the working day begins
    const devices = Array.from({ length: 6 }, (_, i) => ({
      id: `v${i}`,
      token: 't',
      kind: 'vehicle' as const,
      name: `sim-vehicle-000${i + 1}`,
    }));
    const plan = { network, devices, seed: 1, scenario: 'normal' as const, startMs, workingDay: true };
    const fleet = buildFleet({
      ...plan,
      anchors: {
        depots: [depot.center],
        sites: places.filter((p) => p.category !== 'depot').map((p) => p.center),
      },
    });
    expect(fleet).toHaveLength(6);
    for (const d of fleet) {
      const s = d.model.sample(startMs);
      if (s.lat === undefined || s.lon === undefined) throw new Error('a van without a position');
      expect(haversineM(s.lat, s.lon, depot.center.lat, depot.center.lon)).toBeLessThan(150);
    }
    // With the demo's cards, each van reports its own driver's card once the ignition is on.
    const carded = buildFleet({ ...plan, driverCards: vanDriverCards(devices) });
    for (const [i, d] of carded.entries()) {
      const seen = new Set<string>();
      for (let t = startMs; t < startMs + 3 * 3_600_000; t += 60_000) {
        const s = d.model.sample(t);
        if (s.driverCardId !== undefined) seen.add(s.driverCardId);
      }
      expect([...seen], d.id).toEqual([demoCompany({ vehicles: 6, equipment: 0 }).drivers[i]?.driverCardId]);
    }
  });
});
