// The ingest pipeline, in order: decode, validate, store, update live state, publish.
// Each message is handled by one of the two flows below; every step is a small module.
// The returned promise settles only after the store step has committed, and the broker
// sends the PUBACK only then: a PUBACK means "stored".
import { decodeDeviceEvent, decodeTelemetryBatch, type TelemetryMessage } from '@fleet/proto';
import type { DeviceEventRecord, EventBus, TelemetryRecord } from '@fleet/shared';
import { type GroupCommitWriter, RowsRefusedError } from './group-commit.ts';
import type { LiveStateStore } from './live-state.ts';
import type { IngestMetrics } from './metrics.ts';
import { type DeviceSession, toDeviceEventRecord, toTelemetryRecord } from './normalize.ts';
import { PayloadRejects, type RecordRejection, RejectBudget } from './rejects.ts';
import type { RejectRecord, StoredRow } from './rows.ts';
import {
  checkDeviceTime,
  type ValidationPolicy,
  type Verdict,
  validateDeviceEvent,
  validateTelemetry,
} from './validate.ts';

export interface IngestLimits {
  maxPayloadBytes: number;
  maxRecordsPerBatch: number;
  rejectSampleBytes: number;
  /** Reject rows stored per second per device, and at once (RejectBudget). */
  deviceRejectRate: number;
  deviceRejectBurst: number;
}

export interface IngestDeps {
  writer: GroupCommitWriter<StoredRow>;
  liveState: LiveStateStore;
  bus: EventBus;
  metrics: IngestMetrics;
  policy: ValidationPolicy;
  limits: IngestLimits;
  now?: () => number;
}

/** What happened to one message; the broker tells the device about rejects. */
export interface IngestOutcome {
  stored: number;
  /** Every refused record (seq exact, as a decimal above 2^53 - 1), or the whole payload. */
  rejected: RecordRejection[];
}

export interface IngestPipeline {
  ingestTelemetry(session: DeviceSession, payload: Uint8Array): Promise<IngestOutcome>;
  ingestEvent(session: DeviceSession, payload: Uint8Array): Promise<IngestOutcome>;
  /** Stores a broker-made event (CONNECTED / DISCONNECTED) and publishes it. */
  recordEvent(event: DeviceEventRecord): Promise<void>;
}

