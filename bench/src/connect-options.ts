// Command-line options of `npm run bench:connect` (bench/src/connect.ts), kept apart so tests can
// check them without starting anything.
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { UsageError, wholeNumber } from './options.ts';

export const CONNECT_HELP = `Usage: npm run bench:connect -- [options]

Benchmarks a connect storm and idle connections against the real platform (launcher, device
side and API side processes, with a managed QuestDB), the load generator's worker threads on the
same machine:
  (a) --devices devices connect at once, as fast as the broker takes them (CONNACK 3 "over the
      connect rate" is tried again after about a second): time until all are connected and
      CONNACK latency; then each reports one record a second over QuestDB-acknowledged QoS 1
      for --report-s seconds: PUBACK latency, and the stored count checked in QuestDB;
  (b) --idle connections held open by the one broker process: resident memory of the device
      side, the launcher and the API side, before and while they are held.
Connections are spread over source addresses 127.0.0.2, 127.0.0.3, ... (loopback has about
28,000 ephemeral ports per source address). A process cannot hold more sockets than its open
files limit (ulimit -n): phase (b) holds at most what both the generator and the device side
may open, and says so in the report. Everything runs on 127.0.0.x in a temporary directory that
is removed afterwards.

Options:
  --devices <n>         devices in the storm of phase (a), 1 to 50,000 (default 10000)
  --report-s <s>        seconds of 1 Hz reports after the storm; 0: none (default 60)
  --idle <n>            idle connections of phase (b); 0: no phase (b) (default 50000)
  --workers <n>         load-generator worker threads (default 2)
  --window <n>          CONNECTs in flight at once per worker (default 1000)
  --connect-rate <n>    the platform's MQTT_CONNECT_RATE (and burst) for the run; 0: its
                        default (default 0)
  --connect-timeout <s> how long a storm may take before it is measured as it is (default 120)
  --profile-dir <dir>   write V8 CPU profiles of the platform's processes there (node --cpu-prof)
  --out <path>          report file (default bench/REPORT.md, section '## Connect storm'); raw
                        numbers go to bench/results/connect.json
  --render <json>       run nothing: rewrite the report section from a results file
  -h, --help            this text
`;

export interface ConnectOptions {
  devices: number;
  reportS: number;
  idle: number;
  workers: number;
  window: number;
  connectRate: number;
  connectTimeoutS: number;
  profileDir: string | undefined;
  out: string;
  render: string | undefined;
}

const OPTION_SPEC = {
  devices: { type: 'string' },
  'report-s': { type: 'string' },
  idle: { type: 'string' },
  workers: { type: 'string' },
  window: { type: 'string' },
  'connect-rate': { type: 'string' },
  'connect-timeout': { type: 'string' },
  'profile-dir': { type: 'string' },
  out: { type: 'string' },
  render: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

export const MAX_STORM = 50_000;
export const MAX_IDLE = 200_000;

function path(raw: string | undefined, name: string, what: string): string | undefined {
  if (raw === undefined) return undefined;
  const trimmed = raw.trim();
  if (trimmed === '') throw new UsageError(`--${name} needs ${what}`);
  return resolve(trimmed);
}

export function parseConnectOptions(argv: string[], root: string): ConnectOptions | 'help' {
  let values: ReturnType<typeof parseArgs<{ options: typeof OPTION_SPEC }>>['values'];
  try {
    values = parseArgs({ args: argv, options: OPTION_SPEC, strict: true, allowPositionals: false }).values;
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  if (values.help) return 'help';
  return {
    devices: wholeNumber(values.devices, 'devices', 10_000, 1, MAX_STORM),
    reportS: wholeNumber(values['report-s'], 'report-s', 60, 0, 3600),
    idle: wholeNumber(values.idle, 'idle', 50_000, 0, MAX_IDLE),
    workers: wholeNumber(values.workers, 'workers', 2, 1, 16),
    window: wholeNumber(values.window, 'window', 1000, 1, 50_000),
    connectRate: wholeNumber(values['connect-rate'], 'connect-rate', 0, 0, 1_000_000),
    connectTimeoutS: wholeNumber(values['connect-timeout'], 'connect-timeout', 120, 5, 3600),
    profileDir: path(values['profile-dir'], 'profile-dir', 'a directory'),
    out: path(values.out, 'out', 'a file path') ?? join(root, 'bench/REPORT.md'),
    render: path(values.render, 'render', 'the path of a results file (bench/results/connect.json)'),
  };
}

/** Source addresses for `connections` connections: 127.0.0.2 upwards, at most 20,000 each. */
export function sourceAddresses(connections: number, perAddress = 20_000): string[] {
  const n = Math.max(1, Math.ceil(connections / perAddress));
  if (n > 253) throw new UsageError(`${connections} connections need more than 253 loopback addresses`);
  return Array.from({ length: n }, (_, i) => `127.0.0.${i + 2}`);
}

/**
 * How many idle connections phase (b) can hold: what was asked, or less when a process's open
 * files limit is lower (each connection is a socket on both ends; `reserve` for everything else
 * the processes have open).
 */
export function idleCapacity(
  asked: number,
  limits: { generator: number; broker: number },
  reserve = 400,
): { connections: number; cappedBy: 'generator' | 'broker' | undefined } {
  const generator = limits.generator - reserve;
  const broker = limits.broker - reserve;
  const most = Math.max(0, Math.min(generator, broker));
  if (asked <= most) return { connections: asked, cappedBy: undefined };
  return { connections: most, cappedBy: broker <= generator ? 'broker' : 'generator' };
}
