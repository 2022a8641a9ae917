// Maintenance as a running part of the device side: the meter tracker fed by the pipeline's
// "track meters" step, written out every few seconds (each asset's current meters, one sample
// a day, the readings refused), and the monitor of due services, which turns the organisation's
// service-due rules into alerts through the rule engine's alert writer (so they have the same
// lifecycle, timeline, notifications and hub topic as every other alert) and opens the work
// orders plans ask for. An organisation is evaluated again when its meters moved, when its
// plans, work orders, manual readings or rules changed (NOTIFY), and every minute for the
// calendar. Nothing here runs on the pipeline's path: observe() only updates memory.
import type { EventBus, FaultReporter, Logger, RuleDefinition, TelemetryRecord } from '@fleet/shared';
import {
  type AssetPlanStatus,
  dueStatuses,
  insertWorkOrder,
  loadMaintenanceSnapshot,
  type MaintenanceSnapshot,
  type SqlDatabase,
  type SqlExecutor,
} from '@fleet/shared/db';
import type { Meter } from '@fleet/shared/maintenance';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { writeSignals } from '../rules/alert-writer.ts';
import { RULE_CONTEXT_CHANNEL, type RuleDirectory } from '../rules/directory.ts';
import type { Clock } from '../rules/service.ts';
import { SYSTEM_CLOCK } from '../rules/service.ts';
import { type MeterChange, MeterTracker } from './meters.ts';
import { evaluateDue, remainingText, type ServiceDueRule } from './monitor.ts';

export const MAINTENANCE_CHANNEL = 'fleet_maintenance';

export interface MaintenanceServiceDeps {
  db: SqlDatabase;
  bus: EventBus;
  log: Logger;
  faults: FaultReporter;
  metricsRegistry: Registry;
  /** The rule engine's directory: which asset a device is on, the service-due rules, departments. */
  directory: RuleDirectory;
  /** How often meters are written and moved organisations evaluated. */
  flushMs: number;
  /** How often every organisation is evaluated (the calendar moves on). */
  refreshMs: number;
  clock?: Clock;
}

export interface MaintenanceService {
  readonly tracker: MeterTracker;
  /** Stored records (the pipeline's "track meters" step). */
  observe(records: readonly TelemetryRecord[]): void;
  /** Writes meters and evaluates what is due now (tests; a clean stop). */
  flush(): Promise<void>;
  /** Reads every organisation again and evaluates it now; returns how many asset-plan statuses it computed. */
  refreshAll(): Promise<number>;
  close(): Promise<void>;
}

function maintenanceMetrics(registry: Registry) {
  return {
    readings: new Counter({
      name: 'fleet_maintenance_meter_readings_total',
      help: 'Odometer and engine-hour readings from telemetry, by verdict (accepted, flagged, stale)',
      labelNames: ['verdict'],
      registers: [registry],
    }),
    evaluations: new Histogram({
      name: 'fleet_maintenance_evaluation_seconds',
      help: 'Time to evaluate the due services of one organisation',
      buckets: [0.001, 0.005, 0.02, 0.1, 0.5, 2, 10],
      registers: [registry],
    }),
    workOrders: new Counter({
      name: 'fleet_maintenance_work_orders_opened_total',
      help: 'Work orders opened by service plans that ask for one',
      registers: [registry],
    }),
    pending: new Gauge({
      name: 'fleet_maintenance_pending_meter_writes',
      help: 'Meter changes and refused readings waiting to be written',
      registers: [registry],
    }),
  };
}

interface OrgState {
  snapshot: MaintenanceSnapshot | undefined;
  /** Episode keys of its active service-due alerts. */
  known: Set<string>;
  currency: string;
}

