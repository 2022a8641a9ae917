// OpenStreetMap extracts, as the simulator and the console's basemap read them.
import { open } from 'node:fs/promises';

// osm-read ignores a failed open and read errors, then throws from inside an fs callback, out of
// reach of any handler (an uncaught exception). Check first that the file exists and starts like
// an OSM PBF file (a 4-byte length, then a BlobHeader of type "OSMHeader"), so a wrong path or a
// wrong file is a plain rejected promise.
export async function checkPbfHeader(filePath: string): Promise<void> {
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
