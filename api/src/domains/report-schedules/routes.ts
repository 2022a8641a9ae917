// Report schedules: a report (summary, utilisation, visits, alerts) mailed weekly or monthly as
// CSV or XLSX (scheduler.ts sends them), listed, created, changed, removed, and sent now by
// hand. Admins and fleet managers only (the recipients are people's addresses); a
// department-scoped manager's schedules report their subtree, and they see no others.
import { type AnyRoute, defineRoute } from '../../http/route.ts';
import { MANAGE_REPORT_SCHEDULES } from '../../permissions.ts';
import type { ApiContext } from '../../routes/context.ts';
import { ERROR_RESPONSES, notFoundResponse, uuidParam } from '../../routes/schemas.ts';
import { periodOf } from './cadence.ts';
import { ReportSchedules, scheduleNotFound } from './repository.ts';
import { sendScheduled } from './runner.ts';
import {
  newReportScheduleSchema,
  reportScheduleChangesSchema,
  reportScheduleListSchema,
  reportScheduleRunSchema,
  reportScheduleSchema,
} from './schemas.ts';

const errors = { ...ERROR_RESPONSES, 404: notFoundResponse('report schedule') } as const;

export function reportScheduleRoutes(ctx: ApiContext, now: () => number = Date.now): AnyRoute[] {
  const schedules = (orgId: string) => new ReportSchedules(ctx.db, orgId);
  return [
    defineRoute({
      id: 'listReportSchedules',
      method: 'get',
      path: '/api/v1/report-schedules',
      tag: 'reports',
      summary: "The organisation's report schedules, by name",
      access: MANAGE_REPORT_SCHEDULES,
      responses: {
        200: { description: 'The schedules', schema: reportScheduleListSchema },
        ...ERROR_RESPONSES,
      },
      handler: async ({ principal }) => ({
        status: 200,
        body: { items: await schedules(principal.orgId).list() },
      }),
    }),
    defineRoute({
      id: 'createReportSchedule',
      method: 'post',
      path: '/api/v1/report-schedules',
      tag: 'reports',
      summary: 'Mail a report weekly or monthly',
      description:
        "Weekly: Monday 06:00 in the organisation's time zone, for the previous Monday to Sunday; monthly: the 1st at 06:00, for the previous calendar month. `params` are the report's `by`, `kind` and `departmentId`. The report holds what its creator sees (their department scope). A failed send is tried again every minute, four times in all, then recorded in `lastError`.",
      access: MANAGE_REPORT_SCHEDULES,
      body: newReportScheduleSchema,
      responses: { 201: { description: 'Created', schema: reportScheduleSchema }, ...ERROR_RESPONSES },
      handler: async ({ principal, body }) => ({
        status: 201,
        body: await schedules(principal.orgId).create(
          body,
          { userId: principal.userId, scopeDepartmentId: principal.scopeDepartmentId },
          now(),
        ),
      }),
    }),
    defineRoute({
      id: 'getReportSchedule',
      method: 'get',
      path: '/api/v1/report-schedules/{id}',
      tag: 'reports',
      summary: 'A report schedule, with when it runs next and how its last run went',
      access: MANAGE_REPORT_SCHEDULES,
      params: uuidParam,
      responses: { 200: { description: 'The schedule', schema: reportScheduleSchema }, ...errors },
      handler: async ({ principal, params }) => ({
        status: 200,
        body: await schedules(principal.orgId).get(params.id),
      }),
    }),
    defineRoute({
      id: 'updateReportSchedule',
      method: 'patch',
      path: '/api/v1/report-schedules/{id}',
      tag: 'reports',
      summary: 'Change a report schedule, or switch it off',
      description:
        'A new cadence, or switching it on again, makes the next run the first of the cadence from now.',
      access: MANAGE_REPORT_SCHEDULES,
      params: uuidParam,
      body: reportScheduleChangesSchema,
      responses: { 200: { description: 'The changed schedule', schema: reportScheduleSchema }, ...errors },
      handler: async ({ principal, params, body }) => ({
        status: 200,
        body: await schedules(principal.orgId).update(params.id, body, now()),
      }),
    }),
    defineRoute({
      id: 'deleteReportSchedule',
      method: 'delete',
      path: '/api/v1/report-schedules/{id}',
      tag: 'reports',
      summary: 'Remove a report schedule',
      access: MANAGE_REPORT_SCHEDULES,
      params: uuidParam,
      responses: { 200: { description: 'The schedule removed', schema: reportScheduleSchema }, ...errors },
      handler: async ({ principal, params }) => ({
        status: 200,
        body: await schedules(principal.orgId).remove(params.id),
      }),
    }),
    defineRoute({
      id: 'sendReportSchedule',
      method: 'post',
      path: '/api/v1/report-schedules/{id}/send',
      tag: 'reports',
      summary: 'Send a scheduled report now, for its last complete week or month, and answer how it went',
      description:
        'Also for a schedule that is switched off. Its next run stays as it was; `lastRunAt` and `lastError` tell this send.',
      access: MANAGE_REPORT_SCHEDULES,
      params: uuidParam,
      responses: {
        200: { description: 'The attempt (delivered or not, and why)', schema: reportScheduleRunSchema },
        ...errors,
      },
      async handler({ principal, params }) {
        const repo = schedules(principal.orgId);
        const row = await repo.row(params.id);
        if (!row) throw scheduleNotFound();
        const at = now();
        const timeZone = await repo.timeZone();
        const outcome = await sendScheduled(
          {
            db: ctx.db,
            questdb: ctx.questdb,
            mailer: ctx.notifications.mailer,
            smtpFrom: ctx.notifications.smtpFrom,
            consoleUrl: ctx.notifications.consoleUrl,
          },
          row,
          periodOf(row.cadence, at, timeZone),
        );
        const schedule = await repo.recordSent(params.id, at, outcome.error);
        return { status: 200, body: { ...outcome, schedule } };
      },
    }),
  ];
}
