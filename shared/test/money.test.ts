import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { currencyDigits, formatMoney, lineTotal, MONEY_PATTERN, parseMoney, perUnit } from '../src/money.ts';

describe('currencyDigits', () => {
  it('takes the minor digits from Intl', () => {
    expect(currencyDigits('EUR')).toBe(2);
    expect(currencyDigits('JPY')).toBe(0);
    expect(currencyDigits('BHD')).toBe(3);
    // Cached: the same answer the second time.
    expect(currencyDigits('BHD')).toBe(3);
  });
});

describe('parseMoney', () => {
  it('reads EUR to cents', () => {
    expect(parseMoney('12.5', 'EUR')).toBe(1250n);
    expect(parseMoney('12.50', 'EUR')).toBe(1250n);
    expect(parseMoney('1234', 'EUR')).toBe(123_400n);
    expect(parseMoney('0', 'EUR')).toBe(0n);
    expect(parseMoney('0.05', 'EUR')).toBe(5n);
    expect(parseMoney('999999999999.99', 'EUR')).toBe(99_999_999_999_999n);
  });

  it('reads JPY without decimals', () => {
    expect(parseMoney('1500', 'JPY')).toBe(1500n);
    expect(parseMoney('0', 'JPY')).toBe(0n);
    expect(parseMoney('1.5', 'JPY')).toBeUndefined();
    expect(parseMoney('1.0', 'JPY')).toBeUndefined();
  });

  it('reads BHD to three decimals', () => {
    expect(currencyDigits('BHD')).toBe(3);
    expect(parseMoney('1.234', 'BHD')).toBe(1234n);
    expect(parseMoney('1.2', 'BHD')).toBe(1200n);
    expect(parseMoney('0.001', 'BHD')).toBe(1n);
    expect(parseMoney('1.2345', 'BHD')).toBeUndefined();
  });

  it('refuses anything but a plain non-negative decimal within the currency’s digits', () => {
    const refused = [
      '-1',
      '+1',
      '1e3',
      '01',
      '00',
      '1.234',
      ' 1',
      '1 ',
      '',
      '1.',
      '.5',
      '1,5',
      '1.2.3',
      '0x10',
      'Infinity',
      'NaN',
      '１',
      '1000000000000', // 13 integer digits
      '9999999999999.99',
    ];
    for (const text of refused) expect(parseMoney(text, 'EUR'), text).toBeUndefined();
  });

  it('accepts up to 12 integer digits', () => {
    expect(parseMoney('999999999999', 'EUR')).toBe(99_999_999_999_900n);
    expect(parseMoney('100000000000', 'JPY')).toBe(100_000_000_000n);
  });
});

describe('formatMoney', () => {
  it('writes minor units with the currency’s digits', () => {
    expect(formatMoney(1250n, 'EUR')).toBe('12.50');
    expect(formatMoney(5n, 'EUR')).toBe('0.05');
    expect(formatMoney(0n, 'EUR')).toBe('0.00');
    expect(formatMoney(1500n, 'JPY')).toBe('1500');
    expect(formatMoney(0n, 'JPY')).toBe('0');
    expect(formatMoney(5n, 'BHD')).toBe('0.005');
    expect(formatMoney(1234n, 'BHD')).toBe('1.234');
  });

  it('keeps the sign of a negative amount', () => {
    expect(formatMoney(-5n, 'EUR')).toBe('-0.05');
    expect(formatMoney(-123_456n, 'EUR')).toBe('-1234.56');
    expect(formatMoney(-7n, 'JPY')).toBe('-7');
    expect(formatMoney(-1234n, 'BHD')).toBe('-1.234');
  });

  it('writes sums beyond what a number holds exactly', () => {
    expect(formatMoney(10n ** 20n + 1n, 'EUR')).toBe('1000000000000000000.01');
  });
});

