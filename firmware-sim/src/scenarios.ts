// The scenario presets of the simulator (the issue's "normal day, tunnel, broker restart, fuel
// theft, engine fault, device flood"): what each one does, to whom, and when. Device models read
// the timing and play their part (tunnel, fuel theft, engine fault, flood); the broker restart
// is the harness's to perform, from `brokerRestartSchedule`. The CLI's --help prints
// `scenarioHelp()`.

export const SCENARIO_NAMES = [
  'normal',
  'tunnel',
  'broker-restart',
  'fuel-theft',
  'engine-fault',
  'flood',
] as const;
export type ScenarioName = (typeof SCENARIO_NAMES)[number];

/** When a scenario happens, relative to the device's (or, for the harness, the run's) start. */
export interface ScenarioTiming {
  /** First occurrence, s after the start. */
  startAfterS: number;
  /** Each device adds a uniform draw from [0, jitterS) to the start, so a fleet is not in lockstep. */
  jitterS: number;
  /** How long one occurrence lasts, s (0: the change persists, or is instant). */
  durationS: number;
  /** Repeat period, s, from one start to the next; 0 for once. */
  everyS: number;
}

export interface ScenarioPreset {
  readonly name: ScenarioName;
  /** One line, for lists. */
  readonly summary: string;
  /** What happens and what the platform should show, for `--help`. */
  readonly description: string;
  /** Who plays it: vehicles, any device, or the harness around the platform. */
  readonly appliesTo: 'vehicle' | 'any' | 'harness';
  /** Default share of the fleet that runs it (the rest run 'normal'); at least one device. */
  readonly share: number;
  readonly timing: Readonly<ScenarioTiming>;
}

/**
 * Publish interval during a flood, s: 200 records/s, four times the broker's default
 * per-device limit (MQTT_DEVICE_MSG_RATE, 50 msg/s), so the limit is what the flood tests.
 */
export const FLOOD_INTERVAL_S = 0.005;

const ONCE = 0;

export const SCENARIOS: Readonly<Record<ScenarioName, ScenarioPreset>> = {
  normal: {
    name: 'normal',
    summary: 'a working day: rounds from the depot, overnight parking',
    description:
      'Vehicles drive rounds depot -> job sites -> depot from about 07:00, park at the depot ' +
      'from 17:00; rare harsh driving, sporadic trouble codes, power cuts and tamper alarms. ' +
      'Equipment tags sit at sites or ride along in vehicles.',
    appliesTo: 'any',
    share: 1,
    timing: { startAfterS: 0, jitterS: 0, durationS: 0, everyS: ONCE },
  },
  tunnel: {
    name: 'tunnel',
    summary: 'devices lose the network for 5 min while driving, buffer, then replay',
    description:
      'A dead zone: from its scheduled time, at the next moment the vehicle is moving, ' +
      'connectivity() is false for durationS (default 5 min), repeating every hour. The device ' +
      'keeps sampling (GPS degraded: 4-5 satellites) and buffers; on reconnect it replays the ' +
      'backlog in order. Tags riding along lose the network with their vehicle; a tag at a site ' +
      'goes offline on the schedule alone.',
    appliesTo: 'any',
    share: 0.2,
    timing: { startAfterS: 600, jitterS: 600, durationS: 300, everyS: 3600 },
  },
  'broker-restart': {
    name: 'broker-restart',
    summary: 'the harness restarts the broker; devices reconnect with backoff',
    description:
      'Nothing changes on the devices: the harness stops the broker at each time of ' +
      'brokerRestartSchedule() (default 5 min after the start, then every 30 min) for durationS ' +
      '(default 20 s) and starts it again. Devices see the connection drop, buffer, reconnect ' +
      'with backoff and replay; the platform must store every record once.',
    appliesTo: 'harness',
    share: 1,
    timing: { startAfterS: 300, jitterS: 0, durationS: 20, everyS: 1800 },
  },
  'fuel-theft': {
    name: 'fuel-theft',
    summary: 'fuel siphoned while parked, ignition off',
    description:
      'At the first stop with the engine off after the scheduled time, 35-55% of the tank is ' +
      'drained at 10 L/min with the ignition off and the vehicle standing (once). The theft ' +
      'stops if the vehicle drives off. No event is sent: the platform has to notice the drop.',
    appliesTo: 'vehicle',
    share: 0.05,
    timing: { startAfterS: 1800, jitterS: 1800, durationS: 0, everyS: ONCE },
  },
  'engine-fault': {
    name: 'engine-fault',
    summary: 'overheating with misfires: coolant climbs, DTCs appear, rpm irregular',
    description:
      'From the scheduled time the engine misfires (P0300 at once, idle rpm irregular by up to ' +
      '+-150, load up) and its water pump fails: while it runs, coolant heads for 125 C (90 to ' +
      '110 C in under 3 min), cooling only slowly at stops; P0217 (over temperature) is set at ' +
      '110 C. The codes persist for the rest of the run.',
    appliesTo: 'vehicle',
    share: 0.05,
    timing: { startAfterS: 1200, jitterS: 1200, durationS: 0, everyS: ONCE },
  },
  flood: {
    name: 'flood',
    summary: `a device publishes every ${FLOOD_INTERVAL_S * 1000} ms for 10 min`,
    description:
      `A misbehaving device: for durationS (default 10 min) from the scheduled time, ` +
      `reportIntervalS() is ${FLOOD_INTERVAL_S} s (${1 / FLOOD_INTERVAL_S} records/s, above the ` +
      'broker limit) and flooding() is true; the runtime should publish each record on its own. ' +
      'The broker should throttle or disconnect it without hurting the rest of the fleet.',
    appliesTo: 'any',
    share: 0.001,
    timing: { startAfterS: 120, jitterS: 60, durationS: 600, everyS: ONCE },
  },
};

