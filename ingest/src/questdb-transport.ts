// The rows the ingest tier stores, and their one way into QuestDB: ILP over HTTP with
// @questdb/nodejs-client. One HTTP request per group commit; QuestDB answers only after the
// rows are in its WAL, which is what the PUBACK waits for.

import { type DeviceEventRecord, TELEMETRY_FIELDS, type TelemetryRecord } from '@fleet/shared';
import { Sender } from '@questdb/nodejs-client';
import type { CommitTransport } from './group-commit.ts';
import { TABLES } from './schema.ts';
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

const MS_TO_US = 1000;

function writeTelemetry(s: Sender, r: TelemetryRecord): void {
  s.table(TABLES.telemetry).symbol('tenant', r.tenant).symbol('device_id', r.deviceId);
  for (const f of TELEMETRY_FIELDS) {
    const v = r[f.name];
    if (v === undefined) continue;
    switch (f.type) {
      case 'double':
      case 'float':
        s.floatColumn(f.column, v as number);
        break;
      case 'long':
      case 'int':
        s.intColumn(f.column, v as number);
        break;
      case 'boolean':
        s.booleanColumn(f.column, v as boolean);
        break;
      case 'string':
        s.stringColumn(f.column, Array.isArray(v) ? v.join(',') : String(v));
        break;
    }
  }
  s.timestampColumn('received_at', r.receivedAt * MS_TO_US, 'us');
  s.at(r.ts * MS_TO_US, 'us');
}

function writeEvent(s: Sender, e: DeviceEventRecord): void {
  s.table(TABLES.events).symbol('tenant', e.tenant).symbol('device_id', e.deviceId).symbol('kind', e.kind);
  s.intColumn('seq', e.seq);
  if (e.lat !== undefined) s.floatColumn('lat', e.lat);
  if (e.lon !== undefined) s.floatColumn('lon', e.lon);
  if (e.speedKmh !== undefined) s.floatColumn('speed_kmh', e.speedKmh);
  if (e.peakG !== undefined) s.floatColumn('peak_g', e.peakG);
  if (e.buttonId !== undefined) s.intColumn('button_id', e.buttonId);
  if (e.firmware !== undefined) s.stringColumn('firmware', e.firmware);
  s.stringColumn('detail', e.detail);
  s.timestampColumn('received_at', e.receivedAt * MS_TO_US, 'us');
  s.at(e.ts * MS_TO_US, 'us');
}

function writeReject(s: Sender, r: RejectRecord): void {
  s.table(TABLES.rejects)
    .symbol('tenant', r.tenant)
    .symbol('device_id', r.deviceId)
    .symbol('topic', r.topic)
    .symbol('reason', r.reason);
  s.stringColumn('detail', r.detail);
  if (r.seq !== undefined && Number.isSafeInteger(r.seq)) s.intColumn('seq', r.seq);
  // Only a plausible device time fits a TIMESTAMP column; the detail text keeps the rest.
  if (r.deviceTs !== undefined && r.deviceTs > 0 && r.deviceTs < 32503680000000) {
    s.timestampColumn('device_ts', r.deviceTs * MS_TO_US, 'us');
  }
  s.intColumn('payload_bytes', r.payloadBytes);
  s.stringColumn('payload_b64', Buffer.from(r.payloadSample).toString('base64'));
  s.at(r.receivedAt * MS_TO_US, 'us');
}

export function writeRow(s: Sender, row: StoredRow): void {
  if (row.table === 'telemetry') writeTelemetry(s, row.record);
  else if (row.table === 'events') writeEvent(s, row.event);
  else writeReject(s, row.reject);
}

export class QuestDbTransport implements CommitTransport<StoredRow> {
  readonly #sender: Sender;

  private constructor(sender: Sender) {
    this.#sender = sender;
  }

  /**
   * Retries are the group committer's job (it keeps the rows; the client drops them after its
   * final failure). The client's `retry_timeout` is also its overall deadline for one request
   * (it aborts the request when it expires), so it bounds how long a commit may hang before we
   * count it failed and retry it ourselves.
   */
  static async connect(httpUrl: string, requestTimeoutMs = 5000): Promise<QuestDbTransport> {
    const addr = new URL(httpUrl).host;
    const sender = await Sender.fromConfig(
      `http::addr=${addr};auto_flush=off;retry_timeout=${requestTimeoutMs};request_timeout=${requestTimeoutMs};protocol_version=2`,
    );
    return new QuestDbTransport(sender);
  }

  async send(rows: readonly StoredRow[]): Promise<void> {
    // Serialising and flush()'s copy of the buffer both happen before the first await, so
    // concurrent commits never interleave their rows in the shared buffer.
    try {
      for (const row of rows) writeRow(this.#sender, row);
    } catch (err) {
      this.#sender.reset();
      throw err;
    }
    await this.#sender.flush();
  }

  async close(): Promise<void> {
    await this.#sender.close();
  }
}
