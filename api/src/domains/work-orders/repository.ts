// Work orders of one organisation under row-level security (a department-scoped user reaches
// the work orders of their subtree's assets only). The states: open -> in progress <-> on hold
// -> completed, or cancelled from any unfinished state; completed and cancelled are final.
// Completing one records the asset's odometer and engine hours then (checked against its
// meters as any reading is) and, for a plan, restarts the plan's count from them: the newest
// completed work order of a plan and asset is the plan's baseline (shared/src/db/maintenance.ts).
// Who changed what and when is the audit log's (migration 0014's triggers).

import {
  insertWorkOrder,
  inTurn,
  jsonColumn,
  SERVICE_PLAN_COLUMNS,
  type ServicePlanRow,
  type SqlExecutor,
  TenantRepository,
  toServicePlan,
} from '@fleet/shared/db';
import { type DtcInfo, describeDtc } from '@fleet/shared/dtc';
import type { Meter, WorkOrderPriority, WorkOrderSource, WorkOrderState } from '@fleet/shared/maintenance';
import { formatMoney, parseMoney } from '@fleet/shared/money';
import { ApiError } from '../../http/errors.ts';
import { decodeKeysetCursor, encodeKeysetCursor, keysetAt } from '../../routes/keyset.ts';
import {
  checkEnteredReading,
  type MeterRow,
  meterOf,
  recordEnteredReading,
} from '../maintenance/repository.ts';

/** Where each state may go. */
export const TRANSITIONS: Record<WorkOrderState, readonly WorkOrderState[]> = {
  open: ['in_progress', 'on_hold', 'completed', 'cancelled'],
  in_progress: ['open', 'on_hold', 'completed', 'cancelled'],
  on_hold: ['open', 'in_progress', 'completed', 'cancelled'],
  completed: [],
  cancelled: [],
};
const FINISHED: ReadonlySet<WorkOrderState> = new Set(['completed', 'cancelled']);

interface WorkOrderRow {
  id: string;
  number: number;
  asset_id: string;
  asset_kind: 'vehicle' | 'equipment';
  asset_name: string;
  plate: string | null;
  plan_id: string | null;
  plan_name: string | null;
  source: WorkOrderSource;
  alert_id: string | null;
  driver_id: string | null;
  title: string;
  description: string | null;
  priority: WorkOrderPriority;
  state: WorkOrderState;
  assignee_id: string | null;
  assignee_name: string | null;
  due_on: string | Date | null;
  dtc_code: string | null;
  dtc_description: string | null;
  currency: string;
  odometer_km: number | string | null;
  engine_hours: number | string | null;
  started_at: Date | string | null;
  completed_at: Date | string | null;
  cancelled_at: Date | string | null;
  resolution: string | null;
  created_by: string | null;
  created_at: Date | string;
  updated_at: Date | string;
  cursor_at: string;
  parts_minor: string | number;
  labour_minor: string | number;
  other_minor: string | number;
  tasks_done: string | number;
  tasks_total: string | number;
}

const SELECT = `
  select w.id::text as id, w.number, w.asset_id::text as asset_id, a.kind as asset_kind, a.name as asset_name, a.plate,
    w.plan_id::text as plan_id, p.name as plan_name, w.source, w.alert_id::text as alert_id,
    w.driver_id::text as driver_id, w.title, w.description, w.priority, w.state, w.assignee_id::text as assignee_id,
    u.name as assignee_name, to_char(w.due_on, 'YYYY-MM-DD') as due_on, w.dtc_code, w.dtc_description, w.currency,
    w.odometer_km, w.engine_hours, w.started_at, w.completed_at, w.cancelled_at, w.resolution,
    w.created_by::text as created_by, w.created_at, w.updated_at, ${keysetAt('w.created_at')} as cursor_at,
    coalesce((select sum(round(l.quantity * l.unit_cost_minor)) from work_order_lines l
              where l.work_order_id = w.id and l.kind = 'part'), 0)::text as parts_minor,
    coalesce((select sum(round(l.quantity * l.unit_cost_minor)) from work_order_lines l
              where l.work_order_id = w.id and l.kind = 'labour'), 0)::text as labour_minor,
    coalesce((select sum(round(l.quantity * l.unit_cost_minor)) from work_order_lines l
              where l.work_order_id = w.id and l.kind = 'other'), 0)::text as other_minor,
    (select count(*) from work_order_tasks t where t.work_order_id = w.id and t.done) as tasks_done,
    (select count(*) from work_order_tasks t where t.work_order_id = w.id) as tasks_total
  from work_orders w
  join assets a on a.id = w.asset_id
  left join service_plans p on p.id = w.plan_id
  left join users u on u.id = w.assignee_id`;

