import { describe, expect, it } from 'vitest';
import { lowFuel } from '../../../src/rules/kinds/low-fuel.ts';
import { FLEET, orgContext, run, Track } from '../support.ts';

const levels = (...pcts: (number | undefined)[]) => {
  const track = new Track('van', { everyS: 60 });
  for (const fuelLevelPct of pcts) track.hold(60, { fuelLevelPct });
  return track.records;
};

describe('low_fuel', () => {
  it('under belowPct opens; only above belowPct + hysteresisPct resolves', () => {
    const records = levels(30, 20, 16, 14.5, 15.5, 13, 18, 19.9, 14, 12, undefined, 21, 40);
    const r = run(lowFuel, {}, orgContext({ devices: FLEET })).feed(records);
    expect(r.opened()).toMatchObject([{ since: records[3]?.ts, title: 'Fuel below 15 %' }]);
    expect(r.cleared()).toHaveLength(1);
    expect(r.cleared()[0]).toMatchObject({
      endedAt: records[11]?.ts,
      details: { belowPct: 15, lowestPct: 12 },
    });
  });

  it('between the two thresholds, a level that was never low stays not low', () => {
    const records = levels(30, 18, 17, 19, 16, 18, 30);
    expect(run(lowFuel, {}, orgContext({ devices: FLEET })).feed(records).alerts).toEqual([]);
  });
});
