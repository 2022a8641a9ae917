// Every rule kind's module, by kind: the engine's dispatch table. Typed over RuleKind, so a
// kind added to the catalogue (shared/src/rules.ts) without a module here fails the type check.
import type { RuleKind } from '@fleet/shared';
import type { RuleKindModule } from '../types.ts';
import { afterHours } from './after-hours.ts';
import { crash } from './crash.ts';
import { engineFault } from './engine-fault.ts';
import { equipmentLeftBehind } from './equipment-left-behind.ts';
import { equipmentUnaccompanied } from './equipment-unaccompanied.ts';
import { fuelDrop } from './fuel-drop.ts';
import { geofenceDwell } from './geofence-dwell.ts';
import { geofenceEnter } from './geofence-enter.ts';
import { geofenceExit } from './geofence-exit.ts';
import { harshDriving } from './harsh-driving.ts';
import { idling } from './idling.ts';
import { lowBattery } from './low-battery.ts';
import { lowFuel } from './low-fuel.ts';
import { offline } from './offline.ts';
import { overspeed } from './overspeed.ts';
import { powerCut } from './power-cut.ts';
import { refuel } from './refuel.ts';
import { jobLate, serviceDue } from './service-due.ts';
import { tamper } from './tamper.ts';
import { threshold } from './threshold.ts';

export { carryEquipmentPairings } from './equipment.ts';

export const RULE_KIND_MODULES: { readonly [K in RuleKind]: RuleKindModule<K> } = {
  geofence_enter: geofenceEnter,
  geofence_exit: geofenceExit,
  geofence_dwell: geofenceDwell,
  overspeed,
  idling,
  offline,
  after_hours: afterHours,
  harsh_driving: harshDriving,
  crash,
  engine_fault: engineFault,
  fuel_drop: fuelDrop,
  refuel,
  low_fuel: lowFuel,
  power_cut: powerCut,
  tamper,
  low_battery: lowBattery,
  threshold,
  equipment_left_behind: equipmentLeftBehind,
  equipment_unaccompanied: equipmentUnaccompanied,
  service_due: serviceDue,
  job_late: jobLate,
};
