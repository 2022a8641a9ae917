// Fuel entries, other costs and the cost reports of one organisation, under row-level security
// (a department-scoped user sees the costs of their subtree's assets and departments). Money is
// checked against the organisation's currency and stored as minor units; sums are done by the
// database in integers and formatted once (figures.ts).
import { inTurn, jsonColumn, type SqlExecutor, TenantRepository } from '@fleet/shared/db';
import { formatMoney, parseMoney } from '@fleet/shared/money';
import { localDay, localDayStart, monthsBetween, nextDay } from '@fleet/shared/time-zone';
import { RowRefused } from '../../csv/import.ts';
import { ApiError } from '../../http/errors.ts';
import { costFigures, type FillUp, meterDelta, type Reading } from './figures.ts';
import type { CostCategory } from './schemas.ts';

function field(path: string, message: string): ApiError {
  return new ApiError('validation_failed', message, { details: [{ path, message }] });
}

interface OrgMoney {
  currency: string;
  timeZone: string;
}

async function orgMoney(tx: SqlExecutor, orgId: string): Promise<OrgMoney> {
  const rows = await tx.query<{ currency: string; time_zone: string }>(
    'select currency, time_zone from organisations where id = $1::uuid',
    [orgId],
  );
  return { currency: rows[0]?.currency ?? 'EUR', timeZone: rows[0]?.time_zone ?? 'UTC' };
}

/** An amount as typed, in the organisation's currency, or a 400 naming the field. */
function amount(text: string, given: string | undefined, currency: string, path: string): bigint {
  if (given !== undefined && given !== currency)
    throw field(
      `${path.replace(/\.[^.]+$/, '')}.currency`,
      `the organisation's currency is ${currency}, not ${given}`,
    );
  const minor = parseMoney(text, currency);
  if (minor === undefined) throw field(path, `more decimals than ${currency} has (e.g. "54.90")`);
  return minor;
}

interface FuelRow {
  id: string;
  asset_id: string;
  asset_name: string;
  plate: string | null;
  filled_at: Date | string;
  litres: string;
  total_minor: string;
  currency: string;
  odometer_km: number | string | null;
  partial: boolean;
  station: string | null;
  source: 'manual' | 'csv' | 'refuel_alert';
  alert_id: string | null;
  note: string | null;
  created_at: Date | string;
}

const FUEL_SELECT = `select f.id::text as id, f.asset_id::text as asset_id, a.name as asset_name, a.plate, f.filled_at,
  f.litres::text as litres, f.total_minor::text as total_minor, f.currency, f.odometer_km, f.partial, f.station,
  f.source, f.alert_id::text as alert_id, f.note, f.created_at
  from fuel_entries f join assets a on a.id = f.asset_id`;

function fuelBody(r: FuelRow) {
  const total = BigInt(r.total_minor);
  const litres = Number(r.litres);
  return {
    id: r.id,
    assetId: r.asset_id,
    assetName: r.asset_name,
    plate: r.plate,
    filledAt: new Date(r.filled_at).toISOString(),
    litres,
    total: formatMoney(total, r.currency),
    pricePerLitre: pricePerLitre(total, litres, r.currency),
    currency: r.currency,
    odometerKm: r.odometer_km === null ? null : Number(r.odometer_km),
    partial: r.partial,
    station: r.station,
    source: r.source,
    alertId: r.alert_id,
    note: r.note,
    createdAt: new Date(r.created_at).toISOString(),
  };
}

/** total / litres in the currency's units with three decimals ("1.849"). */
export function pricePerLitre(totalMinor: bigint, litres: number, currency: string): string {
  const litreThousandths = BigInt(Math.round(litres * 1000));
  if (litreThousandths === 0n) return '0.000';
  const digits = BigInt(
    new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2,
  );
  // minor * 10^(3 - digits) is thousandths of a unit; per litre: * 1000 / litreThousandths.
  const scaled = digits <= 3n ? totalMinor * 10n ** (3n - digits) : totalMinor / 10n ** (digits - 3n);
  const perLitre = (scaled * 1000n * 2n + litreThousandths) / (litreThousandths * 2n);
  const text = perLitre.toString().padStart(4, '0');
  return `${text.slice(0, -3)}.${text.slice(-3)}`;
}

