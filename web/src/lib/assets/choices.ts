// The lists the asset forms choose from, and the names the pages show for ids: departments as
// the tree reads ("Production › Lighting", parents before children), places by name, and
// devices, read page by page since the lists answer at most 500 at a time.
import { departmentLabel } from '../admin/departments.ts';
import type { Department, Page, Place } from '../api/management.ts';
import type { Choice } from './fields.ts';

/** More than this many pages of a list is more than a select can offer anyway. */
export const MAX_PAGES = 20;

/** Every item of a paged list, up to `maxPages` pages of `limit`. */
export async function collectPages<T>(
  fetchPage: (query: { limit: number; offset: number }) => Promise<Page<T>>,
  limit: number,
  maxPages = MAX_PAGES,
): Promise<T[]> {
  const items: T[] = [];
  for (let page = 0; page < maxPages; page++) {
    const answer = await fetchPage({ limit, offset: page * limit });
    items.push(...answer.items);
    if (answer.items.length < limit || items.length >= answer.total) break;
  }
  return items;
}

/** The departments in tree order, each labelled with its path. */
export function departmentChoices(departments: readonly Department[]): Choice[] {
  return departments.map((d) => ({ value: d.id, label: departmentLabel(d) }));
}

export function placeChoices(places: readonly Place[]): Choice[] {
  return [...places]
    .sort((a, b) => a.name.localeCompare(b.name, 'en', { sensitivity: 'base' }))
    .map((p) => ({ value: p.id, label: p.name }));
}

/** A name for an id from a list, or "" when the list does not have it. */
export function nameOf(items: readonly { id: string; name: string }[], id: string | null): string {
  if (id === null) return '';
  return items.find((x) => x.id === id)?.name ?? '';
}
