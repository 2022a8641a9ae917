// Service plans, meters and due statuses of one organisation, under row-level security (a
// department-scoped user sees the meters and statuses of their subtree's assets only). The
// statuses are computed here from what the database holds (shared/src/db/maintenance.ts), with
// the same functions the device side's monitor raises its alerts with, so the board and the
// alerts never disagree about what is due.
import {
  type AssetPlanStatus,
  dueStatuses,
  inTurn,
  loadDailyUse,
  loadMaintenanceSnapshot,
  planCovers,
  SERVICE_PLAN_COLUMNS,
  type ServicePlan,
  type ServicePlanRow,
  type SqlExecutor,
  TenantRepository,
  toServicePlan,
} from '@fleet/shared/db';
import { checkMeterReading, levelRank, type Meter, type ServiceLevel } from '@fleet/shared/maintenance';
import { ApiError } from '../../http/errors.ts';
import { planProblems } from './schemas.ts';

export interface PlanInput {
  name?: string | undefined;
  description?: string | null | undefined;
  items?: string[] | undefined;
  intervalKm?: number | null | undefined;
  intervalHours?: number | null | undefined;
  intervalMonths?: number | null | undefined;
  soonKm?: number | null | undefined;
  soonHours?: number | null | undefined;
  soonDays?: number | null | undefined;
  appliesTo?:
    | { assetIds: string[]; assetKinds: ('vehicle' | 'equipment')[]; categories: string[] }
    | undefined;
  autoWorkOrder?: 'due_soon' | 'due' | null | undefined;
}

export interface PlanWithCount extends ServicePlan {
  assets: number;
}

const PLAN_COLUMNS: Record<string, string> = {
  name: 'name',
  description: 'description',
  items: 'items',
  intervalKm: 'interval_km',
  intervalHours: 'interval_hours',
  intervalMonths: 'interval_months',
  soonKm: 'soon_km',
  soonHours: 'soon_hours',
  soonDays: 'soon_days',
  appliesTo: 'applies_to',
  autoWorkOrder: 'auto_work_order',
};

function translate(err: unknown, name: string | undefined): unknown {
  const code = (err as { code?: string }).code;
  if (code === '23505') return new ApiError('conflict', `A service plan named "${name}" already exists.`);
  if (code === '23514')
    return new ApiError(
      'validation_failed',
      'The plan needs an interval, and each due-soon window less than it.',
      {
        details: [{ path: 'body', message: (err as Error).message }],
      },
    );
  return err;
}

export interface MeterRow {
  odometer_km: number | string | null;
  odometer_at: Date | string | null;
  odometer_source: 'telemetry' | 'manual' | 'work_order' | null;
  engine_hours: number | string | null;
  engine_hours_at: Date | string | null;
  engine_hours_source: 'telemetry' | 'manual' | 'work_order' | null;
}

export interface ReadingRow {
  id: string;
  asset_id: string;
  meter: Meter;
  value: number | string;
  read_at: Date | string;
  source: 'telemetry' | 'manual' | 'work_order';
  device_id: string | null;
  flag: 'backwards' | 'jump' | null;
  previous_value: number | string | null;
  note: string | null;
  entered_by: string | null;
}

const READING_COLUMNS = `r.id::text as id, r.asset_id::text as asset_id, r.meter, r.value, r.read_at, r.source, r.device_id,
  r.flag, r.previous_value, r.note, r.entered_by::text as entered_by`;

export function toReading(r: ReadingRow) {
  return {
    id: r.id,
    meter: r.meter,
    value: Number(r.value),
    readAt: new Date(r.read_at).toISOString(),
    source: r.source,
    deviceId: r.device_id,
    flag: r.flag,
    previousValue: r.previous_value === null ? null : Number(r.previous_value),
    note: r.note,
    enteredBy: r.entered_by,
  };
}

const METER_UNITS: Record<Meter, string> = { odometer: 'km', engine_hours: 'engine hours' };
const fmt = (n: number) => n.toLocaleString('en-GB', { maximumFractionDigits: 1 });

