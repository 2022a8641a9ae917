// Writes the bench's fleets (maintenance-scenario.ts) into a migrated domain database as the
// table owner, in bulk: jsonb_to_recordset for part 1's generated rows (chunks of a few thousand
// per statement), insert ... select from generate_series for part 2's year of history. The
// audit triggers run as for any write (entries as 'system'); the maintenance and rule-context
// NOTIFYs fire too, before anything listens. Ends with ANALYZE (PGlite runs no autovacuum, and
// PostgreSQL's would come later than the bench).
import type { SqlDatabase, SqlExecutor } from '@fleet/shared/db';
import {
  benchDepartments,
  benchId,
  COST_PLANS,
  FILL_EVERY_DAYS,
  HISTORY_DAYS,
  LINES_PER_WORK_ORDER,
  MONTHLY_COSTS,
  type MonitorFleet,
  WORK_ORDERS_PER_VEHICLE,
} from './maintenance-scenario.ts';

export type SeedProgress = (step: string, done: number, total: number) => void;

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

async function inChunks<T>(
  ex: SqlExecutor,
  rows: readonly T[],
  size: number,
  sql: string,
  shape: (row: T) => Record<string, unknown>,
  extra: readonly string[] = [],
  onChunk?: (done: number) => void,
): Promise<void> {
  for (let at = 0; at < rows.length; at += size) {
    const chunk = rows.slice(at, at + size).map(shape);
    await ex.query(sql, [JSON.stringify(chunk), ...extra]);
    onChunk?.(Math.min(rows.length, at + size));
  }
}

export interface SeedCounts {
  [table: string]: number;
}

async function counts(ex: SqlExecutor, tables: readonly string[]): Promise<SeedCounts> {
  const out: SeedCounts = {};
  for (const t of tables)
    out[t] = Number((await ex.query<{ n: string }>(`select count(*)::text as n from ${t}`))[0]?.n ?? 0);
  return out;
}

