import { describe, expect, it } from 'vitest';
import { engineFault } from '../../../src/rules/kinds/engine-fault.ts';
import { FLEET, orgContext, run, Track } from '../support.ts';

describe('engine_fault', () => {
  it('an alert per code while reported; it resolves once gone for clearDelayS', () => {
    const track = new Track('van', { everyS: 30 })
      .hold(120, { dtcCodes: [] })
      .hold(300, { dtcCodes: ['P0420'] });
    track
      .hold(60, { dtcCodes: ['P0420', 'P0301'] })
      .hold(300, { dtcCodes: ['P0301'] })
      .hold(300, { dtcCodes: [] });
    const r = run(engineFault, {}, orgContext({ devices: FLEET })).feed(track.records);
    expect(r.opened().map((a) => [a.key, a.title, a.details])).toEqual([
      [
        'P0420',
        'Engine fault P0420 Catalyst System Efficiency Below Threshold (Bank 1)',
        {
          code: 'P0420',
          description: 'Catalyst System Efficiency Below Threshold (Bank 1)',
          standard: 'generic',
        },
      ],
      [
        'P0301',
        'Engine fault P0301 Cylinder 1 Misfire Detected',
        { code: 'P0301', description: 'Cylinder 1 Misfire Detected', standard: 'generic' },
      ],
    ]);
    expect(r.cleared().map((a) => a.key)).toEqual(['P0420', 'P0301']);
    // P0420 was last reported in the record at +480 s; it ended at the first record without it.
    expect(r.cleared()[0]?.endedAt).toBe(track.records[16]?.ts);
  });

  it('manufacturer-specific and unknown codes are titled as such', () => {
    const track = new Track('van', { everyS: 30 }).hold(60, { dtcCodes: ['P1234', 'P0FFF', 'U3000'] });
    const r = run(engineFault, {}, orgContext({ devices: FLEET })).feed(track.records);
    expect(r.opened().map((a) => [a.title, a.details?.standard])).toEqual([
      ['Engine fault P1234 (manufacturer-specific code)', 'manufacturer'],
      ['Engine fault P0FFF (unknown generic code)', 'generic'],
      ['Engine fault U3000 (reserved code)', 'reserved'],
    ]);
  });

  it('an ECU dropping a code for less than clearDelayS keeps one alert', () => {
    const track = new Track('van', { everyS: 20 });
    for (let i = 0; i < 6; i++) track.hold(60, { dtcCodes: ['P0171'] }).hold(20, { dtcCodes: [] });
    const r = run(engineFault, { clearDelayS: 60 }, orgContext({ devices: FLEET })).feed(track.records);
    expect(r.opened()).toHaveLength(1);
  });

  it('records without the field say nothing; prefixes and ignored codes filter', () => {
    const track = new Track('van', { everyS: 30 }).hold(60, {
      dtcCodes: ['P0420', 'P0301', 'C1234', 'P0300'],
    });
    track.hold(600, { dtcCodes: undefined });
    const r = run(
      engineFault,
      { codePrefixes: ['P03'], ignoreCodes: ['P0300'] },
      orgContext({ devices: FLEET }),
    );
    r.feed(track.records);
    expect(r.opened().map((a) => a.key)).toEqual(['P0301']);
    expect(r.cleared()).toEqual([]);
    expect(r.observations).toHaveLength(2);
  });

  it('a healthy engine raises nothing', () => {
    const track = new Track('van', { everyS: 30 }).hold(3600, { dtcCodes: [] }).hold(600);
    expect(run(engineFault, {}, orgContext({ devices: FLEET })).feed(track.records).alerts).toEqual([]);
  });
});
