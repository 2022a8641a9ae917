// What each rule kind is called, in the catalogue's order, without zod: the console imports it
// at run time (rules.ts, which the engine and the API read, re-exports it).
import type { RuleKind } from './rules.ts';

/** What each kind is, in the words people see it in (titles, the console's catalogue). */
export const RULE_KIND_LABELS: Record<RuleKind, string> = {
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
  service_due: 'Service due',
  job_late: 'Job running late',
};
