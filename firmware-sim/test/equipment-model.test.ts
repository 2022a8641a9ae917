import {
  checkDeviceTime,
  toDeviceEventRecord,
  toTelemetryRecord,
  type ValidationPolicy,
  validateTelemetry,
} from '@fleet/ingest';
import {
  CommandKind,
  DeviceEventKind,
  decodeDeviceEvent,
  decodeTelemetryBatch,
  encodeDeviceEvent,
  encodeTelemetryBatch,
} from '@fleet/proto';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  createEquipmentModel,
  createVehicleModel,
  type DeviceEventSample,
  type DeviceModel,
  type EquipmentModelOptions,
  haversineM,
  loadRoadNetwork,
  pickSites,
  type RoadNetwork,
  TAG_BATTERY,
  TAG_FIRMWARE,
  TAG_REPORT_S,
  TAG_SENSORS,
  type TelemetrySample,
  type VehicleModel,
} from '../src/index.ts';
import { helsinkiExtract } from './extract.ts';

// 2026-03-02 06:00 in Helsinki (UTC+2).
const START_MS = Date.UTC(2026, 2, 2, 4, 0, 0);
const HOUR = 3600;
const DAY = 86_400;
const SITE = { lat: 60.1699, lon: 24.9384 };

interface Trace {
  records: TelemetrySample[];
  events: DeviceEventSample[];
  /** The vehicle's position and state after every step (riding tags). */
  carrier: { lat: number; lon: number; speedKmh: number; moving: boolean; ignition: boolean | undefined }[];
  /** The tag's report interval after every step, with whether its vehicle moved. */
  intervals: { interval: number; moving: boolean }[];
}

/**
 * What the device runtime does, minus MQTT: one shared tick, the vehicle stepped before the tag
 * it carries, a record whenever the interval (re-read every tick) has passed.
 */
function run(tag: DeviceModel, seconds: number, vehicle?: DeviceModel, dtS = 1): Trace {
  const trace: Trace = { records: [], events: [], carrier: [], intervals: [] };
  let last = Number.NEGATIVE_INFINITY;
  for (let t = dtS; t <= seconds; t += dtS) {
    const now = START_MS + t * 1000;
    vehicle?.step(dtS, now);
    tag.step(dtS, now);
    if (vehicle) {
      const p = vehicle.position();
      trace.carrier.push({
        lat: p.lat,
        lon: p.lon,
        speedKmh: p.speedKmh,
        moving: p.moving,
        ignition: p.ignition,
      });
    }
    const interval = tag.reportIntervalS();
    trace.intervals.push({ interval, moving: vehicle?.position().moving ?? false });
    if (now - last >= interval * 1000) {
      trace.records.push(tag.sample(now));
      last = now;
    }
    trace.events.push(...tag.drainEvents(now));
  }
  return trace;
}

const POLICY: ValidationPolicy = { maxFutureSkewMs: 300_000, maxAgeMs: 400 * DAY * 1000 };
const SESSION = { tenant: 'sim', deviceId: 'tag-under-test' };

/** The platform's own path (encode, decode, normalise, validate); the reasons it would refuse. */
function platformRejects(
  records: readonly TelemetrySample[],
  events: readonly DeviceEventSample[],
): string[] {
  const refused: string[] = [];
  let seq = 1;
  for (let i = 0; i < records.length; i += 500) {
    const batch = records.slice(i, i + 500).map((r) => ({ ...r, seq: seq++ }));
    const decoded = decodeTelemetryBatch(encodeTelemetryBatch(batch), {
      maxBytes: 1 << 22,
      maxRecords: 1000,
    });
    if (!decoded.ok) {
      refused.push(decoded.reason);
      continue;
    }
    for (const message of decoded.value) {
      const record = toTelemetryRecord(message, SESSION, message.tsMs + 1000);
      const verdict = validateTelemetry(record, record.receivedAt, POLICY);
      if (!verdict.ok) refused.push(`${verdict.reason}: ${verdict.detail}`);
    }
  }
  for (const e of events) {
    const decoded = decodeDeviceEvent(encodeDeviceEvent({ ...e, seq: seq++ }), { maxBytes: 4096 });
    if (!decoded.ok) {
      refused.push(decoded.reason);
      continue;
    }
    const event = toDeviceEventRecord(decoded.value, SESSION, e.tsMs + 1000);
    if (event.kind === 'UNKNOWN' || event.kind === 'KIND_UNSPECIFIED')
      refused.push(`event kind ${event.kind}`);
    const time = checkDeviceTime(event.ts, event.receivedAt, POLICY);
    if (!time.ok) refused.push(time.reason);
  }
  return refused;
}

