// Command-line options of `npm run bench:k6` (bench/src/k6-devices.ts), kept apart so tests can
// check them without starting anything.
import { MAX_FLEET } from './fleet-options.ts';
import { parseFlags, REPORT_FLAGS, reportPaths, UsageError, wholeNumber } from './options.ts';

export const K6_DEVICE_SCRIPTS = ['storm', 'steady', 'burst'] as const;
export type K6DeviceScript = (typeof K6_DEVICE_SCRIPTS)[number];

export const K6_DEVICES_HELP = `Usage: npm run bench:k6 -- [options]

Runs the k6 device scripts (bench/k6/devices-*.js, one device journey, k6/x/fleetmqtt: the
project's own MQTT extension) against the real platform (node platform/src/main.ts at its
defaults, with a managed QuestDB in a temporary directory and the devices provisioned as
npm start provisions its simulated fleet). Builds the custom k6 first when needed (npm run
k6:build). Scripts, in this order:
  storm    every device connects within a few seconds (--spread), then reports once a second
           (--hold s); target: all connected within 60 s, then PUBACK p99 <= 200 ms
  steady   every device reports one record a second for --duration s after a warm-up;
           target: PUBACK p99 <= 200 ms
  burst    every device replays --backlog buffered records in batches of --batch, --inflight
           batches unacknowledged at a time, as fast as PUBACKs allow
After each script the rows in QuestDB are counted. Writes '## k6 devices' in the report and
bench/results/k6-devices.json.

Options:
  --devices <n>       devices (= k6 VUs), up to 10,000 (default 2000)
  --duration <s>      steady: measured seconds after the warm-up (default 30)
  --hold <s>          storm: seconds of reporting after its 60 s connect window (default 30)
  --spread <s>        storm: devices connect at random within this many seconds (default 10)
  --backlog <n>       burst: buffered records per device (default 500)
  --batch <n>         burst: records per message (default 50)
  --inflight <n>      burst: unacknowledged messages per device (default 4)
  --scripts <list>    which scripts, comma-separated: storm,steady,burst (default all three)
  --out <path>        report file (default bench/REPORT.md, section '## k6 devices')
  --render <json>     run nothing: rewrite the report section from a results file
  -h, --help          this text
`;

export interface K6DevicesOptions {
  devices: number;
  durationS: number;
  holdS: number;
  spreadS: number;
  backlog: number;
  batch: number;
  inflight: number;
  scripts: K6DeviceScript[];
  out: string;
  render: string | undefined;
}

const OPTION_SPEC = {
  devices: { type: 'string' },
  duration: { type: 'string' },
  hold: { type: 'string' },
  spread: { type: 'string' },
  backlog: { type: 'string' },
  batch: { type: 'string' },
  inflight: { type: 'string' },
  scripts: { type: 'string' },
  ...REPORT_FLAGS,
} as const;

function scriptList(raw: string | undefined): K6DeviceScript[] {
  if (raw === undefined) return [...K6_DEVICE_SCRIPTS];
  const parts = raw.split(',').map((p) => p.trim());
  const unknown = parts.filter((p) => !(K6_DEVICE_SCRIPTS as readonly string[]).includes(p));
  if (parts.length === 0 || unknown.length > 0 || new Set(parts).size !== parts.length)
    throw new UsageError(
      `--scripts must list some of ${K6_DEVICE_SCRIPTS.join(', ')} once each, comma-separated, got ${JSON.stringify(raw)}`,
    );
  // Always in the fixed order: the storm first (it is also the fleet's first connect).
  return K6_DEVICE_SCRIPTS.filter((s) => parts.includes(s));
}

export function parseK6DevicesOptions(argv: string[], root: string): K6DevicesOptions | 'help' {
  const values = parseFlags(argv, OPTION_SPEC);
  if (values.help) return 'help';
  const paths = reportPaths(values, root, 'bench/results/k6-devices.json');
  const batch = wholeNumber(values.batch, 'batch', 50, 1, 1000);
  const backlog = wholeNumber(values.backlog, 'backlog', 500, 1, 100_000);
  if (backlog < batch)
    throw new UsageError(`--backlog (${backlog}) must be at least --batch (${batch}) records`);
  return {
    devices: wholeNumber(values.devices, 'devices', 2000, 1, MAX_FLEET),
    durationS: wholeNumber(values.duration, 'duration', 30, 5, 3600),
    holdS: wholeNumber(values.hold, 'hold', 30, 5, 3600),
    spreadS: wholeNumber(values.spread, 'spread', 10, 0, 59),
    backlog,
    batch,
    inflight: wholeNumber(values.inflight, 'inflight', 4, 1, 100),
    scripts: scriptList(values.scripts),
    ...paths,
  };
}

/**
 * The device's messages a burst sends stay within the broker's burst allowance per device
 * (MQTT_DEVICE_MSG_BURST, 200 by default): a faster replay would be cut off by the rate limit,
 * which is the platform's flood protection, not what the bench measures.
 */
export function burstMessages(o: Pick<K6DevicesOptions, 'backlog' | 'batch'>): number {
  return Math.ceil(o.backlog / o.batch);
}

/** Rough length of a run in seconds: start-up, provisioning, each script and its count. */
export function estimatedK6DevicesRunS(o: K6DevicesOptions): number {
  const init = o.devices / 400; // k6 initialises one JS runtime per VU before a script starts
  const perScript: Record<K6DeviceScript, number> = {
    storm: 60 + o.holdS,
    steady: Math.ceil(o.devices / 200) + 10 + o.durationS,
    burst: Math.ceil(o.devices / 500) + (o.devices * o.backlog) / 50_000,
  };
  return Math.round(40 + o.devices / 500 + o.scripts.reduce((s, name) => s + perScript[name] + init + 15, 0));
}
