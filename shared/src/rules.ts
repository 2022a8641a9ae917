// The rule catalogue: every kind of rule the engine evaluates, its parameters with units and
// defaults, and the shapes of rules and alerts that the API validates, the engine in the ingest
// tier runs and the hub streams. One schema per kind, so a rule the API accepted is one the
// engine understands, and the console's forms are derived from the same table.
//
// Units are in the names (`...Kmh`, `...S`, `...M`, `...Pct`, `...V`). Durations are seconds.
import { z } from 'zod';
import { WEEKDAYS, type WorkingHours, workingDayProblem } from './organisation-settings.ts';
import { PLACE_CATEGORIES } from './place-categories.ts';
import { TELEMETRY_FIELDS, type TelemetryFieldName } from './telemetry.ts';
import { isTimeZoneName } from './time-zone.ts';

export const ALERT_SEVERITIES = ['info', 'warning', 'critical'] as const;
export type AlertSeverity = (typeof ALERT_SEVERITIES)[number];

export const ALERT_STATES = ['open', 'acknowledged', 'resolved'] as const;
export type AlertState = (typeof ALERT_STATES)[number];

const DAY_S = 86_400;
const seconds = (max: number) => z.number().int('whole seconds').min(0, 'not negative').max(max);
const positiveSeconds = (max: number) => z.number().int('whole seconds').min(1, 'at least 1 s').max(max);

/** How long a cleared condition must stay clear before its alert resolves (against flapping). */
const clearDelayS = seconds(DAY_S).default(30);

/** Numeric telemetry fields a threshold rule may watch, with their plausible bounds (the unit check). */
export const THRESHOLD_FIELDS = TELEMETRY_FIELDS.filter(
  (f) => f.type !== 'boolean' && f.type !== 'string' && !['seq', 'lat', 'lon', 'headingDeg'].includes(f.name),
);
const thresholdFieldNames = THRESHOLD_FIELDS.map((f) => f.name) as [
  TelemetryFieldName,
  ...TelemetryFieldName[],
];

export const HARSH_EVENT_KINDS = ['HARSH_BRAKING', 'HARSH_ACCELERATION', 'HARSH_CORNERING'] as const;

/**
 * Each kind's parameters. Defaults follow what the anchors ship (Samsara's alert catalogue,
 * Traccar's event handlers) where they name one; docs/decisions.md, "Rules and alerts", says why.
 */
