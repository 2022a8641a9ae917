// The console's navigation: one list, in the order the header shows it. A page joins the console
// by adding its route folder and one entry here; `see` is the ability a role needs for the entry
// to be shown at all (pages everyone may read but few may change use 'read' and disable their
// buttons instead, see access.ts). Entries of a `group` are folded into one menu of the header
// where a role sees more than one of them (navItems).
import type { Role } from '@fleet/api/contract';
import { type Ability, can } from './access.ts';

export interface NavEntry {
  href: string;
  label: string;
  see: Ability;
  /** The header's menu the entry is folded into. */
  group?: NavGroup;
}

/**
 * Pages set up once and visited rarely share a menu, so the pages used every day stay one click
 * away and the header fits at 1280 px (with fifteen pages side by side it did not, nor with
 * fifteen and the admin menu once Dashboard and Reports came: web/test/console-costs.test.ts and
 * console-reports.test.ts measure it). 'Setup': what the fleet's day happens in and what raises
 * alerts (places, departments, rules), which everyone reads; 'Admin': where alerts go, users,
 * the audit log, the organisation.
 */
export type NavGroup = 'Setup' | 'Admin';

/**
 * The managers' dashboard first, the map and its alerts, then the dispatcher's jobs and the
 * projects they belong to, then the fleet (what moves, what it carries, who drives), its upkeep
 * and what it costs (what falls due, the workshop's jobs, fuel and other costs), the reports,
 * then the setup menu (its setting, what raises alerts) and the admin pages (where alerts go,
 * users, the audit log, the organisation). Everyone reads the dashboard, the jobs, the rules (to
 * know why an alert came), the maintenance pages, the costs and the reports; the pages disable
 * their buttons for those who may not change them.
 */
export const CONSOLE_NAV: readonly NavEntry[] = [
  { href: '/dashboard', label: 'Dashboard', see: 'read' },
  { href: '/', label: 'Map', see: 'read' },
  { href: '/alerts', label: 'Alerts', see: 'read' },
  { href: '/jobs', label: 'Jobs', see: 'read' },
  { href: '/projects', label: 'Projects', see: 'read' },
  { href: '/vehicles', label: 'Vehicles', see: 'read' },
  { href: '/equipment', label: 'Equipment', see: 'read' },
  { href: '/drivers', label: 'Drivers', see: 'read' },
  { href: '/maintenance', label: 'Maintenance', see: 'read' },
  { href: '/work-orders', label: 'Work orders', see: 'read' },
  { href: '/costs', label: 'Costs', see: 'read' },
  { href: '/reports', label: 'Reports', see: 'read' },
  { href: '/places', label: 'Places', see: 'read', group: 'Setup' },
  { href: '/departments', label: 'Departments', see: 'read', group: 'Setup' },
  { href: '/rules', label: 'Rules', see: 'read', group: 'Setup' },
  { href: '/notifications', label: 'Notifications', see: 'manageNotifications', group: 'Admin' },
  { href: '/users', label: 'Users', see: 'manageUsers', group: 'Admin' },
  { href: '/audit-log', label: 'Audit log', see: 'readAuditLog', group: 'Admin' },
  { href: '/settings', label: 'Settings', see: 'manageOrganisation', group: 'Admin' },
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

/** What the header shows: a page's link, or a menu of a group's pages. */
export type NavItem =
  | { kind: 'link'; entry: NavEntry }
  | { kind: 'menu'; group: NavGroup; entries: NavEntry[] };

/**
 * The header's items, in the list's order: a group's entries folded into one menu where its first
 * entry stands, unless the role sees only one of them (a menu of one is a detour, not room saved).
 */
export function navItems(entries: readonly NavEntry[]): NavItem[] {
  const items: NavItem[] = [];
  for (const entry of entries) {
    const { group } = entry;
    const members = group === undefined ? [] : entries.filter((e) => e.group === group);
    if (group === undefined || members.length < 2) items.push({ kind: 'link', entry });
    else if (members[0] === entry) items.push({ kind: 'menu', group, entries: members });
  }
  return items;
}
