// The rule engine as a running part of the device side: the directory of rules and contexts,
// the engine, the alert writer and the checkpoint, wired with a clock. The pipeline hands it
// stored records and events (its "evaluate rules" step) and never waits for it: rules run after
// the PUBACK point, and their database writes go out in the background, one transaction at a
// time: signals first, then the states they leave behind, so a checkpoint never runs ahead of
// the alerts it assumes.
//
// After a restart the service reads the checkpoint back and evaluates again, from QuestDB,
// everything that arrived after it (a crash between the store and the rules step loses no
// alert); records already evaluated are older than their device's checkpointed time and are
// skipped, and alerts already raised are found by their episode key.
import type { DeviceEventRecord, EventBus, FaultReporter, Logger, TelemetryRecord } from '@fleet/shared';
import type { SqlDatabase } from '@fleet/shared/db';
import type { QuestDbHttp } from '@fleet/shared/questdb';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { readArrivedSince } from '../stored-records.ts';
import { writeSignals } from './alert-writer.ts';
import { RuleDirectory } from './directory.ts';
import { type CheckpointEntry, RuleEngine, type RuleStateEntry } from './engine.ts';
import type { AlertSignal } from './types.ts';

const CHECKPOINT_NAME = 'device-side';
/** Rule states per checkpoint transaction (see write()). */
const CHECKPOINT_CHUNK = 2000;

/** Buffered records measured longer ago than this before the checkpoint are not looked for on start. */
const REPLAY_DEVICE_TIME_WINDOW_MS = 86_400_000;

export interface Clock {
  now(): number;
  setInterval(fn: () => void, ms: number): { unref?(): void };
  clearInterval(handle: unknown): void;
}

export const SYSTEM_CLOCK: Clock = {
  now: () => Date.now(),
  setInterval: (fn, ms) => setInterval(fn, ms),
  clearInterval: (handle) => clearInterval(handle as NodeJS.Timeout),
};

export interface RuleServiceDeps {
  db: SqlDatabase;
  questdb: QuestDbHttp;
  bus: EventBus;
  log: Logger;
  faults: FaultReporter;
  metricsRegistry: Registry;
  lateAfterMs: number;
  tickMs: number;
  checkpointMs: number;
  replayMaxRecords: number;
  /** Records stored up to this long before the checkpoint may not have been evaluated yet (commits in flight). */
  replayMarginMs: number;
  clock?: Clock;
}

export interface RuleService {
  readonly engine: RuleEngine;
  readonly directory: RuleDirectory;
  evaluateTelemetry(records: readonly TelemetryRecord[]): void;
  evaluateEvent(event: DeviceEventRecord): void;
  /** Seeds the engine with the newest stored record of each device (the live state's seed). */
  seed(records: readonly TelemetryRecord[]): void;
  /** Writes everything pending now (tests; a clean stop). */
  flush(): Promise<void>;
  close(): Promise<void>;
}

