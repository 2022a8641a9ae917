// The cost forms' bodies (lib/costs/entry.ts) against the API's own zod schemas: a fill-up at
// the organisation's wall-clock time, a refuel confirmed with the amount paid, another cost of
// an asset or a department; the console's few checks at their fields, and amounts left for the
// API to judge (its words come back at the field). And the wall clock itself (lib/time.ts).
import { describe, expect, it } from 'vitest';
import {
  confirmRefuelSchema,
  newCostEntrySchema,
  newFuelEntrySchema,
} from '../../api/src/domains/costs/schemas.ts';
import {
  amountText,
  blankConfirmForm,
  blankCostForm,
  blankFuelForm,
  confirmBody,
  costBody,
  fuelBody,
} from '../src/lib/costs/entry.ts';
import { zonedDayTime, zonedInstant } from '../src/lib/time.ts';

const VAN = '0b7c4c1e-8c55-4c57-9d1e-3c1f0e0a9b11';
const DEPOT = '1c8d5d2f-9d66-4d68-8e2f-4d2a1f1b0c22';
const NOW = Date.UTC(2026, 10, 3, 5, 45); // 07:45 in Helsinki

describe('the wall clock', () => {
  it('is the organisation’s, both ways', () => {
    expect(zonedDayTime(NOW, 'Europe/Helsinki')).toEqual({ day: '2026-11-03', time: '07:45' });
    expect(zonedDayTime(NOW, 'UTC')).toEqual({ day: '2026-11-03', time: '05:45' });
    expect(zonedInstant('2026-11-03', '07:45', 'Europe/Helsinki')).toBe(NOW);
    expect(zonedInstant('2026-11-03', '7.45', 'Europe/Helsinki')).toBe(NOW);
    expect(zonedInstant('2026-07-03', '07:45', 'Europe/Helsinki')).toBe(Date.UTC(2026, 6, 3, 4, 45));
  });

  it('over the nights the clocks change', () => {
    // Spring forward at 03:00 (29 March 2026): 02:30 is still winter time, 04:30 summer time.
    expect(zonedInstant('2026-03-29', '02:30', 'Europe/Helsinki')).toBe(Date.UTC(2026, 2, 29, 0, 30));
    expect(zonedInstant('2026-03-29', '04:30', 'Europe/Helsinki')).toBe(Date.UTC(2026, 2, 29, 1, 30));
    // 03:30 does not exist that night: read at the offset before the change.
    expect(zonedInstant('2026-03-29', '03:30', 'Europe/Helsinki')).toBe(Date.UTC(2026, 2, 29, 1, 30));
    // Fall back at 04:00 (25 October 2026).
    expect(zonedInstant('2026-10-25', '05:00', 'Europe/Helsinki')).toBe(Date.UTC(2026, 9, 25, 3, 0));
    expect(zonedInstant('2026-10-24', '23:00', 'Europe/Helsinki')).toBe(Date.UTC(2026, 9, 24, 20, 0));
  });

  it('refuses what is no day or time', () => {
    expect(zonedInstant('2026-02-30', '07:45', 'UTC')).toBeUndefined();
    expect(zonedInstant('2026-02-03', '24:00', 'UTC')).toBeUndefined();
    expect(zonedInstant('', '07:45', 'UTC')).toBeUndefined();
  });
});

describe('an amount as typed', () => {
  it('reads a decimal comma and drops spaces; anything else is the API’s to judge', () => {
    expect(amountText(' 54,90 ')).toBe('54.90');
    expect(amountText('1 234,50')).toBe('1234.50');
    expect(amountText('54.90')).toBe('54.90');
    expect(amountText('-5')).toBe('-5');
    expect(amountText('1,234.50')).toBe('1,234.50');
  });
});

