// The forms' checks and the API's field errors: each check agrees with the API's own schema on
// the same cases (zod's email, the working-hours schema), and each detail of an error lands at
// the field it names.
import { WEEKDAYS } from '@fleet/shared/organisation-settings';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { organisationChangesSchema } from '../../api/src/routes/schemas.ts';
import { bodyPath, formErrors } from '../src/lib/admin/field-errors.ts';
import {
  addressProblem,
  emailProblem,
  generatePassword,
  nameProblem,
  passwordProblem,
  problems,
  radiusProblem,
} from '../src/lib/admin/validate.ts';
import {
  copyHours,
  describeDay,
  hoursProblems,
  nextInterval,
  sameHours,
  type WorkingHours,
} from '../src/lib/admin/working-hours.ts';
import { ApiRequestError } from '../src/lib/api/errors.ts';
import { LIMITS } from '../src/lib/api/management.ts';

const validation = (details: { path: string; message: string }[], message = 'Invalid body: x') =>
  new ApiRequestError(400, 'validation_failed', message, { details });

describe('formErrors', () => {
  it('puts each detail at the field its body path names', () => {
    const err = validation([
      { path: 'body.name', message: 'too long' },
      { path: 'body.geometry.coordinates.0.3', message: 'the ring crosses itself near 60.1, 24.9' },
    ]);
    const out = formErrors(err, ['name', 'geometry']);
    expect(out.fields).toEqual({ name: 'too long', geometry: 'the ring crosses itself near 60.1, 24.9' });
    expect(out.form).toBe('Invalid body: x');
  });

  it('prefers the longest alias, and keeps the first message of a field', () => {
    const err = validation([
      { path: 'body.geometry.radiusM', message: 'a radius is 10 m..50 km' },
      { path: 'body.geometry.center', message: 'outside' },
      { path: 'body.geometry.center.lat', message: 'second' },
    ]);
    const out = formErrors<'geometry' | 'radius' | 'center'>(err, ['geometry'], {
      aliases: { 'geometry.radiusM': 'radius', 'geometry.center': 'center' },
    });
    expect(out.fields).toEqual({ radius: 'a radius is 10 m..50 km', center: 'outside' });
  });

  it('lists what no field shows in the form message, so nothing is lost', () => {
    const err = validation([
      { path: 'body', message: 'nothing to change' },
      { path: 'body.unknown', message: 'unrecognised key' },
      { path: 'query.limit', message: 'too big' },
    ]);
    const out = formErrors(err, ['name']);
    expect(out.fields).toEqual({});
    expect(out.form).toBe(
      'Invalid body: x nothing to change body.unknown: unrecognised key query.limit: too big',
    );
  });

  it('does not match a field by a prefix of its name', () => {
    const out = formErrors(validation([{ path: 'body.nameX', message: 'm' }]), ['name']);
    expect(out.fields).toEqual({});
  });

  it('puts a 409 without details at the field the form names, and shows a 403 as the form’s', () => {
    const taken = new ApiRequestError(409, 'conflict', 'A user with the email a@b.fi already exists.');
    expect(formErrors(taken, ['email', 'name'], { conflict: 'email' }).fields).toEqual({
      email: 'A user with the email a@b.fi already exists.',
    });
    expect(formErrors(taken, ['email']).fields).toEqual({});
    const refused = new ApiRequestError(403, 'forbidden', 'Your role may not do this.');
    expect(formErrors(refused, ['name'], { conflict: 'name' })).toEqual({
      fields: {},
      form: 'Your role may not do this.',
    });
  });

  it('words errors that are not the API’s', () => {
    expect(formErrors(new Error('boom'), ['name']).form).toBe('boom');
  });

  it('reads body paths only', () => {
    expect([bodyPath('body'), bodyPath('body.a.b'), bodyPath('query.a'), bodyPath('bodyx')]).toEqual([
      '',
      'a.b',
      undefined,
      undefined,
    ]);
  });
});

