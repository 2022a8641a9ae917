// What `npm start` shows in its first hour, without starting anything: the demo company's
// fleet of 50 vans and 20 kits plays the simulator's `demo` mix on the Helsinki extract
// (firmware-sim playModels: the runtime's schedule without MQTT), every record and event goes
// through the platform's own protobuf encoding, decoding and normalising, and then through the
// real rule engine (@fleet/ingest/rules) running the demo company's rules (DEMO_RULES, turned
// into the engine's rules by the directory's own ruleFromRow). Each scenario must raise its
// alert on the device that plays it, soon enough, and nothing must raise what it should not.

import {
  buildFleet,
  type DeviceCredentials,
  demoCompany,
  type EquipmentModel,
  loadRoadNetwork,
  playModels,
  type RoadNetwork,
  type VehicleModel,
} from '@fleet/firmware-sim';
import { toDeviceEventRecord, toTelemetryRecord } from '@fleet/ingest';
import {
  type AlertSignal,
  type AssetInfo,
  buildOrgContext,
  type OrgRules,
  type PlaceInfo,
  RuleEngine,
  ruleFromRow,
} from '@fleet/ingest/rules';
import {
  decodeDeviceEvent,
  decodeTelemetryBatch,
  encodeDeviceEvent,
  encodeTelemetryBatch,
} from '@fleet/proto';
import {
  DEFAULT_WORKING_HOURS,
  type DeviceEventRecord,
  type RuleKind,
  type TelemetryRecord,
} from '@fleet/shared';
import { METRES_PER_DEGREE } from '@fleet/shared/geo';
import { beforeAll, describe, expect, it } from 'vitest';
import { helsinkiExtract } from '../../firmware-sim/test/extract.ts';
import { DEMO_RULES } from '../src/demo-company.ts';

const ORG = '00000000-0000-4000-8000-00000000d0e0';
// Wednesday 2026-06-03 10:00 in Helsinki (UTC+3): working hours.
const START_MS = Date.UTC(2026, 5, 3, 7, 0, 0);
const HOUR_S = 3600;
const SIZE = { vehicles: 50, equipment: 20 };

interface Raised {
  kind: RuleKind;
  deviceId: string;
  /** Seconds after the start: when the condition began, and when the engine raised the alert. */
  startedS: number;
  raisedS: number;
  details: Record<string, unknown>;
}

let raised: Raised[];
let scenarioOf: Map<string, string>;
/** Tags riding along: their van's asset id. */
let carrierAssetOf: Map<string, string>;
let network: RoadNetwork;

