// The KPI dashboard's shape: the managers' home page in one answer (the fleet now, distance and
// engine time today and this month, utilisation, alerts needing attention, today's jobs, services
// due, cost per km month by month). zod and shared pure modules only: the console's type check
// loads this file.
import { JOB_STATES, type JobState } from '@fleet/shared/jobs';
import { z } from 'zod';

/** Months of cost per km the trend shows by default, this one included. */
export const DASHBOARD_DEFAULT_MONTHS = 6;
/** The longest trend: a year (each month is a cost report of its own). */
export const DASHBOARD_MAX_MONTHS = 12;

export const dashboardQuerySchema = z
  .strictObject({
    months: z.coerce
      .number({ error: 'months is a whole number' })
      .int({ error: 'months is a whole number' })
      .min(1, { error: 'months is at least 1' })
      .max(DASHBOARD_MAX_MONTHS, { error: `months is at most ${DASHBOARD_MAX_MONTHS}` })
      .default(DASHBOARD_DEFAULT_MONTHS)
      .meta({ description: 'how many months of cost per km, this one included' }),
  })
  .meta({ id: 'DashboardQuery' });

const count = z.number().int().min(0);
const jobStateCounts = z.object(
  Object.fromEntries(JOB_STATES.map((s) => [s, count])) as Record<JobState, typeof count>,
);

const figures = {
  trips: count,
  distanceKm: z.number(),
  engineS: z.number().meta({ description: 'engine on: driving and idling' }),
  utilisation: z
    .number()
    .nullable()
    .meta({ description: 'engine time over working time, 0..1 (null: no working time)' }),
};

export const dashboardSchema = z
  .object({
    at: z.string().meta({ description: 'when the figures were read' }),
    timeZone: z.string(),
    currency: z.string(),
    vehicles: z.object({
      total: count,
      online: count.meta({ description: 'heard from within DEVICE_OFFLINE_AFTER_S, or connected' }),
      activeNow: count.meta({
        description: 'their latest record, of the last 10 minutes, shows speed or the ignition on',
      }),
    }),
    equipment: z.object({ total: count, online: count }),
    today: z
      .object({
        day: z.string().meta({ description: "YYYY-MM-DD, the organisation's calendar" }),
        ...figures,
      })
      .meta({ description: 'the fleet summary of today' }),
    month: z
      .object({ from: z.string(), to: z.string(), ...figures })
      .meta({ description: 'the fleet summary from the 1st of this month to today' }),
    alerts: z.object({
      open: z
        .object({ critical: count, warning: count, info: count })
        .meta({ description: 'not resolved and not suppressed (open or acknowledged), as the badge counts' }),
      total: count,
    }),
    jobs: z.object({
      today: jobStateCounts.meta({ description: "the jobs overlapping today, by state (the board's day)" }),
      late: count.meta({
        description: "today's en-route jobs whose ETA is past the window's start and its grace",
      }),
      truncated: z
        .boolean()
        .meta({ description: 'more jobs today than one board holds: counts are of the first' }),
    }),
    services: z.object({ overdue: count, due: count, dueSoon: count }),
    costPerKm: z
      .array(
        z.object({
          month: z.string().meta({ description: 'YYYY-MM' }),
          costPerKm: z.number().nullable().meta({ description: 'null: no distance measured that month' }),
          total: z.string().meta({ description: "the month's costs, a decimal string in the currency" }),
          distanceKm: z.number().nullable(),
        }),
      )
      .meta({ description: 'oldest first, this month (to today) last' }),
  })
  .meta({ id: 'Dashboard' });
