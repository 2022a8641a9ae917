import { beforeAll, describe, expect, it } from 'vitest';
import {
  brokerRestartSchedule,
  createEquipmentModel,
  createVehicleModel,
  type DeviceModel,
  ENGINE_FAULT,
  FLOOD_INTERVAL_S,
  FUEL_THEFT,
  fleetScenarios,
  isScenarioName,
  loadRoadNetwork,
  occurrenceDurationS,
  pickSites,
  type RoadNetwork,
  SCENARIO_NAMES,
  SCENARIOS,
  type ScenarioName,
  type ScenarioTiming,
  scenarioForDevice,
  scenarioHelp,
  scenarioTiming,
  type TelemetrySample,
  type VehicleModel,
} from '../src/index.ts';
import { helsinkiExtract } from './extract.ts';

// 2026-03-02 06:00 in Helsinki (UTC+2).
const START_MS = Date.UTC(2026, 2, 2, 4, 0, 0);
const HOUR = 3600;
const DAY = 86_400;

interface Tick {
  t: number;
  online: boolean;
  flooding: boolean;
  moving: boolean;
}

/**
 * The runtime's loop, minus MQTT: 1 s ticks (a carrier stepped first), records when due, several
 * a tick at distinct milliseconds when the interval is below a second (a flood).
 */
function run(model: DeviceModel, seconds: number, carrier?: DeviceModel) {
  const records: TelemetrySample[] = [];
  const ticks: Tick[] = [];
  let last = Number.NEGATIVE_INFINITY;
  for (let t = 1; t <= seconds; t++) {
    const now = START_MS + t * 1000;
    carrier?.step(1, now);
    model.step(1, now);
    ticks.push({
      t,
      online: model.connectivity(now),
      flooding: model.flooding(now),
      moving: model.position().moving,
    });
    const intervalMs = model.reportIntervalS() * 1000;
    if (intervalMs < 1000) {
      for (let at = now - 1000 + intervalMs; at <= now; at += intervalMs)
        records.push(model.sample(Math.round(at)));
      last = now;
    } else if (now - last >= intervalMs) {
      records.push(model.sample(now));
      last = now;
    }
    model.drainEvents(now);
  }
  return { records, ticks };
}

function num(v: number | undefined): number {
  if (v === undefined) throw new Error('field missing');
  return v;
}

/** Stretches of consecutive ticks where `pick` holds: [first t, last t]. */
function stretches(ticks: readonly Tick[], pick: (tick: Tick) => boolean): [number, number][] {
  const out: [number, number][] = [];
  for (const tick of ticks) {
    const open = out.at(-1);
    if (!pick(tick)) continue;
    if (open && open[1] === tick.t - 1) open[1] = tick.t;
    else out.push([tick.t, tick.t]);
  }
  return out;
}

let net: RoadNetwork;
let depot: number;
let sites: number[];
function vehicle(seed: number, scenario: ScenarioName, timing?: Partial<ScenarioTiming>): VehicleModel {
  return createVehicleModel({
    seed,
    network: net,
    depot,
    sites,
    startMs: START_MS,
    scenario,
    scenarioTiming: timing,
  });
}

beforeAll(async () => {
  net = await loadRoadNetwork(helsinkiExtract());
  const picked = pickSites(net, 12, 42);
  depot = picked[0] ?? 0;
  sites = picked.slice(1);
});

