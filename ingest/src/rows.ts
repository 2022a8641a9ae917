// The rows the ingest tier stores: one per accepted record or event, and one per reject.
import type { DeviceEventRecord, TelemetryRecord } from '@fleet/shared';
import type { RejectReason } from './validate.ts';

export interface RejectRecord {
  tenant: string;
  deviceId: string;
  topic: 'telemetry' | 'events';
  reason: RejectReason;
  detail: string;
  seq: number | undefined;
  deviceTs: number | undefined;
  receivedAt: number;
  /** The raw payload, already cut to the configured sample size. */
  payloadSample: Uint8Array;
  payloadBytes: number;
}

export type StoredRow =
  | { table: 'telemetry'; record: TelemetryRecord }
  | { table: 'events'; event: DeviceEventRecord }
  | { table: 'rejects'; reject: RejectRecord };
