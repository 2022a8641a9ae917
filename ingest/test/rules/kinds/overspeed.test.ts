import { describe, expect, it } from 'vitest';
import { overspeed } from '../../../src/rules/kinds/overspeed.ts';
import { circlePlace, FLEET, HELSINKI, offset, orgContext, run, Track, VAN, vehicle } from '../support.ts';

const van = () => new Track('van', { everyS: 5, base: { ignition: true } });

describe('overspeed', () => {
  it('45 s at 110 in a 90 zone with a 30 s minimum is one alert, with its peak', () => {
    const track = van().drive(60, { speedKmh: 80 }).drive(20, { speedKmh: 110 }).drive(5, { speedKmh: 118 });
    track.drive(20, { speedKmh: 104 }).drive(60, { speedKmh: 85 });
    const r = run(overspeed, { minDurationS: 30, clearDelayS: 0 }, orgContext({ devices: FLEET })).feed(
      track.records,
    );
    expect(r.opened()).toHaveLength(1);
    expect(r.opened()[0]).toMatchObject({ title: 'Speeding over 90 km/h', since: track.records[12]?.ts });
    expect(r.cleared()).toHaveLength(1);
    expect(r.cleared()[0]?.details).toEqual({ peakKmh: 118, limitKmh: 90 });
  });

  it('20 s over raises nothing', () => {
    const track = van().drive(60, { speedKmh: 80 }).drive(20, { speedKmh: 110 }).drive(60, { speedKmh: 80 });
    const r = run(overspeed, { minDurationS: 30 }, orgContext({ devices: FLEET })).feed(track.records);
    expect(r.alerts).toEqual([]);
    expect(r.observations.filter((o) => o.active)).toHaveLength(4);
  });

  it('hovering around the limit with a clear delay stays one alert', () => {
    const track = van();
    for (let i = 0; i < 12; i++) track.drive(15, { speedKmh: i % 2 === 0 ? 96 : 88 });
    track.drive(120, { speedKmh: 70 });
    const r = run(overspeed, { minDurationS: 10, clearDelayS: 30 }, orgContext({ devices: FLEET })).feed(
      track.records,
    );
    expect(r.opened()).toHaveLength(1);
    expect(r.cleared()).toHaveLength(1);
    expect(r.openNow()).toEqual([]);
  });

  it('a normal drive raises nothing', () => {
    const track = van().hold(60).drive(300, { speedKmh: 62 }).drive(300, { speedKmh: 88 }).hold(60);
    const r = run(overspeed, {}, orgContext({ devices: FLEET })).feed(track.records);
    expect(r.alerts).toEqual([]);
  });

  it("takes the vehicle's own limit, and a place's lower one while inside it", () => {
    const depot = circlePlace('depot', 'Depot Pasila', offset(HELSINKI, 0, 3000), 500, { speedLimitKmh: 20 });
    const org = orgContext({
      devices: { van: vehicle(VAN.id, 'Van', 'ABC-123', { speedLimitKmh: 80 }) },
      places: [depot],
    });
    const track = van().drive(60, { speedKmh: 85 }).drive(60, { speedKmh: 50 }).drive(90, { speedKmh: 30 });
    const r = run(overspeed, { minDurationS: 30 }, org).feed(track.records);
    expect(r.opened().map((a) => a.title)).toEqual(['Speeding over 80 km/h', 'Speeding over 20 km/h']);
    expect(r.opened()[1]?.placeId).toBe('depot');
  });
});
