// Command-line options of `npm run bench:hub` (bench/src/hub.ts), kept apart so tests can check
// them without starting anything.
import { resolve } from 'node:path';
import { type SettingName, settings } from '@fleet/shared';
import { countList, parseFlags, REPORT_FLAGS, reportPaths, UsageError, wholeNumber } from './options.ts';

export { UsageError };

export const HUB_HELP = `Usage: npm run bench:hub -- [options]

Benchmarks the live hub end to end: devices publish QoS 1 positions over MQTT to the real
platform process (broker + ingest + API + WebSocket hub, with a managed QuestDB) while N
WebSocket clients subscribed to 'positions' receive the hub's frames. Reports, per phase,
positions/s published, frames/s and bytes/s received, and the latency from the MQTT publish
to the WebSocket frame (p50/p90/p99/max). Everything runs on 127.0.0.1 in a temporary
directory that is removed afterwards.

Options:
  --clients <list>     WebSocket client counts, comma-separated; one group of phases each
                       (default 1,100,1000,2000)
  --rate <n>           target positions/s, all devices together (default 10000)
  --low-rate <n>       a second phase per client count at this lower rate, for a latency
                       figure when the target rate cannot be sustained; 0 = no such phase
                       (default 2000)
  --devices <n>        publishing devices, one MQTT connection each; a device sends one
                       position per message at rate/devices messages/s (default 1000)
  --formats <list>     positions frame formats, one phase each: json, columns (default
                       json,columns)
  --viewport-clients <list>
                       client counts of viewport phases at --rate: each client sets a
                       viewport of about --viewport-vehicles devices (jittered per client);
                       0 = none (default 2000)
  --viewport-vehicles <n>
                       devices in a viewport client's box (default 500)
  --duration <s>       measured seconds per phase (default 15)
  --warmup <s>         unmeasured load before the phases of each client count (default 3)
  --sample <n>         clients that parse every frame and measure latency; the others only
                       count frames and bytes (default 20)
  --inflight <n>       unacknowledged messages per device (default 2)
  --workers <n>        publisher worker threads (default 1)
  --tick-ms <ms>       HUB_TICK_MS of the platform (default: the platform's, 100)
  --set <NAME=value>   any other platform setting (shared/src/config.ts), e.g.
                       --set HUB_COALESCE_BYTES=65536; repeatable; validated like the
                       platform does. Settings the bench itself controls (ports, data
                       directory, credentials, rate limits) cannot be set.
  --no-pin             do not pin the platform to CPU 0 and the bench to CPU 1
  --out <path>         report file (default bench/REPORT.md, section '## Hub'); raw numbers go
                       to bench/results/hub.json
  --profile-dir <dir>  write a V8 CPU profile of the platform process there (node --cpu-prof)
  --render <json>      run nothing: rewrite the report section (--out) from a results file of
                       an earlier run (targets and notes recomputed, the file updated)
  -h, --help           this text

Phases: for each client count, a warm-up, then --low-rate (if not 0), then --rate. Progress
goes to stderr (one live line on a terminal, a line every 5 s otherwise), the tables to stdout.
`;

export interface HubOptions {
  clients: number[];
  formats: ('json' | 'columns')[];
  viewportClients: number[];
  viewportVehicles: number;
  rate: number;
  lowRate: number;
  devices: number;
  durationS: number;
  warmupS: number;
  sample: number;
  inflight: number;
  workers: number;
  tickMs: number | undefined;
  /** Platform settings given with --set. */
  platformSettings: Record<string, string>;
  pin: boolean;
  out: string;
  profileDir: string | undefined;
  /** --render: the results file to render instead of running. */
  render: string | undefined;
}

const OPTION_SPEC = {
  clients: { type: 'string' },
  formats: { type: 'string' },
  'viewport-clients': { type: 'string' },
  'viewport-vehicles': { type: 'string' },
  rate: { type: 'string' },
  'low-rate': { type: 'string' },
  devices: { type: 'string' },
  duration: { type: 'string' },
  warmup: { type: 'string' },
  sample: { type: 'string' },
  inflight: { type: 'string' },
  workers: { type: 'string' },
  'tick-ms': { type: 'string' },
  set: { type: 'string', multiple: true },
  pin: { type: 'boolean', default: true },
  'profile-dir': { type: 'string' },
  ...REPORT_FLAGS,
} as const;

/** Platform settings the bench sets itself: --set may not change them. */
export const BENCH_CONTROLLED_SETTINGS: readonly SettingName[] = [
  'DATA_DIR',
  'QUESTDB_URL',
  'MQTT_HOST',
  'MQTT_PORT',
  'MQTT_WS_ENABLED',
  'HTTP_HOST',
  'HTTP_PORT',
  'FLEET_ADMIN_PASSWORD',
  'AUTH_JWT_SECRET',
  'AUTH_ACCESS_TOKEN_TTL_S',
  'LOG_LEVEL',
  'LOG_FORMAT',
  'MQTT_DEVICE_MSG_RATE',
  'MQTT_DEVICE_MSG_BURST',
  'MQTT_CONNECT_RATE',
  'MQTT_CONNECT_BURST',
  'HUB_TICK_MS',
  'DATABASE_URL',
];

