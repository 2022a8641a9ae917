// A service plan's form: inputs as typed text, to the API's body and back, with the checks the
// API makes (api/src/domains/maintenance/schemas.ts, planProblems: at least one interval, each
// due-soon window under its interval; web/test/maintenance-plans.test.ts compares the two), so
// the form says what is wrong at the field before sending; the API's own field errors land at
// the same fields. A change sends only what changed.
import type { NewServicePlan, ServicePlan, ServicePlanChanges } from '@fleet/api/contract';
import { DEFAULT_SOON_DAYS, DEFAULT_SOON_FRACTION } from '@fleet/shared/maintenance';
import { MAINTENANCE_LIMITS } from '../api/maintenance.ts';
import { formatHours, formatKm } from './format.ts';
import { parseNumber } from './work-order.ts';

export type AssetKindName = 'vehicle' | 'equipment';

export interface PlanForm {
  name: string;
  description: string;
  /** The checklist, one item a line. */
  items: string;
  intervalKm: string;
  intervalHours: string;
  intervalMonths: string;
  soonKm: string;
  soonHours: string;
  soonDays: string;
  assetIds: string[];
  assetKinds: AssetKindName[];
  /** Equipment categories, comma-separated. */
  categories: string;
  autoWorkOrder: '' | 'due_soon' | 'due';
}

export type PlanField =
  | 'name'
  | 'description'
  | 'items'
  | 'intervalKm'
  | 'intervalHours'
  | 'intervalMonths'
  | 'soonKm'
  | 'soonHours'
  | 'soonDays'
  | 'appliesTo.assetIds'
  | 'appliesTo.assetKinds'
  | 'appliesTo.categories'
  | 'autoWorkOrder';

export const PLAN_FIELDS: readonly PlanField[] = [
  'name',
  'description',
  'items',
  'intervalKm',
  'intervalHours',
  'intervalMonths',
  'soonKm',
  'soonHours',
  'soonDays',
  'appliesTo.assetIds',
  'appliesTo.assetKinds',
  'appliesTo.categories',
  'autoWorkOrder',
];

/** The plan's body: every field, null where the form leaves it empty. */
export type PlanBody = Required<Omit<NewServicePlan, 'appliesTo'>> & {
  appliesTo: { assetIds: string[]; assetKinds: AssetKindName[]; categories: string[] };
};

export function blankPlanForm(): PlanForm {
  return {
    name: '',
    description: '',
    items: '',
    intervalKm: '',
    intervalHours: '',
    intervalMonths: '',
    soonKm: '',
    soonHours: '',
    soonDays: '',
    assetIds: [],
    assetKinds: [],
    categories: '',
    autoWorkOrder: '',
  };
}

const text = (n: number | null) => (n === null ? '' : String(n));

export function planForm(plan: ServicePlan): PlanForm {
  return {
    name: plan.name,
    description: plan.description ?? '',
    items: plan.items.join('\n'),
    intervalKm: text(plan.intervalKm),
    intervalHours: text(plan.intervalHours),
    intervalMonths: text(plan.intervalMonths),
    soonKm: text(plan.soonKm),
    soonHours: text(plan.soonHours),
    soonDays: text(plan.soonDays),
    assetIds: [...plan.appliesTo.assetIds],
    assetKinds: [...plan.appliesTo.assetKinds],
    categories: plan.appliesTo.categories.join(', '),
    autoWorkOrder: plan.autoWorkOrder ?? '',
  };
}

interface PlanNumbers {
  intervalKm: number | null;
  intervalHours: number | null;
  intervalMonths: number | null;
  soonKm: number | null;
  soonHours: number | null;
}

/** The API's cross-field checks (planProblems), in the form's words, by field. */
export function planProblems(p: PlanNumbers): Partial<Record<PlanField, string>> {
  const problems: Partial<Record<PlanField, string>> = {};
  if (p.intervalKm === null && p.intervalHours === null && p.intervalMonths === null)
    problems.intervalKm = 'a plan needs at least one interval: kilometres, engine hours or months';
  const within = (soon: 'soonKm' | 'soonHours', interval: 'intervalKm' | 'intervalHours', unit: string) => {
    const s = p[soon];
    if (s === null) return;
    const i = p[interval];
    if (i === null) problems[soon] = `a due-soon window in ${unit} needs an interval in ${unit}`;
    else if (s >= i) problems[soon] = `less than the interval (${i} ${unit})`;
  };
  within('soonKm', 'intervalKm', 'km');
  within('soonHours', 'intervalHours', 'h');
  return problems;
}

