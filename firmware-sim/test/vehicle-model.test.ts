import {
  checkDeviceTime,
  toDeviceEventRecord,
  toTelemetryRecord,
  type ValidationPolicy,
  validateTelemetry,
} from '@fleet/ingest';
import {
  CommandKind,
  type CommandMessage,
  DeviceEventKind,
  decodeDeviceEvent,
  decodeTelemetryBatch,
  deviceEventKindName,
  encodeDeviceEvent,
  encodeTelemetryBatch,
} from '@fleet/proto';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  COOLANT,
  createVehicleModel,
  type DeviceEventSample,
  type DeviceModel,
  ELECTRICS,
  HARSH,
  loadRoadNetwork,
  pickSites,
  type RoadNetwork,
  type TelemetrySample,
  VEHICLE_FIRMWARE,
  VEHICLE_REPORT_S,
  type VehicleModelOptions,
} from '../src/index.ts';
import { helsinkiExtract } from './extract.ts';

// 2026-03-02 06:00 in Helsinki (UTC+2): an hour before the working day starts.
const START_MS = Date.UTC(2026, 2, 2, 4, 0, 0);
const HOUR = 3600;
const DAY = 86_400;
const G = 9.80665;

interface Run {
  records: TelemetrySample[];
  events: DeviceEventSample[];
}

/**
 * What the device runtime does, minus MQTT: one shared tick of dtS, a record whenever the
 * model's interval (re-read every tick) has passed, events drained after every step.
 */
function run(model: DeviceModel, seconds: number, dtS = 1, startMs = START_MS): Run {
  const records: TelemetrySample[] = [];
  const events: DeviceEventSample[] = [];
  let last = Number.NEGATIVE_INFINITY;
  for (let t = dtS; t <= seconds; t += dtS) {
    const now = startMs + t * 1000;
    model.step(dtS, now);
    if (now - last >= model.reportIntervalS() * 1000) {
      records.push(model.sample(now));
      last = now;
    }
    events.push(...model.drainEvents(now));
  }
  events.push(...model.drainEvents(startMs + seconds * 1000));
  return { records, events };
}

const POLICY: ValidationPolicy = { maxFutureSkewMs: 300_000, maxAgeMs: 30 * DAY * 1000 };
const SESSION = { tenant: 'sim', deviceId: 'vehicle-under-test' };

/**
 * The platform's own path for every record and event: protobuf encode (the device), decode,
 * normalise and validate (ingest/src/pipeline.ts), received one second after device time.
 * Returns the reasons of what the platform would refuse.
 */
