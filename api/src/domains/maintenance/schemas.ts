// The maintenance routes' shapes: service plans, meters and readings, each asset's status on
// its plans (the board), and the DTC catalogue. zod and shared pure modules only: the console's
// type check loads this file through api/src/contract.ts.
import { SERVICE_LEVELS } from '@fleet/shared/maintenance';
import { z } from 'zod';

const positive = (what: string, max: number) =>
  z
    .number({ error: `${what} is a number` })
    .positive(`${what} is more than 0`)
    .max(max, `${what} is at most ${max.toLocaleString('en')}`);
const nonNegative = (what: string, max: number) =>
  z
    .number({ error: `${what} is a number` })
    .min(0, `${what} is 0 or more`)
    .max(max, `${what} is at most ${max.toLocaleString('en')}`);

export const serviceLevel = z.enum(SERVICE_LEVELS).meta({
  id: 'ServiceLevel',
  description:
    'ok; due_soon within the due-soon window before the due value; due from it; overdue once past it by more than the window',
});

const appliesToSchema = z
  .strictObject({
    assetIds: z.array(z.uuid()).max(1000).default([]),
    assetKinds: z
      .array(z.enum(['vehicle', 'equipment']))
      .max(2)
      .default([]),
    categories: z.array(z.string().trim().min(1).max(60)).max(50).default([]),
  })
  .meta({
    id: 'ServicePlanAppliesTo',
    description: 'the assets the plan covers: named ones, every asset of a kind, or equipment of a category',
  });

const planFields = {
  name: z.string().trim().min(1, 'name is required').max(100),
  description: z.string().trim().max(2000).nullable(),
  items: z.array(z.string().trim().min(1).max(200)).max(100),
  intervalKm: positive('intervalKm', 1_000_000).nullable(),
  intervalHours: positive('intervalHours', 100_000).nullable(),
  intervalMonths: z.number().int('intervalMonths is whole months').min(1).max(240).nullable(),
  soonKm: nonNegative('soonKm', 1_000_000).nullable(),
  soonHours: nonNegative('soonHours', 100_000).nullable(),
  soonDays: z.number().int().min(0).max(365).nullable(),
  appliesTo: appliesToSchema,
  autoWorkOrder: z
    .enum(['due_soon', 'due'])
    .nullable()
    .meta({ description: 'open a work order by itself once due soon (or due); null: never' }),
};

type PlanShape = {
  intervalKm?: number | null | undefined;
  intervalHours?: number | null | undefined;
  intervalMonths?: number | null | undefined;
  soonKm?: number | null | undefined;
  soonHours?: number | null | undefined;
};

/** Checks across fields, naming the field at fault; for a change, over the plan as it would be. */
export function planProblems(p: PlanShape): { path: string; message: string }[] {
  const problems: { path: string; message: string }[] = [];
  if (
    (p.intervalKm ?? null) === null &&
    (p.intervalHours ?? null) === null &&
    (p.intervalMonths ?? null) === null
  )
    problems.push({
      path: 'intervalKm',
      message: 'a plan needs at least one interval: intervalKm, intervalHours or intervalMonths',
    });
  const within = (soon: 'soonKm' | 'soonHours', interval: 'intervalKm' | 'intervalHours') => {
    const s = p[soon] ?? null;
    if (s === null) return;
    const i = p[interval] ?? null;
    if (i === null) problems.push({ path: soon, message: `${soon} needs ${interval}` });
    else if (s >= i) problems.push({ path: soon, message: `${soon} is less than ${interval} (${i})` });
  };
  within('soonKm', 'intervalKm');
  within('soonHours', 'intervalHours');
  return problems;
}

