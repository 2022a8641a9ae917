// The demo company's maintenance and costs, seeded on `npm start` into an organisation that has
// no service plans yet: three plans (oil and filter every 15,000 km or 12 months, the annual
// inspection, a half-yearly safety check of the kits that opens its own work orders), the
// service-due rules, each van's last services as completed work orders with their parts and
// labour, two months of fill-ups and the vans' insurance. The history is laid out against the
// odometers the simulator's vans start from (firmware-sim/src/company.ts, vanStartMeters), so the
// maintenance board shows most vans ok, a few due soon and one overdue. Every write goes through
// the API's schemas and repositories, as a user's would.
import {
  CostEntries,
  FuelEntries,
  newCostEntrySchema,
  newFuelEntrySchema,
  newLineSchema,
  newRuleSchema,
  newServicePlanSchema,
  newWorkOrderSchema,
  Rules,
  ServicePlans,
  WorkOrders,
  workOrderTransitionSchema,
} from '@fleet/api';
import type { DemoCompany } from '@fleet/firmware-sim';
import type { SqlDatabase } from '@fleet/shared/db';

export interface MaintenanceCounts {
  plans: number;
  rules: number;
  workOrders: number;
  fuelEntries: number;
  costs: number;
}

const DAY = 86_400_000;
/** How far a demo van drives a day, for laying its history out (a city van's ~90 km). */
const KM_PER_DAY = 90;
/** Kilometres since the last oil change of the vans that are not on the board's short list. */
const usual = (i: number) => 2_000 + ((i * 3_739) % 10_000);
/** Van 3 is overdue (past 15,000 km by more than the 1,500 km window); vans 5, 10 and 14 are due soon. */
export function kmSinceOilChange(i: number): number {
  if (i === 2) return 17_200;
  if (i === 4 || i === 9 || i === 13) return 13_700 + i * 20;
  return usual(i);
}

const OIL_PARTS = [
  { kind: 'part', description: 'Engine oil 5W-30', partNumber: 'OIL-5W30', quantity: 7, unitCost: '12.90' },
  { kind: 'part', description: 'Oil filter', partNumber: 'OF-1121', quantity: 1, unitCost: '18.50' },
  { kind: 'labour', description: 'Oil change', quantity: 0.8, unitCost: '68.00' },
] as const;

