import { describe, expect, it } from 'vitest';
import { geofenceEnter } from '../../../src/rules/kinds/geofence-enter.ts';
import type { PlaceInfo } from '../../../src/rules/types.ts';
import { circlePlace, FLEET, HELSINKI, offset, orgContext, run, Track } from '../support.ts';
import { DEPOT, east, GATE, KIOSK, ROAD, SITE } from './geofence-places.ts';

/** East along the road at 36 km/h: a fix every 100 m. */
const road = (device = 'van') => new Track(device, { everyS: 10 });

describe('geofence_enter', () => {
  it('raises one alert per place entered, circle and polygon, at the first fix inside', () => {
    const track = road().drive(400, { speedKmh: 36 });
    const r = run(geofenceEnter, {}, orgContext({ devices: FLEET, places: ROAD })).feed(track.records);
    expect(r.raised().map((a) => [a.title, a.placeId, a.at])).toEqual([
      ['Entered Depot Pasila', 'depot', track.records[7]?.ts],
      ['Entered Site Vallila', 'site', track.records[28]?.ts],
    ]);
    expect(r.raised()[0]?.details).toEqual({ placeName: 'Depot Pasila', category: 'depot' });
    expect(r.raised()[1]?.details).toEqual({ placeName: 'Site Vallila', category: 'job_site' });
  });

  it('with minInsideS, a drive through is no visit, a stop is', () => {
    // 40 s inside the depot, then a 5 min stop in the site.
    const track = road().to(east(2900), 290).hold(300).drive(100, { speedKmh: 36 });
    const r = run(geofenceEnter, { minInsideS: 120 }, orgContext({ devices: FLEET, places: ROAD })).feed(
      track.records,
    );
    expect(r.raised().map((a) => a.title)).toEqual(['Entered Site Vallila']);
    // The visit began at the first fix inside.
    expect(r.raised()[0]?.at).toBe(track.records[28]?.ts);
  });

  it('a place passed through between two fixes 60 s apart counts as entered', () => {
    const track = new Track('van', { everyS: 60 }).drive(300, { speedKmh: 36 });
    const places = [KIOSK, GATE];
    const r = run(geofenceEnter, {}, orgContext({ devices: FLEET, places })).feed(track.records);
    const [first, second, third] = track.records;
    expect(r.raised().map((a) => [a.title, a.at, a.details.crossed])).toEqual([
      ['Entered Kiosk Hakaniemi', ((first?.ts ?? 0) + (second?.ts ?? 0)) / 2, true],
      ['Entered Gate Sörnäinen', ((third?.ts ?? 0) + (track.records[3]?.ts ?? 0)) / 2, true],
    ]);
    // Not when the rule wants a stay inside: nothing was seen inside.
    const strict = run(geofenceEnter, { minInsideS: 10 }, orgContext({ devices: FLEET, places })).feed(
      track.records,
    );
    expect(strict.raised()).toEqual([]);
  });

  it('watches only the scope’s places and categories', () => {
    const track = road().drive(400, { speedKmh: 36 });
    const byId = run(geofenceEnter, {}, orgContext({ devices: FLEET, places: ROAD }), { placeIds: ['site'] });
    expect(
      byId
        .feed(track.records)
        .raised()
        .map((a) => a.placeId),
    ).toEqual(['site']);
    const byCategory = run(geofenceEnter, {}, orgContext({ devices: FLEET, places: ROAD }), {
      placeCategories: ['depot'],
    });
    expect(
      byCategory
        .feed(track.records)
        .raised()
        .map((a) => a.placeId),
    ).toEqual(['depot']);
  });

  it('a device that stays inside, or never comes near, raises nothing more', () => {
    const track = new Track('gen', { position: east(1000) });
    track
      .hold(3600)
      .to(offset(HELSINKI, 5000, 0), 600)
      .hold(600);
    const r = run(geofenceEnter, {}, orgContext({ devices: FLEET, places: ROAD })).feed(track.records);
    expect(r.raised().map((a) => [a.deviceId, a.placeId])).toEqual([['gen', 'depot']]);
  });

  it('leaving and coming back is a second visit', () => {
    const track = road().to(east(1000), 100).to(east(1600), 60).hold(60).to(east(1000), 60).hold(60);
    const r = run(geofenceEnter, {}, orgContext({ devices: FLEET, places: ROAD })).feed(track.records);
    expect(r.raised().map((a) => a.placeId)).toEqual(['depot', 'depot']);
  });

  it('finds the right places among 2,000', () => {
    // A grid of 50 x 40 small circles 250 m apart, 20 km north; the track drives along row 7.
    const origin = offset(HELSINKI, 20_000, 0);
    const places: PlaceInfo[] = [];
    for (let row = 0; row < 40; row++)
      for (let col = 0; col < 50; col++)
        places.push(
          circlePlace(`p-${row}-${col}`, `P ${row}/${col}`, offset(origin, row * 250, col * 250), 40, {
            category: col % 2 === 0 ? 'client_site' : 'parking',
          }),
        );
    const org = orgContext({ devices: FLEET, places });
    expect(org.places.size).toBe(2000);
    const track = new Track('van', { position: offset(origin, 7 * 250, -100), everyS: 2 });
    track.to(offset(origin, 7 * 250, 49 * 250 + 100), 1245);
    const all = run(geofenceEnter, {}, org).feed(track.records);
    expect(all.raised().map((a) => a.placeId)).toEqual(Array.from({ length: 50 }, (_, col) => `p-7-${col}`));
    const parking = run(geofenceEnter, {}, org, { placeCategories: ['parking'] }).feed(track.records);
    expect(parking.raised().map((a) => a.placeId)).toEqual(
      Array.from({ length: 25 }, (_, i) => `p-7-${2 * i + 1}`),
    );
  });

  it('a record without a fix says nothing', () => {
    const track = road().drive(400, { speedKmh: 36, lat: undefined, lon: undefined });
    const r = run(geofenceEnter, {}, orgContext({ devices: FLEET, places: [SITE, DEPOT] })).feed(
      track.records,
    );
    expect(r.alerts).toEqual([]);
    expect(r.occurrences).toEqual([]);
  });
});
