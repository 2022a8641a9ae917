// Report schedules of one organisation in PostgreSQL (migration 0019). Every statement runs under
// row-level security (inTenant): another organisation's schedule, and for a department-scoped
// user one reporting more than their subtree, is not found whatever id is asked. A new schedule
// takes its creator's department scope; its first run is the next one of its cadence in the
// organisation's time zone, and changing the cadence or switching it on again starts over from
// now (no report owed for the time it was off).
import { type SqlExecutor, TenantRepository } from '@fleet/shared/db';
import { ApiError } from '../../http/errors.ts';
import { nextRunAfter } from './cadence.ts';
import {
  type Cadence,
  groupingProblem,
  type NewReportSchedule,
  type ReportScheduleChanges,
  type ReportScheduleOut,
  type ScheduledReport,
  type ScheduleParams,
} from './schemas.ts';

export interface ScheduleRow {
  id: string;
  org_id: string;
  name: string;
  report: ScheduledReport;
  params: ScheduleParams | string;
  cadence: Cadence;
  format: 'csv' | 'xlsx';
  recipients: string[];
  enabled: boolean;
  scope_department_id: string | null;
  created_by: string | null;
  created_by_name: string | null;
  next_run_at: Date | string;
  attempt_at: Date | string;
  attempts: number;
  last_run_at: Date | string | null;
  last_error: string | null;
  created_at: Date | string;
  updated_at: Date | string;
}

/** The columns of a schedule row, `s` being report_schedules. */
export const SCHEDULE_COLUMNS = `s.id::text as id, s.org_id::text as org_id, s.name, s.report, s.params, s.cadence,
  s.format, s.recipients, s.enabled, s.scope_department_id::text as scope_department_id,
  s.created_by::text as created_by, (select u.name from users u where u.id = s.created_by) as created_by_name,
  s.next_run_at, s.attempt_at, s.attempts, s.last_run_at, s.last_error, s.created_at, s.updated_at`;

const iso = (v: Date | string) => new Date(v).toISOString();

export function paramsOf(row: Pick<ScheduleRow, 'params'>): ScheduleParams {
  return typeof row.params === 'string' ? (JSON.parse(row.params) as ScheduleParams) : row.params;
}

export function toSchedule(row: ScheduleRow): ReportScheduleOut {
  return {
    id: row.id,
    name: row.name,
    report: row.report,
    params: paramsOf(row),
    cadence: row.cadence,
    format: row.format,
    recipients: row.recipients,
    enabled: row.enabled,
    nextRunAt: iso(row.next_run_at),
    lastRunAt: row.last_run_at === null ? null : iso(row.last_run_at),
    lastError: row.last_error,
    createdBy:
      row.created_by === null ? null : { id: row.created_by, name: row.created_by_name ?? '(removed user)' },
    scopeDepartmentId: row.scope_department_id,
    createdAt: iso(row.created_at),
    updatedAt: iso(row.updated_at),
  };
}

export const scheduleNotFound = () => new ApiError('not_found', 'No such report schedule.');

async function timeZoneOf(tx: SqlExecutor, orgId: string): Promise<string> {
  const rows = await tx.query<{ time_zone: string }>(
    'select time_zone from organisations where id = $1::uuid',
    [orgId],
  );
  return rows[0]?.time_zone ?? 'UTC';
}

async function one(tx: SqlExecutor, id: string): Promise<ScheduleRow | undefined> {
  const rows = await tx.query<ScheduleRow>(
    `select ${SCHEDULE_COLUMNS} from report_schedules s where s.id = $1::uuid`,
    [id],
  );
  return rows[0];
}

export class ReportSchedules extends TenantRepository {
  list(): Promise<ReportScheduleOut[]> {
    return this.tx(async (tx) =>
      (
        await tx.query<ScheduleRow>(
          `select ${SCHEDULE_COLUMNS} from report_schedules s order by lower(s.name), s.id limit 1000`,
        )
      ).map(toSchedule),
    );
  }

