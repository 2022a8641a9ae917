import { describe, expect, it } from 'vitest';
import { threshold } from '../../../src/rules/kinds/threshold.ts';
import { FLEET, orgContext, run, Track } from '../support.ts';

const series = (field: 'coolantTempC' | 'temperatureC', ...values: number[]) => {
  const track = new Track('van', { everyS: 30 });
  for (const v of values) track.hold(30, { [field]: v });
  return track.records;
};

describe('threshold', () => {
  it('above, with hysteresis: one alert with the peak; back under above − hysteresis resolves it', () => {
    const records = series('coolantTempC', 90, 101, 104, 112, 99, 103, 96, 94, 90);
    const r = run(
      threshold,
      { field: 'coolantTempC', above: 100, hysteresis: 5 },
      orgContext({ devices: FLEET }),
    );
    r.feed(records);
    expect(r.opened()).toMatchObject([
      { key: 'above', since: records[1]?.ts, title: 'coolantTempC above 100 °C' },
    ]);
    expect(r.cleared()).toHaveLength(1);
    expect(r.cleared()[0]).toMatchObject({
      endedAt: records[7]?.ts,
      details: { field: 'coolantTempC', side: 'above', value: 112, above: 100, below: null },
    });
  });

  it('below, with minDurationS and clear delay; the minimum is kept', () => {
    // A cold-chain box: under 2 °C for over a minute.
    const records = series('temperatureC', 4, 1.5, 0.8, 1.2, 0.5, 3, 1, 4, 5, 5, 5);
    const p = { field: 'temperatureC', above: 8, below: 2, minDurationS: 60, clearDelayS: 60 };
    const r = run(threshold, p, orgContext({ devices: FLEET })).feed(records);
    expect(r.opened()).toMatchObject([{ key: 'below', since: records[1]?.ts }]);
    expect(r.cleared()).toHaveLength(1);
    expect(r.cleared()[0]).toMatchObject({ endedAt: records[7]?.ts, details: { side: 'below', value: 0.5 } });
  });

  it('both sides are separate conditions', () => {
    const records = series('temperatureC', 5, 9, 10, 1, 0, 5, 5);
    const r = run(threshold, { field: 'temperatureC', above: 8, below: 2 }, orgContext({ devices: FLEET }));
    r.feed(records);
    expect(r.opened().map((a) => a.key)).toEqual(['above', 'below']);
    expect(r.cleared().map((a) => [a.key, a.details.value])).toEqual([
      ['above', 10],
      ['below', 0],
    ]);
  });

  it('a value within range, or not reported, raises nothing', () => {
    const records = [
      ...series('temperatureC', 3, 4, 5, 7.9, 2),
      ...new Track('van', { at: 0 }).hold(60).records,
    ];
    const r = run(threshold, { field: 'temperatureC', above: 8, below: 2 }, orgContext({ devices: FLEET }));
    expect(r.feed(records).alerts).toEqual([]);
  });
});
