// How each job state looks, defined once: the board's column edges and the live map's job sites
// and labels use the same colours (the states and their labels live in @fleet/shared/jobs).
import { JOB_STATES, type JobState } from '@fleet/shared/jobs';

export const JOB_STATE_COLORS: Readonly<Record<JobState, string>> = {
  planned: '#94a3b8',
  dispatched: '#1d4ed8',
  en_route: '#b45309',
  on_site: '#7c3aed',
  completed: '#15803d',
  cancelled: '#94a3b8',
};

/** A MapLibre `match` expression giving a feature's colour from its `state` property. */
export function jobStateColorExpression(): unknown[] {
  return [
    'match',
    ['get', 'state'],
    ...JOB_STATES.flatMap((s) => [s, JOB_STATE_COLORS[s]]),
    JOB_STATE_COLORS.planned,
  ];
}
