// Each asset's odometer and engine hours from its devices' stored records: the device's reading
// plus the asset's offset, believed only if it can follow the reading before it (not backwards,
// not faster than the asset can go: shared/src/maintenance.ts). Refused readings are kept for
// people to see (flagged) and never used. What changed waits here until the service writes it
// (drain), so a fleet reporting every second costs one upsert per asset per flush, not per record.
//
// A new basis (another device on the asset, or its offset corrected) starts the meter again from
// the next reading: the person who swapped the device or set the offset said where it stands.
import type { TelemetryRecord } from '@fleet/shared';
import { checkMeterReading, type Meter, type MeterReading } from '@fleet/shared/maintenance';
import type { AssetInfo } from '../rules/types.ts';

export interface BelievedReading extends MeterReading {
  source: 'telemetry' | 'manual' | 'work_order';
  /** For telemetry: "device-id+offset". */
  basis: string | null;
}

export interface MeterChange {
  orgId: string;
  assetId: string;
  meter: Meter;
  reading: BelievedReading;
  deviceId: string | null;
  /** The first believed reading of its UTC day: kept as the day's sample for the 30-day use. */
  daySample: boolean;
}

export interface FlaggedReading {
  orgId: string;
  assetId: string;
  meter: Meter;
  value: number;
  at: number;
  deviceId: string;
  flag: 'backwards' | 'jump';
  previousValue: number;
}

/**
 * Refused readings of one kind (backwards, jump) are written at most this often per asset and
 * meter; each is counted. A device stuck below its old reading flags every record.
 */
export const FLAG_WRITE_INTERVAL_MS = 600_000;

const DAY_MS = 86_400_000;
const key = (assetId: string, meter: Meter) => `${assetId}\n${meter}`;

interface Slot {
  orgId: string;
  assetId: string;
  meter: Meter;
  current: BelievedReading | undefined;
  lastSampleDay: number | undefined;
  lastFlagWrittenAt: number | undefined;
  lastFlag: 'backwards' | 'jump' | undefined;
}

export interface MeterTrackerCounts {
  accepted: number;
  flagged: number;
  stale: number;
}

export class MeterTracker {
  readonly #slots = new Map<string, Slot>();
  #changed = new Map<string, MeterChange>();
  #flagged: FlaggedReading[] = [];
  readonly counts: MeterTrackerCounts = { accepted: 0, flagged: 0, stale: 0 };

  /** What the database holds (on start, and after a person's reading): the reading to check against. */
  load(orgId: string, assetId: string, meter: Meter, reading: BelievedReading): void {
    const slot = this.#slot(orgId, assetId, meter);
    if (slot.current && slot.current.at >= reading.at) return;
    slot.current = reading;
    slot.lastSampleDay = Math.floor(reading.at / DAY_MS);
  }

  /** The believed reading of an asset's meter, if any. */
  current(assetId: string, meter: Meter): BelievedReading | undefined {
    return this.#slots.get(key(assetId, meter))?.current;
  }

  /** One stored record of a device installed on `asset`. */
  observe(record: TelemetryRecord, asset: AssetInfo): void {
    if (record.odometerKm !== undefined)
      this.#observe(
        record,
        asset,
        'odometer',
        record.odometerKm + asset.odometerOffsetKm,
        asset.odometerOffsetKm,
      );
    if (record.engineHours !== undefined)
      this.#observe(
        record,
        asset,
        'engine_hours',
        record.engineHours + asset.engineHoursOffset,
        asset.engineHoursOffset,
      );
  }

  #observe(record: TelemetryRecord, asset: AssetInfo, meter: Meter, value: number, offset: number): void {
    const slot = this.#slot(record.tenant, asset.id, meter);
    const basis = `${record.deviceId}+${offset}`;
    const next = { value, at: record.ts };
    const current = slot.current;
    const rebased = current?.source === 'telemetry' && current.basis !== null && current.basis !== basis;
    // A new basis is believed from its first reading, if that reading is a meter value at all.
    const verdict = rebased
      ? current.at >= next.at
        ? 'stale'
        : Number.isFinite(value) && value >= 0 && value < 100_000_000
          ? 'ok'
          : 'jump'
      : checkMeterReading(meter, current, next);
    if (verdict === 'stale') {
      this.counts.stale++;
      return;
    }
    if (verdict !== 'ok') {
      this.counts.flagged++;
      if (
        slot.lastFlagWrittenAt === undefined ||
        slot.lastFlag !== verdict ||
        next.at - slot.lastFlagWrittenAt >= FLAG_WRITE_INTERVAL_MS
      ) {
        slot.lastFlagWrittenAt = next.at;
        slot.lastFlag = verdict;
        this.#flagged.push({
          orgId: slot.orgId,
          assetId: slot.assetId,
          meter,
          value,
          at: next.at,
          deviceId: record.deviceId,
          flag: verdict,
          previousValue: current?.value ?? 0,
        });
      }
      return;
    }
    this.counts.accepted++;
    const reading: BelievedReading = { ...next, source: 'telemetry', basis };
    slot.current = reading;
    const day = Math.floor(next.at / DAY_MS);
    const k = key(asset.id, meter);
    const daySample = slot.lastSampleDay === undefined || day > slot.lastSampleDay;
    if (daySample) slot.lastSampleDay = day;
    const pending = this.#changed.get(k);
    this.#changed.set(k, {
      orgId: slot.orgId,
      assetId: asset.id,
      meter,
      reading,
      deviceId: record.deviceId,
      // A sample taken since the last drain stays owed even when a newer reading replaces it.
      daySample: daySample || (pending?.daySample ?? false),
    });
  }

  /** What changed since the last drain; the caller writes it, and hands it back on failure. */
  drain(): { changes: MeterChange[]; flagged: FlaggedReading[] } {
    const changes = [...this.#changed.values()];
    const flagged = this.#flagged;
    this.#changed = new Map();
    this.#flagged = [];
    return { changes, flagged };
  }

  /** A drain that could not be written goes back, behind anything newer. */
  restore(drained: { changes: MeterChange[]; flagged: FlaggedReading[] }): void {
    for (const change of drained.changes) {
      const k = key(change.assetId, change.meter);
      const newer = this.#changed.get(k);
      if (newer) newer.daySample ||= change.daySample;
      else this.#changed.set(k, change);
    }
    this.#flagged = [...drained.flagged, ...this.#flagged].slice(-10_000);
  }

  get pending(): number {
    return this.#changed.size + this.#flagged.length;
  }

  /** Forgets an asset (deleted, or its organisation gone). */
  forget(assetId: string): void {
    for (const meter of ['odometer', 'engine_hours'] as const) this.#slots.delete(key(assetId, meter));
  }

  #slot(orgId: string, assetId: string, meter: Meter): Slot {
    const k = key(assetId, meter);
    let slot = this.#slots.get(k);
    if (!slot) {
      slot = {
        orgId,
        assetId,
        meter,
        current: undefined,
        lastSampleDay: undefined,
        lastFlagWrittenAt: undefined,
        lastFlag: undefined,
      };
      this.#slots.set(k, slot);
    }
    return slot;
  }
}