export interface NewFuel {
  assetId: string;
  filledAt: string;
  litres: number;
  total: string;
  currency?: string | undefined;
  odometerKm?: number | null | undefined;
  partial: boolean;
  station?: string | undefined;
  note?: string | undefined;
}

export class FuelEntries extends TenantRepository {
  async list(filter: { assetId?: string | undefined; from?: string | undefined; to?: string | undefined }) {
    return this.tx(async (tx) => {
      const { timeZone } = await orgMoney(tx, this.orgId);
      const { fromMs, toMs } = rangeOf(filter, timeZone);
      const params: string[] = [new Date(fromMs).toISOString(), new Date(toMs).toISOString()];
      let where = 'f.filled_at >= $1::timestamptz and f.filled_at < $2::timestamptz';
      if (filter.assetId) {
        params.push(filter.assetId);
        where += ` and f.asset_id = $3::uuid`;
      }
      const rows = await tx.query<FuelRow>(
        `${FUEL_SELECT} where ${where} order by f.filled_at desc, f.id limit 5000`,
        params,
      );
      return rows.map(fuelBody);
    });
  }

  async create(input: NewFuel, userId: string | null, source: 'manual' | 'csv' = 'manual', row?: number) {
    return this.tx(async (tx) => {
      try {
        return await this.#insert(tx, input, userId, source, null);
      } catch (err) {
        throw row === undefined ? err : new RowRefused(row, err);
      }
    });
  }

  async #insert(
    tx: SqlExecutor,
    input: NewFuel,
    userId: string | null,
    source: 'manual' | 'csv' | 'refuel_alert',
    alertId: string | null,
  ) {
    const { currency } = await orgMoney(tx, this.orgId);
    const total = amount(input.total, input.currency, currency, 'body.total');
    const asset = await tx.query('select 1 from assets where id = $1::uuid', [input.assetId]);
    if (asset.length === 0) throw field('body.assetId', 'no such asset in your organisation');
    const at = Date.parse(input.filledAt);
    if (at > Date.now() + 300_000) throw field('body.filledAt', 'filledAt is in the future');
    const rows = await tx.query<{ id: string }>(
      `insert into fuel_entries (org_id, asset_id, filled_at, litres, total_minor, currency, odometer_km, partial, station,
          source, alert_id, note, created_by)
       values ($1::uuid, $2::uuid, $3::timestamptz, $4::numeric, $5::bigint, $6, $7, $8, $9, $10, $11::uuid, $12, $13::uuid)
       returning id::text as id`,
      [
        this.orgId,
        input.assetId,
        new Date(at).toISOString(),
        input.litres.toFixed(3),
        total.toString(),
        currency,
        input.odometerKm ?? null,
        input.partial,
        input.station ?? null,
        source,
        alertId,
        input.note ?? null,
        userId,
      ],
    );
    const found = await tx.query<FuelRow>(`${FUEL_SELECT} where f.id = $1::uuid`, [rows[0]?.id as string]);
    return fuelBody(found[0] as FuelRow);
  }

  async remove(id: string): Promise<boolean> {
    return this.tx(
      async (tx) =>
        (await tx.query('delete from fuel_entries where id = $1::uuid returning id', [id])).length > 0,
    );
  }

  /** Refuels the rule engine saw that nobody has entered yet (newest first): offered as entries to confirm. */
  async suggestions() {
    return this.tx(async (tx) => {
      const rows = await tx.query<{
        id: string;
        asset_id: string;
        asset_name: string;
        plate: string | null;
        started_at: Date | string;
        details: Record<string, unknown> | string;
      }>(
        `select al.id::text as id, al.asset_id::text as asset_id, a.name as asset_name, a.plate, al.started_at, al.details
           from alerts al join assets a on a.id = al.asset_id
          where al.kind = 'refuel' and al.started_at > now() - interval '90 days'
            and not exists (select 1 from fuel_entries f where f.alert_id = al.id)
          order by al.started_at desc limit 200`,
      );
      return rows.map((r) => {
        const d = jsonColumn<Record<string, unknown>>(r.details);
        return {
          alertId: r.id,
          assetId: r.asset_id,
          assetName: r.asset_name,
          plate: r.plate,
          at: new Date(r.started_at).toISOString(),
          litres: typeof d.addedL === 'number' ? d.addedL : null,
          addedPct: typeof d.addedPct === 'number' ? d.addedPct : null,
        };
      });
    });
  }

  /** A refuel alert confirmed as an entry: at most one per alert (409). */
  async confirmRefuel(
    alertId: string,
    input: Omit<NewFuel, 'assetId' | 'filledAt' | 'litres' | 'note'> & { litres?: number | undefined },
    userId: string,
  ) {
    return this.tx(async (tx) => {
      const alerts = await tx.query<{
        asset_id: string | null;
        kind: string;
        started_at: Date | string;
        details: Record<string, unknown> | string;
      }>('select asset_id::text as asset_id, kind, started_at, details from alerts where id = $1::uuid', [
        alertId,
      ]);
      const alert = alerts[0];
      if (alert?.kind !== 'refuel' || alert.asset_id === null) return undefined;
      const taken = await tx.query('select 1 from fuel_entries where alert_id = $1::uuid', [alertId]);
      if (taken.length > 0) throw new ApiError('conflict', 'This refuel has been entered already.');
      const d = jsonColumn<Record<string, unknown>>(alert.details);
      const litres = input.litres ?? (typeof d.addedL === 'number' ? d.addedL : undefined);
      if (litres === undefined || !(litres > 0))
        throw field(
          'body.litres',
          'litres is needed: the refuel was measured in % (the vehicle has no tank size)',
        );
      return this.#insert(
        tx,
        {
          ...input,
          assetId: alert.asset_id,
          filledAt: new Date(alert.started_at).toISOString(),
          litres: Math.round(litres * 1000) / 1000,
        },
        userId,
        'refuel_alert',
        alertId,
      );
    });
  }
}