/** Part 1: the monitor's organisation (which must exist) with its assets, plans, history and rules. */
export async function seedMonitorFleet(
  db: SqlDatabase,
  fleet: MonitorFleet,
  progress: SeedProgress,
): Promise<SeedCounts> {
  const org = fleet.orgId;
  await db.transaction(async (tx) => {
    progress('departments and assets', 0, fleet.assets.length);
    for (const top of [true, false])
      await inChunks(
        tx,
        fleet.departments.filter((d) => (d.parentId === null) === top),
        1000,
        `insert into departments (id, org_id, parent_id, name)
         select x.id, $2::uuid, x.parent, x.name from jsonb_to_recordset($1::jsonb) as x(id uuid, parent uuid, name text)`,
        (d) => ({ id: d.id, parent: d.parentId, name: d.name }),
        [org],
      );
    await inChunks(
      tx,
      fleet.assets,
      5000,
      `insert into assets (id, org_id, kind, name, plate, category, department_id, status, created_at)
       select x.id, $2::uuid, x.kind, x.name, x.plate, x.category, x.dep, 'active', to_timestamp(x.t / 1000)
         from jsonb_to_recordset($1::jsonb) as x(id uuid, kind text, name text, plate text, category text, dep uuid, t float8)`,
      (a) => ({
        id: a.id,
        kind: a.kind,
        name: a.name,
        plate: a.plate,
        category: a.category,
        dep: a.departmentId,
        t: a.createdAt,
      }),
      [org],
      (done) => progress('departments and assets', done, fleet.assets.length),
    );
    progress('devices and installations', 0, fleet.installed.length);
    await inChunks(
      tx,
      fleet.installed,
      5000,
      `insert into devices (id, org_id, kind, name, token_hash)
       select x.d, $2::uuid, 'vehicle', x.d, 'bench-no-token' from jsonb_to_recordset($1::jsonb) as x(d text)`,
      ([d]) => ({ d }),
      [org],
    );
    await inChunks(
      tx,
      fleet.installed,
      5000,
      `insert into installations (org_id, device_id, asset_id, installed_at)
       select $2::uuid, x.d, x.a, now() - interval '60 days' from jsonb_to_recordset($1::jsonb) as x(d text, a uuid)`,
      ([d, a]) => ({ d, a }),
      [org],
      (done) => progress('devices and installations', done, fleet.installed.length),
    );
    progress('plans, rules and work orders', 0, fleet.workOrders.length);
    await inChunks(
      tx,
      fleet.plans,
      100,
      `insert into service_plans (id, org_id, name, items, interval_km, interval_hours, interval_months, soon_km,
          soon_hours, soon_days, applies_to, auto_work_order, created_at, updated_at)
       select x.id, $2::uuid, x.name, array(select jsonb_array_elements_text(x.items)), x.km, x.hours, x.months,
              x.soon_km, x.soon_hours, x.soon_days, x.applies, x.auto, to_timestamp(x.t / 1000), to_timestamp(x.t / 1000)
         from jsonb_to_recordset($1::jsonb) as x(id uuid, name text, items jsonb, km float8, hours float8, months int,
              soon_km float8, soon_hours float8, soon_days int, applies jsonb, auto text, t float8)`,
      (p) => ({
        id: p.id,
        name: p.name,
        items: p.items,
        km: p.interval.km,
        hours: p.interval.hours,
        months: p.interval.months,
        soon_km: p.interval.soonKm,
        soon_hours: p.interval.soonHours,
        soon_days: p.interval.soonDays,
        applies: p.appliesTo,
        auto: p.autoWorkOrder,
        t: p.createdAt.getTime(),
      }),
      [org],
    );
    await inChunks(
      tx,
      fleet.rules,
      100,
      `insert into rules (id, org_id, name, kind, severity, enabled, params, scope, schedule)
       select x.id, $2::uuid, x.name, x.kind, x.severity, true, x.params, x.scope, null
         from jsonb_to_recordset($1::jsonb) as x(id uuid, name text, kind text, severity text, params jsonb, scope jsonb)`,
      (r) => ({
        id: r.id,
        name: r.name,
        kind: r.kind,
        severity: r.severity,
        params: r.params,
        scope: r.scope,
      }),
      [org],
    );
    await inChunks(
      tx,
      fleet.workOrders,
      5000,
      `insert into work_orders (id, org_id, number, asset_id, plan_id, source, title, state, currency, odometer_km,
          engine_hours, started_at, completed_at, created_at, updated_at)
       select x.id, $2::uuid, x.n, x.a, x.p, 'manual', x.title, x.state, 'EUR', x.km, x.h,
              case when x.state = 'completed' then to_timestamp(x.t / 1000) - interval '2 hours' end,
              case when x.state = 'completed' then to_timestamp(x.t / 1000) end,
              to_timestamp(x.t / 1000) - interval '1 day', to_timestamp(x.t / 1000)
         from jsonb_to_recordset($1::jsonb) as x(id uuid, n int, a uuid, p uuid, title text, state text, km float8, h float8, t float8)`,
      (w) => ({
        id: w.id,
        n: w.number,
        a: w.assetId,
        p: w.planId,
        title: w.title,
        state: w.state,
        km: w.odometerKm,
        h: w.engineHours,
        t: w.at,
      }),
      [org],
      (done) => progress('plans, rules and work orders', done, fleet.workOrders.length),
    );
    await tx.query(
      `insert into work_order_counters (org_id, last_number) values ($1::uuid, $2)
       on conflict (org_id) do update set last_number = excluded.last_number`,
      [org, Math.max(1, fleet.workOrders.length)],
    );
    progress('meters and 30 days of daily samples', 0, fleet.assets.length);
    const meterRows = fleet.assets.map((a) => {
      const m = fleet.meters.get(a.id);
      return {
        a: a.id,
        km: m?.odometerKm ?? null,
        kt: iso(m?.odometerAt ?? null),
        h: m?.engineHours ?? null,
        ht: iso(m?.engineHoursAt ?? null),
        b: a.deviceId === null ? null : `${a.deviceId}+0`,
        dev: a.deviceId,
        kpd: a.kmPerDay,
        hpd: a.hoursPerDay,
      };
    });
    await inChunks(
      tx,
      meterRows,
      5000,
      `insert into asset_meters (asset_id, org_id, odometer_km, odometer_at, odometer_source, odometer_basis,
          engine_hours, engine_hours_at, engine_hours_source, engine_hours_basis)
       select x.a, $2::uuid, x.km, x.kt, case when x.km is not null then 'telemetry' end,
              case when x.km is not null then x.b end, x.h, x.ht, case when x.h is not null then 'telemetry' end,
              case when x.h is not null then x.b end
         from jsonb_to_recordset($1::jsonb) as x(a uuid, km float8, kt timestamptz, h float8, ht timestamptz, b text)`,
      (r) => r,
      [org],
    );
    // One sample a day per meter for the 30 days before the current reading, at the asset's rate.
    await inChunks(
      tx,
      meterRows,
      2000,
      `insert into meter_readings (org_id, asset_id, meter, value, read_at, source, device_id)
       select $2::uuid, x.a, m.meter,
              greatest(0, case m.meter when 'odometer' then x.km - d * x.kpd else x.h - d * x.hpd end),
              case m.meter when 'odometer' then x.kt else x.ht end - d * interval '1 day', 'telemetry', x.dev
         from jsonb_to_recordset($1::jsonb) as x(a uuid, km float8, kt timestamptz, kpd float8, h float8,
              ht timestamptz, hpd float8, dev text)
        cross join generate_series(1, 30) d
        cross join (values ('odometer'), ('engine_hours')) m(meter)
        where case m.meter when 'odometer' then x.km is not null else x.h is not null end`,
      (r) => r,
      [org],
      (done) => progress('meters and 30 days of daily samples', done, fleet.assets.length),
    );
  });
  await db.exec('analyze');
  return counts(db, [
    'assets',
    'devices',
    'installations',
    'service_plans',
    'work_orders',
    'asset_meters',
    'meter_readings',
    'rules',
  ]);
}

