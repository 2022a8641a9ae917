// Alerts and rules in the words people read them. The kinds' labels are the catalogue's own,
// from the zod-free @fleet/shared/rule-labels (@fleet/shared/rules would bring zod into the bundle).
import { RULE_KIND_LABELS } from '@fleet/shared/rule-labels';
import type { AlertSeverity, AlertState, RuleKind } from '@fleet/shared/rules';

export const KIND_LABELS: Record<RuleKind, string> = RULE_KIND_LABELS;
/** The kinds in the catalogue's order (the labels' keys are in it). */
export const RULE_KINDS = Object.keys(RULE_KIND_LABELS) as RuleKind[];

export function kindLabel(kind: string): string {
  return (KIND_LABELS as Record<string, string>)[kind] ?? kind.replaceAll('_', ' ');
}

/** Lowest first, as the API orders them (a channel's minSeverity counts this way). */
export const SEVERITIES: readonly AlertSeverity[] = ['info', 'warning', 'critical'];
export const SEVERITY_LABELS: Record<AlertSeverity, string> = {
  info: 'Info',
  warning: 'Warning',
  critical: 'Critical',
};

export const ALERT_STATES: readonly AlertState[] = ['open', 'acknowledged', 'resolved'];
export const STATE_LABELS: Record<AlertState, string> = {
  open: 'Open',
  acknowledged: 'Acknowledged',
  resolved: 'Resolved',
};

/** The timeline's actions (api/src/domains/alerts/schemas.ts, ALERT_ACTIONS), as sentences. */
export const ACTION_LABELS = {
  opened: 'Raised',
  updated: 'New figures',
  condition_cleared: 'Condition cleared',
  reactivated: 'Condition back',
  acknowledged: 'Acknowledged',
  resolved: 'Resolved',
  reopened: 'Reopened',
  assigned: 'Assigned',
  unassigned: 'Unassigned',
  commented: 'Comment',
  suppressed: 'Explained by another alert',
} as const satisfies Record<string, string>;

export function actionLabel(action: string): string {
  return (ACTION_LABELS as Record<string, string>)[action] ?? action.replaceAll('_', ' ');
}