interface CostRow {
  id: string;
  asset_id: string | null;
  asset_name: string | null;
  department_id: string | null;
  category: CostCategory;
  incurred_on: string | Date;
  amount_minor: string;
  currency: string;
  description: string | null;
  created_at: Date | string;
  project_id: string | null;
}

function costBody(r: CostRow) {
  return {
    id: r.id,
    assetId: r.asset_id,
    assetName: r.asset_name,
    departmentId: r.department_id,
    projectId: r.project_id,
    category: r.category,
    incurredOn:
      typeof r.incurred_on === 'string'
        ? r.incurred_on.slice(0, 10)
        : localDay(r.incurred_on.getTime(), 'UTC'),
    amount: formatMoney(BigInt(r.amount_minor), r.currency),
    currency: r.currency,
    description: r.description,
    createdAt: new Date(r.created_at).toISOString(),
  };
}

const COST_SELECT = `select c.id::text as id, c.asset_id::text as asset_id, a.name as asset_name,
  c.department_id::text as department_id, c.project_id::text as project_id, c.category, to_char(c.incurred_on, 'YYYY-MM-DD') as incurred_on,
  c.amount_minor::text as amount_minor, c.currency, c.description, c.created_at
  from cost_entries c left join assets a on a.id = c.asset_id`;

export class CostEntries extends TenantRepository {
  async list(filter: { assetId?: string | undefined; from?: string | undefined; to?: string | undefined }) {
    return this.tx(async (tx) => {
      const { from, to } = daysOf(filter);
      const params: string[] = [from, to];
      let where = 'c.incurred_on between $1::date and $2::date';
      if (filter.assetId) {
        params.push(filter.assetId);
        where += ' and c.asset_id = $3::uuid';
      }
      const rows = await tx.query<CostRow>(
        `${COST_SELECT} where ${where} order by c.incurred_on desc, c.id limit 5000`,
        params,
      );
      return rows.map(costBody);
    });
  }

