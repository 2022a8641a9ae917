// The job board without its markup: one day of the organisation's calendar, its jobs in columns
// by state (cancelled ones only when asked for), the view in the address bar
// (`?day=2026-11-03&projectId=…&cancelled=1`), which jobs belong on it, which others a change
// of one may touch (their conflicts are computed against it), and who and what is booked when.
import type { Job } from '@fleet/api/contract';
import { JOB_STATE_LABELS, type JobState, UNFINISHED_JOB_STATES } from '@fleet/shared/jobs';
import { localDayStart, nextDay } from '@fleet/shared/time-zone';
import { isDay } from '../costs/range.ts';

/** The board's columns, left to right as a job moves; cancelled ones are behind a toggle. */
export const BOARD_STATES: readonly JobState[] = [
  'planned',
  'dispatched',
  'en_route',
  'on_site',
  'completed',
];

export interface BoardColumn {
  state: JobState;
  label: string;
  jobs: Job[];
}

/** Earliest start first, then by number (the API's own order). */
export function byStart(a: Pick<Job, 'startsAt' | 'number'>, b: Pick<Job, 'startsAt' | 'number'>): number {
  return Date.parse(a.startsAt) - Date.parse(b.startsAt) || a.number - b.number;
}

export function boardColumns(jobs: readonly Job[], showCancelled: boolean): BoardColumn[] {
  const states = showCancelled ? [...BOARD_STATES, 'cancelled' as const] : BOARD_STATES;
  return states.map((state) => ({
    state,
    label: JOB_STATE_LABELS[state],
    jobs: jobs.filter((j) => j.state === state).sort(byStart),
  }));
}

/** What the board shows: a day, optionally one project's jobs, and whether cancelled ones too. */
export interface BoardView {
  day: string;
  projectId: string;
  cancelled: boolean;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The view an address asks for; anything it does not understand is today's whole board. */
export function boardViewFromQuery(params: Pick<URLSearchParams, 'get'>, today: string): BoardView {
  const day = params.get('day') ?? '';
  const projectId = params.get('projectId') ?? '';
  return {
    day: isDay(day) ? day : today,
    projectId: UUID.test(projectId) ? projectId : '',
    cancelled: params.get('cancelled') === '1',
  };
}

/** The address of a view: today and the defaults are left out, so `/jobs` is today's board. */
export function boardViewToQuery(view: BoardView, today: string): URLSearchParams {
  const params = new URLSearchParams();
  if (view.day !== today) params.set('day', view.day);
  if (view.projectId !== '') params.set('projectId', view.projectId);
  if (view.cancelled) params.set('cancelled', '1');
  return params;
}

/** The day `n` days after (or before) `day`. */
export function shiftDay(day: string, n: number): string {
  const [y = 1970, m = 1, d = 1] = day.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, d + n)).toISOString().slice(0, 10);
}

/** The instants a calendar day of the zone spans: [from, to). A day the clocks change is 23 or 25 h. */
export function dayWindow(day: string, timeZone: string): { from: number; to: number } {
  return { from: localDayStart(day, timeZone), to: localDayStart(nextDay(day), timeZone) };
}

/** Whether a job belongs on the board of `view`: it overlaps the day (as the API's `day` does) and is of the project. */
export function onBoard(job: Job, view: Pick<BoardView, 'day' | 'projectId'>, timeZone: string): boolean {
  const { from, to } = dayWindow(view.day, timeZone);
  const overlaps = Date.parse(job.startsAt) < to && Date.parse(job.endsAt) > from;
  return overlaps && (view.projectId === '' || job.project?.id === view.projectId);
}

/** The list with `job` in place of its older copy, or added; a copy older than the one held is ignored. */
export function upsertJob(jobs: readonly Job[], job: Job): Job[] {
  const i = jobs.findIndex((j) => j.id === job.id);
  if (i < 0) return [...jobs, job];
  if ((jobs[i] as Job).updatedAt > job.updatedAt) return [...jobs];
  return jobs.map((j, k) => (k === i ? job : j));
}

const resources = (j: Job) => [...j.assets.map((a) => a.id), ...j.crew.map((c) => c.driverId)];

/**
 * The other jobs of the board whose conflicts a change of `changed` may alter: those booking one
 * of its vehicles, items or people, and those whose conflicts name it. Their copies are read
 * again after a hub frame (a cancelled job frees its van; a new one double-books it).
 */
export function affectedJobs(jobs: readonly Job[], changed: Pick<Job, 'id' | 'assets' | 'crew'>): string[] {
  const mine = new Set([...changed.assets.map((a) => a.id), ...changed.crew.map((c) => c.driverId)]);
  return jobs
    .filter(
      (j) =>
        j.id !== changed.id &&
        (j.conflicts.some((c) => c.otherJob?.id === changed.id) || resources(j).some((r) => mine.has(r))),
    )
    .map((j) => j.id);
}

export interface Booking {
  jobId: string;
  reference: string;
  startsAt: string;
  endsAt: string;
}

/** Who and what the day's unfinished jobs book, by vehicle, item or person id, earliest first. */
export function bookingsOf(jobs: readonly Job[]): Map<string, Booking[]> {
  const out = new Map<string, Booking[]>();
  for (const j of [...jobs].sort(byStart)) {
    if (!UNFINISHED_JOB_STATES.includes(j.state)) continue;
    const booking = { jobId: j.id, reference: j.reference, startsAt: j.startsAt, endsAt: j.endsAt };
    for (const id of new Set(resources(j))) out.set(id, [...(out.get(id) ?? []), booking]);
  }
  return out;
}
