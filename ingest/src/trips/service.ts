// Trips and stops as telemetry arrives (the pipeline's "track trips" step): one detector per
// device (shared/src/trips.ts, O(1) state), closed segments written to QuestDB's trips and
// stops tables through the same group commit as telemetry, the segment in progress written
// with `open` set every checkpoint, and each detector's state checkpointed to the domain
// database so a restart goes on where it stood (what arrived after the checkpoint is read back
// from QuestDB before the device's next record). Late records (a tracker replaying its buffer)
// are stored at their time and make the device's window from the last stop before them be
// computed again in batch from QuestDB: the rewritten segments replace theirs, and those no
// longer found get a `deleted` row. Nothing here blocks the pipeline: observe() updates memory
// and queues writes; a device being caught up or recomputed queues its records meanwhile.
import type { FaultReporter, Logger, TelemetryRecord, WorkingHours } from '@fleet/shared';
import type { SqlDatabase } from '@fleet/shared/db';
import { type QuestDbHttp, sqlString } from '@fleet/shared/questdb';
import {
  type DetectorState,
  detectorStateSchema,
  type Segment,
  TripDetector,
  type TripParameters,
  type TripPoint,
} from '@fleet/shared/trips';
import { afterHoursSecondsBetween } from '@fleet/shared/working-time';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { StoredRow } from '../rows.ts';
import { TABLES } from '../schema.ts';
import { TELEMETRY_SELECT, telemetryFromRow } from '../stored-records.ts';

export interface TripServiceDeps {
  db: SqlDatabase;
  questdb: QuestDbHttp;
  /** The telemetry store's group commit: segments are rows like any other. */
  writer: { write(rows: StoredRow[]): Promise<unknown> };
  faults: FaultReporter;
  log: Logger;
  metricsRegistry: Registry;
  checkpointMs: number;
  /** Late records older than this behind a device's newest are stored but not recomputed. */
  recomputeMaxMs: number;
  /** The most records one recomputation or catch-up reads. */
  maxReadRecords: number;
  params?: Partial<TripParameters>;
  /**
   * An organisation's working hours and time zone, for each trip's after-hours time (the rule
   * directory keeps them current); undefined while unknown, and the trip is written without it.
   */
  workingTimeOf?: (orgId: string) => { workingHours: WorkingHours; timeZone: string } | undefined;
  /** QuestDB table names (tests use their own). */
  tables?: { telemetry: string; trips: string; stops: string };
  now?: () => number;
}

export interface TripService {
  observe(records: readonly TelemetryRecord[]): void;
  /** Finishes catch-ups and recomputations, writes open segments and checkpoints now. */
  flush(): Promise<void>;
  close(): Promise<void>;
}

interface DeviceTrips {
  tenant: string;
  detector: TripDetector;
  /** Changed since the last checkpoint. */
  dirty: boolean;
  /** The open segment last written (its key), to delete it if it never closes as such. */
  openWritten: { kind: 'trip' | 'stop'; startTs: number } | undefined;
  /** Restored from a checkpoint and not yet caught up with what QuestDB holds after it. */
  restored: boolean;
  /** The earliest late record since the last recomputation. */
  lateFrom: number | undefined;
  /** The late records themselves: QuestDB may not show a commit to reads for a moment. */
  late: TelemetryRecord[];
  /** Catching up or recomputing: records wait here. */
  busy: Promise<void> | undefined;
  queue: TelemetryRecord[];
}

const toPoint = (r: TelemetryRecord): TripPoint | undefined =>
  r.lat === undefined || r.lon === undefined
    ? undefined
    : {
        ts: r.ts,
        lat: r.lat,
        lon: r.lon,
        ...(r.speedKmh === undefined ? {} : { speedKmh: r.speedKmh }),
        ...(r.ignition === undefined ? {} : { ignition: r.ignition }),
        ...(r.odometerKm === undefined ? {} : { odometerKm: r.odometerKm }),
        ...(r.driverCardId === undefined ? {} : { driverCardId: r.driverCardId }),
      };

const lastTs = (d: TripDetector) => d.lastTs;
/** Late records kept in memory per device until its recomputation (beyond: QuestDB's alone). */
const LATE_KEPT = 50_000;
/** A QuestDB timestamp literal from epoch ms (its TIMESTAMP is microseconds). */
const at = (ms: number) => `${Math.trunc(ms)}000::timestamp`;

