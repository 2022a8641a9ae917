// The scenarios that produce one alert each on purpose (speeding, idling, a power cut, a
// forgotten kit) and the `demo` mix, played on the real Helsinki extract over simulated time
// with no network (playModels: the runtime's schedule without MQTT). What the devices say is
// checked here; that the platform's rule engine raises the alerts from it is checked with the
// demo company's rules in cli/test/demo-alerts.test.ts.
import { DeviceEventKind } from '@fleet/proto';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  buildFleet,
  createEquipmentModel,
  createVehicleModel,
  type DeviceCredentials,
  type DeviceEventSample,
  ELECTRICS,
  type EquipmentModel,
  FORGOTTEN_KIT,
  fleetScenarios,
  haversineM,
  loadRoadNetwork,
  POWER_SAVE,
  pickSites,
  playModels,
  type RoadNetwork,
  type ScenarioName,
  type ScenarioTiming,
  SPEEDING,
  TAG_REPORT_S,
  type TelemetrySample,
  type VehicleModel,
} from '../src/index.ts';
import { helsinkiExtract } from './extract.ts';

// Wednesday 2026-06-03 10:00 in Helsinki (UTC+3).
const START_MS = Date.UTC(2026, 5, 3, 7, 0, 0);
const MIN = 60;
const HOUR = 3600;

let net: RoadNetwork;
let depot: number;
let sites: number[];

beforeAll(async () => {
  net = await loadRoadNetwork(helsinkiExtract());
  const picked = pickSites(net, 12, 42);
  depot = picked[0] ?? 0;
  sites = picked.slice(1);
});

/** A van as npm start drives them: around the clock, short stops. */
function van(seed: number, scenario: ScenarioName, timing: Partial<ScenarioTiming> = {}): VehicleModel {
  return createVehicleModel({
    seed,
    network: net,
    depot,
    sites: sites.slice(seed % 4, (seed % 4) + 4),
    startMs: START_MS,
    scenario,
    scenarioTiming: timing,
    workingDay: false,
    trip: { dwellS: [60, 300], depotDwellS: [120, 600] },
  });
}

const sinceStart = (tsMs: number) => (tsMs - START_MS) / 1000;
const num = (v: number | undefined) => {
  if (v === undefined) throw new Error('field missing');
  return v;
};
const kinds = (events: readonly DeviceEventSample[], ...wanted: number[]) =>
  events.filter((e) => wanted.includes(e.kind));

/** Stretches of consecutive seconds where `pick` held: [first, last], seconds since the start. */
function stretches(flags: readonly boolean[]): [number, number][] {
  const out: [number, number][] = [];
  flags.forEach((on, i) => {
    if (!on) return;
    const open = out.at(-1);
    if (open && open[1] === i) open[1] = i + 1;
    else out.push([i + 1, i + 1]);
  });
  return out;
}