const iso = (v: Date | string | null) => (v === null ? null : new Date(v).toISOString());
const num = (v: number | string | null) => (v === null ? null : Number(v));

function summary(r: WorkOrderRow) {
  const parts = BigInt(r.parts_minor);
  const labour = BigInt(r.labour_minor);
  const other = BigInt(r.other_minor);
  const money = (m: bigint) => formatMoney(m, r.currency);
  return {
    id: r.id,
    number: r.number,
    reference: `WO-${r.number}`,
    asset: { id: r.asset_id, kind: r.asset_kind, name: r.asset_name, plate: r.plate },
    planId: r.plan_id,
    planName: r.plan_name,
    source: r.source,
    alertId: r.alert_id,
    driverId: r.driver_id,
    title: r.title,
    description: r.description,
    priority: r.priority,
    state: r.state,
    assigneeId: r.assignee_id,
    assigneeName: r.assignee_name,
    dueOn: r.due_on === null ? null : String(r.due_on).slice(0, 10),
    dtcCode: r.dtc_code,
    dtcDescription: r.dtc_description,
    currency: r.currency,
    odometerKm: num(r.odometer_km),
    engineHours: num(r.engine_hours),
    startedAt: iso(r.started_at),
    completedAt: iso(r.completed_at),
    cancelledAt: iso(r.cancelled_at),
    resolution: r.resolution,
    createdBy: r.created_by,
    createdAt: iso(r.created_at) as string,
    updatedAt: iso(r.updated_at) as string,
    totals: {
      parts: money(parts),
      labour: money(labour),
      other: money(other),
      total: money(parts + labour + other),
    },
    tasksDone: Number(r.tasks_done),
    tasksTotal: Number(r.tasks_total),
  };
}
export type WorkOrderSummary = ReturnType<typeof summary>;

/** The database's refusals in the words of the field at fault. */
function translate(err: unknown): unknown {
  const e = err as { code?: string; constraint?: string; message?: string };
  const text = `${e.constraint ?? ''} ${e.message ?? ''}`;
  const field = (path: string, message: string) =>
    new ApiError('validation_failed', message, { details: [{ path, message }] });
  if (e.code === '23503') {
    if (text.includes('assignee')) return field('body.assigneeId', 'no such user in your organisation');
    if (text.includes('driver')) return field('body.driverId', 'no such driver in your organisation');
    if (text.includes('plan')) return field('body.planId', 'no such service plan in your organisation');
    if (text.includes('asset')) return field('body.assetId', 'no such asset in your organisation');
  }
  if (e.code === '23505' && text.includes('open_plan'))
    return new ApiError('conflict', 'This plan already has an unfinished work order on this asset.');
  return err;
}

function field(path: string, message: string): ApiError {
  return new ApiError('validation_failed', message, { details: [{ path, message }] });
}

export interface NewWorkOrderInput {
  assetId: string;
  planId?: string | undefined;
  source?: 'manual' | 'defect_report' | undefined;
  driverId?: string | undefined;
  title?: string | undefined;
  description?: string | undefined;
  priority?: WorkOrderPriority | undefined;
  assigneeId?: string | null | undefined;
  dueOn?: string | null | undefined;
  tasks?: string[] | undefined;
}

export interface TransitionInput {
  state: WorkOrderState;
  odometerKm?: number | undefined;
  engineHours?: number | undefined;
  completedAt?: string | undefined;
  resolution?: string | undefined;
}

