// The one configuration table of the platform. Every setting is an environment variable with
// its unit and default written here, once; the README's table is generated from this list
// (`npm run fleet -- config --markdown`), and a test keeps the two in step.
import { isIP } from 'node:net';
import { z } from 'zod';
import { FleetError } from './errors.ts';

interface SettingSpec<S extends z.ZodType> {
  schema: S;
  description: string;
  unit?: string;
}

function setting<S extends z.ZodType>(schema: S, description: string, unit?: string): SettingSpec<S> {
  return unit === undefined ? { schema, description } : { schema, description, unit };
}

const port = (def: number) => z.coerce.number().int().min(0).max(65535).default(def);
const positiveInt = (def: number, max = Number.MAX_SAFE_INTEGER) =>
  z.coerce.number().int().min(1).max(max).default(def);
const nonNegativeInt = (def: number, max = Number.MAX_SAFE_INTEGER) =>
  z.coerce.number().int().min(0).max(max).default(def);
const httpUrl = z
  .string()
  .url()
  .refine((u) => /^https?:\/\//.test(u), 'must be an http:// or https:// URL');

export const settings = {
  DATA_DIR: setting(z.string().min(1).default('./data'), 'Where embedded data lives (PGlite, QuestDB).'),
  PLATFORM_PROCESSES: setting(
    z.enum(['split', 'single']).default('split'),
    'split: the device side (MQTT, ingest) and the API side (REST, hub, console) run as supervised processes of their own, so a fault of one does not stop the other; single: both in one process.',
  ),
  LOG_LEVEL: setting(
    z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    'Log level of every service (pino).',
  ),
  LOG_FORMAT: setting(
    z.enum(['auto', 'json', 'pretty']).default('auto'),
    'auto: readable lines on a terminal, JSON lines otherwise.',
  ),
  MQTT_HOST: setting(z.string().min(1).default('127.0.0.1'), 'Address the MQTT listeners bind to.'),
  MQTT_PORT: setting(port(1883), 'MQTT over TCP.'),
  MQTT_WS_PORT: setting(port(8083), 'MQTT over WebSocket, path /mqtt (0: any free port).'),
  MQTT_WS_ENABLED: setting(z.stringbool().default(true), 'Serve MQTT over WebSocket.'),
  MQTT_MAX_PACKET_BYTES: setting(
    positiveInt(256 * 1024, 256 * 1024 * 1024),
    'Largest MQTT packet accepted; a bigger one closes the connection before it is buffered.',
    'bytes',
  ),
  MQTT_DEVICE_MSG_RATE: setting(
    positiveInt(50),
    'Sustained messages per second per device, across its connections (reconnecting does not refill it).',
    'msg/s',
  ),
  MQTT_DEVICE_MSG_BURST: setting(
    positiveInt(200),
    'Burst of messages a device may send above its rate.',
    'msg',
  ),
  MQTT_CONNECT_RATE: setting(
    positiveInt(500),
    'New device connections per second, all devices together; only CONNECTs that authenticate count (over it: CONNACK 3).',
    'conn/s',
  ),
  MQTT_CONNECT_BURST: setting(positiveInt(2000), 'Burst of new connections above that rate.', 'conn'),
  MQTT_AUTH_FAIL_RATE: setting(
    positiveInt(2),
    'Failed CONNECTs (wrong credentials, unknown or disabled device) per second per source address (IPv6: per /64); over it (and the burst) the address gets no registry look-ups, only devices the credential cache knows get in, the rest CONNACK 3.',
    'conn/s',
  ),
  MQTT_AUTH_FAIL_BURST: setting(
    positiveInt(20),
    'Failed CONNECTs a source address may make at once before its failure rate applies.',
    'conn',
  ),
  MQTT_AUTH_FAIL_GLOBAL_RATE: setting(
    positiveInt(50),
    'Failed CONNECTs per second from all addresses together; over it (and the burst), the same cache-only rule holds for every address.',
    'conn/s',
  ),
  MQTT_AUTH_FAIL_GLOBAL_BURST: setting(
    positiveInt(500),
    'Failed CONNECTs from all addresses at once before the global failure rate applies.',
    'conn',
  ),
  MQTT_KEEPALIVE_MIN_S: setting(
    positiveInt(5),
    'Smallest keep-alive a device may ask for; 0 is refused.',
    's',
  ),
  MQTT_KEEPALIVE_MAX_S: setting(positiveInt(1200), 'Largest keep-alive a device may ask for.', 's'),
  MQTT_CONNECT_TIMEOUT_MS: setting(positiveInt(10_000), 'Time from TCP accept to CONNECT.', 'ms'),
  MQTT_DRAIN_TIMEOUT_MS: setting(
    positiveInt(10_000),
    'How long a client that does not read its socket may block a write before it is cut off.',
    'ms',
  ),
  MQTT_MAX_OUTBOUND_BYTES: setting(
    positiveInt(1024 * 1024),
    'Bytes waiting in a client socket before the client is cut off as stuck.',
    'bytes',
  ),
  DEVICE_AUTH_CACHE_TTL_S: setting(
    nonNegativeInt(30, 3600),
    'How long a verified device credential is trusted without a database look-up (devices the credential directory does not hold).',
    's',
  ),
  DEVICE_AUTH_PRELOAD_MAX: setting(
    nonNegativeInt(200_000, 10_000_000),
    "Devices whose credentials (token hash, status, organisation's suspension) the broker loads at start and keeps current from the registry's change notifications, so a CONNECT needs no database query (about 0.5 KB each); devices over it are looked up on CONNECT; 0: no directory.",
    'devices',
  ),
  HTTP_HOST: setting(
    z.string().min(1).default('127.0.0.1'),
    'Address the API, WebSocket hub and console bind to.',
  ),
  HTTP_PORT: setting(port(8080), 'API (/api/v1), WebSocket hub (/ws) and console; 0: any free port.'),
  HTTP_MAX_BODY_BYTES: setting(
    positiveInt(1024 * 1024, 64 * 1024 * 1024),
    'Largest request body; a bigger one is refused with 413 before it is read.',
    'bytes',
  ),
  HTTP_TRUSTED_PROXIES: setting(
    z
      .string()
      .default('')
      .refine(
        (v) => v.split(',').every((a) => a.trim() === '' || isIP(a.trim()) !== 0),
        'a comma-separated list of IP addresses',
      ),
    'Comma-separated addresses of reverse proxies whose X-Forwarded-For names the client (login limits, logs); empty: the connection address is the client.',
  ),
  HTTP_CORS_ORIGINS: setting(
    z.string().default(''),
    'Comma-separated origins allowed to call the API from a browser; empty: CORS off (same origin only).',
  ),
  CONSOLE_DIR: setting(
    z.string().min(1).default('web/build'),
    'The built ops console served at / (`npm run build`); a relative path is resolved against the project directory.',
  ),
  CONSOLE_MAP_STYLE: setting(
    z
      .string()
      .default('')
      .refine(
        (v) => v === '' || /^https?:\/\/\S+$/.test(v) || /^\/[^/\s]\S*$/.test(v),
        'must be empty, an http(s):// URL or a path on this server starting with /',
      ),
    "MapLibre style of the console's map; empty: the offline basemap served at /basemap/. A style may use pmtiles:// sources (a PMTiles file by URL).",
  ),
  FLEET_ADMIN_PASSWORD: setting(
    z.string().min(12, 'must be at least 12 characters').max(200).optional(),
    'Password of admin@demo.local, created on first start with an empty database; unset: generated and printed once.',
  ),
  AUTH_JWT_SECRET: setting(
    z.string().min(32, 'must be at least 32 characters').optional(),
    'Key that signs access tokens (HS256); unset: a random key generated once and kept in DATA_DIR/auth.',
  ),
  AUTH_ACCESS_TOKEN_TTL_S: setting(positiveInt(900, 86_400), 'Lifetime of an access token (JWT).', 's'),
  AUTH_REFRESH_TTL_DAYS: setting(
    positiveInt(30, 365),
    'Lifetime of a refresh cookie (a login session).',
    'days',
  ),
  AUTH_COOKIE_SECURE: setting(
    z.stringbool().default(false),
    'Mark the refresh cookie Secure (set it when the console is served over HTTPS).',
  ),
  AUTH_LOGIN_MAX_FAILURES: setting(
    positiveInt(5, 1000),
    'Failed logins per account within the window before further attempts get 429.',
  ),
  AUTH_LOGIN_MAX_FAILURES_PER_ADDRESS: setting(
    positiveInt(20, 100_000),
    'Failed logins per client address within the window before further attempts get 429.',
  ),
  AUTH_LOGIN_WINDOW_S: setting(positiveInt(900, 86_400), 'Window of the failed-login limits.', 's'),
  HUB_TICK_MS: setting(
    positiveInt(100, 10_000),
    'Positions are batched into one WebSocket frame per tick.',
    'ms',
  ),
  HUB_COALESCE_BYTES: setting(
    positiveInt(256 * 1024),
    'A client with more than this waiting in its socket gets only the latest position per device.',
    'bytes',
  ),
  HUB_MAX_BUFFER_BYTES: setting(
    positiveInt(4 * 1024 * 1024),
    'A client with more than this waiting in its socket is closed (code 4008).',
    'bytes',
  ),
  HUB_MAX_LAG_S: setting(
    positiveInt(15, 3600),
    'A client held to coalesced positions for longer than this is closed (code 4008): it is not catching up.',
    's',
  ),
  HUB_CLIENT_MSG_RATE: setting(
    positiveInt(20, 10_000),
    'Messages per second a WebSocket client may send (burst: 5x); a client far above it is closed.',
    'msg/s',
  ),
  DEVICE_OFFLINE_AFTER_S: setting(
    positiveInt(300, 86_400 * 30),
    'A device with no data for this long is shown offline.',
    's',
  ),
  SIM_VEHICLES: setting(
    nonNegativeInt(50, 10_000),
    '`npm start`: simulated vehicles driving on the OSM extract; 0 with SIM_EQUIPMENT=0: no simulator (production).',
  ),
  SIM_EQUIPMENT: setting(nonNegativeInt(20, 10_000), '`npm start`: simulated equipment tags.'),
  DATABASE_URL: setting(
    z.string().startsWith('postgres').optional(),
    'PostgreSQL URL (postgres://...); unset means embedded PGlite under DATA_DIR/pg.',
  ),
  QUESTDB_URL: setting(
    httpUrl.optional(),
    'External QuestDB HTTP endpoint (e.g. http://db:9000); unset means a managed QuestDB child process.',
  ),
  QUESTDB_HTTP_PORT: setting(port(9000), 'Managed QuestDB: HTTP (REST and ILP) port.'),
  QUESTDB_PG_PORT: setting(port(8812), 'Managed QuestDB: PostgreSQL wire port.'),
  QUESTDB_JAR: setting(
    z.string().min(1).default('vendor/questdb/questdb-9.3.4.jar'),
    'Managed QuestDB: the server jar (fetched by `npm run questdb:fetch`).',
  ),
  QUESTDB_HEAP_MB: setting(positiveInt(1024, 65536), 'Managed QuestDB: Java heap.', 'MiB'),
  QUESTDB_WORKERS: setting(
    positiveInt(2, 64),
    'Managed QuestDB: network (HTTP, ILP parsing) and query worker threads; writes and WAL apply take one each (2 fits a 2-core host).',
  ),
  QUESTDB_LOG_LEVEL: setting(
    z.enum(['error', 'info']).default('error'),
    'Managed QuestDB: what it logs to DATA_DIR/questdb/questdb.log. error: errors and advisories; info: every commit (costs CPU).',
  ),
  QUESTDB_TUNING: setting(
    z.enum(['small-host', 'defaults']).default('small-host'),
    "Managed QuestDB: small-host sizes its thread pools and lets idle threads sleep within ~0.2 s (a few % of a core at light load); defaults keeps QuestDB's own (threads per core, spinning for 3 s after any work).",
  ),
  QUESTDB_COMMIT_MODE: setting(
    z.enum(['nosync', 'async', 'sync']).default('nosync'),
    'Managed QuestDB: WAL commit mode. nosync survives a killed process; sync also survives power loss, slower.',
  ),
  TELEMETRY_RETENTION_DAYS: setting(
    nonNegativeInt(90, 36500),
    'Drop telemetry, event and reject partitions older than this (QuestDB TTL); 0 keeps everything.',
    'days',
  ),
  INGEST_FLUSH_INTERVAL_MS: setting(
    positiveInt(10, 10_000),
    'Longest a record waits for its group commit to start.',
    'ms',
  ),
  INGEST_MAX_COMMIT_ROWS: setting(
    positiveInt(20_000),
    'Rows in one group commit (one QuestDB HTTP request).',
    'rows',
  ),
  INGEST_MAX_INFLIGHT_COMMITS: setting(positiveInt(2, 16), 'Group commits sent to QuestDB at the same time.'),
  INGEST_MAX_PENDING_ROWS: setting(
    positiveInt(500_000),
    'Rows held waiting for QuestDB; past this, publishing devices are disconnected until it drains.',
    'rows',
  ),
  INGEST_MAX_PAYLOAD_BYTES: setting(
    positiveInt(256 * 1024, 256 * 1024 * 1024),
    'Largest telemetry or event payload decoded.',
    'bytes',
  ),
  INGEST_MAX_RECORDS_PER_BATCH: setting(
    positiveInt(2000, 1_000_000),
    'Records in one TelemetryBatch.',
    'records',
  ),
  INGEST_MAX_FUTURE_SKEW_S: setting(
    nonNegativeInt(300),
    'A record whose device time is further ahead of the server clock is rejected.',
    's',
  ),
  INGEST_MAX_AGE_DAYS: setting(
    positiveInt(30, 36500),
    'A record whose device time is older than this is rejected (buffered replays are allowed within it).',
    'days',
  ),
  INGEST_REJECT_SAMPLE_BYTES: setting(
    positiveInt(4096, 65_536),
    'Raw bytes kept (base64) with each rejected payload (one row per payload, whatever number of its records was refused).',
    'bytes',
  ),
  INGEST_DEVICE_REJECT_RATE: setting(
    positiveInt(2, 1000),
    'Reject rows stored per second per device; past it (and the burst) rejects are counted, not stored, and the next stored row says how many were left out.',
    'rows/s',
  ),
  INGEST_DEVICE_REJECT_BURST: setting(
    positiveInt(20, 10_000),
    'Reject rows a device may cause at once before its reject rate applies.',
    'rows',
  ),
  INGEST_RETRY_MAX_MS: setting(
    positiveInt(2000, 60_000),
    'Longest wait between retries of a failed commit.',
    'ms',
  ),
  RULES_LATE_AFTER_S: setting(
    positiveInt(120, 86_400),
    'A record that arrives this long after its device time is late (replayed from a buffer): its alerts are marked late and not notified as if happening now.',
    's',
  ),
  RULES_TICK_S: setting(
    positiveInt(5, 300),
    'How often time-based rules (offline, and onset or clear delays of quiet devices) are evaluated.',
    's',
  ),
  MAINTENANCE_FLUSH_MS: setting(
    positiveInt(5000, 60_000),
    "How often the device side writes the assets' odometer and engine hours from telemetry to the domain database and evaluates the due services of assets whose meters moved (the maintenance board is this far behind the devices at most).",
    'ms',
  ),
  MAINTENANCE_REFRESH_S: setting(
    positiveInt(60, 3600),
    "How often every organisation's due services are evaluated again, for plans that fall due by the calendar.",
    's',
  ),
  JOBS_REFRESH_S: setting(
    positiveInt(60, 3600),
    "How often the device side reads every organisation's dispatched jobs again (changes arrive at once by NOTIFY; this bounds what a missed one costs).",
    's',
  ),
  JOBS_EN_ROUTE_LEAD_MIN: setting(
    positiveInt(180, 1440),
    "How long before a job's window a vehicle leaving its depot counts as en route to it (earlier, it is about other work).",
    'min',
  ),
  TRIPS_CHECKPOINT_MS: setting(
    positiveInt(10_000, 300_000),
    "How often the device side writes each vehicle's trip in progress (flagged open) and its trip detector's state; closed trips and stops are written at once.",
    'ms',
  ),
  TRIPS_RECOMPUTE_MAX_H: setting(
    positiveInt(48, 720),
    'Late records (a tracker replaying its buffer) up to this far behind the device’s newest make its trips and stops be computed again from QuestDB; older ones are stored but leave the trips as they were.',
    'h',
  ),
  RULES_CHECKPOINT_MS: setting(
    positiveInt(10_000, 60_000),
    "How often the rule engine writes its state (each rule's memory per device) to the domain database; records after the last checkpoint are evaluated again from QuestDB after a restart. Alerts are written at once whatever this is; a longer interval writes each changed state once per interval instead of once a second.",
    'ms',
  ),
  RULES_REPLAY_MARGIN_S: setting(
    positiveInt(30, 3600),
    'On start the rule engine evaluates again what arrived from this long before its last checkpoint (commits in flight when it stopped).',
    's',
  ),
  RULES_REPLAY_MAX_RECORDS: setting(
    positiveInt(200_000, 10_000_000),
    'At most this many records (and as many events) evaluated again from QuestDB on start, from the last checkpoint on.',
    'records',
  ),
  SMTP_URL: setting(
    z
      .string()
      .default('')
      .refine(
        (v) => v === '' || (/^smtps?:\/\/\S+$/.test(v) && URL.canParse(v)),
        'must be empty or an smtp:// (STARTTLS when offered) or smtps:// (TLS from the start) URL',
      ),
    'Mail server of email notification channels, e.g. smtp://user:pass@mail.example.com:587; empty: email channels cannot send (each attempt fails with that reason in their delivery log).',
  ),
  SMTP_FROM: setting(
    z.string().trim().min(3).max(320).default('Fleet <fleet@localhost>'),
    'Sender (From) of notification emails: an address, optionally with a name (`Fleet <alerts@example.com>`).',
  ),
  CONSOLE_PUBLIC_URL: setting(
    httpUrl.default('http://127.0.0.1:8080'),
    'Where people open the console, for the links in notifications (an alert is `/alerts/{id}` under it).',
  ),
} as const;

type Settings = typeof settings;
export type FleetConfig = { [K in keyof Settings]: z.output<Settings[K]['schema']> };
export type SettingName = keyof Settings;

const configSchema = z.object(
  Object.fromEntries(Object.entries(settings).map(([k, s]) => [k, s.schema])) as {
    [K in keyof Settings]: Settings[K]['schema'];
  },
);

/** Rules between settings, checked even when other settings are bad, so all problems show at once. */
function crossFieldProblems(input: Record<string, string>): string[] {
  const min = settings.MQTT_KEEPALIVE_MIN_S.schema.safeParse(input.MQTT_KEEPALIVE_MIN_S);
  const max = settings.MQTT_KEEPALIVE_MAX_S.schema.safeParse(input.MQTT_KEEPALIVE_MAX_S);
  if (min.success && max.success && min.data > max.data) {
    return [
      `MQTT_KEEPALIVE_MIN_S=${JSON.stringify(min.data)}: must not exceed MQTT_KEEPALIVE_MAX_S (${max.data})`,
    ];
  }
  return [];
}

export class ConfigError extends FleetError {
  readonly problems: string[];
  constructor(problems: string[]) {
    super('config_invalid', `Invalid configuration:\n  ${problems.join('\n  ')}`);
    this.problems = problems;
  }
}

/**
 * Reads the settings from an environment (process.env by default). Unknown variables are
 * ignored (the environment holds many); every bad value is reported at once, by name.
 */
export function loadConfig(
  env: Record<string, string | undefined> = process.env,
  overrides: Partial<Record<SettingName, string | number | boolean>> = {},
): FleetConfig {
  // Every value is read as text, as the environment gives it; blank means unset.
  const input: Record<string, string> = {};
  for (const key of Object.keys(settings)) {
    const value = key in overrides ? overrides[key as SettingName] : env[key];
    const text = value === undefined ? '' : String(value).trim();
    if (text !== '') input[key] = text;
  }
  const parsed = configSchema.safeParse(input);
  const problems = parsed.success
    ? []
    : parsed.error.issues.map((issue) => {
        const key = String(issue.path[0] ?? '?');
        return `${key}=${JSON.stringify(input[key])}: ${issue.message}`;
      });
  problems.push(...crossFieldProblems(input));
  if (!parsed.success || problems.length > 0) throw new ConfigError(problems);
  return parsed.data as FleetConfig;
}

/** The settings as a Markdown table, for the README. */
export function configMarkdownTable(): string {
  const rows = Object.entries(settings).map(([name, s]) => {
    const def = defaultOf(s.schema);
    return `| \`${name}\` | ${def === undefined ? '(unset)' : `\`${def}\``} | ${s.unit ?? ''} | ${s.description} |`;
  });
  return ['| setting | default | unit | what it does |', '| --- | --- | --- | --- |', ...rows].join('\n');
}

function defaultOf(schema: z.ZodType): string | undefined {
  const result = schema.safeParse(undefined);
  return result.success && result.data !== undefined ? String(result.data) : undefined;
}

/**
 * The configuration as environment variables, for child processes: a child that loads its
 * config from this sees exactly the parent's settings, overrides and defaults included.
 */
export function configToEnv(config: FleetConfig): Record<string, string> {
  const env: Record<string, string> = {};
  for (const key of Object.keys(settings) as SettingName[]) {
    const value = config[key];
    if (value !== undefined && value !== null) env[key] = String(value);
  }
  return env;
}