function platformSettings(raw: readonly string[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of raw ?? []) {
    const eq = item.indexOf('=');
    const name = eq < 0 ? item.trim() : item.slice(0, eq).trim();
    if (eq < 0 || name === '') throw new UsageError(`--set needs NAME=value, got ${JSON.stringify(item)}`);
    if (!Object.hasOwn(settings, name)) {
      throw new UsageError(`--set ${name}: not a platform setting (see shared/src/config.ts or the README)`);
    }
    const setting = name as SettingName;
    if (BENCH_CONTROLLED_SETTINGS.includes(setting)) {
      throw new UsageError(
        `--set ${name}: the bench sets this itself${setting === 'HUB_TICK_MS' ? ' (use --tick-ms)' : ''}`,
      );
    }
    const value = item.slice(eq + 1).trim();
    const check = settings[setting].schema.safeParse(value);
    if (!check.success) {
      throw new UsageError(`--set ${name}=${value}: ${check.error.issues[0]?.message ?? 'invalid value'}`);
    }
    out[name] = value;
  }
  return out;
}

export function parseHubOptions(argv: string[], root: string): HubOptions | 'help' {
  const values = parseFlags(argv, OPTION_SPEC, { allowNegative: true });
  if (values.help) return 'help';
  const rate = wholeNumber(values.rate, 'rate', 10_000, 1, 1_000_000);
  const lowRate = wholeNumber(values['low-rate'], 'low-rate', 2000, 0, 1_000_000);
  if (lowRate >= rate) {
    throw new UsageError(
      `--low-rate (${lowRate}) must be below --rate (${rate}); use --low-rate 0 for no lower-rate phase`,
    );
  }
  const devices = wholeNumber(values.devices, 'devices', 1000, 1, 20_000);
  if (rate / devices > 1000) {
    // Device times are unique per device (ts = max(now, previous + 1)), so above 1,000
    // messages/s a device's positions run ahead of the clock and their latency reads low.
    throw new UsageError(
      `--rate ${rate} over --devices ${devices} is more than 1,000 positions/s per device; use more devices`,
    );
  }
  const paths = reportPaths(values, root, 'bench/results/hub.json');
  const profileDir = values['profile-dir']?.trim();
  if (profileDir === '') throw new UsageError('--profile-dir needs a directory');
  const formats = (values.formats ?? 'json,columns').split(',').map((f) => f.trim());
  for (const f of formats)
    if (f !== 'json' && f !== 'columns')
      throw new UsageError(`--formats: json or columns, got ${JSON.stringify(f)}`);
  const viewportClients =
    values['viewport-clients']?.trim() === '0'
      ? []
      : countList(values['viewport-clients'], 'viewport-clients', [2000], 10_000);
  return {
    formats: formats as ('json' | 'columns')[],
    viewportClients,
    viewportVehicles: wholeNumber(values['viewport-vehicles'], 'viewport-vehicles', 500, 1, 20_000),
    clients: countList(values.clients, 'clients', [1, 100, 1000, 2000], 10_000),
    rate,
    lowRate,
    devices,
    durationS: wholeNumber(values.duration, 'duration', 15, 1, 3600),
    warmupS: wholeNumber(values.warmup, 'warmup', 3, 0, 600),
    sample: wholeNumber(values.sample, 'sample', 20, 1, 1000),
    inflight: wholeNumber(values.inflight, 'inflight', 2, 1, 1000),
    workers: wholeNumber(values.workers, 'workers', 1, 1, 8),
    platformSettings: platformSettings(values.set),
    tickMs:
      values['tick-ms'] === undefined ? undefined : wholeNumber(values['tick-ms'], 'tick-ms', 100, 1, 10_000),
    pin: values.pin ?? true,
    ...paths,
    profileDir: profileDir === undefined ? undefined : resolve(profileDir),
  };
}

/** Rough length of a run in seconds: phases, warm-ups, start-up and the pauses between. */
export function estimatedRunS(o: HubOptions): number {
  const phasesPerCount = o.lowRate > 0 ? 2 : 1;
  const startup = 30 + o.devices / 200;
  const perFormat = o.formats.length;
  return Math.round(
    startup +
      o.clients.length * (o.warmupS + 3 + perFormat * phasesPerCount * (o.durationS + 3)) +
      o.viewportClients.length * perFormat * (o.durationS + 15),
  );
}