  async create(
    input: {
      assetId?: string | undefined;
      departmentId?: string | undefined;
      projectId?: string | undefined;
      category: CostCategory;
      incurredOn: string;
      amount: string;
      currency?: string | undefined;
      description?: string | undefined;
    },
    userId: string | null,
  ) {
    return this.tx(async (tx) => {
      const { currency } = await orgMoney(tx, this.orgId);
      const minor = amount(input.amount, input.currency, currency, 'body.amount');
      if (input.assetId !== undefined) {
        const found = await tx.query('select 1 from assets where id = $1::uuid', [input.assetId]);
        if (found.length === 0) throw field('body.assetId', 'no such asset in your organisation');
      }
      if (input.departmentId !== undefined) {
        const found = await tx.query('select 1 from departments where id = $1::uuid', [input.departmentId]);
        if (found.length === 0) throw field('body.departmentId', 'no such department in your organisation');
      }
      if (input.projectId !== undefined) {
        const found = await tx.query('select 1 from projects where id = $1::uuid', [input.projectId]);
        if (found.length === 0) throw field('body.projectId', 'no such project in your organisation');
      }
      const rows = await tx
        .query<{ id: string }>(
          `insert into cost_entries (org_id, asset_id, department_id, category, incurred_on, amount_minor, currency,
            description, created_by, project_id)
         values ($1::uuid, $2::uuid, $3::uuid, $4, $5::date, $6::bigint, $7, $8, $9::uuid, $10::uuid) returning id::text as id`,
          [
            this.orgId,
            input.assetId ?? null,
            input.departmentId ?? null,
            input.category,
            input.incurredOn,
            minor.toString(),
            currency,
            input.description ?? null,
            userId,
            input.projectId ?? null,
          ],
        )
        .catch((err: unknown) => {
          // A department-scoped user's cost of a department outside their subtree.
          if ((err as { code?: string }).code === '42501')
            throw field('body.departmentId', 'outside your department');
          throw err;
        });
      const found = await tx.query<CostRow>(`${COST_SELECT} where c.id = $1::uuid`, [rows[0]?.id as string]);
      return costBody(found[0] as CostRow);
    });
  }

  async remove(id: string): Promise<boolean> {
    return this.tx(
      async (tx) =>
        (await tx.query('delete from cost_entries where id = $1::uuid returning id', [id])).length > 0,
    );
  }
}

/** The range of days asked for: to today, a year back, by default. */
function daysOf(filter: { from?: string | undefined; to?: string | undefined }, timeZone = 'UTC') {
  const to = filter.to ?? localDay(Date.now(), timeZone);
  const from = filter.from ?? `${Number(to.slice(0, 4)) - 1}${to.slice(4, 8)}${to.slice(8)}`;
  if (from > to) throw field('query.from', 'from is after to');
  return {
    from: from.endsWith('-02-29') && !isLeap(Number(from.slice(0, 4))) ? `${from.slice(0, 8)}28` : from,
    to,
  };
}
const isLeap = (y: number) => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;

function rangeOf(filter: { from?: string | undefined; to?: string | undefined }, timeZone: string) {
  const { from, to } = daysOf(filter, timeZone);
  return { from, to, fromMs: localDayStart(from, timeZone), toMs: localDayStart(nextDay(to), timeZone) };
}

interface AssetRow {
  id: string;
  kind: 'vehicle' | 'equipment';
  name: string;
  plate: string | null;
  department_id: string | null;
}