export const newServicePlanSchema = z
  .strictObject({
    name: planFields.name,
    description: planFields.description.optional(),
    items: planFields.items.default([]),
    intervalKm: planFields.intervalKm.optional(),
    intervalHours: planFields.intervalHours.optional(),
    intervalMonths: planFields.intervalMonths.optional(),
    soonKm: planFields.soonKm.optional(),
    soonHours: planFields.soonHours.optional(),
    soonDays: planFields.soonDays.optional(),
    appliesTo: appliesToSchema.default({ assetIds: [], assetKinds: [], categories: [] }),
    autoWorkOrder: planFields.autoWorkOrder.optional(),
  })
  .superRefine((p, ctx) => {
    for (const problem of planProblems(p))
      ctx.addIssue({ code: 'custom', path: [problem.path], message: problem.message });
  })
  .meta({ id: 'NewServicePlan' });

export const servicePlanChangesSchema = z
  .strictObject({
    name: planFields.name.optional(),
    description: planFields.description.optional(),
    items: planFields.items.optional(),
    intervalKm: planFields.intervalKm.optional(),
    intervalHours: planFields.intervalHours.optional(),
    intervalMonths: planFields.intervalMonths.optional(),
    soonKm: planFields.soonKm.optional(),
    soonHours: planFields.soonHours.optional(),
    soonDays: planFields.soonDays.optional(),
    appliesTo: appliesToSchema.optional(),
    autoWorkOrder: planFields.autoWorkOrder.optional(),
  })
  .refine((b) => Object.keys(b).length > 0, 'nothing to change')
  .meta({ id: 'ServicePlanChanges' });

export const servicePlanSchema = z
  .object({
    id: z.uuid(),
    name: z.string(),
    description: z.string().nullable(),
    items: z.array(z.string()),
    intervalKm: z.number().nullable(),
    intervalHours: z.number().nullable(),
    intervalMonths: z.number().int().nullable(),
    soonKm: z.number().nullable(),
    soonHours: z.number().nullable(),
    soonDays: z.number().int().nullable(),
    appliesTo: z.object({
      assetIds: z.array(z.uuid()),
      assetKinds: z.array(z.enum(['vehicle', 'equipment'])),
      categories: z.array(z.string()),
    }),
    autoWorkOrder: z.enum(['due_soon', 'due']).nullable(),
    assets: z.number().int().meta({ description: 'how many active assets it applies to now' }),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'ServicePlan' });

export const servicePlanListSchema = z
  .object({ items: z.array(servicePlanSchema) })
  .meta({ id: 'ServicePlanList' });

const meterSource = z.enum(['telemetry', 'manual', 'work_order']);

const meterNow = z
  .object({ value: z.number(), at: z.string(), source: meterSource })
  .nullable()
  .meta({ description: 'the reading believed now; null: none yet' });

export const meterReadingSchema = z
  .object({
    id: z.string(),
    meter: z.enum(['odometer', 'engine_hours']),
    value: z.number(),
    readAt: z.string(),
    source: meterSource,
    deviceId: z.string().nullable(),
    flag: z.enum(['backwards', 'jump']).nullable().meta({
      description: 'refused: below the reading before it, or faster than the asset can go; never used',
    }),
    previousValue: z.number().nullable(),
    note: z.string().nullable(),
    enteredBy: z.uuid().nullable(),
  })
  .meta({ id: 'MeterReading' });

export const assetMetersSchema = z
  .object({
    assetId: z.uuid(),
    odometerKm: meterNow,
    engineHours: meterNow,
    readings: z.array(meterReadingSchema).meta({ description: 'the newest readings, refused ones included' }),
  })
  .meta({ id: 'AssetMeters' });

export const newMeterReadingSchema = z
  .strictObject({
    meter: z.enum(['odometer', 'engine_hours'], { error: 'meter is odometer or engine_hours' }),
    value: nonNegative('value', 99_999_999),
    readAt: z.iso
      .datetime({ offset: true, error: 'readAt is an ISO 8601 time' })
      .optional()
      .meta({ description: 'when it was read; default now' }),
    note: z.string().trim().max(500).optional(),
  })
  .meta({ id: 'NewMeterReading' });