describe('a fill-up', () => {
  const form = { ...blankFuelForm(NOW, 'Europe/Helsinki', VAN), litres: '45,5', total: '84,13' };

  it('is the API’s body, at the organisation’s wall-clock time', () => {
    const result = fuelBody(
      { ...form, odometerKm: '1000', station: ' Neste Pasila ', partial: true },
      'EUR',
      'Europe/Helsinki',
    );
    expect(result).toEqual({
      ok: true,
      body: {
        assetId: VAN,
        filledAt: '2026-11-03T05:45:00.000Z',
        litres: 45.5,
        total: '84.13',
        currency: 'EUR',
        odometerKm: 1000,
        partial: true,
        station: 'Neste Pasila',
      },
    });
    if (result.ok) expect(newFuelEntrySchema.safeParse(result.body).success).toBe(true);
  });

  it('checks what it needs to build the body, at the fields', () => {
    expect(fuelBody(blankFuelForm(NOW, 'UTC'), 'EUR', 'UTC')).toEqual({
      ok: false,
      problems: {
        assetId: 'choose the vehicle or machine',
        litres: 'litres is a number such as 45.5',
        total: 'the amount paid in EUR, such as 54.90',
      },
    });
    expect(fuelBody({ ...form, day: '', odometerKm: 'lots' }, 'EUR', 'UTC')).toEqual({
      ok: false,
      problems: {
        filledAt: 'a day and a time (HH:MM) of the fill-up',
        odometerKm: 'the odometer in whole or decimal km',
      },
    });
  });

  it('sends an amount the API refuses, so its words are shown at the field', () => {
    for (const total of ['-5', '84.135', '12 EUR']) {
      const result = fuelBody({ ...form, total }, 'EUR', 'UTC');
      expect(result.ok, total).toBe(true);
      const parsed = result.ok ? newFuelEntrySchema.safeParse(result.body) : undefined;
      // 84.135 has the API's shape of an amount; the currency's two decimals are its repository's check.
      if (total !== '84.135') expect(parsed?.error?.issues.map((i) => i.path.join('.'))).toEqual(['total']);
    }
  });
});

describe('a refuel confirmed', () => {
  it('needs the amount paid; the litres are the measured ones unless corrected', () => {
    const result = confirmBody({ ...blankConfirmForm(), total: '71,19' }, 38.5, 'EUR');
    expect(result).toEqual({ ok: true, body: { total: '71.19', currency: 'EUR', partial: false } });
    if (result.ok) expect(confirmRefuelSchema.safeParse(result.body).success).toBe(true);
    expect(
      confirmBody({ ...blankConfirmForm(), total: '71.19', litres: '40', odometerKm: '20400' }, 38.5, 'EUR'),
    ).toEqual({
      ok: true,
      body: { total: '71.19', currency: 'EUR', litres: 40, odometerKm: 20400, partial: false },
    });
    expect(confirmBody(blankConfirmForm(), 38.5, 'EUR')).toEqual({
      ok: false,
      problems: { total: 'the amount paid in EUR, such as 54.90' },
    });
  });

  it('asks for the litres when none were measured (the tank’s size unknown)', () => {
    const result = confirmBody({ ...blankConfirmForm(), total: '20.00' }, null, 'EUR');
    expect(result.ok).toBe(false);
    expect(result.ok ? undefined : Object.keys(result.problems)).toEqual(['litres']);
  });
});

describe('another cost', () => {
  const form = { ...blankCostForm(NOW, 'Europe/Helsinki'), category: 'toll' as const, amount: '5,40' };

  it('of an asset or of a department, today in the organisation’s zone', () => {
    const asset = costBody({ ...form, assetId: VAN, description: ' Ring road ' }, 'EUR');
    expect(asset).toEqual({
      ok: true,
      body: {
        assetId: VAN,
        category: 'toll',
        incurredOn: '2026-11-03',
        amount: '5.40',
        currency: 'EUR',
        description: 'Ring road',
      },
    });
    const department = costBody({ ...form, target: 'department', assetId: VAN, departmentId: DEPOT }, 'EUR');
    expect(department.ok && department.body).toEqual({
      departmentId: DEPOT,
      category: 'toll',
      incurredOn: '2026-11-03',
      amount: '5.40',
      currency: 'EUR',
    });
    for (const r of [asset, department])
      if (r.ok) expect(newCostEntrySchema.safeParse(r.body).success).toBe(true);
  });

  it('says what is missing at its field', () => {
    expect(costBody({ ...blankCostForm(NOW, 'UTC'), incurredOn: '2026-11-31' }, 'EUR')).toEqual({
      ok: false,
      problems: {
        assetId: 'choose the vehicle or machine',
        category: 'choose what it was for',
        incurredOn: 'the day it was paid or incurred',
        amount: 'the amount in EUR, such as 12.50',
      },
    });
    expect(costBody({ ...form, target: 'department' }, 'EUR')).toEqual({
      ok: false,
      problems: { departmentId: 'choose the department' },
    });
  });
});
