import { type RuleScope, ruleScopeSchema } from '@fleet/shared';
import type { AssetPlanStatus, MaintainedAsset, PlanBaseline, ServicePlan } from '@fleet/shared/db';
import {
  type DailyUse,
  type MeterValues,
  type ServiceInterval,
  type ServiceLevel,
  type ServiceStatus,
  serviceStatus,
} from '@fleet/shared/maintenance';
import { describe, expect, it } from 'vitest';
import {
  episodeKey,
  evaluateDue,
  remainingText,
  type ServiceDueRule,
} from '../../src/maintenance/monitor.ts';
import type { AlertSignal } from '../../src/rules/types.ts';

const ORG = '00000000-0000-4000-8000-0000000000f1';
const DAY = 86_400_000;
/** Monday 1 June 2026, 08:00 UTC. */
const NOW = Date.UTC(2026, 5, 1, 8);
const START = Date.UTC(2026, 0, 1);
const NO_USE: DailyUse = { kmPerDay: null, hoursPerDay: null };

const PLAN_ID = '00000000-0000-4000-8000-00000000c001';
const OTHER_PLAN_ID = '00000000-0000-4000-8000-00000000c002';
const VAN_ID = '00000000-0000-4000-8000-0000000000a1';
const TRUCK_ID = '00000000-0000-4000-8000-0000000000a2';
/** Departments: Logistics, with North under it; Sales on its own. */
const LOGISTICS = '00000000-0000-4000-8000-00000000d001';
const NORTH = '00000000-0000-4000-8000-00000000d002';
const SALES = '00000000-0000-4000-8000-00000000d003';
const PATHS: Record<string, string[]> = {
  [LOGISTICS]: [LOGISTICS],
  [NORTH]: [NORTH, LOGISTICS],
  [SALES]: [SALES],
};
const departmentPath = (id: string | null): readonly string[] => (id === null ? [] : (PATHS[id] ?? []));

function plan(
  patch: Partial<Omit<ServicePlan, 'interval'>> & { interval?: Partial<ServiceInterval> } = {},
): ServicePlan {
  const { interval, ...rest } = patch;
  return {
    id: PLAN_ID,
    orgId: ORG,
    name: 'Oil change',
    description: null,
    items: ['Drain oil', 'Replace filter'],
    interval: {
      km: 30_000,
      hours: null,
      months: null,
      soonKm: 1000,
      soonHours: null,
      soonDays: null,
      ...interval,
    },
    appliesTo: { assetIds: [], assetKinds: ['vehicle'], categories: [] },
    autoWorkOrder: null,
    createdAt: new Date(START),
    updatedAt: new Date(START),
    ...rest,
  };
}

function asset(patch: Partial<MaintainedAsset> = {}): MaintainedAsset {
  return {
    id: VAN_ID,
    kind: 'vehicle',
    name: 'Van',
    plate: 'ABC-123',
    category: null,
    departmentId: null,
    status: 'active',
    createdAt: START,
    deviceId: 'dev-van',
    ...patch,
  };
}

/** An asset's standing on a plan, the status worked out by serviceStatus as the monitor gets it. */
function standing(
  opts: {
    plan?: ServicePlan;
    asset?: MaintainedAsset;
    meters?: Partial<MeterValues>;
    baseline?: Partial<PlanBaseline>;
    openWorkOrderId?: string | null;
    now?: number;
  } = {},
): AssetPlanStatus {
  const p = opts.plan ?? plan();
  const baseline: PlanBaseline = {
    workOrderId: null,
    at: START,
    odometerKm: 0,
    engineHours: 0,
    ...opts.baseline,
  };
  const meters: MeterValues = { odometerKm: null, engineHours: null, ...opts.meters };
  return {
    asset: opts.asset ?? asset(),
    plan: p,
    baseline,
    meters,
    status: serviceStatus(p.interval, baseline, meters, NO_USE, opts.now ?? NOW),
    openWorkOrderId: opts.openWorkOrderId ?? null,
  };
}

/** The van on the oil-change plan (due at 30,000 km, 1,000 km window) at `km`. */
const at = (km: number, opts: Parameters<typeof standing>[0] = {}) =>
  standing({ ...opts, meters: { odometerKm: km, ...opts.meters } });

let ruleCount = 0;
function dueRule(
  patch: {
    levels?: ServiceLevel[];
    planIds?: string[];
    scope?: Partial<RuleScope>;
    severity?: 'warning' | 'critical';
  } = {},
): ServiceDueRule {
  ruleCount += 1;
  return {
    id: `00000000-0000-4000-8000-${String(ruleCount).padStart(12, '0')}`,
    orgId: ORG,
    name: 'Service due',
    kind: 'service_due',
    severity: patch.severity ?? 'warning',
    enabled: true,
    params: {
      levels: (patch.levels ?? ['due_soon', 'due', 'overdue']) as ServiceDueRule['params']['levels'],
      planIds: patch.planIds ?? [],
    },
    scope: ruleScopeSchema.parse(patch.scope ?? {}),
    schedule: undefined,
  };
}