export const flaggedReadingPageSchema = z
  .object({
    items: z.array(
      meterReadingSchema.extend({
        assetId: z.uuid(),
        assetName: z.string(),
        assetKind: z.enum(['vehicle', 'equipment']),
        plate: z.string().nullable(),
      }),
    ),
  })
  .meta({ id: 'FlaggedReadingList' });

export const serviceStatusSchema = z
  .object({
    assetId: z.uuid(),
    assetName: z.string(),
    assetKind: z.enum(['vehicle', 'equipment']),
    plate: z.string().nullable(),
    category: z.string().nullable(),
    departmentId: z.uuid().nullable(),
    planId: z.uuid(),
    planName: z.string(),
    level: serviceLevel,
    decidedBy: z.enum(['km', 'hours', 'time']).nullable(),
    odometerKm: z.number().nullable(),
    engineHours: z.number().nullable(),
    dueOdometerKm: z.number().nullable(),
    dueEngineHours: z.number().nullable(),
    dueAt: z.string().nullable(),
    remainingKm: z.number().nullable(),
    remainingHours: z.number().nullable(),
    remainingDays: z.number().nullable(),
    kmPerDay: z.number().nullable().meta({ description: 'average over the last 30 days' }),
    hoursPerDay: z.number().nullable(),
    forecastAt: z.string().nullable().meta({
      description: 'when it falls due at the recent use (the earliest unit); null once due or unknown',
    }),
    lastServiceAt: z
      .string()
      .nullable()
      .meta({ description: 'the completed work order the count starts from' }),
    lastServiceWorkOrderId: z.uuid().nullable(),
    openWorkOrderId: z.uuid().nullable(),
    openWorkOrderReference: z.string().nullable().meta({ description: 'WO-42' }),
  })
  .meta({ id: 'ServiceStatus' });

export const boardQuerySchema = z
  .strictObject({
    level: z
      .string()
      .max(60)
      .optional()
      .transform((v, ctx) => {
        if (v === undefined || v === '') return undefined;
        const levels = v.split(',');
        for (const l of levels)
          if (!(SERVICE_LEVELS as readonly string[]).includes(l)) {
            ctx.addIssue({
              code: 'custom',
              message: `level is a comma list of ${SERVICE_LEVELS.join(', ')}`,
            });
            return z.NEVER;
          }
        return levels as (typeof SERVICE_LEVELS)[number][];
      })
      .meta({ description: 'comma list of levels, e.g. due,overdue' }),
    kind: z.enum(['vehicle', 'equipment']).optional(),
    planId: z.uuid().optional(),
    departmentId: z.uuid().optional(),
    q: z.string().trim().max(100).optional().meta({ description: 'part of the name or plate' }),
  })
  .meta({ id: 'MaintenanceBoardQuery' });

export const boardSchema = z
  .object({
    at: z.string(),
    counts: z.object({
      ok: z.number().int(),
      due_soon: z.number().int(),
      due: z.number().int(),
      overdue: z.number().int(),
    }),
    items: z.array(serviceStatusSchema).meta({ description: 'most urgent first' }),
  })
  .meta({ id: 'MaintenanceBoard' });

export const assetMaintenanceSchema = z
  .object({
    assetId: z.uuid(),
    upcoming: z.array(serviceStatusSchema).meta({ description: 'each plan that applies, most urgent first' }),
  })
  .meta({ id: 'AssetMaintenance' });

export const dtcParam = z.strictObject({ code: z.string().max(40) });

export const dtcSchema = z
  .object({
    code: z.string(),
    valid: z.boolean(),
    system: z.enum(['powertrain', 'chassis', 'body', 'network']).nullable(),
    standard: z.enum(['generic', 'manufacturer', 'reserved']).nullable(),
    description: z.string().nullable(),
    label: z
      .string()
      .meta({ description: 'as alerts and work orders show it: "P0301 Cylinder 1 Misfire Detected"' }),
    source: z.string().meta({ description: "the catalogue's source" }),
  })
  .meta({ id: 'DiagnosticTroubleCode' });
