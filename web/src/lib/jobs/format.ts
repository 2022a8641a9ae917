// A job in words, in the organisation's time zone: its window on a day's board ("08:00–16:00",
// "from 2 Nov 22:00" when it began the day before), its span on its own page, how long it
// lasts, the board's day as a title, and who drives what.
import type { Job } from '@fleet/api/contract';
import { formatDate, zonedDayTime } from '../time.ts';

const shortDays = new Map<string, Intl.DateTimeFormat>();

/** "2 Nov" in `timeZone`: the board's days are of one year around today. */
function shortDay(ms: number, timeZone: string): string {
  let f = shortDays.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-GB', { timeZone, month: 'short', day: 'numeric' });
    shortDays.set(timeZone, f);
  }
  return f.format(ms);
}

/**
 * The window as the board of `day` shows it: the clock alone for the hours on that day, the
 * date too for an end or start on another ("22:00–2 Nov 06:00", "1 Nov 22:00–06:00").
 */
export function boardWindow(startsAt: string, endsAt: string, day: string, timeZone: string): string {
  const part = (iso: string) => {
    const ms = Date.parse(iso);
    const at = zonedDayTime(ms, timeZone);
    return at.day === day ? at.time : `${shortDay(ms, timeZone)} ${at.time}`;
  };
  return `${part(startsAt)}–${part(endsAt)}`;
}

/** "3 Nov 2026, 08:00–16:00", or both dates when it spans days ("3 Nov 2026, 22:00 – 4 Nov 2026, 06:00"). */
export function jobSpan(startsAt: string, endsAt: string, timeZone: string): string {
  const start = Date.parse(startsAt);
  const end = Date.parse(endsAt);
  const a = zonedDayTime(start, timeZone);
  const b = zonedDayTime(end, timeZone);
  if (a.day === b.day) return `${formatDate(start, timeZone)}, ${a.time}–${b.time}`;
  return `${formatDate(start, timeZone)}, ${a.time} – ${formatDate(end, timeZone)}, ${b.time}`;
}

/** "8 h", "1 h 30 min", "45 min", "2 d 4 h": how long a window lasts, to the minute. */
export function formatDuration(ms: number): string {
  const minutes = Math.max(0, Math.round(ms / 60_000));
  const d = Math.floor(minutes / 1440);
  const h = Math.floor((minutes % 1440) / 60);
  const m = minutes % 60;
  const parts = [d > 0 ? `${d} d` : '', h > 0 ? `${h} h` : '', m > 0 && d === 0 ? `${m} min` : ''];
  return parts.filter((p) => p !== '').join(' ') || '0 min';
}

const titles = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'UTC',
  weekday: 'long',
  day: 'numeric',
  month: 'long',
  year: 'numeric',
});

/** "Tuesday 3 November 2026": a calendar day as it is, whatever the zone. */
export function dayTitle(day: string): string {
  const [y = 1970, m = 1, d = 1] = day.split('-').map(Number);
  return titles.format(Date.UTC(y, m - 1, d)).replace(',', '');
}

export function conflictCount(n: number): string {
  return `${n} conflict${n === 1 ? '' : 's'}`;
}

/** "Anna Virtanen drives Van 7", "Ben Lee, crew": a crew member's part on the job. */
export function crewPart(member: Job['crew'][number], assets: Job['assets']): string {
  if (member.role === 'crew' || member.vehicleId === null) return `${member.name}, crew`;
  const vehicle = assets.find((a) => a.id === member.vehicleId);
  return `${member.name} drives ${vehicle?.name ?? 'a vehicle'}`;
}

/** Drivers first, then those riding along, each by name: how a card and the job's page list a crew. */
export function crewInOrder<C extends Pick<Job['crew'][number], 'name' | 'role'>>(crew: readonly C[]): C[] {
  return [...crew].sort(
    (a, b) =>
      Number(a.role !== 'driver') - Number(b.role !== 'driver') ||
      a.name.localeCompare(b.name, 'en', { sensitivity: 'base', numeric: true }),
  );
}

/** "ETA 07:42 · 3.2 km", "ETA 07:42 · 3.2 km · late": an en-route job's estimate, or "" without one. */
export function etaText(eta: Job['eta'], timeZone: string): string {
  if (eta === null) return '';
  const km = eta.distanceKm < 10 ? eta.distanceKm.toFixed(1) : String(Math.round(eta.distanceKm));
  return `ETA ${zonedDayTime(Date.parse(eta.at), timeZone).time} · ${km} km${eta.late ? ' · late' : ''}`;
}
