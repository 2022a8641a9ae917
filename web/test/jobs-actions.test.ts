// The moves on a job's card and page (lib/jobs/actions.ts): the roles that plan jobs are the
// API's DISPATCH_JOBS, the buttons of each state are the shared transition table's (which the
// API applies), none for those who only read or once a job is final; and the API's 409 of a
// dispatch over conflicts read back into the conflicts it lists, a 409 of another kind not.
import { JOB_STATES, JOB_TRANSITIONS } from '@fleet/shared/jobs';
import { describe, expect, it } from 'vitest';
import { DISPATCH_JOBS, ROLES } from '../../api/src/permissions.ts';
import { errorFromResponse } from '../src/lib/api/errors.ts';
import {
  canPlanJobs,
  dispatchRefusal,
  isFinalJob,
  JOB_PLANNERS,
  jobActions,
} from '../src/lib/jobs/actions.ts';

describe('who moves jobs', () => {
  it('is the API’s DISPATCH_JOBS', () => {
    expect(JOB_PLANNERS).toEqual(DISPATCH_JOBS);
    for (const role of ROLES) expect([role, canPlanJobs(role)]).toEqual([role, DISPATCH_JOBS.includes(role)]);
    expect(canPlanJobs(undefined)).toBe(false);
  });

  it('shows viewers and mechanics no button at all', () => {
    for (const state of JOB_STATES) {
      expect(jobActions(state, 'viewer')).toEqual([]);
      expect(jobActions(state, 'mechanic')).toEqual([]);
    }
  });
});

describe('the buttons', () => {
  it('are the moves the transition table allows from each state', () => {
    for (const state of JOB_STATES)
      expect([
        state,
        jobActions(state, 'dispatcher')
          .map((a) => a.to)
          .sort(),
      ]).toEqual([state, [...JOB_TRANSITIONS[state]].sort()]);
    expect(isFinalJob('completed') && isFinalJob('cancelled') && !isFinalJob('on_site')).toBe(true);
  });

  it('read as a dispatcher says them, the next step marked, cancelling asking why', () => {
    const words = (s: (typeof JOB_STATES)[number]) =>
      jobActions(s, 'fleet_manager').map((a) => `${a.label}${a.primary ? '*' : ''}`);
    expect(words('planned')).toEqual(['Dispatch*', 'Cancel…']);
    // Telemetry moves a dispatched job on by itself: no step is pressed for it.
    expect(words('dispatched')).toEqual(['Recall', 'En route', 'On site', 'Complete', 'Cancel…']);
    expect(words('en_route')).toEqual(['On site', 'Complete', 'Cancel…']);
    expect(words('on_site')).toEqual(['Complete*', 'Cancel…']);
    expect(words('completed')).toEqual([]);
    expect(jobActions('planned', 'admin').find((a) => a.to === 'cancelled')?.asks).toBe('reason');
    expect(jobActions('planned', 'admin').find((a) => a.to === 'dispatched')?.asks).toBeUndefined();
  });
});

describe('a refused dispatch', () => {
  const reply = (status: number, error: Record<string, unknown>) =>
    errorFromResponse(status, JSON.stringify({ error }), new Headers());

  it('lists the conflicts of the API’s 409 (api/src/domains/jobs/repository.ts, transition)', () => {
    const err = reply(409, {
      code: 'conflict',
      message: 'The job has 2 conflicts; resolve them or dispatch with override.',
      details: [
        {
          path: 'conflicts.asset_double_booked',
          message: 'Van 7 is booked on JOB-3 (Shoot) in an overlapping window',
        },
        { path: 'conflicts.service_overdue', message: 'Van 7 is overdue for service (Oil service)' },
      ],
    });
    expect(dispatchRefusal(err)).toEqual([
      { kind: 'asset_double_booked', message: 'Van 7 is booked on JOB-3 (Shoot) in an overlapping window' },
      { kind: 'service_overdue', message: 'Van 7 is overdue for service (Oil service)' },
    ]);
  });

  it('is no question of override when nothing is booked, or for any other error', () => {
    const empty = reply(409, {
      code: 'conflict',
      message: 'Nothing is booked on this job: add vehicles, items or crew first.',
    });
    expect(dispatchRefusal(empty)).toBeUndefined();
    const forbidden = reply(403, {
      code: 'forbidden',
      message: 'No.',
      details: [{ path: 'conflicts.x', message: 'x' }],
    });
    expect(dispatchRefusal(forbidden)).toBeUndefined();
    expect(dispatchRefusal(new Error('network'))).toBeUndefined();
  });
});
