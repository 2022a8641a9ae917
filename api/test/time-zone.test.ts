// The organisation time zone's validator: IANA names Intl understands, including the ones
// Intl.supportedValuesOf leaves out on V8, and nothing else.
import { canonicalTimeZone, isTimeZoneName } from '@fleet/shared/time-zone';
import { describe, expect, it } from 'vitest';
import { organisationChangesSchema, timeZoneName } from '../src/routes/schemas.ts';

const messages = (result: { success: boolean; error?: { issues: { message: string }[] } }) =>
  result.error?.issues.map((i) => i.message) ?? [];

describe('timeZoneName', () => {
  it.each([
    'UTC',
    'Etc/UTC',
    'Europe/Helsinki',
    'America/Argentina/Buenos_Aires',
    'America/Port-au-Prince',
    'Etc/GMT+5',
    // Current names of renamed zones, which V8 does not list in Intl.supportedValuesOf.
    'Asia/Kolkata',
    'Europe/Kyiv',
    // Old names: still IANA links, still understood everywhere.
    'Europe/Kiev',
    'US/Eastern',
  ])('accepts %s, which Intl formats with', (name) => {
    expect(timeZoneName.safeParse(name)).toEqual({ success: true, data: name });
    expect(() => new Intl.DateTimeFormat('en-GB', { timeZone: name }).format(0)).not.toThrow();
  });

  it.each([
    'Mars/Olympus',
    'Europe/Nowhere',
    'Etc/Unknown',
    '',
    ' UTC',
    'UTC ',
    'Europe/Helsinki\n',
    '+02:00',
    '-0500',
    'UTC+2',
    'Z',
    '../../etc/passwd',
    "Europe/Helsinki'; drop table organisations; --",
  ])('refuses %j, naming it', (name) => {
    const result = timeZoneName.safeParse(name);
    expect(result.success).toBe(false);
    expect(messages(result)).toEqual([
      `unknown time zone ${JSON.stringify(name)}: expected an IANA name such as Europe/Helsinki or UTC`,
    ]);
  });

  it('refuses long strings by their length alone, without echoing them', () => {
    const result = timeZoneName.safeParse('x'.repeat(10_000));
    expect(messages(result)).toEqual(['a time zone name is at most 64 characters']);
    expect(isTimeZoneName(`Europe/${'x'.repeat(60)}`)).toBe(false);
  });

  it('refuses what is not a string', () => {
    for (const value of [42, null, undefined, ['UTC'], { name: 'UTC' }, true]) {
      expect(timeZoneName.safeParse(value).success, JSON.stringify(value)).toBe(false);
    }
  });
});

describe('organisation changes', () => {
  it('take a name, a time zone or the other settings, and nothing else', () => {
    expect(organisationChangesSchema.parse({ timeZone: 'Europe/Helsinki' })).toEqual({
      timeZone: 'Europe/Helsinki',
    });
    expect(organisationChangesSchema.parse({ name: '  Acme Oy ', timeZone: 'UTC' })).toEqual({
      name: 'Acme Oy',
      timeZone: 'UTC',
    });
    expect(messages(organisationChangesSchema.safeParse({}))).toEqual([
      'nothing to change: give name, timeZone, workingHours, distanceUnit, currency or mfaRequiredForAdmins',
    ]);
    for (const body of [
      { timeZone: 'UTC', slug: 'other' },
      { timeZone: 'UTC', id: '00000000-0000-0000-0000-000000000000' },
      { name: '' },
      { name: 'x'.repeat(101) },
      { timeZone: 3 },
      [],
      'UTC',
      null,
    ]) {
      expect(organisationChangesSchema.safeParse(body).success, JSON.stringify(body)).toBe(false);
    }
  });
});

describe('canonicalTimeZone', () => {
  it('spells a name as Intl does when only the case differs, and keeps aliases as given', () => {
    expect(canonicalTimeZone('europe/helsinki')).toBe('Europe/Helsinki');
    expect(canonicalTimeZone('utc')).toBe('UTC');
    expect(canonicalTimeZone('Europe/Helsinki')).toBe('Europe/Helsinki');
    expect(canonicalTimeZone('Asia/Kolkata')).toBe('Asia/Kolkata');
  });
});
