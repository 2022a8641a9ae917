// The ops console's build (web/build), made on demand: `npm start` and the tests that serve the
// console call ensureConsoleBuilt(), which runs `npm run build -w web` when the build is missing
// or older than its sources, and returns at once otherwise. "Older" is the cheap check: the
// newest mtime among the inputs below against the stamp `npm run build -w web` writes last.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** What the console's bundle is made of, relative to the project root. */
export const CONSOLE_INPUTS = [
  'web/src',
  'web/static',
  'web/package.json',
  'web/vite.config.ts',
  'web/tsconfig.json',
  // Runtime imports from outside web/ (type-only imports do not change the bundle).
  'shared/src/live.ts',
];

export const CONSOLE_STAMP = 'web/build/.fleet-build.json';

/** A build older than this holding the lock is taken to be dead. */
const LOCK_STALE_MS = 10 * 60_000;

function newestMtime(path: string): number {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs; // a deleted file changes its directory's mtime
  for (const entry of readdirSync(path, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
    newest = Math.max(newest, newestMtime(join(path, entry.name)));
  }
  return newest;
}

export type ConsoleBuildState =
  | { fresh: true }
  | { fresh: false; reason: 'missing' | 'no stamp' | 'sources changed'; changedAt?: number };

export function consoleBuildState(root: string): ConsoleBuildState {
  if (!existsSync(join(root, 'web/build/200.html'))) return { fresh: false, reason: 'missing' };
  const stamp = join(root, CONSOLE_STAMP);
  if (!existsSync(stamp)) return { fresh: false, reason: 'no stamp' };
  const builtAt = statSync(stamp).mtimeMs;
  const changedAt = Math.max(...CONSOLE_INPUTS.map((p) => newestMtime(join(root, p))));
  return changedAt > builtAt ? { fresh: false, reason: 'sources changed', changedAt } : { fresh: true };
}

const REASONS = {
  missing: 'web/build is missing',
  'no stamp': 'web/build has no build stamp',
  'sources changed': 'its sources changed since the last build',
} as const;

/** One build at a time per checkout (a second `npm start` or test run waits for the first). */
async function withBuildLock<T>(root: string, task: () => Promise<T>): Promise<T> {
  const lock = join(root, '.tmp/web-build.lock');
  mkdirSync(join(root, '.tmp'), { recursive: true });
  const deadline = Date.now() + LOCK_STALE_MS;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      const age = Date.now() - (existsSync(lock) ? statSync(lock).mtimeMs : Date.now());
      if (age > LOCK_STALE_MS || Date.now() > deadline) rmSync(lock, { recursive: true, force: true });
      else await new Promise((r) => setTimeout(r, 250));
    }
  }
  try {
    return await task();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

function runBuild(root: string, verbose: boolean, out: (line: string) => void): Promise<void> {
  return new Promise((resolvePromise, reject) => {
    // Without FORCE_COLOR (Node warns when both are set): the output goes through a pipe.
    const { FORCE_COLOR: _, ...env } = process.env;
    const child = spawn('npm', ['run', 'build', '-w', 'web'], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...env, NO_COLOR: '1' },
    });
    const lines: string[] = [];
    const forward = (chunk: Buffer) => {
      for (const line of chunk.toString().split('\n')) {
        if (line.trim() === '') continue;
        lines.push(`[web] ${line}`);
        if (verbose) out(`[web] ${line}`);
      }
    };
    child.stdout.on('data', forward);
    child.stderr.on('data', forward);
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolvePromise();
      else {
        if (!verbose) for (const line of lines) out(line);
        reject(new Error(`npm run build -w web failed (exit ${code}); its output is above`));
      }
    });
  });
}

/**
 * Builds the console unless its build is fresh. Returns what happened; throws when the build
 * fails. `out` gets a progress line, and the build's own output prefixed with [web]: every line
 * when `verbose`, else only when the build fails.
 */
export async function ensureConsoleBuilt(
  root: string,
  out: (line: string) => void,
  options: { verbose?: boolean } = {},
): Promise<{ built: boolean; ms: number; reason?: string }> {
  const started = performance.now();
  if (consoleBuildState(root).fresh) return { built: false, ms: 0 };
  return withBuildLock(root, async () => {
    // Another process may have built it while we waited for the lock.
    const state = consoleBuildState(root);
    if (state.fresh) return { built: false, ms: Math.round(performance.now() - started) };
    out(`Building the ops console: ${REASONS[state.reason]}...`);
    await runBuild(root, options.verbose ?? false, out);
    return { built: true, ms: Math.round(performance.now() - started), reason: state.reason };
  });
}
