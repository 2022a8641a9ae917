import { describe, expect, it } from 'vitest';
import { lowBattery } from '../../../src/rules/kinds/low-battery.ts';
import { FLEET, orgContext, run, Track } from '../support.ts';

const volts = (everyS: number, ...values: number[]) => {
  const track = new Track('gen', { everyS });
  for (const batteryV of values) track.hold(everyS, { batteryV });
  return track.records;
};

describe('low_battery', () => {
  it('under belowV for minDurationS opens; it resolves above belowV + hysteresisV only', () => {
    const records = volts(30, 3.9, 3.55, 3.5, 3.58, 3.7, 3.45, 3.75, 3.85, 3.9);
    const r = run(lowBattery, {}, orgContext({ devices: FLEET })).feed(records);
    expect(r.opened()).toMatchObject([{ since: records[1]?.ts, title: 'Backup battery below 3.6 V' }]);
    expect(r.cleared()).toMatchObject([{ endedAt: records[7]?.ts, details: { belowV: 3.6, lowestV: 3.45 } }]);
  });

  it('a short dip raises nothing', () => {
    const records = volts(20, 3.9, 3.5, 3.55, 3.9, 3.9, 3.5, 3.85);
    expect(run(lowBattery, {}, orgContext({ devices: FLEET })).feed(records).alerts).toEqual([]);
  });
});
