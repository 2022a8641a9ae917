// Flag values shared by the bench command lines: one error type for usage mistakes and the
// validators that name the flag and what it expects.

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