function num(v: number | undefined): number {
  if (v === undefined) throw new Error('field missing');
  return v;
}

/** Local hour of a device time (UTC+2). */
function hourOf(tsMs: number): number {
  return Math.floor(((((tsMs / 1000 + 2 * HOUR) % DAY) + DAY) % DAY) / HOUR);
}

let net: RoadNetwork;
let depot: number;
let sites: number[];
function vehicle(seed: number): VehicleModel {
  return createVehicleModel({ seed, network: net, depot, sites, startMs: START_MS });
}
function tag(seed: number, extra: Partial<EquipmentModelOptions> = {}) {
  return createEquipmentModel({ seed, startMs: START_MS, site: SITE, ...extra });
}

beforeAll(async () => {
  net = await loadRoadNetwork(helsinkiExtract());
  const picked = pickSites(net, 12, 42);
  depot = picked[0] ?? 0;
  sites = picked.slice(1);
});

describe('a tag riding along in a vehicle', () => {
  let van: VehicleModel;
  let trace: Trace;
  let vanRecords = 0;
  beforeAll(() => {
    van = vehicle(3);
    const t = tag(3, { rideAlong: van, tagType: 'door', site: undefined });
    trace = run(t, DAY, van);
    // How many records the vehicle itself would have sent that day.
    const twin = vehicle(3);
    let last = Number.NEGATIVE_INFINITY;
    for (let s = 1; s <= DAY; s++) {
      const now = START_MS + s * 1000;
      twin.step(1, now);
      if (now - last >= twin.reportIntervalS() * 1000) {
        twin.sample(now);
        last = now;
        vanRecords += 1;
      }
    }
  });

  it('goes where the vehicle goes, a few metres off', () => {
    const records = trace.records;
    expect(records.length).toBeGreaterThan(50);
    let moving = 0;
    for (const r of records) {
      const at = trace.carrier[(r.tsMs - START_MS) / 1000 - 1];
      if (!at) throw new Error('no carrier state');
      expect(haversineM(r.lat ?? 0, r.lon ?? 0, at.lat, at.lon)).toBeLessThanOrEqual(
        TAG_SENSORS.rideOffsetM[1] + 0.01,
      );
      expect(r.speedKmh).toBeCloseTo(at.speedKmh, 1);
      if (num(r.speedKmh) > 0) moving += 1;
    }
    expect(moving).toBeGreaterThan(10);
  });

  it('reports far less often than its vehicle: every minute moving, every 15 min still', () => {
    expect(trace.records.length).toBeLessThan(vanRecords / 10);
    let movingS = 0;
    for (const { interval, moving } of trace.intervals) {
      movingS = moving ? movingS + 1 : 0;
      // 1 s right after a door change (report on change) or for the first fix on the move, else
      // the state's interval; on the move only once the GPS has a fix.
      if (interval === 1) continue;
      expect(interval).toBe(
        moving && movingS >= TAG_REPORT_S.firstFixS ? TAG_REPORT_S.moving : TAG_REPORT_S.still,
      );
    }
    // Every time the van moves off, the tag sends a fix 15 s in, with the van's speed.
    let run = 0;
    let departures = 0;
    trace.intervals.forEach(({ moving }, i) => {
      run = moving ? run + 1 : 0;
      if (run !== TAG_REPORT_S.firstFixS) return;
      departures++;
      const at = START_MS + (i + 1) * 1000;
      const fix = trace.records.find((r) => r.tsMs === at);
      expect(fix?.speedKmh).toBe(Math.round((trace.carrier[i]?.speedKmh ?? 0) * 10) / 10);
      expect(num(fix?.speedKmh)).toBeGreaterThan(5);
    });
    expect(departures).toBeGreaterThan(5);
    const gaps = trace.records.slice(1).map((r, i) => (r.tsMs - (trace.records[i]?.tsMs ?? 0)) / 1000);
    expect(Math.max(...gaps)).toBeLessThanOrEqual(TAG_REPORT_S.still);
    expect(gaps.filter((g) => g === TAG_REPORT_S.moving).length).toBeGreaterThan(10);
  });

  it('opens the cargo door at stops with the engine off, never on the move', () => {
    const open = trace.records.filter((r) => r.doorOpen === true);
    expect(open.length).toBeGreaterThan(3);
    for (const r of open) {
      const at = trace.carrier[(r.tsMs - START_MS) / 1000 - 1];
      expect(at?.moving).toBe(false);
      expect(at?.ignition).toBe(false);
    }
  });

  it('runs on its battery, with no ignition or OBD data', () => {
    let previous = Number.POSITIVE_INFINITY;
    for (const r of trace.records) {
      const v = num(r.batteryV);
      expect(v).toBeLessThanOrEqual(previous);
      expect(v).toBeGreaterThanOrEqual(TAG_BATTERY.startV[0] - 0.01);
      expect(v).toBeLessThanOrEqual(TAG_BATTERY.startV[1]);
      previous = v;
      for (const field of [
        'ignition',
        'odometerKm',
        'engineHours',
        'engineRpm',
        'externalV',
        'fuelLevelL',
      ] as const) {
        expect(r[field]).toBeUndefined();
      }
    }
  });

  it('sends only what the platform accepts, and boots first', () => {
    expect(trace.events[0]).toMatchObject({
      kind: DeviceEventKind.BOOT,
      tsMs: START_MS,
      firmware: TAG_FIRMWARE,
    });
    expect(platformRejects(trace.records, trace.events)).toEqual([]);
  });
});