export function createIngestPipeline(deps: IngestDeps): IngestPipeline {
  const { writer, liveState, bus, metrics, policy, limits } = deps;
  const now = deps.now ?? Date.now;
  const budget = new RejectBudget(limits.deviceRejectRate, limits.deviceRejectBurst, now);

  /** The payload's one reject row, if it has refusals and the device is within its budget. */
  function rejectRow(
    session: DeviceSession,
    topic: RejectRecord['topic'],
    payload: Uint8Array,
    receivedAt: number,
    rejects: PayloadRejects,
    totalRecords: number,
  ): StoredRow | undefined {
    for (const r of rejects.rejections) metrics.rejects.inc({ reason: r.reason });
    const record = rejects.toRecord(
      {
        tenant: session.tenant,
        deviceId: session.deviceId,
        topic,
        receivedAt,
        payloadSample: payload.subarray(0, limits.rejectSampleBytes),
        payloadBytes: payload.length,
      },
      totalRecords,
    );
    if (!record) return undefined;
    const admitted = budget.admit(session.deviceId);
    if (!admitted.store) {
      metrics.rejectsUnstored.inc();
      return undefined;
    }
    return { table: 'rejects', reject: { ...record, unstoredBefore: admitted.unstoredBefore } };
  }

  /**
   * Commits the message's rows. When the store refuses them for what they hold (a value no
   * check here caught), the payload is kept as a store_refused reject instead and false is
   * returned: one device's bad row never blocks the others', and nothing is lost silently.
   */
  async function store(
    session: DeviceSession,
    topic: RejectRecord['topic'],
    payload: Uint8Array,
    receivedAt: number,
    rows: StoredRow[],
  ): Promise<boolean> {
    try {
      await writer.write(rows);
      return true;
    } catch (err) {
      if (!(err instanceof RowsRefusedError)) throw err;
      const rejects = new PayloadRejects();
      rejects.add('store_refused', err.message.slice(0, 300));
      const row = rejectRow(session, topic, payload, receivedAt, rejects, 0);
      if (row) await writer.write([row]);
      return false;
    }
  }

  async function updateLiveState(accepted: TelemetryRecord[]): Promise<void> {
    const advanced = await liveState.applyTelemetry(accepted);
    // Live views in other processes keep their copy from the newest record of each device.
    const newest = new Map<string, TelemetryRecord>();
    for (const r of accepted) {
      const seen = newest.get(r.deviceId);
      if (!seen || r.ts > seen.ts) newest.set(r.deviceId, r);
    }
    for (const record of newest.values()) bus.publish('latest', record);
    const late = accepted.length - advanced.length;
    if (late > 0 && advanced.length === 0) metrics.lateRecords.inc(late);
    for (const position of advanced) {
      bus.publish('position', position);
      metrics.positionsPublished.inc();
    }
  }

  return {
    async ingestTelemetry(session, payload) {
      metrics.messages.inc({ topic: 'telemetry' });
      const receivedAt = now();
      const rows: StoredRow[] = [];
      const accepted: TelemetryRecord[] = [];
      const rejects = new PayloadRejects();
      let total = 0;

      // 1. decode
      const decoded = decodeTelemetryBatch(payload, {
        maxBytes: limits.maxPayloadBytes,
        maxRecords: limits.maxRecordsPerBatch,
      });
      if (!decoded.ok) rejects.add(decoded.reason, decoded.detail);
      else if (decoded.value.length === 0) rejects.add('empty_batch', 'a batch with no records');
      else {
        total = decoded.value.length;
        // 2. validate. Storage keeps one row per (ts, device) (DESIGN.md dedup keys), so a second
        // record with the same device time in one batch would silently replace the first:
        // it is rejected instead, and kept with its reason.
        const seenTs = new Set<number>();
        for (const message of decoded.value) {
          const record = toTelemetryRecord(message, session, receivedAt);
          let verdict = seqVerdict(message) ?? validateTelemetry(record, receivedAt, policy);
          if (verdict.ok && seenTs.has(record.ts)) {
            verdict = { ok: false, reason: 'duplicate_ts', detail: `ts_ms=${record.ts} twice in one batch` };
          }
          if (verdict.ok) {
            seenTs.add(record.ts);
            accepted.push(record);
            rows.push({ table: 'telemetry', record });
          } else {
            rejects.add(verdict.reason, verdict.detail, {
              seq: message.seqOverflow ?? record.seq,
              ts: record.ts,
            });
          }
        }
      }
      const rejectRowOrNone = rejectRow(session, 'telemetry', payload, receivedAt, rejects, total);
      if (rejectRowOrNone) rows.push(rejectRowOrNone);

      // 3. store: resolves once QuestDB has committed every row of this message
      if (rows.length > 0 && !(await store(session, 'telemetry', payload, receivedAt, rows))) {
        return { stored: 0, rejected: [{ reason: 'store_refused', seq: undefined }] };
      }
      metrics.records.inc({ outcome: 'stored' }, accepted.length);
      if (rejects.count > 0) metrics.records.inc({ outcome: 'rejected' }, rejects.count);

      // 4. update live state, 5. publish positions
      if (accepted.length > 0) await updateLiveState(accepted);
      return { stored: accepted.length, rejected: rejects.rejections };
    },

    async ingestEvent(session, payload) {
      metrics.messages.inc({ topic: 'events' });
      const receivedAt = now();
      const rejects = new PayloadRejects();

      // 1. decode
      const decoded = decodeDeviceEvent(payload, { maxBytes: limits.maxPayloadBytes });
      let event: DeviceEventRecord | undefined;
      if (!decoded.ok) rejects.add(decoded.reason, decoded.detail);
      else {
        // 2. validate
        const candidate = toDeviceEventRecord(decoded.value, session, receivedAt);
        const verdict =
          seqVerdict(decoded.value) ??
          (!(candidate.seq >= 1)
            ? ({ ok: false, reason: 'seq_missing', detail: `seq=${candidate.seq}` } as const)
            : candidate.kind === 'UNKNOWN' || candidate.kind === 'KIND_UNSPECIFIED'
              ? ({ ok: false, reason: 'unknown_event_kind', detail: `kind=${decoded.value.kind}` } as const)
              : andThen(checkDeviceTime(candidate.ts, receivedAt, policy), () =>
                  validateDeviceEvent(candidate),
                ));
        if (verdict.ok) event = candidate;
        else
          rejects.add(verdict.reason, verdict.detail, {
            seq: decoded.value.seqOverflow ?? candidate.seq,
            ts: candidate.ts,
          });
      }
      const row: StoredRow | undefined = event
        ? { table: 'events', event }
        : rejectRow(session, 'events', payload, receivedAt, rejects, decoded.ok ? 1 : 0);

      // 3. store
      if (row && !(await store(session, 'events', payload, receivedAt, [row]))) {
        return { stored: 0, rejected: [{ reason: 'store_refused', seq: undefined }] };
      }
      metrics.records.inc({ outcome: event ? 'stored' : 'rejected' });

      // 4. (events do not move the live position) 5. publish
      if (event) bus.publish('device-event', event);
      return { stored: event ? 1 : 0, rejected: rejects.rejections };
    },

    async recordEvent(event) {
      await writer.write([{ table: 'events', event }]);
      bus.publish('device-event', event);
    },
  };
}

/**
 * A sequence number above 2^53 - 1 cannot be stored or compared exactly as a JS number (it was
 * acknowledged and stored as NULL): it is refused, and named exactly in the reject and notice.
 */
function seqVerdict(message: Pick<TelemetryMessage, 'seqOverflow'>): Verdict | undefined {
  if (message.seqOverflow === undefined) return undefined;
  return {
    ok: false,
    reason: 'seq_out_of_range',
    detail: `seq=${message.seqOverflow} is above 2^53-1 (9007199254740991)`,
  };
}

/** The first verdict if it refuses, else the second. */
function andThen(first: Verdict, second: () => Verdict): Verdict {
  return first.ok ? second() : first;
}
