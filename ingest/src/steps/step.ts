// What every step of the ingest pipeline sees: the message on its way (its work), and the
// pipeline's parts (its context). A step reads and adds to the work; a step that ends the flow
// early (nothing left to do, the store refused the rows) sets the work's outcome.
import type { DeviceEventRecord, EventBus, TelemetryRecord } from '@fleet/shared';
import type { GroupCommitWriter } from '../group-commit.ts';
import type { LiveStateStore } from '../live-state.ts';
import type { IngestMetrics } from '../metrics.ts';
import type { DeviceSession } from '../normalize.ts';
import type { PayloadRejects, RecordRejection, RejectBudget } from '../rejects.ts';
import type { RejectRecord, StoredRow } from '../rows.ts';
import type { ValidationPolicy } from '../validate.ts';

export interface IngestLimits {
  maxPayloadBytes: number;
  maxRecordsPerBatch: number;
  rejectSampleBytes: number;
  /** Reject rows stored per second per device, and at once (RejectBudget). */
  deviceRejectRate: number;
  deviceRejectBurst: number;
}

/** The rules step: stored records and events go to the rule engine, which never blocks the pipeline. */
export interface RuleSink {
  evaluateTelemetry(records: readonly TelemetryRecord[]): void;
  evaluateEvent(event: DeviceEventRecord): void;
}

/** A part that follows stored records without holding the pipeline up (meters, jobs). */
export interface RecordSink {
  observe(records: readonly TelemetryRecord[]): void;
}
/** The "track meters" step: stored records' odometer and engine hours to the maintenance tracker. */
export type MeterSink = RecordSink;
/** The "track jobs" step: stored fixes of booked vehicles to the job tracker. */
export type JobSink = RecordSink;
/** The "track trips" step: stored fixes to the trip and stop detectors. */
export type TripSink = RecordSink;

/** What happened to one message; the broker tells the device about rejects. */
export interface IngestOutcome {
  stored: number;
  /** Every refused record (seq exact, as a decimal above 2^53 - 1), or the whole payload. */
  rejected: RecordRejection[];
}

export interface StepContext {
  writer: GroupCommitWriter<StoredRow>;
  liveState: LiveStateStore;
  bus: EventBus;
  metrics: IngestMetrics;
  policy: ValidationPolicy;
  limits: IngestLimits;
  budget: RejectBudget;
  rules: RuleSink | undefined;
  onRulesError: ((err: unknown) => void) | undefined;
  meters: MeterSink | undefined;
  onMetersError: ((err: unknown) => void) | undefined;
  jobs: JobSink | undefined;
  onJobsError: ((err: unknown) => void) | undefined;
  trips: TripSink | undefined;
  onTripsError: ((err: unknown) => void) | undefined;
}

/** One message from one device on its way through a flow. */
export interface MessageWork {
  readonly topic: RejectRecord['topic'];
  readonly session: DeviceSession;
  readonly payload: Uint8Array;
  readonly receivedAt: number;
  readonly rejects: PayloadRejects;
  /** Records the payload held (0 when it did not decode). */
  total: number;
  /** Rows for the store step: accepted records and the payload's reject row. */
  rows: StoredRow[];
  /** Set by a step that ends the flow; the last step sets it otherwise. */
  outcome?: IngestOutcome;
}

export interface PipelineStep<W extends MessageWork> {
  readonly name: string;
  run(work: W, ctx: StepContext): void | Promise<void>;
}

/** Runs a flow's steps in order until one of them sets the outcome. */
export function runFlow<W extends MessageWork>(
  steps: readonly PipelineStep<W>[],
  work: W,
  ctx: StepContext,
): Promise<IngestOutcome> {
  try {
    return runFrom(steps, 0, work, ctx);
  } catch (err) {
    return Promise.reject(err);
  }
}

/**
 * Steps from `from` on: synchronous ones run straight through, and only a step that returns a
 * promise (the store) is waited for. Awaiting every step cost a microtask turn each, eleven a
 * message, a few % of the device side's CPU at 7,000 messages a second (bench/REPORT.md).
 */
function runFrom<W extends MessageWork>(
  steps: readonly PipelineStep<W>[],
  from: number,
  work: W,
  ctx: StepContext,
): Promise<IngestOutcome> {
  for (let i = from; i < steps.length; i++) {
    const pending = (steps[i] as PipelineStep<W>).run(work, ctx);
    if (pending !== undefined) return pending.then(() => afterStep(steps, i, work, ctx));
    if (work.outcome) return Promise.resolve(work.outcome);
  }
  return Promise.reject(noOutcome(steps));
}

function afterStep<W extends MessageWork>(
  steps: readonly PipelineStep<W>[],
  i: number,
  work: W,
  ctx: StepContext,
): Promise<IngestOutcome> {
  if (work.outcome) return Promise.resolve(work.outcome);
  return runFrom(steps, i + 1, work, ctx);
}

const noOutcome = (steps: readonly PipelineStep<MessageWork>[]) =>
  new Error(`the flow ${steps.map((s) => s.name).join(' > ')} ended without an outcome`);

/** After the PUBACK point: a rule failure must never undo or delay what was stored. */
export function evaluateRules(
  ctx: StepContext,
  run: (rules: NonNullable<StepContext['rules']>) => void,
): void {
  if (!ctx.rules) return;
  try {
    run(ctx.rules);
  } catch (err) {
    ctx.onRulesError?.(err);
  }
}
