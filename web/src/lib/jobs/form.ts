// The job form without its markup: the title, project, site, the window as the organisation's
// days and clocks, the vehicles and items booked and the crew (each a driver of one of the
// job's vehicles, or crew riding along), and notes; turned into the API's bodies (a new job, the
// changes of one, the booking to check for conflicts), or into problems by field before
// anything is sent. The API names its refusals by path (`body.crew.0.vehicleId`): the fields
// here are those paths' heads, a booked asset and a crew line each a field of its own.
import type { Job, JobChanges, JobCheck, NewJob } from '@fleet/api/contract';
import type { FormResult } from '../maintenance/work-order.ts';
import { zonedDayTime, zonedInstant } from '../time.ts';

/** The API's limits (api/src/domains/jobs/schemas.ts; web/test/jobs-form.test.ts checks them equal). */
export const JOB_LIMITS = { title: 200, notes: 4000, maxDays: 31, assets: 50, crew: 50 } as const;

export interface CrewLine {
  driverId: string;
  role: 'driver' | 'crew';
  /** The vehicle a driver drives: one of the job's; null for crew. */
  vehicleId: string | null;
}

export interface JobForm {
  title: string;
  projectId: string;
  placeId: string;
  /** The organisation's calendar days and clocks (YYYY-MM-DD, HH:MM). */
  startDay: string;
  startTime: string;
  endDay: string;
  endTime: string;
  assetIds: string[];
  crew: CrewLine[];
  notes: string;
}

export type JobField =
  | 'title'
  | 'projectId'
  | 'placeId'
  | 'startsAt'
  | 'endsAt'
  | 'notes'
  | 'assetIds'
  | `assetIds.${number}`
  | 'crew'
  | `crew.${number}`;

/** The fields of `form` as the API names them, each booked asset and crew line its own. */
export function jobFields(form: Pick<JobForm, 'assetIds' | 'crew'>): JobField[] {
  return [
    'title',
    'projectId',
    'placeId',
    'startsAt',
    'endsAt',
    'notes',
    'assetIds',
    ...form.assetIds.map((_, i) => `assetIds.${i}` as const),
    'crew',
    ...form.crew.map((_, i) => `crew.${i}` as const),
  ];
}

/** A day's usual shift, 08:00–16:00 on `day`, nothing booked yet. */
export function blankJobForm(day: string, projectId = ''): JobForm {
  return {
    title: '',
    projectId,
    placeId: '',
    startDay: day,
    startTime: '08:00',
    endDay: day,
    endTime: '16:00',
    assetIds: [],
    crew: [],
    notes: '',
  };
}

/** The form of a job as it stands, its window in the organisation's zone. */
export function jobToForm(job: Job, timeZone: string): JobForm {
  const start = zonedDayTime(Date.parse(job.startsAt), timeZone);
  const end = zonedDayTime(Date.parse(job.endsAt), timeZone);
  return {
    title: job.title,
    projectId: job.project?.id ?? '',
    placeId: job.place.id,
    startDay: start.day,
    startTime: start.time,
    endDay: end.day,
    endTime: end.time,
    assetIds: job.assets.map((a) => a.id),
    crew: job.crew.map((c) => ({ driverId: c.driverId, role: c.role, vehicleId: c.vehicleId })),
    notes: job.notes ?? '',
  };
}

type Problems = Partial<Record<JobField, string>>;
type Window = { ok: true; startsAt: string; endsAt: string } | { ok: false; problems: Problems };

/** The window as instants of the organisation's zone, or what is wrong with it. */
export function jobWindow(form: JobForm, timeZone: string): Window {
  const problems: Problems = {};
  const start = zonedInstant(form.startDay, form.startTime, timeZone);
  const end = zonedInstant(form.endDay, form.endTime, timeZone);
  if (start === undefined) problems.startsAt = 'a day and a time (HH:MM) it starts';
  if (end === undefined) problems.endsAt = 'a day and a time (HH:MM) it ends';
  else if (start !== undefined && end <= start) problems.endsAt = 'it ends after it starts';
  else if (start !== undefined && end - start > JOB_LIMITS.maxDays * 86_400_000)
    problems.endsAt = `a job lasts at most ${JOB_LIMITS.maxDays} days`;
  if (start === undefined || end === undefined || Object.keys(problems).length > 0)
    return { ok: false, problems };
  return { ok: true, startsAt: new Date(start).toISOString(), endsAt: new Date(end).toISOString() };
}

