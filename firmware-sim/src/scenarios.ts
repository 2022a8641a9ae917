// The scenario presets of the simulator (the issue's "normal day, tunnel, broker restart, fuel
// theft, engine fault, device flood", and one per kind of alert the rule engine raises:
// speeding, idling, a power cut, a forgotten kit): what each one does, to whom, and when.
// Device models read the timing and play their part; the broker restart is the harness's to
// perform, from `brokerRestartSchedule`. A mix (`demo`, what `npm start` plays) gives different
// devices different presets, with their own start times: `fleetScenarios`. The CLI's --help
// prints `scenarioHelp()`.

export const SCENARIO_NAMES = [
  'normal',
  'tunnel',
  'broker-restart',
  'fuel-theft',
  'engine-fault',
  'flood',
  'speeding',
  'idling',
  'power-cut',
  'forgotten-kit',
  'demo',
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
  /** Each occurrence lasts longer by a uniform draw from [0, durationJitterS) (0: exactly durationS). */
  durationJitterS: number;
  /** Repeat period, s, from one start to the next; 0 for once. */
  everyS: number;
}

export interface ScenarioPreset {
  readonly name: ScenarioName;
  /** One line, for lists. */
  readonly summary: string;
  /** What happens and what the platform should show, for `--help`. */
  readonly description: string;
  /** Who plays it: vehicles, equipment tags, any device, or the harness around the platform. */
  readonly appliesTo: 'vehicle' | 'equipment' | 'any' | 'harness';
  /** Default share of the fleet that runs it (the rest run 'normal'); at least one device. */
  readonly share: number;
  readonly timing: Readonly<ScenarioTiming>;
  /** A mix of presets over the fleet instead of one (see `fleetScenarios`). */
  readonly mix?: ScenarioMix;
}

/** One preset of a mix: how many of one kind of device play it. */
export interface ScenarioMixPart {
  readonly scenario: Exclude<ScenarioName, 'demo'>;
  /** Share of the kind's devices, rounded ... */
  readonly share: number;
  /** ... but at least this many (when the fleet has that many left) ... */
  readonly min: number;
  /** ... and at most this many. */
  readonly max?: number;
}