describe('speeding', () => {
  it('drives stretches well over the limit from its time on, more aggressively; before that it is its normal twin', () => {
    const timing = { startAfterS: 10 * MIN, jitterS: 0 };
    // Seeds whose rounds have stretches that allow it (23 of 60 random rounds have none in 2 h).
    for (const seed of [1, 2, 3]) {
      const model = van(seed, 'speeding', timing);
      const speeding: boolean[] = [];
      const overBy: number[] = []; // km/h over the signed limit of the edge, each second
      const [played] = playModels([model], {
        startMs: START_MS,
        seconds: 2 * HOUR,
        onStep: () => {
          speeding.push(model.speeding());
          const route = model.trip.route;
          const m = model.trip.motion;
          const legal = route ? (net.edgeSpeedLimitMs[route.edges[m.edgeIndex] ?? 0] ?? 0) : 0;
          overBy.push((m.speedMs - legal) * 3.6);
        },
      });
      const twin = van(seed, 'normal');
      const twinOver: number[] = [];
      const [normal] = playModels([twin], {
        startMs: START_MS,
        seconds: 2 * HOUR,
        onStep: () => {
          const route = twin.trip.route;
          const m = twin.trip.motion;
          const legal = route ? (net.edgeSpeedLimitMs[route.edges[m.edgeIndex] ?? 0] ?? 0) : 0;
          twinOver.push((m.speedMs - legal) * 3.6);
        },
      });
      const runs = stretches(speeding);
      expect(runs.length, `seed ${seed}`).toBeGreaterThanOrEqual(2);
      let previous = Number.NEGATIVE_INFINITY;
      for (const [from, to] of runs) {
        expect(from).toBeGreaterThan(timing.startAfterS);
        // durationS + up to durationJitterS (45-90 s), unless the route ended first.
        expect(to - from + 1).toBeLessThanOrEqual(90);
        expect(from - previous).toBeGreaterThanOrEqual(10 * MIN);
        previous = from;
        // In each stretch: at least SPEEDING.minRunS s in one go 20 km/h or more over the limit.
        const longest = Math.max(
          0,
          ...stretches(overBy.map((o, i) => i + 1 >= from && i + 1 <= to && o >= 20)).map(
            ([a, b]) => b - a + 1,
          ),
        );
        expect(longest, `seed ${seed}, stretch at ${from} s`).toBeGreaterThanOrEqual(SPEEDING.minRunS);
      }
      // The normal twin never goes 20 km/h over; neither does the speeder outside its stretches.
      expect(Math.max(...twinOver)).toBeLessThan(20);
      // (Braking back down to the limit at the end takes a few seconds.)
      const braking = (i: number) => speeding.slice(Math.max(0, i - 5), i).some(Boolean);
      expect(overBy.filter((o, i) => o >= 20 && !speeding[i] && !braking(i))).toEqual([]);
      // Until the first stretch the two are the same van.
      const firstMs = START_MS + (runs[0]?.[0] ?? 0) * 1000;
      const before = (rs: readonly TelemetrySample[]) => rs.filter((r) => r.tsMs < firstMs);
      expect(before(played?.records ?? [])).toEqual(before(normal?.records ?? []));
    }
  });

  it('brakes, accelerates and corners harshly far more often per minute of it', () => {
    let speedingS = 0;
    let speedingHarsh = 0;
    let drivingS = 0;
    let otherHarsh = 0;
    for (const seed of [1, 2, 3, 4, 5, 6]) {
      const model = van(seed, 'speeding', { startAfterS: 0, jitterS: 0, everyS: 90 });
      const stretch: [number, number][] = [];
      const [played] = playModels([model], {
        startMs: START_MS,
        seconds: 3 * HOUR,
        onStep: (now) => {
          const on = model.speeding();
          if (on) {
            speedingS++;
            const open = stretch.at(-1);
            if (open && open[1] === now - 1000) open[1] = now;
            else stretch.push([now, now]);
          } else if (model.position().moving) drivingS++;
        },
      });
      for (const e of kinds(
        played?.events ?? [],
        DeviceEventKind.HARSH_BRAKING,
        DeviceEventKind.HARSH_ACCELERATION,
        DeviceEventKind.HARSH_CORNERING,
      )) {
        // The hard braking at a stretch's end counts to it (up to 10 s after).
        if (stretch.some(([a, b]) => e.tsMs >= a && e.tsMs <= b + 10_000)) speedingHarsh++;
        else otherHarsh++;
      }
    }
    expect(speedingS).toBeGreaterThan(10 * MIN);
    const perMinSpeeding = speedingHarsh / (speedingS / 60);
    const perMinOther = otherHarsh / (drivingS / 60);
    expect(perMinSpeeding).toBeGreaterThan(5 * perMinOther);
  });
});

