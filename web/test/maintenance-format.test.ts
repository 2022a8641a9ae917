// A service status and a work order's figures in words (lib/maintenance/format.ts): what is
// left in the deciding unit, where and when a service falls due (days in the organisation's
// zone), and money shown exactly from the API's decimal strings.
import { describe, expect, it } from 'vitest';
import {
  dueText,
  forecastText,
  formatAmount,
  formatBytes,
  formatDay,
  formatQuantity,
  metersText,
  remainingText,
} from '../src/lib/maintenance/format.ts';

const none = { remainingKm: null, remainingHours: null, remainingDays: null };

describe('what is left', () => {
  it('says it in the unit that decides, left or past due', () => {
    expect(remainingText({ ...none, decidedBy: 'km', remainingKm: 800 })).toBe('800 km left');
    expect(remainingText({ ...none, decidedBy: 'km', remainingKm: 12_345.6 })).toBe('12,346 km left');
    expect(remainingText({ ...none, decidedBy: 'km', remainingKm: -1500 })).toBe('1,500 km past due');
    expect(remainingText({ ...none, decidedBy: 'km', remainingKm: 0.3 })).toBe('due now');
    expect(remainingText({ ...none, decidedBy: 'hours', remainingHours: 12.5 })).toBe('12.5 h left');
    expect(remainingText({ ...none, decidedBy: 'hours', remainingHours: -3 })).toBe('3 h past due');
    expect(remainingText({ ...none, decidedBy: 'time', remainingDays: -3.2 })).toBe('3 days past due');
    expect(remainingText({ ...none, decidedBy: 'time', remainingDays: 1 })).toBe('1 day left');
    expect(remainingText({ ...none, decidedBy: 'time', remainingDays: 0.2 })).toBe('due today');
  });

  it('reads the deciding unit only, and says when there is nothing to go by', () => {
    // Kilometres decide: the hours' figure is not what the planner reads.
    expect(remainingText({ decidedBy: 'km', remainingKm: 200, remainingHours: -5, remainingDays: 40 })).toBe(
      '200 km left',
    );
    expect(remainingText({ ...none, decidedBy: null })).toBe('no reading yet');
    expect(remainingText({ ...none, decidedBy: 'km' })).toBe('—');
  });
});

describe('when it falls due', () => {
  const status = {
    dueOdometerKm: 15000,
    dueEngineHours: 500,
    dueAt: '2027-03-02T23:30:00.000Z',
  };

  it('lists each unit the plan counts, the date in the organisation’s zone', () => {
    expect(dueText(status, 'Europe/Helsinki')).toBe('15,000 km · 500 h · 3 Mar 2027');
    expect(dueText(status, 'UTC')).toBe('15,000 km · 500 h · 2 Mar 2027');
    expect(dueText({ dueOdometerKm: null, dueEngineHours: null, dueAt: null }, 'UTC')).toBe('—');
  });

  it('forecasts a day at the recent use, “now” once due, nothing without use', () => {
    const at = '2026-11-21T22:30:00.000Z';
    expect(forecastText({ level: 'due_soon', forecastAt: at }, 'Europe/Helsinki')).toBe('22 Nov 2026');
    expect(forecastText({ level: 'ok', forecastAt: at }, 'America/New_York')).toBe('21 Nov 2026');
    expect(forecastText({ level: 'overdue', forecastAt: null }, 'UTC')).toBe('now');
    expect(forecastText({ level: 'ok', forecastAt: null }, 'UTC')).toBe('—');
  });

  it('shows a due date as the calendar day it is, in no zone', () => {
    expect(formatDay('2026-12-01')).toBe('1 Dec 2026');
    expect(formatDay('not a day')).toBe('not a day');
  });

  it('shows the meters now', () => {
    expect(metersText({ odometerKm: 29_200, engineHours: 812.46 })).toBe('29,200 km · 812.5 h');
    expect(metersText({ odometerKm: null, engineHours: null })).toBe('—');
  });
});

describe('money', () => {
  it('is formatted from the decimal string itself, exactly, in the currency', () => {
    expect(formatAmount('45.00', 'EUR')).toBe('€45.00');
    expect(formatAmount('1234.5', 'EUR')).toBe('€1,234.50');
    expect(formatAmount('1200', 'JPY')).toBe('JP¥1,200');
    expect(formatAmount('12.345', 'BHD')).toBe('BHD\u00a012.345');
    // Beyond a float's exact integers: a float would print …992.00.
    expect(formatAmount('90071992547409.93', 'EUR')).toBe('€90,071,992,547,409.93');
    expect(formatAmount('0.1', 'USD')).toBe('US$0.10');
  });

  it('falls back to the amount and the code for a code Intl refuses', () => {
    expect(formatAmount('10.00', 'EURO')).toBe('10.00 EURO');
  });

  it('shows quantities and sizes as people read them', () => {
    expect(formatQuantity(1.5)).toBe('1.5');
    expect(formatQuantity(2)).toBe('2');
    expect(formatQuantity(0.125)).toBe('0.125');
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(12_595)).toBe('12.3 KiB');
    expect(formatBytes(5 * 1024 * 1024)).toBe('5.0 MiB');
  });
});