const crewBody = (crew: readonly CrewLine[]) =>
  crew.map((c) =>
    c.role === 'driver' && c.vehicleId !== null
      ? { driverId: c.driverId, role: 'driver' as const, vehicleId: c.vehicleId }
      : { driverId: c.driverId, role: 'crew' as const },
  );

function problemsOf(form: JobForm, timeZone: string): { window: Window; problems: Problems } {
  const window = jobWindow(form, timeZone);
  const problems: Problems = window.ok ? {} : { ...window.problems };
  const title = form.title.trim();
  if (title === '') problems.title = 'say what the job is';
  else if (title.length > JOB_LIMITS.title)
    problems.title = `a title is at most ${JOB_LIMITS.title} characters`;
  if (form.placeId === '') problems.placeId = 'choose the site';
  if (form.notes.trim().length > JOB_LIMITS.notes)
    problems.notes = `notes are at most ${JOB_LIMITS.notes.toLocaleString('en-GB')} characters`;
  if (form.assetIds.length > JOB_LIMITS.assets) problems.assetIds = `at most ${JOB_LIMITS.assets} on a job`;
  if (form.crew.length > JOB_LIMITS.crew) problems.crew = `at most ${JOB_LIMITS.crew} people on a job`;
  form.crew.forEach((c, i) => {
    if (c.role === 'driver' && (c.vehicleId === null || !form.assetIds.includes(c.vehicleId)))
      problems[`crew.${i}`] = 'choose the vehicle they drive, or make them crew';
  });
  return { window, problems };
}

/** POST /api/v1/jobs. */
export function newJobBody(form: JobForm, timeZone: string): FormResult<NewJob, JobField> {
  const { window, problems } = problemsOf(form, timeZone);
  if (!window.ok || Object.keys(problems).length > 0) return { ok: false, problems };
  const notes = form.notes.trim();
  return {
    ok: true,
    body: {
      title: form.title.trim(),
      ...(form.projectId === '' ? {} : { projectId: form.projectId }),
      placeId: form.placeId,
      startsAt: window.startsAt,
      endsAt: window.endsAt,
      ...(notes === '' ? {} : { notes }),
      assetIds: [...form.assetIds],
      crew: crewBody(form.crew),
    },
  };
}

const sameCrew = (a: readonly CrewLine[], b: readonly CrewLine[]) =>
  JSON.stringify(crewBody(a)) === JSON.stringify(crewBody(b));

/**
 * PATCH /api/v1/jobs/{id}: only what differs from the job as it stands ({} when nothing does).
 * A list that changed is sent whole: `assetIds` and `crew` replace the job's (a vehicle taken
 * off changes its driver's line too, removeAsset, so both go).
 */
export function jobChanges(form: JobForm, job: Job, timeZone: string): FormResult<JobChanges, JobField> {
  const { window, problems } = problemsOf(form, timeZone);
  if (!window.ok || Object.keys(problems).length > 0) return { ok: false, problems };
  const was = jobToForm(job, timeZone);
  const changes: JobChanges = {};
  const title = form.title.trim();
  if (title !== job.title) changes.title = title;
  if (form.projectId !== was.projectId) changes.projectId = form.projectId === '' ? null : form.projectId;
  if (form.placeId !== was.placeId) changes.placeId = form.placeId;
  if (Date.parse(window.startsAt) !== Date.parse(job.startsAt)) changes.startsAt = window.startsAt;
  if (Date.parse(window.endsAt) !== Date.parse(job.endsAt)) changes.endsAt = window.endsAt;
  const notes = form.notes.trim();
  if (notes !== (job.notes ?? '')) changes.notes = notes === '' ? null : notes;
  const assetsChanged = form.assetIds.join() !== was.assetIds.join();
  const crewChanged = !sameCrew(form.crew, was.crew);
  if (assetsChanged) changes.assetIds = [...form.assetIds];
  if (crewChanged) changes.crew = crewBody(form.crew);
  return { ok: true, body: changes };
}

