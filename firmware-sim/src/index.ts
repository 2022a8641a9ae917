// The fleet simulator's public API: the road network from an OpenStreetMap extract, routes on
// it, and the motion model that drives vehicles along them.

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
