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