/** Everything the cost figures of some assets need over a range, read in a handful of grouped queries. */
async function loadCostData(
  tx: SqlExecutor,
  assetId: string | undefined,
  fromMs: number,
  toMs: number,
  from: string,
  to: string,
) {
  const one = assetId === undefined ? '' : ' and x.asset_id = $3::uuid';
  const params = (extra: string[] = []) => (assetId === undefined ? extra : [...extra, assetId]);
  const range = [new Date(fromMs).toISOString(), new Date(toMs).toISOString()];
  const [assets, fuel, maintenance, other, readings] = await inTurn([
    () =>
      tx.query<AssetRow>(
        `select x.id::text as id, x.kind, x.name, x.plate, x.department_id::text as department_id from assets x
        where x.status <> 'retired' ${assetId === undefined ? '' : 'and x.id = $1::uuid'}`,
        assetId === undefined ? [] : [assetId],
      ),
    () =>
      tx.query<{
        asset_id: string;
        filled_at: Date | string;
        litres: string;
        total_minor: string;
        odometer_km: number | null;
        partial: boolean;
      }>(
        `select x.asset_id::text as asset_id, x.filled_at, x.litres::text as litres, x.total_minor::text as total_minor,
              x.odometer_km, x.partial
         from fuel_entries x where x.filled_at >= $1::timestamptz and x.filled_at < $2::timestamptz${one}`,
        params(range),
      ),
    () =>
      tx.query<{ asset_id: string; completed_at: Date | string; minor: string }>(
        `select x.asset_id::text as asset_id, x.completed_at,
              coalesce((select sum(round(l.quantity * l.unit_cost_minor)) from work_order_lines l where l.work_order_id = x.id), 0)::text as minor
         from work_orders x
        where x.state = 'completed' and x.completed_at >= $1::timestamptz and x.completed_at < $2::timestamptz${one}`,
        params(range),
      ),
    () =>
      tx.query<{
        asset_id: string | null;
        department_id: string | null;
        category: string;
        incurred_on: string;
        minor: string;
      }>(
        `select x.asset_id::text as asset_id, x.department_id::text as department_id, x.category,
              to_char(x.incurred_on, 'YYYY-MM-DD') as incurred_on, x.amount_minor::text as minor
         from cost_entries x where x.incurred_on between $1::date and $2::date${one}`,
        params([from, to]),
      ),
    // One asset (its months): every reading of the range and a little before it. Every asset (a
    // summary): only the readings meterDelta looks at, per asset and meter the newest at or
    // before each end of the range and the first after its start, three index lookups instead
    // of a year of samples (bench/REPORT.md, "Maintenance and costs").
    () =>
      assetId === undefined
        ? tx.query<{ asset_id: string; meter: string; value: number | string; read_at: Date | string }>(
            `select a.id::text as asset_id, k.meter, r.value, r.read_at
               from assets a
               cross join (values ('odometer'), ('engine_hours')) as k(meter)
               cross join lateral (
                 (select x.value, x.read_at from meter_readings x
                   where x.org_id = a.org_id and x.asset_id = a.id and x.meter = k.meter and x.flag is null
                     and x.read_at <= $1::timestamptz order by x.read_at desc limit 1)
                 union all
                 (select x.value, x.read_at from meter_readings x
                   where x.org_id = a.org_id and x.asset_id = a.id and x.meter = k.meter and x.flag is null
                     and x.read_at > $1::timestamptz order by x.read_at limit 1)
                 union all
                 (select x.value, x.read_at from meter_readings x
                   where x.org_id = a.org_id and x.asset_id = a.id and x.meter = k.meter and x.flag is null
                     and x.read_at <= $2::timestamptz order by x.read_at desc limit 1)
               ) r
              where a.status <> 'retired'
              order by r.read_at`,
            range,
          )
        : tx.query<{ asset_id: string; meter: string; value: number | string; read_at: Date | string }>(
            `select x.asset_id::text as asset_id, x.meter, x.value, x.read_at from meter_readings x
              where x.flag is null and x.read_at >= $1::timestamptz and x.read_at < $2::timestamptz${one}
              order by x.read_at`,
            params([new Date(Math.max(0, fromMs - 35 * 86_400_000)).toISOString(), range[1] as string]),
          ),
  ] as const);
  return { assets, fuel, maintenance, other, readings };
}

type CostData = Awaited<ReturnType<typeof loadCostData>>;
type OtherRow = CostData['other'][number];

/** One asset's part of the data: what its figures are computed from. */
interface Slice {
  fuel: CostData['fuel'];
  maintenance: CostData['maintenance'];
  other: OtherRow[];
  odometer: Reading[];
  hours: Reading[];
}

/** The data by asset, once, so a report over a thousand assets reads each row once. */
function sliceByAsset(data: CostData): { slices: Map<string, Slice>; unassigned: OtherRow[] } {
  const slices = new Map<string, Slice>();
  const slice = (id: string) => {
    let s = slices.get(id);
    if (!s) {
      s = { fuel: [], maintenance: [], other: [], odometer: [], hours: [] };
      slices.set(id, s);
    }
    return s;
  };
  for (const a of data.assets) slice(a.id);
  for (const f of data.fuel) {
    slice(f.asset_id).fuel.push(f);
    // A fill-up's odometer is a reading too (Fleetio counts fuel entries' meters the same way).
    if (f.odometer_km !== null)
      slice(f.asset_id).odometer.push({ value: Number(f.odometer_km), at: new Date(f.filled_at).getTime() });
  }
  for (const m of data.maintenance) slice(m.asset_id).maintenance.push(m);
  const unassigned: OtherRow[] = [];
  for (const o of data.other) (o.asset_id === null ? unassigned : slice(o.asset_id).other).push(o);
  for (const r of data.readings) {
    const reading = { value: Number(r.value), at: new Date(r.read_at).getTime() };
    (r.meter === 'odometer' ? slice(r.asset_id).odometer : slice(r.asset_id).hours).push(reading);
  }
  for (const s of slices.values()) s.odometer.sort((a, b) => a.at - b.at);
  return { slices, unassigned };
}

