// A service status and a work order's figures in words: what is left in the unit that decides
// ("800 km left", "3 days past due"), where the service falls due in each unit the plan counts,
// meters, and money. Money arrives as decimal strings in the work order's currency ("45.00") and
// is shown by Intl from the string itself, never through a float (Intl.NumberFormat reads a
// decimal string exactly: ECMA-402 "Intl.NumberFormat v3"), and totals are the server's.
import type { ServiceStatus } from '@fleet/api/contract';
import { formatDate } from '../time.ts';

const km = new Intl.NumberFormat('en-GB', { maximumFractionDigits: 0 });
const hours = new Intl.NumberFormat('en-GB', { maximumFractionDigits: 1 });

/** "15,000 km". */
export function formatKm(value: number): string {
  return `${km.format(value)} km`;
}

/** "1,250.5 h". */
export function formatHours(value: number): string {
  return `${hours.format(value)} h`;
}

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

type Remaining = Pick<ServiceStatus, 'decidedBy' | 'remainingKm' | 'remainingHours' | 'remainingDays'>;

/**
 * What is left until due in the unit that decides the level, or how far past it: "800 km left",
 * "12 h left", "3 days past due", "due now". The API rounds to a tenth; the words round again to
 * what a planner reads (whole km and days, tenths of an hour).
 */
export function remainingText(s: Remaining): string {
  switch (s.decidedBy) {
    case 'km': {
      const r = s.remainingKm;
      if (r === null) return '—';
      const n = Math.round(Math.abs(r));
      if (n === 0) return 'due now';
      return r > 0 ? `${formatKm(n)} left` : `${formatKm(n)} past due`;
    }
    case 'hours': {
      const r = s.remainingHours;
      if (r === null) return '—';
      const n = Math.round(Math.abs(r) * 10) / 10;
      if (n === 0) return 'due now';
      return r > 0 ? `${formatHours(n)} left` : `${formatHours(n)} past due`;
    }
    case 'time': {
      const r = s.remainingDays;
      if (r === null) return '—';
      const n = Math.round(Math.abs(r));
      if (n === 0) return 'due today';
      return r > 0 ? `${plural(n, 'day', 'days')} left` : `${plural(n, 'day', 'days')} past due`;
    }
    default:
      return 'no reading yet';
  }
}

/** Where the next service falls due in each unit the plan counts: "15,000 km · 500 h · 3 Mar 2027". */
export function dueText(
  s: Pick<ServiceStatus, 'dueOdometerKm' | 'dueEngineHours' | 'dueAt'>,
  timeZone: string,
): string {
  const parts: string[] = [];
  if (s.dueOdometerKm !== null) parts.push(formatKm(s.dueOdometerKm));
  if (s.dueEngineHours !== null) parts.push(formatHours(s.dueEngineHours));
  if (s.dueAt !== null) parts.push(formatDate(Date.parse(s.dueAt), timeZone));
  return parts.length === 0 ? '—' : parts.join(' · ');
}

/**
 * When it falls due at the recent use, as a day in the organisation's zone; "now" once it is
 * due; "—" without enough use to say.
 */
export function forecastText(s: Pick<ServiceStatus, 'forecastAt' | 'level'>, timeZone: string): string {
  if (s.level === 'due' || s.level === 'overdue') return 'now';
  return s.forecastAt === null ? '—' : formatDate(Date.parse(s.forecastAt), timeZone);
}

/** The asset's meters on the board: "29,200 km · 812.5 h". */
export function metersText(s: Pick<ServiceStatus, 'odometerKm' | 'engineHours'>): string {
  const parts: string[] = [];
  if (s.odometerKm !== null) parts.push(formatKm(s.odometerKm));
  if (s.engineHours !== null) parts.push(formatHours(s.engineHours));
  return parts.length === 0 ? '—' : parts.join(' · ');
}

const moneyFormats = new Map<string, Intl.NumberFormat>();

/**
 * "€1,234.50" of "1234.50" EUR: the decimal string as it came, formatted exactly. A code Intl
 * does not know is shown as the amount and the code.
 */
export function formatAmount(amount: string, currency: string): string {
  try {
    let f = moneyFormats.get(currency);
    if (!f) {
      f = new Intl.NumberFormat('en-GB', { style: 'currency', currency });
      moneyFormats.set(currency, f);
    }
    // A decimal string is formatted as the exact decimal it is (ECMA-402 2023), not as a float.
    return f.format(amount as Intl.StringNumericLiteral);
  } catch {
    return `${amount} ${currency}`;
  }
}

/** "21 Nov 2026" of "2026-11-21": a calendar day (a due date) has no time zone to convert. */
export function formatDay(day: string): string {
  const ms = Date.parse(`${day}T00:00:00Z`);
  return Number.isFinite(ms) ? formatDate(ms, 'UTC') : day;
}

/** "1.5" of 1.5 hours, "2" of two pieces: a line's quantity as typed (at most three decimals). */
export function formatQuantity(quantity: number): string {
  return new Intl.NumberFormat('en-GB', { maximumFractionDigits: 3 }).format(quantity);
}

/** "12.3 KiB": an attachment's size. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}