/** The believed value of one meter, from an asset_meters row. */
export function meterOf(row: MeterRow | undefined, meter: Meter) {
  if (!row) return undefined;
  const value = meter === 'odometer' ? row.odometer_km : row.engine_hours;
  const at = meter === 'odometer' ? row.odometer_at : row.engine_hours_at;
  const source = meter === 'odometer' ? row.odometer_source : row.engine_hours_source;
  if (value === null || at === null || source === null) return undefined;
  return { value: Number(value), at: new Date(at).getTime(), source };
}

/**
 * A reading a person enters (by hand, or at a work order's completion) checked against the
 * believed one: the same test telemetry gets, but refused with a clear message instead of
 * flagged, since there is someone to tell. `path` names the field at fault.
 */
export function checkEnteredReading(
  meter: Meter,
  current: { value: number; at: number } | undefined,
  next: { value: number; at: number },
  path: string,
): void {
  const verdict = checkMeterReading(meter, current, next);
  if (verdict === 'ok' || current === undefined) return;
  const unit = METER_UNITS[meter];
  const when = new Date(current.at).toISOString();
  const message =
    verdict === 'stale'
      ? next.value > current.value + 0.05
        ? `${fmt(next.value)} ${unit} at that time is more than the ${fmt(current.value)} ${unit} read later, at ${when}`
        : undefined
      : verdict === 'backwards'
        ? `${fmt(next.value)} ${unit} is below the last reading, ${fmt(current.value)} ${unit} at ${when}`
        : `${fmt(next.value - current.value)} ${unit} since ${when} is more than the asset can do in that time`;
  if (message !== undefined)
    throw new ApiError('validation_failed', message, { details: [{ path, message }] });
}

/** Writes a person's reading to the history and, when it is the newest, as the asset's meter. */
export async function recordEnteredReading(
  tx: SqlExecutor,
  r: {
    orgId: string;
    assetId: string;
    meter: Meter;
    value: number;
    at: number;
    source: 'manual' | 'work_order';
    note: string | null;
    enteredBy: string | null;
  },
): Promise<string> {
  const rows = await tx.query<{ id: string }>(
    `insert into meter_readings (org_id, asset_id, meter, value, read_at, source, note, entered_by)
     values ($1::uuid, $2::uuid, $3, $4, to_timestamp($5::float8 / 1000), $6, $7, $8::uuid) returning id::text as id`,
    [r.orgId, r.assetId, r.meter, r.value, r.at, r.source, r.note, r.enteredBy],
  );
  const col = r.meter === 'odometer' ? 'odometer' : 'engine_hours';
  const value = r.meter === 'odometer' ? 'odometer_km' : 'engine_hours';
  await tx.query(
    `insert into asset_meters (asset_id, org_id, ${value}, ${col}_at, ${col}_source)
     values ($1::uuid, $2::uuid, $3, to_timestamp($4::float8 / 1000), $5)
     on conflict (asset_id) do update set ${value} = excluded.${value}, ${col}_at = excluded.${col}_at,
       ${col}_source = excluded.${col}_source, ${col}_basis = null, updated_at = now()
     where asset_meters.${col}_at is null or asset_meters.${col}_at < excluded.${col}_at`,
    [r.assetId, r.orgId, r.value, r.at, r.source],
  );
  return rows[0]?.id as string;
}

/** The cross-field problems of a plan as a change would leave it (null clears, undefined keeps). */
export function planProblemsFor(before: ServicePlan, changes: PlanInput) {
  const pick = <T>(next: T | undefined, kept: T) => (next === undefined ? kept : next);
  return planProblems({
    intervalKm: pick(changes.intervalKm, before.interval.km),
    intervalHours: pick(changes.intervalHours, before.interval.hours),
    intervalMonths: pick(changes.intervalMonths, before.interval.months),
    soonKm: pick(changes.soonKm, before.interval.soonKm),
    soonHours: pick(changes.soonHours, before.interval.soonHours),
  });
}