const uuid = (n: number) => `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;

function circle(id: string, p: ReturnType<typeof demoCompany>['places'][number]): PlaceInfo {
  const dLat = p.radiusM / METRES_PER_DEGREE;
  const dLon = p.radiusM / (METRES_PER_DEGREE * Math.cos((p.center.lat * Math.PI) / 180));
  return {
    id,
    name: p.name,
    category: p.category,
    speedLimitKmh: null,
    shape: {
      kind: 'circle',
      center: p.center,
      radiusM: p.radiusM,
      bbox: {
        minLat: p.center.lat - dLat,
        maxLat: p.center.lat + dLat,
        minLon: p.center.lon - dLon,
        maxLon: p.center.lon + dLon,
      },
    },
  };
}

beforeAll(async () => {
  network = await loadRoadNetwork(helsinkiExtract());
  const company = demoCompany(SIZE);
  const places = company.places.map((p, i) => circle(uuid(0x100 + i), p));
  const placeId = new Map(places.map((p) => [p.name, p.id]));

  // The devices and the assets they are installed on, as npm start seeds them.
  const devices: DeviceCredentials[] = [];
  const assets = new Map<string, AssetInfo>();
  company.vehicles.forEach((v, i) => {
    const id = uuid(0x1000 + i);
    devices.push({ id, token: 't', kind: 'vehicle', name: v.device });
    assets.set(id, {
      id: uuid(0x2000 + i),
      kind: 'vehicle',
      name: v.name,
      plate: v.plate,
      departmentId: null,
      speedLimitKmh: null,
      offlineAfterS: null,
      tankCapacityL: v.tankCapacityL,
      odometerOffsetKm: 0,
      engineHoursOffset: 0,
    });
  });
  company.equipment.forEach((e, i) => {
    const id = uuid(0x3000 + i);
    devices.push({ id, token: 't', kind: 'equipment', name: e.device });
    assets.set(id, {
      id: uuid(0x4000 + i),
      kind: 'equipment',
      name: e.name,
      plate: null,
      departmentId: null,
      speedLimitKmh: null,
      offlineAfterS: null,
      tankCapacityL: null,
      odometerOffsetKm: 0,
      engineHoursOffset: 0,
    });
  });

  // The demo rules as the engine's directory would load them from their rows.
  const rules = DEMO_RULES.map((r, i) => {
    const rule = ruleFromRow({
      id: uuid(0x500 + i),
      org_id: ORG,
      name: r.name,
      kind: r.kind,
      severity: r.severity,
      params: r.params,
      scope: { placeIds: (r.places ?? []).map((n) => placeId.get(n) as string) },
      schedule: r.hours ? { hours: r.hours } : null,
    } as Parameters<typeof ruleFromRow>[0]);
    if (typeof rule === 'string') throw new Error(`${r.name}: ${rule}`);
    return rule;
  });
  const context = buildOrgContext({
    orgId: ORG,
    timeZone: 'Europe/Helsinki',
    workingHours: DEFAULT_WORKING_HOURS,
    places,
    assets,
  });
  const org: OrgRules = { context, rules, rulesFor: () => rules, departmentPath: () => [] };
  const signals: { signal: AlertSignal; atMs: number }[] = [];
  let clockMs = START_MS;
  const errors: string[] = [];
  const engine = new RuleEngine({
    orgs: { get: (id) => (id === ORG ? org : undefined) },
    emit: (s) => signals.push(...s.map((signal) => ({ signal, atMs: clockMs }))),
    metrics: { evaluated: () => {}, outOfOrder: () => {}, ruleError: (kind) => errors.push(kind) },
    onRuleError: (_rule, err) => errors.push(String(err)),
    lateAfterMs: 120_000,
  });

  // The fleet of `npm run sim -- --scenario demo` as npm start runs it (around the clock, the
  // company's depot and sites), played for an hour.
  const fleet = buildFleet({
    network,
    devices,
    seed: 1,
    scenario: 'demo',
    startMs: START_MS,
    workingDay: false,
    anchors: {
      depots: company.places.filter((p) => p.category === 'depot').map((p) => p.center),
      sites: company.places.filter((p) => p.category !== 'depot').map((p) => p.center),
    },
  });
  scenarioOf = new Map(fleet.map((d) => [d.id, (d.model as VehicleModel | EquipmentModel).scenario]));
  const deviceOfModel = new Map(fleet.map((d) => [d.model, d.id]));
  carrierAssetOf = new Map(
    fleet.flatMap((d) => {
      const carrier = (d.model as EquipmentModel).carrier;
      const van = carrier ? deviceOfModel.get(carrier as VehicleModel) : undefined;
      return van ? [[d.id, assets.get(van)?.id as string]] : [];
    }),
  );
  const played = playModels(
    fleet.map((d) => d.model),
    { startMs: START_MS, seconds: HOUR_S },
  );

  // Through the platform's own path: protobuf out and in, normalised, received a second later.
  type Item = { ts: number; record?: TelemetryRecord; event?: DeviceEventRecord };
  const items: Item[] = [];
  played.forEach((p, i) => {
    const session = { tenant: ORG, deviceId: fleet[i]?.id as string };
    let seq = 1;
    const decoded = decodeTelemetryBatch(encodeTelemetryBatch(p.records.map((r) => ({ ...r, seq: seq++ }))), {
      maxBytes: 1 << 26,
      maxRecords: 1_000_000,
    });
    if (!decoded.ok) throw new Error(decoded.reason);
    for (const m of decoded.value)
      items.push({ ts: m.tsMs, record: toTelemetryRecord(m, session, m.tsMs + 1000) });
    for (const e of p.events) {
      const d = decodeDeviceEvent(encodeDeviceEvent({ ...e, seq: seq++ }), { maxBytes: 4096 });
      if (!d.ok) throw new Error(d.reason);
      items.push({ ts: e.tsMs, event: toDeviceEventRecord(d.value, session, e.tsMs + 1000) });
    }
  });
  items.sort((a, b) => a.ts - b.ts);
  // In arrival order, with the engine's clock ticking every 10 s (the service's tick).
  let nextTick = START_MS + 10_000;
  for (const item of items) {
    while (item.ts + 1000 >= nextTick) {
      clockMs = nextTick;
      engine.tick(nextTick);
      nextTick += 10_000;
    }
    clockMs = item.ts + 1000;
    if (item.record) engine.evaluateTelemetry([item.record]);
    if (item.event) engine.evaluateEvent(item.event);
  }
  for (; nextTick <= START_MS + HOUR_S * 1000 + 1000; nextTick += 10_000) {
    clockMs = nextTick;
    engine.tick(nextTick);
  }
  expect(errors).toEqual([]);
  raised = signals.flatMap(({ signal, atMs }) =>
    signal.type === 'open'
      ? [
          {
            kind: signal.rule.kind,
            deviceId: signal.deviceId ?? '',
            startedS: (signal.startedAt - START_MS) / 1000,
            raisedS: (atMs - START_MS) / 1000,
            details: signal.details,
          },
        ]
      : [],
  );
}, 120_000);

const of = (kind: RuleKind) => raised.filter((r) => r.kind === kind);
const playing = (scenario: string) => [...scenarioOf].filter(([, s]) => s === scenario).map(([id]) => id);
const firstS = (kind: RuleKind) => Math.min(...of(kind).map((r) => r.raisedS));

describe("npm start's first hour (demo mix, demo rules, the real rule engine)", () => {
  it('raises overspeed alerts on the speeding vans only, the first within minutes', () => {
    const speeding = of('overspeed');
    expect(speeding.length).toBeGreaterThanOrEqual(3);
    expect(new Set(speeding.map((r) => scenarioOf.get(r.deviceId)))).toEqual(new Set(['speeding']));
    expect(new Set(speeding.map((r) => r.deviceId)).size).toBeGreaterThanOrEqual(3);
    expect(firstS('overspeed')).toBeLessThan(10 * 60);
    for (const r of speeding) expect(Number(r.details.peakKmh)).toBeGreaterThan(50);
  });

  it('raises an idling alert on each idling van after its 10 min, and on no other', () => {
    const idling = of('idling');
    expect(new Set(idling.map((r) => r.deviceId))).toEqual(new Set(playing('idling')));
    for (const r of idling) expect(r.raisedS - r.startedS).toBeGreaterThanOrEqual(600);
    expect(firstS('idling')).toBeLessThan(20 * 60);
  });

  it('raises the engine fault of the faulty van at once; the power cut at once and its offline alert later, with the cause', () => {
    const faulty = playing('engine-fault');
    const fault = of('engine_fault').filter((r) => faulty.includes(r.deviceId));
    expect(fault.map((r) => r.details.code)).toContain('P0300');
    expect(Math.min(...fault.map((r) => r.raisedS))).toBeLessThan(5 * 60);

    const [cutVan] = playing('power-cut');
    const cut = of('power_cut').filter((r) => r.deviceId === cutVan);
    expect(cut).toHaveLength(1);
    expect(cut[0]?.raisedS).toBeLessThan(5 * 60);
    // Heartbeat-only after 5 min, offline after 30 more (the cut lasts 40-60 min).
    const silent = of('offline').filter((r) => r.deviceId === cutVan);
    expect(silent).toHaveLength(1);
    expect(silent[0]?.details.cause).toBe('power_cut');
    expect(Number(silent[0]?.raisedS) - Number(cut[0]?.startedS)).toBeGreaterThan(34 * 60);
    // Nothing else went quiet for 30 min.
    expect(of('offline').map((r) => r.deviceId)).toEqual([cutVan]);
  });

  it('raises a fuel drop on the robbed van, and on no other', () => {
    const drops = of('fuel_drop');
    expect(drops.map((r) => r.deviceId)).toEqual(playing('fuel-theft'));
    expect(Number(drops[0]?.details.droppedPct)).toBeGreaterThan(8);
    expect(firstS('fuel_drop')).toBeLessThan(15 * 60);
  });

  it('raises equipment left behind on the forgotten kit, by its own van; no other kit is left by its own van', () => {
    const left = of('equipment_left_behind');
    const [kit] = playing('forgotten-kit');
    const mine = left.filter((r) => r.deviceId === kit);
    expect(mine.length).toBeGreaterThanOrEqual(1);
    // It clears whenever the van passes within 300 m again on its rounds, and opens when it leaves.
    expect(new Set(mine.map((r) => r.details.vehicleAssetId))).toEqual(
      new Set([carrierAssetOf.get(kit ?? '')]),
    );
    expect(Number(mine[0]?.details.distanceM)).toBeGreaterThanOrEqual(300);
    expect(firstS('equipment_left_behind')).toBeLessThan(30 * 60);
    // A kit riding along in a normal van is never left behind, even when its van left the depot
    // in convoy with another.
    expect(left.filter((x) => x.deviceId !== kit).map((r) => `${r.deviceId} ${JSON.stringify(r)}`)).toEqual(
      [],
    );
  });

  it('tells of crews arriving at the National Theatre, and of no van leaving the depot in working hours', () => {
    expect(of('geofence_enter').length).toBeGreaterThan(0);
    expect(of('geofence_exit')).toEqual([]);
    // A few dozen alerts in an hour for 70 devices, not a flood.
    expect(raised.length).toBeLessThan(100);
    // What the hour looked like, for whoever reads the test log.
    const summary = [...new Set(raised.map((r) => r.kind))].map(
      (k) => `${k} ${of(k).length} (first at ${Math.round(firstS(k) / 6) / 10} min)`,
    );
    console.log(`demo, first hour: ${summary.join(', ')}`);
  });
});