export function isScenarioName(name: string): name is ScenarioName {
  return (SCENARIO_NAMES as readonly string[]).includes(name);
}

/** The preset's timing with overrides, checked. */
export function scenarioTiming(name: ScenarioName, overrides: Partial<ScenarioTiming> = {}): ScenarioTiming {
  const t = { ...SCENARIOS[name].timing, ...overrides };
  for (const k of ['startAfterS', 'jitterS', 'durationS', 'everyS'] as const) {
    if (!(Number.isFinite(t[k]) && t[k] >= 0))
      throw new Error(`scenario ${name}: ${k} must be >= 0, got ${t[k]}`);
  }
  if (t.everyS > 0 && t.everyS < t.durationS) {
    throw new Error(`scenario ${name}: everyS (${t.everyS}) must be at least durationS (${t.durationS})`);
  }
  return t;
}

/**
 * Which scenario device `index` of `count` runs when the fleet runs `name`: the preset's share
 * of the fleet (at least one device), spread evenly over the indices; the others run 'normal'.
 */
export function scenarioForDevice(name: ScenarioName, index: number, count: number): ScenarioName {
  const share = SCENARIOS[name].share;
  if (share >= 1) return name;
  const chosen = Math.max(1, Math.round(share * count));
  // Device i is chosen when the running quota floor(i x chosen / count) steps up at i.
  return Math.floor(((index + 1) * chosen) / count) > Math.floor((index * chosen) / count) ? name : 'normal';
}

export interface BrokerRestart {
  /** When the harness stops the broker, device time, ms. */
  atMs: number;
  /** How long it stays down, s. */
  downS: number;
}

/** The broker restarts of a run from startMs to untilMs (the harness side of 'broker-restart'). */
export function brokerRestartSchedule(
  startMs: number,
  untilMs: number,
  overrides: Partial<ScenarioTiming> = {},
): BrokerRestart[] {
  const t = scenarioTiming('broker-restart', overrides);
  const out: BrokerRestart[] = [];
  for (let at = startMs + t.startAfterS * 1000; at < untilMs; at += t.everyS * 1000) {
    out.push({ atMs: at, downS: t.durationS });
    if (t.everyS === 0) break;
  }
  return out;
}

/**
 * A device's schedule of a scenario's occurrences: seconds after its start of the next one,
 * moved on by `advance` once an occurrence has begun. Plain data, one per model.
 */
export interface ScenarioClock {
  /** Start of the next occurrence, s after the device's start; Infinity when none is left. */
  nextS: number;
  readonly timing: Readonly<ScenarioTiming>;
}

/** The first occurrence for one device, jittered by a uniform draw u from [0, 1). */
export function scenarioClock(timing: Readonly<ScenarioTiming>, u: number): ScenarioClock {
  return { nextS: timing.startAfterS + timing.jitterS * u, timing };
}

/** An occurrence began at sinceStartS: schedule the next one (or none). */
export function advanceScenarioClock(clock: ScenarioClock, sinceStartS: number): void {
  clock.nextS = clock.timing.everyS > 0 ? sinceStartS + clock.timing.everyS : Number.POSITIVE_INFINITY;
}

/** Whether sinceStartS falls in an occurrence of a time-based schedule (no condition to wait for). */
export function inScheduledWindow(
  timing: Readonly<ScenarioTiming>,
  firstS: number,
  sinceStartS: number,
): boolean {
  if (sinceStartS < firstS) return false;
  const into = timing.everyS > 0 ? (sinceStartS - firstS) % timing.everyS : sinceStartS - firstS;
  return into < timing.durationS;
}

/** The `--help` text: one block per preset. */
export function scenarioHelp(): string {
  return SCENARIO_NAMES.map((name) => {
    const p = SCENARIOS[name];
    const share = p.share >= 1 ? 'every device' : `${p.share * 100}% of devices (at least one)`;
    return `  ${name.padEnd(15)}${p.summary}\n${wrap(`${p.description} Runs on: ${share}.`, 17, 96)}`;
  }).join('\n\n');
}

function wrap(text: string, indent: number, width: number): string {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/)) {
    if (line.length > 0 && indent + line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line.length > 0 ? `${line} ${word}` : word;
  }
  if (line.length > 0) lines.push(line);
  return lines.map((l) => ' '.repeat(indent) + l).join('\n');
}
