import { describe, expect, it } from 'vitest';
import { equipmentUnaccompanied } from '../../../src/rules/kinds/equipment-unaccompanied.ts';
import { FLEET, HELSINKI, interleave, mulberry32, offset, orgContext, run, T0, Track } from '../support.ts';

describe('equipment_unaccompanied', () => {
  it('the generator carried 1 km with no vehicle near is one alert, dated from the start of the move', () => {
    // Carried slowly (the tag reads 4 km/h): it is the distance from where it stood that tells.
    const gen = new Track('gen', { everyS: 300 })
      .hold(1800)
      .every(30)
      .to(offset(HELSINKI, 1000, 0), 600, { speedKmh: 4 });
    gen.to(offset(HELSINKI, 2000, 0), 600, { speedKmh: 4 });
    const r = run(equipmentUnaccompanied, { minMoveM: 140 }, orgContext({ devices: FLEET })).feed(
      gen.records,
    );
    expect(r.raised()).toHaveLength(1);
    const [alert] = r.raised();
    expect(alert).toMatchObject({ deviceId: 'gen', title: 'Generator G-12 moving without a vehicle' });
    // The first fix 140 m or more from where it stood (30 s steps of 50 m: the third).
    expect(alert?.at).toBe(T0 + 1800_000 + 90_000);
    expect(alert?.key).toBe(String(alert?.at));
  });

  it('moves again after standing still: a second alert', () => {
    const gen = new Track('gen', { everyS: 30 })
      .hold(300)
      .to(offset(HELSINKI, 500, 0), 300)
      .hold(600);
    gen.to(offset(HELSINKI, 1000, 0), 300).hold(300);
    const r = run(equipmentUnaccompanied, {}, orgContext({ devices: FLEET })).feed(gen.records);
    expect(r.raised()).toHaveLength(2);
  });

  it('a reported speed counts as moving, even before it has gone far', () => {
    const gen = new Track('gen', { everyS: 30 }).hold(300).gap(30).point({ speedKmh: 12 });
    expect(
      run(equipmentUnaccompanied, {}, orgContext({ devices: FLEET }))
        .feed(gen.records)
        .raised(),
    ).toHaveLength(1);
  });

  it('carried in the van raises nothing', () => {
    const to = offset(HELSINKI, 0, 4000);
    const van = new Track('van', { everyS: 10 }).hold(300).to(to, 400).hold(300);
    const gen = new Track('gen', { position: offset(HELSINKI, 4, 0), everyS: 30 })
      .hold(300)
      .to(offset(to, 4, 0), 400);
    gen.hold(300);
    const r = run(equipmentUnaccompanied, {}, orgContext({ devices: FLEET })).feed(interleave(van, gen));
    expect(r.alerts).toEqual([]);
  });

  it('GPS jitter of a still tag raises nothing', () => {
    const random = mulberry32(12);
    const gen = new Track('gen', { everyS: 300 });
    for (let i = 0; i < 288; i++)
      gen
        .jump(offset(HELSINKI, (random() - 0.5) * 30, (random() - 0.5) * 30))
        .hold(300, { speedKmh: random() * 3 });
    const r = run(equipmentUnaccompanied, {}, orgContext({ devices: FLEET })).feed(gen.records);
    expect(r.alerts).toEqual([]);
  });
});