export class WorkOrders extends TenantRepository {
  async list(filter: {
    state?: WorkOrderState[] | undefined;
    assetId?: string | undefined;
    planId?: string | undefined;
    assigneeId?: string | undefined;
    source?: WorkOrderSource | undefined;
    limit: number;
    cursor?: string | undefined;
  }): Promise<{ items: WorkOrderSummary[]; nextCursor: string | null }> {
    const where: string[] = [];
    const params: (string | readonly string[])[] = [];
    const add = (sql: string, value: string | readonly string[]) => {
      params.push(value);
      where.push(sql.replace('?', `$${params.length}`));
    };
    if (filter.state) add('w.state = any(?::text[])', filter.state);
    if (filter.assetId) add('w.asset_id = ?::uuid', filter.assetId);
    if (filter.planId) add('w.plan_id = ?::uuid', filter.planId);
    if (filter.assigneeId) add('w.assignee_id = ?::uuid', filter.assigneeId);
    if (filter.source) add('w.source = ?', filter.source);
    if (filter.cursor !== undefined) {
      const key = decodeKeysetCursor(filter.cursor, (id) => /^[0-9a-f-]{36}$/.test(id));
      if (!key) throw field('query.cursor', 'not a cursor this list gave');
      params.push(key.at, key.id);
      where.push(`(w.created_at, w.id) < ($${params.length - 1}::timestamptz, $${params.length}::uuid)`);
    }
    const rows = await this.tx((tx) =>
      tx.query<WorkOrderRow>(
        `${SELECT} ${where.length > 0 ? `where ${where.join(' and ')}` : ''}
         order by w.created_at desc, w.id desc limit ${filter.limit + 1}`,
        params,
      ),
    );
    const page = rows.slice(0, filter.limit);
    const last = page.at(-1);
    return {
      items: page.map(summary),
      nextCursor:
        rows.length > filter.limit && last ? encodeKeysetCursor({ at: last.cursor_at, id: last.id }) : null,
    };
  }

  async get(id: string, tx?: SqlExecutor) {
    const run = async (ex: SqlExecutor) => {
      const rows = await ex.query<WorkOrderRow>(`${SELECT} where w.id = $1::uuid`, [id]);
      const row = rows[0];
      if (!row) return undefined;
      const [lines, tasks, notes, attachments] = await inTurn([
        () =>
          ex.query<{
            id: string;
            kind: 'part' | 'labour' | 'other';
            description: string;
            part_number: string | null;
            quantity: string;
            unit_cost_minor: string;
            total_minor: string;
            created_at: Date | string;
          }>(
            `select id::text as id, kind, description, part_number, quantity::text as quantity,
                  unit_cost_minor::text as unit_cost_minor, round(quantity * unit_cost_minor)::text as total_minor, created_at
             from work_order_lines where work_order_id = $1::uuid order by created_at, id`,
            [id],
          ),
        () =>
          ex.query<{
            id: string;
            position: number;
            label: string;
            done: boolean;
            done_at: Date | string | null;
            done_by: string | null;
          }>(
            `select id::text as id, position, label, done, done_at, done_by::text as done_by
             from work_order_tasks where work_order_id = $1::uuid order by position, id`,
            [id],
          ),
        () =>
          ex.query<{
            id: string;
            author_id: string | null;
            author_name: string | null;
            body: string;
            created_at: Date | string;
          }>(
            `select n.id::text as id, n.author_id::text as author_id, u.name as author_name, n.body, n.created_at
             from work_order_notes n left join users u on u.id = n.author_id
            where n.work_order_id = $1::uuid order by n.created_at, n.id`,
            [id],
          ),
        () =>
          ex.query<{
            id: string;
            file_name: string;
            content_type: 'image/jpeg' | 'image/png' | 'image/webp' | 'application/pdf' | 'text/plain';
            bytes: number | string;
            uploaded_by: string | null;
            created_at: Date | string;
          }>(
            `select id::text as id, file_name, content_type, octet_length(bytes) as bytes, uploaded_by::text as uploaded_by,
                  created_at from work_order_attachments where work_order_id = $1::uuid order by created_at, id`,
            [id],
          ),
      ] as const);
      const money = (m: string) => formatMoney(BigInt(m), row.currency);
      return {
        ...summary(row),
        lines: lines.map((l) => ({
          id: l.id,
          kind: l.kind,
          description: l.description,
          partNumber: l.part_number,
          quantity: Number(l.quantity),
          unitCost: money(l.unit_cost_minor),
          total: money(l.total_minor),
          createdAt: iso(l.created_at) as string,
        })),
        tasks: tasks.map((t) => ({
          id: t.id,
          position: t.position,
          label: t.label,
          done: t.done,
          doneAt: iso(t.done_at),
          doneBy: t.done_by,
        })),
        notes: notes.map((n) => ({
          id: n.id,
          authorId: n.author_id,
          authorName: n.author_name,
          body: n.body,
          createdAt: iso(n.created_at) as string,
        })),
        attachments: attachments.map((a) => ({
          id: a.id,
          fileName: a.file_name,
          contentType: a.content_type,
          bytes: Number(a.bytes),
          uploadedBy: a.uploaded_by,
          createdAt: iso(a.created_at) as string,
        })),
      };
    };
    return tx ? run(tx) : this.tx(run);
  }