describe('a cold-chain probe', () => {
  it('holds the set point while the engine runs and warms when the vehicle parks', () => {
    const van = vehicle(4);
    const probe = tag(4, { rideAlong: van, tagType: 'temperature', setpointC: 3, ambientC: 15 });
    const { records } = run(probe, DAY, van);
    const temps = records.map((r) => num(r.temperatureC));
    // Working day: near the set point; the night at the depot unpowered: warming.
    const day = records
      .filter((r) => hourOf(r.tsMs) >= 9 && hourOf(r.tsMs) < 16)
      .map((r) => num(r.temperatureC));
    expect(Math.min(...day)).toBeLessThan(5);
    const night = records.filter((r) => hourOf(r.tsMs) === 5).map((r) => num(r.temperatureC));
    expect(Math.min(...night)).toBeGreaterThan(12);
    expect(Math.max(...temps)).toBeLessThanOrEqual(15.3);
    expect(Math.min(...temps)).toBeGreaterThanOrEqual(2.7);
  });

  it('stays at the set point in a cold room at a site', () => {
    const probe = tag(5, { tagType: 'temperature', setpointC: -18 });
    const { records } = run(probe, DAY);
    for (const r of records) expect(Math.abs(num(r.temperatureC) + 18)).toBeLessThanOrEqual(0.3);
  });
});