describe('idling', () => {
  it('keeps the engine running at the first stop after its time: ignition on, speed 0, idle rpm, PTO off', () => {
    const timing = { startAfterS: 10 * MIN, jitterS: 0 };
    for (const seed of [1, 2, 3]) {
      const model = van(seed, 'idling', timing);
      const pto = createEquipmentModel({ seed, startMs: START_MS, rideAlong: model, tagType: 'pto' });
      const [played, tag] = playModels([model, pto], { startMs: START_MS, seconds: 2 * HOUR });
      const records = played?.records ?? [];
      // Stretches of records standing with the ignition on.
      const standing: TelemetrySample[][] = [];
      let current: TelemetrySample[] = [];
      for (const r of records) {
        if (r.ignition === true && r.speedKmh === 0) current.push(r);
        else if (current.length > 0) {
          standing.push(current);
          current = [];
        }
      }
      const long = standing.filter((s) => num(s.at(-1)?.tsMs) - num(s[0]?.tsMs) >= 10 * MIN * 1000);
      // Once an hour: 2 in 2 h, each 12-20 min, the first at the first stop after 10 min.
      expect(long.length, `seed ${seed}`).toBe(2);
      const first = long[0] ?? [];
      const arrivedS = sinceStart(num(first[0]?.tsMs));
      expect(arrivedS).toBeGreaterThan(timing.startAfterS);
      const movingBefore = records.filter(
        (r) => sinceStart(r.tsMs) > timing.startAfterS && r.tsMs < num(first[0]?.tsMs),
      );
      expect(movingBefore.every((r) => r.ignition === true)).toBe(true); // no stop with the engine off before it
      for (const s of long) {
        const lastingS = (num(s.at(-1)?.tsMs) - num(s[0]?.tsMs)) / 1000;
        expect(lastingS).toBeGreaterThanOrEqual(12 * MIN - 10);
        expect(lastingS).toBeLessThanOrEqual(20 * MIN + 10);
        expect(new Set(s.map((r) => r.engineRpm)).size).toBeGreaterThan(1); // idle rpm with its noise ...
        expect(s.every((r) => Math.abs(num(r.engineRpm) - model.idleRpm) < 0.05 * model.idleRpm)).toBe(true);
        // ... then it drives on.
        const after = records.find((r) => r.tsMs > num(s.at(-1)?.tsMs));
        expect(num(after?.speedKmh)).toBeGreaterThan(0);
        // The PTO tag riding along stays off meanwhile.
        const from = num(s[0]?.tsMs);
        const to = num(s.at(-1)?.tsMs);
        const ptoThen = (tag?.records ?? []).filter((r) => r.tsMs >= from && r.tsMs <= to);
        expect(ptoThen.length).toBeGreaterThan(0);
        expect(ptoThen.every((r) => r.ptoActive === false)).toBe(true);
      }
      // A normal van never stands with the engine running for more than its 15-90 s before moving off.
      const [twin] = playModels([van(seed, 'normal')], { startMs: START_MS, seconds: 2 * HOUR });
      let since: number | undefined;
      let longestS = 0;
      for (const r of twin?.records ?? []) {
        if (r.ignition === true && r.speedKmh === 0) {
          since ??= r.tsMs;
          longestS = Math.max(longestS, (r.tsMs - since) / 1000);
        } else since = undefined;
      }
      expect(longestS).toBeLessThanOrEqual(90);
      // And the PTO of a normal van's tag does engage while it stands with the engine on.
      const normalVan = van(seed, 'normal');
      const normalPto = createEquipmentModel({
        seed,
        startMs: START_MS,
        rideAlong: normalVan,
        tagType: 'pto',
      });
      const [, normalTag] = playModels([normalVan, normalPto], { startMs: START_MS, seconds: HOUR });
      expect((normalTag?.records ?? []).some((r) => r.ptoActive === true)).toBe(true);
    }
  });
});