export interface ScenarioMix {
  /** Parts in order of precedence: a small fleet gives its devices to the first ones. */
  readonly vehicle: readonly ScenarioMixPart[];
  readonly equipment: readonly ScenarioMixPart[];
  /** Timing overrides for every part (early starts, so a fresh run shows them soon). */
  readonly timing: Readonly<Partial<ScenarioTiming>>;
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
    timing: { startAfterS: 0, jitterS: 0, durationS: 0, durationJitterS: 0, everyS: ONCE },
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
    timing: { startAfterS: 600, jitterS: 600, durationS: 300, durationJitterS: 0, everyS: 3600 },
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
    timing: { startAfterS: 300, jitterS: 0, durationS: 20, durationJitterS: 0, everyS: 1800 },
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
    timing: { startAfterS: 1800, jitterS: 1800, durationS: 0, durationJitterS: 0, everyS: ONCE },
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
    timing: { startAfterS: 1200, jitterS: 1200, durationS: 0, durationJitterS: 0, everyS: ONCE },
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
    timing: { startAfterS: 120, jitterS: 60, durationS: 600, durationJitterS: 0, everyS: ONCE },
  },
  speeding: {
    name: 'speeding',
    summary: 'stretches of 25-40 km/h over the limit, driving aggressively',
    description:
      'From the scheduled time, where a dry run of the road ahead shows at least 22 s in one ' +
      'go at 21 km/h or more over the signed limit (streets signed 30 km/h or more, corners ' +
      'taken 1.3x faster, turns and stops still slow the van), the driver goes 25-40 km/h ' +
      'over the speed the motion model keeps there for durationS plus up to durationJitterS ' +
      '(default 45-90 s), with more harsh braking, acceleration and cornering events ' +
      'meanwhile and a hard braking at the end. In central Helsinki such a stretch comes ' +
      'after a few minutes of driving, on some rounds never. It repeats every everyS (10 min) ' +
      'from its start. The platform should raise overspeed alerts with the peak speed (the ' +
      "demo company's rule: over 50 km/h for 20 s).",
    appliesTo: 'vehicle',
    share: 0.1,
    timing: { startAfterS: 300, jitterS: 300, durationS: 45, durationJitterS: 45, everyS: 600 },
  },
  idling: {
    name: 'idling',
    summary: 'the engine keeps running at a stop for 12-20 min',
    description:
      'At the first stop after the scheduled time the engine is left running: ignition on, ' +
      'speed 0, rpm at idle, power take-off off (a PTO tag riding along stays off), for ' +
      'durationS plus up to durationJitterS (default 12-20 min) instead of the stop with the ' +
      'engine off; then the van drives on. It repeats every everyS (1 h) from its start. The ' +
      "platform should raise an idling alert after 10 min (the rule's default) and see the " +
      'fuel burnt.',
    appliesTo: 'vehicle',
    share: 0.1,
    timing: { startAfterS: 600, jitterS: 600, durationS: 720, durationJitterS: 480, everyS: 3600 },
  },
  'power-cut': {
    name: 'power-cut',
    summary: "the tracker loses the vehicle's power for 40-60 min, on its backup battery",
    description:
      "At the scheduled time the tracker's external power is cut (a blown fuse), whatever the " +
      'van is doing, and starting the engine does not bring it back: a POWER_CUT event, ' +
      'external_v 0, the backup battery (battery_v) draining 0.1 V/h. After 5 min on the ' +
      'battery the tracker saves it: a heartbeat an hour, nothing on change, no harsh-driving ' +
      'events, so in a long cut the platform sees it go offline (the offline alert filed ' +
      'behind the power cut). After durationS plus up to durationJitterS (default 40-60 min) ' +
      'power is back: POWER_RESTORED and a record at once. Once. The platform should raise a ' +
      'power-cut alert.',
    appliesTo: 'vehicle',
    share: 0.05,
    timing: { startAfterS: 1800, jitterS: 1800, durationS: 2400, durationJitterS: 1200, everyS: ONCE },
  },
  'forgotten-kit': {
    name: 'forgotten-kit',
    summary: 'a kit riding in a van is left behind at a stop',
    description:
      'An equipment tag that rides in a van (it always does in this preset, in a van playing ' +
      'no scenario of its own) is unloaded and forgotten at the first stop with the engine ' +
      'off after the scheduled time that follows at least 3 min of driving with the van in ' +
      'one go: it stays at that spot, reports at once and a minute later, then as a still tag ' +
      'does (every 15 min), while the van drives on. The van picks it up when it next stops ' +
      'by it. Once. The platform should raise an equipment-left-behind alert when the van is ' +
      '300 m away.',
    appliesTo: 'equipment',
    share: 0.1,
    timing: { startAfterS: 600, jitterS: 600, durationS: 0, durationJitterS: 0, everyS: ONCE },
  },
  demo: {
    name: 'demo',
    summary: 'a mix that shows a few believable alerts within minutes (npm start)',
    description:
      'Most of the fleet runs normal; of the vehicles 10% speeding and 10% idling (at least ' +
      'one each), 2% an engine fault (one or two), one a fuel theft and one a power cut; one ' +
      'equipment tag is a forgotten kit. A small fleet gives its vehicles to the presets in ' +
      'that order. Each is first due 1-4 min after the start, then repeats on its own preset. ' +
      'The platform should show engine-fault and power-cut alerts within a few minutes, ' +
      'speeding, a fuel drop and a kit left behind soon after, idling after its 10 min, and ' +
      "the power cut's offline alert after about 35 min.",
    appliesTo: 'any',
    share: 1,
    timing: { startAfterS: 60, jitterS: 180, durationS: 0, durationJitterS: 0, everyS: ONCE },
    mix: {
      vehicle: [
        { scenario: 'speeding', share: 0.1, min: 1 },
        { scenario: 'idling', share: 0.1, min: 1 },
        { scenario: 'engine-fault', share: 0.02, min: 1, max: 2 },
        { scenario: 'fuel-theft', share: 0, min: 1, max: 1 },
        { scenario: 'power-cut', share: 0, min: 1, max: 1 },
      ],
      equipment: [{ scenario: 'forgotten-kit', share: 0, min: 1, max: 1 }],
      timing: { startAfterS: 60, jitterS: 180 },
    },
  },
};

export function isScenarioName(name: string): name is ScenarioName {
  return (SCENARIO_NAMES as readonly string[]).includes(name);
}

