// The OpenStreetMap layers of the basemap as GeoJSON: an in-memory extract in, one
// FeatureCollection per layer out, with only the properties style.ts reads (class, name, and
// for roads oneway/tunnel). What cannot be drawn is counted by reason, never thrown.
//
// The extract is a box cut from the planet by node: ways crossing the box edge keep their ids
// but lose the nodes outside. Lines keep their inside parts; polygons are closed along the box
// edge (geometry.ts, closeAlongBounds), which is also how the sea is made from the coastline.
import type { Feature, FeatureCollection, Geometry, LineString, MultiLineString, Point } from 'geojson';
import {
  areaClass,
  isAreaWay,
  isTunnel,
  labelClass,
  onewayDirection,
  roadClass,
  waterwayClass,
} from './classify.ts';
import {
  type Bounds,
  boundsOf,
  closeAlongBounds,
  closeCutRing,
  lineRuns,
  type NodeLookup,
  type Position,
  pointInRing,
  ringCentroid,
  ringParts,
  roundLine,
  roundPosition,
  signedArea,
} from './geometry.ts';
import type { OsmExtract, OsmRelation, OsmWay, Tags } from './osm-extract.ts';
import { joinIntoRings } from './rings.ts';

export const OSM_LAYERS = ['water', 'green', 'buildings', 'roads', 'labels'] as const;
export type OsmLayerName = (typeof OSM_LAYERS)[number];

export const SKIP_REASONS = [
  /** A way with fewer than two node ids. */
  'too-few-nodes',
  /** Too few of its nodes are in the extract to draw anything. */
  'nodes-missing',
  /** A way tagged as an area (a building, a lake) whose ends do not meet. */
  'area-not-closed',
  /** A polygon cut somewhere other than the extract's edge, so its outline is unknown. */
  'ring-unclosable',
  /** A polygon without area (all its points on one line). */
  'ring-degenerate',
  /** A multipolygon with no outer member at all. */
  'relation-without-outer',
  /** A hole of a multipolygon that the extract cuts: dropped, the outer polygon is kept. */
  'inner-ring-cut',
  /** Coastline that cannot be closed into sea along the extract's edge: no sea is drawn. */
  'coastline-unclosable',
] as const;
export type SkipReason = (typeof SKIP_REASONS)[number];

export interface OsmLayersOptions {
  /** The box the extract was cut to, [w, s, e, n]; default: the bounds of its nodes. */
  bounds?: Bounds;
  /**
   * How far from the box edge (m) a cut polygon's last present node may be. The node past it
   * lies outside the box, so this is at most one segment long; in the Helsinki extract the
   * farthest is 44 m, the default leaves room for longer segments elsewhere.
   */
  edgeToleranceM?: number;
  /** Decimal places kept (6: about 0.1 m). */
  decimals?: number;
}

export interface OsmLayers {
  layers: Record<OsmLayerName, FeatureCollection>;
  /** The box the layers were built for, rounded outward to the kept decimals. */
  bounds: Bounds;
  /** Ways and relations drawn in part because the extract cuts them. */
  clipped: number;
  skipped: Record<SkipReason, number>;
}

type Props = Record<string, string | boolean>;
type Polygon = Position[][]; // outer ring (counter-clockwise), then holes (clockwise)

interface Outcome {
  /** Features produced, by layer. */
  features: [OsmLayerName, Feature][];
  clipped: boolean;
  skipped?: SkipReason;
}

