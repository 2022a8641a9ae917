// npm run bench -- [--only ingest,hub,fleet,console,rules,maintenance,trips] [--out <report>]
//
// Runs the benches one after another, each in its own process with its own defaults, into one
// report (bench/REPORT.md): ingest (the MQTT path into QuestDB), hub (live fan-out to WebSocket
// clients), fleet (the simulator at 1,000 / 5,000 / 10,000 devices, then k6), console (the live
// map in headless Chromium with 1,000 / 5,000 / 10,000 live devices), rules (alert latency and
// the rule engine's CPU with 10,000 devices, 5,000 places and 20 rules), maintenance (due
// services of 10,000 assets, the board and cost reports over a year of 1,000 vehicles), trips (the
// per-record cost of keeping trips current, a 31-day trips report). Every bench
// starts and stops what it needs; a failing one does not stop the others.
import { spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { parseBenchArgs, UsageError } from './options.ts';
import { ROOT } from './paths.ts';

export const BENCHES = {
  ingest: { script: 'bench/src/ingest.ts', about: 'MQTT ingest into QuestDB, PUBACK latency (~5 min)' },
  hub: { script: 'bench/src/hub.ts', about: 'live hub fan-out to WebSocket clients (~8 min)' },
  fleet: {
    script: 'bench/src/fleet.ts',
    about: 'simulated fleets of 1,000-10,000 devices, then k6 (~15 min)',
  },
  console: {
    script: 'bench/src/console.ts',
    about: 'the live map in headless Chromium with 1,000-10,000 live devices (~5 min)',
  },
  rules: {
    script: 'bench/src/rules.ts',
    about: 'the rule engine: 10,000 devices, 5,000 places, 20 rules; alert latency, CPU (~10 min)',
  },
  maintenance: {
    script: 'bench/src/maintenance.ts',
    about:
      'due services of 10,000 assets x 5 plans; the board and cost reports over a year of 1,000 vehicles (~9 min)',
  },
  trips: {
    script: 'bench/src/trips.ts',
    about: 'keeping trips current per record; a 31-day trips report of a 1 Hz vehicle (~1 min)',
  },
} as const;
export type BenchName = keyof typeof BENCHES;
const NAMES = Object.keys(BENCHES) as BenchName[];

export const ALL_HELP = `Usage: npm run bench -- [options]

Runs the benchmarks in sequence and writes one report (default bench/REPORT.md, each bench
its own section, plots in bench/plots/). Each bench runs on 127.0.0.1 with its own managed
QuestDB and platform process, and cleans up after itself. Run it on an otherwise idle machine.

${NAMES.map((n) => `  ${n.padEnd(8)} ${BENCHES[n].about}`).join('\n')}

Options:
  --only <list>   run only these, comma-separated (default: ${NAMES.join(',')})
  --out <path>    report file for every bench (default bench/REPORT.md)
  -h, --help      this text

Each bench has more options: npm run bench:<name> -- --help.
`;

export function parseAllOptions(argv: string[]): { only: BenchName[]; out: string | undefined } | 'help' {
  let values: { only?: string; out?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: { only: { type: 'string' }, out: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
      strict: true,
    }));
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  if (values.help) return 'help';
  const only = (values.only ?? NAMES.join(',')).split(',').map((s) => s.trim());
  for (const name of only)
    if (!(NAMES as string[]).includes(name))
      throw new UsageError(`--only: no bench named ${JSON.stringify(name)} (one of ${NAMES.join(', ')})`);
  if (new Set(only).size !== only.length) throw new UsageError('--only names a bench twice');
  const out = values.out?.trim();
  if (out === '') throw new UsageError('--out needs a file path');
  return { only: only as BenchName[], out: out === undefined ? undefined : resolve(out) };
}

function runOne(name: BenchName, out: string | undefined): Promise<number> {
  const args = [join(ROOT, BENCHES[name].script), ...(out ? ['--out', out] : [])];
  const child = spawn(process.execPath, args, { cwd: ROOT, stdio: 'inherit' });
  return new Promise((res) => {
    child.once('exit', (code, signal) => res(code ?? (signal ? 130 : 1)));
    child.once('error', () => res(1));
  });
}

async function main(): Promise<number> {
  const o = parseBenchArgs(() => parseAllOptions(process.argv.slice(2)), ALL_HELP);
  if (typeof o === 'number') return o;
  const outcome: string[] = [];
  let failed = 0;
  // Ctrl-C reaches the children directly (same process group); this process just waits.
  process.on('SIGINT', () => {});
  for (const [i, name] of o.only.entries()) {
    process.stderr.write(`\n== bench ${i + 1}/${o.only.length}: ${name} (${BENCHES[name].about})\n`);
    const started = performance.now();
    const code = await runOne(name, o.out);
    const min = ((performance.now() - started) / 60_000).toFixed(1);
    outcome.push(`${name}: ${code === 0 ? 'done' : `failed (exit ${code})`} in ${min} min`);
    if (code !== 0) failed++;
    if (code === 130) break;
  }
  process.stderr.write(`\n== benches: ${outcome.join('; ')}\n`);
  return failed === 0 ? 0 : 1;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().then(
    (code) => process.exit(code),
    (err: unknown) => {
      process.stderr.write(`bench: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exit(1);
    },
  );
}
