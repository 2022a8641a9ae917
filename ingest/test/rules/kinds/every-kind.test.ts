// Every kind on random input (fast-check, a fixed seed printed for replay): records with any
// field unreported or at its plausible bounds (the validator lets exactly those through),
// events of every kind, ticks, devices with and without an asset, time that jumps or goes
// backwards. No kind may throw, every observation and occurrence has a finite device time, and
// memory stays plain JSON (the harness checks that after every call).
import {
  type DeviceEventRecord,
  NO_MEASUREMENTS,
  RULE_KINDS,
  type RuleKind,
  TELEMETRY_FIELDS,
  type TelemetryRecord,
} from '@fleet/shared';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fuzzParameters } from '../../../../test/fuzz.ts';
import { RULE_KIND_MODULES } from '../../../src/rules/kinds/index.ts';
import type { RuleKindModule } from '../../../src/rules/types.ts';
import {
  circlePlace,
  equipment,
  FLEET,
  HELSINKI,
  KindRun,
  ORG_ID,
  offset,
  orgContext,
  polygonPlace,
  rule,
  T0,
} from '../support.ts';

const PLACES = [
  circlePlace('depot', 'Depot', HELSINKI, 300),
  polygonPlace('site', 'Site', [
    offset(HELSINKI, -500, 500),
    offset(HELSINKI, -500, 900),
    offset(HELSINKI, -100, 900),
    offset(HELSINKI, -100, 500),
  ]),
  circlePlace('pole', 'Pole', { lat: 89.99, lon: 0 }, 500, { category: 'other' }),
  polygonPlace(
    'date-line',
    'Date line',
    [
      { lat: -16.9, lon: 179.5 },
      { lat: -16.9, lon: 179.9999 },
      { lat: -16.5, lon: 179.9999 },
      { lat: -16.5, lon: 179.5 },
    ],
    { category: 'parking' },
  ),
];
const DEVICES = {
  ...FLEET,
  tag: equipment('00000000-0000-4000-8000-0000000000b3', 'Tag', { offlineAfterS: 60 }),
};

/** Each kind with its defaults and with a variant at other corners of its parameters. */
const VARIANTS: Record<RuleKind, Record<string, unknown>[]> = {
  geofence_enter: [{}, { minInsideS: 60 }],
  geofence_exit: [{}, { minOutsideS: 60 }],
  geofence_dwell: [{}, { minDwellS: 1 }],
  overspeed: [{}, { limitKmh: 5, toleranceKmh: 0, minDurationS: 0, useVehicleLimit: false }],
  idling: [{}, { minDurationS: 1, maxSpeedKmh: 0 }],
  offline: [{}, { afterS: 60 }],
  after_hours: [{}, { trigger: 'movement', minSpeedKmh: 0, minDurationS: 0, clearDelayS: 0 }],
  harsh_driving: [{}, { events: ['HARSH_BRAKING'], minPeakG: 20 }],
  crash: [{}, { minPeakG: 50 }],
  engine_fault: [{}, { codePrefixes: ['P0'], ignoreCodes: ['P0420'], clearDelayS: 0 }],
  fuel_drop: [{}, { minDropPct: 1, withinS: 1, smoothingReadings: 1 }],
  refuel: [{}, { minRisePct: 1, withinS: 21_600, smoothingReadings: 31 }],
  low_fuel: [{}, { belowPct: 90, hysteresisPct: 50 }],
  power_cut: [{}, { belowExternalV: 60, clearDelayS: 3600 }],
  tamper: [{}, { clearDelayS: 3600 }],
  low_battery: [{}, { belowV: 60, hysteresisV: 10, minDurationS: 0 }],
  threshold: [
    { field: 'coolantTempC', above: 100, below: 0, hysteresis: 5, minDurationS: 30 },
    { field: 'speedKmh', above: 0 },
  ],
  equipment_left_behind: [{}, { distanceM: 50, togetherM: 500, minTogetherS: 1 }],
  equipment_unaccompanied: [{}, { minMoveM: 20, nearM: 5000 }],
  service_due: [{}, { levels: ['overdue'], planIds: ['00000000-0000-4000-8000-0000000000f1'] }],
  job_late: [{}, { graceMin: 0 }],
};

const maybe = <T>(arb: fc.Arbitrary<T>) => fc.oneof(fc.constant(undefined), arb);

/** A numeric field: unreported, at a bound, or anywhere within them. */
function numberField(min: number, max: number): fc.Arbitrary<number | undefined> {
  return fc.oneof(
    fc.constant(undefined),
    fc.constantFrom(min, max),
    fc.double({ min, max, noNaN: true, noDefaultInfinity: true }),
  );
}

const position = fc.oneof(
  fc.constant({ lat: undefined, lon: undefined }),
  fc.record({ lat: fc.constantFrom(-90, 90, 0), lon: fc.constantFrom(-180, 180, 0) }),
  fc.record({ lat: numberField(-90, 90), lon: numberField(-180, 180) }),
  fc
    .record({
      n: fc.double({ min: -1500, max: 1500, noNaN: true }),
      e: fc.double({ min: -1500, max: 1500, noNaN: true }),
    })
    .map(({ n, e }) => offset(HELSINKI, n, e)),
  fc.record({
    lat: fc.double({ min: 89.9, max: 90, noNaN: true }),
    lon: fc.double({ min: -180, max: 180, noNaN: true }),
  }),
  fc.record({
    lat: fc.double({ min: -17, max: -16.4, noNaN: true }),
    lon: fc.constantFrom(179.9999, -180, 180, 179.7),
  }),
);

