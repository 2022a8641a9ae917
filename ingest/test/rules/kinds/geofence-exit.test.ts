import { describe, expect, it } from 'vitest';
import { geofenceExit } from '../../../src/rules/kinds/geofence-exit.ts';
import { FLEET, HELSINKI, orgContext, run, Track } from '../support.ts';
import { east, GATE, KIOSK, ROAD } from './geofence-places.ts';

const road = (device = 'van') => new Track(device, { everyS: 10 });

describe('geofence_exit', () => {
  it('raises one alert per place left, at the first fix outside', () => {
    const track = road().drive(400, { speedKmh: 36 });
    const r = run(geofenceExit, {}, orgContext({ devices: FLEET, places: ROAD })).feed(track.records);
    expect(r.raised().map((a) => [a.title, a.placeId, a.at])).toEqual([
      ['Left Depot Pasila', 'depot', track.records[12]?.ts],
      ['Left Site Vallila', 'site', track.records[31]?.ts],
    ]);
    expect(r.raised()[0]?.details).toEqual({ placeName: 'Depot Pasila', category: 'depot' });
  });

  it('an equipment item that starts inside and is carried out is an exit', () => {
    const track = new Track('gen', { position: east(3000), everyS: 60 })
      .hold(600)
      .to(east(4000), 300)
      .hold(600);
    const r = run(geofenceExit, {}, orgContext({ devices: FLEET, places: ROAD })).feed(track.records);
    expect(r.raised().map((a) => [a.deviceId, a.title])).toEqual([['gen', 'Left Site Vallila']]);
  });

  it('with minOutsideS, a fix bouncing over the fence is no exit, a departure is', () => {
    // Stands at the depot's edge; the fix jumps 100 m out for 20 s, then it drives off.
    const track = road().to(east(1150), 115).hold(120);
    track.to(east(1300), 10).hold(10).to(east(1150), 10).hold(120).to(east(2000), 85).hold(120);
    const r = run(geofenceExit, { minOutsideS: 60 }, orgContext({ devices: FLEET, places: ROAD })).feed(
      track.records,
    );
    expect(r.raised().map((a) => a.title)).toEqual(['Left Depot Pasila']);
    const departure = track.records.findLast((rec) => rec.lon !== undefined && rec.lon < east(1250).lon);
    const firstOut = track.records[track.records.indexOf(departure as never) + 1];
    expect(r.raised()[0]?.at).toBe(firstOut?.ts);
    const eager = run(geofenceExit, {}, orgContext({ devices: FLEET, places: ROAD })).feed(track.records);
    expect(eager.raised().map((a) => a.title)).toEqual(['Left Depot Pasila', 'Left Depot Pasila']);
  });

  it('a place passed through between two fixes 60 s apart counts as left', () => {
    const track = new Track('van', { everyS: 60 }).drive(300, { speedKmh: 36 });
    const r = run(geofenceExit, {}, orgContext({ devices: FLEET, places: [KIOSK, GATE] })).feed(
      track.records,
    );
    expect(r.raised().map((a) => [a.placeId, a.details.crossed])).toEqual([
      ['kiosk', true],
      ['gate', true],
    ]);
    const strict = run(
      geofenceExit,
      { minOutsideS: 30 },
      orgContext({ devices: FLEET, places: [KIOSK, GATE] }),
    );
    expect(strict.feed(track.records).raised()).toEqual([]);
  });

  it('a device that never was inside raises nothing', () => {
    const track = new Track('van', { position: HELSINKI })
      .hold(300)
      .drive(300, { speedKmh: 36, headingDeg: 0 });
    const r = run(geofenceExit, {}, orgContext({ devices: FLEET, places: ROAD })).feed(track.records);
    expect(r.alerts).toEqual([]);
  });
});
