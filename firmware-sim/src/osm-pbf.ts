// A typed wrapper over osm-read's PBF parser, which ships no types. osm-read's callbacks hand
// over plain objects (ids as decimal strings, lat/lon in degrees, tags as a string map); this
// module names those shapes and turns the callback API into one promise.
import { createRequire } from 'node:module';
import { checkPbfHeader } from '@fleet/shared/osm';

export interface OsmNode {
  id: string;
  lat: number;
  lon: number;
}

export interface OsmWay {
  id: string;
  tags: Readonly<Record<string, string>>;
  /** Node ids in the way's order. */
  nodeRefs: readonly string[];
}

export interface OsmHandlers {
  node?(node: OsmNode): void;
  way?(way: OsmWay): void;
}

interface OsmReadParseOptions {
  filePath: string;
  format: 'pbf';
  node?(node: OsmNode): void;
  way?(way: OsmWay): void;
  endDocument(): void;
  error(err: unknown): void;
}

interface OsmReadModule {
  parse(options: OsmReadParseOptions): unknown;
}

const osmRead: OsmReadModule = createRequire(import.meta.url)('osm-read');

/**
 * Streams the nodes and ways of an `.osm.pbf` file to the handlers (PBF order: nodes before
 * ways) and resolves when the file is done. Relations are skipped.
 */
export async function readOsmPbf(filePath: string, handlers: OsmHandlers): Promise<void> {
  await checkPbfHeader(filePath);
  await new Promise<void>((resolve, reject) => {
    const options: OsmReadParseOptions = {
      filePath,
      format: 'pbf',
      endDocument: resolve,
      error: (err) => reject(err instanceof Error ? err : new Error(`osm-read: ${String(err)}`)),
    };
    if (handlers.node) options.node = handlers.node;
    if (handlers.way) options.way = handlers.way;
    try {
      osmRead.parse(options);
    } catch (err) {
      reject(err instanceof Error ? err : new Error(String(err)));
    }
  });
}
