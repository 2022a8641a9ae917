// The moves a person makes on a job, as buttons: the ones @fleet/shared/jobs allows from its
// state (JOB_TRANSITIONS, the API's own table), for the roles that plan jobs (the API's
// DISPATCH_JOBS; web/test/jobs-actions.test.ts checks both equal). And the API's refusal of a
// dispatch over conflicts read back into the conflicts it lists, for the override question.
import type { Role } from '@fleet/api/contract';
import { FINAL_JOB_STATES, JOB_TRANSITIONS, type JobState } from '@fleet/shared/jobs';
import { ApiRequestError } from '../api/errors.ts';

/** Who books vehicles, items and crew and moves jobs on (api/src/permissions.ts, DISPATCH_JOBS). */
export const JOB_PLANNERS: readonly Role[] = ['admin', 'dispatcher', 'fleet_manager'];

export function canPlanJobs(role: Role | undefined): boolean {
  return role !== undefined && JOB_PLANNERS.includes(role);
}

export const isFinalJob = (state: JobState): boolean => FINAL_JOB_STATES.includes(state);

export interface JobAction {
  to: JobState;
  label: string;
  /** The move a dispatcher makes next from here: drawn as the main button. */
  primary: boolean;
  /** Cancelling asks why (kept as the job's cancel reason) and to be sure. */
  asks: 'reason' | undefined;
}

/** The order the buttons stand in: out, back, the calls-in of a crew without a tracker, done, dropped. */
const ORDER: readonly JobState[] = ['dispatched', 'planned', 'en_route', 'on_site', 'completed', 'cancelled'];

const LABELS: Record<JobState, string> = {
  dispatched: 'Dispatch',
  planned: 'Recall',
  en_route: 'En route',
  on_site: 'On site',
  completed: 'Complete',
  cancelled: 'Cancel…',
};

/** The step after each state; telemetry moves dispatched jobs on by itself, so none is pressed for it. */
const NEXT: Partial<Record<JobState, JobState>> = { planned: 'dispatched', on_site: 'completed' };

/** The buttons of a job in `state` for `role`: none for those who only read, none once it is final. */
export function jobActions(state: JobState, role: Role | undefined): JobAction[] {
  if (!canPlanJobs(role)) return [];
  const allowed = JOB_TRANSITIONS[state];
  return ORDER.filter((to) => allowed.includes(to)).map((to) => ({
    to,
    label: LABELS[to],
    primary: NEXT[state] === to,
    asks: to === 'cancelled' ? 'reason' : undefined,
  }));
}

/** A conflict as the 409 of a refused dispatch lists it: its kind and the API's words. */
export interface RefusedConflict {
  kind: string;
  message: string;
}

/**
 * The conflicts a dispatch was refused over (409, details `conflicts.<kind>`), or undefined for
 * any other error: a job with nothing booked is a 409 too, but no override dispatches it.
 */
export function dispatchRefusal(err: unknown): RefusedConflict[] | undefined {
  if (!(err instanceof ApiRequestError) || err.status !== 409) return undefined;
  const conflicts = err.details
    .filter((d) => d.path.startsWith('conflicts.'))
    .map((d) => ({ kind: d.path.slice('conflicts.'.length), message: d.message }));
  return conflicts.length > 0 ? conflicts : undefined;
}
