// Cost figures in words: money from the API's decimal strings (formatted exactly by Intl, never
// through a float; totals are the server's), cost per km and per engine hour to the API's four
// decimals where they matter (a few cents a km), litres, consumption, months.
import { currencyDigits } from '@fleet/shared/money';
import { formatAmount, formatDay, formatHours, formatKm } from '../maintenance/format.ts';

export { formatAmount, formatDay };

const perUnitFormats = new Map<string, Intl.NumberFormat>();

/**
 * "€0.5398" of "0.5398", "€21.59" of "21.5900": at least the currency's decimals and up to the
 * four the API gives, so a cost per km of a few cents keeps its meaning. "—" when the API has
 * none (no distance or hours in the range).
 */
export function formatPerUnit(amount: string | null, currency: string): string {
  if (amount === null) return '—';
  try {
    let f = perUnitFormats.get(currency);
    if (!f) {
      const digits = currencyDigits(currency);
      f = new Intl.NumberFormat('en-GB', {
        style: 'currency',
        currency,
        minimumFractionDigits: digits,
        maximumFractionDigits: Math.max(digits, 4),
      });
      perUnitFormats.set(currency, f);
    }
    return f.format(amount as Intl.StringNumericLiteral);
  } catch {
    return `${amount} ${currency}`;
  }
}

const compactFormats = new Map<string, Intl.NumberFormat>();

/** "€1.2K": a chart axis's money, where a tick needs no cents. */
export function formatCompactAmount(value: number, currency: string): string {
  try {
    let f = compactFormats.get(currency);
    if (!f) {
      f = new Intl.NumberFormat('en-GB', {
        style: 'currency',
        currency,
        notation: 'compact',
        minimumFractionDigits: 0,
        maximumFractionDigits: 1,
      });
      compactFormats.set(currency, f);
    }
    return f.format(value);
  } catch {
    return `${value} ${currency}`;
  }
}

const litres = new Intl.NumberFormat('en-GB', { maximumFractionDigits: 2 });

/** "45.5 l". */
export function formatLitres(value: number): string {
  return `${litres.format(value)} l`;
}

/** "5.83 l/100 km", or "—" without two full fill-ups to measure between. */
export function formatConsumption(value: number | null): string {
  return value === null ? '—' : `${litres.format(value)} l/100 km`;
}

/** "2,000 km", or "—" without odometer readings at both ends of the range. */
export function formatDistance(value: number | null): string {
  return value === null ? '—' : formatKm(value);
}

/** "50 h", or "—" without engine hours at both ends of the range. */
export function formatEngineHours(value: number | null): string {
  return value === null ? '—' : formatHours(value);
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** "Nov 2026" of "2026-11"; a calendar month has no time zone to convert. */
export function monthLabel(month: string): string {
  const m = /^(\d{4})-(\d{2})$/.exec(month);
  const name = m ? MONTHS[Number(m[2]) - 1] : undefined;
  return m && name ? `${name} ${m[1]}` : month;
}
