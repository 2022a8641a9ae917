// The fleet simulator's public API: the road network from an OpenStreetMap extract, routes on
// it, the motion model that drives vehicles along them, and the device models (vehicle
// trackers, equipment tags) and scenario presets the device runtime publishes from.

export {
  type CompanyDepartment,
  type CompanyDriver,
  type CompanyEquipment,
  type CompanyPlace,
  type CompanySize,
  type CompanyVehicle,
  type DemoCompany,
  demoCompany,
} from './company.ts';
export {
  type Carrier,
  type DeviceEventSample,
  type DeviceModel,
  type DevicePosition,
  localTimeOfDayS,
  type TelemetrySample,
} from './device-model.ts';
export {
  createEquipmentModel,
  EQUIPMENT_TAG_TYPES,
  type EquipmentModel,
  type EquipmentModelOptions,
  type EquipmentTagType,
  TAG_BATTERY,
  TAG_FIRMWARE,
  TAG_REPORT_S,
  TAG_SENSORS,
  TAG_TAMPER,
} from './equipment-model.ts';
export { buildFleet, type FleetPlan } from './fleet.ts';
export {
  advanceMotion,
  advanceTrip,
  burnIdleFuel,
  createMotion,
  createTrip,
  DEFAULT_MOTION_PARAMS,
  engineOn,
  type MotionParams,
  type MotionPhase,
  motionParams,
  routeProgressM,
  startRoute,
  type Trip,
  type TripOptions,
  type VehicleMotion,
} from './motion.ts';
export { type OsmHandlers, type OsmNode, type OsmWay, readOsmPbf } from './osm-pbf.ts';
export {
  type FleetSize,
  missingDevices,
  provisionViaApi,
  provisionViaRegistry,
  selectFleet,
  simDeviceName,
} from './provision.ts';
export {
  type HarnessClock,
  type RestartableBroker,
  type RestartHarness,
  type RestartRecord,
  runBrokerRestarts,
} from './restart-harness.ts';
export {
  bearingDeg,
  buildRoadNetwork,
  DEFAULT_SPEED_KMH,
  EARTH_RADIUS_M,
  haversineM,
  loadRoadNetwork,
  mulberry32,
  nearestNode,
  parseMaxspeedKmh,
  pickSites,
  type RoadNetwork,
  type RoadNetworkStats,
  type RoadWay,
  type WayDirections,
  wayDirections,
  waySpeedLimitKmh,
} from './roads.ts';
export {
  buildRoute,
  createRouter,
  headingChangeDeg,
  PLAN_BRAKE_MS2,
  type Route,
  type Router,
  route,
  routerFor,
  TURN_LATERAL_MS2,
  TURN_MIN_SPEED_MS,
  TURN_WINDOW_M,
  turnSpeedMs,
} from './routing.ts';
export {
  type CredentialsFile,
  createFleetRuntime,
  type DeviceCredentials,
  type FleetRuntime,
  type FleetStatusRecord,
  fleetStatusRecordSchema,
  type RuntimeStats,
  readCredentials,
  type SimulatedDevice,
  writeCredentials,
} from './runtime/index.ts';
export {
  type BrokerRestart,
  brokerRestartSchedule,
  FLOOD_INTERVAL_S,
  isScenarioName,
  SCENARIO_NAMES,
  SCENARIOS,
  type ScenarioName,
  type ScenarioPreset,
  type ScenarioTiming,
  scenarioForDevice,
  scenarioHelp,
  scenarioTiming,
} from './scenarios.ts';
export {
  AGGRESSIVE,
  COOLANT,
  createVehicleModel,
  DTC,
  ELECTRICS,
  ENGINE,
  ENGINE_FAULT,
  FUEL_THEFT,
  HARSH,
  RARE,
  VEHICLE,
  VEHICLE_FIRMWARE,
  VEHICLE_REPORT_S,
  type VehicleModel,
  type VehicleModelOptions,
} from './vehicle-model.ts';
