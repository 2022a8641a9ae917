// The job board without its markup (lib/jobs/board.ts): the day's jobs in columns by state,
// the view in the address bar, the days (the organisation's, over the nights the clocks
// change), which jobs belong on a board as the API's `day` query picks them, the newer copy of
// a job winning, the jobs a change may alter the conflicts of, and the day's bookings by
// vehicle, item and person for the booking panel.
import type { Job } from '@fleet/api/contract';
import { JOB_STATES } from '@fleet/shared/jobs';
import { localDayStart, nextDay } from '@fleet/shared/time-zone';
import { describe, expect, it } from 'vitest';
import {
  affectedJobs,
  BOARD_STATES,
  boardColumns,
  boardViewFromQuery,
  boardViewToQuery,
  bookingsOf,
  dayWindow,
  onBoard,
  shiftDay,
  upsertJob,
} from '../src/lib/jobs/board.ts';

const HEL = 'Europe/Helsinki';
const VAN = '0b7c4c1e-8c55-4c57-9d1e-3c1f0e0a9b11';
const KIT = '1c8d5d2f-9d66-4d68-8e2f-4d2a1f1b0c22';
const ANNA = '2d9e6e3a-0e77-4e79-9f3a-5e3b2a2c1d33';
const PROJECT = '3eaf7f4b-1f88-4f8a-8a4b-6f4c3b3d2e44';
let n = 0;

function job(extra: Partial<Job> = {}): Job {
  n += 1;
  return {
    id: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
    number: n,
    reference: `JOB-${n}`,
    title: `Job ${n}`,
    project: null,
    place: { id: '4fb08a5c-2a99-4a9b-9b5c-7a5d4c4e3f55', name: 'Harbour', category: 'client_site' },
    startsAt: '2026-11-03T06:00:00.000Z',
    endsAt: '2026-11-03T14:00:00.000Z',
    state: 'planned',
    notes: null,
    assets: [],
    crew: [],
    conflicts: [],
    dispatchedAt: null,
    enRouteAt: null,
    onSiteAt: null,
    completedAt: null,
    cancelledAt: null,
    cancelReason: null,
    eta: null,
    createdAt: '2026-11-01T08:00:00.000Z',
    updatedAt: '2026-11-01T08:00:00.000Z',
    ...extra,
  };
}

const van = {
  id: VAN,
  kind: 'vehicle' as const,
  name: 'Van 7',
  plate: 'ABC-123',
  category: null,
  status: 'active',
};

describe('the columns', () => {
  it('are the states a job moves through, cancelled ones only when asked for, each earliest first', () => {
    expect(BOARD_STATES).toEqual(JOB_STATES.filter((s) => s !== 'cancelled'));
    const late = job({ startsAt: '2026-11-03T10:00:00Z' });
    const early = job({ startsAt: '2026-11-03T05:00:00Z' });
    const out = job({ state: 'en_route' });
    const off = job({ state: 'cancelled' });
    const cols = boardColumns([late, out, off, early], false);
    expect(cols.map((c) => c.label)).toEqual(['Planned', 'Dispatched', 'En route', 'On site', 'Completed']);
    expect(cols[0]?.jobs.map((j) => j.id)).toEqual([early.id, late.id]);
    expect(cols[2]?.jobs).toEqual([out]);
    expect(cols.flatMap((c) => c.jobs)).not.toContain(off);
    expect(boardColumns([off], true).at(-1)).toEqual({ state: 'cancelled', label: 'Cancelled', jobs: [off] });
  });

  it('order jobs starting together by their number', () => {
    const [a, b] = [job(), job()];
    expect(boardColumns([b as Job, a as Job], false)[0]?.jobs.map((j) => j.number)).toEqual([
      a.number,
      b.number,
    ]);
  });
});

describe('the view in the address bar', () => {
  const today = '2026-11-03';

  it('is today’s whole board by default, and leaves the defaults out', () => {
    const view = boardViewFromQuery(new URLSearchParams(''), today);
    expect(view).toEqual({ day: today, projectId: '', cancelled: false });
    expect(boardViewToQuery(view, today).toString()).toBe('');
  });

  it('keeps a day, a project and the cancelled toggle both ways', () => {
    const view = { day: '2026-11-05', projectId: PROJECT, cancelled: true };
    const query = boardViewToQuery(view, today);
    expect(query.toString()).toBe(`day=2026-11-05&projectId=${PROJECT}&cancelled=1`);
    expect(boardViewFromQuery(query, today)).toEqual(view);
  });

  it('drops what it does not understand', () => {
    expect(
      boardViewFromQuery(new URLSearchParams('day=2026-02-30&projectId=x&cancelled=yes'), today),
    ).toEqual({
      day: today,
      projectId: '',
      cancelled: false,
    });
  });
});