type Fields = Omit<TelemetryRecord, 'tenant' | 'deviceId' | 'seq' | 'ts' | 'receivedAt'>;

const measured: Record<string, fc.Arbitrary<unknown>> = {};
for (const f of TELEMETRY_FIELDS) {
  if (['seq', 'lat', 'lon'].includes(f.name)) continue;
  if (f.type === 'boolean') measured[f.name] = maybe(fc.boolean());
  else if (f.name === 'dtcCodes')
    measured[f.name] = maybe(
      fc.array(fc.constantFrom('P0420', 'P0301', 'P0300', 'C1234', 'U0100', 'B0001'), { maxLength: 4 }),
    );
  else if (f.type === 'string') measured[f.name] = maybe(fc.string({ maxLength: 20 }));
  else measured[f.name] = numberField(f.min ?? 0, f.max ?? 1e9);
}
const fields = fc
  .tuple(fc.record(measured), position)
  .map(([m, p]) => ({ ...NO_MEASUREMENTS, ...m, ...p }) as Fields);

const device = fc.constantFrom('van', 'truck', 'gen', 'comp', 'tag', 'stranger');
/** Device time moves on by up to an hour, stands still, or goes back a little. */
const gapMs = fc.oneof(
  fc.integer({ min: 0, max: 3_600_000 }),
  fc.constant(0),
  fc.integer({ min: -120_000, max: 0 }),
);
const delayMs = fc.oneof(fc.constant(1000), fc.integer({ min: 0, max: 86_400_000 }));

const EVENT_KINDS = [
  'POWER_CUT',
  'POWER_RESTORED',
  'TAMPER',
  'HARSH_BRAKING',
  'HARSH_ACCELERATION',
  'HARSH_CORNERING',
  'CRASH',
  'BUTTON',
  'BOOT',
  'CONNECTED',
  'DISCONNECTED',
  'SOMETHING_NEW',
];

type Step =
  | { type: 'record'; deviceId: string; gap: number; delay: number; fields: Fields }
  | {
      type: 'event';
      deviceId: string;
      gap: number;
      delay: number;
      kind: string;
      peakG: number | undefined;
      position: { lat: number | undefined; lon: number | undefined };
      speedKmh: number | undefined;
    }
  | { type: 'tick'; gap: number };

const step: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      type: fc.constant('record' as const),
      deviceId: device,
      gap: gapMs,
      delay: delayMs,
      fields,
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      type: fc.constant('event' as const),
      deviceId: device,
      gap: gapMs,
      delay: delayMs,
      kind: fc.constantFrom(...EVENT_KINDS),
      peakG: maybe(fc.oneof(fc.constantFrom(0, 20, 50), fc.double({ min: 0, max: 50, noNaN: true }))),
      position,
      speedKmh: numberField(0, 400),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ type: fc.constant('tick' as const), gap: fc.integer({ min: 0, max: 7_200_000 }) }),
  },
);

/** The steps as records, events and ticks on one clock (device time; server time = device time + delay). */
function materialise(steps: Step[]) {
  let t = T0;
  let seq = 0;
  return steps.map((s) => {
    t += s.gap;
    seq += 1;
    if (s.type === 'tick') return { tick: t + 600_000 };
    if (s.type === 'record') {
      const r: TelemetryRecord = {
        ...s.fields,
        tenant: ORG_ID,
        deviceId: s.deviceId,
        seq,
        ts: t,
        receivedAt: t + s.delay,
      };
      return { record: r };
    }
    const e: DeviceEventRecord = {
      tenant: ORG_ID,
      deviceId: s.deviceId,
      seq,
      ts: t,
      receivedAt: t + s.delay,
      kind: s.kind,
      ...s.position,
      speedKmh: s.speedKmh,
      peakG: s.peakG,
      buttonId: undefined,
      firmware: undefined,
      detail: '',
    };
    return { event: e };
  });
}

describe('every rule kind on random input', () => {
  const { seed, runs } = fuzzParameters('rule kinds', 150);

  it('has a module for every kind of the catalogue', () => {
    expect(Object.keys(RULE_KIND_MODULES).sort()).toEqual([...RULE_KINDS].sort());
    for (const kind of RULE_KINDS) expect(RULE_KIND_MODULES[kind].kind).toBe(kind);
  });

  it('never throws, and every observation and occurrence has a finite device time', () => {
    let results = 0;
    fc.assert(
      fc.property(fc.array(step, { minLength: 1, maxLength: 60 }), (steps) => {
        const items = materialise(steps);
        for (const kind of RULE_KINDS) {
          for (const params of VARIANTS[kind]) {
            const module = RULE_KIND_MODULES[kind] as RuleKindModule;
            const r = new KindRun(
              module,
              rule(kind, params) as never,
              orgContext({ devices: DEVICES, places: PLACES }),
            );
            for (const item of items) {
              if ('tick' in item) r.tick(item.tick as number);
              else if ('record' in item) r.record(item.record as TelemetryRecord);
              else r.event(item.event as DeviceEventRecord);
            }
            for (const o of [...r.observations, ...r.occurrences]) {
              expect(Number.isFinite(o.at)).toBe(true);
              expect(typeof o.key).toBe('string');
            }
            results += r.observations.length + r.occurrences.length;
          }
        }
      }),
      { seed, numRuns: runs },
    );
    // The random input reached the kinds' conditions, not only their early returns.
    expect(results).toBeGreaterThan(runs * 10);
  });
});
