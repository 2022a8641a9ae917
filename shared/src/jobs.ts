// Jobs: work at a place in a time window, with the vehicles, equipment and crew it needs. The
// states and who may move a job from one to the next, shared by the API (people), the device
// side's job tracker (telemetry) and the console (which buttons to show). Pure: no zod, no I/O.

export const JOB_STATES = ['planned', 'dispatched', 'en_route', 'on_site', 'completed', 'cancelled'] as const;
export type JobState = (typeof JOB_STATES)[number];

/** Booked and not finished: what a new booking can conflict with. */
export const UNFINISHED_JOB_STATES: readonly JobState[] = ['planned', 'dispatched', 'en_route', 'on_site'];
/** Out with the fleet: what the job tracker follows. */
export const DISPATCHED_JOB_STATES: readonly JobState[] = ['dispatched', 'en_route', 'on_site'];
export const FINAL_JOB_STATES: readonly JobState[] = ['completed', 'cancelled'];

/**
 * Where a person may move a job. Back to planned recalls a dispatch (the crew was told wrong);
 * en route and on site by hand are a driver calling in without a tracker. Completed and
 * cancelled are final.
 */
export const JOB_TRANSITIONS: Readonly<Record<JobState, readonly JobState[]>> = {
  planned: ['dispatched', 'cancelled'],
  dispatched: ['planned', 'en_route', 'on_site', 'completed', 'cancelled'],
  en_route: ['on_site', 'completed', 'cancelled'],
  on_site: ['completed', 'cancelled'],
  completed: [],
  cancelled: [],
};

/** Where telemetry moves a job by itself: forward only, never to completed (a person says so). */
export const TELEMETRY_JOB_TRANSITIONS: Readonly<Partial<Record<JobState, readonly JobState[]>>> = {
  dispatched: ['en_route', 'on_site'],
  en_route: ['on_site'],
};

export const JOB_STATE_LABELS: Readonly<Record<JobState, string>> = {
  planned: 'Planned',
  dispatched: 'Dispatched',
  en_route: 'En route',
  on_site: 'On site',
  completed: 'Completed',
  cancelled: 'Cancelled',
};

export function canMoveJob(from: JobState, to: JobState, by: 'user' | 'telemetry'): boolean {
  const allowed = by === 'user' ? JOB_TRANSITIONS[from] : (TELEMETRY_JOB_TRANSITIONS[from] ?? []);
  return allowed.includes(to);
}

/** An en-route job whose estimated arrival is this much past its window's start is late. */
export const JOB_LATE_GRACE_MS = 10 * 60_000;

/** The number people say. */
export const jobReference = (number: number) => `JOB-${number}`;

/**
 * A job's state changed (by a person or by telemetry), for the hub's `jobs` topic; `from` equal
 * to `to`: it was changed (window, bookings, notes) without moving.
 */
export interface JobChange {
  orgId: string;
  jobId: string;
  reference: string;
  title: string;
  from: JobState | null;
  to: JobState;
  source: 'user' | 'telemetry';
  /** The vehicle whose telemetry moved it, when telemetry did. */
  assetId: string | null;
  at: string;
}