export const RULE_PARAMS = {
  geofence_enter: z.strictObject({
    /** Inside this long before the entry counts (a van cutting a corner of a site is not a visit). */
    minInsideS: seconds(DAY_S).default(0),
  }),
  geofence_exit: z.strictObject({
    minOutsideS: seconds(DAY_S).default(0),
  }),
  geofence_dwell: z.strictObject({
    /** Inside longer than this raises the alert; it resolves when the asset leaves. */
    minDwellS: positiveSeconds(30 * DAY_S).default(1800),
  }),
  overspeed: z.strictObject({
    /** The organisation's limit when neither the vehicle nor a place sets one. */
    limitKmh: z.number().min(5, 'at least 5 km/h').max(300, 'at most 300 km/h').default(90),
    /** Over the limit by more than this before it counts (GPS speed reads a little high). */
    toleranceKmh: z.number().min(0).max(50).default(0),
    minDurationS: seconds(3600).default(30),
    /** A vehicle's own limit (assets.speed_limit_kmh) replaces limitKmh. */
    useVehicleLimit: z.boolean().default(true),
    /** Inside a place with a limit (places.speed_limit_kmh), the lower limit applies. */
    usePlaceLimits: z.boolean().default(true),
    clearDelayS,
  }),
  idling: z.strictObject({
    /** Ignition on and not moving for longer than this; power take-off engaged is work, not idling. */
    minDurationS: positiveSeconds(DAY_S).default(600),
    maxSpeedKmh: z.number().min(0).max(10).default(2),
    clearDelayS: seconds(3600).default(0),
  }),
  offline: z.strictObject({
    /** No data for longer than this; an asset's own offline_after_s replaces it. */
    afterS: z
      .number()
      .int()
      .min(60, 'at least 60 s')
      .max(30 * DAY_S)
      .default(1800),
  }),
  after_hours: z.strictObject({
    /** What counts as use outside the organisation's working hours. */
    trigger: z.enum(['ignition', 'movement', 'either']).default('either'),
    minSpeedKmh: z.number().min(0).max(50).default(5),
    minDurationS: seconds(3600).default(60),
    clearDelayS: seconds(3600).default(120),
  }),
  harsh_driving: z.strictObject({
    events: z
      .array(z.enum(HARSH_EVENT_KINDS))
      .min(1)
      .max(3)
      .default([...HARSH_EVENT_KINDS]),
    /** Only events whose peak acceleration reached this (the device's own threshold otherwise). */
    minPeakG: z.number().min(0).max(20).default(0),
  }),
  crash: z.strictObject({
    minPeakG: z.number().min(0).max(50).default(0),
    /** Harsh-driving alerts of the same asset this close to a crash are suppressed by it. */
    suppressHarshWithinS: seconds(120).default(10),
  }),
  engine_fault: z.strictObject({
    /** Only codes starting with one of these (e.g. "P03"); empty: every code. */
    codePrefixes: z
      .array(z.string().regex(/^[PCBU][0-9A-F]{0,4}$/, 'a code prefix such as P03'))
      .max(50)
      .default([]),
    ignoreCodes: z
      .array(z.string().regex(/^[PCBU][0-9A-F]{4}$/, 'a code such as P0420'))
      .max(200)
      .default([]),
    /** The code must be gone this long before its alert resolves (ECUs drop and re-report codes). */
    clearDelayS: seconds(DAY_S).default(60),
  }),
  fuel_drop: z.strictObject({
    /** A fall of the smoothed level by this much while stationary: possible theft. */
    minDropPct: z.number().min(1).max(100).default(8),
    withinS: positiveSeconds(6 * 3600).default(900),
    /** Readings in the moving median that smooths the level (sensor slosh and noise). */
    smoothingReadings: z.number().int().min(1).max(31).default(5),
  }),
  refuel: z.strictObject({
    minRisePct: z.number().min(1).max(100).default(15),
    withinS: positiveSeconds(6 * 3600).default(900),
    smoothingReadings: z.number().int().min(1).max(31).default(5),
  }),
  low_fuel: z.strictObject({
    belowPct: z.number().min(1).max(90).default(15),
    /** It resolves once the level is back above belowPct + hysteresisPct. */
    hysteresisPct: z.number().min(0).max(50).default(5),
  }),
  power_cut: z.strictObject({
    /** External voltage under this also counts as a cut (0: only the device's POWER_CUT event). */
    belowExternalV: z.number().min(0).max(60).default(0),
    clearDelayS: seconds(3600).default(0),
  }),
  tamper: z.strictObject({
    clearDelayS: seconds(3600).default(0),
  }),
  low_battery: z.strictObject({
    /** The device's backup battery under this; resolves above belowV + hysteresisV. */
    belowV: z.number().min(0.5).max(60).default(3.6),
    hysteresisV: z.number().min(0).max(10).default(0.2),
    minDurationS: seconds(3600).default(60),
  }),
  threshold: z
    .strictObject({
      field: z.enum(thresholdFieldNames),
      /** Raise when the value is above this (in the field's unit). */
      above: z.number().optional(),
      /** ... or below this. */
      below: z.number().optional(),
      /** Resolve only once the value is back by this much (same unit). */
      hysteresis: z.number().min(0).default(0),
      minDurationS: seconds(DAY_S).default(0),
      clearDelayS: seconds(DAY_S).default(0),
    })
    .superRefine((p, ctx) => {
      if (p.above === undefined && p.below === undefined)
        ctx.addIssue({ code: 'custom', path: ['above'], message: 'give above, below or both' });
      const field = THRESHOLD_FIELDS.find((f) => f.name === p.field);
      for (const key of ['above', 'below'] as const) {
        const value = p[key];
        if (value === undefined || !field) continue;
        if ((field.min !== undefined && value < field.min) || (field.max !== undefined && value > field.max))
          ctx.addIssue({
            code: 'custom',
            path: [key],
            message: `${value} is outside ${field.name}'s range ${field.min ?? '-inf'}..${field.max ?? 'inf'} ${field.unit} (is it in ${field.unit}?)`,
          });
      }
      if (p.above !== undefined && p.below !== undefined && p.below >= p.above)
        ctx.addIssue({ code: 'custom', path: ['below'], message: 'below must be less than above' });
      if (field?.min !== undefined && field.max !== undefined && p.hysteresis > field.max - field.min)
        ctx.addIssue({
          code: 'custom',
          path: ['hysteresis'],
          message: `larger than ${field.name}'s whole range`,
        });
    }),
  equipment_left_behind: z.strictObject({
    /** An item that travelled with a vehicle stays put while the vehicle drives this far away. */
    distanceM: z.number().min(50).max(50_000).default(300),
    /** Together means within this distance of each other ... */
    togetherM: z.number().min(5).max(500).default(50),
    /** ... while moving, for at least this long. */
    minTogetherS: positiveSeconds(3600).default(60),
  }),
  equipment_unaccompanied: z.strictObject({
    /** The item moves this far (or reports speed) with no vehicle of the organisation within nearM: possible theft. */
    minMoveM: z.number().min(20).max(10_000).default(150),
    nearM: z.number().min(10).max(5000).default(100),
  }),
  service_due: z.strictObject({
    /**
     * Which steps of a service plan raise an alert (due soon, due, overdue): each step once per
     * service, an earlier step's alert resolved when a later one opens. The maintenance monitor
     * (ingest/src/maintenance) evaluates it from the assets' meters and the calendar, not from
     * single records.
     */
    levels: z
      .array(z.enum(['due_soon', 'due', 'overdue']))
      .min(1, 'at least one of due_soon, due, overdue')
      .max(3)
      .refine((l) => new Set(l).size === l.length, 'each level once')
      .default(['due_soon', 'due', 'overdue']),
    /** Only these service plans; empty: every plan. */
    planIds: z.array(z.uuid()).max(100).default([]),
  }),
  job_late: z.strictObject({
    /**
     * A dispatched or en-route job whose first vehicle is expected (its ETA, or now while it has
     * not arrived) later than this after the window's start. Evaluated by the device side's job
     * service (ingest/src/jobs) from the ETAs it keeps; cleared on arrival or when the ETA
     * comes back within the grace.
     */
    graceMin: z.number().int().min(0).max(240).default(10),
  }),
} as const;

