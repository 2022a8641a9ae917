// The parameters of the property-based tests (fast-check): one fixed seed by default, so
// every `npm test` run checks the same cases and a failure replays exactly; FUZZ_SEED picks
// another seed and FUZZ_RUNS multiplies the number of cases (`npm run fuzz` runs 20x with a
// fresh seed). The seed and the count are printed, so any failure names how to replay it.

export const DEFAULT_FUZZ_SEED = 20_261_201;

export interface FuzzParameters {
  seed: number;
  runs: number;
}

function positiveNumber(name: string, text: string | undefined): number | undefined {
  if (text === undefined || text === '') return undefined;
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0)
    throw new Error(`${name} must be a positive number, got ${text}`);
  return value;
}

export function fuzzParameters(boundary: string, defaultRuns: number): FuzzParameters {
  const seed = Math.trunc(positiveNumber('FUZZ_SEED', process.env.FUZZ_SEED) ?? DEFAULT_FUZZ_SEED);
  const scale = positiveNumber('FUZZ_RUNS', process.env.FUZZ_RUNS) ?? 1;
  const runs = Math.max(1, Math.round(defaultRuns * scale));
  console.log(`fuzz ${boundary}: seed ${seed}, ${runs} cases (replay: FUZZ_SEED=${seed} FUZZ_RUNS=${scale})`);
  return { seed, runs };
}
