// bench:trips without its run: its flags, and the synthetic van whose month it measures (a
// record a second, in time order, and the trips a working day should give).
import { TripDetector } from '@fleet/shared/trips';
import { describe, expect, it } from 'vitest';
import { parseTripsBenchArgs, vanDays } from '../src/trips.ts';

describe('npm run bench:trips', () => {
  it('takes its flags and refuses bad ones naming them', () => {
    expect(parseTripsBenchArgs([])).toMatchObject({ days: 31, requests: 50 });
    expect(parseTripsBenchArgs(['--days', '3'])).toMatchObject({ days: 3 });
    expect(parseTripsBenchArgs(['--help'])).toBe('help');
    expect(() => parseTripsBenchArgs(['--days', '40'])).toThrow(/--days/);
    expect(() => parseTripsBenchArgs(['--days', 'x'])).toThrow(/--days/);
    expect(() => parseTripsBenchArgs(['--fast'])).toThrow(/fast/);
  });

  it('plays a van at 1 Hz whose working day has six to ten trips', () => {
    const records = [...vanDays(2, Date.UTC(2026, 9, 1))];
    expect(records).toHaveLength(2 * 86_400);
    expect(records.every((r, i) => i === 0 || r.ts - (records[i - 1]?.ts ?? 0) === 1000)).toBe(true);
    const detector = new TripDetector();
    const trips = records.flatMap((r) =>
      detector
        .push({
          ts: r.ts,
          lat: r.lat as number,
          lon: r.lon as number,
          speedKmh: r.speedKmh as number,
          ignition: r.ignition as boolean,
        })
        .filter((s) => s.kind === 'trip'),
    );
    expect(trips.length).toBeGreaterThanOrEqual(12);
    expect(trips.length).toBeLessThanOrEqual(20);
  });
});
