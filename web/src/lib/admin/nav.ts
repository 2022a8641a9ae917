// The console's navigation: one list, in the order the header shows it. A page joins the console
// by adding its route folder and one entry here; `see` is the ability a role needs for the entry
// to be shown at all (pages everyone may read but few may change use 'read' and disable their
// buttons instead, see access.ts).
import type { Role } from '@fleet/api/contract';
import { type Ability, can } from './access.ts';

export interface NavEntry {
  href: string;
  label: string;
  see: Ability;
}

/**
 * The map and its alerts first, then the fleet (what moves, what it carries, who drives), its
 * upkeep (what falls due, the workshop's jobs), its setting, what raises alerts and where they
 * go, then admin pages. Everyone reads the rules (to know why an alert came) and the
 * maintenance pages; the pages disable their buttons for those who may not change them.
 */
export const CONSOLE_NAV: readonly NavEntry[] = [
  { href: '/', label: 'Map', see: 'read' },
  { href: '/alerts', label: 'Alerts', see: 'read' },
  { href: '/vehicles', label: 'Vehicles', see: 'read' },
  { href: '/equipment', label: 'Equipment', see: 'read' },
  { href: '/drivers', label: 'Drivers', see: 'read' },
  { href: '/maintenance', label: 'Maintenance', see: 'read' },
  { href: '/work-orders', label: 'Work orders', see: 'read' },
  { href: '/places', label: 'Places', see: 'read' },
  { href: '/departments', label: 'Departments', see: 'read' },
  { href: '/rules', label: 'Rules', see: 'read' },
  { href: '/notifications', label: 'Notifications', see: 'manageNotifications' },
  { href: '/users', label: 'Users', see: 'manageUsers' },
  { href: '/audit-log', label: 'Audit log', see: 'readAuditLog' },
  { href: '/settings', label: 'Settings', see: 'manageOrganisation' },
];

export function navFor(role: Role | undefined): NavEntry[] {
  return CONSOLE_NAV.filter((entry) => can(role, entry.see));
}

/** The entry a path belongs to: the longest href that is the path or one of its parents. */
export function currentEntry(
  pathname: string,
  entries: readonly NavEntry[] = CONSOLE_NAV,
): NavEntry | undefined {
  let best: NavEntry | undefined;
  for (const entry of entries) {
    const matches =
      entry.href === '/'
        ? pathname === '/' || pathname.startsWith('/devices/')
        : pathname === entry.href || pathname.startsWith(`${entry.href}/`);
    if (matches && (best === undefined || entry.href.length > best.href.length)) best = entry;
  }
  return best;
}
