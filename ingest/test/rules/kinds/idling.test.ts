import { describe, expect, it } from 'vitest';
import { idling } from '../../../src/rules/kinds/idling.ts';
import { FLEET, orgContext, run, Track } from '../support.ts';

const van = () => new Track('van', { everyS: 30 });

describe('idling', () => {
  it('ignition on and standing for over 10 min is one alert; driving off resolves it', () => {
    const track = van()
      .drive(300, { speedKmh: 50, ignition: true })
      .hold(15 * 60, { ignition: true, speedKmh: 1 });
    track.drive(300, { speedKmh: 40, ignition: true });
    const r = run(idling, {}, orgContext({ devices: FLEET })).feed(track.records);
    expect(r.opened()).toHaveLength(1);
    expect(r.opened()[0]?.since).toBe(track.records[10]?.ts);
    expect(r.opened()[0]?.details).toEqual({ maxSpeedKmh: 2 });
    expect(r.cleared()).toHaveLength(1);
    expect(r.cleared()[0]?.endedAt).toBe(track.records[40]?.ts);
  });

  it('a stop shorter than minDurationS, a stop with the engine off, or power take-off raise nothing', () => {
    const track = van()
      .hold(5 * 60, { ignition: true })
      .drive(60, { speedKmh: 30, ignition: true });
    track.hold(30 * 60, { ignition: false }).hold(30 * 60, { ignition: true, ptoActive: true });
    const r = run(idling, {}, orgContext({ devices: FLEET })).feed(track.records);
    expect(r.alerts).toEqual([]);
  });

  it('records that do not report ignition neither open nor clear it', () => {
    const track = van()
      .hold(5 * 60, { ignition: true })
      .hold(10 * 60, { ignition: undefined });
    track.hold(6 * 60, { ignition: true });
    const r = run(idling, {}, orgContext({ devices: FLEET })).feed(track.records);
    expect(r.observations).toHaveLength(22);
    expect(r.opened()).toHaveLength(1);
    expect(r.cleared()).toEqual([]);
  });

  it('a clear delay keeps one alert over a short roll', () => {
    const track = van()
      .hold(12 * 60, { ignition: true })
      .drive(30, { speedKmh: 8, ignition: true });
    track.hold(10 * 60, { ignition: true }).hold(120, { ignition: false });
    const r = run(idling, { clearDelayS: 60 }, orgContext({ devices: FLEET })).feed(track.records);
    expect(r.opened()).toHaveLength(1);
    expect(r.cleared()).toHaveLength(1);
  });
});
