// The maintenance board's and the workshop list's filters, and their address-bar form
// (`?level=due,overdue&kind=vehicle&planId=…&q=van`, `?state=any&assetId=…`), so a filtered
// page can be reloaded, bookmarked and sent. Unknown values in an address are dropped, not
// sent to the API to be refused.
import type { ServiceLevel, WorkOrderState } from '@fleet/api/contract';
import { UNFINISHED_STATES } from '../api/maintenance.ts';
import { SERVICE_LEVELS, WORK_ORDER_STATES } from './labels.ts';

export interface BoardFilter {
  /** Empty: every level. */
  levels: ServiceLevel[];
  kind: '' | 'vehicle' | 'equipment';
  planId: string;
  q: string;
}

export function blankBoardFilter(): BoardFilter {
  return { levels: [], kind: '', planId: '', q: '' };
}

/** What is read of an address's query (SvelteKit's is read-only). */
type Query = { get(name: string): string | null };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function boardFilterFromQuery(params: Query): BoardFilter {
  const levels = (params.get('level') ?? '').split(',');
  const kind = params.get('kind');
  const planId = params.get('planId') ?? '';
  return {
    levels: SERVICE_LEVELS.filter((l) => levels.includes(l)),
    kind: kind === 'vehicle' || kind === 'equipment' ? kind : '',
    planId: UUID.test(planId) ? planId : '',
    q: (params.get('q') ?? '').slice(0, 100),
  };
}

export function boardFilterToQuery(filter: BoardFilter): URLSearchParams {
  const params = new URLSearchParams();
  if (filter.levels.length > 0)
    params.set('level', SERVICE_LEVELS.filter((l) => filter.levels.includes(l)).join(','));
  if (filter.kind !== '') params.set('kind', filter.kind);
  if (filter.planId !== '') params.set('planId', filter.planId);
  if (filter.q.trim() !== '') params.set('q', filter.q.trim());
  return params;
}

export const isBoardFiltered = (f: BoardFilter): boolean => boardFilterToQuery(f).size > 0;

/** A level chip pressed: the level joins the filter, or leaves it. */
export function toggleLevel(filter: BoardFilter, level: ServiceLevel): BoardFilter {
  const levels = filter.levels.includes(level)
    ? filter.levels.filter((l) => l !== level)
    : SERVICE_LEVELS.filter((l) => l === level || filter.levels.includes(l));
  return { ...filter, levels };
}

export interface WorkOrderFilter {
  /** Empty: every state. The workshop's default is the unfinished ones. */
  states: WorkOrderState[];
  assetId: string;
  assigneeId: string;
}

export function defaultWorkOrderFilter(): WorkOrderFilter {
  return { states: [...UNFINISHED_STATES], assetId: '', assigneeId: '' };
}

const sameStates = (a: readonly WorkOrderState[], b: readonly WorkOrderState[]) =>
  a.length === b.length && a.every((s) => b.includes(s));

/** `state` absent is the default (unfinished), `state=any` every state. */
export function workOrderFilterFromQuery(params: Query): WorkOrderFilter {
  const state = params.get('state');
  const assetId = params.get('assetId') ?? '';
  const assigneeId = params.get('assigneeId') ?? '';
  const listed = (state ?? '').split(',');
  const states =
    state === null
      ? [...UNFINISHED_STATES]
      : state === 'any'
        ? []
        : WORK_ORDER_STATES.filter((s) => listed.includes(s));
  return {
    // An address naming only unknown states means the default, not "every state".
    states: state !== null && state !== 'any' && states.length === 0 ? [...UNFINISHED_STATES] : states,
    assetId: UUID.test(assetId) ? assetId : '',
    assigneeId: UUID.test(assigneeId) ? assigneeId : '',
  };
}

export function workOrderFilterToQuery(filter: WorkOrderFilter): URLSearchParams {
  const params = new URLSearchParams();
  if (filter.states.length === 0) params.set('state', 'any');
  else if (!sameStates(filter.states, UNFINISHED_STATES))
    params.set('state', WORK_ORDER_STATES.filter((s) => filter.states.includes(s)).join(','));
  if (filter.assetId !== '') params.set('assetId', filter.assetId);
  if (filter.assigneeId !== '') params.set('assigneeId', filter.assigneeId);
  return params;
}

export const isWorkOrderFiltered = (f: WorkOrderFilter): boolean => workOrderFilterToQuery(f).size > 0;

/** The state select's value for a filter: 'unfinished', one state, or 'any'. */
export function stateChoice(states: readonly WorkOrderState[]): string {
  if (states.length === 0) return 'any';
  if (sameStates(states, UNFINISHED_STATES)) return 'unfinished';
  return WORK_ORDER_STATES.filter((s) => states.includes(s)).join(',');
}

export function statesOfChoice(choice: string): WorkOrderState[] {
  if (choice === 'any') return [];
  if (choice === 'unfinished') return [...UNFINISHED_STATES];
  const listed = choice.split(',');
  return WORK_ORDER_STATES.filter((s) => listed.includes(s));
}
