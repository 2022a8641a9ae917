// The device page's event list: labels, detail text and merging live events into the list.
import { describe, expect, it } from 'vitest';
import {
  eventDetail,
  eventKindLabel,
  eventRow,
  liveEventRow,
  mergeEvents,
} from '../src/lib/device/events.ts';

const rest = { seq: 1, lat: null, lon: null, receivedAt: 0 };

describe('event rows', () => {
  it('label kinds for people, unknown ones too', () => {
    expect(eventKindLabel('HARSH_BRAKING')).toBe('Harsh braking');
    expect(eventKindLabel('POWER_CUT')).toBe('Power cut');
    expect(eventKindLabel('CONNECTED')).toBe('Connected');
    expect(eventKindLabel('SOMETHING_NEW_2')).toBe('Something new 2');
    expect(eventKindLabel('')).toBe('Unknown');
  });

  it('say what else the event carries', () => {
    expect(
      eventDetail({
        ts: 1,
        kind: 'HARSH_BRAKING',
        detail: ' hard stop ',
        speedKmh: 52.4,
        peakG: 0.612,
        buttonId: null,
        firmware: null,
      }),
    ).toBe('hard stop · peak 0.61 g · at 52 km/h');
    expect(eventDetail({ ts: 1, kind: 'BUTTON', detail: '', speedKmh: null, buttonId: 2 })).toBe('button 2');
    expect(eventDetail({ ts: 1, kind: 'BOOT', detail: '', speedKmh: null, firmware: 'tag-2.1.0' })).toBe(
      'firmware tag-2.1.0',
    );
    expect(eventDetail({ ts: 1, kind: 'CONNECTED', detail: '', speedKmh: null })).toBe('');
  });

  it('mark the events a dispatcher should look at', () => {
    const row = (kind: string) =>
      eventRow({
        ...rest,
        ts: 1,
        kind,
        detail: '',
        speedKmh: null,
        peakG: null,
        buttonId: null,
        firmware: null,
      });
    expect(row('CRASH').severe).toBe(true);
    expect(row('HARSH_CORNERING').severe).toBe(true);
    expect(row('TAMPER').severe).toBe(true);
    expect(row('BOOT').severe).toBe(false);
    expect(row('CONNECTED').severe).toBe(false);
  });

  it('leave out a detail that only repeats the kind', () => {
    const connected = eventRow({ ...rest, ts: 1, kind: 'CONNECTED', detail: 'connected', speedKmh: null });
    expect(connected).toMatchObject({ label: 'Connected', detail: '' });
  });
});

describe('mergeEvents', () => {
  const live = (ts: number, kind = 'BUTTON') =>
    liveEventRow({ deviceId: 'd', ts, kind, lat: null, lon: null, speedKmh: null, detail: '' });

  it('puts new events in time order, newest first, each once', () => {
    const list = [live(300), live(200), live(100)];
    const merged = mergeEvents(list, [live(250), live(400), live(300)], 10);
    expect(merged.map((r) => r.ts)).toEqual([400, 300, 250, 200, 100]);
    // The same kind at the same time is one event; another kind at that time is another.
    expect(mergeEvents(merged, [live(300, 'CRASH')], 10).map((r) => r.key)).toContain('300|CRASH');
  });

  it('keeps at most the limit, dropping the oldest', () => {
    const list = [live(300), live(200), live(100)];
    expect(mergeEvents(list, [live(400)], 3).map((r) => r.ts)).toEqual([400, 300, 200]);
    expect(mergeEvents(list, [], 2).map((r) => r.ts)).toEqual([300, 200]);
  });

  it('returns the same rows when nothing is new', () => {
    const list = [live(300)];
    expect(mergeEvents(list, [live(300)], 10)).toEqual(list);
  });
});
