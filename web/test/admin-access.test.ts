// The console's role table against the API's (api/src/permissions.ts), and the navigation built
// from it: a role sees the pages it may use, and a path finds its entry.
import { describe, expect, it } from 'vitest';
import * as api from '../../api/src/permissions.ts';
import { ACCESS, can, ROLES } from '../src/lib/admin/access.ts';
import { CONSOLE_NAV, currentEntry, navFor, navItems } from '../src/lib/admin/nav.ts';

describe('the role table', () => {
  it('is the API’s', () => {
    expect(ROLES).toEqual(api.ROLES);
    expect(ACCESS.read).toEqual(api.ANY_ROLE);
    expect(ACCESS.manageUsers).toEqual(api.MANAGE_USERS);
    expect(ACCESS.manageOrganisation).toEqual(api.MANAGE_ORGANISATION);
    expect(ACCESS.manageDepartments).toEqual(api.MANAGE_DEPARTMENTS);
    expect(ACCESS.managePlaces).toEqual(api.MANAGE_PLACES);
    expect(ACCESS.manageDevices).toEqual(api.MANAGE_DEVICES);
    expect(ACCESS.manageAssets).toEqual(api.MANAGE_ASSETS);
    expect(ACCESS.manageDrivers).toEqual(api.MANAGE_DRIVERS);
    expect(ACCESS.assignDrivers).toEqual(api.ASSIGN_DRIVERS);
    expect(ACCESS.erasePersonalData).toEqual(api.ERASE_PERSONAL_DATA);
    expect(ACCESS.readAuditLog).toEqual(api.READ_AUDIT_LOG);
    expect(ACCESS.manageRules).toEqual(api.MANAGE_RULES);
    expect(ACCESS.actOnAlerts).toEqual(api.ACT_ON_ALERTS);
    expect(ACCESS.manageNotifications).toEqual(api.MANAGE_NOTIFICATIONS);
    expect(ACCESS.manageServicePlans).toEqual(api.MANAGE_SERVICE_PLANS);
    expect(ACCESS.workOnMaintenance).toEqual(api.WORK_ON_MAINTENANCE);
    expect(ACCESS.reportDefects).toEqual(api.REPORT_DEFECTS);
    expect(ACCESS.enterCosts).toEqual(api.ENTER_COSTS);
    expect(ACCESS.enterFuel).toEqual(api.ENTER_FUEL);
    expect(ACCESS.manageReportSchedules).toEqual(api.MANAGE_REPORT_SCHEDULES);
  });

  it('answers per role, and nothing without one', () => {
    expect(can('admin', 'manageUsers')).toBe(true);
    expect(can('dispatcher', 'manageUsers')).toBe(false);
    expect(can('dispatcher', 'managePlaces')).toBe(true);
    expect(can('viewer', 'managePlaces')).toBe(false);
    expect(can(undefined, 'read')).toBe(false);
    expect(can('dispatcher', 'manageRules')).toBe(true);
    expect(can('mechanic', 'manageRules')).toBe(false);
    expect(can('mechanic', 'actOnAlerts')).toBe(true);
    expect(can('viewer', 'actOnAlerts')).toBe(false);
    expect(can('fleet_manager', 'manageNotifications')).toBe(true);
    expect(can('dispatcher', 'manageNotifications')).toBe(false);
    expect(can('mechanic', 'workOnMaintenance')).toBe(true);
    expect(can('mechanic', 'manageServicePlans')).toBe(false);
    expect(can('dispatcher', 'workOnMaintenance')).toBe(false);
    expect(can('dispatcher', 'reportDefects')).toBe(true);
    expect(can('dispatcher', 'enterFuel')).toBe(true);
    expect(can('dispatcher', 'enterCosts')).toBe(false);
    expect(can('mechanic', 'enterFuel')).toBe(false);
    expect(can('viewer', 'reportDefects')).toBe(false);
  });
});

describe('the navigation', () => {
  const labels = (role: Parameters<typeof navFor>[0]) => navFor(role).map((e) => e.label);

  it('shows each role the pages it may use', () => {
    const everyone = [
      'Dashboard',
      'Map',
      'Alerts',
      'Jobs',
      'Projects',
      'Vehicles',
      'Equipment',
      'Drivers',
      'Maintenance',
      'Work orders',
      'Costs',
      'Reports',
      'Places',
      'Departments',
      'Rules',
    ];
    expect(labels('admin')).toEqual([...everyone, 'Notifications', 'Users', 'Audit log', 'Settings']);
    expect(labels('fleet_manager')).toEqual([...everyone, 'Notifications']);
    expect(labels('dispatcher')).toEqual(everyone);
    expect(labels('viewer')).toEqual(everyone);
    expect(labels(undefined)).toEqual([]);
  });

  it('has one entry per page, each a path of its own', () => {
    const hrefs = CONSOLE_NAV.map((e) => e.href);
    expect(new Set(hrefs).size).toBe(hrefs.length);
    for (const href of hrefs) expect(href).toMatch(/^\/[a-z-]*$/);
  });

  it('finds the entry of a path, its sub-paths and the device pages under the map', () => {
    expect(currentEntry('/')?.label).toBe('Map');
    expect(currentEntry('/devices/abc')?.label).toBe('Map');
    expect(currentEntry('/places')?.label).toBe('Places');
    expect(currentEntry('/places/123')?.label).toBe('Places');
    expect(currentEntry('/placesx')).toBeUndefined();
    expect(currentEntry('/alerts/123')?.label).toBe('Alerts');
    expect(currentEntry('/maintenance/plans')?.label).toBe('Maintenance');
    expect(currentEntry('/work-orders/123')?.label).toBe('Work orders');
    expect(currentEntry('/costs/fuel')?.label).toBe('Costs');
    expect(currentEntry('/reports/visits')?.label).toBe('Reports');
    expect(currentEntry('/dashboard')?.label).toBe('Dashboard');
    expect(currentEntry('/notifications', navFor('dispatcher'))).toBeUndefined();
    expect(currentEntry('/users', navFor('viewer'))).toBeUndefined();
  });

  it('folds the setup and the admin pages into a menu each where a role sees more than one of them', () => {
    const shown = (role: Parameters<typeof navFor>[0]) =>
      navItems(navFor(role)).map((i) =>
        i.kind === 'link' ? i.entry.label : `${i.group}: ${i.entries.map((e) => e.label).join(', ')}`,
      );
    const daily = [
      'Dashboard',
      'Map',
      'Alerts',
      'Jobs',
      'Projects',
      'Vehicles',
      'Equipment',
      'Drivers',
      'Maintenance',
      'Work orders',
      'Costs',
      'Reports',
    ];
    const setup = 'Setup: Places, Departments, Rules';
    expect(shown('admin')).toEqual([...daily, setup, 'Admin: Notifications, Users, Audit log, Settings']);
    // A fleet manager sees one admin page: a link, not a menu of one.
    expect(shown('fleet_manager').slice(-2)).toEqual([setup, 'Notifications']);
    expect(shown('viewer')).toEqual([...daily, setup]);
  });
});
