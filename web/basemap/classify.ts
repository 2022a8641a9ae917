// Which basemap layer, and which class within it, an OpenStreetMap object belongs to, from its
// tags alone. The classes are the vocabulary style.ts draws with; everything else is left out.
import type { Tags } from './osm-extract.ts';

/** Line classes of roads.geojson, most important first (style.ts ranks and sizes by them). */
export const ROAD_CLASSES = [
  'motorway',
  'primary',
  'secondary',
  'tertiary',
  'minor',
  'service',
  'pedestrian',
  'path',
  'rail',
  'tram',
] as const;
export type RoadClass = (typeof ROAD_CLASSES)[number];

/** Classes a vehicle drives on: these get street-name labels and one-way arrows. */
export const STREET_CLASSES: readonly RoadClass[] = [
  'motorway',
  'primary',
  'secondary',
  'tertiary',
  'minor',
  'service',
  'pedestrian',
];

const HIGHWAY_CLASS: Readonly<Record<string, RoadClass>> = {
  motorway: 'motorway',
  motorway_link: 'motorway',
  trunk: 'motorway',
  trunk_link: 'motorway',
  primary: 'primary',
  primary_link: 'primary',
  secondary: 'secondary',
  secondary_link: 'secondary',
  tertiary: 'tertiary',
  tertiary_link: 'tertiary',
  residential: 'minor',
  unclassified: 'minor',
  living_street: 'minor',
  road: 'minor',
  service: 'service',
  track: 'service',
  pedestrian: 'pedestrian',
  footway: 'path',
  cycleway: 'path',
  path: 'path',
  steps: 'path',
  bridleway: 'path',
};

const RAILWAY_CLASS: Readonly<Record<string, RoadClass>> = {
  rail: 'rail',
  light_rail: 'rail',
  narrow_gauge: 'rail',
  subway: 'rail',
  tram: 'tram',
};

const YES = new Set(['yes', 'true', '1']);

/**
 * The road class of a way, or undefined when it is not drawn as a line: unknown or
 * non-standard highway values, indoor corridors, platforms, and highway areas (`area=yes`, a
 * pedestrian square drawn as its outline would look like a street loop).
 */
export function roadClass(tags: Tags): RoadClass | undefined {
  if (tags.area !== undefined && YES.has(tags.area)) return undefined;
  const highway = tags.highway;
  if (highway !== undefined) return HIGHWAY_CLASS[highway];
  const railway = tags.railway;
  if (railway !== undefined) return RAILWAY_CLASS[railway];
  return undefined;
}

/**
 * +1 when traffic goes along the way's node order only, -1 against it, 0 both ways. Motorways
 * and roundabouts are one-way unless tagged otherwise (OSM wiki, Key:oneway).
 */
export function onewayDirection(tags: Tags): 1 | -1 | 0 {
  const oneway = tags.oneway;
  if (oneway === '-1' || oneway === 'reverse') return -1;
  if (oneway !== undefined) return YES.has(oneway) ? 1 : 0;
  if (tags.junction === 'roundabout' || tags.junction === 'circular') return 1;
  if (tags.highway === 'motorway' || tags.highway === 'motorway_link') return 1;
  return 0;
}

/** Tunnels (and culverts) are drawn faded: the vehicle on them is not on the surface street. */
export function isTunnel(tags: Tags): boolean {
  const tunnel = tags.tunnel;
  return tunnel !== undefined && tunnel !== 'no';
}

export type AreaLayer = 'buildings' | 'water' | 'green';
export type WaterClass = 'sea' | 'lake' | 'river' | 'basin';
export type GreenClass = 'park' | 'grass' | 'wood';
export interface AreaClass {
  layer: AreaLayer;
  class: string;
}

/**
 * Buildings only: `building:part` pieces overlap their building and add nothing in 2D.
 * `building=no` is a real tag (a roof-less structure) and means no building.
 */
export function isBuilding(tags: Tags): boolean {
  return tags.building !== undefined && tags.building !== 'no';
}

export function waterAreaClass(tags: Tags): WaterClass | undefined {
  if (tags.natural === 'water') {
    const water = tags.water;
    if (water === 'river' || water === 'canal' || water === 'stream') return 'river';
    if (water === 'basin' || water === 'reservoir' || water === 'wastewater') return 'basin';
    return 'lake';
  }
  if (tags.waterway === 'riverbank' || tags.waterway === 'dock') return 'river';
  const landuse = tags.landuse;
  if (landuse === 'reservoir' || landuse === 'basin') return 'basin';
  if (landuse === 'pond') return 'lake';
  return undefined;
}