export class ServicePlans extends TenantRepository {
  async list(): Promise<PlanWithCount[]> {
    return this.tx(async (tx) => {
      const [rows, snapshot] = await inTurn([
        () =>
          tx.query<ServicePlanRow>(
            `select ${SERVICE_PLAN_COLUMNS} from service_plans where archived_at is null order by lower(name), id`,
          ),
        () => loadMaintenanceSnapshot(tx, undefined),
      ] as const);
      return rows.map(toServicePlan).map((plan) => ({
        ...plan,
        assets: snapshot.assets.filter((a) => planCovers(plan, a)).length,
      }));
    });
  }

  async get(id: string, tx?: SqlExecutor): Promise<PlanWithCount | undefined> {
    const run = async (ex: SqlExecutor) => {
      const rows = await ex.query<ServicePlanRow>(
        `select ${SERVICE_PLAN_COLUMNS} from service_plans where id = $1::uuid and archived_at is null`,
        [id],
      );
      if (!rows[0]) return undefined;
      const plan = toServicePlan(rows[0]);
      const snapshot = await loadMaintenanceSnapshot(ex, undefined);
      return { ...plan, assets: snapshot.assets.filter((a) => planCovers(plan, a)).length };
    };
    return tx ? run(tx) : this.tx(run);
  }

  async create(input: PlanInput): Promise<PlanWithCount> {
    try {
      return await this.tx(async (tx) => {
        await this.#checkAssets(tx, input.appliesTo?.assetIds ?? []);
        const rows = await tx.query<{ id: string }>(
          `insert into service_plans (org_id, name, description, items, interval_km, interval_hours, interval_months,
              soon_km, soon_hours, soon_days, applies_to, auto_work_order)
           values ($1::uuid, $2, $3, $4::text[], $5, $6, $7, $8, $9, $10, $11::jsonb, $12) returning id::text as id`,
          [
            this.orgId,
            input.name ?? '',
            input.description ?? null,
            input.items ?? [],
            input.intervalKm ?? null,
            input.intervalHours ?? null,
            input.intervalMonths ?? null,
            input.soonKm ?? null,
            input.soonHours ?? null,
            input.soonDays ?? null,
            JSON.stringify(input.appliesTo ?? { assetIds: [], assetKinds: [], categories: [] }),
            input.autoWorkOrder ?? null,
          ],
        );
        return (await this.get(rows[0]?.id as string, tx)) as PlanWithCount;
      });
    } catch (err) {
      throw translate(err, input.name);
    }
  }

  async update(id: string, changes: PlanInput): Promise<PlanWithCount | undefined> {
    try {
      return await this.tx(async (tx) => {
        if (changes.appliesTo) await this.#checkAssets(tx, changes.appliesTo.assetIds);
        const sets: string[] = [];
        const params: (string | number | null | readonly string[])[] = [id];
        for (const [key, column] of Object.entries(PLAN_COLUMNS)) {
          const value = (changes as Record<string, unknown>)[key];
          if (value === undefined) continue;
          if (key === 'appliesTo') {
            params.push(JSON.stringify(value));
            sets.push(`${column} = $${params.length}::jsonb`);
          } else if (key === 'items') {
            params.push(value as string[]);
            sets.push(`${column} = $${params.length}::text[]`);
          } else {
            params.push(value as string | number | null);
            sets.push(`${column} = $${params.length}`);
          }
        }
        const rows = await tx.query<{ id: string }>(
          `update service_plans set ${sets.join(', ')}, updated_at = now()
            where id = $1::uuid and archived_at is null returning id::text as id`,
          params,
        );
        return rows[0] ? this.get(id, tx) : undefined;
      });
    } catch (err) {
      throw translate(err, changes.name);
    }
  }

  /** Archived plans stop counting; their work orders keep them. */
  async archive(id: string): Promise<boolean> {
    return this.tx(async (tx) => {
      const rows = await tx.query(
        'update service_plans set archived_at = now(), updated_at = now() where id = $1::uuid and archived_at is null returning id',
        [id],
      );
      return rows.length > 0;
    });
  }

