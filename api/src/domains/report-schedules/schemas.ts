// The bodies and answers of the report schedules: a report of the reports domain (summary,
// utilisation, visits, alerts) with its grouping and filters, mailed weekly (Monday 06:00 in the
// organisation's time zone, for the previous Monday to Sunday) or monthly (the 1st at 06:00, for
// the previous calendar month) as a CSV or XLSX attachment to 1..20 addresses. zod only: the
// console's type check loads this file.
import { z } from 'zod';
import { UTILISATION_GROUPS, VISIT_GROUPS } from '../reports/schemas.ts';

export const SCHEDULED_REPORTS = ['summary', 'utilisation', 'visits', 'alerts'] as const;
export type ScheduledReport = (typeof SCHEDULED_REPORTS)[number];
export const CADENCES = ['weekly', 'monthly'] as const;
export type Cadence = (typeof CADENCES)[number];
export const SCHEDULE_FORMATS = ['csv', 'xlsx'] as const;
export const SCHEDULE_NAME_MAX_LENGTH = 100;
export const SCHEDULE_MAX_RECIPIENTS = 20;

/** The groupings each report takes (`params.by`); the alerts report has none. */
export const REPORT_GROUPS: Record<ScheduledReport, readonly string[]> = {
  summary: ['asset', 'day'],
  utilisation: UTILISATION_GROUPS,
  visits: VISIT_GROUPS,
  alerts: [],
};

const name = z
  .string({ error: 'a name is text' })
  .trim()
  .min(1, `a name is 1..${SCHEDULE_NAME_MAX_LENGTH} characters`)
  .max(SCHEDULE_NAME_MAX_LENGTH, `a name is 1..${SCHEDULE_NAME_MAX_LENGTH} characters`);

const report = z.enum(SCHEDULED_REPORTS, { error: `report is one of ${SCHEDULED_REPORTS.join(', ')}` });
const cadence = z.enum(CADENCES, { error: 'cadence is weekly or monthly' }).meta({
  description:
    "weekly: Monday 06:00 in the organisation's time zone, for the previous Monday to Sunday; monthly: the 1st at 06:00, for the previous calendar month",
});
const format = z.enum(SCHEDULE_FORMATS, { error: 'format is csv or xlsx' });

const recipient = z
  .string({ error: 'an address is text' })
  .trim()
  .max(254, 'an address is at most 254 characters')
  .pipe(z.email({ error: 'not an email address' }));

const recipients = z
  .array(recipient, { error: 'recipients is a list of addresses' })
  .min(1, `1..${SCHEDULE_MAX_RECIPIENTS} addresses`)
  .max(SCHEDULE_MAX_RECIPIENTS, `1..${SCHEDULE_MAX_RECIPIENTS} addresses`)
  // The same address twice is one recipient.
  .transform((list) =>
    list.filter((a, i) => list.findIndex((b) => b.toLowerCase() === a.toLowerCase()) === i),
  )
  .meta({ description: `1..${SCHEDULE_MAX_RECIPIENTS} email addresses; one message goes to all of them` });

export const scheduleParamsSchema = z
  .strictObject({
    by: z.string({ error: 'by is text' }).max(20).optional().meta({
      description:
        'the grouping of the report: summary asset|day, utilisation department|category|asset, visits place|asset',
    }),
    kind: z.enum(['vehicle', 'equipment'], { error: 'kind is vehicle or equipment' }).optional(),
    departmentId: z.uuid({ error: 'departmentId is a UUID' }).optional(),
  })
  .meta({ id: 'ReportScheduleParams' });
export type ScheduleParams = z.output<typeof scheduleParamsSchema>;

/** Why `by` does not suit the report, or undefined. */
export function groupingProblem(report: ScheduledReport, by: string | undefined): string | undefined {
  if (by === undefined) return undefined;
  const allowed = REPORT_GROUPS[report];
  if (allowed.length === 0) return `the ${report} report has no grouping`;
  return allowed.includes(by) ? undefined : `by is ${allowed.join(' or ')} for the ${report} report`;
}

export const newReportScheduleSchema = z
  .strictObject({
    name,
    report,
    params: scheduleParamsSchema.default({}),
    cadence,
    format: format.default('xlsx'),
    recipients,
    enabled: z.boolean({ error: 'enabled is true or false' }).default(true),
  })
  .superRefine((s, ctx) => {
    const problem = groupingProblem(s.report, s.params.by);
    if (problem) ctx.addIssue({ code: 'custom', path: ['params', 'by'], message: problem });
  })
  .meta({ id: 'NewReportSchedule' });
export type NewReportSchedule = z.output<typeof newReportScheduleSchema>;

/** The fields to change; the grouping is checked against the report the schedule ends up with. */
export const reportScheduleChangesSchema = z
  .strictObject({
    name: name.optional(),
    report: report.optional(),
    params: scheduleParamsSchema.optional().meta({ description: 'replaces the parameters as a whole' }),
    cadence: cadence.optional(),
    format: format.optional(),
    recipients: recipients.optional(),
    enabled: z.boolean({ error: 'enabled is true or false' }).optional(),
  })
  .refine((c) => Object.values(c).some((v) => v !== undefined), { message: 'nothing to change' })
  .meta({ id: 'ReportScheduleChanges' });
export type ReportScheduleChanges = z.output<typeof reportScheduleChangesSchema>;

export const reportScheduleSchema = z
  .object({
    id: z.uuid(),
    name: z.string(),
    report,
    params: z.object({
      by: z.string().optional(),
      kind: z.enum(['vehicle', 'equipment']).optional(),
      departmentId: z.uuid().optional(),
    }),
    cadence: z.enum(CADENCES),
    format: z.enum(SCHEDULE_FORMATS),
    recipients: z.array(z.string()),
    enabled: z.boolean(),
    nextRunAt: z.string().meta({ description: 'when it is next sent' }),
    lastRunAt: z.string().nullable().meta({ description: 'when it was last sent, or last failed for good' }),
    lastError: z.string().nullable().meta({ description: 'why the last run failed (null: it was sent)' }),
    createdBy: z.object({ id: z.uuid(), name: z.string() }).nullable().meta({ description: 'who set it up' }),
    scopeDepartmentId: z.uuid().nullable().meta({
      description:
        "the department (with its sub-departments) its reports hold: its creator's department scope when they created it; null: the whole organisation",
    }),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'ReportSchedule' });
export type ReportScheduleOut = z.output<typeof reportScheduleSchema>;

export const reportScheduleListSchema = z
  .object({ items: z.array(reportScheduleSchema) })
  .meta({ id: 'ReportScheduleList' });

export const reportScheduleRunSchema = z
  .object({
    delivered: z.boolean(),
    error: z.string().nullable().meta({ description: 'why it was not sent (null: the SMTP server took it)' }),
    from: z.string().meta({ description: 'the first day reported' }),
    to: z.string().meta({ description: 'the last day reported' }),
    filename: z.string(),
    schedule: reportScheduleSchema,
  })
  .meta({ id: 'ReportScheduleRun' });
