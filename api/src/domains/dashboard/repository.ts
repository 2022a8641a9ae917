// What the dashboard reads, each from the domain that owns it and all at once: the fleet summary
// of this month (reports: today's figures are its last day), the live state of the devices, the
// alerts' badge counts, today's job board, the maintenance board and the costs month by month.
// Every database read runs under the caller's row-level security and department scope, so a
// scoped user's dashboard is their subtree's (jobs are organisation-wide, as on the board).
import { inTenant } from '@fleet/shared/db';
import { localDay } from '@fleet/shared/time-zone';
import type { z } from 'zod';
import type { ApiContext } from '../../routes/context.ts';
import { Alerts } from '../alerts/repository.ts';
import { CostReports } from '../costs/repository.ts';
import { Jobs } from '../jobs/repository.ts';
import { jobQuerySchema } from '../jobs/schemas.ts';
import { countLevels, MaintenanceBoard } from '../maintenance/repository.ts';
import { readSummaryInput } from '../reports/repository.ts';
import { summarise } from '../reports/summary.ts';
import { countJobs, dayOf, fleetNow, monthsUpTo, perKm } from './figures.ts';
import type { dashboardSchema } from './schemas.ts';

/** The most jobs of one day counted (the board's own page). */
const DAY_JOBS = 1000;

export async function readDashboard(
  ctx: ApiContext,
  orgId: string,
  months: number,
  now: number,
): Promise<z.input<typeof dashboardSchema>> {
  const org = await inTenant(ctx.db, orgId, (tx) =>
    tx.query<{ time_zone: string; currency: string }>(
      'select time_zone, currency from organisations where id = $1::uuid',
      [orgId],
    ),
  );
  const timeZone = org[0]?.time_zone ?? 'UTC';
  const today = localDay(now, timeZone);
  const monthStart = `${today.slice(0, 7)}-01`;
  const [input, states, alerts, jobs, board, costs] = await Promise.all([
    readSummaryInput(ctx.db, ctx.questdb, orgId, { from: monthStart, to: today }),
    ctx.liveState.list(orgId),
    new Alerts(ctx.db, orgId).summary(),
    new Jobs(ctx.db, orgId).list(jobQuerySchema.parse({ day: today, limit: DAY_JOBS })),
    new MaintenanceBoard(ctx.db, orgId).statuses(now),
    new CostReports(ctx.db, orgId).fleetMonths(monthsUpTo(today, months), today),
  ]);
  // Undefined only for an unknown department filter, which the dashboard never passes.
  if (!input) throw new Error('the fleet summary found no input');
  const month = summarise({ ...input, by: 'day', from: monthStart, to: today }).totals;
  const day = summarise({ ...dayOf(input, today), by: 'day', from: today, to: today }).totals;
  const fleet = fleetNow({
    assets: input.assets,
    windows: input.windows,
    states,
    now,
    offlineAfterMs: ctx.config.DEVICE_OFFLINE_AFTER_S * 1000,
  });
  const levels = countLevels(board.statuses);
  const pick = (f: typeof month) => ({
    trips: f.trips,
    distanceKm: f.distanceKm,
    engineS: f.engineS,
    utilisation: f.utilisation,
  });
  return {
    at: new Date(now).toISOString(),
    timeZone,
    currency: costs.currency,
    vehicles: fleet.vehicle,
    equipment: { total: fleet.equipment.total, online: fleet.equipment.online },
    today: { day: today, ...pick(day) },
    month: { from: monthStart, to: today, ...pick(month) },
    alerts: { open: alerts.bySeverity, total: alerts.total },
    jobs: { ...countJobs(jobs.items), truncated: jobs.truncated },
    services: { overdue: levels.overdue, due: levels.due, dueSoon: levels.due_soon },
    costPerKm: costs.months.map((m) => ({
      month: m.month,
      costPerKm: perKm(m.costPerKm),
      total: m.costs.total,
      distanceKm: m.distanceKm,
    })),
  };
}