export function buildOsmLayers(extract: OsmExtract, options: OsmLayersOptions = {}): OsmLayers {
  const nodeBounds = options.bounds ?? boundsOf(extract.nodes.values());
  if (!nodeBounds) throw new Error('the OSM extract holds no nodes');
  const decimals = options.decimals ?? 6;
  // Rounded outward, so points closed along the edge stay inside it once rounded.
  const f = 10 ** decimals;
  const bounds: Bounds = [
    Math.floor(nodeBounds[0] * f) / f,
    Math.floor(nodeBounds[1] * f) / f,
    Math.ceil(nodeBounds[2] * f) / f,
    Math.ceil(nodeBounds[3] * f) / f,
  ];
  const ctx: Context = {
    lookup: (id) => extract.nodes.get(id),
    bounds,
    toleranceM: options.edgeToleranceM ?? 150,
    decimals,
  };
  const layers = Object.fromEntries(OSM_LAYERS.map((name) => [name, [] as Feature[]])) as Record<
    OsmLayerName,
    Feature[]
  >;
  const skipped = Object.fromEntries(SKIP_REASONS.map((r) => [r, 0])) as Record<SkipReason, number>;
  let clipped = 0;
  const record = (outcome: Outcome) => {
    for (const [layer, feature] of outcome.features) layers[layer].push(feature);
    if (outcome.skipped) skipped[outcome.skipped]++;
    if (outcome.clipped) clipped++;
  };

  const waysById = new Map(extract.ways.map((w) => [w.id, w]));
  // A closed way that is an outer member of a multipolygon with an area class of its own is drawn
  // by the relation (with its holes), not again by itself.
  const drawnByRelation = new Set<string>();
  for (const relation of extract.relations) {
    if (relation.tags.type !== 'multipolygon' || !areaClass(relation.tags)) continue;
    for (const m of relation.members) if (m.type === 'way' && m.role !== 'inner') drawnByRelation.add(m.ref);
  }

  for (const way of extract.ways) record(wayFeatures(way, ctx, drawnByRelation));
  for (const relation of extract.relations) {
    if (relation.tags.type === 'multipolygon') record(relationFeatures(relation, waysById, ctx));
  }
  const sea = seaFeatures(
    extract.ways.filter((w) => w.tags.natural === 'coastline'),
    ctx,
  );
  layers.water.push(...sea.features.map(([, f]) => f));
  if (sea.skipped) skipped[sea.skipped]++;
  if (sea.clipped) clipped++;
  for (const node of extract.taggedNodes) {
    const cls = labelClass(node.tags);
    if (cls) layers.labels.push(pointFeature(node.position, labelProps(cls, node.tags), ctx));
  }

  // Larger areas first, so a lawn inside a park is drawn over the park, not under it.
  for (const name of ['water', 'green'] as const)
    layers[name].sort((a, b) => featureArea(b) - featureArea(a));
  return {
    layers: Object.fromEntries(
      OSM_LAYERS.map((name) => [name, { type: 'FeatureCollection', features: layers[name] }]),
    ) as Record<OsmLayerName, FeatureCollection>,
    bounds,
    clipped,
    skipped,
  };
}

interface Context {
  lookup: NodeLookup;
  bounds: Bounds;
  toleranceM: number;
  decimals: number;
}

function wayFeatures(way: OsmWay, ctx: Context, drawnByRelation: ReadonlySet<string>): Outcome {
  const { tags, nodeRefs } = way;
  const road = roadClass(tags);
  const waterway = waterwayClass(tags);
  const closed = nodeRefs.length >= 4 && nodeRefs[0] === nodeRefs[nodeRefs.length - 1];
  const area = closed && isAreaWay(tags) ? areaClass(tags) : undefined;
  const drawArea = area !== undefined && !drawnByRelation.has(way.id);
  const label = closed ? labelClass(tags) : undefined;
  const openArea = !closed && isAreaWay(tags) && areaClass(tags) !== undefined;
  if (!road && !waterway && !drawArea && !label && !openArea) return { features: [], clipped: false };
  if (nodeRefs.length < 2) return { features: [], clipped: false, skipped: 'too-few-nodes' };
  if (!road && !waterway && openArea) return { features: [], clipped: false, skipped: 'area-not-closed' };

  const outcome: Outcome = { features: [], clipped: false };
  let problem: SkipReason | undefined;
  if (road || waterway) {
    const { runs, missing } = linePartsOf(nodeRefs, ctx);
    if (missing > 0) outcome.clipped = true;
    if (runs.length === 0) problem = 'nodes-missing';
    if (road && runs.length > 0) {
      const props: Props = { class: road };
      if (tags.name) props.name = tags.name;
      const direction = onewayDirection(tags);
      if (direction !== 0) props.oneway = true;
      if (isTunnel(tags)) props.tunnel = true;
      const directed = direction === -1 ? runs.map((r) => [...r].reverse()).reverse() : runs;
      outcome.features.push(['roads', lineFeature(directed, props)]);
    }
    if (waterway && runs.length > 0) {
      const props: Props = { class: waterway };
      if (tags.name) props.name = tags.name;
      outcome.features.push(['water', lineFeature(runs, props)]);
    }
  }
  if (drawArea || label) {
    const result = polygonsOfRing(nodeRefs, ctx);
    if ('skipped' in result) {
      problem ??= result.skipped;
    } else {
      if (result.cut) outcome.clipped = true;
      if (drawArea && area)
        outcome.features.push([
          area.layer,
          polygonFeature(result.polygons, areaProps(area.class, tags, area.layer), ctx),
        ]);
      if (label) outcome.features.push(['labels', labelPoint(result.polygons, label, tags, ctx)]);
    }
  }
  if (outcome.features.length === 0 && problem) return { features: [], clipped: false, skipped: problem };
  return outcome;
}

