// Command-line options of `npm run bench:rules` (bench/src/rules.ts), kept apart so tests can
// check them without starting anything.
import { parseFlags, REPORT_FLAGS, reportPaths, UsageError, wholeNumber } from './options.ts';
import { EPISODE_RECORDS } from './rules-scenario.ts';

export const RULES_HELP = `Usage: npm run bench:rules -- [options]

Benchmarks the rule engine inside the real platform (a managed QuestDB, the launcher with its
device and API sides): an organisation with N devices on vehicles reporting once a second over
MQTT QoS 1, P places spread over the area the devices drive in, and 20 rules of 15 kinds.
Phase 1 runs with every rule switched off, phase 2 with the 20 rules on, under the same load:
the device side's CPU per stored record in each tells what the engine adds. Throughout, a known
set of probe devices causes alerts (speeding, engine fault codes, overheating, visits to
restricted areas and depots) at known publish times; in phase 2 every alert frame on the hub's
\`alerts\` topic and every signed webhook to a loopback receiver is matched to its cause:
latency from the publish, and none missing, none twice. Everything runs on 127.0.0.1 in a
temporary directory that is removed afterwards.

Options:
  --devices <n>           devices reporting once a second, up to 10,000 (default 10000)
  --places <n>            places of the organisation, 0 to 20,000 (default 5000)
  --probes <n>            devices that cause alerts, at most --devices (default 100)
  --probe-every <s>       records between two episodes of a probe, ${EPISODE_RECORDS + 7} to 600 (default 30)
  --duration <s>          measured seconds per phase (default 120)
  --warmup <s>            unmeasured seconds of load before phase 1 (default 30)
  --settle <s>            unmeasured seconds after the rules are switched on (default 20)
  --drain <s>             after phase 2, how long alerts and webhooks may still arrive (default 20)
  --connect-timeout <s>   how long the devices may take to connect (default 300)
  --out <path>            report file (default bench/REPORT.md, section '## Rules'); raw
                          numbers go to bench/results/rules-<devices>.json, the plot to
                          bench/plots/rules-latency.svg
  --render <json>         run nothing: rewrite the report section and plot from a results file
  -h, --help              this text

Run it on an otherwise idle machine (and, on a shared one, under flock; see bench/README.md).
`;

export interface RulesOptions {
  devices: number;
  places: number;
  probes: number;
  probeEveryS: number;
  durationS: number;
  warmupS: number;
  settleS: number;
  drainS: number;
  connectTimeoutS: number;
  out: string;
  render: string | undefined;
}

const OPTION_SPEC = {
  devices: { type: 'string' },
  places: { type: 'string' },
  probes: { type: 'string' },
  'probe-every': { type: 'string' },
  duration: { type: 'string' },
  warmup: { type: 'string' },
  settle: { type: 'string' },
  drain: { type: 'string' },
  'connect-timeout': { type: 'string' },
  ...REPORT_FLAGS,
} as const;

export const MAX_DEVICES = 10_000;

export function parseRulesOptions(argv: string[], root: string): RulesOptions | 'help' {
  const values = parseFlags(argv, OPTION_SPEC);
  if (values.help) return 'help';
  const paths = reportPaths(values, root, 'bench/results/rules-<devices>.json');
  const devices = wholeNumber(values.devices, 'devices', MAX_DEVICES, 1, MAX_DEVICES);
  const probes = wholeNumber(values.probes, 'probes', Math.min(100, devices), 1, MAX_DEVICES);
  if (probes > devices)
    throw new UsageError(`--probes (${probes}) cannot be more than --devices (${devices})`);
  return {
    devices,
    places: wholeNumber(values.places, 'places', 5000, 0, 20_000),
    probes,
    probeEveryS: wholeNumber(values['probe-every'], 'probe-every', 30, EPISODE_RECORDS + 7, 600),
    durationS: wholeNumber(values.duration, 'duration', 120, 10, 3600),
    warmupS: wholeNumber(values.warmup, 'warmup', 30, 0, 600),
    settleS: wholeNumber(values.settle, 'settle', 20, 5, 600),
    drainS: wholeNumber(values.drain, 'drain', 20, 5, 300),
    connectTimeoutS: wholeNumber(values['connect-timeout'], 'connect-timeout', 300, 10, 3600),
    ...paths,
  };
}

/** Rough length of a run in seconds: provisioning, connecting, warm-up, two phases, settle, drain. */
export function estimatedRulesRunS(o: RulesOptions): number {
  const provisioning = 20 + o.devices / 400 + o.places / 250;
  const connect = o.devices / 200;
  return Math.round(provisioning + connect + o.warmupS + 2 * o.durationS + o.settleS + o.drainS + 20);
}