interface Window {
  fromMs: number;
  toMs: number;
  /** Calendar days (other costs carry a day, not an instant). */
  fromDay: string;
  toDay: string;
}

/** The figures of some assets' slices and some other costs over a window. */
function figuresOf(slices: readonly Slice[], others: readonly OtherRow[], currency: string, w: Window) {
  const inWindow = (v: Date | string) => {
    const ms = new Date(v).getTime();
    return ms >= w.fromMs && ms < w.toMs;
  };
  let fuelMinor = 0n;
  let fuelLitres = 0;
  let maintenanceMinor = 0n;
  let otherMinor = 0n;
  const byCategory = new Map<string, bigint>();
  const fills: FillUp[] = [];
  let distance: number | null = null;
  let hours: number | null = null;
  const addOther = (o: OtherRow) => {
    if (o.incurred_on < w.fromDay || o.incurred_on > w.toDay) return;
    otherMinor += BigInt(o.minor);
    byCategory.set(o.category, (byCategory.get(o.category) ?? 0n) + BigInt(o.minor));
  };
  for (const s of slices) {
    for (const f of s.fuel) {
      if (!inWindow(f.filled_at)) continue;
      fuelMinor += BigInt(f.total_minor);
      fuelLitres += Number(f.litres);
      fills.push({
        odometerKm: f.odometer_km === null ? null : Number(f.odometer_km),
        litres: Number(f.litres),
        partial: f.partial,
        at: new Date(f.filled_at).getTime(),
      });
    }
    for (const m of s.maintenance) if (inWindow(m.completed_at)) maintenanceMinor += BigInt(m.minor);
    for (const o of s.other) addOther(o);
    const d = meterDelta(s.odometer, w.fromMs, w.toMs);
    if (d !== null) distance = (distance ?? 0) + d;
    const h = meterDelta(s.hours, w.fromMs, w.toMs);
    if (h !== null) hours = (hours ?? 0) + h;
  }
  for (const o of others) addOther(o);
  return costFigures(
    {
      fuelMinor,
      maintenanceMinor,
      otherMinor,
      byCategory,
      distanceKm: distance,
      engineHours: hours,
      fuelLitres,
      fills,
    },
    currency,
  );
}

const LIFE: Window = { fromMs: 0, toMs: Date.UTC(3000, 0, 1), fromDay: '1900-01-01', toDay: '2999-12-31' };

export class CostReports extends TenantRepository {
  /** One asset: the range (total cost of ownership), life to date, and month by month. */
  async asset(assetId: string, filter: { from?: string | undefined; to?: string | undefined }) {
    return this.tx(async (tx) => {
      const exists = await tx.query('select 1 from assets where id = $1::uuid', [assetId]);
      if (exists.length === 0) return undefined;
      const { currency, timeZone } = await orgMoney(tx, this.orgId);
      const { from, to, fromMs, toMs } = rangeOf(filter, timeZone);
      const life = await loadCostData(tx, assetId, LIFE.fromMs, LIFE.toMs, LIFE.fromDay, LIFE.toDay);
      const slice = sliceByAsset(life).slices.get(assetId);
      const slices = slice ? [slice] : [];
      const months = monthsBetween(from, to).map((month) => {
        const [y, m] = month.split('-').map(Number) as [number, number];
        const next = `${m === 12 ? y + 1 : y}-${String(m === 12 ? 1 : m + 1).padStart(2, '0')}-01`;
        const w: Window = {
          fromMs: Math.max(fromMs, localDayStart(`${month}-01`, timeZone)),
          toMs: Math.min(toMs, localDayStart(next, timeZone)),
          fromDay: from > `${month}-01` ? from : `${month}-01`,
          toDay: to < `${month}-31` ? to : `${month}-31`,
        };
        return { month, ...figuresOf(slices, [], currency, w) };
      });
      return {
        assetId,
        currency,
        from,
        to,
        range: figuresOf(slices, [], currency, { fromMs, toMs, fromDay: from, toDay: to }),
        lifeToDate: figuresOf(slices, [], currency, LIFE),
        months,
      };
    });
  }

