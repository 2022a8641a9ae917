// `node web/basemap/build.ts [--osm <file>] [--out <dir>] [--base-url <url>] [--force]`:
// builds the console's offline basemap. Exit codes: 0 built or up to date, 1 the build failed,
// 2 bad flags.
import { buildBasemap } from './build-basemap.ts';
import {
  BASEMAP_HELP,
  type BasemapBuildOptions,
  BasemapUsageError,
  parseBasemapArgs,
} from './build-options.ts';

let options: BasemapBuildOptions | 'help';
try {
  options = parseBasemapArgs(process.argv.slice(2));
} catch (err) {
  if (!(err instanceof BasemapUsageError)) throw err;
  process.stderr.write(`basemap: ${err.message}\n`);
  process.exit(2);
}
if (options === 'help') {
  process.stdout.write(BASEMAP_HELP);
} else {
  try {
    await buildBasemap(options, (line) => process.stdout.write(`${line}\n`));
  } catch (err) {
    process.stderr.write(`basemap: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  }
}