describe('power-cut', () => {
  it('cuts external power whatever the van does, saves the battery with heartbeats, and restores it on time', () => {
    const timing = { startAfterS: 10 * MIN, jitterS: 0, durationS: 45 * MIN, durationJitterS: 0 };
    const model = van(4, 'power-cut', timing);
    const [played] = playModels([model], { startMs: START_MS, seconds: 2 * HOUR });
    const records = played?.records ?? [];
    const events = played?.events ?? [];
    const cut = kinds(events, DeviceEventKind.POWER_CUT);
    const restored = kinds(events, DeviceEventKind.POWER_RESTORED);
    expect(cut.map((e) => sinceStart(e.tsMs))).toEqual([timing.startAfterS]);
    expect(restored.map((e) => sinceStart(e.tsMs))).toEqual([timing.startAfterS + timing.durationS]);
    const cutAt = num(cut[0]?.tsMs);
    const restoredAt = num(restored[0]?.tsMs);
    const during = records.filter((r) => r.tsMs > cutAt && r.tsMs < restoredAt);
    expect(during.length).toBeGreaterThan(0);
    expect(during.every((r) => r.externalV === 0)).toBe(true);
    // The backup battery drains 0.1 V/h from full.
    const lastDuring = during.at(-1) as TelemetrySample;
    const hours = (lastDuring.tsMs - cutAt) / 3_600_000;
    expect(num(lastDuring.batteryV)).toBeCloseTo(ELECTRICS.backupFullV - 0.1 * hours, 1);
    expect(num(lastDuring.batteryV)).toBeLessThan(ELECTRICS.backupFullV);
    // Reports on for 5 min, then heartbeats only: nothing between about 5 min in and the restore.
    const heard = records.filter((r) => r.tsMs >= cutAt && r.tsMs <= restoredAt + 5000).map((r) => r.tsMs);
    const gaps = heard.slice(1).map((t, i) => (t - (heard[i] as number)) / 1000);
    const longest = Math.max(...gaps);
    expect(longest).toBeGreaterThanOrEqual(timing.durationS - POWER_SAVE.saveAfterS - 30);
    expect(longest).toBeLessThan(POWER_SAVE.heartbeatS);
    expect(
      records.filter((r) => r.tsMs > cutAt + (POWER_SAVE.saveAfterS + 30) * 1000 && r.tsMs < restoredAt),
    ).toEqual([]);
    // The van drove meanwhile (the cut is not a stop's), and starting the engine did not end it.
    expect(records.some((r) => r.tsMs > cutAt && r.tsMs < restoredAt && num(r.speedKmh) > 0)).toBe(true);
    expect(model.ignitionStarts).toBeGreaterThan(0);
    // No harsh-driving events while the tracker sleeps.
    const asleep = kinds(events, DeviceEventKind.HARSH_BRAKING, DeviceEventKind.HARSH_ACCELERATION).filter(
      (e) => e.tsMs > cutAt + POWER_SAVE.saveAfterS * 1000 && e.tsMs < restoredAt,
    );
    expect(asleep).toEqual([]);
    // A record at once when power is back, external_v back up, then the usual pace.
    const back = records.find((r) => r.tsMs >= restoredAt);
    expect(num(back?.tsMs) - restoredAt).toBeLessThanOrEqual(1000);
    expect(num(back?.externalV)).toBeGreaterThan(12);
    expect(
      records.filter((r) => r.tsMs > restoredAt && r.tsMs < restoredAt + 10 * MIN * 1000).length,
    ).toBeGreaterThan(10);
  });
});