  /** Every asset, or every department (its assets' costs and its own), over a range. */
  async summary(filter: {
    groupBy: 'asset' | 'department';
    from?: string | undefined;
    to?: string | undefined;
  }) {
    return this.tx(async (tx) => {
      const { currency, timeZone } = await orgMoney(tx, this.orgId);
      const { from, to, fromMs, toMs } = rangeOf(filter, timeZone);
      const w: Window = { fromMs, toMs, fromDay: from, toDay: to };
      const data = await loadCostData(tx, undefined, fromMs, toMs, from, to);
      const { slices, unassigned } = sliceByAsset(data);
      type Row = {
        id: string | null;
        kind: 'vehicle' | 'equipment' | null;
        name: string;
        plate: string | null;
      } & ReturnType<typeof figuresOf>;
      let rows: Row[];
      if (filter.groupBy === 'asset') {
        rows = data.assets.map((a) => ({
          id: a.id,
          kind: a.kind,
          name: a.name,
          plate: a.plate,
          ...figuresOf([slices.get(a.id) as Slice], [], currency, w),
        }));
      } else {
        const departments = await tx.query<{ id: string; name: string }>(
          'select id::text as id, name from departments order by name',
        );
        const byDepartment = new Map<string | null, Slice[]>();
        for (const a of data.assets) {
          const list = byDepartment.get(a.department_id) ?? [];
          list.push(slices.get(a.id) as Slice);
          byDepartment.set(a.department_id, list);
        }
        const own = (id: string | null) => unassigned.filter((o) => o.department_id === id);
        rows = [
          ...departments.map(
            (d): Row => ({
              id: d.id,
              kind: null,
              name: d.name,
              plate: null,
              ...figuresOf(byDepartment.get(d.id) ?? [], own(d.id), currency, w),
            }),
          ),
          {
            id: null,
            kind: null,
            name: 'No department',
            plate: null,
            ...figuresOf(byDepartment.get(null) ?? [], [], currency, w),
          },
        ];
      }
      rows.sort(
        (a, b) =>
          Number(parseMinor(b.costs.total) - parseMinor(a.costs.total)) || a.name.localeCompare(b.name),
      );
      const total = figuresOf([...slices.values()], unassigned, currency, w).costs;
      return { currency, from, to, groupBy: filter.groupBy, rows, total };
    });
  }

  /**
   * The whole fleet's figures month by month (YYYY-MM, the last one up to `today`): the summary's
   * total with its distance, so cost per km is the fleet's costs over the fleet's kilometres. One
   * load per month: the summary's meter readings are those at the ends of its range.
   */
  async fleetMonths(months: readonly string[], today: string) {
    return this.tx(async (tx) => {
      const { currency, timeZone } = await orgMoney(tx, this.orgId);
      const out: ({ month: string } & ReturnType<typeof figuresOf>)[] = [];
      for (const month of months) {
        const { from, to, fromMs, toMs } = rangeOf(
          { from: `${month}-01`, to: month === today.slice(0, 7) ? today : lastDayOfMonth(month) },
          timeZone,
        );
        const { slices, unassigned } = sliceByAsset(
          await loadCostData(tx, undefined, fromMs, toMs, from, to),
        );
        out.push({
          month,
          ...figuresOf([...slices.values()], unassigned, currency, {
            fromMs,
            toMs,
            fromDay: from,
            toDay: to,
          }),
        });
      }
      return { currency, months: out };
    });
  }
}

function lastDayOfMonth(month: string): string {
  const [y, m] = month.split('-').map(Number) as [number, number];
  return `${month}-${String(new Date(Date.UTC(y, m, 0)).getUTCDate()).padStart(2, '0')}`;
}

/** "12.50" -> 1250n for sorting, whatever the digits. */
function parseMinor(text: string): bigint {
  const [whole = '0', fraction = ''] = text.split('.');
  return BigInt(whole) * 10000n + BigInt(fraction.padEnd(4, '0').slice(0, 4) || '0');
}
