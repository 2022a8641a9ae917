// The bodies and queries of the drivers and assignments routes. Text is tidied here (trimmed,
// "" is null, phone numbers become E.164, card ids lose their separators), so the repository
// stores one form and compares like with like.
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { z } from 'zod';
import { listFormat } from '../../routes/schemas.ts';

/** EU driving licence categories (Directive 2006/126/EC), in the order a licence lists them. */
export const LICENCE_CLASSES = [
  'AM',
  'A1',
  'A2',
  'A',
  'B',
  'BE',
  'C1',
  'C1E',
  'C',
  'CE',
  'D1',
  'D1E',
  'D',
  'DE',
] as const;
export type LicenceClass = (typeof LICENCE_CLASSES)[number];

export const DRIVER_STATUSES = ['active', 'inactive'] as const;
export type DriverStatus = (typeof DRIVER_STATUSES)[number];

export const ASSIGNMENT_SOURCES = ['manual', 'driver_card'] as const;
export type AssignmentSource = (typeof ASSIGNMENT_SOURCES)[number];

export const DRIVER_SORTS = ['name', 'employeeNumber', 'licenceExpiry', 'createdAt'] as const;
export type DriverSort = (typeof DRIVER_SORTS)[number];

export const NAME_MAX_LENGTH = 100;
export const EMPLOYEE_NUMBER_MAX_LENGTH = 40;
export const LICENCE_NUMBER_MAX_LENGTH = 40;
export const CARD_ID_MAX_LENGTH = 64;
export const NOTES_MAX_LENGTH = 2000;
export const EMAIL_MAX_LENGTH = 254;

const blankIsNull = (text: string | null): string | null => (text === null || text === '' ? null : text);

/**
 * A phone number in E.164 (+358401234567), from what people write: spaces, dashes and
 * brackets are fine, a leading 00 is read as +. Without a country code it cannot be told apart
 * from a number of another country (the organisation has no country), so it is refused.
 * Validated against libphonenumber's full metadata (lengths and ranges per country).
 */
export function normalisePhone(text: string): { ok: true; e164: string } | { ok: false; problem: string } {
  const international = text.replace(/^00[\s.-]*(?=[1-9])/, '+');
  if (!international.startsWith('+'))
    return {
      ok: false,
      problem: 'give the number in international form, with + and the country code (+358 40 123 4567)',
    };
  const parsed = parsePhoneNumberFromString(international);
  if (parsed === undefined || !parsed.isValid())
    return { ok: false, problem: 'not a valid phone number for its country code' };
  if (parsed.ext !== undefined) return { ok: false, problem: 'a phone number without an extension' };
  return { ok: true, e164: parsed.number };
}

/**
 * A card id (RFID tag or iButton ROM code) as the repository stores and a tracker compares it:
 * letters and digits in upper case, with the separators people copy from labels (space, colon,
 * dash, dot) removed, so "01:a2:b3" and "01A2B3" are one card.
 */
export function normaliseCardId(text: string): string | undefined {
  const compact = text.replace(/[\s:.-]/g, '').toUpperCase();
  return /^[0-9A-Z]{1,64}$/.test(compact) ? compact : undefined;
}

const name = z
  .string({ error: 'a name is text' })
  .trim()
  .min(1, `a name is 1..${NAME_MAX_LENGTH} characters`)
  .max(NAME_MAX_LENGTH, `a name is 1..${NAME_MAX_LENGTH} characters`);

function optionalText(what: string, max: number) {
  return z
    .string({ error: `${what} is text (or null)` })
    .trim()
    .max(max, `${what} is at most ${max} characters`)
    .nullable()
    .transform(blankIsNull);
}

const employeeNumber = optionalText('an employee number', EMPLOYEE_NUMBER_MAX_LENGTH).meta({
  description: 'unique in the organisation, whatever the case; "" or null for none',
});

