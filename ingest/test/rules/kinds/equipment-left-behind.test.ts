import { describe, expect, it } from 'vitest';
import { equipmentLeftBehind } from '../../../src/rules/kinds/equipment-left-behind.ts';
import { FLEET, HELSINKI, interleave, offset, orgContext, run, T0, Track, VAN } from '../support.ts';

const SITE = offset(HELSINKI, 0, 3000);
const beside = (p: { lat: number; lon: number }) => offset(p, 3, 0);

/** The van and the generator leave the depot together and drive 3 km east to a job site. */
function toSite() {
  const van = new Track('van', { everyS: 10, base: { ignition: true } }).hold(300).to(SITE, 300).hold(300);
  const gen = new Track('gen', { position: beside(HELSINKI), everyS: 60 }).hold(300);
  gen.every(10).to(beside(SITE), 300).every(300).hold(300);
  return { van, gen };
}

describe('equipment_left_behind', () => {
  it('the van drives off without the generator: one alert about the generator; the van coming back resolves it', () => {
    const { van, gen } = toSite();
    van
      .to(offset(SITE, 2000, 0), 240)
      .hold(600)
      .to(SITE, 240)
      .hold(300);
    gen.hold(1800);
    const r = run(equipmentLeftBehind, {}, orgContext({ devices: FLEET })).feed(interleave(van, gen));
    expect(r.opened()).toHaveLength(1);
    expect(r.opened()[0]).toMatchObject({
      deviceId: 'gen',
      key: '',
      title: 'Generator G-12 left behind by Van ABC-123',
      details: { vehicleAssetId: VAN.id, vehicleName: 'Van ABC-123' },
    });
    // Raised from the van's record: the first more than 300 m from the generator (a minute of driving).
    const since = r.opened()[0]?.since ?? 0;
    expect(since).toBeGreaterThan(T0 + 900_000);
    expect(since).toBeLessThan(T0 + 900_000 + 60_000);
    expect(r.cleared()).toHaveLength(1);
    expect(r.cleared()[0]?.details.distanceM).toBe(2000);
    expect(r.openNow()).toEqual([]);
  });

  it('it resolves when the generator travels with a vehicle again', () => {
    const { van, gen } = toSite();
    van
      .to(offset(SITE, 2000, 0), 240)
      .hold(300)
      .to(SITE, 240)
      .hold(120)
      .to(HELSINKI, 300);
    // The generator stands until the van is back, then both leave for the depot.
    gen.hold(780).every(10).hold(120).to(beside(HELSINKI), 300);
    const r = run(equipmentLeftBehind, {}, orgContext({ devices: FLEET })).feed(interleave(van, gen));
    expect(r.opened()).toHaveLength(1);
    expect(r.cleared()).toHaveLength(1);
  });

  it("the generator's own reports keep it open while the van stays away and quiet", () => {
    const { van, gen } = toSite();
    van.to(offset(SITE, 5000, 0), 400).hold(30);
    gen.hold(3600);
    const r = run(equipmentLeftBehind, {}, orgContext({ devices: FLEET })).feed(interleave(van, gen));
    expect(r.opened()).toHaveLength(1);
    const own = r.observations.filter((o) => o.from === 'gen' && o.active);
    expect(own.length).toBeGreaterThanOrEqual(10);
    expect(own.at(-1)?.details?.distanceM).toBe(5000);
    expect(own.at(-1)?.subject).toBeUndefined();
    expect(r.cleared()).toEqual([]);
  });

  it('travelling together and stopping together raises nothing', () => {
    const { van, gen } = toSite();
    van.to(HELSINKI, 300).hold(600);
    gen.every(10).to(beside(HELSINKI), 300).every(300).hold(600);
    const r = run(equipmentLeftBehind, {}, orgContext({ devices: FLEET })).feed(interleave(van, gen));
    expect(r.alerts).toEqual([]);
    expect(r.memoryOf('gen')?.companion).toBe('van');
  });

  it('an item never carried (the van only parked beside it) is not left behind when the van leaves', () => {
    const van = new Track('van', { position: offset(HELSINKI, 0, -400), everyS: 10 })
      .to(HELSINKI, 40)
      .hold(600);
    van.to(offset(HELSINKI, 3000, 0), 300).hold(300);
    const gen = new Track('gen', { position: beside(HELSINKI), everyS: 120 }).hold(1500);
    const r = run(equipmentLeftBehind, {}, orgContext({ devices: FLEET })).feed(interleave(van, gen));
    expect(r.alerts).toEqual([]);
    expect(r.memoryOf('gen')?.companion).toBeUndefined();
  });

  it('together for less than minTogetherS is no pairing', () => {
    const van = new Track('van', { everyS: 10 })
      .to(offset(HELSINKI, 0, 300), 30)
      .to(offset(HELSINKI, 0, 3000), 270);
    const gen = new Track('gen', { position: beside(HELSINKI), everyS: 10 }).to(
      beside(offset(HELSINKI, 0, 300)),
      30,
    );
    gen.every(300).hold(1200);
    const r = run(equipmentLeftBehind, { minTogetherS: 60 }, orgContext({ devices: FLEET })).feed(
      interleave(van, gen),
    );
    expect(r.alerts).toEqual([]);
  });

  it('two vans leave side by side and split: the item that stops beside the van it last moved with is not left behind', () => {
    const split = offset(HELSINKI, 0, 1200);
    const site = offset(HELSINKI, 0, 1600);
    // The truck drives nearest the generator for the first two minutes (it becomes the
    // companion), then turns north; the van, carrying the generator, reaches the site 40 s later.
    const truck = new Track('truck', { position: offset(beside(HELSINKI), 0, 2), everyS: 10 })
      .to(offset(beside(split), 0, 2), 120)
      .to(offset(split, 2000, 0), 120)
      .hold(600);
    const van = new Track('van', { everyS: 10, base: { ignition: true } })
      .to(split, 120)
      .to(site, 40)
      .hold(800);
    const gen = new Track('gen', { position: beside(HELSINKI), everyS: 10 })
      .to(beside(split), 120)
      .to(beside(site), 40);
    gen.every(120).hold(800);
    const r = run(equipmentLeftBehind, {}, orgContext({ devices: FLEET })).feed(interleave(truck, van, gen));
    expect(r.alerts).toEqual([]);
    expect(r.memoryOf('gen')?.companion).toBe('van');
  });
});
