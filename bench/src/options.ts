// Flag values shared by the bench command lines: one error type for usage mistakes, the
// validators that name the flag and what it expects, and the steps every bench's main() takes
// before it runs anything (flags or help, --render's results file).
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { type ParseArgsOptionsConfig, parseArgs } from 'node:util';

export class UsageError extends Error {}

/** A whole number from min to max, or the default when the option was not given. */
export function wholeNumber(
  raw: string | undefined,
  name: string,
  def: number,
  min: number,
  max: number,
): number {
  if (raw === undefined) return def;
  const text = raw.trim();
  const n = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(n) || n < min || n > max) {
    throw new UsageError(
      `--${name} must be a whole number from ${min.toLocaleString('en-US')} to ${max.toLocaleString('en-US')}, got ${JSON.stringify(raw)}`,
    );
  }
  return n;
}

/** 1 to 10 distinct counts from 1 to max, comma-separated (e.g. 1,100,1000), or the default. */
export function countList(raw: string | undefined, name: string, def: number[], max: number): number[] {
  if (raw === undefined) return def;
  const parts = raw.split(',').map((p) => p.trim());
  if (parts.length === 0 || parts.length > 10 || parts.some((p) => p === '')) {
    throw new UsageError(
      `--${name} must be 1 to 10 counts separated by commas (e.g. ${def.join(',')}), got ${JSON.stringify(raw)}`,
    );
  }
  const counts = parts.map((p) => wholeNumber(p, name, 0, 1, max));
  if (new Set(counts).size !== counts.length) {
    throw new UsageError(`--${name} lists a count twice: ${JSON.stringify(raw)}`);
  }
  return counts;
}

/** The flags of a bench's command line, strictly: an unknown flag or a missing value is a UsageError. */
export function parseFlags<const S extends ParseArgsOptionsConfig>(
  argv: string[],
  options: S,
  { allowNegative = false }: { allowNegative?: boolean } = {},
) {
  try {
    return parseArgs({ args: argv, options, strict: true, allowPositionals: false, allowNegative }).values;
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

/** The flags every bench has: --out (the report, default bench/REPORT.md) and --render (a results file). */
export const REPORT_FLAGS = {
  out: { type: 'string' },
  render: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** --out and --render as absolute paths; resultsHint names the results file in the error. */
export function reportPaths(
  values: { out?: string | undefined; render?: string | undefined },
  root: string,
  resultsHint: string,
): { out: string; render: string | undefined } {
  const out = values.out?.trim();
  if (out === '') throw new UsageError('--out needs a file path');
  const render = values.render?.trim();
  if (render === '') throw new UsageError(`--render needs the path of a results file (${resultsHint})`);
  return {
    out: resolve(out ?? join(root, 'bench/REPORT.md')),
    render: render === undefined ? undefined : resolve(render),
  };
}

/**
 * A bench's flags: the parsed options, or the exit code when there is nothing to run: 0 after
 * printing the help for --help, 2 after printing a usage error and the help.
 */
export function parseBenchArgs<T extends object>(parse: () => T | 'help', help: string): T | number {
  try {
    const parsed = parse();
    if (parsed !== 'help') return parsed;
    process.stdout.write(help);
    return 0;
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(`${err.message}\n\n${help}`);
    return 2;
  }
}

/** The results file of an earlier run (--render), or undefined after saying why it cannot be read. */
export function readResultsFile<T>(path: string, parse: (text: string) => T): T | undefined {
  try {
    return parse(readFileSync(path, 'utf8'));
  } catch (err) {
    process.stderr.write(`--render ${path}: ${(err as Error).message}\n`);
    return undefined;
  }
}