  async create(input: NewWorkOrderInput, userId: string | null) {
    try {
      return await this.tx(async (tx) => {
        const asset = await tx.query<{ id: string }>(
          "select id::text as id from assets where id = $1::uuid and status <> 'retired'",
          [input.assetId],
        );
        if (asset.length === 0) throw field('body.assetId', 'no such active asset in your organisation');
        let title = input.title;
        let tasks = input.tasks;
        if (input.planId !== undefined) {
          const plans = await tx.query<ServicePlanRow>(
            `select ${SERVICE_PLAN_COLUMNS} from service_plans where id = $1::uuid and archived_at is null`,
            [input.planId],
          );
          const plan = plans[0] ? toServicePlan(plans[0]) : undefined;
          if (!plan) throw field('body.planId', 'no such service plan in your organisation');
          title ??= plan.name;
          tasks ??= plan.items;
        }
        const id = await insertWorkOrder(tx, {
          orgId: this.orgId,
          assetId: input.assetId,
          planId: input.planId ?? null,
          source:
            input.planId !== undefined && input.source !== 'defect_report'
              ? 'service_due'
              : (input.source ?? 'manual'),
          alertId: null,
          driverId: input.driverId ?? null,
          title: title as string,
          description: input.description ?? null,
          priority: input.priority ?? 'normal',
          assigneeId: input.assigneeId ?? null,
          dueOn: input.dueOn ?? null,
          dtcCode: null,
          dtcDescription: null,
          currency: await this.#currency(tx),
          createdBy: userId,
          tasks: tasks ?? [],
        });
        if (id === undefined)
          throw new ApiError('conflict', 'This plan already has an unfinished work order on this asset.');
        return this.get(id, tx);
      });
    } catch (err) {
      throw translate(err);
    }
  }