export async function seedMaintenance(
  db: SqlDatabase,
  orgId: string,
  company: DemoCompany,
  vanIds: readonly (string | undefined)[],
  kitIds: readonly (string | undefined)[],
  now: number,
): Promise<MaintenanceCounts> {
  const counts: MaintenanceCounts = { plans: 0, rules: 0, workOrders: 0, fuelEntries: 0, costs: 0 };
  const plans = new ServicePlans(db, orgId);
  if ((await plans.list()).length > 0) return counts;
  const oil = await plans.create(
    newServicePlanSchema.parse({
      name: 'Oil and filter',
      items: [
        'Drain and refill engine oil',
        'Replace oil filter',
        'Check fluid levels',
        'Reset service indicator',
      ],
      intervalKm: 15_000,
      intervalMonths: 12,
      soonKm: 1_500,
      soonDays: 30,
      appliesTo: { assetKinds: ['vehicle'] },
    }),
  );
  const inspection = await plans.create(
    newServicePlanSchema.parse({
      name: 'Annual inspection',
      items: ['Brakes', 'Lights', 'Tyres and tread depth', 'Emissions'],
      intervalMonths: 12,
      soonDays: 30,
      appliesTo: { assetKinds: ['vehicle'] },
    }),
  );
  const safety = await plans.create(
    newServicePlanSchema.parse({
      name: 'Electrical safety check',
      items: ['Cables and plugs', 'Earth continuity', 'Insulation test', 'Label with the test date'],
      intervalMonths: 6,
      soonDays: 14,
      appliesTo: { assetKinds: ['equipment'] },
      autoWorkOrder: 'due_soon',
    }),
  );
  counts.plans += 3;
  const rules = new Rules(db, orgId);
  for (const [name, severity, level] of [
    ['Service due soon', 'info', 'due_soon'],
    ['Service due', 'warning', 'due'],
    ['Service overdue', 'critical', 'overdue'],
  ] as const) {
    await rules.create(
      newRuleSchema.parse({ name, kind: 'service_due', severity, params: { levels: [level] } }),
    );
    counts.rules++;
  }

  const orders = new WorkOrders(db, orgId);
  const done = async (
    assetId: string,
    planId: string,
    at: number,
    odometerKm: number | undefined,
    lines: readonly Record<string, unknown>[],
  ) => {
    const wo = await orders.create(newWorkOrderSchema.parse({ assetId, planId }), null);
    if (!wo) return;
    for (const line of lines) await orders.addLine(wo.id, newLineSchema.parse(line));
    await orders.transition(
      wo.id,
      workOrderTransitionSchema.parse({
        state: 'completed',
        completedAt: new Date(at).toISOString(),
        ...(odometerKm === undefined ? {} : { odometerKm }),
        resolution: 'Done as planned.',
      }),
      null,
    );
    counts.workOrders++;
  };
  const fuel = new FuelEntries(db, orgId);
  const costs = new CostEntries(db, orgId);
  for (const [i, v] of company.vehicles.entries()) {
    const id = vanIds[i];
    if (id === undefined) continue;
    const sinceOil = Math.min(kmSinceOilChange(i), v.odometerKm - 100);
    const oilAt = now - (sinceOil / KM_PER_DAY) * DAY;
    // The inspection before the oil change (its odometer then is the oil change's reading or older).
    const inspectionDaysAgo = i === 6 ? 350 : Math.max(sinceOil / KM_PER_DAY + 5, 40 + ((i * 37) % 250));
    await done(id, inspection.id, now - inspectionDaysAgo * DAY, undefined, [
      { kind: 'labour', description: 'Inspection', quantity: 1, unitCost: '89.00' },
    ]);
    await done(id, oil.id, oilAt, Math.round(v.odometerKm - sinceOil), OIL_PARTS);
    // A fill-up a week for eight weeks (the fourth a partial one), at the odometer of the day.
    if (v.tankCapacityL !== null)
      for (let week = 8; week >= 1; week--) {
        const at = now - (week * 7 - (i % 3)) * DAY;
        const daysAgo = (now - at) / DAY;
        const litres = Math.round((week === 4 ? 18 : v.tankCapacityL * 0.55 + (i % 7)) * 10) / 10;
        const price = 1.82 + ((i + week) % 9) / 100;
        await fuel.create(
          newFuelEntrySchema.parse({
            assetId: id,
            filledAt: new Date(at).toISOString(),
            litres,
            total: (litres * price).toFixed(2),
            odometerKm: Math.max(0, Math.round(v.odometerKm - daysAgo * KM_PER_DAY)),
            partial: week === 4,
            station: week % 2 === 0 ? 'Neste Pasila' : 'St1 Ruoholahti',
          }),
          null,
        );
        counts.fuelEntries++;
      }
    for (const monthsAgo of [2, 1]) {
      const d = new Date(now - monthsAgo * 30 * DAY);
      await costs.create(
        newCostEntrySchema.parse({
          assetId: id,
          category: 'insurance',
          incurredOn: d.toISOString().slice(0, 10),
          amount: (85 + (i % 4) * 5).toFixed(2),
          description: 'Monthly fleet insurance',
        }),
        null,
      );
      counts.costs++;
    }
  }
  for (const [i] of company.equipment.entries()) {
    const id = kitIds[i];
    if (id === undefined) continue;
    // Kit 4 is due for its check within the fortnight: the plan opens its work order itself.
    const daysAgo = i === 3 ? 175 : 20 + ((i * 23) % 140);
    await done(id, safety.id, now - daysAgo * DAY, undefined, [
      { kind: 'labour', description: 'PAT test', quantity: 0.5, unitCost: '60.00' },
    ]);
  }
  return counts;
}