const PARK_LEISURE = new Set(['park', 'garden', 'playground', 'dog_park']);
const PARK_LANDUSE = new Set(['recreation_ground', 'village_green', 'cemetery']);
const GRASS_LANDUSE = new Set(['grass', 'meadow']);
const GRASS_NATURAL = new Set(['grassland', 'heath']);
const WOOD_NATURAL = new Set(['wood', 'scrub']);

export function greenClass(tags: Tags): GreenClass | undefined {
  if (tags.leisure !== undefined && PARK_LEISURE.has(tags.leisure)) return 'park';
  const landuse = tags.landuse;
  if (landuse !== undefined) {
    if (PARK_LANDUSE.has(landuse)) return 'park';
    if (GRASS_LANDUSE.has(landuse)) return 'grass';
    if (landuse === 'forest') return 'wood';
  }
  const natural = tags.natural;
  if (natural !== undefined) {
    if (WOOD_NATURAL.has(natural)) return 'wood';
    if (GRASS_NATURAL.has(natural)) return 'grass';
  }
  return undefined;
}

/**
 * The area layer of a closed way or a multipolygon, if any. A building wins over the land it
 * stands on (a building tagged `landuse=retail` is a building), water over green.
 */
export function areaClass(tags: Tags): AreaClass | undefined {
  if (isBuilding(tags)) return { layer: 'buildings', class: 'building' };
  const water = waterAreaClass(tags);
  if (water) return { layer: 'water', class: water };
  const green = greenClass(tags);
  if (green) return { layer: 'green', class: green };
  return undefined;
}

/**
 * Closed highways are lines (a roundabout, a loop road) unless tagged as an area; closed
 * barriers and the like are not areas of any of our layers anyway. Any other closed way with an
 * area class is an area.
 */
export function isAreaWay(tags: Tags): boolean {
  if (tags.area === 'no') return false;
  if (tags.highway !== undefined || tags.railway !== undefined)
    return tags.area !== undefined && YES.has(tags.area);
  return true;
}

export type WaterwayClass = 'river' | 'canal' | 'stream';
const WATERWAY_CLASS: Readonly<Record<string, WaterwayClass>> = {
  river: 'river',
  canal: 'canal',
  stream: 'stream',
  ditch: 'stream',
  drain: 'stream',
};

/** Waterway lines; piped ones (tunnels, culverts) are underground and not drawn. */
export function waterwayClass(tags: Tags): WaterwayClass | undefined {
  const waterway = tags.waterway;
  if (waterway === undefined || isTunnel(tags)) return undefined;
  return WATERWAY_CLASS[waterway];
}

export type LabelClass = 'city' | 'suburb' | 'neighbourhood' | 'square' | 'station' | 'landmark';

const PLACE_CLASS: Readonly<Record<string, LabelClass>> = {
  city: 'city',
  town: 'city',
  suburb: 'suburb',
  quarter: 'suburb',
  borough: 'suburb',
  village: 'suburb',
  neighbourhood: 'neighbourhood',
  square: 'square',
};

// Landmarks a dispatcher gives directions by; shops, restaurants and benches are left out
// (central Helsinki has 200+ restaurants, which would bury the street names).
const LANDMARK_AMENITY = new Set([
  'hospital',
  'university',
  'college',
  'townhall',
  'theatre',
  'library',
  'place_of_worship',
  'courthouse',
  'fire_station',
  'police',
  'marketplace',
  'bus_station',
  'ferry_terminal',
]);
const LANDMARK_TOURISM = new Set(['museum', 'gallery', 'attraction']);

/**
 * The label class of a named object shown as a point (a place, a station, a landmark), or
 * undefined. Unnamed objects get no label.
 */
export function labelClass(tags: Tags): LabelClass | undefined {
  if (!tags.name) return undefined;
  if (tags.place !== undefined) {
    const place = PLACE_CLASS[tags.place];
    if (place) return place;
  }
  if (tags.railway === 'station' || tags.public_transport === 'station') return 'station';
  if (tags.amenity !== undefined && LANDMARK_AMENITY.has(tags.amenity)) return 'landmark';
  if (tags.tourism !== undefined && LANDMARK_TOURISM.has(tags.tourism)) return 'landmark';
  return undefined;
}