  /** One click from an alert: the asset, the title and, for an engine fault, the code and its description. */
  async fromAlert(
    alertId: string,
    input: {
      assigneeId?: string | null | undefined;
      priority?: WorkOrderPriority | undefined;
      dueOn?: string | null | undefined;
    },
    userId: string,
  ) {
    try {
      return await this.tx(async (tx) => {
        const alerts = await tx.query<{
          id: string;
          asset_id: string | null;
          kind: string;
          severity: 'info' | 'warning' | 'critical';
          title: string;
          details: Record<string, unknown> | string;
        }>(
          'select id::text as id, asset_id::text as asset_id, kind, severity, title, details from alerts where id = $1::uuid',
          [alertId],
        );
        const alert = alerts[0];
        if (!alert) return undefined;
        if (alert.asset_id === null) throw new ApiError('conflict', 'The alert is about no asset.');
        const open = await tx.query<{ number: number }>(
          "select number from work_orders where alert_id = $1::uuid and state in ('open', 'in_progress', 'on_hold')",
          [alertId],
        );
        if (open[0]) throw new ApiError('conflict', `WO-${open[0].number} is already open for this alert.`);
        const details = jsonColumn<Record<string, unknown>>(alert.details);
        const dtc: DtcInfo | undefined =
          alert.kind === 'engine_fault' && typeof details.code === 'string'
            ? describeDtc(details.code)
            : undefined;
        const id = (await insertWorkOrder(tx, {
          orgId: this.orgId,
          assetId: alert.asset_id,
          planId: null,
          source: 'alert',
          alertId,
          driverId: null,
          title: alert.title.slice(0, 200),
          description: `From the alert "${alert.title}".`.slice(0, 4000),
          priority:
            input.priority ??
            (alert.severity === 'critical' ? 'urgent' : alert.severity === 'warning' ? 'high' : 'normal'),
          assigneeId: input.assigneeId ?? null,
          dueOn: input.dueOn ?? null,
          dtcCode: dtc?.code ?? null,
          dtcDescription: dtc
            ? (dtc.description ?? `(${dtc.standard === 'generic' ? 'unknown generic' : dtc.standard} code)`)
            : null,
          currency: await this.#currency(tx),
          createdBy: userId,
          tasks: dtc
            ? [
                `Read the fault memory (${dtc.code})`,
                'Find and fix the cause',
                'Clear the code and test drive',
              ]
            : [],
        })) as string;
        const number = await tx.query<{ number: number }>(
          'select number from work_orders where id = $1::uuid',
          [id],
        );
        await tx.query(
          `insert into alert_activity (org_id, alert_id, action, actor_id, note) values ($1::uuid, $2::uuid, 'commented', $3::uuid, $4)`,
          [this.orgId, alertId, userId, `Work order WO-${number[0]?.number} opened.`],
        );
        return this.get(id, tx);
      });
    } catch (err) {
      throw translate(err);
    }
  }

  async update(
    id: string,
    changes: {
      title?: string | undefined;
      description?: string | null | undefined;
      priority?: WorkOrderPriority | undefined;
      assigneeId?: string | null | undefined;
      dueOn?: string | null | undefined;
    },
  ) {
    try {
      return await this.tx(async (tx) => {
        const state = await this.#lockState(tx, id);
        if (state === undefined) return undefined;
        if (FINISHED.has(state)) throw new ApiError('conflict', `A ${state} work order cannot be changed.`);
        const columns: Record<string, string> = {
          title: 'title',
          description: 'description',
          priority: 'priority',
          assigneeId: 'assignee_id',
          dueOn: 'due_on',
        };
        const sets: string[] = [];
        const params: (string | null)[] = [id];
        for (const [key, column] of Object.entries(columns)) {
          const value = (changes as Record<string, string | null | undefined>)[key];
          if (value === undefined) continue;
          params.push(value);
          const cast = key === 'assigneeId' ? '::uuid' : key === 'dueOn' ? '::date' : '';
          sets.push(`${column} = $${params.length}${cast}`);
        }
        await tx.query(
          `update work_orders set ${sets.join(', ')}, updated_at = now() where id = $1::uuid`,
          params,
        );
        return this.get(id, tx);
      });
    } catch (err) {
      throw translate(err);
    }
  }

  async transition(id: string, input: TransitionInput, userId: string | null) {
    return this.tx(async (tx) => {
      const rows = await tx.query<{
        state: WorkOrderState;
        asset_id: string;
        plan_id: string | null;
        started_at: Date | string | null;
        created_at: Date | string;
      }>(
        'select state, asset_id::text as asset_id, plan_id::text as plan_id, started_at, created_at from work_orders where id = $1::uuid for update',
        [id],
      );
      const wo = rows[0];
      if (!wo) return undefined;
      if (wo.state === input.state)
        throw new ApiError('conflict', `The work order is ${input.state} already.`);
      if (!TRANSITIONS[wo.state].includes(input.state))
        throw new ApiError(
          'conflict',
          FINISHED.has(wo.state)
            ? `A ${wo.state} work order is final.`
            : `A work order cannot go from ${wo.state} to ${input.state}.`,
        );
      if (input.state === 'completed') {
        await this.#complete(tx, id, wo, input, userId);
      } else if (input.state === 'cancelled') {
        await tx.query(
          `update work_orders set state = 'cancelled', cancelled_at = now(), resolution = coalesce($2, resolution),
             updated_at = now() where id = $1::uuid`,
          [id, input.resolution ?? null],
        );
      } else {
        await tx.query(
          `update work_orders set state = $2, started_at = case when $2 = 'in_progress' then coalesce(started_at, now())
             else started_at end, updated_at = now() where id = $1::uuid`,
          [id, input.state],
        );
      }
      return this.get(id, tx);
    });
  }

