// A driver's assignments on their page (lib/drivers/assignments.ts): the one now, those booked
// ahead and those over; the assignment form's request (hand over now, or a booking typed by the
// organisation's clock) passing the API's schema; and the GDPR panel's words
// (lib/drivers/personal-data.ts).
import type { DriverAssignment } from '@fleet/api/contract';
import { describe, expect, it } from 'vitest';
import { newAssignmentSchema } from '../../api/src/domains/drivers/schemas.ts';
import {
  assignmentRequest,
  blankAssignmentForm,
  groupAssignments,
  periodLabel,
  vehicleLabel,
} from '../src/lib/drivers/assignments.ts';
import { ERASED_FIELDS, erasureKeeps, exportFilename } from '../src/lib/drivers/personal-data.ts';

const VEHICLE = '5a0c7d0e-2f3b-4c1d-8e9f-0a1b2c3d4e5f';
const NOW = Date.parse('2026-11-21T10:00:00Z');

function assignment(id: string, startsAt: string, endsAt: string | null): DriverAssignment {
  return {
    id,
    driverId: '6f1c1a52-8a4e-4a57-9a43-3f0f3c2b1a10',
    driverName: 'Aino Virtanen',
    driverErased: false,
    vehicleId: VEHICLE,
    vehicleName: 'Van 7',
    vehiclePlate: 'ABC-123',
    startsAt,
    endsAt,
    source: 'manual',
    createdAt: startsAt,
  };
}

describe('grouping', () => {
  it('tells the current assignment from those ahead and those over', () => {
    const items = [
      assignment('later', '2026-11-25T08:00:00Z', '2026-11-26T08:00:00Z'),
      assignment('soon', '2026-11-22T08:00:00Z', null),
      assignment('now', '2026-11-21T06:00:00Z', '2026-11-21T16:00:00Z'),
      assignment('over', '2026-11-20T06:00:00Z', '2026-11-21T10:00:00Z'), // half-open: over at 10:00
      assignment('older', '2026-11-01T06:00:00Z', '2026-11-02T06:00:00Z'),
    ];
    const g = groupAssignments(items, NOW);
    expect(g.current?.id).toBe('now');
    expect(g.upcoming.map((a) => a.id)).toEqual(['soon', 'later']);
    expect(g.past.map((a) => a.id)).toEqual(['over', 'older']);
  });

  it('has no current one between assignments', () => {
    expect(
      groupAssignments([assignment('over', '2026-11-20T06:00:00Z', '2026-11-20T16:00:00Z')], NOW).current,
    ).toBe(undefined);
  });

  it('labels vehicles and periods', () => {
    expect(vehicleLabel('Van 7', 'ABC-123')).toBe('Van 7 · ABC-123');
    expect(vehicleLabel('Forklift', null)).toBe('Forklift');
    expect(vehicleLabel(null, null)).toBe('A vehicle outside your departments');
    expect(periodLabel({ startsAt: '2026-11-21T06:00:00Z', endsAt: null }, 'Europe/Helsinki')).toBe(
      '21 Nov 2026, 08:00:00 – until ended',
    );
  });
});

describe('the assignment form', () => {
  const HELSINKI = 'Europe/Helsinki';

  it('asks for a vehicle first', () => {
    expect(assignmentRequest(blankAssignmentForm(), HELSINKI, NOW)).toEqual({
      kind: 'invalid',
      problems: { vehicleId: 'choose a vehicle' },
    });
  });

  it('hands the vehicle over now', () => {
    const request = assignmentRequest(
      { ...blankAssignmentForm(), vehicleId: VEHICLE, mode: 'now' },
      HELSINKI,
      NOW,
    );
    expect(request).toEqual({ kind: 'now', vehicleId: VEHICLE });
  });

  it('books from now until ended when no times are given', () => {
    const request = assignmentRequest({ ...blankAssignmentForm(), vehicleId: VEHICLE }, HELSINKI, NOW);
    expect(request).toEqual({ kind: 'booking', body: { vehicleId: VEHICLE } });
  });

  it('reads the times by the organisation’s clock, and the API takes them', () => {
    const request = assignmentRequest(
      { vehicleId: VEHICLE, mode: 'booking', startsAt: '2026-11-23T07:30', endsAt: '2026-11-23T16:00' },
      HELSINKI,
      NOW,
    );
    expect(request).toEqual({
      kind: 'booking',
      body: { vehicleId: VEHICLE, startsAt: '2026-11-23T05:30:00.000Z', endsAt: '2026-11-23T14:00:00.000Z' },
    });
    if (request.kind !== 'booking') throw new Error('a booking');
    expect(newAssignmentSchema.safeParse(request.body).success).toBe(true);
  });

  it('refuses an end before the start, or before now when it starts now', () => {
    const at = (startsAt: string, endsAt: string) =>
      assignmentRequest({ vehicleId: VEHICLE, mode: 'booking', startsAt, endsAt }, HELSINKI, NOW);
    expect(at('2026-11-23T16:00', '2026-11-23T07:30')).toEqual({
      kind: 'invalid',
      problems: { endsAt: 'an assignment ends after it starts' },
    });
    expect(at('', '2026-11-21T11:00')).toEqual({
      kind: 'invalid',
      problems: { endsAt: 'an assignment ends after it starts' },
    });
    expect(at('', '2026-11-21T13:00').kind).toBe('booking');
    expect(at('soon', '')).toEqual({ kind: 'invalid', problems: { startsAt: 'a date and time' } });
  });
});

describe('the GDPR panel', () => {
  it('names the export after the driver, in ASCII', () => {
    expect(exportFilename({ name: 'Äijä Öhman-Ström', id: 'x' }, '2026-12-03')).toBe(
      'personal-data-aija-ohman-strom-2026-12-03.json',
    );
    expect(exportFilename({ name: '李雷', id: '6f1c1a52-8a4e' }, '2026-12-03')).toBe(
      'personal-data-6f1c1a52-2026-12-03.json',
    );
  });

  it('says what erasure removes and what it keeps counted', () => {
    expect(ERASED_FIELDS).toContain('phone');
    expect(ERASED_FIELDS).toContain('driver card');
    expect(erasureKeeps(3)).toContain('The 3 assignments stay, attributed to the anonymous driver');
    expect(erasureKeeps(1)).toContain('The 1 assignment stays');
    expect(erasureKeeps(0)).toContain('no assignments');
    expect(erasureKeeps(0)).toContain('The department stays.');
  });
});
