// A driver's GDPR requests as the console words them: the export's file name, and what an
// erasure removes and keeps (POST /api/v1/drivers/{id}/erase; docs/decisions.md, "GDPR"), so
// the administrator confirms knowing both.
import type { Driver } from '@fleet/api/contract';

/** What erasure removes, here and in the audit log's entries about the driver. */
export const ERASED_FIELDS = [
  'name',
  'employee number',
  'phone',
  'email',
  'licence number, classes and expiry',
  'driver card',
  'notes',
  'the link to a user account',
] as const;

/** "personal-data-aino-virtanen-2026-12-03.json": ASCII only, so every file system takes it. */
export function exportFilename(driver: Pick<Driver, 'name' | 'id'>, day: string): string {
  const slug = driver.name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60);
  return `personal-data-${slug === '' ? driver.id.slice(0, 8) : slug}-${day}.json`;
}

/** What stays after an erasure, with the count of assignments that stay counted. */
export function erasureKeeps(assignments: number): string {
  const counted =
    assignments === 0
      ? 'The driver has no assignments.'
      : `${assignments === 1 ? 'The 1 assignment stays' : `The ${assignments} assignments stay`}, attributed to the anonymous driver, so trips and costs stay counted.`;
  return `${counted} The department stays. The linked user account itself is not touched.`;
}