const phone = z
  .string({ error: 'a phone number is text (or null)' })
  .trim()
  .max(40, { error: 'a phone number is at most 40 characters', abort: true })
  .nullable()
  .transform((text, ctx) => {
    const value = blankIsNull(text);
    if (value === null) return null;
    const checked = normalisePhone(value);
    if (checked.ok) return checked.e164;
    ctx.addIssue({ code: 'custom', message: checked.problem });
    return z.NEVER;
  })
  .meta({
    description: 'international form; answered in E.164 (+358401234567)',
    example: '+358 40 123 4567',
  });

const email = z
  .string({ error: 'an email address is text (or null)' })
  .trim()
  .max(EMAIL_MAX_LENGTH, { error: `an email address is at most ${EMAIL_MAX_LENGTH} characters`, abort: true })
  .toLowerCase()
  .nullable()
  .transform((text, ctx) => {
    const value = blankIsNull(text);
    if (value === null) return null;
    if (z.email().safeParse(value).success) return value;
    ctx.addIssue({ code: 'custom', message: 'not an email address' });
    return z.NEVER;
  });

const licenceNumber = optionalText('a licence number', LICENCE_NUMBER_MAX_LENGTH);

export const licenceClass = z
  .enum(LICENCE_CLASSES, { error: `a licence class is one of ${LICENCE_CLASSES.join(', ')}` })
  .meta({ id: 'LicenceClass' });

const licenceClasses = z
  .array(licenceClass, { error: 'licence classes are a list such as ["B", "C1"]' })
  .max(LICENCE_CLASSES.length, `at most ${LICENCE_CLASSES.length} licence classes`)
  .transform((classes): LicenceClass[] => LICENCE_CLASSES.filter((c) => classes.includes(c)));

/** A calendar date; years outside 1900..2200 are typing mistakes, not licences. */
const calendarDate = z
  .string({ error: 'a date as YYYY-MM-DD' })
  .max(10, { error: 'a date as YYYY-MM-DD', abort: true })
  .pipe(z.iso.date({ error: 'a date as YYYY-MM-DD' }))
  .refine((d) => {
    const year = Number(d.slice(0, 4));
    return year >= 1900 && year <= 2200;
  }, 'a date between 1900 and 2200');

const licenceExpiry = calendarDate.nullable().meta({ description: 'YYYY-MM-DD, the last day it is valid' });

const cardId = z
  .string({ error: 'a card id is text (or null)' })
  .max(100, { error: 'a card id is at most 64 letters and digits', abort: true })
  .nullable()
  .transform((text, ctx) => {
    const value = blankIsNull(text === null ? null : text.trim());
    if (value === null) return null;
    const card = normaliseCardId(value);
    if (card !== undefined) return card;
    ctx.addIssue({
      code: 'custom',
      message: `a card id is 1..${CARD_ID_MAX_LENGTH} letters and digits (spaces, colons, dashes and dots are ignored)`,
    });
    return z.NEVER;
  })
  .meta({
    description: 'RFID or iButton id the vehicle tracker reads; stored in upper case without separators',
    example: '01A2B3C4D5E6F7',
  });

const notes = optionalText('notes', NOTES_MAX_LENGTH);
const reference = (what: string) =>
  z.uuid({ error: `${what} is the id of one in your organisation (or null)` }).nullable();

export const driverStatus = z
  .enum(DRIVER_STATUSES, { error: 'status is active or inactive' })
  .meta({ id: 'DriverStatus' });
export const assignmentSource = z.enum(ASSIGNMENT_SOURCES).meta({ id: 'AssignmentSource' });

/** What the repository stores for a new driver. */
export interface NewDriver {
  name: string;
  employeeNumber: string | null;
  phone: string | null;
  email: string | null;
  licenceNumber: string | null;
  licenceClasses: LicenceClass[];
  licenceExpiry: string | null;
  departmentId: string | null;
  userId: string | null;
  driverCardId: string | null;
  status: DriverStatus;
  notes: string | null;
}

export type DriverChanges = Partial<NewDriver>;

const driverFields = {
  name,
  employeeNumber: employeeNumber.optional(),
  phone: phone.optional(),
  email: email.optional(),
  licenceNumber: licenceNumber.optional(),
  licenceClasses: licenceClasses.optional(),
  licenceExpiry: licenceExpiry.optional(),
  departmentId: reference('a department').optional(),
  userId: reference('a user account').optional().meta({ description: 'the driver’s own sign-in, if any' }),
  driverCardId: cardId.optional(),
  status: driverStatus.optional(),
  notes: notes.optional(),
};

