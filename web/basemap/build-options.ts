// The basemap build's command line, validated: a bad flag is reported by name with what is
// expected. Plain inputs, plain outputs: tested without building anything.
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';

const ROOT = resolve(import.meta.dirname, '../..');
export const DEFAULT_OSM = resolve(ROOT, 'vendor/osm/Helsinki.osm.pbf');
export const DEFAULT_OUT = resolve(ROOT, 'vendor/basemap');
export const DEFAULT_BASE_URL = '/basemap/';

export const BASEMAP_HELP = `Usage: node web/basemap/build.ts [options]

Builds the console's offline basemap from an OpenStreetMap extract and Natural Earth: one
GeoJSON file per layer, style.json and manifest.json. Skips the work when the output is up to
date with the extract and this build code (see manifest.json).

Options:
  --osm <file>       the .osm.pbf extract (default vendor/osm/Helsinki.osm.pbf, fetched by
                     npm run osm:fetch)
  --out <dir>        where to write (default vendor/basemap)
  --base-url <url>   where the platform serves the output, written into style.json's sources:
                     a path such as /basemap/ (default) or an absolute http(s) URL
  --force            rebuild even when the output is up to date
  --help             this text
`;

export interface BasemapBuildOptions {
  /** Absolute path of the extract. */
  osm: string;
  /** Absolute path of the output directory. */
  out: string;
  /** Ends in '/'. */
  baseUrl: string;
  force: boolean;
}

export class BasemapUsageError extends Error {}

/** Parses argv (without node and the script); `'help'` when --help is asked for. */
export function parseBasemapArgs(
  argv: readonly string[],
  cwd: string = process.cwd(),
): BasemapBuildOptions | 'help' {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        osm: { type: 'string' },
        out: { type: 'string' },
        'base-url': { type: 'string' },
        force: { type: 'boolean' },
        help: { type: 'boolean' },
      },
    }));
  } catch (err) {
    throw new BasemapUsageError(`${(err as Error).message} (see --help)`);
  }
  if (values.help) return 'help';
  const problems: string[] = [];
  const path = (flag: string, value: string | boolean | undefined, fallback: string): string => {
    if (value === undefined) return fallback;
    if (typeof value !== 'string' || value.trim() === '') {
      problems.push(`--${flag}=${JSON.stringify(value)}: a non-empty path`);
      return fallback;
    }
    return resolve(cwd, value);
  };
  const osm = path('osm', values.osm, DEFAULT_OSM);
  const out = path('out', values.out, DEFAULT_OUT);
  let baseUrl = DEFAULT_BASE_URL;
  const rawBase = values['base-url'];
  if (rawBase !== undefined) {
    if (
      typeof rawBase === 'string' &&
      /^(\/|https?:\/\/[^\s/]+\/?)[^\s]*$/.test(rawBase) &&
      !rawBase.startsWith('//')
    ) {
      baseUrl = rawBase.endsWith('/') ? rawBase : `${rawBase}/`;
    } else {
      problems.push(`--base-url=${JSON.stringify(rawBase)}: a path starting with / or an http(s):// URL`);
    }
  }
  if (problems.length > 0) throw new BasemapUsageError(`invalid options:\n  ${problems.join('\n  ')}`);
  return { osm, out, baseUrl, force: values.force === true };
}
