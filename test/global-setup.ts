// Starts the real servers the suite talks to, once per run, on free ports: QuestDB from the
// pinned jar (the same code path `npm start` uses) and Debian's PostgreSQL.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePort } from '@fleet/shared';
import { startManagedQuestDb } from '@fleet/shared/questdb';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    questdbUrl: string;
    postgresUrl: string;
  }
}

const ROOT = resolve(import.meta.dirname, '..');
const JAR = join(ROOT, 'vendor/questdb/questdb-9.3.4.jar');

function run(cmd: string, args: string[], asPostgres: boolean): void {
  const [c, a] = asPostgres ? ['runuser', ['-u', 'postgres', '--', cmd, ...args]] : [cmd, args];
  const r = spawnSync(c, a, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed:\n${r.stdout}\n${r.stderr}`);
}

function postgresBin(): string {
  const base = '/usr/lib/postgresql';
  const versions = existsSync(base) ? readdirSync(base).sort() : [];
  const latest = versions.at(-1);
  if (!latest)
    throw new Error('PostgreSQL server binaries not found: apt-get install postgresql (see .ci/run)');
  return join(base, latest, 'bin');
}

async function startPostgres(): Promise<{ url: string; stop(): void }> {
  const bin = postgresBin();
  const asPostgres = process.getuid?.() === 0; // initdb refuses to run as root
  const dir = mkdtempSync(join(tmpdir(), 'fleet-pg-'));
  if (asPostgres) run('chown', ['postgres:postgres', dir], false);
  const port = await freePort();
  run(join(bin, 'initdb'), ['-D', dir, '-A', 'trust', '-U', 'postgres', '--no-sync'], asPostgres);
  run(
    join(bin, 'pg_ctl'),
    [
      '-D',
      dir,
      '-o',
      `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`,
      '-l',
      join(dir, 'log'),
      '-w',
      'start',
    ],
    asPostgres,
  );
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    stop() {
      try {
        run(join(bin, 'pg_ctl'), ['-D', dir, '-m', 'immediate', 'stop'], asPostgres);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

export default async function setup(project: TestProject) {
  if (!existsSync(JAR)) run('bash', [join(ROOT, 'scripts/fetch-questdb.sh')], false);
  const questdbRoot = mkdtempSync(join(tmpdir(), 'fleet-questdb-'));
  const [questdb, postgres] = await Promise.all([
    startManagedQuestDb({
      jarPath: JAR,
      rootDir: questdbRoot,
      httpPort: await freePort(),
      pgPort: await freePort(),
      heapMb: 1024,
    }),
    startPostgres(),
  ]);
  project.provide('questdbUrl', questdb.httpUrl);
  project.provide('postgresUrl', postgres.url);
  return async () => {
    await questdb.stop();
    postgres.stop();
    rmSync(questdbRoot, { recursive: true, force: true });
  };
}
