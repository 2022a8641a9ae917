// An .osm.pbf extract read whole into memory for the basemap build: node positions, the tagged
// nodes (places and landmarks), ways and relations. osm-read ships no types; its callbacks hand
// over plain objects (ids as decimal strings, lat/lon in degrees, tags as a string map), named
// here. firmware-sim/src/osm-pbf.ts wraps the same parser for the road graph but skips relations,
// which the basemap needs for multipolygons (buildings with courtyards, lakes).
import { createRequire } from 'node:module';
import { checkPbfHeader } from '@fleet/shared/osm';
import type { Position } from './geometry.ts';

export type Tags = Readonly<Record<string, string>>;

export interface OsmTaggedNode {
  id: string;
  position: Position;
  tags: Tags;
}

export interface OsmWay {
  id: string;
  tags: Tags;
  /** Node ids in the way's order; a closed way repeats its first id at the end. */
  nodeRefs: readonly string[];
}

export interface OsmMember {
  type: 'node' | 'way' | 'relation';
  ref: string;
  role: string;
}

export interface OsmRelation {
  id: string;
  tags: Tags;
  members: readonly OsmMember[];
}

export interface OsmExtract {
  /** Every node the extract holds, [lon, lat]. */
  nodes: ReadonlyMap<string, Position>;
  /** Nodes with tags, for point labels. */
  taggedNodes: readonly OsmTaggedNode[];
  ways: readonly OsmWay[];
  relations: readonly OsmRelation[];
}

interface RawNode {
  id: string;
  lat: number;
  lon: number;
  tags: Tags;
}

interface OsmReadParseOptions {
  filePath: string;
  format: 'pbf';
  node(node: RawNode): void;
  way(way: OsmWay): void;
  relation(relation: OsmRelation): void;
  endDocument(): void;
  error(err: unknown): void;
}

interface OsmReadModule {
  parse(options: OsmReadParseOptions): unknown;
}

const osmRead: OsmReadModule = createRequire(import.meta.url)('osm-read');

export async function readOsmExtract(filePath: string): Promise<OsmExtract> {
  await checkPbfHeader(filePath);
  const nodes = new Map<string, Position>();
  const taggedNodes: OsmTaggedNode[] = [];
  const ways: OsmWay[] = [];
  const relations: OsmRelation[] = [];
  await new Promise<void>((resolve, reject) => {
    try {
      osmRead.parse({
        filePath,
        format: 'pbf',
        node(node) {
          const position: Position = [node.lon, node.lat];
          nodes.set(node.id, position);
          for (const _ in node.tags) {
            taggedNodes.push({ id: node.id, position, tags: node.tags });
            break;
          }
        },
        way(way) {
          ways.push({ id: way.id, tags: way.tags, nodeRefs: way.nodeRefs });
        },
        relation(relation) {
          relations.push({ id: relation.id, tags: relation.tags, members: relation.members });
        },
        endDocument: resolve,
        error: (err) => reject(err instanceof Error ? err : new Error(`osm-read: ${String(err)}`)),
      });
    } catch (err) {
      reject(err instanceof Error ? err : new Error(String(err)));
    }
  });
  return { nodes, taggedNodes, ways, relations };
}