function evaluate(statuses: AssetPlanStatus[], rules: ServiceDueRule[], known: string[] = []) {
  return evaluateDue({ orgId: ORG, statuses, rules, departmentPath, known: new Set(known), now: NOW });
}

type Open = Extract<AlertSignal, { type: 'open' }>;
type Clear = Extract<AlertSignal, { type: 'clear' }>;
const opens = (r: ReturnType<typeof evaluate>) => r.signals.filter((s): s is Open => s.type === 'open');
const clears = (r: ReturnType<typeof evaluate>) => r.signals.filter((s): s is Clear => s.type === 'clear');

describe('evaluateDue signals', () => {
  it('opens one signal at each level the rule watches, none while ok', () => {
    const rule = dueRule();
    expect(evaluate([at(20_000)], [rule])).toEqual({ signals: [], active: new Set(), workOrders: [] });
    for (const [km, level] of [
      [29_400, 'due_soon'],
      [30_000, 'due'],
      [31_500, 'overdue'],
    ] as const) {
      const s = at(km);
      expect(s.status.level).toBe(level);
      const result = evaluate([s], [rule]);
      const key = episodeKey(rule, s, level);
      expect(key).toBe(`service_due:${rule.id}:${VAN_ID}:${PLAN_ID}:start:${level}`);
      expect(result.signals).toHaveLength(1);
      expect(result.signals[0]).toMatchObject({
        type: 'open',
        episodeKey: key,
        rule,
        deviceId: 'dev-van',
        severity: 'warning',
        startedAt: NOW,
        active: true,
        late: false,
        placeId: undefined,
        position: undefined,
      });
      expect(result.active).toEqual(new Set([key]));
    }
  });

  it('takes the severity from the rule', () => {
    const result = evaluate([at(30_000)], [dueRule({ severity: 'critical' })]);
    expect(opens(result)[0]?.severity).toBe('critical');
  });

  it('raises a known episode once', () => {
    const rule = dueRule();
    const s = at(29_400);
    const key = episodeKey(rule, s, 'due_soon');
    const result = evaluate([s], [rule], [key]);
    expect(result.signals).toEqual([]);
    expect(result.active).toEqual(new Set([key]));
  });

  it('clears due soon and opens due when the asset moves on', () => {
    const rule = dueRule();
    const soonKey = episodeKey(rule, at(29_400), 'due_soon');
    const s = at(30_100);
    const result = evaluate([s], [rule], [soonKey]);
    expect(opens(result).map((o) => o.episodeKey)).toEqual([episodeKey(rule, s, 'due')]);
    expect(clears(result)).toEqual([
      { type: 'clear', orgId: ORG, episodeKey: soonKey, endedAt: NOW, details: {} },
    ]);
  });

  it('clears the old keys once the service is done (a new baseline)', () => {
    const rule = dueRule();
    const before = at(30_500);
    const dueKey = episodeKey(rule, before, 'due');
    // Serviced at 30,500 km: the count starts again from the work order.
    const after = at(30_600, { baseline: { workOrderId: 'wo-1', at: NOW - DAY, odometerKm: 30_500 } });
    expect(after.status.level).toBe('ok');
    const result = evaluate([after], [rule], [dueKey]);
    expect(result.signals).toEqual([
      { type: 'clear', orgId: ORG, episodeKey: dueKey, endedAt: NOW, details: {} },
    ]);
    expect(result.active.size).toBe(0);
    // Due again on the new baseline: a new episode, named by the work order.
    const again = at(60_000, { baseline: { workOrderId: 'wo-1', at: NOW - DAY, odometerKm: 30_500 } });
    const next = evaluate([again], [rule], [dueKey]);
    expect(opens(next).map((o) => o.episodeKey)).toEqual([
      `service_due:${rule.id}:${VAN_ID}:${PLAN_ID}:wo-1:due_soon`,
    ]);
    expect(clears(next).map((c) => c.episodeKey)).toEqual([dueKey]);
  });

  it('clears a known key no rule raises any more', () => {
    const result = evaluate([at(30_000)], [], ['service_due:gone:x:y:start:due']);
    expect(clears(result).map((c) => c.episodeKey)).toEqual(['service_due:gone:x:y:start:due']);
  });

  it('raises nothing for a level the rule does not watch', () => {
    expect(evaluate([at(30_000)], [dueRule({ levels: ['overdue'] })]).signals).toEqual([]);
    expect(evaluate([at(29_500)], [dueRule({ levels: ['due', 'overdue'] })]).signals).toEqual([]);
    expect(opens(evaluate([at(31_500)], [dueRule({ levels: ['overdue'] })]))).toHaveLength(1);
  });

  it('raises only for the plans a rule names, if it names any', () => {
    expect(evaluate([at(30_000)], [dueRule({ planIds: [OTHER_PLAN_ID] })]).signals).toEqual([]);
    expect(opens(evaluate([at(30_000)], [dueRule({ planIds: [OTHER_PLAN_ID, PLAN_ID] })]))).toHaveLength(1);
  });

  it('gives each rule its own episode', () => {
    const a = dueRule();
    const b = dueRule({ levels: ['due'] });
    const result = evaluate([at(30_000)], [a, b]);
    expect(opens(result).map((o) => o.rule.id)).toEqual([a.id, b.id]);
    expect(result.active.size).toBe(2);
  });

  it('follows the rule’s department scope down the tree', () => {
    const rule = dueRule({ scope: { departmentIds: [LOGISTICS] } });
    const inNorth = at(30_000, { asset: asset({ departmentId: NORTH }) });
    const inSales = at(30_000, { asset: asset({ id: TRUCK_ID, departmentId: SALES }) });
    const nowhere = at(30_000, { asset: asset({ id: TRUCK_ID, departmentId: null }) });
    expect(opens(evaluate([inNorth], [rule]))).toHaveLength(1);
    expect(evaluate([inSales], [rule]).signals).toEqual([]);
    expect(evaluate([nowhere], [rule]).signals).toEqual([]);
  });

  it('follows the rule’s asset scope', () => {
    const rule = dueRule({ scope: { assetIds: [TRUCK_ID] } });
    expect(evaluate([at(30_000)], [rule]).signals).toEqual([]);
    expect(opens(evaluate([at(30_000, { asset: asset({ id: TRUCK_ID }) })], [rule]))).toHaveLength(1);
  });

  it('covers equipment too', () => {
    const generator = asset({
      kind: 'equipment',
      name: 'Generator G-12',
      plate: null,
      category: 'generator',
    });
    const s = standing({
      asset: generator,
      plan: plan({ interval: { km: null, soonKm: null, hours: 250 } }),
      meters: { engineHours: 240 },
    });
    expect(opens(evaluate([s], [dueRule()]))).toMatchObject([
      { title: 'Oil change due soon: Generator G-12, 10 engine hours left', asset: { kind: 'equipment' } },
    ]);
  });

  it('opens a signal without a device for an asset that has none', () => {
    const result = evaluate([at(30_000, { asset: asset({ deviceId: null }) })], [dueRule()]);
    expect(opens(result)).toHaveLength(1);
    expect(opens(result)[0]?.deviceId).toBeNull();
  });
});

