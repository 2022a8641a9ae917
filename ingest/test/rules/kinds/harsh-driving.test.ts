import { describe, expect, it } from 'vitest';
import { harshDriving } from '../../../src/rules/kinds/harsh-driving.ts';
import { event, FLEET, GENERATOR, orgContext, run, T0 } from '../support.ts';

describe('harsh_driving', () => {
  it('one alert per harsh event of the chosen kinds, with its peak and speed', () => {
    const events = [
      event('van', 'HARSH_BRAKING', T0, { peakG: 0.52, speedKmh: 64, lat: 60.17, lon: 24.94 }),
      event('van', 'HARSH_CORNERING', T0 + 60_000, { peakG: 0.41 }),
      event('van', 'BUTTON', T0 + 70_000, { buttonId: 1 }),
      event('van', 'HARSH_BRAKING', T0 + 90_000, { peakG: 0.6, speedKmh: 30 }),
    ];
    const r = run(harshDriving, { events: ['HARSH_BRAKING'] }, orgContext({ devices: FLEET })).feed(events);
    expect(r.raised()).toEqual([
      {
        type: 'occurrence',
        deviceId: 'van',
        key: `HARSH_BRAKING:${T0}`,
        at: T0,
        title: 'Harsh braking',
        details: { event: 'HARSH_BRAKING', peakG: 0.52, speedKmh: 64 },
        placeId: null,
      },
      {
        type: 'occurrence',
        deviceId: 'van',
        key: `HARSH_BRAKING:${T0 + 90_000}`,
        at: T0 + 90_000,
        title: 'Harsh braking',
        details: { event: 'HARSH_BRAKING', peakG: 0.6, speedKmh: 30 },
        placeId: null,
      },
    ]);
    expect(r.occurrences[0]?.position).toEqual({ lat: 60.17, lon: 24.94 });
  });

  it('minPeakG filters by the peak; an event without one passes only with no minimum', () => {
    const events = [
      event('van', 'HARSH_ACCELERATION', T0, { peakG: 0.3 }),
      event('van', 'HARSH_ACCELERATION', T0 + 1000, { peakG: 0.5 }),
      event('van', 'HARSH_ACCELERATION', T0 + 2000),
    ];
    const strict = run(harshDriving, { minPeakG: 0.4 }, orgContext({ devices: FLEET })).feed(events);
    expect(strict.raised().map((a) => a.details.peakG)).toEqual([0.5]);
    const any = run(harshDriving, {}, orgContext({ devices: FLEET })).feed(events);
    expect(any.raised().map((a) => [a.title, a.details.peakG])).toEqual([
      ['Harsh acceleration', 0.3],
      ['Harsh acceleration', 0.5],
      ['Harsh acceleration', null],
    ]);
  });

  it('other events, and equipment, raise nothing', () => {
    const org = orgContext({ devices: { ...FLEET, gen: GENERATOR } });
    const events = ['BOOT', 'CONNECTED', 'CRASH', 'POWER_CUT'].map((k, i) =>
      event('van', k, T0 + i, { peakG: 3 }),
    );
    const r = run(harshDriving, {}, org).feed([
      ...events,
      event('gen', 'HARSH_BRAKING', T0 + 10, { peakG: 1 }),
    ]);
    expect(r.alerts).toEqual([]);
  });
});
