// Alerts and rules in the words people read them. The kinds' labels are the catalogue's own
// (RULE_KIND_LABELS in @fleet/shared/rules, which the console cannot import at run time: it
// brings zod into the bundle); web/test/alerts-labels.test.ts checks the copy equals it.
import type { AlertSeverity, AlertState, RuleKind } from '@fleet/shared/rules';

export const RULE_KINDS: readonly RuleKind[] = [
  'geofence_enter',
  'geofence_exit',
  'geofence_dwell',
  'overspeed',
  'idling',
  'offline',
  'after_hours',
  'harsh_driving',
  'crash',
  'engine_fault',
  'fuel_drop',
  'refuel',
  'low_fuel',
  'power_cut',
  'tamper',
  'low_battery',
  'threshold',
  'equipment_left_behind',
  'equipment_unaccompanied',
];

export const KIND_LABELS: Record<RuleKind, string> = {
  geofence_enter: 'Entered a place',
  geofence_exit: 'Left a place',
  geofence_dwell: 'Stayed at a place too long',
  overspeed: 'Speeding',
  idling: 'Idling',
  offline: 'No data (offline)',
  after_hours: 'Used outside working hours',
  harsh_driving: 'Harsh driving',
  crash: 'Crash',
  engine_fault: 'Engine fault code',
  fuel_drop: 'Sudden fuel drop (possible theft)',
  refuel: 'Refuel',
  low_fuel: 'Low fuel',
  power_cut: 'External power cut',
  tamper: 'Tamper',
  low_battery: 'Low backup battery',
  threshold: 'Value out of range',
  equipment_left_behind: 'Equipment left behind',
  equipment_unaccompanied: 'Equipment moving without a vehicle',
};

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
