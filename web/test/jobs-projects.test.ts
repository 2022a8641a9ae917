// The projects page without its markup (lib/jobs/projects.ts) against the API's own schemas: the
// statuses, a new project in the organisation's currency (a decimal comma read as the point,
// money never a float), only the changes of one, the form's checks at their fields, and its
// jobs by state in words.
import type { Project } from '@fleet/api/contract';
import { describe, expect, it } from 'vitest';
import {
  PROJECT_STATUSES as API_STATUSES,
  newProjectSchema,
  projectChangesSchema,
} from '../../api/src/domains/projects/schemas.ts';
import {
  blankProjectForm,
  jobCounts,
  newProjectBody,
  PROJECT_STATUSES,
  projectChanges,
  projectToForm,
} from '../src/lib/jobs/projects.ts';

const project = (extra: Partial<Project> = {}): Project => ({
  id: '3eaf7f4b-1f88-4f8a-8a4b-6f4c3b3d2e44',
  name: 'Commercial',
  code: 'P-1',
  client: 'Fazer',
  departmentId: null,
  departmentName: null,
  budget: '25000.00',
  currency: 'EUR',
  startsOn: '2027-01-01',
  endsOn: null,
  status: 'active',
  notes: null,
  jobs: { planned: 2, dispatched: 0, en_route: 1, on_site: 0, completed: 3, cancelled: 0 },
  directCosts: '0.00',
  createdAt: '2026-11-01T08:00:00.000Z',
  updatedAt: '2026-11-01T08:00:00.000Z',
  ...extra,
});

describe('a project', () => {
  it('has the API’s statuses', () => {
    expect(PROJECT_STATUSES).toEqual(API_STATUSES);
  });

  it('is started with what was filled in, the budget in the organisation’s currency', () => {
    const r = newProjectBody(
      {
        ...blankProjectForm(),
        name: ' Commercial ',
        client: 'Fazer',
        budget: '25 000,50',
        startsOn: '2027-01-01',
      },
      'EUR',
    );
    expect(r).toEqual({
      ok: true,
      body: {
        name: 'Commercial',
        client: 'Fazer',
        startsOn: '2027-01-01',
        budget: '25000.50',
        currency: 'EUR',
      },
    });
    expect(r.ok && newProjectSchema.safeParse(r.body).success).toBe(true);
    expect(newProjectBody({ ...blankProjectForm(), name: 'Small' }, 'EUR')).toEqual({
      ok: true,
      body: { name: 'Small' },
    });
  });

  it('says what is wrong at its field, and leaves the budget’s digits to the API', () => {
    const r = newProjectBody({ ...blankProjectForm(), startsOn: '2027-02-01', endsOn: '2027-01-01' }, 'EUR');
    expect(r).toEqual({
      ok: false,
      problems: { name: 'a name is 1..100 characters', endsOn: 'it ends on or after the day it starts' },
    });
    const odd = newProjectBody({ ...blankProjectForm(), name: 'Odd', budget: '10.005' }, 'EUR');
    expect(odd.ok && odd.body.budget).toBe('10.005');
  });

  it('changes only what differs', () => {
    const p = project();
    expect(projectChanges(projectToForm(p), p)).toEqual({ ok: true, body: {} });
    const r = projectChanges({ ...projectToForm(p), code: '', budget: '30000', status: 'completed' }, p);
    expect(r).toEqual({
      ok: true,
      body: { code: null, budget: '30000', currency: 'EUR', status: 'completed' },
    });
    expect(r.ok && projectChangesSchema.safeParse(r.body).success).toBe(true);
    expect(projectChanges({ ...projectToForm(p), budget: '' }, p)).toEqual({
      ok: true,
      body: { budget: null },
    });
  });

  it('counts its jobs by state in the board’s order, leaving out the states it has none of', () => {
    expect(jobCounts(project().jobs).map((c) => `${c.n} ${c.label}`)).toEqual([
      '2 Planned',
      '1 En route',
      '3 Completed',
    ]);
    expect(jobCounts({})).toEqual([]);
  });
});
