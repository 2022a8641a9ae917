// The real `fleet` command in a child process, for the CLI's tests.
import { spawn } from 'node:child_process';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '../..');
const MAIN = join(ROOT, 'cli/src/main.ts');

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `fleet <args>` with `env` on top of this process's (less its database and QuestDB). */
export function runCli(args: string[], env: Record<string, string>): Promise<Run> {
  const childEnv: Record<string, string | undefined> = { ...process.env, LOG_LEVEL: 'silent', ...env };
  for (const key of ['DATABASE_URL', 'QUESTDB_URL', 'MQTT_PORT']) if (!(key in env)) delete childEnv[key];
  return new Promise((resolveRun, reject) => {
    const child = spawn(process.execPath, [MAIN, ...args], { cwd: ROOT, env: childEnv });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => {
      stdout += c.toString();
    });
    child.stderr.on('data', (c: Buffer) => {
      stderr += c.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => resolveRun({ code, stdout, stderr }));
  });
}