function platformRejects(run: Run): string[] {
  const refused: string[] = [];
  let seq = 1;
  for (let i = 0; i < run.records.length; i += 500) {
    const batch = run.records.slice(i, i + 500).map((r) => ({ ...r, seq: seq++ }));
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
  for (const e of run.events) {
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

function kindsOf(events: readonly DeviceEventSample[]): string[] {
  return events.map((e) => deviceEventKindName(e.kind));
}

function command(kind: number, extra: Partial<CommandMessage> = {}): CommandMessage {
  return { id: `c${kind}`, tsMs: START_MS, kind, rejectSeq: [], ...extra };
}

let net: RoadNetwork;
let depot: number;
let sites: number[];
function vehicle(seed: number, extra: Partial<VehicleModelOptions> = {}) {
  return createVehicleModel({ seed, network: net, depot, sites, startMs: START_MS, ...extra });
}

beforeAll(async () => {
  net = await loadRoadNetwork(helsinkiExtract());
  const picked = pickSites(net, 12, 42);
  depot = picked[0] ?? 0;
  sites = picked.slice(1);
});

describe('a vehicle over a simulated day', () => {
  const seeds = [1, 2, 3, 4];
  const days = new Map<number, Run>();
  const models = new Map<number, ReturnType<typeof vehicle>>();
  beforeAll(() => {
    for (const seed of seeds) {
      const model = vehicle(seed);
      models.set(seed, model);
      days.set(seed, run(model, DAY));
    }
  });

  it('sends only records and events the platform accepts', () => {
    for (const seed of seeds) {
      const day = days.get(seed);
      if (!day) throw new Error('no day');
      expect(day.records.length).toBeGreaterThan(2000);
      expect(platformRejects(day), `seed ${seed}`).toEqual([]);
    }
  });

  it('boots first, then drives a working day and parks overnight', () => {
    for (const seed of seeds) {
      const { records, events } = days.get(seed) ?? { records: [], events: [] };
      expect(events[0]).toMatchObject({
        kind: DeviceEventKind.BOOT,
        tsMs: START_MS,
        firmware: VEHICLE_FIRMWARE,
      });
      // Local hour of each record (UTC+2).
      const hour = (r: TelemetrySample) => (((r.tsMs - START_MS) / 1000 / HOUR + 6) % 24) | 0;
      const driving = records.filter((r) => num(r.speedKmh) > 0);
      expect(driving.length).toBeGreaterThan(1000);
      expect(driving.every((r) => hour(r) >= 7 && hour(r) < 20)).toBe(true);
      // Overnight: ignition off, asleep at the parked interval.
      const night = records.filter((r) => hour(r) >= 22 || hour(r) < 5);
      expect(night.length).toBeGreaterThan(0);
      expect(night.every((r) => r.ignition === false && r.speedKmh === 0)).toBe(true);
      for (let i = 1; i < night.length; i++) {
        const gap = ((night[i]?.tsMs ?? 0) - (night[i - 1]?.tsMs ?? 0)) / 1000;
        expect(gap).toBeLessThanOrEqual(VEHICLE_REPORT_S.parked);
      }
    }
  });

  it('keeps odometer and engine hours growing, never back', () => {
    for (const seed of seeds) {
      const { records } = days.get(seed) ?? { records: [] };
      for (let i = 1; i < records.length; i++) {
        const a = records[i - 1];
        const b = records[i];
        if (!a || !b) continue;
        expect(num(b.odometerKm)).toBeGreaterThanOrEqual(num(a.odometerKm));
        expect(num(b.engineHours)).toBeGreaterThanOrEqual(num(a.engineHours));
        // Engine hours only grow with the ignition on (a record's ignition holds since the last).
        if (a.ignition === false && b.ignition === false) expect(b.engineHours).toBe(a.engineHours);
      }
      const first = records[0];
      const last = records.at(-1);
      if (!first || !last) throw new Error('no records');
      expect(num(last.odometerKm) - num(first.odometerKm)).toBeGreaterThan(10);
      expect(num(last.engineHours) - num(first.engineHours)).toBeGreaterThan(1);
      expect(num(last.engineHours) - num(first.engineHours)).toBeLessThan(12);
    }
  });

  it('keeps ignition, rpm, voltages and coolant consistent', () => {
    for (const seed of seeds) {
      const model = models.get(seed);
      const { records, events } = days.get(seed) ?? { records: [], events: [] };
      if (!model) throw new Error('no model');
      const cut = events.some((e) => e.kind === DeviceEventKind.POWER_CUT);
      for (const r of records) {
        if (num(r.speedKmh) > 0) expect(r.ignition).toBe(true);
        if (r.ignition) {
          expect(num(r.engineRpm)).toBeGreaterThanOrEqual(600);
          expect(num(r.engineRpm)).toBeLessThanOrEqual(4500);
          expect(num(r.externalV)).toBeGreaterThanOrEqual(ELECTRICS.chargeV[0] - 0.05);
          expect(num(r.externalV)).toBeLessThanOrEqual(ELECTRICS.chargeV[1] + ELECTRICS.startBoostV + 0.05);
          expect(num(r.engineLoadPct)).toBeGreaterThan(0);
        } else {
          expect(r.engineRpm).toBe(0);
          expect(r.engineLoadPct).toBe(0);
          if (!cut) {
            expect(num(r.externalV)).toBeGreaterThanOrEqual(ELECTRICS.minRestingV);
            expect(num(r.externalV)).toBeLessThanOrEqual(
              ELECTRICS.restingV[1] + ELECTRICS.surfaceChargeV + 0.05,
            );
          }
        }
        expect(num(r.coolantTempC)).toBeGreaterThanOrEqual(model.ambientC - 0.1);
        expect(num(r.coolantTempC)).toBeLessThanOrEqual(100);
        expect(num(r.batteryV)).toBeGreaterThanOrEqual(ELECTRICS.backupEmptyV);
        expect(num(r.batteryV)).toBeLessThanOrEqual(ELECTRICS.backupFullV);
      }
      // Warm while running, cooling when off: the day reaches the thermostat, the night ambient.
      expect(Math.max(...records.map((r) => num(r.coolantTempC)))).toBeGreaterThan(COOLANT.thermostatC - 8);
      expect(num(records.at(-1)?.coolantTempC)).toBeLessThan(model.ambientC + 5);
      // Coolant only falls while the ignition stays off, and rises soon after a start.
      for (let i = 1; i < records.length; i++) {
        const a = records[i - 1];
        const b = records[i];
        if (a?.ignition === false && b?.ignition === false) {
          expect(num(b.coolantTempC)).toBeLessThanOrEqual(num(a.coolantTempC));
        }
      }
    }
  });

  it('reports 1 s moving, 5 s idling, 30 s at a site', () => {
    const model = vehicle(5);
    const seen = new Map<string, Set<number>>();
    const phasesOnBattery = new Set<string>();
    let now = START_MS;
    for (let t = 0; t < 8 * HOUR; t++) {
      now += 1000;
      model.step(1, now);
      const phase = model.trip.motion.phase;
      const interval = model.reportIntervalS();
      // On its backup battery (a rare power cut) the tracker saves it: heartbeats (scenarios.test.ts).
      const onBattery = model.sample(now).externalV === 0;
      if (onBattery) phasesOnBattery.add(phase);
      else if (interval !== 1 || phase === 'driving') {
        const set = seen.get(phase) ?? new Set<number>();
        set.add(interval);
        seen.set(phase, set);
      }
    }
    // This seed's day has one, at a stop (the rest of the test would be only half a check without it).
    expect([...phasesOnBattery]).toContain('at-site');
    expect([...(seen.get('driving') ?? [])]).toEqual([VEHICLE_REPORT_S.moving]);
    expect([...(seen.get('idling') ?? [])]).toEqual([VEHICLE_REPORT_S.idling]);
    expect([...(seen.get('at-site') ?? [])]).toEqual([VEHICLE_REPORT_S.stopped]);
    expect([...(seen.get('parked') ?? [])]).toEqual([VEHICLE_REPORT_S.parked]);
  });
});

describe('fuel', () => {
  it('burns with distance, and only goes up at a refuel at the depot', () => {
    // 26% of the tank: the first return to the depot is below the refuel mark (25%).
    const model = vehicle(11, { initialFuelPct: 26 });
    const { records } = run(model, 14 * HOUR);
    expect(model.refuels).toBe(1);
    const depotLat = net.nodeLat[depot] ?? 0;
    let rises = 0;
    for (let i = 1; i < records.length; i++) {
      const a = records[i - 1];
      const b = records[i];
      if (!a || !b) continue;
      const change = num(b.fuelLevelL) - num(a.fuelLevelL);
      if (change > 0) {
        rises += 1;
        expect(change).toBeGreaterThan(20); // to full, not sensor noise
        expect(num(b.fuelLevelPct)).toBeGreaterThan(99);
        expect(b.lat).toBeCloseTo(depotLat, 6);
        expect(b.speedKmh).toBe(0);
      }
      // No fuel used standing with the engine off (no theft in a normal day).
      if (a.ignition === false && b.ignition === false) expect(change).toBe(0);
    }
    expect(rises).toBe(1);
    // A heavy urban delivery cycle: the motion model's 10-25 l/100 km including idling.
    let used = 0;
    for (let i = 1; i < records.length; i++) {
      const change = num(records[i]?.fuelLevelL) - num(records[i - 1]?.fuelLevelL);
      if (change < 0) used -= change;
    }
    const km = num(records.at(-1)?.odometerKm) - num(records[0]?.odometerKm);
    const per100 = (used / km) * 100;
    expect(per100).toBeGreaterThan(8);
    expect(per100).toBeLessThan(30);
  });

  it('burns while idling, standing still', () => {
    const model = vehicle(12, { trip: { idleS: [900, 900] }, startMs: START_MS + HOUR * 1000 });
    const m = model.trip.motion;
    expect(m.phase).toBe('idling');
    const before = m.fuelL;
    const odo = m.odometerKm;
    let now = START_MS + HOUR * 1000;
    for (let t = 0; t < 600; t++) {
      now += 1000;
      model.step(1, now);
    }
    expect(m.phase).toBe('idling');
    expect(m.odometerKm).toBe(odo);
    // 0.8 l/h for 10 min.
    expect(before - m.fuelL).toBeCloseTo((model.trip.params.idleLPerH * 600) / 3600, 6);
    const r = model.sample(now);
    expect(r.ignition).toBe(true);
    expect(r.speedKmh).toBe(0);
    expect(Math.abs(num(r.engineRpm) - model.idleRpm)).toBeLessThan(30);
  });
});

describe('harsh driving events', () => {
  it('come from the motion model’s actual accelerations (calm drivers)', () => {
    let braking = 0;
    let cornering = 0;
    for (const seed of [21, 22, 23, 24, 25, 26]) {
      // Fast but calm drivers: no random extras, only what the motion model really does.
      const model = vehicle(seed, { aggressive: false, trip: { driverFactor: [1.2, 1.2] } });
      const { records, events } = run(model, 12 * HOUR);
      const byTs = new Map(records.map((r) => [r.tsMs, r]));
      for (const e of events) {
        const name = deviceEventKindName(e.kind);
        if (!name.startsWith('HARSH_')) continue;
        expect(e.detail).toContain('measured');
        const at = byTs.get(e.tsMs);
        const before = byTs.get(e.tsMs - 1000);
        if (!at || !before) throw new Error(`no records around ${name} at ${e.tsMs}`);
        expect(e.lat).toBe(at.lat);
        expect(e.speedKmh).toBe(at.speedKmh);
        if (name === 'HARSH_BRAKING') {
          braking += 1;
          const decel = (num(before.speedKmh) - num(at.speedKmh)) / 3.6;
          expect(decel).toBeGreaterThanOrEqual(HARSH.brakingMs2 - 0.05);
          expect(num(e.peakG)).toBeCloseTo(decel / G, 1);
        } else if (name === 'HARSH_CORNERING') {
          cornering += 1;
          expect(num(e.peakG)).toBeGreaterThanOrEqual(HARSH.corneringMs2 / G - 0.01);
          let turn = Math.abs(num(at.headingDeg) - num(before.headingDeg));
          if (turn > 180) turn = 360 - turn;
          expect(turn).toBeGreaterThanOrEqual(5);
        } else {
          // The motion model accelerates at most 1.5 m/s²: a calm driver never accelerates harshly.
          throw new Error(`unexpected ${name}`);
        }
      }
    }
    expect(braking).toBeGreaterThan(0);
    expect(cornering).toBeGreaterThan(0);
  });

  it('come more often, with extras, from aggressive drivers', () => {
    let calm = 0;
    let aggressive = 0;
    let extras = 0;
    for (const seed of [31, 32, 33, 34]) {
      const harsh = (e: DeviceEventSample) => deviceEventKindName(e.kind).startsWith('HARSH_');
      calm += run(vehicle(seed, { aggressive: false }), 12 * HOUR).events.filter(harsh).length;
      const wild = run(vehicle(seed, { aggressive: true }), 12 * HOUR).events.filter(harsh);
      aggressive += wild.length;
      extras += wild.filter((e) => e.detail?.includes('aggressive')).length;
    }
    expect(aggressive).toBeGreaterThan(calm);
    expect(extras).toBeGreaterThan(0);
  });
});

describe('commands', () => {
  it('handles the platform’s commands on the device side', () => {
    const model = vehicle(7);
    model.step(1, START_MS + 1000);
    model.drainEvents(START_MS + 1000);
    model.sample(START_MS + 1000);
    expect(model.reportIntervalS()).toBe(VEHICLE_REPORT_S.parked);

    expect(model.onCommand(command(CommandKind.REQUEST_POSITION))).toContain('position');
    expect(model.reportIntervalS()).toBe(1);
    model.sample(START_MS + 1000);
    expect(model.reportIntervalS()).toBe(VEHICLE_REPORT_S.parked);

    expect(model.onCommand(command(CommandKind.SET_REPORT_INTERVAL, { reportIntervalS: 10 }))).toContain(
      '10 s',
    );
    expect(model.reportIntervalS()).toBe(10);
    expect(model.onCommand(command(CommandKind.SET_REPORT_INTERVAL, { reportIntervalS: 0 }))).toContain(
      'defaults',
    );
    expect(model.reportIntervalS()).toBe(VEHICLE_REPORT_S.parked);

    expect(model.onCommand(command(CommandKind.REBOOT))).toContain('reboot');
    expect(kindsOf(model.drainEvents(START_MS + 1000))).toEqual(['BOOT']);

    const notice = model.onCommand(
      command(CommandKind.REJECT_NOTICE, { rejectReason: 'out_of_range', rejectSeq: [17, 18] }),
    );
    expect(notice).toContain('17, 18');
    expect(notice).toContain('out_of_range');
    expect(model.rejectedRecords).toBe(2);
    expect(model.onCommand(command(99))).toContain('ignored');
  });
});

describe('driver card', () => {
  it('is reported from each ignition-on until the ignition goes off, and changes nothing else', () => {
    const card = '01:A2:B3:C4';
    const withCard = run(vehicle(21, { driverCardId: card }), 12 * HOUR);
    const twin = run(vehicle(21), 12 * HOUR);
    const on = withCard.records.filter((r) => r.ignition === true);
    const off = withCard.records.filter((r) => r.ignition !== true);
    expect(on.length).toBeGreaterThan(100);
    expect(off.length).toBeGreaterThan(10);
    expect(on.every((r) => r.driverCardId === card)).toBe(true);
    expect(off.some((r) => 'driverCardId' in r)).toBe(false);
    // Presented again at every start: the first record after each ignition-on carries it.
    const starts = withCard.records.filter(
      (r, i) => r.ignition === true && withCard.records[i - 1]?.ignition === false,
    );
    expect(starts.length).toBeGreaterThan(1);
    expect(starts.every((r) => r.driverCardId === card)).toBe(true);
    // Off by default, and the card draws nothing: the same seed drives the same day.
    expect(twin.records.some((r) => 'driverCardId' in r)).toBe(false);
    expect(withCard.records.map(({ driverCardId: _, ...r }) => r)).toEqual(twin.records);
    expect(withCard.events).toEqual(twin.events);
    expect(platformRejects(withCard)).toEqual([]);
  });
});

describe('time', () => {
  it('is deterministic: the same seed gives the same records and events', () => {
    const a = run(vehicle(9), 6 * HOUR);
    const b = run(vehicle(9), 6 * HOUR);
    expect(b).toEqual(a);
    const c = run(vehicle(10), 6 * HOUR);
    expect(c.records).not.toEqual(a.records);
  });

  it('compresses: a day in 60 s steps drives the same day, near enough', () => {
    const fine = vehicle(13);
    const coarse = vehicle(13);
    const a = run(fine, DAY, 1);
    const b = run(coarse, DAY, 60);
    const km = (r: Run) => num(r.records.at(-1)?.odometerKm) - num(r.records[0]?.odometerKm);
    const hours = (r: Run) => num(r.records.at(-1)?.engineHours) - num(r.records[0]?.engineHours);
    expect(km(b)).toBeGreaterThan(km(a) * 0.9);
    expect(km(b)).toBeLessThan(km(a) * 1.1);
    expect(hours(b)).toBeGreaterThan(hours(a) * 0.9);
    expect(hours(b)).toBeLessThan(hours(a) * 1.1);
    expect(coarse.ignitionStarts).toBeGreaterThan(fine.ignitionStarts * 0.8);
    // Events inside a 60 s step keep their own times, in order.
    const ts = b.events.map((e) => e.tsMs);
    expect(ts).toEqual([...ts].sort((x, y) => x - y));
    expect(platformRejects(b)).toEqual([]);
  });
});
