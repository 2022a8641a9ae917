// The department tree as the pages show it. The API lists departments in path order (parents
// before their children, siblings by name), each with its path of names from the root; the
// page indents by depth and offers every other department as a new parent. Moves below a
// department's own sub-departments are offered too: the API refuses them (a cycle) and the page
// shows its answer, so the rule lives in one place.
import type { Department } from '../api/management.ts';

export interface TreeRow {
  department: Department;
  depth: number;
  /** "Production › Lighting" */
  label: string;
  /** Members of it and of every department below it. */
  totalUsers: number;
  children: number;
}

export const PATH_SEPARATOR = ' › ';

export function departmentLabel(d: Pick<Department, 'path'>): string {
  return d.path.join(PATH_SEPARATOR);
}

export function treeRows(departments: readonly Department[]): TreeRow[] {
  const byId = new Map(departments.map((d) => [d.id, d]));
  const total = new Map<string, number>();
  const children = new Map<string, number>();
  for (const d of departments) {
    // Every ancestor counts this department's members too.
    for (
      let at: Department | undefined = d;
      at !== undefined;
      at = at.parentId ? byId.get(at.parentId) : undefined
    )
      total.set(at.id, (total.get(at.id) ?? 0) + d.users);
    if (d.parentId) children.set(d.parentId, (children.get(d.parentId) ?? 0) + 1);
  }
  return departments.map((d) => ({
    department: d,
    depth: Math.max(0, d.path.length - 1),
    label: departmentLabel(d),
    totalUsers: total.get(d.id) ?? d.users,
    children: children.get(d.id) ?? 0,
  }));
}

/** The departments `id` could move below: all but itself (the API judges the rest). */
export function parentChoices(departments: readonly Department[], id: string): Department[] {
  return departments.filter((d) => d.id !== id);
}

/** Ids of a department and everything below it. */
export function subtree(departments: readonly Department[], id: string): Set<string> {
  const out = new Set([id]);
  // Path order puts parents first, so one pass finds every descendant.
  for (const d of departments) if (d.parentId !== null && out.has(d.parentId)) out.add(d.id);
  return out;
}
