// The projects routes' shapes: a client's project (budget, dates, department) that jobs belong
// to. Money travels as a decimal string in the organisation's currency. zod and shared pure
// modules only: the console's type check loads this file.
import { JOB_STATES } from '@fleet/shared/jobs';
import { MONEY_PATTERN } from '@fleet/shared/money';
import { z } from 'zod';

export const PROJECT_STATUSES = ['active', 'completed', 'cancelled'] as const;
export type ProjectStatus = (typeof PROJECT_STATUSES)[number];

const day = (what: string) => z.iso.date({ error: `${what} is a date as YYYY-MM-DD` });
const budget = z
  .string({ error: 'budget is a decimal string such as "25000.00" (money is never a floating-point number)' })
  .regex(
    MONEY_PATTERN,
    'budget is an amount of 0 or more such as "25000.00": digits, at most one point, no sign',
  )
  .meta({ example: '25000.00' });
const optionalText = (what: string, max: number) =>
  z
    .string()
    .trim()
    .min(1, `${what} is 1..${max} characters`)
    .max(max, `${what} is 1..${max} characters`)
    .nullable()
    .optional();

const fields = {
  name: z.string().trim().min(1, 'a name is 1..100 characters').max(100, 'a name is 1..100 characters'),
  code: optionalText('a code', 40).meta({
    description: 'the project number people use, unique in the organisation',
  }),
  client: optionalText('a client', 200),
  departmentId: z.uuid().nullable().optional(),
  budget: budget.nullable().optional(),
  currency: z
    .string()
    .regex(/^[A-Z]{3}$/, 'currency is an ISO 4217 code such as EUR')
    .optional()
    .meta({ description: "must be the organisation's currency" }),
  startsOn: day('startsOn').nullable().optional(),
  endsOn: day('endsOn').nullable().optional(),
  notes: z.string().trim().max(2000, 'notes are at most 2,000 characters').nullable().optional(),
};

function checkDates(b: { startsOn?: string | null; endsOn?: string | null }, ctx: z.RefinementCtx) {
  if (b.startsOn && b.endsOn && b.endsOn < b.startsOn)
    ctx.addIssue({ code: 'custom', path: ['endsOn'], message: 'endsOn is on or after startsOn' });
}

export const newProjectSchema = z.strictObject(fields).superRefine(checkDates).meta({ id: 'NewProject' });
export type NewProject = z.infer<typeof newProjectSchema>;

export const projectChangesSchema = z
  .strictObject({
    ...fields,
    name: fields.name.optional(),
    status: z.enum(PROJECT_STATUSES, { error: `status is one of ${PROJECT_STATUSES.join(', ')}` }).optional(),
  })
  .superRefine(checkDates)
  .refine((b) => Object.keys(b).length > 0, 'nothing to change')
  .meta({ id: 'ProjectChanges' });
export type ProjectChanges = z.infer<typeof projectChangesSchema>;

export const projectQuerySchema = z
  .strictObject({
    status: z.enum(PROJECT_STATUSES, { error: `status is one of ${PROJECT_STATUSES.join(', ')}` }).optional(),
    q: z.string().trim().max(100).optional().meta({ description: 'name, code or client contains' }),
    departmentId: z.uuid().optional(),
    limit: z.coerce.number().int().min(1).max(1000).default(200),
  })
  .meta({ id: 'ProjectQuery' });
export type ProjectQuery = z.infer<typeof projectQuerySchema>;

export const projectSchema = z
  .object({
    id: z.uuid(),
    name: z.string(),
    code: z.string().nullable(),
    client: z.string().nullable(),
    departmentId: z.uuid().nullable(),
    departmentName: z.string().nullable(),
    budget: z.string().nullable(),
    currency: z.string(),
    startsOn: z.string().nullable(),
    endsOn: z.string().nullable(),
    status: z.enum(PROJECT_STATUSES),
    notes: z.string().nullable(),
    jobs: z.record(z.enum(JOB_STATES), z.number().int()).meta({ description: 'its jobs by state' }),
    /** Costs entered against the project (tolls, parking ...); the fleet's allocated costs come with trips. */
    directCosts: z.string(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'Project' });
export type Project = z.infer<typeof projectSchema>;

export const projectListSchema = z.object({ items: z.array(projectSchema) }).meta({ id: 'ProjectList' });

const money = z.string().meta({ description: "a decimal string in the organisation's currency" });

export const projectCostsSchema = z
  .object({
    projectId: z.uuid(),
    currency: z.string(),
    timeZone: z.string(),
    period: z
      .object({ from: z.string(), to: z.string() })
      .nullable()
      .meta({ description: "the calendar months of the project's jobs (null: no jobs)" }),
    direct: z.object({
      total: money,
      byCategory: z.array(z.object({ category: z.string(), amount: money })),
    }),
    allocated: z
      .object({ fuel: money, maintenance: money, total: money })
      .meta({ description: 'fuel by distance, maintenance by engine hours driven for its jobs' }),
    assets: z.array(
      z.object({
        asset: z.object({
          id: z.uuid(),
          kind: z.enum(['vehicle', 'equipment']),
          name: z.string(),
          plate: z.string().nullable(),
        }),
        projectKm: z.number(),
        projectEngineH: z.number(),
        periodKm: z.number().meta({ description: 'driven in the period, for anyone' }),
        periodEngineH: z.number(),
        fuelCost: money.meta({ description: "the asset's fill-ups in the period" }),
        maintenanceCost: money.meta({ description: "the asset's completed work orders in the period" }),
        fuelAllocated: money,
        maintenanceAllocated: money,
      }),
    ),
    total: money,
    budget: money.nullable(),
    budgetUsed: z.number().nullable().meta({ description: 'total over budget, 0..' }),
  })
  .meta({ id: 'ProjectCosts' });
export type ProjectCosts = z.infer<typeof projectCostsSchema>;
