// `npm run fuzz`: the property-based tests with 20x the cases of `npm test` and a fresh seed
// (FUZZ_RUNS and FUZZ_SEED override both), so longer runs keep finding what the fixed seed of
// every test run does not. Each file prints its seed; a failure replays with that seed.
import { spawnSync } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '..');
const FILES = [
  'ingest/test/pipeline.test.ts',
  'api/test/hardening.test.ts',
  'api/test/hub-fuzz.test.ts',
  'broker/test/fuzz.test.ts',
].filter((f) => existsSync(resolve(ROOT, f)));

const seed = process.env.FUZZ_SEED ?? String(randomInt(1, 2 ** 31 - 1));
const runs = process.env.FUZZ_RUNS ?? '20';
console.log(`npm run fuzz: seed ${seed}, ${runs}x the cases of npm test, ${FILES.length} files`);
const result = spawnSync(resolve(ROOT, 'node_modules/.bin/vitest'), ['run', ...FILES], {
  cwd: ROOT,
  stdio: 'inherit',
  env: { ...process.env, FUZZ_SEED: seed, FUZZ_RUNS: runs },
});
process.exit(result.status ?? 1);
