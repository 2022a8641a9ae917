// The store step, shared by both flows: the message's rows (accepted records and its reject
// row) committed to QuestDB. It resolves only once the commit has, and the broker sends the
// PUBACK only after the flow returns: a PUBACK means "stored". When the store refuses the rows
// for what they hold (a value no check caught), the payload is kept as a store_refused reject
// instead: one device's bad row never blocks the others', and nothing is lost silently.

import { RowsRefusedError } from '../group-commit.ts';
import { PayloadRejects } from '../rejects.ts';
import type { StoredRow } from '../rows.ts';
import type { MessageWork, PipelineStep, StepContext } from './step.ts';

/** The payload's one reject row, if it has refusals and the device is within its budget. */
export function rejectRow(
  work: MessageWork,
  rejects: PayloadRejects,
  totalRecords: number,
  ctx: StepContext,
): StoredRow | undefined {
  for (const r of rejects.rejections) ctx.metrics.rejects.inc({ reason: r.reason });
  const record = rejects.toRecord(
    {
      tenant: work.session.tenant,
      deviceId: work.session.deviceId,
      topic: work.topic,
      receivedAt: work.receivedAt,
      payloadSample: work.payload.subarray(0, ctx.limits.rejectSampleBytes),
      payloadBytes: work.payload.length,
    },
    totalRecords,
  );
  if (!record) return undefined;
  const admitted = ctx.budget.admit(work.session.deviceId);
  if (!admitted.store) {
    ctx.metrics.rejectsUnstored.inc();
    return undefined;
  }
  return { table: 'rejects', reject: { ...record, unstoredBefore: admitted.unstoredBefore } };
}

/** Adds the message's reject row (if any) to its rows: the last thing before the store. */
export const keepRejects: PipelineStep<MessageWork> = {
  name: 'keep rejects',
  run(work, ctx) {
    const row = rejectRow(work, work.rejects, work.total, ctx);
    if (row) work.rows.push(row);
  },
};

export const store: PipelineStep<MessageWork> = {
  name: 'store',
  async run(work, ctx) {
    if (work.rows.length === 0) return;
    try {
      await ctx.writer.write(work.rows);
    } catch (err) {
      if (!(err instanceof RowsRefusedError)) throw err;
      const refused = new PayloadRejects();
      refused.add('store_refused', err.message.slice(0, 300));
      const row = rejectRow(work, refused, 0, ctx);
      if (row) await ctx.writer.write([row]);
      work.outcome = { stored: 0, rejected: [{ reason: 'store_refused', seq: undefined }] };
    }
  },
};
