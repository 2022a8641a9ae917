// The driver form (lib/drivers/form.ts): its limits and statuses are the API's, its bodies pass
// the API's own schemas, an edit sends only what changed, and its checks catch what they can
// before sending (phone numbers and card ids are the API's to judge, and answered at the field).
import type { Driver } from '@fleet/api/contract';
import { describe, expect, it } from 'vitest';
import * as api from '../../api/src/domains/drivers/schemas.ts';
import {
  blankDriverForm,
  DRIVER_FIELDS,
  DRIVER_LIMITS,
  DRIVER_STATUSES,
  driverChanges,
  driverForm,
  driverFormProblems,
  newDriverBody,
} from '../src/lib/drivers/form.ts';

const driver: Driver = {
  id: '6f1c1a52-8a4e-4a57-9a43-3f0f3c2b1a10',
  name: 'Aino Virtanen',
  employeeNumber: 'E-1042',
  phone: '+358401234567',
  email: 'aino.virtanen@example.fi',
  licenceNumber: 'FI-883210',
  licenceClasses: ['B', 'C1', 'C'],
  licenceExpiry: '2027-06-30',
  departmentId: null,
  userId: null,
  driverCardId: '01A2B3C4',
  status: 'active',
  notes: null,
  erased: false,
  erasedAt: null,
  currentVehicle: null,
  createdAt: '2026-11-01T08:00:00.000Z',
  updatedAt: '2026-11-01T08:00:00.000Z',
};

describe('the form’s rules', () => {
  it('are the API’s limits and statuses', () => {
    expect(DRIVER_LIMITS).toMatchObject({
      name: api.NAME_MAX_LENGTH,
      employeeNumber: api.EMPLOYEE_NUMBER_MAX_LENGTH,
      email: api.EMAIL_MAX_LENGTH,
      licenceNumber: api.LICENCE_NUMBER_MAX_LENGTH,
      driverCardId: api.CARD_ID_MAX_LENGTH,
      notes: api.NOTES_MAX_LENGTH,
    });
    expect(DRIVER_STATUSES).toEqual(api.DRIVER_STATUSES);
  });

  it('names every field the API takes', () => {
    expect([...DRIVER_FIELDS].sort()).toEqual(Object.keys(api.newDriverSchema.in.shape).sort());
  });

  it('catches a missing name, long text and a broken email, and leaves the phone to the API', () => {
    const v = {
      ...blankDriverForm(),
      name: '  ',
      employeeNumber: 'x'.repeat(41),
      email: 'not-an-email',
      phone: '040 123 4567',
      notes: 'y'.repeat(2001),
    };
    expect(driverFormProblems(v)).toEqual({
      name: 'a name is needed',
      employeeNumber: 'at most 40 characters',
      email: 'not an email address',
      notes: 'at most 2000 characters',
    });
    expect(driverFormProblems({ ...blankDriverForm(), name: 'Aino' })).toEqual({});
  });
});

describe('a new driver’s body', () => {
  it('sends every field, blanks as null, and passes the API’s schema', () => {
    const body = newDriverBody({
      ...blankDriverForm(),
      name: '  Mikko Korhonen ',
      phone: '+358 50 987 6543',
      licenceClasses: ['CE', 'B'],
      licenceExpiry: '2026-12-01',
      driverCardId: '01:a2:b3',
    });
    expect(body).toEqual({
      name: 'Mikko Korhonen',
      employeeNumber: null,
      phone: '+358 50 987 6543',
      email: null,
      licenceNumber: null,
      licenceClasses: ['B', 'CE'],
      licenceExpiry: '2026-12-01',
      driverCardId: '01:a2:b3',
      departmentId: null,
      userId: null,
      status: 'active',
      notes: null,
    });
    const parsed = api.newDriverSchema.parse(body);
    expect(parsed.phone).toBe('+358509876543');
    expect(parsed.driverCardId).toBe('01A2B3');
  });

  it('is refused by the API at the phone when the number is not one', () => {
    const body = newDriverBody({ ...blankDriverForm(), name: 'Aino', phone: '+358 40 12' });
    const result = api.newDriverSchema.safeParse(body);
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.path).toEqual(['phone']);
  });
});

describe('an edit', () => {
  it('starts from the driver and sends nothing when nothing changed', () => {
    expect(driverChanges(driverForm(driver), driver)).toEqual({});
  });

  it('sends only the changed fields, a cleared one as null, and passes the API’s schema', () => {
    const v = {
      ...driverForm(driver),
      phone: '+358 44 555 0101',
      email: '',
      licenceClasses: [...driver.licenceClasses, 'CE' as const],
      status: 'inactive' as const,
    };
    const changes = driverChanges(v, driver);
    expect(changes).toEqual({
      phone: '+358 44 555 0101',
      email: null,
      licenceClasses: ['B', 'C1', 'C', 'CE'],
      status: 'inactive',
    });
    expect(api.driverChangesSchema.parse(changes)).toMatchObject({ phone: '+358445550101', email: null });
  });

  it('does not see a change in the classes’ order alone', () => {
    expect(driverChanges({ ...driverForm(driver), licenceClasses: ['C', 'B', 'C1'] }, driver)).toEqual({});
  });
});
