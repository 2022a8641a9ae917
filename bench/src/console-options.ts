// Command-line options of `npm run bench:console` (bench/src/console.ts), kept apart so tests
// can check them without starting anything.
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { countList, UsageError, wholeNumber } from './options.ts';

export const CONSOLE_HELP = `Usage: npm run bench:console -- [options]

Benchmarks the ops console's live map in headless Chromium against the real platform (API,
hub and console, in this process, with a managed QuestDB). For each fleet size it provisions
the devices, then moves them inside the Helsinki basemap at about 10 m/s, every device
reporting once a second (a tenth of the fleet every 100 ms). Positions go into the platform's
live state and in-process bus exactly where the ingest pipeline puts them, not over MQTT
(npm run bench:fleet measures that path). A fresh Chromium signs in as the administrator,
waits until every marker is drawn, fits the view to the fleet (every marker drawn on its own,
zoom >= 13), warms up and measures: frames per second (requestAnimationFrame), the time from a
hub frame arriving to its markers being drawn (the console's 'fleet:frame-to-marker'
measure), hub frames per second, CPU of Chromium's processes and of the platform, and the
page's JS heap. Everything runs on 127.0.0.1 in a temporary directory removed afterwards.

Options:
  --devices <list>          fleet sizes, comma-separated, up to 20,000 (default 1000,5000,10000)
  --seconds <s>             measured seconds per fleet size (default 20)
  --warmup <s>              unmeasured seconds after the view is fitted (default 5)
  --screenshot <path>       the map with the largest fleet drawn (default
                            docs/screenshots/live-map-<largest>.png)
  --out <path>              report file (default bench/REPORT.md, section '## Console'); raw
                            numbers go to bench/results/console.json and the plot to
                            bench/plots/console.svg
  --render <json>           run nothing: rewrite the report section and the plot from a
                            results file of an earlier run
  -h, --help                this text
`;

export interface ConsoleOptions {
  devices: number[];
  seconds: number;
  warmupS: number;
  /** undefined: docs/screenshots/live-map-<largest>.png */
  screenshot: string | undefined;
  out: string;
  render: string | undefined;
}

const OPTION_SPEC = {
  devices: { type: 'string' },
  seconds: { type: 'string' },
  warmup: { type: 'string' },
  screenshot: { type: 'string' },
  out: { type: 'string' },
  render: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

export const MAX_CONSOLE_FLEET = 20_000;

export function parseConsoleOptions(argv: string[], root: string): ConsoleOptions | 'help' {
  let values: ReturnType<typeof parseArgs<{ options: typeof OPTION_SPEC }>>['values'];
  try {
    values = parseArgs({ args: argv, options: OPTION_SPEC, strict: true }).values;
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  if (values.help) return 'help';
  const path = (raw: string | undefined, flag: string, what: string): string | undefined => {
    const text = raw?.trim();
    if (text === '') throw new UsageError(`--${flag} needs ${what}`);
    return text === undefined ? undefined : resolve(text);
  };
  const screenshot = path(values.screenshot, 'screenshot', 'a file path (.png)');
  if (screenshot !== undefined && !screenshot.endsWith('.png'))
    throw new UsageError(`--screenshot must name a .png file, got ${JSON.stringify(values.screenshot)}`);
  return {
    devices: countList(values.devices, 'devices', [1000, 5000, 10_000], MAX_CONSOLE_FLEET).sort(
      (a, b) => a - b,
    ),
    seconds: wholeNumber(values.seconds, 'seconds', 20, 5, 600),
    warmupS: wholeNumber(values.warmup, 'warmup', 5, 0, 120),
    screenshot,
    out: path(values.out, 'out', 'a file path') ?? join(root, 'bench/REPORT.md'),
    render: path(values.render, 'render', 'the path of a results file (bench/results/console.json)'),
  };
}

/** Rough length of a run in seconds: QuestDB, then per size provisioning, start-up, loading, window. */
export function estimatedConsoleRunS(o: ConsoleOptions): number {
  const largest = Math.max(...o.devices);
  const provisioning = largest / 400;
  const perSize = o.devices.reduce((s, n) => s + 20 + n / 1000 + o.warmupS + o.seconds, 0);
  return Math.round(20 + provisioning + perSize);
}