function relationFeatures(
  relation: OsmRelation,
  waysById: ReadonlyMap<string, OsmWay>,
  ctx: Context,
): Outcome {
  const { tags } = relation;
  const area = areaClass(tags);
  const label = labelClass(tags);
  if (!area && !label) return { features: [], clipped: false };
  const outerPieces: (readonly string[])[] = [];
  const innerPieces: (readonly string[])[] = [];
  let missingMembers = 0;
  for (const m of relation.members) {
    if (m.type !== 'way') continue;
    const way = waysById.get(m.ref);
    if (!way) {
      missingMembers++;
      continue;
    }
    (m.role === 'inner' ? innerPieces : outerPieces).push(way.nodeRefs);
  }
  if (outerPieces.length === 0) {
    return {
      features: [],
      clipped: false,
      skipped: missingMembers > 0 ? 'nodes-missing' : 'relation-without-outer',
    };
  }
  const outers = joinIntoRings(outerPieces, true);
  const polygons: Polygon[] = [];
  let cut = missingMembers > 0;
  let problem: SkipReason | undefined;
  for (const ring of [...outers.closed, ...outers.open]) {
    const result = polygonsOfRing(ring, ctx);
    if ('skipped' in result) problem ??= result.skipped;
    else {
      polygons.push(...result.polygons);
      if (result.cut) cut = true;
    }
  }
  if (polygons.length === 0) return { features: [], clipped: false, skipped: problem ?? 'nodes-missing' };

  const inners = joinIntoRings(innerPieces, true);
  let innerCut = inners.open.length;
  for (const ring of inners.closed) {
    const parts = ringParts(ring, ctx.lookup);
    if (parts.kind !== 'complete') {
      innerCut++;
      continue;
    }
    const hole = signedArea(parts.ring) > 0 ? [...parts.ring].reverse() : parts.ring;
    const owner = polygons.find((p) => pointInRing(hole[0] as Position, p[0] as Position[]));
    if (owner) owner.push(hole);
  }
  const features: [OsmLayerName, Feature][] = [];
  if (area)
    features.push([area.layer, polygonFeature(polygons, areaProps(area.class, tags, area.layer), ctx)]);
  if (label) features.push(['labels', labelPoint(polygons, label, tags, ctx)]);
  // A cut hole is the one problem that still leaves something drawn; it is counted, not hidden.
  return { features, clipped: cut || innerCut > 0, skipped: innerCut > 0 ? 'inner-ring-cut' : undefined };
}

/**
 * The sea inside the box, from the coastline (OSM draws it with land on the left, water on the
 * right): the coastline's stretches inside the box are closed along the box edge, and complete
 * islands become holes. With no coastline at all the box is land.
 */
function seaFeatures(coastline: readonly OsmWay[], ctx: Context): Outcome {
  if (coastline.length === 0) return { features: [], clipped: false };
  const chains = joinIntoRings(
    coastline.map((w) => w.nodeRefs),
    false,
  );
  const runs: Position[][] = [];
  const islands: Position[][] = [];
  const lakes: Position[][] = [];
  for (const chain of [...chains.closed, ...chains.open]) {
    const parts = ringParts(chain, ctx.lookup);
    if (parts.kind === 'complete') {
      // Land on the left: an island runs counter-clockwise.
      if (signedArea(parts.ring) > 0) islands.push([...parts.ring].reverse());
      else lakes.push([...parts.ring].reverse());
    } else {
      runs.push(...parts.runs);
    }
  }
  let seas: Polygon[];
  if (runs.length > 0) {
    const rings = closeAlongBounds(runs, ctx.bounds, ctx.toleranceM);
    if (!rings) return { features: [], clipped: false, skipped: 'coastline-unclosable' };
    seas = rings.map((r) => [[...r].reverse()]);
  } else if (islands.length > 0) {
    const [w, s, e, n] = ctx.bounds;
    seas = [
      [
        [
          [w, s],
          [e, s],
          [e, n],
          [w, n],
          [w, s],
        ],
      ],
    ];
  } else {
    seas = [];
  }
  for (const island of islands) {
    const owner = seas.find((p) => pointInRing(island[0] as Position, p[0] as Position[]));
    if (owner) owner.push(island);
  }
  seas.push(...lakes.map((l) => [l]));
  const features: [OsmLayerName, Feature][] = seas.map((p) => [
    'water',
    polygonFeature([p], { class: 'sea' }, ctx),
  ]);
  return { features, clipped: runs.length > 0 };
}

