import { describe, expect, it } from 'vitest';
import { fuelDrop } from '../../../src/rules/kinds/fuel-drop.ts';
import { FLEET, orgContext, run } from '../support.ts';
import { fuelTrack } from './fuel-track.ts';

describe('fuel_drop', () => {
  it('fuel siphoned from a parked van overnight is one alert, from the level before it', () => {
    const records = fuelTrack([
      { min: 180, from: 62 },
      { min: 10, from: 62, to: 38 },
      { min: 240, from: 38 },
    ]);
    const r = run(fuelDrop, {}, orgContext({ devices: FLEET })).feed(records);
    expect(r.raised()).toHaveLength(1);
    const [drop] = r.raised();
    expect(drop?.title).toMatch(/^Fuel dropped \d+(\.\d)? % while stationary$/);
    expect(drop?.details.fromPct).toBeGreaterThanOrEqual(59);
    expect(drop?.details.fromPct).toBeLessThanOrEqual(65);
    expect(drop?.details.droppedPct).toBeGreaterThanOrEqual(8);
    // The van's tank is 80 L.
    expect(drop?.details.droppedL).toBeCloseTo((Number(drop?.details.droppedPct) / 100) * 80, 0);
    // It is dated from the window's highest level: before the fall, within withinS (15 min) of it.
    const fallStart = records[179]?.ts ?? 0;
    expect(drop?.at).toBeLessThanOrEqual(fallStart);
    expect(drop?.at).toBeGreaterThanOrEqual(fallStart - 15 * 60_000);
  });

  it('±3 % noise on a constant level raises nothing over a day', () => {
    for (const seed of [1, 2, 3, 42, 2026]) {
      const records = fuelTrack([{ min: 24 * 60, from: 55 }], { seed });
      expect(run(fuelDrop, {}, orgContext({ devices: FLEET })).feed(records).alerts).toEqual([]);
    }
  });

  it('fuel burnt while driving is no theft', () => {
    const records = fuelTrack([
      { min: 10, from: 70 },
      { min: 15, from: 70, to: 55, speedKmh: 80 },
      { min: 30, from: 55 },
    ]);
    expect(run(fuelDrop, {}, orgContext({ devices: FLEET })).feed(records).alerts).toEqual([]);
  });

  it('a second theft after the level settled is a second alert; a refill re-arms it too', () => {
    const records = fuelTrack([
      { min: 60, from: 80 },
      { min: 5, from: 80, to: 60 },
      { min: 30, from: 60 },
      { min: 5, from: 60, to: 40 },
      { min: 30, from: 40 },
    ]);
    expect(
      run(fuelDrop, { withinS: 900 }, orgContext({ devices: FLEET }))
        .feed(records)
        .raised(),
    ).toHaveLength(2);
    // The same two falls with no settling between them: one theft.
    const continuous = fuelTrack([
      { min: 60, from: 80 },
      { min: 5, from: 80, to: 60 },
      { min: 5, from: 60 },
      { min: 5, from: 60, to: 40 },
      { min: 30, from: 40 },
    ]);
    expect(
      run(fuelDrop, { withinS: 900 }, orgContext({ devices: FLEET }))
        .feed(continuous)
        .raised(),
    ).toHaveLength(1);
  });
});
