import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  ConfigError,
  configMarkdownTable,
  FleetError,
  loadConfig,
  type SettingName,
  settings,
} from '@fleet/shared';
import { describe, expect, it } from 'vitest';

const README = resolve(import.meta.dirname, '../../README.md');

/** Runs loadConfig and returns the ConfigError it must throw. */
function configError(env: Record<string, string | undefined>): ConfigError {
  try {
    loadConfig(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error(`loadConfig accepted ${JSON.stringify(env)}`);
}

describe('loadConfig', () => {
  it('loads every default from an empty environment', () => {
    const c = loadConfig({});
    expect(c.DATA_DIR).toBe('./data');
    expect(c.LOG_LEVEL).toBe('info');
    expect(c.LOG_FORMAT).toBe('auto');
    expect(c.MQTT_HOST).toBe('127.0.0.1');
    expect(c.MQTT_PORT).toBe(1883);
    expect(c.MQTT_WS_PORT).toBe(8083);
    expect(c.MQTT_WS_ENABLED).toBe(true);
    expect(c.MQTT_MAX_PACKET_BYTES).toBe(256 * 1024);
    expect(c.MQTT_KEEPALIVE_MIN_S).toBe(5);
    expect(c.MQTT_KEEPALIVE_MAX_S).toBe(1200);
    expect(c.DEVICE_AUTH_CACHE_TTL_S).toBe(30);
    expect(c.DATABASE_URL).toBeUndefined();
    expect(c.QUESTDB_URL).toBeUndefined();
    expect(c.QUESTDB_COMMIT_MODE).toBe('nosync');
    expect(c.INGEST_MAX_COMMIT_ROWS).toBe(20_000);
    expect(c.INGEST_MAX_INFLIGHT_COMMITS).toBe(2);
    expect(c.HTTP_HOST).toBe('127.0.0.1');
    expect(c.HTTP_PORT).toBe(8080);
    expect(c.HTTP_CORS_ORIGINS).toBe('');
    expect(c.AUTH_COOKIE_SECURE).toBe(false);
    expect(c.FLEET_ADMIN_PASSWORD).toBeUndefined(); // never a password that works on every install
    // A value for every setting that has a default, and nothing that is not a setting.
    const unsetByDefault = ['DATABASE_URL', 'QUESTDB_URL', 'FLEET_ADMIN_PASSWORD', 'AUTH_JWT_SECRET'];
    for (const key of Object.keys(c)) expect(Object.keys(settings)).toContain(key);
    for (const key of Object.keys(settings)) {
      if (!unsetByDefault.includes(key)) expect(c[key as SettingName], key).toBeDefined();
    }
  });

  it('treats an empty string as unset and ignores unknown variables', () => {
    const c = loadConfig({ MQTT_PORT: '', LOG_LEVEL: '', HOME: '/root', PATH: '/bin' });
    expect(c.MQTT_PORT).toBe(1883);
    expect(c.LOG_LEVEL).toBe('info');
    expect(c).not.toHaveProperty('HOME');
  });

  it('parses valid values from strings', () => {
    const c = loadConfig({
      MQTT_PORT: '11883',
      LOG_LEVEL: 'debug',
      MQTT_WS_ENABLED: 'false',
      QUESTDB_URL: 'http://db:9000',
      DATABASE_URL: 'postgres://u@h:5432/fleet',
      DEVICE_AUTH_CACHE_TTL_S: '0',
    });
    expect(c.MQTT_PORT).toBe(11883);
    expect(c.LOG_LEVEL).toBe('debug');
    expect(c.MQTT_WS_ENABLED).toBe(false);
    expect(c.QUESTDB_URL).toBe('http://db:9000');
    expect(c.DATABASE_URL).toBe('postgres://u@h:5432/fleet');
    expect(c.DEVICE_AUTH_CACHE_TTL_S).toBe(0);
    expect(loadConfig({ CONSOLE_MAP_STYLE: 'https://tiles.example.com/style.json' }).CONSOLE_MAP_STYLE).toBe(
      'https://tiles.example.com/style.json',
    );
    expect(loadConfig({ CONSOLE_MAP_STYLE: '/maps/style.json' }).CONSOLE_MAP_STYLE).toBe('/maps/style.json');
  });

  it.each<[string, Record<string, string>]>([
    ['non-numeric port', { MQTT_PORT: 'abc' }],
    ['port above 65535', { MQTT_PORT: '70000' }],
    ['fractional port', { QUESTDB_HTTP_PORT: '80.5' }],
    ['negative port', { MQTT_WS_PORT: '-1' }],
    ['negative int', { INGEST_MAX_PENDING_ROWS: '-5' }],
    ['zero where positive is required', { MQTT_DEVICE_MSG_RATE: '0' }],
    ['negative non-negative int', { TELEMETRY_RETENTION_DAYS: '-1' }],
    ['int above its maximum', { INGEST_MAX_INFLIGHT_COMMITS: '17' }],
    ['bad LOG_LEVEL enum', { LOG_LEVEL: 'loud' }],
    ['bad LOG_FORMAT enum', { LOG_FORMAT: 'xml' }],
    ['bad boolean', { MQTT_WS_ENABLED: 'maybe' }],
    ['QUESTDB_URL not a URL', { QUESTDB_URL: 'db:9000' }],
    ['QUESTDB_URL not http', { QUESTDB_URL: 'ftp://db:9000' }],
    ['DATABASE_URL not postgres', { DATABASE_URL: 'mysql://db/fleet' }],
    ['CONSOLE_MAP_STYLE not a URL or path', { CONSOLE_MAP_STYLE: 'tiles.example.com/style.json' }],
    ['CONSOLE_MAP_STYLE protocol-relative', { CONSOLE_MAP_STYLE: '//evil.example/style.json' }],
    ['CONSOLE_MAP_STYLE javascript:', { CONSOLE_MAP_STYLE: 'javascript:alert(1)' }],
  ])('refuses %s, naming the key', (_label, env) => {
    const err = configError(env);
    const [key] = Object.keys(env) as [string];
    expect(err.code).toBe('config_invalid');
    expect(err).toBeInstanceOf(FleetError);
    expect(err.message).toContain(key);
    expect(err.problems.length).toBeGreaterThan(0);
    for (const p of err.problems) expect(p.startsWith(`${key}=`)).toBe(true);
  });

  it('names every bad key at once', () => {
    const bad = {
      MQTT_PORT: 'abc',
      MQTT_WS_PORT: '70000',
      INGEST_MAX_PENDING_ROWS: '-5',
      LOG_LEVEL: 'loud',
      QUESTDB_URL: 'ftp://db:9000',
      DATABASE_URL: 'mysql://db/fleet',
      MQTT_WS_ENABLED: 'maybe',
      FLEET_ADMIN_PASSWORD: 'short',
      AUTH_JWT_SECRET: 'too-short-to-sign-with',
      HTTP_PORT: '-1',
      AUTH_ACCESS_TOKEN_TTL_S: '0',
      HUB_TICK_MS: 'fast',
    };
    const err = configError({ ...bad, MQTT_HOST: '0.0.0.0', QUESTDB_HEAP_MB: '2048' });
    for (const key of Object.keys(bad)) expect(err.message).toContain(`${key}=`);
    const named = new Set(err.problems.map((p) => p.slice(0, p.indexOf('='))));
    expect([...named].sort()).toEqual(Object.keys(bad).sort());
    // The good values are not reported as problems.
    expect(err.message).not.toContain('MQTT_HOST');
    expect(err.message).not.toContain('QUESTDB_HEAP_MB');
  });

  it('shows the offending raw value in the message', () => {
    const err = configError({ MQTT_PORT: 'abc' });
    expect(err.message).toContain('MQTT_PORT="abc"');
  });

  it('refuses MQTT_KEEPALIVE_MIN_S greater than MQTT_KEEPALIVE_MAX_S', () => {
    const err = configError({ MQTT_KEEPALIVE_MIN_S: '100', MQTT_KEEPALIVE_MAX_S: '10' });
    expect(err.message).toContain('MQTT_KEEPALIVE_MIN_S');
    expect(err.message).toContain('MQTT_KEEPALIVE_MAX_S');
    // Equal is fine.
    expect(loadConfig({ MQTT_KEEPALIVE_MIN_S: '10', MQTT_KEEPALIVE_MAX_S: '10' }).MQTT_KEEPALIVE_MIN_S).toBe(
      10,
    );
    // The default max applies when only the min is set.
    expect(() => loadConfig({ MQTT_KEEPALIVE_MIN_S: '1201' })).toThrow(ConfigError);
  });

  it('reports the keep-alive conflict together with other bad keys (every problem at once)', () => {
    const err = configError({ MQTT_PORT: 'abc', MQTT_KEEPALIVE_MIN_S: '100', MQTT_KEEPALIVE_MAX_S: '10' });
    expect(err.message).toContain('MQTT_PORT');
    expect(err.message).toContain('MQTT_KEEPALIVE_MIN_S');
  });

  it('does not turn a blank numeric value into port 0', () => {
    // Number(' ') is 0: a stray space must not silently mean "any free port".
    let port: number | undefined;
    try {
      port = loadConfig({ MQTT_PORT: ' ' }).MQTT_PORT;
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
    }
    expect(port).not.toBe(0);
  });

  it('lets overrides win over the environment', () => {
    const c = loadConfig(
      { MQTT_PORT: '1111', LOG_LEVEL: 'debug', DATA_DIR: '/env' },
      { MQTT_PORT: 2222, LOG_LEVEL: 'warn' },
    );
    expect(c.MQTT_PORT).toBe(2222);
    expect(c.LOG_LEVEL).toBe('warn');
    expect(c.DATA_DIR).toBe('/env');
  });

  it('lets a valid override replace a bad environment value', () => {
    expect(loadConfig({ MQTT_PORT: 'abc' }, { MQTT_PORT: 0 }).MQTT_PORT).toBe(0);
  });

  it('validates overrides like the environment', () => {
    expect(() => loadConfig({}, { MQTT_PORT: 70000 })).toThrow(/MQTT_PORT/);
  });

  it('accepts boolean overrides (the overrides type allows them)', () => {
    const overrides: Partial<Record<SettingName, string | number | boolean>> = { MQTT_WS_ENABLED: false };
    expect(loadConfig({}, overrides).MQTT_WS_ENABLED).toBe(false);
  });
});

describe('configMarkdownTable', () => {
  const table = configMarkdownTable();
  const lines = table.split('\n');

  it('has a header and exactly one row per setting, in order', () => {
    expect(lines[0]).toBe('| setting | default | unit | what it does |');
    expect(lines[1]).toBe('| --- | --- | --- | --- |');
    const names = lines.slice(2).map((l) => /^\| `([A-Z0-9_]+)` \|/.exec(l)?.[1]);
    expect(names).toEqual(Object.keys(settings));
  });

  it('shows defaults, units and unset settings', () => {
    const row = (name: string) => lines.find((l) => l.startsWith(`| \`${name}\` |`));
    expect(row('MQTT_PORT')).toBe('| `MQTT_PORT` | `1883` |  | MQTT over TCP. |');
    expect(row('MQTT_MAX_PACKET_BYTES')).toContain('| `262144` | bytes |');
    expect(row('DATABASE_URL')).toContain('| (unset) |');
    expect(row('QUESTDB_URL')).toContain('| (unset) |');
    expect(row('MQTT_WS_ENABLED')).toContain('| `true` |');
    for (const l of lines.slice(2)) expect(l.split(' | ')).toHaveLength(4);
  });
});

describe('README.md', () => {
  it('contains exactly the current configuration table (npm run docs:config)', () => {
    const readme = readFileSync(README, 'utf8');
    expect(readme).toContain(configMarkdownTable());
    // ... and only one copy of it, between the generator's markers.
    const start = readme.indexOf('<!-- config:start');
    const end = readme.indexOf('<!-- config:end -->');
    expect(start).toBeGreaterThanOrEqual(0);
    expect(end).toBeGreaterThan(start);
    const between = readme.slice(readme.indexOf('\n', start) + 1, end).trim();
    expect(between).toBe(configMarkdownTable());
  });
});