describe('the catalogue', () => {
  it('describes every preset for --help', () => {
    expect(Object.keys(SCENARIOS).sort()).toEqual([...SCENARIO_NAMES].sort());
    const help = scenarioHelp();
    for (const name of SCENARIO_NAMES) {
      const preset = SCENARIOS[name];
      expect(preset.name).toBe(name);
      expect(preset.summary.length).toBeGreaterThan(10);
      expect(preset.description.length).toBeGreaterThan(preset.summary.length);
      expect(help).toContain(`  ${name} `);
      expect(isScenarioName(name)).toBe(true);
    }
    expect(isScenarioName('meteor-strike')).toBe(false);
    expect(help.split('\n').every((line) => line.length <= 110)).toBe(true);
  });

  it('checks timings', () => {
    expect(scenarioTiming('tunnel', { durationS: 60 }).durationS).toBe(60);
    expect(() => scenarioTiming('tunnel', { startAfterS: -1 })).toThrow(/startAfterS/);
    expect(() => scenarioTiming('tunnel', { durationS: 7200 })).toThrow(/everyS/);
    // An occurrence lasts durationS plus a draw from [0, durationJitterS); the repeat must fit it.
    expect(() => scenarioTiming('idling', { durationJitterS: -1 })).toThrow(/durationJitterS/);
    expect(() => scenarioTiming('idling', { durationJitterS: Number.NaN })).toThrow(/durationJitterS/);
    expect(() => scenarioTiming('speeding', { durationS: 300, durationJitterS: 301 })).toThrow(
      /everyS \(600\) must be at least durationS \+ durationJitterS \(601\)/,
    );
    expect(scenarioTiming('speeding', { durationS: 300, durationJitterS: 300 }).everyS).toBe(600);
    expect(scenarioTiming('power-cut', { everyS: 0, durationJitterS: 1e6 }).durationJitterS).toBe(1e6);
    const idling = scenarioTiming('idling');
    expect(occurrenceDurationS(idling, 0)).toBe(720);
    expect(occurrenceDurationS(idling, 0.5)).toBe(960);
    expect(occurrenceDurationS(idling, 0.999)).toBeLessThan(1200);
    // The presets that existed before durations had a jitter keep exact durations.
    for (const name of ['tunnel', 'broker-restart', 'flood'] as const)
      expect(SCENARIOS[name].timing.durationJitterS).toBe(0);
    expect(SCENARIOS.speeding.timing).toMatchObject({ durationS: 45, durationJitterS: 45, everyS: 600 });
    expect(SCENARIOS['power-cut'].timing).toMatchObject({
      durationS: 2400,
      durationJitterS: 1200,
      everyS: 0,
    });
  });

  it('lists the alert presets and the mix in --help, with who they run on', () => {
    const help = scenarioHelp().replace(/\s+/g, ' ');
    for (const name of ['speeding', 'idling', 'power-cut', 'forgotten-kit', 'demo'] as const)
      expect(isScenarioName(name)).toBe(true);
    expect(help).toMatch(/forgotten-kit[\s\S]*Runs on: 10% of the tags \(at least one\)\./);
    expect(help).toMatch(/speeding[\s\S]*Runs on: 10% of the vehicles \(at least one\)\./);
    expect(help).toMatch(/demo[\s\S]*Runs on: the whole fleet, as described\./);
    // A mix's device gets its part's preset; a single preset stays on the kinds it is for.
    expect(scenarioForDevice('demo', 0, 1)).toBe('speeding');
    expect(scenarioForDevice('demo', 0, 1, 'equipment')).toBe('forgotten-kit');
    expect(fleetScenarios('fuel-theft', 'equipment', 10).every((d) => d.scenario === 'normal')).toBe(true);
    expect(fleetScenarios('forgotten-kit', 'vehicle', 10).every((d) => d.scenario === 'normal')).toBe(true);
    expect(fleetScenarios('tunnel', 'equipment', 10).filter((d) => d.scenario === 'tunnel')).toHaveLength(2);
  });

  it('spreads a preset over its share of the fleet, at least one device', () => {
    const count = (name: ScenarioName, n: number) =>
      Array.from({ length: n }, (_, i) => scenarioForDevice(name, i, n)).filter((s) => s === name).length;
    expect(count('normal', 10_000)).toBe(10_000);
    expect(count('broker-restart', 10_000)).toBe(10_000);
    expect(count('tunnel', 10_000)).toBe(2000);
    expect(count('fuel-theft', 10_000)).toBe(500);
    expect(count('flood', 10_000)).toBe(10);
    expect(count('flood', 3)).toBe(1);
    expect(count('engine-fault', 7)).toBe(1);
  });
});

describe('broker-restart', () => {
  it('is a schedule for the harness', () => {
    const two = brokerRestartSchedule(START_MS, START_MS + 2 * HOUR * 1000);
    expect(two).toEqual([300, 2100, 3900, 5700].map((s) => ({ atMs: START_MS + s * 1000, downS: 20 })));
    expect(brokerRestartSchedule(START_MS, START_MS + DAY * 1000, { everyS: 0, durationS: 5 })).toEqual([
      { atMs: START_MS + 300_000, downS: 5 },
    ]);
  });

  it('changes nothing on the devices', () => {
    const a = run(vehicle(1, 'normal'), 6 * HOUR);
    const b = run(vehicle(1, 'broker-restart'), 6 * HOUR);
    expect(b.records).toEqual(a.records);
    expect(b.ticks.every((t) => t.online && !t.flooding)).toBe(true);
  });
});

describe('normal', () => {
  it('never loses the network or floods', () => {
    const { ticks } = run(vehicle(2, 'normal'), DAY);
    expect(ticks.every((t) => t.online && !t.flooding)).toBe(true);
  });
});

