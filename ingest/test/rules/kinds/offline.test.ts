import { describe, expect, it } from 'vitest';
import { offline } from '../../../src/rules/kinds/offline.ts';
import { event, FLEET, GENERATOR, orgContext, run, T0, Track } from '../support.ts';

const MIN = 60_000;

describe('offline', () => {
  it('no data for longer than afterS opens at the device time it crossed; data resolves it', () => {
    const track = new Track('van', { everyS: 60 }).hold(600);
    const r = run(offline, { afterS: 1800 }, orgContext({ devices: FLEET })).feed(track.records);
    const last = track.records.at(-1);
    for (let m = 11; m <= 50; m += 1) r.tick(T0 + m * MIN);
    expect(r.opened()).toHaveLength(1);
    // The first tick more than 30 min after the last record arrived (at +10 min 1 s): +41 min, device time 1 s behind.
    expect(r.opened()[0]?.since).toBe(T0 + 41 * MIN - 1000);
    expect(r.opened()[0]?.details).toEqual({
      afterS: 1800,
      lastSeenAt: new Date(last?.ts ?? 0).toISOString(),
    });
    const back = new Track('van', { at: T0 + 50 * MIN }).point();
    r.feed(back.records).tick(T0 + 51 * MIN);
    expect(r.cleared()).toHaveLength(1);
    expect(r.cleared()[0]?.endedAt).toBe(T0 + 50 * MIN);
    expect(r.openNow()).toEqual([]);
  });

  it("the asset's own offline_after_s replaces the rule's", () => {
    const org = orgContext({ devices: { gen: { ...GENERATOR, offlineAfterS: 6 * 3600 } } });
    const r = run(offline, { afterS: 1800 }, org).feed(new Track('gen').point().records);
    for (let h = 1; h <= 5; h++) r.tick(T0 + h * 60 * MIN);
    expect(r.alerts).toEqual([]);
    r.tick(T0 + 7 * 60 * MIN);
    expect(r.opened()).toHaveLength(1);
    expect(r.opened()[0]?.details.afterS).toBe(6 * 3600);
  });

  it('a device reporting steadily, or never seen, raises nothing', () => {
    const track = new Track('van', { everyS: 300 }).hold(3 * 3600);
    const r = run(offline, {}, orgContext({ devices: FLEET }));
    for (const rec of track.records) r.record(rec).tick(rec.ts + 2 * MIN);
    r.tick(T0 + 3 * 3600_000 + MIN);
    expect(r.alerts).toEqual([]);
    expect(r.observations).toEqual([]);
  });

  it('a power cut just before the silence is named as its cause, unless power came back', () => {
    const cut = () => {
      const track = new Track('van', { everyS: 60 }).hold(600);
      const r = run(offline, {}, orgContext({ devices: FLEET })).feed(track.records);
      return { r, last: track.records.at(-1)?.ts ?? 0 };
    };
    const a = cut();
    a.r.event(event('van', 'POWER_CUT', a.last - 5 * MIN)).tick(T0 + 45 * MIN);
    expect(a.r.opened()[0]?.details.cause).toBe('power_cut');

    const b = cut();
    b.r
      .event(event('van', 'POWER_CUT', b.last - 5 * MIN))
      .event(event('van', 'POWER_RESTORED', b.last - 4 * MIN));
    b.r.tick(T0 + 45 * MIN);
    expect(b.r.opened()).toHaveLength(1);
    expect(b.r.opened()[0]?.details.cause).toBeUndefined();

    const c = cut();
    c.r.event(event('van', 'POWER_CUT', c.last - 20 * MIN)).tick(T0 + 45 * MIN);
    expect(c.r.opened()[0]?.details.cause).toBeUndefined();
  });
});
