// What a refused payload costs: one `telemetry_rejects` row per payload, whatever number of its
// records was refused (a 4 KB batch of 2,000 empty records was 2,000 rows of 4 KB samples each,
// 10.7 MB per message), with the per-record reasons summarised, and a per-device budget of reject
// rows. Past the budget a reject is counted but not stored, and the next stored row of that
// device says how many were left out, so nothing disappears without a trace.

import type { Uint64 } from '@fleet/proto';
import { type Clock, KeyedTokenBuckets } from '@fleet/shared';
import type { RejectRecord } from './rows.ts';
import type { RejectReason } from './validate.ts';

/** One refused record (or the whole payload, seq undefined) as the device is told about it. */
export interface RecordRejection {
  reason: RejectReason;
  seq: Uint64 | undefined;
}

/** The longest `detail` kept per reject row. */
const MAX_DETAIL_CHARS = 1000;

interface ReasonTally {
  reason: RejectReason;
  count: number;
  firstDetail: string;
}

/** Collects the refusals of one payload into one reject row. */
export class PayloadRejects {
  readonly rejections: RecordRejection[] = [];
  readonly #tallies = new Map<RejectReason, ReasonTally>();
  #firstSeq: number | undefined;
  #firstDeviceTs: number | undefined;

  add(reason: RejectReason, detail: string, record?: { seq: Uint64; ts: number }): void {
    this.rejections.push({ reason, seq: record?.seq });
    const tally = this.#tallies.get(reason);
    if (tally) tally.count++;
    else this.#tallies.set(reason, { reason, count: 1, firstDetail: detail });
    if (record && this.#firstSeq === undefined && typeof record.seq === 'number' && record.seq > 0)
      this.#firstSeq = record.seq;
    if (record && this.#firstDeviceTs === undefined) this.#firstDeviceTs = record.ts;
  }

  get count(): number {
    return this.rejections.length;
  }

  /** Reasons, most frequent first, as `reason:count,...`. */
  reasons(): string {
    return this.#ordered()
      .map((t) => `${t.reason}:${t.count}`)
      .join(',');
  }

  /** The reason most records were refused for: the row's `reason` and the notice's. */
  mainReason(): RejectReason | undefined {
    return this.#ordered()[0]?.reason;
  }

  #ordered(): ReasonTally[] {
    return [...this.#tallies.values()].sort((a, b) => b.count - a.count);
  }

  /** The one row for this payload, or undefined when nothing was refused. */
  toRecord(
    base: Omit<
      RejectRecord,
      'reason' | 'detail' | 'seq' | 'deviceTs' | 'rejectedRecords' | 'reasons' | 'unstoredBefore'
    >,
    totalRecords: number,
  ): RejectRecord | undefined {
    const main = this.mainReason();
    if (main === undefined) return undefined;
    const parts = this.#ordered().map((t) => `${t.reason} x${t.count} (first: ${t.firstDetail})`);
    const of = totalRecords > 0 ? `${this.count} of ${totalRecords} records refused: ` : '';
    const detail = `${of}${parts.join('; ')}`;
    return {
      ...base,
      reason: main,
      detail: detail.length > MAX_DETAIL_CHARS ? `${detail.slice(0, MAX_DETAIL_CHARS - 1)}…` : detail,
      seq: this.#firstSeq,
      deviceTs: this.#firstDeviceTs,
      rejectedRecords: this.count,
      reasons: this.reasons(),
      unstoredBefore: 0,
    };
  }
}

/**
 * The per-device budget of stored reject rows. `admit` says whether this device's next reject
 * row is stored, and how many of its rejects were left out since its last stored one.
 */
export class RejectBudget {
  readonly #buckets: KeyedTokenBuckets;
  readonly #unstored = new Map<string, number>();

  constructor(ratePerSecond: number, burst: number, now?: Clock) {
    this.#buckets = new KeyedTokenBuckets(ratePerSecond, burst, now);
  }

  admit(deviceId: string): { store: true; unstoredBefore: number } | { store: false } {
    if (this.#buckets.take(deviceId)) {
      const unstoredBefore = this.#unstored.get(deviceId) ?? 0;
      this.#unstored.delete(deviceId);
      return { store: true, unstoredBefore };
    }
    if (this.#unstored.size > 100_000 && !this.#unstored.has(deviceId)) this.#unstored.clear();
    this.#unstored.set(deviceId, (this.#unstored.get(deviceId) ?? 0) + 1);
    return { store: false };
  }
}