  async #checkAssets(tx: SqlExecutor, ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    const found = await tx.query<{ id: string }>(
      'select id::text as id from assets where id = any($1::uuid[])',
      [[...ids]],
    );
    const known = new Set(found.map((r) => r.id));
    const missing = ids.findIndex((id) => !known.has(id));
    if (missing >= 0)
      throw new ApiError('validation_failed', 'No such asset in your organisation.', {
        details: [
          { path: `body.appliesTo.assetIds.${missing}`, message: 'no such asset in your organisation' },
        ],
      });
  }
}

export class Meters extends TenantRepository {
  async forAsset(assetId: string, limit = 50) {
    return this.tx(async (tx) => {
      const asset = await tx.query('select 1 from assets where id = $1::uuid', [assetId]);
      if (asset.length === 0) return undefined;
      const [meters, readings] = await inTurn([
        () => tx.query<MeterRow>('select * from asset_meters where asset_id = $1::uuid', [assetId]),
        () =>
          tx.query<ReadingRow>(
            `select ${READING_COLUMNS} from meter_readings r where r.asset_id = $1::uuid
            order by r.read_at desc, r.id desc limit ${limit}`,
            [assetId],
          ),
      ] as const);
      const now = (meter: Meter) => {
        const m = meterOf(meters[0], meter);
        return m ? { value: m.value, at: new Date(m.at).toISOString(), source: m.source } : null;
      };
      return {
        assetId,
        odometerKm: now('odometer'),
        engineHours: now('engine_hours'),
        readings: readings.map(toReading),
      };
    });
  }

  async add(
    assetId: string,
    input: { meter: Meter; value: number; readAt?: string | undefined; note?: string | undefined },
    userId: string,
  ) {
    return this.tx(async (tx) => {
      const asset = await tx.query('select 1 from assets where id = $1::uuid', [assetId]);
      if (asset.length === 0) return undefined;
      const meters = await tx.query<MeterRow>(
        'select * from asset_meters where asset_id = $1::uuid for update',
        [assetId],
      );
      const current = meterOf(meters[0], input.meter);
      if (current?.source === 'telemetry')
        throw new ApiError(
          'conflict',
          `This asset's ${input.meter === 'odometer' ? 'odometer' : 'engine hours'} come from its device; correct them with the asset's ${input.meter === 'odometer' ? 'odometerOffsetKm' : 'engineHoursOffset'} instead.`,
        );
      const at = input.readAt === undefined ? Date.now() : Date.parse(input.readAt);
      if (at > Date.now() + 300_000) {
        const message = 'readAt is in the future';
        throw new ApiError('validation_failed', message, { details: [{ path: 'body.readAt', message }] });
      }
      checkEnteredReading(input.meter, current, { value: input.value, at }, 'body.value');
      const id = await recordEnteredReading(tx, {
        orgId: this.orgId,
        assetId,
        meter: input.meter,
        value: input.value,
        at,
        source: 'manual',
        note: input.note ?? null,
        enteredBy: userId,
      });
      const rows = await tx.query<ReadingRow>(
        `select ${READING_COLUMNS} from meter_readings r where r.id = $1`,
        [id],
      );
      return toReading(rows[0] as ReadingRow);
    });
  }

