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

export function isRole(value: string): value is Role {
  return (ROLES as readonly string[]).includes(value);
}