export const newDriverSchema = z
  .strictObject(driverFields)
  .transform(
    (b): NewDriver => ({
      name: b.name,
      employeeNumber: b.employeeNumber ?? null,
      phone: b.phone ?? null,
      email: b.email ?? null,
      licenceNumber: b.licenceNumber ?? null,
      licenceClasses: b.licenceClasses ?? [],
      licenceExpiry: b.licenceExpiry ?? null,
      departmentId: b.departmentId ?? null,
      userId: b.userId ?? null,
      driverCardId: b.driverCardId ?? null,
      status: b.status ?? 'active',
      notes: b.notes ?? null,
    }),
  )
  .meta({ id: 'NewDriver', description: 'A driver or crew member; only the name is required' });

export const driverChangesSchema = z
  .strictObject({ ...driverFields, name: name.optional() })
  .refine((b) => Object.keys(b).length > 0, 'nothing to change: give at least one field')
  .transform((b): DriverChanges => Object.fromEntries(Object.entries(b).filter(([, v]) => v !== undefined)))
  .meta({ id: 'DriverChanges', description: 'Fields to change; absent ones stay, null clears' });

const page = {
  limit: z.coerce.number().int().min(1).max(500).default(50),
  offset: z.coerce.number().int().min(0).max(10_000_000).default(0),
};

export const driverQuerySchema = z
  .strictObject({
    departmentId: z.uuid().optional().meta({ description: 'only this department and its sub-departments' }),
    status: driverStatus.optional(),
    q: z
      .string()
      .max(NAME_MAX_LENGTH)
      .optional()
      .meta({ description: 'part of the name or the employee number, any case' }),
    licenceExpiresBefore: calendarDate
      .optional()
      .meta({ description: 'YYYY-MM-DD: drivers whose licence expires before this day' }),
    sort: z.enum(DRIVER_SORTS).default('name'),
    order: z.enum(['asc', 'desc']).default('asc'),
    ...page,
    format: listFormat,
  })
  .meta({ id: 'DriverQuery' });

export const pageQuerySchema = z.strictObject(page).meta({ id: 'PageQuery' });

const instantText = z
  .string({ error: 'a time in ISO 8601 with its offset (2026-11-21T08:00:00Z)' })
  .max(40, { error: 'a time in ISO 8601 with its offset (2026-11-21T08:00:00Z)', abort: true })
  .pipe(z.iso.datetime({ offset: true, error: 'a time in ISO 8601 with its offset (2026-11-21T08:00:00Z)' }))
  .transform((text) => new Date(text))
  .refine((d) => d.getUTCFullYear() >= 1970 && d.getUTCFullYear() <= 2200, 'a time between 1970 and 2200');

export interface NewAssignment {
  vehicleId: string;
  /** Undefined: now, in the database's clock. */
  startsAt: Date | undefined;
  endsAt: Date | null;
}

export const newAssignmentSchema = z
  .strictObject({
    vehicleId: z.uuid({ error: 'vehicleId is the id of a vehicle in your organisation' }),
    startsAt: instantText.optional().meta({ description: 'default: now' }),
    endsAt: instantText.nullable().optional().meta({ description: 'null or absent: until ended' }),
  })
  .superRefine((b, ctx) => {
    // Zod runs this even when a field failed (its value is then the raw input): compare dates only.
    const starts = b.startsAt === undefined ? new Date() : b.startsAt;
    if (b.endsAt instanceof Date && starts instanceof Date && b.endsAt.getTime() <= starts.getTime())
      ctx.addIssue({ code: 'custom', path: ['endsAt'], message: 'an assignment ends after it starts' });
  })
  .transform(
    (b): NewAssignment => ({ vehicleId: b.vehicleId, startsAt: b.startsAt, endsAt: b.endsAt ?? null }),
  )
  .meta({ id: 'NewDriverAssignment' });