export type RuleKind = keyof typeof RULE_PARAMS;
export const RULE_KINDS = Object.keys(RULE_PARAMS) as RuleKind[];
export type RuleParams<K extends RuleKind> = z.output<(typeof RULE_PARAMS)[K]>;

/**
 * Which assets' records each kind is evaluated on; the engine's kind modules and the API's
 * catalogue read this one table. Equipment left behind is about an item, and its companion
 * vehicle's records test the items it carried.
 */
export const RULE_ASSET_KINDS = {
  geofence_enter: ['vehicle', 'equipment'],
  geofence_exit: ['vehicle', 'equipment'],
  geofence_dwell: ['vehicle', 'equipment'],
  overspeed: ['vehicle'],
  idling: ['vehicle', 'equipment'],
  offline: ['vehicle', 'equipment'],
  after_hours: ['vehicle', 'equipment'],
  harsh_driving: ['vehicle'],
  crash: ['vehicle'],
  engine_fault: ['vehicle', 'equipment'],
  fuel_drop: ['vehicle', 'equipment'],
  refuel: ['vehicle', 'equipment'],
  low_fuel: ['vehicle', 'equipment'],
  power_cut: ['vehicle', 'equipment'],
  tamper: ['vehicle', 'equipment'],
  low_battery: ['vehicle', 'equipment'],
  threshold: ['vehicle', 'equipment'],
  equipment_left_behind: ['equipment', 'vehicle'],
  equipment_unaccompanied: ['equipment'],
  service_due: ['vehicle', 'equipment'],
  job_late: ['vehicle'],
} as const satisfies Record<RuleKind, readonly ('vehicle' | 'equipment')[]>;

/** Kinds that test places: their scope may name places or place categories. */
export const PLACE_RULE_KINDS: ReadonlySet<RuleKind> = new Set([
  'geofence_enter',
  'geofence_exit',
  'geofence_dwell',
]);

