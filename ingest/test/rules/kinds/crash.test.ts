import { describe, expect, it } from 'vitest';
import { crash } from '../../../src/rules/kinds/crash.ts';
import { event, FLEET, orgContext, run, T0 } from '../support.ts';

describe('crash', () => {
  it('a CRASH event is one alert with its peak and speed; harsh events are not crashes', () => {
    const events = [
      event('van', 'HARSH_BRAKING', T0, { peakG: 0.9 }),
      event('van', 'CRASH', T0 + 500, { peakG: 4.2, speedKmh: 48, lat: 60.2, lon: 24.9 }),
    ];
    const r = run(crash, {}, orgContext({ devices: FLEET })).feed(events);
    expect(r.raised()).toEqual([
      {
        type: 'occurrence',
        deviceId: 'van',
        key: `CRASH:${T0 + 500}`,
        at: T0 + 500,
        title: 'Crash',
        details: { peakG: 4.2, speedKmh: 48 },
        placeId: null,
      },
    ]);
    expect(r.occurrences[0]?.position).toEqual({ lat: 60.2, lon: 24.9 });
  });

  it('minPeakG drops light knocks', () => {
    const events = [event('van', 'CRASH', T0, { peakG: 1.5 }), event('van', 'CRASH', T0 + 1000)];
    expect(run(crash, { minPeakG: 2 }, orgContext({ devices: FLEET })).feed(events).alerts).toEqual([]);
    expect(
      run(crash, {}, orgContext({ devices: FLEET }))
        .feed(events)
        .raised(),
    ).toHaveLength(2);
  });
});