describe('forgotten-kit', () => {
  it('leaves a tag at a stop while the van drives on, and the van picks it up when it stops there again', () => {
    const timing = { startAfterS: 10 * MIN, jitterS: 0 };
    for (const seed of [1, 2, 3]) {
      const vehicle = van(seed, 'normal');
      const kit = createEquipmentModel({
        seed,
        startMs: START_MS,
        rideAlong: vehicle,
        scenario: 'forgotten-kit',
        scenarioTiming: timing,
      });
      const left: boolean[] = [];
      const distanceM: number[] = [];
      const [vanPlayed, tagPlayed] = playModels([vehicle, kit], {
        startMs: START_MS,
        seconds: 3 * HOUR,
        onStep: () => {
          left.push(kit.leftBehind());
          const a = kit.position();
          const b = vehicle.position();
          distanceM.push(haversineM(a.lat, a.lon, b.lat, b.lon));
        },
      });
      const runs = stretches(left);
      expect(runs.length, `seed ${seed}`).toBe(1); // once
      const [from, to] = runs[0] as [number, number];
      expect(from).toBeGreaterThan(timing.startAfterS);
      const tagRecords = tagPlayed?.records ?? [];
      const atSpot = tagRecords.filter((r) => sinceStart(r.tsMs) >= from && sinceStart(r.tsMs) <= to);
      // It stays put, still, while the van gets well over 300 m away.
      expect(new Set(atSpot.map((r) => `${r.lat},${r.lon}`)).size).toBe(1);
      expect(atSpot.every((r) => r.speedKmh === 0)).toBe(true);
      expect(Math.max(...distanceM.slice(from - 1, to))).toBeGreaterThan(300);
      // Before: it rode along, reporting every minute on the move (two fixes a minute apart for the
      // platform to see them travel together), within 3 m of the van.
      const riding = tagRecords.filter((r) => sinceStart(r.tsMs) < from && num(r.speedKmh) > 5);
      expect(riding.length).toBeGreaterThanOrEqual(2);
      expect(Math.max(...distanceM.slice(0, from - 1))).toBeLessThan(3.5);
      // Left: a report at once, one a minute later, then every 15 min.
      const times = atSpot.map((r) => sinceStart(r.tsMs));
      expect(times[0]).toBeLessThanOrEqual(from + 1);
      expect(num(times[1]) - num(times[0])).toBe(FORGOTTEN_KIT.followUpS);
      if (times.length > 2) expect(num(times[2]) - num(times[1])).toBe(TAG_REPORT_S.still);
      // Left at a stop with the engine off.
      const vanAtLeaving = (vanPlayed?.records ?? []).filter(
        (r) => Math.abs(sinceStart(r.tsMs) - from) <= 30,
      );
      expect(vanAtLeaving.some((r) => r.ignition === false && r.speedKmh === 0)).toBe(true);
      if (to < left.length) {
        // Picked up where it stood, and riding along again after.
        expect(num(distanceM[to])).toBeLessThan(FORGOTTEN_KIT.pickUpM + 3.5);
        expect(Math.max(...distanceM.slice(to + 60))).toBeLessThan(3.5);
      }
    }
  });

  it('does nothing to a tag standing at a site or before its time', () => {
    const site = { lat: 60.17, lon: 24.94 };
    const still = createEquipmentModel({ seed: 9, startMs: START_MS, site, scenario: 'forgotten-kit' });
    const normal = createEquipmentModel({ seed: 9, startMs: START_MS, site });
    const [a, b] = playModels([still, normal], { startMs: START_MS, seconds: 6 * HOUR });
    expect(a?.records).toEqual(b?.records);
    const vehicle = van(5, 'normal');
    const late = createEquipmentModel({
      seed: 5,
      startMs: START_MS,
      rideAlong: vehicle,
      scenario: 'forgotten-kit',
      scenarioTiming: { startAfterS: 10 * HOUR, jitterS: 0 },
    });
    let everLeft = false;
    playModels([vehicle, late], {
      startMs: START_MS,
      seconds: 3 * HOUR,
      onStep: () => (everLeft ||= late.leftBehind()),
    });
    expect(everLeft).toBe(false);
  });
});