describe('evaluateDue titles and details', () => {
  const titleOf = (s: AssetPlanStatus) => opens(evaluate([s], [dueRule()]))[0]?.title;

  it('names the plan, the step, the asset and plate, and what is left', () => {
    expect(titleOf(at(29_400))).toBe('Oil change due soon: Van (ABC-123), 600 km left');
    expect(titleOf(at(30_000))).toBe('Oil change due: Van (ABC-123), due now');
    expect(titleOf(at(31_500))).toBe('Oil change overdue: Van (ABC-123), 1,500 km past due');
    expect(titleOf(at(30_000, { asset: asset({ plate: null }) }))).toBe('Oil change due: Van, due now');
  });

  it('counts days for a calendar plan', () => {
    const monthly = plan({ name: 'Inspection', interval: { km: null, soonKm: null, months: 6 } });
    // Due 1 July 2026; three days later it is due (within the 14-day window), not yet overdue.
    const late = standing({ plan: monthly, now: Date.UTC(2026, 6, 4) });
    expect(titleOf(late)).toBe('Inspection due: Van (ABC-123), 3 days past due');
    const soon = standing({ plan: monthly, now: Date.UTC(2026, 5, 21) });
    expect(titleOf(soon)).toBe('Inspection due soon: Van (ABC-123), 10 days left');
  });

  it('details the plan, the level and where the service falls due', () => {
    const s = at(29_400.04, { openWorkOrderId: null, meters: { engineHours: 812 } });
    const open = opens(evaluate([s], [dueRule()]))[0];
    expect(open?.details).toEqual({
      planId: PLAN_ID,
      planName: 'Oil change',
      level: 'due_soon',
      decidedBy: 'km',
      dueOdometerKm: 30_000,
      dueEngineHours: null,
      dueAt: null,
      remainingKm: 600,
      remainingHours: null,
      remainingDays: null,
      odometerKm: 29_400.04,
      engineHours: 812,
      baselineWorkOrderId: null,
      workOrderId: null,
    });
  });

  it('gives the due date in ISO form and the open work order', () => {
    const monthly = plan({ interval: { months: 6 } });
    const s = standing({
      plan: monthly,
      meters: { odometerKm: 10_000 },
      now: Date.UTC(2026, 6, 4),
      openWorkOrderId: 'wo-7',
    });
    const open = opens(evaluate([s], [dueRule()]))[0];
    expect(open?.details).toMatchObject({
      level: 'due',
      decidedBy: 'time',
      dueAt: '2026-07-01T00:00:00.000Z',
      remainingDays: -3,
      workOrderId: 'wo-7',
    });
  });

  it('hands the rule engine the asset as it knows it', () => {
    const open = opens(evaluate([at(30_000, { asset: asset({ departmentId: NORTH }) })], [dueRule()]))[0];
    expect(open?.asset).toEqual({
      id: VAN_ID,
      kind: 'vehicle',
      name: 'Van',
      plate: 'ABC-123',
      departmentId: NORTH,
      speedLimitKmh: null,
      offlineAfterS: null,
      tankCapacityL: null,
      odometerOffsetKm: 0,
      engineHoursOffset: 0,
    });
  });
});

