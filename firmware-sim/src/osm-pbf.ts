// A typed wrapper over osm-read's PBF parser, which ships no types. osm-read's callbacks hand
// over plain objects (ids as decimal strings, lat/lon in degrees, tags as a string map); this
// module names those shapes and turns the callback API into one promise.
import { open } from 'node:fs/promises';
import { createRequire } from 'node:module';

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

// osm-read ignores a failed open and read errors, then throws from inside an fs callback, out of
// reach of any handler (an uncaught exception). Check first that the file exists and starts like
// an OSM PBF file (a 4-byte length, then a BlobHeader of type "OSMHeader"), so a wrong path or a
// wrong file is a plain rejected promise.
async function checkPbfHeader(filePath: string): Promise<void> {
  const file = await open(filePath, 'r').catch((err: unknown) => {
    throw new Error(
      `OSM extract not readable: ${filePath} (${err instanceof Error ? err.message : String(err)})`,
    );
  });
  try {
    const head = Buffer.alloc(32);
    const { bytesRead } = await file.read(head, 0, head.length, 0);
    if (!head.subarray(0, bytesRead).includes('OSMHeader')) {
      throw new Error(`not an OSM PBF file (no OSMHeader block at the start): ${filePath}`);
    }
  } finally {
    await file.close();
  }
}