describe('the days', () => {
  it('step over months and years', () => {
    expect(shiftDay('2026-11-30', 1)).toBe('2026-12-01');
    expect(shiftDay('2027-01-01', -1)).toBe('2026-12-31');
    expect(shiftDay('2028-02-28', 1)).toBe('2028-02-29');
  });

  it('are the organisation’s, 23 or 25 hours on the nights the clocks change, as the API reads `day`', () => {
    const nov = dayWindow('2026-11-03', HEL);
    expect(nov).toEqual({ from: Date.UTC(2026, 10, 2, 22), to: Date.UTC(2026, 10, 3, 22) });
    const spring = dayWindow('2026-03-29', HEL);
    expect(spring.to - spring.from).toBe(23 * 3_600_000);
    const autumn = dayWindow('2026-10-25', HEL);
    expect(autumn.to - autumn.from).toBe(25 * 3_600_000);
    // The API's own reckoning (api/src/domains/jobs/repository.ts, list).
    expect(autumn).toEqual({
      from: localDayStart('2026-10-25', HEL),
      to: localDayStart(nextDay('2026-10-25'), HEL),
    });
  });
});

describe('a job on the board', () => {
  const view = { day: '2026-11-03', projectId: '' };

  it('is one overlapping the day, ends and starts at midnight excluded', () => {
    expect(onBoard(job(), view, HEL)).toBe(true);
    // 22:00 the day before to 02:00: overlaps the morning.
    expect(
      onBoard(job({ startsAt: '2026-11-02T20:00:00Z', endsAt: '2026-11-03T00:00:00Z' }), view, HEL),
    ).toBe(true);
    // Ends at 00:00 local, the day's start: not on it.
    expect(
      onBoard(job({ startsAt: '2026-11-02T18:00:00Z', endsAt: '2026-11-02T22:00:00Z' }), view, HEL),
    ).toBe(false);
    // Starts at 00:00 local the next day: not on it.
    expect(
      onBoard(job({ startsAt: '2026-11-03T22:00:00Z', endsAt: '2026-11-04T06:00:00Z' }), view, HEL),
    ).toBe(false);
    // A week-long job covers the day.
    expect(
      onBoard(job({ startsAt: '2026-11-01T06:00:00Z', endsAt: '2026-11-07T06:00:00Z' }), view, HEL),
    ).toBe(true);
  });

  it('is of the project, when the board shows one', () => {
    const ours = job({ project: { id: PROJECT, name: 'Commercial', client: null } });
    expect(onBoard(ours, { ...view, projectId: PROJECT }, HEL)).toBe(true);
    expect(onBoard(job(), { ...view, projectId: PROJECT }, HEL)).toBe(false);
  });

  it('takes the place of its older copy, never of a newer one', () => {
    const a = job();
    const b = job();
    const moved = { ...a, state: 'dispatched' as const, updatedAt: '2026-11-01T09:00:00.000Z' };
    expect(upsertJob([a, b], moved)).toEqual([moved, b]);
    expect(upsertJob([moved, b], a)).toEqual([moved, b]);
    const c = job();
    expect(upsertJob([a], c)).toEqual([a, c]);
  });
});

describe('a change of one job', () => {
  it('touches the others booking its van or its people, and those whose conflicts name it', () => {
    const changed = job({
      assets: [van],
      crew: [{ driverId: ANNA, name: 'Anna', role: 'driver', vehicleId: VAN }],
    });
    const sameVan = job({ assets: [van] });
    const sameDriver = job({ crew: [{ driverId: ANNA, name: 'Anna', role: 'crew', vehicleId: null }] });
    const named = job({
      conflicts: [
        {
          kind: 'asset_double_booked',
          assetId: KIT,
          driverId: null,
          otherJob: { id: changed.id, reference: changed.reference, title: '', startsAt: '', endsAt: '' },
          message: 'Kit is booked on JOB-1',
        },
      ],
    });
    const other = job({ assets: [{ ...van, id: KIT, kind: 'equipment', name: 'Kit', plate: null }] });
    expect(affectedJobs([changed, sameVan, sameDriver, named, other], changed).sort()).toEqual(
      [sameVan.id, sameDriver.id, named.id].sort(),
    );
  });
});

describe('the day’s bookings', () => {
  it('list each vehicle, item and person with the unfinished jobs booking them, earliest first', () => {
    const late = job({ startsAt: '2026-11-03T12:00:00Z', assets: [van] });
    const early = job({
      startsAt: '2026-11-03T05:00:00Z',
      assets: [van],
      crew: [{ driverId: ANNA, name: 'Anna', role: 'driver', vehicleId: VAN }],
    });
    const done = job({ state: 'completed', assets: [{ ...van, id: KIT, kind: 'equipment' }] });
    const off = job({ state: 'cancelled', assets: [van] });
    const out = bookingsOf([late, done, off, early]);
    expect(out.get(VAN)?.map((b) => b.reference)).toEqual([early.reference, late.reference]);
    expect(out.get(ANNA)?.map((b) => b.jobId)).toEqual([early.id]);
    expect(out.has(KIT)).toBe(false);
  });
});
