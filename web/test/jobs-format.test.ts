// A job in words (lib/jobs/format.ts), in the organisation's zone: its window on a day's board,
// its span on its own page, how long it lasts, the board's day as a title, who drives what.
import { describe, expect, it } from 'vitest';
import {
  boardWindow,
  conflictCount,
  crewInOrder,
  crewPart,
  dayTitle,
  formatDuration,
  jobSpan,
} from '../src/lib/jobs/format.ts';

const HEL = 'Europe/Helsinki';

describe('the window on the board', () => {
  it('is the clock of the organisation’s zone for a job within the day', () => {
    expect(boardWindow('2026-11-03T06:00:00Z', '2026-11-03T14:00:00Z', '2026-11-03', HEL)).toBe(
      '08:00–16:00',
    );
    expect(boardWindow('2026-11-03T06:00:00Z', '2026-11-03T14:00:00Z', '2026-11-03', 'UTC')).toBe(
      '06:00–14:00',
    );
    // Summer time: UTC+3.
    expect(boardWindow('2026-07-03T05:00:00Z', '2026-07-03T13:30:00Z', '2026-07-03', HEL)).toBe(
      '08:00–16:30',
    );
  });

  it('dates a start or an end on another day', () => {
    // 22:00 on the 2nd to 06:00 on the 3rd, on each day's board.
    const [from, to] = ['2026-11-02T20:00:00Z', '2026-11-03T04:00:00Z'];
    expect(boardWindow(from, to, '2026-11-03', HEL)).toBe('2 Nov 22:00–06:00');
    expect(boardWindow(from, to, '2026-11-02', HEL)).toBe('22:00–3 Nov 06:00');
    expect(boardWindow('2026-11-01T06:00:00Z', '2026-11-05T14:00:00Z', '2026-11-03', HEL)).toBe(
      '1 Nov 08:00–5 Nov 16:00',
    );
  });
});

describe('the span on the job’s page', () => {
  it('names the day once within a day, both days across midnight', () => {
    expect(jobSpan('2026-11-03T06:00:00Z', '2026-11-03T14:00:00Z', HEL)).toBe('3 Nov 2026, 08:00–16:00');
    expect(jobSpan('2026-11-02T20:00:00Z', '2026-11-03T04:00:00Z', HEL)).toBe(
      '2 Nov 2026, 22:00 – 3 Nov 2026, 06:00',
    );
  });
});

describe('how long', () => {
  it('reads as hours and minutes, days for the long ones', () => {
    expect(formatDuration(8 * 3_600_000)).toBe('8 h');
    expect(formatDuration(90 * 60_000)).toBe('1 h 30 min');
    expect(formatDuration(45 * 60_000)).toBe('45 min');
    expect(formatDuration((2 * 24 + 4) * 3_600_000 + 10 * 60_000)).toBe('2 d 4 h');
    expect(formatDuration(24 * 3_600_000)).toBe('1 d');
    expect(formatDuration(0)).toBe('0 min');
  });
});

describe('the board’s title and the crew', () => {
  it('says the day as people do, whatever the zone', () => {
    expect(dayTitle('2026-11-03')).toBe('Tuesday 3 November 2026');
    expect(dayTitle('2027-01-01')).toBe('Friday 1 January 2027');
  });

  it('counts conflicts and says who drives what', () => {
    expect([conflictCount(1), conflictCount(2)]).toEqual(['1 conflict', '2 conflicts']);
    const assets = [
      { id: 'v', kind: 'vehicle' as const, name: 'Van 7', plate: null, category: null, status: 'active' },
    ];
    expect(crewPart({ driverId: 'a', name: 'Anna', role: 'driver', vehicleId: 'v' }, assets)).toBe(
      'Anna drives Van 7',
    );
    expect(crewPart({ driverId: 'b', name: 'Ben', role: 'crew', vehicleId: null }, assets)).toBe('Ben, crew');
  });

  it('lists the drivers first, then those riding along, each by name', () => {
    const crew = [
      { name: 'Cai', role: 'crew' as const },
      { name: 'ben', role: 'driver' as const },
      { name: 'Aino', role: 'crew' as const },
      { name: 'Anna', role: 'driver' as const },
    ];
    expect(crewInOrder(crew).map((c) => c.name)).toEqual(['Anna', 'ben', 'Aino', 'Cai']);
    expect(crew[0]?.name).toBe('Cai');
  });
});
