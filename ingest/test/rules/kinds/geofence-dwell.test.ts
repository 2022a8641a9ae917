import { describe, expect, it } from 'vitest';
import { geofenceDwell } from '../../../src/rules/kinds/geofence-dwell.ts';
import { FLEET, orgContext, run, T0, Track } from '../support.ts';
import { east, ROAD } from './geofence-places.ts';

describe('geofence_dwell', () => {
  it('inside longer than minDwellS opens one alert, leaving resolves it', () => {
    const track = new Track('van', { everyS: 60 })
      .to(east(1000), 100)
      .hold(35 * 60)
      .to(east(2000), 100);
    const r = run(geofenceDwell, { minDwellS: 1800 }, orgContext({ devices: FLEET, places: ROAD })).feed(
      track.records,
    );
    expect(r.opened()).toEqual([
      {
        type: 'open',
        deviceId: 'van',
        key: 'depot',
        since: track.records[1]?.ts,
        title: 'At Depot Pasila for over 30 min',
        details: { placeName: 'Depot Pasila', category: 'depot' },
        placeId: 'depot',
      },
    ]);
    expect(r.cleared()).toHaveLength(1);
    expect(r.openNow()).toEqual([]);
  });

  it('a shorter stay raises nothing', () => {
    const track = new Track('van', { everyS: 60 })
      .to(east(1000), 100)
      .hold(20 * 60)
      .to(east(3000), 200)
      .hold(600);
    const r = run(geofenceDwell, { minDwellS: 1800 }, orgContext({ devices: FLEET, places: ROAD })).feed(
      track.records,
    );
    expect(r.alerts).toEqual([]);
  });

  it('an equipment tag that reports once inside opens on the tick, each place its own alert', () => {
    // A polygon and a circle: the tag is dropped at the site and reports once; the van parks at the depot.
    const org = orgContext({ devices: FLEET, places: ROAD });
    const r = run(geofenceDwell, { minDwellS: 600 }, org);
    const tag = new Track('gen', { position: east(3000) }).point();
    const van = new Track('van', { position: east(1000), everyS: 120 }).point().hold(480);
    r.feed([...tag.records, ...van.records]);
    expect(r.opened()).toEqual([]);
    r.tick(T0 + 11 * 60_000);
    expect(r.opened().map((a) => [a.deviceId, a.key, a.title])).toEqual([
      ['gen', 'site', 'At Site Vallila for over 10 min'],
      ['van', 'depot', 'At Depot Pasila for over 10 min'],
    ]);
  });
});
