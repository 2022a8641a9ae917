// An alert's facts as the console shows them (lib/alerts/format.ts, lib/rules/units.ts,
// lib/alerts/labels.ts, lib/alerts/sound.ts): units from the names the catalogue and the engine
// use, the figures of each kind in words, the stretch of track around an alert, the kinds'
// labels equal to the catalogue's, and the sound setting kept in storage, off by default.
import { RULE_KIND_LABELS, RULE_KINDS as SHARED_KINDS } from '@fleet/shared/rules';
import { describe, expect, it } from 'vitest';
import { ALERT_ACTIONS } from '../../api/src/domains/alerts/schemas.ts';
import {
  alertPosition,
  detailLine,
  detailRows,
  TRACK_MARGIN_MS,
  TRACK_MAX_MS,
  trackRange,
} from '../src/lib/alerts/format.ts';
import { ACTION_LABELS, KIND_LABELS, kindLabel, RULE_KINDS } from '../src/lib/alerts/labels.ts';
import { BEEP_NOTES, beep, rememberSound, SOUND_KEY, soundWanted } from '../src/lib/alerts/sound.ts';
import { nameUnit, unitLabel, withUnit, words } from '../src/lib/rules/units.ts';

describe('units from names', () => {
  it('reads the catalogue’s camelCase suffixes and snake_case ones', () => {
    const table: [string, string | undefined, string][] = [
      ['limitKmh', 'km/h', 'limit'],
      ['minDurationS', 's', 'minDuration'],
      ['distanceM', 'm', 'distance'],
      ['minDropPct', '%', 'minDrop'],
      ['belowV', 'V', 'below'],
      ['coolantTempC', '°C', 'coolantTemp'],
      ['fuelLevelL', 'l', 'fuelLevel'],
      ['minPeakG', 'g', 'minPeak'],
      ['windowMin', 'min', 'window'],
      ['odometerKm', 'km', 'odometer'],
      ['limit_kmh', 'km/h', 'limit'],
      ['window_min', 'min', 'window'],
      ['wait_s', 's', 'wait'],
      ['tank_l', 'l', 'tank'],
      ['battery_v', 'V', 'battery'],
      ['engine_c', '°C', 'engine'],
      ['share_pct', '%', 'share'],
      ['radius_m', 'm', 'radius'],
      ['events', undefined, 'events'],
      ['ignoreCodes', undefined, 'ignoreCodes'],
      ['hysteresis', undefined, 'hysteresis'],
      ['S', undefined, 'S'],
    ];
    for (const [name, unit, stem] of table) expect([name, nameUnit(name)]).toEqual([name, { unit, stem }]);
  });

  it('labels a name in words with its unit, and a value with it', () => {
    expect(words('minDuration')).toBe('Min duration');
    expect(words('clear_delay')).toBe('Clear delay');
    expect(unitLabel('minDurationS')).toBe('Min duration (s)');
    expect(unitLabel('limitKmh', { limitKmh: 'Speed limit' })).toBe('Speed limit (km/h)');
    expect(withUnit('peakKmh', 97.456)).toBe('97.46 km/h');
    expect(withUnit('lowestPct', 8)).toBe('8 %');
    expect(withUnit('code', 'P0420')).toBe('P0420');
    expect(withUnit('crossed', true)).toBe('yes');
    expect(withUnit('speedKmh', null)).toBe('—');
  });
});