describe('remainingText', () => {
  const status = (patch: Partial<ServiceStatus>): ServiceStatus => ({
    level: 'due',
    decidedBy: null,
    dueOdometerKm: null,
    dueEngineHours: null,
    dueAt: null,
    remainingKm: null,
    remainingHours: null,
    remainingDays: null,
    forecastAt: null,
    ...patch,
  });

  it('says what is left in the deciding unit', () => {
    expect(remainingText(status({ decidedBy: 'km', remainingKm: 600 }))).toBe('600 km left');
    expect(remainingText(status({ decidedBy: 'km', remainingKm: 12_345.6 }))).toBe('12,346 km left');
    expect(remainingText(status({ decidedBy: 'hours', remainingHours: 7.4, remainingKm: 5 }))).toBe(
      '7 engine hours left',
    );
    expect(remainingText(status({ decidedBy: 'time', remainingDays: 9.6 }))).toBe('10 days left');
  });

  it('says due now within half a unit past due, and how far past after that', () => {
    expect(remainingText(status({ decidedBy: 'km', remainingKm: 0 }))).toBe('due now');
    expect(remainingText(status({ decidedBy: 'km', remainingKm: -0.4 }))).toBe('due now');
    expect(remainingText(status({ decidedBy: 'km', remainingKm: -1500 }))).toBe('1,500 km past due');
    expect(remainingText(status({ decidedBy: 'time', remainingDays: -3 }))).toBe('3 days past due');
    expect(remainingText(status({ decidedBy: 'hours', remainingHours: -20.2 }))).toBe(
      '20 engine hours past due',
    );
  });

  it('says nothing when no unit decides', () => {
    expect(remainingText(status({ decidedBy: null, remainingKm: 5 }))).toBe('');
    expect(remainingText(status({ decidedBy: 'km', remainingKm: null }))).toBe('');
  });
});

describe('evaluateDue work orders', () => {
  const auto = (autoWorkOrder: ServicePlan['autoWorkOrder']) => plan({ autoWorkOrder });

  it('asks for a work order once the plan’s step is reached and none is open', () => {
    const p = auto('due_soon');
    expect(evaluate([at(20_000, { plan: p })], []).workOrders).toEqual([]);
    for (const km of [29_000, 30_000, 40_000]) {
      const s = at(km, { plan: p });
      expect(evaluate([s], []).workOrders).toEqual([s]);
    }
  });

  it('does not ask while a work order is open', () => {
    const s = at(30_500, { plan: auto('due_soon'), openWorkOrderId: 'wo-3' });
    expect(evaluate([s], [dueRule()]).workOrders).toEqual([]);
  });

  it('waits for due when the plan says so, and never asks when it does not', () => {
    expect(evaluate([at(29_500, { plan: auto('due') })], []).workOrders).toEqual([]);
    expect(evaluate([at(30_000, { plan: auto('due') })], []).workOrders).toHaveLength(1);
    expect(evaluate([at(35_000, { plan: auto(null) })], []).workOrders).toEqual([]);
  });

  it('asks whatever the rules watch', () => {
    const s = at(29_500, { plan: auto('due_soon') });
    const result = evaluate([s], [dueRule({ levels: ['overdue'] })]);
    expect(result.signals).toEqual([]);
    expect(result.workOrders).toEqual([s]);
  });
});
