// The telemetry flow's own steps (topic devices/{id}/telemetry): a TelemetryBatch decoded,
// each record validated, the accepted ones stored, then the live state, the rules and the
// live views. The order is the pipeline's (pipeline.ts), the work is here.
import { decodeTelemetryBatch, type TelemetryMessage } from '@fleet/proto';
import type { PositionEvent, TelemetryRecord } from '@fleet/shared';
import { toTelemetryRecord } from '../normalize.ts';
import { type Verdict, validateTelemetry } from '../validate.ts';
import {
  type MessageWork,
  type PipelineStep,
  type RecordSink,
  evaluateRules as runRules,
  type StepContext,
} from './step.ts';

export interface TelemetryWork extends MessageWork {
  decoded: TelemetryMessage[];
  accepted: TelemetryRecord[];
  /** Positions the live state advanced (at most one per device). */
  advanced: PositionEvent[];
}

export const decode: PipelineStep<TelemetryWork> = {
  name: 'decode',
  run(work, ctx) {
    ctx.metrics.messages.inc({ topic: 'telemetry' });
    const decoded = decodeTelemetryBatch(work.payload, {
      maxBytes: ctx.limits.maxPayloadBytes,
      maxRecords: ctx.limits.maxRecordsPerBatch,
    });
    if (!decoded.ok) work.rejects.add(decoded.reason, decoded.detail);
    else if (decoded.value.length === 0) work.rejects.add('empty_batch', 'a batch with no records');
    else {
      work.total = decoded.value.length;
      work.decoded = decoded.value;
    }
  },
};

/**
 * Storage keeps one row per (ts, device) (DESIGN.md dedup keys), so a second record with the
 * same device time in one batch would silently replace the first: it is rejected instead, and
 * kept with its reason.
 */
export const validate: PipelineStep<TelemetryWork> = {
  name: 'validate',
  run(work, ctx) {
    const seenTs = new Set<number>();
    for (const message of work.decoded) {
      const record = toTelemetryRecord(message, work.session, work.receivedAt);
      let verdict = seqVerdict(message) ?? validateTelemetry(record, work.receivedAt, ctx.policy);
      if (verdict.ok && seenTs.has(record.ts)) {
        verdict = { ok: false, reason: 'duplicate_ts', detail: `ts_ms=${record.ts} twice in one batch` };
      }
      if (verdict.ok) {
        seenTs.add(record.ts);
        work.accepted.push(record);
        work.rows.push({ table: 'telemetry', record });
      } else {
        work.rejects.add(verdict.reason, verdict.detail, {
          seq: message.seqOverflow ?? record.seq,
          ts: record.ts,
        });
      }
    }
  },
};

/** Counts what was stored; the PUBACK point is behind us. */
export const countStored: PipelineStep<TelemetryWork> = {
  name: 'count',
  run(work, ctx) {
    ctx.metrics.records.inc({ outcome: 'stored' }, work.accepted.length);
    if (work.rejects.count > 0) ctx.metrics.records.inc({ outcome: 'rejected' }, work.rejects.count);
  },
};

/** The newest position per device advances only with a newer device time (late data stays put). */
export const updateLiveState: PipelineStep<TelemetryWork> = {
  name: 'update live state',
  async run(work, ctx) {
    if (work.accepted.length === 0) return;
    work.advanced = await ctx.liveState.applyTelemetry(work.accepted);
    const late = work.accepted.length - work.advanced.length;
    if (late > 0 && work.advanced.length === 0) ctx.metrics.lateRecords.inc(late);
  },
};

export const evaluateRules: PipelineStep<TelemetryWork> = {
  name: 'evaluate rules',
  run(work, ctx) {
    if (work.accepted.length > 0) runRules(ctx, (rules) => rules.evaluateTelemetry(work.accepted));
  },
};

/** After the PUBACK point too: a failure here is counted and the record stays stored and acknowledged. */
/** A step that hands the stored records to a part that follows them; its throw never fails the message. */
function observeStep(
  name: string,
  part: (ctx: StepContext) => { sink: RecordSink | undefined; onError: ((err: unknown) => void) | undefined },
): PipelineStep<TelemetryWork> {
  return {
    name,
    run(work, ctx) {
      const { sink, onError } = part(ctx);
      if (!sink || work.accepted.length === 0) return;
      try {
        sink.observe(work.accepted);
      } catch (err) {
        onError?.(err);
      }
    },
  };
}

export const trackMeters = observeStep('track meters', (ctx) => ({
  sink: ctx.meters,
  onError: ctx.onMetersError,
}));
export const trackJobs = observeStep('track jobs', (ctx) => ({ sink: ctx.jobs, onError: ctx.onJobsError }));
export const trackTrips = observeStep('track trips', (ctx) => ({
  sink: ctx.trips,
  onError: ctx.onTripsError,
}));

export const publish: PipelineStep<TelemetryWork> = {
  name: 'publish',
  run(work, ctx) {
    // Live views in other processes keep their copy from the newest record of each device.
    const newest = new Map<string, TelemetryRecord>();
    for (const r of work.accepted) {
      const seen = newest.get(r.deviceId);
      if (!seen || r.ts > seen.ts) newest.set(r.deviceId, r);
    }
    for (const record of newest.values()) ctx.bus.publish('latest', record);
    for (const position of work.advanced) {
      ctx.bus.publish('position', position);
      ctx.metrics.positionsPublished.inc();
    }
    work.outcome = { stored: work.accepted.length, rejected: work.rejects.rejections };
  },
};

/**
 * A sequence number above 2^53 - 1 cannot be stored or compared exactly as a JS number (it was
 * acknowledged and stored as NULL): it is refused, and named exactly in the reject and notice.
 */
export function seqVerdict(message: Pick<TelemetryMessage, 'seqOverflow'>): Verdict | undefined {
  if (message.seqOverflow === undefined) return undefined;
  return {
    ok: false,
    reason: 'seq_out_of_range',
    detail: `seq=${message.seqOverflow} is above 2^53-1 (9007199254740991)`,
  };
}