// The labels live in a module without zod, so the console can import them at run time.
export { RULE_KIND_LABELS } from './rule-labels.ts';

const uuid = z.uuid();

/** Which assets (and, for geofence kinds, which places) a rule watches; empty: the whole organisation. */
export const ruleScopeSchema = z.strictObject({
  /** Assets in these departments or their sub-departments. */
  departmentIds: z.array(uuid).max(100).default([]),
  /** These assets (besides the departments'). */
  assetIds: z.array(uuid).max(10_000).default([]),
  /** Geofence kinds: these places ... */
  placeIds: z.array(uuid).max(10_000).default([]),
  /** ... and every place of these categories; no places and no categories: every place. */
  placeCategories: z.array(z.enum(PLACE_CATEGORIES)).max(PLACE_CATEGORIES.length).default([]),
});
export type RuleScope = z.output<typeof ruleScopeSchema>;

const interval = z.strictObject({ from: z.string().max(5), to: z.string().max(5) });

/** When a rule is on: local times per weekday in a time zone (the organisation's when omitted). */
export const ruleScheduleSchema = z
  .strictObject({
    timeZone: z
      .string()
      .max(64)
      .refine(isTimeZoneName, 'not a time zone name (IANA, e.g. Europe/Helsinki)')
      .optional(),
    hours: z.strictObject(Object.fromEntries(WEEKDAYS.map((d) => [d, z.array(interval).max(4).default([])]))),
  })
  .superRefine((s, ctx) => {
    for (const day of WEEKDAYS) {
      const problem = workingDayProblem(
        (s.hours as Record<string, { from: string; to: string }[]>)[day] ?? [],
      );
      if (problem) ctx.addIssue({ code: 'custom', path: ['hours', day], message: problem });
    }
  })
  .transform((s) => ({ timeZone: s.timeZone, hours: s.hours as unknown as WorkingHours }));
export type RuleSchedule = z.output<typeof ruleScheduleSchema>;

/** A rule as the engine runs it (the API's row, parameters already checked and defaulted). */
export interface RuleDefinition<K extends RuleKind = RuleKind> {
  id: string;
  orgId: string;
  name: string;
  kind: K;
  severity: AlertSeverity;
  enabled: boolean;
  params: RuleParams<K>;
  scope: RuleScope;
  schedule: RuleSchedule | undefined;
}

/** Parses a kind's parameters, defaults filled in; the issues name the parameter. */
export function parseRuleParams(kind: RuleKind, params: unknown) {
  return RULE_PARAMS[kind].safeParse(params ?? {});
}

/** An alert as it is stored, listed and streamed on the hub's `alerts` topic. */
export interface AlertRecord {
  id: string;
  orgId: string;
  ruleId: string | null;
  ruleName: string | null;
  kind: RuleKind;
  severity: AlertSeverity;
  state: AlertState;
  /** Whether the condition still holds (false for one-off events once raised, and after it cleared). */
  active: boolean;
  title: string;
  deviceId: string | null;
  assetId: string | null;
  placeId: string | null;
  /** Device time the condition began and (when it did) ended. */
  startedAt: string;
  endedAt: string | null;
  /** Server time the engine raised it. */
  raisedAt: string;
  /** Raised from records replayed out of a device's buffer, not as it happened. */
  late: boolean;
  /** Where it happened, when known. */
  lat: number | null;
  lon: number | null;
  /** The kind's figures: peak speed and limit, the code and its description, litres ... */
  details: Record<string, string | number | boolean | null>;
  /** An alert that explains this one (a power cut the offline alert it causes). */
  suppressedBy: string | null;
  acknowledgedAt: string | null;
  acknowledgedBy: string | null;
  resolvedAt: string | null;
  /** Null with resolvedAt set: resolved by the engine when the condition cleared. */
  resolvedBy: string | null;
  assigneeId: string | null;
  updatedAt: string;
}

/** What happened to an alert, on the bus and the hub. */
export type AlertChangeKind = 'opened' | 'updated' | 'resolved';
export interface AlertChange {
  change: AlertChangeKind;
  alert: AlertRecord;
}
