import { describe, expect, it } from 'vitest';
import { refuel } from '../../../src/rules/kinds/refuel.ts';
import { FLEET, orgContext, run, TRUCK } from '../support.ts';
import { fuelTrack } from './fuel-track.ts';

describe('refuel', () => {
  it('a fill from 20 % to 80 % is one alert with the whole fill, in litres from the tank size', () => {
    const records = fuelTrack(
      [
        { min: 20, from: 20 },
        { min: 3, from: 20, to: 80 },
        { min: 20, from: 80 },
      ],
      { everyS: 30 },
    );
    const r = run(refuel, {}, orgContext({ devices: FLEET })).feed(records);
    expect(r.raised()).toHaveLength(1);
    const [fill] = r.raised();
    expect(Number(fill?.details.fromPct)).toBeGreaterThan(17);
    expect(Number(fill?.details.fromPct)).toBeLessThan(23);
    expect(Number(fill?.details.toPct)).toBeGreaterThan(77);
    expect(Number(fill?.details.toPct)).toBeLessThan(83);
    expect(Number(fill?.details.addedPct)).toBeGreaterThan(54);
    expect(Number(fill?.details.addedPct)).toBeLessThan(66);
    // The van's tank is 80 L.
    expect(fill?.details.addedL).toBeCloseTo((Number(fill?.details.addedPct) / 100) * 80, 0);
    expect(fill?.title).toBe(`Refuelled ${fill?.details.addedL} L`);
  });

  it("litres from the device's own fuelLevelL when it reports them", () => {
    const org = orgContext({ devices: { van: TRUCK } }); // no tank size known
    const records = fuelTrack(
      [
        { min: 20, from: 30 },
        { min: 4, from: 30, to: 90 },
        { min: 20, from: 90 },
      ],
      { litresOf: 400 },
    );
    const r = run(refuel, {}, org).feed(records);
    expect(r.raised()).toHaveLength(1);
    expect(Number(r.raised()[0]?.details.addedL)).toBeGreaterThan(200);
    const without = fuelTrack([
      { min: 20, from: 30 },
      { min: 4, from: 30, to: 90 },
      { min: 20, from: 90 },
    ]);
    const plain = run(refuel, {}, org).feed(without);
    expect(plain.raised()[0]?.details.addedL).toBeUndefined();
    expect(plain.raised()[0]?.title).toMatch(/^Refuelled \d+(\.\d)? %$/);
  });

  it('±3 % noise on a constant level, and a small top-up, raise nothing', () => {
    for (const seed of [1, 7, 99, 2026]) {
      const records = fuelTrack([{ min: 24 * 60, from: 45 }], { seed });
      expect(run(refuel, {}, orgContext({ devices: FLEET })).feed(records).alerts).toEqual([]);
    }
    const topUp = fuelTrack([
      { min: 20, from: 70 },
      { min: 2, from: 70, to: 80 },
      { min: 20, from: 80 },
    ]);
    expect(run(refuel, {}, orgContext({ devices: FLEET })).feed(topUp).alerts).toEqual([]);
  });

  it('two fills on one day are two alerts', () => {
    const records = fuelTrack([
      { min: 20, from: 15 },
      { min: 3, from: 15, to: 85 },
      { min: 120, from: 85, to: 30, speedKmh: 70 },
      { min: 20, from: 30 },
      { min: 3, from: 30, to: 95 },
      { min: 20, from: 95 },
    ]);
    expect(
      run(refuel, {}, orgContext({ devices: FLEET }))
        .feed(records)
        .raised(),
    ).toHaveLength(2);
  });
});
