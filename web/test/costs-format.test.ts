// Cost figures in words (lib/costs/format.ts): money and per-unit costs exactly from the API's
// decimal strings, litres, consumption, distance and hours, months.
import { describe, expect, it } from 'vitest';
import {
  formatAmount,
  formatCompactAmount,
  formatConsumption,
  formatDistance,
  formatEngineHours,
  formatLitres,
  formatPerUnit,
  monthLabel,
} from '../src/lib/costs/format.ts';

describe('money', () => {
  it('is the API’s string, formatted exactly', () => {
    expect(formatAmount('1079.50', 'EUR')).toBe('€1,079.50');
    // A float would print 0.30000000000000004 somewhere along the way; the string cannot.
    expect(formatAmount('999999999999.99', 'EUR')).toBe('€999,999,999,999.99');
    expect(formatAmount('1200', 'JPY')).toBe('JP¥1,200');
  });

  it('per km and per engine hour keeps the API’s four decimals where they matter', () => {
    expect(formatPerUnit('0.5398', 'EUR')).toBe('€0.5398');
    expect(formatPerUnit('21.5900', 'EUR')).toBe('€21.59');
    expect(formatPerUnit('0.1000', 'EUR')).toBe('€0.10');
    expect(formatPerUnit('12.3456', 'JPY')).toBe('JP¥12.3456');
    expect(formatPerUnit(null, 'EUR')).toBe('—');
  });

  it('a chart axis’s money is compact', () => {
    expect(formatCompactAmount(1200, 'EUR')).toBe('€1.2k');
    expect(formatCompactAmount(0, 'EUR')).toBe('€0');
    expect(formatCompactAmount(500, 'EUR')).toBe('€500');
  });
});

describe('the other figures', () => {
  it('read as people write them, a dash where the API has none', () => {
    expect(formatLitres(45.5)).toBe('45.5 l');
    expect(formatLitres(1234.567)).toBe('1,234.57 l');
    expect(formatConsumption(5.83)).toBe('5.83 l/100 km');
    expect(formatConsumption(null)).toBe('—');
    expect(formatDistance(2000)).toBe('2,000 km');
    expect(formatDistance(null)).toBe('—');
    expect(formatEngineHours(50)).toBe('50 h');
    expect(formatEngineHours(null)).toBe('—');
  });

  it('months by name', () => {
    expect(monthLabel('2026-11')).toBe('Nov 2026');
    expect(monthLabel('2027-01')).toBe('Jan 2027');
    expect(monthLabel('odd')).toBe('odd');
  });
});
