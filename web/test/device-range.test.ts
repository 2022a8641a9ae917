// Playback ranges of the device page: presets, datetime-local values in a time zone (DST
// included) and the checks of a custom range. Pure module, no browser.
import { describe, expect, it } from 'vitest';
import { MAX_RANGE_DAYS as API_MAX_RANGE_DAYS } from '../../api/src/routes/history.ts';
import {
  checkCustomRange,
  DAY_MS,
  formatSpan,
  fromZonedInput,
  HOUR_MS,
  MAX_RANGE_DAYS,
  presetRange,
  toZonedInput,
  zoneOffsetMs,
} from '../src/lib/device/range.ts';

describe('presets', () => {
  it('end now, the API`s to being exclusive', () => {
    const now = Date.UTC(2026, 10, 21, 12, 0, 0);
    expect(presetRange('1h', now)).toEqual({ from: now - HOUR_MS, to: now + 1 });
    expect(presetRange('6h', now)).toEqual({ from: now - 6 * HOUR_MS, to: now + 1 });
    expect(presetRange('24h', now)).toEqual({ from: now - DAY_MS, to: now + 1 });
  });
});

describe('datetime-local values in a time zone', () => {
  it('read and write wall-clock times of the zone, not of the machine', () => {
    const at = Date.UTC(2026, 10, 21, 6, 5, 0); // winter: Helsinki is UTC+2
    expect(toZonedInput(at, 'Europe/Helsinki')).toBe('2026-11-21T08:05');
    expect(toZonedInput(at, 'UTC')).toBe('2026-11-21T06:05');
    expect(toZonedInput(at, 'America/New_York')).toBe('2026-11-21T01:05');
    expect(fromZonedInput('2026-11-21T08:05', 'Europe/Helsinki')).toBe(at);
    expect(fromZonedInput('2026-11-21T06:05', 'UTC')).toBe(at);
    expect(fromZonedInput('2026-11-21T01:05', 'America/New_York')).toBe(at);
    expect(fromZonedInput('2026-11-21T08:05:30', 'Europe/Helsinki')).toBe(at + 30_000);
  });

  it('knows the offset of a zone at an instant', () => {
    expect(zoneOffsetMs(Date.UTC(2026, 0, 15), 'Europe/Helsinki')).toBe(2 * HOUR_MS);
    expect(zoneOffsetMs(Date.UTC(2026, 6, 15), 'Europe/Helsinki')).toBe(3 * HOUR_MS);
    expect(zoneOffsetMs(Date.UTC(2026, 6, 15), 'Asia/Kolkata')).toBe(5.5 * HOUR_MS);
  });

  it('round-trips every hour across both DST changes of a year', () => {
    for (const zone of ['Europe/Helsinki', 'America/New_York', 'Australia/Sydney']) {
      for (let t = Date.UTC(2026, 2, 1); t < Date.UTC(2026, 11, 1); t += HOUR_MS) {
        const text = toZonedInput(t, zone);
        const back = fromZonedInput(text, zone) as number;
        // Equal, or (the hour repeated when clocks go back) the first of the two instants.
        expect(toZonedInput(back, zone)).toBe(text);
        expect(back <= t).toBe(true);
      }
    }
  });

  it('takes the first of a repeated time and moves a skipped one forward', () => {
    // Helsinki, 25 Oct 2026: 04:00 EEST becomes 03:00 EET, so 03:30 happens twice.
    expect(fromZonedInput('2026-10-25T03:30', 'Europe/Helsinki')).toBe(Date.UTC(2026, 9, 25, 0, 30));
    // Helsinki, 29 Mar 2026: 03:00 EET becomes 04:00 EEST, so 03:30 never happens.
    expect(
      toZonedInput(fromZonedInput('2026-03-29T03:30', 'Europe/Helsinki') as number, 'Europe/Helsinki'),
    ).toBe('2026-03-29T04:30');
  });

  it('refuses what is not a date and time', () => {
    for (const bad of [
      '',
      'yesterday',
      '2026-11-21',
      '2026-13-01T00:00',
      '2026-02-31T10:00',
      '2026-11-21T24:00',
    ])
      expect(fromZonedInput(bad, 'UTC'), bad).toBeUndefined();
  });
});

describe('checkCustomRange', () => {
  const zone = 'Europe/Helsinki';
  const now = Date.UTC(2026, 10, 21, 12, 0);

  it('accepts a range in the past of at most 31 days, like the API', () => {
    expect(MAX_RANGE_DAYS).toBe(API_MAX_RANGE_DAYS);
    expect(checkCustomRange('2026-11-21T08:00', '2026-11-21T09:30', zone, now)).toEqual({
      ok: true,
      range: { from: Date.UTC(2026, 10, 21, 6, 0), to: Date.UTC(2026, 10, 21, 7, 30) },
    });
    // Exactly 31 days (no DST change in between: that would make it 31 days and an hour).
    expect(checkCustomRange('2026-10-26T00:00', '2026-11-26T00:00', zone, now).ok).toBe(true);
    expect(checkCustomRange('2026-10-21T09:00', '2026-11-21T09:00', zone, now)).toMatchObject({ ok: false });
  });

  it('says what is wrong, and with which input', () => {
    expect(checkCustomRange('', '2026-11-21T09:00', zone, now)).toMatchObject({ ok: false, field: 'from' });
    expect(checkCustomRange('2026-11-21T09:00', '', zone, now)).toMatchObject({ ok: false, field: 'to' });
    expect(checkCustomRange('2026-11-21T09:00', '2026-11-21T09:00', zone, now)).toEqual({
      ok: false,
      field: 'to',
      message: 'The end must be after the start.',
    });
    expect(checkCustomRange('2026-11-21T09:00', '2026-11-21T08:00', zone, now)).toMatchObject({
      field: 'to',
    });
    expect(checkCustomRange('2026-10-01T00:00', '2026-11-21T00:00', zone, now)).toEqual({
      ok: false,
      field: 'to',
      message: 'A range may span at most 31 days.',
    });
    expect(checkCustomRange('2026-11-22T09:00', '2026-11-22T10:00', zone, now)).toEqual({
      ok: false,
      field: 'from',
      message: 'The start is in the future.',
    });
  });
});

describe('formatSpan', () => {
  it('says how long a range is', () => {
    expect(formatSpan(45 * 60_000)).toBe('45 min');
    expect(formatSpan(HOUR_MS + 1)).toBe('1 h');
    expect(formatSpan(90 * 60_000)).toBe('1 h 30 min');
    expect(formatSpan(DAY_MS)).toBe('1 d');
    expect(formatSpan(DAY_MS + 3 * HOUR_MS)).toBe('1 d 3 h');
  });
});
