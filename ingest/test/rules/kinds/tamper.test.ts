import { describe, expect, it } from 'vitest';
import { tamper } from '../../../src/rules/kinds/tamper.ts';
import { event, FLEET, orgContext, run, T0, Track } from '../support.ts';

describe('tamper', () => {
  it('a TAMPER event is a one-off alert', () => {
    const r = run(tamper, {}, orgContext({ devices: FLEET }));
    r.feed([event('gen', 'TAMPER', T0, { detail: 'case opened' }), event('gen', 'BOOT', T0 + 5000)]);
    expect(r.raised()).toMatchObject([
      {
        deviceId: 'gen',
        key: `TAMPER:${T0}`,
        at: T0,
        title: 'Tamper alarm',
        details: { source: 'event', detail: 'case opened' },
      },
    ]);
  });

  it('the tamper switch in records opens while true and resolves when false', () => {
    const track = new Track('van', { everyS: 30 }).hold(120, { tamper: false }).hold(90, { tamper: true });
    track.hold(60, { tamper: undefined }).hold(60, { tamper: false });
    const r = run(tamper, {}, orgContext({ devices: FLEET })).feed(track.records);
    expect(r.opened()).toMatchObject([{ since: track.records[4]?.ts, title: 'Tamper switch open' }]);
    expect(r.cleared()).toMatchObject([{ endedAt: track.records[9]?.ts }]);
  });

  it('a closed switch raises nothing', () => {
    const track = new Track('van', { everyS: 30 }).hold(3600, { tamper: false });
    expect(run(tamper, {}, orgContext({ devices: FLEET })).feed(track.records).alerts).toEqual([]);
  });
});