describe('demo', () => {
  const counts = (list: readonly { scenario: string }[]) => {
    const out: Record<string, number> = {};
    for (const d of list) out[d.scenario] = (out[d.scenario] ?? 0) + 1;
    return out;
  };

  it("gives npm start's 50 vehicles and 20 tags the mix, each part spread out and due 1-4 min in", () => {
    const vehicles = fleetScenarios('demo', 'vehicle', 50);
    expect(counts(vehicles)).toEqual({
      normal: 37,
      speeding: 5,
      idling: 5,
      'engine-fault': 1,
      'fuel-theft': 1,
      'power-cut': 1,
    });
    const tags = fleetScenarios('demo', 'equipment', 20);
    expect(counts(tags)).toEqual({ normal: 19, 'forgotten-kit': 1 });
    for (const d of [...vehicles, ...tags]) {
      if (d.scenario === 'normal') expect(d.timing).toEqual({});
      else expect(d.timing).toEqual({ startAfterS: 60, jitterS: 180 });
    }
    // Spread: no two speeding vans next to each other in the list.
    const speeding = vehicles.flatMap((d, i) => (d.scenario === 'speeding' ? [i] : []));
    expect(speeding.slice(1).every((i, k) => i - (speeding[k] as number) >= 5)).toBe(true);
    // 100 vehicles: two engine faults at most, one theft, one cut.
    expect(counts(fleetScenarios('demo', 'vehicle', 100))).toMatchObject({
      speeding: 10,
      idling: 10,
      'engine-fault': 2,
      'fuel-theft': 1,
      'power-cut': 1,
    });
  });

  it('gives a tiny fleet its devices in order of precedence', () => {
    expect(fleetScenarios('demo', 'vehicle', 0)).toEqual([]);
    expect(counts(fleetScenarios('demo', 'vehicle', 1))).toEqual({ speeding: 1 });
    expect(counts(fleetScenarios('demo', 'vehicle', 2))).toEqual({ speeding: 1, idling: 1 });
    expect(counts(fleetScenarios('demo', 'vehicle', 3))).toEqual({
      speeding: 1,
      idling: 1,
      'engine-fault': 1,
    });
    expect(counts(fleetScenarios('demo', 'vehicle', 5))).toEqual({
      speeding: 1,
      idling: 1,
      'engine-fault': 1,
      'fuel-theft': 1,
      'power-cut': 1,
    });
    expect(counts(fleetScenarios('demo', 'vehicle', 6))).toMatchObject({ normal: 1 });
    expect(counts(fleetScenarios('demo', 'equipment', 1))).toEqual({ 'forgotten-kit': 1 });
  });

  it('builds the fleet with each device on its own preset; the forgotten kit rides in a normal van', async () => {
    const devices: DeviceCredentials[] = [
      ...Array.from({ length: 50 }, (_, i) => ({
        id: `v${i}`,
        token: 't',
        kind: 'vehicle' as const,
        name: `sim-vehicle-${i}`,
      })),
      ...Array.from({ length: 20 }, (_, i) => ({
        id: `t${i}`,
        token: 't',
        kind: 'equipment' as const,
        name: `sim-tag-${i}`,
      })),
    ];
    const fleet = buildFleet({
      network: net,
      devices,
      seed: 1,
      scenario: 'demo',
      startMs: START_MS,
      workingDay: false,
    });
    const models = fleet.map((d) => d.model as VehicleModel | EquipmentModel);
    expect(counts(models.filter((m) => m.kind === 'vehicle'))).toEqual(
      counts(fleetScenarios('demo', 'vehicle', 50)),
    );
    const kit = models.find((m) => m.scenario === 'forgotten-kit') as EquipmentModel;
    expect(kit.carrier).toBeDefined();
    expect((kit.carrier as VehicleModel).scenario).toBe('normal');
    // A single preset leaves the kinds it is not for alone.
    const speedingFleet = buildFleet({
      network: net,
      devices,
      seed: 1,
      scenario: 'speeding',
      startMs: START_MS,
      workingDay: false,
    });
    expect(counts(speedingFleet.slice(50).map((d) => d.model as EquipmentModel))).toEqual({ normal: 20 });
    expect(counts(speedingFleet.slice(0, 50).map((d) => d.model as VehicleModel))).toEqual({
      normal: 45,
      speeding: 5,
    });
  });
});
