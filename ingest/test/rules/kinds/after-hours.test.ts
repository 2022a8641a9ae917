import { DEFAULT_WORKING_HOURS, type WorkingHours } from '@fleet/shared';
import { describe, expect, it } from 'vitest';
import { afterHours } from '../../../src/rules/kinds/after-hours.ts';
import { localTime, withinHours } from '../../../src/rules/local-time.ts';
import { FLEET, orgContext, run, Track } from '../support.ts';

const HEL = 'Europe/Helsinki';
const utc = (iso: string) => Date.parse(`${iso}Z`);

describe('localTime and withinHours', () => {
  it('follows Helsinki across the spring change (EET +2 to EEST +3, Sunday 30 March 2025 03:00)', () => {
    expect(localTime(utc('2025-03-30T00:59'), HEL)).toEqual({ weekday: 'sun', minutes: 2 * 60 + 59 });
    expect(localTime(utc('2025-03-30T01:00'), HEL)).toEqual({ weekday: 'sun', minutes: 4 * 60 });
    // 08:00 local is 06:00 UTC on the Friday before, 05:00 UTC on the Monday after.
    expect(withinHours(DEFAULT_WORKING_HOURS, HEL, utc('2025-03-28T05:30'))).toBe(false);
    expect(withinHours(DEFAULT_WORKING_HOURS, HEL, utc('2025-03-28T06:00'))).toBe(true);
    expect(withinHours(DEFAULT_WORKING_HOURS, HEL, utc('2025-03-31T05:00'))).toBe(true);
    expect(withinHours(DEFAULT_WORKING_HOURS, HEL, utc('2025-03-31T04:59'))).toBe(false);
    // 17:00 local, the end, is exclusive.
    expect(withinHours(DEFAULT_WORKING_HOURS, HEL, utc('2025-03-31T13:59'))).toBe(true);
    expect(withinHours(DEFAULT_WORKING_HOURS, HEL, utc('2025-03-31T14:00'))).toBe(false);
  });

  it('follows Helsinki across the autumn change (Sunday 26 October 2025 04:00 back to 03:00)', () => {
    expect(localTime(utc('2025-10-26T00:30'), HEL)).toEqual({ weekday: 'sun', minutes: 3 * 60 + 30 });
    expect(localTime(utc('2025-10-26T01:30'), HEL)).toEqual({ weekday: 'sun', minutes: 3 * 60 + 30 });
    expect(withinHours(DEFAULT_WORKING_HOURS, HEL, utc('2025-10-24T05:00'))).toBe(true); // Friday 08:00 EEST
    expect(withinHours(DEFAULT_WORKING_HOURS, HEL, utc('2025-10-27T05:00'))).toBe(false); // Monday 07:00 EET
    expect(withinHours(DEFAULT_WORKING_HOURS, HEL, utc('2025-10-27T06:00'))).toBe(true);
  });

  it('a day off has no working time; "24:00" runs to midnight; the local weekday decides', () => {
    const hours: WorkingHours = { ...DEFAULT_WORKING_HOURS, sat: [{ from: '20:00', to: '24:00' }] };
    expect(withinHours(hours, HEL, utc('2025-06-08T09:00'))).toBe(false); // Sunday noon: off
    expect(withinHours(hours, HEL, utc('2025-06-07T20:59'))).toBe(true); // Saturday 23:59
    expect(withinHours(hours, HEL, utc('2025-06-07T21:00'))).toBe(false); // Sunday 00:00
    // Monday 01:00 in Helsinki is still Sunday in UTC; Helsinki's weekday counts.
    expect(localTime(utc('2025-06-08T22:00'), HEL)).toEqual({ weekday: 'mon', minutes: 60 });
    expect(localTime(utc('2025-06-08T22:00'), 'UTC')).toEqual({ weekday: 'sun', minutes: 22 * 60 });
    expect(localTime(utc('2025-06-08T22:00'), 'America/New_York')).toEqual({
      weekday: 'sun',
      minutes: 18 * 60,
    });
  });
});

describe('after_hours', () => {
  // Friday 6 June 2025, 16:50 in Helsinki (13:50 UTC): the van keeps driving past 17:00.
  const friday = utc('2025-06-06T13:50');

  it('driving on past closing time opens once minDurationS outside has passed, and parking resolves it', () => {
    const track = new Track('van', { at: friday, everyS: 30, base: { ignition: true } });
    track.drive(30 * 60, { speedKmh: 50 }).hold(10 * 60, { ignition: false });
    const r = run(afterHours, {}, orgContext({ devices: FLEET })).feed(track.records);
    expect(r.opened()).toHaveLength(1);
    expect(r.opened()[0]?.since).toBe(utc('2025-06-06T14:00'));
    expect(r.opened()[0]?.title).toBe('Moving outside working hours');
    expect(r.cleared()).toHaveLength(1);
  });

  it('ignition on at night on a day off, with trigger ignition', () => {
    const sunday = utc('2025-06-08T20:00');
    const track = new Track('van', { at: sunday, everyS: 60 })
      .hold(10 * 60, { ignition: true })
      .hold(10 * 60, {
        ignition: false,
      });
    const r = run(afterHours, { trigger: 'ignition' }, orgContext({ devices: FLEET })).feed(track.records);
    expect(r.opened().map((a) => a.title)).toEqual(['Ignition on outside working hours']);
    const movement = run(afterHours, { trigger: 'movement' }, orgContext({ devices: FLEET })).feed(
      track.records,
    );
    expect(movement.alerts).toEqual([]);
  });

  it('a normal working day raises nothing', () => {
    const monday = utc('2025-06-09T05:10'); // 08:10
    const track = new Track('van', { at: monday, everyS: 60, base: { ignition: true } });
    track
      .drive(3600, { speedKmh: 40 })
      .hold(3 * 3600)
      .drive(3600, { speedKmh: 60 })
      .hold(3600, { ignition: false });
    const r = run(afterHours, {}, orgContext({ devices: FLEET })).feed(track.records);
    expect(r.alerts).toEqual([]);
  });

  it('records reporting neither ignition nor speed say nothing', () => {
    const track = new Track('van', { at: utc('2025-06-08T20:00') }).hold(600, { speedKmh: undefined });
    const r = run(afterHours, {}, orgContext({ devices: FLEET })).feed(track.records);
    expect(r.observations).toEqual([]);
  });
});