  /** The organisation's time zone, which the schedules' runs and periods follow. */
  timeZone(): Promise<string> {
    return this.tx((tx) => timeZoneOf(tx, this.orgId));
  }

  /** The row itself (the runner reads its scope and times), or undefined when not visible. */
  row(id: string): Promise<ScheduleRow | undefined> {
    return this.tx((tx) => one(tx, id));
  }

  async get(id: string): Promise<ReportScheduleOut> {
    const row = await this.row(id);
    if (!row) throw scheduleNotFound();
    return toSchedule(row);
  }

  create(
    input: NewReportSchedule,
    creator: { userId: string; scopeDepartmentId: string | undefined },
    now: number,
  ): Promise<ReportScheduleOut> {
    return this.tx(async (tx) => {
      const next = new Date(nextRunAfter(input.cadence, now, await timeZoneOf(tx, this.orgId)));
      const [created] = await tx.query<{ id: string }>(
        `insert into report_schedules (org_id, name, report, params, cadence, format, recipients, enabled,
           scope_department_id, created_by, next_run_at, attempt_at)
         values ($1, $2, $3, $4::jsonb, $5, $6, $7::text[], $8, $9, $10, $11, $11)
         returning id::text as id`,
        [
          this.orgId,
          input.name,
          input.report,
          JSON.stringify(input.params),
          input.cadence,
          input.format,
          input.recipients,
          input.enabled,
          creator.scopeDepartmentId ?? null,
          creator.userId,
          next,
        ],
      );
      const row = created && (await one(tx, created.id));
      if (!row) throw new Error('the new report schedule cannot be read back');
      return toSchedule(row);
    });
  }

  update(id: string, changes: ReportScheduleChanges, now: number): Promise<ReportScheduleOut> {
    return this.tx(async (tx) => {
      const rows = await tx.query<ScheduleRow>(
        `select ${SCHEDULE_COLUMNS} from report_schedules s where s.id = $1::uuid for update`,
        [id],
      );
      const current = rows[0];
      if (!current) throw scheduleNotFound();
      const report = changes.report ?? current.report;
      const params = changes.params ?? paramsOf(current);
      const problem = groupingProblem(report, params.by);
      if (problem)
        throw new ApiError('validation_failed', problem, {
          details: [{ path: 'body.params.by', message: problem }],
        });
      const cadence = changes.cadence ?? current.cadence;
      const enabled = changes.enabled ?? current.enabled;
      const restart = cadence !== current.cadence || (enabled && !current.enabled);
      const next = restart ? new Date(nextRunAfter(cadence, now, await timeZoneOf(tx, this.orgId))) : null;
      await tx.query(
        `update report_schedules set name = $2, report = $3, params = $4::jsonb, cadence = $5, format = $6,
           recipients = $7::text[], enabled = $8, updated_at = now(),
           next_run_at = coalesce($9, next_run_at), attempt_at = coalesce($9, attempt_at),
           attempts = case when $9::timestamptz is null then attempts else 0 end
         where id = $1::uuid`,
        [
          id,
          changes.name ?? current.name,
          report,
          JSON.stringify(params),
          cadence,
          changes.format ?? current.format,
          changes.recipients ?? current.recipients,
          enabled,
          next,
        ],
      );
      const row = await one(tx, id);
      if (!row) throw scheduleNotFound();
      return toSchedule(row);
    });
  }

  remove(id: string): Promise<ReportScheduleOut> {
    return this.tx(async (tx) => {
      const row = await one(tx, id);
      if (!row) throw scheduleNotFound();
      await tx.query('delete from report_schedules where id = $1::uuid', [id]);
      return toSchedule(row);
    });
  }

  /** A send by hand: when, and why it failed if it did; its times of the schedule stay. */
  async recordSent(id: string, at: number, error: string | null): Promise<ReportScheduleOut> {
    return this.tx(async (tx) => {
      await tx.query('update report_schedules set last_run_at = $2, last_error = $3 where id = $1::uuid', [
        id,
        new Date(at),
        error,
      ]);
      const row = await one(tx, id);
      if (!row) throw scheduleNotFound();
      return toSchedule(row);
    });
  }
}
