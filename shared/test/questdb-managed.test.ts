// The managed QuestDB must never outlive the process that started it, even a killed one.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { freePort } from '../src/process.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const root = mkdtempSync(join(tmpdir(), 'fleet-orphan-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

it('a QuestDB started by a process that is killed with SIGKILL stops by itself', {
  timeout: 90_000,
}, async () => {
  const httpPort = await freePort();
  const script = `
    import { startManagedQuestDb } from '@fleet/shared/questdb';
    const q = await startManagedQuestDb({ jarPath: ${JSON.stringify(join(ROOT, 'vendor/questdb/questdb-9.3.4.jar'))},
      rootDir: ${JSON.stringify(root)}, httpPort: ${httpPort}, pgPort: ${await freePort()}, heapMb: 256 });
    process.stdout.write(String(q.pid) + '\\n');
    setInterval(() => {}, 1000);
  `;
  const parent = spawn(process.execPath, ['--input-type=module', '-e', script], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const questdbPid = await new Promise<number>((resolvePid, reject) => {
    parent.stdout.once('data', (d: Buffer) => resolvePid(Number.parseInt(d.toString(), 10)));
    parent.once('exit', (code) => reject(new Error(`parent exited early with ${code}`)));
  });
  // setpriv execs java in place, so the pid we got is QuestDB's own.
  expect(alive(questdbPid)).toBe(true);
  parent.kill('SIGKILL');
  await expect.poll(() => alive(questdbPid), { timeout: 30_000, interval: 200 }).toBe(false);
});
