import { describe, expect, it } from 'vitest';
import { powerCut } from '../../../src/rules/kinds/power-cut.ts';
import { event, FLEET, orgContext, run, T0, Track } from '../support.ts';

describe('power_cut', () => {
  it('POWER_CUT opens it, POWER_RESTORED resolves it', () => {
    const r = run(powerCut, {}, orgContext({ devices: FLEET }));
    r.feed([
      event('van', 'POWER_CUT', T0),
      event('van', 'BOOT', T0 + 1000),
      event('van', 'POWER_RESTORED', T0 + 600_000),
    ]);
    expect(r.opened()).toMatchObject([
      { since: T0, title: 'External power cut', details: { source: 'event' } },
    ]);
    expect(r.cleared()).toMatchObject([{ endedAt: T0 + 600_000 }]);
  });

  it('with belowExternalV, the supply voltage in records counts, with its lowest value', () => {
    const track = new Track('van', { everyS: 60 })
      .hold(300, { externalV: 12.6 })
      .hold(120, { externalV: 3.1 });
    track.hold(60, { externalV: 0.4 }).hold(60, { externalV: undefined }).hold(300, { externalV: 12.5 });
    const r = run(powerCut, { belowExternalV: 9 }, orgContext({ devices: FLEET })).feed(track.records);
    expect(r.opened()).toHaveLength(1);
    expect(r.cleared()[0]?.details).toEqual({ source: 'voltage', belowExternalV: 9, lowestExternalV: 0.4 });
    // Without it (the default), voltage is not read.
    expect(run(powerCut, {}, orgContext({ devices: FLEET })).feed(track.records).observations).toEqual([]);
  });

  it('a clear delay holds the alert over a flicker of power; the records after the restore resolve it', () => {
    const r = run(powerCut, { clearDelayS: 120 }, orgContext({ devices: FLEET }));
    const records = new Track('van', { everyS: 60 }).hold(600).records;
    const events = [
      event('van', 'POWER_CUT', T0),
      event('van', 'POWER_RESTORED', T0 + 60_000),
      event('van', 'POWER_CUT', T0 + 90_000),
      event('van', 'POWER_RESTORED', T0 + 300_000),
    ];
    r.feed([...records, ...events].sort((a, b) => a.ts - b.ts));
    expect(r.opened()).toHaveLength(1);
    expect(r.cleared()).toMatchObject([{ endedAt: T0 + 300_000 }]);
    expect(r.memoryOf('van')).toEqual({});
  });

  it('steady power raises nothing', () => {
    const track = new Track('van', { everyS: 60 }).hold(3600, { externalV: 13.8 });
    expect(
      run(powerCut, { belowExternalV: 9 }, orgContext({ devices: FLEET })).feed(track.records).alerts,
    ).toEqual([]);
  });
});
