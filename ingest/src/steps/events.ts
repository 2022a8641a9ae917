// The event flow's own steps (topic devices/{id}/events): one DeviceEvent decoded and
// validated, stored, then the rules and the live views (events do not move the live position).
import { decodeDeviceEvent } from '@fleet/proto';
import type { DeviceEventRecord } from '@fleet/shared';
import { toDeviceEventRecord } from '../normalize.ts';
import { checkDeviceTime, type Verdict, validateDeviceEvent } from '../validate.ts';
import { type MessageWork, type PipelineStep, evaluateRules as runRules } from './step.ts';
import { seqVerdict } from './telemetry.ts';

export interface EventWork extends MessageWork {
  event: DeviceEventRecord | undefined;
}

export const decodeAndValidate: PipelineStep<EventWork> = {
  name: 'decode and validate',
  run(work, ctx) {
    ctx.metrics.messages.inc({ topic: 'events' });
    const decoded = decodeDeviceEvent(work.payload, { maxBytes: ctx.limits.maxPayloadBytes });
    if (!decoded.ok) {
      work.rejects.add(decoded.reason, decoded.detail);
      return;
    }
    work.total = 1;
    const candidate = toDeviceEventRecord(decoded.value, work.session, work.receivedAt);
    const verdict =
      seqVerdict(decoded.value) ??
      (!(candidate.seq >= 1)
        ? ({ ok: false, reason: 'seq_missing', detail: `seq=${candidate.seq}` } as const)
        : candidate.kind === 'UNKNOWN' || candidate.kind === 'KIND_UNSPECIFIED'
          ? ({ ok: false, reason: 'unknown_event_kind', detail: `kind=${decoded.value.kind}` } as const)
          : andThen(checkDeviceTime(candidate.ts, work.receivedAt, ctx.policy), () =>
              validateDeviceEvent(candidate),
            ));
    if (verdict.ok) {
      work.event = candidate;
      work.rows.push({ table: 'events', event: candidate });
    } else
      work.rejects.add(verdict.reason, verdict.detail, {
        seq: decoded.value.seqOverflow ?? candidate.seq,
        ts: candidate.ts,
      });
  },
};

export const countStored: PipelineStep<EventWork> = {
  name: 'count',
  run(work, ctx) {
    ctx.metrics.records.inc({ outcome: work.event ? 'stored' : 'rejected' });
  },
};

export const evaluateRules: PipelineStep<EventWork> = {
  name: 'evaluate rules',
  run(work, ctx) {
    const event = work.event;
    if (event) runRules(ctx, (rules) => rules.evaluateEvent(event));
  },
};

export const publish: PipelineStep<EventWork> = {
  name: 'publish',
  run(work, ctx) {
    if (work.event) ctx.bus.publish('device-event', work.event);
    work.outcome = { stored: work.event ? 1 : 0, rejected: work.rejects.rejections };
  },
};

/** The first verdict if it refuses, else the second. */
function andThen(first: Verdict, second: () => Verdict): Verdict {
  return first.ok ? second() : first;
}