function linePartsOf(refs: readonly string[], ctx: Context): { runs: Position[][]; missing: number } {
  const { runs, missing } = lineRuns(refs, ctx.lookup);
  return { runs: runs.map((r) => roundLine(r, ctx.decimals)).filter((r) => r.length >= 2), missing };
}

/** The polygons (outer rings, counter-clockwise) of one ring of node ids, closed along the box where cut. */
function polygonsOfRing(
  refs: readonly string[],
  ctx: Context,
): { polygons: Polygon[]; cut: boolean } | { skipped: SkipReason } {
  const parts = ringParts(refs, ctx.lookup);
  if (parts.kind === 'complete') {
    const ring = roundLine(parts.ring, ctx.decimals);
    const area = signedArea(ring);
    if (ring.length < 4 || area === 0) return { skipped: 'ring-degenerate' };
    return { polygons: [[area > 0 ? ring : ring.reverse()]], cut: false };
  }
  // A lone node between two cut stretches is a spike out of the box and back; dropping it keeps
  // the outline and the order of the edge crossings simple.
  const runs = parts.runs.length > 1 ? parts.runs.filter((r) => r.length > 1) : parts.runs;
  if (runs.reduce((n, r) => n + r.length, 0) < 2) return { skipped: 'nodes-missing' };
  const rings = closeCutRing(runs, ctx.bounds, ctx.toleranceM);
  if (!rings) return { skipped: 'ring-unclosable' };
  const polygons: Polygon[] = [];
  for (const r of rings) {
    const ring = roundLine(r, ctx.decimals);
    const area = signedArea(ring);
    if (ring.length >= 4 && area !== 0) polygons.push([area > 0 ? ring : ring.reverse()]);
  }
  return polygons.length > 0 ? { polygons, cut: true } : { skipped: 'ring-degenerate' };
}

function areaProps(cls: string, tags: Tags, layer: OsmLayerName): Props {
  const props: Props = layer === 'buildings' ? {} : { class: cls };
  if (tags.name && layer !== 'buildings') props.name = tags.name;
  return props;
}

function labelProps(cls: string, tags: Tags): Props {
  return { class: cls, name: tags.name ?? '' };
}

function labelPoint(polygons: readonly Polygon[], cls: string, tags: Tags, ctx: Context): Feature<Point> {
  const largest = polygons.reduce((a, b) =>
    Math.abs(signedArea(b[0] as Position[])) > Math.abs(signedArea(a[0] as Position[])) ? b : a,
  );
  return pointFeature(ringCentroid(largest[0] as Position[]), labelProps(cls, tags), ctx);
}

function pointFeature(p: Position, properties: Props, ctx: Context): Feature<Point> {
  return {
    type: 'Feature',
    properties,
    geometry: { type: 'Point', coordinates: roundPosition(p, ctx.decimals) },
  };
}

function lineFeature(runs: Position[][], properties: Props): Feature<LineString | MultiLineString> {
  const geometry: LineString | MultiLineString =
    runs.length === 1
      ? { type: 'LineString', coordinates: runs[0] as Position[] }
      : { type: 'MultiLineString', coordinates: runs };
  return { type: 'Feature', properties, geometry };
}

function polygonFeature(polygons: Polygon[], properties: Props, ctx: Context): Feature {
  const rounded = polygons.map((p) => p.map((r) => roundLine(r, ctx.decimals)));
  const geometry: Geometry =
    rounded.length === 1
      ? { type: 'Polygon', coordinates: rounded[0] as Position[][] }
      : { type: 'MultiPolygon', coordinates: rounded };
  return { type: 'Feature', properties, geometry };
}

function featureArea(f: Feature): number {
  const g = f.geometry;
  if (g.type === 'Polygon') return Math.abs(signedArea(g.coordinates[0] as Position[]));
  if (g.type === 'MultiPolygon')
    return g.coordinates.reduce((sum, p) => sum + Math.abs(signedArea(p[0] as Position[])), 0);
  return 0;
}
