// Due services into alerts, as plain functions: for each asset and plan that applies to it, the
// organisation's service-due rules say which steps (due soon, due, overdue) raise an alert.
// Each step's alert is one episode per service (the episode key names the rule, asset, plan,
// the work order the count started from, and the step), so it is raised once, not on every
// record; when the asset moves to another step, or the service is done (a new baseline), the
// alert of the step before is cleared and resolves. A plan may also ask for a work order once
// its service is due soon or due: one, never a second while it is unfinished.
import type { RuleDefinition } from '@fleet/shared';
import type { AssetPlanStatus } from '@fleet/shared/db';
import { levelRank, type ServiceLevel, type ServiceStatus } from '@fleet/shared/maintenance';
import { ruleCovers } from '../rules/directory.ts';
import type { AlertDetails, AlertSignal, AssetInfo } from '../rules/types.ts';

export type ServiceDueRule = RuleDefinition<'service_due'>;

export interface DueEvaluation {
  signals: AlertSignal[];
  /** Episode keys of the service-due alerts that should be active after the signals. */
  active: Set<string>;
  /** Plans whose status asks for a work order that is not open yet. */
  workOrders: AssetPlanStatus[];
}

const LEVEL_WORDS: Record<Exclude<ServiceLevel, 'ok'>, string> = {
  due_soon: 'due soon',
  due: 'due',
  overdue: 'overdue',
};

const round = (n: number) => Math.round(n).toLocaleString('en-GB');

/** What is left (or how far past), in the unit that decides: "600 km left", "3 days past due". */
export function remainingText(status: ServiceStatus): string {
  const by = status.decidedBy;
  const value =
    by === 'km'
      ? status.remainingKm
      : by === 'hours'
        ? status.remainingHours
        : by === 'time'
          ? status.remainingDays
          : null;
  if (value === null) return '';
  const amount = Math.round(Math.abs(value));
  const unit =
    by === 'km'
      ? 'km'
      : by === 'hours'
        ? amount === 1
          ? 'engine hour'
          : 'engine hours'
        : amount === 1
          ? 'day'
          : 'days';
  if (value > 0)
    return amount === 0
      ? `under 1 ${by === 'km' ? 'km' : by === 'hours' ? 'engine hour' : 'day'} left`
      : `${round(value)} ${unit} left`;
  if (value > -0.5) return 'due now';
  return `${round(-value)} ${unit} past due`;
}

export function episodeKey(rule: ServiceDueRule, s: AssetPlanStatus, level: ServiceLevel): string {
  return `service_due:${rule.id}:${s.asset.id}:${s.plan.id}:${s.baseline.workOrderId ?? 'start'}:${level}`;
}

function assetInfo(s: AssetPlanStatus): AssetInfo {
  return {
    id: s.asset.id,
    kind: s.asset.kind,
    name: s.asset.name,
    plate: s.asset.plate,
    departmentId: s.asset.departmentId,
    speedLimitKmh: null,
    offlineAfterS: null,
    tankCapacityL: null,
    odometerOffsetKm: 0,
    engineHoursOffset: 0,
  };
}

function details(s: AssetPlanStatus, level: ServiceLevel): AlertDetails {
  const st = s.status;
  return {
    planId: s.plan.id,
    planName: s.plan.name,
    level,
    decidedBy: st.decidedBy,
    dueOdometerKm: st.dueOdometerKm,
    dueEngineHours: st.dueEngineHours,
    dueAt: st.dueAt === null ? null : new Date(st.dueAt).toISOString(),
    remainingKm: st.remainingKm === null ? null : Math.round(st.remainingKm * 10) / 10,
    remainingHours: st.remainingHours === null ? null : Math.round(st.remainingHours * 10) / 10,
    remainingDays: st.remainingDays === null ? null : Math.round(st.remainingDays * 10) / 10,
    odometerKm: s.meters.odometerKm,
    engineHours: s.meters.engineHours,
    baselineWorkOrderId: s.baseline.workOrderId,
    workOrderId: s.openWorkOrderId,
  };
}

/**
 * The signals that bring an organisation's service-due alerts to where its statuses say they
 * should be. `known` holds the episode keys of its active service-due alerts now.
 */
export function evaluateDue(input: {
  orgId: string;
  statuses: readonly AssetPlanStatus[];
  rules: readonly ServiceDueRule[];
  departmentPath(departmentId: string | null): readonly string[];
  known: ReadonlySet<string>;
  now: number;
}): DueEvaluation {
  const signals: AlertSignal[] = [];
  const active = new Set<string>();
  const workOrders: AssetPlanStatus[] = [];
  for (const s of input.statuses) {
    const level = s.status.level;
    const auto = s.plan.autoWorkOrder;
    if (auto !== null && s.openWorkOrderId === null && levelRank(level) >= levelRank(auto))
      workOrders.push(s);
    if (level === 'ok') continue;
    const path = input.departmentPath(s.asset.departmentId);
    for (const rule of input.rules) {
      if (!rule.params.levels.includes(level)) continue;
      if (rule.params.planIds.length > 0 && !rule.params.planIds.includes(s.plan.id)) continue;
      if (!ruleCovers(rule, s.asset, path)) continue;
      const key = episodeKey(rule, s, level);
      active.add(key);
      if (input.known.has(key)) continue;
      const label = s.asset.plate ? `${s.asset.name} (${s.asset.plate})` : s.asset.name;
      const left = remainingText(s.status);
      signals.push({
        type: 'open',
        episodeKey: key,
        rule,
        deviceId: s.asset.deviceId,
        asset: assetInfo(s),
        severity: rule.severity,
        title: `${s.plan.name} ${LEVEL_WORDS[level]}: ${label}${left ? `, ${left}` : ''}`,
        startedAt: input.now,
        active: true,
        late: false,
        details: details(s, level),
        placeId: undefined,
        position: undefined,
      });
    }
  }
  for (const key of input.known)
    if (!active.has(key))
      signals.push({ type: 'clear', orgId: input.orgId, episodeKey: key, endedAt: input.now, details: {} });
  return { signals, active, workOrders };
}