export async function startMaintenanceService(deps: MaintenanceServiceDeps): Promise<MaintenanceService> {
  const clock = deps.clock ?? SYSTEM_CLOCK;
  const metrics = maintenanceMetrics(deps.metricsRegistry);
  const tracker = new MeterTracker();
  const orgs = new Map<string, OrgState>();
  /** Organisations whose snapshot must be read again (NOTIFY). */
  const stale = new Set<string>();
  /** Organisations whose meters moved since they were last evaluated. */
  const moved = new Set<string>();
  let closed = false;
  let running: Promise<void> | undefined;
  const counted = { accepted: 0, flagged: 0, stale: 0 };

  // What the database believes now: the readings the tracker checks new ones against.
  const meterRows = await deps.db.query<{
    org_id: string;
    asset_id: string;
    odometer_km: number | null;
    odometer_at: Date | string | null;
    odometer_source: 'telemetry' | 'manual' | 'work_order' | null;
    odometer_basis: string | null;
    engine_hours: number | null;
    engine_hours_at: Date | string | null;
    engine_hours_source: 'telemetry' | 'manual' | 'work_order' | null;
    engine_hours_basis: string | null;
  }>(
    `select org_id::text as org_id, asset_id::text as asset_id, odometer_km, odometer_at, odometer_source,
            odometer_basis, engine_hours, engine_hours_at, engine_hours_source, engine_hours_basis from asset_meters`,
  );
  for (const m of meterRows) loadMeterRow(m);
  const alertRows = await deps.db.query<{ org_id: string; episode_key: string }>(
    `select org_id::text as org_id, episode_key from alerts where kind = 'service_due' and active`,
  );
  for (const a of alertRows) org(a.org_id).known.add(a.episode_key);

  function loadMeterRow(m: (typeof meterRows)[number]): void {
    if (m.odometer_km !== null && m.odometer_at !== null && m.odometer_source !== null)
      tracker.load(m.org_id, m.asset_id, 'odometer', {
        value: Number(m.odometer_km),
        at: new Date(m.odometer_at).getTime(),
        source: m.odometer_source,
        basis: m.odometer_basis,
      });
    if (m.engine_hours !== null && m.engine_hours_at !== null && m.engine_hours_source !== null)
      tracker.load(m.org_id, m.asset_id, 'engine_hours', {
        value: Number(m.engine_hours),
        at: new Date(m.engine_hours_at).getTime(),
        source: m.engine_hours_source,
        basis: m.engine_hours_basis,
      });
  }

  function org(orgId: string): OrgState {
    let state = orgs.get(orgId);
    if (!state) {
      state = { snapshot: undefined, known: new Set(), currency: 'EUR' };
      orgs.set(orgId, state);
      stale.add(orgId);
    }
    return state;
  }

  const onChange = (orgId: string) => {
    if (/^[0-9a-f-]{36}$/i.test(orgId)) {
      org(orgId);
      stale.add(orgId);
    }
  };
  const stopMaintenance = await deps.db.listen(MAINTENANCE_CHANNEL, onChange);
  const stopRules = await deps.db.listen(RULE_CONTEXT_CHANNEL, onChange);
  const organisations = await deps.db.query<{ id: string }>(
    'select id::text as id from organisations where suspended_at is null',
  );
  for (const o of organisations) org(o.id);

  async function writeMeters(): Promise<void> {
    const drained = tracker.drain();
    metrics.readings.inc({ verdict: 'accepted' }, tracker.counts.accepted - counted.accepted);
    metrics.readings.inc({ verdict: 'flagged' }, tracker.counts.flagged - counted.flagged);
    metrics.readings.inc({ verdict: 'stale' }, tracker.counts.stale - counted.stale);
    Object.assign(counted, tracker.counts);
    if (drained.changes.length === 0 && drained.flagged.length === 0) return;
    try {
      await deps.db.transaction(async (tx) => {
        await upsertMeters(tx, drained.changes);
        const samples = drained.changes.filter((c) => c.daySample);
        if (samples.length > 0)
          await tx.query(
            `insert into meter_readings (org_id, asset_id, meter, value, read_at, source, device_id)
             select o, a, m, v, to_timestamp(t / 1000), 'telemetry', d
               from jsonb_to_recordset($1::jsonb) as x(o uuid, a uuid, m text, v float8, t float8, d text)
              where exists (select 1 from assets where id = a) and v >= 0 and v < 100000000`,
            [
              JSON.stringify(
                samples.map((c) => ({
                  o: c.orgId,
                  a: c.assetId,
                  m: c.meter,
                  v: c.reading.value,
                  t: c.reading.at,
                  d: c.deviceId,
                })),
              ),
            ],
          );
        const f = drained.flagged;
        if (f.length > 0)
          await tx.query(
            `insert into meter_readings (org_id, asset_id, meter, value, read_at, source, device_id, flag, previous_value)
             select o, a, m, v, to_timestamp(t / 1000), 'telemetry', d, fl, p
               from jsonb_to_recordset($1::jsonb)
                 as x(o uuid, a uuid, m text, v float8, t float8, d text, fl text, p float8)
              where exists (select 1 from assets where id = a) and v >= 0 and v < 100000000`,
            [
              JSON.stringify(
                f.map((r) => ({
                  o: r.orgId,
                  a: r.assetId,
                  m: r.meter,
                  v: r.value,
                  t: r.at,
                  d: r.deviceId,
                  fl: r.flag,
                  p: r.previousValue,
                })),
              ),
            ],
          );
      });
    } catch (err) {
      tracker.restore(drained);
      throw err;
    } finally {
      metrics.pending.set(tracker.pending);
    }
    for (const c of drained.changes) moved.add(c.orgId);
  }

  async function evaluate(orgId: string): Promise<number> {
    const state = org(orgId);
    const stop = metrics.evaluations.startTimer();
    if (stale.has(orgId) || state.snapshot === undefined) {
      stale.delete(orgId);
      const [snapshot, currency] = await Promise.all([
        loadMaintenanceSnapshot(deps.db, orgId),
        deps.db.query<{ currency: string; suspended: boolean }>(
          'select currency, suspended_at is not null as suspended from organisations where id = $1::uuid',
          [orgId],
        ),
      ]);
      if (!currency[0] || currency[0].suspended) {
        orgs.delete(orgId);
        stop();
        return 0;
      }
      state.snapshot = snapshot;
      state.currency = currency[0].currency;
      // A person's reading (or a work order's) is what telemetry is checked against from now on.
      for (const [assetId, m] of snapshot.meters) {
        const current = (meter: Meter) => tracker.current(assetId, meter);
        if (m.odometerKm !== null && m.odometerAt !== null && (current('odometer')?.at ?? 0) < m.odometerAt)
          tracker.load(orgId, assetId, 'odometer', {
            value: m.odometerKm,
            at: m.odometerAt,
            source: 'manual',
            basis: null,
          });
        if (
          m.engineHours !== null &&
          m.engineHoursAt !== null &&
          (current('engine_hours')?.at ?? 0) < m.engineHoursAt
        )
          tracker.load(orgId, assetId, 'engine_hours', {
            value: m.engineHours,
            at: m.engineHoursAt,
            source: 'manual',
            basis: null,
          });
      }
    }
    const snapshot = state.snapshot as MaintenanceSnapshot;
    const now = clock.now();
    const statuses = dueStatuses(snapshot, now, {
      meters: (assetId) => ({
        odometerKm: tracker.current(assetId, 'odometer')?.value,
        engineHours: tracker.current(assetId, 'engine_hours')?.value,
      }),
    });
    const rules = (deps.directory.get(orgId)?.rules ?? []).filter(
      (r: RuleDefinition): r is ServiceDueRule => r.kind === 'service_due',
    );
    const result = evaluateDue({
      orgId,
      statuses,
      rules,
      departmentPath: (id) => deps.directory.get(orgId)?.departmentPath(id) ?? [],
      known: state.known,
      now,
    });
    if (result.signals.length > 0 || result.workOrders.length > 0) {
      const opened: string[] = [];
      const changes = await deps.db.transaction(async (tx) => {
        for (const s of result.workOrders) {
          const id = await openServiceWorkOrder(tx, orgId, state.currency, s);
          if (id !== undefined) opened.push(id);
        }
        return writeSignals(tx, result.signals);
      });
      state.known = result.active;
      for (const change of changes) deps.bus.publish('alert', change);
      if (opened.length > 0) {
        metrics.workOrders.inc(opened.length);
        stale.add(orgId); // its open work orders changed
      }
    }
    stop();
    return statuses.length;
  }

  async function cycle(all: boolean): Promise<number> {
    await writeMeters();
    let computed = 0;
    // A full refresh reads every organisation again (a missed NOTIFY costs at most one period).
    if (all) {
      const listed = await deps.db.query<{ id: string }>(
        'select id::text as id from organisations where suspended_at is null',
      );
      for (const o of listed) org(o.id);
      for (const orgId of orgs.keys()) stale.add(orgId);
    }
    const due = all ? [...orgs.keys()] : [...new Set([...stale, ...moved])];
    moved.clear();
    for (const orgId of due) {
      if (closed) break;
      try {
        computed += await evaluate(orgId);
      } catch (err) {
        stale.add(orgId);
        deps.faults.report('maintenance', 'evaluate', err, { orgId });
      }
    }
    return computed;
  }

  let lastFull = clock.now();
  function run(all: boolean): Promise<number> {
    const previous = running ?? Promise.resolve();
    let computed = 0;
    const next = previous
      .then(async () => {
        computed = await cycle(all);
      })
      .catch((err: unknown) => deps.faults.report('maintenance', 'cycle', err));
    // `running` is the promise finally() returns, so that is what it is compared with: comparing
    // it with `next` never matched, and the timer, which skips while a run is on, never ran again.
    const tracked: Promise<void> = next.finally(() => {
      if (running === tracked) running = undefined;
    });
    running = tracked;
    return next.then(() => computed);
  }

  const timer = clock.setInterval(() => {
    if (closed || running) return;
    const full = clock.now() - lastFull >= deps.refreshMs;
    if (full) lastFull = clock.now();
    void run(full);
  }, deps.flushMs);
  timer.unref?.();

  return {
    tracker,
    observe(records) {
      for (const r of records) {
        if (r.odometerKm === undefined && r.engineHours === undefined) continue;
        const asset = deps.directory.get(r.tenant)?.context.assetOf(r.deviceId);
        if (asset) tracker.observe(r, asset);
      }
      metrics.pending.set(tracker.pending);
    },
    async flush() {
      await deps.directory.settled();
      await run(false);
    },
    refreshAll: () => run(true),
    async close() {
      closed = true;
      clock.clearInterval(timer);
      await stopMaintenance();
      await stopRules();
      await running;
      await writeMeters().catch((err: unknown) => deps.faults.report('maintenance', 'close', err));
    },
  };
}

