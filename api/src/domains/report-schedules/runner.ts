// One run of a report schedule: the report built for a period through the same builders and
// export layer the report routes use (reports/build.ts, reports/export.ts), with the schedule's
// view of the fleet (its department scope, as row-level security applies it), then mailed as an
// attachment to its recipients through the notifications' mail transport (SMTP_URL, SMTP_FROM).
// Nothing here retries or records: the scheduler and the "send now" route do.

import { withDepartmentScope } from '@fleet/shared/db';
import type { z } from 'zod';
import { ApiError } from '../../http/errors.ts';
import { escapeHtml } from '../notifications/messages.ts';
import type { Mailer } from '../notifications/sender.ts';
import {
  buildAlerts,
  buildSummary,
  buildUtilisation,
  buildVisits,
  type ReportDeps,
} from '../reports/build.ts';
import type { FileReply } from '../reports/export.ts';
import {
  alertsReportQuerySchema,
  summaryQuerySchema,
  utilisationQuerySchema,
  visitsQuerySchema,
} from '../reports/schemas.ts';
import { paramsOf, type ScheduleRow } from './repository.ts';
import type { ScheduledReport } from './schemas.ts';

export const REPORT_TITLES: Record<ScheduledReport, string> = {
  summary: 'Fleet summary',
  utilisation: 'Utilisation',
  visits: 'Geofence visits',
  alerts: 'Alerts per asset',
};
const ERROR_MAX_LENGTH = 500;

export interface RunnerDeps extends ReportDeps {
  /** null: SMTP_URL is empty, so nothing can be sent. */
  mailer: Mailer | null;
  smtpFrom: string;
  consoleUrl: string;
}

export interface RunOutcome {
  delivered: boolean;
  error: string | null;
  from: string;
  to: string;
  filename: string;
}

type Schedule = Pick<
  ScheduleRow,
  'org_id' | 'name' | 'report' | 'params' | 'format' | 'recipients' | 'scope_department_id'
>;

function queryOf<S extends z.ZodType>(schema: S, raw: Record<string, unknown>): z.output<S> {
  const parsed = schema.safeParse(raw);
  if (!parsed.success)
    throw new ApiError('validation_failed', parsed.error.issues.map((i) => i.message).join('; '));
  return parsed.data;
}

/** The schedule's report over the days, as its file, in its view of the fleet. */
export function buildScheduled(
  deps: ReportDeps,
  schedule: Schedule,
  period: { from: string; to: string },
): Promise<FileReply> {
  const p = paramsOf(schedule);
  // The route's own query schema, so a schedule's report is the one the console shows.
  const raw: Record<string, unknown> = { from: period.from, to: period.to, format: schedule.format };
  if (p.by !== undefined) raw.by = p.by;
  if (p.kind !== undefined) raw.kind = p.kind;
  if (p.departmentId !== undefined) raw.departmentId = p.departmentId;
  const org = schedule.org_id;
  const format = schedule.format;
  return withDepartmentScope(schedule.scope_department_id ?? undefined, async () => {
    switch (schedule.report) {
      case 'summary':
        return (await buildSummary(deps, org, queryOf(summaryQuerySchema, raw))).file(format);
      case 'utilisation':
        return (await buildUtilisation(deps, org, queryOf(utilisationQuerySchema, raw))).file(format);
      case 'visits':
        return (await buildVisits(deps, org, queryOf(visitsQuerySchema, raw))).file(format);
      case 'alerts':
        return (await buildAlerts(deps, org, queryOf(alertsReportQuerySchema, raw))).file(format);
    }
  });
}

const clip = (text: string) =>
  text.length > ERROR_MAX_LENGTH ? `${text.slice(0, ERROR_MAX_LENGTH - 1)}…` : text;

/** Builds and mails one run; never throws for the report's or the mail server's faults. */
export async function sendScheduled(
  deps: RunnerDeps,
  schedule: Schedule,
  period: { from: string; to: string },
): Promise<RunOutcome> {
  const out = { ...period, filename: '' };
  const mailer = deps.mailer;
  if (mailer === null)
    return {
      ...out,
      delivered: false,
      error: 'email is not configured: set SMTP_URL (and SMTP_FROM) for the API',
    };
  let file: FileReply;
  try {
    file = await buildScheduled(deps, schedule, period);
  } catch (err) {
    return {
      ...out,
      delivered: false,
      error: clip(`the report could not be built: ${(err as Error).message}`),
    };
  }
  const title = `${REPORT_TITLES[schedule.report]}, ${period.from} to ${period.to}`;
  const text = `${title}: the report "${schedule.name}" is attached (${file.filename}).\n\nSent as scheduled by the fleet platform. Schedules: ${deps.consoleUrl}/reports`;
  try {
    await mailer.send({
      from: deps.smtpFrom,
      to: schedule.recipients,
      subject: `${schedule.name}: ${title}`,
      text,
      html: `<p>${escapeHtml(title)}: the report “${escapeHtml(schedule.name)}” is attached (${escapeHtml(file.filename)}).</p><p>Sent as scheduled by the fleet platform.</p>`,
      headers: {},
      attachments: [
        {
          filename: file.filename,
          content: typeof file.raw === 'string' ? file.raw : Buffer.from(file.raw),
          contentType: file.contentType,
        },
      ],
    });
    return { ...out, filename: file.filename, delivered: true, error: null };
  } catch (err) {
    const e = err as { code?: string; message?: string };
    return {
      ...out,
      filename: file.filename,
      delivered: false,
      error: clip(`${e.code ? `${e.code}: ` : ''}${e.message ?? String(err)}`),
    };
  }
}
