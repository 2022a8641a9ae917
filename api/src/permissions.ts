// Roles and what each may do. Routes name their allowed roles from these groups, so the
// table a reviewer reads (and the role x route test walks) is this file plus each route's `access`.

export const ROLES = ['admin', 'dispatcher', 'fleet_manager', 'mechanic', 'viewer'] as const;
export type Role = (typeof ROLES)[number];

/** Every signed-in user: reading the fleet, its history and one's own account. */
export const ANY_ROLE: readonly Role[] = ROLES;
/** Provisioning and changing devices: the people who own the fleet's hardware. */
export const MANAGE_DEVICES: readonly Role[] = ['admin', 'fleet_manager'];
/** Users and roles of the organisation. */
export const MANAGE_USERS: readonly Role[] = ['admin'];
/** The organisation's own settings: its name, time zone, working hours, units and currency. */
export const MANAGE_ORGANISATION: readonly Role[] = ['admin'];
/** The department tree and who belongs where. */
export const MANAGE_DEPARTMENTS: readonly Role[] = ['admin'];
/** Places (depots, client and job sites): the people who plan where the fleet goes; everyone reads them. */
export const MANAGE_PLACES: readonly Role[] = ['admin', 'dispatcher', 'fleet_manager'];
/** Drivers and crew (who they are, licences, cards); everyone reads them. */
export const MANAGE_DRIVERS: readonly Role[] = ['admin', 'fleet_manager'];
/** Who drives which vehicle when: also the dispatchers, who hand out the vans each day. */
export const ASSIGN_DRIVERS: readonly Role[] = ['admin', 'fleet_manager', 'dispatcher'];
/** A person's data exported or erased on request (GDPR): the administrators only. */
export const ERASE_PERSONAL_DATA: readonly Role[] = ['admin'];
/** Turning off another user's MFA (a lost phone): the administrators, within their organisation. */
export const RESET_MFA: readonly Role[] = ['admin'];
/** Vehicles, equipment items and which device is installed on which: the owners of the fleet; everyone reads. */
export const MANAGE_ASSETS: readonly Role[] = ['admin', 'fleet_manager'];
/**
 * Rules that raise alerts (what counts as speeding, which places to watch): the people who plan
 * and run the fleet. Everyone reads them, to know why an alert came.
 */
export const MANAGE_RULES: readonly Role[] = ['admin', 'fleet_manager', 'dispatcher'];
/** Acknowledging, resolving, reopening, assigning and commenting alerts: everyone who works them; viewers read. */
export const ACT_ON_ALERTS: readonly Role[] = ['admin', 'dispatcher', 'fleet_manager', 'mechanic'];
/** Notification channels (where alerts leave the platform: webhooks, email lists) and their delivery log. */
export const MANAGE_NOTIFICATIONS: readonly Role[] = ['admin', 'fleet_manager'];
/**
 * Report schedules (which report goes to which addresses, weekly or monthly): the owners of the
 * fleet. Only they read them too: the recipients are people's addresses.
 */
export const MANAGE_REPORT_SCHEDULES: readonly Role[] = ['admin', 'fleet_manager'];
/** Service plans (what is done every N km, hours or months, to which assets): the owners of the fleet. */
export const MANAGE_SERVICE_PLANS: readonly Role[] = ['admin', 'fleet_manager'];
/**
 * Work orders and meter readings: the workshop (mechanics) and the owners of the fleet; everyone
 * reads them.
 */
export const WORK_ON_MAINTENANCE: readonly Role[] = ['admin', 'fleet_manager', 'mechanic'];
/** Costs of assets and departments (insurance, leases, tolls): the owners of the fleet; everyone reads. */
export const ENTER_COSTS: readonly Role[] = ['admin', 'fleet_manager'];
/** Fill-ups: also the dispatchers, to whom drivers hand their receipts. */
export const ENTER_FUEL: readonly Role[] = ['admin', 'fleet_manager', 'dispatcher'];
/**
 * Projects and jobs: booking vehicles, items and crew, dispatching, completing. The dispatchers'
 * day, and the owners of the fleet; everyone reads the board.
 */
export const DISPATCH_JOBS: readonly Role[] = ['admin', 'dispatcher', 'fleet_manager'];
/** Reporting a defect (a driver's report, taken by whoever they call): everyone but viewers. */
export const REPORT_DEFECTS: readonly Role[] = ['admin', 'dispatcher', 'fleet_manager', 'mechanic'];
/**
 * The audit log: every user's email, role changes and client addresses are in it (staff's
 * personal data, need to know), so the administrators only (docs/decisions.md, Audit log).
 */
export const READ_AUDIT_LOG: readonly Role[] = ['admin'];

/**
 * The routes (by id) an access token reaches while its user must enrol in MFA first (the
 * organisation requires it of administrators): their own account, the enrolment itself and
 * signing out. Every other route answers 403 mfa_enrolment_required.
 */
export const MFA_ENROLMENT_ROUTES: ReadonlySet<string> = new Set([
  'me',
  'logout',
  'mfaStatus',
  'startTotpEnrolment',
  'confirmTotpEnrolment',
  'disableMfa',
  'replaceRecoveryCodes',
]);

export function isRole(value: string): value is Role {
  return (ROLES as readonly string[]).includes(value);
}