describe('an alert’s figures', () => {
  it('names each kind’s figures in words, with units', () => {
    expect(detailRows({ peakKmh: 97.5, limitKmh: 80 })).toEqual([
      { key: 'peakKmh', label: 'Peak speed', value: '97.5 km/h' },
      { key: 'limitKmh', label: 'Limit', value: '80 km/h' },
    ]);
    expect(detailRows({ code: 'P0420', description: 'Catalyst efficiency below threshold' })).toEqual([
      { key: 'code', label: 'Fault code', value: 'P0420' },
      { key: 'description', label: 'Description', value: 'Catalyst efficiency below threshold' },
    ]);
    expect(detailRows({ litresGoneL: 12 })).toEqual([
      { key: 'litresGoneL', label: 'Litres gone', value: '12 l' },
    ]);
    expect(detailLine({ peakKmh: 97.5, limitKmh: 80 })).toBe('Peak speed 97.5 km/h · Limit 80 km/h');
    expect(detailLine({})).toBe('');
  });

  it('reads the track from a margin before to a margin after, or to now, never more than the maximum', () => {
    const now = Date.parse('2026-11-21T12:00:00Z');
    const started = '2026-11-21T11:00:00.000Z';
    expect(trackRange({ startedAt: started, endedAt: '2026-11-21T11:05:00.000Z' }, now)).toEqual({
      from: Date.parse(started) - TRACK_MARGIN_MS,
      to: Date.parse('2026-11-21T11:05:00Z') + TRACK_MARGIN_MS,
    });
    expect(trackRange({ startedAt: started, endedAt: null }, now)).toEqual({
      from: Date.parse(started) - TRACK_MARGIN_MS,
      to: now + 1,
    });
    const old = trackRange({ startedAt: '2026-11-01T00:00:00.000Z', endedAt: null }, now);
    expect(old.to - old.from).toBe(TRACK_MAX_MS);
    expect(alertPosition({ lat: 60.1, lon: 24.9 })).toEqual([24.9, 60.1]);
    expect(alertPosition({ lat: null, lon: 24.9 })).toBeUndefined();
  });
});

describe('the labels', () => {
  it('are the catalogue’s kinds and labels, and every timeline action', () => {
    expect(RULE_KINDS).toEqual(SHARED_KINDS);
    expect(KIND_LABELS).toEqual(RULE_KIND_LABELS);
    expect(Object.keys(ACTION_LABELS).sort()).toEqual([...ALERT_ACTIONS].sort());
    expect(kindLabel('overspeed')).toBe('Speeding');
    expect(kindLabel('new_kind')).toBe('new kind');
  });
});

describe('the alert sound', () => {
  class Memory {
    readonly map = new Map<string, string>();
    getItem(k: string) {
      return this.map.get(k) ?? null;
    }
    setItem(k: string, v: string) {
      this.map.set(k, v);
    }
  }

  it('is off until switched on, and remembered', () => {
    const store = new Memory();
    expect(soundWanted(store)).toBe(false);
    expect(soundWanted(undefined)).toBe(false);
    rememberSound(store, true);
    expect(store.map.get(SOUND_KEY)).toBe('on');
    expect(soundWanted(store)).toBe(true);
    rememberSound(store, false);
    expect(soundWanted(store)).toBe(false);
    const refusing = {
      getItem(): string | null {
        throw new Error('denied');
      },
      setItem() {
        throw new Error('denied');
      },
    };
    expect(soundWanted(refusing)).toBe(false);
    expect(() => rememberSound(refusing, true)).not.toThrow();
  });

  it('plays its notes once the page may play sound, and says when it may not', async () => {
    const started: { hz: number; at: number; stop: number }[] = [];
    const audio = {
      currentTime: 5,
      state: 'suspended',
      destination: {},
      async resume() {
        this.state = 'running';
      },
      createOscillator() {
        const o = {
          type: '',
          frequency: { value: 0 },
          at: 0,
          connect: () => undefined,
          start(when: number) {
            o.at = when;
          },
          stop(when: number) {
            started.push({ hz: o.frequency.value, at: o.at, stop: when });
          },
        };
        return o;
      },
      createGain: () => ({
        gain: { setValueAtTime: () => undefined, exponentialRampToValueAtTime: () => undefined },
        connect: () => undefined,
      }),
    };
    expect(await beep(audio)).toBe(true);
    expect(started).toEqual(BEEP_NOTES.map((n) => ({ hz: n.hz, at: 5 + n.at, stop: 5 + n.at + n.s })));
    const blocked = {
      ...audio,
      state: 'suspended',
      resume: async () => Promise.reject(new Error('no gesture')),
    };
    expect(await beep(blocked)).toBe(false);
  });
});