describe('parseMoney and formatMoney together', () => {
  const currencies = fc.constantFrom('EUR', 'JPY', 'BHD');

  // A valid amount as typed, with the form formatMoney would give it.
  const typed = currencies.chain((currency) => {
    const digits = currencyDigits(currency);
    return fc
      .record({
        whole: fc.oneof(fc.constant(0n), fc.bigInt({ min: 1n, max: 999_999_999_999n })),
        fraction: fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: 0, maxLength: digits }),
      })
      .map(({ whole, fraction }) => ({
        currency,
        text: fraction === '' ? `${whole}` : `${whole}.${fraction}`,
        normalised: digits === 0 ? `${whole}` : `${whole}.${fraction.padEnd(digits, '0')}`,
      }));
  });

  it('formats a parsed amount back to its normalised form', () => {
    fc.assert(
      fc.property(typed, ({ currency, text, normalised }) => {
        expect(MONEY_PATTERN.test(text)).toBe(true);
        const minor = parseMoney(text, currency);
        expect(minor).toBeDefined();
        expect(formatMoney(minor as bigint, currency)).toBe(normalised);
      }),
      { seed: 1, numRuns: 2000 },
    );
  });

  it('parses a formatted amount back to the same minor units', () => {
    fc.assert(
      fc.property(currencies, fc.bigInt({ min: 0n, max: 10n ** 12n - 1n }), (currency, major) => {
        const digits = BigInt(currencyDigits(currency));
        const minor = major * 10n ** digits + (major % 10n ** digits);
        expect(parseMoney(formatMoney(minor, currency), currency)).toBe(minor);
      }),
      { seed: 1, numRuns: 2000 },
    );
  });
});

describe('lineTotal', () => {
  it('multiplies a quantity to three decimals by a unit price, rounding half away from zero', () => {
    expect(lineTotal('1.5', 4500n)).toBe(6750n);
    expect(lineTotal('1.500', 4500n)).toBe(6750n); // as numeric(12, 3) comes back
    expect(lineTotal('2', 1999n)).toBe(3998n);
    expect(lineTotal('0.001', 1n)).toBe(0n);
    expect(lineTotal('0.5', 1n)).toBe(1n);
    expect(lineTotal('0.499', 1n)).toBe(0n);
    expect(lineTotal('1.5', 1n)).toBe(2n);
    expect(lineTotal('2.5', 1n)).toBe(3n); // not banker's rounding
    expect(lineTotal('2', 0n)).toBe(0n);
    expect(lineTotal('0.333', 3n)).toBe(1n);
  });

  it('stays exact beyond what a number holds', () => {
    // 999,999,999.999 x 99,999,999,999 = 99,999,999,998,900,000,000.001 minor units.
    expect(lineTotal('999999999.999', 99_999_999_999n)).toBe(99_999_999_998_900_000_000n);
    expect(lineTotal('999999999.999', 3n)).toBe(3_000_000_000n);
  });

  it('equals the exact product rounded half away from zero (non-negative, as the database allows)', () => {
    const quantities = fc
      .record({
        whole: fc.bigInt({ min: 0n, max: 999_999_999n }),
        fraction: fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: 0, maxLength: 3 }),
      })
      .map(({ whole, fraction }) => ({
        text: fraction === '' ? `${whole}` : `${whole}.${fraction}`,
        // The quantity as a fraction over 1000, worked out apart from the code under test.
        numerator: whole * 1000n + BigInt(`${fraction}000`.slice(0, 3)),
      }));
    fc.assert(
      fc.property(quantities, fc.bigInt({ min: 0n, max: 99_999_999_999n }), (q, unit) => {
        const product = q.numerator * unit;
        const floor = product / 1000n;
        const expected = (product % 1000n) * 2n >= 1000n ? floor + 1n : floor;
        expect(lineTotal(q.text, unit)).toBe(expected);
      }),
      { seed: 1, numRuns: 3000 },
    );
  });

  // Latent today (the database keeps quantity > 0 and unit_cost_minor >= 0), but a credit line
  // would be negative: adding 500 and truncating toward zero is half away from zero only above 0.
  it('rounds a negative product half away from zero too', () => {
    expect(lineTotal('1', -1500n)).toBe(-1500n);
    expect(lineTotal('0.5', -1n)).toBe(-1n);
    expect(lineTotal('-1.5', 1000n)).toBe(-1500n);
  });
});

describe('perUnit', () => {
  it('divides an amount by a positive figure', () => {
    expect(perUnit(1000n, 100)).toBe(10);
    expect(perUnit(1n, 4)).toBe(0.25);
    expect(perUnit(0n, 12.5)).toBe(0);
    expect(perUnit(100n, 3)).toBeCloseTo(33.333, 3);
  });

  it('is null for a zero, negative or missing figure', () => {
    expect(perUnit(1000n, 0)).toBeNull();
    expect(perUnit(1000n, -0)).toBeNull();
    expect(perUnit(1000n, -5)).toBeNull();
    expect(perUnit(1000n, Number.NaN)).toBeNull();
  });
});
