// The driver form: its values as the inputs hold them (text, "" for none), the checks made
// before sending (the API's own limits; phone numbers and card ids are left to the API, which
// reads them with libphonenumber and its card rule and answers at the field), and the bodies:
// every field for a new driver, only what changed for an edit (absent fields stay, null clears).
import type { Driver, DriverChanges, NewDriver } from '@fleet/api/contract';
import { emailProblem, nameProblem, problems } from '../admin/validate.ts';
import { type LicenceClass, sortClasses } from './licence.ts';

export type DriverStatus = Driver['status'];
export const DRIVER_STATUSES: readonly DriverStatus[] = ['active', 'inactive'];
export const STATUS_LABELS: Record<DriverStatus, string> = { active: 'Active', inactive: 'Inactive' };

/** The API's limits (api/src/domains/drivers/schemas.ts; web/test/drivers-form.test.ts compares). */
export const DRIVER_LIMITS = {
  name: 100,
  employeeNumber: 40,
  phone: 40,
  email: 254,
  licenceNumber: 40,
  driverCardId: 64,
  notes: 2000,
} as const;

export interface DriverFormValues {
  name: string;
  employeeNumber: string;
  phone: string;
  email: string;
  licenceNumber: string;
  licenceClasses: LicenceClass[];
  /** "YYYY-MM-DD", as a date input holds it; "" for none. */
  licenceExpiry: string;
  driverCardId: string;
  /** A department id, "" for none. */
  departmentId: string;
  /** A user id, "" for none. */
  userId: string;
  status: DriverStatus;
  notes: string;
}

export type DriverField = keyof DriverFormValues;

/** Every field, for placing the API's errors (field-errors.ts). */
export const DRIVER_FIELDS: readonly DriverField[] = [
  'name',
  'employeeNumber',
  'phone',
  'email',
  'licenceNumber',
  'licenceClasses',
  'licenceExpiry',
  'driverCardId',
  'departmentId',
  'userId',
  'status',
  'notes',
];

export function blankDriverForm(): DriverFormValues {
  return {
    name: '',
    employeeNumber: '',
    phone: '',
    email: '',
    licenceNumber: '',
    licenceClasses: [],
    licenceExpiry: '',
    driverCardId: '',
    departmentId: '',
    userId: '',
    status: 'active',
    notes: '',
  };
}

export function driverForm(d: Driver): DriverFormValues {
  return {
    name: d.name,
    employeeNumber: d.employeeNumber ?? '',
    phone: d.phone ?? '',
    email: d.email ?? '',
    licenceNumber: d.licenceNumber ?? '',
    licenceClasses: [...d.licenceClasses],
    licenceExpiry: d.licenceExpiry ?? '',
    driverCardId: d.driverCardId ?? '',
    departmentId: d.departmentId ?? '',
    userId: d.userId ?? '',
    status: d.status,
    notes: d.notes ?? '',
  };
}

function tooLong(text: string, max: number): string | undefined {
  return text.trim().length > max ? `at most ${max} characters` : undefined;
}

/** What the form can tell before sending; the API judges the rest. */
export function driverFormProblems(v: DriverFormValues): Partial<Record<DriverField, string>> {
  const email = v.email.trim();
  return problems<DriverField>({
    name: nameProblem(v.name, DRIVER_LIMITS.name),
    employeeNumber: tooLong(v.employeeNumber, DRIVER_LIMITS.employeeNumber),
    phone: tooLong(v.phone, DRIVER_LIMITS.phone),
    email: email === '' ? undefined : emailProblem(email),
    licenceNumber: tooLong(v.licenceNumber, DRIVER_LIMITS.licenceNumber),
    licenceClasses: undefined,
    licenceExpiry: undefined,
    driverCardId: undefined,
    departmentId: undefined,
    userId: undefined,
    status: undefined,
    notes: tooLong(v.notes, DRIVER_LIMITS.notes),
  });
}

const textOrNull = (text: string): string | null => (text.trim() === '' ? null : text.trim());

type DriverBody = Required<NewDriver>;

/** Every field as the API takes it: trimmed, "" as null, classes in the licence's order. */
export function newDriverBody(v: DriverFormValues): DriverBody {
  return {
    name: v.name.trim(),
    employeeNumber: textOrNull(v.employeeNumber),
    phone: textOrNull(v.phone),
    email: textOrNull(v.email),
    licenceNumber: textOrNull(v.licenceNumber),
    licenceClasses: sortClasses(v.licenceClasses),
    licenceExpiry: textOrNull(v.licenceExpiry),
    driverCardId: textOrNull(v.driverCardId),
    departmentId: textOrNull(v.departmentId),
    userId: textOrNull(v.userId),
    status: v.status,
    notes: textOrNull(v.notes),
  };
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** Only the fields whose value differs from the driver's; empty when nothing changed. */
export function driverChanges(v: DriverFormValues, d: Driver): DriverChanges {
  const body = newDriverBody(v);
  const changes: Record<string, unknown> = {};
  for (const key of Object.keys(body) as (keyof DriverBody)[])
    if (!same(body[key], d[key])) changes[key] = body[key];
  return changes as DriverChanges;
}
