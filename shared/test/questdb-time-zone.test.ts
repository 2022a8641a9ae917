// The organisation's zone as QuestDB reads it: for each zone a console offers, QuestDB's local
// time of an instant is the one Intl gives. QuestDB reads the POSIX-style Etc/GMT+N zones as UTC
// without an error; questDbTimeZone hands it their fixed offset instead.
import { describe, expect, inject, it } from 'vitest';
import { QuestDbHttp } from '../src/questdb/http.ts';
import { questDbTimeZone } from '../src/time-zone.ts';

/** The local wall clock of an instant in a zone, as Intl says, as YYYY-MM-DDTHH:mm. */
function intlLocal(at: number, timeZone: string): string {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
  }).formatToParts(at);
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return `${get('year')}-${get('month')}-${get('day')}T${get('hour')}:${get('minute')}`;
}

describe('questDbTimeZone', () => {
  it('gives QuestDB the local time Intl gives, Etc/GMT zones included', async () => {
    const q = new QuestDbHttp(inject('questdbUrl'));
    const zones = [
      'Europe/Helsinki',
      'America/New_York',
      'Asia/Kolkata',
      'UTC',
      'Etc/GMT+2',
      'Etc/GMT-14',
      'Etc/GMT+12',
    ];
    for (const at of [Date.UTC(2026, 11, 3, 12), Date.UTC(2026, 6, 1, 23, 30)]) {
      for (const zone of zones) {
        const iso = new Date(at).toISOString().replace('Z', '000Z');
        const r = await q.exec(`SELECT to_timezone('${iso}', '${questDbTimeZone(zone)}')`);
        expect(String(r.dataset[0]?.[0]).slice(0, 16), `${zone} at ${iso}`).toBe(intlLocal(at, zone));
      }
    }
    expect(questDbTimeZone('Etc/GMT+2')).toBe('-02:00');
    expect(questDbTimeZone('Europe/Helsinki')).toBe('Europe/Helsinki');
  });
});
