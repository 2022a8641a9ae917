// docker-compose.yml cannot run here (no Docker engine), so it is checked as far as a file can
// be: against the official Compose Specification schema (fetched by
// scripts/fetch-compose-schema.sh through the Go module proxy), and for what the stack needs
// (health checks, volumes, start order, the same command as `npm start`).
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const ROOT = resolve(import.meta.dirname, '../..');
const SCHEMA = join(ROOT, 'vendor/compose/compose-spec.json');

interface Service {
  image?: string;
  build?: unknown;
  command?: string[];
  healthcheck?: { test: string[] };
  depends_on?: Record<string, { condition: string }>;
  volumes?: string[];
  environment?: Record<string, string>;
  profiles?: string[];
}
interface ComposeFile {
  services: Record<string, Service>;
  volumes: Record<string, unknown>;
}

let compose: ComposeFile;
let text: string;

beforeAll(() => {
  if (!existsSync(SCHEMA)) {
    const fetched = spawnSync('bash', [join(ROOT, 'scripts/fetch-compose-schema.sh')], { encoding: 'utf8' });
    if (fetched.status !== 0) throw new Error(`could not fetch the Compose schema:\n${fetched.stderr}`);
  }
  text = readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8');
  compose = parse(text) as ComposeFile;
}, 120_000);

describe('docker-compose.yml', () => {
  it('is valid against the official Compose Specification schema', () => {
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    const validate = ajv.compile(JSON.parse(readFileSync(SCHEMA, 'utf8')) as object);
    const ok = validate(compose);
    expect(validate.errors ?? [], JSON.stringify(validate.errors, null, 2)).toEqual([]);
    expect(ok).toBe(true);
  });

  it('the schema check catches a broken file (it is not vacuous)', () => {
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    const validate = ajv.compile(JSON.parse(readFileSync(SCHEMA, 'utf8')) as object);
    const broken = structuredClone(compose) as unknown as {
      services: Record<string, Record<string, unknown>>;
    };
    (broken.services.platform as Record<string, unknown>).healthcheck = { test: 42, intervall: '5s' };
    expect(validate(broken)).toBe(false);
  });

  it('runs QuestDB, PostgreSQL and the platform with health checks, volumes and start order', () => {
    const { services } = compose;
    expect(Object.keys(services)).toEqual(expect.arrayContaining(['questdb', 'postgres', 'platform']));
    for (const [name, service] of Object.entries(services)) {
      expect(service.healthcheck?.test, `${name} has a health check`).toBeDefined();
    }
    for (const volume of ['questdb-data', 'postgres-data', 'platform-data'])
      expect(compose.volumes).toHaveProperty(volume);
    expect(services.questdb?.volumes).toContain('questdb-data:/var/lib/questdb');
    expect(services.platform?.depends_on).toEqual({
      questdb: { condition: 'service_healthy' },
      postgres: { condition: 'service_healthy' },
    });
    expect(services.platform?.environment?.QUESTDB_URL).toBe('http://questdb:9000');
    expect(services.platform?.environment?.DATABASE_URL).toMatch(
      /^postgres:\/\/fleet:.*@postgres:5432\/fleet$/,
    );
  });

  it('the platform runs the command npm start runs, from files that exist', () => {
    const start = readFileSync(join(ROOT, 'cli/src/start.ts'), 'utf8');
    const command = compose.services.platform?.command ?? [];
    expect(command[0]).toBe('node');
    const entry = command[1] ?? '';
    expect(existsSync(join(ROOT, entry)), entry).toBe(true);
    expect(start).toContain(`'${entry}'`);
    expect(readFileSync(join(ROOT, 'Dockerfile'), 'utf8')).toContain(`CMD ["node", "${entry}"]`);
  });

  it('the optional simulator runs the simulator npm start runs, against the platform service', () => {
    const sim = compose.services.simulator;
    expect(sim?.profiles).toEqual(['sim']);
    const command = sim?.command ?? [];
    expect(command.slice(0, 2)).toEqual(['node', 'firmware-sim/src/main.ts']);
    expect(existsSync(join(ROOT, command[1] ?? ''))).toBe(true);
    expect(readFileSync(join(ROOT, 'cli/src/start.ts'), 'utf8')).toContain("'firmware-sim/src/main.ts'");
    expect(command).toEqual(
      expect.arrayContaining(['--mqtt=mqtt://platform:1883', '--api=http://platform:8080']),
    );
    expect(sim?.depends_on).toEqual({ platform: { condition: 'service_healthy' } });
    expect(compose.volumes).toHaveProperty('sim-data');
  });

  it('never ships a default administrator password', () => {
    expect(compose.services.platform?.environment?.FLEET_ADMIN_PASSWORD).toMatch(
      /^\$\{FLEET_ADMIN_PASSWORD:\?/,
    );
  });

  it('the image builds the ops console and ships only its static files', () => {
    const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
    expect(dockerfile).toMatch(/^FROM \S+ AS console$/m);
    expect(dockerfile).toContain('RUN npm run build');
    expect(dockerfile).toContain('COPY --from=console /app/web/build web/build');
    // A build from the host would be stale or missing: the image makes its own.
    expect(readFileSync(join(ROOT, '.dockerignore'), 'utf8').split('\n')).toContain('web/build');
  });

  it('the image copies every workspace manifest before npm install', () => {
    const root = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { workspaces: string[] };
    const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
    for (const ws of root.workspaces) expect(dockerfile, ws).toContain(`COPY ${ws}/package.json ${ws}/`);
  });
});