describe('tunnel', () => {
  const timing = { startAfterS: 600, jitterS: 0, durationS: 300, everyS: 3600 };

  it('takes a moving vehicle offline for durationS, every hour; it keeps sampling', () => {
    const model = vehicle(3, 'tunnel', timing);
    const { records, ticks } = run(model, 8 * HOUR);
    const offline = stretches(ticks, (t) => !t.online);
    expect(offline.length).toBeGreaterThanOrEqual(4);
    let previous = Number.NEGATIVE_INFINITY;
    for (const [from, to] of offline) {
      // 300 s from the moment it entered; due at 600 s but only once it drives (from about 07:00).
      expect(to - from + 1).toBe(timing.durationS);
      expect(from).toBeGreaterThan(timing.startAfterS);
      expect(ticks[from - 1]?.moving).toBe(true);
      expect(from - previous).toBeGreaterThanOrEqual(timing.everyS);
      previous = from;
      // Sampling goes on (to be buffered), with a degraded fix.
      const inside = records.filter(
        (r) => r.tsMs >= START_MS + from * 1000 && r.tsMs <= START_MS + to * 1000,
      );
      expect(inside.length).toBeGreaterThan(10);
      for (const r of inside) expect(num(r.satellites)).toBeLessThanOrEqual(5);
    }
    const offlineAt = new Set(ticks.filter((t) => !t.online).map((t) => START_MS + t.t * 1000));
    const outside = records.filter((r) => !offlineAt.has(r.tsMs));
    expect(outside.every((r) => num(r.satellites) >= 7)).toBe(true);
  });

  it('takes a tag riding along offline with its vehicle; a tag at a site on the schedule', () => {
    const van = vehicle(3, 'tunnel', timing);
    const rider = createEquipmentModel({ seed: 3, startMs: START_MS, rideAlong: van });
    const carried = run(rider, 3 * HOUR, van);
    const vanAlone = run(vehicle(3, 'tunnel', timing), 3 * HOUR);
    expect(carried.ticks.map((t) => t.online)).toEqual(vanAlone.ticks.map((t) => t.online));
    expect(carried.ticks.some((t) => !t.online)).toBe(true);

    const standing = createEquipmentModel({
      seed: 4,
      startMs: START_MS,
      site: { lat: 60.17, lon: 24.94 },
      scenario: 'tunnel',
      scenarioTiming: timing,
    });
    const offline = stretches(run(standing, 3 * HOUR).ticks, (t) => !t.online);
    expect(offline).toEqual([
      [600, 899],
      [4200, 4499],
      [7800, 8099],
    ]);
  });
});

describe('fuel-theft', () => {
  it('drains the tank while parked with the ignition off, once', () => {
    const timing = { startAfterS: 2 * HOUR, jitterS: 0 };
    const model = vehicle(5, 'fuel-theft', timing);
    const { records } = run(model, DAY);
    const normal = run(vehicle(5, 'normal'), DAY).records;
    // In a normal day fuel never drops with the ignition off.
    const dropsOff = (rs: TelemetrySample[]) =>
      rs.slice(1).flatMap((b, i) => {
        const a = rs[i];
        if (a?.ignition !== false || b.ignition !== false) return [];
        const drop = num(a.fuelLevelL) - num(b.fuelLevelL);
        return drop > 0 ? [{ a, b, drop }] : [];
      });
    expect(dropsOff(normal)).toEqual([]);
    const drops = dropsOff(records);
    expect(drops.length).toBeGreaterThan(2);
    const stolen = drops.reduce((sum, d) => sum + d.drop, 0);
    expect(stolen).toBeGreaterThan(FUEL_THEFT.share[0] * model.tankL - 0.5);
    expect(stolen).toBeLessThan(FUEL_THEFT.share[1] * model.tankL + 0.5);
    for (const { a, b, drop } of drops) {
      expect(b.tsMs).toBeGreaterThan(START_MS + timing.startAfterS * 1000);
      expect(b.lat).toBe(a.lat);
      expect(b.speedKmh).toBe(0);
      // 10 L/min at most (a record every 30 s or so while parked at a site).
      expect(drop).toBeLessThanOrEqual(((b.tsMs - a.tsMs) / 60_000) * FUEL_THEFT.lPerMin + 0.1);
    }
    // One theft: all the drops within a few minutes of each other.
    const first = drops[0]?.a.tsMs ?? 0;
    const last = drops.at(-1)?.b.tsMs ?? 0;
    expect(last - first).toBeLessThan(10 * 60_000);
    // Until then the vehicle is its normal twin.
    const upTo = (rs: TelemetrySample[]) => rs.filter((r) => r.tsMs <= first);
    expect(upTo(records)).toEqual(upTo(normal));
  });
});

