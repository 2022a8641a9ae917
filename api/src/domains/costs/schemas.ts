// The costs routes' shapes: fuel entries, other costs, and the figures derived from them with
// the work orders' (cost per km and per engine hour, consumption, total cost of ownership).
// Money travels as decimal strings in the organisation's currency ("54.90"), never as JSON
// numbers. zod and shared pure modules only: the console's type check loads this file.
import { COST_CATEGORIES, type CostCategory } from '@fleet/shared/cost-categories';
import { MONEY_PATTERN } from '@fleet/shared/money';
import { z } from 'zod';

export { COST_CATEGORIES, type CostCategory };

const money = z
  .string({ error: 'an amount as a decimal string such as "54.90" (money is never a floating-point number)' })
  .regex(MONEY_PATTERN, 'an amount of 0 or more such as "54.90": digits, at most one point, no sign')
  .meta({ example: '54.90' });
const currency = z
  .string()
  .regex(/^[A-Z]{3}$/, 'currency is an ISO 4217 code such as EUR')
  .optional()
  .meta({ description: "must be the organisation's currency" });
const instantText = z.iso.datetime({ offset: true, error: 'an ISO 8601 time' });
const day = z.iso.date({ error: 'a date as YYYY-MM-DD' });

export const newFuelEntrySchema = z
  .strictObject({
    assetId: z.uuid(),
    filledAt: instantText,
    litres: z
      .number({ error: 'litres is a number' })
      .positive('litres is more than 0')
      .max(5000, 'litres is at most 5,000')
      .refine((l) => Math.abs(l * 1000 - Math.round(l * 1000)) < 1e-6, 'litres has at most three decimals'),
    total: money.meta({ description: 'what the fill-up cost' }),
    currency,
    odometerKm: z.number().min(0, 'odometerKm is 0 or more').max(99_999_999).nullable().optional(),
    partial: z.boolean().default(false).meta({
      description:
        'not filled to full: kept for costs, left out of consumption (its litres go with the next full one)',
    }),
    station: z.string().trim().min(1).max(200).optional(),
    note: z.string().trim().max(1000).optional(),
  })
  .meta({ id: 'NewFuelEntry' });

export const confirmRefuelSchema = z
  .strictObject({
    litres: newFuelEntrySchema.shape.litres
      .optional()
      .meta({ description: 'default: the litres the rule measured' }),
    total: money,
    currency,
    odometerKm: z.number().min(0).max(99_999_999).nullable().optional(),
    partial: z.boolean().default(false),
    station: z.string().trim().min(1).max(200).optional(),
  })
  .meta({ id: 'ConfirmRefuel' });

export const fuelEntrySchema = z
  .object({
    id: z.uuid(),
    assetId: z.uuid(),
    assetName: z.string(),
    plate: z.string().nullable(),
    filledAt: z.string(),
    litres: z.number(),
    total: z.string(),
    pricePerLitre: z.string().meta({ description: 'total / litres, to the thousandth' }),
    currency: z.string(),
    odometerKm: z.number().nullable(),
    partial: z.boolean(),
    station: z.string().nullable(),
    source: z.enum(['manual', 'csv', 'refuel_alert']),
    alertId: z.uuid().nullable(),
    note: z.string().nullable(),
    createdAt: z.string(),
  })
  .meta({ id: 'FuelEntry' });

export const rangeQuerySchema = z
  .strictObject({
    assetId: z.uuid().optional(),
    from: day
      .optional()
      .meta({ description: 'first day, in the organisation time zone; default: a year ago' }),
    to: day.optional().meta({ description: 'last day (included); default: today' }),
  })
  .meta({ id: 'CostRangeQuery' });

export const fuelEntryListSchema = z
  .object({ items: z.array(fuelEntrySchema) })
  .meta({ id: 'FuelEntryList' });

