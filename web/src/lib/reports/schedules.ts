// A report's schedules by email, without markup: the form (name, weekly or monthly, CSV or XLSX,
// the recipients as typed) to the API's body, with the report's grouping and filters as the page
// shows them; the form's own problems (what it needs to build a body; the API checks the rest
// and its words go to the field); and a schedule in words: what it sends, when, and how the last
// run went, in the organisation's zone.
import type { NewReportSchedule, ReportSchedule } from '@fleet/api/contract';
import { REPORT_LIMITS, type ReportFile, type ReportName } from '../api/reports.ts';
import { formatInstant } from './format.ts';
import type { ReportView } from './view.ts';

export type Cadence = ReportSchedule['cadence'];
export const CADENCES: readonly Cadence[] = ['weekly', 'monthly'];
export const CADENCE_LABELS: Record<Cadence, string> = {
  weekly: 'Weekly, on Mondays at 06:00, for the week before',
  monthly: 'Monthly, on the 1st at 06:00, for the month before',
};
export const FORMAT_LABELS: Record<ReportFile, string> = { csv: 'CSV', xlsx: 'XLSX (spreadsheet)' };

export interface ScheduleForm {
  name: string;
  cadence: Cadence;
  format: ReportFile;
  /** Addresses as typed: separated by commas, semicolons, spaces or lines. */
  recipients: string;
}

export type ScheduleField = 'name' | 'cadence' | 'format' | 'recipients';
export const SCHEDULE_FIELDS: readonly ScheduleField[] = ['name', 'cadence', 'format', 'recipients'];

export function emptyScheduleForm(title: string): ScheduleForm {
  return { name: `${title} report`, cadence: 'weekly', format: 'xlsx', recipients: '' };
}

/** The addresses of what was typed, each once (the same address in other letters too). */
export function parseRecipients(text: string): string[] {
  const all = text
    .split(/[\s,;]+/)
    .map((a) => a.trim())
    .filter((a) => a !== '');
  return all.filter((a, i) => all.findIndex((b) => b.toLowerCase() === a.toLowerCase()) === i);
}

/** What the form itself can tell before sending; the API judges the addresses' form. */
export function scheduleProblems(form: ScheduleForm): Partial<Record<ScheduleField, string>> {
  const problems: Partial<Record<ScheduleField, string>> = {};
  const name = form.name.trim();
  if (name === '' || name.length > REPORT_LIMITS.scheduleName)
    problems.name = `a name is 1..${REPORT_LIMITS.scheduleName} characters`;
  const recipients = parseRecipients(form.recipients);
  if (recipients.length === 0) problems.recipients = 'at least one email address';
  else if (recipients.length > REPORT_LIMITS.recipients)
    problems.recipients = `at most ${REPORT_LIMITS.recipients} addresses`;
  else {
    const odd = recipients.find((a) => !/^[^@\s]+@[^@\s]+$/.test(a));
    if (odd !== undefined) problems.recipients = `${odd} is not an email address`;
  }
  return problems;
}

export type ScheduleParams = ReportSchedule['params'];

/** The grouping and filters the report shows now, as a schedule keeps them. */
export function scheduleParams(view: ReportView): ScheduleParams {
  return {
    ...(view.by === undefined ? {} : { by: view.by }),
    ...(view.kind === undefined ? {} : { kind: view.kind }),
    ...(view.departmentId === undefined ? {} : { departmentId: view.departmentId }),
  };
}

/** The body of a new schedule: the form, with the grouping and filters the report shows now. */
export function scheduleBody(form: ScheduleForm, report: ReportName, view: ReportView): NewReportSchedule {
  return {
    name: form.name.trim(),
    report,
    params: scheduleParams(view),
    cadence: form.cadence,
    format: form.format,
    recipients: parseRecipients(form.recipients),
    enabled: true,
  };
}

/** The schedules of one report, by name. */
export function schedulesOf(list: readonly ReportSchedule[], report: ReportName): ReportSchedule[] {
  return list.filter((s) => s.report === report).sort((a, b) => a.name.localeCompare(b.name, 'en-GB'));
}

const KIND_WORDS = { vehicle: 'vehicles', equipment: 'equipment' } as const;

/** "Per asset · vehicles · North depot": what a schedule's report holds. */
export function scheduleScope(
  s: Pick<ReportSchedule, 'params'>,
  groupLabels: Readonly<Record<string, string>>,
  departmentName: (id: string) => string,
): string {
  const { by, kind, departmentId } = s.params;
  const parts = [
    by === undefined ? undefined : (groupLabels[by] ?? by),
    kind === undefined ? 'every asset' : KIND_WORDS[kind],
    departmentId === undefined ? 'every department' : departmentName(departmentId) || 'a department',
  ];
  return parts.filter((p) => p !== undefined).join(' · ');
}

/** How the last run went: "Sent 3 Dec 2026, 06:00:02", "Failed …: why", "Not sent yet". */
export function lastRunText(s: Pick<ReportSchedule, 'lastRunAt' | 'lastError'>, timeZone: string): string {
  if (s.lastRunAt === null) return 'Not sent yet';
  const at = formatInstant(s.lastRunAt, timeZone);
  return s.lastError === null ? `Sent ${at}` : `Failed ${at}: ${s.lastError}`;
}

/** "Next 8 Dec 2026, 06:00:00", or "Off" for a schedule switched off. */
export function nextRunText(s: Pick<ReportSchedule, 'enabled' | 'nextRunAt'>, timeZone: string): string {
  return s.enabled ? `Next ${formatInstant(s.nextRunAt, timeZone)}` : 'Off';
}