describe('a tag at a site', () => {
  it('stays put, reports every 15 min, and works its sensor in working hours', () => {
    for (const tagType of ['door', 'pto'] as const) {
      let changes = 0;
      for (const seed of [1, 2, 3]) {
        const t = tag(seed, { tagType });
        const { records, events, intervals } = run(t, 2 * DAY);
        expect(platformRejects(records, events)).toEqual([]);
        for (const r of records) {
          const d = haversineM(num(r.lat), num(r.lon), SITE.lat, SITE.lon);
          expect(d).toBeGreaterThanOrEqual(TAG_SENSORS.siteOffsetM[0] - 0.01);
          expect(d).toBeLessThanOrEqual(TAG_SENSORS.siteOffsetM[1] + 0.01);
          expect(r.speedKmh).toBe(0);
        }
        expect(intervals.every((i) => i.interval === 1 || i.interval === TAG_REPORT_S.still)).toBe(true);
        const field = tagType === 'door' ? 'doorOpen' : 'ptoActive';
        const on = records.filter((r) => r[field] === true);
        for (const r of on) {
          const h = hourOf(r.tsMs);
          // Switched on in working hours; a spell started before 17:00 may run on a little.
          expect(h >= 7 && h < 19).toBe(true);
        }
        for (let i = 1; i < records.length; i++)
          if (records[i]?.[field] !== records[i - 1]?.[field]) changes += 1;
        // Still, with no changes: about 96 a day, plus the changes reported at once.
        expect(records.length).toBeGreaterThanOrEqual(2 * 96);
        expect(records.length).toBeLessThan(2 * 96 + 80);
      }
      expect(changes).toBeGreaterThan(6);
    }
  });

  it('raises a rare tamper alarm: an event and a latched flag', () => {
    let alarms = 0;
    for (let seed = 1; seed <= 150; seed++) {
      const t = tag(seed, { tagType: 'pto' });
      // 60 days in 60 s steps: big steps are fine for a tag standing at a site.
      let now = START_MS;
      for (let s = 0; s < 60 * 1440; s++) {
        now += 60_000;
        t.step(60, now);
        const events = t.drainEvents(now).filter((e) => e.kind === DeviceEventKind.TAMPER);
        if (events.length === 0) continue;
        alarms += events.length;
        expect(t.reportIntervalS()).toBe(1);
        expect(t.sample(now).tamper).toBe(true);
        expect(num(events[0]?.tsMs)).toBeLessThanOrEqual(now);
        expect(num(events[0]?.tsMs)).toBeGreaterThan(now - 60_000);
      }
    }
    // 150 tags x 60 days at one alarm per 730 days: about 12.
    expect(alarms).toBeGreaterThan(3);
    expect(alarms).toBeLessThan(30);
  });
});

describe('tags in general', () => {
  it('are deterministic from their seed', () => {
    const a = run(tag(8), DAY);
    const b = run(tag(8), DAY);
    expect(b.records).toEqual(a.records);
    expect(b.events).toEqual(a.events);
    expect(run(tag(9, { tagType: tag(8).tagType }), DAY).records).not.toEqual(a.records);
  });

  it('need a site or a vehicle', () => {
    expect(() => createEquipmentModel({ seed: 1, startMs: START_MS })).toThrow(/site or a vehicle/);
  });

  it('handle commands like a tracker', () => {
    const t = tag(2);
    t.step(1, START_MS + 1000);
    t.sample(START_MS + 1000);
    expect(t.reportIntervalS()).toBe(TAG_REPORT_S.still);
    t.onCommand({
      id: 'a',
      tsMs: START_MS,
      kind: CommandKind.SET_REPORT_INTERVAL,
      reportIntervalS: 120,
      rejectSeq: [],
    });
    expect(t.reportIntervalS()).toBe(120);
    t.onCommand({ id: 'b', tsMs: START_MS, kind: CommandKind.REQUEST_POSITION, rejectSeq: [] });
    expect(t.reportIntervalS()).toBe(1);
    expect(t.onCommand({ id: 'c', tsMs: START_MS, kind: CommandKind.REBOOT, rejectSeq: [] })).toContain(
      'reboot',
    );
    expect(t.drainEvents(START_MS + 1000).map((e) => e.kind)).toEqual([
      DeviceEventKind.BOOT,
      DeviceEventKind.BOOT,
    ]);
  });
});