export const refuelSuggestionSchema = z
  .object({
    alertId: z.uuid(),
    assetId: z.uuid(),
    assetName: z.string(),
    plate: z.string().nullable(),
    at: z.string(),
    litres: z
      .number()
      .nullable()
      .meta({ description: 'measured by the refuel rule, when the tank size is known' }),
    addedPct: z.number().nullable(),
  })
  .meta({ id: 'RefuelSuggestion' });

export const refuelSuggestionListSchema = z
  .object({ items: z.array(refuelSuggestionSchema) })
  .meta({ id: 'RefuelSuggestionList' });

export const newCostEntrySchema = z
  .strictObject({
    assetId: z.uuid().optional(),
    departmentId: z.uuid().optional(),
    projectId: z.uuid().optional().meta({ description: 'the project it was spent for (its costs count it)' }),
    category: z.enum(COST_CATEGORIES, { error: `category is one of ${COST_CATEGORIES.join(', ')}` }),
    incurredOn: day,
    amount: money,
    currency,
    description: z.string().trim().max(500).optional(),
  })
  .superRefine((b, ctx) => {
    if (b.assetId === undefined && b.departmentId === undefined && b.projectId === undefined)
      ctx.addIssue({
        code: 'custom',
        path: ['assetId'],
        message: 'a cost belongs to an asset, a department or a project',
      });
  })
  .meta({ id: 'NewCostEntry' });

export const costEntrySchema = z
  .object({
    id: z.uuid(),
    assetId: z.uuid().nullable(),
    assetName: z.string().nullable(),
    departmentId: z.uuid().nullable(),
    projectId: z.uuid().nullable(),
    category: z.enum(COST_CATEGORIES),
    incurredOn: z.string(),
    amount: z.string(),
    currency: z.string(),
    description: z.string().nullable(),
    createdAt: z.string(),
  })
  .meta({ id: 'CostEntry' });

export const costEntryListSchema = z
  .object({ items: z.array(costEntrySchema) })
  .meta({ id: 'CostEntryList' });

const breakdown = z.object({
  fuel: z.string(),
  maintenance: z.string(),
  other: z.string(),
  total: z.string(),
});

export const costFiguresSchema = z.object({
  costs: breakdown,
  byCategory: z.record(z.string(), z.string()).meta({ description: 'other costs by category' }),
  distanceKm: z
    .number()
    .nullable()
    .meta({ description: 'odometer at the end of the range less at its start' }),
  engineHours: z.number().nullable(),
  costPerKm: z.string().nullable().meta({ description: 'total / distance, to four decimals' }),
  costPerEngineHour: z.string().nullable(),
  fuelLitres: z.number(),
  consumptionLPer100Km: z
    .number()
    .nullable()
    .meta({ description: 'from full fill-up to full fill-up (partial ones counted in the next full one)' }),
});

export const assetCostsSchema = z
  .object({
    assetId: z.uuid(),
    currency: z.string(),
    from: z.string(),
    to: z.string(),
    range: costFiguresSchema.meta({ description: 'the total cost of ownership over the range' }),
    lifeToDate: costFiguresSchema,
    months: z.array(costFiguresSchema.extend({ month: z.string().meta({ description: 'YYYY-MM' }) })),
  })
  .meta({ id: 'AssetCosts' });

export const costSummaryQuerySchema = z
  .strictObject({
    groupBy: z.enum(['asset', 'department']).default('asset'),
    from: day.optional(),
    to: day.optional(),
  })
  .meta({ id: 'CostSummaryQuery' });

export const costSummarySchema = z
  .object({
    currency: z.string(),
    from: z.string(),
    to: z.string(),
    groupBy: z.enum(['asset', 'department']),
    rows: z.array(
      costFiguresSchema.extend({
        id: z.string().nullable().meta({ description: 'the asset or department; null: no department' }),
        kind: z
          .enum(['vehicle', 'equipment'])
          .nullable()
          .meta({ description: "an asset's kind; null for a department" }),
        name: z.string(),
        plate: z.string().nullable(),
      }),
    ),
    total: breakdown,
  })
  .meta({ id: 'CostSummary' });
