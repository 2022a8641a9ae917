// The report scheduler: every minute it claims the schedules that are due, sends each one's report
// (runner.ts) and records how it went.
//
// Failure model:
// - A claim moves attempt_at a lease ahead and counts the attempt, in one statement over rows
//   taken `for update skip locked`: schedulers in several API processes on one PostgreSQL never
//   take the same schedule, and one that dies mid-run leaves it to be taken again when the lease
//   lapses (the recipients may then get that period twice; never none).
// - A failed run (no SMTP, the mail server refusing, a report that cannot be built) is tried
//   again a minute later, MAX_ATTEMPTS times in all; then it is recorded (last_run_at,
//   last_error) and the schedule goes on to its next run.
// - A run reports the period of its scheduled time (next_run_at), however late it is sent; after
//   it the schedule moves to the first run after now (an API that was down for three weeks sends
//   the owed week once, not three times).
// - A schedule a person changed while it ran keeps the person's times (next_run_at is only
//   moved if it is still the one that was claimed).
import { type FaultReporter, guardAsync, guardedInterval, type Logger } from '@fleet/shared';
import type { SqlDatabase } from '@fleet/shared/db';
import { nextRunAfter, periodOf } from './cadence.ts';
import { SCHEDULE_COLUMNS, type ScheduleRow } from './repository.ts';
import { type RunnerDeps, type RunOutcome, sendScheduled } from './runner.ts';

export const TICK_MS = 60_000;
export const LEASE_MS = 10 * 60_000;
export const RETRY_AFTER_MS = 60_000;
/** Tries of one run before it is recorded as failed. */
export const MAX_ATTEMPTS = 4;
/** Schedules one tick takes at most (the rest wait for the next tick). */
const CLAIM_BATCH = 20;

export interface SchedulerDeps extends RunnerDeps {
  db: SqlDatabase;
  log: Logger;
  faults: FaultReporter;
  now?: () => number;
  /** 0: no timer (tests call runDue). */
  tickMs?: number;
}

type Claimed = ScheduleRow & { time_zone: string };

export class ReportScheduler {
  readonly #deps: SchedulerDeps;
  readonly #now: () => number;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<number> | undefined;
  #stopped = false;

  constructor(deps: SchedulerDeps) {
    this.#deps = deps;
    this.#now = deps.now ?? Date.now;
  }

  start(): void {
    const tickMs = this.#deps.tickMs ?? TICK_MS;
    if (tickMs > 0) {
      this.#timer = guardedInterval(this.#deps.faults, 'report-schedules.tick', tickMs, () => this.runDue());
      this.#timer.unref();
    }
    guardAsync(this.#deps.faults, 'timer', 'report-schedules.tick', () => this.runDue())();
  }

  /** Stops claiming; a run on its way finishes. */
  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearInterval(this.#timer);
    await this.#running?.catch(() => {});
  }

  /** Runs every schedule due now, one tick's worth; resolves with how many it ran. */
  runDue(): Promise<number> {
    if (this.#stopped) return Promise.resolve(0);
    // One pass at a time in this process: a slow SMTP server never stacks ticks.
    this.#running ??= this.#pass().finally(() => {
      this.#running = undefined;
    });
    return this.#running;
  }

  async #pass(): Promise<number> {
    const claimed = await this.#claim();
    for (const row of claimed) {
      if (this.#stopped) break;
      const period = periodOf(row.cadence, new Date(row.next_run_at).getTime(), row.time_zone);
      const outcome = await sendScheduled(this.#deps, row, period);
      await this.#record(row, outcome);
    }
    return claimed.length;
  }

  async #claim(): Promise<Claimed[]> {
    const now = this.#now();
    return this.#deps.db.query<Claimed>(
      `with due as (
         select id from report_schedules
         where enabled and attempt_at <= $1
         order by attempt_at
         limit ${CLAIM_BATCH}
         for update skip locked
       )
       update report_schedules s set attempt_at = $2, attempts = s.attempts + 1
       from due where s.id = due.id
       returning ${SCHEDULE_COLUMNS}, (select o.time_zone from organisations o where o.id = s.org_id) as time_zone`,
      [new Date(now), new Date(now + LEASE_MS)],
    );
  }

  async #record(row: Claimed, outcome: RunOutcome): Promise<void> {
    const now = this.#now();
    const log = this.#deps.log;
    const context = { scheduleId: row.id, orgId: row.org_id, from: outcome.from, to: outcome.to };
    if (!outcome.delivered && row.attempts < MAX_ATTEMPTS) {
      log.warn(
        { ...context, attempt: row.attempts, error: outcome.error },
        'report schedule failed; trying again',
      );
      await this.#deps.db.query(
        `update report_schedules set last_error = $2, attempt_at = $3
         where id = $1::uuid and next_run_at = $4`,
        [row.id, outcome.error, new Date(now + RETRY_AFTER_MS), row.next_run_at],
      );
      return;
    }
    if (outcome.delivered) log.info(context, 'report schedule sent');
    else log.error({ ...context, error: outcome.error }, 'report schedule failed for good');
    const next = new Date(
      nextRunAfter(row.cadence, Math.max(now, new Date(row.next_run_at).getTime()), row.time_zone),
    );
    await this.#deps.db.query(
      `update report_schedules set last_run_at = $2, last_error = $3, attempts = 0,
         next_run_at = case when next_run_at = $5 then $4 else next_run_at end,
         attempt_at = case when next_run_at = $5 then $4 else attempt_at end
       where id = $1::uuid`,
      [row.id, new Date(now), outcome.error, next, row.next_run_at],
    );
  }
}
