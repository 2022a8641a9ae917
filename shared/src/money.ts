// Money as people write it ("1234.50" EUR) and as it is stored: a whole number of the
// currency's minor units (123450 cents) in a bigint, never a floating-point number, so sums and
// per-km figures are exact until the last division. How many minor digits a currency has comes
// from Intl (EUR 2, JPY 0, BHD 3), the same source that shows amounts to people.

const digitsCache = new Map<string, number>();

/** Minor-unit digits of an ISO 4217 currency (EUR: 2). */
export function currencyDigits(currency: string): number {
  let digits = digitsCache.get(currency);
  if (digits === undefined) {
    digits =
      new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ??
      2;
    digitsCache.set(currency, digits);
  }
  return digits;
}

/** A decimal amount as typed: digits, at most one point, no sign, no exponent (4 decimals: CLF, UYW). */
export const MONEY_PATTERN = /^(0|[1-9][0-9]{0,11})(\.[0-9]{1,4})?$/;

/**
 * "12.5" EUR -> 1250n. Undefined when it is not a plain non-negative decimal or has more
 * decimals than the currency (12.345 EUR is not money).
 */
export function parseMoney(text: string, currency: string): bigint | undefined {
  if (!MONEY_PATTERN.test(text)) return undefined;
  const digits = currencyDigits(currency);
  const [whole = '0', fraction = ''] = text.split('.');
  if (fraction.length > digits) return undefined;
  return BigInt(whole) * 10n ** BigInt(digits) + BigInt(fraction.padEnd(digits, '0') || '0');
}

/** 1250n EUR -> "12.50"; negative amounts keep their sign. */
export function formatMoney(minor: bigint, currency: string): string {
  const digits = currencyDigits(currency);
  const negative = minor < 0n;
  const abs = negative ? -minor : minor;
  const text = abs.toString().padStart(digits + 1, '0');
  const whole = digits === 0 ? text : text.slice(0, -digits);
  const fraction = digits === 0 ? '' : `.${text.slice(-digits)}`;
  return `${negative ? '-' : ''}${whole}${fraction}`;
}

/**
 * quantity (to three decimals, as the database keeps it) x unit price in minor units, rounded
 * half away from zero to a minor unit: 1.5 h x 45.00 EUR = 6750n.
 */
export function lineTotal(quantity: string, unitMinor: bigint): bigint {
  const negative = quantity.startsWith('-');
  const [whole = '0', fraction = ''] = (negative ? quantity.slice(1) : quantity).split('.');
  const magnitude = BigInt(whole || '0') * 1000n + BigInt(fraction.padEnd(3, '0').slice(0, 3) || '0');
  const thousandths = negative ? -magnitude : magnitude;
  const product = thousandths * unitMinor;
  // BigInt division truncates toward zero; half away from zero on either side of it.
  return product >= 0n ? (product + 500n) / 1000n : (product - 500n) / 1000n;
}

/** An amount divided by a figure (km, hours) to minor units, for per-km costs; null when the figure is 0. */
export function perUnit(minor: bigint, figure: number): number | null {
  if (!(figure > 0)) return null;
  return Number(minor) / figure;
}
