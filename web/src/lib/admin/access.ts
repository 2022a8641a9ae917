// What each role may change from the console, as the API's role table says (api/src/permissions.ts;
// web/test/admin-access.test.ts checks the two agree). The console hides or disables what a role
// cannot do; the API still decides, and its 403 is shown if it refuses anyway.
import type { Role } from '@fleet/api/contract';

export const ROLES: readonly Role[] = ['admin', 'dispatcher', 'fleet_manager', 'mechanic', 'viewer'];

export const ACCESS = {
  /** Read the fleet, places, departments: every signed-in user. */
  read: ROLES,
  manageUsers: ['admin'],
  manageOrganisation: ['admin'],
  manageDepartments: ['admin'],
  managePlaces: ['admin', 'dispatcher', 'fleet_manager'],
  manageDevices: ['admin', 'fleet_manager'],
  manageAssets: ['admin', 'fleet_manager'],
  manageDrivers: ['admin', 'fleet_manager'],
  assignDrivers: ['admin', 'fleet_manager', 'dispatcher'],
  erasePersonalData: ['admin'],
  readAuditLog: ['admin'],
  manageRules: ['admin', 'fleet_manager', 'dispatcher'],
  actOnAlerts: ['admin', 'dispatcher', 'fleet_manager', 'mechanic'],
  manageNotifications: ['admin', 'fleet_manager'],
  manageServicePlans: ['admin', 'fleet_manager'],
  /** Work orders and meter readings: the workshop and the fleet's owners. */
  workOnMaintenance: ['admin', 'fleet_manager', 'mechanic'],
  /** Other costs (tolls, insurance, leases ...): the fleet's owners. */
  enterCosts: ['admin', 'fleet_manager'],
  /** Fill-ups, by hand, from a fuel card's file or a refuel the rules saw: dispatchers too. */
  enterFuel: ['admin', 'fleet_manager', 'dispatcher'],
  /** A driver's defect report (source defect_report): everyone but viewers. */
  reportDefects: ['admin', 'dispatcher', 'fleet_manager', 'mechanic'],
  /** Reports mailed weekly or monthly (report schedules): the fleet's owners. */
  manageReportSchedules: ['admin', 'fleet_manager'],
} as const satisfies Record<string, readonly Role[]>;

export type Ability = keyof typeof ACCESS;

export function can(role: Role | undefined, ability: Ability): boolean {
  return role !== undefined && (ACCESS[ability] as readonly Role[]).includes(role);
}

/** Role names as people read them. */
export const ROLE_LABELS: Record<Role, string> = {
  admin: 'Administrator',
  dispatcher: 'Dispatcher',
  fleet_manager: 'Fleet manager',
  mechanic: 'Mechanic',
  viewer: 'Viewer',
};
