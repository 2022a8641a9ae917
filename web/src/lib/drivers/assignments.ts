// A driver's assignments as the detail page shows them (the one they have now, those booked
// ahead, those over) and the assignment form: hand a vehicle over now (POST
// /vehicles/{id}/driver, which ends the vehicle's and the driver's current assignments at the
// same instant) or book it for a time (POST /drivers/{id}/assignments, refused with 409 when it
// overlaps another assignment of the vehicle or of the driver). Times are typed by the
// organisation's clock (device/range.ts reads them).
import type { DriverAssignment } from '@fleet/api/contract';
import { problems } from '../admin/validate.ts';
import { fromZonedInput } from '../device/range.ts';
import { formatDateTime } from '../time.ts';

export interface AssignmentGroups {
  current: DriverAssignment | undefined;
  /** Booked to start later, soonest first. */
  upcoming: DriverAssignment[];
  /** Over, newest first (as the API lists them). */
  past: DriverAssignment[];
}

const startMs = (a: DriverAssignment) => Date.parse(a.startsAt);
const endMs = (a: DriverAssignment) => (a.endsAt === null ? Infinity : Date.parse(a.endsAt));

export function groupAssignments(items: readonly DriverAssignment[], now: number): AssignmentGroups {
  return {
    current: items.find((a) => startMs(a) <= now && endMs(a) > now),
    upcoming: items.filter((a) => startMs(a) > now).sort((x, y) => startMs(x) - startMs(y)),
    past: items.filter((a) => endMs(a) <= now),
  };
}

/** "Van 12 · ABC-123"; a vehicle outside the user's department scope has no name to show. */
export function vehicleLabel(name: string | null, plate: string | null): string {
  if (name === null) return 'A vehicle outside your departments';
  return plate === null ? name : `${name} · ${plate}`;
}

/** "21 Nov 2026, 08:00:00 – ongoing" in the organisation's zone. */
export function periodLabel(a: Pick<DriverAssignment, 'startsAt' | 'endsAt'>, timeZone: string): string {
  const from = formatDateTime(Date.parse(a.startsAt), timeZone);
  return `${from} – ${a.endsAt === null ? 'until ended' : formatDateTime(Date.parse(a.endsAt), timeZone)}`;
}

export type AssignmentMode = 'now' | 'booking';

export interface AssignmentFormValues {
  vehicleId: string;
  mode: AssignmentMode;
  /** Wall clock in the organisation's zone ("2026-11-21T08:00"); "" is now. */
  startsAt: string;
  /** "" is until ended. */
  endsAt: string;
}

export type AssignmentField = 'vehicleId' | 'startsAt' | 'endsAt';
export const ASSIGNMENT_FIELDS: readonly AssignmentField[] = ['vehicleId', 'startsAt', 'endsAt'];

export function blankAssignmentForm(): AssignmentFormValues {
  return { vehicleId: '', mode: 'booking', startsAt: '', endsAt: '' };
}

export type AssignmentRequest =
  | { kind: 'now'; vehicleId: string }
  | { kind: 'booking'; body: { vehicleId: string; startsAt?: string; endsAt?: string | null } }
  | { kind: 'invalid'; problems: Partial<Record<AssignmentField, string>> };

/** A datetime-local value as the instant (ISO) it names in `timeZone`; undefined for "" or junk. */
const isoAt = (text: string, timeZone: string) => {
  const ms = text === '' ? undefined : fromZonedInput(text, timeZone);
  return ms === undefined ? undefined : new Date(ms).toISOString();
};

/** The call the form asks for, or what is wrong with it before asking. */
export function assignmentRequest(v: AssignmentFormValues, timeZone: string, now: number): AssignmentRequest {
  if (v.vehicleId === '') return { kind: 'invalid', problems: { vehicleId: 'choose a vehicle' } };
  if (v.mode === 'now') return { kind: 'now', vehicleId: v.vehicleId };
  const startsAt = isoAt(v.startsAt, timeZone);
  const endsAt = isoAt(v.endsAt, timeZone);
  const from = startsAt === undefined ? now : Date.parse(startsAt);
  const found = problems<AssignmentField>({
    vehicleId: undefined,
    startsAt: v.startsAt !== '' && startsAt === undefined ? 'a date and time' : undefined,
    endsAt:
      v.endsAt !== '' && endsAt === undefined
        ? 'a date and time'
        : endsAt !== undefined && Date.parse(endsAt) <= from
          ? 'an assignment ends after it starts'
          : undefined,
  });
  if (Object.keys(found).length > 0) return { kind: 'invalid', problems: found };
  return {
    kind: 'booking',
    body: {
      vehicleId: v.vehicleId,
      ...(startsAt === undefined ? {} : { startsAt }),
      ...(endsAt === undefined ? {} : { endsAt }),
    },
  };
}