/** The preset's timing with overrides, checked. */
export function scenarioTiming(name: ScenarioName, overrides: Partial<ScenarioTiming> = {}): ScenarioTiming {
  const t = { ...SCENARIOS[name].timing, ...overrides };
  for (const k of ['startAfterS', 'jitterS', 'durationS', 'durationJitterS', 'everyS'] as const) {
    if (!(Number.isFinite(t[k]) && t[k] >= 0))
      throw new Error(`scenario ${name}: ${k} must be >= 0, got ${t[k]}`);
  }
  if (t.everyS > 0 && t.everyS < t.durationS + t.durationJitterS) {
    throw new Error(
      `scenario ${name}: everyS (${t.everyS}) must be at least durationS + durationJitterS (${t.durationS + t.durationJitterS})`,
    );
  }
  return t;
}

/**
 * Which scenario device `index` of `count` runs when the fleet runs `name`: the preset's share
 * of the fleet (at least one device), spread evenly over the indices; the others run 'normal'.
 * A mix gives the part of `kind`'s devices (see `fleetScenarios`, which does the whole fleet in
 * one pass).
 */
export function scenarioForDevice(
  name: ScenarioName,
  index: number,
  count: number,
  kind: 'vehicle' | 'equipment' = 'vehicle',
): ScenarioName {
  if (SCENARIOS[name].mix) return fleetScenarios(name, kind, count)[index]?.scenario ?? 'normal';
  return spreadOver(SCENARIOS[name].share, index, count) ? name : 'normal';
}

/** Whether device `index` of `count` is among a share of them (at least one), spread evenly. */
function spreadOver(share: number, index: number, count: number): boolean {
  if (share >= 1) return true;
  const chosen = Math.max(1, Math.round(share * count));
  if (chosen >= count) return true;
  return Math.floor(((index + 1) * chosen) / count) > Math.floor((index * chosen) / count);
}

/** What one device plays: a preset, and overrides of its timing (a mix's early starts). */
export interface DeviceScenario {
  scenario: ScenarioName;
  timing: Partial<ScenarioTiming>;
}

/**
 * The scenario of each of `count` devices of a kind (by index) when the fleet runs `name`. A
 * single preset is `scenarioForDevice`'s spread with the preset's own timing, on the kinds it
 * applies to ('normal' for the others: a vehicle preset leaves the tags alone). A mix gives each
 * part its count (share x count rounded, within min and max, parts in order while devices are
 * left), each part spread evenly over the devices still free, with the mix's timing.
 */
export function fleetScenarios(
  name: ScenarioName,
  kind: 'vehicle' | 'equipment',
  count: number,
): DeviceScenario[] {
  const preset = SCENARIOS[name];
  const mix = preset.mix;
  if (!mix) {
    const applies = preset.appliesTo !== (kind === 'vehicle' ? 'equipment' : 'vehicle');
    return Array.from({ length: count }, (_, i) => ({
      scenario: applies && spreadOver(preset.share, i, count) ? name : 'normal',
      timing: {},
    }));
  }
  const out: DeviceScenario[] = Array.from({ length: count }, () => ({ scenario: 'normal', timing: {} }));
  let free = Array.from({ length: count }, (_, i) => i);
  for (const part of mix[kind]) {
    const wanted = Math.min(part.max ?? count, Math.max(part.min, Math.round(part.share * count)));
    const n = Math.min(wanted, free.length);
    if (n <= 0) continue;
    // The middle of each of n equal slices of the free devices, so a part is spread out.
    const picked = new Set<number>();
    for (let k = 0; k < n; k++) picked.add(free[Math.floor(((k + 0.5) * free.length) / n)] as number);
    for (const i of picked) out[i] = { scenario: part.scenario, timing: { ...mix.timing } };
    free = free.filter((i) => !picked.has(i));
  }
  return out;
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

/** How long one occurrence lasts, s, for a uniform draw u from [0, 1). */
export function occurrenceDurationS(timing: Readonly<ScenarioTiming>, u: number): number {
  return timing.durationS + timing.durationJitterS * u;
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
    const devices = p.appliesTo === 'equipment' ? 'tags' : p.appliesTo === 'vehicle' ? 'vehicles' : 'devices';
    const share = p.mix
      ? 'the whole fleet, as described'
      : p.share >= 1
        ? `every ${devices.replace(/s$/, '')}`
        : `${p.share * 100}% of the ${devices} (at least one)`;
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