  /** Readings refused lately, newest first: a device whose odometer went back, a meter that jumped. */
  async flagged(limit = 200) {
    return this.tx(async (tx) => {
      const rows = await tx.query<
        ReadingRow & { asset_name: string; asset_kind: 'vehicle' | 'equipment'; plate: string | null }
      >(
        `select ${READING_COLUMNS}, a.name as asset_name, a.kind as asset_kind, a.plate from meter_readings r join assets a on a.id = r.asset_id
          where r.flag is not null order by r.read_at desc, r.id desc limit ${limit}`,
      );
      return rows.map((r) => ({
        ...toReading(r),
        assetId: r.asset_id,
        assetName: r.asset_name,
        assetKind: r.asset_kind,
        plate: r.plate,
      }));
    });
  }
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export function statusBody(
  s: AssetPlanStatus,
  use: { kmPerDay: number | null; hoursPerDay: number | null } | undefined,
) {
  const st = s.status;
  const r1 = (n: number | null) => (n === null ? null : Math.round(n * 10) / 10);
  return {
    assetId: s.asset.id,
    assetName: s.asset.name,
    assetKind: s.asset.kind,
    plate: s.asset.plate,
    category: s.asset.category,
    departmentId: s.asset.departmentId,
    planId: s.plan.id,
    planName: s.plan.name,
    level: st.level,
    decidedBy: st.decidedBy,
    odometerKm: s.meters.odometerKm,
    engineHours: s.meters.engineHours,
    dueOdometerKm: st.dueOdometerKm,
    dueEngineHours: st.dueEngineHours,
    dueAt: iso(st.dueAt),
    remainingKm: r1(st.remainingKm),
    remainingHours: r1(st.remainingHours),
    remainingDays: r1(st.remainingDays),
    kmPerDay: r1(use?.kmPerDay ?? null),
    hoursPerDay: r1(use?.hoursPerDay ?? null),
    forecastAt: iso(st.forecastAt),
    lastServiceAt: s.baseline.workOrderId === null ? null : iso(s.baseline.at),
    lastServiceWorkOrderId: s.baseline.workOrderId,
    openWorkOrderId: s.openWorkOrderId,
    openWorkOrderReference: s.openWorkOrderNumber ? `WO-${s.openWorkOrderNumber}` : null,
  };
}

/** How far into its window a status is, for ordering within a level: the nearest first. */
function urgency(s: AssetPlanStatus): number {
  const st = s.status;
  const fractions: number[] = [];
  if (st.remainingKm !== null && s.plan.interval.km) fractions.push(st.remainingKm / s.plan.interval.km);
  if (st.remainingHours !== null && s.plan.interval.hours)
    fractions.push(st.remainingHours / s.plan.interval.hours);
  if (st.remainingDays !== null && s.plan.interval.months)
    fractions.push(st.remainingDays / (s.plan.interval.months * 30.44));
  return fractions.length === 0 ? Number.POSITIVE_INFINITY : Math.min(...fractions);
}

export function byUrgency(a: AssetPlanStatus, b: AssetPlanStatus): number {
  return (
    levelRank(b.status.level) - levelRank(a.status.level) ||
    urgency(a) - urgency(b) ||
    a.asset.name.localeCompare(b.asset.name) ||
    a.plan.name.localeCompare(b.plan.name)
  );
}

export class MaintenanceBoard extends TenantRepository {
  /** Every asset's status on every plan that applies, or one asset's (assetId), most urgent first. */
  async statuses(now: number, assetId?: string) {
    return this.tx(async (tx) => {
      const snapshot = await loadMaintenanceSnapshot(tx, undefined, assetId);
      const use = await loadDailyUse(tx, undefined, snapshot.meters, now);
      const statuses = dueStatuses(snapshot, now, { use }).sort(byUrgency);
      return { statuses, use, assets: snapshot.assets.length };
    });
  }

  /** A department and everything below it. */
  async subtree(departmentId: string): Promise<Set<string>> {
    return this.tx(async (tx) => {
      const rows = await tx.query<{ id: string }>(
        `with recursive sub as (
           select id from departments where id = $1::uuid
           union all select d.id from departments d join sub on d.parent_id = sub.id
         ) select id::text as id from sub`,
        [departmentId],
      );
      return new Set(rows.map((r) => r.id));
    });
  }
}

export function countLevels(statuses: readonly AssetPlanStatus[]): Record<ServiceLevel, number> {
  const counts: Record<ServiceLevel, number> = { ok: 0, due_soon: 0, due: 0, overdue: 0 };
  for (const s of statuses) counts[s.status.level]++;
  return counts;
}
