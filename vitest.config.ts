import { defineConfig } from 'vitest/config';

// One QuestDB and one PostgreSQL for the whole run (test/global-setup.ts); tests isolate
// themselves by organisation (tenant) and device id. Integration files run one at a time
// (2-core machines): they start brokers and push load, and parallel files only add noise.
export default defineConfig({
  test: {
    // Package tests in test/, and each business domain's beside its code (api/src/domains/*/).
    include: [
      '{shared,proto,ingest,broker,api,platform,cli,bench,firmware-sim,web}/test/**/*.test.ts',
      'api/src/domains/**/*.test.ts',
    ],
    globalSetup: ['test/global-setup.ts'],
    fileParallelism: false,
    testTimeout: 30_000,
    hookTimeout: 120_000,
    reporters: ['default'],
  },
});
