// When `npm start` rebuilds the console: missing build, no stamp, or a source newer than the
// stamp; otherwise it returns at once. Checked on a throw-away tree (no Vite run here; the
// console tests build the real one).
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { CONSOLE_STAMP, consoleBuildState, ensureConsoleBuilt } from '../src/console-build.ts';

const root = mkdtempSync(join(tmpdir(), 'fleet-console-build-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const at = (path: string, seconds: number) => utimesSync(join(root, path), seconds, seconds);

it('tells a missing, unstamped, stale and fresh build apart', async () => {
  mkdirSync(join(root, 'web/src/routes'), { recursive: true });
  mkdirSync(join(root, 'shared/src'), { recursive: true });
  writeFileSync(join(root, 'web/src/routes/+page.svelte'), '<p>hi</p>');
  writeFileSync(join(root, 'shared/src/live.ts'), 'export {};');
  for (const p of ['web/src/routes/+page.svelte', 'web/src/routes', 'web/src', 'shared/src/live.ts'])
    at(p, 1000);
  expect(consoleBuildState(root)).toEqual({ fresh: false, reason: 'missing' });

  mkdirSync(join(root, 'web/build'));
  writeFileSync(join(root, 'web/build/200.html'), '<!doctype html>');
  expect(consoleBuildState(root)).toEqual({ fresh: false, reason: 'no stamp' });

  writeFileSync(join(root, CONSOLE_STAMP), '{}');
  at(CONSOLE_STAMP, 2000);
  expect(consoleBuildState(root)).toEqual({ fresh: true });
  const started = performance.now();
  expect(await ensureConsoleBuilt(root, () => {})).toEqual({ built: false, ms: 0 });
  expect(performance.now() - started).toBeLessThan(100);

  at('web/src/routes/+page.svelte', 3000); // edited after the build
  expect(consoleBuildState(root)).toMatchObject({
    fresh: false,
    reason: 'sources changed',
    changedAt: 3_000_000,
  });
  at('web/src/routes/+page.svelte', 1000);
  at('shared/src/live.ts', 3000); // the frame types the console bundles
  expect(consoleBuildState(root)).toMatchObject({ fresh: false, reason: 'sources changed' });
  at('shared/src/live.ts', 1000);
  rmSync(join(root, 'web/src/routes/+page.svelte')); // a deleted file touches its directory
  expect(consoleBuildState(root)).toMatchObject({ fresh: false, reason: 'sources changed' });
});