/** POST /api/v1/jobs/check for the form's window and bookings; undefined while the window is not whole. */
export function checkBody(form: JobForm, timeZone: string, jobId?: string): JobCheck | undefined {
  const window = jobWindow(form, timeZone);
  if (!window.ok) return undefined;
  // A driver line still missing its vehicle is the form's problem to show, not a question for the API.
  const crew = form.crew.filter(
    (c) => c.role === 'crew' || (c.vehicleId !== null && form.assetIds.includes(c.vehicleId)),
  );
  return {
    ...(jobId === undefined ? {} : { jobId }),
    startsAt: window.startsAt,
    endsAt: window.endsAt,
    assetIds: [...form.assetIds],
    crew: crewBody(crew),
  };
}

/** What a job books: the form's lists, or a card's while something is dropped on it. */
export type Booked = Pick<JobForm, 'assetIds' | 'crew'>;

/** A vehicle or item booked on (once). */
export function addAsset<T extends Booked>(form: T, assetId: string): T {
  return form.assetIds.includes(assetId) ? form : { ...form, assetIds: [...form.assetIds, assetId] };
}

/** A vehicle or item taken off; whoever drove it rides along as crew now. */
export function removeAsset<T extends Booked>(form: T, assetId: string): T {
  return {
    ...form,
    assetIds: form.assetIds.filter((id) => id !== assetId),
    crew: form.crew.map(
      (c): CrewLine => (c.vehicleId === assetId ? { ...c, role: 'crew', vehicleId: null } : c),
    ),
  };
}

/**
 * A person booked on: the driver of the first booked vehicle nobody drives yet (`vehicleIds`
 * says which booked assets are vehicles), or crew when every vehicle has its driver.
 */
export function addPerson<T extends Booked>(form: T, driverId: string, vehicleIds: readonly string[]): T {
  if (form.crew.some((c) => c.driverId === driverId)) return form;
  const free = form.assetIds.find(
    (id) => vehicleIds.includes(id) && !form.crew.some((c) => c.role === 'driver' && c.vehicleId === id),
  );
  const line: CrewLine =
    free === undefined
      ? { driverId, role: 'crew', vehicleId: null }
      : { driverId, role: 'driver', vehicleId: free };
  return { ...form, crew: [...form.crew, line] };
}

export function removePerson<T extends Booked>(form: T, driverId: string): T {
  return { ...form, crew: form.crew.filter((c) => c.driverId !== driverId) };
}

/** The crew line's part as a select's value: 'crew', or 'drive:<vehicle id>'. */
export function partValue(line: CrewLine): string {
  return line.role === 'driver' && line.vehicleId !== null ? `drive:${line.vehicleId}` : 'crew';
}

export function setPart<T extends Booked>(form: T, driverId: string, value: string): T {
  const vehicleId = value.startsWith('drive:') ? value.slice('drive:'.length) : null;
  return {
    ...form,
    crew: form.crew.map(
      (c): CrewLine =>
        c.driverId !== driverId
          ? c
          : vehicleId === null
            ? { ...c, role: 'crew', vehicleId: null }
            : { ...c, role: 'driver', vehicleId },
    ),
  };
}

/** A new start day moves the end by as many days, so the job keeps its length. */
export function setStartDay(form: JobForm, day: string): JobForm {
  const shift = (d: string) => Date.parse(`${d}T00:00:00Z`);
  if (Number.isNaN(shift(day)) || Number.isNaN(shift(form.startDay)) || Number.isNaN(shift(form.endDay)))
    return { ...form, startDay: day };
  const days = Math.round((shift(day) - shift(form.startDay)) / 86_400_000);
  const end = new Date(shift(form.endDay) + days * 86_400_000).toISOString().slice(0, 10);
  return { ...form, startDay: day, endDay: end };
}
