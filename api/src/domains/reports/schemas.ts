// The report routes' shapes: the fleet summary per asset or per day over a range of the
// organisation's calendar. zod only: the console's type check loads this file.
import { z } from 'zod';

/** The widest summary: a quarter. Longer ones page by range. */
export const SUMMARY_MAX_DAYS = 92;

const day = (what: string) => z.iso.date({ error: `${what} is a date as YYYY-MM-DD` });

export const summaryQuerySchema = z
  .strictObject({
    from: day('from').meta({ description: "the first day, in the organisation's calendar" }),
    to: day('to').meta({ description: 'the last day, included' }),
    by: z.enum(['asset', 'day'], { error: 'by is asset or day' }).default('asset'),
    kind: z.enum(['vehicle', 'equipment'], { error: 'kind is vehicle or equipment' }).optional(),
    departmentId: z.uuid().optional().meta({ description: 'with its sub-departments' }),
    format: z.enum(['json', 'csv', 'xlsx']).default('json'),
  })
  .superRefine((q, ctx) => {
    if (q.to < q.from) ctx.addIssue({ code: 'custom', path: ['to'], message: 'to is on or after from' });
    else if ((Date.parse(q.to) - Date.parse(q.from)) / 86_400_000 + 1 > SUMMARY_MAX_DAYS)
      ctx.addIssue({
        code: 'custom',
        path: ['to'],
        message: `a summary spans at most ${SUMMARY_MAX_DAYS} days`,
      });
  })
  .meta({ id: 'SummaryQuery' });

const figures = {
  trips: z.number().int(),
  distanceKm: z.number(),
  drivingS: z.number(),
  idleS: z.number().meta({ description: 'idling in trips and at stops' }),
  engineS: z.number().meta({ description: 'engine on: driving and idling' }),
  afterHoursS: z.number().meta({
    description:
      "trips' time outside the organisation's working hours (as they were when each trip was written)",
  }),
  fuelLitres: z.number().meta({ description: 'fill-ups entered in the range' }),
  utilisation: z
    .number()
    .nullable()
    .meta({ description: 'engine time over working time in the range, 0..1 (null: no working time)' }),
};

export const summarySchema = z
  .object({
    from: z.string(),
    to: z.string(),
    by: z.enum(['asset', 'day']),
    timeZone: z.string(),
    rows: z.array(
      z.object({
        ...figures,
        asset: z
          .object({
            id: z.uuid(),
            kind: z.enum(['vehicle', 'equipment']),
            name: z.string(),
            plate: z.string().nullable(),
            category: z.string().nullable(),
            departmentId: z.uuid().nullable(),
            departmentName: z.string().nullable(),
          })
          .optional(),
        day: z.string().optional(),
      }),
    ),
    totals: z.object(figures),
  })
  .meta({ id: 'FleetSummary' });

// Utilisation, geofence visits and alerts per asset: ranges of the organisation's calendar like
// the summary's, answered as JSON, CSV or XLSX (export.ts renders the tables).

/** The longest visits report: a month (stops are read one by one, not summed by QuestDB). */
export const VISITS_MAX_DAYS = 31;
/** Utilisation and alerts per asset: a quarter, as the summary. */
export const UTILISATION_MAX_DAYS = SUMMARY_MAX_DAYS;
export const ALERTS_REPORT_MAX_DAYS = SUMMARY_MAX_DAYS;
/** An asset in use for less than this share of the working time "sits idle". */
export const IDLE_BELOW = 0.1;

export const reportFormat = z
  .enum(['json', 'csv', 'xlsx'], { error: 'format is json, csv or xlsx' })
  .default('json')
  .meta({ description: 'json, or a file: csv or xlsx (a spreadsheet)' });
const assetKind = z.enum(['vehicle', 'equipment'], { error: 'kind is vehicle or equipment' });

/** `to` on or after `from`, and at most `max` days from one to the other, both included. */
function rangeOfDays(max: number, what: string) {
  return (q: { from: string; to: string }, ctx: z.RefinementCtx) => {
    if (q.to < q.from) ctx.addIssue({ code: 'custom', path: ['to'], message: 'to is on or after from' });
    else if ((Date.parse(q.to) - Date.parse(q.from)) / 86_400_000 + 1 > max)
      ctx.addIssue({ code: 'custom', path: ['to'], message: `${what} spans at most ${max} days` });
  };
}

const rangeFields = {
  from: day('from').meta({ description: "the first day, in the organisation's calendar" }),
  to: day('to').meta({ description: 'the last day, included' }),
  kind: assetKind.optional(),
  departmentId: z
    .uuid({ error: 'departmentId is a UUID' })
    .optional()
    .meta({ description: 'with its sub-departments' }),
  format: reportFormat,
};

