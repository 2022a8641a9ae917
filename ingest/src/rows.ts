// The rows the ingest tier stores: one per accepted record or event, and one per reject.
import type { DeviceEventRecord, TelemetryRecord } from '@fleet/shared';
import type { Stop, Trip } from '@fleet/shared/trips';
import type { RejectReason } from './validate.ts';

export interface RejectRecord {
  tenant: string;
  deviceId: string;
  topic: 'telemetry' | 'events';
  /** The reason most of the payload's refused records share (or the whole payload's). */
  reason: RejectReason;
  /** What was wrong, summarised per reason with the first example of each. */
  detail: string;
  /** The first refused record's sequence number, when it has a storable one. */
  seq: number | undefined;
  /** Records of the payload refused (0 when the whole payload was). */
  rejectedRecords: number;
  /** Every reason with its count, most frequent first: `seq_missing:1990,ts_in_future:10`. */
  reasons: string;
  /** Rejects of this device counted but not stored (over its budget) since its last stored one. */
  unstoredBefore: number;
  deviceTs: number | undefined;
  receivedAt: number;
  /** The raw payload, already cut to the configured sample size. */
  payloadSample: Uint8Array;
  payloadBytes: number;
}

export type StoredRow =
  | { table: 'telemetry'; record: TelemetryRecord }
  | { table: 'events'; event: DeviceEventRecord }
  | { table: 'rejects'; reject: RejectRecord }
  | { table: 'trips' | 'stops'; segment: StoredSegment };

/** A trip or stop of a device as stored: in progress (open), closed, or no longer found (deleted). */
export interface StoredSegment {
  tenant: string;
  deviceId: string;
  /** Deleted rows carry the start only. */
  segment: Trip | Stop | { kind: 'trip' | 'stop'; startTs: number };
  open: boolean;
  deleted: boolean;
  writtenAt: number;
  /** A trip's time outside its organisation's working hours (unknown: not written). */
  afterHoursS?: number | undefined;
}
