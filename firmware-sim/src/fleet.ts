// A simulated fleet from credentials and a road network: each vehicle gets a depot and job
// sites, each equipment tag either rides along in a vehicle or stands at a site, and a scenario
// preset is spread over its share of the fleet (a mix such as `demo` gives each device its own,
// scenarios.ts `fleetScenarios`). Deterministic from the seed.
import { createEquipmentModel } from './equipment-model.ts';
import { nearestNode, pickSites, type RoadNetwork } from './roads.ts';
import type { DeviceCredentials, SimulatedDevice } from './runtime/index.ts';
import { fleetScenarios, type ScenarioName } from './scenarios.ts';
import { createVehicleModel, type VehicleMeters, type VehicleModel } from './vehicle-model.ts';

export interface FleetPlan {
  network: RoadNetwork;
  devices: readonly DeviceCredentials[];
  seed: number;
  scenario: ScenarioName;
  /** Device time at start, ms. */
  startMs: number;
  /** Park at the depot overnight (local 17:00-07:00); off: drive around the clock (demo). */
  workingDay: boolean;
  /** Depots shared by the fleet. */
  depots?: number;
  /** Job sites each vehicle visits. */
  sitesPerVehicle?: number;
  /**
   * Real places the fleet works at (the demo company's depot and client sites), snapped to the
   * nearest road: the depots replace the picked ones, and each vehicle's first site is one of
   * these sites, so the places on the map are where the vans actually go.
   */
  anchors?: { depots: readonly LatLon[]; sites: readonly LatLon[] };
  /** The driver card each vehicle reports with the ignition on, by device id (none: no card). */
  driverCards?: ReadonlyMap<string, string>;
  /** The odometer and engine hours each vehicle starts with, by device id (none: from its seed). */
  startMeters?: ReadonlyMap<string, VehicleMeters>;
}

export interface LatLon {
  lat: number;
  lon: number;
}

/** Share of equipment tags that ride along in a vehicle (the rest stand at sites). */
const RIDE_ALONG_SHARE = 0.5;

export function buildFleet(plan: FleetPlan): SimulatedDevice[] {
  const vehicles = plan.devices.filter((d) => d.kind === 'vehicle');
  const tags = plan.devices.filter((d) => d.kind === 'equipment');
  const siteCount = Math.min(200, Math.max(8, Math.ceil(vehicles.length / 2) + 4));
  const sites = pickSites(plan.network, siteCount, plan.seed);
  const depotCount = Math.max(1, Math.min(plan.depots ?? 3, Math.floor(sites.length / 4)));
  const snap = (p: LatLon) => nearestNode(plan.network, p.lat, p.lon);
  const anchoredDepots = (plan.anchors?.depots ?? []).map(snap);
  const anchoredSites = (plan.anchors?.sites ?? []).map(snap);
  const depots = anchoredDepots.length > 0 ? anchoredDepots : sites.slice(0, depotCount);
  const jobSites = [...anchoredSites, ...sites.slice(depotCount)];
  const perVehicle = Math.min(plan.sitesPerVehicle ?? 4, jobSites.length);
  const out: SimulatedDevice[] = [];
  const vehicleModels: VehicleModel[] = [];
  const vehicleScenarios = fleetScenarios(plan.scenario, 'vehicle', vehicles.length);
  const tagScenarios = fleetScenarios(plan.scenario, 'equipment', tags.length);
  vehicles.forEach((d, i) => {
    const played = vehicleScenarios[i] ?? { scenario: 'normal', timing: {} };
    const seed = plan.seed * 7919 + i;
    const own = Array.from(
      { length: perVehicle },
      (_, k) =>
        (k === 0 && anchoredSites.length > 0
          ? anchoredSites[i % anchoredSites.length]
          : jobSites[(i * 3 + k * 7) % jobSites.length]) as number,
    );
    const model = createVehicleModel({
      seed,
      network: plan.network,
      depot: depots[i % depots.length] as number,
      sites: [...new Set(own)],
      startMs: plan.startMs,
      scenario: played.scenario,
      scenarioTiming: played.timing,
      ...(plan.driverCards?.has(d.id) ? { driverCardId: plan.driverCards.get(d.id) as string } : {}),
      ...(plan.startMeters?.has(d.id) ? { startMeters: plan.startMeters.get(d.id) as VehicleMeters } : {}),
      // Around the clock (the demo) the stops are short too, so the map is mostly moving.
      ...(plan.workingDay
        ? {}
        : {
            workingDay: false as const,
            trip: { dwellS: [60, 300] as const, depotDwellS: [120, 600] as const },
          }),
    });
    vehicleModels.push(model);
    out.push({ id: d.id, token: d.token, model });
  });
  tags.forEach((d, i) => {
    const seed = plan.seed * 104_729 + i;
    const played = tagScenarios[i] ?? { scenario: 'normal', timing: {} };
    // A forgotten kit is one that rides along, in a van that keeps reporting as usual.
    const forgotten = played.scenario === 'forgotten-kit';
    const carrier =
      forgotten && vehicleModels.length > 0
        ? normalVehicleFrom(vehicleModels, i)
        : i < Math.round(tags.length * RIDE_ALONG_SHARE)
          ? vehicleModels[i % Math.max(1, vehicleModels.length)]
          : undefined;
    const siteNode = jobSites[i % jobSites.length] ?? (sites[0] as number);
    const model = createEquipmentModel({
      seed,
      startMs: plan.startMs,
      ...(carrier
        ? { rideAlong: carrier }
        : { site: { lat: plan.network.nodeLat[siteNode] ?? 0, lon: plan.network.nodeLon[siteNode] ?? 0 } }),
      scenario: played.scenario,
      scenarioTiming: played.timing,
    });
    out.push({ id: d.id, token: d.token, model });
  });
  // Vehicles first: the runtime steps in this order, so a tag sees its vehicle's new position.
  return out;
}

/** The first vehicle from index i on (wrapping) that plays no scenario of its own, else vehicle i. */
function normalVehicleFrom(vehicles: readonly VehicleModel[], i: number): VehicleModel | undefined {
  for (let k = 0; k < vehicles.length; k++) {
    const v = vehicles[(i + k) % vehicles.length];
    if (v?.scenario === 'normal') return v;
  }
  return vehicles[i % vehicles.length];
}