  async #complete(
    tx: SqlExecutor,
    id: string,
    wo: { asset_id: string; plan_id: string | null; created_at: Date | string },
    input: TransitionInput,
    userId: string | null,
  ): Promise<void> {
    const completedAt = input.completedAt === undefined ? Date.now() : Date.parse(input.completedAt);
    if (completedAt > Date.now() + 300_000) throw field('body.completedAt', 'completedAt is in the future');
    const meters = await tx.query<MeterRow>(
      'select * from asset_meters where asset_id = $1::uuid for update',
      [wo.asset_id],
    );
    const plan = wo.plan_id
      ? (
          await tx.query<ServicePlanRow>(
            `select ${SERVICE_PLAN_COLUMNS} from service_plans where id = $1::uuid`,
            [wo.plan_id],
          )
        ).map(toServicePlan)[0]
      : undefined;
    const reading = async (meter: Meter, given: number | undefined, path: string): Promise<number | null> => {
      const current = meterOf(meters[0], meter);
      if (given !== undefined) {
        checkEnteredReading(meter, current, { value: given, at: completedAt }, path);
        // A meter a device reports stays the device's; the work order keeps its own reading.
        if (current?.source === 'telemetry')
          await tx.query(
            `insert into meter_readings (org_id, asset_id, meter, value, read_at, source, entered_by)
             values ($1::uuid, $2::uuid, $3, $4, to_timestamp($5::float8 / 1000), 'work_order', $6::uuid)`,
            [this.orgId, wo.asset_id, meter, given, completedAt, userId],
          );
        else
          await recordEnteredReading(tx, {
            orgId: this.orgId,
            assetId: wo.asset_id,
            meter,
            value: given,
            at: completedAt,
            source: 'work_order',
            note: null,
            enteredBy: userId,
          });
        return given;
      }
      if (current !== undefined && current.at <= completedAt + 60_000) return current.value;
      // A service recorded afterwards: the newest reading believed at or before it.
      const before = await tx.query<{ value: number | string }>(
        `select value from meter_readings where asset_id = $1::uuid and meter = $2 and flag is null
            and read_at <= to_timestamp($3::float8 / 1000) order by read_at desc limit 1`,
        [wo.asset_id, meter, completedAt],
      );
      return before[0] ? Number(before[0].value) : null;
    };
    const odometer = await reading('odometer', input.odometerKm, 'body.odometerKm');
    const hours = await reading('engine_hours', input.engineHours, 'body.engineHours');
    if (plan?.interval.km != null && odometer === null)
      throw field(
        'body.odometerKm',
        `odometerKm is needed: the plan "${plan.name}" counts kilometres from it`,
      );
    if (plan?.interval.hours != null && hours === null)
      throw field(
        'body.engineHours',
        `engineHours is needed: the plan "${plan.name}" counts engine hours from it`,
      );
    await tx.query(
      `update work_orders set state = 'completed', completed_at = to_timestamp($2::float8 / 1000),
         started_at = coalesce(started_at, least(to_timestamp($2::float8 / 1000), now())), odometer_km = $3,
         engine_hours = $4, resolution = coalesce($5, resolution), updated_at = now()
       where id = $1::uuid`,
      [id, completedAt, odometer, hours, input.resolution ?? null],
    );
  }

  async addLine(
    id: string,
    input: {
      kind: 'part' | 'labour' | 'other';
      description: string;
      partNumber?: string | undefined;
      quantity: number;
      unitCost: string;
      currency?: string | undefined;
    },
  ) {
    return this.tx(async (tx) => {
      const wo = await this.#editable(tx, id);
      if (!wo) return undefined;
      if (input.currency !== undefined && input.currency !== wo.currency)
        throw field('body.currency', `the work order is in ${wo.currency}, not ${input.currency}`);
      const unit = parseMoney(input.unitCost, wo.currency);
      if (unit === undefined)
        throw field('body.unitCost', `unitCost has more decimals than ${wo.currency} has (e.g. "12.50")`);
      await tx.query(
        `insert into work_order_lines (org_id, work_order_id, kind, description, part_number, quantity, unit_cost_minor)
         values ($1::uuid, $2::uuid, $3, $4, $5, $6::numeric, $7::bigint)`,
        [
          this.orgId,
          id,
          input.kind,
          input.description,
          input.partNumber ?? null,
          input.quantity.toFixed(3),
          unit.toString(),
        ],
      );
      await this.#touch(tx, id);
      return this.get(id, tx);
    });
  }

  async removeLine(id: string, lineId: string) {
    return this.tx(async (tx) => {
      const wo = await this.#editable(tx, id);
      if (!wo) return undefined;
      const rows = await tx.query(
        'delete from work_order_lines where id = $1::uuid and work_order_id = $2::uuid returning id',
        [lineId, id],
      );
      if (rows.length === 0) return undefined;
      await this.#touch(tx, id);
      return this.get(id, tx);
    });
  }

  async addTask(id: string, label: string) {
    return this.tx(async (tx) => {
      const wo = await this.#editable(tx, id);
      if (!wo) return undefined;
      await tx.query(
        `insert into work_order_tasks (org_id, work_order_id, position, label)
         values ($1::uuid, $2::uuid, (select coalesce(max(position) + 1, 0) from work_order_tasks where work_order_id = $2::uuid), $3)`,
        [this.orgId, id, label],
      );
      await this.#touch(tx, id);
      return this.get(id, tx);
    });
  }

  async setTask(id: string, taskId: string, done: boolean, userId: string) {
    return this.tx(async (tx) => {
      const wo = await this.#editable(tx, id);
      if (!wo) return undefined;
      const rows = await tx.query(
        `update work_order_tasks set done = $3, done_at = case when $3 then coalesce(done_at, now()) end,
           done_by = case when $3 then coalesce(done_by, $4::uuid) end
         where id = $1::uuid and work_order_id = $2::uuid returning id`,
        [taskId, id, done, userId],
      );
      if (rows.length === 0) return undefined;
      await this.#touch(tx, id);
      return this.get(id, tx);
    });
  }

  /** Notes may be added to finished work orders too (what was found afterwards). */
  async addNote(id: string, body: string, userId: string) {
    return this.tx(async (tx) => {
      const rows = await tx.query('select 1 from work_orders where id = $1::uuid', [id]);
      if (rows.length === 0) return undefined;
      await tx.query(
        'insert into work_order_notes (org_id, work_order_id, author_id, body) values ($1::uuid, $2::uuid, $3::uuid, $4)',
        [this.orgId, id, userId, body],
      );
      return this.get(id, tx);
    });
  }

  async addAttachment(
    id: string,
    file: { fileName: string; contentType: string; bytes: Uint8Array },
    userId: string,
  ) {
    return this.tx(async (tx) => {
      const rows = await tx.query('select 1 from work_orders where id = $1::uuid', [id]);
      if (rows.length === 0) return undefined;
      await tx.query(
        `insert into work_order_attachments (org_id, work_order_id, file_name, content_type, bytes, uploaded_by)
         values ($1::uuid, $2::uuid, $3, $4, $5, $6::uuid)`,
        [this.orgId, id, file.fileName, file.contentType, file.bytes, userId],
      );
      return this.get(id, tx);
    });
  }

  async attachment(id: string, attachmentId: string) {
    return this.tx(async (tx) => {
      const rows = await tx.query<{
        id: string;
        file_name: string;
        content_type: 'image/jpeg' | 'image/png' | 'image/webp' | 'application/pdf' | 'text/plain';
        bytes: Uint8Array;
        uploaded_by: string | null;
        created_at: Date | string;
      }>(
        `select id::text as id, file_name, content_type, bytes, uploaded_by::text as uploaded_by, created_at
           from work_order_attachments where id = $1::uuid and work_order_id = $2::uuid`,
        [attachmentId, id],
      );
      const a = rows[0];
      if (!a) return undefined;
      const bytes = Buffer.from(a.bytes);
      return {
        id: a.id,
        fileName: a.file_name,
        contentType: a.content_type,
        bytes: bytes.length,
        uploadedBy: a.uploaded_by,
        createdAt: iso(a.created_at) as string,
        dataUrl: `data:${a.content_type};base64,${bytes.toString('base64')}`,
      };
    });
  }

  async removeAttachment(id: string, attachmentId: string): Promise<boolean> {
    return this.tx(async (tx) => {
      const rows = await tx.query(
        'delete from work_order_attachments where id = $1::uuid and work_order_id = $2::uuid returning id',
        [attachmentId, id],
      );
      return rows.length > 0;
    });
  }

  /** Who changed what, when: the audit log's entries for the work order and its lines, tasks, notes and files. */
  async history(id: string) {
    return this.tx(async (tx) => {
      const exists = await tx.query('select 1 from work_orders where id = $1::uuid', [id]);
      if (exists.length === 0) return undefined;
      const rows = await tx.query<{
        at: Date | string;
        actor_label: string;
        actor_id: string | null;
        entity: string;
        entity_id: string;
        action: 'create' | 'update' | 'delete';
        before: Record<string, unknown> | string | null;
        after: Record<string, unknown> | string | null;
      }>(
        `select audit_log.at, coalesce(u.name, audit_log.actor_label) as actor_label,
                audit_log.actor_id::text as actor_id, entity, entity_id, action, before, after
           from audit_log left join users u on audit_log.actor_kind = 'user' and u.id = audit_log.actor_id
          where (entity = 'work_order' and entity_id = $1)
             or (entity in ('work_order_line', 'work_order_task', 'work_order_note', 'work_order_attachment')
                 and entity_id in (select c.entity_id from audit_log c
                                    where c.entity = audit_log.entity and c.action = 'create'
                                      and c.after->>'work_order_id' = $1))
          order by audit_log.at, audit_log.id`,
        [id],
      );
      const obj = (v: Record<string, unknown> | string | null) =>
        v === null ? null : jsonColumn<Record<string, unknown>>(v);
      return rows.map((r) => ({
        at: iso(r.at) as string,
        actor: r.actor_label,
        actorId: r.actor_id,
        entity: r.entity,
        entityId: r.entity_id,
        action: r.action,
        before: obj(r.before),
        after: obj(r.after),
      }));
    });
  }

  async #currency(tx: SqlExecutor): Promise<string> {
    const rows = await tx.query<{ currency: string }>(
      'select currency from organisations where id = $1::uuid',
      [this.orgId],
    );
    return rows[0]?.currency ?? 'EUR';
  }

  async #lockState(tx: SqlExecutor, id: string): Promise<WorkOrderState | undefined> {
    const rows = await tx.query<{ state: WorkOrderState }>(
      'select state from work_orders where id = $1::uuid for update',
      [id],
    );
    return rows[0]?.state;
  }

  /** The work order, locked, if it may still change (lines, tasks); a finished one is a 409. */
  async #editable(tx: SqlExecutor, id: string): Promise<{ currency: string } | undefined> {
    const rows = await tx.query<{ state: WorkOrderState; currency: string }>(
      'select state, currency from work_orders where id = $1::uuid for update',
      [id],
    );
    const wo = rows[0];
    if (!wo) return undefined;
    if (FINISHED.has(wo.state)) throw new ApiError('conflict', `A ${wo.state} work order cannot be changed.`);
    return wo;
  }

  async #touch(tx: SqlExecutor, id: string): Promise<void> {
    await tx.query('update work_orders set updated_at = now() where id = $1::uuid', [id]);
  }
}
