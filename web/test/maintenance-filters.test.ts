// The board's and the workshop list's filters in the address bar (lib/maintenance/filters.ts)
// and the query strings the API reads from them (lib/api/maintenance.ts): round trips, unknown
// values dropped, the unfinished states as the list's default, and every query one the API's
// own schemas accept.
import { describe, expect, it } from 'vitest';
import { boardQuerySchema } from '../../api/src/domains/maintenance/schemas.ts';
import { workOrderQuerySchema } from '../../api/src/domains/work-orders/schemas.ts';
import { boardParams, workOrderParams } from '../src/lib/api/maintenance.ts';
import {
  blankBoardFilter,
  boardFilterFromQuery,
  boardFilterToQuery,
  defaultWorkOrderFilter,
  isBoardFiltered,
  isWorkOrderFiltered,
  stateChoice,
  statesOfChoice,
  toggleLevel,
  workOrderFilterFromQuery,
  workOrderFilterToQuery,
} from '../src/lib/maintenance/filters.ts';

const PLAN = '0b8a6f0e-6a9c-4c3e-9d5e-1f2a3b4c5d6e';
const defined = (q: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(q).filter(([, v]) => v !== undefined));

describe('the board’s filters', () => {
  it('go to the address bar and back, in the API’s order of levels', () => {
    const filter = {
      levels: ['overdue' as const, 'due_soon' as const],
      kind: 'vehicle' as const,
      planId: PLAN,
      q: ' van ',
    };
    const query = boardFilterToQuery(filter);
    expect(query.toString()).toBe(`level=due_soon%2Coverdue&kind=vehicle&planId=${PLAN}&q=van`);
    expect(boardFilterFromQuery(query)).toEqual({ ...filter, levels: ['due_soon', 'overdue'], q: 'van' });
    expect(isBoardFiltered(blankBoardFilter())).toBe(false);
  });

  it('drop what the API would refuse', () => {
    expect(boardFilterFromQuery(new URLSearchParams('level=late,due&kind=boat&planId=7'))).toEqual({
      levels: ['due'],
      kind: '',
      planId: '',
      q: '',
    });
  });

  it('toggle a level chip on and off', () => {
    const on = toggleLevel(blankBoardFilter(), 'overdue');
    expect(on.levels).toEqual(['overdue']);
    expect(toggleLevel(on, 'ok').levels).toEqual(['ok', 'overdue']);
    expect(toggleLevel(on, 'overdue').levels).toEqual([]);
  });

  it('send a query the API accepts', () => {
    const params = defined(
      boardParams({ levels: ['due', 'overdue'], kind: 'equipment', planId: PLAN, q: ' gen ' }),
    );
    expect(params).toEqual({ level: 'due,overdue', kind: 'equipment', planId: PLAN, q: 'gen' });
    expect(boardQuerySchema.parse(params)).toMatchObject({ level: ['due', 'overdue'], kind: 'equipment' });
    expect(defined(boardParams({ levels: [], kind: '', q: '  ' }))).toEqual({});
  });
});

describe('the workshop list’s filters', () => {
  it('default to the unfinished work orders, which the address bar leaves out', () => {
    const filter = workOrderFilterFromQuery(new URLSearchParams(''));
    expect(filter).toEqual(defaultWorkOrderFilter());
    expect(filter.states).toEqual(['open', 'in_progress', 'on_hold']);
    expect(workOrderFilterToQuery(filter).toString()).toBe('');
    expect(isWorkOrderFiltered(filter)).toBe(false);
  });

  it('say every state as “any”, and keep an asset and an assignee', () => {
    const filter = { states: [], assetId: PLAN, assigneeId: '' };
    expect(workOrderFilterToQuery(filter).toString()).toBe(`state=any&assetId=${PLAN}`);
    expect(workOrderFilterFromQuery(workOrderFilterToQuery(filter))).toEqual(filter);
    const done = workOrderFilterFromQuery(new URLSearchParams('state=completed,bogus&assigneeId=nope'));
    expect(done).toEqual({ states: ['completed'], assetId: '', assigneeId: '' });
    expect(workOrderFilterFromQuery(new URLSearchParams('state=bogus')).states).toEqual([
      'open',
      'in_progress',
      'on_hold',
    ]);
  });

  it('map the state select’s choices', () => {
    expect(stateChoice(['on_hold', 'open', 'in_progress'])).toBe('unfinished');
    expect(stateChoice([])).toBe('any');
    expect(stateChoice(['completed'])).toBe('completed');
    expect(statesOfChoice('unfinished')).toEqual(['open', 'in_progress', 'on_hold']);
    expect(statesOfChoice('any')).toEqual([]);
    expect(statesOfChoice('cancelled')).toEqual(['cancelled']);
  });

  it('send a query the API accepts', () => {
    const params = defined(
      workOrderParams({ states: ['open', 'in_progress'], assetId: PLAN, assigneeId: '', limit: 100 }),
    );
    expect(params).toEqual({ state: 'open,in_progress', assetId: PLAN, limit: 100 });
    expect(workOrderQuerySchema.parse(params)).toMatchObject({ state: ['open', 'in_progress'], limit: 100 });
  });
});