/** Part 2's departments: the same 2 divisions of 4 teams as part 1, ids of their own. */
export function costDepartments() {
  return benchDepartments().map((d) => ({
    ...d,
    id: d.id.replace(/^d1500000/, 'd2500000'),
    parentId: d.parentId === null ? null : d.parentId.replace(/^d1500000/, 'd2500000'),
  }));
}

export const costVehicleId = (i: number) => benchId('c05e7000', i);
export const costPlanId = (p: number) => benchId('92a40000', p);

/**
 * Part 2: `vehicles` vans over the 10 departments with a year of history, in the organisation
 * orgId (which must exist): 3 plans, 4 completed work orders of 3 lines each per van (and an
 * open one on every 20th), a fill-up every 5 days, monthly insurance and lease, a monthly cost
 * of each department's own, and a daily odometer and engine-hour sample.
 */
export async function seedCostFleet(
  db: SqlDatabase,
  orgId: string,
  vehicles: number,
  progress: SeedProgress,
): Promise<SeedCounts> {
  const departments = costDepartments();
  const steps = 7;
  // Each van: a start odometer and a use a day of its own, the same in every statement.
  const van = `select i, ('c05e7000-0000-4000-8000-' || lpad(i::text, 12, '0'))::uuid as id,
      20000 + (i * 7919) % 150000 as start_km, 40 + (i * 37) % 120 as km_per_day
    from generate_series(1, $2::int) i`;
  const dayStart = `date_trunc('day', now()) - interval '${HISTORY_DAYS} days'`;
  await db.transaction(async (tx) => {
    progress('departments, vehicles and plans', 0, steps);
    for (const top of [true, false])
      await tx.query(
        `insert into departments (id, org_id, parent_id, name)
         select x.id, $2::uuid, x.parent, x.name from jsonb_to_recordset($1::jsonb) as x(id uuid, parent uuid, name text)`,
        [
          JSON.stringify(
            departments
              .filter((d) => (d.parentId === null) === top)
              .map((d) => ({ id: d.id, parent: d.parentId, name: d.name })),
          ),
          orgId,
        ],
      );
    await tx.query(
      `insert into assets (id, org_id, kind, name, plate, make, model, year, fuel_type, tank_capacity_l, department_id,
          created_at)
       select v.id, $1::uuid, 'vehicle', 'Van ' || lpad(v.i::text, 4, '0'), 'MC-' || lpad(v.i::text, 5, '0'), 'Ford',
              'Transit', 2018 + v.i % 7, 'diesel', 80, ($3::uuid[])[1 + v.i % ${departments.length}],
              now() - interval '3 years'
         from (${van}) v`,
      [orgId, vehicles, departments.map((d) => d.id)],
    );
    for (const [p, plan] of COST_PLANS.entries())
      await tx.query(
        `insert into service_plans (id, org_id, name, items, interval_km, interval_months, applies_to, created_at, updated_at)
         values ($1::uuid, $2::uuid, $3, array['Inspect', 'Replace', 'Road test'], $4, $5,
                 '{"assetIds": [], "assetKinds": ["vehicle"], "categories": []}', now() - interval '2 years',
                 now() - interval '2 years')`,
        [costPlanId(p + 1), orgId, plan.name, plan.km, plan.months],
      );
    progress('daily meter samples', 1, steps);
    await tx.query(
      `insert into meter_readings (org_id, asset_id, meter, value, read_at, source)
       select $1::uuid, v.id, m.meter,
              case m.meter when 'odometer' then v.start_km + v.km_per_day * d
                else round(((v.start_km + v.km_per_day * d) / 35.0)::numeric, 2)::float8 end,
              ${dayStart} + d * interval '1 day' + interval '6 hours', 'telemetry'
         from (${van}) v cross join generate_series(0, ${HISTORY_DAYS - 1}) d
        cross join (values ('odometer'), ('engine_hours')) m(meter)`,
      [orgId, vehicles],
    );
    await tx.query(
      `insert into asset_meters (asset_id, org_id, odometer_km, odometer_at, odometer_source, engine_hours,
          engine_hours_at, engine_hours_source)
       select v.id, $1::uuid, v.start_km + v.km_per_day * ${HISTORY_DAYS}, now() - interval '1 hour', 'telemetry',
              round(((v.start_km + v.km_per_day * ${HISTORY_DAYS}) / 35.0)::numeric, 2)::float8,
              now() - interval '1 hour', 'telemetry'
         from (${van}) v`,
      [orgId, vehicles],
    );
    progress('work orders and their lines', 2, steps);
    // Completed about every 90 days, plans in turn (the oil service twice a year).
    await tx.query(
      `insert into work_orders (org_id, number, asset_id, plan_id, source, title, state, currency, odometer_km,
          engine_hours, started_at, completed_at, created_at, updated_at)
       select $1::uuid, (v.i - 1) * ${WORK_ORDERS_PER_VEHICLE} + k + 1, v.id, ($3::uuid[])[1 + k % 3], 'manual',
              ($4::text[])[1 + k % 3], 'completed', 'EUR', v.start_km + v.km_per_day * w.day,
              round(((v.start_km + v.km_per_day * w.day) / 35.0)::numeric, 2)::float8,
              ${dayStart} + w.day * interval '1 day' + interval '8 hours',
              ${dayStart} + w.day * interval '1 day' + interval '11 hours',
              ${dayStart} + w.day * interval '1 day', ${dayStart} + w.day * interval '1 day' + interval '11 hours'
         from (${van}) v cross join generate_series(0, ${WORK_ORDERS_PER_VEHICLE - 1}) k
        cross join lateral (select 45 + 90 * k + v.i % 30 as day) w`,
      [orgId, vehicles, COST_PLANS.map((_, p) => costPlanId(p + 1)), COST_PLANS.map((p) => p.name)],
    );
    await tx.query(
      `insert into work_orders (org_id, number, asset_id, plan_id, source, title, state, currency, created_at, updated_at)
       select $1::uuid, $2::int * ${WORK_ORDERS_PER_VEHICLE} + v.i, v.id, $3::uuid, 'manual', 'Brakes', 'open', 'EUR',
              now() - interval '2 days', now() - interval '2 days'
         from (${van}) v where v.i % 20 = 0`,
      [orgId, vehicles, costPlanId(2)],
    );
    await tx.query(
      `insert into work_order_counters (org_id, last_number)
       select $1::uuid, max(number) from work_orders where org_id = $1::uuid
       on conflict (org_id) do update set last_number = excluded.last_number`,
      [orgId],
    );
    await tx.query(
      `insert into work_order_lines (org_id, work_order_id, kind, description, part_number, quantity, unit_cost_minor)
       select w.org_id, w.id, (array['part', 'labour', 'other'])[l],
              (array['Filter kit', 'Workshop labour', 'Consumables'])[l],
              case l when 1 then 'FK-' || (w.number % 50) end,
              (array[1, 1.5, 1])[l], (array[4500, 8500, 1200])[l] + w.number % 7 * 100
         from work_orders w cross join generate_series(1, ${LINES_PER_WORK_ORDER}) l
        where w.org_id = $1::uuid and w.state = 'completed'`,
      [orgId],
    );
    progress('fuel entries', 3, steps);
    // 8.5 l/100 km, 1.75-1.94 EUR/l; every 12th a partial fill-up.
    await tx.query(
      `insert into fuel_entries (org_id, asset_id, filled_at, litres, total_minor, currency, odometer_km, partial,
          station, source)
       select $1::uuid, v.id, ${dayStart} + f.day * interval '1 day' + (7 + v.i % 10) * interval '1 hour',
              round((v.km_per_day * ${FILL_EVERY_DAYS} * 0.085)::numeric, 3),
              round(v.km_per_day * ${FILL_EVERY_DAYS} * 0.085 * (175 + n % 20)),
              'EUR', v.start_km + v.km_per_day * f.day, n % 12 = 11, 'Station ' || (v.i % 40), 'manual'
         from (${van}) v cross join generate_series(0, ${Math.floor(HISTORY_DAYS / FILL_EVERY_DAYS) - 1}) n
        cross join lateral (select n * ${FILL_EVERY_DAYS} + v.i % ${FILL_EVERY_DAYS} as day) f`,
      [orgId, vehicles],
    );
    progress('other costs', 4, steps);
    await tx.query(
      `insert into cost_entries (org_id, asset_id, category, incurred_on, amount_minor, currency, description)
       select $1::uuid, v.id, c.category, (date_trunc('month', now()) - m * interval '1 month')::date,
              case c.category when 'insurance' then 9000 + v.i % 5 * 500 else 45000 end, 'EUR', 'Monthly ' || c.category
         from (${van}) v cross join generate_series(0, 11) m
        cross join unnest($3::text[]) c(category)`,
      [orgId, vehicles, [...MONTHLY_COSTS]],
    );
    await tx.query(
      `insert into cost_entries (org_id, department_id, category, incurred_on, amount_minor, currency, description)
       select $1::uuid, d, 'parking', (date_trunc('month', now()) - m * interval '1 month')::date, 25000, 'EUR',
              'Depot parking'
         from unnest($2::uuid[]) d cross join generate_series(0, 11) m`,
      [orgId, departments.map((d) => d.id)],
    );
  });
  progress('analyze', 5, steps);
  await db.exec('analyze');
  progress('done', steps, steps);
  return counts(db, [
    'assets',
    'service_plans',
    'work_orders',
    'work_order_lines',
    'fuel_entries',
    'cost_entries',
    'meter_readings',
    'asset_meters',
    'audit_log',
  ]);
}
