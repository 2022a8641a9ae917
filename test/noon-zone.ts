// A time zone where it is about noon now, for tests that publish this morning's and yesterday's
// telemetry and ask for "today" in the organisation's calendar: whenever they run, this morning is
// today and yesterday is yesterday. Named zones without summer time by their offset from UTC;
// not Etc/GMT±N, which QuestDB's SAMPLE BY ... TIME ZONE read the other way round in a test.
const ZONES: Record<number, string> = {
  [-11]: 'Pacific/Pago_Pago',
  [-10]: 'Pacific/Honolulu',
  [-9]: 'Pacific/Gambier',
  [-8]: 'Pacific/Pitcairn',
  [-7]: 'America/Phoenix',
  [-6]: 'America/Costa_Rica',
  [-5]: 'America/Bogota',
  [-4]: 'America/Caracas',
  [-3]: 'America/Sao_Paulo',
  [-2]: 'America/Noronha',
  [-1]: 'Atlantic/Cape_Verde',
  0: 'UTC',
  1: 'Africa/Lagos',
  2: 'Africa/Johannesburg',
  3: 'Europe/Moscow',
  4: 'Asia/Dubai',
  5: 'Asia/Karachi',
  6: 'Asia/Dhaka',
  7: 'Asia/Bangkok',
  8: 'Asia/Singapore',
  9: 'Asia/Tokyo',
  10: 'Australia/Brisbane',
  11: 'Pacific/Guadalcanal',
  12: 'Pacific/Tarawa',
};

/** The zone whose wall clock reads 12:xx at `now`. */
export function noonZone(now = Date.now()): string {
  return ZONES[12 - new Date(now).getUTCHours()] as string;
}

/** The hour (0-23) of `now` on the zone's wall clock. */
export function hourIn(zone: string, now = Date.now()): number {
  return Number(
    new Intl.DateTimeFormat('en-GB', { hour: '2-digit', hourCycle: 'h23', timeZone: zone }).format(now),
  );
}