function ruleMetrics(registry: Registry) {
  return {
    records: new Counter({
      name: 'fleet_rules_records_total',
      help: 'Stored records and events the rule engine evaluated',
      labelNames: ['input'],
      registers: [registry],
    }),
    outOfOrder: new Counter({
      name: 'fleet_rules_out_of_order_total',
      help: 'Records older than their device newest evaluated one, skipped by the rules (stored all the same)',
      registers: [registry],
    }),
    errors: new Counter({
      name: 'fleet_rules_errors_total',
      help: 'Records a rule kind threw on (the rule skipped that record; others went on)',
      labelNames: ['kind'],
      registers: [registry],
    }),
    signals: new Counter({
      name: 'fleet_rules_alert_changes_total',
      help: 'Alert changes written by the engine',
      labelNames: ['change'],
      registers: [registry],
    }),
    writeSeconds: new Histogram({
      name: 'fleet_rules_write_seconds',
      help: 'One background write of alerts and rule states',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
    pending: new Gauge({
      name: 'fleet_rules_pending_signals',
      help: 'Alert signals waiting to be written',
      registers: [registry],
    }),
  };
}

export async function startRuleService(deps: RuleServiceDeps): Promise<RuleService> {
  const clock = deps.clock ?? SYSTEM_CLOCK;
  const metrics = ruleMetrics(deps.metricsRegistry);
  let queue: AlertSignal[] = [];
  let newestEvaluated = 0;
  let writing: Promise<void> | undefined;
  let closed = false;
  let lastCheckpointAt = 0;

  const engine = new RuleEngine({
    orgs: { get: (orgId) => directory.get(orgId) },
    emit: (signals) => {
      queue.push(...signals);
      metrics.pending.set(queue.length);
      kick();
    },
    metrics: {
      evaluated: (input) => metrics.records.inc({ input }),
      outOfOrder: () => metrics.outOfOrder.inc(),
      ruleError: (kind) => metrics.errors.inc({ kind }),
    },
    onRuleError: (rule, err) => deps.faults.report('rules', rule.kind, err, { ruleId: rule.id }),
    lateAfterMs: deps.lateAfterMs,
  });
  const directory = new RuleDirectory({
    db: deps.db,
    log: deps.log,
    onReload: (orgId, ruleIds) => engine.forgetRules(orgId, ruleIds),
  });
  await directory.start();

  // Read back where the engine stood.
  const states = await deps.db.query<{ org_id: string; rule_id: string; device_id: string; state: unknown }>(
    'select org_id::text as org_id, rule_id::text as rule_id, device_id, state from rule_states',
  );
  const restored: RuleStateEntry[] = states.map((row) => {
    const state = (
      typeof row.state === 'string' ? JSON.parse(row.state) : row.state
    ) as RuleStateEntry['state'] & {
      lastTs?: number;
    };
    return {
      orgId: row.org_id,
      ruleId: row.rule_id,
      deviceId: row.device_id,
      state: { memory: state.memory ?? {}, episodes: state.episodes ?? {} },
      lastTs: Number(state.lastTs ?? Number.NEGATIVE_INFINITY),
    };
  });
  engine.restore(restored);
  const checkpoint = await deps.db.query<{ at: number | string }>(
    'select extract(epoch from evaluated_through) * 1000 as at from rule_engine_checkpoints where name = $1',
    [CHECKPOINT_NAME],
  );

  function kick(): void {
    if (writing || closed) return;
    writing = write()
      .catch((err: unknown) => deps.faults.report('rules', 'write', err))
      .finally(() => {
        writing = undefined;
        if (queue.length > 0 && !closed) kick();
      });
  }

  /** States taken for a checkpoint that did not commit: written with the next one. */
  let carried: CheckpointEntry[] = [];
  /** The carried states with the newly taken ones; a newer state of a pair replaces its carried one. */
  function withCarried(taken: CheckpointEntry[]): CheckpointEntry[] {
    if (carried.length === 0) return taken;
    const key = (e: CheckpointEntry) => `${e.ruleId}\n${e.deviceId}`;
    const newer = new Set(taken.map(key));
    return [...carried.filter((e) => !newer.has(key(e))), ...taken];
  }

  /** The signals queued so far, in a transaction of their own; back in front of the queue if it fails. */
  async function writeQueued(): Promise<void> {
    const signals = queue;
    if (signals.length === 0) return;
    queue = [];
    metrics.pending.set(0);
    try {
      const changes = await deps.db.transaction((tx) => writeSignals(tx, signals));
      for (const change of changes) {
        metrics.signals.inc({ change: change.change });
        deps.bus.publish('alert', change);
      }
    } catch (err) {
      // The database refused or is away: tried again on the next write (a unique episode key
      // makes a second try harmless).
      queue = [...signals, ...queue];
      metrics.pending.set(queue.length);
      throw err;
    }
  }

  /**
   * One background write: the signals so far (an alert never waits behind a checkpoint), then,
   * when due, the states as they stood when those signals were taken, so a checkpoint never
   * runs ahead of the alerts it implies. The states go in chunks of CHECKPOINT_CHUNK, each its
   * own transaction, with the signals raised meanwhile written between them: a checkpoint of
   * every (rule, device) pair of a large fleet takes seconds in the embedded database. The
   * checkpoint's mark moves with the last chunk only.
   */
  async function write(): Promise<void> {
    const due = clock.now() - lastCheckpointAt >= deps.checkpointMs;
    const through = newestEvaluated;
    const hadSignals = queue.length;
    let stopTimer: (() => void) | undefined;
    try {
      const entries: CheckpointEntry[] = due ? withCarried(engine.takeDirty()) : [];
      if (due) carried = entries;
      if (queue.length === 0 && entries.length === 0) return;
      stopTimer = metrics.writeSeconds.startTimer();
      await writeQueued();
      if (!due) return;
      for (let i = 0; i < entries.length || i === 0; i += CHECKPOINT_CHUNK) {
        if (i > 0) await writeQueued();
        const chunk = entries.slice(i, i + CHECKPOINT_CHUNK);
        const last = i + CHECKPOINT_CHUNK >= entries.length;
        // Until this chunk commits, it and the rest go with the next checkpoint.
        carried = entries.slice(i);
        await deps.db.transaction(async (tx) => {
          await writeStates(tx, chunk);
          if (last && through > 0)
            await tx.query(
              `insert into rule_engine_checkpoints (name, evaluated_through) values ($1, to_timestamp($2::float8 / 1000))
               on conflict (name) do update set evaluated_through = excluded.evaluated_through, updated_at = now()`,
              [CHECKPOINT_NAME, through],
            );
        });
      }
      carried = [];
      lastCheckpointAt = clock.now();
    } catch (err) {
      deps.faults.report('rules', 'write', err, { signals: hadSignals });
    } finally {
      stopTimer?.();
    }
  }

  async function writeStates(
    tx: Parameters<Parameters<SqlDatabase['transaction']>[0]>[0],
    entries: CheckpointEntry[],
  ) {
    const keep = entries.filter((e) => e.json !== null);
    const drop = entries.filter((e) => e.json === null);
    if (keep.length > 0)
      await tx.query(
        `insert into rule_states (org_id, rule_id, device_id, state, updated_at)
         select (e->>'o')::uuid, (e->>'r')::uuid, e->>'d', (e->>'s')::jsonb, now() from jsonb_array_elements($1::jsonb) e
         on conflict (rule_id, device_id) do update set state = excluded.state, updated_at = now()`,
        [JSON.stringify(keep.map((e) => ({ o: e.orgId, r: e.ruleId, d: e.deviceId, s: e.json })))],
      );
    if (drop.length > 0)
      await tx.query(
        `delete from rule_states s using jsonb_array_elements($1::jsonb) e
          where s.rule_id = (e->>'r')::uuid and s.device_id = e->>'d'`,
        [JSON.stringify(drop.map((e) => ({ r: e.ruleId, d: e.deviceId })))],
      );
  }

  const service: RuleService = {
    engine,
    directory,
    evaluateTelemetry(records) {
      engine.evaluateTelemetry(records);
      for (const r of records) if (r.receivedAt > newestEvaluated) newestEvaluated = r.receivedAt;
    },
    evaluateEvent(event) {
      engine.evaluateEvent(event);
      if (event.receivedAt > newestEvaluated) newestEvaluated = event.receivedAt;
    },
    seed(records) {
      engine.seed(records, clock.now());
    },
    async flush() {
      lastCheckpointAt = 0;
      kick();
      while (writing) await writing;
      lastCheckpointAt = 0;
      kick();
      while (writing) await writing;
    },
    async close() {
      clock.clearInterval(tickTimer);
      clock.clearInterval(checkpointTimer);
      await service.flush();
      closed = true;
      await directory.stop();
    },
  };

  // Catch up with what arrived after the checkpoint (the records a crash left unevaluated).
  const through = checkpoint[0] ? Number(checkpoint[0].at) : undefined;
  if (through !== undefined) {
    const since = through - deps.replayMarginMs;
    const arrived = await readArrivedSince(
      deps.questdb,
      since,
      since - REPLAY_DEVICE_TIME_WINDOW_MS,
      deps.replayMaxRecords,
    ).catch((err: unknown) => {
      deps.log.warn({ err }, 'could not read the records after the rule checkpoint; rules go on from now');
      return { telemetry: [], events: [] };
    });
    // In arrival order, events and records interleaved as they came.
    const inputs = [
      ...arrived.telemetry.map((r) => ({ at: r.receivedAt, telemetry: r })),
      ...arrived.events.map((e) => ({ at: e.receivedAt, event: e })),
    ].sort((a, b) => a.at - b.at);
    for (const input of inputs) {
      if ('telemetry' in input && input.telemetry) service.evaluateTelemetry([input.telemetry]);
      else if ('event' in input && input.event) service.evaluateEvent(input.event);
    }
    if (inputs.length > 0)
      deps.log.info(
        { records: arrived.telemetry.length, events: arrived.events.length },
        'rules evaluated again the records after their checkpoint',
      );
  }

  const tickTimer = clock.setInterval(() => {
    try {
      engine.tick(clock.now());
    } catch (err) {
      deps.faults.report('rules', 'tick', err);
    }
  }, deps.tickMs);
  tickTimer.unref?.();
  const checkpointTimer = clock.setInterval(() => kick(), deps.checkpointMs);
  checkpointTimer.unref?.();
  return service;
}
