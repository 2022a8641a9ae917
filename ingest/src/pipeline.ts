// The ingest pipeline as data: each flow is an ordered list of named steps (steps/), run one
// after the other on one message. Every message of a device's telemetry or events topic goes
// through one of the two flows below. The store step is the PUBACK point: the flow returns
// only after it has committed, and the broker acknowledges only then (a PUBACK means
// "stored"); everything after it (live state, rules, live views) sees stored records only.
import type { DeviceEventRecord, EventBus } from '@fleet/shared';
import type { GroupCommitWriter } from './group-commit.ts';
import type { LiveStateStore } from './live-state.ts';
import type { IngestMetrics } from './metrics.ts';
import type { DeviceSession } from './normalize.ts';
import { PayloadRejects, RejectBudget } from './rejects.ts';
import type { StoredRow } from './rows.ts';
import type { EventWork } from './steps/events.ts';
import * as events from './steps/events.ts';
import {
  type IngestLimits,
  type IngestOutcome,
  type JobSink,
  type MeterSink,
  type PipelineStep,
  type RuleSink,
  runFlow,
  type StepContext,
  type TripSink,
} from './steps/step.ts';
import { keepRejects, store } from './steps/store.ts';
import type { TelemetryWork } from './steps/telemetry.ts';
import * as telemetry from './steps/telemetry.ts';
import type { ValidationPolicy } from './validate.ts';

export type { IngestLimits, IngestOutcome, JobSink, MeterSink, RuleSink, TripSink };

/** devices/{id}/telemetry: a TelemetryBatch. */
export const TELEMETRY_STEPS: readonly PipelineStep<TelemetryWork>[] = [
  telemetry.decode,
  telemetry.validate,
  keepRejects,
  store, // the PUBACK point
  telemetry.countStored,
  telemetry.updateLiveState,
  telemetry.evaluateRules,
  telemetry.trackMeters,
  telemetry.trackJobs,
  telemetry.trackTrips,
  telemetry.publish,
];

/** devices/{id}/events: one DeviceEvent. */
export const EVENT_STEPS: readonly PipelineStep<EventWork>[] = [
  events.decodeAndValidate,
  keepRejects,
  store, // the PUBACK point
  events.countStored,
  events.evaluateRules,
  events.publish,
];

export interface IngestDeps {
  writer: GroupCommitWriter<StoredRow>;
  liveState: LiveStateStore;
  bus: EventBus;
  metrics: IngestMetrics;
  policy: ValidationPolicy;
  limits: IngestLimits;
  /** The rule engine (ingest/src/rules); none: no rules evaluated. */
  rules?: RuleSink;
  /** Counts a throw out of the rules step (the record is stored and acknowledged all the same). */
  onRulesError?(err: unknown): void;
  /** The maintenance meter tracker (ingest/src/maintenance); none: meters not followed. */
  meters?: MeterSink;
  onMetersError?(err: unknown): void;
  /** The job tracker (ingest/src/jobs); none: jobs not moved by telemetry. */
  jobs?: JobSink;
  onJobsError?(err: unknown): void;
  /** The trip and stop detectors (ingest/src/trips); none: trips not kept. */
  trips?: TripSink;
  onTripsError?(err: unknown): void;
  now?: () => number;
}

export interface IngestPipeline {
  ingestTelemetry(session: DeviceSession, payload: Uint8Array): Promise<IngestOutcome>;
  ingestEvent(session: DeviceSession, payload: Uint8Array): Promise<IngestOutcome>;
  /** Stores a broker-made event (CONNECTED / DISCONNECTED) and publishes it. */
  recordEvent(event: DeviceEventRecord): Promise<void>;
}

export function createIngestPipeline(deps: IngestDeps): IngestPipeline {
  const now = deps.now ?? Date.now;
  const ctx: StepContext = {
    writer: deps.writer,
    liveState: deps.liveState,
    bus: deps.bus,
    metrics: deps.metrics,
    policy: deps.policy,
    limits: deps.limits,
    budget: new RejectBudget(deps.limits.deviceRejectRate, deps.limits.deviceRejectBurst, now),
    rules: deps.rules,
    onRulesError: deps.onRulesError,
    meters: deps.meters,
    onMetersError: deps.onMetersError,
    jobs: deps.jobs,
    onJobsError: deps.onJobsError,
    trips: deps.trips,
    onTripsError: deps.onTripsError,
  };
  const work = (topic: 'telemetry' | 'events', session: DeviceSession, payload: Uint8Array) => ({
    topic,
    session,
    payload,
    receivedAt: now(),
    rejects: new PayloadRejects(),
    total: 0,
    rows: [] as StoredRow[],
  });

  return {
    ingestTelemetry: (session, payload) =>
      runFlow(
        TELEMETRY_STEPS,
        { ...work('telemetry', session, payload), decoded: [], accepted: [], advanced: [] },
        ctx,
      ),

    ingestEvent: (session, payload) =>
      runFlow(EVENT_STEPS, { ...work('events', session, payload), event: undefined }, ctx),

    async recordEvent(event) {
      await deps.writer.write([{ table: 'events', event }]);
      deps.bus.publish('device-event', event);
    },
  };
}