export const reportAssetSchema = z
  .object({
    id: z.uuid(),
    kind: z.enum(['vehicle', 'equipment']),
    name: z.string(),
    plate: z.string().nullable(),
    category: z.string().nullable(),
    departmentId: z.uuid().nullable(),
    departmentName: z.string().nullable(),
  })
  .meta({ id: 'ReportAsset' });

export const UTILISATION_GROUPS = ['department', 'category', 'asset'] as const;

export const utilisationQuerySchema = z
  .strictObject({
    ...rangeFields,
    by: z.enum(UTILISATION_GROUPS, { error: 'by is department, category or asset' }).default('department'),
  })
  .superRefine(rangeOfDays(UTILISATION_MAX_DAYS, 'a utilisation report'))
  .meta({ id: 'UtilisationQuery' });

const utilisationFigures = {
  assets: z.number().int(),
  inUseS: z.number().meta({ description: 'engine on (driving, idling in trips and at stops), seconds' }),
  workingS: z.number().meta({
    description: "the organisation's working time in the range times the number of assets, seconds",
  }),
  utilisation: z
    .number()
    .nullable()
    .meta({ description: 'inUseS over workingS, 0..1 (null: no working time in the range)' }),
  idleAssets: z.number().int().meta({ description: 'assets in use below idleBelow of their working time' }),
};

export const utilisationReportSchema = z
  .object({
    from: z.string(),
    to: z.string(),
    by: z.enum(UTILISATION_GROUPS),
    timeZone: z.string(),
    idleBelow: z.number().meta({ description: 'the share of working time under which an asset sits idle' }),
    rows: z.array(
      z.object({
        key: z
          .string()
          .nullable()
          .meta({ description: 'department id, category or asset id; null: no department / no category' }),
        name: z.string(),
        ...utilisationFigures,
      }),
    ),
    totals: z.object(utilisationFigures),
    idle: z
      .array(z.object({ asset: reportAssetSchema, inUseS: z.number(), utilisation: z.number() }))
      .meta({ description: 'the assets that sat idle, lowest utilisation first' }),
  })
  .meta({ id: 'UtilisationReport' });

export const VISIT_GROUPS = ['place', 'asset'] as const;

export const visitsQuerySchema = z
  .strictObject({
    ...rangeFields,
    by: z.enum(VISIT_GROUPS, { error: 'by is place or asset' }).default('place'),
    placeId: z.uuid({ error: 'placeId is a UUID' }).optional(),
    assetId: z.uuid({ error: 'assetId is a UUID' }).optional(),
  })
  .superRefine(rangeOfDays(VISITS_MAX_DAYS, 'a visits report'))
  .meta({ id: 'VisitsQuery' });

export const visitsReportSchema = z
  .object({
    from: z.string(),
    to: z.string(),
    by: z.enum(VISIT_GROUPS),
    timeZone: z.string(),
    rows: z.array(
      z.object({
        place: z.object({ id: z.uuid(), name: z.string(), category: z.string() }),
        asset: reportAssetSchema.optional().meta({ description: 'by=asset: the asset of this row' }),
        visits: z
          .number()
          .int()
          .meta({ description: 'stops inside the place (the smallest place containing each)' }),
        assets: z.number().int().meta({ description: 'distinct assets that stopped there' }),
        totalS: z.number(),
        averageS: z.number(),
        longestS: z.number(),
        firstAt: z.string().nullable().meta({ description: 'when the first visit began' }),
        lastAt: z.string().nullable().meta({ description: 'when the last visit began' }),
      }),
    ),
    totals: z.object({ visits: z.number().int(), totalS: z.number() }),
  })
  .meta({ id: 'VisitsReport' });

export const alertsReportQuerySchema = z
  .strictObject(rangeFields)
  .superRefine(rangeOfDays(ALERTS_REPORT_MAX_DAYS, 'an alerts report'))
  .meta({ id: 'AlertsReportQuery' });

const bySeverity = z.object({
  critical: z.number().int(),
  warning: z.number().int(),
  info: z.number().int(),
});

export const alertsReportSchema = z
  .object({
    from: z.string(),
    to: z.string(),
    timeZone: z.string(),
    rows: z.array(
      z.object({
        asset: reportAssetSchema,
        total: z.number().int(),
        bySeverity,
        byKind: z.record(z.string(), z.number().int()).meta({ description: 'alerts by rule kind' }),
        open: z.number().int().meta({ description: 'not resolved yet (open or acknowledged)' }),
        meanTimeToResolveS: z
          .number()
          .nullable()
          .meta({ description: 'from start to resolution, over the resolved ones (null: none resolved)' }),
      }),
    ),
    totals: z.object({ total: z.number().int(), bySeverity, open: z.number().int() }),
  })
  .meta({ id: 'AlertsReport' });
