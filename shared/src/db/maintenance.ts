// The maintenance tables (migration 0014) as both their readers see them: the API (the board,
// an asset's upcoming services, work orders) inside a tenant's transaction, and the device
// side's monitor of due services as the table owner, one organisation at a time. One loader of
// what a due status needs (assets, plans, baselines, meters), one way to number a work order.
import {
  type DailyUse,
  dailyUse,
  type MeterValues,
  type ServiceBaseline,
  type ServiceInterval,
  type ServiceStatus,
  serviceStatus,
  type WorkOrderSource,
} from '../maintenance.ts';
import { inTurn, jsonColumn as json, type SqlExecutor } from './database.ts';

export interface PlanAppliesTo {
  assetIds: string[];
  assetKinds: ('vehicle' | 'equipment')[];
  categories: string[];
}

export interface ServicePlan {
  id: string;
  orgId: string;
  name: string;
  description: string | null;
  items: string[];
  interval: ServiceInterval;
  appliesTo: PlanAppliesTo;
  autoWorkOrder: 'due_soon' | 'due' | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface ServicePlanRow {
  id: string;
  org_id: string;
  name: string;
  description: string | null;
  items: string[] | string;
  interval_km: number | string | null;
  interval_hours: number | string | null;
  interval_months: number | null;
  soon_km: number | string | null;
  soon_hours: number | string | null;
  soon_days: number | null;
  applies_to: Partial<PlanAppliesTo> | string;
  auto_work_order: 'due_soon' | 'due' | null;
  created_at: Date | string;
  updated_at: Date | string;
}

export const SERVICE_PLAN_COLUMNS = `id::text as id, org_id::text as org_id, name, description, items,
  interval_km, interval_hours, interval_months, soon_km, soon_hours, soon_days, applies_to, auto_work_order,
  created_at, updated_at`;

const num = (v: number | string | null) => (v === null ? null : Number(v));

/** PGlite hands text[] back as a string ("{a,b}") in some paths; PostgreSQL as an array. */
function textArray(v: string[] | string): string[] {
  if (Array.isArray(v)) return v;
  if (v === '{}' || v === '') return [];
  return JSON.parse(`[${v.slice(1, -1)}]`) as string[];
}

export function toServicePlan(row: ServicePlanRow): ServicePlan {
  const applies = json(row.applies_to);
  return {
    id: row.id,
    orgId: row.org_id,
    name: row.name,
    description: row.description,
    items: textArray(row.items),
    interval: {
      km: num(row.interval_km),
      hours: num(row.interval_hours),
      months: row.interval_months,
      soonKm: num(row.soon_km),
      soonHours: num(row.soon_hours),
      soonDays: row.soon_days,
    },
    appliesTo: {
      assetIds: applies.assetIds ?? [],
      assetKinds: applies.assetKinds ?? [],
      categories: applies.categories ?? [],
    },
    autoWorkOrder: row.auto_work_order,
    createdAt: new Date(row.created_at),
    updatedAt: new Date(row.updated_at),
  };
}

/** An asset as maintenance reads it. */
export interface MaintainedAsset {
  id: string;
  kind: 'vehicle' | 'equipment';
  name: string;
  plate: string | null;
  category: string | null;
  departmentId: string | null;
  status: string;
  createdAt: number;
  /** The device installed now, if any. */
  deviceId: string | null;
}

/** Whether a plan applies to an asset: named, of a kind it covers, or (equipment) of a category it covers. */
export function planCovers(plan: ServicePlan, asset: MaintainedAsset): boolean {
  const a = plan.appliesTo;
  if (a.assetIds.includes(asset.id)) return true;
  if (a.assetKinds.includes(asset.kind)) return true;
  if (asset.category !== null) {
    const category = asset.category.toLowerCase();
    if (a.categories.some((c) => c.toLowerCase() === category)) return true;
  }
  return false;
}

export interface PlanBaseline extends ServiceBaseline {
  /** The completed work order it comes from; null: no service recorded (counted from the start). */
  workOrderId: string | null;
}

export interface MeterNow extends MeterValues {
  odometerAt: number | null;
  engineHoursAt: number | null;
}

export interface MaintenanceSnapshot {
  assets: MaintainedAsset[];
  plans: ServicePlan[];
  /** `${assetId}\n${planId}` -> the newest completed work order of that plan on that asset. */
  baselines: Map<string, PlanBaseline>;
  /** `${assetId}\n${planId}` -> the unfinished work order, if one is open. */
  openWorkOrders: Map<string, string>;
  /** Its number (WO-42), by the same key (absent: not read). */
  openWorkOrderNumbers?: Map<string, number>;
  meters: Map<string, MeterNow>;
}

export const planKey = (assetId: string, planId: string) => `${assetId}\n${planId}`;

/**
 * Everything a due status needs, for one organisation (orgId) or, inside a tenant transaction,
 * for what its policies let the user see (orgId undefined).
 */
export async function loadMaintenanceSnapshot(
  ex: SqlExecutor,
  orgId: string | undefined,
  assetId?: string,
): Promise<MaintenanceSnapshot> {
  const orgFilter = orgId === undefined ? 'true' : 'org_id = $1::uuid';
  const base: string[] = orgId === undefined ? [] : [orgId];
  const assetParam = `$${base.length + 1}::uuid`;
  const assetFilter = (column: string) => (assetId === undefined ? 'true' : `${column} = ${assetParam}`);
  const args = assetId === undefined ? base : [...base, assetId];
  const [assets, plans, baselines, open, meters] = await inTurn([
    () =>
      ex.query<{
        id: string;
        kind: 'vehicle' | 'equipment';
        name: string;
        plate: string | null;
        category: string | null;
        department_id: string | null;
        status: string;
        created_at: Date | string;
        device_id: string | null;
      }>(
        `select a.id::text as id, a.kind, a.name, a.plate, a.category, a.department_id::text as department_id,
              a.status, a.created_at,
              (select i.device_id from installations i
                where i.org_id = a.org_id and i.asset_id = a.id and i.removed_at is null limit 1) as device_id
         from assets a
        where a.status <> 'retired' and ${orgId === undefined ? 'true' : 'a.org_id = $1::uuid'} and ${assetFilter('a.id')}`,
        args,
      ),
    () =>
      ex.query<ServicePlanRow>(
        `select ${SERVICE_PLAN_COLUMNS} from service_plans where archived_at is null and ${orgFilter}`,
        base,
      ),
    () =>
      ex.query<{
        id: string;
        asset_id: string;
        plan_id: string;
        completed_at: Date | string;
        odometer_km: number | string | null;
        engine_hours: number | string | null;
      }>(
        `select distinct on (asset_id, plan_id) id::text as id, asset_id::text as asset_id, plan_id::text as plan_id,
              completed_at, odometer_km, engine_hours
         from work_orders
        where state = 'completed' and plan_id is not null and ${orgFilter} and ${assetFilter('asset_id')}
        order by asset_id, plan_id, completed_at desc`,
        args,
      ),
    () =>
      ex.query<{ id: string; asset_id: string; plan_id: string; number: number }>(
        `select id::text as id, asset_id::text as asset_id, plan_id::text as plan_id, number from work_orders
        where state in ('open', 'in_progress', 'on_hold') and plan_id is not null and ${orgFilter}
          and ${assetFilter('asset_id')}`,
        args,
      ),
    () =>
      ex.query<{
        asset_id: string;
        odometer_km: number | string | null;
        odometer_at: Date | string | null;
        engine_hours: number | string | null;
        engine_hours_at: Date | string | null;
      }>(
        `select asset_id::text as asset_id, odometer_km, odometer_at, engine_hours, engine_hours_at
         from asset_meters where ${orgFilter} and ${assetFilter('asset_id')}`,
        args,
      ),
  ] as const);
  const ms = (v: Date | string | null) => (v === null ? null : new Date(v).getTime());
  return {
    assets: assets.map((a) => ({
      id: a.id,
      kind: a.kind,
      name: a.name,
      plate: a.plate,
      category: a.category,
      departmentId: a.department_id,
      status: a.status,
      createdAt: new Date(a.created_at).getTime(),
      deviceId: a.device_id,
    })),
    plans: plans.map(toServicePlan),
    baselines: new Map(
      baselines.map((b) => [
        planKey(b.asset_id, b.plan_id),
        {
          workOrderId: b.id,
          at: new Date(b.completed_at).getTime(),
          odometerKm: num(b.odometer_km),
          engineHours: num(b.engine_hours),
        },
      ]),
    ),
    openWorkOrders: new Map(open.map((o) => [planKey(o.asset_id, o.plan_id), o.id])),
    openWorkOrderNumbers: new Map(open.map((o) => [planKey(o.asset_id, o.plan_id), Number(o.number)])),
    meters: new Map(
      meters.map((m) => [
        m.asset_id,
        {
          odometerKm: num(m.odometer_km),
          odometerAt: ms(m.odometer_at),
          engineHours: num(m.engine_hours),
          engineHoursAt: ms(m.engine_hours_at),
        },
      ]),
    ),
  };
}

/** Where a plan's count starts on an asset with no completed work order: when both existed. */
export function startingBaseline(plan: ServicePlan, asset: MaintainedAsset): PlanBaseline {
  return {
    workOrderId: null,
    at: Math.max(plan.createdAt.getTime(), asset.createdAt),
    odometerKm: null,
    engineHours: null,
  };
}

/**
 * Use a day over the last 30 days for each asset: the oldest believed reading in the window to
 * the current meter. One index lookup per asset and meter (meter_readings_asset_idx), not a sort
 * of every sample in the window (bench/REPORT.md, "Maintenance and costs").
 */
export async function loadDailyUse(
  ex: SqlExecutor,
  orgId: string | undefined,
  meters: ReadonlyMap<string, MeterNow>,
  now: number,
): Promise<Map<string, DailyUse>> {
  const since = new Date(now - 30 * 86_400_000).toISOString();
  const rows = await ex.query<{
    asset_id: string;
    meter: string;
    value: number | string;
    read_at: Date | string;
  }>(
    `select m.asset_id::text as asset_id, k.meter, r.value, r.read_at
       from asset_meters m
       cross join (values ('odometer'), ('engine_hours')) as k(meter)
       cross join lateral (
         select x.value, x.read_at from meter_readings x
          where x.org_id = m.org_id and x.asset_id = m.asset_id and x.meter = k.meter
            and x.read_at >= $1::timestamptz and x.flag is null
          order by x.read_at limit 1
       ) r
      where ${orgId === undefined ? 'true' : 'm.org_id = $2::uuid'}`,
    orgId === undefined ? [since] : [since, orgId],
  );
  const oldest = new Map<string, { value: number; at: number }>();
  for (const r of rows)
    oldest.set(`${r.asset_id}\n${r.meter}`, { value: Number(r.value), at: new Date(r.read_at).getTime() });
  const use = new Map<string, DailyUse>();
  for (const [assetId, m] of meters) {
    const km =
      m.odometerKm === null || m.odometerAt === null
        ? null
        : dailyUse(oldest.get(`${assetId}\nodometer`), { value: m.odometerKm, at: m.odometerAt });
    const hours =
      m.engineHours === null || m.engineHoursAt === null
        ? null
        : dailyUse(oldest.get(`${assetId}\nengine_hours`), { value: m.engineHours, at: m.engineHoursAt });
    use.set(assetId, { kmPerDay: km, hoursPerDay: hours });
  }
  return use;
}

export interface NewWorkOrder {
  orgId: string;
  assetId: string;
  planId: string | null;
  source: WorkOrderSource;
  alertId: string | null;
  driverId: string | null;
  title: string;
  description: string | null;
  priority: 'low' | 'normal' | 'high' | 'urgent';
  assigneeId: string | null;
  dueOn: string | null;
  dtcCode: string | null;
  dtcDescription: string | null;
  currency: string;
  createdBy: string | null;
  /** The checklist, in order (a plan's items). */
  tasks: readonly string[];
}

/**
 * Inserts a work order with the organisation's next number (a counter row, locked by its
 * update, so two at once get two numbers). Undefined when the plan already has an unfinished
 * work order on the asset (the partial unique index), so the monitor never opens a second.
 */
export async function insertWorkOrder(tx: SqlExecutor, w: NewWorkOrder): Promise<string | undefined> {
  if (w.planId !== null) {
    const open = await tx.query(
      `select 1 from work_orders where org_id = $1::uuid and asset_id = $2::uuid and plan_id = $3::uuid
          and state in ('open', 'in_progress', 'on_hold')`,
      [w.orgId, w.assetId, w.planId],
    );
    if (open.length > 0) return undefined;
  }
  const counter = await tx.query<{ last_number: number }>(
    `insert into work_order_counters (org_id, last_number) values ($1::uuid, 1)
     on conflict (org_id) do update set last_number = work_order_counters.last_number + 1
     returning last_number`,
    [w.orgId],
  );
  const number = Number(counter[0]?.last_number);
  const rows = await tx.query<{ id: string }>(
    `insert into work_orders (org_id, number, asset_id, plan_id, source, alert_id, driver_id, title, description,
        priority, assignee_id, due_on, dtc_code, dtc_description, currency, created_by)
     values ($1::uuid, $2, $3::uuid, $4::uuid, $5, $6::uuid, $7::uuid, $8, $9, $10, $11::uuid, $12::date, $13, $14,
        $15, $16::uuid)
     returning id::text as id`,
    [
      w.orgId,
      number,
      w.assetId,
      w.planId,
      w.source,
      w.alertId,
      w.driverId,
      w.title,
      w.description,
      w.priority,
      w.assigneeId,
      w.dueOn,
      w.dtcCode,
      w.dtcDescription,
      w.currency,
      w.createdBy,
    ],
  );
  const id = rows[0]?.id;
  if (id !== undefined && w.tasks.length > 0)
    await tx.query(
      `insert into work_order_tasks (org_id, work_order_id, position, label)
       select $1::uuid, $2::uuid, p - 1, l from unnest($3::text[]) with ordinality as x(l, p)`,
      [w.orgId, id, [...w.tasks]],
    );
  return id;
}

export interface AssetPlanStatus {
  asset: MaintainedAsset;
  plan: ServicePlan;
  baseline: PlanBaseline;
  meters: MeterValues;
  status: ServiceStatus;
  /** The unfinished work order of this plan on this asset, if any. */
  openWorkOrderId: string | null;
  openWorkOrderNumber?: number | null;
}

const NO_USE: DailyUse = { kmPerDay: null, hoursPerDay: null };

/**
 * Each asset's status on each plan that applies to it. `meters` may override the stored ones
 * (the device side's tracker knows newer readings than it has written).
 */
export function dueStatuses(
  snapshot: MaintenanceSnapshot,
  now: number,
  options: {
    use?: ReadonlyMap<string, DailyUse>;
    meters?: (assetId: string) => Partial<MeterValues> | undefined;
  } = {},
): AssetPlanStatus[] {
  const out: AssetPlanStatus[] = [];
  for (const asset of snapshot.assets) {
    const stored = snapshot.meters.get(asset.id);
    const live = options.meters?.(asset.id);
    const meters: MeterValues = {
      odometerKm: live?.odometerKm ?? stored?.odometerKm ?? null,
      engineHours: live?.engineHours ?? stored?.engineHours ?? null,
    };
    for (const plan of snapshot.plans) {
      if (!planCovers(plan, asset)) continue;
      const key = planKey(asset.id, plan.id);
      const baseline = snapshot.baselines.get(key) ?? startingBaseline(plan, asset);
      out.push({
        asset,
        plan,
        baseline,
        meters,
        status: serviceStatus(plan.interval, baseline, meters, options.use?.get(asset.id) ?? NO_USE, now),
        openWorkOrderId: snapshot.openWorkOrders.get(key) ?? null,
        openWorkOrderNumber: snapshot.openWorkOrderNumbers?.get(key) ?? null,
      });
    }
  }
  return out;
}
