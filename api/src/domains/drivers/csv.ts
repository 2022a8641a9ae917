// Drivers and crew as CSV: the export's and the import's columns (one list, so an exported
// file imports back), matched to the driver a row updates by its id if the file has one, else
// by employee number (as the unique index compares them, without case). Card ids and linked
// user accounts are unique too and checked across the file. Rows are checked by the same
// schemas as POST and PATCH; a department is named by its path, a user account by its email.
import type { CsvColumn, Existing, ImportSpec } from '../../csv/import.ts';
import type { ReferenceName } from '../../csv/references.ts';
import type { Driver } from './repository.ts';
import {
  type DriverChanges,
  driverChangesSchema,
  type NewDriver,
  newDriverSchema,
  normaliseCardId,
} from './schemas.ts';

export const DEPARTMENTS = 'departments' satisfies ReferenceName;
export const USERS = 'users' satisfies ReferenceName;

const text = (v: string | null) => v ?? '';
const cell = (header: string, field: keyof NewDriver & keyof Driver): CsvColumn<Driver> => ({
  header,
  field,
  kind: 'text',
  write: (d) => text(d[field] as string | null),
});

export const DRIVER_COLUMNS: readonly CsvColumn<Driver>[] = [
  { header: 'id', field: 'id', kind: 'text', write: (d) => d.id },
  cell('name', 'name'),
  cell('employee_number', 'employeeNumber'),
  cell('phone', 'phone'),
  cell('email', 'email'),
  cell('licence_number', 'licenceNumber'),
  {
    header: 'licence_classes',
    field: 'licenceClasses',
    kind: 'list',
    write: (d) => d.licenceClasses.join(' '),
  },
  { header: 'licence_expiry', field: 'licenceExpiry', kind: 'date', write: (d) => text(d.licenceExpiry) },
  cell('driver_card_id', 'driverCardId'),
  {
    header: 'department',
    field: 'departmentId',
    kind: 'reference',
    table: DEPARTMENTS,
    write: (d, tables) =>
      d.departmentId === null ? '' : (tables.get(DEPARTMENTS)?.label(d.departmentId) ?? ''),
  },
  {
    header: 'user',
    field: 'userId',
    kind: 'reference',
    table: USERS,
    write: (d, tables) => (d.userId === null ? '' : (tables.get(USERS)?.label(d.userId) ?? '')),
  },
  { header: 'status', field: 'status', kind: 'choice', blankKeeps: true, write: (d) => d.status },
  cell('notes', 'notes'),
];

/** An employee number as drivers_org_employee_number_idx compares it. */
const employeeKey = (text: string) => text.trim().toUpperCase();

export const driverImport: ImportSpec<Driver, NewDriver, DriverChanges> = {
  label: 'driver',
  columns: DRIVER_COLUMNS,
  required: ['name'],
  newSchema: newDriverSchema,
  changesSchema: driverChangesSchema,
  key: {
    header: 'employee_number',
    of: (cells) => {
      const value = employeeKey(cells.get('employee_number') ?? '');
      return value === '' ? undefined : value;
    },
  },
  uniques: [
    { header: 'driver_card_id', of: (cells) => normaliseCardId((cells.get('driver_card_id') ?? '').trim()) },
    {
      header: 'user',
      of: (cells) => {
        const value = (cells.get('user') ?? '').trim().toLowerCase();
        return value === '' ? undefined : value;
      },
    },
  ],
};

/** What tells drivers apart, for an import to find the one a row updates. */
export interface DriverIdentity {
  id: string;
  employeeNumber: string | null;
  driverCardId: string | null;
  /** The linked user account's email. */
  userEmail: string | null;
}

export function existingDrivers(identities: readonly DriverIdentity[]): Existing {
  const byKey = new Map<string, string>();
  const cards = new Map<string, string>();
  const users = new Map<string, string>();
  for (const d of identities) {
    if (d.employeeNumber !== null) byKey.set(employeeKey(d.employeeNumber), d.id);
    if (d.driverCardId !== null) cards.set(d.driverCardId, d.id);
    if (d.userEmail !== null) users.set(d.userEmail.toLowerCase(), d.id);
  }
  return {
    ids: new Set(identities.map((d) => d.id)),
    byKey,
    uniques: new Map([
      ['driver_card_id', cards],
      ['user', users],
    ]),
  };
}