describe('engine-fault', () => {
  it('sets a misfire code, overheats and runs rough from its time on', () => {
    const onsetS = 3 * HOUR;
    const { records } = run(vehicle(6, 'engine-fault', { startAfterS: onsetS, jitterS: 0 }), 10 * HOUR);
    const onsetMs = START_MS + onsetS * 1000;
    const before = records.filter((r) => r.tsMs < onsetMs);
    const twin = run(vehicle(6, 'normal'), onsetS).records.filter((r) => r.tsMs < onsetMs);
    expect(before).toEqual(twin);
    const after = records.filter((r) => r.tsMs > onsetMs);
    const idleRpm = (rs: TelemetrySample[]) =>
      rs.filter((r) => r.ignition && r.speedKmh === 0).map((r) => num(r.engineRpm));
    const spread = (xs: number[]) => Math.max(...xs) - Math.min(...xs);

    for (const r of before) {
      expect(r.dtcCodes ?? []).not.toContain(ENGINE_FAULT.overheatDtc);
      expect(num(r.coolantTempC)).toBeLessThan(100);
    }
    expect(before.some((r) => (r.dtcCodes ?? []).includes(ENGINE_FAULT.misfireDtc))).toBe(false);
    for (const r of after) expect(r.dtcCodes).toContain(ENGINE_FAULT.misfireDtc);
    // (A record's coolant is rounded to 0.1 °C; the code is set at 110 °C exactly.)
    const hot = after.filter((r) => num(r.coolantTempC) >= ENGINE_FAULT.overheatC + 0.1);
    expect(hot.length).toBeGreaterThan(0);
    expect(hot.every((r) => r.dtcCodes?.includes(ENGINE_FAULT.overheatDtc))).toBe(true);
    // Once set, the over-temperature code stays (until the end of the run).
    const firstHot = hot[0]?.tsMs ?? 0;
    expect(after.filter((r) => r.tsMs >= firstHot).every((r) => r.dtcCodes?.includes('P0217'))).toBe(true);
    expect(Math.max(...after.map((r) => num(r.coolantTempC)))).toBeLessThanOrEqual(ENGINE_FAULT.coolantC);
    // Rough idle: the spread of idle rpm grows several times.
    expect(spread(idleRpm(after))).toBeGreaterThan(3 * spread(idleRpm(before)));
  });
});

describe('flood', () => {
  const timing = { startAfterS: 120, jitterS: 0, durationS: 600 };

  for (const kind of ['vehicle', 'equipment'] as const) {
    it(`makes a ${kind} publish every ${FLOOD_INTERVAL_S * 1000} ms for durationS`, () => {
      const model =
        kind === 'vehicle'
          ? vehicle(7, 'flood', timing)
          : createEquipmentModel({
              seed: 7,
              startMs: START_MS,
              site: { lat: 60.17, lon: 24.94 },
              scenario: 'flood',
              scenarioTiming: timing,
            });
      const { records, ticks } = run(model, 1800);
      expect(stretches(ticks, (t) => t.flooding)).toEqual([[120, 719]]);
      // Ticks 120-719 flood: each sends the second before it, every FLOOD_INTERVAL_S.
      const inFlood = records.filter((r) => r.tsMs > START_MS + 119_000 && r.tsMs <= START_MS + 719_000);
      expect(inFlood.length).toBe(Math.round(600 / FLOOD_INTERVAL_S));
      // Distinct, increasing device times: storage keeps one row per device and ms.
      const unordered = records.filter((r, i) => i > 0 && r.tsMs <= num(records[i - 1]?.tsMs));
      expect(unordered).toEqual([]);
      const after = records.filter((r) => r.tsMs > START_MS + 719_000);
      expect(after.length).toBeLessThan(1080);
      expect(ticks.every((t) => t.online)).toBe(true);
    });
  }
});

describe('vehicle-only presets on a tag', () => {
  it('change nothing', () => {
    const site = { lat: 60.17, lon: 24.94 };
    const normal = run(createEquipmentModel({ seed: 9, startMs: START_MS, site }), DAY);
    for (const scenario of [
      'fuel-theft',
      'engine-fault',
      'broker-restart',
      'speeding',
      'idling',
      'power-cut',
    ] as const) {
      const other = run(createEquipmentModel({ seed: 9, startMs: START_MS, site, scenario }), DAY);
      expect(other.records).toEqual(normal.records);
    }
  });
});
