// The records an imported row names by what people write instead of ids: a department by its
// path ("Production > Lighting") or a name no other department has, a place by its name, a user
// by email; an id works too. The export writes the same words, so an exported file imports back.
import { inTenant, type SqlDatabase } from '@fleet/shared/db';
import { Departments } from '../domains/departments/repository.ts';
import type { ReferenceTable } from './import.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const fold = (text: string) => text.trim().replace(/\s+/g, ' ').toLowerCase();

interface Named {
  id: string;
  /** Every text that names it, folded: a department's path and its own name. */
  names: string[];
  label: string;
}

/** A table from records with names; a name two records share must be written more exactly. */
export function referenceTable(
  what: string,
  records: readonly Named[],
  hint: string,
  foldName: (text: string) => string = fold,
): ReferenceTable {
  const byName = new Map<string, string[]>();
  const labels = new Map<string, string>();
  for (const r of records) {
    labels.set(r.id, r.label);
    for (const name of new Set(r.names)) byName.set(name, [...(byName.get(name) ?? []), r.id]);
  }
  return {
    resolve(text) {
      const trimmed = text.trim();
      if (UUID.test(trimmed)) {
        const id = trimmed.toLowerCase();
        return labels.has(id)
          ? { ok: true, id }
          : { ok: false, message: `no ${what} with the id ${trimmed}` };
      }
      const ids = byName.get(foldName(trimmed)) ?? [];
      if (ids.length === 1) return { ok: true, id: ids[0] as string };
      if (ids.length > 1)
        return { ok: false, message: `${ids.length} ${what}s are named "${trimmed}": ${hint}` };
      return { ok: false, message: `no ${what} named "${trimmed}" in your organisation` };
    },
    label: (id) => labels.get(id) ?? id,
  };
}

/** A department path as the export writes it, and the separators an import reads (> or /). */
const PATH_SEPARATOR = ' > ';
const foldPath = (text: string) =>
  text
    .split(/\s*[>/]\s*/)
    .map(fold)
    .join(PATH_SEPARATOR);

export async function departmentTable(db: SqlDatabase, orgId: string): Promise<ReferenceTable> {
  const departments = await new Departments(db, orgId).list();
  return referenceTable(
    'department',
    departments.map((d) => ({
      id: d.id,
      names: [foldPath(d.path.join(PATH_SEPARATOR)), foldPath(d.name)],
      label: d.path.join(PATH_SEPARATOR),
    })),
    'write its path, e.g. Production > Lighting',
    foldPath,
  );
}

export async function placeTable(db: SqlDatabase, orgId: string): Promise<ReferenceTable> {
  const rows = await inTenant(db, orgId, (tx) =>
    tx.query<{ id: string; name: string }>('select id::text as id, name from places order by name'),
  );
  return referenceTable(
    'place',
    rows.map((p) => ({ id: p.id, names: [fold(p.name)], label: p.name })),
    'give its id instead (GET /api/v1/places)',
  );
}

export async function userTable(db: SqlDatabase, orgId: string): Promise<ReferenceTable> {
  const rows = await inTenant(db, orgId, (tx) =>
    tx.query<{ id: string; email: string }>('select id::text as id, email from users order by email'),
  );
  return referenceTable(
    'user',
    rows.map((u) => ({ id: u.id, names: [fold(u.email)], label: u.email })),
    'emails are unique; this cannot happen',
  );
}

/** Vehicles by plate (as people compare plates: no case, spaces or dashes) or by name; items by name. */
export async function assetTable(db: SqlDatabase, orgId: string): Promise<ReferenceTable> {
  const rows = await inTenant(db, orgId, (tx) =>
    tx.query<{ id: string; name: string; plate: string | null; plate_key: string | null }>(
      "select id::text as id, name, plate, plate_key from assets where status <> 'retired' order by name",
    ),
  );
  const byName = referenceTable(
    'asset',
    rows.map((a) => ({ id: a.id, names: [fold(a.name)], label: a.plate ?? a.name })),
    'write its plate, or give its id',
  );
  const byPlate = new Map(rows.filter((a) => a.plate_key).map((a) => [a.plate_key as string, a.id]));
  return {
    resolve(text) {
      const plate = byPlate.get(text.trim().toUpperCase().replace(/[\s-]/g, ''));
      return plate === undefined ? byName.resolve(text) : { ok: true, id: plate };
    },
    label: byName.label,
  };
}

const BUILDERS = {
  departments: departmentTable,
  places: placeTable,
  users: userTable,
  assets: assetTable,
} as const;
export type ReferenceName = keyof typeof BUILDERS;

/** The tables an import or export of one organisation names records from. */
export async function referenceTables(
  db: SqlDatabase,
  orgId: string,
  names: readonly ReferenceName[],
): Promise<Map<string, ReferenceTable>> {
  const built = await Promise.all(names.map((n) => BUILDERS[n](db, orgId)));
  return new Map(names.map((n, i) => [n, built[i] as ReferenceTable]));
}
