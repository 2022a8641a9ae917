// The reports' figures in words. Durations arrive in seconds and are shown as hours with one
// decimal ("12.5 h": what a fleet manager compares, and what the files carry, to two decimals);
// shares 0..1 as whole percentages; distances in km to a tenth (the API's unit: its CSV and XLSX
// say km too); counts with thousands separators; days of the organisation's calendar.
import { formatDay } from '../maintenance/format.ts';
import { formatDateTime } from '../time.ts';

const oneDecimal = new Intl.NumberFormat('en-GB', { minimumFractionDigits: 1, maximumFractionDigits: 1 });
const whole = new Intl.NumberFormat('en-GB', { maximumFractionDigits: 0 });

/** "12.5 h" of 45,000 s; "—" when there is no figure. */
export function formatHours(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return '—';
  return `${oneDecimal.format(seconds / 3600)} h`;
}

/** "42%" of 0.42; "—" when there is no working time to share (the API's null). */
export function formatShare(share: number | null | undefined): string {
  if (share === null || share === undefined || !Number.isFinite(share)) return '—';
  return `${whole.format(share * 100)}%`;
}

/** "1,234.5 km". */
export function formatKm(km: number): string {
  return `${oneDecimal.format(km)} km`;
}

/** "1,234". */
export function formatCount(n: number): string {
  return whole.format(n);
}

/** "45.5 l". */
export function formatLitres(litres: number): string {
  return `${oneDecimal.format(litres)} l`;
}

/** "Mon 1 Dec 2026" of "2026-12-01": a calendar day, no zone to convert. */
export function formatReportDay(day: string): string {
  const ms = Date.parse(`${day}T00:00:00Z`);
  if (!Number.isFinite(ms)) return day;
  const weekday = new Intl.DateTimeFormat('en-GB', { weekday: 'short', timeZone: 'UTC' }).format(ms);
  return `${weekday} ${formatDay(day)}`;
}

/** "1 Dec 2026 – 31 Dec 2026". */
export function formatRange(from: string, to: string): string {
  return from === to ? formatDay(from) : `${formatDay(from)} – ${formatDay(to)}`;
}

/** An instant of the API in the organisation's zone ("3 Dec 2026, 14:05:09"), or "—". */
export function formatInstant(iso: string | null | undefined, timeZone: string): string {
  if (iso === null || iso === undefined) return '—';
  const ms = Date.parse(iso);
  return Number.isFinite(ms) ? formatDateTime(ms, timeZone) : iso;
}

/** "1 Dec" of "2026-12-01": a day under a bar of a chart of days. */
export function formatShortDay(day: string): string {
  const ms = Date.parse(`${day}T00:00:00Z`);
  if (!Number.isFinite(ms)) return day;
  return new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', timeZone: 'UTC' }).format(ms);
}

/** "2 h 05 min", "7 min", "40 s" of one trip's or stop's seconds (a fleet's hours are formatHours'); "—" when none. */
export function formatDuration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return '—';
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  const minutes = Math.round(s / 60);
  if (minutes < 60) return `${minutes} min`;
  return `${whole.format(Math.floor(minutes / 60))} h ${String(minutes % 60).padStart(2, '0')} min`;
}

/** "80 km/h". */
export function formatSpeed(kmh: number): string {
  return `${whole.format(kmh)} km/h`;
}