export async function startTripService(deps: TripServiceDeps): Promise<TripService> {
  const now = deps.now ?? Date.now;
  const tables = deps.tables ?? { telemetry: TABLES.telemetry, trips: TABLES.trips, stops: TABLES.stops };
  const metrics = {
    segments: new Counter({
      name: 'fleet_trips_segments_written_total',
      help: 'Trips and stops written, by kind and whether closed, open (in progress) or deleted (a recomputation no longer found it)',
      labelNames: ['kind', 'as'],
      registers: [deps.metricsRegistry],
    }),
    late: new Counter({
      name: 'fleet_trips_late_records_total',
      help: 'Records older than their device’s newest: recomputed, or too old to recompute',
      labelNames: ['outcome'],
      registers: [deps.metricsRegistry],
    }),
    recompute: new Histogram({
      name: 'fleet_trips_recompute_seconds',
      help: 'Time to compute a device’s trips again from QuestDB after late records or a restart',
      labelNames: ['why'],
      buckets: [0.01, 0.05, 0.2, 1, 5, 20],
      registers: [deps.metricsRegistry],
    }),
    devices: new Gauge({
      name: 'fleet_trips_devices',
      help: 'Devices with a trip detector',
      registers: [deps.metricsRegistry],
    }),
  };
  const devices = new Map<string, DeviceTrips>();
  let closed = false;

  const restored = await deps.db.query<{ device_id: string; tenant: string; state: unknown }>(
    'select device_id, org_id::text as tenant, state from trip_detector_states',
  );
  for (const row of restored) {
    const state = detectorStateSchema.safeParse(
      typeof row.state === 'string' ? JSON.parse(row.state) : row.state,
    );
    if (!state.success) continue; // an older shape: that device starts afresh
    devices.set(row.device_id, fresh(row.tenant, state.data, true));
  }
  metrics.devices.set(devices.size);

  function fresh(tenant: string, state?: DetectorState, wasRestored = false): DeviceTrips {
    return {
      tenant,
      detector: new TripDetector(deps.params, state),
      dirty: false,
      openWritten: undefined,
      restored: wasRestored,
      lateFrom: undefined,
      late: [],
      busy: undefined,
      queue: [],
    };
  }

  function rowsOf(
    d: DeviceTrips,
    deviceId: string,
    segments: readonly Segment[],
    open: boolean,
  ): StoredRow[] {
    const working = deps.workingTimeOf?.(d.tenant);
    return segments.map((segment) => {
      metrics.segments.inc({ kind: segment.kind, as: open ? 'open' : 'closed' });
      // Computed as the trip is written, so reports sum a column instead of reading every trip.
      const afterHoursS =
        segment.kind === 'trip' && working
          ? afterHoursSecondsBetween(segment.startTs, segment.endTs, working.workingHours, working.timeZone)
          : undefined;
      return {
        table: segment.kind === 'trip' ? 'trips' : 'stops',
        segment: { tenant: d.tenant, deviceId, segment, open, deleted: false, writtenAt: now(), afterHoursS },
      } satisfies StoredRow;
    });
  }
  function deletedRow(d: DeviceTrips, deviceId: string, kind: 'trip' | 'stop', startTs: number): StoredRow {
    metrics.segments.inc({ kind, as: 'deleted' });
    return {
      table: kind === 'trip' ? 'trips' : 'stops',
      segment: {
        tenant: d.tenant,
        deviceId,
        segment: { kind, startTs },
        open: false,
        deleted: true,
        writtenAt: now(),
      },
    };
  }
  const writing = new Set<Promise<unknown>>();
  function write(rows: StoredRow[]): void {
    if (rows.length === 0) return;
    const p = deps.writer
      .write(rows)
      .catch((err: unknown) => deps.faults.report('ingest', 'trips.write', err))
      .finally(() => writing.delete(p));
    writing.add(p);
  }

  /** Pushes records in order; closed segments are written, late ones remembered. */
  function push(d: DeviceTrips, deviceId: string, records: readonly TelemetryRecord[]): void {
    const closedNow: Segment[] = [];
    for (const r of records) {
      const p = toPoint(r);
      if (!p) continue;
      const last = lastTs(d.detector);
      if (last !== undefined && p.ts < last) {
        d.lateFrom = Math.min(d.lateFrom ?? p.ts, p.ts);
        if (d.late.length < LATE_KEPT) d.late.push(r);
        continue;
      }
      if (last !== undefined && p.ts === last) continue; // a re-sent record
      closedNow.push(...d.detector.push(p));
      d.dirty = true;
    }
    for (const s of closedNow)
      if (d.openWritten && d.openWritten.kind === s.kind && d.openWritten.startTs === s.startTs)
        d.openWritten = undefined;
    write(rowsOf(d, deviceId, closedNow, false));
  }

  async function readPoints(
    deviceId: string,
    fromTs: number,
    afterOnly: boolean,
  ): Promise<TelemetryRecord[] | undefined> {
    const op = afterOnly ? '>' : '>=';
    const result = await deps.questdb.exec(
      `SELECT ${TELEMETRY_SELECT} FROM ${tables.telemetry} WHERE device_id = ${sqlString(deviceId)} ` +
        `AND ts ${op} ${at(fromTs)} AND lat IS NOT NULL ORDER BY ts LIMIT ${deps.maxReadRecords + 1}`,
    );
    if (result.dataset.length > deps.maxReadRecords) return undefined;
    return result.dataset.map(telemetryFromRow);
  }

  /** After a restart: what QuestDB holds after the checkpointed state, before the queued records. */
  async function catchUp(d: DeviceTrips, deviceId: string): Promise<void> {
    const last = lastTs(d.detector);
    if (last === undefined) return;
    const stop = metrics.recompute.startTimer({ why: 'restart' });
    // Up to the records waiting (stored before they got here): what is older is the gap.
    const newest = d.queue.reduce((m, r) => Math.max(m, r.ts), Number.NEGATIVE_INFINITY);
    const records = await readThrough(deviceId, last, Number.isFinite(newest) ? newest : undefined, true);
    if (records) push(d, deviceId, records);
    stop();
  }

  /**
   * The device's stored records from a time on, including every record it has pushed: a commit
   * shows to reads a moment after it returns, so the newest pushed one is waited for (briefly).
   */
  async function readThrough(deviceId: string, from: number, newest: number | undefined, afterOnly = false) {
    for (let attempt = 0; ; attempt++) {
      const records = await readPoints(deviceId, from, afterOnly);
      if (!records) return undefined;
      const seen = records.at(-1)?.ts ?? Number.NEGATIVE_INFINITY;
      if (newest === undefined || seen >= newest || attempt >= 20) return records;
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** Late records: the window from the last stop before them, again from QuestDB. */
  async function recompute(
    d: DeviceTrips,
    deviceId: string,
    lateFrom: number,
    lateRecords: readonly TelemetryRecord[],
  ): Promise<void> {
    const newest = lastTs(d.detector) ?? lateFrom;
    if (newest - lateFrom > deps.recomputeMaxMs) {
      metrics.late.inc({ outcome: 'too_old' });
      return;
    }
    const stop = metrics.recompute.startTimer({ why: 'late' });
    const device = sqlString(deviceId);
    const before = await deps.questdb.exec(
      `SELECT ts::long / 1000 FROM ${tables.stops} WHERE device_id = ${device} AND ts <= ${at(lateFrom)} ` +
        'AND deleted = false ORDER BY ts DESC LIMIT 1',
    );
    const from = Number(before.dataset[0]?.[0] ?? lateFrom - 86_400_000);
    const read = await readThrough(deviceId, from, lastTs(d.detector));
    if (!read) {
      metrics.late.inc({ outcome: 'too_many_records' });
      stop();
      return;
    }
    const [trips, stops] = await Promise.all(
      [tables.trips, tables.stops].map((t) =>
        deps.questdb.exec(
          `SELECT ts::long / 1000 FROM ${t} WHERE device_id = ${device} AND ts >= ${at(from)} AND deleted = false`,
        ),
      ),
    );
    const byTs = new Map<number, TelemetryRecord>();
    for (const r of read) byTs.set(r.ts, r);
    for (const r of lateRecords) if (r.ts >= from && !byTs.has(r.ts)) byTs.set(r.ts, r);
    const records = [...byTs.values()].sort((a, b) => a.ts - b.ts);
    const detector = new TripDetector(deps.params);
    const closedNow: Segment[] = [];
    for (const r of records) {
      const p = toPoint(r);
      if (p) closedNow.push(...detector.push(p));
    }
    const open = detector.open();
    const kept = new Set([...closedNow, ...(open ? [open] : [])].map((s) => `${s.kind}:${s.startTs}`));
    const rows: StoredRow[] = [];
    for (const [kind, result] of [
      ['trip', trips],
      ['stop', stops],
    ] as const)
      for (const row of result?.dataset ?? []) {
        const startTs = Number(row[0]);
        if (!kept.has(`${kind}:${startTs}`)) rows.push(deletedRow(d, deviceId, kind, startTs));
      }
    rows.push(...rowsOf(d, deviceId, closedNow, false), ...rowsOf(d, deviceId, open ? [open] : [], true));
    write(rows);
    d.detector = detector;
    d.openWritten = open ? { kind: open.kind, startTs: open.startTs } : undefined;
    d.dirty = true;
    metrics.late.inc({ outcome: 'recomputed' });
    stop();
  }

  /** Runs a device's catch-up or recomputation, then the records that waited for it. */
  function busy(d: DeviceTrips, deviceId: string, work: () => Promise<void>): void {
    d.busy = work()
      .catch((err: unknown) => deps.faults.report('ingest', 'trips.recompute', err, { deviceId }))
      .finally(() => {
        const queued = d.queue;
        d.queue = [];
        d.busy = undefined;
        // Runs off the pipeline's path: a throw here would be an unhandled rejection, not a fault.
        try {
          push(d, deviceId, queued);
          schedule(d, deviceId);
        } catch (err) {
          deps.faults.report('ingest', 'trips.queued', err, { deviceId });
        }
      });
  }
  function schedule(d: DeviceTrips, deviceId: string): void {
    if (d.busy || closed) return;
    if (d.lateFrom !== undefined) {
      const from = d.lateFrom;
      const late = d.late;
      d.lateFrom = undefined;
      d.late = [];
      busy(d, deviceId, () => recompute(d, deviceId, from, late));
    }
  }

  async function checkpoint(): Promise<void> {
    const states: { d: string; o: string; s: DetectorState }[] = [];
    const rows: StoredRow[] = [];
    for (const [deviceId, d] of devices) {
      if (!d.dirty || d.busy) continue;
      d.dirty = false;
      states.push({ d: deviceId, o: d.tenant, s: d.detector.state() });
      const open = d.detector.open();
      const w = d.openWritten;
      if (w && (!open || open.kind !== w.kind || open.startTs !== w.startTs))
        rows.push(deletedRow(d, deviceId, w.kind, w.startTs));
      if (open) rows.push(...rowsOf(d, deviceId, [open], true));
      d.openWritten = open ? { kind: open.kind, startTs: open.startTs } : undefined;
    }
    write(rows);
    for (let i = 0; i < states.length; i += 2000) {
      const chunk = states.slice(i, i + 2000);
      await deps.db.query(
        `insert into trip_detector_states (device_id, org_id, state, updated_at)
         select x.d, x.o, x.s, now() from jsonb_to_recordset($1::jsonb) as x(d text, o uuid, s jsonb)
         on conflict (device_id) do update set org_id = excluded.org_id, state = excluded.state, updated_at = now()`,
        [JSON.stringify(chunk)],
      );
    }
  }

  let checkpointing: Promise<void> | undefined;
  function runCheckpoint(): Promise<void> {
    checkpointing ??= checkpoint()
      .catch((err: unknown) => deps.faults.report('ingest', 'trips.checkpoint', err))
      .finally(() => {
        checkpointing = undefined;
      });
    return checkpointing;
  }
  const timer = setInterval(() => {
    if (!closed) void runCheckpoint();
  }, deps.checkpointMs);
  timer.unref?.();

  const service: TripService = {
    observe(records) {
      const byDevice = new Map<string, TelemetryRecord[]>();
      for (const r of records) {
        const list = byDevice.get(r.deviceId);
        if (list) list.push(r);
        else byDevice.set(r.deviceId, [r]);
      }
      for (const [deviceId, list] of byDevice) {
        let d = devices.get(deviceId);
        if (!d || d.tenant !== (list[0] as TelemetryRecord).tenant) {
          d = fresh((list[0] as TelemetryRecord).tenant);
          devices.set(deviceId, d);
          metrics.devices.set(devices.size);
        }
        const sorted = list.length > 1 ? [...list].sort((a, b) => a.ts - b.ts) : list;
        if (d.busy) {
          d.queue.push(...sorted);
          continue;
        }
        if (d.restored) {
          d.restored = false;
          d.queue.push(...sorted);
          const device = d;
          busy(device, deviceId, () => catchUp(device, deviceId));
          continue;
        }
        push(d, deviceId, sorted);
        schedule(d, deviceId);
      }
    },
    async flush() {
      for (;;) {
        const pending = [...devices.values()].map((d) => d.busy).filter((p) => p !== undefined);
        if (pending.length === 0) break;
        await Promise.all(pending);
      }
      await runCheckpoint();
      while (writing.size > 0) await Promise.all([...writing]);
    },
    async close() {
      clearInterval(timer);
      await service.flush();
      closed = true;
    },
  };
  return service;
}