export const vehicleDriverChangeSchema = z
  .strictObject({ driverId: z.uuid({ error: 'driverId is the id of a driver in your organisation' }) })
  .meta({ id: 'VehicleDriverChange', description: 'The driver who takes the vehicle now' });

export const endAssignmentQuery = z
  .strictObject({ endsAt: instantText.optional().meta({ description: 'default: now' }) })
  .meta({ id: 'EndAssignmentQuery' });

export const purgeQuery = z
  .strictObject({
    purge: z
      .enum(['true', 'false'])
      .default('false')
      .transform((v) => v === 'true')
      .meta({ description: 'true: delete a driver who never had an assignment, instead of deactivating' }),
  })
  .meta({ id: 'DriverDeleteQuery' });

// Answers.

const currentVehicle = z
  .object({
    assignmentId: z.uuid(),
    vehicleId: z.uuid(),
    vehicleName: z.string().nullable(),
    since: z.iso.datetime(),
  })
  .nullable()
  .meta({ description: 'the vehicle the driver has now, if any' });

export const driverSchema = z
  .object({
    id: z.uuid(),
    name: z.string(),
    employeeNumber: z.string().nullable(),
    phone: z.string().nullable().meta({ description: 'E.164' }),
    email: z.string().nullable(),
    licenceNumber: z.string().nullable(),
    licenceClasses: z.array(licenceClass),
    licenceExpiry: z.iso.date().nullable(),
    departmentId: z.uuid().nullable(),
    userId: z.uuid().nullable(),
    driverCardId: z.string().nullable(),
    status: driverStatus,
    notes: z.string().nullable(),
    erased: z.boolean().meta({ description: 'personal data erased on request: kept only to count history' }),
    erasedAt: z.iso.datetime().nullable(),
    currentVehicle,
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .meta({ id: 'Driver' });

export const driverPageSchema = z
  .object({
    items: z.array(driverSchema),
    total: z.number().int(),
    limit: z.number().int(),
    offset: z.number().int(),
  })
  .meta({ id: 'DriverPage' });

export const driverRemovalSchema = z
  .object({ id: z.uuid(), outcome: z.enum(['deactivated', 'purged']) })
  .meta({ id: 'DriverRemoval' });

export const assignmentSchema = z
  .object({
    id: z.uuid(),
    driverId: z.uuid(),
    driverName: z.string(),
    driverErased: z.boolean(),
    vehicleId: z.uuid(),
    vehicleName: z.string().nullable().meta({ description: 'null when the vehicle is outside your scope' }),
    vehiclePlate: z.string().nullable(),
    startsAt: z.iso.datetime(),
    endsAt: z.iso.datetime().nullable(),
    source: assignmentSource,
    createdAt: z.iso.datetime(),
  })
  .meta({ id: 'DriverAssignment' });

export const assignmentPageSchema = z
  .object({
    items: z.array(assignmentSchema),
    total: z.number().int(),
    limit: z.number().int(),
    offset: z.number().int(),
  })
  .meta({ id: 'DriverAssignmentPage' });

export const vehicleDriverSchema = z
  .object({
    vehicleId: z.uuid(),
    driver: driverSchema.nullable(),
    assignment: assignmentSchema.nullable(),
  })
  .meta({ id: 'VehicleDriver', description: 'Who drives the vehicle now (both null: nobody)' });

const auditEntry = z.object({
  id: z.string(),
  at: z.iso.datetime(),
  actor: z.string(),
  entity: z.string(),
  entityId: z.string(),
  action: z.enum(['create', 'update', 'delete']),
  before: z.record(z.string(), z.unknown()).nullable(),
  after: z.record(z.string(), z.unknown()).nullable(),
});

export const personalDataSchema = z
  .object({
    exportedAt: z.iso.datetime(),
    driver: driverSchema,
    userAccount: z
      .object({ id: z.uuid(), email: z.string(), name: z.string(), role: z.string() })
      .nullable()
      .meta({ description: 'the linked sign-in, if any' }),
    assignments: z.array(assignmentSchema),
    auditLog: z.array(auditEntry).meta({ description: 'every change to the driver and their assignments' }),
  })
  .meta({ id: 'DriverPersonalData' });
