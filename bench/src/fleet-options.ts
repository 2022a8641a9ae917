// Command-line options of `npm run bench:fleet` (bench/src/fleet.ts), kept apart so tests can
// check them without starting anything.
import { countList, parseFlags, REPORT_FLAGS, reportPaths, UsageError, wholeNumber } from './options.ts';

export const FLEET_HELP = `Usage: npm run bench:fleet -- [options]

Benchmarks the platform under a simulated fleet: the real platform process (broker + ingest +
API + hub, with a managed QuestDB) and the device simulator (npm run sim) in its own process,
every device reporting once a second over MQTT QoS 1. For each fleet size it waits until every
device is connected, warms up, then measures records/s produced, acknowledged and stored,
PUBACK latency as the devices see it, and CPU and memory of the platform, QuestDB and the
simulator. Then, with a smaller fleet still reporting, k6 runs the console's REST and
WebSocket journeys (bench/k6). Everything runs on 127.0.0.1 in a temporary directory that is
removed afterwards.

Options:
  --devices <list>          fleet sizes, comma-separated, up to 10,000 (default 1000,5000,10000)
  --duration <s>            measured seconds per fleet size (default 60)
  --warmup <s>              unmeasured seconds after every device connected (default 15)
  --connect-timeout <s>     how long a fleet may take to connect (default 300)
  --k6-devices <n>          fleet size reporting while k6 runs; 0 = no k6 phase (default 1000)
  --k6-profile <name>       smoke, load or spike (bench/k6/profiles.js; default load)
  --out <path>              report file (default bench/REPORT.md, sections '## Fleet' and
                            '## k6'); raw numbers go to bench/results/fleet.json and the
                            plots to bench/plots/
  --render <json>           run nothing: rewrite the report sections and plots from a results
                            file of an earlier run
  -h, --help                this text

k6 is built from the Go module proxy by npm run k6:build (vendor/k6/k6); when it is missing the
k6 phase is skipped with a note in the report.
`;

export const K6_PROFILES = ['smoke', 'load', 'spike'] as const;
export type K6Profile = (typeof K6_PROFILES)[number];

export interface FleetOptions {
  devices: number[];
  durationS: number;
  warmupS: number;
  connectTimeoutS: number;
  k6Devices: number;
  k6Profile: K6Profile;
  out: string;
  render: string | undefined;
}

const OPTION_SPEC = {
  devices: { type: 'string' },
  duration: { type: 'string' },
  warmup: { type: 'string' },
  'connect-timeout': { type: 'string' },
  'k6-devices': { type: 'string' },
  'k6-profile': { type: 'string' },
  ...REPORT_FLAGS,
} as const;

/** The simulator plays at most this many devices per process (firmware-sim --vehicles). */
export const MAX_FLEET = 10_000;

export function parseFleetOptions(argv: string[], root: string): FleetOptions | 'help' {
  const values = parseFlags(argv, OPTION_SPEC);
  if (values.help) return 'help';
  const profile = values['k6-profile'] ?? 'load';
  if (!(K6_PROFILES as readonly string[]).includes(profile))
    throw new UsageError(
      `--k6-profile must be one of ${K6_PROFILES.join(', ')}, got ${JSON.stringify(profile)}`,
    );
  const paths = reportPaths(values, root, 'bench/results/fleet.json');
  return {
    devices: countList(values.devices, 'devices', [1000, 5000, 10_000], MAX_FLEET).sort((a, b) => a - b),
    durationS: wholeNumber(values.duration, 'duration', 60, 5, 3600),
    warmupS: wholeNumber(values.warmup, 'warmup', 15, 0, 600),
    connectTimeoutS: wholeNumber(values['connect-timeout'], 'connect-timeout', 300, 10, 3600),
    k6Devices: wholeNumber(values['k6-devices'], 'k6-devices', 1000, 0, MAX_FLEET),
    k6Profile: profile as K6Profile,
    ...paths,
  };
}

/** Rough length of a run in seconds: start-up, connecting, warm-up and window per size, k6. */
export function estimatedFleetRunS(o: FleetOptions): number {
  const provisioning = Math.max(...o.devices, o.k6Devices) / 500;
  const perSize = o.devices.reduce((s, n) => s + n / 150 + o.warmupS + o.durationS + 15, 0);
  const k6 = o.k6Devices > 0 ? (o.k6Profile === 'smoke' ? 40 : 200) + o.k6Devices / 150 : 0;
  return Math.round(30 + provisioning + perSize + k6);
}
