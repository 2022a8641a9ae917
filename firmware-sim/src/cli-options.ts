// The simulator's command line, validated: every flag has a type, a range and a default, and a
// bad one is reported by name with what is expected. Plain inputs, plain outputs: tested without
// starting anything.
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { SCENARIO_NAMES, type ScenarioName, scenarioHelp } from './scenarios.ts';

export const SIM_HELP = `Usage: npm run sim -- [options]

Plays a fleet of GPS trackers with OBD-II and equipment tags over MQTT against a running
platform, driving on real streets from an OpenStreetMap extract.

Options:
  --vehicles <n>       vehicles (0-10000, default 50)
  --equipment <n>      equipment tags (0-10000, default 20)
  --rate <hz>          reports per second of a moving vehicle (0.01-10, default 1); other
                       states report less often, as real trackers do
  --report-every <s>   every device reports every <s> seconds whatever it is doing (0.1-3600;
                       load tests: --report-every 1 is exactly 1 Hz per device); overrides --rate
  --batch <n>          records per MQTT message (1-500, default 1)
  --scenario <name>    a preset (default normal), see below
  --osm <file>         an .osm.pbf road network (default: the central-Helsinki extract,
                       fetched once by npm run osm:fetch)
  --mqtt <url>         the broker (default mqtt://127.0.0.1:1883)
  --credentials <file> where device ids and tokens are kept (default DATA_DIR/sim/credentials.json);
                       devices missing from it are provisioned through the API
  --meters <file>      where each vehicle's odometer and engine hours are kept between runs, as a
                       tracker keeps them in flash (default DATA_DIR/sim/meters.json); the demo
                       company's vans start from their own values the first time
  --api <url>          the platform's API for provisioning (default http://127.0.0.1:8080)
  --email <address>    login for provisioning (default admin@demo.local)
  --password <secret>  its password (default: the FLEET_ADMIN_PASSWORD environment variable)
  --seed <n>           random seed: the same seed plays the same fleet (default 1)
  --time-scale <x>     device seconds per wall second (0.1-3600, default 1); above 1 the
                       fleet starts in the past and catches up to now
  --working-day        park overnight (local 17:00-07:00) instead of driving around the clock
  --driver-cards       each of the demo company's vans (sim-vehicle-0001 ...) reports its
                       driver's card while the ignition is on (the cards npm start seeds)
  --duration <s>       stop after this many seconds (default: run until Ctrl-C)
  --status <format>    text (default): a status line on stderr; json: one JSON object per
                       second on stdout (cumulative counters and the PUBACK latencies of the
                       second as [ms, count] pairs), for programs such as the fleet bench
  --help               this text

Scenarios:
${scenarioHelp()}
`;

const count = (def: number) => z.coerce.number().int().min(0).max(10_000).default(def);

export const simOptionsSchema = z.strictObject({
  vehicles: count(50),
  equipment: count(20),
  rate: z.coerce.number().min(0.01).max(10).default(1),
  reportEvery: z.coerce.number().min(0.1).max(3600).optional(),
  batch: z.coerce.number().int().min(1).max(500).default(1),
  scenario: z
    .string()
    .default('normal')
    .refine((s): s is ScenarioName => (SCENARIO_NAMES as readonly string[]).includes(s), {
      message: `one of ${SCENARIO_NAMES.join(', ')}`,
    }),
  osm: z.string().min(1).optional(),
  mqtt: z
    .string()
    .regex(/^(mqtts?|wss?):\/\/[^\s]+$/, 'an mqtt://, mqtts://, ws:// or wss:// URL')
    .default('mqtt://127.0.0.1:1883'),
  credentials: z.string().min(1).optional(),
  meters: z.string().min(1).optional(),
  api: z.url({ protocol: /^https?$/ }).default('http://127.0.0.1:8080'),
  email: z.string().min(3).max(254).default('admin@demo.local'),
  password: z.string().min(1).max(200).optional(),
  seed: z.coerce
    .number()
    .int()
    .min(0)
    .max(2 ** 31 - 1)
    .default(1),
  timeScale: z.coerce.number().min(0.1).max(3600).default(1),
  workingDay: z.boolean().default(false),
  driverCards: z.boolean().default(false),
  duration: z.coerce
    .number()
    .min(1)
    .max(31 * 86_400)
    .optional(),
  status: z.enum(['text', 'json']).default('text'),
});

export type SimOptions = z.output<typeof simOptionsSchema> & { scenario: ScenarioName };

export class SimUsageError extends Error {}

/** Parses argv (without node and the script); `'help'` when --help is asked for. */
export function parseSimArgs(argv: readonly string[]): SimOptions | 'help' {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        vehicles: { type: 'string' },
        equipment: { type: 'string' },
        rate: { type: 'string' },
        'report-every': { type: 'string' },
        batch: { type: 'string' },
        scenario: { type: 'string' },
        osm: { type: 'string' },
        mqtt: { type: 'string' },
        credentials: { type: 'string' },
        meters: { type: 'string' },
        api: { type: 'string' },
        email: { type: 'string' },
        password: { type: 'string' },
        seed: { type: 'string' },
        'time-scale': { type: 'string' },
        'working-day': { type: 'boolean' },
        'driver-cards': { type: 'boolean' },
        duration: { type: 'string' },
        status: { type: 'string' },
        help: { type: 'boolean' },
      },
    }));
  } catch (err) {
    throw new SimUsageError(`${(err as Error).message} (see --help)`);
  }
  if (values.help) return 'help';
  const {
    'time-scale': timeScale,
    'working-day': workingDay,
    'driver-cards': driverCards,
    'report-every': reportEvery,
    help: _,
    ...rest
  } = values;
  const input = Object.fromEntries(
    Object.entries({ ...rest, timeScale, workingDay, driverCards, reportEvery }).filter(
      ([, v]) => v !== undefined,
    ),
  );
  const parsed = simOptionsSchema.safeParse(input);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => {
      const key = String(i.path[0] ?? '?').replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
      return `--${key}=${JSON.stringify(input[String(i.path[0])])}: ${i.message}`;
    });
    throw new SimUsageError(`invalid options:\n  ${problems.join('\n  ')}`);
  }
  if (parsed.data.vehicles + parsed.data.equipment === 0)
    throw new SimUsageError('nothing to simulate: --vehicles and --equipment are both 0');
  return parsed.data as SimOptions;
}
