// The `npm start` path itself: the real launcher with a managed QuestDB, the platform process and
// a small simulated fleet. Records from the fleet reach QuestDB, positions reach /ws, Ctrl-C
// stops everything and leaves no process behind.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { canConnect, exitOf, freePort, type HubFrame } from '@fleet/shared';
import { QuestDbHttp } from '@fleet/shared/questdb';
import { afterAll, expect, it } from 'vitest';
import WebSocket from 'ws';

const ROOT = resolve(import.meta.dirname, '../..');
let child: ChildProcess | undefined;
let dataDir = '';

afterAll(() => {
  if (child && child.exitCode === null) child.kill('SIGKILL');
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

function waitForLine(
  output: string[],
  pattern: RegExp,
  proc: ChildProcess,
  timeoutMs: number,
): Promise<void> {
  return new Promise((resolvePromise, reject) => {
    const deadline = setTimeout(
      () => reject(new Error(`no line matching ${pattern} in ${timeoutMs} ms:\n${output.join('')}`)),
      timeoutMs,
    );
    const check = () => {
      if (pattern.test(output.join(''))) {
        clearTimeout(deadline);
        resolvePromise();
      } else if (proc.exitCode !== null) {
        clearTimeout(deadline);
        reject(new Error(`the launcher exited (${proc.exitCode}):\n${output.join('')}`));
      } else setTimeout(check, 100);
    };
    check();
  });
}

it('npm start runs the platform and a simulated fleet end to end, and stops cleanly', {
  timeout: 300_000,
}, async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'fleet-start-'));
  const ports = {
    HTTP_PORT: await freePort(),
    MQTT_PORT: await freePort(),
    MQTT_WS_PORT: await freePort(),
    QUESTDB_HTTP_PORT: await freePort(),
    QUESTDB_PG_PORT: await freePort(),
  };
  const password = 'start-test-password-123';
  const output: string[] = [];
  child = spawn(process.execPath, [join(ROOT, 'cli/src/main.ts'), 'start'], {
    cwd: ROOT,
    env: {
      ...process.env,
      ...Object.fromEntries(Object.entries(ports).map(([k, v]) => [k, String(v)])),
      DATA_DIR: dataDir,
      FLEET_ADMIN_PASSWORD: password,
      SIM_VEHICLES: '4',
      SIM_EQUIPMENT: '2',
      LOG_LEVEL: 'warn',
      LOG_FORMAT: 'json',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (d: Buffer) => output.push(d.toString()));
  child.stderr?.on('data', (d: Buffer) => output.push(d.toString()));
  await waitForLine(output, /Fleet platform is running\./, child, 120_000);
  expect(output.join('')).toContain('Provisioned 6 simulated device(s)');
  // The demo company's alert rules are seeded, and the fleet plays the demo mix that sets them off.
  expect(output.join('')).toMatch(/Seeded the demo company: .*, 13 rules, 3 service plans, 10 work orders, /);
  // Today's jobs of the vans there are (van 2 and van 4 of four), dispatched at the sites they visit.
  expect(output.join('')).toMatch(/, 2 projects, 2 jobs\./);
  await waitForLine(output, /\[sim\] Simulating 4 vehicle\(s\) .*, scenario demo,/, child, 30_000);

  // Positions of the simulated fleet on the live hub.
  const api = `http://127.0.0.1:${ports.HTTP_PORT}`;
  const login = await fetch(`${api}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: 'admin@demo.local', password }),
  });
  const { token } = (await login.json()) as { token: string };
  // The demo organisation is created in the simulated fleet's time zone.
  const me = await fetch(`${api}/api/v1/me`, { headers: { authorization: `Bearer ${token}` } });
  expect(((await me.json()) as { organisation: unknown }).organisation).toMatchObject({
    slug: 'demo',
    timeZone: 'Europe/Helsinki',
  });
  const credentials = JSON.parse(readFileSync(join(dataDir, 'sim/credentials.json'), 'utf8')) as {
    devices: { id: string }[];
  };
  const simIds = new Set(credentials.devices.map((d) => d.id));
  expect(simIds.size).toBe(6);
  const ws = new WebSocket(`ws://127.0.0.1:${ports.HTTP_PORT}/ws?token=${token}`);
  const seen = new Set<string>();
  ws.on('open', () => ws.send(JSON.stringify({ op: 'subscribe', topics: ['positions'] })));
  ws.on('message', (data) => {
    const frame = JSON.parse(data.toString()) as HubFrame;
    if (frame.type === 'positions')
      for (const p of frame.positions) if (simIds.has(p.deviceId)) seen.add(p.deviceId);
  });
  await expect.poll(() => seen.size, { timeout: 60_000, interval: 500 }).toBeGreaterThanOrEqual(4);
  ws.close();

  // Their records in QuestDB.
  const questdb = new QuestDbHttp(`http://127.0.0.1:${ports.QUESTDB_HTTP_PORT}`);
  await expect
    .poll(
      async () => {
        const rows = await questdb.rows<{ n: number }>('select count_distinct(device_id) n from telemetry');
        return rows[0]?.n ?? 0;
      },
      { timeout: 30_000, interval: 500 },
    )
    .toBe(6);

  // The maintenance board from the vans' own odometers: van 3 is overdue for its oil change,
  // and its service-overdue alert is raised.
  const board = async () => {
    const res = await fetch(`${api}/api/v1/maintenance/board?level=overdue`, {
      headers: { authorization: `Bearer ${token}` },
    });
    return ((await res.json()) as { items: { assetName: string; planName: string }[] }).items;
  };
  await expect
    .poll(async () => (await board()).map((s) => `${s.assetName}: ${s.planName}`), {
      timeout: 30_000,
      interval: 1000,
    })
    .toContain('Van 03: Oil and filter');

  // The board of today: the seeded jobs, dispatched, with what they book.
  const jobs = await fetch(`${api}/api/v1/jobs?state=dispatched,en_route,on_site`, {
    headers: { authorization: `Bearer ${token}` },
  });
  const listed = (await jobs.json()) as { items: { assets: { kind: string; name: string }[] }[] };
  const vans = listed.items.flatMap((j) => j.assets.filter((a) => a.kind === 'vehicle').map((a) => a.name));
  expect(vans.sort()).toEqual(['Van 02', 'Van 04']);
  // The vans drive to them by themselves: the job tracker moves a job on from their telemetry,
  // and the one whose window began before its van could get there is running late.
  const get = async <T>(path: string) =>
    (await (await fetch(`${api}${path}`, { headers: { authorization: `Bearer ${token}` } })).json()) as T;
  await expect
    .poll(async () => (await get<{ items: unknown[] }>('/api/v1/jobs?state=en_route,on_site')).items.length, {
      // A van idles up to 90 s at the depot, then edges out of its yard at walking pace.
      timeout: 150_000,
      interval: 1000,
    })
    .toBeGreaterThanOrEqual(1);
  await expect
    .poll(
      async () => (await get<{ items: { kind: string }[] }>('/api/v1/alerts?kind=job_late')).items.length,
      {
        timeout: 90_000,
        interval: 1000,
      },
    )
    .toBeGreaterThanOrEqual(1);

  // Ctrl-C: everything stops, nothing is left listening or running.
  child.kill('SIGINT');
  expect(await exitOf(child)).toBe(0);
  expect(output.join('')).toContain('Stopped.');
  // The simulator kept the vans' counters for the next start, as a tracker keeps them in flash.
  expect(existsSync(join(dataDir, 'sim/meters.json'))).toBe(true);
  const kept = JSON.parse(readFileSync(join(dataDir, 'sim/meters.json'), 'utf8')) as {
    vehicles: Record<string, { odometerKm: number }>;
  };
  expect(Object.keys(kept.vehicles)).toHaveLength(4);
  for (const port of Object.values(ports)) expect(await canConnect(port), `port ${port}`).toBe(false);
  const left = spawnSync('pgrep', ['-f', dataDir], { encoding: 'utf8' }).stdout.trim();
  expect(left, 'processes still running with the data directory').toBe('');
});
