// The projects page without its markup: a project's form turned into the API's bodies (a new
// project; only the changes of one), its jobs by state in words, its dates. The budget stays
// the string people typed, a decimal comma read as the point ("25 000,00" → "25000.00"):
// money is never a float; whether it is an amount of the currency is the API's to say.
import type { ConsoleEndpoints, NewProject, Project } from '@fleet/api/contract';
import { JOB_STATE_LABELS, JOB_STATES, type JobState } from '@fleet/shared/jobs';
import { amountText } from '../costs/entry.ts';
import { isDay } from '../costs/range.ts';
import type { FormResult } from '../maintenance/work-order.ts';

/** api/src/domains/projects/schemas.ts (web/test/jobs-projects.test.ts checks them equal). */
export const PROJECT_STATUSES = ['active', 'completed', 'cancelled'] as const;
export type ProjectStatus = (typeof PROJECT_STATUSES)[number];
export const PROJECT_STATUS_LABELS: Record<ProjectStatus, string> = {
  active: 'Active',
  completed: 'Completed',
  cancelled: 'Cancelled',
};
export const PROJECT_LIMITS = { name: 100, code: 40, client: 200, notes: 2000 } as const;

export interface ProjectForm {
  name: string;
  code: string;
  client: string;
  budget: string;
  startsOn: string;
  endsOn: string;
  notes: string;
  status: ProjectStatus;
}

export type ProjectField =
  | 'name'
  | 'code'
  | 'client'
  | 'budget'
  | 'currency'
  | 'startsOn'
  | 'endsOn'
  | 'notes'
  | 'status'
  | 'departmentId';
export const PROJECT_FIELDS: readonly ProjectField[] = [
  'name',
  'code',
  'client',
  'budget',
  'currency',
  'startsOn',
  'endsOn',
  'notes',
  'status',
  'departmentId',
];
/** The form has no currency input: the API's word on it goes to the budget. */
export const PROJECT_ALIASES = { currency: 'budget' } as const satisfies Record<string, ProjectField>;

export function blankProjectForm(): ProjectForm {
  return {
    name: '',
    code: '',
    client: '',
    budget: '',
    startsOn: '',
    endsOn: '',
    notes: '',
    status: 'active',
  };
}

export function projectToForm(p: Project): ProjectForm {
  return {
    name: p.name,
    code: p.code ?? '',
    client: p.client ?? '',
    budget: p.budget ?? '',
    startsOn: p.startsOn ?? '',
    endsOn: p.endsOn ?? '',
    notes: p.notes ?? '',
    status: p.status,
  };
}

type Problems = Partial<Record<ProjectField, string>>;

function problemsOf(form: ProjectForm): Problems {
  const problems: Problems = {};
  const name = form.name.trim();
  if (name === '' || name.length > PROJECT_LIMITS.name)
    problems.name = `a name is 1..${PROJECT_LIMITS.name} characters`;
  if (form.code.trim().length > PROJECT_LIMITS.code)
    problems.code = `a code is at most ${PROJECT_LIMITS.code} characters`;
  if (form.client.trim().length > PROJECT_LIMITS.client)
    problems.client = `a client is at most ${PROJECT_LIMITS.client} characters`;
  if (form.startsOn !== '' && !isDay(form.startsOn)) problems.startsOn = 'a day, or none';
  if (form.endsOn !== '' && !isDay(form.endsOn)) problems.endsOn = 'a day, or none';
  else if (form.startsOn !== '' && form.endsOn !== '' && form.endsOn < form.startsOn)
    problems.endsOn = 'it ends on or after the day it starts';
  return problems;
}

const text = (v: string) => {
  const t = v.trim();
  return t === '' ? null : t;
};

/** POST /api/v1/projects, in the organisation's currency. */
export function newProjectBody(form: ProjectForm, currency: string): FormResult<NewProject, ProjectField> {
  const problems = problemsOf(form);
  if (Object.keys(problems).length > 0) return { ok: false, problems };
  const budget = amountText(form.budget);
  const body: NewProject = { name: form.name.trim() };
  for (const key of ['code', 'client', 'startsOn', 'endsOn', 'notes'] as const) {
    const v = text(form[key]);
    if (v !== null) body[key] = v;
  }
  if (budget !== '') {
    body.budget = budget;
    body.currency = currency;
  }
  return { ok: true, body };
}

/** What PATCH /api/v1/projects/{id} takes: the fields that differ ({} when none does). */
export type ProjectChanges = ConsoleEndpoints['PATCH /api/v1/projects/{id}']['body'];

export function projectChanges(form: ProjectForm, p: Project): FormResult<ProjectChanges, ProjectField> {
  const problems = problemsOf(form);
  if (Object.keys(problems).length > 0) return { ok: false, problems };
  const changes: ProjectChanges = {};
  const name = form.name.trim();
  if (name !== p.name) changes.name = name;
  for (const key of ['code', 'client', 'startsOn', 'endsOn', 'notes'] as const) {
    const v = text(form[key]);
    if (v !== p[key]) changes[key] = v;
  }
  const budget = amountText(form.budget);
  if (budget !== (p.budget ?? '')) {
    changes.budget = budget === '' ? null : budget;
    if (budget !== '') changes.currency = p.currency;
  }
  if (form.status !== p.status) changes.status = form.status;
  return { ok: true, body: changes };
}

/** A project's jobs by state, in the board's order, the states it has none of left out. */
export function jobCounts(
  jobs: Partial<Record<JobState, number>>,
): { state: JobState; label: string; n: number }[] {
  return JOB_STATES.filter((s) => (jobs[s] ?? 0) > 0).map((s) => ({
    state: s,
    label: JOB_STATE_LABELS[s],
    n: jobs[s] ?? 0,
  }));
}