async function upsertMeters(tx: SqlExecutor, changes: readonly MeterChange[]): Promise<void> {
  for (const meter of ['odometer', 'engine_hours'] as const) {
    const c = changes.filter((x) => x.meter === meter);
    if (c.length === 0) continue;
    const col = meter === 'odometer' ? 'odometer' : 'engine_hours';
    const value = meter === 'odometer' ? 'odometer_km' : 'engine_hours';
    // Only forward: a person's newer reading is not overwritten by an older record.
    await tx.query(
      `insert into asset_meters (asset_id, org_id, ${value}, ${col}_at, ${col}_source, ${col}_basis)
       select a, o, v, to_timestamp(t / 1000), 'telemetry', b
         from jsonb_to_recordset($1::jsonb) as x(a uuid, o uuid, v float8, t float8, b text)
        -- What the table would refuse never reaches it: one bad value must not block every asset's.
        where exists (select 1 from assets where id = a) and v >= 0 and v < ${meter === 'odometer' ? 100_000_000 : 10_000_000}
       on conflict (asset_id) do update set ${value} = excluded.${value}, ${col}_at = excluded.${col}_at,
         ${col}_source = excluded.${col}_source, ${col}_basis = excluded.${col}_basis, updated_at = now()
       where asset_meters.${col}_at is null or asset_meters.${col}_at < excluded.${col}_at`,
      [
        JSON.stringify(
          c.map((x) => ({
            a: x.assetId,
            o: x.orgId,
            v: x.reading.value,
            t: x.reading.at,
            b: x.reading.basis,
          })),
        ),
      ],
    );
  }
}

async function openServiceWorkOrder(
  tx: SqlExecutor,
  orgId: string,
  currency: string,
  s: AssetPlanStatus,
): Promise<string | undefined> {
  const left = remainingText(s.status);
  return insertWorkOrder(tx, {
    orgId,
    assetId: s.asset.id,
    planId: s.plan.id,
    source: 'service_due',
    alertId: null,
    driverId: null,
    title: `${s.plan.name}`.slice(0, 200),
    description: `Opened by the service plan${left ? ` (${left})` : ''}.${
      s.plan.items.length > 0 ? ` Items: ${s.plan.items.join(', ')}.` : ''
    }`.slice(0, 4000),
    priority: s.status.level === 'overdue' ? 'high' : 'normal',
    assigneeId: null,
    dueOn: s.status.dueAt === null ? null : new Date(s.status.dueAt).toISOString().slice(0, 10),
    dtcCode: null,
    dtcDescription: null,
    currency,
    createdBy: null,
    tasks: s.plan.items,
  });
}