describe('the checks agree with the API’s schemas', () => {
  const EMAILS = [
    'a@b.fi',
    'first.last+tag@sub.example.com',
    "o'neil@example.org",
    'no-at-sign',
    'two@@example.com',
    '.dot@example.com',
    'dots..in@example.com',
    'a@b',
    'a@-b.com',
    'space in@example.com',
    `${'x'.repeat(250)}@b.fi`,
  ];
  it('emails, as z.email().max(254)', () => {
    const api = z.email().max(254);
    for (const email of EMAILS)
      expect([email, emailProblem(email) === undefined]).toEqual([email, api.safeParse(email).success]);
  });

  it('names, as z.string().trim().min(1).max(100)', () => {
    const api = z.string().trim().min(1).max(LIMITS.userName);
    for (const name of ['', '   ', 'A', ` ${'x'.repeat(100)} `, 'x'.repeat(101)])
      expect(nameProblem(name, LIMITS.userName) === undefined).toBe(api.safeParse(name).success);
  });

  it('passwords, addresses and radii by the API’s limits', () => {
    expect(passwordProblem('x'.repeat(11))).toBe('at least 12 characters');
    expect(passwordProblem('x'.repeat(12))).toBeUndefined();
    expect(passwordProblem('x'.repeat(201))).toBe('at most 200 characters');
    expect(addressProblem('x'.repeat(500))).toBeUndefined();
    expect(addressProblem('x'.repeat(501))).toMatch(/at most 500/);
    expect([radiusProblem(9.9), radiusProblem(10), radiusProblem(50_000), radiusProblem(50_001)]).toEqual([
      'a radius is at least 10 m',
      undefined,
      undefined,
      'a radius is at most 50 km',
    ]);
    expect(radiusProblem(Number.NaN)).toBe('the radius is a number of metres');
  });

  it('keeps only the problems there are', () => {
    expect(problems({ a: undefined, b: 'x' })).toEqual({ b: 'x' });
  });
});

describe('generated passwords', () => {
  it('are long enough for the API, from the alphabet, and different each time', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 200; i++) {
      const p = generatePassword();
      expect(p).toMatch(/^[a-km-zA-HJ-NP-Z2-9]{20}$/);
      expect(passwordProblem(p)).toBeUndefined();
      seen.add(p);
    }
    expect(seen.size).toBe(200);
  });
});

describe('working hours', () => {
  const week = (day: WorkingHours['mon']): WorkingHours =>
    Object.fromEntries(WEEKDAYS.map((d) => [d, d === 'mon' ? day : []])) as WorkingHours;
  const CASES: WorkingHours['mon'][] = [
    [],
    [{ from: '08:00', to: '17:00' }],
    [{ from: '00:00', to: '24:00' }],
    [
      { from: '06:00', to: '10:00' },
      { from: '10:00', to: '14:00' },
    ],
    [{ from: '17:00', to: '08:00' }],
    [{ from: '24:00', to: '24:00' }],
    [{ from: '8:00', to: '17:00' }],
    [{ from: '08:00', to: '25:00' }],
    [
      { from: '08:00', to: '12:00' },
      { from: '11:00', to: '13:00' },
    ],
    [
      { from: '12:00', to: '13:00' },
      { from: '08:00', to: '09:00' },
    ],
    [1, 2, 3, 4].map((h) => ({ from: `0${h}:00`, to: `0${h}:30` })),
    [1, 2, 3, 4, 5].map((h) => ({ from: `0${h}:00`, to: `0${h}:30` })),
  ];

  it('are refused by the form exactly when the API refuses them, with the API’s words', () => {
    for (const day of CASES) {
      const hours = week(day);
      const api = organisationChangesSchema.safeParse({ workingHours: hours });
      const form = hoursProblems(hours);
      expect([day, form.mon === undefined]).toEqual([day, api.success]);
      if (!api.success) expect(api.error.issues.map((i) => i.message)).toContain(form.mon);
    }
  });

  it('suggest the next interval after the last, up to four a day', () => {
    expect(nextInterval([])).toEqual({ from: '08:00', to: '17:00' });
    expect(nextInterval([{ from: '08:00', to: '12:00' }])).toEqual({ from: '13:00', to: '14:00' });
    expect(nextInterval([{ from: '08:00', to: '23:30' }])).toEqual({ from: '23:59', to: '24:00' });
    expect(nextInterval([{ from: '08:00', to: '24:00' }])).toBeUndefined();
    expect(nextInterval(CASES[10] ?? [])).toBeUndefined();
    // Every suggestion is valid where the day was.
    let day: WorkingHours['mon'] = [];
    for (let i = 0; i < 4; i++) {
      const next = nextInterval(day);
      expect(next).toBeDefined();
      day = [...day, next as WorkingHours['mon'][number]];
      expect(hoursProblems(week(day)).mon).toBeUndefined();
    }
  });

  it('copy deeply, compare by value and read as words', () => {
    const a = week([{ from: '08:00', to: '17:00' }]);
    const b = copyHours(a);
    expect(sameHours(a, b)).toBe(true);
    b.mon[0] = { from: '09:00', to: '17:00' };
    expect(a.mon[0]?.from).toBe('08:00');
    expect(sameHours(a, b)).toBe(false);
    expect(describeDay(a.mon)).toBe('08:00–17:00');
    expect(describeDay([])).toBe('Closed');
  });
});