/** The body of POST /api/v1/service-plans, or the problems by field. */
export function planBody(
  form: PlanForm,
): { ok: true; body: PlanBody } | { ok: false; problems: Partial<Record<PlanField, string>> } {
  const problems: Partial<Record<PlanField, string>> = {};
  const L = MAINTENANCE_LIMITS;
  const name = form.name.trim();
  if (name === '' || name.length > L.planName) problems.name = `a name is 1..${L.planName} characters`;
  const description = form.description.trim();
  if (description.length > L.planDescription)
    problems.description = `at most ${L.planDescription} characters`;
  const items = form.items
    .split('\n')
    .map((i) => i.trim())
    .filter((i) => i !== '');
  if (items.length > L.planItems) problems.items = `at most ${L.planItems} items`;
  else if (items.some((i) => i.length > L.planItem))
    problems.items = `an item is at most ${L.planItem} characters`;

  const number = (
    field: 'intervalKm' | 'intervalHours' | 'intervalMonths' | 'soonKm' | 'soonHours' | 'soonDays',
    opts: { min: number; max: number; whole?: boolean; above?: boolean },
  ): number | null => {
    const raw = form[field];
    if (raw.trim() === '') return null;
    const n = parseNumber(raw);
    const low = opts.above ? `more than ${opts.min}` : `${opts.min} or more`;
    if (n === undefined) problems[field] = `a number, ${low}`;
    else if (opts.whole && !Number.isInteger(n)) problems[field] = 'a whole number';
    else if (opts.above ? n <= opts.min : n < opts.min) problems[field] = low;
    else if (n > opts.max) problems[field] = `at most ${opts.max.toLocaleString('en-GB')}`;
    else return n;
    return null;
  };
  const numbers = {
    intervalKm: number('intervalKm', { min: 0, max: 1_000_000, above: true }),
    intervalHours: number('intervalHours', { min: 0, max: 100_000, above: true }),
    intervalMonths: number('intervalMonths', { min: 1, max: 240, whole: true }),
    soonKm: number('soonKm', { min: 0, max: 1_000_000 }),
    soonHours: number('soonHours', { min: 0, max: 100_000 }),
    soonDays: number('soonDays', { min: 0, max: 365, whole: true }),
  };
  // The cross-field checks only over numbers that are themselves fine (one message a field).
  const typedBad = (f: PlanField) => problems[f] !== undefined;
  if (!typedBad('intervalKm') && !typedBad('intervalHours') && !typedBad('intervalMonths'))
    for (const [field, message] of Object.entries(planProblems(numbers)) as [PlanField, string][])
      if (!typedBad(field)) problems[field] = message;

  const categories = form.categories
    .split(',')
    .map((c) => c.trim())
    .filter((c) => c !== '');
  if (categories.some((c) => c.length > L.category))
    problems['appliesTo.categories'] = `a category is at most ${L.category} characters`;
  if (Object.keys(problems).length > 0) return { ok: false, problems };
  return {
    ok: true,
    body: {
      name,
      description: description === '' ? null : description,
      items,
      ...numbers,
      appliesTo: {
        assetIds: [...form.assetIds],
        assetKinds: (['vehicle', 'equipment'] as const).filter((k) => form.assetKinds.includes(k)),
        categories,
      },
      autoWorkOrder: form.autoWorkOrder === '' ? null : form.autoWorkOrder,
    },
  };
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** Only what changed, for PATCH /api/v1/service-plans/{id}; empty when nothing did. */
export function planChanges(plan: ServicePlan, body: PlanBody): ServicePlanChanges {
  const changes: Record<string, unknown> = {};
  for (const key of Object.keys(body) as (keyof PlanBody)[]) {
    const before: unknown = key === 'appliesTo' ? plan.appliesTo : plan[key];
    if (!same(before, body[key])) changes[key] = body[key];
  }
  return changes as ServicePlanChanges;
}

const listed = (names: string[], max = 2) =>
  names.length <= max ? names.join(', ') : `${names.slice(0, max).join(', ')} and ${names.length - max} more`;

/** "Every vehicle · Generators · Van 7 (ABC-123)": what a plan covers. */
export function appliesToSummary(
  appliesTo: ServicePlan['appliesTo'],
  assetName: (id: string) => string,
): string {
  const parts: string[] = [];
  if (appliesTo.assetKinds.includes('vehicle')) parts.push('Every vehicle');
  if (appliesTo.assetKinds.includes('equipment')) parts.push('All equipment');
  if (appliesTo.categories.length > 0) parts.push(`Equipment: ${listed(appliesTo.categories)}`);
  if (appliesTo.assetIds.length > 0) parts.push(listed(appliesTo.assetIds.map(assetName)));
  return parts.length === 0 ? 'No asset yet' : parts.join(' · ');
}

/** "Every 15,000 km or 12 months, whichever comes first". */
export function intervalSummary(
  plan: Pick<ServicePlan, 'intervalKm' | 'intervalHours' | 'intervalMonths'>,
): string {
  const parts: string[] = [];
  if (plan.intervalKm !== null) parts.push(formatKm(plan.intervalKm));
  if (plan.intervalHours !== null) parts.push(formatHours(plan.intervalHours));
  if (plan.intervalMonths !== null)
    parts.push(plan.intervalMonths === 1 ? '1 month' : `${plan.intervalMonths} months`);
  if (parts.length === 0) return '—';
  const last = parts.pop() as string;
  const text = parts.length === 0 ? last : `${parts.join(', ')} or ${last}`;
  return parts.length === 0 ? `Every ${text}` : `Every ${text}, whichever comes first`;
}

/** "Due soon from 1,000 km / 14 days before": the windows, with the defaults where the plan names none. */
export function soonSummary(
  plan: Pick<
    ServicePlan,
    'intervalKm' | 'intervalHours' | 'intervalMonths' | 'soonKm' | 'soonHours' | 'soonDays'
  >,
): string {
  const parts: string[] = [];
  if (plan.intervalKm !== null) parts.push(formatKm(plan.soonKm ?? plan.intervalKm * DEFAULT_SOON_FRACTION));
  if (plan.intervalHours !== null)
    parts.push(formatHours(plan.soonHours ?? plan.intervalHours * DEFAULT_SOON_FRACTION));
  if (plan.intervalMonths !== null) {
    const days = plan.soonDays ?? DEFAULT_SOON_DAYS;
    parts.push(days === 1 ? '1 day' : `${days} days`);
  }
  return parts.length === 0 ? '—' : `Due soon ${parts.join(' / ')} before`;
}
