// The ingest pipeline, in order: decode, validate, store, update live state, publish.
// Each message is handled by one of the two flows below; every step is a small module.
// The returned promise settles only after the store step has committed, and the broker
// sends the PUBACK only then: a PUBACK means "stored".
import { decodeDeviceEvent, decodeTelemetryBatch } from '@fleet/proto';
import type { DeviceEventRecord, EventBus, TelemetryRecord } from '@fleet/shared';
import type { GroupCommitWriter } from './group-commit.ts';
import type { LiveStateStore } from './live-state.ts';
import type { IngestMetrics } from './metrics.ts';
import { type DeviceSession, toDeviceEventRecord, toTelemetryRecord } from './normalize.ts';
import type { RejectRecord, StoredRow } from './rows.ts';
import { checkDeviceTime, type RejectReason, type ValidationPolicy, validateTelemetry } from './validate.ts';

export interface IngestLimits {
  maxPayloadBytes: number;
  maxRecordsPerBatch: number;
  rejectSampleBytes: number;
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
  rejected: { reason: RejectReason; seq: number | undefined }[];
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

  function reject(
    session: DeviceSession,
    topic: RejectRecord['topic'],
    payload: Uint8Array,
    receivedAt: number,
    reason: RejectReason,
    detail: string,
    record?: { seq: number; ts: number },
  ): StoredRow {
    metrics.rejects.inc({ reason });
    return {
      table: 'rejects',
      reject: {
        tenant: session.tenant,
        deviceId: session.deviceId,
        topic,
        reason,
        detail,
        seq: record?.seq,
        deviceTs: record?.ts,
        receivedAt,
        payloadSample: payload.subarray(0, limits.rejectSampleBytes),
        payloadBytes: payload.length,
      },
    };
  }

  async function updateLiveState(accepted: TelemetryRecord[]): Promise<void> {
    const advanced = await liveState.applyTelemetry(accepted);
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
      const rejected: IngestOutcome['rejected'] = [];

      // 1. decode
      const decoded = decodeTelemetryBatch(payload, {
        maxBytes: limits.maxPayloadBytes,
        maxRecords: limits.maxRecordsPerBatch,
      });
      if (!decoded.ok) {
        rows.push(reject(session, 'telemetry', payload, receivedAt, decoded.reason, decoded.detail));
        rejected.push({ reason: decoded.reason, seq: undefined });
      } else if (decoded.value.length === 0) {
        rows.push(
          reject(session, 'telemetry', payload, receivedAt, 'empty_batch', 'a batch with no records'),
        );
        rejected.push({ reason: 'empty_batch', seq: undefined });
      } else {
        // 2. validate. Storage keeps one row per (ts, device) (DESIGN.md dedup keys), so a second
        // record with the same device time in one batch would silently replace the first:
        // it is rejected instead, and kept with its reason.
        const seenTs = new Set<number>();
        for (const message of decoded.value) {
          const record = toTelemetryRecord(message, session, receivedAt);
          let verdict = validateTelemetry(record, receivedAt, policy);
          if (verdict.ok && seenTs.has(record.ts)) {
            verdict = { ok: false, reason: 'duplicate_ts', detail: `ts_ms=${record.ts} twice in one batch` };
          }
          if (verdict.ok) {
            seenTs.add(record.ts);
            accepted.push(record);
            rows.push({ table: 'telemetry', record });
          } else {
            rows.push(
              reject(session, 'telemetry', payload, receivedAt, verdict.reason, verdict.detail, record),
            );
            rejected.push({ reason: verdict.reason, seq: record.seq });
          }
        }
      }

      // 3. store: resolves once QuestDB has committed every row of this message
      await writer.write(rows);
      metrics.records.inc({ outcome: 'stored' }, accepted.length);
      if (rejected.length > 0) metrics.records.inc({ outcome: 'rejected' }, rejected.length);

      // 4. update live state, 5. publish positions
      if (accepted.length > 0) await updateLiveState(accepted);
      return { stored: accepted.length, rejected };
    },

    async ingestEvent(session, payload) {
      metrics.messages.inc({ topic: 'events' });
      const receivedAt = now();

      // 1. decode
      const decoded = decodeDeviceEvent(payload, { maxBytes: limits.maxPayloadBytes });
      let row: StoredRow;
      let event: DeviceEventRecord | undefined;
      let reason: RejectReason | undefined;
      if (!decoded.ok) {
        reason = decoded.reason;
        row = reject(session, 'events', payload, receivedAt, decoded.reason, decoded.detail);
      } else {
        // 2. validate
        const candidate = toDeviceEventRecord(decoded.value, session, receivedAt);
        const time = checkDeviceTime(candidate.ts, receivedAt, policy);
        const verdict = !(candidate.seq >= 1)
          ? ({ ok: false, reason: 'seq_missing', detail: `seq=${candidate.seq}` } as const)
          : candidate.kind === 'UNKNOWN' || candidate.kind === 'KIND_UNSPECIFIED'
            ? ({ ok: false, reason: 'unknown_event_kind', detail: `kind=${decoded.value.kind}` } as const)
            : time;
        if (verdict.ok) {
          event = candidate;
          row = { table: 'events', event };
        } else {
          reason = verdict.reason;
          row = reject(session, 'events', payload, receivedAt, verdict.reason, verdict.detail, candidate);
        }
      }

      // 3. store
      await writer.write([row]);
      metrics.records.inc({ outcome: event ? 'stored' : 'rejected' });

      // 4. (events do not move the live position) 5. publish
      if (event) bus.publish('device-event', event);
      return {
        stored: event ? 1 : 0,
        rejected: reason ? [{ reason, seq: event?.seq }] : [],
      };
    },

    async recordEvent(event) {
      await writer.write([{ table: 'events', event }]);
      bus.publish('device-event', event);
    },
  };
}
